/* SPDX-License-Identifier: BSD-3-Clause */
/* OSCORE option value (RFC 8613 §6.1): §6.3 and Appendix C examples, every error, PIV <-> SSN. */
#include "oscore/osc_option.h"

#include "coap_test_util.h"

#include <criterion/criterion.h>

/* Decode hex through an exact-size heap copy (freed after o is inspected by the caller). */
static int decode_hex(struct osc_option *o, const char *hex, uint8_t allowed, uint8_t **copy,
		      size_t *len)
{
	uint8_t tmp[300];

	*len = unhex(tmp, sizeof(tmp), hex);
	*copy = dup_exact(tmp, *len);
	return osc_option_decode(o, *copy, *len, allowed);
}

static int decode_bytes(const uint8_t *b, size_t len, uint8_t allowed)
{
	struct osc_option o;
	uint8_t *copy = dup_exact(b, len);
	int err = osc_option_decode(&o, copy, len, allowed);

	free(copy);
	return err;
}

#define DECODE_EXPECT(err_, allowed_, ...)                                                         \
	do {                                                                                       \
		const uint8_t b_[] = { __VA_ARGS__ };                                              \
		int e_ = decode_bytes(b_, sizeof(b_), (allowed_));                                 \
		cr_expect_eq(e_, (err_), "line %d: got %s, want %s", __LINE__,                     \
			     osc_option_strerror(e_), osc_option_strerror(err_));                  \
	} while (0)

static void assert_encodes_to(const struct osc_option *o, const uint8_t *want, size_t len)
{
	uint8_t out[OSC_OPTION_MAX];
	int n = osc_option_encode(out, sizeof(out), o);

	cr_assert_eq(n, (int)len);
	cr_assert(len == 0 || memcmp(out, want, len) == 0);
}

/* RFC 8613 §6.3 and C.6: the value, and what it holds. */
static const struct opt_vector {
	const char *name, *hex, *piv, *kid, *kid_ctx; /* NULL kid / kid_ctx = absent */
} opt_vectors[] = {
	{ "6.3 kid 25 piv 05", "090525", "05", "25", NULL },
	{ "6.3 kid '' piv 00", "0900", "00", "", NULL },
	{ "6.3 kid ctx", "19050544616c656b", "05", "", "44616c656b" },
	{ "6.3 response without PIV", "", "", NULL, NULL },
	{ "6.3 response piv 07", "0107", "07", NULL, NULL },
	{ "C.4 request", "0914", "14", "", NULL },
	{ "C.5 request", "091400", "14", "00", NULL },
	{ "C.6 request", "19140837cbf3210017a2d3", "14", "", "37cbf3210017a2d3" },
	{ "C.8 response", "0100", "00", NULL, NULL },
};
#define N_OPT_VECTORS (sizeof(opt_vectors) / sizeof(opt_vectors[0]))

static void expect_field(bool has, const uint8_t *p, size_t len, const char *hex, const char *n)
{
	uint8_t want[64];

	cr_expect_eq(has, hex != NULL, "%s presence", n);
	if (!hex)
		return;
	cr_expect_eq(len, unhex(want, sizeof(want), hex), "%s length", n);
	cr_expect(len == 0 || memcmp(p, want, len) == 0, "%s bytes", n);
}

Test(option, rfc8613_examples_decode_and_reencode)
{
	for (size_t i = 0; i < N_OPT_VECTORS; i++) {
		const struct opt_vector *v = &opt_vectors[i];
		struct osc_option o;
		uint8_t *b;
		size_t len;

		cr_assert_eq(decode_hex(&o, v->hex, 0, &b, &len), OSC_OPT_OK, "%s", v->name);
		expect_field(o.piv_len > 0, o.piv, o.piv_len, v->piv[0] ? v->piv : NULL, v->name);
		expect_field(o.has_kid, o.kid, o.kid_len, v->kid, v->name);
		expect_field(o.has_kid_ctx, o.kid_ctx, o.kid_ctx_len, v->kid_ctx, v->name);
		cr_expect_eq(o.ext_flags, 0);
		assert_encodes_to(&o, b, len);
		free(b);
	}
}

Test(option, encode_builds_rfc8613_6_3_kid_context_example)
{
	struct osc_option o = { .piv = { 0x05 }, .piv_len = 1, .has_kid = true,
				.kid = (const uint8_t *)"", .has_kid_ctx = true,
				.kid_ctx = (const uint8_t *)"Dalek", .kid_ctx_len = 5 };

	assert_encodes_to(&o, (const uint8_t *)"\x19\x05\x05" "Dalek", 8);
	assert_encodes_to(&(struct osc_option){ 0 }, NULL, 0);
	assert_encodes_to(&(struct osc_option){ .has_kid = true }, (const uint8_t *)"\x08", 1);
}

Test(option, decode_prefixes_of_examples_stay_in_bounds)
{
	for (size_t i = 0; i < N_OPT_VECTORS; i++) {
		uint8_t full[64];
		size_t len = unhex(full, sizeof(full), opt_vectors[i].hex);

		for (size_t k = 0; k < len; k++) {
			int err = decode_bytes(full, k, 0);

			cr_expect(err == OSC_OPT_OK || err == OSC_OPT_ERR_TRUNCATED ||
					  err == OSC_OPT_ERR_ZERO,
				  "%s cut at %zu: %s", opt_vectors[i].name, k,
				  osc_option_strerror(err));
		}
	}
}

Test(option, decode_refuses_reserved_flag_bits)
{
	DECODE_EXPECT(OSC_OPT_ERR_RESERVED, 0, 0x80);
	DECODE_EXPECT(OSC_OPT_ERR_RESERVED, 0, 0x40);
	DECODE_EXPECT(OSC_OPT_ERR_RESERVED, 0, 0x20);
	DECODE_EXPECT(OSC_OPT_ERR_RESERVED, 0, 0x29, 0x05);
	DECODE_EXPECT(OSC_OPT_ERR_RESERVED, OSC_FLAG_GROUP, 0x40);
	/* 0x80 would announce a second flags byte this decoder does not parse: never accepted */
	DECODE_EXPECT(OSC_OPT_ERR_RESERVED, 0xff, 0x88, 0x01);
	DECODE_EXPECT(OSC_OPT_OK, 0xff, 0x28, 0x01);
}

Test(option, group_flag_accepted_only_when_allowed_and_roundtrips)
{
	const uint8_t v[] = { 0x29, 0x05, 0x25 };
	struct osc_option o;

	cr_expect_eq(osc_option_decode(&o, v, sizeof(v), 0), OSC_OPT_ERR_RESERVED);
	cr_assert_eq(osc_option_decode(&o, v, sizeof(v), OSC_FLAG_GROUP), OSC_OPT_OK);
	cr_expect_eq(o.ext_flags, OSC_FLAG_GROUP);
	cr_expect(o.piv_len == 1 && o.piv[0] == 0x05 && o.has_kid && o.kid_len == 1);
	assert_encodes_to(&o, v, sizeof(v));
	/* the group flag alone is not all-zero flags: one byte, not the empty value */
	cr_assert_eq(osc_option_decode(&o, (const uint8_t *)"\x20", 1, OSC_FLAG_GROUP), OSC_OPT_OK);
	assert_encodes_to(&o, (const uint8_t *)"\x20", 1);
}

Test(option, decode_refuses_reserved_piv_length)
{
	DECODE_EXPECT(OSC_OPT_ERR_PIV_LEN, 0, 0x06, 1, 2, 3, 4, 5, 6);
	DECODE_EXPECT(OSC_OPT_ERR_PIV_LEN, 0, 0x0f, 1, 2, 3, 4, 5, 6, 7);
	DECODE_EXPECT(OSC_OPT_OK, 0, 0x05, 1, 2, 3, 4, 5);
}

Test(option, decode_refuses_truncated_fields)
{
	DECODE_EXPECT(OSC_OPT_ERR_TRUNCATED, 0, 0x01);                   /* PIV missing */
	DECODE_EXPECT(OSC_OPT_ERR_TRUNCATED, 0, 0x0d, 1, 2, 3, 4);       /* 5-byte PIV, 4 there */
	DECODE_EXPECT(OSC_OPT_ERR_TRUNCATED, 0, 0x10);                   /* kid context s missing */
	DECODE_EXPECT(OSC_OPT_ERR_TRUNCATED, 0, 0x19, 0x05, 0x03, 'a');  /* s = 3, 1 byte there */
	DECODE_EXPECT(OSC_OPT_OK, 0, 0x10, 0x00);                        /* empty kid context */
}

Test(option, decode_refuses_trailing_bytes_without_kid)
{
	DECODE_EXPECT(OSC_OPT_ERR_TRAILING, 0, 0x01, 0x05, 0xaa);
	DECODE_EXPECT(OSC_OPT_ERR_TRAILING, 0, 0x10, 0x01, 'a', 'b');
	DECODE_EXPECT(OSC_OPT_ERR_TRAILING, 0, 0x00, 0x00);
	DECODE_EXPECT(OSC_OPT_OK, 0, 0x18, 0x01, 'a', 'b');
}

Test(option, decode_refuses_single_zero_byte)
{
	struct osc_option o;

	DECODE_EXPECT(OSC_OPT_ERR_ZERO, 0, 0x00);
	DECODE_EXPECT(OSC_OPT_ERR_ZERO, OSC_FLAG_GROUP, 0x00);
	cr_expect_eq(osc_option_decode(&o, NULL, 0, 0), OSC_OPT_OK, "empty = all flags zero");
	cr_expect(!o.has_kid && !o.has_kid_ctx && o.piv_len == 0 && o.ext_flags == 0);
}

Test(option, decode_refuses_values_over_255_bytes)
{
	uint8_t v[OSC_OPTION_MAX + 1];
	struct osc_option o;

	memset(v, 0x77, sizeof(v));
	v[0] = OSC_FLAG_KID;
	cr_expect_eq(decode_bytes(v, sizeof(v), 0), OSC_OPT_ERR_TOO_LONG);
	cr_assert_eq(osc_option_decode(&o, v, OSC_OPTION_MAX, 0), OSC_OPT_OK);
	cr_expect_eq(o.kid_len, OSC_OPTION_MAX - 1);
	assert_encodes_to(&o, v, OSC_OPTION_MAX);
}

Test(option, encode_refuses_what_does_not_fit)
{
	uint8_t big[255] = { 0 }, out[OSC_OPTION_MAX + 8];
	struct osc_option o = { .piv_len = 1, .has_kid = true, .kid = big, .kid_len = 2 };

	cr_expect_eq(osc_option_encode(out, 3, &o), -1, "cap 3 < 4");
	cr_expect_eq(osc_option_encode(out, 4, &o), 4);
	o.piv_len = 6;
	cr_expect_eq(osc_option_encode(out, sizeof(out), &o), -1, "piv_len 6");
	o = (struct osc_option){ .has_kid_ctx = true, .kid_ctx = big, .kid_ctx_len = 253 };
	cr_expect_eq(osc_option_encode(out, sizeof(out), &o), 255, "1 + 1 + 253");
	o.has_kid = true, o.kid = big, o.kid_len = 1;
	cr_expect_eq(osc_option_encode(out, sizeof(out), &o), -1, "256 bytes");
	o = (struct osc_option){ .ext_flags = 0x40 };
	cr_expect_eq(osc_option_encode(out, sizeof(out), &o), -1, "unknown extension bit");
}

Test(option, strerror_gives_one_distinct_string_per_error)
{
	for (int i = OSC_OPT_OK; i <= OSC_OPT_ERR_TOO_LONG; i++) {
		const char *s = osc_option_strerror(i);

		cr_assert(s != NULL && s[0] != '\0');
		for (int j = 0; j < i; j++)
			cr_expect(strcmp(s, osc_option_strerror(j)) != 0, "%d and %d", i, j);
	}
	cr_expect(strstr(osc_option_strerror(OSC_OPT_ERR_TOO_LONG + 1), "unknown") != NULL);
	cr_expect(strstr(osc_option_strerror(-1), "unknown") != NULL);
}

Test(option, random_values_never_crash_and_roundtrip)
{
	static const uint8_t allowed[] = { 0, OSC_FLAG_GROUP };
	uint64_t s = 0x5eed5eed5eed5eedULL;
	unsigned ok = 0, total = 100000;

	for (unsigned iter = 0; iter < total; iter++) {
		uint8_t v[40], out[OSC_OPTION_MAX];
		size_t len = prng_below(&s, sizeof(v) + 1);
		struct osc_option o;

		for (size_t i = 0; i < len; i++)
			v[i] = (uint8_t)prng_next(&s);
		if (len && prng_below(&s, 4)) /* mostly plausible flags */
			v[0] &= 0x3f;
		uint8_t *b = dup_exact(v, len);
		uint8_t a = allowed[iter & 1];
		if (osc_option_decode(&o, b, len, a) == OSC_OPT_OK) {
			cr_assert_eq(osc_option_encode(out, sizeof(out), &o), (int)len, "iter %u", iter);
			cr_assert(memcmp(out, b, len) == 0, "iter %u", iter);
			ok++;
		}
		free(b);
	}
	cr_expect(ok > total / 10 && ok < total - total / 10, "%u of %u decoded", ok, total);
}

Test(option, piv_from_ssn_strips_leading_zeros)
{
	static const struct {
		uint64_t ssn;
		const char *hex;
	} cases[] = {
		{ 0, "00" },
		{ 5, "05" },
		{ 0xff, "ff" },
		{ 0x100, "0100" },
		{ 0x123456, "123456" },
		{ 0xffffffff, "ffffffff" },
		{ 0x100000000ULL, "0100000000" },
		{ (1ULL << 40) - 1, "ffffffffff" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[OSC_PIV_MAX], want[OSC_PIV_MAX];
		size_t n = unhex(want, sizeof(want), cases[i].hex);

		cr_assert_eq(osc_piv_from_ssn(out, cases[i].ssn), n, "ssn %llu",
			     (unsigned long long)cases[i].ssn);
		cr_expect(memcmp(out, want, n) == 0);
		cr_expect_eq(osc_piv_to_ssn(out, n), cases[i].ssn);
	}
}

Test(option, piv_from_ssn_refuses_beyond_2_40_minus_1)
{
	uint8_t out[OSC_PIV_MAX];

	cr_expect_eq(osc_piv_from_ssn(out, 1ULL << 40), 0);
	cr_expect_eq(osc_piv_from_ssn(out, UINT64_MAX), 0);
	cr_expect_eq(osc_piv_to_ssn((const uint8_t *)"\x00\x05", 2), 5, "leading zeros read");
	cr_expect_eq(osc_piv_to_ssn(NULL, 0), 0);
	cr_expect_eq(osc_piv_to_ssn((const uint8_t *)"\x01\x02\x03\x04\x05\x06", 6), UINT64_MAX);
}
