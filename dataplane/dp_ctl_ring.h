/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-plane hand-off: requests for control resources leave the worker for the control (main)
 * lcore over one multi-producer ring; the control lcore's answer, already on-the-wire bytes, comes
 * back over the worker's own reply ring and the worker transmits it (the control lcore never
 * touches a worker's tx queue). Messages come from a per-worker preallocated pool and return to it
 * with the reply, so nothing is allocated per request on either side.
 *
 * Which requests: unprotected ones (no OSCORE option) for /authz-info (RFC 9200 §5.10.1, ACE) or
 * /.well-known/edhoc (RFC 9528 §A.2), and verified OSCORE requests whose inner Uri-Path is one of
 * the configured "control_paths" or below it. A protected request's answer is protected by the
 * control lcore with the request's context and nonce (§8.3).
 */
#ifndef DP_CTL_RING_H
#define DP_CTL_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/dp_classify.h"
#include "dataplane/dp_config.h"
#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_stats.h"
#include "oscore/osc_protect.h"

#define DP_CTL_MSGS 64       /* messages per worker in flight to the control lcore */
#define DP_CTL_REQ_MAX 1024  /* longest plain request handed over */
#define DP_CTL_ANS_MAX 512   /* longest answer a handler may build */

/* Why a request went to the control lcore. */
enum dp_ctl_kind {
	DP_CTL_RESOURCE, /* a control resource (handlers below) */
	DP_CTL_B12,      /* verified, but its context's replay window is unknown (App. B.1.2) */
	DP_CTL_B2,       /* unverified: a kid context that names no context (App. B.2) */
};

/* One request on its way to the control lcore and back with its answer. */
struct dp_ctl_msg {
	struct rte_mbuf *m;        /* the request's frame; the answer is written into it */
	struct dp_flow f;
	uint64_t dedup_ref;        /* the worker's deduplication entry, or 0 */
	struct osc_ctx *ctx;       /* verified context of a protected request; NULL: unprotected */
	struct osc_exchange ex;    /* what the protected answer binds to */
	unsigned worker;
	uint8_t kind;              /* enum dp_ctl_kind */
	uint16_t req_len;
	uint16_t ans_len;          /* 0: no answer, the worker drops the request */
	bool forward;              /* App. B.1.2 accepted in forward mode: the worker forwards req
				    * under ref (ans: the fallback if it cannot) */
	struct dp_ctx_ref ref;     /* with forward: the context, by handle (STYLE.md §12) */
	uint8_t req[DP_CTL_REQ_MAX]; /* the plain CoAP request (decrypted if it was protected) */
	uint8_t ans[DP_CTL_ANS_MAX]; /* the answer as sent (protected if the request was) */
};

/*
 * A handler for one control resource: fill ans (code, options, payload pointing into buf[0..cap))
 * for the plain request req. protected_: req came through OSCORE. Returns 0, or -1 for no answer.
 * Header, token and (for a protected request) protection are done by the caller.
 */
typedef int (*dp_ctl_handler_fn)(const struct osc_coap_msg *req, bool protected_,
				 struct osc_coap_msg *ans, uint8_t *buf, size_t cap);

struct dp_ctl;

/* Rings and message pools for n_workers workers; paths from o. NULL when out of memory. */
struct dp_ctl *dp_ctl_new(unsigned n_workers, const struct dp_ops_config *o, int socket);

/* Free everything, with the frames still held by messages. Workers must have stopped. */
void dp_ctl_free(struct dp_ctl *c);

/* Serve path (absolute, "/authz-info") with fn; unregistered paths are answered 4.04 Not Found.
 * Main lcore, before workers start. Returns 0, or -1 when the table is full. */
int dp_ctl_register(struct dp_ctl *c, const char *path, dp_ctl_handler_fn fn);

/* Worker: is the unprotected request m for a control resource? */
bool dp_ctl_plain_match(const struct osc_coap_msg *m);

/* Worker: is the verified plain request m for a configured protected control path? */
bool dp_ctl_protected_match(const struct dp_ctl *c, const struct osc_coap_msg *m);

/*
 * Control lcore, before workers start: answer App. B.1.2 hand-offs (DP_CTL_B12) with Echo values
 * that live echo_lifetime seconds; own_piv: accepted requests are answered with a fresh Partial
 * IV ("response_piv": "own"); fwd_table: the context table when the gateway forwards (an
 * accepted request then goes back to its worker to be forwarded like any other, its context by
 * handle in fwd_table; a protected 5.03 only if that fails), NULL in respond mode. Returns 0, or
 * -1 if no random key.
 */
int dp_ctl_b12_setup(struct dp_ctl *c, uint32_t echo_lifetime, bool own_piv,
		     const struct dp_ctx_table *fwd_table);

struct dp_state;

/*
 * Control lcore, before workers start: RFC 8613 App. B.2 for the configured contexts
 * p[idx[0..n)] (ctl_b2 templates; their R2 values live r2_lifetime seconds). A derived
 * ctx(R2 || R3) goes into the table through state s (stored with "state_db") and replaces the
 * template's context or the one B.2 derived before. Returns 0, or -1 when out of memory or a
 * template is refused.
 */
int dp_ctl_b2_setup(struct dp_ctl *c, struct dp_state *s, struct dp_ctx_table *t,
		    const struct osc_params *p, const unsigned *idx, unsigned n, uint32_t r2_lifetime);

/*
 * Worker: pass the request (plain CoAP req[0..len), frame m) of kind (enum dp_ctl_kind) to the
 * control lcore; ctx and ex for a protected one, else NULL. Returns 0 when m now belongs to the message, or -1 (no message free,
 * ring full or request too long; counted DP_CTL_RING_FULL) when the caller still owns m.
 */
int dp_ctl_handoff(struct dp_ctl *c, unsigned worker, struct rte_mbuf *m, const struct dp_flow *f,
		   uint64_t dedup_ref, const uint8_t *req, uint16_t len, struct osc_ctx *ctx,
		   const struct osc_exchange *ex, enum dp_ctl_kind kind, struct dp_stats *st);

/* Worker: up to max answered messages back from the control lcore. */
unsigned dp_ctl_replies(struct dp_ctl *c, unsigned worker, struct dp_ctl_msg **out, unsigned max);

/* Worker: return a message (its frame taken or freed) to the worker's pool. */
void dp_ctl_msg_put(struct dp_ctl *c, struct dp_ctl_msg *msg);

/* Worker: its messages not yet back from the control lcore. */
unsigned dp_ctl_outstanding(const struct dp_ctl *c, unsigned worker);

/* Control lcore: answer every queued request and send it back. st: the control lcore's counters.
 * Returns how many were served. */
unsigned dp_ctl_service(struct dp_ctl *c, struct dp_stats *st);

#endif
