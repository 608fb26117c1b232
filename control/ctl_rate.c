/* SPDX-License-Identifier: BSD-3-Clause */
/* Token buckets, in total and per source in a keyed set-associative table (see ctl_rate.h). */
#include "control/ctl_rate.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "crypto/cry_aead.h"
#include "crypto/cry_hkdf.h"

#define TOKEN 1000000u

struct entry {
	struct ctl_bucket b;
	uint64_t used_ms;
	uint8_t addr[16];
	bool used;
};

struct ctl_rate_src {
	uint64_t rate_milli;
	unsigned burst;
	uint8_t key[32];
	struct entry set[CTL_RATE_SETS][CTL_RATE_WAYS];
};

void ctl_bucket_init(struct ctl_bucket *b, unsigned burst, uint64_t now_ms)
{
	b->micro = (uint64_t)burst * TOKEN;
	b->last_ms = now_ms;
}

/* b refilled up to now_ms (rate_milli thousandths of a token per second, up to burst). */
static void refill(struct ctl_bucket *b, uint64_t rate_milli, unsigned burst, uint64_t now_ms)
{
	uint64_t cap = (uint64_t)burst * TOKEN, dt = now_ms > b->last_ms ? now_ms - b->last_ms : 0;

	/* rate_milli per second = rate_milli micro-tokens per ms; dt bounded: no overflow */
	if (dt > cap / rate_milli + 1)
		dt = cap / rate_milli + 1;
	b->micro += dt * rate_milli;
	if (b->micro > cap)
		b->micro = cap;
	if (now_ms > b->last_ms)
		b->last_ms = now_ms;
}

bool ctl_bucket_take(struct ctl_bucket *b, uint64_t rate_milli, unsigned burst, uint64_t now_ms)
{
	if (!rate_milli)
		return true;
	refill(b, rate_milli, burst, now_ms);
	if (b->micro < TOKEN)
		return false;
	b->micro -= TOKEN;
	return true;
}

struct ctl_rate_src *ctl_rate_src_new(uint64_t rate_milli, unsigned burst)
{
	struct ctl_rate_src *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (RAND_bytes(r->key, sizeof(r->key)) != 1) {
		free(r);
		return NULL;
	}
	r->rate_milli = rate_milli > CTL_RATE_MAX_MILLI ? CTL_RATE_MAX_MILLI : rate_milli;
	r->burst = burst;
	return r;
}

void ctl_rate_src_free(struct ctl_rate_src *r)
{
	if (!r)
		return;
	cry_wipe(r, sizeof(*r));
	free(r);
}

/* The set of addr under the table's key. */
static struct entry *set_of(struct ctl_rate_src *r, const uint8_t *addr)
{
	uint8_t mac[32];

	if (cry_hmac_sha256(r->key, sizeof(r->key), addr, 16, mac))
		mac[0] = addr[15]; /* cannot happen (OpenSSL's HMAC); any set is still correct */
	return r->set[mac[0] % CTL_RATE_SETS];
}

/* addr's entry in set s: its own, a free one, or the one with the most tokens now (the least
 * recently used among equals), which is evicted; *evicted if it was not full. */
static struct entry *entry_of(struct ctl_rate_src *r, struct entry *s, const uint8_t *addr,
			      uint64_t now_ms, bool *evicted)
{
	struct entry *v = NULL;

	for (unsigned i = 0; i < CTL_RATE_WAYS; i++) {
		struct entry *e = &s[i];

		if (e->used && !memcmp(e->addr, addr, 16))
			return e;
		if (e->used)
			refill(&e->b, r->rate_milli, r->burst, now_ms);
		if (!v || (v->used && (!e->used || e->b.micro > v->b.micro ||
				       (e->b.micro == v->b.micro && e->used_ms < v->used_ms))))
			v = e;
	}
	*evicted = v->used && v->b.micro < (uint64_t)r->burst * TOKEN;
	memset(v, 0, sizeof(*v));
	memcpy(v->addr, addr, 16);
	v->used = true;
	ctl_bucket_init(&v->b, r->burst, now_ms);
	return v;
}

bool ctl_rate_src_take(struct ctl_rate_src *r, const uint8_t *addr, uint64_t now_ms,
		       bool *evicted)
{
	struct entry *e;

	*evicted = false;
	if (!r->rate_milli)
		return true;
	e = entry_of(r, set_of(r, addr), addr, now_ms, evicted);
	e->used_ms = now_ms;
	return ctl_bucket_take(&e->b, r->rate_milli, r->burst, now_ms);
}
