/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the ACE resource server's parsers of untrusted bytes: the /authz-info
 * payload, the access token (COSE through libcbor behind limits), the claims set with its
 * OSCORE_Input_Material and scope, AIF scopes and COSE_Keys.
 *
 * The first byte chooses what the rest is:
 *   0: an /authz-info payload, processed as the gateway would (parse, verify, derive, answer);
 *   1: a claims set, sealed here as Encrypt0 by the configured AS (the fuzzer cannot forge a
 *      MAC, so this is how it reaches the claim checks);
 *   2: a COSE message of any type, and a COSE_Key;
 *   3: an AIF scope, compiled and checked against a fixed request; and the same bytes as the
 *      record a token leaves in the state database (ctl_ace_grant), which must re-encode to a
 *      record that decodes to the same token.
 * Every input is copied into an exact-size heap buffer, so ASan sees any read past its end.
 * Invariants that must hold are checked with abort().
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/ace/ctl_ace.h"
#include "control/ace/ctl_ace_grant.h"
#include "control/ace/ctl_ace_store.h"
#include "crypto/cry_cose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 8392 A.2 128-bit key with kid "Symmetric128", alg 10 */
static const uint8_t k128[16] = { 0x23, 0x1f, 0x4c, 0x4d, 0x4d, 0x30, 0x51, 0xfd,
				  0xc2, 0xec, 0x0a, 0x38, 0x51, 0xd5, 0xb3, 0x83 };

static struct ctl_ace_conf conf;
static struct ctl_ace_exi exi;

static void init_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	conf.n_as = 2;
	conf.as[0] = (struct ctl_ace_as){ .alg = 10, .type = CRY_COSE_ENCRYPT0, .has_kid = true,
					  .kid_len = 12, .key_len = 16 };
	memcpy(conf.as[0].kid, "Symmetric128", 12);
	memcpy(conf.as[0].key, k128, 16);
	strcpy(conf.as[0].iss, "coap://as.example.com");
	strcpy(conf.as[0].name, "as1");
	conf.as[1] = (struct ctl_ace_as){ .alg = 4, .type = CRY_COSE_MAC0, .key_len = 16 };
	memcpy(conf.as[1].key, k128, 16);
	conf.n_audience = 1;
	strcpy(conf.audience[0], "coap://light.example.com");
	conf.rs_id[0] = 0xaa;
	conf.rs_id_len = 1;
	conf.n_text_scopes = 1;
	strcpy(conf.text_scope[0].name, "r");
	ctl_ace_scope_add(&conf.text_scope[0].aif, "/s/temp", 7, 1);
	if (ctl_ace_exi_init(&exi, 8) != 0)
		abort();
}

/* What a verified token must look like, whatever the input was. */
static void check_token(const struct ctl_ace_token *t)
{
	if (t->as >= conf.n_as || t->alg == NULL || t->hkdf == 0 || t->scope.n == 0 ||
	    t->scope.n > CTL_ACE_SCOPE_ENTRIES || t->scope.used > CTL_ACE_SCOPE_TEXT)
		abort();
	if (t->has_osc && (t->ms_len == 0 || t->ms_len > OSC_SECRET_MAX || t->osc_id_len > 32))
		abort();
}

static void derive_and_answer(const struct ctl_ace_token *t, const struct ctl_ace_authz_req *r)
{
	static const uint8_t n2[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, id2[1] = { 0x42 };
	struct osc_params p;
	struct osc_ctx c;
	uint8_t out[64];

	if (ctl_ace_osc_params(t, r->n1, r->n1_len, n2, 8, r->id1, r->id1_len, id2, 1, false,
			       &p) == 0) {
		if (p.salt_len > OSC_SALT_MAX || p.sender_id_len > OSC_ID_MAX)
			abort();
		if (osc_ctx_derive(&c, &p) == OSC_CTX_OK)
			osc_ctx_wipe(&c);
	}
	if (ctl_ace_authz_response(n2, 8, id2, 1, out, sizeof(out)) <= 0)
		abort();
}

static void authz(const uint8_t *buf, size_t len)
{
	struct ctl_ace_authz_req r;
	struct ctl_ace_token t;
	enum ctl_ace_reason why = ctl_ace_authz_parse(buf, len, &r);
	uint8_t err[16];

	if (why == CTL_ACE_OK) {
		why = ctl_ace_token_verify(&conf, &exi, r.token, r.token_len, 1444000000, !r.has_n1,
					   &t);
		if (why == CTL_ACE_OK) {
			check_token(&t);
			derive_and_answer(&t, &r);
		}
	}
	if (why >= CTL_ACE_R__COUNT || ctl_ace_error_payload(why, err, sizeof(err)) < 0)
		abort();
	ctl_ace_authz_req_free(&r);
}

static void claims(const uint8_t *buf, size_t len)
{
	static const uint8_t iv[13] = { 9 };
	struct cry_cose_params p = { .alg = 10, .kid = conf.as[0].kid, .kid_len = 12, .iv = iv,
				     .iv_len = 13, .tagged = len & 1 };
	size_t cap = len + 64;
	uint8_t *tok = malloc(cap);
	struct ctl_ace_token t;
	int n;

	if (tok == NULL)
		return;
	n = cry_cose_encrypt0_seal(&p, k128, 16, buf, len, tok, cap);
	if (n > 0 && ctl_ace_token_verify(&conf, &exi, tok, (size_t)n, 1444000000, len & 2, &t) ==
			     CTL_ACE_OK)
		check_token(&t);
	free(tok);
}

static void cose(const uint8_t *buf, size_t len)
{
	static const unsigned masks[] = {
		CRY_COSE_ACCEPT(CRY_COSE_ENCRYPT0) | CRY_COSE_ACCEPT(CRY_COSE_MAC0),
		CRY_COSE_ACCEPT(CRY_COSE_SIGN1) | CRY_COSE_ACCEPT_CWT_TAG,
	};
	struct cry_cose_msg m;
	cbor_item_t *it;

	for (unsigned i = 0; i < 2; i++) {
		if (cry_cose_decode(&m, buf, len, masks[i], &cry_cbor_limits_default) == 0) {
			if (m.prot_map == NULL || m.unprot_map == NULL)
				abort();
			cry_cose_msg_free(&m);
		}
	}
	if (cry_cbor_decode(buf, len, &cry_cbor_limits_default, &it, NULL) == 0) {
		struct cry_cose_key k;
		struct cry_pkey *pk;
		uint8_t out[256];

		if (cry_cose_key_read(it, &k) == 0) {
			if (cry_cose_key_pkey(&k, &pk) == 0)
				cry_pkey_free(pk);
			if (cry_cose_key_write(&k, out, sizeof(out)) == -EINVAL)
				abort();
		}
		cbor_decref(&it);
	}
}

static void aif(const uint8_t *buf, size_t len)
{
	static const struct osc_coap_msg req = {
		.code = 1, .n_opts = 2,
		.opts = { { .num = 11, .val = (const uint8_t *)"s", .len = 1 },
			  { .num = 11, .val = (const uint8_t *)"temp", .len = 4 } },
	};
	struct ctl_ace_scope s;
	cbor_item_t *it;
	char text[CTL_ACE_SCOPE_TEXT * 3 + 2];

	if (cry_cbor_decode(buf, len, &cry_cbor_limits_default, &it, NULL) != 0)
		return;
	if (ctl_ace_scope_from_aif(&s, it) == 0) {
		if (ctl_ace_scope_check(&s, &req) > CTL_ACE_DENY_METHOD)
			abort();
		for (unsigned i = 0; i < s.n; i++)
			if (ctl_ace_scope_entry_text(&s, i, text, sizeof(text)) < 1)
				abort();
	}
	cbor_decref(&it);
}

static void grant(const uint8_t *buf, size_t len)
{
	struct ctl_ace_token t, back;
	uint8_t rec[CTL_ACE_GRANT_MAX];
	int n;

	if (ctl_ace_grant_decode(&conf, buf, len, &t) != 0)
		return;
	n = ctl_ace_grant_encode(&conf, &t, rec, sizeof(rec));
	if (n <= 0 || ctl_ace_grant_decode(&conf, rec, (size_t)n, &back) != 0 || back.as != t.as ||
	    back.expires != t.expires || back.osc_id_len != t.osc_id_len ||
	    memcmp(&back.scope, &t.scope, sizeof(t.scope)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;

	if (size == 0)
		return 0;
	init_once();
	buf = malloc(size - 1 ? size - 1 : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	switch (data[0] & 3) {
	case 0:
		authz(buf, size - 1);
		break;
	case 1:
		claims(buf, size - 1);
		break;
	case 2:
		cose(buf, size - 1);
		break;
	default:
		aif(buf, size - 1);
		grant(buf, size - 1);
		break;
	}
	free(buf);
	return 0;
}
