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
		if (alg->kind == CRY_KIND_CCM)
			cr_assert_not(all_zero(k.aes_enc, sizeof(k.aes_enc)));
		cry_key_wipe(&k);
		cr_assert(all_zero(&k, sizeof(k)), "%s left key material", alg->name);
		cry_key_wipe(&k); /* a wiped key is a zeroed struct: wiping again is safe */
	}
}

/* FIPS-197 C.1: the last AES-128 round key of 000102..0f is 13111d7fe3944a17f307a78b4d2b30c5. */
Test(crypto, key_ccm_round_keys_fips197)
{
	uint8_t raw[16], last[16];
	struct cry_key k;

	tc_hex("000102030405060708090a0b0c0d0e0f", raw, sizeof(raw));
	tc_hex("13111d7fe3944a17f307a78b4d2b30c5", last, sizeof(last));
	cr_assert_eq(cry_key_init(&k, cry_alg_by_cose(CRY_AES_CCM_16_64_128), raw), 0);
	cr_assert_arr_eq(k.aes_enc, raw, 16);
	cr_assert_arr_eq(k.aes_enc + 10 * 16, last, 16);
	cry_key_wipe(&k);
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
