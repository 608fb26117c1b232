/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CoAP message codec (RFC 7252 §3). The parser reads through a cursor that knows how many bytes are
 * left, and asks it before every read, so no path can step past the end of the datagram.
 */
#include "oscore/osc_coap.h"

#include <assert.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

static_assert(COAP_MSG_MAX <= UINT16_MAX, "an option shorter than the message must fit opt.len");
static_assert(COAP_MAX_OPTS <= UINT8_MAX, "n_opts is a uint8_t");

struct cursor {
	const uint8_t *p;
	size_t left;
};

static void advance(struct cursor *c, size_t n)
{
	c->p += n;
	c->left -= n;
}

/*
 * RFC 7252 §3.1: a delta or length nibble below 13 is the value itself; 13 and 14 announce one or
 * two extended bytes whose value is added to 13 or 269. 15 is reserved and never looked up here.
 * Each value has exactly one encoding, which is why a parse re-encodes to identical bytes.
 */
static const struct nibble_code {
	uint8_t extra;
	uint16_t base;
} nibble_tab[15] = {
	{ 0, 0 }, { 0, 1 }, { 0, 2 }, { 0, 3 }, { 0, 4 }, { 0, 5 }, { 0, 6 }, { 0, 7 },
	{ 0, 8 }, { 0, 9 }, { 0, 10 }, { 0, 11 }, { 0, 12 }, { 1, 13 }, { 2, 269 },
};

#define NIBBLE_RESERVED 15

static const char *const coap_errstr[OSC_COAP_ERR__COUNT] = {
	[OSC_COAP_OK] = "success",
	[OSC_COAP_ERR_SHORT] = "message shorter than the 4-byte CoAP header",
	[OSC_COAP_ERR_VERSION] = "CoAP version is not 1",
	[OSC_COAP_ERR_TKL] = "reserved token length (9-15)",
	[OSC_COAP_ERR_TRUNCATED] = "token or option runs past the end of the message",
	[OSC_COAP_ERR_OPT_RESERVED] = "reserved option delta or length nibble 15",
	[OSC_COAP_ERR_OPT_NUMBER] = "option number beyond 65535",
	[OSC_COAP_ERR_TOO_MANY_OPTS] = "too many options",
	[OSC_COAP_ERR_EMPTY_PAYLOAD] = "payload marker followed by an empty payload",
	[OSC_COAP_ERR_EMPTY_MSG] = "Empty message (0.00) with token, options or payload",
	[OSC_COAP_ERR_NOSPACE] = "output buffer too small",
	[OSC_COAP_ERR_ORDER] = "options not in ascending number order",
	[OSC_COAP_ERR_TOO_BIG] = "message longer than 65535 bytes",
};

const char *osc_coap_strerror(int err)
{
	if (err < 0 && err > -OSC_COAP_ERR__COUNT)
		err = -err;
	if (err < 0 || err >= OSC_COAP_ERR__COUNT)
		return "unknown CoAP codec error";
	return coap_errstr[err];
}

/* Decode a delta or length nibble and its extended bytes (RFC 7252 §3.1). */
static int read_nibble(struct cursor *c, unsigned nib, uint32_t *v)
{
	const struct nibble_code *nc = &nibble_tab[nib];
	uint32_t ext = 0;

	if (c->left < nc->extra)
		return OSC_COAP_ERR_TRUNCATED;
	for (unsigned i = 0; i < nc->extra; i++)
		ext = ext << 8 | c->p[i];
	advance(c, nc->extra);
	*v = nc->base + ext;
	return OSC_COAP_OK;
}

/* One option at c (which is not the payload marker); *num is the previous option's number. */
static int parse_option(struct cursor *c, struct osc_coap_msg *m, uint32_t *num)
{
	unsigned dnib = c->p[0] >> 4, lnib = c->p[0] & 0x0f;
	uint32_t delta, olen;
	int err;

	/* §3.1: 15 is a message format error, except as the 0xff payload marker (handled earlier). */
	if (dnib == NIBBLE_RESERVED || lnib == NIBBLE_RESERVED)
		return OSC_COAP_ERR_OPT_RESERVED;
	advance(c, 1);
	err = read_nibble(c, dnib, &delta);
	if (!err)
		err = read_nibble(c, lnib, &olen);
	if (err)
		return err;
	*num += delta; /* both below 2^17: no overflow */
	if (*num > UINT16_MAX)
		return OSC_COAP_ERR_OPT_NUMBER;
	if (olen > c->left)
		return OSC_COAP_ERR_TRUNCATED;
	if (m->n_opts == COAP_MAX_OPTS)
		return OSC_COAP_ERR_TOO_MANY_OPTS;
	/* olen < COAP_MSG_MAX, so it fits the uint16_t (static_assert above). */
	m->opts[m->n_opts++] = (struct osc_coap_opt){ .val = c->p, .num = (uint16_t)*num,
						      .len = (uint16_t)olen };
	advance(c, olen);
	return OSC_COAP_OK;
}

/* Fixed header and token (RFC 7252 §3), and the Empty-message rule (§4.1). */
static int parse_header(struct osc_coap_msg *m, struct cursor *c)
{
	const uint8_t *h = c->p;

	if (c->left > COAP_MSG_MAX)
		return OSC_COAP_ERR_TOO_BIG;
	if (c->left < COAP_HDR_LEN)
		return OSC_COAP_ERR_SHORT;
	if (h[0] >> 6 != 1)
		return OSC_COAP_ERR_VERSION;
	m->tkl = h[0] & 0x0f;
	if (m->tkl > COAP_TOKEN_MAX)
		return OSC_COAP_ERR_TKL;
	m->type = (h[0] >> 4) & 0x03;
	m->code = h[1];
	m->mid = (uint16_t)(h[2] << 8 | h[3]);
	/* §4.1: an Empty message has Token Length 0 and nothing after the Message ID. */
	if (m->code == COAP_EMPTY && (m->tkl || c->left > COAP_HDR_LEN))
		return OSC_COAP_ERR_EMPTY_MSG;
	advance(c, COAP_HDR_LEN);
	if (c->left < m->tkl)
		return OSC_COAP_ERR_TRUNCATED;
	m->token = c->p;
	advance(c, m->tkl);
	return OSC_COAP_OK;
}

int osc_coap_parse(struct osc_coap_msg *m, const uint8_t *buf, size_t len)
{
	struct cursor c = { buf, len };
	uint32_t num = 0;
	int err = parse_header(m, &c);

	if (err)
		return err;
	m->n_opts = 0;
	m->payload = NULL;
	m->payload_len = 0;
	while (c.left > 0) {
		if (c.p[0] == COAP_PAYLOAD_MARKER) {
			/* §3: a marker followed by a zero-length payload is a format error. */
			if (c.left == 1)
				return OSC_COAP_ERR_EMPTY_PAYLOAD;
			m->payload = c.p + 1;
			m->payload_len = (uint32_t)(c.left - 1);
			return OSC_COAP_OK;
		}
		err = parse_option(&c, m, &num);
		if (err)
			return err;
	}
	return OSC_COAP_OK;
}

const struct osc_coap_opt *osc_coap_find(const struct osc_coap_msg *m, uint16_t num,
					 unsigned *count)
{
	const struct osc_coap_opt *first = NULL;
	unsigned n = m->n_opts < COAP_MAX_OPTS ? m->n_opts : COAP_MAX_OPTS;
	unsigned found = 0;

	/* Options are sorted, but a linear pass over at most COAP_MAX_OPTS is as cheap. */
	for (unsigned i = 0; i < n; i++) {
		if (m->opts[i].num != num)
			continue;
		if (!first)
			first = &m->opts[i];
		found++;
	}
	if (count)
		*count = found;
	return first;
}

/* The nibble that announces v (inverse of nibble_tab). */
static unsigned nibble_of(uint32_t v)
{
	return v < 13 ? v : v < 269 ? 13 : 14;
}

static uint8_t *put_ext(uint8_t *p, unsigned nib, uint32_t v)
{
	uint32_t ext = v - nibble_tab[nib].base;

	if (nibble_tab[nib].extra == 2)
		*p++ = (uint8_t)(ext >> 8);
	if (nibble_tab[nib].extra >= 1)
		*p++ = (uint8_t)ext;
	return p;
}

static size_t opt_size(uint32_t delta, uint32_t len)
{
	return 1 + nibble_tab[nibble_of(delta)].extra + nibble_tab[nibble_of(len)].extra + len;
}

static void put_opt(uint8_t *p, uint32_t delta, const struct osc_coap_opt *o)
{
	unsigned dnib = nibble_of(delta), lnib = nibble_of(o->len);

	*p++ = (uint8_t)(dnib << 4 | lnib);
	p = put_ext(p, dnib, delta);
	p = put_ext(p, lnib, o->len);
	if (o->len) /* val may be NULL for an empty value; memcpy must not see it */
		memcpy(p, o->val, o->len);
}

int osc_coap_encode_opts(uint8_t *out, size_t cap, const struct osc_coap_opt *opts, unsigned n)
{
	size_t pos = 0;
	uint16_t prev = 0;

	/* Order first, so that the error does not depend on cap. */
	for (unsigned i = 1; i < n; i++)
		if (opts[i].num < opts[i - 1].num)
			return -OSC_COAP_ERR_ORDER;
	if (cap > INT_MAX)
		cap = INT_MAX;
	for (unsigned i = 0; i < n; i++) {
		/* §3.1: deltas from the previous number; numbers are uint16_t, so they encode. */
		uint32_t delta = (uint32_t)(opts[i].num - prev);
		size_t need = opt_size(delta, opts[i].len);

		if (need > cap - pos)
			return -OSC_COAP_ERR_NOSPACE;
		put_opt(out + pos, delta, &opts[i]);
		pos += need;
		prev = opts[i].num;
	}
	return (int)pos;
}

/* What osc_coap_parse would refuse in the header and the option count. */
static int check_msg(const struct osc_coap_msg *m)
{
	if (m->tkl > COAP_TOKEN_MAX)
		return OSC_COAP_ERR_TKL;
	if (m->n_opts > COAP_MAX_OPTS)
		return OSC_COAP_ERR_TOO_MANY_OPTS;
	if (m->code == COAP_EMPTY && (m->tkl || m->n_opts || m->payload_len))
		return OSC_COAP_ERR_EMPTY_MSG;
	return OSC_COAP_OK;
}

/* Not fitting in min(cap, COAP_MSG_MAX) means NOSPACE, or TOO_BIG if cap was not the limit. */
static int nospace(size_t cap)
{
	return cap > COAP_MSG_MAX ? -OSC_COAP_ERR_TOO_BIG : -OSC_COAP_ERR_NOSPACE;
}

int osc_coap_encode(uint8_t *out, size_t cap, const struct osc_coap_msg *m)
{
	size_t lim = cap < COAP_MSG_MAX ? cap : COAP_MSG_MAX;
	size_t pos = COAP_HDR_LEN + m->tkl;
	int err = check_msg(m), n;

	if (err)
		return -err;
	if (pos > lim)
		return nospace(cap);
	out[0] = (uint8_t)(1 << 6 | (m->type & 0x03) << 4 | m->tkl);
	out[1] = m->code;
	out[2] = (uint8_t)(m->mid >> 8);
	out[3] = (uint8_t)m->mid;
	if (m->tkl)
		memcpy(out + COAP_HDR_LEN, m->token, m->tkl);
	n = osc_coap_encode_opts(out + pos, lim - pos, m->opts, m->n_opts);
	if (n == -OSC_COAP_ERR_NOSPACE)
		return nospace(cap);
	if (n < 0)
		return n;
	pos += (size_t)n;
	if (m->payload_len) {
		if ((size_t)m->payload_len + 1 > lim - pos)
			return nospace(cap);
		out[pos++] = COAP_PAYLOAD_MARKER;
		memcpy(out + pos, m->payload, m->payload_len);
		pos += m->payload_len;
	}
	return (int)pos;
}

int osc_coap_uint_decode(const uint8_t *val, size_t len, uint32_t *v)
{
	uint32_t x = 0;

	if (len > 4)
		return -1;
	for (size_t i = 0; i < len; i++)
		x = x << 8 | val[i];
	*v = x;
	return 0;
}

unsigned osc_coap_uint_encode(uint8_t out[4], uint32_t v)
{
	unsigned n = 0;

	/* §3.2: minimal length, so 0 is the empty string. */
	while (n < 4 && v >> (8 * n))
		n++;
	for (unsigned i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return n;
}
