/* SPDX-License-Identifier: BSD-3-Clause */
/* HKDF (RFC 5869) through OpenSSL's EVP_KDF, named the way OSCORE configures it (RFC 8613 §3.2). */
#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "crypto/cry_hkdf.h"

static const struct {
	const char *name;
	int alg;
} names[] = {
	{ "HKDF-SHA-256", CRY_HKDF_SHA256 },
	{ "HKDF-SHA-512", CRY_HKDF_SHA512 },
	{ "HKDF SHA-256", CRY_HKDF_SHA256 }, /* RFC 8613 §3.2 spells it this way */
	{ "HKDF SHA-512", CRY_HKDF_SHA512 },
	{ "direct+HKDF-SHA-256", CRY_HKDF_SHA256 },
	{ "direct+HKDF-SHA-512", CRY_HKDF_SHA512 },
};

/* OpenSSL digest name and output length of each supported HKDF. */
static const char *digest_of(int alg, size_t *hash_len)
{
	switch (alg) {
	case CRY_HKDF_SHA256:
		*hash_len = 32;
		return "SHA256";
	case CRY_HKDF_SHA512:
		*hash_len = 64;
		return "SHA512";
	default:
		return NULL;
	}
}

int cry_hkdf_supported(int alg)
{
	size_t hash_len;

	return digest_of(alg, &hash_len) != NULL;
}

int cry_hkdf_by_name(const char *name)
{
	if (name == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(names[i].name, name) == 0)
			return names[i].alg;
	return 0;
}

/* OpenSSL 3's HKDF, fetched once: a fetch per derivation (name lookup under the provider store's
 * lock) cost more than the HKDF itself, and a bulk load derives 1M contexts. Kept until exit. A
 * thread that loses the race frees its own fetch. */
static EVP_KDF *hkdf_impl(void)
{
	static EVP_KDF *cached;
	EVP_KDF *k = __atomic_load_n(&cached, __ATOMIC_ACQUIRE), *expect = NULL;

	if (k)
		return k;
	k = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (k && !__atomic_compare_exchange_n(&cached, &expect, k, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE)) {
		EVP_KDF_free(k);
		k = expect;
	}
	return k;
}

static int derive(const char *md, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
		  size_t ikm_len, const uint8_t *info, size_t info_len, uint8_t *out,
		  size_t out_len)
{
	static const uint8_t none[1];
	EVP_KDF *kdf = hkdf_impl();
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[5], *p = params;
	int ok;

	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)(ikm_len ? ikm : none), ikm_len);
	/* RFC 5869 §2.2: no salt means HashLen zero bytes, which is what HMAC makes of an empty
	 * key, and what OpenSSL does without the parameter. */
	if (salt_len != 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt,
							 salt_len);
	if (info_len != 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
							 info_len);
	*p = OSSL_PARAM_construct_end();
	ok = ctx != NULL && EVP_KDF_derive(ctx, out, out_len, params) > 0;
	EVP_KDF_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

int cry_hkdf(int alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
	     const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	size_t hash_len;
	const char *md = digest_of(alg, &hash_len);

	if (md == NULL || out_len > 255 * hash_len)
		return -EINVAL;
	if ((salt == NULL && salt_len) || (ikm == NULL && ikm_len) || (info == NULL && info_len) ||
	    (out == NULL && out_len))
		return -EINVAL;
	if (out_len == 0)
		return 0; /* L = 0 is the empty string; OpenSSL refuses to derive nothing */
	return derive(md, salt, salt_len, ikm, ikm_len, info, info_len, out, out_len);
}
