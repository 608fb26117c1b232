/* SPDX-License-Identifier: BSD-3-Clause */
/* /authz-info as the resource server runs it (RFC 9203 §4), around the token store. */
#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

#include "control/ace/ctl_ace_rs.h"
#include "crypto/cry_aead.h"
#include "oscore/osc_coap.h"

int ctl_ace_rs_init(struct ctl_ace_rs *rs, const struct ctl_ace_conf *conf)
{
	unsigned cap = conf->max_tokens ? conf->max_tokens : 1024;

	memset(rs, 0, sizeof(*rs));
	rs->conf = conf;
	if (ctl_ace_store_init(&rs->store, cap) != 0 || ctl_ace_exi_init(&rs->exi, cap) != 0) {
		ctl_ace_rs_free(rs);
		return -ENOMEM;
	}
	return 0;
}

void ctl_ace_rs_free(struct ctl_ace_rs *rs)
{
	ctl_ace_store_free(&rs->store);
	ctl_ace_exi_free(&rs->exi);
}

/* Set the outcome: code, count, and the error map where there is one. */
static void finish(struct ctl_ace_rs *rs, struct ctl_ace_result *res, enum ctl_ace_reason r)
{
	int n;

	res->reason = r;
	res->code = ctl_ace_reason_code(r);
	rs->count[r < CTL_ACE_R__COUNT ? r : CTL_ACE_R_INTERNAL]++;
	if (r == CTL_ACE_OK)
		return;
	cry_wipe(&res->params, sizeof(res->params));
	ctl_ace_token_wipe(&res->entry.tok);
	n = ctl_ace_error_payload(r, res->payload, sizeof(res->payload));
	res->payload_len = n > 0 ? (size_t)n : 0;
}

static int draw(struct ctl_ace_rs *rs, uint8_t *buf, size_t n)
{
	if (rs->rand != NULL)
		return rs->rand(rs->arg, buf, n);
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -EIO;
}

/* N2 and ID2, the context parameters and the 2.01 payload, for a verified token. */
static enum ctl_ace_reason answer(struct ctl_ace_rs *rs, const struct ctl_ace_authz_req *req,
				  struct ctl_ace_result *res)
{
	uint8_t n2[CTL_ACE_N2_LEN], id2[OSC_ID_MAX];
	size_t id2_len = sizeof(id2);
	int n;

	if (draw(rs, n2, sizeof(n2)) != 0 || rs->pick_id2 == NULL ||
	    rs->pick_id2(rs->arg, req->id1, req->id1_len, id2, &id2_len) != 0 ||
	    id2_len > sizeof(id2))
		return CTL_ACE_R_INTERNAL;
	if (ctl_ace_osc_params(&res->entry.tok, req->n1, req->n1_len, n2, sizeof(n2), req->id1,
			       req->id1_len, id2, id2_len, false, &res->params) != 0)
		return CTL_ACE_R_DERIVE;
	n = ctl_ace_authz_response(n2, sizeof(n2), id2, id2_len, res->payload,
				   sizeof(res->payload));
	if (n < 0)
		return CTL_ACE_R_INTERNAL;
	res->payload_len = (size_t)n;
	return CTL_ACE_OK;
}

void ctl_ace_rs_post(struct ctl_ace_rs *rs, const uint8_t *payload, size_t len, int64_t now,
		     struct ctl_ace_result *res)
{
	struct ctl_ace_authz_req req;
	enum ctl_ace_reason r;

	memset(res, 0, sizeof(*res));
	r = ctl_ace_authz_parse(payload, len, &req);
	if (r == CTL_ACE_OK)
		r = ctl_ace_token_verify(rs->conf, &rs->exi, req.token, req.token_len, now, false,
					 &res->entry.tok);
	/* RFC 9203 §4.2: missing parameters (N1, ID1 here) are a 4.00 */
	if (r == CTL_ACE_OK && !req.has_n1)
		r = CTL_ACE_R_NONCE1;
	if (r == CTL_ACE_OK && !req.has_id1)
		r = CTL_ACE_R_ID1;
	if (r == CTL_ACE_OK && !res->entry.tok.has_osc)
		r = CTL_ACE_R_CNF;
	if (r == CTL_ACE_OK)
		r = answer(rs, &req, res);
	ctl_ace_authz_req_free(&req);
	finish(rs, res, r);
}

int ctl_ace_rs_commit(struct ctl_ace_rs *rs, struct ctl_ace_result *res, uint64_t handle)
{
	res->entry.handle = handle;
	if (ctl_ace_store_put(&rs->store, &res->entry, &res->old, &res->replaced) != 0) {
		rs->count[CTL_ACE_R_FULL]++;
		return -ENOSPC;
	}
	return 0;
}

/* The new token's rights on the kept entry; the OSCORE material stays the context's. */
static void take_rights(struct ctl_ace_entry *kept, const struct ctl_ace_token *t)
{
	kept->tok.scope = t->scope;
	kept->tok.expires = t->expires;
	memcpy(kept->tok.cti, t->cti, sizeof(t->cti));
	kept->tok.cti_len = t->cti_len;
}

void ctl_ace_rs_update(struct ctl_ace_rs *rs, uint64_t handle, const uint8_t *payload,
		       size_t len, int64_t now, struct ctl_ace_result *res)
{
	struct ctl_ace_entry *kept = ctl_ace_store_by_handle(&rs->store, handle);
	struct ctl_ace_authz_req req;
	struct ctl_ace_token *t = &res->entry.tok;
	enum ctl_ace_reason r;

	memset(res, 0, sizeof(*res));
	r = ctl_ace_authz_parse(payload, len, &req); /* nonces and IDs are ignored (§4.2) */
	if (r == CTL_ACE_OK)
		r = ctl_ace_token_verify(rs->conf, &rs->exi, req.token, req.token_len, now, true, t);
	ctl_ace_authz_req_free(&req);
	/* §4.2: the cnf kid must name the OSCORE Input Material of the protecting context */
	if (r == CTL_ACE_OK &&
	    (kept == NULL || t->as != kept->tok.as || !t->has_cnf_kid ||
	     t->cnf_kid_len != kept->tok.osc_id_len ||
	     memcmp(t->cnf_kid, kept->tok.osc_id, t->cnf_kid_len) != 0))
		r = CTL_ACE_R_UPDATE_KID;
	if (r == CTL_ACE_OK) {
		res->old = *kept;
		res->replaced = true;
		take_rights(kept, t);
		res->entry = *kept;
	}
	finish(rs, res, r);
	if (r != CTL_ACE_OK) {
		res->code = COAP_UNAUTHORIZED; /* §4.2: any failure of an update is a 4.01 */
		res->payload_len = 0;
	}
}
