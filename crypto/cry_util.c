/* SPDX-License-Identifier: BSD-3-Clause */
/* Constant-time compare and secure wipe. */
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
