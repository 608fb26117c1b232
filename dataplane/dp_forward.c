/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forward mode: the gateway as a reverse proxy (RFC 7252 §5.7.3) in front of one CoAP service.
 * Towards the upstream it is an ordinary CoAP client with its own tokens and Message IDs; towards
 * the device it is the OSCORE server. The exchange table links the two (RFC 8613 §8, §7.1).
 */
#include "dataplane/dp_forward.h"

#include <string.h>
#include <strings.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_udp.h>

#include "dataplane/dp_exchange.h"
#include "dataplane/dp_fwd_observe.h"
#include "dataplane/dp_neigh.h"

#define DP_FWD_UPSTREAMS (CTL_FWD_ROUTES_MAX + 1)

struct dp_fwd {
	struct dp_txq up_tx;
	struct dp_neigh nb;
	struct dp_xchg_table *xt;
	struct dp_fobs *obs;            /* shared upstream registrations (RFC 7641 §5) */
	const struct dp_ctx_table *tab; /* exchanges name their context by handle in it */
	/* the services: [0] the default, [i + 1] routes[i]; MACs from the neighbour table */
	struct dp_endpoint up[DP_FWD_UPSTREAMS];
	int up_neigh[DP_FWD_UPSTREAMS];
	unsigned n_up;
	struct ctl_fwd_route routes[CTL_FWD_ROUTES_MAX];
	struct dp_endpoint self_up[2];  /* our source towards them: [0] IPv4, [1] IPv6 */
	struct dp_endpoint self_dev[2]; /* our source towards devices: [0] IPv4, [1] IPv6 */
	struct rte_mempool *mp;
	struct dp_stats *st;
	uint64_t timeout, observe;      /* TSC cycles */
	uint64_t con_interval;          /* RFC 7641 §4.5, TSC cycles */
	uint64_t ack_timeout;           /* RFC 7252 §4.8 ACK_TIMEOUT, TSC cycles */
	unsigned ack_random_permille, max_retransmit;
	unsigned n_x;                   /* exchanges */
	uint32_t *mid_x;                /* Message ID -> the exchange that last sent it, or NIL */
	uint16_t next_mid;
};

static void endpoint_of(struct dp_endpoint *e, const struct dp_addrs *a, bool v6)
{
	memset(e, 0, sizeof(*e));
	e->mac = a->mac;
	e->port = a->udp_port;
	e->v6 = v6;
	if (v6)
		memcpy(e->ip, a->ipv6, 16);
	else
		memcpy(e->ip, &a->ipv4, 4);
}

/* Upstream i at ip:udp (host order), with its neighbour entry. */
static void upstream_at(struct dp_fwd *f, unsigned i, const struct ctl_ip *ip, uint16_t udp)
{
	f->up_neigh[i] = dp_neigh_entry(&f->nb, ip);
	f->up[i] = (struct dp_endpoint){ .port = rte_cpu_to_be_16(udp), .v6 = ip->v6 };
	memcpy(f->up[i].ip, ip->a, 16);
}

struct dp_fwd *dp_fwd_new(const struct ctl_fwd_config *c, const struct dp_addrs *dev,
			  const struct dp_addrs *up, uint16_t up_port, uint16_t queue,
			  const struct dp_ctx_table *tab, struct rte_mempool *mp, struct dp_stats *st,
			  int socket)
{
	struct dp_fwd *f = rte_zmalloc_socket("fwd", sizeof(*f), RTE_CACHE_LINE_SIZE, socket);
	uint64_t hz = rte_get_tsc_hz();
	unsigned i;

	if (!f)
		return NULL;
	f->xt = dp_xchg_table_new(c->exchanges, socket);
	/* every registration has an observer, which takes an exchange: never more of them */
	f->obs = dp_fobs_new(c->exchanges, socket);
	/* the Message IDs the gateway sends on a worker, devices' ACK/RST and ICMP name them */
	f->mid_x = rte_malloc_socket("fwd_mid", 65536 * sizeof(*f->mid_x), 0, socket);
	if (!f->xt || !f->obs || !f->mid_x) {
		rte_free(f->mid_x);
		dp_fobs_free(f->obs);
		dp_xchg_table_free(f->xt);
		rte_free(f);
		return NULL;
	}
	f->up_tx = (struct dp_txq){ .port = up_port, .queue = queue, .st = st };
	dp_neigh_init(&f->nb, c, up, &f->up_tx, mp, st);
	upstream_at(f, 0, &c->upstream, c->upstream_udp);
	for (i = 0; i < c->n_routes; i++)
		upstream_at(f, i + 1, &c->routes[i].ip, c->routes[i].udp);
	memcpy(f->routes, c->routes, sizeof(f->routes));
	f->n_up = c->n_routes + 1;
	endpoint_of(&f->self_up[0], up, false);
	endpoint_of(&f->self_up[1], up, true);
	endpoint_of(&f->self_dev[0], dev, false);
	endpoint_of(&f->self_dev[1], dev, true);
	f->tab = tab;
	f->mp = mp;
	f->st = st;
	memset(f->mid_x, 0xff, 65536 * sizeof(*f->mid_x));
	f->n_x = c->exchanges;
	f->con_interval = hz * c->con_interval_s;
	f->ack_timeout = hz * c->ack_timeout_ms / 1000;
	f->ack_random_permille = c->ack_random_permille;
	f->max_retransmit = c->max_retransmit;
	f->timeout = hz * c->timeout_ms / 1000;
	f->observe = hz * c->observe_ms / 1000;
	f->next_mid = (uint16_t)rte_rand(); /* apart from the worker's own answers' Message IDs */
	return f;
}

void dp_fwd_free(struct dp_fwd *f)
{
	unsigned i;

	if (!f)
		return;
	dp_neigh_fini(&f->nb);
	for (i = 0; i < f->up_tx.n; i++)
		rte_pktmbuf_free(f->up_tx.m[i]);
	for (i = 0; i < f->n_x; i++)
		rte_pktmbuf_free(dp_xchg_at(f->xt, i)->con_frame);
	dp_fobs_free(f->obs);
	dp_xchg_table_free(f->xt);
	rte_free(f->mid_x);
	rte_free(f);
}

/* The exchange waits no longer for an ACK (and keeps no frame for it). */
static void con_clear(struct dp_xchg *x)
{
	rte_pktmbuf_free(x->con_frame);
	x->con_frame = NULL;
	x->con_pending = false;
	x->deadline = x->until;
}

/* The exchange's own deadline t; the sweep looks at it by then, or earlier for a pending CON. */
static void set_until(struct dp_xchg *x, uint64_t t)
{
	x->until = t;
	x->deadline = x->con_pending && x->con_at < t ? x->con_at : t;
}

/* RFC 7252 §4.2: the first timeout is random in [ACK_TIMEOUT, ACK_TIMEOUT * ACK_RANDOM_FACTOR]. */
static uint64_t rto_initial(const struct dp_fwd *f)
{
	uint64_t span = f->ack_timeout * (f->ack_random_permille - 1000) / 1000;

	return f->ack_timeout + (span ? rte_rand() % (span + 1) : 0);
}

/* The CON frame m just went out for x: kept (a reference) to be sent again until its ACK. A new
 * CON notification in place of a pending one carries its retransmission state over (RFC 7641
 * §4.5.2): a device that acknowledges nothing is found out as soon as with one CON. */
static void con_start(struct dp_fwd *f, struct dp_xchg *x, struct rte_mbuf *m, uint64_t now)
{
	bool carry = x->con_pending;

	rte_pktmbuf_free(x->con_frame);
	rte_mbuf_refcnt_update(m, 1);
	x->con_frame = m;
	x->con_pending = true;
	if (!carry) {
		x->con_tries = 0;
		x->con_rto = rto_initial(f);
		x->con_at = now + x->con_rto;
	}
	set_until(x, x->until);
}

/* The exchange is over: out of its registration's observers (if any) and free. */
static void end_xchg(struct dp_fwd *f, struct dp_xchg *x)
{
	con_clear(x);
	dp_fobs_leave(f->obs, f->xt, x);
	dp_xchg_release(f->xt, x);
}

/* x sent Message ID mid: an ACK, RST or ICMP error naming it finds x in O(1). */
static void mid_sent(struct dp_fwd *f, struct dp_xchg *x, uint16_t mid)
{
	f->mid_x[mid] = dp_xchg_index(f->xt, x);
}

/* The upstream (index into f->up) a CoAP frame came from, or -1. */
static int source_route(const struct dp_fwd *f, const struct rte_mbuf *m, const struct dp_flow *fl)
{
	const struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *,
							      fl->l4_off);
	const void *l3 = rte_pktmbuf_mtod_offset(m, const void *, fl->l3_off);
	const void *src = fl->ipv6 ? (const void *)((const struct rte_ipv6_hdr *)l3)->src_addr :
				     (const void *)&((const struct rte_ipv4_hdr *)l3)->src_addr;
	unsigned i;

	for (i = 0; i < f->n_up; i++)
		if (fl->ipv6 == f->up[i].v6 && u->src_port == f->up[i].port &&
		    !memcmp(src, f->up[i].ip, fl->ipv6 ? 16 : 4))
			return (int)i;
	return -1;
}

bool dp_fwd_from_upstream(const struct dp_fwd *f, const struct rte_mbuf *m,
			  const struct dp_flow *fl)
{
	return source_route(f, m, fl) >= 0;
}

/* Do the first n options of m numbered num equal the strings seg[0..n) (len[i] bytes)? */
static bool options_are(const struct osc_coap_msg *m, uint16_t num, unsigned n,
			const char (*seg)[CTL_FWD_SEG_MAX], const uint8_t *len, bool nocase)
{
	unsigned i, k = 0;

	for (i = 0; i < m->n_opts && k < n; i++) {
		const struct osc_coap_opt *o = &m->opts[i];

		if (o->num != num)
			continue;
		if (o->len != len[k] || (nocase ? strncasecmp((const char *)o->val, seg[k], o->len) :
						  memcmp(o->val, seg[k], o->len)))
			return false;
		k++;
	}
	return k == n;
}

/* Issue 10 item 10: the upstream of the verified (inner) request: the first route whose Uri-Path
 * prefix and Uri-Host (RFC 3986 §3.2.2: case-insensitive) it matches, else the default, 0. */
static uint8_t route_of(const struct dp_fwd *f, const struct osc_coap_msg *req)
{
	unsigned i;

	for (i = 0; i + 1 < f->n_up; i++) {
		const struct ctl_fwd_route *r = &f->routes[i];

		if (r->has_host && !options_are(req, COAP_OPT_URI_HOST, 1,
						(const char (*)[CTL_FWD_SEG_MAX])r->host,
						&r->host_len, true))
			continue;
		if (options_are(req, COAP_OPT_URI_PATH, r->n_segs, r->seg, r->seg_len, false))
			return (uint8_t)(i + 1);
	}
	return 0;
}

/* What the answer needs (§8: context, request kid and Partial IV, nonce; the device's token,
 * Message ID and address), taken before the frame is rewritten. */
static void remember(struct dp_xchg *x, const struct rte_mbuf *m, const struct dp_flow *fl,
		     struct ctl_ctx_handle ctx, const struct osc_exchange *ex,
		     const struct osc_coap_msg *req)
{
	dp_frame_source(m, fl, &x->dev);
	x->ex = *ex;
	x->ctx = ctx;
	x->dev_mid = req->mid;
	x->dev_type = req->type;
	x->dev_tkl = req->tkl;
	memcpy(x->dev_token, req->token, req->tkl);
}

/* RFC 7252 §5.7.3: a reverse proxy addresses the origin itself; the device's Uri-Host, Uri-Port
 * and proxy options named the gateway. */
static void strip_proxy_options(struct osc_coap_msg *m)
{
	unsigned i, k = 0;

	for (i = 0; i < m->n_opts; i++) {
		uint16_t n = m->opts[i].num;

		if (n != COAP_OPT_URI_HOST && n != COAP_OPT_URI_PORT && n != COAP_OPT_PROXY_URI &&
		    n != COAP_OPT_PROXY_SCHEME)
			m->opts[k++] = m->opts[i];
	}
	m->n_opts = (uint8_t)k;
}

/* The request's Observe value (RFC 7641 §2), or -1 if it has none or an unusable one. */
static int observe_value(const struct osc_coap_msg *req)
{
	const struct osc_coap_opt *o = osc_coap_find(req, COAP_OPT_OBSERVE, NULL);
	uint32_t v;

	if (!o || osc_coap_uint_decode(o->val, o->len, &v) || v > 1)
		return -1;
	return (int)v;
}

/* RFC 7641 §3.6: a GET with Observe 1 and the registration's token cancels it; §3.3.1: one with
 * Observe 0 and that token re-registers. Either is the device's observation's exchange again,
 * found in O(1) by (context, device token), so that it leaves (or stays in) its registration. */
static struct dp_xchg *reregistration(struct dp_fwd *f, const struct osc_coap_msg *req, int obs,
				      struct ctl_ctx_handle ctx, uint8_t tok[DP_XCHG_TOKEN_LEN])
{
	struct dp_xchg *x;

	if (obs < 0)
		return NULL;
	x = dp_xchg_take_observation(f->xt, ctx, req->token, req->tkl, tok);
	if (x) {
		x->notifications = 0; /* the answer binds to the new request (§8.3) */
		if (obs == 1)
			f->st->ctr[DP_FWD_OBSERVE_CANCELLED]++;
	}
	return x;
}

/* RFC 7641 §5: a registering GET joins the one upstream registration of its resource and goes
 * upstream under that registration's token (the upstream keeps one per endpoint and resource, so
 * a registration per device would replace the others). A cancellation by the registration's last
 * observer goes under its token too and ends it upstream; anyone else's cancellation leaves and
 * goes under the exchange's own token, as a plain GET (§3.6). Anything that cannot share (a key
 * too long, no registration free) registers on its own, as before. */
static void observe_route(struct dp_fwd *f, struct dp_xchg *x, const struct osc_coap_msg *req,
			  int obs, uint8_t tok[DP_XCHG_TOKEN_LEN])
{
	struct dp_fobs_key k;
	bool fresh;

	if (obs == 1) {
		if (dp_fobs_cancel(f->obs, f->xt, x, tok))
			f->st->ctr[DP_FWD_OBS_DEREGISTER]++;
		return;
	}
	if (obs == 0 && req->code == COAP_GET && !dp_fobs_key(&k, 0, req) &&
	    !dp_fobs_join(f->obs, f->xt, x, &k, tok, &fresh)) {
		f->st->ctr[fresh ? DP_FWD_OBS_REGISTERED : DP_FWD_OBS_JOINED]++;
		return;
	}
	dp_fobs_leave(f->obs, f->xt, x); /* a re-registration that no longer shares */
	if (obs == 0)
		f->st->ctr[DP_FWD_OBS_UNSHARED]++;
}

/* req (the gateway's token tok) goes to x's upstream in m: 0, or -1 if it does not fit. */
static int send_request(struct dp_fwd *f, struct dp_xchg *x, struct rte_mbuf *m,
			struct osc_coap_msg *req, const uint8_t *tok, uint64_t now)
{
	const struct dp_endpoint *up = &f->up[x->route];
	int n;

	req->token = tok;
	req->tkl = DP_XCHG_TOKEN_LEN;
	req->mid = x->up_mid = f->next_mid++;
	req->type = req->type == COAP_CON ? COAP_CON : COAP_NON; /* CON stays CON end to end */
	n = osc_coap_encode(rte_pktmbuf_mtod_offset(m, uint8_t *, dp_frame_payload_off(up->v6)),
			    dp_frame_room(m, up->v6), req);
	if (n < 0)
		return -1;
	con_clear(x); /* a re-registration's exchange may still wait for a device's ACK */
	set_until(x, now + f->timeout);
	mid_sent(f, x, x->up_mid);
	dp_frame_udp(m, &f->self_up[up->v6], up, (uint16_t)n);
	if (req->type == COAP_CON) /* RFC 7252 §4.2: sent again until ACKed (or answered) */
		con_start(f, x, m, now);
	dp_neigh_output(&f->nb, m, f->up_neigh[x->route], now);
	f->st->ctr[DP_FWD_REQUESTS]++;
	if (x->route)
		f->st->ctr[DP_FWD_ROUTED]++;
	return 0;
}

uint8_t dp_fwd_request(struct dp_fwd *f, struct rte_mbuf *m, const struct dp_flow *fl,
		       struct ctl_ctx_handle ctx, const struct osc_exchange *ex, const uint8_t *plain,
		       unsigned len, uint64_t dd_ref, uint64_t now)
{
	struct osc_coap_msg req;
	uint8_t tok[DP_XCHG_TOKEN_LEN];
	struct dp_xchg *x;
	int obs;

	if (osc_coap_parse(&req, plain, len) != OSC_COAP_OK) {
		f->st->ctr[DP_FWD_REQ_UNFIT]++;
		return COAP_INTERNAL_ERROR;
	}
	obs = observe_value(&req);
	x = reregistration(f, &req, obs, ctx, tok);
	if (!x)
		x = dp_xchg_alloc(f->xt, tok);
	if (!x) {
		f->st->ctr[DP_FWD_TABLE_FULL]++;
		return COAP_SERVICE_UNAVAILABLE;
	}
	remember(x, m, fl, ctx, ex, &req);
	x->dd_ref = dd_ref;
	x->route = route_of(f, &req); /* by Uri-Host too: before it goes */
	strip_proxy_options(&req);
	observe_route(f, x, &req, obs, tok);
	if (send_request(f, x, m, &req, tok, now)) {
		end_xchg(f, x);
		f->st->ctr[DP_FWD_REQ_UNFIT]++;
		return COAP_INTERNAL_ERROR;
	}
	return 0;
}

/* An empty ACK or RST with Message ID mid to upstream r (RFC 7252 §4.2, §4.3). */
static void send_empty(struct dp_fwd *f, int r, uint8_t type, uint16_t mid, uint64_t now)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(f->mp);
	uint8_t *p;

	if (!m) {
		f->st->ctr[DP_DROP_NO_MBUF]++;
		return;
	}
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, dp_frame_payload_off(f->up[r].v6));
	p[0] = (uint8_t)(0x40 | type << 4);
	p[1] = COAP_EMPTY;
	p[2] = (uint8_t)(mid >> 8);
	p[3] = (uint8_t)mid;
	dp_frame_udp(m, &f->self_up[f->up[r].v6], &f->up[r], COAP_HDR_LEN);
	dp_neigh_output(&f->nb, m, f->up_neigh[r], now);
}

/* Drop Observe from an answer to a request that did not observe: the device would have to
 * discard it (§8.4.2). Returns whether the answer is a notification. */
static bool observe_of(struct osc_coap_msg *r, const struct dp_xchg *x)
{
	unsigned i, k = 0;
	bool found = false;

	for (i = 0; i < r->n_opts; i++) {
		if (r->opts[i].num == COAP_OPT_OBSERVE) {
			found = true;
			if (!x->ex.observe)
				continue;
		}
		r->opts[k++] = r->opts[i];
	}
	r->n_opts = (uint8_t)k;
	return found && x->ex.observe;
}

/* RFC 7641 §4.5: a notification goes CON at least every con_interval (and while one is pending,
 * §4.5.2), so that a device that left is found out: job->con_x names x for dp_fwd_con_sent. */
static void con_due(struct dp_fwd *f, struct dp_xchg *x, struct dp_fwd_job *job, uint64_t now)
{
	if (x->state != DP_XCHG_OBSERVING || (!x->con_pending && now < x->con_due))
		return;
	job->msg.type = COAP_CON;
	job->con_x = dp_xchg_index(f->xt, x);
	job->con_nonce = x->nonce32;
}

/* The answer's header for the device: piggybacked in the ACK of its CON while nothing was sent
 * yet (RFC 7252 §5.2.1), else NON with our Message ID; the device's token either way. False when
 * the device's context was removed (or replaced, App. B.2) while the exchange waited: its slot
 * may hold another device's keys by now (STYLE.md §12), so nothing may be protected for it. */
static bool job_of(struct dp_fwd *f, struct dp_xchg *x, struct dp_fwd_job *job, uint64_t now)
{
	struct osc_coap_msg *r = &job->msg;

	job->dd_ref = x->dd_ref; /* only the first answer is what a retransmission gets again */
	x->dd_ref = 0;
	job->con_x = DP_XCHG_NIL;
	job->ctx = dp_ctx_table_deref(f->tab, x->ctx);
	if (!job->ctx) {
		f->st->ctr[DP_FWD_CTX_GONE]++;
		return false;
	}
	job->ex = x->ex;
	job->dev = x->dev;
	/* §8.3.1: the first answer may reuse the request's nonce, every later one must not */
	job->flags = x->notifications ? OSC_F_OWN_PIV : 0;
	memcpy(job->token, x->dev_token, x->dev_tkl);
	r->token = job->token;
	r->tkl = x->dev_tkl;
	if (x->state == DP_XCHG_WAITING && x->dev_type == COAP_CON) {
		r->type = COAP_ACK;
		r->mid = x->dev_mid;
	} else {
		r->type = COAP_NON;
		r->mid = f->next_mid++;
		x->note_mid = r->mid;
		x->has_note_mid = true;
		mid_sent(f, x, r->mid);
		con_due(f, x, job, now);
	}
	return true;
}

/* The live exchange that sent Message ID mid, or NULL. */
static struct dp_xchg *mid_owner(struct dp_fwd *f, uint16_t mid)
{
	uint32_t i = f->mid_x[mid];
	struct dp_xchg *x;

	if (i == DP_XCHG_NIL)
		return NULL;
	x = dp_xchg_at(f->xt, i);
	return x->state == DP_XCHG_FREE ? NULL : x;
}

/* The device's request waited in vain (no answer in time, every transmission unacknowledged,
 * or the upstream reset it): a protected 5.04 Gateway Timeout in job (false if x's context is
 * gone); x ends either way. */
static bool timeout_job(struct dp_fwd *f, struct dp_xchg *x, struct dp_fwd_job *job, uint64_t now)
{
	bool ok;

	memset(&job->msg, 0, offsetof(struct osc_coap_msg, opts));
	job->msg.code = COAP_GATEWAY_TIMEOUT;
	ok = job_of(f, x, job, now);
	if (ok)
		f->st->ctr[DP_FWD_TIMEOUTS]++;
	end_xchg(f, x);
	return ok;
}

/* Messages from the upstream that answer nothing: empty ACK (a separate response follows,
 * RFC 7252 §5.2.2: our CON needs no retransmission), RST (the request failed: a protected 5.04
 * at once, in job, true), ping, requests. Counted; a CON ping or request is reset (§4.3). */
static bool not_an_answer(struct dp_fwd *f, int src, const struct osc_coap_msg *r,
			  struct dp_fwd_job *job, uint64_t now)
{
	struct dp_xchg *x = r->code == COAP_EMPTY ? mid_owner(f, r->mid) : NULL;

	if (x && (x->state != DP_XCHG_WAITING || x->up_mid != r->mid || x->route != src))
		x = NULL;
	if (r->code == COAP_EMPTY && r->type == COAP_ACK) {
		f->st->ctr[DP_FWD_UP_EMPTY_ACK]++;
		if (x)
			con_clear(x);
		return false;
	}
	if (r->type == COAP_RST) {
		f->st->ctr[DP_FWD_UP_RST]++;
		return x ? timeout_job(f, x, job, now) : false;
	}
	f->st->ctr[DP_FWD_UP_BAD]++;
	if (r->type == COAP_CON)
		send_empty(f, src, COAP_RST, r->mid, now);
	return false;
}

/* The answer r goes to the device of x (job, for the worker to protect), unless x's context is
 * gone (then x ends, false). RFC 7641 §3.2: a notification keeps the observation; a final answer
 * or an error ends it. */
static bool deliver(struct dp_fwd *f, struct dp_xchg *x, struct dp_fwd_job *job, uint64_t now)
{
	struct osc_coap_msg *r = &job->msg;
	bool notification = observe_of(r, x);

	if (!job_of(f, x, job, now)) {
		end_xchg(f, x);
		return false;
	}
	f->st->ctr[x->notifications ? DP_FWD_NOTIFICATIONS : DP_FWD_ANSWERS]++;
	x->notifications++;
	if (x->state == DP_XCHG_WAITING)
		con_clear(x); /* answered: the upstream request needs no retransmission */
	if (notification && r->code >> 5 == 2 &&
	    (x->reg == DP_XCHG_NIL || !dp_fobs_closing(f->obs, x->reg))) {
		if (x->state == DP_XCHG_WAITING)
			x->con_due = now + f->con_interval;
		(void)dp_xchg_observe(f->xt, x); /* refused: only a deregistration misses it */
		set_until(x, now + f->observe);
	} else {
		end_xchg(f, x);
	}
	return true;
}

/* An answer to shared registration g (r, parsed from m): ACKed if CON, then held for every
 * observer (dp_fwd_fanout). A notification to a registration whose last observer is cancelling
 * is not passed on: that observer waits for its cancellation's answer. */
static void registration_answer(struct dp_fwd *f, int src, struct rte_mbuf *m,
				const struct dp_flow *fl, const struct osc_coap_msg *r, uint32_t g,
				uint64_t now)
{
	bool notification = osc_coap_find(r, COAP_OPT_OBSERVE, NULL) && r->code >> 5 == 2;

	if (r->type == COAP_CON) {
		send_empty(f, src, COAP_ACK, r->mid, now);
		f->st->ctr[DP_FWD_UP_ACKS]++;
	}
	if (notification && dp_fobs_closing(f->obs, g)) {
		f->st->ctr[DP_FWD_OBS_CLOSING]++;
		return;
	}
	dp_fobs_hold(f->obs, g, m, fl->payload_off, (uint16_t)fl->payload_len, !notification);
}

bool dp_fwd_answer(struct dp_fwd *f, struct rte_mbuf *m, const struct dp_flow *fl, uint8_t *buf,
		   size_t cap, struct dp_fwd_job *job, uint64_t now)
{
	struct osc_coap_msg *r = &job->msg;
	int src = source_route(f, m, fl);
	struct dp_xchg *x;
	uint32_t g;

	job->dd_ref = 0;
	if (src < 0 || fl->payload_len > cap) {
		f->st->ctr[DP_FWD_UP_BAD]++;
		return false;
	}
	memcpy(buf, rte_pktmbuf_mtod_offset(m, const uint8_t *, fl->payload_off), fl->payload_len);
	if (osc_coap_parse(r, buf, fl->payload_len) != OSC_COAP_OK) {
		f->st->ctr[DP_FWD_UP_BAD]++;
		return false;
	}
	if (r->code >> 5 < 2)
		return not_an_answer(f, src, r, job, now);
	g = dp_fobs_find(f->obs, r->token, r->tkl);
	if (g != DP_XCHG_NIL && (int)dp_fobs_route(f->obs, g) == src) {
		registration_answer(f, src, m, fl, r, g, now);
		return false;
	}
	x = dp_xchg_find(f->xt, r->token, r->tkl);
	if (!x || x->route != src) { /* late, forgotten (RFC 7641 §3.6 says reset it) or spoofed */
		f->st->ctr[DP_FWD_UP_UNKNOWN]++;
		if (r->type != COAP_ACK)
			send_empty(f, src, COAP_RST, r->mid, now);
		return false;
	}
	if (!deliver(f, x, job, now)) { /* RFC 7641 §3.6: a reset ends the upstream's observation */
		if (r->type != COAP_ACK)
			send_empty(f, src, COAP_RST, r->mid, now);
		return false;
	}
	if (r->type == COAP_CON) {
		send_empty(f, src, COAP_ACK, r->mid, now);
		f->st->ctr[DP_FWD_UP_ACKS]++;
	}
	return true;
}

int dp_fwd_fanout(struct dp_fwd *f, uint8_t *buf, size_t cap, struct dp_fwd_job *job,
		  uint64_t now)
{
	const uint8_t *msg;
	uint16_t len;
	struct dp_xchg *x = dp_fobs_next(f->obs, f->xt, &msg, &len);

	job->dd_ref = 0;
	if (!x)
		return 0;
	/* copied before anything may end the registration and free the held frame */
	if (len > cap || osc_coap_parse(&job->msg, memcpy(buf, msg, len), len) != OSC_COAP_OK)
		return -1; /* both were checked when the answer came */
	return deliver(f, x, job, now) ? 1 : -1;
}

/* RFC 7252 §4.2: x's CON went unacknowledged for its timeout: sent again with the timeout
 * doubled, up to MAX_RETRANSMIT times. Then a request to the upstream gets its 5.04 (true, job),
 * and a device that acknowledges no CON notification has left: its observation ends (RFC 7641
 * §4.5). A notification to send again goes to the device's port: job->resend. */
static bool con_again(struct dp_fwd *f, struct dp_xchg *x, struct dp_fwd_job *job, uint64_t now)
{
	if (x->con_tries >= f->max_retransmit) {
		if (x->state == DP_XCHG_WAITING)
			return timeout_job(f, x, job, now);
		f->st->ctr[DP_FWD_OBS_CON_LOST]++;
		end_xchg(f, x);
		return false;
	}
	x->con_tries++;
	x->con_rto *= 2;
	x->con_at = now + x->con_rto;
	set_until(x, x->until);
	rte_mbuf_refcnt_update(x->con_frame, 1);
	if (x->state == DP_XCHG_WAITING) {
		f->st->ctr[DP_FWD_UP_RETRANSMIT]++;
		dp_neigh_output(&f->nb, x->con_frame, f->up_neigh[x->route], now);
	} else {
		f->st->ctr[DP_FWD_OBS_CON_RETRANSMIT]++;
		job->resend = x->con_frame;
	}
	return false;
}

bool dp_fwd_expired(struct dp_fwd *f, struct dp_fwd_job *job, uint64_t now)
{
	struct dp_xchg *x = dp_xchg_expired(f->xt, now);

	job->dd_ref = 0;
	job->resend = NULL;
	if (!x)
		return false;
	if (x->until > now) /* a pending CON's turn */
		return x->con_pending && x->con_at <= now ? con_again(f, x, job, now) : false;
	if (x->state == DP_XCHG_OBSERVING) {
		f->st->ctr[DP_FWD_OBSERVE_EXPIRED]++;
		end_xchg(f, x);
		return false;
	}
	return timeout_job(f, x, job, now);
}

/* The observation whose last message to the device at e had Message ID mid, or NULL. */
static struct dp_xchg *note_owner(struct dp_fwd *f, const struct dp_endpoint *e, uint16_t mid)
{
	struct dp_xchg *x = mid_owner(f, mid);

	if (!x || !x->has_note_mid || x->note_mid != mid || x->dev.port != e->port ||
	    x->dev.v6 != e->v6 || memcmp(x->dev.ip, e->ip, e->v6 ? 16 : 4))
		return NULL;
	return x;
}

bool dp_fwd_device_reply(struct dp_fwd *f, const struct rte_mbuf *m, const struct dp_flow *fl,
			 uint64_t now)
{
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, fl->payload_off);
	struct dp_endpoint e;
	struct dp_xchg *x;
	uint8_t type;

	if (fl->payload_len < COAP_HDR_LEN || p[0] >> 6 != 1 || p[1] != COAP_EMPTY)
		return false;
	type = p[0] >> 4 & 3;
	if (type != COAP_ACK && type != COAP_RST)
		return false;
	dp_frame_source(m, fl, &e);
	x = note_owner(f, &e, (uint16_t)(p[2] << 8 | p[3]));
	if (!x)
		return false;
	if (type == COAP_RST) { /* RFC 7641 §3.6: the device rejected a notification */
		f->st->ctr[DP_FWD_OBS_RST]++;
		end_xchg(f, x);
		return true;
	}
	/* §4.5: still interested; the next CON is due an interval later (a re-registration's
	 * exchange waits for the upstream's ACK instead: not the device's to clear) */
	if (x->state == DP_XCHG_OBSERVING && x->con_pending) {
		f->st->ctr[DP_FWD_OBS_CON_ACKED]++;
		con_clear(x);
		x->con_due = now + f->con_interval;
	}
	return true;
}

void dp_fwd_con_sent(struct dp_fwd *f, uint32_t xi, uint32_t nonce, struct rte_mbuf *m,
		     uint64_t now)
{
	struct dp_xchg *x;

	if (xi >= f->n_x)
		return;
	x = dp_xchg_at(f->xt, xi);
	if (x->state != DP_XCHG_OBSERVING || x->nonce32 != nonce)
		return; /* the observation ended while its notification was protected */
	f->st->ctr[DP_FWD_OBS_CON_SENT]++;
	con_start(f, x, m, now);
}

bool dp_fwd_unreachable(struct dp_fwd *f, const struct dp_endpoint *dst, uint16_t mid)
{
	struct dp_xchg *x = note_owner(f, dst, mid);

	if (!x)
		return false;
	f->st->ctr[DP_FWD_OBS_UNREACHABLE]++; /* the device's port or host is gone */
	end_xchg(f, x);
	return true;
}

void dp_fwd_frame_for_device(const struct dp_fwd *f, struct rte_mbuf *m,
			     const struct dp_endpoint *dev, uint16_t len)
{
	dp_frame_udp(m, &f->self_dev[dev->v6], dev, len);
}

void dp_fwd_queue_up(struct dp_fwd *f, struct rte_mbuf *m)
{
	dp_txq_push(&f->up_tx, m);
}

void dp_fwd_neigh_input(struct dp_fwd *f, struct rte_mbuf *m, const struct dp_flow *fl)
{
	dp_neigh_input(&f->nb, m, fl);
}

void dp_fwd_tick(struct dp_fwd *f, uint64_t now)
{
	dp_neigh_tick(&f->nb, now);
	if (f->up_tx.n)
		dp_txq_flush(&f->up_tx);
}

unsigned dp_fwd_live(const struct dp_fwd *f)
{
	return dp_xchg_live(f->xt);
}
