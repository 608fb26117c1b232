/* SPDX-License-Identifier: BSD-3-Clause */
/* Protecting requests and responses (RFC 8613 §8.1, §8.3) into a caller's buffer. */
#include "oscore/osc_protect.h"

#include <string.h>

#include "crypto/cry_cbor.h"
#include "oscore/osc_classes.h"

/* Bounded writer over the output buffer. */
struct out {
	uint8_t *p;
	size_t len, cap;
	bool full;
};

static void put(struct out *o, const void *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	if (n)
		memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* Leave n bytes for the engine to fill (the tag). */
static void reserve(struct out *o, size_t n)
{
	if (o->full || n > o->cap - o->len)
		o->full = true;
	else
		o->len += n;
}

static void put_header(struct out *o, const struct osc_coap_msg *m, uint8_t code)
{
	uint8_t h[COAP_HDR_LEN] = { (uint8_t)(0x40 | m->type << 4 | m->tkl), code,
				    (uint8_t)(m->mid >> 8), (uint8_t)m->mid };

	put(o, h, sizeof(h));
	put(o, m->token, m->tkl);
}

static void put_opts(struct out *o, const struct osc_coap_opt *opts, unsigned n)
{
	int len;

	if (o->full)
		return;
	len = osc_coap_encode_opts(o->p + o->len, o->cap - o->len, opts, n);
	if (len < 0)
		o->full = true;
	else
		o->len += (size_t)len;
}

/*
 * Outer message (header, Class U options with the OSCORE option, payload marker) then plaintext
 * (§5.3: code, inner options, marker and payload) where the ciphertext will be, and room for the
 * tag. tx->op is pointed at the plaintext to encrypt it in place.
 */
static int write_message(struct osc_tx *tx, struct osc_opt_split *sp, const struct osc_coap_msg *m,
			 uint8_t outer_code, const uint8_t *optval, int optlen, unsigned trailer,
			 uint8_t *buf, size_t cap)
{
	struct out o = { .p = buf, .cap = cap };
	uint8_t marker = COAP_PAYLOAD_MARKER;
	size_t pt;

	if (sp->n_outer >= COAP_MAX_OPTS)
		return OSC_ERR_TOO_BIG; /* with the OSCORE option no receiver here could parse it */
	sp->outer[sp->n_outer++] = (struct osc_coap_opt){ .num = COAP_OPT_OSCORE,
							  .len = (uint16_t)optlen, .val = optval };
	osc_opts_sort(sp->outer, sp->n_outer);
	put_header(&o, m, outer_code);
	put_opts(&o, sp->outer, sp->n_outer);
	put(&o, &marker, 1);
	pt = o.len;
	put(&o, &m->code, 1);
	put_opts(&o, sp->inner, sp->n_inner);
	if (m->payload_len) {
		put(&o, &marker, 1);
		put(&o, m->payload, m->payload_len);
	}
	tx->op.in = tx->op.out = buf + pt;
	tx->op.len = (uint32_t)(o.len - pt);
	tx->op.tag = buf + o.len;
	reserve(&o, tx->op.key->alg->tag_len + (size_t)trailer);
	if (o.full)
		return OSC_ERR_TOO_BIG;
	tx->len = (uint32_t)o.len;
	return OSC_OK;
}

/*
 * The answer template: a response without options (the gateway's own answers in respond mode,
 * a §8.2 answer with its diagnostic) is always the header and token, the OSCORE option alone
 * (RFC 7252 §3.1: delta 9 from 0), the marker, then the plaintext code, [marker, payload] and
 * the tag. Written straight, to the bytes write_message lays out for it (the outer code is 2.04:
 * no Observe, §4.2), without the option split, sort and encoder. tests/oscore/test_answer.c
 * compares the two byte for byte.
 */
static int write_bare(struct osc_tx *tx, const struct osc_coap_msg *m, const uint8_t *optval,
		      int optlen, uint8_t *buf, size_t cap)
{
	size_t ext = optlen >= 13, pl = m->payload_len ? 1 + (size_t)m->payload_len : 0;
	size_t pt = COAP_HDR_LEN + m->tkl + 1 + ext + (size_t)optlen + 1;
	size_t tag = tx->op.key->alg->tag_len;
	uint8_t *p = buf;

	if (pt + 1 + pl + tag > cap)
		return OSC_ERR_TOO_BIG;
	*p++ = (uint8_t)(0x40 | m->type << 4 | m->tkl);
	*p++ = COAP_CHANGED;
	*p++ = (uint8_t)(m->mid >> 8);
	*p++ = (uint8_t)m->mid;
	if (m->tkl)
		memcpy(p, m->token, m->tkl);
	p += m->tkl;
	*p++ = (uint8_t)(COAP_OPT_OSCORE << 4 | (ext ? 13 : optlen));
	if (ext)
		*p++ = (uint8_t)(optlen - 13);
	if (optlen)
		memcpy(p, optval, (size_t)optlen);
	p += optlen;
	*p++ = COAP_PAYLOAD_MARKER;
	*p++ = m->code;
	if (pl) {
		*p++ = COAP_PAYLOAD_MARKER;
		memcpy(p, m->payload, m->payload_len);
		p += m->payload_len;
	}
	tx->op.in = tx->op.out = buf + pt;
	tx->op.len = (uint32_t)((size_t)(p - buf) - pt);
	tx->op.tag = p;
	tx->len = (uint32_t)((size_t)(p - buf) + tag);
	return OSC_OK;
}

static void setup_op(struct osc_tx *tx, const struct osc_ctx *c, int aad_len)
{
	cry_op_prepare(&tx->op, &c->sender_key, CRY_ENCRYPT, tx->nonce, tx->aad, (uint32_t)aad_len);
	tx->op.user = NULL;
}

/* An SSN at or past *limit is not used: it may not be durable yet (App. B.1.1), or it is past
 * 2^40 - 1. */
int osc_ssn_next(uint64_t *ssn_p, const uint64_t *limit_p, uint8_t piv[OSC_PIV_MAX],
		 uint8_t *piv_len)
{
	uint64_t ssn = __atomic_load_n(ssn_p, __ATOMIC_RELAXED), limit;

	do {
		limit = __atomic_load_n(limit_p, __ATOMIC_ACQUIRE);
		if (ssn > OSC_SSN_MAX)
			return OSC_ERR_SSN_EXHAUSTED;
		if (ssn >= limit)
			return OSC_ERR_SSN_LIMIT;
	} while (!__atomic_compare_exchange_n(ssn_p, &ssn, ssn + 1, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	*piv_len = (uint8_t)osc_piv_from_ssn(piv, ssn);
	return OSC_OK;
}

static int next_piv(struct osc_ctx *c, uint8_t piv[OSC_PIV_MAX], uint8_t *piv_len)
{
	return osc_ssn_next(&c->ssn, &c->ssn_limit, piv, piv_len);
}

int osc_tx_layout(struct osc_tx *tx, struct osc_opt_split *sp, const struct osc_coap_msg *m,
		  bool response, const uint8_t *optval, int optlen, unsigned trailer, uint8_t *out,
		  size_t cap)
{
	/* §4.2, §4.1.3.5: outer code POST, or FETCH with Observe; 2.04, or 2.05 for a notification */
	uint8_t code = response ? (sp->observe ? COAP_CONTENT : COAP_CHANGED)
				: (sp->observe ? COAP_FETCH : COAP_POST);

	return write_message(tx, sp, m, code, optval, optlen, trailer, out, cap);
}

/* The OSCORE option value, with the ID Context as kid context when asked (§5, App. B.2), raw or
 * wrapped in a CBOR byte string (OSC_F_KID_CTX_CBOR). */
static int encode_option(uint8_t optval[OSC_OPTION_MAX], struct osc_option *opt,
			 const struct osc_ctx *c, unsigned flags)
{
	uint8_t wrapped[3 + OSC_ID_CTX_MAX];
	struct cry_cbor_buf b;
	int n;

	if (flags & OSC_F_KID_CTX) {
		opt->has_kid_ctx = true;
		opt->kid_ctx = c->id_ctx;
		opt->kid_ctx_len = c->id_ctx_len;
	}
	if (flags & OSC_F_KID_CTX && flags & OSC_F_KID_CTX_CBOR) {
		cry_cbor_init(&b, wrapped, sizeof(wrapped));
		cry_cbor_bstr(&b, c->id_ctx, c->id_ctx_len);
		n = cry_cbor_done(&b);
		if (n < 0 || n > UINT8_MAX)
			return -1;
		opt->kid_ctx = wrapped;
		opt->kid_ctx_len = (uint8_t)n;
	}
	return osc_option_encode(optval, OSC_OPTION_MAX, opt);
}

int osc_tx_prepare_request(struct osc_tx *tx, struct osc_ctx *c, const struct osc_coap_msg *m,
			   uint8_t *out, size_t cap, unsigned flags, struct osc_exchange *ex)
{
	struct osc_opt_split sp;
	struct osc_option opt = { .has_kid = true, .kid = c->sender_id,
				  .kid_len = c->sender_id_len };
	uint8_t optval[OSC_OPTION_MAX];
	int optlen, rc;

	if (m->code == COAP_EMPTY || m->code >> 5 != 0 || osc_opts_split(&sp, m, false))
		return OSC_ERR_BAD_INPUT;
	rc = next_piv(c, opt.piv, &opt.piv_len);
	if (rc != OSC_OK)
		return rc;
	optlen = encode_option(optval, &opt, c, flags);
	if (optlen < 0)
		return OSC_ERR_TOO_BIG;
	osc_nonce(tx->nonce, c, c->sender_id, c->sender_id_len, opt.piv, opt.piv_len);
	setup_op(tx, c, osc_aad(tx->aad, osc_ctx_alg(c), c->sender_id, c->sender_id_len, opt.piv,
				opt.piv_len));
	*ex = (struct osc_exchange){ .kid_len = c->sender_id_len, .piv_len = opt.piv_len,
				     .observe = sp.observe };
	memcpy(ex->kid, c->sender_id, c->sender_id_len);
	memcpy(ex->piv, opt.piv, opt.piv_len);
	memcpy(ex->nonce, tx->nonce, osc_ctx_alg(c)->nonce_len);
	return osc_tx_layout(tx, &sp, m, false, optval, optlen, 0, out, cap);
}

/*
 * A response to the request whose nonce is req_nonce, its AAD (the request's, §5.4) already in
 * tx->aad[0..aad_len): a fresh Partial IV and nonce with OSC_F_OWN_PIV, the option value, the
 * layout. Nothing is taken from c's SSN for a message that cannot be sent.
 */
static int prepare_response(struct osc_tx *tx, struct osc_ctx *c, const uint8_t *req_nonce,
			    int aad_len, const struct osc_coap_msg *m, uint8_t *out, size_t cap,
			    unsigned flags)
{
	struct osc_opt_split sp;
	struct osc_option opt = { 0 };
	uint8_t optval[OSC_OPTION_MAX];
	int optlen, rc;

	if (m->code >> 5 < 2 || aad_len < 0 || (m->n_opts && osc_opts_split(&sp, m, true)))
		return OSC_ERR_BAD_INPUT;
	memcpy(tx->nonce, req_nonce, sizeof(tx->nonce)); /* §8.3: reuse the request's nonce ... */
	if (flags & OSC_F_OWN_PIV) {                       /* ... or take a fresh Partial IV */
		rc = next_piv(c, opt.piv, &opt.piv_len);
		if (rc != OSC_OK)
			return rc;
		osc_nonce(tx->nonce, c, c->sender_id, c->sender_id_len, opt.piv, opt.piv_len);
	}
	optlen = encode_option(optval, &opt, c, flags);
	if (optlen < 0)
		return OSC_ERR_TOO_BIG;
	setup_op(tx, c, aad_len);
	if (!m->n_opts)
		return write_bare(tx, m, optval, optlen, out, cap);
	return osc_tx_layout(tx, &sp, m, true, optval, optlen, 0, out, cap);
}

int osc_tx_prepare_response(struct osc_tx *tx, struct osc_ctx *c, const struct osc_exchange *ex,
			    const struct osc_coap_msg *m, uint8_t *out, size_t cap, unsigned flags)
{
	int aad_len = osc_aad(tx->aad, osc_ctx_alg(c), ex->kid, ex->kid_len, ex->piv, ex->piv_len);

	return prepare_response(tx, c, ex->nonce, aad_len, m, out, cap, flags);
}

int osc_tx_prepare_reply(struct osc_tx *tx, const struct osc_rx *rx, const struct osc_coap_msg *m,
			 uint8_t *out, size_t cap, unsigned flags)
{
	/* §5.4: request_kid and request_piv, whatever the response's own Partial IV; RFC 8613's
	 * external_aad has no kid context. The request's AAD is the response's, byte for byte. */
	if (rx->ex || rx->op.dir != CRY_DECRYPT || rx->op.status != CRY_OK)
		return OSC_ERR_BAD_INPUT; /* never an answer on the nonce of an unverified request */
	memcpy(tx->aad, rx->aad, sizeof(tx->aad));
	return prepare_response(tx, rx->ctx, rx->nonce, (int)rx->op.aad_len, m, out, cap, flags);
}

/* Run one prepared op on e; map its status. */
static int run_one(struct cry_engine *e, struct cry_op *op)
{
	cry_aead_batch(e, op, 1);
	if (op->status == CRY_OK)
		return OSC_OK;
	return op->status == CRY_ERR_AUTH ? OSC_ERR_DECRYPT : OSC_ERR_CRYPTO;
}

static int protect(struct cry_engine *e, struct osc_tx *tx, int rc)
{
	if (rc == OSC_OK)
		rc = run_one(e, &tx->op);
	return rc == OSC_OK ? (int)tx->len : -rc;
}

int osc_protect_request(struct cry_engine *e, struct osc_ctx *c, const uint8_t *in, size_t len,
			uint8_t *out, size_t cap, unsigned flags, struct osc_exchange *ex)
{
	struct osc_coap_msg m;
	struct osc_tx tx;

	if (osc_coap_parse(&m, in, len) != OSC_COAP_OK)
		return -OSC_ERR_BAD_INPUT;
	return protect(e, &tx, osc_tx_prepare_request(&tx, c, &m, out, cap, flags, ex));
}

int osc_protect_response(struct cry_engine *e, struct osc_ctx *c, const struct osc_exchange *ex,
			 const uint8_t *in, size_t len, uint8_t *out, size_t cap, unsigned flags)
{
	struct osc_coap_msg m;
	struct osc_tx tx;

	if (osc_coap_parse(&m, in, len) != OSC_COAP_OK)
		return -OSC_ERR_BAD_INPUT;
	return protect(e, &tx, osc_tx_prepare_response(&tx, c, ex, &m, out, cap, flags));
}
