/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "groups" in the gateway configuration (control/ctl_config_group.c): the group of
 * group-oscore-vectors.txt B.0 configured for member 51 (the gateway) derives what the test
 * fixture derives, a request member 0a protects verifies against it in both modes, and each kind
 * of bad input is refused with the file and the field named.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control/ctl_clock.h"
#include "control/ctl_config.h"
#include "control/ctl_group_serve.h"
#include "control/ctl_group_set.h"
#include "ctl_test_util.h"
#include "../oscore/group_fixture.h"
#include "../oscore/group_vectors.h"
#include "oscore/osc_group_msg.h"

static char dir[256], path[300], err[512];
static struct ctl_config cfg;

static void setup(void)
{
	scratch_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/gw.json", dir);
}

static void teardown(void)
{
	ctl_config_free(&cfg);
	rm_dir(dir);
}

TestSuite(conf_group, .init = setup, .fini = teardown);

#define ALGS "\"group_encryption_alg\": \"AES-CCM-16-64-128\", \"signature_alg\": \"EdDSA\", " \
	"\"aead_alg\": 10, \"pairwise_key_agreement_alg\": -27, "

/* The gateway as member 51 of B.0's group with the algorithms algs; extra is spliced into the
 * group object. */
static int load_algs(const char *algs, const char *extra, const char *members)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\", \"groups\": [{"
		"\"name\": \"floor3\", \"gid\": \"" V_A_1_GROUP_ID "\", "
		"\"master_secret\": \"" V_A_1_MASTER_SECRET "\", "
		"\"master_salt\": \"" V_A_1_MASTER_SALT "\", "
		"%s\"sender_id\": \"51\", \"private_key\": \"" V_A_1_ENTITY2_ED25519_PRIVATE "\", "
		"\"cred\": \"" V_B_0_CCS_51 "\", \"gm_cred\": \"" V_B_0_GM_CRED "\"%s, "
		"\"members\": [%s]}]}",
		algs, extra, members);
	fclose(f);
	err[0] = 0;
	ctl_config_free(&cfg);
	return ctl_config_load(&cfg, path, err, sizeof(err));
}

static int load(const char *extra, const char *members)
{
	return load_algs(ALGS, extra, members);
}

#define GRP(name, gid) "{\"name\": \"" name "\", \"gid\": \"" gid "\", " \
	"\"master_secret\": \"00\", \"sender_id\": \"51\", \"aead_alg\": 10, " \
	"\"pairwise_key_agreement_alg\": -27, " \
	"\"private_key\": \"" V_A_1_ENTITY2_ED25519_PRIVATE "\", " \
	"\"cred\": \"" V_B_0_CCS_51 "\", \"members\": []}"

#define MEMBERS "{\"sender_id\": \"52\", \"cred\": \"" V_B_0_CCS_52 "\"}, " \
		"{\"sender_id\": \"0a\", \"cred\": \"" V_B_0_CCS_0A "\"}"

Test(conf_group, b0_group_derives_as_the_fixture_and_verifies_member_0a)
{
	struct ctl_group *g = NULL;
	struct osc_member *m0a;
	struct cry_engine *e = cry_engine_new();
	struct gfix f;
	int bad_member;

	cr_assert_eq(load("", MEMBERS), 0, "%s", err);
	cr_assert_eq(cfg.groups.n, 1);
	cr_assert_eq(cfg.groups.g[0].n_members, 2);
	cr_expect_eq(cfg.groups.g[0].members[0].id[0], 0x0a, "sorted by Sender ID");
	cr_assert_eq(ctl_group_build(&g, &cfg.groups.g[0], &bad_member), OSC_GROUP_OK);
	cr_assert_eq(gfix_init(&f), 0);
	cr_expect_arr_eq(g->g.sekey, f.g51.sekey, f.g51.sekey_len);
	cr_expect_arr_eq(g->g.common_iv, f.g51.common_iv, f.g51.iv_len);
	cr_expect_arr_eq(g->g.sender_key_raw, f.g51.sender_key_raw, f.g51.key_len);
	cr_expect_null(ctl_group_member(g, (const uint8_t *)"\x51", 1), "not our own ID");
	cr_expect_null(ctl_group_member(g, (const uint8_t *)"\x0a\x00", 2));
	m0a = ctl_group_member(g, (const uint8_t *)"\x0a", 1);
	cr_assert_not_null(m0a);
	cr_assert_not_null(ctl_group_member(g, (const uint8_t *)"\x52", 1));
	for (int mode = 0; mode < 2; mode++) {
		uint8_t in[64], prot[512], out[512];
		struct osc_group_exchange ex;
		size_t n = gfix_hex("410100034bb3747631", in, sizeof(in));
		int len = osc_group_protect_request(e, &f.g0a, mode ? &f.m51 : NULL, in, n, prot,
						    sizeof(prot), &ex);

		cr_assert_gt(len, 0);
		cr_expect_eq(osc_group_unprotect(e, &m0a, 1, NULL, prot, (size_t)len, out,
						 sizeof(out), NULL), (int)n, "mode %d", mode);
		cr_expect_arr_eq(out, in, n);
	}
	gfix_free(&f);
	ctl_group_free(g);
	cry_engine_free(e);
}

/* Each bad group names the file and the field; no secret appears. */
static void refused_algs(const char *algs, const char *extra, const char *members,
			 const char *field, const char *why)
{
	char want[400];

	cr_assert_eq(load_algs(algs, extra, members), -1, "accepted: %s%s", algs, extra);
	snprintf(want, sizeof(want), "%s: %s", path, field);
	cr_expect_not_null(strstr(err, want), "'%s' lacks '%s'", err, want);
	cr_expect_not_null(strstr(err, why), "'%s' lacks '%s'", err, why);
	cr_expect_null(strstr(err, V_A_1_MASTER_SECRET));
	cr_expect_null(strstr(err, V_A_1_ENTITY2_ED25519_PRIVATE));
}

static void refused(const char *extra, const char *members, const char *field, const char *why)
{
	refused_algs(ALGS, extra, members, field, why);
}

Test(conf_group, bad_groups_are_refused_naming_file_and_field)
{
	refused(", \"colour\": 1", MEMBERS, "groups[0].colour", "unknown key");
	refused_algs("\"group_encryption_alg\": 10, \"signature_alg\": \"RS256\", ", "", MEMBERS,
		     "groups[0].signature_alg", "EdDSA");
	refused_algs("\"aead_alg\": 10, \"pairwise_key_agreement_alg\": -99, ", "", MEMBERS,
		     "groups[0].pairwise_key_agreement_alg", "ECDH-SS-HKDF-256");
	refused_algs("\"group_encryption_alg\": 10, ", "", MEMBERS, "groups[0]", "algorithm");
	refused(", \"responses\": \"both\"", MEMBERS, "groups[0].responses", "pairwise");
	refused(", \"replay_window\": 0", MEMBERS, "groups[0].replay_window", "1..");
	refused("", MEMBERS ", {\"sender_id\": \"0a\", \"cred\": \"" V_B_0_CCS_0A "\"}",
		"groups[0].members", "two members");
	refused("", "{\"sender_id\": \"51\", \"cred\": \"" V_B_0_CCS_0A "\"}",
		"groups[0].members", "equal to our own");
	refused("", "{\"sender_id\": \"0a\", \"cred\": \"a1080a\"}", "groups[0].members[0].cred",
		"not a CCS");
	refused("", "{\"sender_id\": \"0a\", \"cred\": \"a108a101a4\"}",
		"groups[0].members[0].cred", "not a CCS");
	refused("", "{\"sender_id\": \"0a\"}", "groups[0].members[0]", "expected");
	refused("", "{\"sender_id\": \"0g\", \"cred\": \"" V_B_0_CCS_0A "\"}",
		"groups[0].members[0].sender_id", "hex");
}

/* A context whose ID Context is the group's Gid would be shadowed by the group path. */
Test(conf_group, gid_equal_to_a_contexts_id_context_is_refused)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\", \"contexts\": [{"
		"\"master_secret\": \"00\", \"sender_id\": \"01\", \"recipient_id\": \"02\", "
		"\"id_context\": \"dd11\"}], \"groups\": [" GRP("a", "dd11") "]}");
	fclose(f);
	cr_expect_eq(ctl_config_load(&cfg, path, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "groups[0].gid: also the id_context of contexts[0]"), "%s",
			   err);
}

Test(conf_group, own_key_pair_must_match_and_ed25519_goes_with_eddsa)
{
	FILE *f;

	/* the private key of 0a with the credential of 51 */
	cr_assert_eq(load("", MEMBERS), 0, "%s", err);
	ctl_config_free(&cfg);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\", \"groups\": [{\"name\": \"g\", "
		"\"gid\": \"dd11\", \"master_secret\": \"00\", \"sender_id\": \"51\", "
		"\"group_encryption_alg\": 10, \"signature_alg\": \"EdDSA\", "
		"\"private_key\": \"" V_A_1_ENTITY1_ED25519_PRIVATE "\", "
		"\"cred\": \"" V_B_0_CCS_51 "\", \"members\": []}]}");
	fclose(f);
	cr_expect_eq(ctl_config_load(&cfg, path, err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "groups[0].private_key: not the private key"), "%s", err);
	refused_algs("\"group_encryption_alg\": 10, \"signature_alg\": \"ES256\", ", "", MEMBERS,
		     "groups[0]", "algorithm");
}

static int load_two(const char *groups)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\", \"groups\": [%s]}", groups);
	fclose(f);
	ctl_config_free(&cfg);
	return ctl_config_load(&cfg, path, err, sizeof(err));
}

Test(conf_group, two_groups_with_one_gid_or_name_are_refused)
{
	cr_expect_eq(load_two(GRP("a", "01") ", " GRP("b", "01")), -1);
	cr_expect_not_null(strstr(err, "groups[1]: gid also used by groups[0]"), "%s", err);
	cr_expect_eq(load_two(GRP("a", "01") ", " GRP("a", "02")), -1);
	cr_expect_not_null(strstr(err, "groups[1]: name also used by groups[0]"), "%s", err);
	cr_expect_eq(load_two(GRP("a", "01") ", " GRP("b", "02")), 0, "%s", err);
	cr_expect_eq(cfg.groups.n, 2);
	cr_expect_null(cfg.groups.g[0].p.group_enc, "pairwise only");
}

/* --- the receiving side: stage a as a worker runs it, stage b in ctl_group_serve --- */

static struct ctl_groups gs;
static struct cry_engine *eng;
static struct gfix fx;
static uint64_t counted[CTL_C__COUNT];
static uint16_t mid = 0x4000;

static void count(void *plat, enum ctl_ctr c)
{
	(void)plat;
	counted[c]++;
}

static const struct ctl_platform platform = { .count = count };
static struct ctl_env env = { .ops = &platform, .next_mid = &mid };
static struct ctl_plane *plane;

static void serve_setup(void)
{
	setup();
	cr_assert_eq(load("", MEMBERS), 0, "%s", err);
	cr_assert_eq(ctl_groups_build(&gs, &cfg.groups, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(gfix_init(&fx), 0);
	eng = cry_engine_new();
	env.e = eng;
	plane = ctl_plane_new();
	cr_assert_eq(ctl_plane_on_kind(plane, CTL_KIND_GROUP, ctl_group_serve, &gs), 0);
	memset(counted, 0, sizeof(counted));
}

static void serve_teardown(void)
{
	ctl_plane_free(plane);
	cry_engine_free(eng);
	gfix_free(&fx);
	ctl_groups_free(&gs);
	teardown();
}

/* Member 0a protects CON GET /tv1 in group mode (pairwise: towards the gateway, 51). */
static int request(bool pairwise, uint8_t *out, size_t cap, struct osc_group_exchange *ex)
{
	uint8_t in[64];
	size_t n = gfix_hex("410100034bb3747631", in, sizeof(in));

	return osc_group_protect_request(eng, &fx.g0a, pairwise ? &fx.m51 : NULL, in, n, out, cap,
					 ex);
}

static uint8_t jobbuf[2 * OSC_MSG_MAX];

/* Stage a on msg[0..len) as the worker runs it; the job for the control plane in *job.
 * Returns the stage's enum osc_err. */
static int stage_a(const uint8_t *msg, size_t len, struct ctl_job *job)
{
	static uint8_t pbuf[OSC_PLAIN_HEADROOM + OSC_MSG_MAX];
	struct osc_grx r = { .rx = { .plain = pbuf, .plain_cap = sizeof(pbuf) } };
	struct ctl_group_handle h;
	struct osc_member *m;

	if (osc_group_rx_parse(&r, msg, len, true) != OSC_OK)
		return r.rx.err;
	m = ctl_groups_find(&gs, &r.rx.opt, &h);
	if (!m)
		return OSC_ERR_NO_CONTEXT;
	if (osc_group_rx_prepare(&r, m, NULL) != OSC_OK)
		return r.rx.err;
	cry_aead_batch(eng, &r.rx.op, 1);
	if (osc_group_rx_aead(&r) != OSC_OK)
		return r.rx.err;
	memcpy(jobbuf, msg, len);
	memcpy(jobbuf + len, r.rx.op.out, r.rx.op.len);
	*job = (struct ctl_job){ .kind = CTL_KIND_GROUP, .member = h, .plain_off = (uint16_t)len,
				 .msg = jobbuf, .len = len + r.rx.op.len };
	return OSC_OK;
}

static int serve(struct ctl_job *job, uint8_t *ans, size_t cap)
{
	return ctl_plane_serve(plane, &env, job, ans, cap);
}

/* The answer verifies as member 0a's, in group mode, with 2.05 inside. */
static void answer_verifies(const uint8_t *ans, int n, const struct osc_group_exchange *ex)
{
	uint8_t out[512];
	struct osc_member *m51 = &fx.m51;
	int len;

	cr_assert_gt(n, 0);
	len = osc_group_unprotect(eng, &m51, 1, ex, ans, (size_t)n, out, sizeof(out), NULL);
	cr_assert_gt(len, 1, "answer refused: %d", len);
	cr_expect_eq(out[1], COAP_CONTENT);
}

TestSuite(group_serve, .init = serve_setup, .fini = serve_teardown);

Test(group_serve, group_mode_request_is_verified_on_the_control_plane_and_answered)
{
	uint8_t msg[512], ans[CTL_MSG_MAX];
	struct osc_group_exchange ex;
	struct ctl_job job;
	int len = request(false, msg, sizeof(msg), &ex);

	cr_assert_gt(len, 0);
	cr_assert_eq(stage_a(msg, (size_t)len, &job), OSC_OK);
	answer_verifies(ans, serve(&job, ans, sizeof(ans)), &ex);
	cr_expect_eq(counted[CTL_C_GROUP_VERIFIED], 1);
	/* the same request again: the worker's replay check refuses it now */
	cr_expect_eq(stage_a(msg, (size_t)len, &job), OSC_ERR_REPLAY);
}

Test(group_serve, a_copy_handed_over_twice_is_answered_once)
{
	uint8_t msg[512], ans[CTL_MSG_MAX];
	struct osc_group_exchange ex;
	struct ctl_job job;
	int len = request(false, msg, sizeof(msg), &ex);

	cr_assert_eq(stage_a(msg, (size_t)len, &job), OSC_OK);
	cr_assert_gt(serve(&job, ans, sizeof(ans)), 0);
	cr_expect_eq(serve(&job, ans, sizeof(ans)), 0, "the window was committed by the first");
	cr_expect_eq(counted[CTL_C_GROUP_REFUSED], 1);
}

Test(group_serve, bad_signature_is_refused_and_leaves_the_window_untouched)
{
	uint8_t msg[512], bad[512], ans[CTL_MSG_MAX];
	struct osc_group_exchange ex;
	struct ctl_job job;
	int len = request(false, msg, sizeof(msg), &ex);

	cr_assert_gt(len, 0);
	memcpy(bad, msg, (size_t)len);
	bad[len - 1] ^= 0x01; /* the encrypted countersignature's last byte: the AEAD still passes */
	cr_assert_eq(stage_a(bad, (size_t)len, &job), OSC_OK);
	cr_expect_eq(serve(&job, ans, sizeof(ans)), 0, "no answer: it may have been multicast");
	cr_expect_eq(counted[CTL_C_GROUP_SIGNATURE], 1);
	/* the same Partial IV with the good signature afterwards is accepted */
	cr_assert_eq(stage_a(msg, (size_t)len, &job), OSC_OK);
	answer_verifies(ans, serve(&job, ans, sizeof(ans)), &ex);
	cr_expect_eq(counted[CTL_C_GROUP_VERIFIED], 1);
}

Test(group_serve, stale_handle_is_refused)
{
	uint8_t msg[512], ans[CTL_MSG_MAX];
	struct osc_group_exchange ex;
	struct ctl_job job;
	int len = request(false, msg, sizeof(msg), &ex);

	cr_assert_eq(stage_a(msg, (size_t)len, &job), OSC_OK);
	job.member.gen++;
	cr_expect_eq(serve(&job, ans, sizeof(ans)), 0);
	cr_expect_eq(counted[CTL_C_GROUP_REFUSED], 1);
}

/* Pairwise mode: the worker's stage a does not commit (a request it then cannot hand over must
 * stay acceptable: its CON retransmission comes back), the control lcore does, once. */
Test(group_serve, pairwise_request_is_committed_on_the_control_plane_once)
{
	uint8_t msg[512], ans[CTL_MSG_MAX];
	struct osc_group_exchange ex;
	struct ctl_job job;
	int len = request(true, msg, sizeof(msg), &ex);

	cr_assert_eq(stage_a(msg, (size_t)len, &job), OSC_OK, "pairwise: stage a on the worker");
	cr_assert_eq(stage_a(msg, (size_t)len, &job), OSC_OK, "stage a commits nothing");
	answer_verifies(ans, serve(&job, ans, sizeof(ans)), &ex);
	cr_expect_eq(serve(&job, ans, sizeof(ans)), 0, "the window was committed by the first");
	cr_expect_eq(counted[CTL_C_GROUP_VERIFIED], 1);
	cr_expect_eq(counted[CTL_C_GROUP_REFUSED], 1);
	cr_expect_eq(stage_a(msg, (size_t)len, &job), OSC_ERR_REPLAY);
}

static int reserve_in_memory(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t upto)
{
	(void)arg, (void)fp, (void)upto;
	return 0;
}

static bool resume_forgotten(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t *upto)
{
	(void)arg, (void)fp;
	*upto = 0; /* what a crash leaves of reservations kept in memory */
	return false;
}

/* As the gateway starts without "state_db": answers with its own Partial IV (§7.3,
 * "response_piv": "own"), SSNs reserved in memory only. */
static void start_without_store(void)
{
	struct ctl_group_ssn_ops ops = { .reserve = reserve_in_memory, .resume = resume_forgotten,
					 .k = 16, .own_piv = true, .durable = false };

	ctl_groups_set_ssn(&gs, &ops);
}

/* Member 0a's next request served. Returns the answer's length (0: none). */
static int own_piv_answer(uint8_t *ans, size_t cap)
{
	uint8_t msg[512];
	struct osc_group_exchange ex;
	struct ctl_job job;
	int len = request(false, msg, sizeof(msg), &ex);

	cr_assert_eq(stage_a(msg, (size_t)len, &job), OSC_OK);
	return serve(&job, ans, cap);
}

/* Without a store a crash forgets the group's SSN: an own-Partial-IV answer after the restart
 * must still take an SSN above every one used before (the clock floor, ctl_clock.h), and no SSN
 * at or above the clock is ever used. (Before the floor covered answers, both runs used SSN 0.) */
Test(group_serve, own_piv_answers_repeat_no_ssn_across_a_restart_without_a_store)
{
	uint8_t ans[CTL_MSG_MAX];
	uint64_t first, second, ahead;

	start_without_store();
	usleep(2000); /* the floor is the clock at start: SSNs go once the clock has passed it */
	cr_assert_gt(own_piv_answer(ans, sizeof(ans)), 0);
	first = gs.g[0]->g.ssn - 1;
	cr_expect_lt(first, ctl_clock_ms(), "an SSN at or above the clock");
	ctl_groups_free(&gs); /* a crash, and a restart */
	cr_assert_eq(ctl_groups_build(&gs, &cfg.groups, err, sizeof(err)), 0, "%s", err);
	start_without_store();
	usleep(2000);
	cr_assert_gt(own_piv_answer(ans, sizeof(ans)), 0);
	second = gs.g[0]->g.ssn - 1;
	cr_expect_gt(second, first, "SSN %llu used again after the restart",
		     (unsigned long long)second);
	/* an SSN that ran ahead of the clock is not used: no answer, counted */
	ahead = ctl_clock_ms() + 60000;
	gs.g[0]->g.ssn = ahead;
	cr_expect_eq(own_piv_answer(ans, sizeof(ans)), 0);
	cr_expect_eq(counted[CTL_C_GROUP_ANSWER_FAILED], 1);
	cr_expect_eq(gs.g[0]->g.ssn, ahead, "no SSN taken");
}

/* Lookup by (Gid, kid): unknown kid, our own Sender ID and a wrong Gid name no member. */
Test(group_serve, lookup_by_gid_then_kid)
{
	struct osc_option o = { .has_kid = true, .has_kid_ctx = true, .kid_len = 1,
				.kid_ctx_len = 2 };
	struct ctl_group_handle h;
	uint8_t kid = 0x0a, gid[2] = { 0xdd, 0x11 };

	o.kid = &kid;
	o.kid_ctx = gid;
	cr_expect_not_null(ctl_groups_find(&gs, &o, &h));
	cr_expect_eq(h.gen, 1);
	kid = 0x99;
	cr_expect_null(ctl_groups_find(&gs, &o, &h), "unknown kid");
	kid = 0x51;
	cr_expect_null(ctl_groups_find(&gs, &o, &h), "our own Sender ID");
	cr_expect(ctl_groups_own_kid(&gs, &o));
	kid = 0x0a;
	gid[1] = 0x12;
	cr_expect_null(ctl_groups_find(&gs, &o, &h), "wrong Gid");
	cr_expect_not(ctl_groups_has_gid(&gs, &o));
	cr_expect_not(ctl_groups_own_kid(&gs, &o));
}

/* "responses": "pairwise": a group-mode request is answered in pairwise mode (§7.3 allows it),
 * which 0a verifies with its pairwise keys; the default answers in group mode. */
Test(group_serve, responses_pairwise_answers_group_requests_in_pairwise_mode)
{
	static uint8_t pbuf[OSC_PLAIN_HEADROOM + OSC_MSG_MAX];
	uint8_t msg[512], ans[CTL_MSG_MAX];
	struct osc_grx r = { .rx = { .plain = pbuf, .plain_cap = sizeof(pbuf) } };
	struct osc_group_exchange ex;
	struct ctl_job job;
	int len, n;

	for (int pw = 0; pw < 2; pw++) {
		ctl_groups_free(&gs);
		cr_assert_eq(load(pw ? ", \"responses\": \"pairwise\"" : "", MEMBERS), 0, "%s", err);
		cr_assert_eq(ctl_groups_build(&gs, &cfg.groups, err, sizeof(err)), 0, "%s", err);
		len = request(false, msg, sizeof(msg), &ex);
		cr_assert_eq(stage_a(msg, (size_t)len, &job), OSC_OK);
		n = serve(&job, ans, sizeof(ans));
		answer_verifies(ans, n, &ex);
		cr_assert_eq(osc_group_rx_parse(&r, ans, (size_t)n, false), OSC_OK);
		cr_expect_eq(r.group_mode, !pw, "answer in %s mode", pw ? "pairwise" : "group");
	}
}

/* Runtime changes of the group set (ctl_group_set.h): B.0's group under other names, Gids and
 * Master Secrets, as a Group Manager would hand them out and rekey them. */
#define GRPM(name, gid, secret) "{\"name\": \"" name "\", \"gid\": \"" gid "\", " \
	"\"master_secret\": \"" secret "\", \"sender_id\": \"51\", " ALGS \
	"\"private_key\": \"" V_A_1_ENTITY2_ED25519_PRIVATE "\", " \
	"\"cred\": \"" V_B_0_CCS_51 "\", \"members\": [" MEMBERS "]}"

static struct ctl_group *from_json(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);
	struct ctl_group *g = NULL;

	cr_assert_not_null(v);
	cr_assert_eq(ctl_group_from_json(v, 32, &g, err, sizeof(err)), 0, "%s", err);
	json_decref(v);
	return g;
}

/* The member 0a of the group with Gid gid[0..2), or NULL; its handle in *h. */
static struct osc_member *member_0a(const struct ctl_groups *s, uint8_t g0, uint8_t g1,
				    struct ctl_group_handle *h)
{
	uint8_t kid = 0x0a, gid[2] = { g0, g1 };
	struct osc_option o = { .has_kid = true, .has_kid_ctx = true, .kid_len = 1,
				.kid_ctx_len = 2, .kid = &kid, .kid_ctx = gid };

	return ctl_groups_find(s, &o, h);
}

Test(group_set, rekey_replaces_the_group_atomically_and_stales_old_handles)
{
	static struct ctl_groups s;
	struct ctl_groups_config none = { 0 };
	struct ctl_group *old = NULL, *g2;
	struct ctl_group_handle h1, h2;
	struct ctl_group *grp;
	uint8_t gid1[2] = { 0x01, 0x01 }, gid2[2] = { 0x02, 0x02 };

	cr_assert_eq(ctl_groups_build(&s, &none, err, sizeof(err)), 0);
	cr_expect_not(ctl_groups_active(&s));
	cr_assert_eq(ctl_groups_add(&s, from_json(GRPM("a", "0101", "00")), err, sizeof(err)), 0);
	cr_expect(ctl_groups_active(&s));
	cr_assert_not_null(member_0a(&s, 0x01, 0x01, &h1));
	g2 = from_json(GRPM("a", "0202", "01"));
	cr_assert_eq(ctl_groups_replace(&s, gid1, 2, g2, &old, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(old);
	cr_expect_null(ctl_groups_member(&s, h1, &grp), "a job of the old group is stale");
	cr_expect_null(member_0a(&s, 0x01, 0x01, &h2), "the old Gid is gone");
	cr_assert_not_null(member_0a(&s, 0x02, 0x02, &h2), "the new Gid is there");
	cr_expect_eq(h2.group, h1.group, "same slot");
	cr_expect_neq(h2.gen, h1.gen, "new generation");
	cr_expect_eq(ctl_groups_member(&s, h2, &grp), &g2->m[h2.member]);
	ctl_group_free(old);
	cr_expect_eq(ctl_groups_replace(&s, gid1, 2, g2, &old, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "no such group");
	cr_expect_eq(ctl_groups_remove(&s, gid2, 2, &old), 0);
	cr_expect_not(ctl_groups_active(&s));
	cr_expect_null(ctl_groups_member(&s, h2, &grp));
	ctl_group_free(old);
	ctl_groups_free(&s);
}

Test(group_set, add_refuses_a_present_name_or_gid)
{
	static struct ctl_groups s;
	struct ctl_groups_config none = { 0 };
	struct ctl_group *g;

	cr_assert_eq(ctl_groups_build(&s, &none, err, sizeof(err)), 0);
	cr_assert_eq(ctl_groups_add(&s, from_json(GRPM("a", "0101", "00")), err, sizeof(err)), 0);
	g = from_json(GRPM("b", "0101", "01"));
	cr_expect_eq(ctl_groups_add(&s, g, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "a group with this gid is present");
	ctl_group_free(g);
	g = from_json(GRPM("a", "0202", "01"));
	cr_expect_eq(ctl_groups_add(&s, g, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "a group with this name is present");
	ctl_group_free(g);
	ctl_groups_free(&s);
}

/* A store of SSN bounds by fingerprint, in memory (the gateway's is ctl_tomb's). */
static struct {
	uint8_t fp[4][CTL_FP_LEN];
	uint64_t upto[4];
	unsigned n;
} bounds;

static int fake_reserve(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t upto)
{
	(void)arg;
	for (unsigned i = 0; i < bounds.n; i++)
		if (!memcmp(bounds.fp[i], fp, CTL_FP_LEN)) {
			bounds.upto[i] = upto > bounds.upto[i] ? upto : bounds.upto[i];
			return 0;
		}
	cr_assert_lt(bounds.n, 4);
	memcpy(bounds.fp[bounds.n], fp, CTL_FP_LEN);
	bounds.upto[bounds.n++] = upto;
	return 0;
}

static bool fake_resume(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t *upto)
{
	(void)arg;
	for (unsigned i = 0; i < bounds.n; i++)
		if (!memcmp(bounds.fp[i], fp, CTL_FP_LEN)) {
			*upto = bounds.upto[i];
			return true;
		}
	return false;
}

Test(group_set, used_keying_material_is_refused_and_ssns_resume_above_their_bound)
{
	static struct ctl_groups s;
	struct ctl_groups_config none = { 0 };
	struct ctl_group_ssn_ops ops = { .reserve = fake_reserve, .resume = fake_resume, .k = 16 };
	struct ctl_group *g, *old = NULL;
	uint8_t gid1[2] = { 0x01, 0x01 };

	memset(&bounds, 0, sizeof(bounds));
	cr_assert_eq(ctl_groups_build(&s, &none, err, sizeof(err)), 0);
	ctl_groups_set_ssn(&s, &ops);
	g = from_json(GRPM("a", "0101", "00"));
	cr_assert_eq(ctl_groups_add(&s, g, err, sizeof(err)), 0);
	cr_expect_eq(g->g.ssn_limit, 0, "nothing may be used before a reservation");
	g->g.ssn = 40; /* as if 40 SSNs had been used */
	g->g.ssn_limit = 48;
	cr_assert_eq(ctl_groups_remove(&s, gid1, 2, &old), 0);
	ctl_group_free(old);
	g = from_json(GRPM("a", "0101", "00"));
	cr_expect_eq(ctl_groups_add(&s, g, err, sizeof(err)), -1, "the same material again");
	cr_expect(strstr(err, "used before") != NULL, "%s", err);
	cr_expect_eq(g->g.ssn, 48, "above what the old group may have used");
	ctl_group_free(g);
	g = from_json(GRPM("a", "0101", "01"));
	cr_expect_eq(ctl_groups_add(&s, g, err, sizeof(err)), 0, "new material: %s", err);
	ctl_groups_free(&s);
}
