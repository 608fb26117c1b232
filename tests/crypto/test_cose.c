/* SPDX-License-Identifier: BSD-3-Clause */
/* cry_cose: every RFC 8392 Appendix A message verified, refused after any one-byte change, and
 * rebuilt byte for byte where the algorithm is deterministic; header rules; COSE_Key. */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "crypto/cry_aead.h"
#include "crypto/cry_cose.h"
#include "tc.h"

/* RFC 8392 A.1 claims set and A.2 keys */
#define A1 "a70175636f61703a2f2f61732e6578616d706c652e636f6d02656572696b77037818636f61703a2f2f6c" \
	   "696768742e6578616d706c652e636f6d041a5612aeb0051a5610d9f0061a5610d9f007420b71"
#define K128 "231f4c4d4d3051fdc2ec0a3851d5b383"
#define K256 "403697de87af64611c1d32a05dab0fe1fcb715a86ab435f1ec99192d79569388"
#define EC_X "143329cce7868e416927599cf65a34f3ce2ffda55a7eca69ed8919a394d42f0f"
#define EC_Y "60f7f1a780d8a783bfb7a2dd6b2796e8128dbbcef9d3d168db9529971a36e7b9"
#define EC_D "6c1382765aec5358f117733d281c1c7bdc39884d04a45a1e6c67c858bc206c19"

/* A.3 Sign1 ES256 */
#define A3 "d28443a10126a104524173796d6d657472696345434453413235365850" A1                       \
	   "58405427c1ff28d23fbad1f29c4c7c6a555e601d6fa29f9179bc3d7438bacaca5acd08c8d4d4f9613168" \
	   "0c429a01f85951ecee743a52b9b63632c57209120e1c9e30"
/* A.4 Mac0 HMAC 256/64 inside the CWT tag */
#define A4 "d83dd18443a10104a1044c53796d6d65747269633235365850" A1 "48093101ef6d789200"
/* A.5 Encrypt0 AES-CCM-16-64-128 */
#define A5_IV "99a0d7846e762c49ffe8a63e0b"
#define A5 "d08343a1010aa2044c53796d6d6574726963313238054d" A5_IV                                \
	   "5858b918a11fd81e438b7f973d9e2e119bcb22424ba0f38a80f27562f400ee1d0d6c0fdb559c02421fd3" \
	   "84fc2ebe22d7071378b0ea7428fff157444d45f7e6afcda1aae5f6495830c58627087fc5b4974f319a87" \
	   "07a635dd643b"

static uint8_t a1[128];
static size_t a1_len;

static struct cry_pkey *ec_key(bool priv)
{
	uint8_t x[32], y[32], d[32];
	struct cry_coords c = { .crv = CRY_CRV_P256, .x = x, .x_len = 32, .y = y, .y_len = 32 };
	struct cry_pkey *k;

	tc_hex(EC_X, x, 32);
	tc_hex(EC_Y, y, 32);
	tc_hex(EC_D, d, 32);
	if (priv) {
		c.d = d;
		c.d_len = 32;
	}
	cr_assert_eq(cry_pkey_from_coords(&k, &c), 0);
	return k;
}

/*
 * Accept a token the way a resource server would: decode, the kid must be the expected one
 * (the unprotected bucket is not authenticated; the kid chooses the key), then verify/decrypt.
 * Returns 0 only if everything holds and the content is the A.1 claims set.
 */
static int accept_token(const uint8_t *tok, size_t len, int type, const char *kid)
{
	struct cry_cose_msg m;
	uint8_t key[32], pt[256];
	size_t klen, n = 0;
	struct cry_pkey *pk = NULL;
	int rc = cry_cose_decode(&m, tok, len,
				 CRY_COSE_ACCEPT(type) | CRY_COSE_ACCEPT_CWT_TAG,
				 &cry_cbor_limits_default);

	if (rc != 0)
		return rc;
	if (m.kid_len != strlen(kid) || memcmp(m.kid, kid, m.kid_len) != 0) {
		rc = -ENOKEY;
	} else if (type == CRY_COSE_ENCRYPT0) {
		klen = tc_hex(K128, key, sizeof(key));
		rc = cry_cose_encrypt0_open(&m, key, klen, NULL, 0, pt, sizeof(pt), &n);
		if (rc == 0 && (n != a1_len || memcmp(pt, a1, n) != 0))
			rc = -EPROTO;
	} else if (type == CRY_COSE_MAC0) {
		klen = tc_hex(K256, key, sizeof(key));
		rc = cry_cose_mac0_verify(&m, key, klen, NULL, 0);
	} else {
		pk = ec_key(false);
		rc = cry_cose_sign1_verify(&m, pk, NULL, 0);
	}
	if (rc == 0 && type != CRY_COSE_ENCRYPT0 &&
	    (m.content_len != a1_len || memcmp(m.content, a1, a1_len) != 0))
		rc = -EPROTO;
	cry_pkey_free(pk);
	cry_cose_msg_free(&m);
	return rc;
}

/* The vector verifies; then every single-bit change in every byte (bit 0 and bit 7) is refused. */
static void vector_and_every_byte(const char *hex, int type, const char *kid)
{
	uint8_t tok[400];
	size_t len = tc_hex(hex, tok, sizeof(tok));

	a1_len = tc_hex(A1, a1, sizeof(a1));
	cr_assert_eq(accept_token(tok, len, type, kid), 0);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			tok[i] ^= (uint8_t)(1u << bit);
			cr_assert_neq(accept_token(tok, len, type, kid), 0, "byte %zu bit %d", i,
				      bit);
			tok[i] ^= (uint8_t)(1u << bit);
		}
	}
	/* and a byte less or more */
	cr_assert_neq(accept_token(tok, len - 1, type, kid), 0);
	tok[len] = 0;
	cr_assert_neq(accept_token(tok, len + 1, type, kid), 0);
}

Test(cose, rfc8392_a3_sign1_es256)
{
	vector_and_every_byte(A3, CRY_COSE_SIGN1, "AsymmetricECDSA256");
}

Test(cose, rfc8392_a4_mac0_hmac256_64_in_cwt_tag)
{
	vector_and_every_byte(A4, CRY_COSE_MAC0, "Symmetric256");
}

Test(cose, rfc8392_a5_encrypt0_aes_ccm_16_64_128)
{
	vector_and_every_byte(A5, CRY_COSE_ENCRYPT0, "Symmetric128");
}

Test(cose, rfc8392_a4_a5_rebuilt_byte_for_byte)
{
	uint8_t want[400], got[400], key[32], iv[13];
	size_t wl, kl;
	int n;
	struct cry_cose_params p = { .alg = CRY_COSE_HMAC256_64, .kid = (const uint8_t *)"Symmetric256",
				     .kid_len = 12, .tagged = true };

	a1_len = tc_hex(A1, a1, sizeof(a1));
	wl = tc_hex(A4, want, sizeof(want));
	kl = tc_hex(K256, key, sizeof(key));
	n = cry_cose_mac0_create(&p, key, kl, a1, a1_len, got, sizeof(got));
	cr_assert_eq((size_t)n, wl - 2); /* A.4 adds the CWT tag d83d around it */
	cr_assert_arr_eq(got, want + 2, wl - 2);

	wl = tc_hex(A5, want, sizeof(want));
	kl = tc_hex(K128, key, sizeof(key));
	tc_hex(A5_IV, iv, sizeof(iv));
	p = (struct cry_cose_params){ .alg = CRY_AES_CCM_16_64_128,
				      .kid = (const uint8_t *)"Symmetric128", .kid_len = 12,
				      .iv = iv, .iv_len = 13, .tagged = true };
	n = cry_cose_encrypt0_seal(&p, key, kl, a1, a1_len, got, sizeof(got));
	cr_assert_eq((size_t)n, wl);
	cr_assert_arr_eq(got, want, wl);
	/* too small an output buffer is reported, not overrun */
	cr_assert_eq(cry_cose_encrypt0_seal(&p, key, kl, a1, a1_len, got, wl - 1), -ENOSPC);
}

Test(cose, sign1_es256_and_eddsa_roundtrip_untagged_with_external_aad)
{
	uint8_t msg[300];
	const uint8_t ext[] = { 0xaa, 0xbb };
	struct cry_pkey *keys[2] = { ec_key(true), NULL };
	const int algs[2] = { CRY_SIG_ES256, CRY_SIG_EDDSA };

	cr_assert_eq(cry_pkey_generate(&keys[1], CRY_CRV_ED25519), 0);
	for (int i = 0; i < 2; i++) {
		struct cry_cose_params p = { .alg = algs[i], .ext_aad = ext, .ext_len = 2 };
		struct cry_cose_msg m;
		int n = cry_cose_sign1_create(&p, keys[i], (const uint8_t *)"hi", 2, msg,
					      sizeof(msg));

		cr_assert_gt(n, 0);
		cr_assert_eq(msg[0], 0x84); /* untagged */
		cr_assert_eq(cry_cose_decode(&m, msg, (size_t)n, CRY_COSE_ACCEPT(CRY_COSE_SIGN1),
					     &cry_cbor_limits_default), 0);
		cr_assert_eq(m.alg, algs[i]);
		cr_assert_eq(cry_cose_sign1_verify(&m, keys[i], ext, 2), 0);
		cr_assert_eq(cry_cose_sign1_verify(&m, keys[i], ext, 1), -EACCES);
		cr_assert_eq(cry_cose_sign1_verify(&m, keys[1 - i], ext, 2), -EINVAL);
		cry_cose_msg_free(&m);
	}
	cry_pkey_free(keys[0]);
	cry_pkey_free(keys[1]);
}

Test(cose, encrypt0_gcm_and_ccm128_mac0_256_roundtrip)
{
	static const int aeads[] = { CRY_A128GCM, CRY_AES_CCM_16_128_128, CRY_AES_CCM_16_64_128 };
	uint8_t key[32] = { 1, 2, 3 }, iv[13] = { 9 }, out[200], pt[64];
	size_t n;

	for (size_t i = 0; i < 3; i++) {
		const struct cry_alg *alg = cry_alg_by_cose(aeads[i]);
		struct cry_cose_params p = { .alg = aeads[i], .iv = iv, .iv_len = alg->nonce_len };
		struct cry_cose_msg m;
		int len = cry_cose_encrypt0_seal(&p, key, alg->key_len, (const uint8_t *)"secret",
						 6, out, sizeof(out));

		cr_assert_gt(len, 0);
		cr_assert_eq(cry_cose_decode(&m, out, (size_t)len, CRY_COSE_ACCEPT(CRY_COSE_ENCRYPT0),
					     &cry_cbor_limits_default), 0);
		cr_assert_eq(m.content_len, 6 + alg->tag_len);
		cr_assert_eq(cry_cose_encrypt0_open(&m, key, alg->key_len, NULL, 0, pt, sizeof(pt),
						    &n), 0);
		cr_assert_eq(n, 6);
		cr_assert_arr_eq(pt, "secret", 6);
		key[0] ^= 1;
		cr_assert_eq(cry_cose_encrypt0_open(&m, key, alg->key_len, NULL, 0, pt, sizeof(pt),
						    &n), -EACCES);
		key[0] ^= 1;
		cr_assert_eq(cry_cose_encrypt0_open(&m, key, alg->key_len, NULL, 0, pt, 5, &n),
			     -ENOSPC);
		cr_assert_eq(cry_cose_encrypt0_open(&m, key, alg->key_len - 1, NULL, 0, pt,
						    sizeof(pt), &n), -EINVAL);
		cry_cose_msg_free(&m);
	}
	struct cry_cose_params p = { .alg = CRY_COSE_HMAC256_256, .tagged = true };
	struct cry_cose_msg m;
	int len = cry_cose_mac0_create(&p, key, 32, (const uint8_t *)"x", 1, out, sizeof(out));

	cr_assert_gt(len, 0);
	cr_assert_eq(cry_cose_decode(&m, out, (size_t)len, CRY_COSE_ACCEPT(CRY_COSE_MAC0),
				     &cry_cbor_limits_default), 0);
	cr_assert_eq(m.tag_len, 32);
	cr_assert_eq(cry_cose_mac0_verify(&m, key, 32, NULL, 0), 0);
	cr_assert_eq(cry_cose_mac0_verify(&m, key, 32, (const uint8_t *)"x", 1), -EACCES);
	key[31] ^= 1;
	cr_assert_eq(cry_cose_mac0_verify(&m, key, 32, NULL, 0), -EACCES);
	cry_cose_msg_free(&m);
}

static int dec(const char *hex, unsigned accept)
{
	uint8_t b[200];
	size_t n = tc_hex(hex, b, sizeof(b));
	struct cry_cose_msg m;
	int rc = cry_cose_decode(&m, b, n, accept, &cry_cbor_limits_default);

	cry_cose_msg_free(&m);
	return rc;
}

Test(cose, header_and_shape_rules)
{
	unsigned mac = CRY_COSE_ACCEPT(CRY_COSE_MAC0), enc = CRY_COSE_ACCEPT(CRY_COSE_ENCRYPT0);
	unsigned both = mac | CRY_COSE_ACCEPT(CRY_COSE_SIGN1);

	/* a minimal untagged Mac0: [h'A10105', {}, h'', h'0001..'] */
	cr_assert_eq(dec("8443a10105a0404100", mac), 0);
	cr_assert_eq(dec("d18443a10105a0404100", mac), 0);
	/* 4 elements untagged while Mac0 and Sign1 are both acceptable: cannot tell */
	cr_assert_eq(dec("8443a10105a0404100", both), -EBADMSG);
	/* the tag says Sign1, only Mac0 accepted */
	cr_assert_eq(dec("d28443a10105a0404100", mac), -EBADMSG);
	/* CWT tag only when asked for */
	cr_assert_eq(dec("d83dd18443a10105a0404100", mac), -EBADMSG);
	cr_assert_eq(dec("d83dd18443a10105a0404100", mac | CRY_COSE_ACCEPT_CWT_TAG), 0);
	/* alg in both buckets */
	cr_assert_eq(dec("8443a10105a10105404100", mac), -EBADMSG);
	/* protected bucket holding an array, and not a bstr */
	cr_assert_eq(dec("844180a0404100", mac), -EBADMSG);
	cr_assert_eq(dec("84a10105a0404100", mac), -EBADMSG);
	/* 3 elements untagged is Encrypt0, when Encrypt0 is accepted */
	cr_assert_eq(dec("8343a1010aa040", enc), 0);
	cr_assert_eq(dec("8343a1010aa040", mac), -EBADMSG);
	cr_assert_eq(dec("8443a1010aa0404100", enc), -EBADMSG);
	/* empty protected bucket is fine */
	cr_assert_eq(dec("8440a0404100", mac), 0);
	/* detached payload */
	cr_assert_eq(dec("8443a10105a0f64100", mac), -ENOTSUP);
}

Test(cose, crit_rules)
{
	unsigned mac = CRY_COSE_ACCEPT(CRY_COSE_MAC0);

	/* protected {1: 5, 2: [4]}: kid is a header this layer processes */
	cr_assert_eq(dec("8446a20105028104a0404100", mac), 0);
	/* protected {1: 5, 2: [99]}: an unknown critical header */
	cr_assert_eq(dec("8447a2010502811863a0404100", mac), -ENOTSUP);
	/* crit in the unprotected bucket, and crit as an empty array */
	cr_assert_eq(dec("8443a10105a1028104404100", mac), -EBADMSG);
	cr_assert_eq(dec("8445a201050280a0404100", mac), -EBADMSG);
}

/* The COSE_Key inside CRED_R of RFC 9529 trace 2: {1: 2, 2: h'32', -1: 1, -2: x, -3: y}. */
#define T2_KEY "a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046" \
	       "dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072"

static cbor_item_t *decode_hex(const char *hex)
{
	uint8_t b[256];
	size_t n = tc_hex(hex, b, sizeof(b));
	cbor_item_t *it;

	cr_assert_eq(cry_cbor_decode(b, n, &cry_cbor_limits_default, &it, NULL), 0);
	return it;
}

Test(cose, cose_key_ec2_read_use_write)
{
	cbor_item_t *it = decode_hex(T2_KEY);
	struct cry_cose_key k;
	struct cry_pkey *pk;
	uint8_t x[32], y[32], out[200], want[200];
	size_t wl = tc_hex(T2_KEY, want, sizeof(want));

	cr_assert_eq(cry_cose_key_read(it, &k), 0);
	cr_assert_eq(k.kty, CRY_KTY_EC2);
	cr_assert_eq(k.crv, CRY_CRV_P256);
	cr_assert_eq(k.kid_len, 1);
	cr_assert_eq(k.kid[0], 0x32);
	cr_assert_eq(cry_cose_key_pkey(&k, &pk), 0);
	cr_assert_eq(cry_pkey_export_public(pk, x, y), 0);
	cr_assert_arr_eq(x, k.x, 32);
	cr_assert_arr_eq(y, k.y, 32);
	cr_assert_eq(cry_cose_key_write(&k, out, sizeof(out)), (int)wl);
	cr_assert_arr_eq(out, want, wl);
	cr_assert_eq(cry_cose_key_write(&k, out, wl - 1), -ENOSPC);
	cry_pkey_free(pk);
	/* the same coordinates declared OKP: the curve does not belong to the key type */
	k.kty = CRY_KTY_OKP;
	cr_assert_eq(cry_cose_key_pkey(&k, &pk), -EINVAL);
	cr_assert_null(pk);
	cbor_decref(&it);
}

Test(cose, cose_key_symmetric_and_refusals)
{
	cbor_item_t *it = decode_hex("a30104024153204441424344"); /* {1:4, 2:h'53', -1:h'41424344'} */
	struct cry_cose_key k;
	uint8_t out[64];

	cr_assert_eq(cry_cose_key_read(it, &k), 0);
	cr_assert_eq(k.kty, CRY_KTY_SYMMETRIC);
	cr_assert_eq(k.k_len, 4);
	cr_assert_eq(cry_cose_key_write(&k, out, sizeof(out)), 12);
	cbor_decref(&it);
	it = decode_hex("a10300"); /* no kty at all (found by fuzz_ace_authz: a NULL dereference) */
	cr_assert_eq(cry_cose_key_read(it, &k), -EBADMSG);
	cbor_decref(&it);
	it = decode_hex("a10163454332"); /* kty "EC2" as text */
	cr_assert_eq(cry_cose_key_read(it, &k), -ENOTSUP);
	cbor_decref(&it);
	it = decode_hex("a30102200121582000000000000000000000000000000000"
			"00000000000000000000000000000000");
	cr_assert_eq(cry_cose_key_read(it, &k), -EBADMSG); /* EC2 with x, no y, no d */
	cbor_decref(&it);
}

/* RFC 8392 A.2.1-A.2.3: the example keys as COSE_Keys (labels in the RFC's order, not sorted). */
Test(cose, rfc8392_a2_cose_keys)
{
	static const char *a21 = "a42050231f4c4d4d3051fdc2ec0a3851d5b3830104024c53796d6d65747269"
				 "63313238030a";
	static const char *a22 = "a4205820403697de87af64611c1d32a05dab0fe1fcb715a86ab435f1ec99192d"
				 "795693880104024c53796d6d6574726963323536030a";
	static const char *a23 =
		"a72358206c1382765aec5358f117733d281c1c7bdc39884d04a45a1e6c67c858bc206c1922582060f7"
		"f1a780d8a783bfb7a2dd6b2796e8128dbbcef9d3d168db9529971a36e7b9215820143329cce7868e41"
		"6927599cf65a34f3ce2ffda55a7eca69ed8919a394d42f0f2001010202524173796d6d657472696345"
		"434453413235360326";
	cbor_item_t *it = decode_hex(a21);
	struct cry_cose_key k;
	struct cry_pkey *pk;
	uint8_t want[32], x[32], y[32];

	cr_assert_eq(cry_cose_key_read(it, &k), 0);
	cr_assert_eq(k.kty, CRY_KTY_SYMMETRIC);
	cr_assert_eq(k.alg, CRY_AES_CCM_16_64_128);
	cr_assert_eq(k.kid_len, 12);
	cr_assert_arr_eq(k.kid, "Symmetric128", 12);
	cr_assert_eq(k.k_len, tc_hex(K128, want, sizeof(want)));
	cr_assert_arr_eq(k.k, want, 16);
	cbor_decref(&it);
	it = decode_hex(a22);
	cr_assert_eq(cry_cose_key_read(it, &k), 0);
	cr_assert_eq(k.k_len, tc_hex(K256, want, sizeof(want)));
	cr_assert_arr_eq(k.k, want, 32);
	cbor_decref(&it);
	it = decode_hex(a23);
	cr_assert_eq(cry_cose_key_read(it, &k), 0);
	cr_assert_eq(k.kty, CRY_KTY_EC2);
	cr_assert_eq(k.alg, CRY_SIG_ES256);
	cr_assert_eq(k.crv, CRY_CRV_P256);
	cr_assert_eq(cry_cose_key_pkey(&k, &pk), 0); /* d checked against x and y */
	cr_assert(cry_pkey_has_private(pk));
	cr_assert_eq(cry_pkey_export_public(pk, x, y), 0);
	tc_hex(EC_X, want, 32);
	cr_assert_arr_eq(x, want, 32);
	cry_pkey_free(pk);
	cbor_decref(&it);
}

/* A float where a simple value (null, a bool) may stand: libcbor 0.8's cbor_is_null/cbor_is_bool
 * abort on it (found by fuzz_ace_authz in CI); refused with an error instead. */
Test(cose, float_where_null_or_bool_is_refused_not_aborted)
{
	const uint8_t sign1[] = { 0x84, 0x40, 0xa0, 0xf9, 0x3c, 0x00, 0x40 }; /* [h'', {}, 1.0, h''] */
	const uint8_t fuzz[] = { 0xc6, 0x84, 0x40, 0xa1, 0x05, 0x2a, 0xf9, 0xf9, 0xf9, 0xf9,
				 0x40, 0x40 };
	struct cry_cose_msg m;
	struct cry_cose_key k;
	cbor_item_t *it;

	cr_assert_eq(cry_cose_decode(&m, sign1, sizeof(sign1), CRY_COSE_ACCEPT(CRY_COSE_SIGN1),
				     &cry_cbor_limits_default), -EBADMSG);
	cry_cose_msg_free(&m);
	cr_assert_neq(cry_cose_decode(&m, fuzz, sizeof(fuzz), CRY_COSE_ACCEPT(CRY_COSE_SIGN1),
				      &cry_cbor_limits_default), 0);
	cry_cose_msg_free(&m);
	it = decode_hex("a40102200121410022f93c00"); /* EC2 with y = 1.0 */
	cr_assert_not_null(it);
	cr_assert_neq(cry_cose_key_read(it, &k), 0);
	cbor_decref(&it);
}
