/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sending to a group (control/ctl_group_send.c) without DPDK: the gateway as member 51 of
 * group-oscore-vectors.txt B.0's group, members 0a and 52 answering with the project's osc_group
 * code, the transport replaced by a platform that records what would be sent. Covers the request
 * the members verify, the aggregate, duplicates, bad signatures, late answers, the refusals and the
 * SSN clock floor; and the "multicast" and "group_send" configuration keys.
 */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "control/ctl_clock.h"
#include "control/ctl_config.h"
#include "control/ctl_group_send.h"
#include "ctl_test_util.h"
#include "../oscore/group_fixture.h"
#include "../oscore/group_vectors.h"
#include "oscore/osc_coap.h"
#include "oscore/osc_group_msg.h"

static char dir[256], path[300], err[512];
static struct ctl_config cfg;

/* The gateway as 51 with members 0a and 52; extra spliced into the group, top into the top. */
static int load(const char *extra, const char *top)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\"%s, \"groups\": [{"
		"\"name\": \"floor3\", \"gid\": \"" V_A_1_GROUP_ID "\", "
		"\"master_secret\": \"" V_A_1_MASTER_SECRET "\", "
		"\"master_salt\": \"" V_A_1_MASTER_SALT "\", "
		"\"group_encryption_alg\": 10, \"signature_alg\": \"EdDSA\", \"aead_alg\": 10, "
		"\"pairwise_key_agreement_alg\": -27, "
		"\"sender_id\": \"51\", \"private_key\": \"" V_A_1_ENTITY2_ED25519_PRIVATE "\", "
		"\"cred\": \"" V_B_0_CCS_51 "\", \"gm_cred\": \"" V_B_0_GM_CRED "\"%s, "
		"\"members\": [{\"sender_id\": \"52\", \"cred\": \"" V_B_0_CCS_52 "\"}, "
		"{\"sender_id\": \"0a\", \"cred\": \"" V_B_0_CCS_0A "\"}]}]}",
		top, extra);
	fclose(f);
	err[0] = 0;
	ctl_config_free(&cfg);
	return ctl_config_load(&cfg, path, err, sizeof(err));
}

#define SEND_TOP ", \"group_send\": {\"port\": 5690, \"collect_ms\": 100, \"pending\": 2}"
#define MCAST ", \"multicast\": \"239.255.0.3\""

static void conf_setup(void)
{
	scratch_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/gw.json", dir);
}

static void conf_teardown(void)
{
	ctl_config_free(&cfg);
	rm_dir(dir);
}

TestSuite(conf_group_send, .init = conf_setup, .fini = conf_teardown);

Test(conf_group_send, multicast_and_group_send_are_read)
{
	const struct ctl_group_mcast *m;

	cr_assert_eq(load(", \"multicast\": \"[ff05::fd]:5700\"", SEND_TOP), 0, "%s", err);
	m = &cfg.groups.g[0].mcast;
	cr_expect(m->set && m->v6 && m->port == 5700 && m->addr[0] == 0xff && m->addr[15] == 0xfd);
	cr_expect(cfg.group_send.enabled && cfg.group_send.port == 5690);
	cr_expect_eq(cfg.group_send.collect_ms, 100);
	cr_assert_eq(load(MCAST, ""), 0, "%s", err);
	cr_expect(cfg.groups.g[0].mcast.port == 5683 && !cfg.groups.g[0].mcast.v6);
	cr_expect(!cfg.group_send.enabled);
}

static void refused(const char *extra, const char *top, const char *what)
{
	cr_expect_neq(load(extra, top), 0, "%s %s accepted", extra, top);
	cr_expect(strstr(err, what), "%s %s: %s (want %s)", extra, top, err, what);
}

Test(conf_group_send, bad_values_are_refused_naming_the_field)
{
	refused(", \"multicast\": \"10.0.0.9\"", "", "groups[0].multicast");
	refused(", \"multicast\": \"fe80::1\"", "", "groups[0].multicast");
	refused(", \"multicast\": \"239.1.1.1:0\"", "", "groups[0].multicast");
	refused(", \"multicast\": \"[ff02::1\"", "", "groups[0].multicast");
	refused(", \"multicast\": 5", "", "multicast address");
	refused(MCAST, ", \"group_send\": {}", "group_send.port: required");
	refused(MCAST, ", \"group_send\": {\"port\": 5683}", "also udp_port");
	refused(MCAST, ", \"group_send\": {\"port\": 5690, \"collect_ms\": 1}", "collect_ms");
	refused(MCAST, ", \"group_send\": {\"port\": 5690, \"x\": 1}", "group_send.x: unknown key");
	refused("", SEND_TOP, "no group in group mode with a \"multicast\" address");
}

/* --- the handler --- */

static struct ctl_groups gs;
static struct ctl_group_send *gsend;
static struct cry_engine *eng;
static struct gfix fx;
static struct osc_group g52;   /* member 52's own view, */
static struct osc_member m52_51; /* with its Recipient Context for 51 */
static uint8_t cred52[128];
static uint64_t counted[CTL_C__COUNT];
static uint16_t mid = 0x4000;
static unsigned n_sent;
static struct ctl_dgram last;
static uint8_t last_msg[CTL_MSG_MAX];

static void count(void *plat, enum ctl_ctr c)
{
	(void)plat;
	counted[c]++;
}

static int send_dgram(void *plat, const struct ctl_dgram *d)
{
	(void)plat;
	cr_assert_leq(d->len, sizeof(last_msg));
	last = *d;
	memcpy(last_msg, d->msg, d->len);
	last.msg = last_msg;
	n_sent++;
	return 0;
}

static const struct ctl_platform platform = { .count = count, .send = send_dgram };
static struct ctl_env env = { .ops = &platform, .next_mid = &mid };

static void setup(void)
{
	conf_setup();
	cr_assert_eq(load(MCAST, SEND_TOP), 0, "%s", err);
	cr_assert_eq(ctl_groups_build(&gs, &cfg.groups, err, sizeof(err)), 0, "%s", err);
	gsend = ctl_group_send_new(&gs, &cfg.group_send);
	cr_assert_not_null(gsend);
	cr_assert_eq(gfix_init(&fx), 0);
	cr_assert_eq(gfix_other(&g52, &m52_51, "52", V_A_1_ENTITY3_ED25519_PRIVATE, cred52,
				gfix_hex(V_B_0_CCS_52, cred52, sizeof(cred52))), 0);
	eng = cry_engine_new();
	env.e = eng;
	memset(counted, 0, sizeof(counted));
	n_sent = 0;
	/* Without a store a group's SSN starts at the clock when the groups were built and a send
	 * takes one only below the clock (the floor, ctl_group_send.h): the tests send a few at
	 * once, so they start once the clock is a few milliseconds past it (bounded: 100 ms). */
	for (int i = 0; i < 100 && ctl_clock_ms() < gs.ssn_floor_ms + 4; i++)
		usleep(1000);
}

static void teardown(void)
{
	osc_member_wipe(&m52_51);
	osc_group_wipe(&g52);
	cry_engine_free(eng);
	gfix_free(&fx);
	ctl_group_send_free(gsend);
	ctl_groups_free(&gs);
	conf_teardown();
}

TestSuite(group_send, .init = setup, .fini = teardown);

static uint8_t jobbuf[CTL_MSG_MAX];

/* A job for the handler: msg[0..len) from 10.0.0.7:port. */
static int serve(const uint8_t *msg, size_t len, uint16_t port, uint8_t *ans, size_t cap)
{
	struct ctl_job job = { .kind = CTL_KIND_GROUP_SEND, .msg = jobbuf, .len = len,
			       .peer = { .src = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 7 },
					 .src_port = port, .dst_port = 5690,
					 .mac = { 2, 0, 0, 0, 0, 7 } } };

	memcpy(jobbuf, msg, len);
	cr_assert_eq(osc_coap_parse(&job.req, jobbuf, len), OSC_COAP_OK);
	return ctl_group_send_serve(gsend, &env, &job, ans, cap);
}

/* The requester's CON request with Uri-Path segments path[0..n) and optional extra option. */
static int plain_request(uint8_t code, const char *const *segs, unsigned n, uint16_t extra,
			 uint8_t *out, size_t cap)
{
	static const uint8_t token[2] = { 0x7a, 0x7b };
	struct osc_coap_msg m = { .type = COAP_CON, .code = code, .mid = 0x1234, .token = token,
				  .tkl = 2 };
	unsigned i;

	for (i = 0; i < n; i++)
		m.opts[m.n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH,
			.val = (const uint8_t *)segs[i], .len = (uint16_t)strlen(segs[i]) };
	if (extra)
		m.opts[m.n_opts++] = (struct osc_coap_opt){ .num = extra,
			.val = (const uint8_t *)"coap://x", .len = 8 };
	return osc_coap_encode(out, cap, &m);
}

static const char *const light[] = { "groups", "floor3", "light" };
static uint8_t members_token[COAP_TOKEN_MAX]; /* the token of the request the members saw */

/* Send GET /groups/floor3/light: the empty ACK comes back, the request went to the group. */
static void send_light(struct osc_group_exchange *gex0a, struct osc_group_exchange *gex52)
{
	uint8_t req[256], ans[CTL_MSG_MAX], plain[512];
	struct osc_member *m = &fx.m51;
	struct osc_coap_msg a, q;
	int n = plain_request(COAP_GET, light, 3, 0, req, sizeof(req)), p;

	n = serve(req, (size_t)n, 40000, ans, sizeof(ans));
	cr_assert_eq(n, 4, "an empty ACK");
	cr_assert_eq(osc_coap_parse(&a, ans, 4), OSC_COAP_OK);
	cr_expect(a.type == COAP_ACK && a.code == 0 && a.mid == 0x1234);
	cr_assert_eq(counted[CTL_C_GSEND_SENT], 1);
	cr_expect(!last.v6 && last.dst[12] == 239 && last.dst[15] == 3 && last.dst_port == 5683 &&
		  last.src_port == 5690 && !last.up);
	p = osc_group_unprotect(eng, &m, 1, NULL, last.msg, last.len, plain, sizeof(plain), gex0a);
	cr_assert_gt(p, 0, "member 0a verifies the group request: %d", p);
	cr_assert_eq(osc_coap_parse(&q, plain, (size_t)p), OSC_COAP_OK);
	cr_expect(q.type == COAP_NON && q.code == COAP_GET && q.n_opts == 1 &&
		  q.opts[0].num == COAP_OPT_URI_PATH && q.opts[0].len == 5 &&
		  !memcmp(q.opts[0].val, "light", 5), "members see NON GET /light");
	cr_assert_eq(q.tkl, 8);
	memcpy(members_token, q.token, 8);
	m = &m52_51;
	cr_assert_gt(osc_group_unprotect(eng, &m, 1, NULL, last.msg, last.len, plain,
					 sizeof(plain), gex52), 0, "and member 52");
}

/* Member g's answer "on ID" to ex, protected in group mode or pairwise mode. */
static int member_answer(struct osc_group *g, struct osc_member *to51, bool group_mode,
			 const struct osc_group_exchange *ex, const char *id, uint8_t *out,
			 size_t cap)
{
	struct osc_coap_msg a = { .type = COAP_NON, .code = COAP_CONTENT, .mid = 7,
				  .token = members_token, .tkl = 8,
				  .payload = (const uint8_t *)id, .payload_len = 5 };
	uint8_t plain[64];
	int n = osc_coap_encode(plain, sizeof(plain), &a);

	return osc_group_protect_response(eng, g, to51, group_mode, ex, plain, (size_t)n, out, cap,
					  0);
}

Test(group_send, members_verify_one_request_and_every_answer_lands_in_the_aggregate_once)
{
	struct osc_group_exchange e0a, e52;
	uint8_t a0a[512], a52[512], ans[CTL_MSG_MAX];
	struct osc_coap_msg agg;
	int n0a, n52;

	send_light(&e0a, &e52);
	n0a = member_answer(&fx.g0a, &fx.m51, true, &e0a, "on 0a", a0a, sizeof(a0a));
	n52 = member_answer(&g52, &m52_51, false, &e52, "on 52", a52, sizeof(a52));
	cr_assert(n0a > 0 && n52 > 0);
	cr_expect_eq(serve(a0a, (size_t)n0a, 5683, ans, sizeof(ans)), 0, "NON: no ACK");
	cr_expect_eq(serve(a0a, (size_t)n0a, 5683, ans, sizeof(ans)), 0);
	cr_expect_eq(counted[CTL_C_GSEND_ANSWER], 1);
	cr_expect_eq(counted[CTL_C_GSEND_DUPLICATE], 1, "the copy counted once");
	cr_expect_eq(ctl_group_send_open(gsend), 1);
	serve(a52, (size_t)n52, 5683, ans, sizeof(ans));
	cr_expect_eq(counted[CTL_C_GSEND_ANSWER], 2);
	/* every member answered: the aggregate leaves at once */
	cr_expect_eq(ctl_group_send_open(gsend), 0);
	cr_expect_eq(counted[CTL_C_GSEND_DONE], 1);
	cr_assert_eq(osc_coap_parse(&agg, last.msg, last.len), OSC_COAP_OK);
	cr_expect(agg.type == COAP_NON && agg.code == COAP_CONTENT && agg.tkl == 2 &&
		  agg.token[0] == 0x7a, "NON 2.05 with the requester's token");
	cr_expect(agg.n_opts == 1 && agg.opts[0].num == COAP_OPT_CONTENT_FORMAT &&
		  agg.opts[0].val[0] == 60);
	cr_expect(last.dst[15] == 7 && last.dst_port == 40000 && last.mac[5] == 7,
		  "to the requester");
	cr_expect_eq(agg.payload[0], 0x82, "an array of two");
	cr_expect(memmem(agg.payload, agg.payload_len, "pairwise", 8), "52 answered pairwise");
	cr_expect(memmem(agg.payload, agg.payload_len, "on 0a", 5) &&
		  memmem(agg.payload, agg.payload_len, "on 52", 5));
	cr_expect_eq(serve(a52, (size_t)n52, 5683, ans, sizeof(ans)), 0);
	cr_expect_eq(counted[CTL_C_GSEND_LATE], 1, "after the aggregate: late");
}

Test(group_send, bad_signature_is_dropped_and_the_member_may_still_answer)
{
	struct osc_group_exchange e0a, e52;
	uint8_t a[512], ans[CTL_MSG_MAX];
	int n;

	send_light(&e0a, &e52);
	n = member_answer(&fx.g0a, &fx.m51, true, &e0a, "on 0a", a, sizeof(a));
	a[n - 1] ^= 1;
	serve(a, (size_t)n, 5683, ans, sizeof(ans));
	cr_expect_eq(counted[CTL_C_GSEND_SIGNATURE], 1);
	a[n - 1] ^= 1;
	serve(a, (size_t)n, 5683, ans, sizeof(ans));
	cr_expect_eq(counted[CTL_C_GSEND_ANSWER], 1);
	a[4] ^= 1; /* the token: no collection has it */
	serve(a, (size_t)n, 5683, ans, sizeof(ans));
	cr_expect_eq(counted[CTL_C_GSEND_LATE], 1);
}

Test(group_send, at_the_deadline_the_requester_gets_what_arrived)
{
	struct osc_group_exchange e0a, e52;
	struct osc_coap_msg agg;

	send_light(&e0a, &e52);
	cr_expect_eq(ctl_group_send_tick(gsend, &env, ctl_gsend_now_ms()), 0, "not yet");
	cr_expect_eq(ctl_group_send_tick(gsend, &env, ctl_gsend_now_ms() + 200), 1);
	cr_assert_eq(osc_coap_parse(&agg, last.msg, last.len), OSC_COAP_OK);
	cr_expect(agg.payload_len == 1 && agg.payload[0] == 0x80, "an empty array");
	cr_expect_eq(ctl_group_send_open(gsend), 0);
}

static int code_of(const uint8_t *ans, int n)
{
	return n >= 4 ? ans[1] : -1;
}

Test(group_send, bad_requests_are_refused_with_their_code)
{
	static const char *const nogroup[] = { "groups", "nope", "x" };
	static const char *const other[] = { "lights", "floor3" };
	uint8_t req[256], ans[CTL_MSG_MAX];
	int n;

	n = plain_request(COAP_GET, nogroup, 3, 0, req, sizeof(req));
	cr_expect_eq(code_of(ans, serve(req, (size_t)n, 1, ans, sizeof(ans))), COAP_NOT_FOUND);
	n = plain_request(COAP_GET, other, 2, 0, req, sizeof(req));
	cr_expect_eq(code_of(ans, serve(req, (size_t)n, 1, ans, sizeof(ans))), COAP_BAD_REQUEST);
	n = plain_request(COAP_GET, light, 1, 0, req, sizeof(req));
	cr_expect_eq(code_of(ans, serve(req, (size_t)n, 1, ans, sizeof(ans))), COAP_BAD_REQUEST);
	n = plain_request(COAP_GET, light, 3, COAP_OPT_PROXY_URI, req, sizeof(req));
	cr_expect_eq(code_of(ans, serve(req, (size_t)n, 1, ans, sizeof(ans))), COAP_BAD_OPTION);
	cr_expect_eq(counted[CTL_C_GSEND_REFUSED], 4);
	cr_expect_eq(n_sent, 0);
	/* two collections configured: the third request waits its turn */
	n = plain_request(COAP_POST, light, 3, 0, req, sizeof(req));
	serve(req, (size_t)n, 1, ans, sizeof(ans));
	serve(req, (size_t)n, 1, ans, sizeof(ans));
	cr_expect_eq(code_of(ans, serve(req, (size_t)n, 1, ans, sizeof(ans))),
		     COAP_SERVICE_UNAVAILABLE);
	cr_expect_eq(counted[CTL_C_GSEND_BUSY], 1);
}

/* The SSN starts at the wall clock (ms since 2025) and a send never takes one at or above it:
 * SSNs used before a crash stay below any SSN used after the restart. */
Test(group_send, ssn_is_floored_at_the_clock_and_never_runs_ahead_of_it)
{
	struct osc_group *g = &gs.g[0]->g;
	uint8_t req[256], ans[CTL_MSG_MAX];
	uint64_t before = ctl_clock_ms();
	int n;

	cr_expect_geq(g->ssn + 1000, before, "floored when sending was set up");
	cr_expect_gt(before, 365ull * 86400000, "the clock is past 2026");
	g->ssn = before + 60000; /* as if a minute of sends had run ahead of the clock */
	n = plain_request(COAP_GET, light, 3, 0, req, sizeof(req));
	cr_expect_eq(code_of(ans, serve(req, (size_t)n, 1, ans, sizeof(ans))),
		     COAP_SERVICE_UNAVAILABLE);
	cr_expect_eq(counted[CTL_C_GSEND_BUSY], 1);
	cr_expect_eq(g->ssn, before + 60000, "no SSN taken");
	g->ssn = before - 1;
	cr_expect_eq(serve(req, (size_t)n, 1, ans, sizeof(ans)), 4);
	cr_expect_eq(g->ssn, before, "one SSN taken");
}

static uint64_t reserved_upto;

static int reserve_in_memory(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t upto)
{
	(void)arg, (void)fp;
	reserved_upto = upto;
	return 0;
}

static bool resume_nothing(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t *upto)
{
	(void)arg, (void)fp;
	*upto = 0;
	return false;
}

/* As the gateway sets it up (dp_ops.c): SSN reservations always exist, but without "state_db"
 * they are in memory only and a crash forgets them, so the clock floor must still apply; with
 * a store it does not, and the send takes its SSN through the reservation. (The merge of the
 * durable group SSNs first keyed the floor on the reservation's presence: never floored.) */
static void send_with_ssn_ops(bool durable)
{
	struct ctl_group_ssn_ops ops = { .reserve = reserve_in_memory, .resume = resume_nothing,
					 .k = 64, .durable = durable };
	struct osc_group *g = &gs.g[0]->g;
	uint8_t req[256], ans[CTL_MSG_MAX];
	uint64_t before = ctl_clock_ms();
	int n;

	ctl_group_send_free(gsend);
	gs.g[0]->ssn_floored = false;
	ctl_groups_set_ssn(&gs, &ops);
	gsend = ctl_group_send_new(&gs, &cfg.group_send);
	cr_assert_not_null(gsend);
	reserved_upto = 0;
	usleep(2000); /* the floor is the clock at set-up: sends go once it has moved on */
	n = plain_request(COAP_GET, light, 3, 0, req, sizeof(req));
	cr_assert_eq(serve(req, (size_t)n, 1, ans, sizeof(ans)), 4, "sent, empty ACK");
	if (durable) {
		cr_expect_eq(g->ssn, 1, "SSN 0 taken: the store keeps what a crash would forget");
	} else {
		cr_expect_geq(g->ssn, before, "floored at the clock although SSNs are reserved");
		cr_expect_leq(g->ssn, ctl_clock_ms(), "and never ahead of it");
	}
	cr_expect_eq(reserved_upto, g->ssn - 1 + 64, "reserved K ahead before the SSN was used");
}

Test(group_send, clock_floor_without_a_store_even_with_reservations)
{
	send_with_ssn_ops(false);
}

Test(group_send, durable_reservation_with_a_store_and_no_floor)
{
	send_with_ssn_ops(true);
}
