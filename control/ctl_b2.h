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
 *
 * Wire forms: the kid context is the ID Context as is (RFC 8613 §6.1), or, as libcoap and
 * Californium send it in B.2 messages, the ID Context wrapped in a CBOR byte string (0x48 || R1
 * for an 8-byte R1) while keys derive from the raw value. Both are accepted; the trial decryption
 * tells them apart, and response #1 carries R2 in the form request #1 used.
 * Requests reach this only through the control plane (those with no matching context); the
 * table is the control plane's and is not safe against concurrent callers.
 */
#ifndef CTL_B2_H
#define CTL_B2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ctl_plane.h"
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

/* The template (0..n_tmpl, in the order ctl_b2_add added them) whose Recipient ID is kid, or -1. */
int ctl_b2_tmpl(const struct ctl_b2 *b, const uint8_t *kid, size_t kid_len);

/* Is kc[0..len) exactly one definite CBOR byte string of at most OSC_ID_CTX_MAX bytes? Then its
 * content goes to out[0..*out_len) (OSC_ID_CTX_MAX bytes of room). Decoded with libcbor. */
bool ctl_b2_unwrap(const uint8_t *kc, size_t len, uint8_t *out, size_t *out_len);

/*
 * Request #1 in[0..len) with a kid context R1 (1..OSC_ID_CTX_MAX - CTL_B2_R2_LEN bytes, raw or
 * CBOR-wrapped) and a kid of a template: verify it under ctx(R1) and write the protected 4.01
 * (kid context R2 in the request's form, protected with ctx(R2 || R1), reusing the request's
 * nonce as App. B.2 / KUDOS §3 allow since ctx(ID2) protects this one message; header as
 * osc_answer_header with next_mid) into out[0..cap). *wrapped (may be NULL): the request used
 * the wrapped form. Returns its length, -(enum osc_err) (OSC_ERR_NO_CONTEXT: no template or no
 * R1; OSC_ERR_DECRYPT ...), or CTL_B2_FULL.
 */
int ctl_b2_request1(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, const uint8_t *in,
		    size_t len, uint16_t *next_mid, uint8_t *out, size_t cap, bool *wrapped);

/*
 * Request #2 in[0..len) with kid context R2 || R3 (raw or CBOR-wrapped; *wrapped, may be NULL,
 * says which): if R2 was issued for this kid and has not
 * expired, derive ctx(R2 || R3) into *ctx (64-byte aligned, caller's) and its parameters into
 * *p, verify the request with it, and on success forget R2 and write the plain request to
 * plain[0..cap) and its exchange to ex (the response to #2 is protected with *ctx). The caller
 * installs *ctx in place of the old context for this kid (and stores *p). Returns the plain
 * length or -(enum osc_err); on failure *ctx is wiped and R2 stays issued.
 */
int ctl_b2_request2(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, const uint8_t *in,
		    size_t len, struct osc_ctx *ctx, struct osc_params *p, uint8_t *plain,
		    size_t cap, struct osc_exchange *ex, bool *wrapped);

/*
 * The App. B.2 server as a control-plane handler (kind CTL_KIND_NO_CONTEXT): request #1 gets its
 * 4.01 with R2; a verified request #2 installs ctx(R2 || R3) through the environment (stored with
 * "state_db", published through the table) in place of the template's context or the one B.2
 * derived before, and is answered as the gateway answers any request (respond mode: 2.05/2.04,
 * own Partial IV if own_piv; forward mode: a protected 5.03, the device repeats it on the new
 * context). Anything else gets the §8.2 answer the worker would have given.
 */
struct ctl_b2_server;

/* A server whose R2 values live lifetime seconds. NULL when out of memory. */
struct ctl_b2_server *ctl_b2_server_new(uint32_t lifetime, bool own_piv, bool forward);

/* Wipe and free. */
void ctl_b2_server_free(struct ctl_b2_server *s);

/* Allow App. B.2 for the context configured as p (ctl_b2_add; p's ID Context is the one the
 * first re-derivation replaces). Returns 0 or -1. */
int ctl_b2_server_add(struct ctl_b2_server *s, const struct osc_params *p);

/* The handler (arg: the struct ctl_b2_server). */
int ctl_b2_handler(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		   size_t cap);

#endif
