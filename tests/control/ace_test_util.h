/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the ACE tests: hex, a test configuration, and tokens built with the project's COSE. */
#ifndef ACE_TEST_UTIL_H
#define ACE_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "control/ace/ctl_ace.h"
#include "crypto/cry_cbor.h"
#include "crypto/cry_cose.h"
#include "crypto/cry_hkdf.h"
#include "oscore/osc_hex.h"

static inline size_t at_hex(const char *hex, uint8_t *out, size_t cap)
{
	int n = osc_hex_decode(hex, strlen(hex), out, cap);

	cr_assert_geq(n, 0, "bad test hex");
	return (size_t)n;
}

/* RFC 8392 A.2 keys */
#define AT_K128 "231f4c4d4d3051fdc2ec0a3851d5b383"
#define AT_K256 "403697de87af64611c1d32a05dab0fe1fcb715a86ab435f1ec99192d79569388"
#define AT_EC_X "143329cce7868e416927599cf65a34f3ce2ffda55a7eca69ed8919a394d42f0f"
#define AT_EC_Y "60f7f1a780d8a783bfb7a2dd6b2796e8128dbbcef9d3d168db9529971a36e7b9"
#define AT_EC_D "6c1382765aec5358f117733d281c1c7bdc39884d04a45a1e6c67c858bc206c19"

/* Three ASes with the RFC 8392 keys and kids: 0 Encrypt0 (alg 10), 1 Mac0 (HMAC 256/64),
 * 2 Sign1 (ES256). Audience and iss as in RFC 8392 A.1; text scopes "r" and "w". */
static inline void at_conf(struct ctl_ace_conf *c)
{
	uint8_t x[32], y[32];
	struct cry_coords co = { .crv = CRY_CRV_P256, .x = x, .x_len = 32, .y = y, .y_len = 32 };

	memset(c, 0, sizeof(*c));
	c->n_as = 3;
	for (unsigned i = 0; i < 3; i++)
		strcpy(c->as[i].iss, "coap://as.example.com");
	c->as[0] = (struct ctl_ace_as){ .alg = CRY_AES_CCM_16_64_128, .type = CRY_COSE_ENCRYPT0,
					.has_kid = true, .kid_len = 12 };
	memcpy(c->as[0].kid, "Symmetric128", 12);
	c->as[0].key_len = (uint8_t)at_hex(AT_K128, c->as[0].key, 32);
	c->as[1] = (struct ctl_ace_as){ .alg = CRY_COSE_HMAC256_64, .type = CRY_COSE_MAC0,
					.has_kid = true, .kid_len = 12 };
	memcpy(c->as[1].kid, "Symmetric256", 12);
	c->as[1].key_len = (uint8_t)at_hex(AT_K256, c->as[1].key, 32);
	c->as[2] = (struct ctl_ace_as){ .alg = CRY_SIG_ES256, .type = CRY_COSE_SIGN1,
					.has_kid = true, .kid_len = 18 };
	memcpy(c->as[2].kid, "AsymmetricECDSA256", 18);
	at_hex(AT_EC_X, x, 32);
	at_hex(AT_EC_Y, y, 32);
	cr_assert_eq(cry_pkey_from_coords(&c->as[2].pkey, &co), 0);
	for (unsigned i = 0; i < 3; i++)
		strcpy(c->as[i].iss, "coap://as.example.com");
	c->n_audience = 1;
	strcpy(c->audience[0], "coap://light.example.com");
	c->max_tokens = 16;
	c->n_text_scopes = 2;
	strcpy(c->text_scope[0].name, "r");
	ctl_ace_scope_init(&c->text_scope[0].aif);
	cr_assert_eq(ctl_ace_scope_add(&c->text_scope[0].aif, "/s/temp", 7, 1), 0);
	strcpy(c->text_scope[1].name, "w");
	ctl_ace_scope_init(&c->text_scope[1].aif);
	cr_assert_eq(ctl_ace_scope_add(&c->text_scope[1].aif, "/a/led", 6, 4), 0);
}

/* Claims a test token carries; unset fields are left out. */
struct at_claims {
	const char *iss, *aud, *scope_text;
	const uint8_t *scope_aif;
	size_t scope_aif_len;
	int64_t exp, nbf, exi;  /* 0 = absent */
	const uint8_t *cti;
	size_t cti_len;
	int profile;            /* 0 = absent */
	const uint8_t *osc;     /* encoded OSCORE_Input_Material map, or NULL */
	size_t osc_len;
	const uint8_t *cnf_kid; /* cnf {3: kid} when osc is NULL */
	size_t cnf_kid_len;
};

static inline void at_put_text(struct cry_cbor_buf *b, int key, const char *s)
{
	if (s == NULL)
		return;
	cry_cbor_int(b, key);
	cry_cbor_tstr(b, s);
}

static inline void at_put_int(struct cry_cbor_buf *b, int key, int64_t v)
{
	if (v == 0)
		return;
	cry_cbor_int(b, key);
	cry_cbor_int(b, v);
}

static inline int at_claims_encode(const struct at_claims *k, uint8_t *out, size_t cap)
{
	struct cry_cbor_buf b;
	unsigned n = (k->iss != NULL) + (k->aud != NULL) + (k->scope_text || k->scope_aif) +
		     (k->exp != 0) + (k->nbf != 0) + (k->exi != 0) + (k->cti != NULL) +
		     (k->profile != 0) + (k->osc != NULL || k->cnf_kid != NULL);

	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, n);
	at_put_text(&b, CTL_ACE_C_ISS, k->iss);
	at_put_text(&b, CTL_ACE_C_AUD, k->aud);
	at_put_int(&b, CTL_ACE_C_EXP, k->exp);
	at_put_int(&b, CTL_ACE_C_NBF, k->nbf);
	if (k->cti != NULL) {
		cry_cbor_int(&b, CTL_ACE_C_CTI);
		cry_cbor_bstr(&b, k->cti, k->cti_len);
	}
	if (k->osc != NULL || k->cnf_kid != NULL) {
		cry_cbor_int(&b, CTL_ACE_C_CNF);
		cry_cbor_head(&b, CRY_CBOR_MAP, 1);
		if (k->osc != NULL) {
			cry_cbor_int(&b, CTL_ACE_CNF_OSC);
			cry_cbor_raw(&b, k->osc, k->osc_len);
		} else {
			cry_cbor_int(&b, CTL_ACE_CNF_KID);
			cry_cbor_bstr(&b, k->cnf_kid, k->cnf_kid_len);
		}
	}
	at_put_text(&b, CTL_ACE_C_SCOPE, k->scope_text);
	if (k->scope_aif != NULL) {
		cry_cbor_int(&b, CTL_ACE_C_SCOPE);
		cry_cbor_bstr(&b, k->scope_aif, k->scope_aif_len);
	}
	at_put_int(&b, CTL_ACE_C_PROFILE, k->profile);
	at_put_int(&b, CTL_ACE_C_EXI, k->exi);
	return cry_cbor_done(&b);
}

/* A token from AS as_idx of at_conf: Encrypt0 (fixed IV), Mac0 or Sign1 over the claims. */
static inline size_t at_token(const struct ctl_ace_conf *c, unsigned as_idx,
			      const struct at_claims *k, uint8_t *out, size_t cap)
{
	uint8_t claims[512], iv[13] = { 0x99, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	int n = at_claims_encode(k, claims, sizeof(claims)), len;
	const struct ctl_ace_as *as = &c->as[as_idx];
	struct cry_cose_params p = { .alg = as->alg, .kid = as->kid, .kid_len = as->kid_len,
				     .iv = iv, .iv_len = 13 };
	struct cry_pkey *priv = NULL;

	cr_assert_gt(n, 0);
	if (as->type == CRY_COSE_ENCRYPT0) {
		len = cry_cose_encrypt0_seal(&p, as->key, as->key_len, claims, (size_t)n, out, cap);
	} else if (as->type == CRY_COSE_MAC0) {
		p.iv = NULL;
		len = cry_cose_mac0_create(&p, as->key, as->key_len, claims, (size_t)n, out, cap);
	} else {
		uint8_t x[32], y[32], d[32];
		struct cry_coords co = { .crv = CRY_CRV_P256, .x = x, .x_len = 32, .y = y,
					 .y_len = 32, .d = d, .d_len = 32 };

		at_hex(AT_EC_X, x, 32);
		at_hex(AT_EC_Y, y, 32);
		at_hex(AT_EC_D, d, 32);
		cr_assert_eq(cry_pkey_from_coords(&priv, &co), 0);
		p.iv = NULL;
		len = cry_cose_sign1_create(&p, priv, claims, (size_t)n, out, cap);
		cry_pkey_free(priv);
	}
	cr_assert_gt(len, 0);
	return (size_t)len;
}

#endif
