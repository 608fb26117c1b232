/* SPDX-License-Identifier: BSD-3-Clause */
/* CoAP message codec (RFC 7252 §3): RFC 8613 Appendix C messages, every error, truncation, random. */
#include "oscore/osc_coap.h"
#include "oscore/osc_option.h"

#include "coap_test_util.h"

#include <criterion/criterion.h>

/* RFC 8613 Appendix C protected messages (C.4 to C.8). */
#define C4_REQ "44025d1f00003974396c6f63616c686f7374620914ff612f1092f1776f1c1668b3825e"
#define C5_REQ "440271c30000b932396c6f63616c686f737463091400ff4ed339a5a379b0b8bc731fffb0"
#define C6_REQ                                                                                     \
	"44022f8eef9bbf7a396c6f63616c686f73746b19140837cbf3210017a2d3ff72cd7273fd331ac45cffbe55c3"
#define C7_RESP "64445d1f0000397490ffdbaad1e9a7e7b2a813d3c31524378303cdafae119106"
#define C8_RESP "64445d1f00003974920100ff4d4c13669384b67354b2b6175ff4b8658c666a6cf88e"

static const char *const rfc_msgs[] = { C4_REQ, C5_REQ, C6_REQ, C7_RESP, C8_RESP };
#define N_RFC_MSGS (sizeof(rfc_msgs) / sizeof(rfc_msgs[0]))

/* Parse hex through an exact-size heap copy; returns the parse result and the copy (to free). */
static int parse_hex(struct osc_coap_msg *m, const char *hex, uint8_t **copy, size_t *len)
{
	uint8_t tmp[512];

	*len = unhex(tmp, sizeof(tmp), hex);
	*copy = dup_exact(tmp, *len);
	return osc_coap_parse(m, *copy, *len);
}

/* Assert that m re-encodes to exactly want[0..len). */
static void assert_reencodes(const struct osc_coap_msg *m, const uint8_t *want, size_t len)
{
	static uint8_t out[COAP_MSG_MAX + 16];
	int n = osc_coap_encode(out, sizeof(out), m);

	cr_assert_eq(n, (int)len, "re-encode gave %d (%s), want %zu", n, osc_coap_strerror(n), len);
	cr_assert(memcmp(out, want, len) == 0, "re-encoded bytes differ");
}

static int parse_bytes(struct osc_coap_msg *m, const uint8_t *b, size_t len)
{
	uint8_t *copy = dup_exact(b, len);
	int err = osc_coap_parse(m, copy, len);

	free(copy); /* callers look only at the result and at non-pointer fields */
	return err;
}

#define PARSE_EXPECT(err_, ...)                                                                    \
	do {                                                                                       \
		const uint8_t b_[] = { __VA_ARGS__ };                                              \
		struct osc_coap_msg m_;                                                            \
		int e_ = parse_bytes(&m_, b_, sizeof(b_));                                         \
		cr_expect_eq(e_, (err_), "line %d: got %s, want %s", __LINE__,                     \
			     osc_coap_strerror(e_), osc_coap_strerror(err_));                      \
	} while (0)

Test(coap, rfc8613_c4_request_parses)
{
	struct osc_coap_msg m;
	uint8_t *b;
	size_t len;
	unsigned count;

	cr_assert_eq(parse_hex(&m, C4_REQ, &b, &len), OSC_COAP_OK);
	cr_expect_eq(m.type, COAP_CON);
	cr_expect_eq(m.code, COAP_POST);
	cr_expect_eq(m.mid, 0x5d1f);
	cr_expect_eq(m.tkl, 4);
	cr_expect(memcmp(m.token, "\x00\x00\x39\x74", 4) == 0);
	cr_assert_eq(m.n_opts, 2);
	cr_expect_eq(m.opts[0].num, COAP_OPT_URI_HOST);
	cr_expect(m.opts[0].len == 9 && memcmp(m.opts[0].val, "localhost", 9) == 0);
	const struct osc_coap_opt *o = osc_coap_find(&m, COAP_OPT_OSCORE, &count);
	cr_assert(o != NULL);
	cr_expect_eq(count, 1);
	cr_expect(o->len == 2 && o->val[0] == 0x09 && o->val[1] == 0x14);
	cr_expect_eq(m.payload_len, 13);
	cr_expect_eq(m.payload, b + len - 13);
	cr_expect_eq(m.payload[0], 0x61);
	free(b);
}

Test(coap, rfc8613_c6_request_carries_kid_context)
{
	struct osc_coap_msg m;
	struct osc_option oo;
	uint8_t *b;
	size_t len;

	cr_assert_eq(parse_hex(&m, C6_REQ, &b, &len), OSC_COAP_OK);
	const struct osc_coap_opt *o = osc_coap_find(&m, COAP_OPT_OSCORE, NULL);
	cr_assert(o != NULL);
	cr_assert_eq(osc_option_decode(&oo, o->val, o->len, 0), OSC_OPT_OK);
	cr_expect(oo.piv_len == 1 && oo.piv[0] == 0x14);
	cr_expect(oo.has_kid_ctx && oo.kid_ctx_len == 8);
	cr_expect(memcmp(oo.kid_ctx, "\x37\xcb\xf3\x21\x00\x17\xa2\xd3", 8) == 0);
	cr_expect(oo.has_kid && oo.kid_len == 0);
	cr_expect_eq(m.payload_len, 13);
	free(b);
}

Test(coap, rfc8613_c7_response_has_empty_oscore_option)
{
	struct osc_coap_msg m;
	struct osc_option oo;
	uint8_t *b;
	size_t len;
	unsigned count;

	cr_assert_eq(parse_hex(&m, C7_RESP, &b, &len), OSC_COAP_OK);
	cr_expect_eq(m.type, COAP_ACK);
	cr_expect_eq(m.code, COAP_CHANGED);
	cr_expect_eq(m.mid, 0x5d1f);
	cr_assert_eq(m.n_opts, 1);
	const struct osc_coap_opt *o = osc_coap_find(&m, COAP_OPT_OSCORE, &count);
	cr_assert(o != NULL && count == 1 && o->len == 0);
	cr_assert_eq(osc_option_decode(&oo, o->val, o->len, 0), OSC_OPT_OK);
	cr_expect(!oo.has_kid && !oo.has_kid_ctx && oo.piv_len == 0);
	cr_expect_eq(m.payload_len, 22);
	free(b);
}

Test(coap, rfc8613_c8_response_carries_partial_iv)
{
	struct osc_coap_msg m;
	struct osc_option oo;
	uint8_t *b;
	size_t len;

	cr_assert_eq(parse_hex(&m, C8_RESP, &b, &len), OSC_COAP_OK);
	const struct osc_coap_opt *o = osc_coap_find(&m, COAP_OPT_OSCORE, NULL);
	cr_assert(o != NULL);
	cr_assert_eq(osc_option_decode(&oo, o->val, o->len, 0), OSC_OPT_OK);
	cr_expect(oo.piv_len == 1 && oo.piv[0] == 0x00 && !oo.has_kid);
	free(b);
}

Test(coap, rfc8613_messages_reencode_identically)
{
	for (size_t i = 0; i < N_RFC_MSGS; i++) {
		struct osc_coap_msg m;
		uint8_t *b;
		size_t len;

		cr_assert_eq(parse_hex(&m, rfc_msgs[i], &b, &len), OSC_COAP_OK, "C.%zu", i + 4);
		assert_reencodes(&m, b, len);
		free(b);
	}
}

/* Every prefix of a valid message, in an exact-size buffer: an error, or a message that re-encodes. */
Test(coap, parse_truncated_at_every_offset_stays_in_bounds)
{
	for (size_t i = 0; i < N_RFC_MSGS; i++) {
		uint8_t full[512];
		size_t len = unhex(full, sizeof(full), rfc_msgs[i]);

		for (size_t k = 0; k < len; k++) {
			struct osc_coap_msg m;
			uint8_t *b = dup_exact(full, k);
			int err = osc_coap_parse(&m, b, k);

			cr_expect(err == OSC_COAP_OK || err == OSC_COAP_ERR_SHORT ||
					  err == OSC_COAP_ERR_TRUNCATED ||
					  err == OSC_COAP_ERR_EMPTY_PAYLOAD,
				  "C.%zu cut at %zu: %s", i + 4, k, osc_coap_strerror(err));
			if (k < COAP_HDR_LEN)
				cr_expect_eq(err, OSC_COAP_ERR_SHORT);
			if (err == OSC_COAP_OK)
				assert_reencodes(&m, b, k);
			free(b);
		}
	}
}

Test(coap, parse_rejects_short_header)
{
	PARSE_EXPECT(OSC_COAP_ERR_SHORT, 0x40, 0x01, 0x00);
	cr_expect_eq(parse_bytes(&(struct osc_coap_msg){ 0 }, NULL, 0), OSC_COAP_ERR_SHORT);
}

Test(coap, parse_rejects_version_other_than_1)
{
	PARSE_EXPECT(OSC_COAP_ERR_VERSION, 0x00, 0x01, 0x00, 0x00);
	PARSE_EXPECT(OSC_COAP_ERR_VERSION, 0x80, 0x01, 0x00, 0x00);
	PARSE_EXPECT(OSC_COAP_ERR_VERSION, 0xc0, 0x01, 0x00, 0x00);
	PARSE_EXPECT(OSC_COAP_OK, 0x40, 0x01, 0x00, 0x00);
}

Test(coap, parse_rejects_reserved_tkl)
{
	for (uint8_t tkl = 9; tkl <= 15; tkl++) {
		uint8_t b[4 + 15] = { (uint8_t)(0x40 | tkl), 0x01, 0x00, 0x00 };
		struct osc_coap_msg m;

		/* even with enough bytes for the token, 9-15 is a format error (§3) */
		cr_expect_eq(parse_bytes(&m, b, 4 + tkl), OSC_COAP_ERR_TKL, "tkl %u", tkl);
	}
	PARSE_EXPECT(OSC_COAP_OK, 0x48, 0x01, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8);
}

Test(coap, parse_rejects_truncated_fields)
{
	PARSE_EXPECT(OSC_COAP_ERR_TRUNCATED, 0x44, 0x01, 0x00, 0x00, 0xaa, 0xbb);  /* token */
	PARSE_EXPECT(OSC_COAP_ERR_TRUNCATED, 0x40, 0x01, 0x00, 0x00, 0xd0);        /* delta 13 */
	PARSE_EXPECT(OSC_COAP_ERR_TRUNCATED, 0x40, 0x01, 0x00, 0x00, 0xe0, 0x00);  /* delta 14 */
	PARSE_EXPECT(OSC_COAP_ERR_TRUNCATED, 0x40, 0x01, 0x00, 0x00, 0x0d);        /* length 13 */
	PARSE_EXPECT(OSC_COAP_ERR_TRUNCATED, 0x40, 0x01, 0x00, 0x00, 0x0e, 0x01);  /* length 14 */
	PARSE_EXPECT(OSC_COAP_ERR_TRUNCATED, 0x40, 0x01, 0x00, 0x00, 0x13, 1, 2);  /* value */
	PARSE_EXPECT(OSC_COAP_ERR_TRUNCATED, 0x40, 0x01, 0x00, 0x00, 0x0d, 0x00, 1, 2, 3, 4, 5, 6,
		     7, 8, 9, 10, 11, 12); /* 13-byte value, 12 present */
}

Test(coap, parse_rejects_reserved_nibble_15)
{
	PARSE_EXPECT(OSC_COAP_ERR_OPT_RESERVED, 0x40, 0x01, 0x00, 0x00, 0xf0);
	PARSE_EXPECT(OSC_COAP_ERR_OPT_RESERVED, 0x40, 0x01, 0x00, 0x00, 0xfe, 0x00, 0x00);
	PARSE_EXPECT(OSC_COAP_ERR_OPT_RESERVED, 0x40, 0x01, 0x00, 0x00, 0x0f, 0x01);
	PARSE_EXPECT(OSC_COAP_ERR_OPT_RESERVED, 0x40, 0x01, 0x00, 0x00, 0x1f, 0x01);
	PARSE_EXPECT(OSC_COAP_ERR_OPT_RESERVED, 0x40, 0x01, 0x00, 0x00, 0x10, 0xdf, 0x00);
	/* 0xff is the payload marker, not a reserved option */
	PARSE_EXPECT(OSC_COAP_OK, 0x40, 0x01, 0x00, 0x00, 0xff, 0x0f);
}

Test(coap, parse_rejects_option_number_overflow)
{
	/* delta 14 with extension 0xffff is 65804 */
	PARSE_EXPECT(OSC_COAP_ERR_OPT_NUMBER, 0x40, 0x01, 0x00, 0x00, 0xe0, 0xff, 0xff);
	/* 65535 itself is legal; one more delta crosses it */
	PARSE_EXPECT(OSC_COAP_OK, 0x40, 0x01, 0x00, 0x00, 0xe0, 0xfe, 0xf2);
	PARSE_EXPECT(OSC_COAP_ERR_OPT_NUMBER, 0x40, 0x01, 0x00, 0x00, 0xe0, 0xfe, 0xf2, 0x10);
	PARSE_EXPECT(OSC_COAP_OK, 0x40, 0x01, 0x00, 0x00, 0xe0, 0xfe, 0xf2, 0x00);
}

Test(coap, option_number_65535_roundtrips)
{
	const uint8_t b[] = { 0x40, 0x01, 0x00, 0x00, 0xe0, 0xfe, 0xf2 };
	struct osc_coap_msg m;

	cr_assert_eq(osc_coap_parse(&m, b, sizeof(b)), OSC_COAP_OK);
	cr_expect_eq(m.opts[0].num, 65535);
	assert_reencodes(&m, b, sizeof(b));
}

/* A message with n copies of If-Match (option 1), each empty. */
static size_t many_opts(uint8_t *b, unsigned n)
{
	size_t len = 0;

	b[len++] = 0x40, b[len++] = 0x01, b[len++] = 0x00, b[len++] = 0x00;
	for (unsigned i = 0; i < n; i++)
		b[len++] = i == 0 ? 0x10 : 0x00;
	return len;
}

Test(coap, parse_rejects_too_many_options)
{
	uint8_t b[4 + COAP_MAX_OPTS + 1];
	struct osc_coap_msg m;
	unsigned count;

	cr_assert_eq(parse_bytes(&m, b, many_opts(b, COAP_MAX_OPTS)), OSC_COAP_OK);
	cr_expect_eq(m.n_opts, COAP_MAX_OPTS);
	cr_expect(osc_coap_find(&m, COAP_OPT_IF_MATCH, &count) == &m.opts[0]);
	cr_expect_eq(count, COAP_MAX_OPTS);
	cr_expect_eq(parse_bytes(&m, b, many_opts(b, COAP_MAX_OPTS + 1)),
		     OSC_COAP_ERR_TOO_MANY_OPTS);
}

Test(coap, parse_rejects_marker_without_payload)
{
	PARSE_EXPECT(OSC_COAP_ERR_EMPTY_PAYLOAD, 0x40, 0x01, 0x00, 0x00, 0xff);
	PARSE_EXPECT(OSC_COAP_ERR_EMPTY_PAYLOAD, 0x41, 0x01, 0x00, 0x00, 0x07, 0x90, 0xff);
	PARSE_EXPECT(OSC_COAP_OK, 0x40, 0x01, 0x00, 0x00, 0xff, 0xff); /* payload may be 0xff */
}

Test(coap, parse_rejects_empty_message_with_content)
{
	PARSE_EXPECT(OSC_COAP_OK, 0x40, 0x00, 0x12, 0x34); /* CoAP ping */
	PARSE_EXPECT(OSC_COAP_OK, 0x70, 0x00, 0x12, 0x34); /* RST */
	PARSE_EXPECT(OSC_COAP_ERR_EMPTY_MSG, 0x41, 0x00, 0x12, 0x34, 0xaa);       /* token */
	PARSE_EXPECT(OSC_COAP_ERR_EMPTY_MSG, 0x40, 0x00, 0x12, 0x34, 0x10);       /* option */
	PARSE_EXPECT(OSC_COAP_ERR_EMPTY_MSG, 0x40, 0x00, 0x12, 0x34, 0xff, 0x01); /* payload */
	/* §4.1: the Token Length of an Empty message must be 0, whatever follows */
	PARSE_EXPECT(OSC_COAP_ERR_EMPTY_MSG, 0x41, 0x00, 0x12, 0x34);
}

Test(coap, parse_rejects_message_over_65535_bytes)
{
	uint8_t *b = calloc(1, COAP_MSG_MAX + 1);
	struct osc_coap_msg m;

	cr_assert(b != NULL);
	b[0] = 0x40, b[1] = 0x02, b[4] = 0xff;
	cr_expect_eq(osc_coap_parse(&m, b, COAP_MSG_MAX + 1), OSC_COAP_ERR_TOO_BIG);
	cr_assert_eq(osc_coap_parse(&m, b, COAP_MSG_MAX), OSC_COAP_OK);
	cr_expect_eq(m.payload_len, COAP_MSG_MAX - 5);
	assert_reencodes(&m, b, COAP_MSG_MAX);
	free(b);
}

Test(coap, parse_keeps_duplicated_options)
{
	/* OSCORE 0914, OSCORE 0915, Uri-Path "a", Uri-Path "b" */
	const uint8_t b[] = { 0x40, 0x01, 0x00, 0x01, 0x92, 0x09, 0x14, 0x02, 0x09, 0x15,
			      0x21, 'a',  0x01, 'b' };
	struct osc_coap_msg m;
	unsigned count = 99;

	cr_assert_eq(osc_coap_parse(&m, b, sizeof(b)), OSC_COAP_OK);
	cr_assert_eq(m.n_opts, 4);
	const struct osc_coap_opt *o = osc_coap_find(&m, COAP_OPT_OSCORE, &count);
	cr_expect_eq(count, 2);
	cr_expect(o == &m.opts[0] && o->val[1] == 0x14, "find returns the first");
	cr_expect(osc_coap_find(&m, COAP_OPT_URI_PATH, &count) == &m.opts[2]);
	cr_expect_eq(count, 2);
	cr_expect(osc_coap_find(&m, COAP_OPT_URI_HOST, &count) == NULL);
	cr_expect_eq(count, 0);
	cr_expect(osc_coap_find(&m, COAP_OPT_URI_HOST, NULL) == NULL);
	assert_reencodes(&m, b, sizeof(b));
}

/* Extended delta and length encodings at each boundary of RFC 7252 §3.1. */
static const struct ext_case {
	uint16_t num, len;
	uint8_t hdr[5];
	uint8_t hdr_len;
} ext_cases[] = {
	{ 12, 0, { 0xc0 }, 1 },
	{ 13, 0, { 0xd0, 0x00 }, 2 },
	{ 268, 0, { 0xd0, 0xff }, 2 },
	{ 269, 0, { 0xe0, 0x00, 0x00 }, 3 },
	{ 65535, 0, { 0xe0, 0xfe, 0xf2 }, 3 },
	{ 0, 12, { 0x0c }, 1 },
	{ 0, 13, { 0x0d, 0x00 }, 2 },
	{ 0, 268, { 0x0d, 0xff }, 2 },
	{ 0, 269, { 0x0e, 0x00, 0x00 }, 3 },
	{ 0, 1000, { 0x0e, 0x02, 0xdb }, 3 },
	{ 300, 14, { 0xed, 0x00, 0x1f, 0x01 }, 4 },
	{ 14, 300, { 0xde, 0x01, 0x00, 0x1f }, 4 },
	{ 65535, 65000, { 0xee, 0xfe, 0xf2, 0xfc, 0xdb }, 5 },
};

Test(coap, option_delta_and_length_extended_encodings_roundtrip)
{
	static uint8_t val[65535], out[70000];

	memset(val, 0x5a, sizeof(val));
	for (size_t i = 0; i < sizeof(ext_cases) / sizeof(ext_cases[0]); i++) {
		const struct ext_case *c = &ext_cases[i];
		struct osc_coap_opt opt = { .val = val, .num = c->num, .len = c->len };
		int n = osc_coap_encode_opts(out, sizeof(out), &opt, 1);

		cr_assert_eq(n, c->hdr_len + c->len, "case %zu", i);
		cr_expect(memcmp(out, c->hdr, c->hdr_len) == 0, "case %zu header", i);
		/* and back, inside a message */
		struct osc_coap_msg m = { .code = COAP_GET, .n_opts = 1, .opts = { opt } };
		int len = osc_coap_encode(out, sizeof(out), &m);

		cr_assert(len > 0, "case %zu: %s", i, osc_coap_strerror(len));
		cr_assert_eq(osc_coap_parse(&m, out, (size_t)len), OSC_COAP_OK, "case %zu", i);
		cr_expect(m.n_opts == 1 && m.opts[0].num == c->num && m.opts[0].len == c->len);
	}
}

Test(coap, encode_checks_capacity_at_every_length)
{
	for (size_t i = 0; i < N_RFC_MSGS; i++) {
		struct osc_coap_msg m;
		uint8_t *b, out[600];
		size_t len;

		cr_assert_eq(parse_hex(&m, rfc_msgs[i], &b, &len), OSC_COAP_OK);
		for (size_t cap = 0; cap < len; cap++) {
			memset(out, 0xa5, sizeof(out));
			cr_expect_eq(osc_coap_encode(out, cap, &m), -OSC_COAP_ERR_NOSPACE,
				     "C.%zu cap %zu", i + 4, cap);
			for (size_t j = cap; j < sizeof(out); j++)
				cr_assert_eq(out[j], 0xa5, "C.%zu cap %zu: wrote at %zu", i + 4, cap, j);
		}
		cr_expect_eq(osc_coap_encode(out, len, &m), (int)len);
		free(b);
	}
}

Test(coap, encode_opts_checks_capacity_and_order)
{
	const struct osc_coap_opt ok[] = { { (const uint8_t *)"h", 3, 1 },
					   { NULL, 9, 0 },
					   { (const uint8_t *)"a", 11, 1 },
					   { (const uint8_t *)"b", 11, 1 } };
	const struct osc_coap_opt bad[] = { { NULL, 11, 0 }, { NULL, 3, 0 } };
	const uint8_t want[] = { 0x31, 'h', 0x60, 0x21, 'a', 0x01, 'b' };
	uint8_t out[16];

	cr_assert_eq(osc_coap_encode_opts(out, sizeof(out), ok, 4), (int)sizeof(want));
	cr_expect(memcmp(out, want, sizeof(want)) == 0);
	for (size_t cap = 0; cap < sizeof(want); cap++)
		cr_expect_eq(osc_coap_encode_opts(out, cap, ok, 4), -OSC_COAP_ERR_NOSPACE);
	cr_expect_eq(osc_coap_encode_opts(out, sizeof(out), bad, 2), -OSC_COAP_ERR_ORDER);
	cr_expect_eq(osc_coap_encode_opts(out, 0, bad, 2), -OSC_COAP_ERR_ORDER, "order wins");
	cr_expect_eq(osc_coap_encode_opts(NULL, 0, NULL, 0), 0);
}

Test(coap, encode_refuses_what_parse_refuses)
{
	uint8_t out[128];
	struct osc_coap_msg m = { .code = COAP_GET, .tkl = 9, .token = out };

	cr_expect_eq(osc_coap_encode(out, sizeof(out), &m), -OSC_COAP_ERR_TKL);
	m = (struct osc_coap_msg){ .code = COAP_GET, .n_opts = COAP_MAX_OPTS + 1 };
	cr_expect_eq(osc_coap_encode(out, sizeof(out), &m), -OSC_COAP_ERR_TOO_MANY_OPTS);
	m = (struct osc_coap_msg){ .code = COAP_EMPTY, .payload = out, .payload_len = 1 };
	cr_expect_eq(osc_coap_encode(out, sizeof(out), &m), -OSC_COAP_ERR_EMPTY_MSG);
	m = (struct osc_coap_msg){ .code = COAP_EMPTY, .n_opts = 1 };
	cr_expect_eq(osc_coap_encode(out, sizeof(out), &m), -OSC_COAP_ERR_EMPTY_MSG);
	m = (struct osc_coap_msg){ .code = COAP_GET, .n_opts = 2,
				   .opts = { { NULL, 11, 0 }, { NULL, 3, 0 } } };
	cr_expect_eq(osc_coap_encode(out, sizeof(out), &m), -OSC_COAP_ERR_ORDER);
	m = (struct osc_coap_msg){ .code = COAP_EMPTY, .type = COAP_RST, .mid = 0xbeef };
	cr_expect_eq(osc_coap_encode(out, sizeof(out), &m), 4);
	cr_expect(memcmp(out, "\x70\x00\xbe\xef", 4) == 0);
}

Test(coap, encode_refuses_message_over_65535_bytes)
{
	static uint8_t payload[COAP_MSG_MAX], out[COAP_MSG_MAX + 100];
	struct osc_coap_msg m = { .code = COAP_POST, .payload = payload };

	m.payload_len = COAP_MSG_MAX - 5; /* header + marker + payload = exactly the limit */
	cr_expect_eq(osc_coap_encode(out, sizeof(out), &m), COAP_MSG_MAX);
	m.payload_len = COAP_MSG_MAX - 4;
	cr_expect_eq(osc_coap_encode(out, sizeof(out), &m), -OSC_COAP_ERR_TOO_BIG);
	cr_expect_eq(osc_coap_encode(out, 100, &m), -OSC_COAP_ERR_NOSPACE, "cap is the limit");
}

Test(coap, uint_option_values_decode_and_encode_minimally)
{
	static const struct {
		uint32_t v;
		uint8_t b[4];
		unsigned len;
	} cases[] = {
		{ 0, { 0 }, 0 },
		{ 1, { 1 }, 1 },
		{ 0xff, { 0xff }, 1 },
		{ 0x100, { 1, 0 }, 2 },
		{ 0x123456, { 0x12, 0x34, 0x56 }, 3 },
		{ 0xffffffff, { 0xff, 0xff, 0xff, 0xff }, 4 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[4];
		uint32_t v = 12345;

		cr_expect_eq(osc_coap_uint_encode(out, cases[i].v), cases[i].len);
		cr_expect(memcmp(out, cases[i].b, cases[i].len) == 0);
		cr_expect_eq(osc_coap_uint_decode(cases[i].b, cases[i].len, &v), 0);
		cr_expect_eq(v, cases[i].v);
	}
	uint32_t v = 0;
	cr_expect_eq(osc_coap_uint_decode((const uint8_t *)"\x00\x00\x01", 3, &v), 0);
	cr_expect_eq(v, 1, "leading zeros are allowed (§3.2)");
	cr_expect_eq(osc_coap_uint_decode((const uint8_t *)"\x00\x00\x00\x00\x01", 5, &v), -1);
}

Test(coap, strerror_gives_one_distinct_string_per_error)
{
	for (int i = 0; i < OSC_COAP_ERR__COUNT; i++) {
		const char *s = osc_coap_strerror(i);

		cr_assert(s != NULL && s[0] != '\0', "error %d", i);
		cr_expect_eq(osc_coap_strerror(-i), s, "negated error %d", i);
		for (int j = 0; j < i; j++)
			cr_expect(strcmp(s, osc_coap_strerror(j)) != 0, "%d and %d", i, j);
	}
	cr_expect(strstr(osc_coap_strerror(OSC_COAP_ERR__COUNT), "unknown") != NULL);
	cr_expect(strstr(osc_coap_strerror(-1000), "unknown") != NULL);
}

/* A random option set: sorted numbers, deltas and lengths clustered at the extended boundaries. */
static void random_msg(uint64_t *s, struct osc_coap_msg *m, const uint8_t *pool)
{
	static const uint16_t steps[] = { 0, 1, 2, 11, 12, 13, 14, 267, 268, 269, 270, 1000 };
	static const uint16_t lens[] = { 0, 1, 4, 12, 13, 14, 268, 269, 270 };
	uint32_t num = 0;

	*m = (struct osc_coap_msg){ .type = (uint8_t)prng_below(s, 4),
				    .code = (uint8_t)(1 + prng_below(s, 255)),
				    .mid = (uint16_t)prng_next(s),
				    .tkl = (uint8_t)prng_below(s, 9),
				    .token = pool };
	for (unsigned n = prng_below(s, COAP_MAX_OPTS + 1); m->n_opts < n; m->n_opts++) {
		num += steps[prng_below(s, sizeof(steps) / sizeof(steps[0]))];
		if (num > UINT16_MAX)
			break;
		m->opts[m->n_opts] = (struct osc_coap_opt){
			.val = pool + prng_below(s, 64), .num = (uint16_t)num,
			.len = lens[prng_below(s, sizeof(lens) / sizeof(lens[0]))] };
	}
	if (prng_below(s, 2)) {
		m->payload = pool + prng_below(s, 64);
		m->payload_len = 1 + prng_below(s, 300);
	}
}

static void assert_same_msg(const struct osc_coap_msg *a, const struct osc_coap_msg *b)
{
	cr_assert(a->type == b->type && a->code == b->code && a->mid == b->mid &&
		  a->tkl == b->tkl && a->n_opts == b->n_opts && a->payload_len == b->payload_len);
	cr_assert(memcmp(a->token, b->token, a->tkl) == 0);
	for (unsigned i = 0; i < a->n_opts; i++)
		cr_assert(a->opts[i].num == b->opts[i].num && a->opts[i].len == b->opts[i].len &&
			  memcmp(a->opts[i].val, b->opts[i].val, a->opts[i].len) == 0);
	if (a->payload_len)
		cr_assert(memcmp(a->payload, b->payload, a->payload_len) == 0);
}

Test(coap, random_structured_messages_roundtrip)
{
	static uint8_t pool[400], out[COAP_MSG_MAX];
	uint64_t s = 0x0123456789abcdefULL;

	for (size_t i = 0; i < sizeof(pool); i++)
		pool[i] = (uint8_t)prng_next(&s);
	for (int iter = 0; iter < 20000; iter++) {
		struct osc_coap_msg m, back;
		int len;

		random_msg(&s, &m, pool);
		len = osc_coap_encode(out, sizeof(out), &m);
		cr_assert(len > 0, "iter %d: %s", iter, osc_coap_strerror(len));
		uint8_t *b = dup_exact(out, (size_t)len);
		cr_assert_eq(osc_coap_parse(&back, b, (size_t)len), OSC_COAP_OK, "iter %d", iter);
		assert_same_msg(&m, &back);
		assert_reencodes(&back, b, (size_t)len);
		free(b);
	}
}

/* Random bytes, mostly behind a plausible header, and mutated valid messages: parse must not crash
 * (ASan watches the exact-size buffer) and whatever parses must re-encode to the same bytes. */
static size_t random_wire(uint64_t *s, uint8_t *buf, const uint8_t *pool)
{
	size_t len;

	if (prng_below(s, 2)) {
		struct osc_coap_msg m;

		random_msg(s, &m, pool);
		m.n_opts = (uint8_t)(m.n_opts % 6);
		if (m.payload_len)
			m.payload_len %= 16;
		len = (size_t)osc_coap_encode(buf, 2048, &m);
		for (unsigned k = prng_below(s, 4); k > 0; k--)
			buf[prng_below(s, (uint32_t)len)] ^= (uint8_t)(1u << prng_below(s, 8));
		return prng_below(s, 4) ? len : prng_below(s, (uint32_t)len + 1);
	}
	len = prng_below(s, 48);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)prng_next(s);
	if (len && prng_below(s, 8))
		buf[0] = (uint8_t)(0x40 | (buf[0] & 0x30) | prng_below(s, 9));
	return len;
}

Test(coap, random_messages_never_crash_and_roundtrip)
{
	static uint8_t pool[400], buf[2048];
	uint64_t s = 0xfeedfacecafebeefULL;
	unsigned ok = 0, total = 200000;

	for (size_t i = 0; i < sizeof(pool); i++)
		pool[i] = (uint8_t)prng_next(&s);
	for (unsigned iter = 0; iter < total; iter++) {
		struct osc_coap_msg m;
		size_t len = random_wire(&s, buf, pool);
		uint8_t *b = dup_exact(buf, len);
		int err = osc_coap_parse(&m, b, len);

		cr_assert(err >= OSC_COAP_OK && err < OSC_COAP_ERR__COUNT, "iter %u", iter);
		if (err == OSC_COAP_OK) {
			assert_reencodes(&m, b, len);
			ok++;
		}
		free(b);
	}
	/* the property must actually have been exercised, on both sides */
	cr_expect(ok > total / 10 && ok < total - total / 10, "%u of %u parsed", ok, total);
}
