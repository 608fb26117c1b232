/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exchange table of forward mode: what the gateway must remember between sending a device's
 * request to the upstream and protecting the upstream's answer (RFC 8613 §8: Token -> security
 * context, request kid and Partial IV; kept for the life of an Observe registration, §7.1).
 * Bounded and allocated once per worker; an entry is found from the gateway's own token in O(1),
 * an observation also from its device's (context, token) in O(1) (RFC 7641 §3.6 deregistration,
 * which any device can send at line rate). Nothing here allocates or locks after creation.
 */
#ifndef DP_EXCHANGE_H
#define DP_EXCHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_frame.h"
#include "oscore/osc_protect.h"

#define DP_XCHG_TOKEN_LEN 8 /* 4 bytes index, 4 random (RFC 7252 §5.3.1: not guessable) */
#define DP_XCHG_NIL UINT32_MAX /* no entry (list links, no upstream registration) */

enum dp_xchg_state { DP_XCHG_FREE, DP_XCHG_WAITING, DP_XCHG_OBSERVING };

struct dp_xchg {
	struct dp_endpoint dev;      /* where answers go */
	struct ctl_ctx_handle ctx;       /* a handle: the context may be removed while we wait (§12) */
	struct osc_exchange ex;      /* binds answers to the device's request (§7.1) */
	uint64_t deadline;           /* TSC: the sweep looks at it then (min of until, con_at) */
	uint64_t until;              /* answer or notification expected by then */
	uint64_t con_due;            /* OBSERVING: notifications go CON from then (RFC 7641 §4.5) */
	uint64_t con_at;             /* the pending CON is sent again, or given up, then */
	uint64_t con_rto;            /* its current retransmission timeout (RFC 7252 §4.2) */
	struct rte_mbuf *con_frame;  /* the pending CON (a reference), to send again */
	uint64_t dd_ref;             /* the device CON's deduplication entry, until its answer */
	uint32_t nonce32;            /* the random half of the token */
	uint32_t notifications;      /* answers delivered so far on this exchange */
	uint32_t reg;                /* the shared upstream registration it observes through, or NIL */
	uint32_t prev, next;         /* the registration's observers (dp_fwd_observe.c) */
	uint16_t dev_mid, up_mid;
	uint16_t note_mid;           /* Message ID of the last NON or CON to the device */
	uint8_t con_tries;           /* retransmissions of the pending CON so far */
	uint8_t route;               /* the upstream it went to: 0 default, i + 1 "upstreams"[i] */
	bool con_pending;            /* a CON (to the device or the upstream) awaits its ACK */
	bool has_note_mid;
	uint8_t dev_token[COAP_TOKEN_MAX];
	uint8_t dev_tkl, dev_type;
	uint8_t state;               /* enum dp_xchg_state */
	bool indexed;                /* findable by dp_xchg_take_observation */
};

struct dp_xchg_table;

struct rte_mbuf;

/* A table of n entries on socket, or NULL. */
struct dp_xchg_table *dp_xchg_table_new(unsigned n, int socket);
void dp_xchg_table_free(struct dp_xchg_table *t);

/* A free entry, state WAITING, its token written to tok[DP_XCHG_TOKEN_LEN]; NULL when full. */
struct dp_xchg *dp_xchg_alloc(struct dp_xchg_table *t, uint8_t tok[DP_XCHG_TOKEN_LEN]);

/* The live entry a token names, or NULL (unknown, stale or wrong length). */
struct dp_xchg *dp_xchg_find(struct dp_xchg_table *t, const uint8_t *tok, unsigned tkl);

/*
 * e (its ctx and dev_token set) becomes an observation: state OBSERVING, and findable by
 * dp_xchg_take_observation. A newer observation under the same (ctx, token) takes the place of an
 * older one in the index. Returns 0, or -1 if the index refused it (it stays unfindable).
 */
int dp_xchg_observe(struct dp_xchg_table *t, struct dp_xchg *e);

/*
 * The observation that device token tok (tkl bytes) registered under context ctx, taken out of
 * the index and back to state WAITING, its gateway token written to gw_tok; NULL if none. O(1):
 * a deregistration or re-registration (RFC 7641 §3.6, §3.3.1) must reach the upstream with the
 * registration's token, so it reuses the observation's exchange.
 */
struct dp_xchg *dp_xchg_take_observation(struct dp_xchg_table *t, struct ctl_ctx_handle ctx,
					 const uint8_t *tok, unsigned tkl,
					 uint8_t gw_tok[DP_XCHG_TOKEN_LEN]);

/* Entry number i (< the table's size), and the number of e. */
struct dp_xchg *dp_xchg_at(struct dp_xchg_table *t, uint32_t i);
uint32_t dp_xchg_index(const struct dp_xchg_table *t, const struct dp_xchg *e);

/* Return e to the free list (and take it out of the observation index). */
void dp_xchg_release(struct dp_xchg_table *t, struct dp_xchg *e);

/*
 * A live entry whose deadline is before now, among the next few entries after the last call
 * (incremental sweep: bounded work per call, the whole table every n / DP_XCHG_SCAN calls).
 * The caller handles and releases it. NULL when none was found in this step.
 */
struct dp_xchg *dp_xchg_expired(struct dp_xchg_table *t, uint64_t now);

/* Live entries. */
unsigned dp_xchg_live(const struct dp_xchg_table *t);

#endif
