/* SPDX-License-Identifier: BSD-3-Clause */
/* Answers to requests, plain and protected (see osc_answer.h). */
#include "oscore/osc_answer.h"

#include <string.h>

void osc_answer_header(struct osc_coap_msg *ans, const struct osc_coap_msg *req, uint8_t code,
		       uint16_t *next_mid)
{
	memset(ans, 0, offsetof(struct osc_coap_msg, opts));
	/* RFC 7252 §5.2.1 piggybacked for CON; §5.2.2 a NON request gets a NON response */
	ans->type = req->type == COAP_CON ? COAP_ACK : COAP_NON;
	ans->mid = req->type == COAP_CON ? req->mid : (*next_mid)++;
	ans->code = code;
	ans->tkl = req->tkl;
	ans->token = req->token;
}

uint8_t osc_answer_served_code(uint8_t req_code)
{
	return req_code == COAP_GET || req_code == COAP_FETCH ? COAP_CONTENT : COAP_CHANGED;
}

int osc_answer_error(const struct osc_coap_msg *req, uint8_t code, const char *diag,
		     uint16_t *next_mid, uint8_t *out, size_t cap)
{
	struct osc_coap_msg m;
	int n;

	osc_answer_header(&m, req, code, next_mid);
	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_MAX_AGE, .len = 0 };
	m.n_opts = 1;
	m.payload = (const uint8_t *)diag;
	m.payload_len = diag ? (uint32_t)strlen(diag) : 0;
	n = osc_coap_encode(out, cap, &m);
	return n < 0 ? -1 : n;
}

/* osc_tx_prepare_response for ex, or osc_tx_prepare_reply for rx when ex is NULL. */
static int prepare(struct osc_tx *tx, struct osc_ctx *c, const struct osc_exchange *ex,
		   const struct osc_rx *rx, const struct osc_coap_msg *m, uint8_t *out, size_t cap,
		   unsigned flags)
{
	return ex ? osc_tx_prepare_response(tx, c, ex, m, out, cap, flags)
		  : osc_tx_prepare_reply(tx, rx, m, out, cap, flags);
}

static int answer(struct osc_tx *tx, struct osc_ctx *c, const struct osc_exchange *ex,
		  const struct osc_rx *rx, struct osc_coap_msg *m, uint8_t *out, size_t cap,
		  unsigned flags, bool *fell_back)
{
	unsigned f = flags & (OSC_F_OWN_PIV | OSC_F_KID_CTX | OSC_F_KID_CTX_CBOR);
	int rc = prepare(tx, c, ex, rx, m, out, cap, f);

	if (fell_back)
		*fell_back = false;
	if (rc != OSC_ERR_SSN_LIMIT || !(flags & OSC_ANS_DURABLE_503))
		return rc;
	/* App. B.1.1: never an SSN a crash could make us reuse; the request's nonce is safe */
	m->code = COAP_SERVICE_UNAVAILABLE;
	m->n_opts = 0;
	m->payload = NULL;
	m->payload_len = 0;
	if (fell_back)
		*fell_back = true;
	return prepare(tx, c, ex, rx, m, out, cap, f & ~OSC_F_OWN_PIV);
}

int osc_answer_prepare(struct osc_tx *tx, struct osc_ctx *c, const struct osc_exchange *ex,
		       struct osc_coap_msg *m, uint8_t *out, size_t cap, unsigned flags,
		       bool *fell_back)
{
	return answer(tx, c, ex, NULL, m, out, cap, flags, fell_back);
}

int osc_answer_reply(struct osc_tx *tx, const struct osc_rx *rx, struct osc_coap_msg *m,
		     uint8_t *out, size_t cap, unsigned flags, bool *fell_back)
{
	return answer(tx, rx->ctx, NULL, rx, m, out, cap, flags, fell_back);
}

int osc_answer_protect(struct cry_engine *e, struct osc_ctx *c, const struct osc_exchange *ex,
		       struct osc_coap_msg *m, uint8_t *out, size_t cap, unsigned flags,
		       bool *fell_back)
{
	struct osc_tx tx;
	int rc = osc_answer_prepare(&tx, c, ex, m, out, cap, flags, fell_back);

	if (rc != OSC_OK)
		return -rc;
	cry_aead_batch(e, &tx.op, 1);
	return tx.op.status == CRY_OK ? (int)tx.len : -OSC_ERR_CRYPTO;
}
