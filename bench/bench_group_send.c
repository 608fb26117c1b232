/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sending to a group (control/ctl_group_send.c) on one core, as the control lcore runs it, in the
 * same run as the bare OpenSSL Ed25519 operations it cannot avoid:
 *   send     requester's GET /groups/floor3/light -> members' request protected in group mode
 *            (AEAD + one Ed25519 signature) and handed to the transport (a null platform here)
 *   answers  members' answers to it verified and kept: group mode (Ed25519 verify + AEAD) and
 *            pairwise mode (AEAD only); only the handler's time is counted, the members'
 *            protection is done outside it
 *   bare     EVP_DigestSign / EVP_DigestVerify with Ed25519 over 250 bytes (about the
 *            countersignature's ToBeSigned), a fresh EVP_MD_CTX each, as the sign/verify path does
 * and the ratios handler/bare. The group is group-oscore-vectors.txt B.0's, the gateway member 51.
 * Usage: bench_group_send [seconds per measurement, default 1]
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bn_time.h"
#include "control/ctl_clock.h"
#include "control/ctl_group_send.h"
#include "oscore/osc_coap.h"
#include "tests/control/gw_group_fixture.h"
#include "tests/oscore/group_fixture.h"
#include "tests/oscore/group_vectors.h"

static struct cry_engine *eng;
static struct gfix fx;
static struct osc_group g52;
static struct osc_member m52_51;
static struct ctl_groups gs;
static struct ctl_group_send *gsend;
static uint16_t mid;
static uint8_t last[CTL_MSG_MAX];
static size_t last_len;
static uint64_t counted[CTL_C__COUNT];

static void count(void *plat, enum ctl_ctr c)
{
	(void)plat;
	counted[c]++;
}

static int send_dgram(void *plat, const struct ctl_dgram *d)
{
	(void)plat;
	memcpy(last, d->msg, d->len);
	last_len = d->len;
	return 0;
}

static const struct ctl_platform platform = { .count = count, .send = send_dgram };
static struct ctl_env env = { .ops = &platform, .next_mid = &mid };

/* B.0's group as the gateway (51) has it; 52's own view for its answers. */
static void setup(void)
{
	static const struct ctl_group_send_config cfg = { .enabled = true, .port = 5690,
							  .collect_ms = 1000, .pending = 16 };
	static uint8_t cred52[128];

	if (!(eng = cry_engine_new()) || gfix_init(&fx) ||
	    gfix_other(&g52, &m52_51, "52", V_A_1_ENTITY3_ED25519_PRIVATE, cred52,
		       gfix_hex(V_B_0_CCS_52, cred52, sizeof(cred52))) ||
	    gwfix_groups(&gs) != OSC_GROUP_OK)
		bn_die("bench_group_send", "setup");
	env.e = eng;
	if (!(gsend = ctl_group_send_new(&gs, &cfg)))
		bn_die("bench_group_send", "ctl_group_send_new");
	/* far below the SSN clock floor, which allows 1000 sends per second: this measures faster */
	gs.g[0]->g.ssn = ctl_clock_ms() - 1000000000ull;
}

static int serve(const uint8_t *msg, size_t len)
{
	static uint8_t buf[CTL_MSG_MAX], ans[CTL_MSG_MAX];
	struct ctl_job job = { .kind = CTL_KIND_GROUP_SEND, .msg = buf, .len = len,
			       .peer = { .src = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 7 },
					 .src_port = 40000, .dst_port = 5690 } };

	memcpy(buf, msg, len);
	if (osc_coap_parse(&job.req, buf, len) != OSC_COAP_OK)
		bn_die("bench_group_send", "parse");
	return ctl_group_send_serve(gsend, &env, &job, ans, sizeof(ans));
}

static const uint8_t get_light[] = { 0x50, 0x01, 0x12, 0x34, 0xb6, 'g', 'r', 'o', 'u', 'p', 's',
				     0x06, 'f', 'l', 'o', 'o', 'r', '3', 0x05, 'l', 'i', 'g', 'h',
				     't' };

/* The send path alone: requests per second (collections closed outside the clock). */
static double sends(double secs)
{
	double t = 0, t0;
	unsigned long n = 0;

	while (t < secs) {
		t0 = bn_now_s();
		serve(get_light, sizeof(get_light));
		t += bn_now_s() - t0;
		ctl_group_send_tick(gsend, &env, UINT64_MAX);
		n++;
	}
	if (counted[CTL_C_GSEND_SENT] != n)
		bn_die("bench_group_send", "a send was refused");
	return (double)n / t;
}

/* One member's answer to the request just sent, protected outside the clock. */
static int answer_of(struct osc_group *g, struct osc_member *to51, bool group_mode, uint8_t *out,
		     size_t cap)
{
	uint8_t plain[512], resp[64];
	struct osc_member *m = to51;
	struct osc_group_exchange gex;
	struct osc_coap_msg q, a = { .type = COAP_NON, .code = COAP_CONTENT, .mid = 1,
				     .payload = (const uint8_t *)"on", .payload_len = 2 };
	int n = osc_group_unprotect(eng, &m, 1, NULL, last, last_len, plain, sizeof(plain), &gex);

	if (n < 0 || osc_coap_parse(&q, plain, (size_t)n) != OSC_COAP_OK)
		bn_die("bench_group_send", "members cannot verify");
	a.token = q.token;
	a.tkl = q.tkl;
	n = osc_coap_encode(resp, sizeof(resp), &a);
	return osc_group_protect_response(eng, g, to51, group_mode, &gex, resp, (size_t)n, out, cap,
					  0);
}

/* Answers verified per second on the handler (group_mode: 0a's and 52's, both in that mode). */
static double answers(double secs, bool group_mode)
{
	uint8_t a0a[512], a52[512];
	double t = 0, t0;
	unsigned long n = 0, before = counted[CTL_C_GSEND_ANSWER];
	int n0a, n52;

	while (t < secs) {
		serve(get_light, sizeof(get_light));
		n0a = answer_of(&fx.g0a, &fx.m51, group_mode, a0a, sizeof(a0a));
		n52 = answer_of(&g52, &m52_51, group_mode, a52, sizeof(a52));
		t0 = bn_now_s();
		serve(a0a, (size_t)n0a);
		serve(a52, (size_t)n52); /* the last member: the aggregate leaves too */
		t += bn_now_s() - t0;
		n += 2;
	}
	if (counted[CTL_C_GSEND_ANSWER] - before != n)
		bn_die("bench_group_send", "an answer was refused");
	return (double)n / t;
}

/* Bare OpenSSL Ed25519 over 250 bytes, a fresh EVP_MD_CTX each: signs (verify false) or
 * verifications per second. */
static double bare(double secs, bool verify)
{
	static const uint8_t msg[250];
	static uint8_t sig[64]; /* verify checks the last signature made */
	uint8_t seed[32];
	size_t sl = sizeof(sig);
	EVP_PKEY *k;
	double start = bn_now_s();
	unsigned long n = 0;

	gfix_hex(V_A_1_ENTITY2_ED25519_PRIVATE, seed, sizeof(seed));
	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
	while (k && bn_now_s() - start < secs) {
		EVP_MD_CTX *m = EVP_MD_CTX_new();
		int ok = verify ? EVP_DigestVerifyInit(m, NULL, NULL, NULL, k) > 0 &&
				  EVP_DigestVerify(m, sig, sizeof(sig), msg, sizeof(msg)) == 1 :
				  EVP_DigestSignInit(m, NULL, NULL, NULL, k) > 0 &&
				  EVP_DigestSign(m, sig, &sl, msg, sizeof(msg)) > 0;

		EVP_MD_CTX_free(m);
		if (!ok)
			bn_die("bench_group_send", "bare Ed25519");
		n++;
	}
	EVP_PKEY_free(k);
	return (double)n / (bn_now_s() - start);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0, s, bs, ag, ap, bv;

	if (secs <= 0)
		bn_die("bench_group_send", "usage: bench_group_send [seconds]");
	setup();
	bare(secs / 4, false); /* sig[] of bare(verify) is the last signature made here */
	bs = bare(secs, false);
	bv = bare(secs, true);
	s = sends(secs);
	ag = answers(secs, true);
	ap = answers(secs, false);
	printf("group send, one core (B.0's group, Ed25519, AES-CCM-16-64-128)\n");
	printf("  requests sent (protect + 1 signature)   %9.0f /s   bare Ed25519 sign   %9.0f /s"
	       "   ratio %.2f\n", s, bs, s / bs);
	printf("  answers verified, group mode            %9.0f /s   bare Ed25519 verify %9.0f /s"
	       "   ratio %.2f\n", ag, bv, ag / bv);
	printf("  answers verified, pairwise mode (AEAD)  %9.0f /s   (no signature)     "
	       "               ratio to group mode %.1f\n", ap, ap / ag);
	ctl_group_send_free(gsend);
	ctl_groups_free(&gs);
	osc_member_wipe(&m52_51);
	osc_group_wipe(&g52);
	gfix_free(&fx);
	cry_engine_free(eng);
	return 0;
}
