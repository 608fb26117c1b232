/* SPDX-License-Identifier: BSD-3-Clause */
/* HKDF (RFC 5869) on OpenSSL's HMAC (EVP_MAC), named the way OSCORE configures it (RFC 8613 §3.2). */
#include <errno.h>
#include <stdbool.h>
#include <strings.h>

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
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

/* HMAC contexts with their digest set, made once per digest: HKDF through EVP_KDF fetched the
 * digest by name (a lookup under the provider store's lock) on every call, which cost more than
 * the hashing; a bulk load derives 1M contexts. Each call duplicates the template (no name
 * lookup), so the templates are only read and any thread may use them. Kept until exit. */
static EVP_MAC_CTX *hmac_template(const char *md, int which)
{
	static EVP_MAC_CTX *cached[2];
	EVP_MAC_CTX *c = __atomic_load_n(&cached[which], __ATOMIC_ACQUIRE), *expect = NULL;
	EVP_MAC *mac;
	OSSL_PARAM params[2];

	if (c)
		return c;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	c = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac); /* the context keeps its own reference */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (c && !EVP_MAC_CTX_set_params(c, params)) {
		EVP_MAC_CTX_free(c);
		return NULL;
	}
	if (c && !__atomic_compare_exchange_n(&cached[which], &expect, c, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE)) {
		EVP_MAC_CTX_free(c);
		c = expect;
	}
	return c;
}

/* HMAC(key, a || b || c) into out (hash_len bytes). A zero-length key is passed as one zero byte:
 * the same HMAC key after padding (RFC 2104 §2), and EVP_MAC_init takes no key as "keep the
 * previous one". */
static int hmac3(EVP_MAC_CTX *m, const uint8_t *key, size_t key_len, const uint8_t *a,
		 size_t a_len, const uint8_t *b, size_t b_len, const uint8_t *c, size_t c_len,
		 uint8_t *out, size_t hash_len)
{
	static const uint8_t zero[1];
	size_t n = 0;

	return EVP_MAC_init(m, key_len ? key : zero, key_len ? key_len : 1, NULL) &&
	       (!a_len || EVP_MAC_update(m, a, a_len)) && (!b_len || EVP_MAC_update(m, b, b_len)) &&
	       (!c_len || EVP_MAC_update(m, c, c_len)) && EVP_MAC_final(m, out, &n, hash_len) &&
	       n == hash_len ? 0 : -1;
}

/* RFC 5869 §2.3 expand: T(i) = HMAC(PRK, T(i-1) || info || i), out_len <= 255 * hash_len. */
static int expand(EVP_MAC_CTX *m, size_t hash_len, const uint8_t *prk, size_t prk_len,
		  const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	uint8_t prev[64];
	size_t done = 0, prev_len = 0;
	uint8_t i;
	int rc = 0;

	for (i = 1; rc == 0 && done < out_len; i++) { /* out_len <= 255 * hash_len: i <= 255 */
		size_t k = out_len - done < hash_len ? out_len - done : hash_len;

		rc = hmac3(m, prk, prk_len, prev, prev_len, info, info_len, &i, 1, prev, hash_len);
		prev_len = hash_len;
		if (rc == 0)
			memcpy(out + done, prev, k);
		done += k;
	}
	OPENSSL_cleanse(prev, sizeof(prev));
	return rc;
}

/* A private HMAC context for md (duplicated from the template), or NULL. */
static EVP_MAC_CTX *hmac_for(const char *md, size_t hash_len)
{
	EVP_MAC_CTX *t = hmac_template(md, hash_len == 64);

	return t ? EVP_MAC_CTX_dup(t) : NULL;
}

/* RFC 5869 §2.2 extract, then §2.3 expand. */
static int derive(const char *md, size_t hash_len, const uint8_t *salt, size_t salt_len,
		  const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len,
		  uint8_t *out, size_t out_len)
{
	EVP_MAC_CTX *m = hmac_for(md, hash_len);
	uint8_t prk[64];
	int rc = m ? hmac3(m, salt, salt_len, ikm, ikm_len, NULL, 0, NULL, 0, prk, hash_len) : -1;

	if (rc == 0)
		rc = expand(m, hash_len, prk, hash_len, info, info_len, out, out_len);
	OPENSSL_cleanse(prk, sizeof(prk));
	EVP_MAC_CTX_free(m);
	return rc ? -EIO : 0;
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
	return derive(md, hash_len, salt, salt_len, ikm, ikm_len, info, info_len, out, out_len);
}

size_t cry_hkdf_hash_len(int alg)
{
	size_t hash_len = 0;

	return digest_of(alg, &hash_len) ? hash_len : 0;
}

int cry_hkdf_extract(int alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
		     size_t ikm_len, uint8_t *prk)
{
	size_t hash_len;
	const char *md = digest_of(alg, &hash_len);
	EVP_MAC_CTX *m;
	int rc;

	if (md == NULL || prk == NULL || (salt == NULL && salt_len) || (ikm == NULL && ikm_len))
		return -EINVAL;
	m = hmac_for(md, hash_len);
	rc = m ? hmac3(m, salt, salt_len, ikm, ikm_len, NULL, 0, NULL, 0, prk, hash_len) : -1;
	EVP_MAC_CTX_free(m);
	return rc ? -EIO : 0;
}

int cry_hkdf_expand(int alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
		    size_t info_len, uint8_t *out, size_t out_len)
{
	size_t hash_len;
	const char *md = digest_of(alg, &hash_len);
	EVP_MAC_CTX *m;
	int rc;

	if (md == NULL || out_len > 255 * hash_len || prk == NULL || prk_len < hash_len ||
	    (info == NULL && info_len) || (out == NULL && out_len))
		return -EINVAL;
	if (out_len == 0)
		return 0;
	m = hmac_for(md, hash_len);
	rc = m ? expand(m, hash_len, prk, prk_len, info, info_len, out, out_len) : -1;
	EVP_MAC_CTX_free(m);
	return rc ? -EIO : 0;
}

int cry_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
		    uint8_t *out)
{
	EVP_MAC_CTX *t = hmac_template("SHA256", 0), *m = t ? EVP_MAC_CTX_dup(t) : NULL;
	int rc;

	if ((key == NULL && key_len) || (msg == NULL && len) || out == NULL) {
		EVP_MAC_CTX_free(m);
		return -EINVAL;
	}
	rc = m ? hmac3(m, key, key_len, msg, len, NULL, 0, NULL, 0, out, 32) : -1;
	EVP_MAC_CTX_free(m);
	return rc ? -EIO : 0;
}
