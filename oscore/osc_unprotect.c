/* SPDX-License-Identifier: BSD-3-Clause */
/* Verifying requests and responses (RFC 8613 §8.2, §8.4) in stages. */
#include "oscore/osc_protect.h"

#include <string.h>

#include "oscore/osc_classes.h"

static int fail(struct osc_rx *rx, int err)
{
	rx->err = (uint8_t)err;
	return err;
}

int osc_rx_parse(struct osc_rx *rx, const uint8_t *buf, size_t len, bool is_request)
{
	const struct osc_coap_opt *o;
	unsigned count;

	rx->ctx = NULL;
	rx->ex = NULL;
	rx->observe = false;
	if (osc_coap_parse(&rx->outer, buf, len) != OSC_COAP_OK)
		return fail(rx, OSC_ERR_COAP);
	o = osc_coap_find(&rx->outer, COAP_OPT_OSCORE, &count);
	if (!o)
		return fail(rx, OSC_ERR_NOT_OSCORE);
	if (count > 1)
		return fail(rx, OSC_ERR_DUP_OPTION);
	if (osc_option_decode(&rx->opt, o->val, o->len,
			      rx->flags & OSC_RX_GROUP ? OSC_FLAG_GROUP : 0) != OSC_OPT_OK)
		return fail(rx, OSC_ERR_OPTION);
	if (!rx->outer.payload_len)
		return fail(rx, OSC_ERR_NO_PAYLOAD); /* §2 */
	if (is_request && !rx->opt.piv_len)
		return fail(rx, OSC_ERR_NO_PIV);
	if (is_request && !rx->opt.has_kid)
		return fail(rx, OSC_ERR_NO_KID);
	rx->piv = osc_piv_to_ssn(rx->opt.piv, rx->opt.piv_len);
	return fail(rx, OSC_OK);
}

bool osc_ctx_matches(const struct osc_ctx *c, const struct osc_option *o)
{
	if (!o->has_kid || o->kid_len != c->recipient_id_len ||
	    memcmp(o->kid, c->recipient_id, o->kid_len))
		return false;
	if (!o->has_kid_ctx)
		return true;
	return c->has_id_ctx && o->kid_ctx_len == c->id_ctx_len &&
	       !memcmp(o->kid_ctx, c->id_ctx, o->kid_ctx_len);
}

static int replay_err(int verdict)
{
	return verdict == OSC_REPLAY_OK ? OSC_OK :
	       verdict == OSC_REPLAY_SEEN ? OSC_ERR_REPLAY : OSC_ERR_TOO_OLD;
}

/* Nonce and AAD: a request's come from its own kid and Partial IV (§5.2, §5.4); a response's AAD
 * from the request's, and its nonce from its own Partial IV if it has one, else the request's. */
static int nonce_and_aad(struct osc_rx *rx, const struct osc_ctx *c, const struct osc_exchange *ex)
{
	const struct osc_option *o = &rx->opt;

	if (!ex) {
		osc_nonce(rx->nonce, c, o->kid, o->kid_len, o->piv, o->piv_len);
		return osc_aad(rx->aad, osc_ctx_alg(c), o->kid, o->kid_len, o->piv, o->piv_len);
	}
	if (o->piv_len)
		osc_nonce(rx->nonce, c, c->recipient_id, c->recipient_id_len, o->piv, o->piv_len);
	else
		memcpy(rx->nonce, ex->nonce, osc_ctx_alg(c)->nonce_len);
	return osc_aad(rx->aad, osc_ctx_alg(c), ex->kid, ex->kid_len, ex->piv, ex->piv_len);
}

int osc_rx_prepare(struct osc_rx *rx, struct osc_ctx *ctx, const struct osc_exchange *ex)
{
	uint32_t tag = osc_ctx_alg(ctx)->tag_len, ct_len;
	int aad_len, rc;

	rx->ctx = ctx;
	rx->ex = ex;
	if (rx->outer.payload_len < tag + 1u) /* at least the code byte must be encrypted */
		return fail(rx, OSC_ERR_SHORT_CIPHER);
	ct_len = rx->outer.payload_len - tag;
	if (OSC_PLAIN_HEADROOM + (size_t)ct_len > rx->plain_cap)
		return fail(rx, OSC_ERR_TOO_BIG);
	rx->replay = ex ? OSC_REPLAY_OK : (uint8_t)osc_replay_check(&ctx->replay, rx->piv);
	rc = replay_err(rx->replay);
	if (rc != OSC_OK && !(rx->flags & OSC_RX_LOADTEST))
		return fail(rx, rc);
	aad_len = nonce_and_aad(rx, ctx, ex);
	if (aad_len < 0)
		return fail(rx, OSC_ERR_NO_CONTEXT);
	cry_op_prepare(&rx->op, &ctx->recipient_key, CRY_DECRYPT, rx->nonce, rx->aad,
		       (uint32_t)aad_len);
	rx->op.in = rx->outer.payload;
	rx->op.out = rx->plain + OSC_PLAIN_HEADROOM;
	rx->op.len = ct_len;
	rx->op.tag = (uint8_t *)rx->outer.payload + ct_len;
	rx->op.user = rx;
	return fail(rx, OSC_OK);
}

/* Whether in carries Observe. An empty inner Observe of a notification with a Partial IV gets the
 * Partial IV's 3 least significant bytes as its value (§4.1.3.5.2), so that a plain CoAP observer
 * behind the client can order notifications as RFC 7641 §3.4 expects. */
static bool notification_order(struct osc_rx *rx, struct osc_coap_msg *in)
{
	struct osc_coap_opt *o = (struct osc_coap_opt *)osc_coap_find(in, COAP_OPT_OBSERVE, NULL);
	unsigned n = rx->opt.piv_len < 3 ? rx->opt.piv_len : 3;

	if (!o)
		return false;
	if (rx->ex && o->len == 0 && n) {
		o->val = rx->opt.piv + rx->opt.piv_len - n;
		o->len = (uint16_t)n;
	}
	return true;
}

/* Parse the plaintext (§5.3: code, options, marker, payload) by laying a CoAP header over the
 * headroom in front of it, so that the one bounds-checked codec parses inner and outer alike. */
static int parse_inner(struct osc_rx *rx, struct osc_coap_msg *in)
{
	uint8_t *p = rx->plain;
	bool request = !rx->ex;

	p[1] = p[OSC_PLAIN_HEADROOM]; /* the code */
	p[0] = 0x40;                  /* version 1, CON, no token */
	p[2] = p[3] = 0;              /* overwrites the code byte, already copied */
	if (osc_coap_parse(in, p, OSC_PLAIN_HEADROOM + (size_t)rx->op.len) != OSC_COAP_OK)
		return OSC_ERR_INNER;
	if (request ? (in->code == COAP_EMPTY || in->code >> 5 != 0) : in->code >> 5 < 2)
		return OSC_ERR_INNER;
	if (osc_coap_find(in, COAP_OPT_OSCORE, NULL))
		return OSC_ERR_NESTED; /* §4.1.3.7 */
	rx->observe = notification_order(rx, in);
	if (!request && rx->observe && !rx->ex->observe)
		return OSC_ERR_INNER; /* §8.4.2: a notification for a request that did not observe */
	return OSC_OK;
}

/* §8.2 step 7 / §8.4 step 6: inner options plus the outer Class U ones (outer Class E options
 * were only for the hop and are dropped, §8.2 step 1), the outer header, the inner code. */
static int rebuild(const struct osc_rx *rx, struct osc_coap_msg *in, uint8_t *out, size_t cap)
{
	struct osc_coap_opt merged[COAP_MAX_OPTS];
	unsigned n = 0, i;
	int len;

	for (i = 0; i < rx->outer.n_opts; i++) {
		const struct osc_coap_opt *o = &rx->outer.opts[i];

		if (osc_opt_class(o->num) == OSC_CLASS_U && o->num != COAP_OPT_OSCORE)
			merged[n++] = *o;
	}
	if (n + in->n_opts > COAP_MAX_OPTS)
		return -OSC_ERR_INNER;
	memcpy(merged + n, in->opts, in->n_opts * sizeof(merged[0]));
	n += in->n_opts;
	osc_opts_sort(merged, n);
	memcpy(in->opts, merged, n * sizeof(merged[0]));
	in->n_opts = (uint8_t)n;
	in->type = rx->outer.type;
	in->mid = rx->outer.mid;
	in->tkl = rx->outer.tkl;
	in->token = rx->outer.token;
	len = osc_coap_encode(out, cap, in);
	return len < 0 ? -OSC_ERR_TOO_BIG : len;
}

int osc_rx_rebuild(struct osc_rx *rx, uint8_t *out, size_t cap)
{
	struct osc_coap_msg inner;
	int rc = parse_inner(rx, &inner);

	if (rc != OSC_OK)
		return -fail(rx, rc);
	rc = rebuild(rx, &inner, out, cap);
	return rc < 0 ? -fail(rx, -rc) : rc;
}

int osc_rx_commit(struct osc_rx *rx, struct osc_replay *w)
{
	int v, rc;

	if (rx->ex)
		return OSC_OK; /* responses are bound to their request, not to a window */
	if (!osc_replay_known(w)) { /* App. B.1.2: nothing to validate against */
		rx->replay = OSC_REPLAY_UNKNOWN;
		return OSC_ERR_WINDOW_UNKNOWN;
	}
	v = osc_replay_commit(w, rx->piv); /* §7.4: atomically, and only after verification */
	if (v != OSC_REPLAY_OK)
		rx->replay = (uint8_t)v;
	rc = replay_err(v);
	return rc != OSC_OK && !(rx->flags & OSC_RX_LOADTEST) ? fail(rx, rc) : OSC_OK;
}

int osc_rx_finish(struct osc_rx *rx, uint8_t *out, size_t cap)
{
	int rc, commit;

	if (rx->op.status != CRY_OK)
		return -fail(rx, rx->op.status == CRY_ERR_AUTH ? OSC_ERR_DECRYPT : OSC_ERR_CRYPTO);
	commit = osc_rx_commit(rx, &rx->ctx->replay);
	if (commit != OSC_OK && commit != OSC_ERR_WINDOW_UNKNOWN)
		return -commit;
	rc = osc_rx_rebuild(rx, out, cap);
	if (rc < 0)
		return rc;
	if (commit == OSC_ERR_WINDOW_UNKNOWN) { /* verified; the control plane decides */
		rx->out_len = (uint32_t)rc;
		return -fail(rx, OSC_ERR_WINDOW_UNKNOWN);
	}
	return rc;
}

int osc_rx_finish_inner(struct osc_rx *rx, struct osc_coap_msg *inner, uint8_t *out, size_t cap)
{
	int rc, commit;

	if (rx->op.status != CRY_OK)
		return -fail(rx, rx->op.status == CRY_ERR_AUTH ? OSC_ERR_DECRYPT : OSC_ERR_CRYPTO);
	commit = osc_rx_commit(rx, &rx->ctx->replay);
	if (commit == OSC_ERR_WINDOW_UNKNOWN) { /* the control plane needs the plain request */
		/* Not osc_rx_finish: it would commit a second time, and a window the control lcore
		 * reset in between would let that pass with *inner never written. */
		rc = osc_rx_rebuild(rx, out, cap);
		if (rc < 0)
			return rc;
		rx->out_len = (uint32_t)rc;
		return -fail(rx, OSC_ERR_WINDOW_UNKNOWN);
	}
	if (commit != OSC_OK)
		return -commit;
	rc = parse_inner(rx, inner); /* the same checks as osc_rx_finish, nothing written */
	return rc != OSC_OK ? -fail(rx, rc) : 0;
}

int osc_rx_rebuild_inner(struct osc_rx *rx, struct osc_coap_msg *inner, uint8_t *out, size_t cap)
{
	int rc = rebuild(rx, inner, out, cap);

	return rc < 0 ? -fail(rx, -rc) : rc;
}

void osc_rx_exchange(const struct osc_rx *rx, struct osc_exchange *ex)
{
	*ex = (struct osc_exchange){ .kid_len = rx->opt.kid_len, .piv_len = rx->opt.piv_len,
				     .observe = rx->observe };
	memcpy(ex->kid, rx->opt.kid, rx->opt.kid_len <= OSC_ID_MAX ? rx->opt.kid_len : 0);
	memcpy(ex->piv, rx->opt.piv, rx->opt.piv_len);
	memcpy(ex->nonce, rx->nonce, sizeof(ex->nonce));
}

/* One message through the stages, synchronously. */
static int unprotect_one(struct cry_engine *e, struct osc_ctx *c, const struct osc_exchange *ex,
			 struct osc_rx *rx, const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	if (osc_rx_parse(rx, in, len, !ex) != OSC_OK)
		return -rx->err;
	if (!ex && !osc_ctx_matches(c, &rx->opt))
		return -fail(rx, OSC_ERR_NO_CONTEXT);
	if (osc_rx_prepare(rx, c, ex) != OSC_OK)
		return -rx->err;
	cry_aead_batch(e, &rx->op, 1);
	return osc_rx_finish(rx, out, cap);
}

int osc_unprotect_request(struct cry_engine *e, struct osc_ctx *c, const uint8_t *in, size_t len,
			  uint8_t *out, size_t cap, struct osc_exchange *ex)
{
	uint8_t plain[OSC_PLAIN_HEADROOM + OSC_MSG_MAX];
	struct osc_rx rx = { .plain = plain, .plain_cap = sizeof(plain) };
	int n = unprotect_one(e, c, NULL, &rx, in, len, out, cap);

	if (n >= 0 && ex)
		osc_rx_exchange(&rx, ex);
	return n;
}

int osc_unprotect_response(struct cry_engine *e, struct osc_ctx *c, const struct osc_exchange *ex,
			   const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	uint8_t plain[OSC_PLAIN_HEADROOM + OSC_MSG_MAX];
	struct osc_rx rx = { .plain = plain, .plain_cap = sizeof(plain) };

	return unprotect_one(e, c, ex, &rx, in, len, out, cap);
}
