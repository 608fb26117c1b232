/* SPDX-License-Identifier: BSD-3-Clause */
/* /authz-info: payload parsing, the RFC 9203 §4.3 Master Salt example and the context it gives,
 * the answers (2.01 payload, error map, RFC 9200 Fig. 3 creation hints), the token store. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ace_test_util.h"
#include "control/ace/ctl_ace_store.h"

#define SALT "f9af838368e353e78888e1426bd94e6f"
#define N1 "018a278f7faab55a"
#define N2 "25a8991cd700ac01"

static void example_token(struct ctl_ace_token *t)
{
	memset(t, 0, sizeof(*t));
	t->ms_len = (uint8_t)at_hex(SALT, t->ms, sizeof(t->ms)); /* RFC 9203 §3.2: ms = f9af.. */
	t->salt_len = (uint8_t)at_hex(SALT, t->salt, sizeof(t->salt));
	t->alg = cry_alg_by_cose(CRY_AES_CCM_16_64_128);
	t->hkdf = CRY_HKDF_SHA256;
	t->osc_id[0] = 1;
	t->osc_id_len = 1;
}

static void expect(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[128];
	size_t n = at_hex(hex, want, sizeof(want));

	cr_assert_eq(len, n);
	cr_assert_arr_eq(got, want, n);
}

/* RFC 9203 §4.3 Figure: Master Salt = 50 salt 48 N1 48 N2; and the keys both sides derive
 * (computed in the spec notes, checked against RFC 8613 C.1.1's derivation). */
Test(ace_authz, rfc9203_master_salt_and_context_keys)
{
	struct ctl_ace_token t;
	struct osc_params rs, cl;
	struct osc_ctx crs, ccl;
	uint8_t n1[8], n2[8], id1[2] = { 0x16, 0x45 }, id2[2] = { 0, 0 };

	example_token(&t);
	at_hex(N1, n1, 8);
	at_hex(N2, n2, 8);
	cr_assert_eq(ctl_ace_osc_params(&t, n1, 8, n2, 8, id1, 2, id2, 2, false, &rs), 0);
	expect(rs.salt, rs.salt_len, "50" SALT "48" N1 "48" N2);
	cr_assert_not(rs.has_id_ctx, "the ID Context is not built from the nonces");
	expect(rs.sender_id, rs.sender_id_len, "1645");
	expect(rs.recipient_id, rs.recipient_id_len, "0000");
	cr_assert_eq(ctl_ace_osc_params(&t, n1, 8, n2, 8, id1, 2, id2, 2, true, &cl), 0);
	expect(cl.sender_id, cl.sender_id_len, "0000");
	cr_assert_eq(osc_ctx_derive(&crs, &rs), OSC_CTX_OK);
	cr_assert_eq(osc_ctx_derive(&ccl, &cl), OSC_CTX_OK);
	expect(crs.sender_key.raw, 16, "7ca38f735b2e0866341bfe149795d547");
	expect(crs.recipient_key.raw, 16, "b27e21a6e8904c69367a7903b60c19ae");
	expect(ccl.sender_key.raw, 16, "b27e21a6e8904c69367a7903b60c19ae");
	expect(crs.common_iv, 13, "7c3b80ba46ee86b866da7b6718");
	expect(ccl.common_iv, 13, "7c3b80ba46ee86b866da7b6718");
	osc_ctx_wipe(&crs);
	osc_ctx_wipe(&ccl);
	/* contextId becomes the ID Context */
	t.has_context_id = true;
	t.context_id_len = 2;
	t.context_id[0] = 0x37;
	cr_assert_eq(ctl_ace_osc_params(&t, n1, 8, n2, 8, id1, 2, id2, 2, false, &rs), 0);
	cr_assert(rs.has_id_ctx);
	expect(rs.id_ctx, rs.id_ctx_len, "3700");
	/* an absent salt is the empty bstr */
	t.salt_len = 0;
	cr_assert_eq(ctl_ace_osc_params(&t, n1, 8, n2, 8, id1, 2, id2, 2, false, &rs), 0);
	expect(rs.salt, rs.salt_len, "40" "48" N1 "48" N2);
}

Test(ace_authz, equal_ids_and_oversize_values_refused)
{
	struct ctl_ace_token t;
	struct osc_params p;
	uint8_t n[32] = { 1 }, id[8] = { 7 };

	example_token(&t);
	cr_assert_eq(ctl_ace_osc_params(&t, n, 8, n, 8, id, 1, id, 1, false, &p), -EINVAL);
	cr_assert_eq(ctl_ace_osc_params(&t, n, 8, n, 8, NULL, 0, NULL, 0, false, &p), -EINVAL);
	cr_assert_eq(ctl_ace_osc_params(&t, n, 8, n, 8, id, 8, id, 1, false, &p), -EINVAL);
	/* salt 16 + two 32-byte nonces do not fit OSC_SALT_MAX */
	cr_assert_eq(ctl_ace_osc_params(&t, n, 32, n, 32, id, 1, id, 0, false, &p), -EINVAL);
	cr_assert_eq(p.secret_len, 0);
}

static uint8_t payload[512];

/* {1: token, 40: n1, 43: id1}, leaving out what is NULL */
static size_t authz_payload(const uint8_t *tok, size_t tl, const char *n1, const char *id1)
{
	struct cry_cbor_buf b;
	uint8_t v[64];

	cry_cbor_init(&b, payload, sizeof(payload));
	cry_cbor_head(&b, CRY_CBOR_MAP, (tok != NULL) + (n1 != NULL) + (id1 != NULL));
	if (tok != NULL) {
		cry_cbor_int(&b, 1);
		cry_cbor_bstr(&b, tok, tl);
	}
	if (n1 != NULL) {
		cry_cbor_int(&b, 40);
		cry_cbor_bstr(&b, v, at_hex(n1, v, sizeof(v)));
	}
	if (id1 != NULL) {
		cry_cbor_int(&b, 43);
		cry_cbor_bstr(&b, v, at_hex(id1, v, sizeof(v)));
	}
	cr_assert_gt(cry_cbor_done(&b), 0);
	return (size_t)cry_cbor_done(&b);
}

Test(ace_authz, payload_parsing)
{
	const uint8_t tok[] = { 0x83, 0x43, 0xa1, 0x01, 0x0a };
	struct ctl_ace_authz_req r;
	size_t n = authz_payload(tok, sizeof(tok), N1, "1645");

	cr_assert_eq(ctl_ace_authz_parse(payload, n, &r), CTL_ACE_OK);
	cr_assert_eq(r.token_len, sizeof(tok));
	cr_assert_arr_eq(r.token, tok, sizeof(tok));
	cr_assert(r.has_n1 && r.has_id1);
	expect(r.n1, r.n1_len, N1);
	expect(r.id1, r.id1_len, "1645");
	ctl_ace_authz_req_free(&r);
	/* an update of access rights sends the token alone */
	n = authz_payload(tok, sizeof(tok), NULL, NULL);
	cr_assert_eq(ctl_ace_authz_parse(payload, n, &r), CTL_ACE_OK);
	cr_assert_not(r.has_n1 || r.has_id1);
	ctl_ace_authz_req_free(&r);
	n = authz_payload(NULL, 0, N1, "16");
	cr_assert_eq(ctl_ace_authz_parse(payload, n, &r), CTL_ACE_R_NO_TOKEN);
	ctl_ace_authz_req_free(&r);
	n = authz_payload(tok, sizeof(tok), "", "16"); /* empty N1 */
	cr_assert_eq(ctl_ace_authz_parse(payload, n, &r), CTL_ACE_R_NONCE1);
	ctl_ace_authz_req_free(&r);
	n = authz_payload(tok, sizeof(tok), N1, "0102030405060708"); /* ID1 of 8 bytes */
	cr_assert_eq(ctl_ace_authz_parse(payload, n, &r), CTL_ACE_R_ID1);
	ctl_ace_authz_req_free(&r);
	cr_assert_eq(ctl_ace_authz_parse((const uint8_t *)"\x81\x01", 2, &r), CTL_ACE_R_PAYLOAD);
	ctl_ace_authz_req_free(&r);
	cr_assert_eq(ctl_ace_authz_parse((const uint8_t *)"\xa1\x01", 2, &r), CTL_ACE_R_PAYLOAD);
	ctl_ace_authz_req_free(&r);
	cr_assert_eq(ctl_ace_reason_code(CTL_ACE_R_PAYLOAD), COAP_BAD_REQUEST);
}

Test(ace_authz, answers)
{
	uint8_t out[128], n2[8], id2[2] = { 0, 0 };
	struct ctl_ace_conf c = { .n_audience = 1 };
	const uint8_t cnonce[] = { 0xe0, 0xa1, 0x56, 0xbb, 0x3f };

	/* RFC 9203 §4.2 example: {42: h'25a8991cd700ac01', 44: h'0000'} */
	at_hex(N2, n2, 8);
	int n = ctl_ace_authz_response(n2, 8, id2, 2, out, sizeof(out));
	expect(out, (size_t)n, "a2182a48" N2 "182c420000");
	cr_assert_eq(ctl_ace_authz_response(n2, 8, id2, 2, out, 10), -ENOSPC);
	/* error map {30: 6} for an unknown scope; no payload for 4.01 */
	n = ctl_ace_error_payload(CTL_ACE_R_SCOPE, out, sizeof(out));
	expect(out, (size_t)n, "a1181e06");
	cr_assert_eq(ctl_ace_error_payload(CTL_ACE_R_WRAPPER, out, sizeof(out)), 0);
	/* RFC 9200 Figure 3: AS Request Creation Hints (72 bytes) */
	strcpy(c.as_uri, "coaps://as.example.com/token");
	strcpy(c.audience[0], "coaps://rs.example.com");
	n = ctl_ace_creation_hints(&c, "rTempC", cnonce, sizeof(cnonce), out, sizeof(out));
	expect(out, (size_t)n,
	       "a401781c636f6170733a2f2f61732e6578616d706c652e636f6d2f746f6b656e0576636f6170733a"
	       "2f2f72732e6578616d706c652e636f6d09667254656d7043182745e0a156bb3f");
	cr_assert_eq(n, 72);
	c.as_uri[0] = '\0';
	cr_assert_eq(ctl_ace_creation_hints(&c, NULL, NULL, 0, out, sizeof(out)), -EINVAL);
}

static struct ctl_ace_entry entry(unsigned as, uint8_t id, int64_t expires, uint64_t handle)
{
	struct ctl_ace_entry e = { .handle = handle };

	e.tok.as = as;
	e.tok.osc_id[0] = id;
	e.tok.osc_id_len = 1;
	e.tok.expires = expires;
	return e;
}

Test(ace_authz, store_keeps_one_token_per_pop_key)
{
	struct ctl_ace_store s;
	struct ctl_ace_entry old, e, out[4];
	bool replaced;

	cr_assert_eq(ctl_ace_store_init(&s, 3), 0);
	e = entry(0, 1, 100, 11);
	cr_assert_eq(ctl_ace_store_put(&s, &e, &old, &replaced), 0);
	cr_assert_not(replaced);
	e = entry(1, 1, 200, 12); /* same id, other AS: another key */
	cr_assert_eq(ctl_ace_store_put(&s, &e, &old, &replaced), 0);
	cr_assert_not(replaced);
	e = entry(0, 1, 300, 13); /* repost / new token for the same key replaces */
	cr_assert_eq(ctl_ace_store_put(&s, &e, &old, &replaced), 0);
	cr_assert(replaced);
	cr_assert_eq(old.handle, 11);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(ctl_ace_store_find(&s, 0, (const uint8_t *)"\x01", 1)->handle, 13);
	cr_assert_eq(ctl_ace_store_by_handle(&s, 12)->tok.as, 1);
	e = entry(0, 2, 0, 14);
	cr_assert_eq(ctl_ace_store_put(&s, &e, NULL, &replaced), 0);
	e = entry(0, 3, 0, 15);
	cr_assert_eq(ctl_ace_store_put(&s, &e, NULL, &replaced), -ENOSPC);
	/* expiry at 250 removes AS 1's token (200), keeps 300 and the one without expiry */
	cr_assert_eq(ctl_ace_store_expire(&s, 250, out, 4), 1);
	cr_assert_eq(out[0].handle, 12);
	cr_assert_eq(ctl_ace_store_expire(&s, 1000, out, 4), 1);
	cr_assert_eq(out[0].handle, 13);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(ctl_ace_store_remove(&s, 0, (const uint8_t *)"\x02", 1, &old), 0);
	cr_assert_eq(old.handle, 14);
	cr_assert_eq(ctl_ace_store_remove(&s, 0, (const uint8_t *)"\x02", 1, &old), -ENOENT);
	ctl_ace_store_free(&s);
}

/* Tokens made by an independent implementation (Debian's python3-cbor2 and
 * python3-cryptography, tests/fuzz/make-ace-corpus.py) are accepted end to end. */
static size_t read_seed(const char *name, uint8_t *buf, size_t cap)
{
	const char *dir = getenv("ACE_CORPUS");
	char path[512];
	FILE *f;
	size_t n;

	cr_assert_not_null(dir, "meson sets ACE_CORPUS");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

Test(ace_authz, python_made_tokens_accepted)
{
	static const char *seeds[] = { "0-encrypt0", "0-encrypt0-tagged-aif", "0-mac0-exi",
				       "0-no-n1" };
	struct ctl_ace_conf c = { .n_as = 2, .n_audience = 1, .rs_id_len = 1,
				  .n_text_scopes = 1 };
	struct ctl_ace_exi x;

	c.as[0] = (struct ctl_ace_as){ .alg = 10, .type = CRY_COSE_ENCRYPT0, .has_kid = true,
				       .kid_len = 12 };
	memcpy(c.as[0].kid, "Symmetric128", 12);
	c.as[0].key_len = (uint8_t)at_hex(AT_K128, c.as[0].key, 16);
	c.as[1] = (struct ctl_ace_as){ .alg = 4, .type = CRY_COSE_MAC0 };
	c.as[1].key_len = (uint8_t)at_hex(AT_K128, c.as[1].key, 16);
	strcpy(c.audience[0], "coap://light.example.com");
	c.rs_id[0] = 0xaa;
	strcpy(c.text_scope[0].name, "r");
	cr_assert_eq(ctl_ace_scope_add(&c.text_scope[0].aif, "/s/temp", 7, 1), 0);
	cr_assert_eq(ctl_ace_exi_init(&x, 4), 0);
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		uint8_t buf[1024];
		size_t n = read_seed(seeds[i], buf, sizeof(buf));
		struct ctl_ace_authz_req r;
		struct ctl_ace_token t;
		struct osc_params p;
		uint8_t n2[8] = { 0 }, id2[1] = { 0x20 };

		cr_assert_eq(buf[0], 0);
		cr_assert_eq(ctl_ace_authz_parse(buf + 1, n - 1, &r), CTL_ACE_OK, "%s", seeds[i]);
		cr_assert_eq(ctl_ace_token_verify(&c, &x, r.token, r.token_len, 1444000000, false, &t),
			     CTL_ACE_OK, "%s", seeds[i]);
		cr_assert_eq(t.as, i == 2 ? 1u : 0u);
		cr_assert_eq(t.scope.n, i == 1 ? 3 : 1);
		cr_assert_eq(ctl_ace_osc_params(&t, r.n1, r.n1_len, n2, 8, r.id1, r.id1_len, id2, 1,
						false, &p),
			     r.has_n1 ? 0 : -EINVAL, "%s", seeds[i]);
		ctl_ace_authz_req_free(&r);
	}
	ctl_ace_exi_free(&x);
}
