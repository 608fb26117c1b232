/* SPDX-License-Identifier: BSD-3-Clause */
/* IPsec-MB against OpenSSL: same ciphertext, same tag, each decrypts what the other encrypts. */
#include <stdlib.h>

#include <criterion/criterion.h>

#include "tc.h"

/* Encrypt m with OpenSSL into ct/tag (the reference). */
static void reference_encrypt(struct tc_msg *m)
{
	struct cry_op op;

	tc_op(&op, m, CRY_ENCRYPT);
	cr_assert_eq(cry_aead_one_openssl(&op), CRY_OK, "%s len %u aad %u", m->key.alg->name,
		     m->len, m->aad_len);
}

/* Engine-encrypt m and compare with the reference, then engine-decrypt the reference. */
static void check_engine(struct cry_engine *e, struct tc_msg *m)
{
	uint8_t ref_ct[TC_MSG_MAX], ref_tag[CRY_TAG_MAX];
	struct cry_op op;

	reference_encrypt(m);
	memcpy(ref_ct, m->ct, m->len);
	memcpy(ref_tag, m->tag, sizeof(ref_tag));
	memset(m->ct, 0xee, sizeof(m->ct));
	tc_op(&op, m, CRY_ENCRYPT);
	cr_assert_eq(cry_aead_batch(e, &op, 1), 1);
	cr_assert_arr_eq(m->ct, ref_ct, m->len, "%s len %u aad %u", m->key.alg->name, m->len,
			 m->aad_len);
	cr_assert_arr_eq(m->tag, ref_tag, m->key.alg->tag_len, "%s len %u aad %u",
			 m->key.alg->name, m->len, m->aad_len);
	tc_op(&op, m, CRY_DECRYPT);
	cr_assert_eq(cry_aead_batch(e, &op, 1), 1, "%s len %u aad %u", m->key.alg->name, m->len,
		     m->aad_len);
	cr_assert_arr_eq(m->out, m->pt, m->len);
}

/* Lengths 0..1024 with AAD 0..46 (IPsec-MB for every alg), and AAD 47..200 (CCM: composed). */
Test(crypto, xcheck_every_alg_random_lengths)
{
	struct cry_engine *e = cry_engine_new();
	uint64_t rng = 0x5eed0001;
	static struct tc_msg m;

	cr_assert_not_null(e);
	for (size_t a = 0; a < tc_n_algs; a++) {
		for (int i = 0; i < 150; i++) {
			uint32_t len = i < 20 ? (uint32_t)i : tc_below(&rng, 1025);
			uint32_t aad = i % 5 == 4 ? 47 + tc_below(&rng, 154) : tc_below(&rng, 47);

			tc_msg_random(&m, &rng, tc_all_algs[a], len, aad);
			check_engine(e, &m);
			cry_key_wipe(&m.key);
		}
	}
	cry_engine_free(e);
}

/* The boundary itself: 46 bytes goes to IPsec-MB, 47 to the composed CCM, and both agree. */
Test(crypto, xcheck_ccm_aad_boundary_46_47)
{
	struct cry_engine *e = cry_engine_new();
	uint64_t rng = 0x5eed0002;
	static struct tc_msg m;

	for (uint32_t aad = 44; aad <= 49; aad++) {
		for (uint32_t len = 0; len <= 33; len += 11) {
			tc_msg_random(&m, &rng, CRY_AES_CCM_16_64_128, len, aad);
			check_engine(e, &m);
			cry_key_wipe(&m.key);
		}
	}
	cry_engine_free(e);
}

#define MIX 96

/* One batch with every algorithm, a key per op, both directions, AAD on both sides of 46. */
Test(crypto, xcheck_mixed_batch)
{
	struct cry_engine *e = cry_engine_new();
	struct tc_msg *m = calloc(MIX, sizeof(*m));
	uint8_t (*ref)[TC_MSG_MAX] = calloc(MIX, TC_MSG_MAX);
	struct cry_op ops[MIX];
	uint64_t rng = 0x5eed0003;

	cr_assert(e && m && ref);
	for (int i = 0; i < MIX; i++) {
		int cose = tc_all_algs[tc_below(&rng, (uint32_t)tc_n_algs)];
		uint32_t aad = i % 7 == 0 ? 60 : tc_below(&rng, 47);

		tc_msg_random(&m[i], &rng, cose, tc_below(&rng, 1025), aad);
		reference_encrypt(&m[i]);
		memcpy(ref[i], m[i].ct, m[i].len);
		/* Odd ops decrypt the reference, even ops encrypt again over a scribbled ct. */
		if (i % 2 == 0)
			memset(m[i].ct, 0xee, m[i].len);
		tc_op(&ops[i], &m[i], i % 2 ? CRY_DECRYPT : CRY_ENCRYPT);
	}
	cr_assert_eq(cry_aead_batch(e, ops, MIX), MIX);
	for (int i = 0; i < MIX; i++) {
		uint8_t *got = i % 2 ? m[i].out : m[i].ct;
		uint8_t *want = i % 2 ? m[i].pt : ref[i];

		cr_assert_eq(ops[i].status, CRY_OK);
		cr_assert_arr_eq(got, want, m[i].len, "op %d %s", i, m[i].key.alg->name);
		cry_key_wipe(&m[i].key);
	}
	free(ref);
	free(m);
	cry_engine_free(e);
}

/* in == out: encrypt over the plaintext, decrypt over the ciphertext, on both back ends. */
Test(crypto, xcheck_in_place)
{
	struct cry_engine *e = cry_engine_new();
	uint64_t rng = 0x5eed0004;
	static struct tc_msg m;

	for (size_t a = 0; a < tc_n_algs; a++) {
		for (int fallback = 0; fallback < 2; fallback++) {
			uint8_t buf[TC_MSG_MAX];
			struct cry_op op;

			tc_msg_random(&m, &rng, tc_all_algs[a], 333, fallback ? 64 : 20);
			reference_encrypt(&m);
			memcpy(buf, m.pt, m.len);
			tc_op(&op, &m, CRY_ENCRYPT);
			op.in = op.out = buf;
			cr_assert_eq(cry_aead_batch(e, &op, 1), 1);
			cr_assert_arr_eq(buf, m.ct, m.len, "%s", m.key.alg->name);
			tc_op(&op, &m, CRY_DECRYPT);
			op.in = op.out = buf;
			cr_assert_eq(cry_aead_batch(e, &op, 1), 1);
			cr_assert_arr_eq(buf, m.pt, m.len, "%s", m.key.alg->name);
			cry_key_wipe(&m.key);
		}
	}
	cry_engine_free(e);
}
