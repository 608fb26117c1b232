/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Why OSCORE processing of a message stopped, and what RFC 8613 §8.2 says to answer. One reason
 * per counter: the dataplane counts each of these separately.
 */
#ifndef OSC_ERROR_H
#define OSC_ERROR_H

#include <stdbool.h>
#include <stdint.h>

enum osc_err {
	OSC_OK = 0,
	OSC_ERR_COAP,            /* outer message is not valid CoAP (RFC 7252 §3) */
	OSC_ERR_NOT_OSCORE,      /* no OSCORE option */
	OSC_ERR_DUP_OPTION,      /* OSCORE option repeated (§2: not repeatable) */
	OSC_ERR_OPTION,          /* OSCORE option value malformed (§6.1) */
	OSC_ERR_NO_PIV,          /* request without Partial IV (§5) */
	OSC_ERR_NO_KID,          /* request without kid (§5) */
	OSC_ERR_NO_PAYLOAD,      /* OSCORE option but no payload (§2) */
	OSC_ERR_NO_CONTEXT,      /* no context for (kid, kid context) (§8.2 step 2) */
	OSC_ERR_REPLAY,          /* Partial IV seen before (§7.4) */
	OSC_ERR_TOO_OLD,         /* Partial IV below the replay window (§7.4) */
	OSC_ERR_SHORT_CIPHER,    /* ciphertext shorter than the tag */
	OSC_ERR_DECRYPT,         /* tag did not verify (§8.2 step 6) */
	OSC_ERR_INNER,           /* decrypted plaintext is not a valid inner message (§5.3) */
	OSC_ERR_NESTED,          /* inner OSCORE option (§4.1.3.7) */
	OSC_ERR_SSN_EXHAUSTED,   /* Sender Sequence Number past 2^40 - 1 (§7.2.1) */
	OSC_ERR_SSN_LIMIT,       /* next SSN not yet written ahead to durable storage (App. B.1.1) */
	OSC_ERR_TOO_BIG,         /* output does not fit the buffer */
	OSC_ERR_BAD_INPUT,       /* message to protect is not valid CoAP or not protectable */
	OSC_ERR_CRYPTO,          /* crypto backend failure */
	OSC_ERR_WINDOW_UNKNOWN,  /* request verified, but the replay window is unknown after a
				  * restart (App. B.1.2): the control plane answers 4.01 + Echo or
				  * resets the window on a valid Echo */
	OSC_ERR_MODE,            /* Group OSCORE: the Group Flag names a mode the group does not use
				  * (RFC 10021 §6), or a pairwise message without pairwise keys */
	OSC_ERR_OWN_KID,         /* Group OSCORE: kid is our own Sender ID (§7.2) */
	OSC_ERR_SIGNATURE,       /* Group OSCORE: countersignature did not verify (§7.2) */
	OSC_ERR__COUNT
};

/* A short constant name for err, as used in counters ("replay", "decrypt"). */
const char *osc_err_name(int err);

/* The CoAP response code to send for err (§8.2), or 0 when the message is dropped silently. */
uint8_t osc_err_coap_code(int err);

/* The diagnostic payload of §8.2 for err ("Replay detected"), or NULL for none. */
const char *osc_err_diag(int err);

#endif
