/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The burst loop. A received request takes a slot that holds its OSCORE state from parse to
 * transmit, because the AEAD engine completes ops across bursts (lanes kept full): the answer to
 * a request may leave in a later iteration. Nothing here allocates, locks or makes a system call
 * per packet; slots and arrays are allocated once, when the worker starts.
 */
#include "dataplane/dp_worker.h"

#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dataplane/dp_forward.h"
#include "dataplane/dp_unreach.h"
#include "dataplane/dp_ctl_ring.h"
#include "dataplane/dp_dedup.h"
#include "dataplane/dp_plain.h"
#include "dataplane/dp_ratelimit.h"
#include "dataplane/dp_rcu.h"
#include "dataplane/dp_scope.h"
#include "dataplane/dp_src.h"
#include "dataplane/dp_steer.h"
#include "control/ctl_group_serve.h"
#include "oscore/osc_answer.h"
#include "oscore/osc_protect.h"

#define MSG_MAX RTE_MBUF_DEFAULT_DATAROOM /* a received message fits one mbuf */
#define SLOTS (CRY_MAX_INFLIGHT + 2 * CTL_BURST_MAX)
/* Every slot needs at most one decrypt per candidate and one encrypt. */
#define PUMP_ROUNDS (OSC_MAX_CANDIDATES + 2)

struct slot {
	struct osc_rx rx;
	struct osc_tx tx;
	struct rte_mbuf *m;
	struct dp_flow f;
	const struct dp_ctx_cands *cands;
	struct dp_src src;
	uint64_t dd_ref;     /* deduplication entry of a CON request, or 0 */
	uint8_t epoch;       /* RCU epoch of the lookup (dp_rcu_hold) */
	bool held;           /* the slot holds a context reference in that epoch */
	uint8_t tried;       /* candidates tried so far */
	uint8_t err;         /* most specific reason a candidate failed (rank_err) */
	uint8_t probe_err;   /* the decrypt in flight only checks that a replay refusal is real */
	bool fwd_answer;     /* forward mode: an upstream answer or 5.04 for dev */
	uint32_t con_x, con_nonce; /* ... a CON notification of this exchange (dp_fwd_con_sent) */
	bool group;          /* the decrypt in flight is Group OSCORE's stage a, in g */
	struct ctl_group_handle gh; /* ... for this member */
	struct dp_endpoint dev;
	uint8_t token[COAP_TOKEN_MAX];
	uint8_t plain[OSC_PLAIN_HEADROOM + MSG_MAX];
	uint8_t out[MSG_MAX]; /* the verified plain request */
	struct osc_grx g;     /* Group OSCORE request (RFC 10021): its own parse and AAD */
};

struct worker {
	struct dp_worker_conf c;
	struct cry_engine *e;
	struct slot *slots;
	struct slot *free[SLOTS];
	struct cry_op *sub[SLOTS];
	struct cry_op *done[SLOTS + CRY_MAX_INFLIGHT];
	/* + frames answered without a slot, + control answers, + frames the control lcore built */
	struct rte_mbuf *tx[SLOTS + 3 * CTL_BURST_MAX];
	unsigned n_free, n_sub, n_tx;
	uint16_t next_mid;
	struct dp_fwd *fwd;  /* forward mode */
	struct dp_fwd_job job;
	uint64_t now;        /* TSC at this iteration's rx_burst */
	struct dp_rcu_reader rcu;
};

static struct slot *slot_get(struct worker *w)
{
	return w->n_free ? w->free[--w->n_free] : NULL;
}

static void slot_put(struct worker *w, struct slot *s)
{
	if (s->held)
		dp_rcu_release(&w->rcu, s->epoch);
	s->held = false;
	s->cands = NULL;
	s->m = NULL;
	s->dd_ref = 0;
	w->free[w->n_free++] = s;
}

static void queue_tx(struct worker *w, struct rte_mbuf *m)
{
	w->tx[w->n_tx++] = m;
}

/* No answer for the request: a retransmission must then be processed, not ignored (§4.5). */
static void release_slot(struct worker *w, struct slot *s)
{
	if (s->dd_ref)
		dp_dedup_forget(w->c.dedup, s->dd_ref);
	rte_pktmbuf_free(s->m);
	slot_put(w, s);
}

static void drop_slot(struct worker *w, struct slot *s, enum dp_ctr why)
{
	w->c.stats->ctr[why]++;
	release_slot(w, s);
}

/* The answer about to leave for a CON request is what a retransmission gets (RFC 7252 §4.5). */
static void dedup_keep(struct worker *w, uint64_t ref, const struct rte_mbuf *m,
		       uint16_t payload_off, uint16_t len, bool is_error)
{
	if (ref)
		dp_dedup_store(w->c.dedup, ref, rte_pktmbuf_mtod_offset(m, const void *, payload_off),
			       len, is_error, w->now, w->c.stats);
}

/* §8.2 answers are cheap to provoke with a spoofed source: limited per source and per worker. */
static bool error_allowed(struct worker *w, const struct dp_src *src)
{
	return !w->c.rl || dp_rl_take(w->c.rl, src->addr, w->now, w->c.stats);
}

/* The answer is written over the request in the frame: its token moves to the slot first. */
static void own_token(struct slot *s)
{
	memcpy(s->token, s->rx.outer.token, s->rx.outer.tkl);
	s->rx.outer.token = s->token;
}

static void *payload_of(struct slot *s)
{
	return rte_pktmbuf_mtod_offset(s->m, void *, s->f.payload_off);
}

/* The unprotected answer written over the request (len bytes; negative: it did not fit) goes out
 * in the request's frame; a CON's retransmission gets it again from the deduplication cache,
 * within the rate limit (is_error). */
static void send_encoded(struct worker *w, struct slot *s, int len, enum dp_ctr ctr)
{
	if (len < 0) {
		drop_slot(w, s, DP_DROP_SILENT);
		return;
	}
	dedup_keep(w, s->dd_ref, s->m, s->f.payload_off, (uint16_t)len, true);
	dp_answer_udp(s->m, &s->f, w->c.addrs, (uint16_t)len);
	queue_tx(w, s->m);
	w->c.stats->ctr[ctr]++;
	slot_put(w, s);
}

/* §8.2: an unprotected error answer with the diagnostic payload and outer Max-Age 0, or nothing
 * where §8.2 asks for silence. */
static void answer_error(struct worker *w, struct slot *s)
{
	int err = s->rx.err;
	uint8_t code = osc_err_coap_code(err);
	const char *diag = osc_err_diag(err);

	w->c.stats->osc_err[err < OSC_ERR__COUNT ? err : 0]++;
	if (!code) {
		drop_slot(w, s, DP_DROP_SILENT);
		return;
	}
	if (!error_allowed(w, &s->src)) { /* counted by the limiter */
		release_slot(w, s);
		return;
	}
	own_token(s);
	send_encoded(w, s, osc_answer_error(&s->rx.outer, code, diag, &w->next_mid, payload_of(s),
					    dp_answer_room(s->m, &s->f)), DP_ANSWER_ERROR);
}

/* An unprotected request for a protected resource (every one but the control plane's): 4.01
 * Unauthorized (RFC 7252 §5.9.2.2, RFC 9200 §5.2), so that the client stops retransmitting;
 * unprotected, with Max-Age 0 and within the rate limit like the §8.2 answers. The one place
 * that builds it: an ACE resource server adds its AS Request Creation Hints (RFC 9200 §5.3)
 * here. */
/* RFC 9200 §5.3: with ACE the 4.01 carries the AS Request Creation Hints (precomputed at start,
 * Content-Format 19) so that the client knows where to get a token. Length or -1. */
static int unauthorized_hints(struct worker *w, struct slot *s)
{
	static const uint8_t cf = 19; /* application/ace+cbor */
	struct osc_coap_msg m;
	int n;

	osc_answer_header(&m, &s->rx.outer, COAP_UNAUTHORIZED, &w->next_mid);
	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_CONTENT_FORMAT, .val = &cf, .len = 1 };
	m.n_opts = 1;
	m.payload = w->c.ace_hints;
	m.payload_len = w->c.ace_hints_len;
	n = osc_coap_encode(payload_of(s), dp_answer_room(s->m, &s->f), &m);
	return n < 0 ? -1 : n;
}

static void answer_unauthorized(struct worker *w, struct slot *s)
{
	w->c.stats->osc_err[OSC_ERR_NOT_OSCORE]++;
	if (!error_allowed(w, &s->src)) { /* counted by the limiter */
		release_slot(w, s);
		return;
	}
	own_token(s);
	send_encoded(w, s, w->c.ace_hints_len ? unauthorized_hints(w, s) :
			   osc_answer_error(&s->rx.outer, COAP_UNAUTHORIZED, NULL, &w->next_mid,
					    payload_of(s), dp_answer_room(s->m, &s->f)),
		     DP_ANSWER_UNAUTHORIZED);
}

/* RFC 7252 §4.2: a CON the gateway cannot process is rejected with a RST carrying its Message
 * ID, within the rate limit (a RST is as cheap to provoke with a spoofed source as an error). */
static void answer_rst(struct worker *w, struct rte_mbuf *m, const struct dp_flow *f,
		       const struct dp_src *src)
{
	uint8_t *msg = rte_pktmbuf_mtod_offset(m, uint8_t *, f->payload_off);

	if (!error_allowed(w, src)) { /* counted by the limiter */
		rte_pktmbuf_free(m);
		return;
	}
	dp_answer_udp(m, f, w->c.addrs, dp_plain_rst(msg, msg));
	queue_tx(w, m);
	w->c.stats->ctr[DP_ANSWER_RST]++;
}

/* A message that is no OSCORE request: an unprotected request gets 4.01 (one for a control
 * resource is here only when the hand-off failed: dropped as before), a CON with a format error
 * a RST (§4.2), the rest the §8.2 answer. */
static void refuse(struct worker *w, struct slot *s)
{
	struct rte_mbuf *m = s->m;
	struct dp_flow f = s->f;
	struct dp_src src = s->src;

	if (s->rx.err == OSC_ERR_NOT_OSCORE &&
	    !dp_ctl_wants(w->c.ctl, CTL_KIND_PLAIN, &s->rx.outer)) {
		answer_unauthorized(w, s);
		return;
	}
	if (s->rx.err != OSC_ERR_COAP ||
	    !dp_plain_rejectable(payload_of(s), s->f.payload_len, w->c.stats)) {
		answer_error(w, s);
		return;
	}
	w->c.stats->osc_err[OSC_ERR_COAP]++;
	if (s->dd_ref) /* a repeat is rejected again */
		dp_dedup_forget(w->c.dedup, s->dd_ref);
	slot_put(w, s);
	answer_rst(w, m, &f, &src);
}

/* Which failure the answer names when every candidate failed (§3.3, §8.2): a replay on a
 * candidate whose tag verified (or the only one) beats a failed tag, which beats anything else. */
static unsigned rank_err(uint8_t err)
{
	switch (err) {
	case OSC_ERR_REPLAY:
	case OSC_ERR_TOO_OLD: return 3;
	case OSC_ERR_DECRYPT: return 2;
	case OSC_ERR_NO_CONTEXT: return 0;
	default: return 1;
	}
}

static void note_err(struct slot *s, uint8_t err)
{
	if (rank_err(err) >= rank_err(s->err))
		s->err = err;
}

/* Another candidate after the current one could serve this message? */
static bool more_candidates(const struct slot *s)
{
	unsigned i;

	for (i = s->tried; i < s->cands->n; i++)
		if (osc_ctx_matches(s->cands->c[i], &s->rx.opt))
			return true;
	return false;
}

/* c refused the Partial IV as a replay while other candidates remain. Only a failed tag may move
 * on (§3.3 trial decryption tells contexts with colliding IDs apart, never copies of one): decrypt
 * under c without committing, and let decrypted() decide. False if that cannot be set up. */
static bool probe_replay(struct worker *w, struct slot *s, struct osc_ctx *c)
{
	uint8_t flags = s->rx.flags, err = s->rx.err;
	int rc;

	s->rx.flags |= OSC_RX_LOADTEST; /* sets up the op although the window refuses */
	rc = osc_rx_prepare(&s->rx, c, NULL);
	s->rx.flags = flags;
	if (rc != OSC_OK)
		return false;
	s->probe_err = err;
	s->rx.op.user = s;
	w->sub[w->n_sub++] = &s->rx.op;
	return true;
}

/* Next candidate context whose replay check passes, its decrypt queued; a replay refusal with
 * candidates left is checked first (probe_replay); else the most specific error answer. */
static void try_next(struct worker *w, struct slot *s)
{
	const struct dp_ctx_cands *l = s->cands;

	s->probe_err = OSC_OK;
	while (l && s->tried < l->n) {
		struct osc_ctx *c = l->c[s->tried++];

		if (!osc_ctx_matches(c, &s->rx.opt))
			continue;
		if (osc_rx_prepare(&s->rx, c, NULL) == OSC_OK) {
			s->rx.op.user = s;
			w->sub[w->n_sub++] = &s->rx.op;
			return;
		}
		if (rank_err(s->rx.err) == 3 && more_candidates(s) && probe_replay(w, s, c))
			return;
		note_err(s, s->rx.err);
	}
	s->rx.err = s->err;
	answer_error(w, s);
}

/* Respond mode: the gateway itself answers a verified request (2.05 with an empty payload for
 * GET and FETCH, else 2.04), or a request that verified but failed later with the §8.2 code, both
 * protected with the request's nonce (§8.3, no Partial IV) or, with "response_piv": "own", with a
 * fresh Partial IV of the gateway's. When that SSN is not yet durable (App. B.1.1) the answer is a
 * 5.03 on the request's nonce instead: never an SSN that a crash could make the gateway reuse.
 * The encrypt runs in place in the frame, queued behind the burst's other ops. */
static void answer_protected(struct worker *w, struct slot *s, uint8_t code, const char *diag)
{
	unsigned flags = w->c.own_piv ? OSC_F_OWN_PIV | OSC_ANS_DURABLE_503 : 0;
	struct osc_coap_msg m;
	bool fell_back;
	int rc;

	own_token(s); /* the answer is written over the request; its AAD and nonce are in s->rx */
	osc_answer_header(&m, &s->rx.outer, code, &w->next_mid);
	m.payload = (const uint8_t *)diag;
	m.payload_len = diag ? (uint32_t)strlen(diag) : 0;
	rc = osc_answer_reply(&s->tx, &s->rx, &m, payload_of(s), dp_answer_room(s->m, &s->f),
			      flags, &fell_back);
	if (fell_back)
		w->c.stats->osc_err[OSC_ERR_SSN_LIMIT]++;
	if (rc != OSC_OK) {
		w->c.stats->osc_err[rc]++;
		drop_slot(w, s, DP_DROP_SILENT);
		return;
	}
	s->tx.op.user = s;
	w->sub[w->n_sub++] = &s->tx.op;
}

/* Forward mode: the verified request goes upstream (the slot's work ends here), or the device
 * gets the protected 5.03/5.00 the forwarder asks for. */
static void forward(struct worker *w, struct slot *s, unsigned len)
{
	struct osc_exchange ex;
	uint8_t code;

	osc_rx_exchange(&s->rx, &ex);
	code = dp_fwd_request(w->fwd, s->m, &s->f, dp_ctx_table_ref(w->c.table, s->rx.ctx), &ex,
			      s->out, len, s->dd_ref, rte_get_tsc_cycles());

	if (!code) {
		s->dd_ref = 0; /* the exchange keeps it for the device's answer */
		slot_put(w, s);
		return;
	}
	answer_protected(w, s, code, NULL);
}

/* Forward mode: protect an upstream answer or a 5.04 (job) into s->m for the device, with the
 * request's nonce or the gateway's own Partial IV (§8.3, §8.3.1). The forwarder found job->ctx
 * still published in this iteration; the slot holds it until the encrypt completes. */
static void protect_job(struct worker *w, struct slot *s, struct dp_fwd_job *job)
{
	int rc;

	s->epoch = dp_rcu_hold(&w->rcu);
	s->held = true;
	s->fwd_answer = true;
	s->con_x = job->con_x;
	s->con_nonce = job->con_nonce;
	s->dev = job->dev;
	s->dd_ref = job->dd_ref;
	rc = osc_answer_prepare(&s->tx, job->ctx, &job->ex, &job->msg,
				rte_pktmbuf_mtod_offset(s->m, uint8_t *,
							dp_frame_payload_off(job->dev.v6)),
				dp_frame_room(s->m, job->dev.v6), job->flags, NULL);
	if (rc != OSC_OK) {
		w->c.stats->osc_err[rc]++;
		drop_slot(w, s, DP_FWD_ANSWER_UNFIT);
		return;
	}
	s->tx.op.user = s;
	w->sub[w->n_sub++] = &s->tx.op;
}

/* The forwarder dropped what would have answered a device's CON (its context is gone, or no
 * mbuf for the 5.04): a retransmission must then be processed, not ignored (RFC 7252 §4.5). */
static void job_unanswered(struct worker *w)
{
	if (w->job.dd_ref)
		dp_dedup_forget(w->c.dedup, w->job.dd_ref);
}

/* The message msg[0..len) of kind goes to the control lcore (a verified one with its context as
 * a handle, and its exchange); the slot is free again, the frame travels with the message.
 * False if it could not (counted DP_CTL_RING_FULL). */
static bool to_control(struct worker *w, struct slot *s, enum ctl_kind kind, const uint8_t *msg,
		       uint16_t len, bool verified)
{
	struct osc_exchange ex;

	if (verified)
		osc_rx_exchange(&s->rx, &ex);
	if (dp_ctl_handoff(w->c.ctl, w->c.id, s->m, &s->f, s->dd_ref, kind, msg, len,
			   verified ? s->rx.ctx : NULL, verified ? &ex : NULL, w->c.stats))
		return false;
	s->dd_ref = 0; /* the message carries it now */
	slot_put(w, s);
	return true;
}

/* App. B.1.2: the request verified but its context's window is unknown since a restart. The
 * Echo decision (an HMAC, which may allocate) and the window reset run on the control lcore;
 * without a handler for it the request is dropped as before. */
static bool window_unknown(struct worker *w, struct slot *s)
{
	if (s->rx.err != OSC_ERR_WINDOW_UNKNOWN ||
	    !dp_ctl_wants(w->c.ctl, CTL_KIND_WINDOW_UNKNOWN, &s->rx.outer))
		return false;
	w->c.stats->osc_err[OSC_ERR_WINDOW_UNKNOWN]++;
	if (to_control(w, s, CTL_KIND_WINDOW_UNKNOWN, s->out, (uint16_t)s->rx.out_len, true))
		w->c.stats->ctr[DP_B12_HANDOFF]++;
	else
		release_slot(w, s);
	return true;
}

/* RFC 9200 §5.10.3: the context's token expired or was revoked and the context goes after a
 * short grace period (its observations' final 4.01): a request on it, also to a control path,
 * is answered as once it is gone (unprotected 4.01). True if it was. One load while none ends. */
static bool ace_ending(struct worker *w, struct slot *s)
{
	if (!dp_scopes_any_ending(w->c.scopes) ||
	    !dp_scopes_ending(w->c.scopes, dp_ctx_table_ref(w->c.table, s->rx.ctx)))
		return false;
	s->rx.err = OSC_ERR_NO_CONTEXT;
	answer_error(w, s);
	return true;
}

/* RFC 9200 §5.10.2: a verified request on an ACE context must be within its token's scope,
 * before it reaches the upstream or the local answer: protected 4.03 for a resource the scope
 * does not name, 4.05 for a method it does not allow. True if it was refused. */
static bool scope_denied(struct worker *w, struct slot *s, const struct osc_coap_msg *m)
{
	const struct ctl_ace_scope *sc =
		dp_scopes_get(w->c.scopes, dp_ctx_table_ref(w->c.table, s->rx.ctx));
	enum ctl_ace_access a;

	if (!sc)
		return false; /* not an ACE context */
	a = m ? ctl_ace_scope_check(sc, m) : CTL_ACE_DENY_RESOURCE;
	if (a == CTL_ACE_ALLOW)
		return false;
	w->c.stats->ctr[a == CTL_ACE_DENY_METHOD ? DP_ACE_DENY_METHOD : DP_ACE_DENY_RESOURCE]++;
	answer_protected(w, s, a == CTL_ACE_DENY_METHOD ? COAP_METHOD_NOT_ALLOWED : COAP_FORBIDDEN,
			 NULL);
	return true;
}

/* A verified request that could not be finished: a protected §8.2 answer for a bad inner
 * message, App. B.1.2's hand-off, or the error answer. */
static void unfinished(struct worker *w, struct slot *s)
{
	if (s->rx.err == OSC_ERR_INNER || s->rx.err == OSC_ERR_NESTED) {
		w->c.stats->osc_err[s->rx.err]++;
		answer_protected(w, s, osc_err_coap_code(s->rx.err), osc_err_diag(s->rx.err));
		return;
	}
	if (window_unknown(w, s))
		return;
	answer_error(w, s);
}

/* The plain request for the control lcore or the upstream, written to s->out from the inner
 * message in; its length, or negative when unfinished() has dealt with the slot. */
static int plain_request(struct worker *w, struct slot *s, struct osc_coap_msg *in)
{
	int len = osc_rx_rebuild_inner(&s->rx, in, s->out, sizeof(s->out));

	if (len < 0)
		unfinished(w, s);
	return len;
}

static void decrypted(struct worker *w, struct slot *s)
{
	struct osc_coap_msg in;
	int len;

	if (s->rx.op.status == CRY_ERR_AUTH) { /* §3.3: a colliding Recipient ID may be next */
		note_err(s, OSC_ERR_DECRYPT);
		try_next(w, s);
		return;
	}
	if (s->probe_err && s->rx.op.status == CRY_OK) { /* the tag verified: the replay is real, no other candidate may take it */
		s->rx.err = s->probe_err;
		answer_error(w, s);
		return;
	}
	if (osc_rx_finish_inner(&s->rx, &in, s->out, sizeof(s->out)) < 0) {
		unfinished(w, s);
		return;
	}
	if (s->rx.replay != OSC_REPLAY_OK) /* only with OSC_RX_LOADTEST */
		w->c.stats->ctr[DP_LOADTEST_REPLAYS]++;
	if (w->c.scopes && ace_ending(w, s))
		return;
	/* Control paths and ACE scopes read the code, Uri-Path and Uri-Query: Class E options,
	 * all in the inner message (§4.1), so the plain request is written only where it goes. */
	if (w->c.ctl_protected && dp_ctl_wants(w->c.ctl, CTL_KIND_PROTECTED, &in)) {
		len = plain_request(w, s, &in);
		if (len >= 0 && !to_control(w, s, CTL_KIND_PROTECTED, s->out, (uint16_t)len, true))
			release_slot(w, s);
		return;
	}
	if (w->c.scopes && scope_denied(w, s, &in))
		return;
	if (!w->fwd) { /* respond mode: the answer needs the code only */
		answer_protected(w, s, osc_answer_served_code(in.code), NULL);
		return;
	}
	len = plain_request(w, s, &in);
	if (len >= 0)
		forward(w, s, (unsigned)len);
}

static void encrypted(struct worker *w, struct slot *s)
{
	if (s->tx.op.status != CRY_OK) {
		w->c.stats->osc_err[OSC_ERR_CRYPTO]++;
		drop_slot(w, s, DP_DROP_SILENT);
		return;
	}
	if (s->fwd_answer) {
		dedup_keep(w, s->dd_ref, s->m, dp_frame_payload_off(s->dev.v6),
			   (uint16_t)s->tx.len, false);
		dp_fwd_frame_for_device(w->fwd, s->m, &s->dev, (uint16_t)s->tx.len);
		if (s->con_x != UINT32_MAX) /* kept to be sent again until ACKed */
			dp_fwd_con_sent(w->fwd, s->con_x, s->con_nonce, s->m, w->now);
	} else {
		dedup_keep(w, s->dd_ref, s->m, s->f.payload_off, (uint16_t)s->tx.len, false);
		dp_answer_udp(s->m, &s->f, w->c.addrs, (uint16_t)s->tx.len);
	}
	queue_tx(w, s->m);
	w->c.stats->ctr[DP_ANSWER_PROTECTED]++;
	slot_put(w, s);
}

/* A Group OSCORE request refused on the worker: counted by reason, no answer (it may have been
 * sent to a multicast address, RFC 10021 §7 / §8). */
static bool group_drop(struct worker *w, struct slot *s, uint8_t err)
{
	w->c.stats->osc_err[err]++;
	drop_slot(w, s, DP_DROP_SILENT);
	return true;
}

/* Group OSCORE (RFC 10021): a request with the Group Flag (§4.1), or whose kid context is a
 * configured group's Gid, takes the group path: the member by (Gid, kid), the §6 checks and the
 * read-only replay check, then stage a's AEAD joins the burst's. True when it took it. */
static bool group_request(struct worker *w, struct slot *s)
{
	struct osc_member *m;

	if (!ctl_groups_active(w->c.groups) || (!(s->rx.opt.ext_flags & OSC_FLAG_GROUP) &&
						 !ctl_groups_has_gid(w->c.groups, &s->rx.opt)))
		return false;
	s->g.rx.plain = s->plain;
	s->g.rx.plain_cap = sizeof(s->plain);
	s->g.rx.flags = w->c.loadtest ? OSC_RX_LOADTEST : 0;
	if (osc_group_rx_parse(&s->g, payload_of(s), s->f.payload_len, true) != OSC_OK)
		return group_drop(w, s, s->g.rx.err);
	m = ctl_groups_find(w->c.groups, &s->g.rx.opt, &s->gh);
	if (!m) /* our own Sender ID is no member: §7.2's check counts it apart */
		return group_drop(w, s, ctl_groups_own_kid(w->c.groups, &s->g.rx.opt) ?
				  OSC_ERR_OWN_KID : OSC_ERR_NO_CONTEXT);
	/* m's group may be replaced or removed at runtime (dp_groups.h): it stays until this slot
	 * lets go of it */
	s->epoch = dp_rcu_hold(&w->rcu);
	s->held = true;
	if (osc_group_rx_prepare(&s->g, m, NULL) != OSC_OK)
		return group_drop(w, s, s->g.rx.err);
	s->group = true;
	s->g.rx.op.user = s;
	w->sub[w->n_sub++] = &s->g.rx.op;
	return true;
}

/* Stage a done: the plaintext, unused, goes with the message to the control lcore, which checks
 * the signature (group mode) and only then commits the window (§7.2). Pairwise mode is committed
 * there too, never here: a request committed but then not handed over (the pool of messages to
 * the control lcore full) would be lost, and its CON retransmission refused as a replay. */
static void group_decrypted(struct worker *w, struct slot *s)
{
	struct osc_grx *g = &s->g;
	bool ok;

	s->group = false;
	if (osc_group_rx_aead(g) != OSC_OK) {
		group_drop(w, s, g->rx.err);
		return;
	}
	ok = dp_ctl_handoff_group(w->c.ctl, w->c.id, s->m, &s->f, s->dd_ref, payload_of(s),
				  s->f.payload_len, g->rx.op.out, (uint16_t)g->rx.op.len, s->gh,
				  w->c.stats) == 0;
	cry_wipe(g->rx.op.out, g->rx.op.len);
	if (!ok) {
		release_slot(w, s);
		return;
	}
	s->dd_ref = 0; /* the message carries it now */
	slot_put(w, s);
}

/* Submit what is queued and post-process what completes, which may queue more (the answer's
 * encrypt, the next candidate). When idle, flush until nothing is in flight. */
static void pump(struct worker *w, bool idle)
{
	unsigned round, nd, i;

	for (round = 0; round < PUMP_ROUNDS; round++) {
		unsigned n = w->n_sub;

		if (n)
			nd = cry_aead_submit(w->e, w->sub, n, w->done);
		else if (idle && cry_aead_inflight(w->e))
			nd = cry_aead_flush(w->e, w->done);
		else
			break;
		w->n_sub = 0;
		for (i = 0; i < nd; i++) {
			struct slot *s = w->done[i]->user;

			if (w->done[i]->dir == CRY_DECRYPT && s->group)
				group_decrypted(w, s);
			else if (w->done[i]->dir == CRY_DECRYPT)
				decrypted(w, s);
			else
				encrypted(w, s);
		}
		if (!idle && !w->n_sub)
			break;
	}
}

/* A repeated CON (RFC 7252 §4.5) gets the cached answer again, or is dropped while the first copy
 * is in flight. Returns true when m was dealt with; else *ref names a new entry (or is 0). */
static bool dedup(struct worker *w, struct rte_mbuf *m, const struct dp_flow *f,
		  const struct dp_src *src, uint64_t *ref)
{
	uint8_t *msg = rte_pktmbuf_mtod_offset(m, uint8_t *, f->payload_off);
	const uint8_t *ans;
	uint16_t mid, len;
	bool is_error;

	*ref = 0;
	if (!w->c.dedup || !dp_dedup_con_request(msg, f->payload_len, &mid))
		return false;
	switch (dp_dedup_check(w->c.dedup, src, mid, w->now, ref, w->c.stats)) {
	case DP_DD_NEW:
		return false;
	case DP_DD_UNTRACKED:
		*ref = 0;
		return false;
	case DP_DD_PENDING:
		w->c.stats->ctr[DP_DEDUP_PENDING]++;
		rte_pktmbuf_free(m);
		return true;
	case DP_DD_ANSWER:
		break;
	}
	if (w->c.loadtest) { /* a looped capture repeats Message IDs: process it again */
		*ref = dp_dedup_restart(w->c.dedup, *ref, w->now);
		w->c.stats->ctr[DP_LOADTEST_DEDUP_REPROCESSED]++;
		return false;
	}
	ans = dp_dedup_answer(w->c.dedup, *ref, &len, &is_error);
	*ref = 0;
	if (!ans) /* answered, but not kept: ignored, so that the client gives up and retries */
		w->c.stats->ctr[DP_DEDUP_NO_COPY]++;
	if (!ans || len > dp_answer_room(m, f) || (is_error && !error_allowed(w, src))) {
		rte_pktmbuf_free(m); /* a refusal by the limiter is counted there */
		return true;
	}
	memcpy(msg, ans, len);
	dp_answer_udp(m, f, w->c.addrs, len);
	queue_tx(w, m);
	w->c.stats->ctr[DP_DEDUP_HIT]++;
	return true;
}

/* A frame dropped before it took a slot, counted under why (a multicast request that would get
 * an error answer, a group-send message from the wrong side). */
static struct slot *drop_frame(struct worker *w, struct rte_mbuf *m, enum dp_ctr why)
{
	w->c.stats->ctr[why]++;
	rte_pktmbuf_free(m);
	return NULL;
}

/* Plain CoAP on the group-send port (control/ctl_group_send.h) goes to the control lcore as it
 * came: requests from the requesters, answers from the members. With the upstream on a port of
 * its own, requests are taken only from there and answers only from the device side. A CON
 * request's retransmission gets the empty ACK again from the deduplication cache (§4.5). */
static void group_send_in(struct worker *w, struct rte_mbuf *m, const struct dp_flow *f,
			  const struct dp_src *src)
{
	const uint8_t *msg = rte_pktmbuf_mtod_offset(m, const uint8_t *, f->payload_off);
	bool req = f->payload_len >= 4 && msg[1] && !(msg[1] >> 5);
	uint64_t ref = 0;

	if (!w->c.ctl || (w->fwd && w->c.up_port != w->c.port && req != f->from_up)) {
		drop_frame(w, m, DP_GSEND_WRONG_SIDE);
		return;
	}
	if (req && dedup(w, m, f, src, &ref))
		return;
	if (dp_ctl_handoff(w->c.ctl, w->c.id, m, f, ref, CTL_KIND_GROUP_SEND, msg,
			   f->payload_len, NULL, NULL, w->c.stats)) {
		if (ref)
			dp_dedup_forget(w->c.dedup, ref);
		rte_pktmbuf_free(m);
	}
}

/* A classified CoAP frame from src: take a slot and parse. Returns the slot if it needs a
 * lookup. */
static struct slot *start(struct worker *w, struct rte_mbuf *m, const struct dp_flow *f,
			  const struct dp_src *src)
{
	struct slot *s;
	uint64_t ref;

	if (w->fwd && dp_fwd_device_reply(w->fwd, m, f, w->now)) { /* ACK/RST of a notification */
		rte_pktmbuf_free(m);
		return NULL;
	}
	switch (dp_plain_screen(rte_pktmbuf_mtod_offset(m, uint8_t *, f->payload_off),
				f->payload_len, w->c.stats)) {
	case DP_PLAIN_PROCESS:
		break;
	case DP_PLAIN_IGNORE:
		rte_pktmbuf_free(m);
		return NULL;
	case DP_PLAIN_RST:
		if (f->multicast) /* RFC 7252 §8.1: never a RST to a multicast request */
			return drop_frame(w, m, DP_DROP_MCAST_ERROR);
		answer_rst(w, m, f, src);
		return NULL;
	}
	if (dedup(w, m, f, src, &ref))
		return NULL;
	s = slot_get(w);
	if (!s) {
		w->c.stats->ctr[DP_DROP_NO_SLOT]++;
		if (ref)
			dp_dedup_forget(w->c.dedup, ref);
		rte_pktmbuf_free(m);
		return NULL;
	}
	s->m = m;
	s->f = *f;
	s->fwd_answer = false;
	s->group = false;
	s->src = *src;
	s->dd_ref = ref;
	s->tried = 0;
	s->err = OSC_ERR_NO_CONTEXT;
	s->probe_err = OSC_OK;
	s->rx.plain = s->plain;
	s->rx.plain_cap = sizeof(s->plain);
	s->rx.flags = (w->c.loadtest ? OSC_RX_LOADTEST : 0) | (ctl_groups_active(w->c.groups) ? OSC_RX_GROUP : 0);
	if (osc_rx_parse(&s->rx, payload_of(s), f->payload_len, true) == OSC_OK &&
	    group_request(w, s))
		return NULL;
	if (f->multicast) { /* only a group's requests, and no error answer (§7, RFC 7252 §8.1) */
		drop_slot(w, s, DP_DROP_MCAST_NOT_GROUP);
		return NULL;
	}
	if (s->rx.err == OSC_OK)
		return s;
	if (s->rx.err == OSC_ERR_NOT_OSCORE &&
	    dp_ctl_wants(w->c.ctl, CTL_KIND_PLAIN, &s->rx.outer) &&
	    to_control(w, s, CTL_KIND_PLAIN, payload_of(s), f->payload_len, false))
		return NULL;
	refuse(w, s);
	return NULL;
}

/* Forward mode: a CoAP frame from the upstream, protected for its device if it answers one. */
static void upstream(struct worker *w, struct rte_mbuf *m, const struct dp_flow *f)
{
	struct slot *s = slot_get(w);

	if (!s) {
		w->c.stats->ctr[DP_DROP_NO_SLOT]++;
		rte_pktmbuf_free(m);
		return;
	}
	s->m = m;
	if (!dp_fwd_answer(w->fwd, m, f, s->out, sizeof(s->out), &w->job, rte_get_tsc_cycles())) {
		job_unanswered(w);
		rte_pktmbuf_free(m); /* the forwarder counted why */
		slot_put(w, s);
		return;
	}
	protect_job(w, s, &w->job);
}

/* Frames that are neither CoAP nor dropped: local answers go back out the port they came from;
 * ARP replies and neighbour advertisements feed the forwarder's neighbour table, every worker's
 * (each resolves the upstream itself; a steered copy is not copied again). */
static void local(struct worker *w, struct rte_mbuf *m, enum dp_verdict v, const struct dp_flow *f,
		  bool from_up, bool steered)
{
	if (v == DP_ANSWER && from_up)
		dp_fwd_queue_up(w->fwd, m);
	else if (v == DP_ANSWER)
		queue_tx(w, m);
	else if (w->fwd) {
		if (!steered)
			dp_steer_neigh(w->c.steer, w->c.queue, m, w->c.mp, w->c.stats);
		dp_fwd_neigh_input(w->fwd, m, f);
	} else {
		w->c.stats->ctr[f->ipv6 ? DP_DROP_ICMP6 : DP_DROP_ARP]++;
		rte_pktmbuf_free(m);
	}
}

/* ICMP unreachable quoting one of our datagrams: in forward mode it may end an observation. The
 * observation is on the worker the device's requests reach (their 5-tuple's queue), but the ICMP
 * message has no ports to hash and may land elsewhere: with several workers, one this worker does
 * not know is copied to the others like a neighbour frame (a steered copy is not copied again). */
static void unreachable(struct worker *w, struct rte_mbuf *m, const struct dp_flow *f,
			bool steered)
{
	struct dp_endpoint dst;
	uint16_t mid;

	if (w->fwd && dp_unreach_quote(m, f, &dst, &mid)) {
		if (dp_fwd_unreachable(w->fwd, &dst, mid)) {
			rte_pktmbuf_free(m);
			return;
		}
		if (w->c.steer && !steered) {
			dp_steer_neigh(w->c.steer, w->c.queue, m, w->c.mp, w->c.stats);
			rte_pktmbuf_free(m);
			return;
		}
	}
	w->c.stats->ctr[DP_ICMP_UNREACH_OTHER]++;
	rte_pktmbuf_free(m);
}

/* A request whose kid (and kid context) names no context may be about to make one: an RFC 9668
 * combined request carries EDHOC message_3 (option 21), and with App. B.2 a kid context may be
 * request #1 or #2 of a re-derivation. Unverified, it goes to the control lcore as received,
 * which verifies it under the context it derives. Each costs the control lcore key derivations
 * and trial decryptions, so hand-offs are limited per source like error answers (dp_ratelimit);
 * the ring bounds how many wait. Refused here: the §8.2 answer the worker gives anyway. */
static bool no_context(struct worker *w, struct slot *s)
{
	enum ctl_kind kind = CTL_KIND_NO_CONTEXT;

	if (w->c.edhoc && osc_coap_find(&s->rx.outer, COAP_OPT_EDHOC, NULL))
		kind = CTL_KIND_EDHOC;
	else if (!w->c.b2 || !s->rx.opt.has_kid_ctx)
		return false;
	if (!error_allowed(w, &s->src)) {
		w->c.stats->ctr[DP_B2_RATE_LIMITED]++;
		release_slot(w, s);
		return true;
	}
	if (!to_control(w, s, kind, payload_of(s), s->f.payload_len, false))
		return false;
	if (kind == CTL_KIND_NO_CONTEXT)
		w->c.stats->ctr[DP_B2_HANDOFF]++;
	return true;
}

/* Forward mode: a CoAP frame from the upstream goes to the worker that owns its exchange, named
 * by the source port that worker sent from (dp_steer.h); the owner processes it. */
static void from_upstream(struct worker *w, struct rte_mbuf *m, const struct dp_flow *f)
{
	int owner = dp_steer_owner(w->c.steer, dp_steer_dst_port(m, f));

	if (owner >= 0 && (unsigned)owner != w->c.queue)
		dp_steer_hand(w->c.steer, (unsigned)owner, m, w->c.stats);
	else
		upstream(w, m, f);
}

/* A CoAP frame's source, and the deduplication lines its check will read when it is a CON
 * request: fetched in the burst's first pass, read in the second. */
static void src_ahead(struct worker *w, struct rte_mbuf *m, const struct dp_flow *f,
		      struct dp_src *src)
{
	uint16_t mid;

	dp_src_of(src, m, f);
	if (w->c.dedup && dp_dedup_con_request(rte_pktmbuf_mtod_offset(m, uint8_t *,
								       f->payload_off),
					       f->payload_len, &mid))
		dp_dedup_prefetch(w->c.dedup, src, mid);
}

/* A classified frame of the burst: answered, handed on, dropped, or started (*sp, when it needs
 * a context lookup). */
static void dispatch(struct worker *w, struct rte_mbuf *m, enum dp_verdict v,
		     const struct dp_flow *f, const struct dp_src *src, bool from_up, bool steered,
		     struct slot **sp)
{
	*sp = NULL;
	if (v == DP_COAP && f->gsend)
		group_send_in(w, m, f, src);
	else if (v == DP_ANSWER || v == DP_NEIGH)
		local(w, m, v, f, from_up, steered);
	else if (v == DP_UNREACH)
		unreachable(w, m, f, steered);
	else if (v == DP_DROP)
		rte_pktmbuf_free(m);
	else if (w->fwd && dp_fwd_from_upstream(w->fwd, m, f))
		from_upstream(w, m, f);
	else if (dp_steer_dst_port(m, f) != rte_be_to_cpu_16(w->c.addrs->udp_port)) {
		w->c.stats->ctr[DP_DROP_UDP_PORT]++;
		rte_pktmbuf_free(m);
	} else
		*sp = start(w, m, f, src);
}

/* Classify the burst (and fetch what the second pass reads), then dispatch and parse it, then
 * one bulk lookup, then the replay checks and AEAD setup.
 * from_up: the burst came from the forwarder's separate upstream port; steered: another worker
 * handed it over (dp_steer.h). Devices are served on udp_port only; the workers' upstream source
 * ports (which the classifier lets through for the upstream's answers) take nothing else. */
static void rx_stage(struct worker *w, struct rte_mbuf **pkts, unsigned n, bool from_up,
		     bool steered)
{
	struct dp_ctx_key key[CTL_BURST_MAX];
	const struct dp_ctx_key *kp[CTL_BURST_MAX];
	const struct dp_ctx_cands *cands[CTL_BURST_MAX];
	struct slot *s[CTL_BURST_MAX];
	struct dp_flow f[CTL_BURST_MAX];
	enum dp_verdict v[CTL_BURST_MAX];
	/* 8-byte aligned each: rte_hash_crc reads the key in 8-byte words (UBSan) */
	struct { struct dp_src s; } __rte_aligned(8) src[CTL_BURST_MAX];
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		v[i] = dp_classify(pkts[i], from_up ? w->c.up_addrs : w->c.addrs, &f[i],
				   w->c.stats);
		f[i].from_up = from_up;
		if (v[i] == DP_COAP)
			src_ahead(w, pkts[i], &f[i], &src[i].s);
	}
	for (i = 0; i < n; i++) {
		dispatch(w, pkts[i], v[i], &f[i], &src[i].s, from_up, steered, &s[k]);
		if (s[k]) {
			dp_ctx_key_of(&key[k], &s[k]->rx.opt);
			kp[k] = &key[k];
			k++;
		}
	}
	dp_ctx_lookup_bulk(w->c.table, kp, k, cands);
	for (i = 0; i < k; i++) {
		if (!cands[i] && no_context(w, s[i]))
			continue;
		s[i]->cands = cands[i];
		if (cands[i]) {
			s[i]->epoch = dp_rcu_hold(&w->rcu);
			s[i]->held = true;
		}
		try_next(w, s[i]);
	}
	if (w->c.dedup) /* the burst's new entries were prefetched by now */
		dp_dedup_settle(w->c.dedup);
}

static void tx_flush(struct worker *w)
{
	uint16_t sent = 0;
	unsigned i;

	while (sent < w->n_tx) {
		uint16_t k = rte_eth_tx_burst(w->c.tx_port, w->c.queue, w->tx + sent,
					      (uint16_t)RTE_MIN(w->n_tx - sent, 64u));
		if (!k)
			break;
		sent = (uint16_t)(sent + k);
	}
	for (i = sent; i < w->n_tx; i++)
		rte_pktmbuf_free(w->tx[i]);
	w->c.stats->ctr[DP_TX_PACKETS] += sent;
	w->c.stats->ctr[DP_TX_FULL] += w->n_tx - sent;
	w->n_tx = 0;
}

static struct worker *worker_new(const struct dp_worker_conf *c)
{
	int socket = (int)rte_socket_id();
	struct worker *w = rte_zmalloc_socket("worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	unsigned i;

	if (!w)
		return NULL;
	w->c = *c;
	w->e = cry_engine_new();
	w->slots = rte_zmalloc_socket("slots", SLOTS * sizeof(*w->slots), RTE_CACHE_LINE_SIZE,
				      socket);
	if (c->fwd)
		w->fwd = dp_fwd_new(c->fwd, c->addrs, c->up_self, c->up_port, c->queue, c->table,
				    c->mp, c->stats, socket);
	if (w->fwd)
		dp_fwd_set_scopes(w->fwd, c->scopes);
	if (!w->e || !w->slots || (c->fwd && !w->fwd)) {
		cry_engine_free(w->e);
		rte_free(w->slots);
		rte_free(w);
		return NULL;
	}
	for (i = 0; i < SLOTS; i++)
		slot_put(w, &w->slots[SLOTS - 1 - i]);
	w->next_mid = (uint16_t)(rte_lcore_id() << 12);
	dp_rcu_worker_start(&w->rcu, c->rcu, c->id);
	return w;
}

static void worker_free(struct worker *w)
{
	dp_fwd_free(w->fwd);
	dp_rcu_worker_stop(&w->rcu);
	cry_engine_free(w->e);
	rte_free(w->slots);
	rte_free(w);
}

/* One step of the exchange sweep: a request the upstream left unanswered becomes a protected
 * 5.04. Needs a free slot. */
static void fwd_expire(struct worker *w, uint64_t now)
{
	struct rte_mbuf *m;
	struct slot *s;

	if (!dp_fwd_expired(w->fwd, &w->job, now)) {
		if (w->job.resend) /* a CON notification sent again (RFC 7252 §4.2) */
			queue_tx(w, w->job.resend);
		job_unanswered(w);
		return;
	}
	m = rte_pktmbuf_alloc(w->c.mp);
	if (!m) {
		w->c.stats->ctr[DP_DROP_NO_MBUF]++;
		job_unanswered(w);
		return;
	}
	s = slot_get(w);
	s->m = m;
	protect_job(w, s, &w->job);
}

/* RFC 7641 §5: an upstream notification goes to every device observing it, each protected
 * under its own context with its own Partial IV, one slot and frame per observer, as many per
 * iteration as there are slots beyond a burst's worth (the rest in the next iterations). */
static void fwd_fanout(struct worker *w, uint64_t now)
{
	while (w->n_free > CTL_BURST_MAX) {
		struct slot *s = slot_get(w);
		int rc = dp_fwd_fanout(w->fwd, s->out, sizeof(s->out), &w->job, now);

		if (rc <= 0) {
			job_unanswered(w);
			slot_put(w, s);
			if (!rc)
				return;
			continue;
		}
		s->m = rte_pktmbuf_alloc(w->c.mp);
		if (!s->m) { /* this observer misses this notification, not its observation */
			w->c.stats->ctr[DP_DROP_NO_MBUF]++;
			job_unanswered(w);
			slot_put(w, s);
			return;
		}
		protect_job(w, s, &w->job);
	}
}

/* Forward mode, every iteration: one step of the exchange sweep, the notifications' fan-out,
 * neighbour probes, the upstream's tx queue. */
static void fwd_tick(struct worker *w, uint64_t now)
{
	if (w->n_free)
		fwd_expire(w, now);
	fwd_fanout(w, now);
	dp_fwd_tick(w->fwd, now);
}

/* Forward mode with a port of its own for the upstream: its burst, classified against it. */
static void rx_upstream_port(struct worker *w)
{
	struct rte_mbuf *pkts[CTL_BURST_MAX];
	uint16_t n;

	if (w->c.up_port == w->c.port)
		return;
	n = rte_eth_rx_burst(w->c.up_port, w->c.queue, pkts, (uint16_t)w->c.burst);
	if (n) {
		w->c.stats->ctr[DP_RX_PACKETS] += n;
		rx_stage(w, pkts, n, true, false);
		pump(w, false);
	}
}

/* Several forward workers: what the others handed over (upstream answers for this worker's
 * exchanges, neighbour copies), processed as if received here, per port it arrived on. */
static void rx_steered(struct worker *w)
{
	struct rte_mbuf *pkts[CTL_BURST_MAX], *up[CTL_BURST_MAX];
	unsigned n = dp_steer_take(w->c.steer, w->c.queue, pkts, w->c.burst, w->c.stats), i, k = 0,
		 j = 0;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		if (pkts[i]->port == w->c.up_port && w->c.up_port != w->c.port)
			up[k++] = pkts[i];
		else
			pkts[j++] = pkts[i];
	}
	if (j)
		rx_stage(w, pkts, j, false, true);
	if (k)
		rx_stage(w, up, k, true, true);
	pump(w, false);
}

/* A job the control plane resumed (ctl_resume; App. B.1.2 in forward mode: the Echo was
 * accepted; RFC 9668: a combined request verified under the context EDHOC just made): the request goes upstream like any verified request (its context by handle,
 * re-checked when the answer comes). False if it cannot: the handler's fallback answer (a
 * protected 5.03) goes instead and the device repeats the request. */
static bool forward_resumed(struct worker *w, struct dp_ctl_msg *msg)
{
	if (!msg->resume)
		return false;
	if (!w->fwd || !dp_ctx_table_deref(w->c.table, msg->ctx) ||
	    dp_fwd_request(w->fwd, msg->m, &msg->f, msg->ctx, &msg->ex, msg->data, msg->req_len,
			   msg->dedup_ref, rte_get_tsc_cycles())) {
		w->c.stats->ctr[msg->kind == CTL_KIND_EDHOC ? DP_EDHOC_FWD_RETRY :
							      DP_B12_FWD_RETRY]++;
		return false;
	}
	msg->m = NULL; /* gone upstream; the exchange keeps the deduplication entry */
	return true;
}

/* A frame for the device side, or for the upstream on its own port (forward mode). */
static void tx_side(struct worker *w, struct rte_mbuf *m, bool up)
{
	if (up && w->fwd && w->c.up_port != w->c.port)
		dp_fwd_queue_up(w->fwd, m);
	else
		queue_tx(w, m);
}

/* Datagrams the control lcore originated (group sending: the request to a group's address, the
 * aggregate answer): built there, transmitted here. */
static void ctl_frames(struct worker *w)
{
	struct rte_mbuf *m[CTL_BURST_MAX];
	unsigned side, n, i;

	for (side = 0; side < 2; side++) {
		n = dp_ctl_frames(w->c.ctl, w->c.id, side, m, CTL_BURST_MAX);
		for (i = 0; i < n; i++)
			tx_side(w, m[i], side);
	}
}

/* Answers the control lcore sent back: transmitted from here, never from the control lcore. */
static void ctl_replies(struct worker *w)
{
	struct dp_ctl_msg *msgs[CTL_BURST_MAX];
	unsigned n = dp_ctl_replies(w->c.ctl, w->c.id, msgs, CTL_BURST_MAX), i;

	for (i = 0; i < n; i++) {
		struct dp_ctl_msg *msg = msgs[i];
		uint16_t len = msg->ans_len;

		if (forward_resumed(w, msg)) {
			dp_ctl_msg_put(w->c.ctl, msg);
			continue;
		}
		if (!len || len > dp_answer_room(msg->m, &msg->f)) {
			if (msg->dedup_ref)
				dp_dedup_forget(w->c.dedup, msg->dedup_ref);
			/* an answer longer than the frame has room for needs block-wise (RFC 7959) */
			w->c.stats->ctr[len ? DP_CTL_ANSWER_UNFIT : DP_DROP_SILENT]++;
			rte_pktmbuf_free(msg->m);
		} else {
			memcpy(rte_pktmbuf_mtod_offset(msg->m, void *, msg->f.payload_off),
			       msg->resume ? msg->fb : msg->data, len);
			dedup_keep(w, msg->dedup_ref, msg->m, msg->f.payload_off, len, false);
			dp_answer_udp(msg->m, &msg->f, msg->f.from_up ? w->c.up_addrs : w->c.addrs,
				      len);
			tx_side(w, msg->m, msg->f.from_up);
			w->c.stats->ctr[DP_CTL_ANSWER_TX]++;
		}
		dp_ctl_msg_put(w->c.ctl, msg);
	}
	ctl_frames(w);
}

static void loop(struct worker *w)
{
	struct rte_mbuf *pkts[CTL_BURST_MAX];
	uint64_t last_rx = rte_get_tsc_cycles();

	while (!__atomic_load_n(w->c.quit, __ATOMIC_RELAXED)) {
		uint16_t n = rte_eth_rx_burst(w->c.port, w->c.queue, pkts, (uint16_t)w->c.burst);
		uint64_t now = w->now = rte_get_tsc_cycles();

		dp_rcu_quiescent(&w->rcu);
		if (w->c.ctl)
			ctl_replies(w);
		if (n) {
			if (!w->c.stats->first_rx_tsc)
				w->c.stats->first_rx_tsc = now;
			w->c.stats->last_rx_tsc = last_rx = now;
			w->c.stats->ctr[DP_RX_PACKETS] += n;
			rx_stage(w, pkts, n, false, false);
			pump(w, false);
		} else {
			pump(w, true); /* idle: complete what waits for full lanes */
			if (w->c.idle_exit_cycles && now - last_rx > w->c.idle_exit_cycles &&
			    !cry_aead_inflight(w->e) && !w->n_sub &&
			    !(w->c.ctl && dp_ctl_outstanding(w->c.ctl, w->c.id)))
				break;
		}
		if (w->fwd) {
			rx_upstream_port(w);
			rx_steered(w);
			fwd_tick(w, now);
		}
		if (w->n_tx)
			tx_flush(w);
	}
}

int dp_worker_main(void *arg)
{
	struct worker *w = worker_new(arg);

	if (!w) {
		fprintf(stderr, "oscore-gw: lcore %u: no AEAD engine or memory\n", rte_lcore_id());
		return -1;
	}
	loop(w);
	pump(w, true);
	if (w->n_tx)
		tx_flush(w);
	worker_free(w);
	return 0;
}
