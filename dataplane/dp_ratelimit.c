/* SPDX-License-Identifier: BSD-3-Clause */
/* Token buckets for error answers (see dp_ratelimit.h). Written by one worker only. */
#include "dataplane/dp_ratelimit.h"

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_random.h>

struct bucket {
	uint64_t refill_at;  /* TSC of the last whole token added */
	uint64_t last_use;   /* TSC: the least recently used bucket of a probe window is evicted */
	uint32_t tokens;
	uint8_t used;
	uint8_t addr[16];
};

struct dp_ratelimit {
	struct bucket global;
	uint64_t cycles, src_cycles;   /* per token; 0 = that bucket does not limit */
	uint32_t burst, src_burst;
	uint32_t mask, seed;
	struct bucket src[];
};

static uint64_t per_token(uint64_t hz, unsigned rate)
{
	return rate ? RTE_MAX(hz / rate, (uint64_t)1) : 0;
}

struct dp_ratelimit *dp_rl_new(const struct dp_rl_conf *c, uint64_t hz, uint64_t now, int socket)
{
	uint32_t n = c->src_rate ? rte_align32pow2(RTE_MAX(c->src_entries, (unsigned)DP_RL_PROBE)) : 0;
	struct dp_ratelimit *r = rte_zmalloc_socket("ratelimit", sizeof(*r) + n * sizeof(r->src[0]),
						    RTE_CACHE_LINE_SIZE, socket);

	if (!r)
		return NULL;
	r->cycles = per_token(hz, c->rate);
	r->src_cycles = per_token(hz, c->src_rate);
	r->burst = c->burst;
	r->src_burst = c->src_burst;
	r->mask = n ? n - 1 : 0;
	r->seed = (uint32_t)rte_rand();
	r->global = (struct bucket){ .refill_at = now, .tokens = c->burst, .used = 1 };
	return r;
}

void dp_rl_free(struct dp_ratelimit *r)
{
	rte_free(r);
}

/* Whole tokens earned since refill_at, up to the depth; the fraction carries over. */
static void refill(struct bucket *b, uint64_t now, uint64_t cycles, uint32_t burst)
{
	uint64_t add;

	if (now <= b->refill_at)
		return;
	add = (now - b->refill_at) / cycles;
	if (add >= burst - b->tokens) {
		b->tokens = burst;
		b->refill_at = now;
	} else {
		b->tokens += (uint32_t)add;
		b->refill_at += add * cycles;
	}
}

/* The bucket of addr: its own, a free one, or the least recently used of the window (evicted). */
static struct bucket *src_bucket(struct dp_ratelimit *r, const uint8_t *addr, uint64_t now,
				 struct dp_stats *st)
{
	uint32_t h = dp_src_addr_hash(addr, r->seed);
	struct bucket *victim = NULL;
	unsigned i;

	for (i = 0; i < DP_RL_PROBE; i++) {
		struct bucket *b = &r->src[(h + i) & r->mask];

		if (b->used && dp_src_addr_eq(b->addr, addr))
			return b;
		if (!victim || (victim->used && (!b->used || b->last_use < victim->last_use)))
			victim = b;
	}
	if (victim->used)
		st->ctr[DP_RL_EVICTED]++;
	*victim = (struct bucket){ .refill_at = now, .tokens = r->src_burst, .used = 1 };
	memcpy(victim->addr, addr, 16);
	return victim;
}

int dp_rl_take(struct dp_ratelimit *r, const uint8_t *addr, uint64_t now, struct dp_stats *st)
{
	struct bucket *b = NULL;

	if (r->src_cycles) {
		b = src_bucket(r, addr, now, st);
		b->last_use = now;
		refill(b, now, r->src_cycles, r->src_burst);
		if (!b->tokens) {
			st->ctr[DP_DROP_RATE_LIMITED_SOURCE]++;
			return 0;
		}
	}
	if (r->cycles) {
		refill(&r->global, now, r->cycles, r->burst);
		if (!r->global.tokens) {
			st->ctr[DP_DROP_RATE_LIMITED]++;
			return 0;
		}
		r->global.tokens--;
	}
	if (b)
		b->tokens--;
	return 1;
}
