/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 8613 App. B.2 as a control-plane handler (see ctl_b2.h). */
#include "control/ctl_b2.h"

#include <stdlib.h>
#include <string.h>

/* The context App. B.2 replaces next, per template: its ID Context. */
struct cur {
	uint8_t id_ctx[OSC_ID_CTX_MAX];
	uint8_t len;
	bool has;
};

struct ctl_b2_server {
	struct osc_ctx ctx;         /* ctx(R2 || R3) while request #2 is verified (64-aligned) */
	struct ctl_b2 t;
	struct cur cur[CTL_B2_TEMPLATES];
	bool own_piv, forward;
};

struct ctl_b2_server *ctl_b2_server_new(uint32_t lifetime, bool own_piv, bool forward)
{
	struct ctl_b2_server *s = aligned_alloc(64, (sizeof(*s) + 63) & ~(size_t)63);

	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	ctl_b2_init(&s->t, lifetime);
	s->own_piv = own_piv;
	s->forward = forward;
	return s;
}

void ctl_b2_server_free(struct ctl_b2_server *s)
{
	if (!s)
		return;
	ctl_b2_wipe(&s->t);
	osc_ctx_wipe(&s->ctx);
	free(s);
}

int ctl_b2_server_add(struct ctl_b2_server *s, const struct osc_params *p)
{
	struct cur *c = &s->cur[s->t.n_tmpl]; /* ctl_b2_add appends: template n_tmpl */

	if (ctl_b2_add(&s->t, p))
		return -1;
	memcpy(c->id_ctx, p->id_ctx, sizeof(c->id_ctx));
	c->len = p->id_ctx_len;
	c->has = p->has_id_ctx;
	return 0;
}

/* App. B.2 step 4: ctx(R2 || R3), parameters p, becomes the context of its kid: stored and
 * published, then the context it replaces is removed (RCU-deferred). The verified request #2's
 * Partial IV is marked seen in the published context, so that it cannot be replayed (a worker
 * could see the context in the few instructions before: the same exposure as any runtime add).
 * Returns 0 with the new context's handle in *h, or -1. */
static int install(struct ctl_b2_server *s, struct ctl_env *env, int t,
		   const struct osc_params *p, uint64_t piv, struct ctl_ctx_handle *h)
{
	struct cur *cur = &s->cur[t];
	struct osc_ctx *n;
	char err[128];

	if (env->ops->ctx_add(env->plat, CTL_M_DIRECT, p, h, err, sizeof(err)))
		return -1;
	n = env->ops->ctx_get(env->plat, *h);
	if (!n)
		return -1;
	osc_replay_commit(&n->replay, piv);
	if (cur->len != p->id_ctx_len || memcmp(cur->id_ctx, p->id_ctx, p->id_ctx_len) || !cur->has)
		env->ops->ctx_remove(env->plat, p->recipient_id, p->recipient_id_len, cur->id_ctx,
				     cur->len, cur->has);
	memcpy(cur->id_ctx, p->id_ctx, sizeof(cur->id_ctx));
	cur->len = p->id_ctx_len;
	cur->has = true;
	return 0;
}

/* Request #2 (plain[0..n), exchange ex) verified under ctx(R2 || R3) with parameters p: install
 * it and answer the request with it, as the gateway answers any request (respond mode), or with
 * a 5.03 in forward mode: the device repeats it on the new context through the normal path. */
static int step4(struct ctl_b2_server *s, struct ctl_env *env, const struct ctl_job *job,
		 const struct osc_params *p, const uint8_t *plain, int n,
		 const struct osc_exchange *ex, uint8_t *ans, size_t cap)
{
	struct ctl_job j = *job;
	struct osc_coap_msg m;
	unsigned flags = s->own_piv && !s->forward ? OSC_F_OWN_PIV | OSC_ANS_DURABLE_503 : 0;
	bool fell_back;
	int t = ctl_b2_tmpl(&s->t, p->recipient_id, p->recipient_id_len), len;

	j.ex = *ex;
	if (t < 0 || install(s, env, t, p, osc_piv_to_ssn(ex->piv, ex->piv_len), &j.ctx) ||
	    osc_coap_parse(&j.req, plain, (size_t)n) != OSC_COAP_OK) {
		ctl_env_count(env, CTL_C_B2_INSTALL_FAILED);
		return -1;
	}
	ctl_env_count(env, CTL_C_B2_INSTALLED);
	ctl_answer_init(env, &j, &m, s->forward ? COAP_SERVICE_UNAVAILABLE :
						 osc_answer_served_code(j.req.code));
	len = ctl_answer_protected(env, &j, &m, flags, &fell_back, ans, cap);
	if (fell_back)
		ctl_env_count(env, CTL_C_B12_SSN_LIMIT);
	return len;
}

/* Request #1, or the §8.2 refusal. */
static int step2(struct ctl_b2_server *s, struct ctl_env *env, const struct ctl_job *job,
		 uint8_t *ans, size_t cap)
{
	bool wrapped;
	int len = ctl_b2_request1(&s->t, env->e, env->now, job->msg, job->len, env->next_mid, ans,
				  cap, &wrapped);

	ctl_env_count(env, len > 0 ? CTL_C_B2_R2_ISSUED : CTL_C_B2_REFUSED);
	if (len > 0 && wrapped)
		ctl_env_count(env, CTL_C_B2_WRAPPED);
	if (len == CTL_B2_FULL) /* App. B.2.1: no room for another R2 now */
		return ctl_answer_error(env, job, COAP_SERVICE_UNAVAILABLE, NULL, ans, cap);
	if (len < 0)
		return ctl_answer_error(env, job, osc_err_coap_code(-len), osc_err_diag(-len), ans,
					cap);
	return len;
}

int ctl_b2_handler(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		   size_t cap)
{
	struct ctl_b2_server *s = arg;
	uint8_t plain[OSC_MSG_MAX];
	struct osc_exchange ex;
	struct osc_params p;
	bool wrapped;
	int len;

	/* first as request #2 (kid context R2 || R3 with an R2 we issued), else as request #1 */
	len = ctl_b2_request2(&s->t, env->e, env->now, job->msg, job->len, &s->ctx, &p, plain,
			      sizeof(plain), &ex, &wrapped);
	if (len >= 0) {
		osc_ctx_wipe(&s->ctx);
		if (wrapped)
			ctl_env_count(env, CTL_C_B2_WRAPPED);
		len = step4(s, env, job, &p, plain, len, &ex, ans, cap);
		cry_wipe(&p, sizeof(p));
		cry_wipe(plain, sizeof(plain));
		return len;
	}
	if (len == -OSC_ERR_NO_CONTEXT)
		return step2(s, env, job, ans, cap);
	ctl_env_count(env, CTL_C_B2_REFUSED);
	return ctl_answer_error(env, job, osc_err_coap_code(-len), osc_err_diag(-len), ans, cap);
}
