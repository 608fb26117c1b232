/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rate limit of unprotected answers (RFC 8613 §8.2 errors, 4.01 to unprotected requests and RSTs
 * rejecting messages, RFC 7252 §4.2; and §4.5 re-sent ones):
 * such an answer is cheap to provoke with a spoofed source, so the gateway must never become an
 * amplifier. Two token buckets must both have a token: one per source address (a small
 * preallocated table, evicting) and one for the whole worker, which also bounds what an attacker
 * gains by cycling through more source addresses than the table holds.
 */
#ifndef DP_RATELIMIT_H
#define DP_RATELIMIT_H

#include <stdint.h>

#include "dataplane/dp_src.h"
#include "dataplane/dp_stats.h"

/* Source buckets examined per lookup. */
#define DP_RL_PROBE 4

struct dp_rl_conf {
	unsigned rate, burst;          /* per worker: answers per second (0 = no limit), depth */
	unsigned src_rate, src_burst;  /* per source address: the same (src_rate 0 = no limit) */
	unsigned src_entries;          /* source buckets (rounded up to a power of two) */
};

struct dp_ratelimit;

/* A limiter for one worker; hz is the TSC rate. NULL when out of memory. */
struct dp_ratelimit *dp_rl_new(const struct dp_rl_conf *c, uint64_t hz, uint64_t now, int socket);

void dp_rl_free(struct dp_ratelimit *r);

/*
 * May an error answer go to source address addr (16 bytes, dp_src) at time now? Takes a token from
 * both buckets if both have one. Refusals are counted DP_DROP_RATE_LIMITED_SOURCE or
 * DP_DROP_RATE_LIMITED; a source whose bucket had to make room for addr, DP_RL_EVICTED.
 * Returns 1 if the answer may go, else 0.
 */
int dp_rl_take(struct dp_ratelimit *r, const uint8_t *addr, uint64_t now, struct dp_stats *st);

#endif
