/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * OSCORE security context (RFC 8613 §3): the parameters it is derived from, and the derived
 * context a message is protected with. Keys are expanded once, at derivation (§3.2.1).
 */
#ifndef OSC_CONTEXT_H
#define OSC_CONTEXT_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cry_aead.h"
#include "oscore/osc_replay.h"

#define OSC_ID_MAX 7          /* nonce length 13 - 6 (§3.3) */
#define OSC_ID_CTX_MAX 32          /* longer kid contexts find no context here */
#define OSC_SECRET_MAX 64
#define OSC_SALT_MAX 64

/* What a context is derived from (§3.2): cold configuration, kept for re-derivation (App. B.2). */
struct osc_params {
	const struct cry_alg *alg;           /* NULL = AES-CCM-16-64-128 */
	int hkdf;                            /* enum cry_hkdf_alg; 0 = HKDF-SHA-256 */
	unsigned replay_window;              /* 0 = OSC_REPLAY_DEFAULT */
	uint8_t secret[OSC_SECRET_MAX];
	uint8_t salt[OSC_SALT_MAX];
	uint8_t id_ctx[OSC_ID_CTX_MAX];
	uint8_t sender_id[OSC_ID_MAX];
	uint8_t recipient_id[OSC_ID_MAX];
	uint8_t secret_len, salt_len, id_ctx_len, sender_id_len, recipient_id_len;
	bool has_id_ctx;                     /* absent (CBOR null) differs from empty (§3.2.1) */
};

/*
 * A derived context in 192 bytes (three cache lines) so that a million of them stay affordable:
 * raw keys only (the engine caches CCM round keys per worker), the AEAD algorithm in the keys, the
 * ID Context out of line (most contexts have none or a short one), the default replay window in
 * its 16-byte pair form. Workers read it concurrently; only ssn, ssn_limit and the replay window
 * change after derivation, atomically, and they share the last line: lines 0 and 1 (what a
 * request reads first: Recipient Key and ID, then Sender Key and Common IV) are never written
 * while workers use the context, so they never bounce between the cores of two workers.
 */
struct osc_ctx {
	struct cry_key recipient_key;        /* line 0: a request needs it and the IDs first */
	uint8_t recipient_id[OSC_ID_MAX];
	uint8_t recipient_id_len, sender_id_len, id_ctx_len;
	bool has_id_ctx;
	struct cry_key sender_key;           /* line 1 */
	uint8_t common_iv[CRY_NONCE_MAX];
	const uint8_t *id_ctx;               /* line 2: id_ctx_len bytes, owned (never NULL) */
	uint8_t sender_id[OSC_ID_MAX];
	struct osc_replay replay;            /* written per request */
	uint64_t ssn;                        /* next Sender Sequence Number; atomic */
	uint64_t ssn_limit;                  /* SSNs from here on are not yet durable (App. B.1.1):
					      * protect refuses them; the control plane raises it
					      * after writing ahead. OSC_SSN_MAX + 1 = no limit. */
};
_Static_assert(sizeof(struct osc_ctx) == 192, "a context takes three cache lines");
_Static_assert(offsetof(struct osc_ctx, id_ctx) == 128, "what changes shares line 2 only");

/* The context's AEAD algorithm. */
static inline const struct cry_alg *osc_ctx_alg(const struct osc_ctx *c)
{
	return c->recipient_key.alg;
}

enum osc_ctx_err {
	OSC_CTX_OK = 0,
	OSC_CTX_ERR_ALG = -1,     /* unknown AEAD or HKDF */
	OSC_CTX_ERR_ID_LEN = -2,  /* Sender or Recipient ID longer than nonce length - 6 (§3.3) */
	OSC_CTX_ERR_WINDOW = -3,  /* replay window outside 1..OSC_REPLAY_MAX */
	OSC_CTX_ERR_SECRET = -4,  /* empty Master Secret */
	OSC_CTX_ERR_CRYPTO = -5,  /* HKDF or key expansion failed */
	OSC_CTX_ERR_MEMORY = -6,  /* no memory for the ID Context or a wide window's ring */
};

/* Fill p's defaults (AES-CCM-16-64-128, HKDF-SHA-256, window 32) on a zeroed struct. */
void osc_params_defaults(struct osc_params *p);

/*
 * Derive c from p (§3.2.1): Sender Key, Recipient Key, Common IV; SSN 0 without a limit; empty
 * replay window.
 * Returns OSC_CTX_OK or a negative enum osc_ctx_err; c holds nothing secret on failure.
 */
int osc_ctx_derive(struct osc_ctx *c, const struct osc_params *p);

/* Zero and release c's keys, ID Context and window ring. Safe on a zeroed struct. */
void osc_ctx_wipe(struct osc_ctx *c);

/* A short constant description of an enum osc_ctx_err. */
const char *osc_ctx_strerror(int err);

/*
 * What an HKDF info array says (RFC 8613 §3.2.1; RFC 10021 §2.1.9, §2.5.1, §4.2), for the one
 * builder every derivation in the project uses:
 *   type != NULL: [id, id_context or null, alg, type, L], type "Key", "IV" or "SEKey"
 *   type == NULL: [id, id_context or null, request (true/false), L], the signature keystream
 */
struct osc_info {
	const uint8_t *id;
	size_t id_len;
	const uint8_t *id_ctx;
	size_t id_ctx_len;
	bool has_id_ctx;      /* false: CBOR null (§3.2.1, absent ID Context) */
	int alg;              /* COSE algorithm (alg_aead) */
	const char *type;
	bool request;         /* keystream form only */
	unsigned L;           /* output length in bytes */
};

/* Longest info array: 5-element head, id, ID Context, alg, "SEKey", L. */
#define OSC_INFO_MAX (OSC_ID_CTX_MAX + OSC_ID_MAX + 32)

/* Encode in into out[0..cap). Returns the length or -1 if it does not fit. */
int osc_info_encode(uint8_t *out, size_t cap, const struct osc_info *in);

/* The §3.2.1 array for p's ID Context and AEAD algorithm: osc_info_encode() with type set. */
int osc_hkdf_info(uint8_t *out, size_t cap, const uint8_t *id, size_t id_len,
		  const struct osc_params *p, const char *type, unsigned L);

/*
 * out[0..in->L) = HKDF(salt, ikm, info = the array of in) with hkdf (enum cry_hkdf_alg).
 * Returns 0, or nonzero if the info does not fit OSC_INFO_MAX or HKDF fails.
 */
int osc_hkdf_derive(int hkdf, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
		    size_t ikm_len, const struct osc_info *in, uint8_t *out);

/*
 * AEAD nonce of §5.2: (S || ID_PIV padded to nonce_len - 6 || Partial IV padded to 5) XOR
 * Common IV, where id is the Sender ID of whoever generated the Partial IV. out gets
 * c->alg->nonce_len bytes. id_len must be <= nonce_len - 6 and piv_len <= 5.
 */
void osc_nonce(uint8_t *out, const struct osc_ctx *c, const uint8_t *id, size_t id_len,
	       const uint8_t *piv, size_t piv_len);

/* The same from a Common IV of at least n bytes (RFC 10021 §3.3: its first n bytes, n the nonce
 * length of the algorithm in use; a group's Common IV may be longer). n is 7, 12 or 13 (every
 * cry_alg's); computed word-wise, without a loop over bytes: it runs for every message. */
void osc_nonce_iv(uint8_t *out, unsigned n, const uint8_t *iv, const uint8_t *id, size_t id_len,
		  const uint8_t *piv, size_t piv_len);

/* Longest AAD this code builds: 11-byte Enc_structure prefix + external_aad (§5.4). */
#define OSC_AAD_MAX 48

/*
 * Additional authenticated data of §5.4 (Enc_structure with external_aad for OSCORE version 1,
 * no Class I options) for the request's kid and Partial IV. Returns its length (<= OSC_AAD_MAX)
 * or -1 if kid_len > OSC_ID_MAX or piv_len > 5.
 */
int osc_aad(uint8_t out[OSC_AAD_MAX], const struct cry_alg *alg, const uint8_t *kid,
	    size_t kid_len, const uint8_t *piv, size_t piv_len);

#endif
