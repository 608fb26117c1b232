/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 8613 App. B.2 context re-derivation, server side (ID2 = R2 || R1, ID3 = R2 || R3). */
#include "control/ctl_b2.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_cbor_dec.h"
#include "oscore/osc_answer.h"

void ctl_b2_init(struct ctl_b2 *b, uint32_t lifetime)
{
	memset(b, 0, sizeof(*b));
	b->lifetime = lifetime ? lifetime : 1;
}

void ctl_b2_wipe(struct ctl_b2 *b)
{
	cry_wipe(b, sizeof(*b));
}

int ctl_b2_tmpl(const struct ctl_b2 *b, const uint8_t *kid, size_t kid_len)
{
	unsigned i;

	for (i = 0; i < b->n_tmpl; i++)
		if (b->tmpl[i].recipient_id_len == kid_len &&
		    !memcmp(b->tmpl[i].recipient_id, kid, kid_len))
			return (int)i;
	return -1;
}

bool ctl_b2_unwrap(const uint8_t *kc, size_t len, uint8_t *out, size_t *out_len)
{
	/* one definite byte string of at most OSC_ID_CTX_MAX bytes, and nothing after it */
	static const struct cry_cbor_limits lim = { .max_len = 2 + OSC_ID_CTX_MAX, .max_depth = 1,
						    .max_items = 1 };
	cbor_item_t *it = NULL;
	const uint8_t *p;
	size_t n;
	bool ok;

	if (!len || (kc[0] & 0xe0) != 0x40) /* major type 2: nothing else needs decoding */
		return false;
	ok = !cry_cbor_decode(kc, len, &lim, &it, NULL) && cry_cbor_get_bstr(it, &p, &n) &&
	     n <= OSC_ID_CTX_MAX;
	if (ok) {
		*out_len = n;
		if (n)
			memcpy(out, p, n);
	}
	if (it)
		cbor_decref(&it);
	return ok;
}

int ctl_b2_add(struct ctl_b2 *b, const struct osc_params *p)
{
	if (b->n_tmpl == CTL_B2_TEMPLATES ||
	    ctl_b2_tmpl(b, p->recipient_id, p->recipient_id_len) >= 0)
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

/* Step 2's answer: 4.01 under ctx(R2 || R1) with kid context R2, in the form request #1 used
 * (flags: OSC_F_KID_CTX_CBOR for the wrapped one). ctx(ID2) sends R2 as its kid context, which
 * is the first CTL_B2_R2_LEN bytes of its ID Context (ID2 = R2 || R1): the length is cut to that
 * for this one message, the keys stay those of R2 || R1. */
static int answer1(struct cry_engine *e, struct osc_ctx *c2, const struct osc_rx *rx,
		   unsigned flags, uint16_t *next_mid, uint8_t *out, size_t cap)
{
	struct osc_exchange ex;
	struct osc_coap_msg m;

	osc_answer_header(&m, &rx->outer, COAP_UNAUTHORIZED, next_mid);
	osc_rx_exchange(rx, &ex);
	c2->id_ctx_len = CTL_B2_R2_LEN;
	return osc_answer_protect(e, c2, &ex, &m, out, cap, OSC_F_KID_CTX | flags, NULL);
}

/* Step 2 once request #1 (ID1 = id1[0..id1_len)) verified: a fresh R2, remembered, and the
 * answer under ctx(R2 || ID1). */
static int issue_r2(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, int t,
		    const struct osc_rx *rx, const uint8_t *id1, size_t id1_len, unsigned flags,
		    uint16_t *next_mid, uint8_t *out, size_t cap)
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
	    derive(c2, &p, &b->tmpl[t], s->r2, CTL_B2_R2_LEN, id1, id1_len) != OSC_OK)
		goto out;
	rc = answer1(e, c2, rx, flags, next_mid, out, cap);
	if (rc > 0) {
		s->expiry = now + b->lifetime;
		s->tmpl = (uint16_t)t;
	}
out:
	cry_wipe(&p, sizeof(p));
	ctx_free(c2);
	return rc;
}

/* Verify request #1 rx (template t) under ctx(id1): OSC_OK or an enum osc_err. */
static int verify1(struct ctl_b2 *b, struct cry_engine *e, struct osc_rx *rx, int t,
		   const uint8_t *id1, size_t id1_len)
{
	uint8_t dummy[OSC_MSG_MAX];
	struct osc_ctx *c1 = ctx_alloc();
	struct osc_params p;
	int rc = c1 ? derive(c1, &p, &b->tmpl[t], id1, id1_len, NULL, 0) : OSC_ERR_CRYPTO;

	if (rc == OSC_OK)
		rc = verify(e, rx, c1, dummy, sizeof(dummy)) < 0 ? rx->err : OSC_OK;
	cry_wipe(&p, sizeof(p));
	cry_wipe(dummy, sizeof(dummy));
	ctx_free(c1);
	return rc;
}

/* Is R1 a usable ID1 (App. B.2 step 1: 1.. bytes, room for R2 before it)? */
static bool id1_ok(size_t len)
{
	return len && len <= OSC_ID_CTX_MAX - CTL_B2_R2_LEN;
}

int ctl_b2_request1(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, const uint8_t *in,
		    size_t len, uint16_t *next_mid, uint8_t *out, size_t cap, bool *wrapped)
{
	uint8_t plain[OSC_PLAIN_HEADROOM + OSC_MSG_MAX], id1[OSC_ID_CTX_MAX];
	struct osc_rx rx = { .plain = plain, .plain_cap = sizeof(plain) };
	size_t id1_len = 0;
	unsigned flags = 0;
	int t, rc;

	rc = osc_rx_parse(&rx, in, len, true);
	t = rc == OSC_OK ? ctl_b2_tmpl(b, rx.opt.kid, rx.opt.kid_len) : -1;
	if (rc == OSC_OK && (t < 0 || !rx.opt.has_kid_ctx))
		rc = OSC_ERR_NO_CONTEXT;
	if (rc == OSC_OK && id1_ok(rx.opt.kid_ctx_len))
		rc = verify1(b, e, &rx, t, rx.opt.kid_ctx, rx.opt.kid_ctx_len);
	else if (rc == OSC_OK)
		rc = OSC_ERR_NO_CONTEXT;
	/* libcoap and Californium send bstr(R1) and derive with R1: the tag tells which it was */
	if ((rc == OSC_ERR_DECRYPT || rc == OSC_ERR_NO_CONTEXT) && t >= 0 && rx.opt.has_kid_ctx &&
	    ctl_b2_unwrap(rx.opt.kid_ctx, rx.opt.kid_ctx_len, id1, &id1_len) && id1_ok(id1_len)) {
		rx.err = OSC_OK;
		rc = verify1(b, e, &rx, t, id1, id1_len);
		flags = OSC_F_KID_CTX_CBOR;
	} else if (rc == OSC_OK) {
		memcpy(id1, rx.opt.kid_ctx, rx.opt.kid_ctx_len);
		id1_len = rx.opt.kid_ctx_len;
	}
	rc = rc == OSC_OK ? issue_r2(b, e, now, t, &rx, id1, id1_len, flags, next_mid, out, cap) :
			    -rc;
	cry_wipe(plain, sizeof(plain));
	if (wrapped)
		*wrapped = flags != 0;
	return rc;
}

/* The issued, unexpired slot whose R2 prefixes kid context kc[0..len) for template t. */
static struct ctl_b2_slot *find_r2(struct ctl_b2 *b, uint32_t now, const uint8_t *kc, size_t len,
				   int t)
{
	unsigned i;

	if (len <= CTL_B2_R2_LEN)
		return NULL;
	for (i = 0; i < CTL_B2_SLOTS; i++) {
		struct ctl_b2_slot *s = &b->slot[i];

		if (s->expiry && s->expiry >= now && s->tmpl == t &&
		    cry_ct_equal(s->r2, kc, CTL_B2_R2_LEN))
			return s;
	}
	return NULL;
}

/* ID3 = R2 || R3 of request #2 rx: the kid context as sent, or (libcoap, Californium) the
 * content of the CBOR byte string it is; written to id3. The slot of its R2, or NULL. */
static struct ctl_b2_slot *find_id3(struct ctl_b2 *b, uint32_t now, const struct osc_option *o,
				    int t, uint8_t *id3, size_t *id3_len, bool *wrapped)
{
	struct ctl_b2_slot *s;

	*wrapped = false;
	if (!o->has_kid_ctx)
		return NULL;
	s = find_r2(b, now, o->kid_ctx, o->kid_ctx_len, t);
	if (s && o->kid_ctx_len > OSC_ID_CTX_MAX) /* a kid context from the wire may be 255 bytes */
		return NULL;
	if (s) {
		memcpy(id3, o->kid_ctx, o->kid_ctx_len);
		*id3_len = o->kid_ctx_len;
		return s;
	}
	if (!ctl_b2_unwrap(o->kid_ctx, o->kid_ctx_len, id3, id3_len))
		return NULL;
	*wrapped = true;
	return find_r2(b, now, id3, *id3_len, t);
}

int ctl_b2_request2(struct ctl_b2 *b, struct cry_engine *e, uint32_t now, const uint8_t *in,
		    size_t len, struct osc_ctx *ctx, struct osc_params *p, uint8_t *plain,
		    size_t cap, struct osc_exchange *ex, bool *wrapped)
{
	uint8_t buf[OSC_PLAIN_HEADROOM + OSC_MSG_MAX], id3[OSC_ID_CTX_MAX];
	struct osc_rx rx = { .plain = buf, .plain_cap = sizeof(buf) };
	struct ctl_b2_slot *s;
	size_t id3_len = 0;
	bool w = false;
	int t, n;

	if (osc_rx_parse(&rx, in, len, true) != OSC_OK)
		return -rx.err;
	t = ctl_b2_tmpl(b, rx.opt.kid, rx.opt.kid_len);
	s = t >= 0 ? find_id3(b, now, &rx.opt, t, id3, &id3_len, &w) : NULL;
	if (wrapped)
		*wrapped = w;
	if (!s)
		return -OSC_ERR_NO_CONTEXT;
	/* kid context = R2 || R3 as a whole is ID3 */
	n = derive(ctx, p, &b->tmpl[t], id3, id3_len, NULL, 0);
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
