/* SPDX-License-Identifier: BSD-3-Clause */
/* Access-token verification (RFC 9200 §5.10.1.1) for the OSCORE profile (RFC 9203 §3.2, §4.2). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "control/ace/ctl_ace.h"
#include "control/ace/ctl_ace_store.h"
#include "crypto/cry_cose.h"
#include "crypto/cry_hkdf.h"

/* Limits for tokens and their claims: a token is at most a few hundred bytes in practice. */
static const struct cry_cbor_limits token_limits = {
	.max_len = 2048,
	.max_depth = 8,
	.max_items = 256,
};

/* ---- the COSE wrapper ---- */

static bool as_matches(const struct ctl_ace_as *as, const struct cry_cose_msg *m)
{
	if (as->type != m->type || as->alg != m->alg)
		return false;
	return !as->has_kid ||
	       (m->kid_len == as->kid_len && memcmp(m->kid, as->kid, as->kid_len) == 0);
}

/*
 * Check m's protection with as; on success *claims (len *n) is the claims set, in *plain
 * (allocated, for Encrypt0) or inside m.
 */
static int unwrap_with(const struct ctl_ace_as *as, const struct cry_cose_msg *m,
		       uint8_t **plain, const uint8_t **claims, size_t *n)
{
	int rc;

	switch (m->type) {
	case CRY_COSE_ENCRYPT0:
		*plain = malloc(m->content_len ? m->content_len : 1);
		if (*plain == NULL)
			return -ENOMEM;
		rc = cry_cose_encrypt0_open(m, as->key, as->key_len, NULL, 0, *plain,
					    m->content_len, n);
		*claims = *plain;
		return rc;
	case CRY_COSE_MAC0:
		rc = cry_cose_mac0_verify(m, as->key, as->key_len, NULL, 0);
		break;
	default:
		rc = cry_cose_sign1_verify(m, as->pkey, NULL, 0);
		break;
	}
	*claims = m->content;
	*n = m->content_len;
	return rc;
}

/*
 * The wrapper (RFC 9200 §5.10.1.1 first stage, RFC 8392 §7.2): decode the token once per
 * message type that some AS uses (untagged Mac0 and Sign1 look alike), and try each AS whose
 * type, algorithm and kid fit. The first that verifies is the issuer.
 */
static enum ctl_ace_reason unwrap(const struct ctl_ace_conf *conf, const uint8_t *tok, size_t len,
				  struct cry_cose_msg *m, uint8_t **plain, const uint8_t **claims,
				  size_t *n, unsigned *as_idx)
{
	enum ctl_ace_reason r = CTL_ACE_R_COSE;

	for (int type = CRY_COSE_ENCRYPT0; type <= CRY_COSE_SIGN1; type++) {
		bool used = false;

		for (unsigned i = 0; i < conf->n_as; i++)
			used |= conf->as[i].type == type;
		if (!used || cry_cose_decode(m, tok, len, CRY_COSE_ACCEPT(type) |
						     CRY_COSE_ACCEPT_CWT_TAG, &token_limits) != 0)
			continue;
		if (r == CTL_ACE_R_COSE)
			r = CTL_ACE_R_UNKNOWN_AS;
		for (unsigned i = 0; i < conf->n_as; i++) {
			if (!as_matches(&conf->as[i], m))
				continue;
			if (unwrap_with(&conf->as[i], m, plain, claims, n) == 0) {
				*as_idx = i;
				return CTL_ACE_OK;
			}
			r = CTL_ACE_R_WRAPPER;
			free(*plain);
			*plain = NULL;
		}
		cry_cose_msg_free(m);
	}
	return r;
}

/* ---- claims ---- */

/* NumericDate (RFC 8392 §2): an integer or a floating-point number of seconds. */
static bool get_date(const cbor_item_t *v, int64_t *out)
{
	double d;

	if (cry_cbor_get_int(v, out))
		return true;
	if (!cbor_isa_float_ctrl(v) || cbor_float_get_width(v) == CBOR_FLOAT_0)
		return false;
	d = cbor_float_get_float(v);
	if (!isfinite(d) || d < -9.2e18 || d > 9.2e18)
		return false;
	*out = (int64_t)floor(d);
	return true;
}

static bool tstr_is(const cbor_item_t *v, const char *want)
{
	const char *s;
	size_t n;

	return cry_cbor_get_tstr(v, &s, &n) && n == strlen(want) && memcmp(s, want, n) == 0;
}

/* aud (RFC 8392 §3.1.3): a string, or (as RFC 7519 allows) an array of them; one must be ours. */
static enum ctl_ace_reason check_aud(const struct ctl_ace_conf *conf, const cbor_item_t *aud)
{
	size_t n = aud != NULL && cbor_isa_array(aud) ? cbor_array_size(aud) : 1;
	cbor_item_t *const *a = aud != NULL && cbor_isa_array(aud) ? cbor_array_handle(aud) : NULL;

	if (aud == NULL)
		return CTL_ACE_R_AUD;
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < conf->n_audience; k++)
			if (tstr_is(a != NULL ? a[i] : aud, conf->audience[k]))
				return CTL_ACE_OK;
	return CTL_ACE_R_AUD;
}

/* A text scope: space-separated scope-tokens (RFC 6749 §3.3), each mapped by the table. */
static enum ctl_ace_reason text_scope(const struct ctl_ace_conf *conf, const char *s, size_t n,
				      struct ctl_ace_scope *out)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		bool found = false;

		while (j < n && s[j] != ' ')
			j++;
		for (unsigned k = 0; k < conf->n_text_scopes && j > i; k++) {
			const struct ctl_ace_text_scope *ts = &conf->text_scope[k];

			if (strlen(ts->name) == j - i && memcmp(ts->name, s + i, j - i) == 0) {
				if (ctl_ace_scope_merge(out, &ts->aif) != 0)
					return CTL_ACE_R_SCOPE;
				found = true;
			}
		}
		if (!found)
			return CTL_ACE_R_SCOPE; /* an unknown scope-token, or two spaces in a row */
		i = j + 1;
	}
	return out->n > 0 ? CTL_ACE_OK : CTL_ACE_R_SCOPE;
}

/* scope (RFC 9200 §5.8.1, RFC 9237 §4): bstr = AIF in CBOR, tstr = mapped text scope. */
static enum ctl_ace_reason check_scope(const struct ctl_ace_conf *conf, const cbor_item_t *v,
				       struct ctl_ace_scope *out)
{
	const uint8_t *b;
	const char *s;
	size_t n;
	cbor_item_t *aif;
	int rc;

	ctl_ace_scope_init(out);
	if (cry_cbor_get_tstr(v, &s, &n))
		return text_scope(conf, s, n, out);
	if (!cry_cbor_get_bstr(v, &b, &n) ||
	    cry_cbor_decode(b, n, &token_limits, &aif, NULL) != 0)
		return CTL_ACE_R_SCOPE;
	rc = ctl_ace_scope_from_aif(out, aif);
	cbor_decref(&aif);
	return rc == 0 && out->n > 0 ? CTL_ACE_OK : CTL_ACE_R_SCOPE;
}

/* bstr v into out[0..cap); *len its length. */
static bool copy_bstr(const cbor_item_t *v, uint8_t *out, size_t cap, uint8_t *len)
{
	const uint8_t *p;
	size_t n;

	if (!cry_cbor_get_bstr(v, &p, &n) || n > cap)
		return false;
	if (n != 0)
		memcpy(out, p, n);
	*len = (uint8_t)n;
	return true;
}

/* hkdf (RFC 9203 §3.2.1): an HMAC-based HKDF by its COSE value; RFC 9203 names it by the HMAC
 * (5, "HMAC 256/256"), older implementations by direct+HKDF (-10): both accepted. */
static int osc_hkdf(const cbor_item_t *v)
{
	int64_t i;
	const char *s;
	size_t n;
	char name[32];

	if (cry_cbor_get_int(v, &i))
		return i == 5 || i == CRY_HKDF_SHA256 ? CRY_HKDF_SHA256
		       : i == 7 || i == CRY_HKDF_SHA512 ? CRY_HKDF_SHA512
							: 0;
	if (!cry_cbor_get_tstr(v, &s, &n) || n >= sizeof(name))
		return 0;
	memcpy(name, s, n);
	name[n] = '\0';
	if (strcmp(name, "HMAC 256/256") == 0)
		return CRY_HKDF_SHA256;
	if (strcmp(name, "HMAC 512/512") == 0)
		return CRY_HKDF_SHA512;
	return cry_hkdf_by_name(name);
}

static const struct cry_alg *osc_alg(const cbor_item_t *v)
{
	int64_t i;
	const char *s;
	size_t n;
	char name[32];

	if (cry_cbor_get_int(v, &i))
		return i >= INT32_MIN && i <= INT32_MAX ? cry_alg_by_cose((int)i) : NULL;
	if (!cry_cbor_get_tstr(v, &s, &n) || n >= sizeof(name))
		return NULL;
	memcpy(name, s, n);
	name[n] = '\0';
	return cry_alg_by_name(name);
}

/* One OSCORE_Input_Material field into t; false if malformed or not a field we know. */
static bool osc_field(int64_t label, const cbor_item_t *v, struct ctl_ace_token *t)
{
	uint64_t version;

	switch (label) {
	case CTL_ACE_OSC_ID:
		return copy_bstr(v, t->osc_id, sizeof(t->osc_id), &t->osc_id_len);
	case CTL_ACE_OSC_VERSION:
		return cry_cbor_get_uint(v, &version) && version == 1; /* RFC 8613 §5.4 */
	case CTL_ACE_OSC_MS:
		return copy_bstr(v, t->ms, sizeof(t->ms), &t->ms_len) && t->ms_len > 0;
	case CTL_ACE_OSC_HKDF:
		return (t->hkdf = osc_hkdf(v)) != 0;
	case CTL_ACE_OSC_ALG:
		return (t->alg = osc_alg(v)) != NULL;
	case CTL_ACE_OSC_SALT:
		return copy_bstr(v, t->salt, sizeof(t->salt), &t->salt_len);
	case CTL_ACE_OSC_CONTEXT_ID:
		t->has_context_id = true;
		return copy_bstr(v, t->context_id, sizeof(t->context_id), &t->context_id_len);
	default:
		return false; /* RFC 9203 §4.2: unrecognized osc parameters are a 4.00 */
	}
}

/* OSCORE_Input_Material (RFC 9203 §3.2.1); the AS MUST send id and ms. */
static enum ctl_ace_reason read_osc(const cbor_item_t *osc, struct ctl_ace_token *t)
{
	const struct cbor_pair *p;
	bool has_id = false;

	if (!cbor_isa_map(osc))
		return CTL_ACE_R_OSC;
	p = cbor_map_handle(osc);
	for (size_t i = 0; i < cbor_map_size(osc); i++) {
		int64_t label;

		if (!cry_cbor_get_int(p[i].key, &label) || !osc_field(label, p[i].value, t))
			return CTL_ACE_R_OSC;
		has_id |= label == CTL_ACE_OSC_ID;
	}
	if (!has_id || t->ms_len == 0)
		return CTL_ACE_R_OSC;
	t->has_osc = true;
	return CTL_ACE_OK;
}

/* cnf (RFC 8747 §3.1, RFC 9203 §3.2): osc for a new context, kid for an update of rights. */
static enum ctl_ace_reason check_cnf(const cbor_item_t *cnf, bool update, struct ctl_ace_token *t)
{
	const cbor_item_t *osc = cry_cbor_map_int(cnf, CTL_ACE_CNF_OSC);
	const cbor_item_t *kid = cry_cbor_map_int(cnf, CTL_ACE_CNF_KID);

	if (cnf == NULL || !cbor_isa_map(cnf))
		return CTL_ACE_R_CNF;
	if (kid != NULL) {
		if (!copy_bstr(kid, t->cnf_kid, sizeof(t->cnf_kid), &t->cnf_kid_len))
			return CTL_ACE_R_CNF;
		t->has_cnf_kid = true;
	}
	if (osc != NULL)
		return read_osc(osc, t);
	return update && t->has_cnf_kid ? CTL_ACE_OK : CTL_ACE_R_CNF;
}

/* exi (RFC 9200 §5.10.3): cti must be the RS id followed by a 1..8 byte sequence number. */
static enum ctl_ace_reason check_exi(const struct ctl_ace_conf *conf, struct ctl_ace_exi *x,
				     unsigned as, const cbor_item_t *exi, struct ctl_ace_token *t,
				     int64_t now, uint64_t *seq, int64_t *expires)
{
	uint64_t life;
	size_t k = conf->rs_id_len;

	if (!cry_cbor_get_uint(exi, &life))
		return CTL_ACE_R_CLAIMS;
	if (t->cti_len <= k || t->cti_len > k + 8 || memcmp(t->cti, conf->rs_id, k) != 0)
		return CTL_ACE_R_EXI_CTI;
	*seq = 0;
	for (size_t i = k; i < t->cti_len; i++)
		*seq = *seq << 8 | t->cti[i];
	if (x == NULL || ctl_ace_exi_lookup(x, as, *seq, life, now, expires) != 0 ||
	    *expires <= now)
		return CTL_ACE_R_EXPIRED;
	return CTL_ACE_OK;
}

/* iss and the validity period: the first claim checks of §5.10.1.1, in its order. */
static enum ctl_ace_reason check_time(const struct ctl_ace_as *as, const cbor_item_t *c,
				      int64_t now, struct ctl_ace_token *t)
{
	const cbor_item_t *iss = cry_cbor_map_int(c, CTL_ACE_C_ISS);
	const cbor_item_t *exp = cry_cbor_map_int(c, CTL_ACE_C_EXP);
	const cbor_item_t *nbf = cry_cbor_map_int(c, CTL_ACE_C_NBF);
	const cbor_item_t *cti = cry_cbor_map_int(c, CTL_ACE_C_CTI);
	int64_t e = 0, b = 0;

	if ((iss != NULL && !cbor_isa_string(iss)) || (exp != NULL && !get_date(exp, &e)) ||
	    (nbf != NULL && !get_date(nbf, &b)) ||
	    (cti != NULL && !copy_bstr(cti, t->cti, sizeof(t->cti), &t->cti_len)))
		return CTL_ACE_R_CLAIMS;
	if (iss != NULL && as->iss[0] != '\0' && !tstr_is(iss, as->iss))
		return CTL_ACE_R_ISS;
	if (exp != NULL && e <= now)
		return CTL_ACE_R_EXPIRED;
	if (nbf != NULL && b > now)
		return CTL_ACE_R_NOT_YET;
	t->expires = exp != NULL ? e : 0;
	return CTL_ACE_OK;
}

static enum ctl_ace_reason check_claims(const struct ctl_ace_conf *conf, struct ctl_ace_exi *x,
					const cbor_item_t *c, int64_t now, bool update,
					struct ctl_ace_token *t)
{
	const cbor_item_t *exi = cry_cbor_map_int(c, CTL_ACE_C_EXI);
	const cbor_item_t *prof = cry_cbor_map_int(c, CTL_ACE_C_PROFILE);
	enum ctl_ace_reason r = check_time(&conf->as[t->as], c, now, t);
	int64_t exi_expires = 0, p;
	uint64_t seq = 0;

	if (r == CTL_ACE_OK && exi != NULL)
		r = check_exi(conf, x, t->as, exi, t, now, &seq, &exi_expires);
	if (r == CTL_ACE_OK)
		r = check_aud(conf, cry_cbor_map_int(c, CTL_ACE_C_AUD));
	if (r == CTL_ACE_OK)
		r = check_scope(conf, cry_cbor_map_int(c, CTL_ACE_C_SCOPE), &t->scope);
	if (r == CTL_ACE_OK && prof != NULL &&
	    (!cry_cbor_get_int(prof, &p) || p != CTL_ACE_PROFILE_OSCORE))
		r = CTL_ACE_R_PROFILE;
	if (r == CTL_ACE_OK)
		r = check_cnf(cry_cbor_map_int(c, CTL_ACE_C_CNF), update, t);
	if (r == CTL_ACE_OK && exi != NULL) {
		if (ctl_ace_exi_commit(x, t->as, seq, exi_expires) != 0)
			return CTL_ACE_R_FULL;
		if (t->expires == 0 || exi_expires < t->expires)
			t->expires = exi_expires;
	}
	return r;
}

enum ctl_ace_reason ctl_ace_token_verify(const struct ctl_ace_conf *conf, struct ctl_ace_exi *exi,
					 const uint8_t *tok, size_t len, int64_t now, bool update,
					 struct ctl_ace_token *t)
{
	struct cry_cose_msg m;
	uint8_t *plain = NULL;
	const uint8_t *claims;
	cbor_item_t *c = NULL;
	size_t n;
	enum ctl_ace_reason r;

	memset(t, 0, sizeof(*t));
	r = unwrap(conf, tok, len, &m, &plain, &claims, &n, &t->as);
	if (r == CTL_ACE_OK) {
		if (cry_cbor_decode(claims, n, &token_limits, &c, NULL) != 0 || !cbor_isa_map(c))
			r = CTL_ACE_R_CLAIMS;
		else
			r = check_claims(conf, exi, c, now, update, t);
		cry_cose_msg_free(&m);
	}
	if (c != NULL)
		cbor_decref(&c);
	if (plain != NULL) {
		cry_wipe(plain, n);
		free(plain);
	}
	if (r != CTL_ACE_OK)
		ctl_ace_token_wipe(t);
	else if (t->alg == NULL)
		t->alg = cry_alg_by_cose(CRY_AES_CCM_16_64_128); /* RFC 8613 §3.2 defaults */
	if (r == CTL_ACE_OK && t->hkdf == 0)
		t->hkdf = CRY_HKDF_SHA256;
	return r;
}

void ctl_ace_token_wipe(struct ctl_ace_token *t)
{
	cry_wipe(t, sizeof(*t));
}
