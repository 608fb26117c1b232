/* SPDX-License-Identifier: BSD-3-Clause */
/* cry_cbor encoder and the bounded libcbor decoder: limits, refusals and accessors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "crypto/cry_cbor.h"
#include "crypto/cry_cbor_dec.h"
#include "tc.h"

static int dec_hex(const char *hex, cbor_item_t **it)
{
	uint8_t b[256];
	size_t n = tc_hex(hex, b, sizeof(b));

	return cry_cbor_decode(b, n, &cry_cbor_limits_default, it, NULL);
}

Test(cbor, encoder_output_decodes_to_the_same_values)
{
	uint8_t buf[64];
	struct cry_cbor_buf b;
	cbor_item_t *it;
	const uint8_t *p;
	const char *s;
	size_t len;
	int64_t v;
	uint64_t tag;
	int n;

	cry_cbor_init(&b, buf, sizeof(buf));
	cry_cbor_head(&b, CRY_CBOR_TAG, 61);
	cry_cbor_head(&b, CRY_CBOR_MAP, 3);
	cry_cbor_int(&b, 1);
	cry_cbor_bstr(&b, (const uint8_t *)"\x01\x02", 2);
	cry_cbor_int(&b, -300);
	cry_cbor_tstr(&b, "aud");
	cry_cbor_int(&b, 4);
	cry_cbor_int(&b, 0x5612aeb0);
	n = cry_cbor_done(&b);
	cr_assert_gt(n, 0);
	cr_assert_eq(buf[0], 0xd8); /* tag 61 needs a 1-byte argument */
	cr_assert_eq(cry_cbor_decode(buf, (size_t)n, &cry_cbor_limits_default, &it, NULL), 0);
	const cbor_item_t *m = cry_cbor_untag(it, &tag);
	cr_assert_eq(tag, 61);
	cr_assert(cry_cbor_get_bstr(cry_cbor_map_int(m, 1), &p, &len));
	cr_assert_eq(len, 2);
	cr_assert_eq(p[1], 2);
	cr_assert(cry_cbor_get_tstr(cry_cbor_map_int(m, -300), &s, &len));
	cr_assert_eq(len, 3);
	cr_assert(cry_cbor_get_int(cry_cbor_map_int(m, 4), &v));
	cr_assert_eq(v, 0x5612aeb0);
	cr_assert_null(cry_cbor_map_int(m, 2));
	cr_assert_not(cry_cbor_get_int(cry_cbor_map_int(m, 1), &v));
	cbor_decref(&it);
}

Test(cbor, encoder_sticks_on_overflow)
{
	uint8_t buf[4];
	struct cry_cbor_buf b;

	cry_cbor_init(&b, buf, sizeof(buf));
	cry_cbor_bstr(&b, (const uint8_t *)"abcd", 4);
	cry_cbor_int(&b, 0);
	cr_assert_eq(cry_cbor_done(&b), -1);
}

Test(cbor, int64_range)
{
	cbor_item_t *it;
	int64_t v;

	cr_assert_eq(dec_hex("3b7fffffffffffffff", &it), 0);
	cr_assert(cry_cbor_get_int(it, &v));
	cr_assert_eq(v, INT64_MIN);
	cbor_decref(&it);
	cr_assert_eq(dec_hex("3b8000000000000000", &it), 0);
	cr_assert_not(cry_cbor_get_int(it, &v)); /* below INT64_MIN */
	cbor_decref(&it);
	cr_assert_eq(dec_hex("1bffffffffffffffff", &it), 0);
	cr_assert_not(cry_cbor_get_int(it, &v));
	cbor_decref(&it);
}

Test(cbor, malformed_truncated_trailing_refused)
{
	static const char *bad[] = {
		"",           /* nothing */
		"430102",     /* bstr of 3 with 2 bytes */
		"82 01",      /* array of 2 with 1 */
		"1c",         /* reserved additional information */
		"0102",       /* trailing byte */
		"9f01ff",     /* indefinite array */
		"5f4101ff",   /* indefinite bstr */
		"bf0101ff",   /* indefinite map */
		"a2010101 02",  /* duplicate key 1 */
		"a201011801 02", /* duplicate key 1, second one in a longer encoding */
		"a2616101616102", /* duplicate text key "a" */
		"a1800 1",    /* array as a map key */
		"a1f401",     /* false as a map key */
		"a1c10101",   /* tagged map key */
		"81a2010101 02", /* duplicate key inside an array */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char hex[64];
		size_t k = 0;
		cbor_item_t *it = (cbor_item_t *)&k;

		for (const char *c = bad[i]; *c; c++)
			if (*c != ' ')
				hex[k++] = *c;
		hex[k] = 0;
		cr_assert_eq(dec_hex(hex, &it), -EBADMSG, "case %zu (%s)", i, bad[i]);
		cr_assert_null(it);
	}
}

Test(cbor, sequence_reports_what_the_item_used)
{
	const uint8_t seq[] = { 0x03, 0x82, 0x06, 0x02, 0x58, 0x01, 0xaa };
	cbor_item_t *it;
	size_t used, off = 0;
	unsigned items = 0;

	while (off < sizeof(seq)) {
		cr_assert_eq(cry_cbor_decode(seq + off, sizeof(seq) - off,
					     &cry_cbor_limits_default, &it, &used), 0);
		off += used;
		items++;
		cbor_decref(&it);
	}
	cr_assert_eq(items, 3);
	cr_assert_eq(off, sizeof(seq));
}

/* n nested one-element arrays around a 0 */
static uint8_t *nested(size_t n, size_t *len)
{
	uint8_t *b = malloc(n + 1);

	cr_assert_not_null(b);
	memset(b, 0x81, n);
	b[n] = 0x00;
	*len = n + 1;
	return b;
}

Test(cbor, depth_limit_holds_and_deep_input_does_not_recurse)
{
	struct cry_cbor_limits lim = { .max_len = 1 << 20, .max_depth = 8, .max_items = 1 << 20 };
	cbor_item_t *it;
	size_t len;
	uint8_t *b = nested(8, &len);

	cr_assert_eq(cry_cbor_decode(b, len, &lim, &it, NULL), 0);
	cbor_decref(&it);
	free(b);
	b = nested(9, &len);
	cr_assert_eq(cry_cbor_decode(b, len, &lim, &it, NULL), -E2BIG);
	free(b);
	/* 500k levels: cbor_load would recurse into it; the pre-pass stops at level 9 */
	b = nested(500000, &len);
	cr_assert_eq(cry_cbor_decode(b, len, &lim, &it, NULL), -E2BIG);
	free(b);
	/* a caller asking for more depth than the hard ceiling gets the ceiling */
	lim.max_depth = 1000;
	b = nested(CRY_CBOR_DEPTH_MAX + 1, &len);
	cr_assert_eq(cry_cbor_decode(b, len, &lim, &it, NULL), -E2BIG);
	free(b);
}

Test(cbor, item_and_size_limits)
{
	struct cry_cbor_limits lim = { .max_len = 4096, .max_depth = 4, .max_items = 10 };
	uint8_t b[64] = { 0x89 }; /* array of 9 zeros: 10 items */
	cbor_item_t *it;

	cr_assert_eq(cry_cbor_decode(b, 10, &lim, &it, NULL), 0);
	cbor_decref(&it);
	b[0] = 0x8a; /* 11 items */
	cr_assert_eq(cry_cbor_decode(b, 11, &lim, &it, NULL), -E2BIG);
	lim.max_len = 10;
	b[0] = 0x89;
	cr_assert_eq(cry_cbor_decode(b, 11, &lim, &it, NULL), -E2BIG);
	cr_assert_eq(cry_cbor_decode(b, 10, &lim, &it, NULL), 0);
	cbor_decref(&it);
}

Test(cbor, declared_sizes_beyond_the_input_allocate_nothing)
{
	/* An array and a map claiming 2^64-1 / 2^32 entries in a few bytes: cbor_load would try to
	 * allocate for them; the pre-pass refuses first. */
	cbor_item_t *it;

	cr_assert_eq(dec_hex("9bffffffffffffffff00", &it), -EBADMSG);
	cr_assert_eq(dec_hex("baffffffff00", &it), -E2BIG);
	cr_assert_eq(dec_hex("5bffffffffffffffff00", &it), -EBADMSG);
}

/* libcbor 0.8 refuses the heads 0xc6..0xd4 (tags 6..20, COSE's 16/17/18 among them); the
 * decoder widens them so that the tree comes out as if libcbor had read them. */
Test(cbor, short_tag_heads_6_to_20_decode)
{
	cbor_item_t *it;
	uint64_t tag;
	int64_t v;

	for (unsigned t = 6; t <= 20; t++) {
		uint8_t b[] = { 0x81, (uint8_t)(0xc0 | t), 0x82, (uint8_t)(0xc0 | t), 0x07, 0x01 };

		cr_assert_eq(cry_cbor_decode(b, sizeof(b), &cry_cbor_limits_default, &it, NULL), 0,
			     "tag %u", t);
		const cbor_item_t *outer = cry_cbor_untag(cbor_array_handle(it)[0], &tag);
		cr_assert_eq(tag, t);
		const cbor_item_t *inner = cry_cbor_untag(cbor_array_handle(outer)[0], &tag);
		cr_assert_eq(tag, t);
		cr_assert(cry_cbor_get_int(inner, &v));
		cr_assert_eq(v, 7);
		cbor_decref(&it);
	}
	/* a short tag head still counts against depth and still needs its item */
	cr_assert_eq(dec_hex("d1", &it), -EBADMSG);
	struct cry_cbor_limits lim = { .max_len = 100, .max_depth = 2, .max_items = 100 };
	const uint8_t deep[] = { 0xd1, 0xd1, 0xd1, 0x01 };
	cr_assert_eq(cry_cbor_decode(deep, sizeof(deep), &lim, &it, NULL), -E2BIG);
}
