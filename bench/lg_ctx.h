/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deterministic OSCORE context populations for the load generator and the benchmark: context i of
 * a seed is the same whichever order contexts are made in, so a client can derive just the one it
 * plays. Contexts are written in the gateway's view (libcoap keywords, as control/ctl_config.c
 * reads them) and read back for live mode; Wireshark's OSCORE UAT comes from control/ctl_export.h.
 * No DPDK here.
 */
#ifndef LG_CTX_H
#define LG_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "oscore/osc_context.h"

struct lg_pop {
	uint64_t seed;
	unsigned long n;     /* contexts */
	unsigned kid_min;    /* kid (Recipient ID at the gateway) length range, raised to what n needs */
	unsigned kid_max;
	double kid_ctx;      /* fraction of contexts with an ID Context (sent as kid context) */
};

/* splitmix64 of (seed, a, b): a well mixed 64-bit value, cheap enough per field. */
uint64_t lg_hash(uint64_t seed, uint64_t a, uint64_t b);

/* Uniform double in [0, 1) from a hash. */
double lg_unit(uint64_t h);

/* Bytes a kid needs so that n contexts have distinct ones (0 for n <= 1). */
unsigned lg_kid_bytes(unsigned long n);

/* Check pop's ranges; 0, or -1 with a reason in err. */
int lg_pop_check(const struct lg_pop *pop, char *err, size_t err_len);

/* The gateway's view of context i: sender_id 01 (the gateway), recipient_id = the device's kid
 * (i big endian, so kids never collide), secret, salt and maybe an ID Context from the seed. */
void lg_ctx_params(const struct lg_pop *pop, unsigned long i, struct osc_params *gw);

/* The device's view of a gateway-view context: Sender and Recipient ID swapped. */
void lg_client_view(struct osc_params *client, const struct osc_params *gw);

/* One element of contexts.json (gateway view), with a trailing comma unless last. */
void lg_write_ctx_json(FILE *f, const struct osc_params *gw, bool last);

/* Hex of b[0..n) to f. */
void lg_hex(FILE *f, const uint8_t *b, size_t n);

/* Read a contexts file (a JSON array in ctl_config.c's format, gateway view) into *out (malloc'd,
 * *n entries). Returns 0, or -1 with a reason in err. */
int lg_ctx_load(const char *path, struct osc_params **out, unsigned long *n, char *err,
		size_t err_len);

#endif
