/* SPDX-License-Identifier: BSD-3-Clause */
/* The EDHOC responder on /.well-known/edhoc (see ctl_edhoc.h). */
#include "control/ctl_edhoc.h"
#include "control/ctl_rate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/cry_aead.h"
#include "crypto/cry_cbor.h"
#include "oscore/osc_error.h"
#include "oscore/osc_option.h"
#include "oscore/osc_protect.h"

struct ctl_edhoc {
	struct osc_ctx ctx;             /* RFC 9668: the new context while the request verifies
					 * (first: 64-aligned) */
	struct edh_config cfg;
	struct edh_table *t;
	struct ctl_ns ns;
	bool has_ns;
	const struct ctl_edhoc_config *conf;
	struct ctl_env *env;            /* during a call: for cid_taken */
	struct ctl_bucket total;         /* message_1 of all sources */
	struct ctl_rate_src *src;        /* message_1 per source address */
	bool forward, own_piv;
	uint8_t buf[EDH_MSG_MAX];
	uint8_t msg[CTL_MSG_MAX], plain[CTL_MSG_MAX];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* C_R candidates outside the "edhoc" namespace, or a live context's Recipient ID, are taken. */
static bool cid_taken(void *arg, const uint8_t *id, size_t len)
{
	struct ctl_edhoc *h = arg;

	if (h->has_ns && !ctl_ns_check(&h->ns, CTL_M_EDHOC, id, len))
		return true;
	return h->env && h->env->ops->rid_taken && h->env->ops->rid_taken(h->env->plat, id, len);
}

/* C_R candidates: the "edhoc" namespace's IDs in order (ctl_ns_nth), so that every part of it
 * is reachable, e.g. one with a 2-byte prefix. */
static size_t cid_candidate(void *arg, uint32_t k, uint8_t *id)
{
	struct ctl_edhoc *h = arg;

	return ctl_ns_nth(&h->ns, CTL_M_EDHOC, k, id);
}

struct ctl_edhoc *ctl_edhoc_new(const struct ctl_edhoc_config *c, const struct ctl_ns *ns,
				bool forward, bool own_piv)
{
	struct ctl_edhoc *h = aligned_alloc(64, (sizeof(*h) + 63) & ~(size_t)63);

	if (!h)
		return NULL;
	memset(h, 0, sizeof(*h));
	h->forward = forward;
	h->own_piv = own_piv;
	ctl_config_edhoc_edh(c, &h->cfg);
	h->cfg.cid_taken = cid_taken;
	h->cfg.cid_taken_arg = h;
	h->conf = c;
	if (ns) {
		h->ns = *ns;
		h->has_ns = true;
		h->cfg.cid_candidate = cid_candidate;
	}
	ctl_bucket_init(&h->total, c->m1_burst, now_ms());
	h->t = edh_table_new(&h->cfg);
	h->src = ctl_rate_src_new(c->m1_src_rate_milli, c->m1_src_burst);
	if (!h->t || !h->src) {
		ctl_edhoc_free(h);
		return NULL;
	}
	return h;
}

void ctl_edhoc_free(struct ctl_edhoc *h)
{
	if (!h)
		return;
	edh_table_free(h->t);
	ctl_rate_src_free(h->src);
	osc_ctx_wipe(&h->ctx);
	cry_wipe(h->buf, sizeof(h->buf));
	cry_wipe(h->plain, sizeof(h->plain));
	free(h);
}

/* The answer code with Content-Format cf (-1: none) and payload pl[0..len). */
static int answer(struct ctl_env *env, const struct ctl_job *job, uint8_t code, int cf,
		  const uint8_t *pl, size_t len, uint8_t *ans, size_t cap)
{
	struct osc_coap_msg m;
	uint8_t v[4];

	ctl_answer_init(env, job, &m, code);
	if (cf >= 0) {
		m.opts[m.n_opts].num = COAP_OPT_CONTENT_FORMAT;
		m.opts[m.n_opts].len = (uint16_t)osc_coap_uint_encode(v, (uint32_t)cf);
		m.opts[m.n_opts++].val = v;
	}
	m.payload = len ? pl : NULL;
	m.payload_len = (uint32_t)len;
	return ctl_answer_plain(&m, ans, cap);
}

/* An EDHOC error message out: 5.00 for the server's own failures, 4.00 otherwise (App. A.2). */
static int edhoc_error(struct ctl_env *env, const struct ctl_job *job, enum edh_status st,
		       const struct edh_out *out, uint8_t *ans, size_t cap)
{
	uint8_t code = st == EDH_E_INTERNAL || st == EDH_E_FULL || st == EDH_E_NO_CRED ?
		       COAP_INTERNAL_ERROR : COAP_BAD_REQUEST;

	if (!out->len)
		return ctl_answer_error(env, job, code, edh_status_name(st), ans, cap);
	return answer(env, job, code, CTL_EDHOC_CF, out->buf, out->len, ans, cap);
}

static int msg1(struct ctl_edhoc *h, struct ctl_env *env, const struct ctl_job *job,
		uint64_t ms, uint8_t *ans, size_t cap)
{
	const struct ctl_edhoc_config *c = h->conf;
	struct edh_out out = { .buf = h->buf, .cap = sizeof(h->buf) };
	enum edh_status st;
	bool evicted, ok = ctl_rate_src_take(h->src, job->peer.src, ms, &evicted);

	if (evicted)
		ctl_env_count(env, CTL_C_EDHOC_SRC_EVICTED);
	if (!ok) {
		ctl_env_count(env, CTL_C_EDHOC_RATE_SOURCE);
		return ctl_answer_error(env, job, COAP_SERVICE_UNAVAILABLE, "rate", ans, cap);
	}
	if (!ctl_bucket_take(&h->total, c->m1_rate_milli, c->m1_burst, ms)) {
		ctl_env_count(env, CTL_C_EDHOC_RATE_TOTAL);
		return ctl_answer_error(env, job, COAP_SERVICE_UNAVAILABLE, "rate", ans, cap);
	}
	st = edh_resp_msg1(h->t, ms, job->req.payload + 1, job->req.payload_len - 1, &out);
	if (st != EDH_OK) {
		ctl_env_count(env, CTL_C_EDHOC_MSG1_ERR);
		return edhoc_error(env, job, st, &out, ans, cap);
	}
	ctl_env_count(env, CTL_C_EDHOC_MSG1);
	return answer(env, job, COAP_CHANGED, CTL_EDHOC_CF, out.buf, out.len, ans, cap);
}

/* message_3 verified: the context goes into the table and the store (method "edhoc"). */
static int install(struct ctl_env *env, const struct edh_result *res, struct ctl_ctx_handle *hd)
{
	char err[128];

	if (env->ops->ctx_add(env->plat, CTL_M_EDHOC, &res->oscore, hd, err, sizeof(err))) {
		ctl_env_count(env, CTL_C_EDHOC_INSTALL_FAIL);
		return -1;
	}
	ctl_env_count(env, CTL_C_EDHOC_DONE);
	return 0;
}

static int msg3(struct ctl_edhoc *h, struct ctl_env *env, const struct ctl_job *job,
		uint64_t ms, uint8_t *ans, size_t cap)
{
	struct edh_out out = { .buf = h->buf, .cap = sizeof(h->buf) };
	const uint8_t *pl = job->req.payload;
	uint8_t c_r[EDH_CID_MAX + 1];
	struct ctl_ctx_handle hd;
	struct edh_result res;
	enum edh_status st;
	size_t c_r_len, n;
	int rc;

	n = edh_cid_prefix(pl, job->req.payload_len, c_r, &c_r_len);
	if (!n || n == job->req.payload_len) {
		ctl_env_count(env, CTL_C_EDHOC_BAD_REQUEST);
		return ctl_answer_error(env, job, COAP_BAD_REQUEST, "expected C_R, message_3",
					ans, cap);
	}
	st = edh_resp_msg3(h->t, ms, c_r, c_r_len, pl + n, job->req.payload_len - n, &out, &res);
	if (st != EDH_OK) {
		ctl_env_count(env, CTL_C_EDHOC_MSG3_ERR);
		return edhoc_error(env, job, st, &out, ans, cap);
	}
	if (install(env, &res, &hd))
		rc = ctl_answer_error(env, job, COAP_INTERNAL_ERROR, "context refused", ans, cap);
	else
		rc = answer(env, job, COAP_CHANGED, out.len ? CTL_EDHOC_CF : -1, out.buf, out.len,
			    ans, cap);
	cry_wipe(&res, sizeof(res));
	return rc;
}

int ctl_edhoc_handler(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		      size_t cap)
{
	struct ctl_edhoc *h = arg;
	uint64_t ms = now_ms();
	int rc;

	if (job->req.code != COAP_POST) {
		ctl_env_count(env, CTL_C_EDHOC_BAD_REQUEST);
		return ctl_answer_error(env, job, COAP_METHOD_NOT_ALLOWED, NULL, ans, cap);
	}
	if (!job->req.payload_len) { /* the reverse message flow (App. A.2) is not offered */
		ctl_env_count(env, CTL_C_EDHOC_BAD_REQUEST);
		return ctl_answer_error(env, job, COAP_BAD_REQUEST, "no EDHOC message", ans, cap);
	}
	h->env = env;
	edh_table_expire(h->t, ms);
	if (job->req.payload[0] == 0xf5) /* CBOR true: message_1 follows */
		rc = msg1(h, env, job, ms, ans, cap);
	else
		rc = msg3(h, env, job, ms, ans, cap);
	h->env = NULL;
	return rc;
}

/* RFC 9668 §3.3.1 step 5: the request without the EDHOC option and with the OSCORE payload
 * after message_3 (n bytes) into h->msg. Returns its length or -1. */
static int strip(struct ctl_edhoc *h, const struct ctl_job *job, size_t n)
{
	struct osc_coap_msg m = job->req;
	unsigned k = 0;

	for (unsigned i = 0; i < m.n_opts; i++)
		if (m.opts[i].num != COAP_OPT_EDHOC)
			m.opts[k++] = m.opts[i];
	m.n_opts = (uint8_t)k;
	m.payload += n;
	m.payload_len -= (uint32_t)n;
	return ctl_answer_plain(&m, h->msg, sizeof(h->msg));
}

/* The request verified under the new context (handle hd, exchange ex, plain request
 * h->plain[0..len)): its Partial IV is marked seen in the published context, and it is answered
 * as the gateway answers any request (respond mode). In forward mode it goes back to its worker
 * under hd (ctl_resume) and upstream like any verified request; the protected 5.03 is the answer
 * only if it cannot (exchange table full, context gone): the device repeats it then. */
static int served(struct ctl_edhoc *h, struct ctl_env *env, const struct ctl_job *job,
		  struct ctl_ctx_handle hd, const struct osc_exchange *ex, int len, uint8_t *ans,
		  size_t cap)
{
	unsigned flags = h->own_piv && !h->forward ? OSC_F_OWN_PIV | OSC_ANS_DURABLE_503 : 0;
	struct ctl_job j = *job;
	struct osc_coap_msg m;
	struct osc_ctx *c;
	int n;

	j.ctx = hd;
	j.ex = *ex;
	c = env->ops->ctx_get(env->plat, hd);
	if (!c || osc_coap_parse(&j.req, h->plain, (size_t)len) != OSC_COAP_OK)
		return -1;
	osc_replay_commit(&c->replay, osc_piv_to_ssn(ex->piv, ex->piv_len));
	ctl_answer_init(env, &j, &m, h->forward ? COAP_SERVICE_UNAVAILABLE :
						 osc_answer_served_code(j.req.code));
	n = ctl_answer_protected(env, &j, &m, flags, NULL, ans, cap);
	if (h->forward && n > 0 && ctl_resume(env, &j, h->plain, (size_t)len))
		ctl_env_count(env, CTL_C_EDHOC_FWD_RETRY);
	return n;
}

/* EDHOC completed for a combined request: verify the OSCORE part under the new context. An
 * OSCORE failure is answered as RFC 8613 §8.2 says; the context stays (EDHOC succeeded). */
static int combined_oscore(struct ctl_edhoc *h, struct ctl_env *env, const struct ctl_job *job,
			   struct edh_result *res, size_t n, uint8_t *ans, size_t cap)
{
	struct ctl_ctx_handle hd;
	struct osc_exchange ex;
	int len = strip(h, job, n), rc;

	if (len < 0 || osc_ctx_derive(&h->ctx, &res->oscore) != OSC_CTX_OK)
		return -1;
	rc = osc_unprotect_request(env->e, &h->ctx, h->msg, (size_t)len, h->plain,
				   sizeof(h->plain), &ex);
	osc_ctx_wipe(&h->ctx);
	if (install(env, res, &hd))
		return ctl_answer_error(env, job, COAP_INTERNAL_ERROR, "context refused", ans, cap);
	if (rc < 0)
		return ctl_answer_error(env, job, osc_err_coap_code(-rc), osc_err_diag(-rc), ans,
					cap);
	ctl_env_count(env, CTL_C_EDHOC_COMBINED);
	return served(h, env, job, hd, &ex, rc, ans, cap);
}

/* The EDHOC error (ERR_CODE 1, §6.2) for a combined request when message_4 is configured: the
 * context is not installed, the device runs EDHOC without combining. */
static int message_4_required(struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
			      size_t cap)
{
	uint8_t err[32];
	struct cry_cbor_buf b;

	cry_cbor_init(&b, err, sizeof(err));
	cry_cbor_int(&b, 1);
	cry_cbor_tstr(&b, "message_4 required");
	if (cry_cbor_done(&b) < 0)
		return -1;
	return answer(env, job, COAP_BAD_REQUEST, CTL_EDHOC_CF, err, b.len, ans, cap);
}

int ctl_edhoc_combined(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		       size_t cap)
{
	struct ctl_edhoc *h = arg;
	struct edh_out out = { .buf = h->buf, .cap = sizeof(h->buf) };
	const struct osc_coap_opt *o = osc_coap_find(&job->req, COAP_OPT_OSCORE, NULL);
	struct osc_option opt;
	struct edh_result res;
	enum edh_status st;
	uint64_t ms = now_ms();
	size_t n = job->req.payload_len ?
		   edh_first_item_len(job->req.payload, job->req.payload_len) : 0;
	int rc;

	/* §3.3.1 step 1: an OSCORE option with a kid (C_R) and message_3 before a payload */
	if (!o || osc_option_decode(&opt, o->val, o->len, 0) != OSC_OPT_OK || !opt.has_kid ||
	    opt.has_kid_ctx || !n || n >= job->req.payload_len) {
		ctl_env_count(env, CTL_C_EDHOC_BAD_REQUEST);
		return ctl_answer_error(env, job, COAP_BAD_REQUEST, "not an EDHOC + OSCORE request",
					ans, cap);
	}
	h->env = env;
	st = edh_resp_msg3(h->t, ms, opt.kid, opt.kid_len, job->req.payload, n, &out, &res);
	h->env = NULL;
	if (st != EDH_OK) { /* §3.3.1: an EDHOC error, unprotected */
		ctl_env_count(env, CTL_C_EDHOC_MSG3_ERR);
		return edhoc_error(env, job, st, &out, ans, cap);
	}
	if (h->conf->message_4) { /* RFC 9668 §3.3.1: a required message_4 cannot be sent here */
		cry_wipe(&res, sizeof(res));
		ctl_env_count(env, CTL_C_EDHOC_MSG3_ERR);
		return message_4_required(env, job, ans, cap);
	}
	rc = combined_oscore(h, env, job, &res, n, ans, cap);
	cry_wipe(&res, sizeof(res));
	cry_wipe(h->plain, sizeof(h->plain));
	return rc;
}
