/* SPDX-License-Identifier: BSD-3-Clause */
/* Constant-time compare, secure wipe and the op validation both back ends share. */
#include <limits.h>
#include <stdint.h>

#include <openssl/crypto.h>

#include "crypto/cry_internal.h"

int cry_ct_equal(const void *a, const void *b, size_t n)
{
	/* CRYPTO_memcmp touches every byte whatever the first difference. */
	return CRYPTO_memcmp(a, b, n) == 0;
}

void cry_wipe(void *p, size_t n)
{
	if (p != NULL && n != 0)
		OPENSSL_cleanse(p, n);
}

static bool overlaps_partially(const uint8_t *in, const uint8_t *out, uint32_t len)
{
	if (len == 0 || in == out)
		return false;
	return in < out + len && out < in + len;
}

/* RFC 3610 §2: with a 13-byte nonce the length field has L = 2 bytes, so at most 2^16 - 1. */
static bool len_fits(const struct cry_alg *alg, uint32_t len)
{
	if (alg->kind == CRY_KIND_CCM && alg->nonce_len == 13)
		return len <= UINT16_MAX;
	return true;
}

bool cry_op_valid(const struct cry_op *op)
{
	const struct cry_key *k = op->key;

	if (k == NULL || k->alg == NULL || op->nonce == NULL || op->tag == NULL)
		return false;
	if (op->dir != CRY_ENCRYPT && op->dir != CRY_DECRYPT)
		return false;
	if (k->alg->kind == CRY_KIND_GCM && k->gcm == NULL)
		return false;
	/* The OpenSSL path takes int lengths; OSCORE messages are far below this anyway. */
	if (op->len > INT_MAX || op->aad_len > INT_MAX || !len_fits(k->alg, op->len))
		return false;
	if (op->len != 0 && (op->in == NULL || op->out == NULL))
		return false;
	if (op->aad_len != 0 && op->aad == NULL)
		return false;
	return !overlaps_partially(op->in, op->out, op->len);
}
