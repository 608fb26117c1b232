/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The few CBOR (RFC 8949) encodings OSCORE builds from trusted values: HKDF info and AAD arrays.
 * Encoding only; untrusted CBOR is decoded with a library, never by hand.
 */
#ifndef OSC_CBOR_H
#define OSC_CBOR_H

#include <stddef.h>
#include <stdint.h>

/* A bounded output cursor; once an append does not fit, err sticks and nothing more is written. */
struct osc_cbor_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	int err;
};

enum osc_cbor_major { CBOR_UINT = 0, CBOR_NINT = 1, CBOR_BSTR = 2, CBOR_TSTR = 3, CBOR_ARRAY = 4 };
#define CBOR_NULL 0xf6

void osc_cbor_init(struct osc_cbor_buf *b, uint8_t *out, size_t cap);
void osc_cbor_head(struct osc_cbor_buf *b, unsigned major, uint64_t val);
void osc_cbor_int(struct osc_cbor_buf *b, int64_t v);
void osc_cbor_bstr(struct osc_cbor_buf *b, const uint8_t *s, size_t len);
void osc_cbor_tstr(struct osc_cbor_buf *b, const char *s);
void osc_cbor_raw(struct osc_cbor_buf *b, const uint8_t *s, size_t len);

/* The encoded length, or -1 if anything did not fit. */
int osc_cbor_done(const struct osc_cbor_buf *b);

#endif
