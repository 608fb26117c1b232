/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the EDHOC tests: hex, fresh credentials, configurations. */
#ifndef EDH_TEST_UTIL_H
#define EDH_TEST_UTIL_H

#include <criterion/criterion.h>

#include "control/edhoc/edh.h"
#include "oscore/osc_hex.h"

/* Hex into a static-lifetime-free buffer; aborts the test on bad hex. */
static inline size_t th_hex(const char *hex, uint8_t *out, size_t cap)
{
	int n = osc_hex_decode(hex, strlen(hex), out, cap);

	cr_assert(n >= 0, "bad test hex");
	return (size_t)n;
}

/* Compare out with hex. */
#define assert_hex(buf, len, hex)                                                          \
	do {                                                                               \
		uint8_t exp_[EDH_MSG_MAX];                                                 \
		size_t el_ = th_hex(hex, exp_, sizeof(exp_));                              \
		cr_assert_eq((size_t)(len), el_, "length %zu, expected %zu", (size_t)(len), el_); \
		cr_assert_arr_eq(buf, exp_, el_);                                          \
	} while (0)

#endif
