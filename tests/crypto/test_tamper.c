/* SPDX-License-Identifier: BSD-3-Clause */
/* Forgeries fail on both back ends and leak nothing; malformed ops are refused. */
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>

#include "tc.h"

enum part { PART_CT, PART_TAG, PART_AAD, PART_NONCE, PART_N };
static const char *const part_name[] = { "ciphertext", "tag", "aad", "nonce" };

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

static void flip(struct tc_msg *m, enum part p, uint32_t bit)
{
	switch (p) {
	case PART_CT:
		m->ct[(bit / 8) % m->len] ^= (uint8_t)(1u << (bit % 8));
		break;
	case PART_TAG:
		m->tag[(bit / 8) % m->key.alg->tag_len] ^= (uint8_t)(1u << (bit % 8));
		break;
	case PART_AAD:
		m->aad[(bit / 8) % m->aad_len] ^= (uint8_t)(1u << (bit % 8));
		break;
	default:
		m->nonce[(bit / 8) % m->key.alg->nonce_len] ^= (uint8_t)(1u << (bit % 8));
		break;
	}
}

/* Decrypt a tampered message with the engine and with OpenSSL; both must say CRY_ERR_AUTH. */
static void expect_auth_failure(struct cry_engine *e, struct tc_msg *m, const char *what)
{
	struct cry_op op;

	tc_op(&op, m, CRY_DECRYPT);
	memset(m->out, 0xaa, sizeof(m->out));
	cr_assert_eq(cry_aead_batch(e, &op, 1), 0, "%s", what);
	cr_assert_eq(op.status, CRY_ERR_AUTH, "%s", what);
	cr_assert(all_zero(m->out, m->len), "plaintext of a forgery left in out: %s", what);
	cr_assert(all_zero(op.tag_calc, sizeof(op.tag_calc)), "computed tag left: %s", what);
	tc_op(&op, m, CRY_DECRYPT);
	cr_assert_eq(cry_aead_one_openssl(&op), CRY_ERR_AUTH, "openssl %s", what);
}

Test(crypto, tamper_any_part_fails_auth_every_alg)
{
	struct cry_engine *e = cry_engine_new();
	uint64_t rng = 0x7a3e;
	static struct tc_msg m;
	char what[96];

	for (size_t a = 0; a < tc_n_algs; a++) {
		/* AAD 20 keeps CCM on IPsec-MB; AAD 60 sends it to the OpenSSL fallback. */
		for (uint32_t aad = 20; aad <= 60; aad += 40) {
			for (enum part p = 0; p < PART_N; p++) {
				struct cry_op op;
				uint32_t bit = tc_below(&rng, 1u << 16);

				tc_msg_random(&m, &rng, tc_all_algs[a], 1 + tc_below(&rng, 200), aad);
				tc_op(&op, &m, CRY_ENCRYPT);
				cr_assert_eq(cry_aead_one_openssl(&op), CRY_OK);
				flip(&m, p, bit);
				snprintf(what, sizeof(what), "%s aad %u flipped %s bit %u",
					 m.key.alg->name, aad, part_name[p], bit);
				expect_auth_failure(e, &m, what);
				cry_key_wipe(&m.key);
			}
		}
	}
	cry_engine_free(e);
}

/*
 * Every byte of the tag counts: the engine compares tags word by word (no early exit), so a
 * compare that skipped a word would pass forgeries differing only there. Each byte of each
 * algorithm's tag changed alone must fail; the untouched tag must verify.
 */
Test(crypto, tamper_each_tag_byte_fails_auth_every_alg)
{
	struct cry_engine *e = cry_engine_new();
	uint64_t rng = 0x7a90;
	static struct tc_msg m;
	char what[96];

	cr_assert_not_null(e);
	for (size_t a = 0; a < tc_n_algs; a++) {
		struct cry_op op;

		tc_msg_random(&m, &rng, tc_all_algs[a], 1 + tc_below(&rng, 100), 20);
		tc_op(&op, &m, CRY_ENCRYPT);
		cr_assert_eq(cry_aead_one_openssl(&op), CRY_OK);
		for (unsigned i = 0; i < m.key.alg->tag_len; i++) {
			m.tag[i] ^= 0x80;
			snprintf(what, sizeof(what), "%s tag byte %u", m.key.alg->name, i);
			expect_auth_failure(e, &m, what);
			m.tag[i] ^= 0x80;
		}
		tc_op(&op, &m, CRY_DECRYPT);
		cr_assert_eq(cry_aead_batch(e, &op, 1), 1, "%s untouched", m.key.alg->name);
		cry_key_wipe(&m.key);
	}
	cry_engine_free(e);
}

/* An empty message still carries a tag, and the tag still covers the AAD. */
Test(crypto, tamper_empty_message_aad_fails_auth)
{
	struct cry_engine *e = cry_engine_new();
	uint64_t rng = 0x7a3f;
	static struct tc_msg m;

	for (size_t a = 0; a < tc_n_algs; a++) {
		struct cry_op op;

		tc_msg_random(&m, &rng, tc_all_algs[a], 0, 13);
		tc_op(&op, &m, CRY_ENCRYPT);
		cr_assert_eq(cry_aead_batch(e, &op, 1), 1);
		tc_op(&op, &m, CRY_DECRYPT);
		cr_assert_eq(cry_aead_batch(e, &op, 1), 1, "%s", m.key.alg->name);
		flip(&m, PART_AAD, 5);
		expect_auth_failure(e, &m, m.key.alg->name);
		cry_key_wipe(&m.key);
	}
	cry_engine_free(e);
}

/* Both back ends refuse op and so does async submission (returning it at once). */
static void expect_invalid(struct cry_engine *e, struct cry_op *op, const char *what)
{
	struct cry_op *ptr = op, *done[1 + CRY_MAX_INFLIGHT];

	cr_assert_eq(cry_aead_batch(e, op, 1), 0, "%s", what);
	cr_assert_eq(op->status, CRY_ERR_INVALID, "%s", what);
	op->status = CRY_OK;
	cr_assert_eq(cry_aead_one_openssl(op), CRY_ERR_INVALID, "%s", what);
	cr_assert_eq(cry_aead_submit(e, &ptr, 1, done), 1, "%s", what);
	cr_assert_eq(done[0], op);
	cr_assert_eq(op->status, CRY_ERR_INVALID, "%s", what);
	cr_assert_eq(cry_aead_inflight(e), 0);
}

Test(crypto, invalid_ops_are_refused)
{
	struct cry_engine *e = cry_engine_new();
	static uint8_t big[70000];
	uint64_t rng = 0x1a;
	static struct tc_msg m;
	struct cry_key blank = { 0 };
	struct cry_op op;

	tc_msg_random(&m, &rng, CRY_AES_CCM_16_64_128, 64, 8);
	tc_op(&op, &m, CRY_ENCRYPT);
	op.in = op.out = big;
	op.len = 65536; /* RFC 3610: a 13-byte nonce leaves 2 length bytes */
	expect_invalid(e, &op, "ccm-16 65536 bytes");
	tc_op(&op, &m, CRY_DECRYPT);
	op.nonce = NULL;
	expect_invalid(e, &op, "no nonce");
	tc_op(&op, &m, CRY_DECRYPT);
	op.tag = NULL;
	expect_invalid(e, &op, "no tag");
	tc_op(&op, &m, CRY_DECRYPT);
	op.aad = NULL;
	expect_invalid(e, &op, "aad_len without aad");
	tc_op(&op, &m, CRY_DECRYPT);
	op.in = m.pt;
	op.out = m.pt + 1;
	expect_invalid(e, &op, "partial overlap");
	tc_op(&op, &m, CRY_DECRYPT);
	op.dir = 2;
	expect_invalid(e, &op, "bad direction");
	tc_op(&op, &m, CRY_DECRYPT);
	op.key = &blank;
	expect_invalid(e, &op, "uninitialised key");
	tc_op(&op, &m, CRY_DECRYPT);
	op.key = NULL;
	expect_invalid(e, &op, "no key");
	cry_key_wipe(&m.key);
	cry_engine_free(e);
}

/* AES-CCM-64-*: an 8-byte length field allows 64 KiB and more; IPsec-MB stops at 2^16 - 1, so
 * such a message takes the OpenSSL path and still round-trips. */
Test(crypto, ccm_64_long_message_uses_fallback)
{
	struct cry_engine *e = cry_engine_new();
	const uint32_t len = 70000;
	uint8_t *pt = malloc(len), *ct = malloc(len), *back = malloc(len);
	uint64_t rng = 0x64;
	static struct tc_msg m;
	struct cry_op op;

	cr_assert(e && pt && ct && back);
	tc_msg_random(&m, &rng, CRY_AES_CCM_64_64_128, 16, 8);
	tc_fill(&rng, pt, len);
	tc_op(&op, &m, CRY_ENCRYPT);
	op.in = pt;
	op.out = ct;
	op.len = len;
	cr_assert_eq(cry_aead_batch(e, &op, 1), 1);
	tc_op(&op, &m, CRY_DECRYPT);
	op.in = ct;
	op.out = back;
	op.len = len;
	cr_assert_eq(cry_aead_batch(e, &op, 1), 1);
	cr_assert_arr_eq(back, pt, len);
	cry_key_wipe(&m.key);
	free(pt);
	free(ct);
	free(back);
	cry_engine_free(e);
}
