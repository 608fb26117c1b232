/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control-plane transport: messages that workers hand over (control/ctl_plane.h says which
 * and who serves them) leave the worker for the control (main) lcore over one multi-producer
 * ring; the control lcore's answer, already on-the-wire bytes, comes back over the worker's own
 * reply ring and the worker transmits it (the control lcore never touches a worker's tx queue).
 * Messages come from a per-worker preallocated pool and return to it with the reply, so nothing is
 * allocated per request on either side. No protocol lives here: the transport carries the job
 * (kind, peer, context handle, exchange, up to CTL_MSG_MAX bytes), refuses a job whose context
 * handle went stale, and gives handlers their environment (context lookup by handle, install and
 * remove through dp_state and the RCU-published table, counters).
 *
 * Memory: DP_CTL_MSGS messages per worker of one CTL_MSG_MAX buffer each (the request in, then
 * the answer out: the handler writes to the control lcore's scratch buffer, copied back once the
 * request is consumed), about 264 KB per worker.
 */
#ifndef DP_CTL_RING_H
#define DP_CTL_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "control/ctl_plane.h"
#include "dataplane/dp_classify.h"
#include "dataplane/dp_stats.h"
#include "oscore/osc_protect.h"

#define DP_CTL_MSGS 64       /* messages per worker in flight to the control lcore */
#define DP_CTL_FRAMES 256    /* datagrams the control lcore originates, per side, waiting */

/* One job on its way to the control lcore and back with its answer. */
struct dp_ctl_msg {
	struct rte_mbuf *m;        /* the request's frame; the answer is written into it */
	struct dp_flow f;
	uint64_t dedup_ref;        /* the worker's deduplication entry, or 0 */
	struct ctl_peer peer;
	struct ctl_ctx_handle ctx; /* gen 0: no context */
	struct osc_exchange ex;    /* what a protected answer binds to */
	struct ctl_group_handle member; /* GROUP: the Group OSCORE member */
	uint16_t plain_off;        /* GROUP: where the worker's plaintext starts in data */
	unsigned worker;
	uint8_t kind;              /* enum ctl_kind */
	uint16_t req_len;
	uint16_t ans_len;          /* 0: no answer, the worker drops the request */
	bool resume;               /* ctl_resume: the worker takes data[0..req_len) on as a verified
				    * request under ctx; fb[0..ans_len) is the answer if it cannot */
	uint8_t fb[CTL_FALLBACK_MAX];
	uint8_t data[CTL_MSG_MAX]; /* the request as handed over, then the answer as sent (or the
				    * request to resume) */
};

struct dp_ctl;
struct dp_ctx_table;
struct dp_state;

/*
 * Rings and message pools for n_workers workers, serving jobs with the handlers of plane (which
 * the caller keeps, registers into before workers start, and frees after dp_ctl_free). Contexts
 * by handle from t; installs and removals through s (may be NULL: then handlers cannot install).
 * NULL when out of memory.
 */
struct dp_ctl *dp_ctl_new(unsigned n_workers, struct ctl_plane *plane, struct dp_ctx_table *t,
			  struct dp_state *s, int socket);

/* Free everything, with the frames still held by messages. Workers must have stopped. */
void dp_ctl_free(struct dp_ctl *c);

/* Worker: does the control plane take a request of kind with header m (ctl_plane_wants)?
 * False when c is NULL. */
bool dp_ctl_wants(const struct dp_ctl *c, enum ctl_kind kind, const struct osc_coap_msg *m);

/*
 * Worker: hand the message msg[0..len) (frame m, flow f) of kind over; ctx (a context the worker
 * holds under RCU, passed on as a handle) and ex for a verified one, else NULL. Returns 0 when m
 * now belongs to the message, or -1 (no message free or message too long; counted
 * DP_CTL_RING_FULL) when the caller still owns m.
 */
int dp_ctl_handoff(struct dp_ctl *c, unsigned worker, struct rte_mbuf *m, const struct dp_flow *f,
		   uint64_t dedup_ref, enum ctl_kind kind, const uint8_t *msg, uint16_t len,
		   const struct osc_ctx *ctx, const struct osc_exchange *ex, struct dp_stats *st);

/*
 * Worker: hand a Group OSCORE request over (CTL_KIND_GROUP): the message msg[0..len) as received
 * followed by plain[0..plain_len) (the plaintext of stage a; the signature unchecked in group
 * mode, the window uncommitted in both), for member h. Returns as dp_ctl_handoff.
 */
int dp_ctl_handoff_group(struct dp_ctl *c, unsigned worker, struct rte_mbuf *m,
			 const struct dp_flow *f, uint64_t dedup_ref, const uint8_t *msg,
			 uint16_t len, const uint8_t *plain, uint16_t plain_len,
			 struct ctl_group_handle h, struct dp_stats *st);

/* Worker: up to max answered messages back from the control lcore. */
unsigned dp_ctl_replies(struct dp_ctl *c, unsigned worker, struct dp_ctl_msg **out, unsigned max);

/* Worker: return a message (its frame taken or freed) to the worker's pool. */
void dp_ctl_msg_put(struct dp_ctl *c, struct dp_ctl_msg *msg);

/* Control lcore, before workers start: frames the control plane originates (ctl_platform.send)
 * come from mp, with the gateway's addresses on the device side (addrs) and on the upstream's
 * own port (up_addrs, may equal addrs). Without it, send fails. */
void dp_ctl_set_frames(struct dp_ctl *c, struct rte_mempool *mp, const struct dp_addrs *addrs,
		       const struct dp_addrs *up_addrs);

/* Worker: up to max frames the control lcore built for side (0: device side, 1: the upstream's
 * own port), now the worker's to transmit. */
unsigned dp_ctl_frames(struct dp_ctl *c, unsigned worker, unsigned side, struct rte_mbuf **out,
		       unsigned max);

/* Worker: its messages not yet back from the control lcore. */
unsigned dp_ctl_outstanding(const struct dp_ctl *c, unsigned worker);

/* Control lcore: serve every queued job (a stale context handle is refused, counted
 * DP_CTL_STALE, before any handler sees it) and send the answers back. st: the control lcore's
 * counters. Returns how many were served. */
unsigned dp_ctl_service(struct dp_ctl *c, struct dp_stats *st);

/* Control lcore: a handler environment for work that is no job (a handler's periodic tick:
 * expiries), counting into st. It cannot resume jobs. */
void dp_ctl_env(struct dp_ctl *c, struct dp_stats *st, struct ctl_env *env);

#endif
