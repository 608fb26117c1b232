/* SPDX-License-Identifier: BSD-3-Clause */
/* The gateway's /authz-info handler (see ctl_ace_serve.h). */
#include "control/ctl_ace_serve.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "control/ace/ctl_ace_grant.h"
#include "crypto/cry_aead.h"

#define ID2_TRIES 64 /* random draws before the ace namespace counts as full */

/* A reposted token's old context, kept until its successor is used (RFC 9203 §6). */
struct superseded {
	struct ctl_ctx_handle old, succ;
};

struct ctl_ace_server {
	struct ctl_ace_rs rs;
	struct superseded *sup;
	unsigned n_sup, cap_sup;
	const struct ctl_ns *ns;
	unsigned max_lifetime;
	bool own_piv;
	struct ctl_env *env; /* during a job: pick_id2 looks at live contexts through it */
	ctl_ace_publish_fn publish;
	void *publish_arg;
};

void ctl_ace_server_on_scope(struct ctl_ace_server *s, ctl_ace_publish_fn fn, void *arg)
{
	s->publish = fn;
	s->publish_arg = arg;
}

static int publish(struct ctl_ace_server *s, struct ctl_ctx_handle h,
		   const struct ctl_ace_scope *scope)
{
	return s->publish ? s->publish(s->publish_arg, h, scope) : 0;
}

/* Remove the context of h (its scope withdrawn first), if it is still there. */
static void remove_ctx(struct ctl_ace_server *s, struct ctl_env *env, struct ctl_ctx_handle h)
{
	struct osc_ctx *c = env->ops->ctx_get(env->plat, h);

	publish(s, h, NULL);
	if (c)
		env->ops->ctx_remove(env->plat, c->recipient_id, c->recipient_id_len, c->id_ctx,
				     c->id_ctx_len, c->has_id_ctx);
}

uint64_t ctl_ace_handle_pack(struct ctl_ctx_handle h)
{
	return (uint64_t)h.slot << 32 | h.gen;
}

struct ctl_ctx_handle ctl_ace_handle_unpack(uint64_t v)
{
	return (struct ctl_ctx_handle){ .slot = (uint32_t)(v >> 32), .gen = (uint32_t)v };
}

static bool rid_is(struct ctl_ace_server *s, struct ctl_ctx_handle h, const uint8_t *id,
		   size_t len)
{
	struct osc_ctx *c = s->env->ops->ctx_get(s->env->plat, h);

	return c && c->recipient_id_len == len && !memcmp(c->recipient_id, id, len);
}

/* Is id the Recipient ID of a live context made from a kept token, or of one a repost
 * superseded? The ace part of the namespaces is the ACE server's alone, so no other context can
 * have it. */
static bool id_live(struct ctl_ace_server *s, const uint8_t *id, size_t len)
{
	unsigned i;

	for (i = 0; i < s->rs.store.n; i++)
		if (rid_is(s, ctl_ace_handle_unpack(s->rs.store.e[i].handle), id, len))
			return true;
	for (i = 0; i < s->n_sup; i++)
		if (rid_is(s, s->sup[i].old, id, len))
			return true;
	return false;
}

/* ID2 (RFC 9203 §4.2): a random ID in one of the ace namespace's parts, its shortest length (at
 * least one byte, so that it can differ from an empty ID1), != ID1, not live. */
static int pick_id2(void *arg, const uint8_t *id1, size_t id1_len, uint8_t *id2, size_t *id2_len)
{
	struct ctl_ace_server *s = arg;
	unsigned n = s->ns->n[CTL_M_ACE], t;

	for (t = 0; n && t < ID2_TRIES; t++) {
		const struct ctl_ns_rule *r = &s->ns->rule[CTL_M_ACE][t % n];
		size_t len = r->min_len > r->prefix_len ? r->min_len : r->prefix_len;

		if (!len)
			len = 1;
		if (len > r->max_len || len > *id2_len)
			continue;
		memcpy(id2, r->prefix, r->prefix_len);
		if (len > r->prefix_len && RAND_bytes(id2 + r->prefix_len,
						      (int)(len - r->prefix_len)) != 1)
			return -1;
		if ((len == id1_len && !memcmp(id2, id1, len)) || id_live(s, id2, len) ||
		    !ctl_ns_check(s->ns, CTL_M_ACE, id2, len))
			continue;
		*id2_len = len;
		return 0;
	}
	return -1;
}

struct ctl_ace_server *ctl_ace_server_new(const struct ctl_ace_conf *conf, const struct ctl_ns *ns,
					  unsigned max_lifetime, bool own_piv)
{
	struct ctl_ace_server *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (ctl_ace_rs_init(&s->rs, conf)) {
		free(s);
		return NULL;
	}
	s->cap_sup = s->rs.store.cap;
	s->sup = calloc(s->cap_sup, sizeof(*s->sup));
	if (!s->sup) {
		ctl_ace_server_free(s);
		return NULL;
	}
	s->ns = ns;
	s->max_lifetime = max_lifetime;
	s->own_piv = own_piv;
	s->rs.pick_id2 = pick_id2;
	s->rs.arg = s;
	return s;
}

void ctl_ace_server_free(struct ctl_ace_server *s)
{
	if (!s)
		return;
	ctl_ace_rs_free(&s->rs);
	free(s->sup);
	free(s);
}

struct ctl_ace_rs *ctl_ace_server_rs(struct ctl_ace_server *s)
{
	return &s->rs;
}

/* The unprotected answer code with payload (Content-Format 19 when there is one). */
static int answer_plain(struct ctl_env *env, const struct ctl_job *job, uint8_t code,
			const uint8_t *payload, size_t len, uint8_t *ans, size_t cap)
{
	static const uint8_t cf = CTL_ACE_CF;
	struct osc_coap_msg m;

	ctl_answer_init(env, job, &m, code);
	if (len) {
		m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_CONTENT_FORMAT, .val = &cf,
						   .len = 1 };
		m.n_opts = 1;
		m.payload = payload;
		m.payload_len = (uint32_t)len;
	}
	return ctl_answer_plain(&m, ans, cap);
}

/* Is the request's Content-Format application/ace+cbor (RFC 9203 §4.1)? */
static bool ace_cbor(const struct osc_coap_msg *m)
{
	const struct osc_coap_opt *o = osc_coap_find(m, COAP_OPT_CONTENT_FORMAT, NULL);
	uint32_t v;

	return o && !osc_coap_uint_decode(o->val, o->len, &v) && v == CTL_ACE_CF;
}

/* What was verified of t goes into the durable state with h's context (ctl_ace_grant.h), so
 * that the context keeps its scope and expiry across a restart. */
static int keep(struct ctl_ace_server *s, struct ctl_env *env, struct ctl_ctx_handle h,
		const struct ctl_ace_token *t)
{
	uint8_t rec[CTL_ACE_GRANT_MAX];
	int n;

	if (!env->ops->grant_put)
		return 0;
	n = ctl_ace_grant_encode(s->rs.conf, t, rec, sizeof(rec));
	return n > 0 ? env->ops->grant_put(env->plat, h, rec, (size_t)n) : -1;
}

/* RFC 9203 §6: a repost for the same PoP key (a new N1) replaces the old context once the new
 * one is in use; until then both serve, so that a client that never got the 2.01 goes on with
 * the old one. The old context keeps its scope; the token store knows only the new token. When
 * nothing is left to hold it (the table is full) the old context goes at once. */
static void supersede(struct ctl_ace_server *s, struct ctl_env *env, struct ctl_ctx_handle old,
		      struct ctl_ctx_handle succ)
{
	if (s->n_sup == s->cap_sup) {
		remove_ctx(s, env, old);
		return;
	}
	s->sup[s->n_sup++] = (struct superseded){ .old = old, .succ = succ };
}

/* A verified token's context: installed, its token kept. Returns the answer code. */
static uint8_t install(struct ctl_ace_server *s, struct ctl_env *env, struct ctl_ace_result *res,
		       int64_t now)
{
	struct ctl_ctx_handle h;
	char err[128];
	int64_t cap = now + (int64_t)s->max_lifetime;

	if (s->max_lifetime && (!res->entry.tok.expires || res->entry.tok.expires > cap))
		res->entry.tok.expires = cap;
	if (env->ops->ctx_add(env->plat, CTL_M_ACE, &res->params, &h, err, sizeof(err)))
		return COAP_SERVICE_UNAVAILABLE;
	/* stored and published before the client learns ID2 from the 2.01 */
	if (keep(s, env, h, &res->entry.tok) || publish(s, h, &res->entry.tok.scope) ||
	    ctl_ace_rs_commit(&s->rs, res, ctl_ace_handle_pack(h))) {
		remove_ctx(s, env, h);
		return COAP_SERVICE_UNAVAILABLE;
	}
	if (res->replaced)
		supersede(s, env, ctl_ace_handle_unpack(res->old.handle), h);
	return COAP_CREATED;
}

static int post_plain(struct ctl_ace_server *s, struct ctl_env *env, const struct ctl_job *job,
		      uint8_t *ans, size_t cap)
{
	struct ctl_ace_result res;
	int64_t now = (int64_t)time(NULL);
	uint8_t code;
	int n;

	if (job->req.code != COAP_POST)
		return ctl_answer_error(env, job, COAP_METHOD_NOT_ALLOWED, NULL, ans, cap);
	if (!ace_cbor(&job->req))
		return ctl_answer_error(env, job, COAP_CODE(4, 15), NULL, ans, cap);
	s->env = env;
	ctl_ace_rs_post(&s->rs, job->req.payload, job->req.payload_len, now, &res);
	code = res.code;
	if (res.reason == CTL_ACE_OK)
		code = install(s, env, &res, now);
	/* 2.01 {N2, ID2}, or a refusal with its error map (RFC 9200 §5.10.1.1), or a bare code */
	if (code == res.code && res.payload_len)
		n = answer_plain(env, job, code, res.payload, res.payload_len, ans, cap);
	else
		n = ctl_answer_error(env, job, code, NULL, ans, cap);
	cry_wipe(&res, sizeof(res));
	s->env = NULL;
	return n;
}

/* Update of access rights (RFC 9203 §4.1, §4.2): protected 2.01, empty, or protected 4.01. */
static int post_protected(struct ctl_ace_server *s, struct ctl_env *env,
			  const struct ctl_job *job, uint8_t *ans, size_t cap)
{
	unsigned flags = s->own_piv ? OSC_F_OWN_PIV | OSC_ANS_DURABLE_503 : 0;
	struct ctl_ace_entry *kept;
	struct ctl_ace_result res;
	struct osc_coap_msg m;
	int n;

	if (job->req.code != COAP_POST) {
		ctl_answer_init(env, job, &m, COAP_METHOD_NOT_ALLOWED);
		return ctl_answer_protected(env, job, &m, flags, NULL, ans, cap);
	}
	ctl_ace_rs_update(&s->rs, ctl_ace_handle_pack(job->ctx), job->req.payload,
			  job->req.payload_len, (int64_t)time(NULL), &res);
	kept = ctl_ace_store_by_handle(&s->rs.store, ctl_ace_handle_pack(job->ctx));
	if (res.code == COAP_CREATED && kept && publish(s, job->ctx, &kept->tok.scope))
		res.code = COAP_SERVICE_UNAVAILABLE; /* the workers still enforce the old scope */
	/* not stored: after a restart the old rights would come back, so the client must retry */
	if (res.code == COAP_CREATED && kept && keep(s, env, job->ctx, &kept->tok))
		res.code = COAP_SERVICE_UNAVAILABLE;
	ctl_answer_init(env, job, &m, res.code);
	n = ctl_answer_protected(env, job, &m, flags, NULL, ans, cap);
	cry_wipe(&res, sizeof(res));
	return n;
}

unsigned ctl_ace_server_poll(struct ctl_ace_server *s, struct ctl_env *env)
{
	unsigned i = 0, gone = 0;

	while (i < s->n_sup) {
		struct superseded *p = &s->sup[i];
		struct osc_ctx *succ = env->ops->ctx_get(env->plat, p->succ);

		/* the successor verified a request, or went itself (expired, revoked): the old
		 * context's token was replaced, so nothing keeps it any longer */
		if (succ && !osc_replay_used(&succ->replay) &&
		    env->ops->ctx_get(env->plat, p->old)) {
			i++;
			continue;
		}
		remove_ctx(s, env, p->old);
		*p = s->sup[--s->n_sup];
		gone++;
	}
	return gone;
}

int ctl_ace_server_restore(struct ctl_ace_server *s, struct ctl_ctx_handle h,
			   const uint8_t *rec, size_t len, int64_t now, struct ctl_ctx_handle *retire)
{
	struct ctl_ace_entry e, old;
	bool replaced = false;

	*retire = (struct ctl_ctx_handle){ 0 };
	if (ctl_ace_grant_decode(s->rs.conf, rec, len, &e.tok))
		return -1;
	/* RFC 9200 §5.10.3: a token that expired while the gateway was down is not restored */
	if (e.tok.expires && e.tok.expires <= now) {
		ctl_ace_token_wipe(&e.tok);
		return -1;
	}
	e.handle = ctl_ace_handle_pack(h);
	if (publish(s, h, &e.tok.scope) || ctl_ace_store_put(&s->rs.store, &e, &old, &replaced)) {
		publish(s, h, NULL);
		return -1;
	}
	/* one token per PoP key: records come in context order, the later context is the newer */
	if (replaced) {
		*retire = ctl_ace_handle_unpack(old.handle);
		publish(s, *retire, NULL);
	}
	return 0;
}

unsigned ctl_ace_server_tick(struct ctl_ace_server *s, struct ctl_env *env, int64_t now)
{
	struct ctl_ace_entry gone[8];
	unsigned n, i, total = 0;

	ctl_ace_exi_sweep(&s->rs.exi, now);
	do {
		n = ctl_ace_store_expire(&s->rs.store, now, gone, 8);
		for (i = 0; i < n; i++) {
			remove_ctx(s, env, ctl_ace_handle_unpack(gone[i].handle));
			ctl_ace_token_wipe(&gone[i].tok);
		}
		total += n;
	} while (n == 8);
	return total;
}

/* A scope as "local-part:methods ..." (truncated to cap). */
static void scope_text(const struct ctl_ace_scope *sc, char *out, size_t cap)
{
	size_t used = 0;
	char part[128];
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < sc->n && used < cap; i++) {
		if (ctl_ace_scope_entry_text(sc, i, part, sizeof(part)) < 0)
			snprintf(part, sizeof(part), "?");
		used += (size_t)snprintf(out + used, cap - used, "%s%s:%u", i ? " " : "", part,
					 sc->e[i].methods);
	}
}

unsigned ctl_ace_server_tokens(struct ctl_ace_server *s, unsigned start,
			       struct ctl_ace_token_info *out, unsigned max, unsigned *total)
{
	unsigned n = 0;

	*total = s->rs.store.n;
	for (; start < s->rs.store.n && n < max; start++, n++) {
		const struct ctl_ace_entry *e = &s->rs.store.e[start];
		struct ctl_ace_token_info *o = &out[n];

		snprintf(o->issuer, sizeof(o->issuer), "%s", s->rs.conf->as[e->tok.as].name);
		scope_text(&e->tok.scope, o->scope, sizeof(o->scope));
		o->expires = e->tok.expires;
		memcpy(o->id, e->tok.osc_id, e->tok.osc_id_len);
		o->id_len = e->tok.osc_id_len;
		o->ctx = ctl_ace_handle_unpack(e->handle);
	}
	return n;
}

int ctl_ace_server_revoke(struct ctl_ace_server *s, struct ctl_env *env, const char *issuer,
			  const uint8_t *id, size_t id_len)
{
	struct ctl_ace_entry gone;
	unsigned as;

	for (as = 0; as < s->rs.conf->n_as; as++)
		if (!strcmp(s->rs.conf->as[as].name, issuer))
			break;
	if (as == s->rs.conf->n_as || ctl_ace_store_remove(&s->rs.store, as, id, id_len, &gone))
		return -1;
	remove_ctx(s, env, ctl_ace_handle_unpack(gone.handle));
	ctl_ace_token_wipe(&gone.tok);
	return 0;
}

uint8_t ctl_ace_gate(void *arg, struct ctl_env *env, const struct ctl_job *job)
{
	struct ctl_ace_server *s = arg;
	const struct ctl_ace_entry *kept =
		ctl_ace_store_by_handle(&s->rs.store, ctl_ace_handle_pack(job->ctx));

	if (!kept)
		return 0;
	switch (ctl_ace_scope_check(&kept->tok.scope, &job->req)) {
	case CTL_ACE_ALLOW:
		return 0;
	case CTL_ACE_DENY_METHOD:
		ctl_env_count(env, CTL_C_ACE_DENY_METHOD);
		return COAP_METHOD_NOT_ALLOWED;
	default:
		ctl_env_count(env, CTL_C_ACE_DENY_RESOURCE);
		return COAP_FORBIDDEN;
	}
}

int ctl_ace_handler(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		    size_t cap)
{
	struct ctl_ace_server *s = arg;

	if (job->kind == CTL_KIND_PROTECTED)
		return post_protected(s, env, job, ans, cap);
	return post_plain(s, env, job, ans, cap);
}
