/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /authz-info processing rate on one core, per token protection: parse the payload, verify the
 * token (COSE and claims), build the OSCORE parameters, derive the context, encode the 2.01
 * answer. What the control lcore does per POST. Prints tokens per second and the ratio of each
 * protection to Encrypt0 measured in the same run.
 * Then the worker's scope check (ctl_ace_scope_check) against parsing the same CoAP request
 * (osc_coap_parse, which the worker does for every request anyway), in the same run.
 *
 *   bench_ace [SECONDS_PER_CASE]   (default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bn_time.h"
#include "control/ace/ctl_ace.h"
#include "crypto/cry_cbor.h"
#include "crypto/cry_cose.h"
#include "crypto/cry_hkdf.h"

/* A claims set as the RFC 9203 §3.2 example, with an AIF scope. */
static int claims(uint8_t *out, size_t cap)
{
	static const uint8_t ms[16] = { 0xf9, 0xaf, 0x83, 0x83 }, aif[] = {
		0x82, 0x82, 0x67, '/', 's', '/', 't', 'e', 'm', 'p', 0x01,
		0x82, 0x66, '/', 'a', '/', 'l', 'e', 'd', 0x05 };
	struct cry_cbor_buf b;

	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, 5);
	cry_cbor_int(&b, CTL_ACE_C_ISS);
	cry_cbor_tstr(&b, "coap://as.example.com");
	cry_cbor_int(&b, CTL_ACE_C_AUD);
	cry_cbor_tstr(&b, "coap://gw.example");
	cry_cbor_int(&b, CTL_ACE_C_EXP);
	cry_cbor_int(&b, 4000000000);
	cry_cbor_int(&b, CTL_ACE_C_SCOPE);
	cry_cbor_bstr(&b, aif, sizeof(aif));
	cry_cbor_int(&b, CTL_ACE_C_CNF);
	cry_cbor_head(&b, CRY_CBOR_MAP, 1);
	cry_cbor_int(&b, CTL_ACE_CNF_OSC);
	cry_cbor_head(&b, CRY_CBOR_MAP, 2);
	cry_cbor_int(&b, CTL_ACE_OSC_ID);
	cry_cbor_bstr(&b, (const uint8_t *)"\x01", 1);
	cry_cbor_int(&b, CTL_ACE_OSC_MS);
	cry_cbor_bstr(&b, ms, sizeof(ms));
	return cry_cbor_done(&b);
}

/* The /authz-info payload {1: token, 40: N1, 43: ID1} with a token from AS i of c. */
static size_t payload(const struct ctl_ace_conf *c, unsigned i, struct cry_pkey *sk,
		      uint8_t *out, size_t cap)
{
	static const uint8_t iv[13] = { 1 }, n1[8] = { 2 };
	uint8_t cl[256], tok[512];
	int n = claims(cl, sizeof(cl)), t;
	struct cry_cose_params p = { .alg = c->as[i].alg, .iv = iv, .iv_len = 13 };
	struct cry_cbor_buf b;

	if (c->as[i].type == CRY_COSE_ENCRYPT0)
		t = cry_cose_encrypt0_seal(&p, c->as[i].key, c->as[i].key_len, cl, (size_t)n, tok,
					   sizeof(tok));
	else if (c->as[i].type == CRY_COSE_MAC0)
		t = cry_cose_mac0_create(&p, c->as[i].key, c->as[i].key_len, cl, (size_t)n, tok,
					 sizeof(tok));
	else
		t = cry_cose_sign1_create(&p, sk, cl, (size_t)n, tok, sizeof(tok));
	if (t <= 0)
		abort();
	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, 3);
	cry_cbor_int(&b, CTL_ACE_P_ACCESS_TOKEN);
	cry_cbor_bstr(&b, tok, (size_t)t);
	cry_cbor_int(&b, CTL_ACE_P_NONCE1);
	cry_cbor_bstr(&b, n1, sizeof(n1));
	cry_cbor_int(&b, CTL_ACE_P_CLIENT_RID);
	cry_cbor_bstr(&b, (const uint8_t *)"\x16", 1);
	return (size_t)cry_cbor_done(&b);
}

/* One POST as the control lcore handles it. */
static void one_post(const struct ctl_ace_conf *c, const uint8_t *pl, size_t len)
{
	static const uint8_t n2[8] = { 3 }, id2[1] = { 0x20 };
	struct ctl_ace_authz_req r;
	struct ctl_ace_token t;
	struct osc_params p;
	struct osc_ctx ctx;
	uint8_t ans[32];

	if (ctl_ace_authz_parse(pl, len, &r) != CTL_ACE_OK ||
	    ctl_ace_token_verify(c, NULL, r.token, r.token_len, 1700000000, false, &t) !=
		    CTL_ACE_OK ||
	    ctl_ace_osc_params(&t, r.n1, r.n1_len, n2, 8, r.id1, r.id1_len, id2, 1, false, &p) ||
	    osc_ctx_derive(&ctx, &p) != OSC_CTX_OK ||
	    ctl_ace_authz_response(n2, 8, id2, 1, ans, sizeof(ans)) <= 0)
		abort();
	osc_ctx_wipe(&ctx);
	ctl_ace_token_wipe(&t);
	ctl_ace_authz_req_free(&r);
}

/* Calls per second of fn over secs. */
static double rate_of(void (*fn)(void *), void *arg, double secs)
{
	double t0 = bn_now_s(), t1;
	unsigned long n = 0;

	do {
		for (int k = 0; k < 1024; k++)
			fn(arg);
		n += 1024;
		t1 = bn_now_s();
	} while (t1 - t0 < secs);
	return (double)n / (t1 - t0);
}

/* GET /a/b/sensor7?unit=C, confirmable, token 4 bytes */
static const uint8_t request[] = { 0x44, 0x01, 0x12, 0x34, 1, 2, 3, 4, 0xb1, 'a', 0x01, 'b',
				   0x07, 's', 'e', 'n', 's', 'o', 'r', '7', 0x46, 'u', 'n', 'i',
				   't', '=', 'C' };
static struct osc_coap_msg parsed;
static volatile unsigned sink;

static void do_parse(void *arg)
{
	(void)arg;
	sink += (unsigned)osc_coap_parse(&parsed, request, sizeof(request)) + parsed.n_opts;
}

static void do_check(void *arg)
{
	sink += (unsigned)ctl_ace_scope_check(arg, &parsed);
}

static void scope_bench(double secs)
{
	static struct ctl_ace_scope small, full;
	char lp[32];
	double parse, hit, miss;

	ctl_ace_scope_init(&small);
	ctl_ace_scope_add(&small, "/s/temp", 7, 1);
	ctl_ace_scope_add(&small, "/a/led", 6, 5);
	ctl_ace_scope_add(&small, "/a/b/sensor7?unit=C", 19, 1);
	ctl_ace_scope_init(&full);
	for (unsigned i = 0; i < CTL_ACE_SCOPE_ENTRIES; i++)
		ctl_ace_scope_add(&full, lp, (size_t)snprintf(lp, sizeof(lp), "/a/b/sensor%u", i + 10),
				  1);
	if (osc_coap_parse(&parsed, request, sizeof(request)) != 0 ||
	    ctl_ace_scope_check(&small, &parsed) != CTL_ACE_ALLOW ||
	    ctl_ace_scope_check(&full, &parsed) != CTL_ACE_DENY_RESOURCE)
		abort();
	parse = rate_of(do_parse, NULL, secs);
	hit = rate_of(do_check, &small, secs);
	miss = rate_of(do_check, &full, secs);
	printf("worker scope check, same run (ratio = check time / CoAP parse time):\n");
	printf("  %-40s %11.0f /s\n", "osc_coap_parse of the request", parse);
	printf("  %-40s %11.0f /s  %5.2fx parse\n", "3 entries, allowed (last entry)", hit,
	       parse / hit);
	printf("  %-40s %11.0f /s  %5.2fx parse\n", "32 entries, none matches", miss,
	       parse / miss);
}

int main(int argc, char **argv)
{
	static const char *names[] = { "Encrypt0 AES-CCM-16-64-128", "Mac0 HMAC 256/64",
				       "Sign1 ES256", "Sign1 EdDSA" };
	double secs = argc > 1 ? atof(argv[1]) : 1.0, rate[4];
	struct ctl_ace_conf c = { .n_as = 4, .n_audience = 1 };
	struct cry_pkey *sk[4] = { NULL };
	uint8_t x[32], y[32];

	strcpy(c.audience[0], "coap://gw.example");
	c.as[0] = (struct ctl_ace_as){ .alg = 10, .type = CRY_COSE_ENCRYPT0, .key_len = 16 };
	c.as[1] = (struct ctl_ace_as){ .alg = 4, .type = CRY_COSE_MAC0, .key_len = 32 };
	c.as[2] = (struct ctl_ace_as){ .alg = CRY_SIG_ES256, .type = CRY_COSE_SIGN1 };
	c.as[3] = (struct ctl_ace_as){ .alg = CRY_SIG_EDDSA, .type = CRY_COSE_SIGN1 };
	for (unsigned i = 2; i < 4; i++) {
		int crv = i == 2 ? CRY_CRV_P256 : CRY_CRV_ED25519;
		struct cry_coords co = { .crv = crv, .x = x, .x_len = 32,
					 .y = crv == CRY_CRV_P256 ? y : NULL, .y_len = 32 };

		if (cry_pkey_generate(&sk[i], crv) || cry_pkey_export_public(sk[i], x, y) ||
		    cry_pkey_from_coords(&c.as[i].pkey, &co))
			abort();
	}
	printf("/authz-info on one core (parse, verify, derive, answer), %.1f s per case\n", secs);
	for (unsigned i = 0; i < 4; i++) {
		uint8_t pl[768];
		/* only AS i is configured, as a gateway with one AS would be */
		struct ctl_ace_conf one = c;
		size_t len = payload(&c, i, sk[i], pl, sizeof(pl));
		double t0 = bn_now_s(), t1;
		unsigned long n = 0;

		one.as[0] = c.as[i];
		one.n_as = 1;
		do {
			for (int k = 0; k < 64; k++)
				one_post(&one, pl, len);
			n += 64;
			t1 = bn_now_s();
		} while (t1 - t0 < secs);
		rate[i] = (double)n / (t1 - t0);
		printf("  %-28s %9.0f tokens/s  %5.2fx Encrypt0\n", names[i], rate[i],
		       rate[i] / rate[0]);
	}
	for (unsigned i = 2; i < 4; i++) {
		cry_pkey_free(sk[i]);
		cry_pkey_free(c.as[i].pkey);
	}
	scope_bench(secs);
	return 0;
}
