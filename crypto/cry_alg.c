/* SPDX-License-Identifier: BSD-3-Clause */
/* The COSE AEAD algorithms OSCORE may name (RFC 8613 §3.2, RFC 9053 §4), as one table. */
#include <stddef.h>
#include <strings.h>

#include "crypto/cry_aead.h"

#define ALG(id, nm, k, kl, nl, tl) \
	{ .cose = (id), .name = (nm), .kind = (k), .key_len = (kl), .nonce_len = (nl), .tag_len = (tl) }

/* RFC 9053 §4.2 names AES-CCM-L-M-K by L (16 or 64 bit length field, so a 13 or 7 byte nonce),
 * M (64 or 128 bit tag) and K (key bits). */
static const struct cry_alg algs[] = {
	ALG(CRY_A128GCM, "A128GCM", CRY_KIND_GCM, 16, 12, 16),
	ALG(CRY_A192GCM, "A192GCM", CRY_KIND_GCM, 24, 12, 16),
	ALG(CRY_A256GCM, "A256GCM", CRY_KIND_GCM, 32, 12, 16),
	ALG(CRY_AES_CCM_16_64_128, "AES-CCM-16-64-128", CRY_KIND_CCM, 16, 13, 8),
	ALG(CRY_AES_CCM_16_64_256, "AES-CCM-16-64-256", CRY_KIND_CCM, 32, 13, 8),
	ALG(CRY_AES_CCM_64_64_128, "AES-CCM-64-64-128", CRY_KIND_CCM, 16, 7, 8),
	ALG(CRY_AES_CCM_64_64_256, "AES-CCM-64-64-256", CRY_KIND_CCM, 32, 7, 8),
	ALG(CRY_CHACHA20_POLY1305, "ChaCha20/Poly1305", CRY_KIND_CHACHAPOLY, 32, 12, 16),
	ALG(CRY_AES_CCM_16_128_128, "AES-CCM-16-128-128", CRY_KIND_CCM, 16, 13, 16),
	ALG(CRY_AES_CCM_16_128_256, "AES-CCM-16-128-256", CRY_KIND_CCM, 32, 13, 16),
	ALG(CRY_AES_CCM_64_128_128, "AES-CCM-64-128-128", CRY_KIND_CCM, 16, 7, 16),
	ALG(CRY_AES_CCM_64_128_256, "AES-CCM-64-128-256", CRY_KIND_CCM, 32, 7, 16),
};

const struct cry_alg *cry_alg_by_cose(int cose)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].cose == cose)
			return &algs[i];
	return NULL;
}

const struct cry_alg *cry_alg_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcasecmp(algs[i].name, name) == 0)
			return &algs[i];
	return NULL;
}
