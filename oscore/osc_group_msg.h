/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group OSCORE messages (RFC 10021 §7 group mode, §8 pairwise mode): protect, and verify in two
 * stages so that a gateway batches the AEAD on its workers and checks signatures on the control
 * plane:
 *
 *   osc_group_rx_parse -> (find the member by kid and Gid) -> osc_group_rx_prepare
 *     -> AEAD on r->rx.op, batched with other messages (stage a; osc_group_rx_aead says how it went)
 *     -> osc_group_rx_finish (stage b: decrypt and verify the countersignature, only then commit
 *        the replay window and release the plaintext, §7.2)
 *
 * Pairwise-mode messages have no signature; their stage b only commits and rebuilds.
 */
#ifndef OSC_GROUP_MSG_H
#define OSC_GROUP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscore/osc_group.h"
#include "oscore/osc_protect.h"

/* What binds a response to a request (§3.4: request_kid, request_piv, request_kid_context). */
struct osc_group_exchange {
	struct osc_exchange ex;        /* the request's kid, Partial IV, nonce, Observe */
	uint8_t gid[OSC_ID_CTX_MAX];   /* the request's kid context */
	uint8_t gid_len;
	bool group_mode;               /* the request's mode */
};

enum osc_group_tx_flags {
	OSC_GTX_OWN_PIV = OSC_F_OWN_PIV, /* response: own Partial IV (§7.3: not the first response,
					  * or a different context than the request's) */
	OSC_GTX_NO_KID = 1 << 4,         /* pairwise response: leave 'kid' out (group mode always
					  * sends it, §3.2) */
};

/*
 * Protect the plain CoAP request in[0..len) into out[0..cap): in group mode (to == NULL; one
 * countersignature, for any number of recipients) or in pairwise mode towards member to. Takes an
 * SSN from g's one SSN space; 'kid context' carries the Gid (§3.2). ex receives what the
 * responses are bound to. Synchronous, on engine e; signs with OpenSSL (control plane).
 * Returns the length or -(enum osc_err): OSC_ERR_MODE if g does not use that mode.
 */
int osc_group_protect_request(struct cry_engine *e, struct osc_group *g,
			      const struct osc_member *to, const uint8_t *in, size_t len,
			      uint8_t *out, size_t cap, struct osc_group_exchange *ex);

/*
 * Protect the plain CoAP response in[0..len) to the request of ex from member to, in group mode
 * (group_mode; 'kid' always included) or pairwise mode. Without OSC_GTX_OWN_PIV the nonce is the
 * request's (§3.3); 'kid context' is sent when g's Gid differs from the request's (rekeyed,
 * §7.3). Returns the length or -(enum osc_err).
 */
int osc_group_protect_response(struct cry_engine *e, struct osc_group *g,
			       const struct osc_member *to, bool group_mode,
			       const struct osc_group_exchange *ex, const uint8_t *in, size_t len,
			       uint8_t *out, size_t cap, unsigned flags);

/* Receive-side state of one message; the caller sets rx.plain, rx.plain_cap and rx.flags. */
struct osc_grx {
	struct osc_rx rx;
	struct osc_member *m;
	const struct osc_group_exchange *gex; /* NULL for a request */
	const uint8_t *optval;                /* the OSCORE option value in the message */
	uint16_t optlen;
	uint16_t arr_off, arr_len;            /* aad_array inside aad */
	bool group_mode;                      /* Group Flag set (§4.1) */
	uint8_t aad[OSC_GROUP_AAD_MAX];
};

/*
 * Parse buf[0..len) (which must outlive r) as a Group OSCORE request or response: CoAP, the
 * OSCORE option with the Group Flag allowed; a request must carry kid, Partial IV and kid context
 * (§3.2), a group-mode response kid. Returns and sets r->rx.err (enum osc_err).
 */
int osc_group_rx_parse(struct osc_grx *r, const uint8_t *buf, size_t len, bool is_request);

/* Is m the member a parsed message comes from: its kid (when present) is m's Sender ID and its
 * kid context (when present) g's Gid? */
bool osc_group_matches(const struct osc_member *m, const struct osc_option *o);

/*
 * With the member m found (and gex for a response, NULL for a request): the checks of §6 (mode
 * used by the group; our own Sender ID as kid refused), read-only replay check of a request,
 * nonce, external_aad, and r->rx.op set to decrypt with the Recipient Key (group mode) or the
 * Pairwise Recipient Key. Returns and sets r->rx.err.
 */
int osc_group_rx_prepare(struct osc_grx *r, struct osc_member *m,
			 const struct osc_group_exchange *gex);

/*
 * Stage a ran elsewhere (a worker's batch): after osc_group_rx_parse and osc_group_rx_prepare of
 * the same message, take its plaintext plain[0..len) as r->rx.op's output, so that
 * osc_group_rx_finish checks the signature here. Returns OSC_OK, or OSC_ERR_BAD_INPUT when len is
 * not the ciphertext's length.
 */
int osc_group_rx_adopt(struct osc_grx *r, const uint8_t *plain, size_t len);

/* Stage a's verdict once r->rx.op completed: OSC_OK, OSC_ERR_DECRYPT or OSC_ERR_CRYPTO. */
int osc_group_rx_aead(struct osc_grx *r);

/*
 * Stage b: in group mode decrypt the countersignature with the keystream (§4.2) and verify it
 * with the member's public key; then commit a request's Partial IV to the member's window and
 * write the plain CoAP message to out[0..cap). A failed signature leaves the window untouched
 * and wipes the plaintext (OSC_ERR_SIGNATURE). Returns the length or -(enum osc_err)
 * (OSC_ERR_WINDOW_UNKNOWN as osc_rx_finish). In group mode it verifies a signature with
 * OpenSSL, which allocates: control plane. In pairwise mode it neither signs nor allocates, so a
 * worker may run it right after stage a.
 */
int osc_group_rx_finish(struct osc_grx *r, uint8_t *out, size_t cap);

/* The exchange a verified request binds its responses to. */
void osc_group_rx_exchange(const struct osc_grx *r, struct osc_group_exchange *gex);

/*
 * One message through all stages on engine e, for member m (NULL: the message's kid decides
 * among members[0..n)). Returns the plain length or -(enum osc_err); a verified request fills
 * gex_out (may be NULL).
 */
int osc_group_unprotect(struct cry_engine *e, struct osc_member **members, unsigned n,
			const struct osc_group_exchange *gex, const uint8_t *in, size_t len,
			uint8_t *out, size_t cap, struct osc_group_exchange *gex_out);

#endif
