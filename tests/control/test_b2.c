/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 8613 App. B.2 round trip (ID2 = R2 || R1, ID3 = R2 || R3) with a client from oscore/. */
#include <criterion/criterion.h>

#include "control/ctl_b2.h"
#include "ctl_test_util.h"

static struct cry_engine *eng;
static struct ctl_b2 b2;
static struct osc_params sp; /* the gateway's parameters for device 0a */

static void setup(void)
{
	eng = cry_engine_new();
	ctl_b2_init(&b2, 60);
	server_params(&sp, 0x0a);
	cr_assert_eq(ctl_b2_add(&b2, &sp), 0);
	cr_expect_eq(ctl_b2_add(&b2, &sp), -1, "one template per Recipient ID");
}

static void teardown(void)
{
	ctl_b2_wipe(&b2);
	cry_engine_free(eng);
}

TestSuite(b2, .init = setup, .fini = teardown);

/* The client's context with ID Context a || c. */
static struct osc_ctx *client_ctx(const uint8_t *a, size_t a_len, const uint8_t *c, size_t c_len)
{
	struct osc_ctx *ctx = aligned_alloc(64, sizeof(*ctx));
	struct osc_params cp;

	swap_ids(&cp, &sp);
	cp.has_id_ctx = true;
	cp.id_ctx_len = (uint8_t)(a_len + c_len);
	if (a_len) /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(cp.id_ctx, a, a_len);
	if (c_len)
		memcpy(cp.id_ctx + a_len, c, c_len);
	cr_assert_eq(osc_ctx_derive(ctx, &cp), OSC_CTX_OK);
	return ctx;
}

static uint16_t next_mid = 0x7000;

/* Request #1 req[0..n) at time now; the answer into resp (256 bytes). */
static int req1(uint32_t now, const uint8_t *req, int n, uint8_t *resp)
{
	return ctl_b2_request1(&b2, eng, now, req, (size_t)n, &next_mid, resp, 256, NULL);
}

static void ctx_free(struct osc_ctx *c)
{
	osc_ctx_wipe(c);
	free(c);
}

/* A GET protected with c, its kid context sent as flags say (OSC_F_KID_CTX_CBOR: wrapped). */
static int client_request_f(struct osc_ctx *c, uint8_t *out, size_t cap, struct osc_exchange *ex,
			    unsigned flags)
{
	uint8_t plain[64];
	int n = plain_get(plain, sizeof(plain), 0x42);

	n = osc_protect_request(eng, c, plain, (size_t)n, out, cap, OSC_F_KID_CTX | flags, ex);
	cr_assert_gt(n, 0, "%s", osc_err_name(-n));
	return n;
}

static int client_request(struct osc_ctx *c, uint8_t *out, size_t cap, struct osc_exchange *ex)
{
	return client_request_f(c, out, cap, ex, 0);
}

/* The kid context an OSCORE message carries, into out; returns its length. */
static size_t kid_ctx_of(const uint8_t *msg, int len, uint8_t *out)
{
	struct osc_coap_msg m;
	struct osc_option o;
	const struct osc_coap_opt *opt;

	cr_assert_eq(osc_coap_parse(&m, msg, (size_t)len), OSC_COAP_OK);
	opt = osc_coap_find(&m, COAP_OPT_OSCORE, NULL);
	cr_assert_not_null(opt);
	cr_assert_eq(osc_option_decode(&o, opt->val, opt->len, 0), OSC_OPT_OK);
	cr_assert(o.has_kid_ctx);
	memcpy(out, o.kid_ctx, o.kid_ctx_len);
	return o.kid_ctx_len;
}

static const uint8_t r1[8] = { 1, 1, 1, 1, 1, 1, 1, 1 }, r3[8] = { 3, 3, 3, 3, 3, 3, 3, 3 };

/* Steps 1-3: returns R2 (from the server's 4.01, verified under ctx(R2 || R1)). */
static void run_step1(uint8_t r2[CTL_B2_R2_LEN])
{
	struct osc_ctx *c1 = client_ctx(r1, 8, NULL, 0), *c2;
	uint8_t req[256], resp[256], plain[256];
	struct osc_exchange ex;
	struct osc_coap_msg m;
	int n = client_request(c1, req, sizeof(req), &ex), rl;

	rl = req1(100, req, n, resp);
	cr_assert_gt(rl, 0, "%d", rl);
	cr_assert_eq(kid_ctx_of(resp, rl, r2), CTL_B2_R2_LEN, "response #1 carries R2 only");
	c2 = client_ctx(r2, CTL_B2_R2_LEN, r1, 8); /* ID2 = R2 || R1 */
	n = osc_unprotect_response(eng, c2, &ex, resp, (size_t)rl, plain, sizeof(plain));
	cr_assert_gt(n, 0, "client cannot verify 4.01 under ctx(R2||R1): %s", osc_err_name(-n));
	cr_assert_eq(osc_coap_parse(&m, plain, (size_t)n), OSC_COAP_OK);
	cr_expect_eq(m.code, COAP_UNAUTHORIZED);
	cr_expect_eq(m.mid, 0x42);
	n = osc_unprotect_response(eng, c1, &ex, resp, (size_t)rl, plain, sizeof(plain));
	cr_expect_eq(n, -OSC_ERR_DECRYPT, "not protected with ctx(R1)");
	ctx_free(c1);
	ctx_free(c2);
}

Test(b2, rfc8613_b2_round_trip_r2_r1_then_r2_r3_replaces_context)
{
	uint8_t r2[CTL_B2_R2_LEN], req[256], plain[256], resp[256], out[256];
	struct osc_ctx *c3, *s3 = aligned_alloc(64, sizeof(*s3));
	struct osc_exchange ex, sex;
	struct osc_params p;
	int n, pl, rl, ol;

	run_step1(r2);
	c3 = client_ctx(r2, CTL_B2_R2_LEN, r3, 8); /* ID3 = R2 || R3 */
	n = client_request(c3, req, sizeof(req), &ex);
	pl = ctl_b2_request2(&b2, eng, 110, req, (size_t)n, s3, &p, plain, sizeof(plain), &sex,
			     NULL);
	cr_assert_gt(pl, 0, "%s", osc_err_name(-pl));
	cr_expect_eq(p.id_ctx_len, 16);
	cr_expect_arr_eq(p.id_ctx, r2, 8);
	cr_expect_arr_eq(p.id_ctx + 8, r3, 8);
	/* the new context answers #2, and the client accepts it */
	ol = plain_get(out, sizeof(out), 0x42);
	out[1] = COAP_CONTENT;
	rl = osc_protect_response(eng, s3, &sex, out, (size_t)ol, resp, sizeof(resp), 0);
	cr_assert_gt(rl, 0);
	cr_expect_gt(osc_unprotect_response(eng, c3, &ex, resp, (size_t)rl, out, sizeof(out)), 0);
	/* R2 is forgotten: #2 again is refused */
	cr_expect_eq(ctl_b2_request2(&b2, eng, 111, req, (size_t)n, s3, &p, plain, sizeof(plain),
				     &sex, NULL), -OSC_ERR_NO_CONTEXT);
	osc_ctx_wipe(s3);
	ctx_free(c3);
	free(s3);
}

Test(b2, request2_needs_an_issued_unexpired_r2_and_a_valid_tag)
{
	uint8_t r2[CTL_B2_R2_LEN], req[256], plain[256];
	struct osc_ctx *c3, *s3 = aligned_alloc(64, sizeof(*s3));
	struct osc_exchange ex, sex;
	struct osc_params p;
	int n;

	c3 = client_ctx(r3, 8, r3, 8); /* an R2 never issued */
	n = client_request(c3, req, sizeof(req), &ex);
	cr_expect_eq(ctl_b2_request2(&b2, eng, 100, req, (size_t)n, s3, &p, plain, sizeof(plain),
				     &sex, NULL), -OSC_ERR_NO_CONTEXT);
	ctx_free(c3);
	run_step1(r2);
	c3 = client_ctx(r2, CTL_B2_R2_LEN, r3, 8);
	n = client_request(c3, req, sizeof(req), &ex);
	req[n - 1] ^= 1;
	cr_expect_eq(ctl_b2_request2(&b2, eng, 100, req, (size_t)n, s3, &p, plain, sizeof(plain),
				     &sex, NULL), -OSC_ERR_DECRYPT);
	req[n - 1] ^= 1;
	cr_expect_eq(ctl_b2_request2(&b2, eng, 161, req, (size_t)n, s3, &p, plain, sizeof(plain),
				     &sex, NULL), -OSC_ERR_NO_CONTEXT, "R2 expired");
	ctx_free(c3);
	free(s3);
}

/* A kid context from the wire may be 255 bytes: an issued R2 followed by far more than an ID
 * Context holds must be refused, not copied. */
Test(b2, request2_refuses_kid_context_longer_than_an_id_context)
{
	uint8_t r2[CTL_B2_R2_LEN], kc[200] = { 0 }, msg[300], plain[256], opt[255];
	struct osc_ctx *s3 = aligned_alloc(64, sizeof(*s3));
	struct osc_option o = { .piv_len = 1, .piv = { 1 }, .has_kid = true, .has_kid_ctx = true,
				.kid_ctx = kc, .kid_ctx_len = sizeof(kc) };
	struct osc_exchange sex;
	struct osc_params p;
	int olen, n = 0;

	run_step1(r2);
	memcpy(kc, r2, CTL_B2_R2_LEN);
	o.kid = sp.recipient_id; /* the device's Sender ID, which has a B.2 template */
	o.kid_len = sp.recipient_id_len;
	olen = osc_option_encode(opt, sizeof(opt), &o);
	cr_assert(olen > 200 && olen < 269);
	msg[n++] = 0x40, msg[n++] = COAP_POST, msg[n++] = 0, msg[n++] = 1;
	msg[n++] = 0x9d, msg[n++] = (uint8_t)(olen - 13); /* option 9, length 13 + one byte */
	memcpy(msg + n, opt, (size_t)olen);
	n += olen;
	msg[n++] = 0xff;
	memset(msg + n, 0x55, 12);
	n += 12;
	cr_expect_eq(ctl_b2_request2(&b2, eng, 100, msg, (size_t)n, s3, &p, plain, sizeof(plain),
				     &sex, NULL), -OSC_ERR_NO_CONTEXT);
	free(s3);
}

Test(b2, request1_refuses_unknown_kid_missing_r1_and_bad_tag)
{
	uint8_t req[256], resp[256];
	struct osc_ctx *c = client_ctx(r1, 8, NULL, 0);
	struct osc_exchange ex;
	int n = client_request(c, req, sizeof(req), &ex);

	req[n - 1] ^= 1;
	cr_expect_eq(req1(100, req, n, resp), -OSC_ERR_DECRYPT);
	ctx_free(c);
	sp.recipient_id[0] = 0x0b; /* a device without a B.2 template */
	c = client_ctx(r1, 8, NULL, 0);
	n = client_request(c, req, sizeof(req), &ex);
	cr_expect_eq(req1(100, req, n, resp), -OSC_ERR_NO_CONTEXT);
	ctx_free(c);
}

Test(b2, r2_values_are_fresh_and_the_table_is_bounded)
{
	uint8_t req[256], resp[256], a[8], b[8];
	struct osc_ctx *c = client_ctx(r1, 8, NULL, 0);
	struct osc_exchange ex;
	unsigned i;
	int n, rl = 0;

	for (i = 0; i < CTL_B2_SLOTS; i++) {
		n = client_request(c, req, sizeof(req), &ex);
		rl = req1(100, req, n, resp);
		cr_assert_gt(rl, 0);
		kid_ctx_of(resp, rl, i ? b : a);
		if (i)
			cr_assert_neq(memcmp(a, b, 8), 0, "R2 reused");
	}
	n = client_request(c, req, sizeof(req), &ex);
	cr_expect_eq(req1(100, req, n, resp), CTL_B2_FULL);
	cr_expect_gt(req1(161, req, n, resp), 0, "expired slots are reused");
	ctx_free(c);
}

/* libcoap and Californium: request #1 carries kid context bstr(R1) = 0x48 || R1 and derives with
 * R1; response #1 must carry bstr(R2), and request #2 bstr(R2 || R3) derived with R2 || R3. */
Test(b2, rfc8613_b2_cbor_wrapped_kid_context_as_libcoap_and_californium_send_it)
{
	uint8_t req[256], resp[256], plain[256], kc[64], r2[CTL_B2_R2_LEN];
	struct osc_ctx *c1 = client_ctx(r1, 8, NULL, 0), *c2, *c3;
	struct osc_ctx *s3 = aligned_alloc(64, sizeof(*s3));
	struct osc_exchange ex, sex;
	struct osc_params p;
	bool wrapped = false;
	size_t r2_len = 0;
	int n = client_request_f(c1, req, sizeof(req), &ex, OSC_F_KID_CTX_CBOR), rl, pl;

	cr_assert_eq(kid_ctx_of(req, n, kc), 9, "0x48 || R1 on the wire");
	cr_assert_eq(kc[0], 0x48);
	rl = ctl_b2_request1(&b2, eng, 100, req, (size_t)n, &next_mid, resp, sizeof(resp), &wrapped);
	cr_assert_gt(rl, 0, "wrapped request #1 refused: %s", osc_err_name(-rl));
	cr_expect(wrapped);
	cr_assert_eq(kid_ctx_of(resp, rl, kc), 1 + CTL_B2_R2_LEN, "response #1 in the wrapped form");
	cr_assert(ctl_b2_unwrap(kc, 1 + CTL_B2_R2_LEN, r2, &r2_len) && r2_len == CTL_B2_R2_LEN);
	c2 = client_ctx(r2, CTL_B2_R2_LEN, r1, 8); /* ID2 = R2 || R1, raw */
	cr_assert_gt(osc_unprotect_response(eng, c2, &ex, resp, (size_t)rl, plain, sizeof(plain)), 0);
	c3 = client_ctx(r2, CTL_B2_R2_LEN, r3, 8);
	n = client_request_f(c3, req, sizeof(req), &ex, OSC_F_KID_CTX_CBOR);
	cr_assert_eq(kid_ctx_of(req, n, kc), 17, "0x50 || R2 || R3 on the wire");
	wrapped = false;
	pl = ctl_b2_request2(&b2, eng, 110, req, (size_t)n, s3, &p, plain, sizeof(plain), &sex,
			     &wrapped);
	cr_assert_gt(pl, 0, "wrapped request #2 refused: %s", osc_err_name(-pl));
	cr_expect(wrapped);
	cr_expect_eq(p.id_ctx_len, 16, "the context derives with the raw R2 || R3");
	cr_expect_arr_eq(p.id_ctx, r2, 8);
	cr_expect_arr_eq(p.id_ctx + 8, r3, 8);
	osc_ctx_wipe(s3);
	free(s3);
	ctx_free(c1);
	ctx_free(c2);
	ctx_free(c3);
}

/* The raw form keeps working, and its answer stays raw (covered by the round trip above); a
 * kid context that only looks wrapped is tried both ways and refused by the tag. */
Test(b2, unwrap_takes_exactly_one_definite_byte_string)
{
	uint8_t out[OSC_ID_CTX_MAX];
	size_t n;

	cr_expect(ctl_b2_unwrap((const uint8_t *)"\x43\x01\x02\x03", 4, out, &n) && n == 3);
	cr_expect(!ctl_b2_unwrap((const uint8_t *)"\x43\x01\x02", 3, out, &n), "short");
	cr_expect(!ctl_b2_unwrap((const uint8_t *)"\x42\x01\x02\x03", 4, out, &n), "trailing");
	cr_expect(!ctl_b2_unwrap((const uint8_t *)"\x5f\x41\x01\xff", 4, out, &n), "indefinite");
	cr_expect(!ctl_b2_unwrap((const uint8_t *)"\x63\x61\x62\x63", 4, out, &n), "text");
	cr_expect(!ctl_b2_unwrap((const uint8_t *)"\x01", 1, out, &n), "integer");
}
