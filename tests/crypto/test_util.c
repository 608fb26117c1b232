/* SPDX-License-Identifier: BSD-3-Clause */
/* Constant-time compare, key life cycle, engine set-up. */
#include <errno.h>

#include <criterion/criterion.h>

#include "tc.h"

Test(crypto, ct_equal_compares_every_byte)
{
	uint8_t a[32], b[32];

	for (unsigned i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (uint8_t)(i * 7);
	cr_assert_eq(cry_ct_equal(a, b, sizeof(a)), 1);
	cr_assert_eq(cry_ct_equal(a, b, 0), 1);
	for (unsigned i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x80;
		cr_assert_eq(cry_ct_equal(a, b, sizeof(a)), 0, "difference at %u missed", i);
		cr_assert_eq(cry_ct_equal(a, b, i), 1, "bytes past n compared at %u", i);
		b[i] ^= 0x80;
	}
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

Test(crypto, key_wipe_zeroes_every_kind)
{
	static const uint8_t raw[CRY_KEY_MAX] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };

	for (size_t a = 0; a < tc_n_algs; a++) {
		const struct cry_alg *alg = cry_alg_by_cose(tc_all_algs[a]);
		struct cry_key k;

		cr_assert_eq(cry_key_init(&k, alg, raw), 0);
		cr_assert_eq(k.alg, alg);
		cr_assert_arr_eq(k.raw, raw, alg->key_len);
		if (alg->kind == CRY_KIND_GCM)
			cr_assert_not_null(k.gcm);
		cry_key_wipe(&k);
		cr_assert(all_zero(&k, sizeof(k)), "%s left key material", alg->name);
		cry_key_wipe(&k); /* a wiped key is a zeroed struct: wiping again is safe */
	}
}

/*
 * The engine expands CCM round keys for every op: with 10000 keys of both sizes alternating and
 * three passes, every decrypt must still verify, and a wrong key must still fail.
 */
Test(crypto, ccm_many_keys_of_both_sizes_verify)
{
	enum { N = 10000 };
	static struct tc_msg m[N];
	static struct cry_op ops[N];
	struct cry_engine *e = cry_engine_new();
	uint64_t rng = 7;
	unsigned pass, i;

	cr_assert_not_null(e);
	for (i = 0; i < N; i++) {
		tc_msg_random(&m[i], &rng, i % 2 ? CRY_AES_CCM_16_64_128 : CRY_AES_CCM_16_64_256, 24,
			      20);
		tc_op(&ops[i], &m[i], CRY_ENCRYPT);
		cr_assert_eq(cry_aead_one_openssl(&ops[i]), CRY_OK);
	}
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < N; i++)
			tc_op(&ops[i], &m[i], CRY_DECRYPT);
		if (pass == 2) /* the last pass with each key swapped for its neighbour's */
			for (i = 0; i + 2 < N; i += 2)
				ops[i].key = &m[i + 2].key;
		cry_aead_batch(e, ops, N);
		for (i = 0; i < N; i++)
			cr_assert_eq(ops[i].status, pass == 2 && i % 2 == 0 && i + 2 < N ?
				     CRY_ERR_AUTH : CRY_OK, "pass %u op %u", pass, i);
	}
	for (i = 0; i < N; i++)
		cry_key_wipe(&m[i].key);
	cry_engine_free(e);
}

Test(crypto, key_init_rejects_missing_arguments)
{
	const uint8_t raw[CRY_KEY_MAX] = { 0 };
	struct cry_key k;

	cr_assert_eq(cry_key_init(&k, NULL, raw), -EINVAL);
	cr_assert_eq(cry_key_init(&k, cry_alg_by_cose(10), NULL), -EINVAL);
	cr_assert_eq(cry_key_init(NULL, cry_alg_by_cose(10), raw), -EINVAL);
}

Test(crypto, engine_reports_arch)
{
	struct cry_engine *e = cry_engine_new();
	const char *arch;

	cr_assert_not_null(e);
	arch = cry_engine_arch(e);
	cr_assert(strcmp(arch, "AVX512") == 0 || strcmp(arch, "AVX2") == 0 ||
		  strcmp(arch, "AVX") == 0 || strcmp(arch, "SSE") == 0, "%s", arch);
	cr_assert_eq(cry_aead_inflight(e), 0);
	cry_engine_free(e);
	cry_engine_free(NULL);
}
