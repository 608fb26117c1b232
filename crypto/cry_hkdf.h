/* SPDX-License-Identifier: BSD-3-Clause */
/* HKDF (RFC 5869) over OpenSSL, identified by COSE algorithm values as OSCORE configures it. */
#ifndef CRY_HKDF_H
#define CRY_HKDF_H

#include <stddef.h>
#include <stdint.h>

/* COSE "direct+HKDF" identifiers (RFC 9053 §6.1.2) that OSCORE uses to name its HKDF. */
enum cry_hkdf_alg {
	CRY_HKDF_SHA256 = -10,
	CRY_HKDF_SHA512 = -11,
};

/* 1 if alg is an HKDF this build can run. */
int cry_hkdf_supported(int alg);

/* The HKDF for a name ("HKDF-SHA-256", "HKDF-SHA-512", also "direct+HKDF-SHA-256"), or 0. */
int cry_hkdf_by_name(const char *name);

/*
 * out[0..out_len) = HKDF-Expand(HKDF-Extract(salt, ikm), info, out_len) with the hash of alg.
 * An empty salt is the all-zero salt of RFC 5869 §2.2. Returns 0, or -EINVAL for an unknown
 * alg or out_len beyond 255 hash lengths, or -EIO if OpenSSL fails.
 */
int cry_hkdf(int alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm, size_t ikm_len,
	     const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);

/* The hash output length of alg (32 or 64), or 0 for an unknown alg. */
size_t cry_hkdf_hash_len(int alg);

/*
 * RFC 5869 §2.2 on its own, for protocols that keep the PRK (EDHOC, RFC 9528 §4.1.1):
 * prk[0..hash_len) = HMAC(salt, ikm). Returns 0, -EINVAL or -EIO.
 */
int cry_hkdf_extract(int alg, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
		     size_t ikm_len, uint8_t *prk);

/*
 * RFC 5869 §2.3 on its own: out[0..out_len) = HKDF-Expand(prk, info, out_len). prk_len must be
 * at least the hash length; out_len at most 255 hash lengths. Returns 0, -EINVAL or -EIO.
 */
int cry_hkdf_expand(int alg, const uint8_t *prk, size_t prk_len, const uint8_t *info,
		    size_t info_len, uint8_t *out, size_t out_len);

/*
 * out[0..32) = HMAC-SHA-256(key, msg) (RFC 2104), on the same per-digest HMAC template as HKDF.
 * COSE HMAC 256/64 and 256/256 (RFC 9053 §3.1) truncate or keep it. Returns 0, -EINVAL or -EIO.
 */
int cry_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t len,
		    uint8_t *out);

#endif
