/* SPDX-License-Identifier: BSD-3-Clause */
/* Known-answer tests: RFC 8613 Appendix C, RFC 5869 Appendix A, RFC 8439 §2.8.2. */
#include <errno.h>

#include <criterion/criterion.h>

#include "crypto/cry_hkdf.h"
#include "tc.h"

/* RFC 8613 C.4 and C.7 share the nonce and AAD: both are the client's first request. */
#define C4_NONCE "4622d4dd6d944168eefb549868"
#define C4_AAD "8368456e63727970743040488501810a40411440"

struct kat {
	int cose;
	const char *key, *nonce, *aad, *pt, *ct_tag;
};

/* Encrypt with the engine and with OpenSSL, check both against the vector, then decrypt. */
static void check_kat(const struct kat *v)
{
	struct cry_engine *e = cry_engine_new();
	uint8_t raw[CRY_KEY_MAX], expect[TC_MSG_MAX + CRY_TAG_MAX];
	struct tc_msg m = { 0 };
	struct cry_op op;
	size_t n;

	cr_assert_not_null(e);
	tc_hex(v->key, raw, sizeof(raw));
	cr_assert_eq(cry_key_init(&m.key, cry_alg_by_cose(v->cose), raw), 0);
	tc_hex(v->nonce, m.nonce, sizeof(m.nonce));
	m.aad_len = (uint32_t)tc_hex(v->aad, m.aad, sizeof(m.aad));
	m.len = (uint32_t)tc_hex(v->pt, m.pt, sizeof(m.pt));
	n = tc_hex(v->ct_tag, expect, sizeof(expect));
	cr_assert_eq(n, m.len + m.key.alg->tag_len);

	tc_op(&op, &m, CRY_ENCRYPT);
	cr_assert_eq(cry_aead_batch(e, &op, 1), 1);
	cr_assert_arr_eq(m.ct, expect, m.len);
	cr_assert_arr_eq(m.tag, expect + m.len, m.key.alg->tag_len);

	memset(m.ct, 0, sizeof(m.ct));
	memset(m.tag, 0, sizeof(m.tag));
	cr_assert_eq(cry_aead_one_openssl(&op), CRY_OK);
	cr_assert_arr_eq(m.ct, expect, m.len);
	cr_assert_arr_eq(m.tag, expect + m.len, m.key.alg->tag_len);

	tc_op(&op, &m, CRY_DECRYPT);
	cr_assert_eq(cry_aead_batch(e, &op, 1), 1);
	cr_assert_arr_eq(m.out, m.pt, m.len);
	cry_key_wipe(&m.key);
	cry_engine_free(e);
}

Test(crypto, rfc8613_c4_ciphertext)
{
	const struct kat v = { CRY_AES_CCM_16_64_128, "f0910ed7295e6ad4b54fc793154302ff",
			       C4_NONCE, C4_AAD, "01b3747631", "612f1092f1776f1c1668b3825e" };
	check_kat(&v);
}

Test(crypto, rfc8613_c7_ciphertext)
{
	const struct kat v = { CRY_AES_CCM_16_64_128, "ffb14e093c94c9cac9471648b4f98710",
			       C4_NONCE, C4_AAD, "45ff48656c6c6f20576f726c6421",
			       "dbaad1e9a7e7b2a813d3c31524378303cdafae119106" };
	check_kat(&v);
}

Test(crypto, rfc8439_2_8_2_chacha20_poly1305)
{
	const struct kat v = {
		CRY_CHACHA20_POLY1305,
		"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
		"070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
		/* "Ladies and Gentlemen of the class of '99: If I could offer you only one tip
		 * for the future, sunscreen would be it." */
		"4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66"
		"202739393a204966204920636f756c64206f6666657220796f75206f6e6c79206f6e6520"
		"74697020666f7220746865206675747572652c2073756e73637265656e20776f756c6420"
		"62652069742e",
		"d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e"
		"8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c"
		"9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d265"
		"86cec64b6116"
		"1ae10b594f09e26a7e902ecbd0600691",
	};
	check_kat(&v);
}

/* Derive with cry_hkdf and compare with the expected OKM. */
static void check_hkdf(int alg, const char *salt, const char *ikm, const char *info,
		       const char *okm)
{
	uint8_t s[64], k[128], i[64], expect[128], out[128];
	size_t sl = tc_hex(salt, s, sizeof(s)), kl = tc_hex(ikm, k, sizeof(k));
	size_t il = tc_hex(info, i, sizeof(i)), ol = tc_hex(okm, expect, sizeof(expect));

	cr_assert_eq(cry_hkdf(alg, s, sl, k, kl, i, il, out, ol), 0);
	cr_assert_arr_eq(out, expect, ol);
}

Test(crypto, rfc5869_a1_hkdf_sha256)
{
	check_hkdf(CRY_HKDF_SHA256, "000102030405060708090a0b0c",
		   "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "f0f1f2f3f4f5f6f7f8f9",
		   "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		   "34007208d5b887185865");
}

Test(crypto, rfc5869_a3_hkdf_sha256_empty_salt_and_info)
{
	check_hkdf(CRY_HKDF_SHA256, "", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "",
		   "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		   "9d201395faa4b61a96c8");
}

/* RFC 5869 A.1 in two steps, as EDHOC uses it: the PRK of the extract step, then the OKM. */
Test(crypto, rfc5869_a1_extract_then_expand)
{
	uint8_t s[16], k[32], i[16], prk[32], expect[64], out[64];
	size_t sl = tc_hex("000102030405060708090a0b0c", s, sizeof(s));
	size_t kl = tc_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", k, sizeof(k));
	size_t il = tc_hex("f0f1f2f3f4f5f6f7f8f9", i, sizeof(i));

	cr_assert_eq(cry_hkdf_hash_len(CRY_HKDF_SHA256), 32);
	cr_assert_eq(cry_hkdf_extract(CRY_HKDF_SHA256, s, sl, k, kl, prk), 0);
	tc_hex("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", expect, 32);
	cr_assert_arr_eq(prk, expect, 32);
	cr_assert_eq(cry_hkdf_expand(CRY_HKDF_SHA256, prk, 32, i, il, out, 42), 0);
	tc_hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
	       "34007208d5b887185865", expect, 42);
	cr_assert_arr_eq(out, expect, 42);
	cr_assert_eq(cry_hkdf_expand(CRY_HKDF_SHA256, prk, 16, i, il, out, 42), -EINVAL);
	cr_assert_eq(cry_hkdf_expand(CRY_HKDF_SHA256, prk, 32, i, il, out, 255 * 32 + 1), -EINVAL);
}

/* RFC 8613 C.1.1: the client's Sender Key from the Master Secret and Master Salt. */
Test(crypto, rfc8613_c1_1_hkdf_sender_key)
{
	check_hkdf(CRY_HKDF_SHA256, "9e7ca92223786340", "0102030405060708090a0b0c0d0e0f10",
		   "8540f60a634b657910", "f0910ed7295e6ad4b54fc793154302ff");
}

/* SHA-512 differs from SHA-256 and, like it, is a prefix-stable expansion (T(1) || T(2)...). */
Test(crypto, hkdf_sha512_prefix_stable_and_distinct)
{
	const uint8_t ikm[16] = { 1, 2, 3 }, salt[8] = { 9 };
	uint8_t a[100], b[40], c[40];

	cr_assert_eq(cry_hkdf(CRY_HKDF_SHA512, salt, 8, ikm, 16, NULL, 0, a, sizeof(a)), 0);
	cr_assert_eq(cry_hkdf(CRY_HKDF_SHA512, salt, 8, ikm, 16, NULL, 0, b, sizeof(b)), 0);
	cr_assert_eq(cry_hkdf(CRY_HKDF_SHA256, salt, 8, ikm, 16, NULL, 0, c, sizeof(c)), 0);
	cr_assert_arr_eq(a, b, sizeof(b));
	cr_assert_arr_neq(b, c, sizeof(c));
}

Test(crypto, hkdf_rejects_unknown_alg_and_overlong_output)
{
	static uint8_t out[255 * 64 + 1];
	const uint8_t ikm[16] = { 0 };

	cr_assert_eq(cry_hkdf(5, NULL, 0, ikm, 16, NULL, 0, out, 16), -EINVAL);
	cr_assert_eq(cry_hkdf(CRY_HKDF_SHA256, NULL, 0, ikm, 16, NULL, 0, out, 255 * 32 + 1),
		     -EINVAL);
	cr_assert_eq(cry_hkdf(CRY_HKDF_SHA256, NULL, 0, ikm, 16, NULL, 0, out, 255 * 32), 0);
	cr_assert_eq(cry_hkdf(CRY_HKDF_SHA512, NULL, 0, ikm, 16, NULL, 0, out, 255 * 64), 0);
	cr_assert_eq(cry_hkdf(CRY_HKDF_SHA512, NULL, 0, ikm, 16, NULL, 0, out, sizeof(out)),
		     -EINVAL);
}

Test(crypto, hkdf_names_and_support)
{
	cr_assert_eq(cry_hkdf_by_name("HKDF-SHA-256"), CRY_HKDF_SHA256);
	cr_assert_eq(cry_hkdf_by_name("hkdf-sha-512"), CRY_HKDF_SHA512);
	cr_assert_eq(cry_hkdf_by_name("direct+HKDF-SHA-256"), CRY_HKDF_SHA256);
	cr_assert_eq(cry_hkdf_by_name("HKDF-SHA-384"), 0);
	cr_assert_eq(cry_hkdf_by_name(NULL), 0);
	cr_assert(cry_hkdf_supported(CRY_HKDF_SHA256));
	cr_assert(cry_hkdf_supported(CRY_HKDF_SHA512));
	cr_assert_not(cry_hkdf_supported(-12));
}

/* RFC 9053 Tables 9, 11 and 17: key, nonce and tag sizes of every OSCORE AEAD. */
Test(crypto, alg_table_matches_rfc9053)
{
	static const struct cry_alg expect[] = {
		{ 1, "A128GCM", CRY_KIND_GCM, 16, 12, 16 },
		{ 2, "A192GCM", CRY_KIND_GCM, 24, 12, 16 },
		{ 3, "A256GCM", CRY_KIND_GCM, 32, 12, 16 },
		{ 10, "AES-CCM-16-64-128", CRY_KIND_CCM, 16, 13, 8 },
		{ 11, "AES-CCM-16-64-256", CRY_KIND_CCM, 32, 13, 8 },
		{ 12, "AES-CCM-64-64-128", CRY_KIND_CCM, 16, 7, 8 },
		{ 13, "AES-CCM-64-64-256", CRY_KIND_CCM, 32, 7, 8 },
		{ 24, "ChaCha20/Poly1305", CRY_KIND_CHACHAPOLY, 32, 12, 16 },
		{ 30, "AES-CCM-16-128-128", CRY_KIND_CCM, 16, 13, 16 },
		{ 31, "AES-CCM-16-128-256", CRY_KIND_CCM, 32, 13, 16 },
		{ 32, "AES-CCM-64-128-128", CRY_KIND_CCM, 16, 7, 16 },
		{ 33, "AES-CCM-64-128-256", CRY_KIND_CCM, 32, 7, 16 },
	};

	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const struct cry_alg *a = cry_alg_by_cose(expect[i].cose);

		cr_assert_not_null(a, "cose %d", expect[i].cose);
		cr_assert_str_eq(a->name, expect[i].name);
		cr_assert_eq(a->kind, expect[i].kind);
		cr_assert_eq(a->key_len, expect[i].key_len);
		cr_assert_eq(a->nonce_len, expect[i].nonce_len);
		cr_assert_eq(a->tag_len, expect[i].tag_len);
		cr_assert_eq(cry_alg_by_name(expect[i].name), a);
	}
}

Test(crypto, alg_lookup_case_insensitive_and_rejects_unknown)
{
	cr_assert_eq(cry_alg_by_name("aes-ccm-16-64-128"), cry_alg_by_cose(10));
	cr_assert_eq(cry_alg_by_name("a256gcm"), cry_alg_by_cose(3));
	cr_assert_eq(cry_alg_by_name("CHACHA20/POLY1305"), cry_alg_by_cose(24));
	cr_assert_null(cry_alg_by_name("AES-CCM-16-64"));
	cr_assert_null(cry_alg_by_name(NULL));
	cr_assert_null(cry_alg_by_cose(0));
	cr_assert_null(cry_alg_by_cose(-7)); /* ES256: a signature, not an AEAD */
	cr_assert_null(cry_alg_by_cose(25));
}
