/* SPDX-License-Identifier: BSD-3-Clause */
/* Verifying Group OSCORE requests and responses (RFC 10021 §6, §7.2, §7.4, §8.2, §8.4). */
#include "oscore/osc_group_msg.h"

#include <string.h>

static int fail(struct osc_grx *r, int err)
{
	r->rx.err = (uint8_t)err;
	return err;
}

int osc_group_rx_parse(struct osc_grx *r, const uint8_t *buf, size_t len, bool is_request)
{
	const struct osc_coap_opt *o;
	const struct osc_option *opt = &r->rx.opt;

	r->m = NULL;
	r->gex = NULL;
	r->rx.flags |= OSC_RX_GROUP;
	if (osc_rx_parse(&r->rx, buf, len, is_request) != OSC_OK)
		return r->rx.err;
	o = osc_coap_find(&r->rx.outer, COAP_OPT_OSCORE, NULL);
	r->optval = o->val;
	r->optlen = o->len;
	r->group_mode = opt->ext_flags & OSC_FLAG_GROUP;
	if (is_request && !opt->has_kid_ctx)
		return fail(r, OSC_ERR_NO_CONTEXT); /* §3.2: the Gid names the group */
	if (!is_request && r->group_mode && !opt->has_kid)
		return fail(r, OSC_ERR_NO_KID); /* §3.2 */
	return OSC_OK;
}

bool osc_group_matches(const struct osc_member *m, const struct osc_option *o)
{
	const struct osc_group *g = m->g;

	if (o->has_kid && (o->kid_len != m->id_len || memcmp(o->kid, m->id, m->id_len)))
		return false;
	return !o->has_kid_ctx ||
	       (o->kid_ctx_len == g->gid_len && !memcmp(o->kid_ctx, g->gid, g->gid_len));
}

/* §6: the mode must be one the group uses; §7.2: our own Sender ID is never a peer's kid. */
static int check_mode(const struct osc_grx *r, const struct osc_member *m)
{
	const struct osc_group *g = m->g;
	const struct osc_option *o = &r->rx.opt;

	if (!osc_group_alg(g, r->group_mode))
		return OSC_ERR_MODE;
	if (o->has_kid && o->kid_len == g->sender_id_len &&
	    !memcmp(o->kid, g->sender_id, o->kid_len))
		return OSC_ERR_OWN_KID;
	return OSC_OK;
}

/* Nonce (§3.3) and external_aad (§3.4): a request's from its own kid, Partial IV and kid context;
 * a response's AAD from the request's, its nonce from its own Partial IV or else the request's. */
static int nonce_and_aad(struct osc_grx *r, const struct cry_alg *alg)
{
	const struct osc_member *m = r->m;
	const struct osc_group *g = m->g;
	const struct osc_option *o = &r->rx.opt;
	const struct osc_exchange *ex = r->gex ? &r->gex->ex : NULL;
	struct osc_group_aad_in in = { .option = r->optval, .option_len = r->optlen,
				       .sender_cred = m->cred, .sender_cred_len = m->cred_len };
	size_t off;
	int n;

	if (o->piv_len)
		osc_nonce_iv(r->rx.nonce, alg->nonce_len, g->common_iv, m->id, m->id_len, o->piv,
			     o->piv_len);
	else
		osc_nonce_iv(r->rx.nonce, alg->nonce_len, g->common_iv, ex->kid, ex->kid_len,
			     ex->piv, ex->piv_len);
	in.kid = ex ? ex->kid : o->kid;
	in.kid_len = ex ? ex->kid_len : o->kid_len;
	in.piv = ex ? ex->piv : o->piv;
	in.piv_len = ex ? ex->piv_len : o->piv_len;
	in.kid_ctx = ex ? r->gex->gid : o->kid_ctx;
	in.kid_ctx_len = ex ? r->gex->gid_len : o->kid_ctx_len;
	n = osc_group_aad(r->aad, g, &in, &off);
	r->arr_off = (uint16_t)off;
	r->arr_len = (uint16_t)(n - (int)off);
	return n;
}

/* Ciphertext length without tag and (group mode) encrypted signature, or an error. */
static int split_payload(struct osc_grx *r, const struct cry_alg *alg, uint32_t *ct_len)
{
	uint32_t extra = alg->tag_len + (r->group_mode ? r->m->g->sig_len : 0u);

	if (r->rx.outer.payload_len < extra + 1u) /* at least the code byte */
		return OSC_ERR_SHORT_CIPHER;
	*ct_len = r->rx.outer.payload_len - extra;
	if (OSC_PLAIN_HEADROOM + (size_t)*ct_len > r->rx.plain_cap)
		return OSC_ERR_TOO_BIG;
	return OSC_OK;
}

static int replay_check(struct osc_grx *r)
{
	int v;

	if (r->gex)
		return OSC_OK;
	v = osc_replay_check(&r->m->replay, r->rx.piv);
	r->rx.replay = (uint8_t)v;
	if (v == OSC_REPLAY_OK || (r->rx.flags & OSC_RX_LOADTEST))
		return OSC_OK;
	return v == OSC_REPLAY_SEEN ? OSC_ERR_REPLAY : OSC_ERR_TOO_OLD;
}

int osc_group_rx_prepare(struct osc_grx *r, struct osc_member *m,
			 const struct osc_group_exchange *gex)
{
	const struct cry_alg *alg = osc_group_alg(m->g, r->group_mode);
	uint32_t ct_len;
	int rc;

	r->m = m;
	r->gex = gex;
	r->rx.ex = gex ? &gex->ex : NULL;
	r->rx.ctx = NULL;
	if ((rc = check_mode(r, m)) != OSC_OK || (rc = split_payload(r, alg, &ct_len)) != OSC_OK ||
	    (rc = replay_check(r)) != OSC_OK)
		return fail(r, rc);
	if (!r->rx.opt.piv_len && !gex)
		return fail(r, OSC_ERR_NO_PIV);
	if (nonce_and_aad(r, alg) < 0)
		return fail(r, OSC_ERR_TOO_BIG);
	cry_op_prepare(&r->rx.op, r->group_mode ? &m->recipient_key : &m->pw_recipient_key,
		       CRY_DECRYPT, r->rx.nonce, r->aad, (uint32_t)(r->arr_off + r->arr_len));
	r->rx.op.in = r->rx.outer.payload;
	r->rx.op.out = r->rx.plain + OSC_PLAIN_HEADROOM;
	r->rx.op.len = ct_len;
	r->rx.op.tag = (uint8_t *)r->rx.outer.payload + ct_len;
	r->rx.op.user = r;
	return fail(r, OSC_OK);
}

int osc_group_rx_aead(struct osc_grx *r)
{
	if (r->rx.op.status == CRY_OK)
		return OSC_OK;
	return fail(r, r->rx.op.status == CRY_ERR_AUTH ? OSC_ERR_DECRYPT : OSC_ERR_CRYPTO);
}

int osc_group_rx_adopt(struct osc_grx *r, const uint8_t *plain, size_t len)
{
	if (len != r->rx.op.len)
		return fail(r, OSC_ERR_BAD_INPUT);
	memcpy(r->rx.op.out, plain, len);
	r->rx.op.status = CRY_OK;
	return OSC_OK;
}

/* §4.2 keystream inputs: the message's Partial IV and its sender, else the request's. */
static int keystream(const struct osc_grx *r, uint8_t *ks)
{
	const struct osc_option *o = &r->rx.opt;
	const struct osc_exchange *ex = r->gex ? &r->gex->ex : NULL;
	const struct osc_member *m = r->m;

	if (o->piv_len)
		return osc_group_keystream(m->g, o->piv, o->piv_len, m->id, m->id_len, !ex, ks);
	return osc_group_keystream(m->g, ex->piv, ex->piv_len, ex->kid, ex->kid_len, false, ks);
}

/* §7.2 / §7.4: decrypt the countersignature and verify it over ToBeSigned. */
static int verify_signature(struct osc_grx *r)
{
	const struct osc_group *g = r->m->g;
	size_t ct_len = r->rx.op.len + g->group_enc->tag_len;
	const uint8_t *enc = r->rx.outer.payload + ct_len;
	uint8_t tbs[OSC_GROUP_ARRAY_MAX + OSC_MSG_MAX + 64], sig[CRY_SIG_LEN];
	int n = osc_group_tbs(tbs, sizeof(tbs), r->aad + r->arr_off, r->arr_len,
			      r->rx.outer.payload, ct_len);

	if (n < 0)
		return OSC_ERR_TOO_BIG;
	if (keystream(r, sig))
		return OSC_ERR_CRYPTO;
	for (unsigned i = 0; i < g->sig_len; i++)
		sig[i] ^= enc[i];
	return cry_verify(r->m->pub, g->sig_alg, tbs, (size_t)n, sig, g->sig_len) ?
		       OSC_ERR_SIGNATURE : OSC_OK;
}

int osc_group_rx_finish(struct osc_grx *r, uint8_t *out, size_t cap)
{
	int rc = osc_group_rx_aead(r), commit;

	if (rc != OSC_OK)
		return -rc;
	if (r->group_mode && (rc = verify_signature(r)) != OSC_OK) {
		cry_wipe(r->rx.op.out, r->rx.op.len); /* never used, never left behind */
		return -fail(r, rc);
	}
	commit = osc_rx_commit(&r->rx, &r->m->replay);
	if (commit != OSC_OK && commit != OSC_ERR_WINDOW_UNKNOWN)
		return -commit;
	rc = osc_rx_rebuild(&r->rx, out, cap);
	if (rc >= 0 && commit == OSC_ERR_WINDOW_UNKNOWN) {
		r->rx.out_len = (uint32_t)rc;
		return -fail(r, OSC_ERR_WINDOW_UNKNOWN);
	}
	return rc;
}

void osc_group_rx_exchange(const struct osc_grx *r, struct osc_group_exchange *gex)
{
	const struct osc_option *o = &r->rx.opt;

	*gex = (struct osc_group_exchange){ .group_mode = r->group_mode };
	osc_rx_exchange(&r->rx, &gex->ex);
	gex->gid_len = o->kid_ctx_len <= OSC_ID_CTX_MAX ? o->kid_ctx_len : 0;
	memcpy(gex->gid, o->kid_ctx, gex->gid_len);
}

/* The member the message's kid names (a response without kid: the only candidate). */
static struct osc_member *find(struct osc_member **members, unsigned n, const struct osc_option *o)
{
	for (unsigned i = 0; i < n; i++)
		if (members[i] && osc_group_matches(members[i], o) && (o->has_kid || n == 1))
			return members[i];
	return NULL;
}

int osc_group_unprotect(struct cry_engine *e, struct osc_member **members, unsigned n,
			const struct osc_group_exchange *gex, const uint8_t *in, size_t len,
			uint8_t *out, size_t cap, struct osc_group_exchange *gex_out)
{
	uint8_t plain[OSC_PLAIN_HEADROOM + OSC_MSG_MAX];
	struct osc_grx r = { .rx = { .plain = plain, .plain_cap = sizeof(plain) } };
	struct osc_member *m;
	int rc;

	if (osc_group_rx_parse(&r, in, len, gex == NULL) != OSC_OK)
		return -r.rx.err;
	m = find(members, n, &r.rx.opt);
	if (!m)
		return -fail(&r, OSC_ERR_NO_CONTEXT);
	if (osc_group_rx_prepare(&r, m, gex) != OSC_OK)
		return -r.rx.err;
	cry_aead_batch(e, &r.rx.op, 1);
	rc = osc_group_rx_finish(&r, out, cap);
	if (rc >= 0 && gex_out && !gex)
		osc_group_rx_exchange(&r, gex_out);
	cry_wipe(plain, sizeof(plain));
	return rc;
}
