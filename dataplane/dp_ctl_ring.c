/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-plane transport over rte_rings (see dp_ctl_ring.h). */
#include "dataplane/dp_ctl_ring.h"

#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "control/ctl_echo.h"
#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_state.h"

#define SERVE_BURST 32

struct pool {
	struct rte_ring *reply;     /* control -> this worker; single producer, single consumer */
	struct dp_ctl_msg *msgs;
	struct dp_ctl_msg *free[DP_CTL_MSGS];
	unsigned n_free;            /* the worker's alone: it takes and returns messages */
} __rte_cache_aligned;

struct dp_ctl {
	struct rte_ring *req;       /* workers -> control; multi producer, single consumer */
	struct ctl_plane *plane;
	struct dp_ctx_table *table;
	struct dp_state *state;
	struct cry_engine *e;       /* the control lcore's, for protected answers */
	struct dp_stats *st;        /* while serving: the control lcore's counters */
	unsigned n_workers;
	uint16_t next_mid;
	uint8_t scratch[CTL_MSG_MAX]; /* the answer, until the request it overwrites is served */
	uint8_t resume[CTL_MSG_MAX];  /* a request a handler hands back (ctl_resume) */
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

static int pool_init(struct pool *p, unsigned i, int socket)
{
	unsigned k;

	p->reply = ring("reply", i, DP_CTL_MSGS, RING_F_SP_ENQ | RING_F_SC_DEQ, socket);
	p->msgs = rte_zmalloc_socket("ctl_msgs", DP_CTL_MSGS * sizeof(*p->msgs),
				     RTE_CACHE_LINE_SIZE, socket);
	if (!p->reply || !p->msgs)
		return -1;
	for (k = 0; k < DP_CTL_MSGS; k++) {
		p->msgs[k].worker = i;
		p->free[p->n_free++] = &p->msgs[k];
	}
	return 0;
}

struct dp_ctl *dp_ctl_new(unsigned n_workers, struct ctl_plane *plane, struct dp_ctx_table *t,
			  struct dp_state *s, int socket)
{
	struct dp_ctl *c = rte_zmalloc_socket("ctl", sizeof(*c) + n_workers * sizeof(c->p[0]),
					      RTE_CACHE_LINE_SIZE, socket);
	unsigned i;

	if (!c)
		return NULL;
	c->n_workers = n_workers;
	c->plane = plane;
	c->table = t;
	c->state = s;
	c->e = cry_engine_new();
	c->req = ring("req", 0, n_workers * DP_CTL_MSGS, RING_F_SC_DEQ, socket);
	c->next_mid = (uint16_t)(rte_lcore_id() << 12);
	for (i = 0; c->e && c->req && i < n_workers; i++)
		if (pool_init(&c->p[i], i, socket))
			break;
	if (i < n_workers || !c->e || !c->req || !plane) {
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
	rte_free(c);
}

bool dp_ctl_wants(const struct dp_ctl *c, enum ctl_kind kind, const struct osc_coap_msg *m)
{
	return c && ctl_plane_wants(c->plane, kind, m);
}

/* The endpoints of the frame m that dp_classify() described with f. */
static void peer_of(struct ctl_peer *p, const struct rte_mbuf *m, const struct dp_flow *f)
{
	const struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *,
							     f->l4_off);

	memset(p, 0, sizeof(*p));
	p->v6 = f->ipv6;
	if (f->ipv6) {
		const struct rte_ipv6_hdr *h = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
								       f->l3_off);

		memcpy(p->src, h->src_addr, 16);
		memcpy(p->dst, h->dst_addr, 16);
	} else {
		const struct rte_ipv4_hdr *h = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								       f->l3_off);

		p->src[10] = p->src[11] = p->dst[10] = p->dst[11] = 0xff; /* RFC 4291 §2.5.5.2 */
		memcpy(p->src + 12, &h->src_addr, 4);
		memcpy(p->dst + 12, &h->dst_addr, 4);
	}
	p->src_port = rte_be_to_cpu_16(u->src_port);
	p->dst_port = rte_be_to_cpu_16(u->dst_port);
}

/* A free message of worker's pool filled with the frame's part, or NULL (counted). */
static struct dp_ctl_msg *take(struct dp_ctl *c, unsigned worker, struct rte_mbuf *m,
			       const struct dp_flow *f, uint64_t dedup_ref, enum ctl_kind kind,
			       size_t len, struct dp_stats *st)
{
	struct pool *p = &c->p[worker];
	struct dp_ctl_msg *j;

	if (!p->n_free || len > CTL_MSG_MAX) {
		st->ctr[DP_CTL_RING_FULL]++;
		return NULL;
	}
	j = p->free[--p->n_free];
	j->m = m;
	j->f = *f;
	j->dedup_ref = dedup_ref;
	j->kind = (uint8_t)kind;
	peer_of(&j->peer, m, f);
	j->ctx = (struct ctl_ctx_handle){ 0 };
	j->member = (struct ctl_group_handle){ 0 };
	j->plain_off = 0;
	j->group_verified = false;
	j->req_len = (uint16_t)len;
	j->ans_len = 0;
	j->resume = false;
	return j;
}

/* Queue j for the control lcore. Returns 0, or -1 with j back in the pool. */
static int post(struct dp_ctl *c, unsigned worker, struct dp_ctl_msg *j, struct dp_stats *st)
{
	struct pool *p = &c->p[worker];

	if (rte_ring_mp_enqueue(c->req, j)) { /* cannot happen: the ring holds every message */
		p->free[p->n_free++] = j;
		st->ctr[DP_CTL_RING_FULL]++;
		return -1;
	}
	st->ctr[DP_CTL_HANDOFF]++;
	return 0;
}

int dp_ctl_handoff(struct dp_ctl *c, unsigned worker, struct rte_mbuf *m, const struct dp_flow *f,
		   uint64_t dedup_ref, enum ctl_kind kind, const uint8_t *msg, uint16_t len,
		   const struct osc_ctx *ctx, const struct osc_exchange *ex, struct dp_stats *st)
{
	struct dp_ctl_msg *j = take(c, worker, m, f, dedup_ref, kind, len, st);

	if (!j)
		return -1;
	/* the pointer is good until this worker's next quiescent state; the handle for longer */
	if (ctx)
		j->ctx = dp_ctx_table_ref(c->table, ctx);
	if (ex)
		j->ex = *ex;
	memcpy(j->data, msg, len);
	return post(c, worker, j, st);
}

int dp_ctl_handoff_group(struct dp_ctl *c, unsigned worker, struct rte_mbuf *m,
			 const struct dp_flow *f, uint64_t dedup_ref, const uint8_t *msg,
			 uint16_t len, const uint8_t *plain, uint16_t plain_len,
			 struct ctl_group_handle h, bool verified, struct dp_stats *st)
{
	struct dp_ctl_msg *j = take(c, worker, m, f, dedup_ref, CTL_KIND_GROUP,
				    (size_t)len + plain_len, st);

	if (!j)
		return -1;
	j->member = h;
	j->plain_off = len;
	j->group_verified = verified;
	memcpy(j->data, msg, len);
	memcpy(j->data + len, plain, plain_len);
	return post(c, worker, j, st);
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

/* --- the handlers' environment (control lcore) --- */

static struct osc_ctx *env_ctx_get(void *plat, struct ctl_ctx_handle h)
{
	return dp_ctx_table_deref(((struct dp_ctl *)plat)->table, h);
}

static int env_ctx_add(void *plat, enum ctl_method m, const struct osc_params *p,
		       struct ctl_ctx_handle *out, char *err, size_t err_len)
{
	struct dp_ctl *c = plat;
	struct osc_ctx *n;

	if (!c->state) {
		snprintf(err, err_len, "no context state");
		return -1;
	}
	if (dp_state_add_method(c->state, m, p, err, err_len))
		return -1;
	n = dp_ctx_table_find(c->table, p->recipient_id, p->recipient_id_len, p->id_ctx,
			      p->id_ctx_len, p->has_id_ctx);
	if (!n) {
		snprintf(err, err_len, "added context not found");
		return -1;
	}
	*out = dp_ctx_table_ref(c->table, n);
	return 0;
}

static bool env_rid_taken(void *plat, const uint8_t *rid, size_t len)
{
	return len <= OSC_ID_MAX &&
	       dp_ctx_table_find(((struct dp_ctl *)plat)->table, rid, (uint8_t)len, NULL, 0,
				 false) != NULL;
}

static int env_ctx_remove(void *plat, const uint8_t *rid, uint8_t rid_len, const uint8_t *id_ctx,
			  uint8_t id_ctx_len, bool has_id_ctx)
{
	struct dp_ctl *c = plat;

	return c->state ? dp_state_remove(c->state, rid, rid_len, id_ctx, id_ctx_len, has_id_ctx) :
			  -1;
}

static int env_grant_put(void *plat, struct ctl_ctx_handle h, const uint8_t *rec, size_t len)
{
	struct dp_ctl *c = plat;
	struct osc_ctx *x = dp_ctx_table_deref(c->table, h);

	if (!c->state || !x)
		return -1;
	return dp_state_put_grant(c->state, dp_ctx_table_index(c->table, x), rec, len);
}

/* The control plane's counters are the gateway's, under the names they always had. */
static const enum dp_ctr ctr_of[CTL_C__COUNT] = {
	[CTL_C_NOT_FOUND] = DP_CTL_NOT_FOUND,
	[CTL_C_B12_CHALLENGE] = DP_B12_CHALLENGE,
	[CTL_C_B12_ACCEPT] = DP_B12_ACCEPT,
	[CTL_C_B12_DROP] = DP_B12_DROP,
	[CTL_C_B12_SSN_LIMIT] = DP_B12_SSN_LIMIT,
	[CTL_C_B12_FWD_RETRY] = DP_B12_FWD_RETRY,
	[CTL_C_B2_R2_ISSUED] = DP_B2_R2_ISSUED,
	[CTL_C_B2_INSTALLED] = DP_B2_INSTALLED,
	[CTL_C_B2_REFUSED] = DP_B2_REFUSED,
	[CTL_C_B2_INSTALL_FAILED] = DP_B2_INSTALL_FAILED,
	[CTL_C_B2_WRAPPED] = DP_B2_WRAPPED,
	[CTL_C_EDHOC_MSG1] = DP_EDHOC_MSG1,
	[CTL_C_EDHOC_MSG1_ERR] = DP_EDHOC_MSG1_ERR,
	[CTL_C_EDHOC_RATE_SOURCE] = DP_EDHOC_RATE_SOURCE,
	[CTL_C_EDHOC_RATE_TOTAL] = DP_EDHOC_RATE_TOTAL,
	[CTL_C_EDHOC_DONE] = DP_EDHOC_DONE,
	[CTL_C_EDHOC_MSG3_ERR] = DP_EDHOC_MSG3_ERR,
	[CTL_C_EDHOC_INSTALL_FAIL] = DP_EDHOC_INSTALL_FAIL,
	[CTL_C_EDHOC_BAD_REQUEST] = DP_EDHOC_BAD_REQUEST,
	[CTL_C_EDHOC_COMBINED] = DP_EDHOC_COMBINED,
	[CTL_C_EDHOC_FWD_RETRY] = DP_EDHOC_FWD_RETRY,
	[CTL_C_EDHOC_SRC_EVICTED] = DP_EDHOC_SRC_EVICTED,
	[CTL_C_GROUP_VERIFIED] = DP_GROUP_VERIFIED,
	[CTL_C_GROUP_SIGNATURE] = DP_GROUP_SIGNATURE,
	[CTL_C_GROUP_REFUSED] = DP_GROUP_REFUSED,
	[CTL_C_GROUP_ANSWER_FAILED] = DP_GROUP_ANSWER_FAILED,
	[CTL_C_ACE_DENY_RESOURCE] = DP_ACE_DENY_RESOURCE,
	[CTL_C_ACE_DENY_METHOD] = DP_ACE_DENY_METHOD,
};

static void env_count(void *plat, enum ctl_ctr k)
{
	struct dp_ctl *c = plat;

	if ((unsigned)k < CTL_C__COUNT)
		c->st->ctr[ctr_of[k]]++;
}

static const struct ctl_platform platform = {
	.ctx_get = env_ctx_get,
	.ctx_add = env_ctx_add,
	.ctx_remove = env_ctx_remove,
	.count = env_count,
	.rid_taken = env_rid_taken,
	.grant_put = env_grant_put,
};

/* A handler resumed the job: the request it handed back goes to the worker, its answer n is the
 * fallback. Returns 0, or -1 if the fallback is too long. */
static int resumed(struct dp_ctl *c, struct dp_ctl_msg *msg, const struct ctl_env *env, int n)
{
	if (n > CTL_FALLBACK_MAX)
		return -1;
	memcpy(msg->fb, c->scratch, (size_t)n);
	memcpy(msg->data, c->resume, env->resume_len);
	msg->req_len = (uint16_t)env->resume_len;
	msg->ctx = env->resume_ctx; /* a combined request's job had none: the handler installed it */
	msg->ex = env->resume_ex;
	msg->ans_len = (uint16_t)n;
	msg->resume = true;
	return 0;
}

/* One job: refused if its context went stale since the hand-off, else served by its handler;
 * the answer replaces the request in the message. Returns 0 with ans_len set, or -1. */
static int serve(struct dp_ctl *c, struct dp_ctl_msg *msg, uint32_t now)
{
	struct ctl_env env = { .ops = &platform, .plat = c, .e = c->e, .next_mid = &c->next_mid,
			       .now = now, .resume_buf = c->resume };
	struct ctl_job job = { .kind = (enum ctl_kind)msg->kind, .peer = msg->peer,
			       .ctx = msg->ctx, .ex = msg->ex, .member = msg->member,
			       .plain_off = msg->plain_off, .group_verified = msg->group_verified,
			       .msg = msg->data, .len = msg->req_len };
	int n;

	msg->ans_len = 0;
	if (job.ctx.gen && !dp_ctx_table_deref(c->table, job.ctx)) {
		c->st->ctr[DP_CTL_STALE]++;
		return -1;
	}
	n = ctl_plane_serve(c->plane, &env, &job, c->scratch, sizeof(c->scratch));
	if (n < 0 || n > CTL_MSG_MAX)
		return -1;
	if (env.resume_len)
		return resumed(c, msg, &env, n);
	memcpy(msg->data, c->scratch, (size_t)n);
	msg->ans_len = (uint16_t)n;
	return 0;
}

void dp_ctl_env(struct dp_ctl *c, struct dp_stats *st, struct ctl_env *env)
{
	c->st = st;
	*env = (struct ctl_env){ .ops = &platform, .plat = c, .e = c->e, .next_mid = &c->next_mid,
				 .now = ctl_echo_now() };
}

unsigned dp_ctl_service(struct dp_ctl *c, struct dp_stats *st)
{
	struct dp_ctl_msg *msgs[SERVE_BURST];
	unsigned n = rte_ring_sc_dequeue_burst(c->req, (void **)msgs, SERVE_BURST, NULL), i;
	uint32_t now = n ? ctl_echo_now() : 0;

	c->st = st;
	for (i = 0; i < n; i++) {
		struct dp_ctl_msg *msg = msgs[i];

		st->ctr[DP_CTL_REQUESTS]++;
		if (serve(c, msg, now))
			st->ctr[DP_CTL_FAILED]++;
		else if (msg->ans_len)
			st->ctr[DP_CTL_ANSWERS]++;
		/* never fails: the ring holds the worker's whole pool */
		rte_ring_sp_enqueue(c->p[msg->worker].reply, msg);
	}
	return n;
}
