/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CCM composed from IPsec-MB's AES-CBC and AES-CTR (crypto/cry_ccm_long.c), which the engine uses
 * for AAD over 46 bytes (Group OSCORE), against OpenSSL's CCM: random keys, nonces, AAD of 47 to
 * 600 bytes, payloads of 0 to 2048 bytes, every CCM variant (tags 8 and 16, 7- and 13-byte
 * nonces, 128- and 256-bit keys), whole batches, both directions, and every tampering refused.
 */
#include <stdlib.h>

#include <criterion/criterion.h>

#include "tc.h"

static const int ccm_algs[] = {
	CRY_AES_CCM_16_64_128,  CRY_AES_CCM_16_64_256,  CRY_AES_CCM_64_64_128,
	CRY_AES_CCM_64_64_256,  CRY_AES_CCM_16_128_128, CRY_AES_CCM_16_128_256,
	CRY_AES_CCM_64_128_128, CRY_AES_CCM_64_128_256,
};
#define N_CCM (sizeof(ccm_algs) / sizeof(ccm_algs[0]))
#define BATCH 40
#define ROUNDS 12

/* A random long-AAD message (AAD 47..600, payload 0..2048; small ones more often) with
 * OpenSSL's ciphertext and tag in ref_ct / ref_tag. */
static void make(struct tc_msg *m, uint64_t *rng, int cose, uint8_t *ref_ct, uint8_t *ref_tag)
{
	uint32_t len = tc_below(rng, 4) ? tc_below(rng, 300) : tc_below(rng, 2049);
	uint32_t aad = 47 + tc_below(rng, 554);
	struct cry_op op;

	tc_msg_random(m, rng, cose, len, aad);
	tc_op(&op, m, CRY_ENCRYPT);
	cr_assert_eq(cry_aead_one_openssl(&op), CRY_OK);
	memcpy(ref_ct, m->ct, len);
	memcpy(ref_tag, m->tag, CRY_TAG_MAX);
}

Test(crypto, ccm_long_equals_openssl_in_batches)
{
	struct cry_engine *e = cry_engine_new();
	struct tc_msg *m = calloc(BATCH, sizeof(*m));
	uint8_t (*ct)[TC_MSG_MAX] = calloc(BATCH, TC_MSG_MAX), (*tag)[CRY_TAG_MAX] =
		calloc(BATCH, CRY_TAG_MAX);
	struct cry_op ops[BATCH];
	uint64_t rng = 0xcc3610;

	cr_assert(e && m && ct && tag);
	for (int r = 0; r < ROUNDS; r++) {
		for (int i = 0; i < BATCH; i++) {
			make(&m[i], &rng, ccm_algs[tc_below(&rng, N_CCM)], ct[i], tag[i]);
			/* Even ops encrypt again over a scribbled ciphertext; odd ops decrypt. */
			if (i % 2 == 0)
				memset(m[i].ct, 0xee, m[i].len);
			tc_op(&ops[i], &m[i], i % 2 ? CRY_DECRYPT : CRY_ENCRYPT);
		}
		cr_assert_eq(cry_aead_batch(e, ops, BATCH), BATCH);
		for (int i = 0; i < BATCH; i++) {
			const char *nm = m[i].key.alg->name;

			if (i % 2) {
				cr_assert_arr_eq(m[i].out, m[i].pt, m[i].len, "op %d %s", i, nm);
				continue;
			}
			cr_assert_arr_eq(m[i].ct, ct[i], m[i].len, "op %d %s len %u aad %u", i, nm,
					 m[i].len, m[i].aad_len);
			cr_assert_arr_eq(m[i].tag, tag[i], m[i].key.alg->tag_len, "op %d %s", i, nm);
		}
		for (int i = 0; i < BATCH; i++)
			cry_key_wipe(&m[i].key);
	}
	free(tag);
	free(ct);
	free(m);
	cry_engine_free(e);
}

/* AAD 0..46 stays on IPsec-MB's CCM, 47 and up is composed: both sides of the boundary and the
 * RFC 3610 length-field forms agree with OpenSSL, payloads 0..2048 around block edges. */
Test(crypto, ccm_long_every_aad_length_to_300)
{
	struct cry_engine *e = cry_engine_new();
	static struct tc_msg m;
	static uint8_t ct[TC_MSG_MAX];
	uint8_t tag[CRY_TAG_MAX];
	uint64_t rng = 0xaad;
	struct cry_op op;

	for (uint32_t aad = 0; aad <= 300; aad++) {
		static const uint32_t lens[] = { 0, 1, 15, 16, 17, 2048 };
		uint32_t len = lens[aad % 6];

		tc_msg_random(&m, &rng, ccm_algs[aad % N_CCM], len, aad);
		tc_op(&op, &m, CRY_ENCRYPT);
		cr_assert_eq(cry_aead_one_openssl(&op), CRY_OK);
		memcpy(ct, m.ct, len);
		memcpy(tag, m.tag, sizeof(tag));
		tc_op(&op, &m, CRY_ENCRYPT);
		cr_assert_eq(cry_aead_batch(e, &op, 1), 1);
		cr_assert_arr_eq(m.ct, ct, len, "aad %u len %u", aad, len);
		cr_assert_arr_eq(m.tag, tag, m.key.alg->tag_len, "aad %u len %u", aad, len);
		tc_op(&op, &m, CRY_DECRYPT);
		cr_assert_eq(cry_aead_batch(e, &op, 1), 1, "aad %u", aad);
		cr_assert_arr_eq(m.out, m.pt, len);
		cry_key_wipe(&m.key);
	}
	cry_engine_free(e);
}

/* One flipped bit in the tag, the ciphertext or the AAD: refused, and no plaintext left in out. */
Test(crypto, ccm_long_refuses_every_tampering)
{
	struct cry_engine *e = cry_engine_new();
	static struct tc_msg m;
	static uint8_t ct[TC_MSG_MAX];
	uint8_t tag[CRY_TAG_MAX], zero[TC_MSG_MAX] = { 0 };
	uint64_t rng = 0xbad;
	struct cry_op op;

	for (int i = 0; i < 60; i++) {
		int where = i % 3;

		make(&m, &rng, ccm_algs[i % N_CCM], ct, tag);
		if (where == 1 && m.len == 0)
			where = 0;
		if (where == 0)
			m.tag[tc_below(&rng, m.key.alg->tag_len)] ^= 0x01;
		else if (where == 1)
			m.ct[tc_below(&rng, m.len)] ^= 0x80;
		else
			m.aad[tc_below(&rng, m.aad_len)] ^= 0x10;
		memset(m.out, 0x55, sizeof(m.out));
		tc_op(&op, &m, CRY_DECRYPT);
		cr_assert_eq(cry_aead_batch(e, &op, 1), 0, "case %d", i);
		cr_assert_eq(op.status, CRY_ERR_AUTH);
		cr_assert_arr_eq(m.out, zero, m.len, "plaintext of a forgery left in out");
		cry_key_wipe(&m.key);
	}
	cry_engine_free(e);
}

/* The async interface completes long-AAD ops within the same call, each exactly once. */
Test(crypto, ccm_long_async_completes_in_call)
{
	struct cry_engine *e = cry_engine_new();
	struct tc_msg *m = calloc(BATCH, sizeof(*m));
	uint8_t (*ct)[TC_MSG_MAX] = calloc(BATCH, TC_MSG_MAX);
	struct cry_op ops[BATCH], *ptr[BATCH], *done[BATCH + CRY_MAX_INFLIGHT];
	unsigned seen[BATCH] = { 0 }, n;
	uint8_t tag[CRY_TAG_MAX];
	uint64_t rng = 0xa5;

	cr_assert(e && m && ct);
	for (int i = 0; i < BATCH; i++) {
		make(&m[i], &rng, ccm_algs[i % N_CCM], ct[i], tag);
		tc_op(&ops[i], &m[i], CRY_DECRYPT);
		ptr[i] = &ops[i];
	}
	n = cry_aead_submit(e, ptr, BATCH, done);
	cr_assert_eq(n, BATCH);
	for (unsigned i = 0; i < n; i++) {
		cr_assert_eq(done[i]->status, CRY_OK);
		seen[done[i] - ops]++;
	}
	for (int i = 0; i < BATCH; i++) {
		cr_assert_eq(seen[i], 1);
		cr_assert_arr_eq(m[i].out, m[i].pt, m[i].len);
		cry_key_wipe(&m[i].key);
	}
	cr_assert_eq(cry_aead_inflight(e), 0);
	free(ct);
	free(m);
	cry_engine_free(e);
}
