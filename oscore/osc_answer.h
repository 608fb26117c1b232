/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one answer builder: the header of an answer to a request (RFC 7252 §5.2), the unprotected
 * error answer of RFC 8613 §8.2, and the protected answer bound to the request's exchange (§8.3)
 * with the App. B.1.1 rule for a fresh Partial IV that is not yet durable. Workers (burst form,
 * osc_answer_prepare) and the control plane (one message, osc_answer_protect) use the same code.
 */
#ifndef OSC_ANSWER_H
#define OSC_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscore/osc_protect.h"

/*
 * Answer flag beside enum osc_flags: with OSC_F_OWN_PIV, when the next SSN is not yet durable
 * (OSC_ERR_SSN_LIMIT, App. B.1.1), answer 5.03 Service Unavailable without payload on the
 * request's nonce instead (§8.3). Only for a request whose Partial IV was committed to the
 * window: an unverified or replayable request must never get an answer on its nonce.
 */
#define OSC_ANS_DURABLE_503 (1u << 8)

/*
 * The answer's header for request req with code: a CON request is answered piggybacked in the
 * ACK with its Message ID, anything else with a NON and the Message ID *next_mid (which is then
 * advanced); the request's token (pointed to, not copied: it must outlive ans). No options, no
 * payload.
 */
void osc_answer_header(struct osc_coap_msg *ans, const struct osc_coap_msg *req, uint8_t code,
		       uint16_t *next_mid);

/*
 * The code the gateway answers a served request with in respond mode: 2.05 Content for GET and
 * FETCH, 2.04 Changed for any other method.
 */
uint8_t osc_answer_served_code(uint8_t req_code);

/*
 * RFC 8613 §8.2: the unprotected error answer to req: code, outer Max-Age 0, diag (NULL: none) as
 * payload, header as osc_answer_header. Encoded into out[0..cap); returns its length or -1 if it
 * does not fit.
 */
int osc_answer_error(const struct osc_coap_msg *req, uint8_t code, const char *diag,
		     uint16_t *next_mid, uint8_t *out, size_t cap);

/*
 * Prepare the protected form of the plain answer m to the request of ex under c into out[0..cap)
 * (tx->op then encrypts it in place). flags: OSC_F_OWN_PIV, OSC_F_KID_CTX, OSC_ANS_DURABLE_503.
 * With OSC_ANS_DURABLE_503 an OSC_ERR_SSN_LIMIT turns m into a 5.03 without payload protected on
 * the request's nonce, and *fell_back (if not NULL) is set. Returns OSC_OK or an enum osc_err.
 */
int osc_answer_prepare(struct osc_tx *tx, struct osc_ctx *c, const struct osc_exchange *ex,
		       struct osc_coap_msg *m, uint8_t *out, size_t cap, unsigned flags,
		       bool *fell_back);

/*
 * osc_answer_prepare for the request rx verified under rx->ctx, while rx is at hand (the
 * worker's answers): the AAD and nonce are the request's, taken from rx (osc_tx_prepare_reply)
 * instead of rebuilt from an exchange; the same bytes.
 */
int osc_answer_reply(struct osc_tx *tx, const struct osc_rx *rx, struct osc_coap_msg *m,
		     uint8_t *out, size_t cap, unsigned flags, bool *fell_back);

/* osc_answer_prepare run to completion on engine e: the length written to out, or
 * -(enum osc_err). */
int osc_answer_protect(struct cry_engine *e, struct osc_ctx *c, const struct osc_exchange *ex,
		       struct osc_coap_msg *m, uint8_t *out, size_t cap, unsigned flags,
		       bool *fell_back);

#endif
