/* SPDX-License-Identifier: BSD-3-Clause */
/* Ed25519 -> X25519 keys (RFC 7748 §4.1 birational map, RFC 8032 §5.1.5 scalar). */
#include "crypto/cry_ed2x.h"

#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "crypto/cry_aead.h"

/* u = (1 + y) / (1 - y) mod p with y < p, y != 1, y != p - 1. */
static int map(BIGNUM *u, const BIGNUM *y, BN_CTX *ctx)
{
	BIGNUM *p = BN_CTX_get(ctx), *one = BN_CTX_get(ctx), *num = BN_CTX_get(ctx),
	       *den = BN_CTX_get(ctx);

	if (den == NULL)
		return -ENOMEM;
	BN_zero(p);
	if (!BN_set_bit(p, 255) || !BN_sub_word(p, 19) || !BN_one(one))
		return -EIO;
	if (BN_cmp(y, p) >= 0)
		return -EINVAL;
	if (!BN_mod_add(num, one, y, p, ctx) || !BN_mod_sub(den, one, y, p, ctx))
		return -EIO;
	if (BN_is_zero(num) || BN_is_zero(den)) /* y = -1 gives u = 0; y = 1 has no image */
		return -EINVAL;
	if (BN_mod_inverse(den, den, p, ctx) == NULL || !BN_mod_mul(u, num, den, p, ctx))
		return -EIO;
	return 0;
}

int cry_ed25519_pub_to_x25519(const uint8_t ed[32], uint8_t u[32])
{
	uint8_t yb[32];
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *y, *ub;
	int rc = -ENOMEM;

	memcpy(yb, ed, sizeof(yb));
	yb[31] &= 0x7f; /* the sign of x: not part of y (RFC 8032 §5.1.2) */
	if (ctx == NULL)
		return rc;
	BN_CTX_start(ctx);
	y = BN_CTX_get(ctx);
	ub = BN_CTX_get(ctx);
	if (ub != NULL && BN_lebin2bn(yb, sizeof(yb), y) != NULL)
		rc = map(ub, y, ctx);
	if (rc == 0 && BN_bn2lebinpad(ub, u, 32) != 32)
		rc = -EIO;
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return rc;
}

int cry_ed25519_priv_to_x25519(const uint8_t seed[32], uint8_t d[32])
{
	uint8_t h[64];
	unsigned int hl = 0;
	int rc = EVP_Digest(seed, 32, h, &hl, EVP_sha512(), NULL) == 1 && hl == 64 ? 0 : -EIO;

	if (rc == 0)
		memcpy(d, h, 32);
	cry_wipe(h, sizeof(h));
	return rc;
}
