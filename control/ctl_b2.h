/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8613 App. B.2, server side: re-deriving a context with a fresh ID Context, for a client
 * that lost its state (or a server that did). Only the ID Context changes; Master Secret, Salt,
 * Sender and Recipient IDs come from a configured template.
 *
 *   #1  client -> kid context R1, protected with ctx(R1)            -> ctl_b2_request1()
 *       server verifies under ctx(R1), picks a fresh random R2, answers 4.01 protected with
 *       ctx(R2 || R1) carrying kid context R2, and remembers R2 (bounded table)
 *   #2  client -> kid context R2 || R3, protected with ctx(R2 || R3) -> ctl_b2_request2()
 *       server checks that it issued R2 for this kid, verifies under ctx(R2 || R3), which then
 *       replaces the old context; R2 is forgotten
 *
 * Note the order of concatenation: ID2 = R2 || R1 and ID3 = R2 || R3 (server nonce first).
 * Requests reach this only through the control plane (those with no matching context); the
 * table is the control plane's and is not safe against concurrent callers.
 */
#ifndef CTL_B2_H
#define CTL_B2_H

#include <stddef.h>
#include <stdint.h>

#include "oscore/osc_protect.h"

#define CTL_B2_R2_LEN 8     /* R2 length; App. B.2 leaves it to the application (>= 8) */
#define CTL_B2_SLOTS 256    /* R2 values outstanding at once */
#define CTL_B2_TEMPLATES 64
#define CTL_B2_FULL (-1000) /* no free R2 slot: answer an unprotected 5.03 (App. B.2.1) */

struct ctl_b2_slot {
	uint8_t r2[CTL_B2_R2_LEN];
	uint32_t expiry;  /* 0 = free */
	uint16_t tmpl;
};

struct ctl_b2 {
	struct osc_params tmpl[CTL_B2_TEMPLATES]; /* gateway's view; ID Context unused */
	unsigned n_tmpl;
	uint32_t lifetime;                        /* seconds an R2 stays usable */
	struct ctl_b2_slot slot[CTL_B2_SLOTS];
};

/* An empty table whose R2 values live lifetime seconds. */
void ctl_b2_init(struct ctl_b2 *b, uint32_t lifetime);

/* Zero b (templates hold Master Secrets). */
void ctl_b2_wipe(struct ctl_b2 *b);

/* Allow App. B.2 for the parameters p (its ID Context is ignored). Returns 0, or -1 if the
 * table is full or p already has a template with its Recipient ID. */
int ctl_b2_add(struct ctl_b2 *b, const struct osc_params *p);

/*
 * Request #1 in[0..len) with a kid context R1 (1..OSC_ID_CTX_MAX - CTL_B2_R2_LEN bytes) and a
 * kid of a template: verify it under ctx(R1) and write the protected 4.01 (kid context R2,
 * protected with ctx(R2 || R1), reusing the request's nonce as App. B.2 / KUDOS §3 allow since
 * ctx(ID2) protects this one message) into out[0..cap). Returns its length, -(enum osc_err)
 * (OSC_ERR_NO_CONTEXT: no template or no R1; OSC_ERR_DECRYPT ...), or CTL_B2_FULL.
 */
int ctl_b2_request1(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, const uint8_t *in,
		    size_t len, uint8_t *out, size_t cap);

/*
 * Request #2 in[0..len) with kid context R2 || R3: if R2 was issued for this kid and has not
 * expired, derive ctx(R2 || R3) into *ctx (64-byte aligned, caller's) and its parameters into
 * *p, verify the request with it, and on success forget R2 and write the plain request to
 * plain[0..cap) and its exchange to ex (the response to #2 is protected with *ctx). The caller
 * installs *ctx in place of the old context for this kid (and stores *p). Returns the plain
 * length or -(enum osc_err); on failure *ctx is wiped and R2 stays issued.
 */
int ctl_b2_request2(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, const uint8_t *in,
		    size_t len, struct osc_ctx *ctx, struct osc_params *p, uint8_t *plain,
		    size_t cap, struct osc_exchange *ex);

#endif
