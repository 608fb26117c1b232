/* SPDX-License-Identifier: BSD-3-Clause */
/* oscore-loadgen's two modes: a capture for replay, and live UDP load with verified answers. */
#ifndef LOADGEN_H
#define LOADGEN_H

#include <stdbool.h>

#include "bench/lg_ctx.h"

/* Methods a capture may use, as a bit set over enum osc_coap_code request codes (1 << code). */
#define LG_METHODS_DEFAULT ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 5))

struct lg_capture_opts {
	const char *out;          /* directory, made if missing */
	struct lg_pop pop;        /* N clients = pop.n */
	unsigned long requests;   /* good requests per client */
	double replays, tampered, unknown, malformed, ipv6; /* fractions of good requests */
	unsigned pay_min, pay_max;
	unsigned methods;         /* LG_METHODS_DEFAULT or a subset */
	bool quiet;               /* no progress line on a terminal */
};

/* Write DIR/in.pcap, contexts.json, gw.json, oscore_contexts and expected.json (DIR made if
 * missing; the two files holding Master Secrets 0600). 0 or -1 (after printing why). */
int lg_capture(const struct lg_capture_opts *o);

struct lg_live_opts {
	const char *contexts;     /* contexts file, gateway view */
	const char *target;       /* ADDR:PORT or [ADDR]:PORT */
	double rate;              /* requests per second, 0 = as fast as the window allows */
	unsigned long requests;   /* total, 0 = until duration */
	unsigned long clients;    /* devices played, 0 = every context in the file */
	double duration;          /* seconds, 0 = until requests */
	unsigned timeout_ms;
	unsigned window;          /* requests outstanding at most */
	unsigned sockets;         /* UDP sockets (source ports) devices are spread over; 0 = 1 */
	bool allow_failures;
	bool quiet;               /* no progress lines */
};

/* Run live load; returns the exit status (0: every request answered and verified). */
int lg_live(const struct lg_live_opts *o);

#endif
