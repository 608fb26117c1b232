/* SPDX-License-Identifier: BSD-3-Clause */
/* What every message harness asserts about a verification result. */
#ifndef FUZZ_CHECK_H
#define FUZZ_CHECK_H

#include <stdint.h>
#include <stdlib.h>

#include "oscore/osc_coap.h"
#include "oscore/osc_error.h"

/* n >= 0: out[0..n) must be valid CoAP (a verified message rebuilds into it); n < 0: a known
 * reason. Anything else aborts, which libFuzzer reports. */
static inline void fuzz_check_output(const uint8_t *out, int n)
{
	struct osc_coap_msg m;

	if (n >= 0 && osc_coap_parse(&m, out, (size_t)n) != OSC_COAP_OK)
		abort();
	if (n < 0 && (-n <= OSC_OK || -n >= OSC_ERR__COUNT))
		abort();
}

#endif
