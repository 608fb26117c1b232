/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forward (reverse-proxy) mode: a verified request goes to the upstream CoAP service as plain
 * CoAP from the gateway's own address and port, with the gateway's own token and Message ID; the
 * upstream's answer is matched by that token in the exchange table and handed back to the worker
 * to be protected for the device (RFC 8613 §8.3; own Partial IV for notifications, §8.3.1). The
 * worker owns the AEAD; this module owns the exchange table, the neighbours and the upstream's
 * transmit queue. One per worker: nothing here locks, and nothing allocates but mbufs.
 */
#ifndef DP_FORWARD_H
#define DP_FORWARD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "dataplane/dp_classify.h"
#include "control/ctl_config_fwd.h"
#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_frame.h"
#include "oscore/osc_protect.h"

struct dp_fwd;

/* What the worker protects and sends to a device: m for the device, with this key and flags. */
struct dp_fwd_job {
	struct osc_ctx *ctx;
	struct osc_exchange ex;
	struct dp_endpoint dev;
	unsigned flags;              /* 0 or OSC_F_OWN_PIV */
	uint64_t dd_ref;             /* the device CON's deduplication entry, or 0 */
	uint32_t con_x, con_nonce;   /* a CON notification: its exchange for dp_fwd_con_sent, or NIL */
	struct rte_mbuf *resend;     /* dp_fwd_expired: a CON notification to send again, or NULL */
	uint8_t token[COAP_TOKEN_MAX];
	struct osc_coap_msg msg;     /* plain answer; token points at token above */
};

/*
 * Per-worker state. dev: the client port's addresses; up: the upstream port's (the same when
 * one port serves both); the upstream's frames leave on (up_port, queue). tab: the context
 * table whose handles the exchanges keep.
 */
struct dp_fwd *dp_fwd_new(const struct ctl_fwd_config *c, const struct dp_addrs *dev,
			  const struct dp_addrs *up, uint16_t up_port, uint16_t queue,
			  const struct dp_ctx_table *tab, struct rte_mempool *mp, struct dp_stats *st,
			  int socket);
void dp_fwd_free(struct dp_fwd *f);

/* Is this CoAP frame (classified DP_COAP) from the upstream service rather than a device? */
bool dp_fwd_from_upstream(const struct dp_fwd *f, const struct rte_mbuf *m,
			  const struct dp_flow *fl);

/*
 * The verified request (plain form plain[0..len), frame m described by fl; its context's handle
 * ctx and its exchange ex, §8.3) goes upstream:
 * m is rewritten and queued (or held for the neighbour) and 0 returned. Otherwise m is left
 * alone and the CoAP code the worker should answer the device with, protected, is returned
 * (5.03 when the exchange table is full, 5.00 when the request cannot be rewritten). dd_ref, the
 * device CON's deduplication entry (or 0), travels with the exchange to its first answer.
 */
uint8_t dp_fwd_request(struct dp_fwd *f, struct rte_mbuf *m, const struct dp_flow *fl,
		       struct ctl_ctx_handle ctx, const struct osc_exchange *ex, const uint8_t *plain,
		       unsigned len, uint64_t dd_ref, uint64_t now);

/*
 * A CoAP frame from the upstream: its message is copied to buf[0..cap) and parsed there. ACKs
 * the upstream's CON, resets what matches no exchange (RFC 7252 §4.2-4.3, RFC 7641 §3.6). If it
 * answers a live exchange whose context is still published, fills job and returns true: the
 * worker then takes an RCU hold for job->ctx and protects job->msg into m for job->dev.
 * Otherwise false and the caller frees m; an answer whose context was removed meanwhile ends its
 * exchange, is counted DP_FWD_CTX_GONE and reset towards the upstream unless it came in an ACK;
 * then job->dd_ref (else 0) names the device CON's deduplication entry, which the caller forgets
 * (nothing answered it: a retransmission is processed, RFC 7252 §4.5).
 * Worker only, after its loop iteration's quiescent report (dp_ctx_table_deref).
 */
bool dp_fwd_answer(struct dp_fwd *f, struct rte_mbuf *m, const struct dp_flow *fl, uint8_t *buf,
		   size_t cap, struct dp_fwd_job *job, uint64_t now);

/*
 * RFC 7641 §5: an answer to a shared upstream registration (which dp_fwd_answer keeps, taking a
 * reference to m) goes to each of its observers, one per call: its message is copied to
 * buf[0..cap) and parsed there, and job filled as by dp_fwd_answer (the observer's own context,
 * token and Partial IV; protected by the worker under its RCU hold). Returns 1 with a job, -1
 * when the observer was skipped (its context is gone: it ends; job->dd_ref as for dp_fwd_answer),
 * 0 when no answer waits. Bounded work per call: the worker calls it while it has slots.
 */
int dp_fwd_fanout(struct dp_fwd *f, uint8_t *buf, size_t cap, struct dp_fwd_job *job,
		  uint64_t now);

/*
 * One exchange past its deadline, if the sweep finds one: a request the upstream did not answer
 * fills job with a 5.04 Gateway Timeout and returns true (as dp_fwd_answer: the worker holds
 * job->ctx); an observation that went quiet, or an exchange whose context was removed, is
 * forgotten (counted) and false returned, job->dd_ref as for dp_fwd_answer. A CON whose ACK is
 * overdue is sent again (RFC 7252 §4.2; a notification through the worker: job->resend, which it
 * queues to the device port) or given up: the request gets its 5.04, the observation ends.
 */
bool dp_fwd_expired(struct dp_fwd *f, struct dp_fwd_job *job, uint64_t now);

/*
 * The CON notification for exchange xi (job->con_x, job->con_nonce) was framed into m and goes out
 * now: a reference is kept to send it again until the device ACKs it (RFC 7252 §4.2, RFC 7641
 * §4.5). Nothing if that observation ended meanwhile.
 */
void dp_fwd_con_sent(struct dp_fwd *f, uint32_t xi, uint32_t nonce, struct rte_mbuf *m,
		     uint64_t now);

/*
 * An Empty ACK or RST from a device (frame m, fl) to the OSCORE port: an ACK of a CON
 * notification confirms the observation (the next CON is due an interval later), a RST of a
 * notification ends it (RFC 7641 §3.6, §4.5). True if it matched a notification (counted); then
 * the caller frees m. False: not one of these, the request path decides.
 */
bool dp_fwd_device_reply(struct dp_fwd *f, const struct rte_mbuf *m, const struct dp_flow *fl,
			 uint64_t now);

/*
 * An ICMP port or host unreachable quoting a datagram of ours to dst whose CoAP Message ID was
 * mid: if it was a notification, that device's observation ends (issue 10; RFC 7641 §4.5 finds
 * such a device out later). True if one ended.
 */
bool dp_fwd_unreachable(struct dp_fwd *f, const struct dp_endpoint *dst, uint16_t mid);

/* Frame the protected answer (len bytes at dp_frame_payload_off(dev->v6)) for the device. */
void dp_fwd_frame_for_device(const struct dp_fwd *f, struct rte_mbuf *m,
			     const struct dp_endpoint *dev, uint16_t len);

/* An ARP/ND answer that arrived on the upstream port goes back out there. */
void dp_fwd_queue_up(struct dp_fwd *f, struct rte_mbuf *m);

/* ARP reply or neighbour advertisement (DP_NEIGH); frees m. */
void dp_fwd_neigh_input(struct dp_fwd *f, struct rte_mbuf *m, const struct dp_flow *fl);

/* Neighbour probes and held frames; then tx_burst to the upstream. Call every iteration. */
void dp_fwd_tick(struct dp_fwd *f, uint64_t now);

/* Exchanges in use. */
unsigned dp_fwd_live(const struct dp_fwd *f);

#endif
