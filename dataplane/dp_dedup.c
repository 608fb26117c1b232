/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deduplication table (see dp_dedup.h): open addressing over a power-of-two array, DP_DEDUP_PROBE
 * entries examined per lookup and no chains, so an entry can be freed in place without tombstones.
 *
 * Per worker, not shared: no atomics on the fast path. That is exact only while a source endpoint
 * always reaches the same worker, which RSS on the 5-tuple and one-queue-per-port vdevs give. A
 * repeat that lands on another worker is not lost: OSCORE sees it and refuses it as a replay
 * (4.01, §7.4), which is safe, only not what §4.5 asks for.
 */
#include "dataplane/dp_dedup.h"

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_random.h>

enum { E_FREE, E_PENDING, E_ANSWERED };

struct entry {
	uint64_t expires;   /* TSC; dead after it whatever the state */
	struct dp_src src;
	uint32_t gen;       /* bumped on every claim: refs to an older claim go stale */
	uint16_t mid;
	uint8_t state;
	uint8_t is_error;
	uint16_t len;
	uint8_t answer[DP_DEDUP_ANSWER_MAX];
} __rte_cache_aligned;

struct dp_dedup {
	uint32_t mask;
	uint32_t seed;
	uint64_t lifetime;
	struct entry e[];
};

struct dp_dedup *dp_dedup_new(unsigned entries, uint64_t lifetime_cycles, int socket)
{
	uint32_t n = rte_align32pow2(RTE_MAX(entries, (unsigned)DP_DEDUP_PROBE));
	struct dp_dedup *d = rte_zmalloc_socket("dedup", sizeof(*d) + n * sizeof(struct entry),
						RTE_CACHE_LINE_SIZE, socket);

	if (!d)
		return NULL;
	d->mask = n - 1;
	d->seed = (uint32_t)rte_rand();
	d->lifetime = lifetime_cycles;
	return d;
}

void dp_dedup_free(struct dp_dedup *d)
{
	rte_free(d);
}

static uint64_t ref_of(const struct dp_dedup *d, const struct entry *e)
{
	return (uint64_t)e->gen << 32 | (uint64_t)(e - d->e + 1);
}

/* The entry ref names, if it still belongs to the claim that made ref. */
static struct entry *entry_of(struct dp_dedup *d, uint64_t ref)
{
	uint32_t idx = (uint32_t)ref;
	struct entry *e;

	if (!idx || idx > d->mask + 1)
		return NULL;
	e = &d->e[idx - 1];
	return e->gen == (uint32_t)(ref >> 32) && e->state != E_FREE ? e : NULL;
}

static uint64_t claim(struct dp_dedup *d, struct entry *e, const struct dp_src *s, uint16_t mid,
		      uint64_t now)
{
	e->src = *s;
	e->mid = mid;
	e->state = E_PENDING;
	e->len = 0;
	e->expires = now + d->lifetime;
	e->gen++;
	return ref_of(d, e);
}

enum dp_dedup_verdict dp_dedup_check(struct dp_dedup *d, const struct dp_src *s, uint16_t mid,
				     uint64_t now, uint64_t *ref, struct dp_stats *st)
{
	uint32_t h = rte_hash_crc_2byte(mid, rte_hash_crc(s, sizeof(*s), d->seed));
	struct entry *free_e = NULL, *oldest = NULL;
	unsigned i;

	for (i = 0; i < DP_DEDUP_PROBE; i++) {
		struct entry *e = &d->e[(h + i) & d->mask];

		if (e->state == E_FREE || now >= e->expires) {
			free_e = free_e ? free_e : e;
			continue;
		}
		if (e->mid == mid && !memcmp(&e->src, s, sizeof(*s))) {
			*ref = ref_of(d, e);
			return e->state == E_PENDING ? DP_DD_PENDING : DP_DD_ANSWER;
		}
		if (e->state == E_ANSWERED && (!oldest || e->expires < oldest->expires))
			oldest = e;
	}
	if (!free_e && !oldest) {
		st->ctr[DP_DEDUP_TABLE_FULL]++;
		return DP_DD_UNTRACKED;
	}
	if (!free_e)
		st->ctr[DP_DEDUP_EVICTED]++;
	*ref = claim(d, free_e ? free_e : oldest, s, mid, now);
	return DP_DD_NEW;
}

const uint8_t *dp_dedup_answer(const struct dp_dedup *d, uint64_t ref, uint16_t *len,
			       bool *is_error)
{
	const struct entry *e = entry_of((struct dp_dedup *)(uintptr_t)d, ref);

	if (!e || e->state != E_ANSWERED)
		return NULL;
	*len = e->len;
	*is_error = e->is_error;
	return e->answer;
}

void dp_dedup_store(struct dp_dedup *d, uint64_t ref, const void *ans, uint16_t len,
		    bool is_error, struct dp_stats *st)
{
	struct entry *e = entry_of(d, ref);

	if (!e)
		return;
	if (len > sizeof(e->answer)) {
		st->ctr[DP_DEDUP_TOO_BIG]++;
		e->state = E_FREE;
		return;
	}
	memcpy(e->answer, ans, len);
	e->len = len;
	e->is_error = is_error;
	e->state = E_ANSWERED;
}

void dp_dedup_forget(struct dp_dedup *d, uint64_t ref)
{
	struct entry *e = entry_of(d, ref);

	if (e)
		e->state = E_FREE;
}

uint64_t dp_dedup_restart(struct dp_dedup *d, uint64_t ref, uint64_t now)
{
	struct entry *e = entry_of(d, ref);

	return e ? claim(d, e, &e->src, e->mid, now) : 0;
}

bool dp_dedup_con_request(const uint8_t *msg, uint16_t len, uint16_t *mid)
{
	/* version 1, type CON (0): 0b0100 in the high nibble; code class 0 and not 0.00 Empty */
	if (len < 4 || (msg[0] & 0xf0) != 0x40 || !msg[1] || msg[1] >> 5)
		return false;
	*mid = (uint16_t)(msg[2] << 8 | msg[3]);
	return true;
}
