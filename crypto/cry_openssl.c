/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One AEAD message at a time with OpenSSL EVP: the reference in cross-checks, the baseline in
 * benchmarks, and the fallback for CCM ops too big for the composed CCM (over 64 KB).
 *
 * A fresh EVP_CIPHER_CTX per call, on purpose: that is what a user without a batch engine writes,
 * so the benchmark baseline is honest, and the fallback is rare enough not to need a cached one.
 */
#include <openssl/evp.h>

#include "crypto/cry_internal.h"

/* Stands in for in/out when len is 0: the EVP CCM path wants non-NULL buffers to finish. */
static uint8_t empty[1];

static const EVP_CIPHER *cipher_for(const struct cry_alg *alg)
{
	switch (alg->kind) {
	case CRY_KIND_CCM:
		return alg->key_len == 16 ? EVP_aes_128_ccm() : EVP_aes_256_ccm();
	case CRY_KIND_GCM:
		if (alg->key_len == 16)
			return EVP_aes_128_gcm();
		return alg->key_len == 24 ? EVP_aes_192_gcm() : EVP_aes_256_gcm();
	case CRY_KIND_CHACHAPOLY:
		return EVP_chacha20_poly1305();
	}
	return NULL;
}

/* Cipher, nonce length and (CCM) tag length must be fixed before the key and nonce go in. */
static bool setup(EVP_CIPHER_CTX *ctx, const struct cry_op *op, int enc)
{
	const struct cry_alg *alg = op->key->alg;
	bool ccm = alg->kind == CRY_KIND_CCM;

	if (!EVP_CipherInit_ex(ctx, cipher_for(alg), NULL, NULL, NULL, enc))
		return false;
	if (!EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, alg->nonce_len, NULL))
		return false;
	if (ccm && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, alg->tag_len,
					 enc ? NULL : op->tag))
		return false;
	return EVP_CipherInit_ex(ctx, NULL, NULL, op->key->raw, op->nonce, enc) == 1;
}

/* CCM authenticates in the update (it needs the total length first); GCM and ChaCha in final. */
static int crypt_msg(EVP_CIPHER_CTX *ctx, const struct cry_op *op, int enc)
{
	const struct cry_alg *alg = op->key->alg;
	bool ccm = alg->kind == CRY_KIND_CCM;
	const uint8_t *in = op->len ? op->in : empty;
	uint8_t *out = op->len ? op->out : empty;
	int outl;

	if (ccm && !EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)op->len))
		return CRY_ERR_BACKEND;
	if (op->aad_len && !EVP_CipherUpdate(ctx, NULL, &outl, op->aad, (int)op->aad_len))
		return CRY_ERR_BACKEND;
	if (!EVP_CipherUpdate(ctx, out, &outl, in, (int)op->len))
		return ccm && !enc ? CRY_ERR_AUTH : CRY_ERR_BACKEND;
	if (!ccm && !enc &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, alg->tag_len, op->tag))
		return CRY_ERR_BACKEND;
	if (!ccm && !EVP_CipherFinal_ex(ctx, out + outl, &outl))
		return enc ? CRY_ERR_BACKEND : CRY_ERR_AUTH;
	if (enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, alg->tag_len, op->tag))
		return CRY_ERR_BACKEND;
	return CRY_OK;
}

int cry_aead_one_openssl(struct cry_op *op)
{
	int enc = op->dir == CRY_ENCRYPT;
	EVP_CIPHER_CTX *ctx;
	int st;

	if (!cry_op_valid(op)) {
		op->status = CRY_ERR_INVALID;
		return op->status;
	}
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		st = CRY_ERR_BACKEND;
	else if (!setup(ctx, op, enc))
		st = CRY_ERR_BACKEND;
	else
		st = crypt_msg(ctx, op, enc);
	EVP_CIPHER_CTX_free(ctx);
	/* No unauthenticated plaintext leaves a failed decrypt. */
	if (st != CRY_OK && !enc)
		cry_wipe(op->out, op->len);
	op->status = (uint8_t)st;
	return st;
}
