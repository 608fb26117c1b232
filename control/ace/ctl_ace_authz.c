/* SPDX-License-Identifier: BSD-3-Clause */
/* The /authz-info exchange of RFC 9203 §4: request parsing, the answers, the context inputs. */
#include <errno.h>
#include <string.h>

#include "control/ace/ctl_ace.h"
#include "crypto/cry_cbor.h"
#include "crypto/cry_cbor_dec.h"
#include "oscore/osc_coap.h"

static const struct {
	const char *name;
	uint8_t code;
	uint8_t error;
} reasons[CTL_ACE_R__COUNT] = {
	[CTL_ACE_OK] = { "ok", COAP_CREATED, CTL_ACE_E_NONE },
	[CTL_ACE_R_PAYLOAD] = { "payload", COAP_BAD_REQUEST, CTL_ACE_E_INVALID_REQUEST },
	[CTL_ACE_R_NO_TOKEN] = { "no_token", COAP_BAD_REQUEST, CTL_ACE_E_INVALID_REQUEST },
	[CTL_ACE_R_COSE] = { "cose", COAP_BAD_REQUEST, CTL_ACE_E_NONE },
	[CTL_ACE_R_UNKNOWN_AS] = { "unknown_as", COAP_UNAUTHORIZED, CTL_ACE_E_NONE },
	[CTL_ACE_R_WRAPPER] = { "wrapper", COAP_UNAUTHORIZED, CTL_ACE_E_NONE },
	[CTL_ACE_R_CLAIMS] = { "claims", COAP_BAD_REQUEST, CTL_ACE_E_NONE },
	[CTL_ACE_R_ISS] = { "iss", COAP_UNAUTHORIZED, CTL_ACE_E_NONE },
	[CTL_ACE_R_EXPIRED] = { "expired", COAP_UNAUTHORIZED, CTL_ACE_E_NONE },
	[CTL_ACE_R_NOT_YET] = { "not_yet_valid", COAP_UNAUTHORIZED, CTL_ACE_E_NONE },
	[CTL_ACE_R_AUD] = { "aud", COAP_FORBIDDEN, CTL_ACE_E_NONE },
	[CTL_ACE_R_SCOPE] = { "scope", COAP_BAD_REQUEST, CTL_ACE_E_INVALID_SCOPE },
	[CTL_ACE_R_PROFILE] = { "profile", COAP_BAD_REQUEST, CTL_ACE_E_INCOMPATIBLE_PROFILES },
	[CTL_ACE_R_CNF] = { "cnf", COAP_BAD_REQUEST, CTL_ACE_E_UNSUPPORTED_POP_KEY },
	[CTL_ACE_R_OSC] = { "osc", COAP_BAD_REQUEST, CTL_ACE_E_INVALID_REQUEST },
	[CTL_ACE_R_EXI_CTI] = { "exi_cti", COAP_BAD_REQUEST, CTL_ACE_E_INVALID_REQUEST },
	[CTL_ACE_R_NONCE1] = { "nonce1", COAP_BAD_REQUEST, CTL_ACE_E_INVALID_REQUEST },
	[CTL_ACE_R_ID1] = { "id1", COAP_BAD_REQUEST, CTL_ACE_E_INVALID_REQUEST },
	[CTL_ACE_R_DERIVE] = { "derive", COAP_BAD_REQUEST, CTL_ACE_E_INVALID_REQUEST },
	[CTL_ACE_R_UPDATE_KID] = { "update_kid", COAP_UNAUTHORIZED, CTL_ACE_E_NONE },
	[CTL_ACE_R_FULL] = { "full", COAP_SERVICE_UNAVAILABLE, CTL_ACE_E_NONE },
	[CTL_ACE_R_INTERNAL] = { "internal", COAP_INTERNAL_ERROR, CTL_ACE_E_NONE },
};

uint8_t ctl_ace_reason_code(enum ctl_ace_reason r)
{
	return (unsigned)r < CTL_ACE_R__COUNT ? reasons[r].code : COAP_INTERNAL_ERROR;
}

enum ctl_ace_error ctl_ace_reason_error(enum ctl_ace_reason r)
{
	return (unsigned)r < CTL_ACE_R__COUNT ? (enum ctl_ace_error)reasons[r].error
					      : CTL_ACE_E_NONE;
}

const char *ctl_ace_reason_name(enum ctl_ace_reason r)
{
	return (unsigned)r < CTL_ACE_R__COUNT ? reasons[r].name : "unknown";
}

/* The payload is small: a token of a few hundred bytes and two short bstrs. */
static const struct cry_cbor_limits payload_limits = {
	.max_len = 2304,
	.max_depth = 4,
	.max_items = 64,
};

/* An optional bstr parameter of at most cap bytes (1 at least when nonempty is set). */
static enum ctl_ace_reason opt_param(const cbor_item_t *v, uint8_t *out, size_t cap,
				     bool nonempty, uint8_t *len, bool *has,
				     enum ctl_ace_reason bad)
{
	const uint8_t *p;
	size_t n;

	*has = v != NULL;
	if (v == NULL)
		return CTL_ACE_OK;
	if (!cry_cbor_get_bstr(v, &p, &n) || n > cap || (nonempty && n == 0))
		return bad;
	if (n != 0)
		memcpy(out, p, n);
	*len = (uint8_t)n;
	return CTL_ACE_OK;
}

enum ctl_ace_reason ctl_ace_authz_parse(const uint8_t *payload, size_t len,
					struct ctl_ace_authz_req *req)
{
	cbor_item_t *root = NULL;
	enum ctl_ace_reason r;

	memset(req, 0, sizeof(*req));
	if (cry_cbor_decode(payload, len, &payload_limits, &root, NULL) != 0)
		return CTL_ACE_R_PAYLOAD;
	req->tree_ = root;
	if (!cbor_isa_map(root))
		return CTL_ACE_R_PAYLOAD;
	if (!cry_cbor_get_bstr(cry_cbor_map_int(root, CTL_ACE_P_ACCESS_TOKEN), &req->token,
			       &req->token_len) ||
	    req->token_len == 0)
		return CTL_ACE_R_NO_TOKEN;
	r = opt_param(cry_cbor_map_int(root, CTL_ACE_P_NONCE1), req->n1, sizeof(req->n1), true,
		      &req->n1_len, &req->has_n1, CTL_ACE_R_NONCE1);
	if (r == CTL_ACE_OK)
		r = opt_param(cry_cbor_map_int(root, CTL_ACE_P_CLIENT_RID), req->id1,
			      sizeof(req->id1), false, &req->id1_len, &req->has_id1,
			      CTL_ACE_R_ID1);
	return r;
}

void ctl_ace_authz_req_free(struct ctl_ace_authz_req *req)
{
	cbor_item_t *root = req->tree_;

	if (root != NULL)
		cbor_decref(&root);
	memset(req, 0, sizeof(*req));
}

/* Append bstr(v) (with its CBOR head) to out at *n; false if it does not fit in cap. */
static bool put_wrapped(uint8_t *out, size_t cap, size_t *n, const uint8_t *v, size_t len)
{
	struct cry_cbor_buf b;
	int k;

	cry_cbor_init(&b, out + *n, cap - *n);
	cry_cbor_bstr(&b, v, len);
	k = cry_cbor_done(&b);
	if (k < 0)
		return false;
	*n += (size_t)k;
	return true;
}

static bool set_id(uint8_t *dst, uint8_t *dst_len, const uint8_t *id, size_t len)
{
	if (len > OSC_ID_MAX)
		return false;
	if (len != 0)
		memcpy(dst, id, len);
	*dst_len = (uint8_t)len;
	return true;
}

int ctl_ace_osc_params(const struct ctl_ace_token *t, const uint8_t *n1, size_t n1_len,
		       const uint8_t *n2, size_t n2_len, const uint8_t *id1, size_t id1_len,
		       const uint8_t *id2, size_t id2_len, bool client, struct osc_params *p)
{
	size_t salt = 0;
	bool ok;

	memset(p, 0, sizeof(*p));
	osc_params_defaults(p);
	p->alg = t->alg;
	p->hkdf = t->hkdf;
	/* §4.3: if ID1 == ID2 the Sender and Recipient Keys would be equal */
	ok = !(id1_len == id2_len && (id1_len == 0 || memcmp(id1, id2, id1_len) == 0));
	ok = ok && n1_len > 0 && n2_len > 0; /* §4.1, §4.2: both nonces are required */
	/* §4.3: Master Salt = salt | N1 | N2, each a CBOR byte string with its header */
	ok = ok && put_wrapped(p->salt, sizeof(p->salt), &salt, t->salt, t->salt_len) &&
	     put_wrapped(p->salt, sizeof(p->salt), &salt, n1, n1_len) &&
	     put_wrapped(p->salt, sizeof(p->salt), &salt, n2, n2_len);
	ok = ok && t->ms_len > 0 && t->ms_len <= sizeof(p->secret);
	/* the RS sends with the client's Recipient ID (ID1) and receives with ID2; the client
	 * the other way round */
	ok = ok && set_id(p->sender_id, &p->sender_id_len, client ? id2 : id1,
			  client ? id2_len : id1_len) &&
	     set_id(p->recipient_id, &p->recipient_id_len, client ? id1 : id2,
		    client ? id1_len : id2_len);
	if (!ok) {
		cry_wipe(p, sizeof(*p));
		return -EINVAL;
	}
	p->salt_len = (uint8_t)salt;
	memcpy(p->secret, t->ms, t->ms_len);
	p->secret_len = t->ms_len;
	/* §4.3: the ID Context is contextId when the AS gave one, never built from the nonces */
	p->has_id_ctx = t->has_context_id;
	if (t->context_id_len != 0)
		memcpy(p->id_ctx, t->context_id, t->context_id_len);
	p->id_ctx_len = t->context_id_len;
	return 0;
}

static int done(const struct cry_cbor_buf *b)
{
	int n = cry_cbor_done(b);

	return n < 0 ? -ENOSPC : n;
}

int ctl_ace_authz_response(const uint8_t *n2, size_t n2_len, const uint8_t *id2, size_t id2_len,
			   uint8_t *out, size_t cap)
{
	struct cry_cbor_buf b;

	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, 2);
	cry_cbor_int(&b, CTL_ACE_P_NONCE2);
	cry_cbor_bstr(&b, n2, n2_len);
	cry_cbor_int(&b, CTL_ACE_P_SERVER_RID);
	cry_cbor_bstr(&b, id2, id2_len);
	return done(&b);
}

int ctl_ace_error_payload(enum ctl_ace_reason r, uint8_t *out, size_t cap)
{
	enum ctl_ace_error e = ctl_ace_reason_error(r);
	struct cry_cbor_buf b;

	if (e == CTL_ACE_E_NONE)
		return 0;
	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, 1);
	cry_cbor_int(&b, CTL_ACE_P_ERROR);
	cry_cbor_int(&b, e);
	return done(&b);
}

int ctl_ace_creation_hints(const struct ctl_ace_conf *conf, const char *scope,
			   const uint8_t *cnonce, size_t cnonce_len, uint8_t *out, size_t cap)
{
	struct cry_cbor_buf b;
	bool aud = conf->n_audience > 0;

	if (conf->as_uri[0] == '\0')
		return -EINVAL;
	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, 1 + aud + (scope != NULL) + (cnonce != NULL));
	cry_cbor_int(&b, CTL_ACE_H_AS);
	cry_cbor_tstr(&b, conf->as_uri);
	if (aud) {
		cry_cbor_int(&b, CTL_ACE_H_AUDIENCE);
		cry_cbor_tstr(&b, conf->audience[0]);
	}
	if (scope != NULL) {
		cry_cbor_int(&b, CTL_ACE_H_SCOPE);
		cry_cbor_tstr(&b, scope);
	}
	if (cnonce != NULL) {
		cry_cbor_int(&b, CTL_ACE_H_CNONCE);
		cry_cbor_bstr(&b, cnonce, cnonce_len);
	}
	return done(&b);
}

void ctl_ace_conf_release(struct ctl_ace_conf *conf)
{
	for (unsigned i = 0; i < conf->n_as; i++) {
		cry_pkey_free(conf->as[i].pkey);
		conf->as[i].pkey = NULL;
		cry_wipe(conf->as[i].key, sizeof(conf->as[i].key));
	}
}
