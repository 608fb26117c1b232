/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 8613 Appendix C through the library, in both directions. */
#include <criterion/criterion.h>

#include "oscore/osc_protect.h"
#include "vectors.h"

static struct cry_engine *eng;

static void setup(void)
{
	eng = cry_engine_new();
	cr_assert_not_null(eng);
}

static void teardown(void)
{
	cry_engine_free(eng);
}

TestSuite(rfc8613, .init = setup, .fini = teardown);

static void params_of(const struct ctx_vector *v, struct osc_params *p)
{
	memset(p, 0, sizeof(*p));
	p->secret_len = (uint8_t)hex2bin(v->secret, p->secret, sizeof(p->secret));
	p->salt_len = (uint8_t)hex2bin(v->salt, p->salt, sizeof(p->salt));
	p->sender_id_len = (uint8_t)hex2bin(v->sender_id, p->sender_id, OSC_ID_MAX);
	p->recipient_id_len = (uint8_t)hex2bin(v->recipient_id, p->recipient_id, OSC_ID_MAX);
	if (v->id_ctx) {
		p->has_id_ctx = true;
		p->id_ctx_len = (uint8_t)hex2bin(v->id_ctx, p->id_ctx, sizeof(p->id_ctx));
	}
}

static void derive(int idx, struct osc_ctx *c)
{
	struct osc_params p;

	params_of(&ctx_vectors[idx], &p);
	cr_assert_eq(osc_ctx_derive(c, &p), OSC_CTX_OK, "%s", ctx_vectors[idx].name);
}

static void expect_hex(const uint8_t *b, size_t n, const char *want, const char *what,
		       const char *name)
{
	char got[2 * 4096 + 1];

	cr_assert_lt(n, sizeof(got) / 2);
	bin2hex(b, n, got);
	cr_expect_str_eq(got, want, "%s %s", name, what);
}

static void check_info(const struct ctx_vector *v)
{
	struct osc_params p;
	uint8_t buf[128];
	int n;

	params_of(v, &p);
	osc_params_defaults(&p);
	n = osc_hkdf_info(buf, sizeof(buf), p.sender_id, p.sender_id_len, &p, "Key", 16);
	expect_hex(buf, (size_t)n, v->info_sender_key, "info sender key", v->name);
	n = osc_hkdf_info(buf, sizeof(buf), p.recipient_id, p.recipient_id_len, &p, "Key", 16);
	expect_hex(buf, (size_t)n, v->info_recipient_key, "info recipient key", v->name);
	n = osc_hkdf_info(buf, sizeof(buf), NULL, 0, &p, "IV", 13);
	expect_hex(buf, (size_t)n, v->info_common_iv, "info common iv", v->name);
}

/* C.1.1 to C.3.2: HKDF info arrays, keys, Common IV and the nonces for Partial IV 0. */
Test(rfc8613, c1_c3_context_derivation)
{
	const uint8_t piv0 = 0;
	size_t i;

	for (i = 0; i < sizeof(ctx_vectors) / sizeof(ctx_vectors[0]); i++) {
		const struct ctx_vector *v = &ctx_vectors[i];
		struct osc_ctx c;
		uint8_t nonce[13];

		check_info(v);
		derive((int)i, &c);
		expect_hex(c.sender_key.raw, 16, v->sender_key, "sender key", v->name);
		expect_hex(c.recipient_key.raw, 16, v->recipient_key, "recipient key", v->name);
		expect_hex(c.common_iv, 13, v->common_iv, "common iv", v->name);
		osc_nonce(nonce, &c, c.sender_id, c.sender_id_len, &piv0, 1);
		expect_hex(nonce, 13, v->sender_nonce_piv0, "sender nonce", v->name);
		osc_nonce(nonce, &c, c.recipient_id, c.recipient_id_len, &piv0, 1);
		expect_hex(nonce, 13, v->recipient_nonce_piv0, "recipient nonce", v->name);
		osc_ctx_wipe(&c);
	}
}

/* C.4 to C.6: the client protects at SSN 20 and gets the RFC's bytes. */
Test(rfc8613, c4_c6_protect_request)
{
	size_t i;

	for (i = 0; i < sizeof(req_vectors) / sizeof(req_vectors[0]); i++) {
		const struct req_vector *v = &req_vectors[i];
		uint8_t in[256], out[256];
		struct osc_exchange ex;
		struct osc_ctx c;
		int len = hex2bin(v->plain, in, sizeof(in)), n;

		derive(v->client, &c);
		c.ssn = 20;
		n = osc_protect_request(eng, &c, in, (size_t)len, out, sizeof(out),
					v->kid_ctx ? OSC_F_KID_CTX : 0, &ex);
		cr_assert_gt(n, 0, "%s: %s", v->name, osc_err_name(-n));
		expect_hex(out, (size_t)n, v->protected_, "protected request", v->name);
		expect_hex(ex.nonce, 13, v->nonce, "nonce", v->name);
		cr_expect_eq(c.ssn, 21, "%s: SSN advanced once", v->name);
		osc_ctx_wipe(&c);
	}
}

/* C.4 to C.6 backwards: the server verifies and recovers the original request. */
Test(rfc8613, c4_c6_unprotect_request)
{
	size_t i;

	for (i = 0; i < sizeof(req_vectors) / sizeof(req_vectors[0]); i++) {
		const struct req_vector *v = &req_vectors[i];
		uint8_t in[256], out[256];
		struct osc_exchange ex;
		struct osc_ctx c;
		int len = hex2bin(v->protected_, in, sizeof(in)), n;

		derive(v->server, &c);
		n = osc_unprotect_request(eng, &c, in, (size_t)len, out, sizeof(out), &ex);
		cr_assert_gt(n, 0, "%s: %s", v->name, osc_err_name(-n));
		expect_hex(out, (size_t)n, v->plain, "unprotected request", v->name);
		expect_hex(ex.nonce, 13, v->nonce, "request nonce", v->name);
		cr_expect_eq(ex.piv_len, 1);
		cr_expect_eq(ex.piv[0], 0x14);
		osc_ctx_wipe(&c);
	}
}

/* The exchange C.4's request leaves behind, as the server sees it. */
static void c4_exchange(struct osc_exchange *ex)
{
	uint8_t nonce[13];

	*ex = (struct osc_exchange){ .kid_len = 0, .piv_len = 1, .piv = { 0x14 } };
	cr_assert_eq(hex2bin("4622d4dd6d944168eefb549868", nonce, sizeof(nonce)), 13);
	memcpy(ex->nonce, nonce, 13);
}

/* C.7 and C.8: the server answers C.4 with and without its own Partial IV. */
Test(rfc8613, c7_c8_protect_response)
{
	size_t i;

	for (i = 0; i < sizeof(resp_vectors) / sizeof(resp_vectors[0]); i++) {
		const struct resp_vector *v = &resp_vectors[i];
		uint8_t in[256], out[256];
		struct osc_exchange ex;
		struct osc_ctx c;
		int len = hex2bin(v->plain, in, sizeof(in)), n;

		derive(1, &c);
		c4_exchange(&ex);
		n = osc_protect_response(eng, &c, &ex, in, (size_t)len, out, sizeof(out),
					 v->own_piv ? OSC_F_OWN_PIV : 0);
		cr_assert_gt(n, 0, "%s: %s", v->name, osc_err_name(-n));
		expect_hex(out, (size_t)n, v->protected_, "protected response", v->name);
		cr_expect_eq(c.ssn, v->own_piv ? 1 : 0, "%s: SSN used only with own PIV", v->name);
		osc_ctx_wipe(&c);
	}
}

/* C.7 and C.8 backwards: the client verifies the answers to its C.4 request. */
Test(rfc8613, c7_c8_unprotect_response)
{
	size_t i;

	for (i = 0; i < sizeof(resp_vectors) / sizeof(resp_vectors[0]); i++) {
		const struct resp_vector *v = &resp_vectors[i];
		uint8_t in[256], out[256];
		struct osc_exchange ex;
		struct osc_ctx c;
		int len = hex2bin(v->protected_, in, sizeof(in)), n;

		derive(0, &c);
		c4_exchange(&ex);
		n = osc_unprotect_response(eng, &c, &ex, in, (size_t)len, out, sizeof(out));
		cr_assert_gt(n, 0, "%s: %s", v->name, osc_err_name(-n));
		expect_hex(out, (size_t)n, v->plain, "unprotected response", v->name);
		osc_ctx_wipe(&c);
	}
}

/* §5.4 example: request_kid 00, request_piv 25. */
Test(rfc8613, s5_4_aad)
{
	uint8_t aad[OSC_AAD_MAX], kid = 0x00, piv = 0x25;
	int n = osc_aad(aad, cry_alg_by_cose(10), &kid, 1, &piv, 1);

	cr_assert_gt(n, 0);
	expect_hex(aad, (size_t)n, "8368456e63727970743040498501810a4100412540", "aad", "5.4");
}

/* The AADs and nonces of C.4 to C.6 on their own. */
Test(rfc8613, c4_c6_aad_and_nonce)
{
	size_t i;

	for (i = 0; i < sizeof(req_vectors) / sizeof(req_vectors[0]); i++) {
		const struct req_vector *v = &req_vectors[i];
		uint8_t aad[OSC_AAD_MAX], nonce[13], piv = 0x14;
		struct osc_ctx c;
		int n;

		derive(v->client, &c);
		n = osc_aad(aad, osc_ctx_alg(&c), c.sender_id, c.sender_id_len, &piv, 1);
		expect_hex(aad, (size_t)n, v->aad, "aad", v->name);
		osc_nonce(nonce, &c, c.sender_id, c.sender_id_len, &piv, 1);
		expect_hex(nonce, 13, v->nonce, "nonce", v->name);
		osc_ctx_wipe(&c);
	}
}
