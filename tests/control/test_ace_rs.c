/* SPDX-License-Identifier: BSD-3-Clause */
/* The /authz-info endpoint object: post, commit, repost, update of access rights, counters. */
#include <errno.h>

#include "ace_test_util.h"
#include "control/ace/ctl_ace_rs.h"

static struct ctl_ace_conf conf;
static struct ctl_ace_rs rs;
static uint8_t next_n2 = 0x10;

static int fake_rand(void *arg, uint8_t *buf, size_t n)
{
	(void)arg;
	memset(buf, next_n2++, n);
	return 0;
}

/* ID2 = 0x20, or 0x21 when the client took 0x20 */
static int pick(void *arg, const uint8_t *id1, size_t id1_len, uint8_t *id2, size_t *len)
{
	(void)arg;
	id2[0] = id1_len == 1 && id1[0] == 0x20 ? 0x21 : 0x20;
	*len = 1;
	return 0;
}

static void setup(void)
{
	at_conf(&conf);
	conf.max_tokens = 2;
	cr_assert_eq(ctl_ace_rs_init(&rs, &conf), 0);
	rs.rand = fake_rand;
	rs.pick_id2 = pick;
}

static void teardown(void)
{
	ctl_ace_rs_free(&rs);
	ctl_ace_conf_release(&conf);
}

static uint8_t osc[64];

static struct at_claims claims(const char *scope)
{
	struct at_claims k = { .iss = "coap://as.example.com", .aud = "coap://light.example.com",
			       .scope_text = scope, .exp = 2000, .osc = osc };
	struct cry_cbor_buf b;

	cry_cbor_init(&b, osc, sizeof(osc));
	cry_cbor_head(&b, CRY_CBOR_MAP, 2);
	cry_cbor_int(&b, CTL_ACE_OSC_ID);
	cry_cbor_bstr(&b, (const uint8_t *)"\x01", 1);
	cry_cbor_int(&b, CTL_ACE_OSC_MS);
	cry_cbor_bstr(&b, (const uint8_t *)"0123456789abcdef", 16);
	k.osc_len = (size_t)cry_cbor_done(&b);
	return k;
}

/* {1: token of AS as, ? 40: n1, ? 43: id1} */
static size_t post_payload(unsigned as, const struct at_claims *k, const uint8_t *n1,
			   const uint8_t *id1, uint8_t *out, size_t cap)
{
	uint8_t tok[512];
	size_t tl = at_token(&conf, as, k, tok, sizeof(tok));
	struct cry_cbor_buf b;

	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, 1 + (n1 != NULL) + (id1 != NULL));
	cry_cbor_int(&b, 1);
	cry_cbor_bstr(&b, tok, tl);
	if (n1 != NULL) {
		cry_cbor_int(&b, 40);
		cry_cbor_bstr(&b, n1, 8);
	}
	if (id1 != NULL) {
		cry_cbor_int(&b, 43);
		cry_cbor_bstr(&b, id1, 1);
	}
	return (size_t)cry_cbor_done(&b);
}

Test(ace_rs, post_derives_the_same_context_as_the_client, .init = setup, .fini = teardown)
{
	const uint8_t n1[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, id1[1] = { 0x05 };
	struct at_claims k = claims("r");
	uint8_t pl[768], n2[8];
	size_t n = post_payload(0, &k, n1, id1, pl, sizeof(pl));
	struct ctl_ace_result res;
	struct ctl_ace_authz_req req;
	struct ctl_ace_token t;
	struct osc_params cp;
	struct osc_ctx rsx, cl;

	ctl_ace_rs_post(&rs, pl, n, 1000, &res);
	cr_assert_eq(res.reason, CTL_ACE_OK);
	cr_assert_eq(res.code, COAP_CREATED);
	memset(n2, 0x10, 8);
	/* {42: N2, 44: h'20'} */
	cr_assert_eq(res.payload_len, 16);
	cr_assert_eq(res.payload[0], 0xa2);
	cr_assert_arr_eq(res.payload + 4, n2, 8);
	cr_assert_eq(res.payload[15], 0x20);
	/* the client side, from what it sent and what it got */
	cr_assert_eq(ctl_ace_authz_parse(pl, n, &req), CTL_ACE_OK);
	cr_assert_eq(ctl_ace_token_verify(&conf, NULL, req.token, req.token_len, 1000, false, &t),
		     CTL_ACE_OK);
	cr_assert_eq(ctl_ace_osc_params(&t, n1, 8, n2, 8, id1, 1, (const uint8_t *)"\x20", 1, true,
					&cp), 0);
	ctl_ace_authz_req_free(&req);
	cr_assert_eq(osc_ctx_derive(&rsx, &res.params), OSC_CTX_OK);
	cr_assert_eq(osc_ctx_derive(&cl, &cp), OSC_CTX_OK);
	cr_assert_arr_eq(rsx.sender_key.raw, cl.recipient_key.raw, 16);
	cr_assert_arr_eq(rsx.recipient_key.raw, cl.sender_key.raw, 16);
	cr_assert_arr_eq(rsx.common_iv, cl.common_iv, 13);
	cr_assert_eq(rsx.sender_id[0], 0x05);
	osc_ctx_wipe(&rsx);
	osc_ctx_wipe(&cl);
	/* kept once installed; a repost with a fresh N1 makes a new context and replaces it */
	cr_assert_eq(ctl_ace_rs_commit(&rs, &res, 77), 0);
	cr_assert_not(res.replaced);
	ctl_ace_rs_post(&rs, pl, n, 1001, &res);
	cr_assert_eq(res.code, COAP_CREATED);
	cr_assert_neq(res.payload[4], 0x10, "a fresh N2 for the repost");
	cr_assert_eq(ctl_ace_rs_commit(&rs, &res, 78), 0);
	cr_assert(res.replaced);
	cr_assert_eq(res.old.handle, 77);
	cr_assert_eq(rs.store.n, 1);
	cr_assert_eq(rs.count[CTL_ACE_OK], 2);
}

Test(ace_rs, post_refusals, .init = setup, .fini = teardown)
{
	const uint8_t n1[8] = { 1 }, id1[1] = { 0x05 };
	struct at_claims k = claims("r");
	uint8_t pl[768];
	size_t n;
	struct ctl_ace_result res;

	n = post_payload(0, &k, NULL, id1, pl, sizeof(pl));
	ctl_ace_rs_post(&rs, pl, n, 1000, &res);
	cr_assert_eq(res.code, COAP_BAD_REQUEST);
	cr_assert_eq(res.reason, CTL_ACE_R_NONCE1);
	cr_assert_eq(res.payload_len, 4); /* {30: 1} invalid_request */
	cr_assert_eq(res.params.secret_len, 0);
	n = post_payload(0, &k, n1, NULL, pl, sizeof(pl));
	ctl_ace_rs_post(&rs, pl, n, 1000, &res);
	cr_assert_eq(res.reason, CTL_ACE_R_ID1);
	k.aud = "coap://elsewhere";
	n = post_payload(2, &k, n1, id1, pl, sizeof(pl));
	ctl_ace_rs_post(&rs, pl, n, 1000, &res);
	cr_assert_eq(res.code, COAP_FORBIDDEN);
	cr_assert_eq(res.payload_len, 0);
	k = claims("r");
	n = post_payload(1, &k, n1, id1, pl, sizeof(pl));
	ctl_ace_rs_post(&rs, pl, n, 3000, &res);
	cr_assert_eq(res.code, COAP_UNAUTHORIZED);
	ctl_ace_rs_post(&rs, (const uint8_t *)"\xff", 1, 1000, &res);
	cr_assert_eq(res.code, COAP_BAD_REQUEST);
	cr_assert_eq(rs.count[CTL_ACE_R_NONCE1], 1);
	cr_assert_eq(rs.count[CTL_ACE_R_AUD], 1);
	cr_assert_eq(rs.count[CTL_ACE_R_EXPIRED], 1);
	cr_assert_eq(rs.count[CTL_ACE_R_PAYLOAD], 1);
	cr_assert_eq(rs.count[CTL_ACE_OK], 0);
}

Test(ace_rs, store_full_is_reported, .init = setup, .fini = teardown)
{
	const uint8_t n1[8] = { 1 };
	uint8_t pl[768], id1[1];
	struct ctl_ace_result res;

	for (int i = 0; i < 3; i++) {
		struct at_claims k = claims("r");

		osc[3] = (uint8_t)i; /* a different OSCORE_Input_Material id per token */
		id1[0] = (uint8_t)i;
		ctl_ace_rs_post(&rs, pl, post_payload(0, &k, n1, id1, pl, sizeof(pl)), 1000, &res);
		cr_assert_eq(res.code, COAP_CREATED);
		cr_assert_eq(ctl_ace_rs_commit(&rs, &res, (uint64_t)i), i < 2 ? 0 : -ENOSPC);
	}
	cr_assert_eq(rs.count[CTL_ACE_R_FULL], 1);
}

Test(ace_rs, update_of_access_rights, .init = setup, .fini = teardown)
{
	const uint8_t n1[8] = { 1 }, id1[1] = { 0x05 };
	struct at_claims k = claims("r");
	uint8_t pl[768];
	struct ctl_ace_result res;
	struct osc_coap_msg led = { .code = COAP_PUT, .n_opts = 2,
				    .opts = { { .num = 11, .val = (const uint8_t *)"a", .len = 1 },
					      { .num = 11, .val = (const uint8_t *)"led", .len = 3 } } };

	ctl_ace_rs_post(&rs, pl, post_payload(0, &k, n1, id1, pl, sizeof(pl)), 1000, &res);
	cr_assert_eq(ctl_ace_rs_commit(&rs, &res, 5), 0);
	cr_assert_eq(ctl_ace_scope_check(&rs.store.e[0].tok.scope, &led), CTL_ACE_DENY_RESOURCE);
	/* the AS issues {cnf: {3: id}} with the new scope; the client posts it protected */
	k = claims("r w");
	k.osc = NULL;
	k.cnf_kid = (const uint8_t *)"\x01";
	k.cnf_kid_len = 1;
	k.exp = 2500;
	ctl_ace_rs_update(&rs, 5, pl, post_payload(0, &k, NULL, NULL, pl, sizeof(pl)), 1100, &res);
	cr_assert_eq(res.code, COAP_CREATED);
	cr_assert_eq(res.payload_len, 0);
	cr_assert_eq(rs.store.e[0].tok.expires, 2500);
	cr_assert_eq(ctl_ace_scope_check(&rs.store.e[0].tok.scope, &led), CTL_ACE_ALLOW);
	cr_assert_eq(rs.store.e[0].tok.ms_len, 16, "the context's material stays");
	/* another Input Material id, another AS, an unknown context, a bad token: all 4.01 */
	k.cnf_kid = (const uint8_t *)"\x02";
	ctl_ace_rs_update(&rs, 5, pl, post_payload(0, &k, NULL, NULL, pl, sizeof(pl)), 1100, &res);
	cr_assert_eq(res.code, COAP_UNAUTHORIZED);
	cr_assert_eq(res.reason, CTL_ACE_R_UPDATE_KID);
	k.cnf_kid = (const uint8_t *)"\x01";
	ctl_ace_rs_update(&rs, 5, pl, post_payload(1, &k, NULL, NULL, pl, sizeof(pl)), 1100, &res);
	cr_assert_eq(res.code, COAP_UNAUTHORIZED);
	ctl_ace_rs_update(&rs, 6, pl, post_payload(0, &k, NULL, NULL, pl, sizeof(pl)), 1100, &res);
	cr_assert_eq(res.code, COAP_UNAUTHORIZED);
	k.scope_text = "x"; /* would be a 4.00 unprotected */
	ctl_ace_rs_update(&rs, 5, pl, post_payload(0, &k, NULL, NULL, pl, sizeof(pl)), 1100, &res);
	cr_assert_eq(res.code, COAP_UNAUTHORIZED);
	cr_assert_eq(res.payload_len, 0);
	cr_assert_eq(rs.store.e[0].tok.expires, 2500, "failed updates change nothing");
}
