/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EDHOC credentials (RFC 9528 §3.5): CCS with a COSE_Key and X.509 certificates, how ID_CRED_x
 * refers to them (kid, kccs, x5t, x5chain; RFC 9360 for the X.509 ones), and the trust store
 * a received ID_CRED_x is checked against.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "control/edhoc/edh_internal.h"
#include "crypto/cry_aead.h"
#include "crypto/cry_cose.h"

#define TRUST_MAX 4096 /* pinned credentials at most: lookups are linear */

void edh_cred_free(struct edh_cred *c)
{
	cry_pkey_free(c->pub);
	free(c->cred);
	free(c->id_cred);
	cry_wipe(c, sizeof(*c));
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	if (d && n)
		memcpy(d, p, n);
	return d;
}

/* c->id_cred = {label: value-encoding-of v} built from an encoder callback's bytes. */
static bool set_id_cred(struct edh_cred *c, const uint8_t *enc, size_t len)
{
	c->id_cred = dup_bytes(enc, len);
	c->id_cred_len = len;
	return c->id_cred != NULL;
}

/* The COSE_Key of a CCS {.., 8: {1: COSE_Key}} (RFC 8747 cnf), as a key with the given d. */
static enum edh_status ccs_key(const cbor_item_t *ccs, const uint8_t *d, size_t d_len,
			       struct edh_cred *c)
{
	const cbor_item_t *cnf = cry_cbor_map_int(ccs, EDH_CCS_CNF);
	const cbor_item_t *ck = cnf ? cry_cbor_map_int(cnf, EDH_CNF_COSE_KEY) : NULL;
	struct cry_cose_key k;

	if (ck == NULL || cry_cose_key_read(ck, &k) || k.kid == NULL || k.kid_len == 0 ||
	    k.kid_len > EDH_CID_MAX)
		return EDH_E_MALFORMED;
	if (d) {
		k.d = d;
		k.d_len = d_len;
	}
	if (cry_cose_key_pkey(&k, &c->pub))
		return EDH_E_MALFORMED;
	memcpy(c->kid, k.kid, k.kid_len);
	c->kid_len = k.kid_len;
	return EDH_OK;
}

enum edh_status edh_cred_ccs(struct edh_cred *c, const uint8_t *ccs, size_t len,
			     const uint8_t *d, size_t d_len)
{
	cbor_item_t *it = NULL;
	uint8_t idc[16];
	struct cry_cbor_buf b;
	enum edh_status st = EDH_E_MALFORMED;

	memset(c, 0, sizeof(*c));
	if (cry_cbor_decode(ccs, len, &edh_cbor_limits, &it, NULL) == 0 && cbor_isa_map(it))
		st = ccs_key(it, d, d_len, c);
	if (it)
		cbor_decref(&it);
	cry_cbor_init(&b, idc, sizeof(idc)); /* ID_CRED = {4: kid} (§3.5.3) */
	cry_cbor_head(&b, CRY_CBOR_MAP, 1);
	cry_cbor_int(&b, EDH_IDCRED_KID);
	cry_cbor_bstr(&b, c->kid, c->kid_len);
	if (st == EDH_OK && (!set_id_cred(c, idc, b.len) || !(c->cred = dup_bytes(ccs, len))))
		st = EDH_E_INTERNAL;
	c->cred_len = len;
	if (st != EDH_OK)
		edh_cred_free(c);
	return st;
}

/* {2: sub, 8: {1: COSE_Key}} of key (RFC 8392 claims, RFC 8747 cnf) into out[0..cap). */
static int ccs_encode(const struct cry_cose_key *key, const char *sub, uint8_t *out, size_t cap)
{
	uint8_t k[256];
	int kl = cry_cose_key_write(key, k, sizeof(k));
	struct cry_cbor_buf b;

	if (kl < 0)
		return -1;
	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, 2);
	cry_cbor_int(&b, EDH_CCS_SUB);
	cry_cbor_tstr(&b, sub);
	cry_cbor_int(&b, EDH_CCS_CNF);
	cry_cbor_head(&b, CRY_CBOR_MAP, 1);
	cry_cbor_int(&b, EDH_CNF_COSE_KEY);
	cry_cbor_raw(&b, k, (size_t)kl);
	return cry_cbor_done(&b);
}

enum edh_status edh_cred_ccs_generate(int crv, const uint8_t *kid, size_t kid_len,
				      const char *sub, struct edh_cred *own,
				      struct edh_cred *pub)
{
	uint8_t d[32], x[32], y[32], ccs[512];
	struct cry_coords c = { .crv = crv, .d = d, .d_len = 32 };
	struct cry_pkey *k = NULL;
	struct cry_cose_key ck = { .kty = crv == CRY_CRV_P256 ? CRY_KTY_EC2 : CRY_KTY_OKP,
				   .crv = crv, .kid = kid, .kid_len = kid_len, .x = x, .x_len = 32,
				   .y = crv == CRY_CRV_P256 ? y : NULL, .y_len = 32 };
	enum edh_status st = EDH_E_INTERNAL;
	int n;

	memset(own, 0, sizeof(*own));
	if (kid_len == 0 || kid_len > EDH_CID_MAX || strlen(sub) > 256)
		return EDH_E_MALFORMED;
	/* a random d is a valid key on all three curves but with probability 2^-32 on P-256 */
	if (RAND_bytes(d, sizeof(d)) == 1 && cry_pkey_from_coords(&k, &c) == 0 &&
	    cry_pkey_export_public(k, x, ck.y ? y : NULL) == 0 &&
	    (n = ccs_encode(&ck, sub, ccs, sizeof(ccs))) > 0) {
		st = edh_cred_ccs(own, ccs, (size_t)n, d, sizeof(d));
		if (st == EDH_OK && pub && (st = edh_cred_ccs(pub, ccs, (size_t)n, NULL, 0)))
			edh_cred_free(own);
	}
	cry_pkey_free(k);
	cry_wipe(d, sizeof(d));
	return st;
}

enum edh_status edh_cred_by_value(struct edh_cred *c)
{
	uint8_t *p;

	if (c->x509)
		return EDH_E_MALFORMED;
	p = malloc(c->cred_len + 2);
	if (p == NULL)
		return EDH_E_INTERNAL;
	p[0] = 0xa1; /* map(1) */
	p[1] = EDH_IDCRED_KCCS;
	memcpy(p + 2, c->cred, c->cred_len);
	free(c->id_cred);
	c->id_cred = p;
	c->id_cred_len = c->cred_len + 2;
	return EDH_OK;
}

/* The public key of a certificate as a cry_pkey (with d when given): Ed25519, X25519, P-256. */
static enum edh_status x509_key(X509 *x, const uint8_t *d, size_t d_len, struct cry_pkey **out)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	uint8_t pt[65];
	size_t n = sizeof(pt);
	struct cry_coords c = { .d = d, .d_len = d_len, .x = pt, .x_len = 32 };

	if (pk == NULL)
		return EDH_E_MALFORMED;
	if (EVP_PKEY_is_a(pk, "ED25519") || EVP_PKEY_is_a(pk, "X25519")) {
		c.crv = EVP_PKEY_is_a(pk, "ED25519") ? CRY_CRV_ED25519 : CRY_CRV_X25519;
		if (!EVP_PKEY_get_raw_public_key(pk, pt, &n) || n != 32)
			return EDH_E_MALFORMED;
	} else if (EVP_PKEY_is_a(pk, "EC")) {
		/* uncompressed point 04 || x || y of a P-256 key */
		if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
						     sizeof(pt), &n) || n != 65 || pt[0] != 4)
			return EDH_E_MALFORMED;
		c = (struct cry_coords){ .crv = CRY_CRV_P256, .x = pt + 1, .x_len = 32,
					 .y = pt + 33, .y_len = 32, .d = d, .d_len = d_len };
	} else {
		return EDH_E_MALFORMED;
	}
	return cry_pkey_from_coords(out, &c) ? EDH_E_MALFORMED : EDH_OK;
}

/* ID_CRED of a certificate (RFC 9360): {34: [-15, SHA-256/64]} or {33: bstr(DER)}. */
static bool x509_id_cred(struct edh_cred *c, const uint8_t *der, size_t len,
			 enum edh_x509_ref ref)
{
	size_t cap = 16 + len;
	uint8_t *p = malloc(cap);
	struct cry_cbor_buf b;

	if (p == NULL)
		return false;
	cry_cbor_init(&b, p, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, 1);
	if (ref == EDH_X509_BY_X5T) {
		cry_cbor_int(&b, EDH_IDCRED_X5T);
		cry_cbor_head(&b, CRY_CBOR_ARRAY, 2);
		cry_cbor_int(&b, EDH_X5T_SHA256_64);
		cry_cbor_bstr(&b, c->x5t, 8);
	} else {
		cry_cbor_int(&b, EDH_IDCRED_X5CHAIN);
		cry_cbor_bstr(&b, der, len);
	}
	c->id_cred = p;
	c->id_cred_len = b.len;
	return true;
}

/* CRED_x of a certificate is bstr(DER) (§3.5.2). */
static bool x509_cred(struct edh_cred *c, const uint8_t *der, size_t len)
{
	struct cry_cbor_buf b;

	c->cred = malloc(len + 9);
	if (c->cred == NULL)
		return false;
	cry_cbor_init(&b, c->cred, len + 9);
	cry_cbor_bstr(&b, der, len);
	c->cred_len = b.len;
	return true;
}

enum edh_status edh_cred_x509(struct edh_cred *c, const uint8_t *der, size_t len,
			      enum edh_x509_ref ref, const uint8_t *d, size_t d_len)
{
	const uint8_t *p = der;
	X509 *x = len <= EDH_MSG_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;
	enum edh_status st = EDH_E_MALFORMED;
	unsigned hl = 0;

	memset(c, 0, sizeof(*c));
	c->x509 = true;
	if (x && p == der + len)
		st = x509_key(x, d, d_len, &c->pub);
	X509_free(x);
	if (st == EDH_OK && (!EVP_Digest(der, len, c->x5t, &hl, EVP_sha256(), NULL) ||
			     !x509_cred(c, der, len) || !x509_id_cred(c, der, len, ref)))
		st = EDH_E_INTERNAL;
	if (st != EDH_OK)
		edh_cred_free(c);
	return st;
}

struct edh_trust *edh_trust_new(void)
{
	struct edh_trust *t = calloc(1, sizeof(*t));

	if (t && !(t->cas = X509_STORE_new())) {
		free(t);
		t = NULL;
	}
	return t;
}

void edh_trust_free(struct edh_trust *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i < t->n; i++)
		edh_cred_free(&t->creds[i]);
	free(t->creds);
	X509_STORE_free(t->cas);
	free(t);
}

enum edh_status edh_trust_add(struct edh_trust *t, struct edh_cred *c)
{
	if (t->n == t->cap) {
		unsigned cap = t->cap ? 2 * t->cap : 8;
		struct edh_cred *n = cap <= TRUST_MAX ? realloc(t->creds, cap * sizeof(*n)) : NULL;

		if (n == NULL)
			return EDH_E_INTERNAL;
		t->creds = n;
		t->cap = cap;
	}
	t->creds[t->n++] = *c;
	memset(c, 0, sizeof(*c));
	return EDH_OK;
}

enum edh_status edh_trust_add_ca(struct edh_trust *t, const uint8_t *der, size_t len)
{
	const uint8_t *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	enum edh_status st = EDH_E_MALFORMED;

	if (x && p == der + len)
		st = X509_STORE_add_cert(t->cas, x) ? EDH_OK : EDH_E_INTERNAL;
	X509_free(x);
	return st;
}

const struct edh_cred *edh_own_cred(const struct edh_config *cfg, const struct edh_suite *su,
				    bool static_dh)
{
	int crv = edh_suite_auth_crv(su, static_dh);

	for (unsigned i = 0; i < cfg->n_own; i++)
		if (cry_pkey_crv(cfg->own[i].pub) == crv && cry_pkey_has_private(cfg->own[i].pub))
			return &cfg->own[i];
	return NULL;
}

void edh_id_cred_write(struct cry_cbor_buf *b, const struct edh_cred *c)
{
	/* §3.5.3.2: ID_CRED {4: kid} goes as kid alone, a one-byte int when it is one */
	if (c->id_cred_len >= 3 && c->id_cred[0] == 0xa1 && c->id_cred[1] == EDH_IDCRED_KID)
		edh_cid_write(b, c->kid, c->kid_len);
	else
		cry_cbor_raw(b, c->id_cred, c->id_cred_len);
}
