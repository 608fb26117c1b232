/* SPDX-License-Identifier: BSD-3-Clause */
/* Replay window (RFC 8613 §7.4): every edge, then two threads racing on one window. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "oscore/osc_replay.h"

struct step {
	uint64_t piv;
	int want; /* verdict of check and of commit */
};

/* Runs steps on a fresh window of width w; check must agree with commit at every step. */
static void run_steps(unsigned w, const struct step *s, size_t n, const char *name)
{
	struct osc_replay win;
	size_t i;

	cr_assert_eq(osc_replay_init(&win, w), 0);
	for (i = 0; i < n; i++) {
		cr_expect_eq(osc_replay_check(&win, s[i].piv), s[i].want, "%s step %zu check piv %llu",
			     name, i, (unsigned long long)s[i].piv);
		cr_expect_eq(osc_replay_commit(&win, s[i].piv), s[i].want,
			     "%s step %zu commit piv %llu", name, i, (unsigned long long)s[i].piv);
	}
	osc_replay_free(&win);
}

#define RUN(w, steps) run_steps(w, steps, sizeof(steps) / sizeof(steps[0]), #steps)

enum { OK = OSC_REPLAY_OK, SEEN = OSC_REPLAY_SEEN, OLD = OSC_REPLAY_TOO_OLD };

Test(replay, first_message_any_piv_accepted)
{
	static const struct step zero[] = { { 0, OK }, { 0, SEEN }, { 1, OK } };
	static const struct step big[] = { { 1000000, OK }, { 1000000, SEEN }, { 999999, OK } };

	RUN(32, zero);
	RUN(32, big);
}

Test(replay, window_edges_width_32)
{
	static const struct step s[] = {
		{ 100, OK },  { 69, OK },    /* top - 31: the lowest still inside */
		{ 68, OLD },  { 69, SEEN },  /* top - 32: just outside */
		{ 101, OK },  { 69, OLD },   /* 69 has fallen out of the window: too old now */
		{ 70, OK },   { 70, SEEN },  { 132, OK }, { 101, SEEN }, { 102, OK }, { 100, OLD },
	};

	RUN(32, s);
}

Test(replay, jump_past_window_forgets_old_block)
{
	static const struct step s[] = {
		{ 5, OK }, { 6, OK }, { 5000, OK }, { 5, OLD }, { 6, OLD }, { 4999, OK },
		{ 4969, OK }, { 4968, OLD }, { 5000, SEEN }, { 4999, SEEN },
	};

	RUN(32, s);
}

Test(replay, block_boundaries_width_128)
{
	static const struct step s[] = {
		{ 63, OK },  { 64, OK },  { 127, OK },  { 128, OK },  { 1, OK },    { 1, SEEN },
		{ 0, OLD },  { 63, SEEN }, { 64, SEEN }, { 191, OK },  { 63, OLD },  { 64, SEEN },
		{ 65, OK },  { 65, SEEN }, { 255, OK },  { 128, SEEN }, { 127, OLD }, { 129, OK },
	};

	RUN(128, s);
}

Test(replay, width_1_accepts_only_increasing)
{
	static const struct step s[] = {
		{ 10, OK }, { 10, SEEN }, { 9, OLD }, { 11, OK }, { 13, OK }, { 12, OLD },
	};

	RUN(1, s);
}

Test(replay, ssn_limit_2_pow_40)
{
	static const struct step s[] = {
		{ OSC_SSN_MAX - 1, OK }, { OSC_SSN_MAX, OK }, { OSC_SSN_MAX, SEEN },
		{ OSC_SSN_MAX + 1, OLD }, { UINT64_MAX, OLD }, { OSC_SSN_MAX - 2, OK },
	};

	RUN(32, s);
}

Test(replay, width_out_of_range_refused)
{
	struct osc_replay w;

	cr_expect_eq(osc_replay_init(&w, 0), -1);
	cr_expect_eq(osc_replay_init(&w, OSC_REPLAY_MAX + 1), -1);
	cr_expect_eq(osc_replay_init(&w, OSC_REPLAY_MAX), 0);
	osc_replay_free(&w);
}

Test(replay, every_width_every_distance)
{
	unsigned w;

	/* For each width, after top = 1000: piv top-d is accepted iff d < w; then it is seen. */
	for (w = 1; w <= OSC_REPLAY_MAX; w++) {
		uint64_t d;

		for (d = 1; d <= w + 70; d++) {
			struct osc_replay win;
			int want = d < w ? OK : OLD;

			osc_replay_init(&win, w);
			cr_assert_eq(osc_replay_commit(&win, 1000), OK);
			cr_assert_eq(osc_replay_commit(&win, 1000 - d), want, "w %u d %llu", w,
				     (unsigned long long)d);
			if (want == OK)
				cr_assert_eq(osc_replay_commit(&win, 1000 - d), SEEN);
			osc_replay_free(&win);
		}
	}
}

Test(replay, reset_to_floor_marks_everything_below_seen)
{
	static const unsigned widths[] = { 32, 64, 128 }; /* pair form, its widest, ring form */

	for (unsigned i = 0; i < 3; i++) {
		struct osc_replay w;
		unsigned n = widths[i];

		osc_replay_init(&w, n);
		osc_replay_reset_to(&w, 500);
		cr_expect_eq(osc_replay_check(&w, 500), SEEN, "w %u", n);
		cr_expect_eq(osc_replay_check(&w, 480), SEEN, "w %u", n);
		cr_expect_eq(osc_replay_check(&w, 501 - n), SEEN, "w %u", n);
		cr_expect_eq(osc_replay_check(&w, 500 - n), OLD, "w %u", n);
		cr_expect_eq(osc_replay_commit(&w, 501), OK, "w %u", n);
		cr_expect_eq(osc_replay_commit(&w, 502 - n), SEEN, "w %u", n);
		cr_expect_eq(osc_replay_commit(&w, 501 - n), OLD, "w %u", n);
		osc_replay_free(&w);
	}
}

/* The window's two forms against a model of §7.4 (a set of accepted Partial IVs and the highest):
 * piv is too old iff it is top - 1 - W or below, seen iff accepted before, else accepted. Random
 * streams with jumps up, small steps back and stale Partial IVs, for widths at and around the
 * edge between the pair form (<= 64) and the ring form. */
#define MODEL_N 20000
static uint8_t model_seen[MODEL_N + 1024];

static uint64_t next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static int model_verdict(uint64_t top, unsigned w, uint64_t piv)
{
	if (top > piv && top - 1 - piv >= w)
		return OLD;
	return model_seen[piv] ? SEEN : OK;
}

Test(replay, both_forms_match_the_model_of_section_7_4)
{
	static const unsigned widths[] = { 1, 2, 31, 32, 33, 63, 64, 65, 127, 128, 192 };

	for (unsigned k = 0; k < sizeof(widths) / sizeof(widths[0]); k++) {
		unsigned w = widths[k];
		uint64_t x = 0x9e3779b97f4a7c15u + w, top = 0, hi = 0;
		struct osc_replay win;

		cr_assert_eq(osc_replay_init(&win, w), 0);
		memset(model_seen, 0, sizeof(model_seen));
		for (unsigned i = 0; i < MODEL_N; i++) {
			uint64_t r = next_rand(&x), piv;
			int want, got;

			if (r % 8 == 0 && hi < MODEL_N)
				hi += 1 + (r >> 8) % 150; /* a jump, sometimes past the window */
			else if (r % 8 < 4 && hi < MODEL_N)
				hi++;
			piv = hi > (r >> 16) % (w + 40) ? hi - (r >> 16) % (w + 40) : 0;
			want = model_verdict(top, w, piv);
			cr_assert_eq(osc_replay_check(&win, piv), want, "w %u i %u piv %llu check",
				     w, i, (unsigned long long)piv);
			got = osc_replay_commit(&win, piv);
			cr_assert_eq(got, want, "w %u i %u piv %llu commit", w, i,
				     (unsigned long long)piv);
			if (got == OK) {
				model_seen[piv] = 1;
				top = piv + 1 > top ? piv + 1 : top;
			}
		}
		osc_replay_free(&win);
	}
}

/* Two threads commit the same stream of Partial IVs (each twice, plus stale ones); each piv must
 * be accepted exactly once in total. */
#define RACE_N 200000
static struct osc_replay race_win;
static uint8_t accepted_by[2][RACE_N];

static void *racer(void *arg)
{
	uintptr_t me = (uintptr_t)arg;
	uint64_t i;

	for (i = 0; i < RACE_N; i++) {
		/* mostly in order, sometimes a little behind, as reordering on a network does */
		uint64_t piv = (i % 7 == 3 && i > 10) ? i - 5 : i;

		if (osc_replay_commit(&race_win, piv) == OK)
			accepted_by[me][piv]++;
	}
	return NULL;
}

static void race(unsigned width)
{
	pthread_t t[2];
	uint64_t i, total = 0;

	cr_assert_eq(osc_replay_init(&race_win, width), 0);
	memset(accepted_by, 0, sizeof(accepted_by));
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, racer, (void *)(uintptr_t)i);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < RACE_N; i++) {
		cr_assert_leq(accepted_by[0][i] + accepted_by[1][i], 1, "piv %llu accepted twice",
			      (unsigned long long)i);
		total += accepted_by[0][i] + accepted_by[1][i];
	}
	/* every in-order piv (i % 7 != 3) is offered first by someone before it can fall out */
	cr_expect_geq(total, RACE_N * 6 / 7, "accepted %llu", (unsigned long long)total);
	osc_replay_free(&race_win);
}

Test(replay, replay_rejects_duplicate_across_threads)
{
	race(64); /* the pair form: one 16-byte CAS per commit */
}

Test(replay, replay_rejects_duplicate_across_threads_ring_form)
{
	race(128);
}

Test(replay, default_window_is_the_pair_form_in_32_bytes)
{
	struct osc_replay w;

	cr_assert_eq(osc_replay_init(&w, OSC_REPLAY_DEFAULT), 0);
	cr_expect_null(w.ring, "no ring for the default window");
	cr_expect_eq(sizeof(w), 32);
	cr_assert_eq(osc_replay_init(&w, OSC_REPLAY_PAIR_MAX + 1), 0);
	cr_expect_not_null(w.ring, "a wider window has its ring");
	osc_replay_free(&w);
	cr_expect_null(w.ring);
}
