/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Protecting and verifying OSCORE messages (RFC 8613 §8), as stages a burst loop can run over many
 * messages with one AEAD call in between, and as one-message functions built from those stages.
 *
 * Receive:  osc_rx_parse -> (find the context) -> osc_rx_prepare -> AEAD on rx->op -> osc_rx_finish
 * Send:     osc_tx_prepare_{request,response} -> AEAD on tx->op (encrypts in place in the output)
 */
#ifndef OSC_PROTECT_H
#define OSC_PROTECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cry_aead.h"
#include "oscore/osc_coap.h"
#include "oscore/osc_context.h"
#include "oscore/osc_error.h"
#include "oscore/osc_option.h"

/* What binds a response to its request (§7.1): the request's kid, Partial IV and nonce. */
struct osc_exchange {
	uint8_t kid[OSC_ID_MAX];
	uint8_t piv[OSC_PIV_MAX];
	uint8_t nonce[CRY_NONCE_MAX];
	uint8_t kid_len;
	uint8_t piv_len;
	bool observe; /* the request carried Observe */
};

enum osc_flags {
	OSC_F_KID_CTX = 1 << 0,  /* send kid context (requests: §5; responses: App. B.2 only) */
	OSC_F_OWN_PIV = 1 << 1,  /* response: fresh Partial IV from the sender's SSN (§8.3) */
	/* with OSC_F_KID_CTX: the kid context as a CBOR byte string (bstr of the ID Context), the
	 * App. B.2 wire form of libcoap and Californium; keys still derive from the raw value */
	OSC_F_KID_CTX_CBOR = 1 << 2,
};

/* Receive flags the caller sets in osc_rx.flags; the stages keep them. */
enum osc_rx_flags {
	/* Group OSCORE (RFC 10021 §4.1): the Group Flag is allowed in the OSCORE option. */
	OSC_RX_GROUP = 1 << 1,
	/* Load tests replaying one capture in a loop: a replayed Partial IV is reported in rx->replay
	 * but the message is processed anyway. Never for production traffic. */
	OSC_RX_LOADTEST = 1 << 0,
};

/* Plaintext scratch one message needs: the inner message plus 3 bytes to rebuild a header. */
#define OSC_PLAIN_HEADROOM 3

/* Receive-side state of one message; lives in the caller's memory (per worker, per burst slot). */
struct osc_rx {
	struct cry_op op;
	struct osc_coap_msg outer;
	struct osc_option opt;
	struct osc_ctx *ctx;
	const struct osc_exchange *ex; /* NULL for a request */
	uint8_t *plain;                /* caller's buffer: OSC_PLAIN_HEADROOM + payload length */
	uint32_t plain_cap;
	uint64_t piv;                  /* Partial IV as a number */
	uint8_t nonce[CRY_NONCE_MAX];
	uint8_t aad[OSC_AAD_MAX];
	uint8_t err;                   /* enum osc_err: why it stopped, OSC_OK while it goes on */
	uint8_t replay;                /* enum osc_replay_verdict of the request's Partial IV */
	uint8_t flags;                 /* enum osc_rx_flags, set by the caller */
	bool observe;                  /* the verified message carries an inner Observe */
	uint32_t out_len;              /* OSC_ERR_WINDOW_UNKNOWN: length of the plain request */
};

/*
 * Parse buf[0..len) as an OSCORE request (is_request) or response: the CoAP message and its OSCORE
 * option (flags, Partial IV, kid context, kid). A request must carry kid and Partial IV (§5).
 * rx->outer points into buf, which must outlive rx. Returns and sets rx->err (enum osc_err).
 */
int osc_rx_parse(struct osc_rx *rx, const uint8_t *buf, size_t len, bool is_request);

/*
 * With the context found for rx (and, for a response, the request's exchange ex; NULL for a
 * request): replay check of a request (read-only), nonce and AAD, and rx->op set up to decrypt
 * into rx->plain. Returns and sets rx->err.
 */
int osc_rx_prepare(struct osc_rx *rx, struct osc_ctx *ctx, const struct osc_exchange *ex);

/*
 * After rx->op completed: a request's Partial IV is committed to the replay window (only now, after
 * the tag verified, §8.2 step 6), and the plain CoAP message (decrypted code, inner options merged
 * with the outer Class U ones, payload; no OSCORE option) is written to out[0..cap).
 * Returns its length, or -(enum osc_err) and sets rx->err.
 * A request on a context whose window is unknown (App. B.1.2) is verified and rebuilt into out
 * (length in rx->out_len) but not committed: it returns -OSC_ERR_WINDOW_UNKNOWN with
 * rx->replay = OSC_REPLAY_UNKNOWN, and must not be processed before the window is reset.
 */
int osc_rx_finish(struct osc_rx *rx, uint8_t *out, size_t cap);

/*
 * osc_rx_finish in two halves, for a caller that may not need the plain request (the gateway
 * answering a request itself reads only its code; control paths and ACE scopes read Uri-Path and
 * Uri-Query, Class E options, which are all inner, §4.1). osc_rx_finish_inner does the same commit
 * and the same checks of the inner message (§5.3, §4.1.3.7) and returns 0 with the inner message
 * in *inner (pointing into rx->plain), or what osc_rx_finish returns on failure; only for
 * OSC_ERR_WINDOW_UNKNOWN is the plain request written to out[0..cap) (length in rx->out_len).
 * osc_rx_rebuild_inner then writes the plain request from *inner (merged with the outer Class U
 * options; *inner is changed) to out[0..cap): its length or -(enum osc_err), rx->err set.
 */
int osc_rx_finish_inner(struct osc_rx *rx, struct osc_coap_msg *inner, uint8_t *out, size_t cap);
int osc_rx_rebuild_inner(struct osc_rx *rx, struct osc_coap_msg *inner, uint8_t *out, size_t cap);

/* The exchange a verified request binds its response to. */
void osc_rx_exchange(const struct osc_rx *rx, struct osc_exchange *ex);

/* Send-side state of one message. */
struct osc_tx {
	struct cry_op op;
	uint8_t nonce[CRY_NONCE_MAX];
	uint8_t aad[OSC_AAD_MAX];
	uint32_t len;                  /* length of the protected message in out */
};

/*
 * Write the protected form of the plain request m to out[0..cap) with the plaintext in place of
 * the ciphertext, and set up tx->op to encrypt it there; uses and advances c's SSN (atomically).
 * ex receives what the response will be bound to. flags: OSC_F_KID_CTX.
 * Returns OSC_OK or an enum osc_err (OSC_ERR_SSN_EXHAUSTED, OSC_ERR_TOO_BIG, OSC_ERR_BAD_INPUT).
 */
int osc_tx_prepare_request(struct osc_tx *tx, struct osc_ctx *c, const struct osc_coap_msg *m,
			   uint8_t *out, size_t cap, unsigned flags, struct osc_exchange *ex);

/*
 * The same for the plain response m to the request of ex. With OSC_F_OWN_PIV the response takes a
 * fresh Partial IV from c's SSN and sends it (required for Observe notifications after the first,
 * §8.3.1); otherwise it reuses the request's nonce and sends no Partial IV.
 */
int osc_tx_prepare_response(struct osc_tx *tx, struct osc_ctx *c, const struct osc_exchange *ex,
			    const struct osc_coap_msg *m, uint8_t *out, size_t cap, unsigned flags);

/*
 * The same for the plain response m to the request rx verified (rx->op completed with CRY_OK;
 * anything else is OSC_ERR_BAD_INPUT) under rx->ctx, while rx is still at hand: the request's
 * AAD (§5.4: request_kid and request_piv also when the response has its own Partial IV) and
 * nonce are taken from rx instead of rebuilt from an exchange. Same bytes as
 * osc_tx_prepare_response with osc_rx_exchange(rx). rx may be overwritten once this returns.
 */
int osc_tx_prepare_reply(struct osc_tx *tx, const struct osc_rx *rx, const struct osc_coap_msg *m,
			 uint8_t *out, size_t cap, unsigned flags);

/*
 * Take the next Sender Sequence Number from *ssn (atomically, §7.2) if it is below *limit (App.
 * B.1.1) and 2^40; its Partial IV into piv. Returns OSC_OK, OSC_ERR_SSN_EXHAUSTED or
 * OSC_ERR_SSN_LIMIT. Group OSCORE's one SSN space per Sender Context uses it too.
 */
int osc_ssn_next(uint64_t *ssn, const uint64_t *limit, uint8_t piv[OSC_PIV_MAX],
		 uint8_t *piv_len);

struct osc_opt_split;

/*
 * Lay out the protected form of m (whose options sp split, §4.1) in out[0..cap): outer header
 * with the outer code of §4.2, Class U options with the OSCORE option optval[0..optlen),
 * plaintext where the ciphertext goes, then room for the tag and trailer more bytes (Group
 * OSCORE's encrypted countersignature). tx->op.key must be set; tx->op.in/out/len/tag are
 * pointed at the plaintext and tag, tx->len is the whole length. Returns OSC_OK or
 * OSC_ERR_TOO_BIG.
 */
int osc_tx_layout(struct osc_tx *tx, struct osc_opt_split *sp, const struct osc_coap_msg *m,
		  bool response, const uint8_t *optval, int optlen, unsigned trailer, uint8_t *out,
		  size_t cap);

/*
 * A verified request's Partial IV committed to window w (§7.4; only after verification, and in
 * Group OSCORE's group mode only after the signature too, RFC 10021 §7.2). Returns OSC_OK (also
 * for a response, which has no window), OSC_ERR_REPLAY / OSC_ERR_TOO_OLD (rx->err set; not with
 * OSC_RX_LOADTEST), or OSC_ERR_WINDOW_UNKNOWN with nothing committed (App. B.1.2).
 */
int osc_rx_commit(struct osc_rx *rx, struct osc_replay *w);

/*
 * After rx->op verified (and, in Group OSCORE's group mode, the signature too): parse the
 * plaintext as the inner message (§5.3) and write the plain CoAP message (inner options merged
 * with the outer Class U ones) to out[0..cap). Commits nothing. Returns its length or
 * -(enum osc_err) and sets rx->err.
 */
int osc_rx_rebuild(struct osc_rx *rx, uint8_t *out, size_t cap);

/* Largest plain message the one-message functions below take. */
#define OSC_MSG_MAX 4096

/*
 * One message at a time, synchronously on engine e. Each returns the length written to out, or
 * -(enum osc_err). The request functions fill ex (unprotect: for the response; protect: to verify
 * the response). ex is read by the response functions.
 */
int osc_protect_request(struct cry_engine *e, struct osc_ctx *c, const uint8_t *in, size_t len,
			uint8_t *out, size_t cap, unsigned flags, struct osc_exchange *ex);
int osc_protect_response(struct cry_engine *e, struct osc_ctx *c, const struct osc_exchange *ex,
			 const uint8_t *in, size_t len, uint8_t *out, size_t cap, unsigned flags);
int osc_unprotect_request(struct cry_engine *e, struct osc_ctx *c, const uint8_t *in, size_t len,
			  uint8_t *out, size_t cap, struct osc_exchange *ex);
int osc_unprotect_response(struct cry_engine *e, struct osc_ctx *c, const struct osc_exchange *ex,
			   const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/*
 * Does the context c serve a request with option o? kid must equal c's Recipient ID and, if the
 * request carries a kid context, it must equal c's ID Context (§5).
 */
bool osc_ctx_matches(const struct osc_ctx *c, const struct osc_option *o);

/* Finds the candidate contexts for a request's option: up to max of them, into out; returns
 * how many. Several when Recipient IDs collide; they are tried in turn. */
typedef unsigned (*osc_lookup_fn)(void *arg, const struct osc_option *o, struct osc_ctx **out,
				  unsigned max);

/* Candidates tried per request when Recipient IDs collide (bounded trial decryption, §3.3). */
#define OSC_MAX_CANDIDATES 4

/*
 * Burst form of request verification: rx[0..n) have buf/len pairs parsed by the caller's loop
 * or here (in[i], len[i]); every message goes through parse, lookup, replay check, one AEAD call
 * for the whole burst on e, verify, commit and rebuild into out[i] (cap bytes each, lengths to
 * out_len[i]). Survivors come first in rx[] (with out/out_len permuted alike), failed ones after
 * them with rx[i]->err set. Returns the number of survivors.
 */
unsigned osc_unprotect_burst(struct cry_engine *e, struct osc_rx **rx, const uint8_t **in,
			     const size_t *len, uint8_t **out, size_t cap, size_t *out_len,
			     unsigned n, osc_lookup_fn lookup, void *arg);

#endif
