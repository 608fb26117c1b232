/* SPDX-License-Identifier: BSD-3-Clause */
/* Durable state (ctl_store) and the App. B.1.1 write-ahead (ctl_ssn), with the SIGKILL test;
 * retired key material (ctl_tomb, issue 8) and secure deletion. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control/ctl_ssn.h"
#include "control/ctl_store.h"
#include "control/ctl_tomb.h"
#include "ctl_test_util.h"

static char dir[256], path[300];

static void setup(void)
{
	scratch_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/state.db", dir);
}

static void teardown(void)
{
	rm_dir(dir);
}

TestSuite(store, .init = setup, .fini = teardown);

static struct ctl_store *open_store(void)
{
	char err[256];
	struct ctl_store *s = ctl_store_open(path, err, sizeof(err));

	cr_assert_not_null(s, "%s", err);
	return s;
}

Test(store, file_and_wal_are_created_0600_since_they_hold_master_secrets)
{
	struct ctl_store *s;
	struct osc_params p;
	struct stat st;
	char wal[320];

	umask(022);
	s = open_store();
	server_params(&p, 0x0a);
	cr_assert_eq(ctl_store_put_ctx(s, 1, &p), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	cr_assert_eq(stat(wal, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "wal mode %o", st.st_mode & 0777);
	ctl_store_close(s);
}

Test(store, existing_world_readable_file_is_tightened)
{
	FILE *f = fopen(path, "w");
	struct stat st;

	cr_assert_not_null(f);
	fclose(f);
	cr_assert_eq(chmod(path, 0644), 0);
	ctl_store_close(open_store());
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600);
}

Test(store, params_round_trip_with_absent_and_empty_id_context)
{
	struct ctl_store *s = open_store();
	struct osc_params p, q;
	uint64_t ceil = 99;

	server_params(&p, 0x0a);
	p.recipient_id_len = 0; /* empty IDs are valid (§3.1) */
	cr_assert_eq(ctl_store_put_ctx(s, 7, &p), 0);
	p.has_id_ctx = true; /* empty but present ID Context */
	cr_assert_eq(ctl_store_put_ctx(s, 8, &p), 0);
	cr_assert_eq(ctl_store_get_ctx(s, 7, &q, &ceil), 0);
	cr_expect_eq(ceil, 0);
	cr_expect_not(q.has_id_ctx);
	cr_expect_eq(q.recipient_id_len, 0);
	cr_expect_eq(q.secret_len, 16);
	cr_expect_arr_eq(q.secret, p.secret, 16);
	cr_expect_eq(q.alg, p.alg);
	cr_expect_eq(q.hkdf, p.hkdf);
	cr_assert_eq(ctl_store_get_ctx(s, 8, &q, NULL), 0);
	cr_expect(q.has_id_ctx);
	cr_expect_eq(ctl_store_get_ctx(s, 9, &q, NULL), 1);
	cr_expect_eq(ctl_store_del_ctx(s, 8), 0);
	cr_expect_eq(ctl_store_get_ctx(s, 8, &q, NULL), 1);
	ctl_store_close(s);
}

Test(store, ceiling_only_grows_and_survives_reopen)
{
	struct ctl_store *s = open_store();
	struct osc_params p;
	uint64_t ceil;

	server_params(&p, 0x0a);
	cr_assert_eq(ctl_store_put_ctx(s, 1, &p), 0);
	cr_expect_eq(ctl_store_reserve_ssn(s, 1, 500), 0);
	cr_expect_eq(ctl_store_reserve_ssn(s, 1, 200), 0);
	cr_expect_eq(ctl_store_reserve_ssn(s, 2, 200), 1, "no such context");
	cr_assert_eq(ctl_store_put_ctx(s, 1, &p), 0); /* replacing params keeps the ceiling */
	ctl_store_close(s);
	s = open_store();
	cr_assert_eq(ctl_store_get_ctx(s, 1, NULL, &ceil), 0);
	cr_expect_eq(ceil, 500);
	ctl_store_close(s);
}

static int count_cb(void *arg, uint64_t id, const struct osc_params *p, uint64_t ceiling)
{
	(void)p;
	(void)ceiling;
	*(uint64_t *)arg += id;
	return 0;
}

Test(store, foreach_visits_every_context)
{
	struct ctl_store *s = open_store();
	struct osc_params p;
	uint64_t sum = 0;

	server_params(&p, 0x0a);
	cr_assert_eq(ctl_store_put_ctx(s, 3, &p), 0);
	cr_assert_eq(ctl_store_put_ctx(s, 4, &p), 0);
	cr_expect_eq(ctl_store_foreach(s, count_cb, &sum), 0);
	cr_expect_eq(sum, 7);
	ctl_store_close(s);
}

static int grant_cb(void *arg, uint64_t id, const uint8_t *rec, size_t len)
{
	uint64_t *seen = arg;

	cr_expect(len == 3 && !memcmp(rec, "abc", 3));
	*seen += id;
	return 0;
}

Test(store, grant_goes_with_its_context_and_survives_reopen)
{
	struct ctl_store *s = open_store();
	struct osc_params p;
	uint64_t seen = 0;

	server_params(&p, 0x0a);
	cr_expect_eq(ctl_store_put_grant(s, 5, (const uint8_t *)"abc", 3), 1, "no context 5");
	cr_assert_eq(ctl_store_put_ctx(s, 5, &p), 0);
	cr_assert_eq(ctl_store_put_ctx(s, 6, &p), 0);
	cr_expect_eq(ctl_store_put_grant(s, 5, (const uint8_t *)"xyz", 3), 0);
	cr_expect_eq(ctl_store_put_grant(s, 5, (const uint8_t *)"abc", 3), 0, "replaced");
	cr_expect_eq(ctl_store_put_grant(s, 6, (const uint8_t *)"abc", 3), 0);
	ctl_store_close(s);
	s = open_store();
	cr_expect_eq(ctl_store_foreach_grant(s, grant_cb, &seen), 0);
	cr_expect_eq(seen, 11);
	cr_assert_eq(ctl_store_del_ctx(s, 5), 0);
	seen = 0;
	cr_expect_eq(ctl_store_foreach_grant(s, grant_cb, &seen), 0);
	cr_expect_eq(seen, 6, "the grant of a removed context is gone with it");
	ctl_store_close(s);
}

static struct osc_ctx *new_ctx(const struct osc_params *p)
{
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));

	cr_assert_not_null(c);
	cr_assert_eq(osc_ctx_derive(c, p), OSC_CTX_OK);
	return c;
}

Test(store, attach_resumes_at_ceiling_and_tick_writes_ahead_near_it)
{
	struct ctl_store *s = open_store();
	struct ctl_ssn *t = ctl_ssn_new(s, 100);
	struct osc_params p;
	struct osc_ctx *c;
	uint64_t ceil;

	server_params(&p, 0x0a);
	c = new_ctx(&p);
	cr_assert_eq(ctl_store_put_ctx(s, 1, &p), 0);
	cr_assert_eq(ctl_store_reserve_ssn(s, 1, 1234), 0);
	cr_assert_eq(ctl_ssn_attach(t, 1, c), 0);
	cr_expect_eq(c->ssn, 1234);
	cr_expect_eq(c->ssn_limit, 1334);
	cr_expect_eq(ctl_ssn_tick(t), 0, "far from the ceiling: no write");
	c->ssn = 1284; /* exactly K/2 below */
	cr_expect_eq(ctl_ssn_tick(t), 1);
	/* at least K ahead; more here, since 50 SSNs went by within microseconds (a busy context
	 * gets the SSNs of CTL_SSN_HORIZON_MS at its rate, at most CTL_SSN_STEP_MAX * K) */
	cr_expect_geq(c->ssn_limit, 1384);
	cr_expect_leq(c->ssn_limit, 1284 + 100 * CTL_SSN_STEP_MAX);
	cr_assert_eq(ctl_store_get_ctx(s, 1, NULL, &ceil), 0);
	cr_expect_eq(ceil, c->ssn_limit, "the published limit is the durable ceiling");
	cr_expect_eq(ctl_ssn_attach(t, 1, c), -1, "tracked twice");
	cr_expect_eq(ctl_ssn_detach(t, 1), 0);
	cr_expect_eq(ctl_ssn_detach(t, 1), 1);
	cr_expect_eq(ctl_ssn_attach(t, 2, c), 1, "not in the store");
	osc_ctx_wipe(c);
	free(c);
	ctl_ssn_free(t);
	ctl_store_close(s);
}

/* Without a store: the clock floor (ctl_ssn.h). The SSN starts at the floor and is never lowered;
 * the limit is the clock, follows it only forward, and an idle context is written only when the
 * clock at least doubles its headroom; a protect stops at the limit (a 5.03 in the gateway). */
Test(store, clock_floor_starts_at_the_floor_and_the_limit_follows_the_clock)
{
	struct cry_engine *e = cry_engine_new();
	uint8_t in[64], out[256];
	struct osc_exchange ex;
	struct osc_params p;
	struct osc_ctx *c;
	int n = plain_get(in, sizeof(in), 1), i, raised = 0;
	uint64_t now;

	server_params(&p, 0x0a);
	c = new_ctx(&p);
	ctl_ssn_floor_attach(c, 1000, 1000);
	cr_expect_eq(c->ssn, 1000, "raised to the floor");
	cr_expect_eq(c->ssn_limit, 1000, "nothing before the clock moves on");
	cr_expect_eq(osc_protect_request(e, c, in, (size_t)n, out, sizeof(out), 0, &ex),
		     -OSC_ERR_SSN_LIMIT);
	cr_expect(ctl_ssn_floor_raise(c, 1004));
	for (i = 0; i < 4; i++)
		cr_expect_gt(osc_protect_request(e, c, in, (size_t)n, out, sizeof(out), 0, &ex), 0);
	cr_expect_eq(osc_protect_request(e, c, in, (size_t)n, out, sizeof(out), 0, &ex),
		     -OSC_ERR_SSN_LIMIT, "SSN 1004 is not below the clock");
	cr_expect_not(ctl_ssn_floor_raise(c, 1003), "a clock stepped back lowers nothing");
	cr_expect_eq(c->ssn_limit, 1004);
	for (now = 1005; now < 1005 + 100000; now++) /* idle: written O(log uptime) times */
		raised += ctl_ssn_floor_raise(c, now);
	cr_expect_leq(raised, 18, "%d writes of the limit in 100000 ticks", raised);
	cr_expect_geq(c->ssn_limit, 1005 + 50000, "yet at least half the idle time is headroom");
	c->ssn = 2000; /* a resumed SSN above the floor stays */
	ctl_ssn_floor_attach(c, 1500, 1700);
	cr_expect_eq(c->ssn, 2000);
	cr_expect_eq(c->ssn_limit, 1700, "waits for the clock to pass it");
	ctl_ssn_floor_attach(c, OSC_SSN_MAX + 7, OSC_SSN_MAX + 9); /* in 2059 */
	cr_expect_eq(c->ssn, OSC_SSN_MAX + 1);
	cr_expect_eq(c->ssn_limit, OSC_SSN_MAX + 1);
	cr_expect_not(ctl_ssn_floor_raise(c, OSC_SSN_MAX + 20));
	cr_expect_eq(osc_protect_request(e, c, in, (size_t)n, out, sizeof(out), 0, &ex),
		     -OSC_ERR_SSN_EXHAUSTED);
	osc_ctx_wipe(c);
	free(c);
	cry_engine_free(e);
}

Test(store, protect_stops_at_the_durable_limit)
{
	struct ctl_store *s = open_store();
	struct ctl_ssn *t = ctl_ssn_new(s, 4);
	struct cry_engine *e = cry_engine_new();
	uint8_t in[64], out[256];
	struct osc_exchange ex;
	struct osc_params p;
	struct osc_ctx *c;
	int n = plain_get(in, sizeof(in), 1), i;

	server_params(&p, 0x0a);
	c = new_ctx(&p);
	cr_assert_eq(ctl_store_put_ctx(s, 1, &p), 0);
	cr_assert_eq(ctl_ssn_attach(t, 1, c), 0);
	for (i = 0; i < 4; i++)
		cr_expect_gt(osc_protect_request(e, c, in, (size_t)n, out, sizeof(out), 0, &ex), 0);
	cr_expect_eq(osc_protect_request(e, c, in, (size_t)n, out, sizeof(out), 0, &ex),
		     -OSC_ERR_SSN_LIMIT);
	cr_expect_eq(ctl_ssn_tick(t), 1);
	cr_expect_gt(osc_protect_request(e, c, in, (size_t)n, out, sizeof(out), 0, &ex), 0);
	osc_ctx_wipe(c);
	free(c);
	cry_engine_free(e);
	ctl_ssn_free(t);
	ctl_store_close(s);
}

/* --- the SIGKILL test ------------------------------------------------------------------- */

#define KILL_ROUNDS 30
#define KILL_K 8
#define MAX_PIVS (1u << 22)

/* The gateway stand-in: restore the context, protect in a loop, write each Partial IV to fd
 * before "sending" it, write ahead whenever the limit stops it or every few messages. */
static void __attribute__((noreturn)) child(int fd)
{
	char err[256];
	struct ctl_store *s = ctl_store_open(path, err, sizeof(err));
	struct ctl_ssn *t = s ? ctl_ssn_new(s, KILL_K) : NULL;
	struct cry_engine *e = cry_engine_new();
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));
	struct osc_params p;
	struct osc_exchange ex;
	uint8_t in[64], out[256];
	int n = plain_get(in, sizeof(in), 1);
	unsigned i;

	if (!t || !e || !c || ctl_store_get_ctx(s, 1, &p, NULL) || osc_ctx_derive(c, &p) ||
	    ctl_ssn_attach(t, 1, c))
		_exit(2);
	for (i = 0;; i++) {
		int r = osc_protect_request(e, c, in, (size_t)n, out, sizeof(out), 0, &ex);
		uint64_t piv;

		if (r == -OSC_ERR_SSN_LIMIT || i % 3 == 0) {
			if (ctl_ssn_tick(t) < 0)
				_exit(3);
			if (r < 0)
				continue;
		}
		if (r < 0)
			_exit(4);
		piv = osc_piv_to_ssn(ex.piv, ex.piv_len);
		if (write(fd, &piv, sizeof(piv)) != sizeof(piv))
			_exit(5);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One round: start the child, kill it after a random delay, collect what it recorded. */
static size_t kill_round(uint64_t *pivs, size_t n, unsigned *seed)
{
	struct timespec d = { 0, (long)(2 + rand_r(seed) % 28) * 1000000L };
	int fds[2], status;
	uint64_t v;
	pid_t pid;

	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		child(fds[1]);
	}
	close(fds[1]);
	/* The kill comes a random time after the child's first message, not after its start: on a
	 * loaded machine (or under ASan) starting can take longer than the whole random delay. */
	if (read(fds[0], &v, sizeof(v)) == sizeof(v) && n < MAX_PIVS)
		pivs[n++] = v;
	nanosleep(&d, NULL);
	kill(pid, SIGKILL);
	while (read(fds[0], &v, sizeof(v)) == sizeof(v) && n < MAX_PIVS)
		pivs[n++] = v;
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		  "child ended by itself (status %d) instead of being killed", status);
	return n;
}

Test(store, sigkill_at_random_points_never_reuses_a_partial_iv, .timeout = 240)
{
	uint64_t *pivs = malloc(MAX_PIVS * sizeof(*pivs)), max_before = 0;
	bool used_before = false;
	unsigned seed = (unsigned)time(NULL), r;
	struct ctl_store *s = open_store();
	struct osc_params p;
	size_t n = 0, i;

	cr_assert_not_null(pivs);
	server_params(&p, 0x0a);
	cr_assert_eq(ctl_store_put_ctx(s, 1, &p), 0);
	ctl_store_close(s);
	cr_log_info("seed %u", seed);
	for (r = 0; r < KILL_ROUNDS; r++) {
		size_t start = n;

		n = kill_round(pivs, n, &seed);
		/* a restarted gateway resumes above everything used before the kill */
		for (i = start; i < n; i++)
			cr_assert(!used_before || pivs[i] > max_before,
				  "round %u used %llu, not above %llu (seed %u)", r,
				  (unsigned long long)pivs[i], (unsigned long long)max_before, seed);
		for (i = start; i < n; i++)
			max_before = pivs[i] > max_before ? pivs[i] : max_before;
		used_before |= n > start;
	}
	cr_assert_geq(n, KILL_ROUNDS, "every round protects at least one message (%zu)", n);
	qsort(pivs, n, sizeof(*pivs), cmp_u64);
	for (i = 1; i < n; i++)
		cr_assert_neq(pivs[i], pivs[i - 1], "Partial IV %llu used twice (seed %u)",
			      (unsigned long long)pivs[i], seed);
	cr_log_info("%zu Partial IVs over %u kills, highest %llu", n, KILL_ROUNDS,
		    (unsigned long long)max_before);
	free(pivs);
}

/* The whole file (and 0 bytes if it does not exist) into a malloc'd buffer. */
static size_t slurp(const char *p, uint8_t **out)
{
	FILE *f = fopen(p, "rb");
	size_t n = 0, cap = 1 << 16;

	*out = malloc(cap);
	cr_assert_not_null(*out);
	if (!f)
		return 0;
	for (size_t k; (k = fread(*out + n, 1, cap - n, f)) > 0;)
		if ((n += k) == cap)
			cr_assert_not_null(*out = realloc(*out, cap *= 2));
	fclose(f);
	return n;
}

static bool file_holds(const char *p, const uint8_t *needle, size_t len)
{
	uint8_t *b;
	size_t n = slurp(p, &b);
	bool found = n >= len && memmem(b, n, needle, len) != NULL;

	free(b);
	return found;
}

Test(store, removed_master_secret_is_left_in_no_file)
{
	struct ctl_store *s = open_store();
	struct osc_params p;
	char wal[320];
	unsigned i;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	for (i = 1; i <= 20; i++) { /* neighbours keep the page in use after the delete */
		server_params(&p, (uint8_t)i);
		for (unsigned k = 0; k < 32; k++)
			p.secret[k] = (uint8_t)(0xa0 + k + (i == 7 ? 0x40 : 0));
		p.secret_len = 32;
		cr_assert_eq(ctl_store_put_ctx(s, i, &p), 0);
	}
	server_params(&p, 7);
	for (unsigned k = 0; k < 32; k++)
		p.secret[k] = (uint8_t)(0xe0 + k);
	cr_assert(file_holds(path, p.secret, 32) || file_holds(wal, p.secret, 32),
		  "the secret is stored somewhere before the remove");
	cr_assert_eq(ctl_store_del_ctx(s, 7), 0);
	cr_expect(!file_holds(path, p.secret, 32), "the database file still holds the secret");
	cr_expect(!file_holds(wal, p.secret, 32), "the WAL still holds the secret");
	server_params(&p, 8);
	for (unsigned k = 0; k < 32; k++)
		p.secret[k] = (uint8_t)(0xa0 + k);
	cr_expect(file_holds(path, p.secret, 32) || file_holds(wal, p.secret, 32),
		  "the other contexts are still there");
	ctl_store_close(s);
}

Test(store, removed_secret_is_wiped_also_when_deleted_inside_a_transaction)
{
	struct ctl_store *s = open_store();
	struct osc_params p;
	char wal[320];

	snprintf(wal, sizeof(wal), "%s-wal", path);
	server_params(&p, 1);
	cr_assert_eq(ctl_store_put_ctx(s, 1, &p), 0);
	server_params(&p, 2);
	memset(p.secret, 0x5c, 16);
	cr_assert_eq(ctl_store_put_ctx(s, 2, &p), 0);
	cr_assert_eq(ctl_store_begin(s), 0);
	cr_assert_eq(ctl_store_del_ctx(s, 2), 0);
	cr_assert_eq(ctl_store_commit(s), 0);
	cr_expect(!file_holds(path, p.secret, 16));
	cr_expect(!file_holds(wal, p.secret, 16));
	ctl_store_close(s);
}

/* Retired key material (ctl_tomb, issue 8): fingerprints per side, values that only grow, kept
 * across a restart in the store. */
TestSuite(tomb, .init = setup, .fini = teardown);

static void fps_of(const struct osc_params *p, uint8_t fp[2][CTL_FP_LEN])
{
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));

	cr_assert_eq(osc_ctx_derive(c, p), OSC_CTX_OK);
	cr_assert_eq(ctl_fp_of(c, CTL_FP_RECIPIENT, fp[0]), 0);
	cr_assert_eq(ctl_fp_of(c, CTL_FP_SENDER, fp[1]), 0);
	osc_ctx_wipe(c);
	free(c);
}

Test(tomb, fingerprint_names_each_side_of_the_key_material_and_nothing_else)
{
	struct osc_params a, b;
	uint8_t fa[2][CTL_FP_LEN], fb[2][CTL_FP_LEN];

	server_params(&a, 0x0a);
	fps_of(&a, fa);
	cr_expect(memcmp(fa[0], fa[1], CTL_FP_LEN), "recipient and sender sides differ");
	fps_of(&a, fb);
	cr_expect(!memcmp(fa, fb, sizeof(fa)), "same material, same fingerprints");
	server_params(&b, 0x0b); /* same secret and Sender ID: same Sender Key */
	fps_of(&b, fb);
	cr_expect(memcmp(fa[0], fb[0], CTL_FP_LEN), "another Recipient ID");
	cr_expect(!memcmp(fa[1], fb[1], CTL_FP_LEN), "the same Sender Key is the same sender side");
	b = a;
	b.secret[0] ^= 1;
	fps_of(&b, fb);
	cr_expect(memcmp(fa[0], fb[0], CTL_FP_LEN) && memcmp(fa[1], fb[1], CTL_FP_LEN));
	b = a;
	b.has_id_ctx = true;
	fps_of(&b, fb);
	cr_expect(memcmp(fa[0], fb[0], CTL_FP_LEN), "an empty ID Context differs from none");
	cr_expect(!memmem(fa, sizeof(fa), a.secret, 8), "no part of the secret in the fingerprint");
}

Test(tomb, values_only_grow_and_many_fit)
{
	struct ctl_tomb *t = ctl_tomb_new(NULL);
	uint8_t fp[CTL_FP_LEN] = { 0 };
	uint64_t v;
	unsigned i;

	cr_assert_not_null(t);
	cr_expect(!ctl_tomb_get(t, fp, &v));
	for (i = 0; i < 1000; i++) { /* grows past its first table several times */
		memcpy(fp, &i, sizeof(i));
		cr_assert_eq(ctl_tomb_put(t, fp, 100 + i), 0);
	}
	memset(fp, 0, sizeof(fp));
	cr_assert_eq(ctl_tomb_put(t, fp, 5), 0); /* lower: ignored */
	cr_assert(ctl_tomb_get(t, fp, &v));
	cr_expect_eq(v, 100);
	for (i = 0; i < 1000; i++) {
		memcpy(fp, &i, sizeof(i));
		cr_assert(ctl_tomb_get(t, fp, &v));
		cr_expect_eq(v, 100 + i);
	}
	fp[15] = 1;
	cr_expect(!ctl_tomb_get(t, fp, &v));
	ctl_tomb_free(t);
}

Test(tomb, store_keeps_them_across_a_restart)
{
	char err[256];
	struct ctl_store *s = ctl_store_open(path, err, sizeof(err));
	struct ctl_tomb *t;
	uint8_t fp[CTL_FP_LEN];
	uint64_t v;

	cr_assert_not_null(s, "%s", err);
	t = ctl_tomb_new(s);
	memset(fp, 0x33, sizeof(fp));
	cr_assert_eq(ctl_tomb_put(t, fp, 4096), 0);
	cr_assert_eq(ctl_tomb_put(t, fp, 8192), 0);
	cr_assert_eq(ctl_tomb_put(t, fp, 10), 0);
	ctl_tomb_free(t);
	ctl_store_close(s);
	s = ctl_store_open(path, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	t = ctl_tomb_new(s);
	cr_assert_not_null(t);
	cr_assert(ctl_tomb_get(t, fp, &v));
	cr_expect_eq(v, 8192);
	cr_assert_eq(ctl_store_put_tomb(s, fp, 7), 0); /* the store keeps the maximum too */
	ctl_tomb_free(t);
	t = ctl_tomb_new(s);
	cr_assert(ctl_tomb_get(t, fp, &v));
	cr_expect_eq(v, 8192);
	ctl_tomb_free(t);
	ctl_store_close(s);
}
