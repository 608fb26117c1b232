/* SPDX-License-Identifier: BSD-3-Clause */
/* The gateway as a Group OSCORE member, receiving side (ctl_group_serve.h). */
#include "control/ctl_group_serve.h"

#include <stdio.h>
#include <string.h>

#include "crypto/cry_aead.h"
#include "oscore/osc_answer.h"

int ctl_groups_build(struct ctl_groups *gs, const struct ctl_groups_config *c, char *err,
		     size_t err_len)
{
	unsigned i;

	memset(gs, 0, sizeof(*gs));
	for (i = 0; i < c->n && i < CTL_GROUPS_MAX; i++) {
		int bad_member, rc = ctl_group_build(&gs->g[i], &c->g[i], &bad_member);

		if (rc != OSC_GROUP_OK) {
			snprintf(err, err_len, "group %s: %s", c->g[i].name, osc_group_strerror(rc));
			ctl_groups_free(gs);
			return -1;
		}
		gs->gen[i] = 1;
		gs->n = i + 1;
	}
	return 0;
}

void ctl_groups_free(struct ctl_groups *gs)
{
	unsigned i;

	for (i = 0; i < gs->n; i++)
		ctl_group_free(gs->g[i]);
	memset(gs, 0, sizeof(*gs));
}

/* The group whose Gid is o's kid context, or -1. */
static int group_of(const struct ctl_groups *gs, const struct osc_option *o)
{
	unsigned i;

	if (!gs || !o->has_kid_ctx)
		return -1;
	for (i = 0; i < gs->n; i++) {
		const struct osc_group *g = &gs->g[i]->g;

		if (g->gid_len == o->kid_ctx_len && !memcmp(g->gid, o->kid_ctx, g->gid_len))
			return (int)i;
	}
	return -1;
}

bool ctl_groups_has_gid(const struct ctl_groups *gs, const struct osc_option *o)
{
	return group_of(gs, o) >= 0;
}

bool ctl_groups_own_kid(const struct ctl_groups *gs, const struct osc_option *o)
{
	int gi = group_of(gs, o);
	const struct osc_group *g;

	if (gi < 0 || !o->has_kid)
		return false;
	g = &gs->g[gi]->g;
	return o->kid_len == g->sender_id_len && !memcmp(o->kid, g->sender_id, o->kid_len);
}

struct osc_member *ctl_groups_find(const struct ctl_groups *gs, const struct osc_option *o,
				   struct ctl_group_handle *h)
{
	int gi = group_of(gs, o);
	struct osc_member *m;

	if (gi < 0 || !o->has_kid)
		return NULL;
	m = ctl_group_member(gs->g[gi], o->kid, o->kid_len);
	if (!m)
		return NULL;
	*h = (struct ctl_group_handle){ .group = (uint16_t)gi,
					.member = (uint16_t)(m - gs->g[gi]->m),
					.gen = gs->gen[gi] };
	return m;
}

struct osc_member *ctl_groups_member(const struct ctl_groups *gs, struct ctl_group_handle h,
				     struct ctl_group **grp)
{
	if (!h.gen || h.group >= gs->n || gs->gen[h.group] != h.gen ||
	    h.member >= gs->g[h.group]->n_m)
		return NULL;
	*grp = gs->g[h.group];
	return &gs->g[h.group]->m[h.member];
}

/* Stage b of job's request into plain[0..cap): re-parse, the worker's plaintext, signature,
 * commit. Returns the plain request's length, or -1 (counted). */
static int stage_b(struct ctl_env *env, const struct ctl_job *job, struct osc_grx *r,
		   struct osc_member *m, uint8_t *plain, size_t cap)
{
	int n;

	if (osc_group_rx_parse(r, job->msg, job->plain_off, true) != OSC_OK ||
	    !r->group_mode || !osc_group_matches(m, &r->rx.opt) ||
	    osc_group_rx_prepare(r, m, NULL) != OSC_OK ||
	    osc_group_rx_adopt(r, job->msg + job->plain_off, job->len - job->plain_off) != OSC_OK) {
		ctl_env_count(env, CTL_C_GROUP_REFUSED); /* a replay committed since stage a, too */
		return -1;
	}
	n = osc_group_rx_finish(r, plain, cap);
	if (n < 0)
		ctl_env_count(env, r->rx.err == OSC_ERR_SIGNATURE ? CTL_C_GROUP_SIGNATURE :
								  CTL_C_GROUP_REFUSED);
	return n < 0 ? -1 : n;
}

/* A pairwise-mode request the worker verified and committed: its exchange from the message as
 * received, the plain request copied to plain[0..cap). Returns its length, or -1 (counted). */
static int verified_pairwise(struct ctl_env *env, const struct ctl_job *job, struct osc_grx *r,
			     struct osc_member *m, uint8_t *plain, size_t cap)
{
	size_t n = job->len - job->plain_off;

	if (osc_group_rx_parse(r, job->msg, job->plain_off, true) != OSC_OK || r->group_mode ||
	    !osc_group_matches(m, &r->rx.opt) || n > cap) {
		ctl_env_count(env, CTL_C_GROUP_REFUSED);
		return -1;
	}
	memcpy(plain, job->msg + job->plain_off, n);
	return (int)n;
}

/* The answer to the verified plain request plain[0..len), protected for member m (§7.3). */
static int answer(struct ctl_env *env, const struct ctl_job *job, struct ctl_group *grp,
		  struct osc_member *m, const struct osc_grx *r, const uint8_t *plain, size_t len,
		  uint8_t *ans, size_t cap)
{
	uint8_t resp[256];
	struct osc_group_exchange gex;
	struct osc_coap_msg a;
	bool group_mode = r->group_mode && !(grp->pairwise_responses && grp->g.aead);
	int n;

	osc_group_rx_exchange(r, &gex);
	ctl_answer_init(env, job, &a, len > 1 ? osc_answer_served_code(plain[1]) : COAP_CHANGED);
	n = osc_coap_encode(resp, sizeof(resp), &a);
	if (n >= 0)
		n = osc_group_protect_response(env->e, &grp->g, m, group_mode, &gex, resp,
					       (size_t)n, ans, cap, 0);
	cry_wipe(resp, sizeof(resp));
	ctl_env_count(env, n < 0 ? CTL_C_GROUP_ANSWER_FAILED : CTL_C_GROUP_VERIFIED);
	return n < 0 ? -1 : n;
}

int ctl_group_serve(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		    size_t cap)
{
	static uint8_t rxbuf[OSC_PLAIN_HEADROOM + OSC_MSG_MAX], plain[OSC_MSG_MAX];
	static struct osc_grx r; /* the control lcore serves one job at a time */
	struct ctl_group *grp = NULL;
	struct osc_member *m = ctl_groups_member(arg, job->member, &grp);
	int n, rc = -1;

	if (!m || !job->plain_off) {
		ctl_env_count(env, CTL_C_GROUP_REFUSED);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.rx.plain = rxbuf;
	r.rx.plain_cap = sizeof(rxbuf);
	n = job->group_verified ? verified_pairwise(env, job, &r, m, plain, sizeof(plain)) :
				  stage_b(env, job, &r, m, plain, sizeof(plain));
	if (n >= 0)
		rc = answer(env, job, grp, m, &r, plain, (size_t)n, ans, cap);
	cry_wipe(rxbuf, sizeof(rxbuf));
	cry_wipe(plain, sizeof(plain));
	return rc < 0 ? 0 : rc;
}
