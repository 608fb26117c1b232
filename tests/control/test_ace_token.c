/* SPDX-License-Identifier: BSD-3-Clause */
/* ACE token verification: RFC 8392 A vectors through the RS checks, the RFC 9200 §5.10.1.1
 * priority order, OSCORE_Input_Material, exi/cti, update tokens. */
#include <errno.h>
#include <stdlib.h>

#include "ace_test_util.h"
#include "control/ace/ctl_ace_store.h"

#define A1 "a70175636f61703a2f2f61732e6578616d706c652e636f6d02656572696b77037818636f61703a2f2f6c" \
	   "696768742e6578616d706c652e636f6d041a5612aeb0051a5610d9f0061a5610d9f007420b71"
#define A3 "d28443a10126a104524173796d6d657472696345434453413235365850" A1                       \
	   "58405427c1ff28d23fbad1f29c4c7c6a555e601d6fa29f9179bc3d7438bacaca5acd08c8d4d4f9613168" \
	   "0c429a01f85951ecee743a52b9b63632c57209120e1c9e30"
#define A4 "d83dd18443a10104a1044c53796d6d65747269633235365850" A1 "48093101ef6d789200"
#define A5 "d08343a1010aa2044c53796d6d6574726963313238054d99a0d7846e762c49ffe8a63e0b"           \
	   "5858b918a11fd81e438b7f973d9e2e119bcb22424ba0f38a80f27562f400ee1d0d6c0fdb559c02421fd3" \
	   "84fc2ebe22d7071378b0ea7428fff157444d45f7e6afcda1aae5f6495830c58627087fc5b4974f319a87" \
	   "07a635dd643b"
#define A1_NBF 1443944944
#define A1_EXP 1444064944

static struct ctl_ace_conf conf;

static void setup(void)
{
	at_conf(&conf);
}

static void teardown(void)
{
	ctl_ace_conf_release(&conf);
}

static enum ctl_ace_reason verify_hex(const char *hex, int64_t now)
{
	uint8_t tok[400];
	size_t n = at_hex(hex, tok, sizeof(tok));
	struct ctl_ace_token t;

	return ctl_ace_token_verify(&conf, NULL, tok, n, now, false, &t);
}

/* The RFC 8392 tokens carry no scope and no cnf: with everything else right, each one gets past
 * the wrapper, iss, exp and aud and stops at scope (4.00 invalid_scope). */
Test(ace_token, rfc8392_vectors_pass_wrapper_iss_exp_aud, .init = setup, .fini = teardown)
{
	const char *v[] = { A3, A4, A5 };

	for (int i = 0; i < 3; i++) {
		cr_assert_eq(verify_hex(v[i], A1_NBF + 10), CTL_ACE_R_SCOPE, "vector %d", i);
		/* priority: exp is checked before aud and scope */
		cr_assert_eq(verify_hex(v[i], A1_EXP), CTL_ACE_R_EXPIRED);
		cr_assert_eq(verify_hex(v[i], A1_NBF - 1), CTL_ACE_R_NOT_YET);
	}
	strcpy(conf.audience[0], "coap://other.example.com");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(verify_hex(v[i], A1_NBF + 10), CTL_ACE_R_AUD);
	/* iss before exp: a wrong issuer is reported even for an expired token */
	for (unsigned k = 0; k < 3; k++)
		strcpy(conf.as[k].iss, "coap://evil.example.com");
	for (int i = 0; i < 3; i++)
		cr_assert_eq(verify_hex(v[i], A1_EXP + 1), CTL_ACE_R_ISS);
	cr_assert_eq(ctl_ace_reason_code(CTL_ACE_R_ISS), COAP_UNAUTHORIZED);
	cr_assert_eq(ctl_ace_reason_code(CTL_ACE_R_AUD), COAP_FORBIDDEN);
	cr_assert_eq(ctl_ace_reason_code(CTL_ACE_R_SCOPE), COAP_BAD_REQUEST);
}

Test(ace_token, wrapper_failures_are_401_and_garbage_400, .init = setup, .fini = teardown)
{
	uint8_t tok[400];
	size_t n = at_hex(A3, tok, sizeof(tok));
	struct ctl_ace_token t;

	tok[n - 1] ^= 1; /* signature */
	cr_assert_eq(ctl_ace_token_verify(&conf, NULL, tok, n, A1_NBF + 1, false, &t),
		     CTL_ACE_R_WRAPPER);
	n = at_hex(A5, tok, sizeof(tok));
	tok[n - 1] ^= 1; /* CCM tag */
	cr_assert_eq(ctl_ace_token_verify(&conf, NULL, tok, n, A1_NBF + 1, false, &t),
		     CTL_ACE_R_WRAPPER);
	/* a kid no AS has */
	conf.as[1].kid[0] ^= 1;
	cr_assert_eq(verify_hex(A4, A1_NBF + 1), CTL_ACE_R_UNKNOWN_AS);
	cr_assert_eq(ctl_ace_reason_code(CTL_ACE_R_UNKNOWN_AS), COAP_UNAUTHORIZED);
	/* not COSE at all */
	cr_assert_eq(ctl_ace_token_verify(&conf, NULL, (const uint8_t *)"\x01\x02", 2, 0, false, &t),
		     CTL_ACE_R_COSE);
	cr_assert_eq(ctl_ace_reason_code(CTL_ACE_R_COSE), COAP_BAD_REQUEST);
}

/* RFC 9203 §3.2 example claims set (89 bytes), sealed by AS 0. */
#define RFC9203_CLAIMS                                                                          \
	"a5037674656d7053656e736f72496e4c6976696e67526f6f6d061a5112d728041a51145dc8097818746" \
	"56d70657261747572655f67206669726d776172655f7008a104a20041010250f9af838368e353e78888e1" \
	"426bd94e6f"

Test(ace_token, rfc9203_example_claims_set, .init = setup, .fini = teardown)
{
	uint8_t claims[128], tok[256], iv[13] = { 0 };
	size_t cl = at_hex(RFC9203_CLAIMS, claims, sizeof(claims));
	struct cry_cose_params p = { .alg = 10, .kid = conf.as[0].kid, .kid_len = 12, .iv = iv,
				     .iv_len = 13 };
	int n = cry_cose_encrypt0_seal(&p, conf.as[0].key, 16, claims, cl, tok, sizeof(tok));
	struct ctl_ace_token t;

	cr_assert_eq(cl, 89);
	cr_assert_gt(n, 0);
	strcpy(conf.audience[0], "tempSensorInLivingRoom");
	strcpy(conf.text_scope[0].name, "temperature_g");
	strcpy(conf.text_scope[1].name, "firmware_p");
	cr_assert_eq(ctl_ace_token_verify(&conf, NULL, tok, (size_t)n, 1360289224 - 1, false, &t),
		     CTL_ACE_OK);
	cr_assert_eq(t.as, 0);
	cr_assert_eq(t.expires, 1360289224);
	cr_assert_eq(t.osc_id_len, 1);
	cr_assert_eq(t.osc_id[0], 1);
	cr_assert_eq(t.ms_len, 16);
	cr_assert_eq(t.ms[0], 0xf9);
	cr_assert_eq(t.alg->cose, CRY_AES_CCM_16_64_128); /* defaults, RFC 8613 §3.2 */
	cr_assert_eq(t.hkdf, CRY_HKDF_SHA256);
	cr_assert_not(t.has_context_id);
	cr_assert_eq(t.scope.n, 2); /* both text scope-tokens mapped */
	/* an unknown scope-token is "scope not understood" */
	strcpy(conf.text_scope[1].name, "firmware_q");
	cr_assert_eq(ctl_ace_token_verify(&conf, NULL, tok, (size_t)n, 1360289224 - 1, false, &t),
		     CTL_ACE_R_SCOPE);
	cr_assert_eq(t.ms_len, 0, "a refused token leaves no secret behind");
}

static uint8_t osc_buf[128];

/* Encode an OSCORE_Input_Material with the fields given (hkdf/alg 0 = absent). */
static size_t osc_material(const char *id, const char *ms, const char *salt, const char *ctxid,
			   int hkdf, int alg, int extra_label)
{
	uint8_t v[64];
	struct cry_cbor_buf b;
	unsigned n = (id != NULL) + (ms != NULL) + (salt != NULL) + (ctxid != NULL) + (hkdf != 0) +
		     (alg != 0) + (extra_label != 0);

	cry_cbor_init(&b, osc_buf, sizeof(osc_buf));
	cry_cbor_head(&b, CRY_CBOR_MAP, n);
	const char *vals[] = { id, NULL, ms, NULL, NULL, salt, ctxid };
	for (int label = 0; label <= 6; label++) {
		if (label == 3 && hkdf) {
			cry_cbor_int(&b, 3);
			cry_cbor_int(&b, hkdf);
		} else if (label == 4 && alg) {
			cry_cbor_int(&b, 4);
			cry_cbor_int(&b, alg);
		} else if (vals[label] != NULL) {
			cry_cbor_int(&b, label);
			cry_cbor_bstr(&b, v, at_hex(vals[label], v, sizeof(v)));
		}
	}
	if (extra_label) {
		cry_cbor_int(&b, extra_label);
		cry_cbor_int(&b, 0);
	}
	cr_assert_gt(cry_cbor_done(&b), 0);
	return (size_t)cry_cbor_done(&b);
}

static enum ctl_ace_reason verify_claims(unsigned as, const struct at_claims *k, int64_t now,
					 struct ctl_ace_exi *x, bool update, struct ctl_ace_token *t)
{
	uint8_t tok[1024];
	size_t n = at_token(&conf, as, k, tok, sizeof(tok));

	return ctl_ace_token_verify(&conf, x, tok, n, now, update, t);
}

static struct at_claims good(void)
{
	struct at_claims k = { .iss = "coap://as.example.com", .aud = "coap://light.example.com",
			       .scope_text = "r w", .exp = 2000, .profile = 2 };

	k.osc = osc_buf;
	k.osc_len = osc_material("01", "f9af838368e353e78888e1426bd94e6f", "aabb", "c0", 5, 30, 0);
	return k;
}

Test(ace_token, every_as_type_accepts_a_good_token, .init = setup, .fini = teardown)
{
	for (unsigned as = 0; as < 3; as++) {
		struct at_claims k = good();
		struct ctl_ace_token t;

		cr_assert_eq(verify_claims(as, &k, 1000, NULL, false, &t), CTL_ACE_OK, "as %u", as);
		cr_assert_eq(t.as, as);
		cr_assert_eq(t.alg->cose, CRY_AES_CCM_16_128_128);
		cr_assert_eq(t.hkdf, CRY_HKDF_SHA256); /* 5 = HMAC 256/256 names HKDF SHA-256 */
		cr_assert(t.has_context_id);
		cr_assert_eq(t.context_id[0], 0xc0);
		cr_assert_eq(t.salt_len, 2);
		cr_assert_eq(t.expires, 2000);
	}
}

Test(ace_token, osc_material_rules, .init = setup, .fini = teardown)
{
	struct at_claims k = good();
	struct ctl_ace_token t;

	/* hkdf -10 (direct+HKDF-SHA-256, older implementations) accepted like 5 */
	k.osc_len = osc_material("01", "aa", NULL, NULL, -10, 0, 0);
	cr_assert_eq(verify_claims(0, &k, 1000, NULL, false, &t), CTL_ACE_OK);
	cr_assert_eq(t.hkdf, CRY_HKDF_SHA256);
	k.osc_len = osc_material("01", "aa", NULL, NULL, 6, 0, 0); /* HMAC 384: no HKDF here */
	cr_assert_eq(verify_claims(0, &k, 1000, NULL, false, &t), CTL_ACE_R_OSC);
	k.osc_len = osc_material("01", NULL, NULL, NULL, 0, 0, 0); /* no ms */
	cr_assert_eq(verify_claims(0, &k, 1000, NULL, false, &t), CTL_ACE_R_OSC);
	k.osc_len = osc_material(NULL, "aa", NULL, NULL, 0, 0, 0); /* no id */
	cr_assert_eq(verify_claims(0, &k, 1000, NULL, false, &t), CTL_ACE_R_OSC);
	k.osc_len = osc_material("01", "aa", NULL, NULL, 0, 0, 9); /* unknown field */
	cr_assert_eq(verify_claims(0, &k, 1000, NULL, false, &t), CTL_ACE_R_OSC);
	k.osc_len = osc_material("01", "aa", NULL, NULL, 0, 99, 0); /* unknown AEAD */
	cr_assert_eq(verify_claims(0, &k, 1000, NULL, false, &t), CTL_ACE_R_OSC);
	cr_assert_eq(ctl_ace_reason_code(CTL_ACE_R_OSC), COAP_BAD_REQUEST);
	/* no cnf at all, and cnf {3: kid} outside an update */
	k.osc = NULL;
	cr_assert_eq(verify_claims(0, &k, 1000, NULL, false, &t), CTL_ACE_R_CNF);
	k.cnf_kid = (const uint8_t *)"\x01";
	k.cnf_kid_len = 1;
	cr_assert_eq(verify_claims(0, &k, 1000, NULL, false, &t), CTL_ACE_R_CNF);
	cr_assert_eq(verify_claims(0, &k, 1000, NULL, true, &t), CTL_ACE_OK);
	cr_assert(t.has_cnf_kid);
	cr_assert_not(t.has_osc);
	cr_assert_eq(ctl_ace_reason_error(CTL_ACE_R_CNF), CTL_ACE_E_UNSUPPORTED_POP_KEY);
}

Test(ace_token, claim_checks, .init = setup, .fini = teardown)
{
	struct at_claims k = good();
	struct ctl_ace_token t;
	/* AIF scope [["/s/temp", 1]] as a bstr */
	static const uint8_t aif[] = { 0x81, 0x82, 0x67, '/', 's', '/', 't', 'e', 'm', 'p', 0x01 };

	k.profile = 1; /* coap_dtls */
	cr_assert_eq(verify_claims(1, &k, 1000, NULL, false, &t), CTL_ACE_R_PROFILE);
	k = good();
	k.aud = NULL;
	cr_assert_eq(verify_claims(1, &k, 1000, NULL, false, &t), CTL_ACE_R_AUD);
	k = good();
	k.scope_text = NULL;
	cr_assert_eq(verify_claims(1, &k, 1000, NULL, false, &t), CTL_ACE_R_SCOPE);
	k.scope_aif = aif;
	k.scope_aif_len = sizeof(aif);
	cr_assert_eq(verify_claims(1, &k, 1000, NULL, false, &t), CTL_ACE_OK);
	cr_assert_eq(t.scope.n, 1);
	k.scope_aif_len = sizeof(aif) - 1; /* truncated AIF */
	cr_assert_eq(verify_claims(1, &k, 1000, NULL, false, &t), CTL_ACE_R_SCOPE);
	k = good();
	k.iss = NULL; /* iss is checked only if present (§5.10.1.1) */
	cr_assert_eq(verify_claims(1, &k, 1000, NULL, false, &t), CTL_ACE_OK);
	k.exp = 0; /* no expiry */
	cr_assert_eq(verify_claims(1, &k, 1000, NULL, false, &t), CTL_ACE_OK);
	cr_assert_eq(t.expires, 0);
}

/* RFC 9200 §5.10.3: exi counts from first sight; a repost does not restart it; after expiry the
 * highest expired sequence number bars that token and every lower one. */
Test(ace_token, exi_with_cti_sequence, .init = setup, .fini = teardown)
{
	struct ctl_ace_exi x;
	struct ctl_ace_token t;
	uint8_t cti5[] = { 0xaa, 0x05 }, cti3[] = { 0xaa, 0x03 }, cti9[] = { 0xaa, 0x09 };
	struct at_claims k = good();

	conf.rs_id[0] = 0xaa;
	conf.rs_id_len = 1;
	cr_assert_eq(ctl_ace_exi_init(&x, 4), 0);
	k.exp = 0;
	k.exi = 100;
	k.cti = cti5;
	k.cti_len = 2;
	cr_assert_eq(verify_claims(0, &k, 1000, &x, false, &t), CTL_ACE_OK);
	cr_assert_eq(t.expires, 1100);
	cr_assert_eq(verify_claims(0, &k, 1050, &x, false, &t), CTL_ACE_OK);
	cr_assert_eq(t.expires, 1100, "a repost keeps the first sight's clock");
	cr_assert_eq(verify_claims(0, &k, 1100, &x, false, &t), CTL_ACE_R_EXPIRED);
	cr_assert_eq(verify_claims(0, &k, 5000, &x, false, &t), CTL_ACE_R_EXPIRED);
	k.cti = cti3; /* lower sequence number: expired by the rule */
	cr_assert_eq(verify_claims(0, &k, 5000, &x, false, &t), CTL_ACE_R_EXPIRED);
	k.cti = cti9;
	cr_assert_eq(verify_claims(0, &k, 5000, &x, false, &t), CTL_ACE_OK);
	cr_assert_eq(t.expires, 5100);
	/* the sequence is per AS: AS 1 has seen nothing expire */
	k.cti = cti3;
	cr_assert_eq(verify_claims(1, &k, 5000, &x, false, &t), CTL_ACE_OK);
	/* exi needs cti = rs_id || seq */
	k.cti = (const uint8_t *)"\xbb\x01";
	cr_assert_eq(verify_claims(0, &k, 5000, &x, false, &t), CTL_ACE_R_EXI_CTI);
	k.cti = NULL;
	cr_assert_eq(verify_claims(0, &k, 5000, &x, false, &t), CTL_ACE_R_EXI_CTI);
	/* exp earlier than exi wins */
	k.cti = (const uint8_t *)"\xaa\x0a";
	k.exp = 5050;
	cr_assert_eq(verify_claims(0, &k, 5000, &x, false, &t), CTL_ACE_OK);
	cr_assert_eq(t.expires, 5050);
	/* a refused token is not recorded: the table has 4 slots, three used (9, AS1/3, 10) */
	k.exp = 0;
	k.aud = "nobody";
	k.cti = (const uint8_t *)"\xaa\x0b";
	cr_assert_eq(verify_claims(0, &k, 5000, &x, false, &t), CTL_ACE_R_AUD);
	cr_assert_eq(x.n, 3);
	ctl_ace_exi_free(&x);
}
