/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's handler interface without DPDK: handlers registered by kind and by path see
 * the job's peer and context handle, a protected answer goes through the one answer builder and
 * verifies at the device, an unserved control path gets 4.04, and a stale handle finds nothing.
 * The platform here is a two-slot table with generations, as dp_ctx_table keeps them.
 */
#include <criterion/criterion.h>

#include "control/ctl_plane.h"
#include "ctl_test_util.h"

static struct cry_engine *eng;
static struct osc_ctx *srv, *dev; /* the gateway's context in slot 1, the device's */
static uint32_t gen[2] = { 0, 7 };
static uint64_t counted[CTL_C__COUNT];

static struct osc_ctx *get(void *plat, struct ctl_ctx_handle h)
{
	(void)plat;
	return h.slot == 1 && h.gen && h.gen == gen[1] ? srv : NULL;
}

static void count(void *plat, enum ctl_ctr c)
{
	(void)plat;
	counted[c]++;
}

static const struct ctl_platform platform = { .ctx_get = get, .count = count };
static uint16_t mid = 0x3000;
static struct ctl_env env = { .ops = &platform, .next_mid = &mid };

static struct osc_ctx *derive(const struct osc_params *p)
{
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));

	cr_assert_eq(osc_ctx_derive(c, p), OSC_CTX_OK);
	return c;
}

static void setup(void)
{
	struct osc_params sp, cp;

	eng = cry_engine_new();
	env.e = eng;
	server_params(&sp, 0x0a);
	swap_ids(&cp, &sp);
	srv = derive(&sp);
	dev = derive(&cp);
	memset(counted, 0, sizeof(counted));
}

static void teardown(void)
{
	osc_ctx_wipe(srv);
	osc_ctx_wipe(dev);
	free(srv);
	free(dev);
	cry_engine_free(eng);
}

TestSuite(plane, .init = setup, .fini = teardown);

/* What the handlers saw. */
static struct ctl_job seen;
static struct osc_ctx *seen_ctx;
static int calls;

/* Answers 2.05 "hello", protected if the job came with a context. */
static int hello(void *arg, struct ctl_env *e, const struct ctl_job *job, uint8_t *ans,
		 size_t cap)
{
	struct osc_coap_msg m;

	cr_assert_eq(arg, &calls);
	calls++;
	seen = *job;
	seen_ctx = ctl_env_ctx(e, job);
	ctl_answer_init(e, job, &m, COAP_CONTENT);
	m.payload = (const uint8_t *)"hello";
	m.payload_len = 5;
	if (job->ctx.gen)
		return ctl_answer_protected(e, job, &m, 0, NULL, ans, cap);
	return ctl_answer_plain(&m, ans, cap);
}

static struct ctl_peer peer(void)
{
	struct ctl_peer p = { .src = { [10] = 0xff, [11] = 0xff, 10, 9, 0, 2 },
			      .dst = { [10] = 0xff, [11] = 0xff, 10, 9, 0, 1 },
			      .src_port = 40001, .dst_port = 5683 };

	return p;
}

/* A plain CON POST with Uri-Path segments a (and b), token 77. */
static int plain_post(uint8_t *buf, size_t cap, const char *a, const char *b)
{
	struct osc_coap_msg m = { .type = COAP_CON, .code = COAP_POST, .mid = 0x99, .tkl = 1,
				  .token = (const uint8_t *)"\x77", .n_opts = b ? 2 : 1 };

	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .len = (uint16_t)strlen(a),
					   .val = (const uint8_t *)a };
	if (b)
		m.opts[1] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH,
						   .len = (uint16_t)strlen(b),
						   .val = (const uint8_t *)b };
	return osc_coap_encode(buf, cap, &m);
}

Test(plane, handler_by_path_sees_the_peer_and_answers_plain)
{
	struct ctl_plane *p = ctl_plane_new();
	uint8_t req[64], ans[CTL_MSG_MAX];
	struct osc_coap_msg m, a;
	int n = plain_post(req, sizeof(req), "authz-info", NULL), rl;
	struct ctl_job job = { .kind = CTL_KIND_PLAIN, .peer = peer(), .msg = req, .len = (size_t)n };

	cr_assert_eq(ctl_plane_on_path(p, "/authz-info", CTL_PATH_PLAIN, hello, &calls), 0);
	cr_assert_eq(osc_coap_parse(&m, req, (size_t)n), OSC_COAP_OK);
	cr_expect(ctl_plane_wants(p, CTL_KIND_PLAIN, &m));
	cr_expect(!ctl_plane_wants(p, CTL_KIND_PROTECTED, &m), "registered for plain only");
	cr_expect(ctl_plane_serves(p, CTL_KIND_PLAIN) && !ctl_plane_serves(p, CTL_KIND_GROUP));
	calls = 0;
	rl = ctl_plane_serve(p, &env, &job, ans, sizeof(ans));
	cr_assert_gt(rl, 0);
	cr_assert_eq(calls, 1);
	cr_expect_arr_eq(seen.peer.src, job.peer.src, 16);
	cr_expect_eq(seen.peer.src_port, 40001);
	cr_expect_eq(seen.peer.dst_port, 5683);
	cr_expect_eq(seen.ctx.gen, 0);
	cr_expect_null(seen_ctx);
	cr_assert_eq(osc_coap_parse(&a, ans, (size_t)rl), OSC_COAP_OK);
	cr_expect(a.type == COAP_ACK && a.mid == 0x99 && a.code == COAP_CONTENT);
	cr_expect(a.tkl == 1 && a.token[0] == 0x77 && a.payload_len == 5);
	ctl_plane_free(p);
}

Test(plane, handler_by_kind_gets_the_context_by_handle_and_protects_with_it)
{
	struct ctl_plane *p = ctl_plane_new();
	uint8_t get_[64], req[256], plain[256], ans[CTL_MSG_MAX], out[256];
	struct osc_exchange cex;
	struct osc_coap_msg a;
	struct ctl_job job = { .kind = CTL_KIND_WINDOW_UNKNOWN, .peer = peer(),
			       .ctx = { .slot = 1, .gen = 7 } };
	int n = plain_get(get_, sizeof(get_), 0x55), rl;

	cr_assert_eq(ctl_plane_on_kind(p, CTL_KIND_WINDOW_UNKNOWN, hello, &calls), 0);
	cr_expect_eq(ctl_plane_on_kind(p, CTL_KIND_WINDOW_UNKNOWN, hello, &calls), -1, "one");
	cr_expect_eq(ctl_plane_on_kind(p, CTL_KIND_PLAIN, hello, &calls), -1, "by path only");
	cr_expect(ctl_plane_wants(p, CTL_KIND_WINDOW_UNKNOWN, NULL));
	cr_expect(!ctl_plane_wants(p, CTL_KIND_NO_CONTEXT, NULL));
	/* the device's request, verified by the "worker" */
	n = osc_protect_request(eng, dev, get_, (size_t)n, req, sizeof(req), 0, &cex);
	cr_assert_gt(n, 0);
	n = osc_unprotect_request(eng, srv, req, (size_t)n, plain, sizeof(plain), &job.ex);
	cr_assert_gt(n, 0);
	job.msg = plain;
	job.len = (size_t)n;
	calls = 0;
	rl = ctl_plane_serve(p, &env, &job, ans, sizeof(ans));
	cr_assert_gt(rl, 0, "%d", rl);
	cr_expect_eq(seen.ctx.slot, 1);
	cr_expect_eq(seen.ctx.gen, 7);
	cr_expect_eq(seen_ctx, srv, "the handle names the context");
	n = osc_unprotect_response(eng, dev, &cex, ans, (size_t)rl, out, sizeof(out));
	cr_assert_gt(n, 0, "the device cannot verify: %s", osc_err_name(-n));
	cr_assert_eq(osc_coap_parse(&a, out, (size_t)n), OSC_COAP_OK);
	cr_expect(a.code == COAP_CONTENT && a.mid == 0x55 && a.payload_len == 5);
	/* the context was removed and its slot reused: the handle finds nothing */
	gen[1] = 8;
	calls = 0;
	cr_expect_null(ctl_env_ctx(&env, &job));
	cr_expect_lt(ctl_plane_serve(p, &env, &job, ans, sizeof(ans)), 0, "stale: no answer");
	cr_expect_null(seen_ctx);
	gen[1] = 7;
	ctl_plane_free(p);
}

Test(plane, protected_prefix_path_without_handler_answers_404)
{
	struct ctl_plane *p = ctl_plane_new();
	uint8_t req[64], ans[CTL_MSG_MAX];
	struct osc_coap_msg m, a;
	int n = plain_post(req, sizeof(req), "ctl", "reset"), rl;
	struct ctl_job job = { .kind = CTL_KIND_PLAIN, .peer = peer(), .msg = req, .len = (size_t)n };

	cr_assert_eq(ctl_plane_on_path(p, "/ctl", CTL_PATH_PROTECTED | CTL_PATH_PREFIX, NULL, NULL),
		     0);
	cr_assert_eq(ctl_plane_on_path(p, "/edhoc", CTL_PATH_PLAIN, NULL, NULL), 0);
	cr_assert_eq(osc_coap_parse(&m, req, (size_t)n), OSC_COAP_OK);
	cr_expect(ctl_plane_wants(p, CTL_KIND_PROTECTED, &m), "/ctl/reset is below /ctl");
	cr_expect(!ctl_plane_wants(p, CTL_KIND_PLAIN, &m));
	n = plain_post(req, sizeof(req), "ctlx", NULL);
	cr_assert_eq(osc_coap_parse(&m, req, (size_t)n), OSC_COAP_OK);
	cr_expect(!ctl_plane_wants(p, CTL_KIND_PROTECTED, &m), "/ctlx is not below /ctl");
	n = plain_post(req, sizeof(req), "edhoc", NULL);
	job.len = (size_t)n;
	rl = ctl_plane_serve(p, &env, &job, ans, sizeof(ans));
	cr_assert_gt(rl, 0);
	cr_assert_eq(osc_coap_parse(&a, ans, (size_t)rl), OSC_COAP_OK);
	cr_expect_eq(a.code, COAP_NOT_FOUND);
	cr_expect_eq(counted[CTL_C_NOT_FOUND], 1);
	/* a reserved path gets its handler later */
	cr_assert_eq(ctl_plane_on_path(p, "/edhoc", CTL_PATH_PLAIN, hello, &calls), 0);
	calls = 0;
	cr_expect_gt(ctl_plane_serve(p, &env, &job, ans, sizeof(ans)), 0);
	cr_expect_eq(calls, 1);
	ctl_plane_free(p);
}

Test(plane, plain_kind_takes_requests_only_and_garbage_fails)
{
	struct ctl_plane *p = ctl_plane_new();
	uint8_t req[64], ans[CTL_MSG_MAX];
	struct osc_coap_msg m;
	int n = plain_post(req, sizeof(req), "authz-info", NULL);
	struct ctl_job job = { .kind = CTL_KIND_PLAIN, .msg = (const uint8_t *)"\x40", .len = 1 };

	cr_assert_eq(ctl_plane_on_path(p, "/authz-info", CTL_PATH_PLAIN, hello, &calls), 0);
	req[1] = COAP_CONTENT; /* a response to the resource is not a request for it */
	cr_assert_eq(osc_coap_parse(&m, req, (size_t)n), OSC_COAP_OK);
	cr_expect(!ctl_plane_wants(p, CTL_KIND_PLAIN, &m));
	cr_expect_eq(ctl_plane_serve(p, &env, &job, ans, sizeof(ans)), -1);
	cr_expect_eq(ctl_plane_on_path(p, "authz-info", CTL_PATH_PLAIN, hello, NULL), -1);
	ctl_plane_free(p);
}

/* A kind handler that accepts its job and serves the request as any verified one (App. B.1.2's
 * path: ctl_plane_verified), answering 2.04 itself when nothing on the plane takes it. */
static int accept_any(void *arg, struct ctl_env *e, const struct ctl_job *job, uint8_t *ans,
		      size_t cap)
{
	struct osc_coap_msg m;
	int n = ctl_plane_verified(e, job, job->msg, job->len, ans, cap);

	(void)arg;
	if (n != CTL_PLANE_PASS)
		return n;
	ctl_answer_init(e, job, &m, COAP_CHANGED);
	return ctl_answer_protected(e, job, &m, 0, NULL, ans, cap);
}

/* The gate refuses /temp with 4.03 (an ACE scope would). */
static uint8_t deny_temp(void *arg, struct ctl_env *e, const struct ctl_job *job)
{
	(void)arg;
	cr_expect_eq(job->kind, CTL_KIND_PROTECTED);
	ctl_env_count(e, CTL_C_ACE_DENY_RESOURCE);
	return COAP_FORBIDDEN;
}

/* One verified GET /temp through p's WINDOW_UNKNOWN handler; the answer's code at the device. */
static uint8_t verified_get(struct ctl_plane *p)
{
	uint8_t get_[64], req[256], plain[256], ans[CTL_MSG_MAX], out[256];
	struct ctl_job job = { .kind = CTL_KIND_WINDOW_UNKNOWN, .peer = peer(),
			       .ctx = { .slot = 1, .gen = 7 } };
	struct osc_exchange cex;
	struct osc_coap_msg a;
	int n = plain_get(get_, sizeof(get_), 0x56), rl;

	n = osc_protect_request(eng, dev, get_, (size_t)n, req, sizeof(req), 0, &cex);
	n = osc_unprotect_request(eng, srv, req, (size_t)n, plain, sizeof(plain), &job.ex);
	cr_assert_gt(n, 0);
	job.msg = plain;
	job.len = (size_t)n;
	rl = ctl_plane_serve(p, &env, &job, ans, sizeof(ans));
	cr_assert_gt(rl, 0, "%d", rl);
	n = osc_unprotect_response(eng, dev, &cex, ans, (size_t)rl, out, sizeof(out));
	cr_assert_gt(n, 0, "the device cannot verify: %s", osc_err_name(-n));
	cr_assert_eq(osc_coap_parse(&a, out, (size_t)n), OSC_COAP_OK);
	return a.code;
}

Test(plane, accepted_request_goes_to_its_control_path_then_the_gate_then_back)
{
	struct ctl_plane *p = ctl_plane_new();

	cr_assert_eq(ctl_plane_on_kind(p, CTL_KIND_WINDOW_UNKNOWN, accept_any, NULL), 0);
	cr_expect_eq(verified_get(p), COAP_CHANGED, "nothing takes it: the caller answers");
	cr_assert_eq(ctl_plane_on_gate(p, deny_temp, NULL), 0);
	cr_expect_eq(verified_get(p), COAP_FORBIDDEN, "the gate refuses it, protected");
	cr_expect_eq(counted[CTL_C_ACE_DENY_RESOURCE], 1);
	cr_assert_eq(ctl_plane_on_path(p, "/temp", CTL_PATH_PROTECTED, hello, &calls), 0);
	calls = 0;
	cr_expect_eq(verified_get(p), COAP_CONTENT, "its control path's handler answers");
	cr_expect_eq(calls, 1);
	cr_expect_eq(seen.kind, CTL_KIND_PROTECTED);
	cr_expect_eq(seen_ctx, srv);
	cr_expect_eq(counted[CTL_C_ACE_DENY_RESOURCE], 1, "control paths come before the gate");
	ctl_plane_free(p);
}
