/* SPDX-License-Identifier: BSD-3-Clause */
/* The gateway as a Group OSCORE member, receiving side (ctl_group_serve.h). */
#include "control/ctl_group_serve.h"

#include <stdio.h>
#include <string.h>

#include "control/ctl_clock.h"
#include "crypto/cry_aead.h"
#include "oscore/osc_answer.h"

int ctl_groups_build(struct ctl_groups *gs, const struct ctl_groups_config *c, char *err,
		     size_t err_len)
{
	unsigned i;

	memset(gs, 0, sizeof(*gs));
	gs->next_gen = 1;
	gs->ssn_floor_ms = ctl_clock_ms(); /* at start: no earlier process is running any more */
	for (i = 0; i < c->n && i < CTL_GROUPS_MAX; i++) {
		int bad_member, rc = ctl_group_build(&gs->g[i], &c->g[i], &bad_member);

		if (rc != OSC_GROUP_OK) {
			snprintf(err, err_len, "group %s: %s", c->g[i].name, osc_group_strerror(rc));
			ctl_groups_free(gs);
			return -1;
		}
		gs->g[i]->gen = gs->next_gen++;
		gs->n = gs->present = i + 1;
	}
	return 0;
}

void ctl_groups_free(struct ctl_groups *gs)
{
	unsigned i;

	for (i = 0; i < gs->n; i++)
		ctl_group_free(gs->g[i]);
	ctl_echo_wipe(&gs->echo);
	memset(gs, 0, sizeof(*gs));
}

bool ctl_groups_resume(const struct ctl_groups *gs, struct ctl_group *g)
{
	uint64_t upto = 0;
	bool seen;

	if (!gs->ssn.reserve)
		return false;
	seen = gs->ssn.resume(gs->ssn.arg, g->fp, &upto);
	/* App. B.1.1: resume at the bound, and reserve before the first SSN is used */
	g->g.ssn = upto;
	g->g.ssn_limit = upto;
	g->ssn_floored = false; /* without a store, the clock floor applies again to what resumed */
	return seen;
}

void ctl_groups_set_ssn(struct ctl_groups *gs, const struct ctl_group_ssn_ops *ops)
{
	unsigned i;

	gs->ssn = *ops;
	for (i = 0; i < gs->n; i++)
		if (gs->g[i] && ctl_groups_resume(gs, gs->g[i]))
			for (unsigned k = 0; k < gs->g[i]->n_m; k++) /* what they accepted is lost */
				osc_replay_mark_unknown(&gs->g[i]->m[k].replay);
}

bool ctl_groups_active(const struct ctl_groups *gs)
{
	return gs && __atomic_load_n(&gs->present, __ATOMIC_RELAXED) != 0;
}

/* Slot i's group as a worker reads it: once, with acquire (its fields were written before). */
static const struct ctl_group *slot_of(const struct ctl_groups *gs, unsigned i)
{
	return __atomic_load_n(&gs->g[i], __ATOMIC_ACQUIRE);
}

int ctl_groups_by_gid(const struct ctl_groups *gs, const uint8_t *gid, size_t len)
{
	unsigned i, n = gs ? __atomic_load_n(&gs->n, __ATOMIC_ACQUIRE) : 0;

	for (i = 0; i < n; i++) {
		const struct ctl_group *g = slot_of(gs, i);

		if (g && g->g.gid_len == len && !memcmp(g->g.gid, gid, len))
			return (int)i;
	}
	return -1;
}

/* The present group whose Gid is o's kid context (its slot in *slot), or NULL. */
static const struct ctl_group *group_of(const struct ctl_groups *gs, const struct osc_option *o,
					unsigned *slot)
{
	unsigned i, n = gs ? __atomic_load_n(&gs->n, __ATOMIC_ACQUIRE) : 0;

	if (!o->has_kid_ctx)
		return NULL;
	for (i = 0; i < n; i++) {
		const struct ctl_group *g = slot_of(gs, i);

		if (g && g->g.gid_len == o->kid_ctx_len &&
		    !memcmp(g->g.gid, o->kid_ctx, g->g.gid_len)) {
			*slot = i;
			return g;
		}
	}
	return NULL;
}

bool ctl_groups_has_gid(const struct ctl_groups *gs, const struct osc_option *o)
{
	unsigned i;

	return group_of(gs, o, &i) != NULL;
}

bool ctl_groups_own_kid(const struct ctl_groups *gs, const struct osc_option *o)
{
	unsigned i;
	const struct ctl_group *g = group_of(gs, o, &i);

	if (!g || !o->has_kid)
		return false;
	return o->kid_len == g->g.sender_id_len && !memcmp(o->kid, g->g.sender_id, o->kid_len);
}

struct osc_member *ctl_groups_find(const struct ctl_groups *gs, const struct osc_option *o,
				   struct ctl_group_handle *h)
{
	unsigned i;
	const struct ctl_group *g = group_of(gs, o, &i);
	struct osc_member *m;

	if (!g || !o->has_kid)
		return NULL;
	m = ctl_group_member(g, o->kid, o->kid_len);
	if (!m)
		return NULL;
	/* slot, member and generation all of the group loaded once: a rekey publishing a new
	 * group into this slot meanwhile makes the handle stale, never another group's member */
	*h = (struct ctl_group_handle){ .group = (uint16_t)i, .member = (uint16_t)(m - g->m),
					.gen = g->gen };
	return m;
}

struct osc_member *ctl_groups_member(const struct ctl_groups *gs, struct ctl_group_handle h,
				     struct ctl_group **grp)
{
	struct ctl_group *g;

	if (!h.gen || h.group >= gs->n || !(g = gs->g[h.group]) || g->gen != h.gen ||
	    h.member >= g->n_m)
		return NULL;
	*grp = g;
	return &g->m[h.member];
}

#define CHALLENGE (-2)

/* RFC 10021 §9: a verified request of a member whose replay window is invalid (a restart), its
 * plain form in plain[0..r->rx.out_len). With a valid Echo (RFC 9175, bound to the member's
 * Sender ID and the Gid) the window starts at its Partial IV and it is accepted (its length);
 * without one the member is challenged (CHALLENGE); -1 when another request reset it first. */
static int window_invalid(const struct ctl_groups *gs, struct ctl_env *env, struct osc_grx *r,
			  struct osc_member *m, const uint8_t *plain)
{
	struct ctl_echo_ids b = { .rid = m->id, .rid_len = m->id_len, .id_ctx = m->g->gid,
				  .id_ctx_len = m->g->gid_len, .has_id_ctx = true };
	const struct osc_coap_opt *o;
	struct osc_coap_msg q;
	unsigned count;

	if (osc_coap_parse(&q, plain, r->rx.out_len) != OSC_COAP_OK)
		return -1;
	o = osc_coap_find(&q, COAP_OPT_ECHO, &count);
	/* RFC 9175 §2.2.1: not repeatable; a stale or foreign value earns a fresh one (§2.3) */
	if (!o || count != 1 || !ctl_echo_verify_ids(&gs->echo, &b, ctl_echo_now(), o->val, o->len))
		return CHALLENGE;
	if (!osc_replay_try_reset(&m->replay, r->rx.piv))
		return -1;
	ctl_env_count(env, CTL_C_GROUP_ECHO_ACCEPT);
	return (int)r->rx.out_len;
}

/* Stage b of job's request into plain[0..cap): re-parse, the worker's plaintext, signature
 * (group mode), commit. Returns the plain request's length, CHALLENGE (§9) or -1 (counted). */
static int stage_b(const struct ctl_groups *gs, struct ctl_env *env, const struct ctl_job *job,
		   struct osc_grx *r, struct osc_member *m, uint8_t *plain, size_t cap)
{
	int n;

	if (osc_group_rx_parse(r, job->msg, job->plain_off, true) != OSC_OK ||
	    !osc_group_matches(m, &r->rx.opt) ||
	    osc_group_rx_prepare(r, m, NULL) != OSC_OK ||
	    osc_group_rx_adopt(r, job->msg + job->plain_off, job->len - job->plain_off) != OSC_OK) {
		ctl_env_count(env, CTL_C_GROUP_REFUSED); /* a replay committed since stage a, too */
		return -1;
	}
	n = osc_group_rx_finish(r, plain, cap);
	if (n >= 0)
		return n;
	if (r->rx.err == OSC_ERR_WINDOW_UNKNOWN && /* signature verified, nothing committed */
	    (n = window_invalid(gs, env, r, m, plain)) != -1)
		return n;
	ctl_env_count(env, r->rx.err == OSC_ERR_SIGNATURE ? CTL_C_GROUP_SIGNATURE :
							  CTL_C_GROUP_REFUSED);
	return -1;
}

/* App. B.1.1: the next SSN of grp lies below a bound already durable (reserve K ahead). */
static int durable_ssn(const struct ctl_groups *gs, struct ctl_group *grp)
{
	uint64_t upto = grp->g.ssn + gs->ssn.k;

	if (grp->g.ssn < grp->g.ssn_limit)
		return 0;
	if (upto > OSC_SSN_MAX + 1)
		upto = OSC_SSN_MAX + 1;
	if (gs->ssn.reserve(gs->ssn.arg, grp->fp, upto))
		return -1;
	grp->g.ssn_limit = upto;
	return 0;
}

/* Without a store, the clock floor (ctl_clock.h): raised once per process to the floor, then
 * used only below the clock. Every SSN used before a crash is below the clock at the crash, which
 * is at or below the floor of the next process (the wall clock not stepping back). True: no SSN
 * until the clock has passed it. */
static bool above_clock(const struct ctl_groups *gs, struct ctl_group *grp)
{
	if (!grp->ssn_floored) {
		if (grp->g.ssn < gs->ssn_floor_ms)
			grp->g.ssn = gs->ssn_floor_ms;
		grp->ssn_floored = true;
	}
	return __atomic_load_n(&grp->g.ssn, __ATOMIC_RELAXED) >= ctl_clock_ms();
}

int ctl_groups_durable_ssn(const struct ctl_groups *gs, struct ctl_group *grp)
{
	if (!gs->ssn.durable && above_clock(gs, grp))
		return -1;
	return gs->ssn.reserve ? durable_ssn(gs, grp) : 0;
}

/* a (from ctl_answer_init) protected for member m as the answer to request r (§7.3): on the
 * request's nonce, or on our own Partial IV (own, which must be durable first). Returns the
 * length or -1. */
static int seal(const struct ctl_groups *gs, struct ctl_env *env, struct ctl_group *grp,
		struct osc_member *m, const struct osc_grx *r, const struct osc_coap_msg *a,
		bool own, uint8_t *ans, size_t cap)
{
	uint8_t resp[256];
	struct osc_group_exchange gex;
	bool group_mode = r->group_mode && !(grp->pairwise_responses && grp->g.aead);
	int n = osc_coap_encode(resp, sizeof(resp), a);

	osc_group_rx_exchange(r, &gex);
	if (n >= 0 && own && (!gs->ssn.reserve || ctl_groups_durable_ssn(gs, grp)))
		n = -1;
	if (n >= 0)
		n = osc_group_protect_response(env->e, &grp->g, m, group_mode, &gex, resp,
					       (size_t)n, ans, cap, own ? OSC_GTX_OWN_PIV : 0);
	cry_wipe(resp, sizeof(resp));
	return n < 0 ? -1 : n;
}

/* The answer to the verified plain request plain[0..len). */
static int answer(const struct ctl_groups *gs, struct ctl_env *env, const struct ctl_job *job,
		  struct ctl_group *grp, struct osc_member *m, const struct osc_grx *r,
		  const uint8_t *plain, size_t len, uint8_t *ans, size_t cap)
{
	struct osc_coap_msg a;
	int n;

	ctl_answer_init(env, job, &a, len > 1 ? osc_answer_served_code(plain[1]) : COAP_CHANGED);
	n = seal(gs, env, grp, m, r, &a, gs->ssn.own_piv, ans, cap);
	ctl_env_count(env, n < 0 ? CTL_C_GROUP_ANSWER_FAILED : CTL_C_GROUP_VERIFIED);
	return n;
}

/* §9: a 4.01 Unauthorized carrying only an inner Echo, protected with our own Partial IV (the
 * request may be a replay: its nonce must not be used again). */
static int challenge(const struct ctl_groups *gs, struct ctl_env *env, const struct ctl_job *job,
		     struct ctl_group *grp, struct osc_member *m, const struct osc_grx *r,
		     uint8_t *ans, size_t cap)
{
	struct ctl_echo_ids b = { .rid = m->id, .rid_len = m->id_len, .id_ctx = grp->g.gid,
				  .id_ctx_len = grp->g.gid_len, .has_id_ctx = true };
	uint8_t val[CTL_ECHO_LEN];
	struct osc_coap_msg a;
	int n = -1;

	ctl_answer_init(env, job, &a, COAP_UNAUTHORIZED);
	if (!ctl_echo_make_ids(&gs->echo, &b, ctl_echo_now(), val) &&
	    a.n_opts < COAP_MAX_OPTS) {
		a.opts[a.n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_ECHO,
							    .len = CTL_ECHO_LEN, .val = val };
		n = seal(gs, env, grp, m, r, &a, true, ans, cap);
	}
	ctl_env_count(env, n < 0 ? CTL_C_GROUP_ANSWER_FAILED : CTL_C_GROUP_ECHO_CHALLENGE);
	return n;
}

int ctl_group_serve(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		    size_t cap)
{
	static uint8_t rxbuf[OSC_PLAIN_HEADROOM + OSC_MSG_MAX], plain[OSC_MSG_MAX];
	static struct osc_grx r; /* the control lcore serves one job at a time */
	const struct ctl_groups *gs = arg;
	struct ctl_group *grp = NULL;
	struct osc_member *m = ctl_groups_member(gs, job->member, &grp);
	int n, rc = -1;

	if (!m || !job->plain_off) {
		ctl_env_count(env, CTL_C_GROUP_REFUSED);
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.rx.flags = gs->loadtest ? OSC_RX_LOADTEST : 0;
	r.rx.plain = rxbuf;
	r.rx.plain_cap = sizeof(rxbuf);
	n = stage_b(gs, env, job, &r, m, plain, sizeof(plain));
	if (n >= 0)
		rc = answer(gs, env, job, grp, m, &r, plain, (size_t)n, ans, cap);
	else if (n == CHALLENGE)
		rc = challenge(gs, env, job, grp, m, &r, ans, cap);
	cry_wipe(rxbuf, sizeof(rxbuf));
	cry_wipe(plain, sizeof(plain));
	return rc < 0 ? 0 : rc;
}
