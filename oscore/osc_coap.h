/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CoAP message codec (RFC 7252 §3) over caller-owned buffers: parsing points into the input, never
 * copies, and never reads past its end. Wire constants of CoAP live here.
 */
#ifndef OSC_COAP_H
#define OSC_COAP_H

#include <stddef.h>
#include <stdint.h>

enum osc_coap_type { COAP_CON = 0, COAP_NON = 1, COAP_ACK = 2, COAP_RST = 3 };

#define COAP_CODE(c, dd) ((uint8_t)(((c) << 5) | (dd)))
enum osc_coap_code {
	COAP_EMPTY = COAP_CODE(0, 0),
	COAP_GET = COAP_CODE(0, 1),
	COAP_POST = COAP_CODE(0, 2),
	COAP_PUT = COAP_CODE(0, 3),
	COAP_DELETE = COAP_CODE(0, 4),
	COAP_FETCH = COAP_CODE(0, 5),
	COAP_PATCH = COAP_CODE(0, 6),
	COAP_IPATCH = COAP_CODE(0, 7),
	COAP_CREATED = COAP_CODE(2, 1),
	COAP_DELETED = COAP_CODE(2, 2),
	COAP_VALID = COAP_CODE(2, 3),
	COAP_CHANGED = COAP_CODE(2, 4),
	COAP_CONTENT = COAP_CODE(2, 5),
	COAP_BAD_REQUEST = COAP_CODE(4, 0),
	COAP_UNAUTHORIZED = COAP_CODE(4, 1),
	COAP_BAD_OPTION = COAP_CODE(4, 2),
	COAP_FORBIDDEN = COAP_CODE(4, 3),
	COAP_NOT_FOUND = COAP_CODE(4, 4),
	COAP_METHOD_NOT_ALLOWED = COAP_CODE(4, 5),
	COAP_INTERNAL_ERROR = COAP_CODE(5, 0),
	COAP_BAD_GATEWAY = COAP_CODE(5, 2),
	COAP_SERVICE_UNAVAILABLE = COAP_CODE(5, 3),
	COAP_GATEWAY_TIMEOUT = COAP_CODE(5, 4),
};

/* Option numbers (RFC 7252 §12.2, RFC 7641, RFC 7959, RFC 8613, RFC 9175, RFC 7967). */
enum osc_coap_optnum {
	COAP_OPT_IF_MATCH = 1,
	COAP_OPT_URI_HOST = 3,
	COAP_OPT_ETAG = 4,
	COAP_OPT_IF_NONE_MATCH = 5,
	COAP_OPT_OBSERVE = 6,
	COAP_OPT_URI_PORT = 7,
	COAP_OPT_LOCATION_PATH = 8,
	COAP_OPT_OSCORE = 9,
	COAP_OPT_URI_PATH = 11,
	COAP_OPT_CONTENT_FORMAT = 12,
	COAP_OPT_MAX_AGE = 14,
	COAP_OPT_URI_QUERY = 15,
	COAP_OPT_ACCEPT = 17,
	COAP_OPT_LOCATION_QUERY = 20,
	COAP_OPT_BLOCK2 = 23,
	COAP_OPT_BLOCK1 = 27,
	COAP_OPT_SIZE2 = 28,
	COAP_OPT_PROXY_URI = 35,
	COAP_OPT_PROXY_SCHEME = 39,
	COAP_OPT_SIZE1 = 60,
	COAP_OPT_EDHOC = 21,  /* RFC 9668 §3.1: EDHOC + OSCORE combined request */
	COAP_OPT_ECHO = 252,
	COAP_OPT_NO_RESPONSE = 258,
	COAP_OPT_REQUEST_TAG = 292,
};

#define COAP_HDR_LEN 4
#define COAP_TOKEN_MAX 8
#define COAP_PAYLOAD_MARKER 0xff
/* Options one message may carry here; more is refused (OSC_COAP_ERR_TOO_MANY_OPTS). */
#define COAP_MAX_OPTS 48
/*
 * Longest message handled (OSC_COAP_ERR_TOO_BIG). A UDP payload is shorter still (RFC 768), and the
 * bound keeps every option length within osc_coap_opt.len (the wire allows up to 65804) and every
 * encoded length within an int.
 */
#define COAP_MSG_MAX 65535

struct osc_coap_opt {
	const uint8_t *val;
	uint16_t num;
	uint16_t len;
};

/* A parsed (or to-be-built) message. Pointers refer into the parsed buffer or the caller's data. */
struct osc_coap_msg {
	const uint8_t *token;
	const uint8_t *payload; /* NULL when there is no payload */
	uint32_t payload_len;
	uint16_t mid;
	uint8_t type;           /* enum osc_coap_type */
	uint8_t code;
	uint8_t tkl;
	uint8_t n_opts;
	struct osc_coap_opt opts[COAP_MAX_OPTS]; /* in wire order: numbers never decrease */
};

enum osc_coap_err {
	OSC_COAP_OK = 0,
	OSC_COAP_ERR_SHORT,         /* fewer than 4 bytes */
	OSC_COAP_ERR_VERSION,       /* version is not 1 */
	OSC_COAP_ERR_TKL,           /* token length 9-15 (reserved) */
	OSC_COAP_ERR_TRUNCATED,     /* token, option or extended field runs past the end */
	OSC_COAP_ERR_OPT_RESERVED,  /* option delta or length nibble 15 outside a payload marker */
	OSC_COAP_ERR_OPT_NUMBER,    /* option number beyond 65535 */
	OSC_COAP_ERR_TOO_MANY_OPTS, /* more than COAP_MAX_OPTS options */
	OSC_COAP_ERR_EMPTY_PAYLOAD, /* payload marker followed by nothing (RFC 7252 §3) */
	OSC_COAP_ERR_EMPTY_MSG,     /* code 0.00 with TKL > 0, options or payload (RFC 7252 §4.1) */
	OSC_COAP_ERR_NOSPACE,       /* encode: output buffer too small */
	OSC_COAP_ERR_ORDER,         /* encode: options not in ascending number order */
	OSC_COAP_ERR_TOO_BIG,       /* message longer than COAP_MSG_MAX */
	OSC_COAP_ERR__COUNT
};

/* A short constant description of err ("option runs past the end of the message"); err may also be
 * negated, as the encoders return it. Unknown values give "unknown CoAP codec error". */
const char *osc_coap_strerror(int err);

/*
 * Parse buf[0..len) into m. On success m's pointers point into buf. Returns OSC_COAP_OK or an
 * enum osc_coap_err; on error m is unspecified. Checks every length against len before reading.
 * Messages longer than COAP_MSG_MAX are refused (OSC_COAP_ERR_TOO_BIG).
 */
int osc_coap_parse(struct osc_coap_msg *m, const uint8_t *buf, size_t len);

/* The first option numbered num in m, or NULL. If count is not NULL it receives how many there are. */
const struct osc_coap_opt *osc_coap_find(const struct osc_coap_msg *m, uint16_t num,
					 unsigned *count);

/*
 * Encode opts[0..n) (ascending numbers, equal numbers kept in order) with option deltas relative to
 * each other, starting from option number 0, into out[0..cap). Returns the encoded length, or
 * -OSC_COAP_ERR_NOSPACE / -OSC_COAP_ERR_ORDER.
 */
int osc_coap_encode_opts(uint8_t *out, size_t cap, const struct osc_coap_opt *opts, unsigned n);

/*
 * Encode m (header, token, options in m->opts order, payload marker and payload if payload_len > 0)
 * into out[0..cap). Returns the message length or a negative enum osc_coap_err: what the parser
 * would refuse is refused here too (TKL, TOO_MANY_OPTS, EMPTY_MSG, TOO_BIG beyond COAP_MSG_MAX),
 * plus NOSPACE and ORDER. m->type is taken modulo 4. On error out[0..cap) is unspecified.
 */
int osc_coap_encode(uint8_t *out, size_t cap, const struct osc_coap_msg *m);

/* Decode a CoAP uint option value (RFC 7252 §3.2: up to 4 bytes, big endian, leading zeros
 * allowed) into *v. Returns 0, or -1 if len > 4. */
int osc_coap_uint_decode(const uint8_t *val, size_t len, uint32_t *v);

/* Encode v as a minimal CoAP uint into out[0..4). Returns its length (0 for v == 0). */
unsigned osc_coap_uint_encode(uint8_t out[4], uint32_t v);

#endif
