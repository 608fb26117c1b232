/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-plane hand-off over rte_rings (see dp_ctl_ring.h). */
#include "dataplane/dp_ctl_ring.h"

#include <stdio.h>
#include <string.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#include "control/ctl_b12.h"
#include "control/ctl_b2.h"
#include "dataplane/dp_state.h"

#define HANDLERS_MAX 16
#define PATH_MAX_LEN 128
#define SERVE_BURST 32

struct pool {
	struct rte_ring *reply;     /* control -> this worker; single producer, single consumer */
	struct dp_ctl_msg *msgs;
	struct dp_ctl_msg *free[DP_CTL_MSGS];
	unsigned n_free;            /* the worker's alone: it takes and returns messages */
} __rte_cache_aligned;

struct handler {
	char path[PATH_MAX_LEN];
	dp_ctl_handler_fn fn;
};

/* The context App. B.2 replaces next, per template: its ID Context. */
struct b2_cur {
	uint8_t id_ctx[OSC_ID_CTX_MAX];
	uint8_t len;
	bool has;
};

struct b2 {
	struct osc_ctx ctx;         /* ctx(R2 || R3) while request #2 is verified (64-aligned) */
	struct ctl_b2 t;
	struct b2_cur cur[CTL_B2_TEMPLATES];
	struct dp_state *state;
	struct dp_ctx_table *table;
};

struct dp_ctl {
	struct rte_ring *req;       /* workers -> control; multi producer, single consumer */
	struct cry_engine *e;       /* the control lcore's, for protected answers */
	struct handler h[HANDLERS_MAX];
	unsigned n_h, n_workers;
	uint16_t next_mid;
	char paths[DP_CTL_PATHS_MAX][DP_CTL_PATH_LEN];
	unsigned n_paths;
	struct ctl_echo echo;       /* App. B.1.2: this boot's Echo key (control lcore only) */
	bool b12, own_piv, forward;
	const struct dp_ctx_table *fwd_table; /* forward mode: handles of accepted B.1.2 requests */
	struct b2 *b2;              /* App. B.2 (NULL: no context has "b2") */
	struct pool p[];
};

static struct rte_ring *ring(const char *what, unsigned i, unsigned size, unsigned flags,
			     int socket)
{
	static unsigned seq;
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "ctl_%s_%u_%u", what, i, seq++);
	return rte_ring_create(name, size, socket, flags | RING_F_EXACT_SZ);
}

struct dp_ctl *dp_ctl_new(unsigned n_workers, const struct dp_ops_config *o, int socket)
{
	struct dp_ctl *c = rte_zmalloc_socket("ctl", sizeof(*c) + n_workers * sizeof(c->p[0]),
					      RTE_CACHE_LINE_SIZE, socket);
	unsigned i, k;

	if (!c)
		return NULL;
	c->n_workers = n_workers;
	c->e = cry_engine_new();
	c->req = ring("req", 0, n_workers * DP_CTL_MSGS, RING_F_SC_DEQ, socket);
	c->next_mid = (uint16_t)(rte_lcore_id() << 12);
	memcpy(c->paths, o->ctl_paths, sizeof(c->paths));
	c->n_paths = o->n_ctl_paths;
	for (i = 0; c->e && c->req && i < n_workers; i++) {
		struct pool *p = &c->p[i];

		p->reply = ring("reply", i, DP_CTL_MSGS, RING_F_SP_ENQ | RING_F_SC_DEQ, socket);
		p->msgs = rte_zmalloc_socket("ctl_msgs", DP_CTL_MSGS * sizeof(*p->msgs),
					     RTE_CACHE_LINE_SIZE, socket);
		if (!p->reply || !p->msgs)
			break;
		for (k = 0; k < DP_CTL_MSGS; k++) {
			p->msgs[k].worker = i;
			p->free[p->n_free++] = &p->msgs[k];
		}
	}
	if (i < n_workers || !c->e || !c->req) {
		dp_ctl_free(c);
		return NULL;
	}
	return c;
}

/* Frames still held by messages in either ring are freed; messages are the pools' memory. */
static void drain(struct rte_ring *r)
{
	void *msg;

	while (r && rte_ring_dequeue(r, &msg) == 0)
		rte_pktmbuf_free(((struct dp_ctl_msg *)msg)->m);
}

void dp_ctl_free(struct dp_ctl *c)
{
	unsigned i;

	if (!c)
		return;
	drain(c->req);
	rte_ring_free(c->req);
	for (i = 0; i < c->n_workers; i++) {
		drain(c->p[i].reply);
		rte_ring_free(c->p[i].reply);
		rte_free(c->p[i].msgs);
	}
	cry_engine_free(c->e);
	ctl_echo_wipe(&c->echo);
	if (c->b2) {
		ctl_b2_wipe(&c->b2->t);
		rte_free(c->b2);
	}
	rte_free(c);
}

int dp_ctl_register(struct dp_ctl *c, const char *path, dp_ctl_handler_fn fn)
{
	if (c->n_h == HANDLERS_MAX || strlen(path) >= PATH_MAX_LEN)
		return -1;
	snprintf(c->h[c->n_h].path, PATH_MAX_LEN, "%s", path);
	c->h[c->n_h++].fn = fn;
	return 0;
}

/* "/seg1/seg2" from m's Uri-Path options (RFC 7252 §6.5); "/" for none. Returns -1 if too long
 * or if a segment holds a '/' (it would then read as two segments). */
static int uri_path(const struct osc_coap_msg *m, char *out, size_t cap)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < m->n_opts; i++) {
		const struct osc_coap_opt *o = &m->opts[i];

		if (o->num != COAP_OPT_URI_PATH)
			continue;
		if (n + 1 + o->len >= cap || memchr(o->val, '/', o->len))
			return -1;
		out[n++] = '/';
		memcpy(out + n, o->val, o->len);
		n += o->len;
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

bool dp_ctl_plain_match(const struct osc_coap_msg *m)
{
	char path[PATH_MAX_LEN];

	if (m->code >> 5 != 0 || !m->code || uri_path(m, path, sizeof(path)))
		return false;
	return !strcmp(path, "/authz-info") || !strcmp(path, "/.well-known/edhoc");
}

bool dp_ctl_protected_match(const struct dp_ctl *c, const struct osc_coap_msg *m)
{
	char path[PATH_MAX_LEN];
	unsigned i;

	if (!c || !c->n_paths || uri_path(m, path, sizeof(path)))
		return false;
	for (i = 0; i < c->n_paths; i++) {
		size_t n = strlen(c->paths[i]);

		if (!strncmp(path, c->paths[i], n) && (path[n] == '\0' || path[n] == '/'))
			return true;
	}
	return false;
}

int dp_ctl_handoff(struct dp_ctl *c, unsigned worker, struct rte_mbuf *m, const struct dp_flow *f,
		   uint64_t dedup_ref, const uint8_t *req, uint16_t len, struct osc_ctx *ctx,
		   const struct osc_exchange *ex, enum dp_ctl_kind kind, struct dp_stats *st)
{
	struct pool *p = &c->p[worker];
	struct dp_ctl_msg *msg;

	if (!p->n_free || len > DP_CTL_REQ_MAX) {
		st->ctr[DP_CTL_RING_FULL]++;
		return -1;
	}
	msg = p->free[--p->n_free];
	msg->m = m;
	msg->f = *f;
	msg->dedup_ref = dedup_ref;
	msg->ctx = ctx;
	msg->kind = (uint8_t)kind;
	if (ex)
		msg->ex = *ex;
	msg->req_len = len;
	msg->ans_len = 0;
	msg->forward = false;
	memcpy(msg->req, req, len);
	if (rte_ring_mp_enqueue(c->req, msg)) { /* cannot happen: the ring holds every message */
		p->free[p->n_free++] = msg;
		st->ctr[DP_CTL_RING_FULL]++;
		return -1;
	}
	st->ctr[DP_CTL_HANDOFF]++;
	return 0;
}

unsigned dp_ctl_replies(struct dp_ctl *c, unsigned worker, struct dp_ctl_msg **out, unsigned max)
{
	return rte_ring_sc_dequeue_burst(c->p[worker].reply, (void **)out, max, NULL);
}

void dp_ctl_msg_put(struct dp_ctl *c, struct dp_ctl_msg *msg)
{
	struct pool *p = &c->p[msg->worker];

	msg->m = NULL;
	p->free[p->n_free++] = msg;
}

unsigned dp_ctl_outstanding(const struct dp_ctl *c, unsigned worker)
{
	return DP_CTL_MSGS - c->p[worker].n_free;
}

static dp_ctl_handler_fn find_handler(const struct dp_ctl *c, const struct osc_coap_msg *req)
{
	char path[PATH_MAX_LEN];
	unsigned i;

	if (uri_path(req, path, sizeof(path)))
		return NULL;
	for (i = 0; i < c->n_h; i++)
		if (!strcmp(path, c->h[i].path))
			return c->h[i].fn;
	return NULL;
}

/* The answer's header (RFC 7252 §5.2: piggybacked ACK for CON, NON with a fresh Message ID for
 * NON, the request's token) with the handler's code, options and payload; 4.04 without one. */
static int build(struct dp_ctl *c, const struct osc_coap_msg *req, bool protected_,
		 struct osc_coap_msg *ans, uint8_t *buf, size_t cap, struct dp_stats *st)
{
	dp_ctl_handler_fn fn = find_handler(c, req);

	memset(ans, 0, offsetof(struct osc_coap_msg, opts));
	if (!fn) {
		st->ctr[DP_CTL_NOT_FOUND]++;
		ans->code = COAP_NOT_FOUND;
	} else if (fn(req, protected_, ans, buf, cap)) {
		return -1;
	}
	ans->type = req->type == COAP_CON ? COAP_ACK : COAP_NON;
	ans->mid = req->type == COAP_CON ? req->mid : c->next_mid++;
	ans->tkl = req->tkl;
	ans->token = req->token;
	return 0;
}

static int serve(struct dp_ctl *c, struct dp_ctl_msg *msg, struct dp_stats *st)
{
	struct osc_coap_msg req, ans;
	uint8_t buf[DP_CTL_ANS_MAX], plain[DP_CTL_ANS_MAX];
	int len;

	if (osc_coap_parse(&req, msg->req, msg->req_len) != OSC_COAP_OK ||
	    build(c, &req, msg->ctx != NULL, &ans, buf, sizeof(buf), st))
		return -1;
	if (!msg->ctx)
		len = osc_coap_encode(msg->ans, sizeof(msg->ans), &ans);
	else if ((len = osc_coap_encode(plain, sizeof(plain), &ans)) >= 0)
		len = osc_protect_response(c->e, msg->ctx, &msg->ex, plain, (size_t)len, msg->ans,
					   sizeof(msg->ans), 0);
	if (len <= 0)
		return -1;
	msg->ans_len = (uint16_t)len;
	return 0;
}

int dp_ctl_b12_setup(struct dp_ctl *c, uint32_t echo_lifetime, bool own_piv,
		     const struct dp_ctx_table *fwd_table)
{
	if (ctl_echo_init(&c->echo, echo_lifetime))
		return -1;
	c->b12 = true;
	c->own_piv = own_piv;
	c->forward = fwd_table != NULL;
	c->fwd_table = fwd_table;
	return 0;
}

int dp_ctl_b2_setup(struct dp_ctl *c, struct dp_state *s, struct dp_ctx_table *t,
		    const struct osc_params *p, const unsigned *idx, unsigned n, uint32_t r2_lifetime)
{
	unsigned i;

	if (!n)
		return 0;
	c->b2 = rte_zmalloc("ctl_b2", sizeof(*c->b2), RTE_CACHE_LINE_SIZE);
	if (!c->b2)
		return -1;
	ctl_b2_init(&c->b2->t, r2_lifetime);
	c->b2->state = s;
	c->b2->table = t;
	for (i = 0; i < n; i++) {
		const struct osc_params *q = &p[idx[i]];
		struct b2_cur *cur = &c->b2->cur[i]; /* ctl_b2_add appends: template i */

		if (ctl_b2_add(&c->b2->t, q))
			return -1;
		memcpy(cur->id_ctx, q->id_ctx, sizeof(cur->id_ctx));
		cur->len = q->id_ctx_len;
		cur->has = q->has_id_ctx;
	}
	return 0;
}

/* The request's protected answer: code (no options, no payload) in the header build() gives,
 * protected with msg's context and exchange. flags: OSC_F_OWN_PIV. Returns its length or
 * -(enum osc_err). */
static int protect_code(struct dp_ctl *c, struct dp_ctl_msg *msg, const struct osc_coap_msg *req,
			uint8_t code, unsigned flags)
{
	struct osc_coap_msg ans = { .type = req->type == COAP_CON ? COAP_ACK : COAP_NON,
				    .code = code, .tkl = req->tkl, .token = req->token };
	uint8_t plain[64];
	int len;

	ans.mid = req->type == COAP_CON ? req->mid : c->next_mid++;
	len = osc_coap_encode(plain, sizeof(plain), &ans);
	if (len < 0)
		return -OSC_ERR_TOO_BIG;
	return osc_protect_response(c->e, msg->ctx, &msg->ex, plain, (size_t)len, msg->ans,
				    sizeof(msg->ans), flags);
}

/* Like the worker's answer: a fresh Partial IV when configured, but never an SSN that is not yet
 * durable (App. B.1.1): then a 5.03 on the request's nonce (§8.3). */
static int protect_durable(struct dp_ctl *c, struct dp_ctl_msg *msg,
			   const struct osc_coap_msg *req, uint8_t code, bool own, struct dp_stats *st)
{
	int len = protect_code(c, msg, req, code, own ? OSC_F_OWN_PIV : 0);

	if (len != -OSC_ERR_SSN_LIMIT)
		return len;
	st->ctr[DP_B12_SSN_LIMIT]++;
	return protect_code(c, msg, req, COAP_SERVICE_UNAVAILABLE, 0);
}

/* What ctl_b12 needs of the request's osc_rx, rebuilt from the message (the worker's slot is
 * gone): header of the plain request (same type, ID and token as the outer one), the context and
 * the exchange (kid, Partial IV, nonce). */
static void b12_rx(const struct dp_ctl_msg *msg, const struct osc_coap_msg *req, struct osc_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->outer = *req;
	rx->ctx = msg->ctx;
	rx->opt.kid = msg->ex.kid;
	rx->opt.kid_len = msg->ex.kid_len;
	rx->opt.has_kid = true;
	memcpy(rx->opt.piv, msg->ex.piv, sizeof(rx->opt.piv));
	rx->opt.piv_len = msg->ex.piv_len;
	memcpy(rx->nonce, msg->ex.nonce, sizeof(rx->nonce));
	rx->piv = osc_piv_to_ssn(msg->ex.piv, msg->ex.piv_len);
	rx->observe = msg->ex.observe;
}

/* The accepted request without its Echo: that answered the gateway's own challenge (RFC 9175
 * §2.4, App. B.1.2), the upstream never asked for one. Rewritten in msg->req. */
static int without_echo(struct dp_ctl_msg *msg, const struct osc_coap_msg *req)
{
	struct osc_coap_msg m = *req;
	uint8_t buf[DP_CTL_REQ_MAX];
	unsigned i, k = 0;
	int n;

	for (i = 0; i < m.n_opts; i++)
		if (m.opts[i].num != COAP_OPT_ECHO)
			m.opts[k++] = m.opts[i];
	m.n_opts = (uint8_t)k;
	n = osc_coap_encode(buf, sizeof(buf), &m);
	if (n < 0)
		return -1;
	memcpy(msg->req, buf, (size_t)n);
	msg->req_len = (uint16_t)n;
	return 0;
}

/* An accepted request is served as any other: respond mode answers it here (2.05 for GET and
 * FETCH, else 2.04, as the worker would); forward mode hands it back to its worker to be
 * forwarded (the context by handle: it may be removed before the worker sees the reply), with a
 * protected 5.03 on the request's nonce as the answer if the worker cannot forward it. */
static int b12_serve(struct dp_ctl *c, struct dp_ctl_msg *msg, const struct osc_coap_msg *req,
		     struct dp_stats *st)
{
	uint8_t code = req->code == COAP_GET || req->code == COAP_FETCH ? COAP_CONTENT :
									COAP_CHANGED;
	int len;

	st->ctr[DP_B12_ACCEPT]++;
	if (!c->forward)
		return protect_durable(c, msg, req, code, c->own_piv, st);
	len = protect_code(c, msg, req, COAP_SERVICE_UNAVAILABLE, 0);
	msg->ref = dp_ctx_table_ref(c->fwd_table, msg->ctx);
	msg->forward = len > 0 && !without_echo(msg, req);
	return len;
}

/* An unprotected answer with code, Max-Age 0 and diagnostic payload diag (§8.2). */
static int unprotected(struct dp_ctl *c, struct dp_ctl_msg *msg, const struct osc_coap_msg *req,
		       uint8_t code, const char *diag)
{
	struct osc_coap_msg ans = { .type = req->type == COAP_CON ? COAP_ACK : COAP_NON,
				    .code = code, .tkl = req->tkl, .token = req->token, .n_opts = 1 };

	ans.mid = req->type == COAP_CON ? req->mid : c->next_mid++;
	ans.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_MAX_AGE, .len = 0 };
	ans.payload = (const uint8_t *)diag;
	ans.payload_len = diag ? (uint32_t)strlen(diag) : 0;
	return osc_coap_encode(msg->ans, sizeof(msg->ans), &ans);
}

/* The 4.01 needs an SSN of its own and the next one is not yet durable (App. B.1.1). The
 * request's nonce cannot be reused instead: the window is unknown, so the request may be a replay
 * of one already answered under that nonce. Hence an unprotected 5.03 with Max-Age 0 (§8.2 style):
 * the device tries again once the ceiling is written. */
static int unprotected_503(struct dp_ctl *c, struct dp_ctl_msg *msg,
			   const struct osc_coap_msg *req, struct dp_stats *st)
{
	st->ctr[DP_B12_SSN_LIMIT]++;
	return unprotected(c, msg, req, COAP_SERVICE_UNAVAILABLE, NULL);
}

/* RFC 8613 App. B.1.2 on the control lcore (Echo's HMAC stays off the workers): challenge,
 * accept or drop a verified request whose context's window is unknown. */
static int serve_b12(struct dp_ctl *c, struct dp_ctl_msg *msg, struct dp_stats *st)
{
	uint32_t now = ctl_echo_now();
	struct osc_coap_msg req;
	struct osc_rx rx;
	int len = -1;

	if (!c->b12 || osc_coap_parse(&req, msg->req, msg->req_len) != OSC_COAP_OK)
		return st->ctr[DP_B12_DROP]++, -1;
	b12_rx(msg, &req, &rx);
	switch (ctl_b12_decide(&c->echo, now, &rx, msg->req, msg->req_len)) {
	case CTL_B12_ACCEPT:
		len = b12_serve(c, msg, &req, st);
		break;
	case CTL_B12_CHALLENGE:
		len = ctl_b12_challenge(c->e, &c->echo, now, &rx, msg->ans, sizeof(msg->ans));
		if (len == -OSC_ERR_SSN_LIMIT)
			len = unprotected_503(c, msg, &req, st);
		else if (len > 0)
			st->ctr[DP_B12_CHALLENGE]++;
		break;
	case CTL_B12_DROP:
		st->ctr[DP_B12_DROP]++;
		return -1;
	}
	if (len <= 0)
		return -1;
	msg->ans_len = (uint16_t)len;
	return 0;
}

/* Template of kid, or -1 (ctl_b2 keeps the templates in the order dp_ctl_b2_setup added them). */
static int b2_tmpl(const struct b2 *b, const uint8_t *kid, size_t kid_len)
{
	unsigned i;

	for (i = 0; i < b->t.n_tmpl; i++)
		if (b->t.tmpl[i].recipient_id_len == kid_len &&
		    !memcmp(b->t.tmpl[i].recipient_id, kid, kid_len))
			return (int)i;
	return -1;
}

/* App. B.2 step 4: ctx(R2 || R3), parameters p, becomes the context of its kid: stored and
 * published (dp_state_add), then the context it replaces is removed (RCU-deferred). The verified
 * request #2's Partial IV is marked seen in the published context, so that it cannot be replayed
 * (a worker could see the context in the few instructions before: the same exposure as any
 * runtime add). Returns the published context or NULL. */
static struct osc_ctx *b2_install(struct b2 *b, int t, const struct osc_params *p, uint64_t piv)
{
	struct b2_cur *cur = &b->cur[t];
	struct osc_ctx *n;
	char err[128];

	if (dp_state_add(b->state, p, err, sizeof(err)))
		return NULL;
	n = dp_ctx_table_find(b->table, p->recipient_id, p->recipient_id_len, p->id_ctx,
			      p->id_ctx_len, true);
	if (!n)
		return NULL;
	osc_replay_commit(&n->replay, piv);
	if (cur->len != p->id_ctx_len || memcmp(cur->id_ctx, p->id_ctx, p->id_ctx_len) || !cur->has)
		dp_state_remove(b->state, p->recipient_id, p->recipient_id_len, cur->id_ctx,
				cur->len, cur->has);
	memcpy(cur->id_ctx, p->id_ctx, sizeof(cur->id_ctx));
	cur->len = p->id_ctx_len;
	cur->has = true;
	return n;
}

/* Request #2 verified under ctx(R2 || R3): install it and answer the request with it, as the
 * gateway answers any request (respond mode), or with a 5.03 in forward mode: the device repeats
 * it on the new context through the normal path. Returns the answer's length or -1. */
static int b2_step4(struct dp_ctl *c, struct dp_ctl_msg *msg, const struct osc_params *p,
		    const uint8_t *plain, int n, struct dp_stats *st)
{
	struct osc_coap_msg req;
	int t = b2_tmpl(c->b2, p->recipient_id, p->recipient_id_len);

	msg->ctx = t < 0 ? NULL : b2_install(c->b2, t, p, osc_piv_to_ssn(msg->ex.piv,
									  msg->ex.piv_len));
	if (!msg->ctx || osc_coap_parse(&req, plain, (size_t)n) != OSC_COAP_OK)
		return st->ctr[DP_B2_INSTALL_FAILED]++, -1;
	st->ctr[DP_B2_INSTALLED]++;
	if (c->forward)
		return protect_code(c, msg, &req, COAP_SERVICE_UNAVAILABLE, 0);
	return protect_durable(c, msg, &req, req.code == COAP_GET || req.code == COAP_FETCH ?
				       COAP_CONTENT : COAP_CHANGED, c->own_piv, st);
}

/* RFC 8613 App. B.2 on the control lcore: a request whose kid context names no context. First as
 * request #2 (kid context R2 || R3 with an R2 we issued), else as request #1. Anything else gets
 * the §8.2 answer the worker would have given ("Security context not found"). */
static int serve_b2(struct dp_ctl *c, struct dp_ctl_msg *msg, struct dp_stats *st)
{
	uint8_t plain[DP_CTL_REQ_MAX];
	uint32_t now = ctl_echo_now();
	struct osc_coap_msg outer;
	struct osc_params p;
	int len;

	if (!c->b2 || osc_coap_parse(&outer, msg->req, msg->req_len) != OSC_COAP_OK)
		return -1;
	len = ctl_b2_request2(&c->b2->t, c->e, now, msg->req, msg->req_len, &c->b2->ctx, &p, plain,
			      sizeof(plain), &msg->ex);
	if (len >= 0) {
		osc_ctx_wipe(&c->b2->ctx);
		len = b2_step4(c, msg, &p, plain, len, st);
		cry_wipe(&p, sizeof(p));
		cry_wipe(plain, sizeof(plain));
	} else if (len == -OSC_ERR_NO_CONTEXT) {
		len = ctl_b2_request1(&c->b2->t, c->e, now, msg->req, msg->req_len, msg->ans,
				      sizeof(msg->ans));
		st->ctr[len > 0 ? DP_B2_R2_ISSUED : DP_B2_REFUSED]++;
		if (len == CTL_B2_FULL) /* App. B.2.1: no room for another R2 now */
			len = unprotected(c, msg, &outer, COAP_SERVICE_UNAVAILABLE, NULL);
		else if (len < 0)
			len = unprotected(c, msg, &outer, osc_err_coap_code(-len), osc_err_diag(-len));
	} else {
		st->ctr[DP_B2_REFUSED]++;
		len = unprotected(c, msg, &outer, osc_err_coap_code(-len), osc_err_diag(-len));
	}
	if (len <= 0)
		return -1;
	msg->ans_len = (uint16_t)len;
	return 0;
}

static int serve_kind(struct dp_ctl *c, struct dp_ctl_msg *msg, struct dp_stats *st)
{
	if (msg->kind == DP_CTL_B12)
		return serve_b12(c, msg, st);
	return msg->kind == DP_CTL_B2 ? serve_b2(c, msg, st) : serve(c, msg, st);
}

unsigned dp_ctl_service(struct dp_ctl *c, struct dp_stats *st)
{
	struct dp_ctl_msg *msgs[SERVE_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(c->req, (void **)msgs, SERVE_BURST, NULL), i;

	for (i = 0; i < n; i++) {
		struct dp_ctl_msg *msg = msgs[i];

		st->ctr[DP_CTL_REQUESTS]++;
		if (serve_kind(c, msg, st)) {
			msg->ans_len = 0;
			st->ctr[DP_CTL_FAILED]++;
		} else {
			st->ctr[DP_CTL_ANSWERS]++;
		}
		/* never fails: the ring holds the worker's whole pool */
		rte_ring_sp_enqueue(c->p[msg->worker].reply, msg);
	}
	return n;
}
