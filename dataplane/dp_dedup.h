/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CoAP message deduplication (RFC 7252 §4.5) in front of OSCORE: a Confirmable request repeated
 * with the same Message ID from the same endpoint within EXCHANGE_LIFETIME gets the answer sent the
 * first time, byte for byte, and is not processed again (so that OSCORE does not see it as a
 * replay and answer 4.01). One table per worker, preallocated, bounded, written only by its worker.
 * Short answers are kept in the entry; longer ones (every Block2 answer) in a pool of buffers of a
 * whole frame each, one per DP_DEDUP_BIG_SHARE entries (at least DP_DEDUP_BIG_MIN). When the pool
 * is full, the answer is not kept and its retransmissions are ignored (counted): the client then
 * gives up on that Message ID and retries with a new request, never meets a replay error.
 */
#ifndef DP_DEDUP_H
#define DP_DEDUP_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/dp_src.h"
#include "dataplane/dp_stats.h"

/* Largest answer kept in the entry itself; a protected 2.05 or a §8.2 error answer is well below. */
#define DP_DEDUP_ANSWER_MAX 192
/* Largest answer kept at all: whatever one frame carries. */
#define DP_DEDUP_BIG_MAX RTE_MBUF_DEFAULT_DATAROOM
/* The large-answer pool: one buffer per this many entries, and at least DP_DEDUP_BIG_MIN. */
#define DP_DEDUP_BIG_SHARE 8
#define DP_DEDUP_BIG_MIN 16
/* Entries examined per lookup: the bound on the work an attacker can cause per packet. */
#define DP_DEDUP_PROBE 8
/* RFC 7252 §4.8.2: EXCHANGE_LIFETIME with the default transmission parameters. */
#define DP_DEDUP_LIFETIME_DEFAULT 247

struct dp_dedup;

enum dp_dedup_verdict {
	DP_DD_NEW,       /* first copy: *ref names its entry; store or forget its answer later */
	DP_DD_ANSWER,    /* duplicate whose answer is cached: dp_dedup_answer(ref) */
	DP_DD_PENDING,   /* duplicate of a request still being processed: drop it */
	DP_DD_UNTRACKED, /* table full of requests in flight: process without deduplication */
};

/* A table of entries (rounded up to a power of two, >= DP_DEDUP_PROBE) whose entries live
 * lifetime_cycles, with its large-answer pool (see above). NULL when out of memory. */
struct dp_dedup *dp_dedup_new(unsigned entries, uint64_t lifetime_cycles, int socket);

void dp_dedup_free(struct dp_dedup *d);

/*
 * Look up (s, mid) at time now. A new request claims an entry (a free or expired one among the
 * probed, else the oldest answered one, counted DP_DEDUP_EVICTED); a full window of requests in
 * flight yields DP_DD_UNTRACKED, counted DP_DEDUP_TABLE_FULL. *ref is set for NEW and ANSWER.
 */
enum dp_dedup_verdict dp_dedup_check(struct dp_dedup *d, const struct dp_src *s, uint16_t mid,
				     uint64_t now, uint64_t *ref, struct dp_stats *st);

/* Fetch the lines dp_dedup_check(d, s, mid, ...) will read, ahead of it (a burst's first pass). */
void dp_dedup_prefetch(const struct dp_dedup *d, const struct dp_src *s, uint16_t mid);

/* Write the keys of the requests claimed since the last call into their entries. Call it once
 * per burst, after the burst's other work: a claim only prefetches its entry's line (dp_dedup.c).
 * Lookups are exact without it, so calling it late, or never between claims, only costs time. */
void dp_dedup_settle(struct dp_dedup *d);

/* The cached answer of ref (len bytes; is_error: an unprotected §8.2 answer), or NULL if the
 * entry was reused meanwhile or its answer could not be kept (the repeat is then ignored). */
const uint8_t *dp_dedup_answer(const struct dp_dedup *d, uint64_t ref, uint16_t *len,
			       bool *is_error);

/* Keep the answer sent at now for the request of ref: in the entry, or over DP_DEDUP_ANSWER_MAX
 * in a pool buffer (counted DP_DEDUP_BIG_KEPT). No buffer free (DP_DEDUP_POOL_FULL) or longer
 * than DP_DEDUP_BIG_MAX (DP_DEDUP_TOO_BIG): the entry stays answered without a copy, so a repeat
 * is ignored rather than processed again (OSCORE would refuse it as a replay, §7.4). A stale ref
 * is ignored. */
void dp_dedup_store(struct dp_dedup *d, uint64_t ref, const void *ans, uint16_t len,
		    bool is_error, uint64_t now, struct dp_stats *st);

/* The request of ref got no answer (dropped, rate limited): free its entry, so that a
 * retransmission is processed rather than silently dropped for EXCHANGE_LIFETIME. */
void dp_dedup_forget(struct dp_dedup *d, uint64_t ref);

/* Load tests only: treat the answered entry ref as a new request again (a looped capture repeats
 * Message IDs); returns the new ref. */
uint64_t dp_dedup_restart(struct dp_dedup *d, uint64_t ref, uint64_t now);

/* The Message ID of a CoAP Confirmable request in msg[0..len), RFC 7252 §3; false for any other
 * message (NON, ACK, RST, responses, empty, too short, wrong version). */
bool dp_dedup_con_request(const uint8_t *msg, uint16_t len, uint16_t *mid);

#endif
