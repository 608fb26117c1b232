/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Responder both EDHOC harnesses fuzz: RFC 9529 trace 1's (X.509, Ed25519, suite 0) and
 * trace 2's (CCS, P-256, suite 2) credentials, both Initiators pinned, all methods, suites 0-3,
 * message_4 on. Set up once; every input runs against the same table.
 */
#ifndef FUZZ_EDHOC_H
#define FUZZ_EDHOC_H

#include <stdlib.h>
#include <string.h>

#include "control/edhoc/edh.h"
#include "oscore/osc_hex.h"
#include "tests/edhoc/edhoc_vectors.h"

static struct edh_cred fz_own[2];
static struct edh_config fz_cfg;

static size_t fz_hex(const char *hex, uint8_t *out, size_t cap)
{
	int n = osc_hex_decode(hex, strlen(hex), out, cap);

	if (n < 0)
		abort();
	return (size_t)n;
}

static struct edh_table *fz_setup(void)
{
	uint8_t b[400], d[32];
	size_t n;
	struct edh_cred c;
	struct edh_trust *trust = edh_trust_new();

	n = fz_hex(T1_CRED_R, b, sizeof(b));
	fz_hex(T1_SK_R, d, sizeof(d));
	if (edh_cred_x509(&fz_own[0], b, n, EDH_X509_BY_X5T, d, 32) != EDH_OK)
		abort();
	n = fz_hex(T2_CRED_R, b, sizeof(b));
	fz_hex(T2_SK_R, d, sizeof(d));
	if (edh_cred_ccs(&fz_own[1], b, n, d, 32) != EDH_OK)
		abort();
	n = fz_hex(T1_CRED_I, b, sizeof(b));
	if (edh_cred_x509(&c, b, n, EDH_X509_BY_X5T, NULL, 0) || edh_trust_add(trust, &c))
		abort();
	n = fz_hex(T2_CRED_I, b, sizeof(b));
	if (edh_cred_ccs(&c, b, n, NULL, 0) || edh_trust_add(trust, &c))
		abort();
	fz_cfg = (struct edh_config){ .suites = { 2, 0, 1, 3 }, .n_suites = 4, .methods = 0xf,
				      .own = fz_own, .n_own = 2, .trust = trust,
				      .max_sessions = 4, .timeout_ms = 10, .message_4 = true };
	return edh_table_new(&fz_cfg);
}

#endif
