/* SPDX-License-Identifier: BSD-3-Clause */
/* cry_sig: known answers for Ed25519 (RFC 8032), X25519 (RFC 7748, RFC 9529 trace 1), P-256 ECDH
 * (RFC 9529 trace 2) and ES256 (RFC 8392 A.3 key), plus the refusals a caller relies on. */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "crypto/cry_sig.h"
#include "tc.h"

static struct cry_pkey *okp(int crv, const char *x_hex, const char *d_hex)
{
	uint8_t x[32], d[32];
	struct cry_coords c = { .crv = crv };
	struct cry_pkey *k = NULL;

	if (x_hex != NULL) {
		c.x = x;
		c.x_len = tc_hex(x_hex, x, sizeof(x));
	}
	if (d_hex != NULL) {
		c.d = d;
		c.d_len = tc_hex(d_hex, d, sizeof(d));
	}
	cr_assert_eq(cry_pkey_from_coords(&k, &c), 0);
	return k;
}

static int ec2(struct cry_pkey **k, const char *x_hex, const char *y_hex, const char *d_hex)
{
	uint8_t x[32], y[32], d[32];
	struct cry_coords c = { .crv = CRY_CRV_P256 };

	if (x_hex != NULL) {
		c.x = x;
		c.x_len = tc_hex(x_hex, x, sizeof(x));
	}
	if (y_hex != NULL) {
		c.y = y;
		c.y_len = tc_hex(y_hex, y, sizeof(y));
	}
	if (d_hex != NULL) {
		c.d = d;
		c.d_len = tc_hex(d_hex, d, sizeof(d));
	}
	return cry_pkey_from_coords(k, &c);
}

static void expect_hex(const uint8_t *got, const char *hex)
{
	uint8_t want[128];
	size_t n = tc_hex(hex, want, sizeof(want));

	cr_assert_arr_eq(got, want, n);
}

/* RFC 8032 §7.1 TEST 1: empty message. */
#define ED_D "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define ED_X "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define ED_SIG                                                                                 \
	"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970" \
	"1cf9b46bd25bf5f0595bbe24655141438e7a100b"

Test(sig, rfc8032_test1_sign_and_verify)
{
	struct cry_pkey *priv = okp(CRY_CRV_ED25519, NULL, ED_D);
	struct cry_pkey *pub = okp(CRY_CRV_ED25519, ED_X, NULL);
	uint8_t sig[64], x[32];

	cr_assert_eq(cry_sign(priv, CRY_SIG_EDDSA, NULL, 0, sig), 0);
	expect_hex(sig, ED_SIG);
	cr_assert_eq(cry_pkey_export_public(priv, x, NULL), 0);
	expect_hex(x, ED_X);
	cr_assert_eq(cry_verify(pub, CRY_SIG_EDDSA, NULL, 0, sig, 64), 0);
	sig[63] ^= 0x01;
	cr_assert_eq(cry_verify(pub, CRY_SIG_EDDSA, NULL, 0, sig, 64), -EBADMSG);
	cr_assert_eq(cry_verify(pub, CRY_SIG_EDDSA, NULL, 0, sig, 63), -EBADMSG);
	cr_assert_not(cry_pkey_has_private(pub));
	cr_assert_eq(cry_sign(pub, CRY_SIG_EDDSA, NULL, 0, sig), -EINVAL);
	cr_assert_eq(cry_verify(pub, CRY_SIG_ES256, NULL, 0, sig, 64), -EINVAL);
	cry_pkey_free(priv);
	cry_pkey_free(pub);
}

Test(sig, okp_private_with_wrong_public_refused)
{
	uint8_t x[32], d[32];
	struct cry_coords c = { .crv = CRY_CRV_ED25519, .x = x, .x_len = 32, .d = d, .d_len = 32 };
	struct cry_pkey *k = (struct cry_pkey *)&c; /* must be reset to NULL */

	tc_hex(ED_X, x, 32);
	tc_hex(ED_D, d, 32);
	x[0] ^= 1;
	cr_assert_eq(cry_pkey_from_coords(&k, &c), -EINVAL);
	cr_assert_null(k);
	x[0] ^= 1;
	cr_assert_eq(cry_pkey_from_coords(&k, &c), 0);
	cry_pkey_free(k);
	c.x_len = 31;
	cr_assert_eq(cry_pkey_from_coords(&k, &c), -EINVAL);
}

/* RFC 7748 §6.1: Alice and Bob. */
Test(sig, rfc7748_x25519_alice_bob)
{
	struct cry_pkey *a = okp(CRY_CRV_X25519, NULL,
				 "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
	struct cry_pkey *b = okp(CRY_CRV_X25519, NULL,
				 "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
	uint8_t s1[32], s2[32], x[32];
	const char *k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

	cr_assert_eq(cry_pkey_export_public(a, x, NULL), 0);
	expect_hex(x, "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
	cr_assert_eq(cry_pkey_export_public(b, x, NULL), 0);
	expect_hex(x, "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
	cr_assert_eq(cry_ecdh(a, b, s1), 0);
	cr_assert_eq(cry_ecdh(b, a, s2), 0);
	expect_hex(s1, k);
	expect_hex(s2, k);
	cry_pkey_free(a);
	cry_pkey_free(b);
}

/* RFC 9529 trace 1: X with the peer's public G_Y (given as coordinates, as EDHOC receives it). */
Test(sig, rfc9529_trace1_g_xy)
{
	struct cry_pkey *x = okp(CRY_CRV_X25519, NULL,
				 "892ec28e5cb6669108470539500b705e60d008d347c5817ee9f3327c8a87bb03");
	struct cry_pkey *gy = okp(CRY_CRV_X25519,
				  "dc88d2d51da5ed67fc4616356bc8ca74ef9ebe8b387e623a360ba480b9b29d1c",
				  NULL);
	uint8_t s[32];

	cr_assert_eq(cry_ecdh(x, gy, s), 0);
	expect_hex(s, "e5cdf3a986cdac5b7bf04691e2b07c08e71f53998d8f842b7c3fb4d839cf7b28");
	cr_assert_eq(cry_ecdh(gy, x, s), -EINVAL); /* the public one cannot be "own" */
	cry_pkey_free(x);
	cry_pkey_free(gy);
}

Test(sig, x25519_low_order_peer_refused)
{
	/* u = 0 is a low-order point: the shared secret would be all zero (RFC 7748 §6.1). */
	struct cry_pkey *own, *peer = okp(CRY_CRV_X25519, "00000000000000000000000000000000"
							  "00000000000000000000000000000000", NULL);
	uint8_t s[32];

	cr_assert_eq(cry_pkey_generate(&own, CRY_CRV_X25519), 0);
	memset(s, 0xaa, sizeof(s));
	cr_assert_eq(cry_ecdh(own, peer, s), -EINVAL);
	for (int i = 0; i < 32; i++)
		cr_assert_eq(s[i], 0);
	cry_pkey_free(own);
	cry_pkey_free(peer);
}

/* RFC 9529 trace 2 (P-256): G_XY from X and G_Y, with G_Y given full and as x alone. */
#define T2_X "368ec1f69aeb659ba37d5a8d45b21bdc0299dceaa8ef235f3ca42ce3530f9525"
#define T2_GX "8af6f430ebe18d34184017a9a11bf511c8dff8f834730b96c1b7c8dbca2fc3b6"
#define T2_GX_Y "51e8af6c6edb781601ad1d9c5fa8bf7aa15716c7c06a5d038503c614ff80c9b3"
#define T2_Y "e2f4126777205e853b437d6eaca1e1f753cdcc3e2c69fa884b0a1a640977e418"
#define T2_GY "419701d7f00a26c2dc587a36dd752549f33763c893422c8ea0f955a13a4ff5d5"
#define T2_GY_Y "5e4f0dd8a3da0baa16b9d3ad56a0c1860a940af85914915e25019b402417e99d"
#define T2_GXY "2f0cb7e860ba538fbf5c8bded009f6259b4b628fe1eb7dbe9378e5ecf7a824ba"

Test(sig, rfc9529_trace2_p256_g_xy)
{
	struct cry_pkey *x, *y, *gy, *gy_compact;
	uint8_t s[32], px[32], py[32];
	uint8_t gxc[32];
	struct cry_coords c = { .crv = CRY_CRV_P256, .x = gxc, .x_len = 32 };

	cr_assert_eq(ec2(&x, NULL, NULL, T2_X), 0);
	cr_assert_eq(ec2(&y, T2_GY, T2_GY_Y, T2_Y), 0);
	cr_assert_eq(ec2(&gy, T2_GY, T2_GY_Y, NULL), 0);
	cr_assert_eq(cry_pkey_export_public(x, px, py), 0);
	expect_hex(px, T2_GX);
	expect_hex(py, T2_GX_Y);
	cr_assert_eq(cry_ecdh(x, gy, s), 0);
	expect_hex(s, T2_GXY);
	/* EDHOC sends only x (RFC 9528 §3.7): either parity gives the same shared secret. */
	tc_hex(T2_GY, gxc, 32);
	for (int sign = 0; sign < 2; sign++) {
		c.y_sign = sign;
		cr_assert_eq(cry_pkey_from_coords(&gy_compact, &c), 0);
		cr_assert_eq(cry_ecdh(x, gy_compact, s), 0);
		expect_hex(s, T2_GXY);
		cry_pkey_free(gy_compact);
	}
	/* and the other side, from the full G_X */
	cry_pkey_free(gy);
	cr_assert_eq(ec2(&gy, T2_GX, T2_GX_Y, NULL), 0);
	cr_assert_eq(cry_ecdh(y, gy, s), 0);
	expect_hex(s, T2_GXY);
	cry_pkey_free(x);
	cry_pkey_free(y);
	cry_pkey_free(gy);
}

Test(sig, p256_bad_points_and_scalars_refused)
{
	struct cry_pkey *k = NULL;
	/* y of another point: not on the curve together with this x */
	cr_assert_eq(ec2(&k, T2_GY, T2_GX_Y, NULL), -EINVAL);
	cr_assert_null(k);
	/* d = 0 and d = n are out of range */
	cr_assert_eq(ec2(&k, NULL, NULL,
			 "0000000000000000000000000000000000000000000000000000000000000000"),
		     -EINVAL);
	cr_assert_eq(ec2(&k, NULL, NULL,
			 "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
		     -EINVAL);
	/* d with someone else's public key */
	cr_assert_eq(ec2(&k, T2_GY, T2_GY_Y, T2_X), -EINVAL);
	/* y without x, y on an OKP curve */
	cr_assert_eq(ec2(&k, NULL, T2_GY_Y, T2_X), -EINVAL);
}

/* The RFC 8392 A.2.3 key, and the A.3 signature over its Sig_structure (RFC 9052 §4.4). */
#define A_D "6c1382765aec5358f117733d281c1c7bdc39884d04a45a1e6c67c858bc206c19"
#define A_X "143329cce7868e416927599cf65a34f3ce2ffda55a7eca69ed8919a394d42f0f"
#define A_Y "60f7f1a780d8a783bfb7a2dd6b2796e8128dbbcef9d3d168db9529971a36e7b9"
#define A3_TBS                                                                                 \
	"846a5369676e61747572653143a10126405850a70175636f61703a2f2f61732e6578616d706c652e636f6d02" \
	"656572696b77037818636f61703a2f2f6c696768742e6578616d706c652e636f6d041a5612aeb0051a5610d9" \
	"f0061a5610d9f007420b71"
#define A3_SIG                                                                                 \
	"5427c1ff28d23fbad1f29c4c7c6a555e601d6fa29f9179bc3d7438bacaca5acd08c8d4d4f96131680c429a01" \
	"f85951ecee743a52b9b63632c57209120e1c9e30"

Test(sig, es256_rfc8392_a3_verifies_and_roundtrips)
{
	struct cry_pkey *pub, *priv;
	uint8_t tbs[200], sig[64];
	size_t n = tc_hex(A3_TBS, tbs, sizeof(tbs));

	cr_assert_eq(ec2(&pub, A_X, A_Y, NULL), 0);
	cr_assert_eq(ec2(&priv, A_X, A_Y, A_D), 0);
	tc_hex(A3_SIG, sig, sizeof(sig));
	cr_assert_eq(cry_verify(pub, CRY_SIG_ES256, tbs, n, sig, 64), 0);
	tbs[n - 1] ^= 0x01;
	cr_assert_eq(cry_verify(pub, CRY_SIG_ES256, tbs, n, sig, 64), -EBADMSG);
	tbs[n - 1] ^= 0x01;
	/* ECDSA is randomised: a fresh signature differs but verifies */
	cr_assert_eq(cry_sign(priv, CRY_SIG_ES256, tbs, n, sig), 0);
	cr_assert_eq(cry_verify(pub, CRY_SIG_ES256, tbs, n, sig, 64), 0);
	/* r = 0 is not a signature */
	memset(sig, 0, 32);
	cr_assert_eq(cry_verify(pub, CRY_SIG_ES256, tbs, n, sig, 64), -EBADMSG);
	cr_assert_eq(cry_sign(priv, CRY_SIG_EDDSA, tbs, n, sig), -EINVAL);
	cry_pkey_free(pub);
	cry_pkey_free(priv);
}

Test(sig, generated_keys_sign_verify_and_agree)
{
	static const int crvs[] = { CRY_CRV_P256, CRY_CRV_ED25519, CRY_CRV_X25519 };
	const uint8_t msg[] = "oscore-gw";

	for (size_t i = 0; i < sizeof(crvs) / sizeof(crvs[0]); i++) {
		struct cry_pkey *a, *b, *pa;
		uint8_t x[32], y[32], s1[32], s2[32], sig[64];
		struct cry_coords c = { .crv = crvs[i], .x = x, .x_len = 32 };

		cr_assert_eq(cry_pkey_generate(&a, crvs[i]), 0);
		cr_assert_eq(cry_pkey_generate(&b, crvs[i]), 0);
		cr_assert_eq(cry_pkey_crv(a), crvs[i]);
		cr_assert_eq(cry_pkey_export_public(a, x, y), 0);
		if (crvs[i] == CRY_CRV_P256) {
			c.y = y;
			c.y_len = 32;
		}
		cr_assert_eq(cry_pkey_from_coords(&pa, &c), 0);
		if (crvs[i] == CRY_CRV_X25519) {
			cr_assert_eq(cry_ecdh(a, b, s1), 0);
			cr_assert_eq(cry_ecdh(b, pa, s2), 0);
			cr_assert_arr_eq(s1, s2, 32);
		} else {
			int alg = crvs[i] == CRY_CRV_P256 ? CRY_SIG_ES256 : CRY_SIG_EDDSA;

			cr_assert_eq(cry_sign(a, alg, msg, sizeof(msg), sig), 0);
			cr_assert_eq(cry_verify(pa, alg, msg, sizeof(msg), sig, 64), 0);
			cr_assert_eq(cry_verify(b, alg, msg, sizeof(msg), sig, 64), -EBADMSG);
		}
		cry_pkey_free(a);
		cry_pkey_free(b);
		cry_pkey_free(pa);
	}
}
