/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forward mode as an RFC 7641 §5 intermediary: one upstream registration per resource (the
 * request's inner options but Observe, so Uri-Path, Uri-Query, Accept, ...), shared by every
 * device observing it. A registration has its own gateway token towards the upstream and a list
 * of observers, the devices' exchanges (struct dp_xchg, each with its context handle, token and
 * Partial IV state), linked through their prev/next fields: join, leave and the next observer of
 * a fan-out are O(1); nothing scans the table. A notification from the upstream is held (its
 * mbuf) until every observer got it, a few per worker iteration (as many as the worker has
 * slots). One per worker, sized at start; nothing here allocates or locks afterwards.
 */
#ifndef DP_FWD_OBSERVE_H
#define DP_FWD_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/dp_exchange.h"
#include "oscore/osc_coap.h"

#define DP_FOBS_KEY_MAX 124 /* route, method and the encoded options: longer is not shared */

/* What identifies an upstream registration (zero padded: an rte_hash key; 4-byte aligned, as
 * rte_jhash reads it by 32-bit words). */
struct dp_fobs_key {
	uint32_t len;
	uint8_t b[DP_FOBS_KEY_MAX];
};
_Static_assert(sizeof(struct dp_fobs_key) % 4 == 0, "rte_jhash reads whole 32-bit words");

struct dp_fobs;

/* A table of n registrations on socket, or NULL. */
struct dp_fobs *dp_fobs_new(unsigned n, int socket);
/* Frees the table and the notifications it holds. */
void dp_fobs_free(struct dp_fobs *o);

/*
 * The key of a registering request req (proxy options already stripped) towards upstream number
 * route: route, method and every option but Observe (RFC 7641 §5: requests that differ in other
 * options are different registrations). -1 if it does not fit DP_FOBS_KEY_MAX.
 */
int dp_fobs_key(struct dp_fobs_key *k, unsigned route, const struct osc_coap_msg *req);

/*
 * x (WAITING, its device's registration remembered) observes through the registration of k:
 * the existing open one or a new one (*fresh set). x leaves the registration it was in, if
 * another. tok receives the registration's gateway token, which the request to the upstream
 * carries (a new registration, or a re-registration that makes the upstream answer with the
 * current state, which every observer gets: RFC 7641 §3.3.1, §4.1). -1 when the table is full.
 */
int dp_fobs_join(struct dp_fobs *o, struct dp_xchg_table *xt, struct dp_xchg *x,
		 const struct dp_fobs_key *k, uint8_t tok[DP_XCHG_TOKEN_LEN], bool *fresh);

/*
 * x's device cancelled (RFC 7641 §3.6). If x is its registration's last observer, the
 * registration closes (no longer joinable) with x as its only member, tok receives its token and
 * true is returned: the device's cancellation goes upstream under it and deregisters there, and
 * its answer reaches x. Otherwise x leaves it and false is returned (others still observe).
 */
bool dp_fobs_cancel(struct dp_fobs *o, struct dp_xchg_table *xt, struct dp_xchg *x,
		    uint8_t tok[DP_XCHG_TOKEN_LEN]);

/*
 * x leaves its registration (if any); the last one out frees it (a notification still coming
 * from the upstream then finds no token and is reset, which ends it there, RFC 7641 §3.6).
 */
void dp_fobs_leave(struct dp_fobs *o, struct dp_xchg_table *xt, struct dp_xchg *x);

/* The registration a gateway token names, or DP_XCHG_NIL. */
uint32_t dp_fobs_find(const struct dp_fobs *o, const uint8_t *tok, unsigned tkl);

/* The upstream (route) registration r is with: its key's first byte. */
unsigned dp_fobs_route(const struct dp_fobs *o, uint32_t r);

/* Is registration r closing (its last observer's cancellation is under way)? */
bool dp_fobs_closing(const struct dp_fobs *o, uint32_t r);

/*
 * The upstream's answer m (its CoAP message at m's offset off, len bytes) to registration r goes
 * to every observer: held (a reference) in place of one not yet delivered to all, which the
 * observers that did not get it yet no longer need (RFC 7641 §3.4: only the newest counts).
 * final: it ends the registration (no Observe, or an error, §3.2): no one joins it any more.
 */
void dp_fobs_hold(struct dp_fobs *o, uint32_t r, struct rte_mbuf *m, uint16_t off,
		  uint16_t len, bool final);

/*
 * The next observer a held answer goes to, with the answer's bytes in *msg[0..*len) (valid until
 * the next call into this table), or NULL when no answer waits.
 */
struct dp_xchg *dp_fobs_next(struct dp_fobs *o, struct dp_xchg_table *xt, const uint8_t **msg,
			     uint16_t *len);

/* Registrations in use. */
unsigned dp_fobs_live(const struct dp_fobs *o);

#endif
