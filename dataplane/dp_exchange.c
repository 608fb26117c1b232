/* SPDX-License-Identifier: BSD-3-Clause */
/* The exchange table: a preallocated array, a free stack, tokens that name their slot, and an
 * rte_hash of the observations by their device's (context, token). */
#include "dataplane/dp_exchange.h"

#include <string.h>

#include <rte_malloc.h>
#include <rte_random.h>

#include "dataplane/dp_hash.h"

#define DP_XCHG_SCAN 32 /* entries examined per sweep step */

struct dp_xchg_table {
	unsigned n, n_free, cursor;
	uint32_t *free;
	struct dp_xchg *e;
	struct rte_hash *obs; /* (context handle, device token) -> entry index; this worker's only */
};

/* An observation's key: the device is its context (the token is the device's, RFC 7252 §5.3.1). */
struct obs_key {
	struct ctl_ctx_handle ctx;
	uint8_t tkl;
	uint8_t tok[COAP_TOKEN_MAX];
	uint8_t pad[3];
};
_Static_assert(sizeof(struct obs_key) % 4 == 0, "rte_jhash reads whole 32-bit words");

static void obs_key_of(struct obs_key *k, struct ctl_ctx_handle ctx, const uint8_t *tok, unsigned tkl)
{
	memset(k, 0, sizeof(*k));
	k->ctx = ctx;
	k->tkl = (uint8_t)tkl;
	memcpy(k->tok, tok, tkl);
}

struct dp_xchg_table *dp_xchg_table_new(unsigned n, int socket)
{
	struct dp_xchg_table *t = rte_zmalloc_socket("xchg", sizeof(*t), 0, socket);
	unsigned i;

	if (!t)
		return NULL;
	t->e = rte_zmalloc_socket("xchg_e", n * sizeof(*t->e), RTE_CACHE_LINE_SIZE, socket);
	t->free = rte_zmalloc_socket("xchg_f", n * sizeof(*t->free), 0, socket);
	/* single writer (the worker), no other reader: no lock, no RW concurrency */
	t->obs = dp_hash_new("xchg_obs", n, sizeof(struct obs_key), 0, socket);
	if (!t->e || !t->free || !t->obs) {
		dp_xchg_table_free(t);
		return NULL;
	}
	t->n = n;
	for (i = 0; i < n; i++)
		t->free[t->n_free++] = n - 1 - i;
	return t;
}

void dp_xchg_table_free(struct dp_xchg_table *t)
{
	if (!t)
		return;
	rte_hash_free(t->obs);
	rte_free(t->e);
	rte_free(t->free);
	rte_free(t);
}

static void token_of(const struct dp_xchg_table *t, const struct dp_xchg *e,
		     uint8_t tok[DP_XCHG_TOKEN_LEN])
{
	uint32_t idx = (uint32_t)(e - t->e);

	memcpy(tok, &idx, 4);
	memcpy(tok + 4, &e->nonce32, 4);
}

struct dp_xchg *dp_xchg_alloc(struct dp_xchg_table *t, uint8_t tok[DP_XCHG_TOKEN_LEN])
{
	uint32_t idx;
	struct dp_xchg *e;

	if (!t->n_free)
		return NULL;
	idx = t->free[--t->n_free];
	e = &t->e[idx];
	memset(e, 0, sizeof(*e));
	e->state = DP_XCHG_WAITING;
	e->reg = e->prev = e->next = DP_XCHG_NIL;
	e->nonce32 = (uint32_t)rte_rand(); /* a PRNG, but no syscall; the hop is not secured anyway */
	token_of(t, e, tok);
	return e;
}

struct dp_xchg *dp_xchg_find(struct dp_xchg_table *t, const uint8_t *tok, unsigned tkl)
{
	uint32_t idx, nonce;

	if (tkl != DP_XCHG_TOKEN_LEN)
		return NULL;
	memcpy(&idx, tok, 4);
	memcpy(&nonce, tok + 4, 4);
	if (idx >= t->n || t->e[idx].state == DP_XCHG_FREE || t->e[idx].nonce32 != nonce)
		return NULL;
	return &t->e[idx];
}

/* Take e out of the index, if the index still names e under its key. */
static void unindex(struct dp_xchg_table *t, struct dp_xchg *e)
{
	struct obs_key k;
	void *v;

	if (!e->indexed)
		return;
	e->indexed = false;
	obs_key_of(&k, e->ctx, e->dev_token, e->dev_tkl);
	if (rte_hash_lookup_data(t->obs, &k, &v) >= 0 && (uintptr_t)v == (uintptr_t)(e - t->e))
		rte_hash_del_key(t->obs, &k);
}

int dp_xchg_observe(struct dp_xchg_table *t, struct dp_xchg *e)
{
	struct obs_key k;
	void *v;

	e->state = DP_XCHG_OBSERVING;
	if (e->indexed)
		return 0;
	obs_key_of(&k, e->ctx, e->dev_token, e->dev_tkl);
	if (rte_hash_lookup_data(t->obs, &k, &v) >= 0) /* the older one is no longer findable */
		t->e[(uintptr_t)v].indexed = false;
	if (rte_hash_add_key_data(t->obs, &k, (void *)(uintptr_t)(e - t->e)))
		return -1;
	e->indexed = true;
	return 0;
}

struct dp_xchg *dp_xchg_take_observation(struct dp_xchg_table *t, struct ctl_ctx_handle ctx,
					 const uint8_t *tok, unsigned tkl,
					 uint8_t gw_tok[DP_XCHG_TOKEN_LEN])
{
	struct obs_key k;
	struct dp_xchg *e;
	void *v;

	if (tkl > COAP_TOKEN_MAX)
		return NULL;
	obs_key_of(&k, ctx, tok, tkl);
	if (rte_hash_lookup_data(t->obs, &k, &v) < 0)
		return NULL;
	e = &t->e[(uintptr_t)v];
	unindex(t, e);
	e->state = DP_XCHG_WAITING;
	token_of(t, e, gw_tok);
	return e;
}

struct dp_xchg *dp_xchg_at(struct dp_xchg_table *t, uint32_t i)
{
	return &t->e[i];
}

uint32_t dp_xchg_index(const struct dp_xchg_table *t, const struct dp_xchg *e)
{
	return (uint32_t)(e - t->e);
}

void dp_xchg_release(struct dp_xchg_table *t, struct dp_xchg *e)
{
	if (e->state == DP_XCHG_FREE)
		return;
	unindex(t, e);
	e->state = DP_XCHG_FREE;
	t->free[t->n_free++] = (uint32_t)(e - t->e);
}

struct dp_xchg *dp_xchg_expired(struct dp_xchg_table *t, uint64_t now)
{
	unsigned i;

	if (t->n_free == t->n)
		return NULL;
	for (i = 0; i < DP_XCHG_SCAN; i++) {
		struct dp_xchg *e = &t->e[t->cursor];

		t->cursor = t->cursor + 1 == t->n ? 0 : t->cursor + 1;
		if (e->state != DP_XCHG_FREE && e->deadline < now)
			return e;
	}
	return NULL;
}

unsigned dp_xchg_live(const struct dp_xchg_table *t)
{
	return t->n - t->n_free;
}
