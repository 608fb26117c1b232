/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AEAD for OSCORE: the COSE algorithms (RFC 9053) that RFC 8613 can use, keys expanded once per
 * context, and a batch engine that pushes whole bursts through IPsec-MB's multi-buffer manager.
 *
 * No DPDK here: the protocol core, the tests and the load generator use this without an EAL.
 */
#ifndef CRY_AEAD_H
#define CRY_AEAD_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* COSE algorithm identifiers (RFC 9053 §4, §3.1, §4.3) usable as OSCORE AEAD (RFC 8613 §3.2). */
enum cry_cose_alg {
	CRY_A128GCM = 1,
	CRY_A192GCM = 2,
	CRY_A256GCM = 3,
	CRY_AES_CCM_16_64_128 = 10, /* mandatory to implement */
	CRY_AES_CCM_16_64_256 = 11,
	CRY_AES_CCM_64_64_128 = 12,
	CRY_AES_CCM_64_64_256 = 13,
	CRY_CHACHA20_POLY1305 = 24,
	CRY_AES_CCM_16_128_128 = 30,
	CRY_AES_CCM_16_128_256 = 31,
	CRY_AES_CCM_64_128_128 = 32,
	CRY_AES_CCM_64_128_256 = 33,
};

enum cry_aead_kind { CRY_KIND_CCM, CRY_KIND_GCM, CRY_KIND_CHACHAPOLY };

#define CRY_KEY_MAX 32
#define CRY_NONCE_MAX 13
#define CRY_TAG_MAX 16
/* IPsec-MB 1.3 takes CCM AAD up to 46 bytes; longer AAD goes to CCM composed from IPsec-MB's
 * multi-buffer AES-CBC and AES-CTR (cry_ccm_long.c), still batched. */
#define CRY_IMB_CCM_AAD_MAX 46

struct cry_alg {
	int cose;            /* enum cry_cose_alg */
	const char *name;    /* COSE name, e.g. "AES-CCM-16-64-128" */
	enum cry_aead_kind kind;
	uint8_t key_len;
	uint8_t nonce_len;
	uint8_t tag_len;
};

/* The algorithm for a COSE identifier, or NULL if OSCORE cannot use it here. */
const struct cry_alg *cry_alg_by_cose(int cose);

/* The algorithm for a COSE name ("AES-CCM-16-64-128", "A128GCM", "ChaCha20/Poly1305"), matched
 * case-insensitively, or NULL. */
const struct cry_alg *cry_alg_by_name(const char *name);

/*
 * A key, 48 bytes, so that a security context stays within a few cache lines even with a million
 * of them. CCM round keys are not kept here: the engine expands them for each op (26-35 cycles,
 * less than fetching a cached schedule from L2 or beyond), into a schedule of its own that the
 * op's job points at while in flight. GCM keeps IPsec-MB's key data
 * (GHASH powers, costly to recompute) in an allocation of its own.
 * Initialise with cry_key_init(), release with cry_key_wipe() (which zeroes the secret).
 * Read-only after init: many workers may use one key at once.
 */
struct cry_key {
	const struct cry_alg *alg;
	void *gcm;                            /* GCM: struct gcm_key_data (64-byte aligned, owned) */
	uint8_t raw[CRY_KEY_MAX];
};

/* Expand raw (alg->key_len bytes) for alg. Returns 0, or -EINVAL / -ENOMEM. Never logs the key. */
int cry_key_init(struct cry_key *k, const struct cry_alg *alg, const uint8_t *raw);

/* Zero the key material and free what cry_key_init() allocated. Safe on a zeroed struct. */
void cry_key_wipe(struct cry_key *k);

enum cry_dir { CRY_ENCRYPT, CRY_DECRYPT };

enum cry_status {
	CRY_OK = 0,
	CRY_ERR_AUTH,    /* decrypt: tag did not verify; out holds no plaintext worth reading */
	CRY_ERR_INVALID, /* lengths or key do not fit the algorithm */
	CRY_ERR_BACKEND, /* the crypto library refused the job */
	CRY_PENDING,     /* submitted, not yet completed (async use only) */
};

/*
 * One AEAD operation. The caller fills the public fields; the engine sets status.
 * Encrypt: in[0..len) is plaintext, out[0..len) receives ciphertext and tag[0..tag_len) the tag.
 * Decrypt: in[0..len) is ciphertext without the tag, tag points at the received tag; out receives
 *          plaintext; status is CRY_OK only if the tag verified (compared in constant time).
 *          On CRY_ERR_AUTH or CRY_ERR_BACKEND out[0..len) is zeroed and tag_calc holds no tag.
 * in == out is allowed; other overlap is not. All buffers must stay valid until completion.
 * CRY_ERR_INVALID also covers missing pointers and len or aad_len over INT_MAX.
 */
struct cry_op {
	const struct cry_key *key;
	const uint8_t *nonce;  /* key->alg->nonce_len bytes */
	const uint8_t *aad;
	const uint8_t *in;
	uint8_t *out;
	uint8_t *tag;
	void *user;            /* the caller's, untouched */
	uint32_t aad_len;
	uint32_t len;
	uint8_t dir;           /* enum cry_dir */
	uint8_t status;        /* enum cry_status, set by the engine */
	const void *rk;        /* engine scratch: the CCM round keys this op holds while in flight */
	alignas(16) uint8_t tag_calc[CRY_TAG_MAX]; /* engine scratch for decrypt */
};

/*
 * Set op's public fields, leaving the engine's scratch alone: a compound literal would zero it
 * for every message. The caller still sets in, out, len, tag and user.
 */
static inline void cry_op_prepare(struct cry_op *op, const struct cry_key *key, enum cry_dir dir,
				  const uint8_t *nonce, const uint8_t *aad, uint32_t aad_len)
{
	op->key = key;
	op->dir = (uint8_t)dir;
	op->nonce = nonce;
	op->aad = aad;
	op->aad_len = aad_len;
	op->status = CRY_PENDING;
}

/* A per-thread engine: one IPsec-MB manager with its job ring. Not thread-safe; one per worker. */
struct cry_engine;

/* A new engine on the best IPsec-MB code path this CPU has, or NULL (no AES-NI, no memory). */
struct cry_engine *cry_engine_new(void);

/* Free an engine. Ops still in flight are completed first and then forgotten. */
void cry_engine_free(struct cry_engine *e);

/* "AVX512", "AVX2", "AVX", "SSE": the IPsec-MB code path in use. */
const char *cry_engine_arch(const struct cry_engine *e);

/*
 * Synchronous batch: process ops[0..n) and return when every op->status is final.
 * Different keys and algorithms may be mixed freely; each op costs the same whatever its key.
 * Returns the number of ops with status CRY_OK. May be called while asynchronous ops are in
 * flight: those it completes on the way stay counted by cry_aead_inflight() and are returned by
 * the next cry_aead_submit() or cry_aead_flush().
 */
unsigned cry_aead_batch(struct cry_engine *e, struct cry_op *ops, unsigned n);

/* The most ops the engine may hold in flight; size completion arrays with it. */
#define CRY_MAX_INFLIGHT 256

/*
 * Asynchronous submission for poll-mode loops: lanes stay full across calls, so that the CBC-MAC
 * manager computes 16 messages at once instead of waiting for a flush after every burst.
 * Submit ops[0..n); every op completed by this call (from this or an earlier submission) is
 * appended to done[], which must have room for n + CRY_MAX_INFLIGHT entries. Returns the number
 * appended. Completion order is not guaranteed; use op->user. An op belongs to the engine from
 * submission until it appears in done[].
 */
unsigned cry_aead_submit(struct cry_engine *e, struct cry_op **ops, unsigned n,
			 struct cry_op **done);

/* Force every op in flight to completion (call when idle). done[] needs CRY_MAX_INFLIGHT room. */
unsigned cry_aead_flush(struct cry_engine *e, struct cry_op **done);

/* Ops submitted and not yet returned. */
unsigned cry_aead_inflight(const struct cry_engine *e);

/*
 * The same AEAD done one message at a time with OpenSSL EVP, as a user would write it without a
 * batch engine. Used as the reference in cross-checks, as the baseline in benchmarks, and for CCM
 * ops over 64 KB that the composed CCM cannot take. Sets and returns op->status.
 */
int cry_aead_one_openssl(struct cry_op *op);

/* 1 if a[0..n) == b[0..n), else 0, in time that depends only on n. */
int cry_ct_equal(const void *a, const void *b, size_t n);

/* Zero memory in a way the compiler may not elide. */
void cry_wipe(void *p, size_t n);

#endif
