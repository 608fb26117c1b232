/* SPDX-License-Identifier: BSD-3-Clause */
/* The exchange table: a preallocated array, a free stack, tokens that name their slot. */
#include "dataplane/dp_exchange.h"

#include <string.h>

#include <rte_malloc.h>
#include <rte_random.h>

#define DP_XCHG_SCAN 32 /* entries examined per sweep step */

struct dp_xchg_table {
	unsigned n, n_free, cursor;
	uint32_t *free;
	struct dp_xchg *e;
};

struct dp_xchg_table *dp_xchg_table_new(unsigned n, int socket)
{
	struct dp_xchg_table *t = rte_zmalloc_socket("xchg", sizeof(*t), 0, socket);
	unsigned i;

	if (!t)
		return NULL;
	t->e = rte_zmalloc_socket("xchg_e", n * sizeof(*t->e), RTE_CACHE_LINE_SIZE, socket);
	t->free = rte_zmalloc_socket("xchg_f", n * sizeof(*t->free), 0, socket);
	if (!t->e || !t->free) {
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
	rte_free(t->e);
	rte_free(t->free);
	rte_free(t);
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
	e->nonce32 = (uint32_t)rte_rand(); /* a PRNG, but no syscall; the hop is not secured anyway */
	memcpy(tok, &idx, 4);
	memcpy(tok + 4, &e->nonce32, 4);
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

struct dp_xchg *dp_xchg_find_observation(struct dp_xchg_table *t, const struct osc_ctx *ctx,
					 const uint8_t *tok, unsigned tkl,
					 uint8_t gw_tok[DP_XCHG_TOKEN_LEN])
{
	uint32_t i;

	for (i = 0; i < t->n; i++) {
		struct dp_xchg *e = &t->e[i];

		if (e->state != DP_XCHG_OBSERVING || e->ctx != ctx || e->dev_tkl != tkl ||
		    memcmp(e->dev_token, tok, tkl))
			continue;
		memcpy(gw_tok, &i, 4);
		memcpy(gw_tok + 4, &e->nonce32, 4);
		return e;
	}
	return NULL;
}

void dp_xchg_release(struct dp_xchg_table *t, struct dp_xchg *e)
{
	if (e->state == DP_XCHG_FREE)
		return;
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
