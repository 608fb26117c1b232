/* SPDX-License-Identifier: BSD-3-Clause */
/* ES256, EdDSA and ECDH on OpenSSL 3 EVP_PKEY, keys from raw COSE coordinates (RFC 9053 §2, §7). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto/cry_aead.h"
#include "crypto/cry_sig.h"

struct cry_pkey {
	EVP_PKEY *pk;
	int crv;
	bool priv;
};

#define L CRY_SIG_COORD_LEN

static struct cry_pkey *wrap(EVP_PKEY *pk, int crv, bool priv)
{
	struct cry_pkey *k;

	if (pk == NULL)
		return NULL;
	k = malloc(sizeof(*k));
	if (k == NULL) {
		EVP_PKEY_free(pk);
		return NULL;
	}
	k->pk = pk;
	k->crv = crv;
	k->priv = priv;
	return k;
}

static int okp_type(int crv)
{
	return crv == CRY_CRV_X25519 ? EVP_PKEY_X25519 : EVP_PKEY_ED25519;
}

/* OKP (RFC 9053 §7.2): x and/or d, 32 bytes each; with both, x must be the public key of d. */
static int okp_from_coords(struct cry_pkey **out, const struct cry_coords *c)
{
	EVP_PKEY *pk;
	uint8_t x[L];
	size_t xl = L;

	if (c->d != NULL)
		pk = EVP_PKEY_new_raw_private_key(okp_type(c->crv), NULL, c->d, L);
	else
		pk = EVP_PKEY_new_raw_public_key(okp_type(c->crv), NULL, c->x, L);
	if (pk == NULL)
		return -EINVAL;
	if (c->d != NULL && c->x != NULL &&
	    (EVP_PKEY_get_raw_public_key(pk, x, &xl) != 1 || xl != L || memcmp(x, c->x, L) != 0)) {
		EVP_PKEY_free(pk);
		return -EINVAL;
	}
	*out = wrap(pk, c->crv, c->d != NULL);
	return *out != NULL ? 0 : -ENOMEM;
}

/* The uncompressed encoding 04 || x || y of d*G, for building a P-256 key from d alone. */
static int p256_pub_of(const EC_GROUP *g, const BIGNUM *d, uint8_t pub[1 + 2 * L])
{
	EC_POINT *p = EC_POINT_new(g);
	int rc = -EIO;

	if (p != NULL && EC_POINT_mul(g, p, d, NULL, NULL, NULL) == 1 &&
	    EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, pub, 1 + 2 * L, NULL) ==
		    1 + 2 * L)
		rc = 0;
	EC_POINT_free(p);
	return rc;
}

/* The point encoding for the coordinates given: 04||x||y or 02/03||x. Returns its length. */
static size_t p256_pub_given(const struct cry_coords *c, uint8_t pub[1 + 2 * L])
{
	memcpy(pub + 1, c->x, L);
	if (c->y == NULL) {
		pub[0] = c->y_sign ? 0x03 : 0x02;
		return 1 + L;
	}
	pub[0] = 0x04;
	memcpy(pub + 1 + L, c->y, L);
	return 1 + 2 * L;
}

/* A decoded point's uncompressed form, so that a given compressed x can be checked against d. */
static int p256_normalise(const EC_GROUP *g, const uint8_t *in, size_t in_len,
			  uint8_t out[1 + 2 * L])
{
	EC_POINT *p = EC_POINT_new(g);
	int rc = -EINVAL;

	/* oct2point refuses a point that is not on the curve. */
	if (p != NULL && EC_POINT_oct2point(g, p, in, in_len, NULL) == 1 &&
	    EC_POINT_point2oct(g, p, POINT_CONVERSION_UNCOMPRESSED, out, 1 + 2 * L, NULL) ==
		    1 + 2 * L)
		rc = 0;
	EC_POINT_free(p);
	return rc;
}

static EVP_PKEY *p256_fromdata(const uint8_t *pub, const BIGNUM *d)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;

	if (b == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * L) ||
	    (d != NULL && !OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(b);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pk, d != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
			      params) != 1)
		pk = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params); /* OSSL_PARAM_BLD_to_param cleanses secure BN copies on free */
	OSSL_PARAM_BLD_free(b);
	return pk;
}

/* d in [1, n-1] (SEC 1 §3.2.1), as a BIGNUM the caller frees with BN_clear_free. */
static BIGNUM *p256_scalar(const EC_GROUP *g, const uint8_t *d)
{
	BIGNUM *bn = BN_secure_new();

	if (bn == NULL || BN_bin2bn(d, L, bn) == NULL || BN_is_zero(bn) ||
	    BN_cmp(bn, EC_GROUP_get0_order(g)) >= 0) {
		BN_clear_free(bn);
		return NULL;
	}
	return bn;
}

/* EC2 P-256 (RFC 9053 §7.1.1): public from x[,y], or private from d (public derived and, when
 * x is given too, compared). */
static int ec2_from_coords(struct cry_pkey **out, const struct cry_coords *c)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	uint8_t pub[1 + 2 * L], given[1 + 2 * L];
	BIGNUM *d = NULL;
	EVP_PKEY *pk = NULL;
	int rc = -EINVAL;

	if (g == NULL)
		return -ENOMEM;
	if (c->d != NULL) {
		d = p256_scalar(g, c->d);
		if (d == NULL || p256_pub_of(g, d, pub) != 0)
			goto out;
		if (c->x != NULL && (p256_normalise(g, given, p256_pub_given(c, given), given) != 0 ||
				     memcmp(given, pub, sizeof(pub)) != 0))
			goto out;
	} else if (p256_normalise(g, pub, p256_pub_given(c, pub), pub) != 0) {
		goto out;
	}
	pk = p256_fromdata(pub, d);
	rc = pk != NULL ? 0 : -EIO;
	if (pk != NULL) {
		*out = wrap(pk, CRY_CRV_P256, d != NULL);
		rc = *out != NULL ? 0 : -ENOMEM;
	}
out:
	BN_clear_free(d);
	EC_GROUP_free(g);
	return rc;
}

static bool coords_valid(const struct cry_coords *c)
{
	bool ec2 = c->crv == CRY_CRV_P256;

	if (c->crv != CRY_CRV_P256 && c->crv != CRY_CRV_X25519 && c->crv != CRY_CRV_ED25519)
		return false;
	if (c->x == NULL && c->d == NULL)
		return false;
	if ((c->x != NULL && c->x_len != L) || (c->d != NULL && c->d_len != L))
		return false;
	if (c->y != NULL && (!ec2 || c->y_len != L || c->x == NULL))
		return false;
	return true;
}

int cry_pkey_from_coords(struct cry_pkey **out, const struct cry_coords *c)
{
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (c == NULL || !coords_valid(c))
		return -EINVAL;
	if (c->crv == CRY_CRV_P256)
		return ec2_from_coords(out, c);
	return okp_from_coords(out, c);
}

int cry_pkey_generate(struct cry_pkey **out, int crv)
{
	EVP_PKEY *pk;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	switch (crv) {
	case CRY_CRV_P256:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case CRY_CRV_X25519:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
		break;
	case CRY_CRV_ED25519:
		pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		return -EINVAL;
	}
	if (pk == NULL)
		return -EIO;
	*out = wrap(pk, crv, true);
	return *out != NULL ? 0 : -ENOMEM;
}

static int bn_param(const EVP_PKEY *pk, const char *name, uint8_t *out)
{
	BIGNUM *bn = NULL;
	int rc = -EIO;

	if (EVP_PKEY_get_bn_param(pk, name, &bn) == 1 && BN_bn2binpad(bn, out, L) == L)
		rc = 0;
	BN_free(bn);
	return rc;
}

int cry_pkey_export_public(const struct cry_pkey *k, uint8_t *x, uint8_t *y)
{
	size_t xl = L;

	if (k == NULL || x == NULL)
		return -EINVAL;
	if (k->crv == CRY_CRV_P256) {
		if (y == NULL)
			return -EINVAL;
		if (bn_param(k->pk, OSSL_PKEY_PARAM_EC_PUB_X, x) != 0 ||
		    bn_param(k->pk, OSSL_PKEY_PARAM_EC_PUB_Y, y) != 0)
			return -EIO;
		return 0;
	}
	if (EVP_PKEY_get_raw_public_key(k->pk, x, &xl) != 1 || xl != L)
		return -EIO;
	return 0;
}

int cry_pkey_crv(const struct cry_pkey *k)
{
	return k != NULL ? k->crv : 0;
}

bool cry_pkey_has_private(const struct cry_pkey *k)
{
	return k != NULL && k->priv;
}

void cry_pkey_free(struct cry_pkey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

static bool alg_fits(const struct cry_pkey *k, int alg)
{
	if (k == NULL)
		return false;
	return (alg == CRY_SIG_ES256 && k->crv == CRY_CRV_P256) ||
	       (alg == CRY_SIG_EDDSA && k->crv == CRY_CRV_ED25519);
}

/* DER ECDSA-Sig-Value (what OpenSSL produces) to the raw r || s of RFC 9053 §2.1. */
static int ecdsa_der_to_raw(const uint8_t *der, size_t der_len, uint8_t *sig)
{
	const unsigned char *p = der;
	ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	int rc = -EIO;

	if (s != NULL && BN_bn2binpad(ECDSA_SIG_get0_r(s), sig, L) == L &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(s), sig + L, L) == L)
		rc = 0;
	ECDSA_SIG_free(s);
	return rc;
}

/* Raw r || s to DER for OpenSSL's verifier. Returns the DER length (caller frees), or 0. */
static int ecdsa_raw_to_der(const uint8_t *sig, unsigned char **der)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, L, NULL), *ss = BN_bin2bn(sig + L, L, NULL);
	int n = 0;

	if (s != NULL && r != NULL && ss != NULL && ECDSA_SIG_set0(s, r, ss) == 1) {
		r = ss = NULL; /* owned by s now */
		n = i2d_ECDSA_SIG(s, der);
	}
	BN_free(r);
	BN_free(ss);
	ECDSA_SIG_free(s);
	return n > 0 ? n : 0;
}

static EVP_MD_CTX *digest_ctx(const struct cry_pkey *k, int alg, bool sign)
{
	/* Ed25519 is "pure": no separate digest (RFC 8032 §5.1). */
	const char *md = alg == CRY_SIG_ES256 ? "SHA256" : NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok;

	if (m == NULL)
		return NULL;
	ok = sign ? EVP_DigestSignInit_ex(m, NULL, md, NULL, NULL, k->pk, NULL)
		  : EVP_DigestVerifyInit_ex(m, NULL, md, NULL, NULL, k->pk, NULL);
	if (ok != 1) {
		EVP_MD_CTX_free(m);
		return NULL;
	}
	return m;
}

int cry_sign(const struct cry_pkey *k, int alg, const uint8_t *msg, size_t len, uint8_t *sig)
{
	uint8_t der[80]; /* ECDSA P-256 DER is at most 72 bytes */
	size_t n = sizeof(der);
	EVP_MD_CTX *m;
	int rc = -EIO;

	if (!alg_fits(k, alg) || !k->priv || sig == NULL || (msg == NULL && len != 0))
		return -EINVAL;
	m = digest_ctx(k, alg, true);
	if (m == NULL)
		return -EIO;
	if (EVP_DigestSign(m, der, &n, msg, len) == 1) {
		if (alg == CRY_SIG_ES256)
			rc = ecdsa_der_to_raw(der, n, sig);
		else if (n == CRY_SIG_LEN)
			rc = (memcpy(sig, der, n), 0);
	}
	EVP_MD_CTX_free(m);
	return rc;
}

int cry_verify(const struct cry_pkey *k, int alg, const uint8_t *msg, size_t len,
	       const uint8_t *sig, size_t sig_len)
{
	unsigned char *der = NULL;
	const uint8_t *s = sig;
	size_t n = sig_len;
	EVP_MD_CTX *m;
	int ok;

	if (!alg_fits(k, alg) || (msg == NULL && len != 0) || (sig == NULL && sig_len != 0))
		return -EINVAL;
	if (sig_len != CRY_SIG_LEN)
		return -EBADMSG;
	if (alg == CRY_SIG_ES256) {
		int dl = ecdsa_raw_to_der(sig, &der);

		if (dl == 0)
			return -EIO;
		s = der;
		n = (size_t)dl;
	}
	m = digest_ctx(k, alg, false);
	ok = m != NULL ? EVP_DigestVerify(m, s, n, msg, len) : -1;
	EVP_MD_CTX_free(m);
	OPENSSL_free(der);
	if (m == NULL)
		return -EIO;
	/* 0 is a bad signature; a negative value is OpenSSL refusing the input (e.g. r = 0),
	 * which is a bad signature too from the caller's point of view. */
	return ok == 1 ? 0 : -EBADMSG;
}

int cry_ecdh(const struct cry_pkey *own, const struct cry_pkey *peer, uint8_t *out)
{
	static const uint8_t zero[CRY_ECDH_LEN];
	EVP_PKEY_CTX *ctx;
	size_t n = CRY_ECDH_LEN;
	int rc = -EINVAL;

	if (out == NULL)
		return -EINVAL;
	memset(out, 0, CRY_ECDH_LEN);
	if (own == NULL || peer == NULL || !own->priv || own->crv != peer->crv ||
	    (own->crv != CRY_CRV_X25519 && own->crv != CRY_CRV_P256))
		return -EINVAL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, own->pk, NULL);
	if (ctx == NULL)
		return -ENOMEM;
	/* validate_peer = 1: OpenSSL checks the peer's public key before use. */
	if (EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer_ex(ctx, peer->pk, 1) == 1 &&
	    EVP_PKEY_derive(ctx, out, &n) == 1 && n == CRY_ECDH_LEN &&
	    !cry_ct_equal(out, zero, CRY_ECDH_LEN))
		rc = 0;
	EVP_PKEY_CTX_free(ctx);
	if (rc != 0)
		cry_wipe(out, CRY_ECDH_LEN);
	return rc;
}
