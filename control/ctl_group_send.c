/* SPDX-License-Identifier: BSD-3-Clause */
/* Sending to a Group OSCORE group and collecting the members' answers (ctl_group_send.h). */
#include "control/ctl_group_send.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "control/ctl_clock.h"
#include "crypto/cry_aead.h"
#include "crypto/cry_cbor.h"
#include "oscore/osc_coap.h"

#define CF_CBOR 60                     /* application/cbor (RFC 8949 §9.5) */
#define ENTRY_MAX 600                  /* one member's map: kid, address, code, payload */

/* One request sent to a group, collecting its members' answers. */
struct collection {
	bool open;
	uint64_t deadline;                 /* CLOCK_MONOTONIC ms */
	unsigned group;
	uint32_t gen;                      /* the group's generation when sent (a rekey ends it) */
	struct osc_group_exchange gex;     /* what the answers are bound to (§3.4) */
	uint8_t token[CTL_GSEND_TOKEN_LEN]; /* ours, towards the members */
	struct ctl_peer req;               /* the requester */
	uint8_t req_token[COAP_TOKEN_MAX];
	uint8_t req_tkl;
	unsigned n;                        /* answers kept */
	uint8_t seen[CTL_GROUP_MEMBERS_MAX / 8]; /* members that answered, by index */
	size_t agg_len;
	uint8_t agg[CTL_GSEND_AGG_MAX];    /* the answers' CBOR maps, one after the other */
};

struct ctl_group_send {
	struct ctl_groups *gs;
	struct ctl_group_send_config cfg;
	unsigned n_open;
	uint64_t next_token;
	struct collection c[];
};

uint64_t ctl_gsend_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Can group g be sent to: group mode (one signature for many recipients, §7) and an address. */
static bool sendable(const struct ctl_group *g)
{
	return g->mcast.set && g->g.group_enc && g->g.sign_key;
}

struct ctl_group_send *ctl_group_send_new(struct ctl_groups *gs,
					  const struct ctl_group_send_config *cfg)
{
	struct ctl_group_send *s = calloc(1, sizeof(*s) + cfg->pending * sizeof(s->c[0]));
	uint64_t floor = ctl_clock_ms();
	unsigned i;

	if (!s)
		return NULL;
	s->gs = gs;
	s->cfg = *cfg;
	if (getrandom(&s->next_token, sizeof(s->next_token), 0) != sizeof(s->next_token))
		s->next_token = floor ^ (uint64_t)(uintptr_t)s;
	/* the SSN clock floor (ctl_group_send.h), where no SSN is durable: before any worker runs */
	for (i = 0; !gs->ssn.durable && i < gs->n; i++)
		if (gs->g[i] && sendable(gs->g[i]) && gs->g[i]->g.ssn < floor) {
			gs->g[i]->g.ssn = floor;
			gs->g[i]->ssn_floored = true;
		}
	return s;
}

void ctl_group_send_free(struct ctl_group_send *s)
{
	if (s)
		cry_wipe(s, sizeof(*s) + s->cfg.pending * sizeof(s->c[0]));
	free(s);
}

unsigned ctl_group_send_open(const struct ctl_group_send *s)
{
	return s->n_open;
}

/* No nonce twice, also across a crash: with `state_db` the group's next SSN is made durable
 * first (App. B.1.1); without it, the clock floor; both in ctl_groups_durable_ssn, which the
 * groups' own-Partial-IV answers use too. True: 5.03, no SSN now. */
static bool ssn_unavailable(const struct ctl_group_send *s, struct ctl_group *g)
{
	return ctl_groups_durable_ssn(s->gs, g) != 0;
}

/* --- the requester's request --- */

/* The group a request's Uri-Path names as /groups/NAME/...: its index, or -1 (*bad_path: the
 * path is not of that shape at all). */
static int group_of_path(const struct ctl_group_send *s, const struct osc_coap_msg *q,
			 bool *bad_path)
{
	const struct osc_coap_opt *seg[2] = { NULL, NULL };
	unsigned i, k = 0;

	for (i = 0; i < q->n_opts && k < 2; i++)
		if (q->opts[i].num == COAP_OPT_URI_PATH)
			seg[k++] = &q->opts[i];
	*bad_path = k < 2 || seg[0]->len != 6 || memcmp(seg[0]->val, "groups", 6);
	for (i = 0; !*bad_path && i < s->gs->n; i++) {
		const struct ctl_group *g = s->gs->g[i];

		if (!g) /* removed at runtime (oscore-gwctl group remove) */
			continue;
		if (strlen(g->name) == seg[1]->len && !memcmp(g->name, seg[1]->val, seg[1]->len))
			return sendable(g) ? (int)i : -1;
	}
	return -1;
}

/* The members' request from the requester's q: NON, our token, the code, every option but
 * Uri-Host, Uri-Port (they named the gateway) and the /groups/NAME segments, the payload.
 * Into out[0..cap); returns its length or -1. */
static int members_request(struct ctl_env *env, const struct osc_coap_msg *q,
			   const uint8_t *token, uint8_t *out, size_t cap)
{
	static struct osc_coap_msg m;
	unsigned i, skip = 2;
	int n;

	m = (struct osc_coap_msg){ .type = COAP_NON, .code = q->code, .mid = (*env->next_mid)++,
				   .token = token, .tkl = CTL_GSEND_TOKEN_LEN,
				   .payload = q->payload, .payload_len = q->payload_len };
	for (i = 0; i < q->n_opts; i++) {
		const struct osc_coap_opt *o = &q->opts[i];

		if (o->num == COAP_OPT_URI_HOST || o->num == COAP_OPT_URI_PORT ||
		    (o->num == COAP_OPT_URI_PATH && skip && skip--))
			continue;
		m.opts[m.n_opts++] = *o;
	}
	n = osc_coap_encode(out, cap, &m);
	return n < 0 ? -1 : n;
}

/* Options a group request through the gateway cannot carry: a proxy request (the gateway is no
 * forward proxy) and Observe (one aggregate answer, no notifications). */
static bool unsupported_option(const struct osc_coap_msg *q)
{
	return osc_coap_find(q, COAP_OPT_PROXY_URI, NULL) ||
	       osc_coap_find(q, COAP_OPT_PROXY_SCHEME, NULL) ||
	       osc_coap_find(q, COAP_OPT_OBSERVE, NULL);
}

static struct collection *free_collection(struct ctl_group_send *s)
{
	unsigned i;

	for (i = 0; i < s->cfg.pending; i++)
		if (!s->c[i].open)
			return &s->c[i];
	return NULL;
}

/* A refusal of the requester's request (unicast: RFC 7252 error answers apply), counted. */
static int refuse(struct ctl_env *env, const struct ctl_job *job, enum ctl_ctr why, uint8_t code,
		  const char *diag, uint8_t *ans, size_t cap)
{
	ctl_env_count(env, why);
	return ctl_answer_error(env, job, code, diag, ans, cap);
}

/* Protect the members' request once in group mode and send it to the group's address. */
static int protect_and_send(struct ctl_group_send *s, struct ctl_env *env,
			    const struct ctl_job *job, struct ctl_group *g, struct collection *c)
{
	static uint8_t plain[CTL_MSG_MAX], out[CTL_MSG_MAX];
	struct ctl_dgram d = { .v6 = g->mcast.v6, .src_port = s->cfg.port,
			       .dst_port = g->mcast.port, .msg = out };
	int n = members_request(env, &job->req, c->token, plain, sizeof(plain));

	if (n >= 0)
		n = osc_group_protect_request(env->e, &g->g, NULL, plain, (size_t)n, out,
					      sizeof(out), &c->gex);
	cry_wipe(plain, sizeof(plain));
	if (n < 0)
		return -1;
	memcpy(d.dst, g->mcast.addr, sizeof(d.dst));
	d.len = (size_t)n;
	return env->ops->send && env->ops->send(env->plat, &d) == 0 ? 0 : -1;
}

static void open_collection(struct ctl_group_send *s, struct collection *c, unsigned gi,
			    const struct ctl_job *job)
{
	c->open = true;
	c->deadline = ctl_gsend_now_ms() + s->cfg.collect_ms;
	c->group = gi;
	c->gen = s->gs->g[gi]->gen;
	c->req = job->peer;
	c->req_tkl = job->req.tkl;
	memcpy(c->req_token, job->req.token, job->req.tkl);
	c->n = 0;
	c->agg_len = 0;
	memset(c->seen, 0, sizeof(c->seen));
	s->n_open++;
}

/* The empty ACK that tells a CON requester the answer comes separately (RFC 7252 §5.2.2). */
static int empty_ack(const struct ctl_job *job, uint8_t *ans, size_t cap)
{
	struct osc_coap_msg a = { .type = COAP_ACK, .mid = job->req.mid };

	return job->req.type == COAP_CON ? ctl_answer_plain(&a, ans, cap) : 0;
}

static int request(struct ctl_group_send *s, struct ctl_env *env, const struct ctl_job *job,
		   uint8_t *ans, size_t cap)
{
	struct collection *c;
	struct ctl_group *g;
	bool bad_path;
	int gi;

	if (unsupported_option(&job->req))
		return refuse(env, job, CTL_C_GSEND_REFUSED, COAP_BAD_OPTION,
			      "no Proxy-Uri, Proxy-Scheme or Observe", ans, cap);
	gi = group_of_path(s, &job->req, &bad_path);
	if (gi < 0)
		return refuse(env, job, CTL_C_GSEND_REFUSED,
			      bad_path ? COAP_BAD_REQUEST : COAP_NOT_FOUND,
			      bad_path ? "path must be /groups/NAME/..." : "no such group", ans,
			      cap);
	g = s->gs->g[gi];
	c = free_collection(s);
	if (!c || ssn_unavailable(s, g))
		return refuse(env, job, CTL_C_GSEND_BUSY, COAP_SERVICE_UNAVAILABLE, NULL, ans, cap);
	s->next_token++;
	memcpy(c->token, &s->next_token, sizeof(c->token));
	if (protect_and_send(s, env, job, g, c))
		return refuse(env, job, CTL_C_GSEND_FAILED, COAP_SERVICE_UNAVAILABLE, NULL, ans,
			      cap);
	open_collection(s, c, (unsigned)gi, job);
	ctl_env_count(env, CTL_C_GSEND_SENT);
	return empty_ack(job, ans, cap);
}

/* --- the members' answers --- */

static struct collection *collection_of(struct ctl_group_send *s, const struct osc_coap_msg *a)
{
	unsigned i;

	for (i = 0; a->tkl == CTL_GSEND_TOKEN_LEN && i < s->cfg.pending; i++)
		if (s->c[i].open && !memcmp(s->c[i].token, a->token, CTL_GSEND_TOKEN_LEN))
			return &s->c[i];
	return NULL;
}

/* The Content-Format of p, or -1 without one. */
static long content_format(const struct osc_coap_msg *p)
{
	const struct osc_coap_opt *o = osc_coap_find(p, COAP_OPT_CONTENT_FORMAT, NULL);
	long v = 0;
	unsigned i;

	if (!o || o->len > 2)
		return -1;
	for (i = 0; i < o->len; i++)
		v = v << 8 | o->val[i];
	return v;
}

/* One member's entry: {"kid", "addr", "port", "mode", "code", ? "cf", "payload"}. */
static int entry(uint8_t *out, size_t cap, const struct osc_member *m, const struct ctl_peer *from,
		 bool group_mode, const struct osc_coap_msg *p)
{
	char addr[INET6_ADDRSTRLEN] = "", code[8];
	long cf = content_format(p);
	struct cry_cbor_buf b;

	inet_ntop(from->v6 ? AF_INET6 : AF_INET, from->v6 ? from->src : from->src + 12, addr,
		  sizeof(addr));
	snprintf(code, sizeof(code), "%u.%02u", p->code >> 5, p->code & 31);
	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, cf >= 0 ? 7 : 6);
	cry_cbor_tstr(&b, "kid");
	cry_cbor_bstr(&b, m->id, m->id_len);
	cry_cbor_tstr(&b, "addr");
	cry_cbor_tstr(&b, addr);
	cry_cbor_tstr(&b, "port");
	cry_cbor_int(&b, from->src_port);
	cry_cbor_tstr(&b, "mode");
	cry_cbor_tstr(&b, group_mode ? "group" : "pairwise");
	cry_cbor_tstr(&b, "code");
	cry_cbor_tstr(&b, code);
	if (cf >= 0) {
		cry_cbor_tstr(&b, "cf");
		cry_cbor_int(&b, cf);
	}
	cry_cbor_tstr(&b, "payload");
	cry_cbor_bstr(&b, p->payload, p->payload_len);
	return cry_cbor_done(&b);
}

/* Keep the verified plain answer plain[0..len) of member mi in c. */
static void keep(struct ctl_env *env, struct collection *c, const struct osc_member *m,
		 unsigned mi, const struct ctl_job *job, bool group_mode, const uint8_t *plain,
		 int len)
{
	uint8_t e[ENTRY_MAX];
	struct osc_coap_msg p;
	int n;

	c->seen[mi / 8] |= (uint8_t)(1u << (mi % 8));
	n = osc_coap_parse(&p, plain, (size_t)len) == OSC_COAP_OK ?
	    entry(e, sizeof(e), m, &job->peer, group_mode, &p) : -1;
	if (n < 0 || c->agg_len + (size_t)n + 3 > sizeof(c->agg)) { /* 3: the array's head */
		ctl_env_count(env, CTL_C_GSEND_AGG_FULL);
		return;
	}
	memcpy(c->agg + c->agg_len, e, (size_t)n);
	c->agg_len += (size_t)n;
	c->n++;
	ctl_env_count(env, CTL_C_GSEND_ANSWER);
}

static void finish(struct ctl_group_send *s, struct ctl_env *env, struct collection *c);

/* A member's answer to the collection its token names: §7.4 (group mode: the signature first)
 * or §8.4 (pairwise mode), once per member. Returns an empty ACK for a CON answer that
 * verified, else 0. */
static int answer(struct ctl_group_send *s, struct ctl_env *env, const struct ctl_job *job,
		  uint8_t *ans, size_t cap)
{
	static uint8_t plain[OSC_MSG_MAX];
	static struct osc_grx r;
	struct collection *c = collection_of(s, &job->req);
	struct osc_member *m;
	struct ctl_group *g;
	unsigned mi;
	int n;

	if (!c || !s->gs->g[c->group] || s->gs->g[c->group]->gen != c->gen)
		return ctl_env_count(env, CTL_C_GSEND_LATE), 0;
	g = s->gs->g[c->group];
	memset(&r, 0, sizeof(r));
	if (osc_group_rx_parse(&r, job->msg, job->len, false) != OSC_OK || !r.rx.opt.has_kid ||
	    !(m = ctl_group_member(g, r.rx.opt.kid, r.rx.opt.kid_len)))
		return ctl_env_count(env, CTL_C_GSEND_UNVERIFIED), 0;
	mi = (unsigned)(m - g->m);
	if (c->seen[mi / 8] & (1u << (mi % 8)))
		return ctl_env_count(env, CTL_C_GSEND_DUPLICATE), 0;
	n = osc_group_unprotect(env->e, &m, 1, &c->gex, job->msg, job->len, plain, sizeof(plain),
				NULL);
	if (n < 0)
		return ctl_env_count(env, n == -OSC_ERR_SIGNATURE ? CTL_C_GSEND_SIGNATURE :
								     CTL_C_GSEND_UNVERIFIED), 0;
	keep(env, c, m, mi, job, r.group_mode, plain, n);
	cry_wipe(plain, sizeof(plain));
	if (c->n == g->n_m) /* everyone answered: no need to wait */
		finish(s, env, c);
	return empty_ack(job, ans, cap);
}

int ctl_group_send_serve(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
			 size_t cap)
{
	uint8_t cls = job->req.code >> 5;

	if (job->req.code && cls == 0 &&
	    (job->req.type == COAP_CON || job->req.type == COAP_NON))
		return request(arg, env, job, ans, cap);
	if (cls >= 2 && cls <= 5)
		return answer(arg, env, job, ans, cap);
	ctl_env_count(env, CTL_C_GSEND_LATE); /* an ACK, RST or ping: nothing we wait for */
	return 0;
}

/* --- the aggregate --- */

/* The collection's answer to its requester: NON 2.05, its token, Content-Format 60, the array
 * of the members' maps (RFC 7252 §5.2.2 separate response). Then the collection is closed. */
static void finish(struct ctl_group_send *s, struct ctl_env *env, struct collection *c)
{
	static const uint8_t cf = CF_CBOR;
	static uint8_t pay[CTL_GSEND_AGG_MAX], msg[CTL_GSEND_AGG_MAX + 64];
	struct osc_coap_msg a = { .type = COAP_NON, .code = COAP_CONTENT,
				  .mid = (*env->next_mid)++, .token = c->req_token,
				  .tkl = c->req_tkl, .n_opts = 1 };
	struct ctl_dgram d = { .v6 = c->req.v6, .src_port = s->cfg.port,
			       .dst_port = c->req.src_port, .up = c->req.up, .msg = msg };
	struct cry_cbor_buf b;
	int n;

	cry_cbor_init(&b, pay, sizeof(pay));
	cry_cbor_head(&b, CRY_CBOR_ARRAY, c->n);
	cry_cbor_raw(&b, c->agg, c->agg_len);
	a.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_CONTENT_FORMAT, .val = &cf, .len = 1 };
	a.payload = pay;
	a.payload_len = (uint32_t)cry_cbor_done(&b);
	n = cry_cbor_done(&b) < 0 ? -1 : osc_coap_encode(msg, sizeof(msg), &a);
	memcpy(d.dst, c->req.src, sizeof(d.dst));
	memcpy(d.mac, c->req.mac, sizeof(d.mac));
	d.len = n > 0 ? (size_t)n : 0;
	ctl_env_count(env, n > 0 && env->ops->send && !env->ops->send(env->plat, &d) ?
			   CTL_C_GSEND_DONE : CTL_C_GSEND_FAILED);
	cry_wipe(c, sizeof(*c));
	s->n_open--;
}

unsigned ctl_group_send_tick(struct ctl_group_send *s, struct ctl_env *env, uint64_t now_ms)
{
	unsigned i, n = 0;

	for (i = 0; s->n_open && i < s->cfg.pending; i++)
		if (s->c[i].open && s->c[i].deadline <= now_ms) {
			finish(s, env, &s->c[i]);
			n++;
		}
	return n;
}
