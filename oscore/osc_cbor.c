/* SPDX-License-Identifier: BSD-3-Clause */
#include "oscore/osc_cbor.h"

#include <string.h>

void osc_cbor_init(struct osc_cbor_buf *b, uint8_t *out, size_t cap)
{
	*b = (struct osc_cbor_buf){ .p = out, .cap = cap };
}

void osc_cbor_raw(struct osc_cbor_buf *b, const uint8_t *s, size_t len)
{
	if (b->err || len > b->cap - b->len) {
		b->err = 1;
		return;
	}
	if (len)
		memcpy(b->p + b->len, s, len);
	b->len += len;
}

/* RFC 8949 §3: initial byte, then the argument in 0, 1, 2, 4 or 8 bytes, big endian. */
void osc_cbor_head(struct osc_cbor_buf *b, unsigned major, uint64_t val)
{
	uint8_t h[9];
	unsigned n, i;

	if (val < 24) {
		h[0] = (uint8_t)(major << 5 | val);
		osc_cbor_raw(b, h, 1);
		return;
	}
	n = val <= 0xff ? 1 : val <= 0xffff ? 2 : val <= 0xffffffff ? 4 : 8;
	h[0] = (uint8_t)(major << 5 | (n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27));
	for (i = 0; i < n; i++)
		h[1 + i] = (uint8_t)(val >> (8 * (n - 1 - i)));
	osc_cbor_raw(b, h, 1 + n);
}

void osc_cbor_int(struct osc_cbor_buf *b, int64_t v)
{
	if (v >= 0)
		osc_cbor_head(b, CBOR_UINT, (uint64_t)v);
	else
		osc_cbor_head(b, CBOR_NINT, (uint64_t)(-(v + 1)));
}

void osc_cbor_bstr(struct osc_cbor_buf *b, const uint8_t *s, size_t len)
{
	osc_cbor_head(b, CBOR_BSTR, len);
	osc_cbor_raw(b, s, len);
}

void osc_cbor_tstr(struct osc_cbor_buf *b, const char *s)
{
	size_t len = strlen(s);

	osc_cbor_head(b, CBOR_TSTR, len);
	osc_cbor_raw(b, (const uint8_t *)s, len);
}

int osc_cbor_done(const struct osc_cbor_buf *b)
{
	return b->err ? -1 : (int)b->len;
}
