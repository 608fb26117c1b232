/* SPDX-License-Identifier: BSD-3-Clause */
/* Protecting Group OSCORE requests and responses (RFC 10021 §7.1, §7.3, §8.1, §8.3). */
#include "oscore/osc_group_msg.h"

#include <string.h>

#include "oscore/osc_classes.h"

/* One message to protect: who, in which mode, bound to which request. */
struct gtx {
	struct osc_group *g;
	const struct osc_member *to;           /* pairwise mode: the recipient */
	const struct osc_group_exchange *ex;   /* response: the request */
	bool group_mode;
	unsigned flags;
	struct osc_option opt;
	uint8_t nonce[CRY_NONCE_MAX];
	uint8_t optval[OSC_OPTION_MAX];
	int optlen;
	size_t arr_off;
	int aad_len;
	uint8_t aad[OSC_GROUP_AAD_MAX];
};

/* §4.1, §3.2: Group Flag by mode; kid always in requests and group-mode responses; the Gid as
 * kid context in requests, and in responses only once the group was rekeyed since the request. */
static int make_option(struct gtx *t)
{
	struct osc_group *g = t->g;
	const struct osc_group_exchange *ex = t->ex;
	struct osc_option *o = &t->opt;
	bool new_gid = ex && (ex->gid_len != g->gid_len || memcmp(ex->gid, g->gid, g->gid_len));

	o->ext_flags = t->group_mode ? OSC_FLAG_GROUP : 0;
	o->has_kid = !ex || t->group_mode || !(t->flags & OSC_GTX_NO_KID);
	o->kid = g->sender_id;
	o->kid_len = g->sender_id_len;
	o->has_kid_ctx = !ex || new_gid;
	o->kid_ctx = g->gid;
	o->kid_ctx_len = g->gid_len;
	t->optlen = osc_option_encode(t->optval, sizeof(t->optval), o);
	return t->optlen < 0 ? OSC_ERR_TOO_BIG : OSC_OK;
}

/* Partial IV (requests, or responses with their own), nonce (§3.3) and external_aad (§3.4). */
static int nonce_and_aad(struct gtx *t)
{
	struct osc_group *g = t->g;
	const struct cry_alg *alg = osc_group_alg(g, t->group_mode);
	const struct osc_exchange *ex = t->ex ? &t->ex->ex : NULL;
	struct osc_group_aad_in in = { .sender_cred = g->cred, .sender_cred_len = g->cred_len };
	int rc;

	if (!ex || (t->flags & OSC_GTX_OWN_PIV)) {
		rc = osc_ssn_next(&g->ssn, &g->ssn_limit, t->opt.piv, &t->opt.piv_len);
		if (rc != OSC_OK)
			return rc;
		osc_nonce_iv(t->nonce, alg->nonce_len, g->common_iv, g->sender_id,
			     g->sender_id_len, t->opt.piv, t->opt.piv_len);
	} else { /* the request's nonce, for this mode's algorithm */
		osc_nonce_iv(t->nonce, alg->nonce_len, g->common_iv, ex->kid, ex->kid_len,
			     ex->piv, ex->piv_len);
	}
	rc = make_option(t);
	if (rc != OSC_OK)
		return rc;
	in.kid = ex ? ex->kid : g->sender_id;
	in.kid_len = ex ? ex->kid_len : g->sender_id_len;
	in.piv = ex ? ex->piv : t->opt.piv;
	in.piv_len = ex ? ex->piv_len : t->opt.piv_len;
	in.kid_ctx = t->ex ? t->ex->gid : g->gid;
	in.kid_ctx_len = t->ex ? t->ex->gid_len : g->gid_len;
	in.option = t->optval;
	in.option_len = (size_t)t->optlen;
	t->aad_len = osc_group_aad(t->aad, g, &in, &t->arr_off);
	return t->aad_len < 0 ? OSC_ERR_TOO_BIG : OSC_OK;
}

/* §4.1, §4.2: SIGNATURE over ToBeSigned, XORed with the keystream, after the tag. */
static int sign(struct gtx *t, const struct osc_tx *tx, uint8_t *out)
{
	struct osc_group *g = t->g;
	const struct osc_exchange *ex = t->ex ? &t->ex->ex : NULL;
	bool own = t->opt.piv_len != 0;
	size_t ct_len = tx->op.len + g->group_enc->tag_len;
	uint8_t tbs[OSC_GROUP_ARRAY_MAX + OSC_MSG_MAX + 64], sig[CRY_SIG_LEN], ks[CRY_SIG_LEN];
	uint8_t *enc = out + tx->len - g->sig_len;
	int n = osc_group_tbs(tbs, sizeof(tbs), t->aad + t->arr_off,
			      (size_t)t->aad_len - t->arr_off, tx->op.out, ct_len);

	if (n < 0)
		return OSC_ERR_TOO_BIG;
	if (cry_sign(g->sign_key, g->sig_alg, tbs, (size_t)n, sig) ||
	    osc_group_keystream(g, own ? t->opt.piv : ex->piv, own ? t->opt.piv_len : ex->piv_len,
				own ? g->sender_id : ex->kid,
				own ? g->sender_id_len : ex->kid_len, !ex, ks))
		return OSC_ERR_CRYPTO;
	for (unsigned i = 0; i < g->sig_len; i++)
		enc[i] = sig[i] ^ ks[i];
	cry_wipe(ks, sizeof(ks));
	return OSC_OK;
}

/* Returns OSC_OK with the protected length in *out_len, or an enum osc_err. */
static int protect(struct cry_engine *e, struct gtx *t, const uint8_t *in, size_t len,
		   uint8_t *out, size_t cap, bool *observe, int *out_len)
{
	const struct cry_key *key = t->group_mode ? &t->g->sender_key :
				    t->to ? &t->to->pw_sender_key : NULL;
	struct osc_opt_split sp;
	struct osc_coap_msg m;
	struct osc_tx tx;
	int rc;

	if (!osc_group_alg(t->g, t->group_mode) || !key || !key->alg)
		return OSC_ERR_MODE;
	if (osc_coap_parse(&m, in, len) != OSC_COAP_OK || osc_opts_split(&sp, &m, t->ex != NULL))
		return OSC_ERR_BAD_INPUT;
	if (t->ex ? m.code >> 5 < 2 : (m.code == COAP_EMPTY || m.code >> 5 != 0))
		return OSC_ERR_BAD_INPUT;
	rc = nonce_and_aad(t);
	if (rc != OSC_OK)
		return rc;
	cry_op_prepare(&tx.op, key, CRY_ENCRYPT, t->nonce, t->aad, (uint32_t)t->aad_len);
	tx.op.user = NULL;
	rc = osc_tx_layout(&tx, &sp, &m, t->ex != NULL, t->optval, t->optlen,
			   t->group_mode ? t->g->sig_len : 0, out, cap);
	if (rc != OSC_OK)
		return rc;
	if (cry_aead_batch(e, &tx.op, 1) != 1)
		return OSC_ERR_CRYPTO;
	if (t->group_mode && (rc = sign(t, &tx, out)) != OSC_OK)
		return rc;
	*observe = sp.observe;
	*out_len = (int)tx.len;
	return OSC_OK;
}

int osc_group_protect_request(struct cry_engine *e, struct osc_group *g,
			      const struct osc_member *to, const uint8_t *in, size_t len,
			      uint8_t *out, size_t cap, struct osc_group_exchange *ex)
{
	struct gtx t = { .g = g, .to = to, .group_mode = to == NULL };
	bool observe = false;
	int n, rc = protect(e, &t, in, len, out, cap, &observe, &n);

	if (rc != OSC_OK)
		return -rc;
	*ex = (struct osc_group_exchange){ .gid_len = g->gid_len, .group_mode = t.group_mode };
	ex->ex = (struct osc_exchange){ .kid_len = g->sender_id_len, .piv_len = t.opt.piv_len,
					.observe = observe };
	memcpy(ex->ex.kid, g->sender_id, g->sender_id_len);
	memcpy(ex->ex.piv, t.opt.piv, t.opt.piv_len);
	memcpy(ex->ex.nonce, t.nonce, sizeof(t.nonce));
	memcpy(ex->gid, g->gid, g->gid_len);
	return n;
}

int osc_group_protect_response(struct cry_engine *e, struct osc_group *g,
			       const struct osc_member *to, bool group_mode,
			       const struct osc_group_exchange *ex, const uint8_t *in, size_t len,
			       uint8_t *out, size_t cap, unsigned flags)
{
	struct gtx t = { .g = g, .to = to, .ex = ex, .group_mode = group_mode, .flags = flags };
	bool observe;
	int n, rc = protect(e, &t, in, len, out, cap, &observe, &n);

	return rc == OSC_OK ? n : -rc;
}
