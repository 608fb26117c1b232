/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token buckets for requests that cost the control lcore public-key operations (EDHOC message_1:
 * an ECDH and a signature each): one bucket for everything and one per source address. No DPDK,
 * no clock of its own (the caller passes milliseconds), control lcore only.
 *
 * Per-source buckets live in a small fixed table, so sources must share it. A table that resets
 * a source's bucket whenever another source takes its place lets an attacker with many addresses
 * wipe the debt of a limited one, and an unkeyed index lets it aim at that one's slot. Here:
 *  - the set of an address is a keyed hash (HMAC-SHA-256 under a random key made at creation):
 *    nobody outside knows which addresses share a set;
 *  - a set holds CTL_RATE_WAYS buckets; a new source takes a free one, else the one holding the
 *    most tokens now (least recently used among equals). A bucket that has refilled to full
 *    carries no debt, so evicting it loses nothing; a limited (empty) bucket goes only when every
 *    bucket of its set is at least as empty, i.e. only after the attacker has drained
 *    CTL_RATE_WAYS - 1 other buckets of that unknown set, which costs it tokens of the total
 *    bucket, each worth as much as the debt it wipes. Such an eviction is reported (*evicted).
 *  - the total bucket bounds the sum over all sources whatever the table does.
 */
#ifndef CTL_RATE_H
#define CTL_RATE_H

#include <stdbool.h>
#include <stdint.h>

#define CTL_RATE_SETS 64
#define CTL_RATE_WAYS 4
#define CTL_RATE_MAX_MILLI 1000000000ull /* 1,000,000 per second */

/* One bucket in micro-tokens: a token is 1,000,000. */
struct ctl_bucket {
	uint64_t micro;
	uint64_t last_ms;
};

/* A full bucket of depth burst at time now_ms. */
void ctl_bucket_init(struct ctl_bucket *b, unsigned burst, uint64_t now_ms);

/*
 * Take a token from b at time now_ms, refilled by rate_milli thousandths of a token per second
 * (0: no limit, always true) up to burst tokens. Returns true if there was a whole token.
 */
bool ctl_bucket_take(struct ctl_bucket *b, uint64_t rate_milli, unsigned burst, uint64_t now_ms);

struct ctl_rate_src;

/* The per-source table for rate_milli (0 = no limit) and burst. NULL when out of memory or
 * randomness. */
struct ctl_rate_src *ctl_rate_src_new(uint64_t rate_milli, unsigned burst);

void ctl_rate_src_free(struct ctl_rate_src *r);

/*
 * Take a token from the bucket of source address addr (16 bytes, IPv4 as ::ffff:a.b.c.d) at
 * now_ms. *evicted is set when the source's arrival evicted another source's bucket that was not
 * full (a debt forgotten; see above). Returns true if the source had a token.
 */
bool ctl_rate_src_take(struct ctl_rate_src *r, const uint8_t *addr, uint64_t now_ms,
		       bool *evicted);

#endif
