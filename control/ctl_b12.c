/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 8613 App. B.1.2 with RFC 9175 Echo: re-initialising a replay window after a restart. */
#include "control/ctl_b12.h"

#include <string.h>

#include "oscore/osc_answer.h"

enum ctl_b12_verdict ctl_b12_decide(const struct ctl_echo *echo, uint32_t now, struct osc_rx *rx,
				    const uint8_t *plain, size_t len)
{
	const struct osc_coap_opt *o;
	struct osc_coap_msg m;
	unsigned count;

	if (osc_coap_parse(&m, plain, len) != OSC_COAP_OK)
		return CTL_B12_DROP;
	o = osc_coap_find(&m, COAP_OPT_ECHO, &count);
	/* RFC 9175 §2.2.1: not repeatable; a stale or foreign value earns a fresh one (§2.3) */
	if (!o || count != 1 || !ctl_echo_verify(echo, rx->ctx, now, o->val, o->len))
		return CTL_B12_CHALLENGE;
	if (!osc_replay_try_reset(&rx->ctx->replay, rx->piv))
		return CTL_B12_DROP;
	rx->replay = OSC_REPLAY_OK;
	rx->err = OSC_OK;
	return CTL_B12_ACCEPT;
}

int ctl_b12_challenge(struct cry_engine *e, const struct ctl_echo *echo, uint32_t now,
		      const struct osc_rx *rx, uint16_t *next_mid, uint8_t *out, size_t cap)
{
	uint8_t val[CTL_ECHO_LEN];
	struct osc_exchange ex;
	struct osc_coap_msg m;

	if (ctl_echo_make(echo, rx->ctx, now, val))
		return -OSC_ERR_CRYPTO;
	osc_answer_header(&m, &rx->outer, COAP_UNAUTHORIZED, next_mid);
	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_ECHO, .len = CTL_ECHO_LEN, .val = val };
	m.n_opts = 1;
	osc_rx_exchange(rx, &ex);
	/* App. B.1.2: own fresh Partial IV, sent in the option */
	return osc_answer_protect(e, rx->ctx, &ex, &m, out, cap, OSC_F_OWN_PIV, NULL);
}

/* What ctl_b12_decide needs of the request's osc_rx, rebuilt from the job (the worker's slot is
 * gone): header of the plain request (same type, ID and token as the outer one), the context and
 * the exchange (kid, Partial IV, nonce). */
static void rx_of(const struct ctl_job *job, struct osc_ctx *c, struct osc_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->outer = job->req;
	rx->ctx = c;
	rx->opt.kid = job->ex.kid;
	rx->opt.kid_len = job->ex.kid_len;
	rx->opt.has_kid = true;
	memcpy(rx->opt.piv, job->ex.piv, sizeof(rx->opt.piv));
	rx->opt.piv_len = job->ex.piv_len;
	memcpy(rx->nonce, job->ex.nonce, sizeof(rx->nonce));
	rx->piv = osc_piv_to_ssn(job->ex.piv, job->ex.piv_len);
	rx->observe = job->ex.observe;
}

/* The accepted request without its Echo into out: that answered the gateway's own challenge
 * (RFC 9175 §2.4, App. B.1.2); the upstream never asked for one. Returns its length or -1. */
static int without_echo(const struct osc_coap_msg *req, uint8_t *out, size_t cap)
{
	struct osc_coap_msg m = *req;
	unsigned i, k = 0;

	for (i = 0; i < m.n_opts; i++)
		if (m.opts[i].num != COAP_OPT_ECHO)
			m.opts[k++] = m.opts[i];
	m.n_opts = (uint8_t)k;
	return osc_coap_encode(out, cap, &m);
}

/* Forward mode: the accepted request plain[0..n) goes back to its worker to be forwarded like
 * any verified request (ctl_resume), with a protected 5.03 on the request's nonce as the answer
 * if it cannot be: the device then repeats it, and the window is known by then. */
static int accepted_fwd(struct ctl_env *env, const struct ctl_job *job, const uint8_t *plain,
			int n, uint8_t *ans, size_t cap)
{
	struct osc_coap_msg m;
	int len;

	ctl_answer_init(env, job, &m, COAP_SERVICE_UNAVAILABLE);
	len = ctl_answer_protected(env, job, &m, 0, NULL, ans, cap);
	if (len > 0 && (n <= 0 || ctl_resume(env, job, plain, (size_t)n)))
		ctl_env_count(env, CTL_C_B12_FWD_RETRY);
	return len;
}

/* An accepted request is served as any other verified request: a registered protected control
 * path's handler answers it, a gate (an ACE scope) may refuse it (ctl_plane_verified); else
 * respond mode answers it here (as the worker would) and forward mode forwards it. */
static int accepted(const struct ctl_b12_server *b, struct ctl_env *env,
		    const struct ctl_job *job, uint8_t *ans, size_t cap)
{
	unsigned flags = b->own_piv ? OSC_F_OWN_PIV | OSC_ANS_DURABLE_503 : 0;
	uint8_t plain[CTL_MSG_MAX];
	int n = without_echo(&job->req, plain, sizeof(plain)), len;
	struct osc_coap_msg m;
	bool fell_back;

	ctl_env_count(env, CTL_C_B12_ACCEPT);
	len = n > 0 ? ctl_plane_verified(env, job, plain, (size_t)n, ans, cap) : CTL_PLANE_PASS;
	if (len != CTL_PLANE_PASS)
		return len;
	if (b->forward)
		return accepted_fwd(env, job, plain, n, ans, cap);
	ctl_answer_init(env, job, &m, osc_answer_served_code(job->req.code));
	len = ctl_answer_protected(env, job, &m, flags, &fell_back, ans, cap);
	if (fell_back)
		ctl_env_count(env, CTL_C_B12_SSN_LIMIT);
	return len;
}

int ctl_b12_handler(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		    size_t cap)
{
	const struct ctl_b12_server *b = arg;
	struct osc_ctx *c = ctl_env_ctx(env, job);
	struct osc_rx rx;
	int len;

	if (!c) {
		ctl_env_count(env, CTL_C_B12_DROP);
		return 0;
	}
	rx_of(job, c, &rx);
	switch (ctl_b12_decide(&b->echo, env->now, &rx, job->msg, job->len)) {
	case CTL_B12_ACCEPT:
		return accepted(b, env, job, ans, cap);
	case CTL_B12_CHALLENGE:
		len = ctl_b12_challenge(env->e, &b->echo, env->now, &rx, env->next_mid, ans, cap);
		/* The 4.01 needs an SSN of its own and the next one is not yet durable (App. B.1.1).
		 * The request's nonce cannot be used instead: the window is unknown, so the request
		 * may replay one already answered under that nonce. Hence an unprotected 5.03. */
		if (len == -OSC_ERR_SSN_LIMIT) {
			ctl_env_count(env, CTL_C_B12_SSN_LIMIT);
			return ctl_answer_error(env, job, COAP_SERVICE_UNAVAILABLE, NULL, ans, cap);
		}
		if (len > 0)
			ctl_env_count(env, CTL_C_B12_CHALLENGE);
		return len > 0 ? len : -1;
	case CTL_B12_DROP:
		break;
	}
	ctl_env_count(env, CTL_C_B12_DROP);
	return 0;
}
