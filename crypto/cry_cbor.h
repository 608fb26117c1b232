/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The project's one CBOR (RFC 8949) encoder, for values we build ourselves: OSCORE's HKDF info
 * and AAD arrays, COSE's Enc/MAC/Sig structures, ACE and EDHOC messages. Definite lengths and
 * the shortest argument (RFC 8949 §4.2.1 preferred serialisation), so the bytes that are MACed or
 * signed are the deterministic ones. Encoding only: untrusted CBOR is decoded with libcbor
 * behind limits (crypto/cry_cbor_dec.h), never by hand.
 */
#ifndef CRY_CBOR_H
#define CRY_CBOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bounded output cursor; once an append does not fit, err sticks and nothing more is written. */
struct cry_cbor_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	int err;
};

/* RFC 8949 §3.1 major types. */
enum cry_cbor_major {
	CRY_CBOR_UINT = 0,
	CRY_CBOR_NINT = 1,
	CRY_CBOR_BSTR = 2,
	CRY_CBOR_TSTR = 3,
	CRY_CBOR_ARRAY = 4,
	CRY_CBOR_MAP = 5,
	CRY_CBOR_TAG = 6,
};
#define CRY_CBOR_FALSE 0xf4
#define CRY_CBOR_TRUE 0xf5
#define CRY_CBOR_NULL 0xf6

/* Start writing into out[0..cap). */
void cry_cbor_init(struct cry_cbor_buf *b, uint8_t *out, size_t cap);

/* An item head: major type and argument (a length, a count, a tag or an unsigned value). */
void cry_cbor_head(struct cry_cbor_buf *b, unsigned major, uint64_t val);

/* An integer, unsigned or negative as its sign says. */
void cry_cbor_int(struct cry_cbor_buf *b, int64_t v);

/* A byte string of len bytes (s may be NULL when len is 0). */
void cry_cbor_bstr(struct cry_cbor_buf *b, const uint8_t *s, size_t len);

/* A text string from a NUL-terminated UTF-8 string (not checked for UTF-8 validity). */
void cry_cbor_tstr(struct cry_cbor_buf *b, const char *s);

/* A text string of len bytes that need not be NUL-terminated. */
void cry_cbor_tstr_n(struct cry_cbor_buf *b, const char *s, size_t len);

/* Bytes copied as they are: an item encoded elsewhere, or a simple value such as CRY_CBOR_NULL. */
void cry_cbor_raw(struct cry_cbor_buf *b, const uint8_t *s, size_t len);

/* The encoded length, or -1 if anything did not fit. */
int cry_cbor_done(const struct cry_cbor_buf *b);

#endif
