/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the CoAP and OSCORE option codec tests: hex vectors, exact-size copies, PRNG. */
#ifndef COAP_TEST_UTIL_H
#define COAP_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decode the hex string into out (at most cap bytes); the test fails on a malformed vector. */
static inline size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = strlen(hex) / 2;

	cr_assert(strlen(hex) % 2 == 0 && n <= cap, "bad test vector %s", hex);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		cr_assert(sscanf(hex + 2 * i, "%2x", &v) == 1, "bad hex in %s", hex);
		out[i] = (uint8_t)v;
	}
	return n;
}

/*
 * A heap copy of exactly n bytes, so that AddressSanitizer reports any read one byte past the end
 * (a stack array or a larger buffer would hide it). Free with free().
 */
static inline uint8_t *dup_exact(const uint8_t *b, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	cr_assert(p != NULL);
	if (n)
		memcpy(p, b, n);
	return p;
}

/* xorshift64*: deterministic, so a failing random case reproduces from the seed. */
static inline uint64_t prng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static inline uint32_t prng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)((prng_next(s) >> 32) % n);
}

#endif
