/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared upstream registrations: a preallocated array, a free stack, tokens that name their slot
 * (top bit set: never an exchange's), an rte_hash of the open ones by key, and a FIFO of the
 * registrations whose held answer still goes to some observers. */
#include "dataplane/dp_fwd_observe.h"

#include <string.h>

#include <rte_malloc.h>
#include <rte_random.h>

#include "dataplane/dp_hash.h"

#define REG_BIT 0x80000000u /* in a token's index: a registration, not an exchange */

enum reg_state { REG_FREE, REG_OPEN, REG_CLOSING };

struct reg {
	uint32_t nonce32;
	uint32_t head;            /* first observer (exchange index) or DP_XCHG_NIL */
	uint32_t n_obs;
	uint32_t cursor;          /* next observer the held answer goes to, or NIL */
	struct rte_mbuf *note;    /* held answer, or NULL */
	uint16_t note_off, note_len;
	uint8_t state;            /* enum reg_state */
	bool queued;              /* in the fan-out FIFO (kept across free and reuse) */
	struct dp_fobs_key key;
};

struct dp_fobs {
	unsigned n, n_free;
	uint32_t *free;
	struct reg *r;
	uint32_t *fifo;           /* n entries: a registration is queued at most once */
	unsigned fifo_head, fifo_n;
	struct rte_hash *open;    /* key -> registration index, the joinable ones */
};

struct dp_fobs *dp_fobs_new(unsigned n, int socket)
{
	struct dp_fobs *o = rte_zmalloc_socket("fobs", sizeof(*o), 0, socket);
	unsigned i;

	if (!o)
		return NULL;
	o->r = rte_zmalloc_socket("fobs_r", n * sizeof(*o->r), RTE_CACHE_LINE_SIZE, socket);
	o->free = rte_zmalloc_socket("fobs_f", n * sizeof(*o->free), 0, socket);
	o->fifo = rte_zmalloc_socket("fobs_q", n * sizeof(*o->fifo), 0, socket);
	/* single writer (the worker), no other reader */
	o->open = dp_hash_new("fobs", n, sizeof(struct dp_fobs_key), 0, socket);
	if (!o->r || !o->free || !o->fifo || !o->open) {
		dp_fobs_free(o);
		return NULL;
	}
	o->n = n;
	for (i = 0; i < n; i++)
		o->free[o->n_free++] = n - 1 - i;
	return o;
}

void dp_fobs_free(struct dp_fobs *o)
{
	unsigned i;

	if (!o)
		return;
	for (i = 0; o->r && i < o->n; i++)
		rte_pktmbuf_free(o->r[i].note);
	rte_hash_free(o->open);
	rte_free(o->fifo);
	rte_free(o->free);
	rte_free(o->r);
	rte_free(o);
}

int dp_fobs_key(struct dp_fobs_key *k, unsigned route, const struct osc_coap_msg *req)
{
	struct osc_coap_opt opts[COAP_MAX_OPTS];
	unsigned i, n = 0;
	int len;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < req->n_opts; i++)
		if (req->opts[i].num != COAP_OPT_OBSERVE)
			opts[n++] = req->opts[i];
	if (route > UINT8_MAX)
		return -1;
	k->b[0] = (uint8_t)route;
	k->b[1] = req->code;
	len = osc_coap_encode_opts(k->b + 2, sizeof(k->b) - 2, opts, n);
	if (len < 0)
		return -1;
	k->len = (uint32_t)len + 2;
	return 0;
}

static void token_of(const struct dp_fobs *o, uint32_t r, uint8_t tok[DP_XCHG_TOKEN_LEN])
{
	uint32_t idx = r | REG_BIT;

	memcpy(tok, &idx, 4);
	memcpy(tok + 4, &o->r[r].nonce32, 4);
}

uint32_t dp_fobs_find(const struct dp_fobs *o, const uint8_t *tok, unsigned tkl)
{
	uint32_t idx, nonce;

	if (tkl != DP_XCHG_TOKEN_LEN)
		return DP_XCHG_NIL;
	memcpy(&idx, tok, 4);
	memcpy(&nonce, tok + 4, 4);
	if (!(idx & REG_BIT))
		return DP_XCHG_NIL;
	idx &= ~REG_BIT;
	if (idx >= o->n || o->r[idx].state == REG_FREE || o->r[idx].nonce32 != nonce)
		return DP_XCHG_NIL;
	return idx;
}

unsigned dp_fobs_route(const struct dp_fobs *o, uint32_t r)
{
	return o->r[r].key.b[0];
}

bool dp_fobs_closing(const struct dp_fobs *o, uint32_t r)
{
	return o->r[r].state == REG_CLOSING;
}

static void drop_note(struct reg *g)
{
	rte_pktmbuf_free(g->note);
	g->note = NULL;
	g->cursor = DP_XCHG_NIL;
}

/* No longer joinable: out of the key index. */
static void close_reg(struct dp_fobs *o, struct reg *g)
{
	if (g->state == REG_OPEN)
		rte_hash_del_key(o->open, &g->key);
	g->state = REG_CLOSING;
}

static void free_reg(struct dp_fobs *o, uint32_t r)
{
	struct reg *g = &o->r[r];

	close_reg(o, g);
	drop_note(g);
	g->state = REG_FREE;
	o->free[o->n_free++] = r;
}

static void link_obs(struct dp_fobs *o, struct dp_xchg_table *xt, uint32_t r, struct dp_xchg *x)
{
	struct reg *g = &o->r[r];
	uint32_t i = dp_xchg_index(xt, x);

	x->reg = r;
	x->prev = DP_XCHG_NIL;
	x->next = g->head;
	if (g->head != DP_XCHG_NIL)
		dp_xchg_at(xt, g->head)->prev = i;
	g->head = i;
	g->n_obs++;
}

/* x out of its registration's list; the registration stays, maybe empty. */
static void unlink_obs(struct dp_fobs *o, struct dp_xchg_table *xt, struct dp_xchg *x)
{
	struct reg *g = &o->r[x->reg];

	if (g->cursor == dp_xchg_index(xt, x))
		g->cursor = x->next;
	if (x->prev != DP_XCHG_NIL)
		dp_xchg_at(xt, x->prev)->next = x->next;
	else
		g->head = x->next;
	if (x->next != DP_XCHG_NIL)
		dp_xchg_at(xt, x->next)->prev = x->prev;
	g->n_obs--;
	x->reg = x->prev = x->next = DP_XCHG_NIL;
}

void dp_fobs_leave(struct dp_fobs *o, struct dp_xchg_table *xt, struct dp_xchg *x)
{
	uint32_t r = x->reg;

	if (r == DP_XCHG_NIL)
		return;
	unlink_obs(o, xt, x);
	if (!o->r[r].n_obs)
		free_reg(o, r);
}

/* A new open registration for k, or NIL when none is free. */
static uint32_t open_reg(struct dp_fobs *o, const struct dp_fobs_key *k)
{
	struct reg *g;
	uint32_t r;

	if (!o->n_free)
		return DP_XCHG_NIL;
	r = o->free[--o->n_free];
	g = &o->r[r];
	if (rte_hash_add_key_data(o->open, k, (void *)(uintptr_t)r) < 0) {
		o->free[o->n_free++] = r;
		return DP_XCHG_NIL;
	}
	g->nonce32 = (uint32_t)rte_rand();
	g->head = g->cursor = DP_XCHG_NIL;
	g->n_obs = 0;
	g->note = NULL;
	g->state = REG_OPEN;
	g->key = *k;
	return r;
}

int dp_fobs_join(struct dp_fobs *o, struct dp_xchg_table *xt, struct dp_xchg *x,
		 const struct dp_fobs_key *k, uint8_t tok[DP_XCHG_TOKEN_LEN], bool *fresh)
{
	uint32_t r;
	void *v;

	*fresh = false;
	if (rte_hash_lookup_data(o->open, k, &v) >= 0) {
		r = (uint32_t)(uintptr_t)v;
	} else {
		r = open_reg(o, k);
		if (r == DP_XCHG_NIL)
			return -1;
		*fresh = true;
	}
	if (x->reg != r) {
		dp_fobs_leave(o, xt, x);
		link_obs(o, xt, r, x);
	}
	token_of(o, r, tok);
	return 0;
}

bool dp_fobs_cancel(struct dp_fobs *o, struct dp_xchg_table *xt, struct dp_xchg *x,
		    uint8_t tok[DP_XCHG_TOKEN_LEN])
{
	struct reg *g;

	if (x->reg == DP_XCHG_NIL)
		return false;
	g = &o->r[x->reg];
	if (g->n_obs > 1) {
		unlink_obs(o, xt, x);
		return false;
	}
	close_reg(o, g);
	drop_note(g); /* nothing more for x than the answer to its cancellation */
	token_of(o, x->reg, tok);
	return true;
}

void dp_fobs_hold(struct dp_fobs *o, uint32_t r, struct rte_mbuf *m, uint16_t off,
		  uint16_t len, bool final)
{
	struct reg *g = &o->r[r];

	if (final)
		close_reg(o, g);
	drop_note(g);
	rte_mbuf_refcnt_update(m, 1);
	g->note = m;
	g->note_off = off;
	g->note_len = len;
	g->cursor = g->head;
	if (!g->queued) {
		g->queued = true;
		o->fifo[(o->fifo_head + o->fifo_n++) % o->n] = r;
	}
}

struct dp_xchg *dp_fobs_next(struct dp_fobs *o, struct dp_xchg_table *xt, const uint8_t **msg,
			     uint16_t *len)
{
	while (o->fifo_n) {
		uint32_t r = o->fifo[o->fifo_head];
		struct reg *g = &o->r[r];
		struct dp_xchg *x;

		if (g->note && g->cursor != DP_XCHG_NIL) {
			x = dp_xchg_at(xt, g->cursor);
			g->cursor = x->next;
			*msg = rte_pktmbuf_mtod_offset(g->note, const uint8_t *, g->note_off);
			*len = g->note_len;
			return x;
		}
		/* delivered to all (or the registration went): the next one's turn */
		drop_note(g);
		g->queued = false;
		o->fifo_head = (o->fifo_head + 1) % o->n;
		o->fifo_n--;
	}
	return NULL;
}

unsigned dp_fobs_live(const struct dp_fobs *o)
{
	return o->n - o->n_free;
}
