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
#include "oscore/osc_protect.h"

#define MSG_MAX RTE_MBUF_DEFAULT_DATAROOM /* a received message fits one mbuf */
#define SLOTS (CRY_MAX_INFLIGHT + 2 * DP_BURST_MAX)
/* Every slot needs at most one decrypt per candidate and one encrypt. */
#define PUMP_ROUNDS (OSC_MAX_CANDIDATES + 2)

struct slot {
	struct osc_rx rx;
	struct osc_tx tx;
	struct rte_mbuf *m;
	struct dp_flow f;
	const struct dp_ctx_cands *cands;
	uint8_t tried;       /* candidates tried so far */
	uint8_t err;         /* last reason a candidate failed */
	bool fwd_answer;     /* forward mode: an upstream answer or 5.04 for dev */
	struct dp_endpoint dev;
	uint8_t token[COAP_TOKEN_MAX];
	uint8_t plain[OSC_PLAIN_HEADROOM + MSG_MAX];
	uint8_t out[MSG_MAX]; /* the verified plain request */
};

struct worker {
	struct dp_worker_conf c;
	struct cry_engine *e;
	struct slot *slots;
	struct slot *free[SLOTS];
	struct cry_op *sub[SLOTS];
	struct cry_op *done[SLOTS + CRY_MAX_INFLIGHT];
	struct rte_mbuf *tx[SLOTS + DP_BURST_MAX];
	unsigned n_free, n_sub, n_tx;
	uint16_t next_mid;
	uint64_t tokens, refill_at, cycles_per_token;
	struct dp_fwd *fwd;  /* forward mode */
	struct dp_fwd_job job;
};

static struct slot *slot_get(struct worker *w)
{
	return w->n_free ? w->free[--w->n_free] : NULL;
}

static void slot_put(struct worker *w, struct slot *s)
{
	s->m = NULL;
	w->free[w->n_free++] = s;
}

static void queue_tx(struct worker *w, struct rte_mbuf *m)
{
	w->tx[w->n_tx++] = m;
}

static void drop_slot(struct worker *w, struct slot *s, enum dp_ctr why)
{
	w->c.stats->ctr[why]++;
	rte_pktmbuf_free(s->m);
	slot_put(w, s);
}

/* Token bucket over error answers so that the gateway never amplifies an attack (§8.2 answers
 * are cheap to provoke). Global per worker until a per-source limit exists. */
static bool bucket_take(struct worker *w)
{
	uint64_t now;

	if (!w->c.err_rate)
		return true;
	now = rte_get_tsc_cycles();
	if (now > w->refill_at) {
		uint64_t add = (now - w->refill_at) / w->cycles_per_token;

		w->tokens = RTE_MIN(w->tokens + add, (uint64_t)w->c.err_burst);
		w->refill_at += add * w->cycles_per_token;
	}
	if (!w->tokens)
		return false;
	w->tokens--;
	return true;
}

/* RFC 7252 §5.2: a CON request is answered piggybacked in the ACK with its Message ID; a NON one
 * with a NON response and a fresh Message ID. The token is the device's either way. */
static void answer_header(struct worker *w, struct slot *s, struct osc_coap_msg *m, uint8_t code)
{
	const struct osc_coap_msg *req = &s->rx.outer;

	memset(m, 0, offsetof(struct osc_coap_msg, opts));
	m->type = req->type == COAP_CON ? COAP_ACK : COAP_NON;
	m->mid = req->type == COAP_CON ? req->mid : w->next_mid++;
	m->code = code;
	m->tkl = req->tkl;
	memcpy(s->token, req->token, req->tkl); /* the answer overwrites the request */
	m->token = s->token;
}

static void *payload_of(struct slot *s)
{
	return rte_pktmbuf_mtod_offset(s->m, void *, s->f.payload_off);
}

/* §8.2: an unprotected error answer with the diagnostic payload and outer Max-Age 0, or nothing
 * where §8.2 asks for silence. */
static void answer_error(struct worker *w, struct slot *s)
{
	int err = s->rx.err, len;
	uint8_t code = osc_err_coap_code(err);
	const char *diag = osc_err_diag(err);
	struct osc_coap_msg m;

	w->c.stats->osc_err[err < OSC_ERR__COUNT ? err : 0]++;
	if (!code || !bucket_take(w)) {
		drop_slot(w, s, code ? DP_DROP_RATE_LIMITED : DP_DROP_SILENT);
		return;
	}
	answer_header(w, s, &m, code);
	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_MAX_AGE, .len = 0 };
	m.n_opts = 1;
	m.payload = (const uint8_t *)diag;
	m.payload_len = diag ? (uint32_t)strlen(diag) : 0;
	len = osc_coap_encode(payload_of(s), dp_answer_room(s->m, &s->f), &m);
	if (len < 0) {
		drop_slot(w, s, DP_DROP_SILENT);
		return;
	}
	dp_answer_udp(s->m, &s->f, w->c.addrs, (uint16_t)len);
	queue_tx(w, s->m);
	w->c.stats->ctr[DP_ANSWER_ERROR]++;
	slot_put(w, s);
}

/* Next candidate context whose replay check passes, its decrypt queued; else the error answer. */
static void try_next(struct worker *w, struct slot *s)
{
	const struct dp_ctx_cands *l = s->cands;

	while (l && s->tried < l->n) {
		struct osc_ctx *c = l->c[s->tried++];

		if (!osc_ctx_matches(c, &s->rx.opt))
			continue;
		if (osc_rx_prepare(&s->rx, c, NULL) == OSC_OK) {
			s->rx.op.user = s;
			w->sub[w->n_sub++] = &s->rx.op;
			return;
		}
		s->err = s->rx.err;
	}
	s->rx.err = s->err;
	answer_error(w, s);
}

/* Respond mode: the gateway itself answers a verified request (2.05 with an empty payload for
 * GET and FETCH, else 2.04), or a request that verified but failed later with the §8.2 code, both
 * protected with the request's nonce (§8.3, no Partial IV). The encrypt runs in place in the
 * frame, queued behind the burst's other ops. */
static void answer_protected(struct worker *w, struct slot *s, uint8_t code, const char *diag)
{
	struct osc_exchange ex;
	struct osc_coap_msg m;
	int rc;

	osc_rx_exchange(&s->rx, &ex); /* before the answer overwrites the kid it points to */
	answer_header(w, s, &m, code);
	m.payload = (const uint8_t *)diag;
	m.payload_len = diag ? (uint32_t)strlen(diag) : 0;
	rc = osc_tx_prepare_response(&s->tx, s->rx.ctx, &ex, &m, payload_of(s),
				     dp_answer_room(s->m, &s->f), 0);
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
	uint8_t code = dp_fwd_request(w->fwd, s->m, &s->f, &s->rx, s->out, len,
				      rte_get_tsc_cycles());

	if (!code) {
		slot_put(w, s);
		return;
	}
	answer_protected(w, s, code, NULL);
}

/* Forward mode: protect an upstream answer or a 5.04 (job) into s->m for the device, with the
 * request's nonce or the gateway's own Partial IV (§8.3, §8.3.1). */
static void protect_job(struct worker *w, struct slot *s, struct dp_fwd_job *job)
{
	int rc;

	s->fwd_answer = true;
	s->dev = job->dev;
	rc = osc_tx_prepare_response(&s->tx, job->ctx, &job->ex, &job->msg,
				     rte_pktmbuf_mtod_offset(s->m, uint8_t *,
							     dp_frame_payload_off(job->dev.v6)),
				     dp_frame_room(s->m, job->dev.v6), job->flags);
	if (rc != OSC_OK) {
		w->c.stats->osc_err[rc]++;
		drop_slot(w, s, DP_FWD_ANSWER_UNFIT);
		return;
	}
	s->tx.op.user = s;
	w->sub[w->n_sub++] = &s->tx.op;
}

static void decrypted(struct worker *w, struct slot *s)
{
	int len;
	uint8_t code;

	if (s->rx.op.status == CRY_ERR_AUTH) { /* §3.3: a colliding Recipient ID may be next */
		s->err = OSC_ERR_DECRYPT;
		try_next(w, s);
		return;
	}
	len = osc_rx_finish(&s->rx, s->out, sizeof(s->out));
	if (len < 0 && (s->rx.err == OSC_ERR_INNER || s->rx.err == OSC_ERR_NESTED)) {
		w->c.stats->osc_err[s->rx.err]++;
		answer_protected(w, s, osc_err_coap_code(s->rx.err), osc_err_diag(s->rx.err));
		return;
	}
	if (len < 0) {
		answer_error(w, s);
		return;
	}
	if (w->fwd) {
		forward(w, s, (unsigned)len);
		return;
	}
	code = s->out[1];
	answer_protected(w, s, code == COAP_GET || code == COAP_FETCH ? COAP_CONTENT : COAP_CHANGED,
			 NULL);
}

static void encrypted(struct worker *w, struct slot *s)
{
	if (s->tx.op.status != CRY_OK) {
		w->c.stats->osc_err[OSC_ERR_CRYPTO]++;
		drop_slot(w, s, DP_DROP_SILENT);
		return;
	}
	if (s->fwd_answer)
		dp_fwd_frame_for_device(w->fwd, s->m, &s->dev, (uint16_t)s->tx.len);
	else
		dp_answer_udp(s->m, &s->f, w->c.addrs, (uint16_t)s->tx.len);
	queue_tx(w, s->m);
	w->c.stats->ctr[DP_ANSWER_PROTECTED]++;
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

			if (w->done[i]->dir == CRY_DECRYPT)
				decrypted(w, s);
			else
				encrypted(w, s);
		}
		if (!idle && !w->n_sub)
			break;
	}
}

/* A classified CoAP frame: take a slot and parse. Returns the slot if it needs a lookup. */
static struct slot *start(struct worker *w, struct rte_mbuf *m, const struct dp_flow *f)
{
	struct slot *s = slot_get(w);

	if (!s) {
		w->c.stats->ctr[DP_DROP_NO_SLOT]++;
		rte_pktmbuf_free(m);
		return NULL;
	}
	s->m = m;
	s->f = *f;
	s->fwd_answer = false;
	s->tried = 0;
	s->err = OSC_ERR_NO_CONTEXT;
	s->rx.plain = s->plain;
	s->rx.plain_cap = sizeof(s->plain);
	if (osc_rx_parse(&s->rx, payload_of(s), f->payload_len, true) == OSC_OK)
		return s;
	answer_error(w, s);
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
		rte_pktmbuf_free(m); /* the forwarder counted why */
		slot_put(w, s);
		return;
	}
	protect_job(w, s, &w->job);
}

/* Frames that are neither CoAP nor dropped: local answers go back out the port they came from;
 * ARP replies and neighbour advertisements feed the forwarder's neighbour table. */
static void local(struct worker *w, struct rte_mbuf *m, enum dp_verdict v, const struct dp_flow *f,
		  bool from_up)
{
	if (v == DP_ANSWER && from_up)
		dp_fwd_queue_up(w->fwd, m);
	else if (v == DP_ANSWER)
		queue_tx(w, m);
	else if (w->fwd)
		dp_fwd_neigh_input(w->fwd, m, f);
	else {
		w->c.stats->ctr[f->ipv6 ? DP_DROP_ICMP6 : DP_DROP_ARP]++;
		rte_pktmbuf_free(m);
	}
}

/* Classify and parse the burst, then one bulk lookup, then the replay checks and AEAD setup.
 * from_up: the burst came from the forwarder's separate upstream port. */
static void rx_stage(struct worker *w, struct rte_mbuf **pkts, unsigned n, bool from_up)
{
	struct dp_ctx_key key[DP_BURST_MAX];
	const struct dp_ctx_key *kp[DP_BURST_MAX];
	const struct dp_ctx_cands *cands[DP_BURST_MAX];
	struct slot *s[DP_BURST_MAX];
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		struct dp_flow f;
		enum dp_verdict v;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		v = dp_classify(pkts[i], from_up ? w->c.up_addrs : w->c.addrs, &f, w->c.stats);
		if (v == DP_ANSWER || v == DP_NEIGH)
			local(w, pkts[i], v, &f, from_up);
		else if (v == DP_DROP)
			rte_pktmbuf_free(pkts[i]);
		else if (w->fwd && dp_fwd_from_upstream(w->fwd, pkts[i], &f))
			upstream(w, pkts[i], &f);
		else if ((s[k] = start(w, pkts[i], &f)) != NULL) {
			dp_ctx_key_of(&key[k], &s[k]->rx.opt);
			kp[k] = &key[k];
			k++;
		}
	}
	dp_ctx_lookup_bulk(w->c.table, kp, k, cands);
	for (i = 0; i < k; i++) {
		s[i]->cands = cands[i];
		try_next(w, s[i]);
	}
}

static void tx_flush(struct worker *w)
{
	uint16_t sent = 0;
	unsigned i;

	while (sent < w->n_tx) {
		uint16_t k = rte_eth_tx_burst(w->c.port, w->c.queue, w->tx + sent,
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
		w->fwd = dp_fwd_new(c->fwd, c->addrs, c->up_addrs, c->up_port, c->queue, c->mp,
				    c->stats, socket);
	if (!w->e || !w->slots || (c->fwd && !w->fwd)) {
		cry_engine_free(w->e);
		rte_free(w->slots);
		rte_free(w);
		return NULL;
	}
	for (i = 0; i < SLOTS; i++)
		slot_put(w, &w->slots[SLOTS - 1 - i]);
	w->next_mid = (uint16_t)(rte_lcore_id() << 12);
	w->tokens = c->err_burst;
	w->refill_at = rte_get_tsc_cycles();
	w->cycles_per_token = c->err_rate ? RTE_MAX(rte_get_tsc_hz() / c->err_rate, 1ul) : 1;
	return w;
}

static void worker_free(struct worker *w)
{
	dp_fwd_free(w->fwd);
	cry_engine_free(w->e);
	rte_free(w->slots);
	rte_free(w);
}

/* Forward mode, every iteration: one step of the exchange sweep (a request the upstream left
 * unanswered becomes a protected 5.04), neighbour probes, the upstream's tx queue. */
static void fwd_tick(struct worker *w, uint64_t now)
{
	struct rte_mbuf *m;
	struct slot *s;

	if (w->n_free && dp_fwd_expired(w->fwd, &w->job, now)) {
		m = rte_pktmbuf_alloc(w->c.mp);
		if (!m) {
			w->c.stats->ctr[DP_DROP_NO_MBUF]++;
		} else {
			s = slot_get(w);
			s->m = m;
			protect_job(w, s, &w->job);
		}
	}
	dp_fwd_tick(w->fwd, now);
}

/* Forward mode with a port of its own for the upstream: its burst, classified against it. */
static void rx_upstream_port(struct worker *w)
{
	struct rte_mbuf *pkts[DP_BURST_MAX];
	uint16_t n;

	if (w->c.up_port == w->c.port)
		return;
	n = rte_eth_rx_burst(w->c.up_port, w->c.queue, pkts, (uint16_t)w->c.burst);
	if (n) {
		w->c.stats->ctr[DP_RX_PACKETS] += n;
		rx_stage(w, pkts, n, true);
		pump(w, false);
	}
}

static void loop(struct worker *w)
{
	struct rte_mbuf *pkts[DP_BURST_MAX];
	uint64_t last_rx = rte_get_tsc_cycles();

	while (!__atomic_load_n(w->c.quit, __ATOMIC_RELAXED)) {
		uint16_t n = rte_eth_rx_burst(w->c.port, w->c.queue, pkts, (uint16_t)w->c.burst);
		uint64_t now = rte_get_tsc_cycles();

		if (n) {
			if (!w->c.stats->first_rx_tsc)
				w->c.stats->first_rx_tsc = now;
			w->c.stats->last_rx_tsc = last_rx = now;
			w->c.stats->ctr[DP_RX_PACKETS] += n;
			rx_stage(w, pkts, n, false);
			pump(w, false);
		} else {
			pump(w, true); /* idle: complete what waits for full lanes */
			if (w->c.idle_exit_cycles && now - last_rx > w->c.idle_exit_cycles &&
			    !cry_aead_inflight(w->e) && !w->n_sub)
				break;
		}
		if (w->fwd) {
			rx_upstream_port(w);
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
