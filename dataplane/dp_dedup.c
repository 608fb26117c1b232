/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deduplication table (see dp_dedup.h): a power-of-two array cut into buckets of DP_DEDUP_PROBE
 * entries; a key lives in its hash's bucket, all of it examined per lookup, no chains, so an entry
 * can be freed in place without tombstones.
 *
 * The large-answer pool is a ring handed out in order of storage; since every entry lives as long,
 * the oldest buffer is the first to fall free, and a buffer is free once its owner no longer holds
 * it (reused, forgotten or expired): nothing has to give a buffer back. An allocation looks at a
 * few buffers from the ring's head, so a buffer freed early is found on the ring's next lap.
 *
 * Per worker, not shared: no atomics on the fast path. That is exact only while a source endpoint
 * always reaches the same worker, which RSS on the 5-tuple and one-queue-per-port vdevs give. A
 * repeat that lands on another worker is not lost: OSCORE sees it and refuses it as a replay
 * (4.01, §7.4), which is safe, only not what §4.5 asks for.
 */
/* rte_prefetch0_write is experimental in DPDK 22.11 */
#define ALLOW_EXPERIMENTAL_API 1

#include "dataplane/dp_dedup.h"

#include <rte_common.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_random.h>

enum { E_FREE, E_PENDING, E_ANSWERED };

_Static_assert(!(DP_DEDUP_PROBE & (DP_DEDUP_PROBE - 1)), "buckets are aligned blocks");

/* What a probe reads of an entry, apart from it: 16 bytes, and the DP_DEDUP_PROBE tags a key may
 * use are one aligned 128-byte block (two cache lines, fetched as a pair). Only a tag match reads
 * the entry. A new request writes its tag only: its key goes to the fresh list and into the entry
 * at dp_dedup_settle(), by when the entry's line (cold: evicted long ago) has been prefetched.
 * Written at once, its stores waited for that line and stalled the stores behind them. */
struct tag {
	uint64_t expires;   /* TSC; dead after it whatever the state */
	uint32_t gen;       /* bumped on every claim: refs to an older claim go stale */
	uint16_t hash;      /* of (source, Message ID), the bits the bucket index does not use */
	uint8_t state;
	uint8_t fresh;      /* the key is still in the fresh list, not yet in the entry */
};

/* A claim whose key is not yet in its entry. */
struct fresh {
	struct dp_src src;
	uint32_t idx;
	uint16_t mid;
};

/* Claims between two dp_dedup_settle() calls before one settles them itself: a burst's worth. */
#define FRESH_MAX 64

struct entry {
	struct dp_src src;
	uint32_t big;       /* 1 + the pool buffer holding the answer; 0: in answer[] */
	uint16_t mid;
	uint8_t is_error;
	uint8_t no_copy;    /* answered, but the answer could not be kept */
	uint16_t len;
	uint8_t answer[DP_DEDUP_ANSWER_MAX];
} __rte_cache_aligned;

struct big {
	uint32_t owner;     /* 1 + the entry that stored into it; 0: never used */
	uint32_t gen;       /* that entry's claim */
	uint8_t data[DP_DEDUP_BIG_MAX];
};

struct dp_dedup {
	uint32_t mask;
	uint32_t seed;
	uint64_t lifetime;
	struct big *big;
	uint32_t n_big, next_big;
	struct tag *t;      /* one per entry, same index */
	unsigned n_fresh;
	struct fresh fresh[FRESH_MAX];
	struct entry e[];
};

struct dp_dedup *dp_dedup_new(unsigned entries, uint64_t lifetime_cycles, int socket)
{
	uint32_t n = rte_align32pow2(RTE_MAX(entries, (unsigned)DP_DEDUP_PROBE));
	struct dp_dedup *d = rte_zmalloc_socket("dedup", sizeof(*d) + n * sizeof(struct entry),
						RTE_CACHE_LINE_SIZE, socket);

	if (!d)
		return NULL;
	d->n_big = RTE_MAX(n / DP_DEDUP_BIG_SHARE, (uint32_t)DP_DEDUP_BIG_MIN);
	d->big = rte_zmalloc_socket("dedup_big", (size_t)d->n_big * sizeof(*d->big),
				    RTE_CACHE_LINE_SIZE, socket);
	d->t = rte_zmalloc_socket("dedup_tags", (size_t)n * sizeof(*d->t),
				  DP_DEDUP_PROBE * sizeof(*d->t), socket);
	if (!d->big || !d->t) {
		rte_free(d->big);
		rte_free(d->t);
		rte_free(d);
		return NULL;
	}
	d->mask = n - 1;
	d->seed = (uint32_t)rte_rand();
	d->lifetime = lifetime_cycles;
	return d;
}

void dp_dedup_free(struct dp_dedup *d)
{
	if (d) {
		rte_free(d->big);
		rte_free(d->t);
	}
	rte_free(d);
}

static uint64_t ref_of(const struct dp_dedup *d, const struct tag *t)
{
	return (uint64_t)t->gen << 32 | (uint64_t)(t - d->t + 1);
}

/* The entry ref names, if it still belongs to the claim that made ref. */
static struct entry *entry_of(struct dp_dedup *d, uint64_t ref)
{
	uint32_t idx = (uint32_t)ref;
	struct entry *e;

	if (!idx || idx > d->mask + 1)
		return NULL;
	e = &d->e[idx - 1];
	return d->t[idx - 1].gen == (uint32_t)(ref >> 32) && d->t[idx - 1].state != E_FREE ? e : NULL;
}

static struct tag *tag_of(const struct dp_dedup *d, const struct entry *e)
{
	return &d->t[e - d->e];
}

/* The bucket of hash h: the aligned block of DP_DEDUP_PROBE tags its key may use. */
static struct tag *bucket_of(const struct dp_dedup *d, uint32_t h)
{
	return &d->t[h & d->mask & ~(uint32_t)(DP_DEDUP_PROBE - 1)];
}

/* The tag's bits of hash h: those the bucket index leaves out. */
static uint16_t tag_hash(uint32_t h)
{
	return (uint16_t)(h >> 16);
}

void dp_dedup_settle(struct dp_dedup *d)
{
	unsigned i;

	/* in order: an entry claimed twice since the last call ends with its later key */
	for (i = 0; i < d->n_fresh; i++) {
		const struct fresh *f = &d->fresh[i];

		d->e[f->idx].src = f->src;
		d->e[f->idx].mid = f->mid;
		d->t[f->idx].fresh = 0;
	}
	d->n_fresh = 0;
}

/* Does t's key equal (s, mid)? Its latest fresh record holds it while t is fresh. */
static bool key_is(const struct dp_dedup *d, const struct tag *t, const struct dp_src *s,
		   uint16_t mid)
{
	uint32_t idx = (uint32_t)(t - d->t);
	unsigned i = d->n_fresh;

	if (!t->fresh)
		return d->e[idx].mid == mid && !memcmp(&d->e[idx].src, s, sizeof(*s));
	while (i-- > 0)
		if (d->fresh[i].idx == idx)
			return d->fresh[i].mid == mid && !memcmp(&d->fresh[i].src, s, sizeof(*s));
	return false; /* not reached: a fresh tag has its record */
}

/* t's entry now holds (s, mid) pending. Only the tag is written here (see struct tag); what else
 * the entry holds is written by dp_dedup_store before anything reads it. */
static uint64_t claim(struct dp_dedup *d, struct tag *t, const struct dp_src *s, uint16_t mid,
		      uint64_t now, uint16_t th)
{
	uint32_t idx = (uint32_t)(t - d->t);

	if (d->n_fresh == FRESH_MAX)
		dp_dedup_settle(d);
	d->fresh[d->n_fresh++] = (struct fresh){ .src = *s, .idx = idx, .mid = mid };
	rte_prefetch0_write(&d->e[idx]);
	t->fresh = 1;
	t->state = E_PENDING;
	t->hash = th;
	t->expires = now + d->lifetime;
	t->gen++;
	return ref_of(d, t);
}

static uint32_t key_hash(const struct dp_dedup *d, const struct dp_src *s, uint16_t mid)
{
	return rte_hash_crc_2byte(mid, rte_hash_crc(s, sizeof(*s), d->seed));
}

void dp_dedup_prefetch(const struct dp_dedup *d, const struct dp_src *s, uint16_t mid)
{
	const struct tag *b = bucket_of(d, key_hash(d, s, mid));

	rte_prefetch0(b);
	rte_prefetch0(b + DP_DEDUP_PROBE - 1);
}

enum dp_dedup_verdict dp_dedup_check(struct dp_dedup *d, const struct dp_src *s, uint16_t mid,
				     uint64_t now, uint64_t *ref, struct dp_stats *st)
{
	uint32_t h = key_hash(d, s, mid);
	struct tag *b = bucket_of(d, h), *free_t = NULL, *oldest = NULL;
	uint16_t th = tag_hash(h);
	unsigned i;

	for (i = 0; i < DP_DEDUP_PROBE; i++) {
		struct tag *t = &b[i];

		if (t->state == E_FREE || now >= t->expires) {
			free_t = free_t ? free_t : t;
			continue;
		}
		if (t->hash == th && key_is(d, t, s, mid)) {
			*ref = ref_of(d, t);
			return t->state == E_PENDING ? DP_DD_PENDING : DP_DD_ANSWER;
		}
		if (t->state == E_ANSWERED && (!oldest || t->expires < oldest->expires))
			oldest = t;
	}
	if (!free_t && !oldest) {
		st->ctr[DP_DEDUP_TABLE_FULL]++;
		return DP_DD_UNTRACKED;
	}
	if (!free_t)
		st->ctr[DP_DEDUP_EVICTED]++;
	*ref = claim(d, free_t ? free_t : oldest, s, mid, now, th);
	return DP_DD_NEW;
}

const uint8_t *dp_dedup_answer(const struct dp_dedup *d, uint64_t ref, uint16_t *len,
			       bool *is_error)
{
	const struct entry *e = entry_of((struct dp_dedup *)(uintptr_t)d, ref);

	if (!e || tag_of(d, e)->state != E_ANSWERED || e->no_copy)
		return NULL;
	*len = e->len;
	*is_error = e->is_error;
	return e->big ? d->big[e->big - 1].data : e->answer;
}

/* Does buffer b still hold its owner's answer? */
static bool big_held(const struct dp_dedup *d, const struct big *b, uint64_t now)
{
	const struct entry *e = b->owner ? &d->e[b->owner - 1] : NULL;

	return e && tag_of(d, e)->gen == b->gen && tag_of(d, e)->state == E_ANSWERED &&
	       e->big == (uint32_t)(b - d->big) + 1 && now < tag_of(d, e)->expires;
}

/* A pool buffer for e's answer, or NULL when the few at the ring's head are all held. */
static struct big *big_take(struct dp_dedup *d, struct entry *e, uint64_t now)
{
	unsigned i;

	for (i = 0; i < DP_DEDUP_PROBE; i++) {
		uint32_t k = (d->next_big + i) % d->n_big;
		struct big *b = &d->big[k];

		if (big_held(d, b, now))
			continue;
		d->next_big = (k + 1) % d->n_big;
		b->owner = (uint32_t)(e - d->e) + 1;
		b->gen = tag_of(d, e)->gen;
		e->big = k + 1;
		return b;
	}
	return NULL;
}

void dp_dedup_store(struct dp_dedup *d, uint64_t ref, const void *ans, uint16_t len,
		    bool is_error, uint64_t now, struct dp_stats *st)
{
	struct entry *e = entry_of(d, ref);
	uint8_t *to = NULL;

	if (!e)
		return;
	tag_of(d, e)->state = E_ANSWERED;
	e->big = 0;
	e->is_error = is_error;
	e->len = len;
	if (len <= sizeof(e->answer))
		to = e->answer;
	else if (len > DP_DEDUP_BIG_MAX)
		st->ctr[DP_DEDUP_TOO_BIG]++;
	else if (!(to = big_take(d, e, now) ? d->big[e->big - 1].data : NULL))
		st->ctr[DP_DEDUP_POOL_FULL]++;
	else
		st->ctr[DP_DEDUP_BIG_KEPT]++;
	e->no_copy = !to;
	if (to)
		memcpy(to, ans, len);
}

void dp_dedup_forget(struct dp_dedup *d, uint64_t ref)
{
	struct entry *e = entry_of(d, ref);

	if (e)
		tag_of(d, e)->state = E_FREE;
}

uint64_t dp_dedup_restart(struct dp_dedup *d, uint64_t ref, uint64_t now)
{
	struct entry *e = entry_of(d, ref);
	struct tag *t;

	if (!e)
		return 0;
	t = tag_of(d, e); /* the same key, wherever it is kept: only the claim is new */
	t->state = E_PENDING;
	t->expires = now + d->lifetime;
	t->gen++;
	return ref_of(d, t);
}

bool dp_dedup_con_request(const uint8_t *msg, uint16_t len, uint16_t *mid)
{
	/* version 1, type CON (0): 0b0100 in the high nibble; code class 0 and not 0.00 Empty */
	if (len < 4 || (msg[0] & 0xf0) != 0x40 || !msg[1] || msg[1] >> 5)
		return false;
	*mid = (uint16_t)(msg[2] << 8 | msg[3]);
	return true;
}
