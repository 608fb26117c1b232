/* SPDX-License-Identifier: BSD-3-Clause */
/* Asynchronous submission: lanes stay full across calls, every op comes back exactly once. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tc.h"

#define DONE_ROOM (32 + CRY_MAX_INFLIGHT)

/* n decrypt ops over reference ciphertexts; every 9th has AAD > 46 (composed CCM for CCM),
 * every 5th a non-CCM algorithm. */
static struct tc_msg *make_msgs(struct cry_op *ops, unsigned n, uint64_t seed)
{
	struct tc_msg *m = calloc(n, sizeof(*m));
	uint64_t rng = seed;

	cr_assert_not_null(m);
	for (unsigned i = 0; i < n; i++) {
		int cose = i % 5 == 4 ? tc_all_algs[tc_below(&rng, (uint32_t)tc_n_algs)]
				      : CRY_AES_CCM_16_64_128;

		tc_msg_random(&m[i], &rng, cose, tc_below(&rng, 257), i % 9 == 8 ? 50 : 20);
		tc_op(&ops[i], &m[i], CRY_ENCRYPT);
		cr_assert_eq(cry_aead_one_openssl(&ops[i]), CRY_OK);
		tc_op(&ops[i], &m[i], CRY_DECRYPT);
	}
	return m;
}

static void free_msgs(struct tc_msg *m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		cry_key_wipe(&m[i].key);
	free(m);
}

/* Count each returned op by its index; return how many came back. */
static unsigned tally(struct cry_op *ops, struct cry_op **done, unsigned n, unsigned *seen)
{
	for (unsigned i = 0; i < n; i++) {
		cr_assert_neq(done[i]->status, CRY_PENDING);
		seen[done[i] - ops]++;
	}
	return n;
}

#define NOPS 2000

/*
 * One submit far larger than the ring (IPsec-MB completes its earliest job when the ring is
 * full), CCM mixed with composed long-AAD CCM (more than one gathered burst of them) and the
 * other algorithms: every op holds a schedule of the engine's pool at some point, and the pool
 * must never run dry (an empty pool is an out-of-bounds index). Every op comes back once, OK.
 */
Test(crypto, async_one_submit_over_the_ring_returns_every_op)
{
	enum { N = 4 * CRY_MAX_INFLIGHT };
	struct cry_engine *e = cry_engine_new();
	struct cry_op *ops = calloc(N, sizeof(*ops)), **ptrs = calloc(N, sizeof(*ptrs));
	struct cry_op **done = calloc(N + CRY_MAX_INFLIGHT, sizeof(*done));
	unsigned *seen = calloc(N, sizeof(*seen)), back;
	struct tc_msg *m = make_msgs(ops, N, 0x51de);

	cr_assert(e && ops && ptrs && done && seen);
	for (unsigned i = 0; i < N; i++)
		ptrs[i] = &ops[i];
	back = tally(ops, done, cry_aead_submit(e, ptrs, N, done), seen);
	cr_assert_gt(back, 0, "a full ring completes jobs during the submit");
	back += tally(ops, done, cry_aead_flush(e, done), seen);
	cr_assert_eq(back, N);
	for (unsigned i = 0; i < N; i++) {
		cr_assert_eq(seen[i], 1, "op %u back %u times", i, seen[i]);
		cr_assert_eq(ops[i].status, CRY_OK, "op %u", i);
		cr_assert_arr_eq(ops[i].out, m[i].pt, m[i].len, "op %u plaintext", i);
	}
	cr_assert_eq(cry_aead_inflight(e), 0);
	free_msgs(m, N);
	free(done);
	free(ptrs);
	free(seen);
	free(ops);
	cry_engine_free(e);
}

Test(crypto, async_bursts_return_every_op_once)
{
	static const unsigned bursts[] = { 1, 7, 32 };
	struct cry_engine *e = cry_engine_new();
	struct cry_op *ops = calloc(NOPS, sizeof(*ops)), *ptrs[32], *done[DONE_ROOM];
	unsigned *seen = calloc(NOPS, sizeof(*seen)), sent = 0, back = 0, early = 0;
	struct tc_msg *m = make_msgs(ops, NOPS, 0xa51c);

	cr_assert(e && ops && seen);
	for (unsigned b = 0; sent < NOPS; b++) {
		unsigned n = bursts[b % 3];

		n = n < NOPS - sent ? n : NOPS - sent;
		for (unsigned i = 0; i < n; i++)
			ptrs[i] = &ops[sent + i];
		sent += n;
		early += tally(ops, done, cry_aead_submit(e, ptrs, n, done), seen);
		cr_assert_eq(cry_aead_inflight(e), sent - early);
		cr_assert_leq(cry_aead_inflight(e), CRY_MAX_INFLIGHT);
	}
	back = early + tally(ops, done, cry_aead_flush(e, done), seen);
	cr_assert_eq(back, NOPS);
	cr_assert_eq(cry_aead_inflight(e), 0);
	cr_assert_gt(early, NOPS / 2, "lanes kept full should complete most ops before a flush");
	for (unsigned i = 0; i < NOPS; i++) {
		cr_assert_eq(seen[i], 1, "op %u returned %u times", i, seen[i]);
		cr_assert_eq(ops[i].status, CRY_OK, "op %u", i);
		cr_assert_arr_eq(m[i].out, m[i].pt, m[i].len);
	}
	free_msgs(m, NOPS);
	free(seen);
	free(ops);
	cry_engine_free(e);
}

/* One CCM op waits for its lane to fill: submit must not flush it (that would empty the lanes
 * after every burst); only cry_aead_flush completes it. */
Test(crypto, async_submit_never_flushes)
{
	struct cry_engine *e = cry_engine_new();
	struct cry_op op, *ptr = &op, *done[DONE_ROOM];
	uint64_t rng = 0x1;
	static struct tc_msg m;

	tc_msg_random(&m, &rng, CRY_AES_CCM_16_64_128, 64, 20);
	tc_op(&op, &m, CRY_ENCRYPT);
	cr_assert_eq(cry_aead_submit(e, &ptr, 1, done), 0);
	cr_assert_eq(op.status, CRY_PENDING);
	cr_assert_eq(cry_aead_inflight(e), 1);
	cr_assert_eq(cry_aead_flush(e, done), 1);
	cr_assert_eq(done[0], &op);
	cr_assert_eq(op.status, CRY_OK);
	cr_assert_eq(cry_aead_inflight(e), 0);
	cry_key_wipe(&m.key);
	cry_engine_free(e);
}

/* With 16 and more CCM ops in flight the CBC-MAC lanes fill and completions come back from
 * submit itself, before any flush. */
Test(crypto, async_ccm_completes_before_flush)
{
	struct cry_engine *e = cry_engine_new();
	struct cry_op ops[64], *ptrs[16], *done[DONE_ROOM];
	unsigned seen[64] = { 0 }, early = 0;
	static struct tc_msg m[64];
	uint64_t rng = 0x16;

	for (unsigned i = 0; i < 64; i++) {
		tc_msg_random(&m[i], &rng, CRY_AES_CCM_16_64_128, 64, 20);
		tc_op(&ops[i], &m[i], CRY_ENCRYPT);
	}
	for (unsigned b = 0; b < 4; b++) {
		for (unsigned i = 0; i < 16; i++)
			ptrs[i] = &ops[16 * b + i];
		early += tally(ops, done, cry_aead_submit(e, ptrs, 16, done), seen);
	}
	cr_assert_gt(early, 0, "no CCM op completed before flush with 64 in flight");
	cr_assert_eq(early + tally(ops, done, cry_aead_flush(e, done), seen), 64);
	for (unsigned i = 0; i < 64; i++) {
		cr_assert_eq(seen[i], 1);
		cr_assert_eq(ops[i].status, CRY_OK);
		cry_key_wipe(&m[i].key);
	}
	cry_engine_free(e);
}

/* A synchronous batch in the middle of async traffic completes the async ops too; they are not
 * lost but come back from the next flush. */
Test(crypto, batch_during_async_keeps_async_ops)
{
	struct cry_engine *e = cry_engine_new();
	struct cry_op ops[15], *ptrs[5], *done[DONE_ROOM];
	struct tc_msg *m = make_msgs(ops, 15, 0xba7c);
	unsigned seen[15] = { 0 }, early;

	for (unsigned i = 0; i < 5; i++)
		ptrs[i] = &ops[i];
	early = tally(ops, done, cry_aead_submit(e, ptrs, 5, done), seen);
	cr_assert_lt(early, 5, "nothing left in flight: the test would prove nothing");
	cr_assert_eq(cry_aead_batch(e, ops + 5, 10), 10);
	cr_assert_eq(cry_aead_inflight(e), 5 - early, "stashed ops still count as in flight");
	cr_assert_eq(early + tally(ops, done, cry_aead_flush(e, done), seen), 5);
	for (unsigned i = 0; i < 5; i++) {
		cr_assert_eq(seen[i], 1, "async op %u", i);
		cr_assert_eq(ops[i].status, CRY_OK);
	}
	for (unsigned i = 5; i < 15; i++)
		cr_assert_eq(seen[i], 0, "batch op %u returned as async", i);
	cr_assert_eq(cry_aead_inflight(e), 0);
	free_msgs(m, 15);
	cry_engine_free(e);
}

/* Freeing an engine with ops in flight completes them (their buffers are still valid). */
Test(crypto, engine_free_completes_inflight)
{
	struct cry_engine *e = cry_engine_new();
	struct cry_op ops[3], *ptrs[3] = { &ops[0], &ops[1], &ops[2] }, *done[DONE_ROOM];
	struct tc_msg *m = make_msgs(ops, 3, 0xf7ee);

	cry_aead_submit(e, ptrs, 3, done);
	cry_engine_free(e);
	for (unsigned i = 0; i < 3; i++)
		cr_assert_eq(ops[i].status, CRY_OK);
	free_msgs(m, 3);
}

/*
 * Jobs point at a CCM schedule the engine expanded for them and holds until they complete
 * (STYLE.md §13). With 10,000 keys used in random order and about a hundred ops in flight, no
 * schedule may be reused under a job still reading it. Then every other key is replaced in place
 * (same address, as a context slot refilled after App. B.2): its old ciphertext must no longer
 * verify, while the untouched keys' still do.
 */
Test(crypto, async_ccm_schedules_stay_put_while_in_flight)
{
	enum { N = 10000 };
	struct cry_engine *e = cry_engine_new();
	struct cry_op *ops = calloc(N, sizeof(*ops)), *ptrs[32], *done[DONE_ROOM];
	struct tc_msg *m = calloc(N, sizeof(*m));
	unsigned *seen = calloc(N, sizeof(*seen)), *order = calloc(N, sizeof(*order));
	uint64_t rng = 0x9111;

	cr_assert(e && ops && m && seen && order);
	for (unsigned i = 0; i < N; i++) /* keys in flight together come from anywhere in m */
		order[i] = i;
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j = tc_below(&rng, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned i = 0; i < N; i++) {
		tc_msg_random(&m[i], &rng, i % 7 ? CRY_AES_CCM_16_64_128 : CRY_AES_CCM_16_64_256, 40,
			      20);
		tc_op(&ops[i], &m[i], CRY_ENCRYPT);
		cr_assert_eq(cry_aead_one_openssl(&ops[i]), CRY_OK);
	}
	for (unsigned pass = 0; pass < 2; pass++) {
		unsigned back = 0;

		for (unsigned i = 0; i < N; i++) {
			if (pass == 1 && i % 2 == 0) { /* same address, new key bytes */
				const struct cry_alg *alg = m[i].key.alg;
				uint8_t raw[CRY_KEY_MAX];

				tc_fill(&rng, raw, sizeof(raw));
				cry_key_wipe(&m[i].key);
				cr_assert_eq(cry_key_init(&m[i].key, alg, raw), 0);
			}
			tc_op(&ops[i], &m[i], CRY_DECRYPT);
		}
		memset(seen, 0, N * sizeof(*seen));
		for (unsigned sent = 0, n; sent < N; sent += n) {
			n = N - sent < 32 ? N - sent : 32;
			for (unsigned i = 0; i < n; i++)
				ptrs[i] = &ops[order[sent + i]];
			back += tally(ops, done, cry_aead_submit(e, ptrs, n, done), seen);
		}
		back += tally(ops, done, cry_aead_flush(e, done), seen);
		cr_assert_eq(back, N);
		for (unsigned i = 0; i < N; i++)
			cr_assert_eq(ops[i].status, pass == 1 && i % 2 == 0 ? CRY_ERR_AUTH : CRY_OK,
				     "pass %u op %u", pass, i);
	}
	free_msgs(m, N);
	free(order);
	free(seen);
	free(ops);
	cry_engine_free(e);
}
