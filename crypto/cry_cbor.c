/* SPDX-License-Identifier: BSD-3-Clause */
/* The CBOR encoder for trusted values (RFC 8949 §3, §4.2.1 preferred serialisation). */
#include "crypto/cry_cbor.h"

#include <string.h>

void cry_cbor_init(struct cry_cbor_buf *b, uint8_t *out, size_t cap)
{
	*b = (struct cry_cbor_buf){ .p = out, .cap = cap };
}

void cry_cbor_raw(struct cry_cbor_buf *b, const uint8_t *s, size_t len)
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
void cry_cbor_head(struct cry_cbor_buf *b, unsigned major, uint64_t val)
{
	uint8_t h[9];
	unsigned n, i;

	if (val < 24) {
		h[0] = (uint8_t)(major << 5 | val);
		cry_cbor_raw(b, h, 1);
		return;
	}
	n = val <= 0xff ? 1 : val <= 0xffff ? 2 : val <= 0xffffffff ? 4 : 8;
	h[0] = (uint8_t)(major << 5 | (n == 1 ? 24 : n == 2 ? 25 : n == 4 ? 26 : 27));
	for (i = 0; i < n; i++)
		h[1 + i] = (uint8_t)(val >> (8 * (n - 1 - i)));
	cry_cbor_raw(b, h, 1 + n);
}

void cry_cbor_int(struct cry_cbor_buf *b, int64_t v)
{
	if (v >= 0)
		cry_cbor_head(b, CRY_CBOR_UINT, (uint64_t)v);
	else
		cry_cbor_head(b, CRY_CBOR_NINT, (uint64_t)(-(v + 1)));
}

void cry_cbor_bstr(struct cry_cbor_buf *b, const uint8_t *s, size_t len)
{
	cry_cbor_head(b, CRY_CBOR_BSTR, len);
	cry_cbor_raw(b, s, len);
}

void cry_cbor_tstr_n(struct cry_cbor_buf *b, const char *s, size_t len)
{
	cry_cbor_head(b, CRY_CBOR_TSTR, len);
	cry_cbor_raw(b, (const uint8_t *)s, len);
}

void cry_cbor_tstr(struct cry_cbor_buf *b, const char *s)
{
	cry_cbor_tstr_n(b, s, strlen(s));
}

int cry_cbor_done(const struct cry_cbor_buf *b)
{
	return b->err || b->len > INT32_MAX ? -1 : (int)b->len;
}
