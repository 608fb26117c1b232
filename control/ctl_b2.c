/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 8613 App. B.2 context re-derivation, server side (ID2 = R2 || R1, ID3 = R2 || R3). */
#include "control/ctl_b2.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

void ctl_b2_init(struct ctl_b2 *b, uint32_t lifetime)
{
	memset(b, 0, sizeof(*b));
	b->lifetime = lifetime ? lifetime : 1;
}

void ctl_b2_wipe(struct ctl_b2 *b)
{
	cry_wipe(b, sizeof(*b));
}

static int find_tmpl(const struct ctl_b2 *b, const uint8_t *kid, size_t kid_len)
{
	unsigned i;

	for (i = 0; i < b->n_tmpl; i++)
		if (b->tmpl[i].recipient_id_len == kid_len &&
		    !memcmp(b->tmpl[i].recipient_id, kid, kid_len))
			return (int)i;
	return -1;
}

int ctl_b2_add(struct ctl_b2 *b, const struct osc_params *p)
{
	if (b->n_tmpl == CTL_B2_TEMPLATES || find_tmpl(b, p->recipient_id, p->recipient_id_len) >= 0)
		return -1;
	b->tmpl[b->n_tmpl] = *p;
	osc_params_defaults(&b->tmpl[b->n_tmpl]);
	b->n_tmpl++;
	return 0;
}

/* Derive ctx from template t with ID Context a || c (§3.2 with only the ID Context new). */
static int derive(struct osc_ctx *ctx, struct osc_params *p, const struct osc_params *t,
		  const uint8_t *a, size_t a_len, const uint8_t *c, size_t c_len)
{
	if (a_len + c_len > OSC_ID_CTX_MAX) /* a kid context from the wire may be 255 bytes */
		return OSC_ERR_NO_CONTEXT;
	*p = *t;
	p->has_id_ctx = true;
	p->id_ctx_len = (uint8_t)(a_len + c_len);
	if (a_len) /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(p->id_ctx, a, a_len);
	if (c_len)
		memcpy(p->id_ctx + a_len, c, c_len);
	return osc_ctx_derive(ctx, p) == OSC_CTX_OK ? OSC_OK : OSC_ERR_CRYPTO;
}

/* Verify the parsed request rx under ctx, rebuilding it into out. */
static int verify(struct cry_engine *e, struct osc_rx *rx, struct osc_ctx *ctx, uint8_t *out,
		  size_t cap)
{
	int n;

	if (osc_rx_prepare(rx, ctx, NULL) != OSC_OK)
		return -rx->err;
	cry_aead_batch(e, &rx->op, 1);
	n = osc_rx_finish(rx, out, cap);
	return n;
}

/* A free or expired slot; R2 values are random, so expiry is the only reuse question. */
static struct ctl_b2_slot *free_slot(struct ctl_b2 *b, uint32_t now)
{
	unsigned i;

	for (i = 0; i < CTL_B2_SLOTS; i++)
		if (!b->slot[i].expiry || b->slot[i].expiry < now)
			return &b->slot[i];
	return NULL;
}

/* Zeroed, so that wiping a context that was never derived frees nothing. */
static struct osc_ctx *ctx_alloc(void)
{
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));

	if (c)
		memset(c, 0, sizeof(*c));
	return c;
}

static void ctx_free(struct osc_ctx *c)
{
	if (c)
		osc_ctx_wipe(c);
	free(c);
}

/* Step 2's answer: 4.01 under ctx(R2 || R1) with kid context R2. ctx(ID2) sends R2 as its kid
 * context, which is the first CTL_B2_R2_LEN bytes of its ID Context (ID2 = R2 || R1): the
 * length is cut to that for this one message, the keys stay those of R2 || R1. */
static int answer1(struct cry_engine *e, struct osc_ctx *c2, const struct osc_rx *rx,
		   uint8_t *out, size_t cap)
{
	struct osc_coap_msg m = { .type = rx->outer.type == COAP_CON ? COAP_ACK : COAP_NON,
				  .code = COAP_UNAUTHORIZED, .mid = rx->outer.mid,
				  .tkl = rx->outer.tkl, .token = rx->outer.token };
	struct osc_exchange ex;
	uint8_t plain[16];
	int n = osc_coap_encode(plain, sizeof(plain), &m);

	if (n < 0)
		return -OSC_ERR_TOO_BIG;
	osc_rx_exchange(rx, &ex);
	c2->id_ctx_len = CTL_B2_R2_LEN;
	return osc_protect_response(e, c2, &ex, plain, (size_t)n, out, cap, OSC_F_KID_CTX);
}

/* Step 2 once request #1 verified: a fresh R2, remembered, and the answer under ctx(R2||R1). */
static int issue_r2(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, int t,
		    const struct osc_rx *rx, uint8_t *out, size_t cap)
{
	struct ctl_b2_slot *s = free_slot(b, now);
	struct osc_ctx *c2 = ctx_alloc();
	struct osc_params p;
	int rc = -OSC_ERR_CRYPTO;

	if (!s) {
		rc = CTL_B2_FULL;
		goto out;
	}
	if (!c2 || RAND_bytes(s->r2, CTL_B2_R2_LEN) != 1 ||
	    derive(c2, &p, &b->tmpl[t], s->r2, CTL_B2_R2_LEN, rx->opt.kid_ctx,
		   rx->opt.kid_ctx_len) != OSC_OK)
		goto out;
	rc = answer1(e, c2, rx, out, cap);
	if (rc > 0) {
		s->expiry = now + b->lifetime;
		s->tmpl = (uint16_t)t;
	}
out:
	cry_wipe(&p, sizeof(p));
	ctx_free(c2);
	return rc;
}

int ctl_b2_request1(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, const uint8_t *in,
		    size_t len, uint8_t *out, size_t cap)
{
	uint8_t plain[OSC_PLAIN_HEADROOM + OSC_MSG_MAX], dummy[OSC_MSG_MAX];
	struct osc_rx rx = { .plain = plain, .plain_cap = sizeof(plain) };
	struct osc_ctx *c1 = ctx_alloc();
	struct osc_params p;
	int t, rc;

	if (!c1)
		return -OSC_ERR_CRYPTO;
	rc = osc_rx_parse(&rx, in, len, true);
	t = rc == OSC_OK ? find_tmpl(b, rx.opt.kid, rx.opt.kid_len) : -1;
	if (rc == OSC_OK && (t < 0 || !rx.opt.has_kid_ctx || !rx.opt.kid_ctx_len ||
			     rx.opt.kid_ctx_len > OSC_ID_CTX_MAX - CTL_B2_R2_LEN))
		rc = OSC_ERR_NO_CONTEXT;
	if (rc == OSC_OK)
		rc = derive(c1, &p, &b->tmpl[t], rx.opt.kid_ctx, rx.opt.kid_ctx_len, NULL, 0);
	if (rc == OSC_OK)
		rc = verify(e, &rx, c1, dummy, sizeof(dummy)) < 0 ? rx.err : OSC_OK;
	rc = rc == OSC_OK ? issue_r2(b, e, now, t, &rx, out, cap) : -rc;
	cry_wipe(&p, sizeof(p));
	cry_wipe(plain, sizeof(plain));
	ctx_free(c1);
	return rc;
}

/* The issued, unexpired slot whose R2 prefixes kid context kc for template t. */
static struct ctl_b2_slot *find_r2(struct ctl_b2 *b, uint32_t now, const struct osc_option *o,
				   int t)
{
	unsigned i;

	if (!o->has_kid_ctx || o->kid_ctx_len <= CTL_B2_R2_LEN)
		return NULL;
	for (i = 0; i < CTL_B2_SLOTS; i++) {
		struct ctl_b2_slot *s = &b->slot[i];

		if (s->expiry && s->expiry >= now && s->tmpl == t &&
		    cry_ct_equal(s->r2, o->kid_ctx, CTL_B2_R2_LEN))
			return s;
	}
	return NULL;
}

int ctl_b2_request2(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, const uint8_t *in,
		    size_t len, struct osc_ctx *ctx, struct osc_params *p, uint8_t *plain,
		    size_t cap, struct osc_exchange *ex)
{
	uint8_t buf[OSC_PLAIN_HEADROOM + OSC_MSG_MAX];
	struct osc_rx rx = { .plain = buf, .plain_cap = sizeof(buf) };
	struct ctl_b2_slot *s;
	int t, n;

	if (osc_rx_parse(&rx, in, len, true) != OSC_OK)
		return -rx.err;
	t = find_tmpl(b, rx.opt.kid, rx.opt.kid_len);
	s = t >= 0 ? find_r2(b, now, &rx.opt, t) : NULL;
	if (!s)
		return -OSC_ERR_NO_CONTEXT;
	/* kid context = R2 || R3 as a whole is ID3 */
	n = derive(ctx, p, &b->tmpl[t], rx.opt.kid_ctx, rx.opt.kid_ctx_len, NULL, 0);
	if (n != OSC_OK)
		return -n;
	n = verify(e, &rx, ctx, plain, cap);
	cry_wipe(buf, sizeof(buf));
	if (n < 0) {
		osc_ctx_wipe(ctx);
		cry_wipe(p, sizeof(*p));
		return n;
	}
	osc_rx_exchange(&rx, ex);
	memset(s, 0, sizeof(*s)); /* step 4: R2 is forgotten */
	return n;
}
