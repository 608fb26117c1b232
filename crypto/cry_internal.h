/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the files of crypto/ only; nothing here is part of the public API. */
#ifndef CRY_INTERNAL_H
#define CRY_INTERNAL_H

#include <limits.h>
#include <stdbool.h>

#include <intel-ipsec-mb.h>

#include "crypto/cry_aead.h"

static inline bool cry_overlaps_partially(const uint8_t *in, const uint8_t *out, uint32_t len)
{
	if (len == 0 || in == out)
		return false;
	return in < out + len && out < in + len;
}

/*
 * True if op can be run at all: key initialised, pointers present for the lengths given, lengths
 * within what the algorithm (and an int-sized OpenSSL call) allows, no partial overlap of in and
 * out. Both back ends check with this, so that they reject exactly the same ops. Inline: the
 * engine runs it on every op, and all it reads is the op and its key's first line.
 */
static inline bool cry_op_valid(const struct cry_op *op)
{
	const struct cry_key *k = op->key;
	const struct cry_alg *alg;

	if (k == NULL || (alg = k->alg) == NULL || op->nonce == NULL || op->tag == NULL)
		return false;
	if (op->dir != CRY_ENCRYPT && op->dir != CRY_DECRYPT)
		return false;
	if (alg->kind == CRY_KIND_GCM && k->gcm == NULL)
		return false;
	/* The OpenSSL path takes int lengths; OSCORE messages are far below this anyway. RFC 3610
	 * §2: with a 13-byte nonce the length field has L = 2 bytes, so at most 2^16 - 1. */
	if (op->len > INT_MAX || op->aad_len > INT_MAX ||
	    (alg->kind == CRY_KIND_CCM && alg->nonce_len == 13 && op->len > UINT16_MAX))
		return false;
	if (op->len != 0 && (op->in == NULL || op->out == NULL))
		return false;
	if (op->aad_len != 0 && op->aad == NULL)
		return false;
	return !cry_overlaps_partially(op->in, op->out, op->len);
}

/*
 * The process-wide IPsec-MB manager used only for key expansion (the expansion functions are
 * reached through a manager). Initialised once, on first use; read-only afterwards, so any thread
 * may use it. NULL if it could not be allocated.
 */
IMB_MGR *cry_keyexp_mgr(void);

/*
 * AES-CCM composed from IPsec-MB's multi-buffer AES-CBC (the CBC-MAC) and AES-CTR (cry_ccm_long.c),
 * for CCM ops IPsec-MB 1.3 refuses (AAD over 46 bytes, payload over 2^16 - 1). One per engine: it
 * has its own manager, so that its flushes never drain the engine's async lanes, and an arena in
 * which each message's CBC-MAC input is laid out.
 */
struct cry_ccm_long;

/* A new composer, or NULL (no memory, no AES-NI). */
struct cry_ccm_long *cry_ccm_long_new(void);

/* Free c (NULL is fine), wiping its arena. */
void cry_ccm_long_free(struct cry_ccm_long *c);

/* True if a valid CCM op fits one IPsec-MB CBC job (under 64 KB); others go to OpenSSL. */
bool cry_ccm_long_fits(const struct cry_op *op);

/*
 * Run the valid CCM ops[0..n), whose op->rk points at the AES round keys, to completion:
 * statuses, tags and (on decrypt failure) wiping exactly as the engine's own CCM path does.
 */
void cry_ccm_long_run(struct cry_ccm_long *c, struct cry_op **ops, unsigned n);

#endif
