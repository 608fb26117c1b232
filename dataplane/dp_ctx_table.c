/* SPDX-License-Identifier: BSD-3-Clause */
/* Context table over rte_hash, lock-free for readers (see dp_ctx_table.h). */
#include "dataplane/dp_ctx_table.h"

#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "oscore/osc_context.h"

#define DEFER_MAX 64

enum { LIVE, REMOVED, WIPED }; /* dp_ctx_table.dead[] */

/* Something unpublished, freed once every worker has been quiescent since token. */
struct deferred {
	uint64_t token;
	struct osc_ctx *ctx;
	int32_t pos[2];                /* hash key positions to free, or -1 */
	struct dp_ctx_cands *list[2];  /* replaced candidate lists from the heap, or NULL */
};

struct dp_ctx_table {
	struct rte_hash *h;
	struct osc_ctx *ctx;         /* n derived contexts; they never move (keys inside) */
	struct dp_ctx_cands *cands;  /* at most 2n candidate lists, values of the hash */
	unsigned n, n_cands;
	uint8_t *dead;               /* per context: removed (and, once reclaimed, wiped) */
	struct rte_rcu_qsbr *rcu;
	rte_spinlock_t info_lock;    /* telemetry readers against the wipe; never on a worker */
	struct deferred defer[DEFER_MAX];
	unsigned n_defer;
};

void dp_ctx_key_of(struct dp_ctx_key *k, const struct osc_option *o)
{
	memset(k, 0, sizeof(*k));
	k->kid_len = o->kid_len;
	memcpy(k->kid, o->kid, o->kid_len <= OSC_ID_MAX ? o->kid_len : 0);
	if (o->has_kid_ctx && o->kid_ctx_len <= OSC_ID_CTX_MAX) {
		k->has_kid_ctx = 1;
		k->kid_ctx_len = o->kid_ctx_len;
		memcpy(k->kid_ctx, o->kid_ctx, o->kid_ctx_len);
	}
}

static void key_of_ctx(struct dp_ctx_key *k, const struct osc_ctx *c, bool with_ctx)
{
	memset(k, 0, sizeof(*k));
	k->kid_len = c->recipient_id_len;
	memcpy(k->kid, c->recipient_id, c->recipient_id_len);
	if (with_ctx) {
		k->has_kid_ctx = 1;
		k->kid_ctx_len = c->id_ctx_len;
		memcpy(k->kid_ctx, c->id_ctx, c->id_ctx_len);
	}
}

/* Append c to the candidate list of k, creating the list on first use. */
static int add_key(struct dp_ctx_table *t, const struct dp_ctx_key *k, struct osc_ctx *c)
{
	struct dp_ctx_cands *l;
	void *v;

	if (rte_hash_lookup_data(t->h, k, &v) >= 0) {
		l = v;
		if (l->n == OSC_MAX_CANDIDATES)
			return -1;
		l->c[l->n++] = c;
		return 0;
	}
	l = &t->cands[t->n_cands++];
	l->c[l->n++] = c;
	return rte_hash_add_key_data(t->h, k, l) == 0 ? 0 : -1;
}

static int index_ctx(struct dp_ctx_table *t, struct osc_ctx *c, char *err, size_t err_len,
		     unsigned i)
{
	struct dp_ctx_key k;

	key_of_ctx(&k, c, false);
	if (add_key(t, &k, c))
		goto full;
	if (!c->has_id_ctx)
		return 0;
	key_of_ctx(&k, c, true);
	if (!add_key(t, &k, c))
		return 0;
full:
	snprintf(err, err_len, "contexts[%u]: more than %d contexts share its recipient_id",
		 i, OSC_MAX_CANDIDATES);
	return -1;
}

static struct rte_hash *make_hash(unsigned n, int socket)
{
	static unsigned seq;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.entries = n < 8 ? 16 : 2 * n,
		.key_len = sizeof(struct dp_ctx_key),
		.hash_func = rte_jhash,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	snprintf(name, sizeof(name), "osc_ctx_%u", seq++);
	p.name = name;
	return rte_hash_create(&p);
}

struct dp_ctx_table *dp_ctx_table_new(const struct osc_params *params, unsigned n, int socket,
				      char *err, size_t err_len)
{
	struct dp_ctx_table *t = rte_zmalloc_socket("ctx_table", sizeof(*t), 0, socket);
	unsigned i;

	if (!t)
		goto nomem;
	t->ctx = rte_zmalloc_socket("osc_ctx", n * sizeof(*t->ctx), RTE_CACHE_LINE_SIZE, socket);
	t->cands = rte_zmalloc_socket("ctx_cands", 2 * n * sizeof(*t->cands), 0, socket);
	t->h = make_hash(2 * n, socket);
	t->dead = rte_zmalloc_socket("ctx_dead", n ? n : 1, 0, socket);
	rte_spinlock_init(&t->info_lock);
	if (!t->ctx || !t->cands || !t->h || !t->dead)
		goto nomem;
	for (i = 0; i < n; i++) {
		int rc = osc_ctx_derive(&t->ctx[i], &params[i]);

		if (rc != OSC_CTX_OK) {
			snprintf(err, err_len, "contexts[%u]: %s", i, osc_ctx_strerror(rc));
			goto fail;
		}
		t->n = i + 1;
		if (index_ctx(t, &t->ctx[i], err, err_len, i))
			goto fail;
	}
	return t;
nomem:
	snprintf(err, err_len, "context table: out of memory");
fail:
	dp_ctx_table_free(t);
	return NULL;
}

/* Candidate lists from dp_ctx_table_new live in t->cands; those written by a removal, on the heap. */
static bool is_static(const struct dp_ctx_table *t, const struct dp_ctx_cands *l)
{
	return l >= t->cands && l < t->cands + 2 * t->n;
}

/* Heap lists still published in the hash (the table is going away: no reader is left). */
static void free_heap_lists(struct dp_ctx_table *t)
{
	const void *key;
	void *data;
	uint32_t it = 0;

	while (t->h && rte_hash_iterate(t->h, &key, &data, &it) >= 0)
		if (!is_static(t, data))
			rte_free(data);
}

void dp_ctx_table_free(struct dp_ctx_table *t)
{
	unsigned i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		if (t->dead[i] != WIPED)
			osc_ctx_wipe(&t->ctx[i]);
	for (i = 0; i < t->n_defer; i++) {
		rte_free(t->defer[i].list[0]);
		rte_free(t->defer[i].list[1]);
	}
	free_heap_lists(t);
	rte_hash_free(t->h);
	rte_free(t->dead);
	rte_free(t->cands);
	rte_free(t->ctx);
	rte_free(t);
}

void dp_ctx_lookup_bulk(const struct dp_ctx_table *t, const struct dp_ctx_key **keys, unsigned n,
			const struct dp_ctx_cands **out)
{
	uint64_t hits = 0;
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned i;

	if (!n)
		return;
	rte_hash_lookup_bulk_data(t->h, (const void **)keys, n, &hits, data);
	for (i = 0; i < n; i++)
		out[i] = (hits >> i) & 1 ? data[i] : NULL;
}

void dp_ctx_table_set_rcu(struct dp_ctx_table *t, struct rte_rcu_qsbr *v)
{
	t->rcu = v;
}

/* A copy of the list l without c, on the heap, or NULL when nothing would be left in it. */
static struct dp_ctx_cands *without(const struct dp_ctx_cands *l, const struct osc_ctx *c,
				    int *err)
{
	struct dp_ctx_cands *n;
	unsigned i;

	*err = 0;
	if (l->n <= 1)
		return NULL;
	n = rte_zmalloc("ctx_cands", sizeof(*n), 0);
	if (!n) {
		*err = -1;
		return NULL;
	}
	for (i = 0; i < l->n; i++)
		if (l->c[i] != c)
			n->c[n->n++] = l->c[i];
	return n;
}

/* Phase one, no side effect: the list under k and its replacement without c (NULL when nothing
 * would be left, then the key goes). Returns -1 when out of memory. */
static int plan(struct dp_ctx_table *t, const struct dp_ctx_key *k, const struct osc_ctx *c,
		struct dp_ctx_cands **old, struct dp_ctx_cands **repl)
{
	void *v;
	int err;

	*old = *repl = NULL;
	if (rte_hash_lookup_data(t->h, k, &v) < 0)
		return 0;
	*old = v;
	*repl = without(*old, c, &err);
	return err;
}

/* Phase two: a shorter list replaces the old one atomically (the LF hash updates the data of an
 * existing key in place, without allocating), or the key goes; what readers may still hold is
 * recorded in d, slot j. */
static void unpublish(struct dp_ctx_table *t, const struct dp_ctx_key *k,
		      struct dp_ctx_cands *old, struct dp_ctx_cands *repl, struct deferred *d,
		      unsigned j)
{
	if (!old)
		return;
	if (repl)
		rte_hash_add_key_data(t->h, k, repl);
	else
		d->pos[j] = rte_hash_del_key(t->h, k); /* LF: the slot is freed after the grace */
	d->list[j] = is_static(t, old) ? NULL : old;
}

static struct osc_ctx *find_ctx(struct dp_ctx_table *t, const uint8_t *rid, uint8_t rid_len,
				const uint8_t *id_ctx, uint8_t id_ctx_len, bool has_id_ctx)
{
	unsigned i;

	for (i = 0; i < t->n; i++) {
		struct osc_ctx *c = &t->ctx[i];

		if (t->dead[i] || c->recipient_id_len != rid_len ||
		    memcmp(c->recipient_id, rid, rid_len) || c->has_id_ctx != has_id_ctx)
			continue;
		if (!has_id_ctx || (c->id_ctx_len == id_ctx_len &&
				    !memcmp(c->id_ctx, id_ctx, id_ctx_len)))
			return c;
	}
	return NULL;
}

int dp_ctx_table_remove(struct dp_ctx_table *t, const uint8_t *rid, uint8_t rid_len,
			const uint8_t *id_ctx, uint8_t id_ctx_len, bool has_id_ctx)
{
	struct osc_ctx *c = find_ctx(t, rid, rid_len, id_ctx, id_ctx_len, has_id_ctx);
	struct dp_ctx_cands *old[2], *repl[2] = { NULL, NULL };
	struct dp_ctx_key k[2];
	struct deferred *d;
	unsigned j;

	if (!c)
		return -1;
	key_of_ctx(&k[0], c, false);
	key_of_ctx(&k[1], c, true);
	if (t->n_defer == DEFER_MAX || plan(t, &k[0], c, &old[0], &repl[0]) ||
	    (c->has_id_ctx ? plan(t, &k[1], c, &old[1], &repl[1]) : (old[1] = NULL, 0))) {
		rte_free(repl[0]);
		rte_free(repl[1]);
		return -2;
	}
	d = &t->defer[t->n_defer++];
	*d = (struct deferred){ .ctx = c, .pos = { -1, -1 } };
	for (j = 0; j < 2; j++)
		unpublish(t, &k[j], old[j], repl[j], d, j);
	t->dead[c - t->ctx] = REMOVED;
	/* the token is taken after unpublishing: a worker quiescent after it cannot hold c */
	d->token = t->rcu ? rte_rcu_qsbr_start(t->rcu) : 0;
	return 0;
}

static void release(struct dp_ctx_table *t, struct deferred *d)
{
	unsigned j;

	rte_spinlock_lock(&t->info_lock);
	osc_ctx_wipe(d->ctx);
	t->dead[d->ctx - t->ctx] = WIPED;
	rte_spinlock_unlock(&t->info_lock);
	for (j = 0; j < 2; j++) {
		if (d->pos[j] >= 0)
			rte_hash_free_key_with_position(t->h, d->pos[j]);
		rte_free(d->list[j]);
	}
}

unsigned dp_ctx_table_reclaim(struct dp_ctx_table *t, void (*drain)(void *), void *arg)
{
	bool ready[DEFER_MAX];
	unsigned i, n_ready = 0, kept = 0;

	/* Decide first, drain second, free last: a request handed to the control lcore before its
	 * worker went quiescent is in the control ring by now, and drain() answers it while the
	 * context still exists. */
	for (i = 0; i < t->n_defer; i++) {
		ready[i] = !t->rcu || rte_rcu_qsbr_check(t->rcu, t->defer[i].token, false) == 1;
		n_ready += ready[i];
	}
	if (!n_ready)
		return 0;
	if (drain)
		drain(arg);
	for (i = 0; i < t->n_defer; i++) {
		if (ready[i])
			release(t, &t->defer[i]);
		else
			t->defer[kept++] = t->defer[i];
	}
	t->n_defer = kept;
	return n_ready;
}

unsigned dp_ctx_table_slots(const struct dp_ctx_table *t)
{
	return t->n;
}

int dp_ctx_table_info(struct dp_ctx_table *t, unsigned i, struct dp_ctx_info *out)
{
	const struct osc_ctx *c = t->ctx + (i < t->n ? i : 0);
	int rc = -1;

	rte_spinlock_lock(&t->info_lock);
	if (i < t->n && t->dead[i] != WIPED) {
		memset(out, 0, sizeof(*out));
		out->kid_len = c->recipient_id_len;
		memcpy(out->kid, c->recipient_id, c->recipient_id_len);
		out->has_id_ctx = c->has_id_ctx;
		out->id_ctx_len = c->id_ctx_len;
		memcpy(out->id_ctx, c->id_ctx, c->id_ctx_len);
		out->alg = osc_ctx_alg(c) ? osc_ctx_alg(c)->name : "?";
		out->ssn = __atomic_load_n(&c->ssn, __ATOMIC_RELAXED);
		out->replay_top = __atomic_load_n(&c->replay.top, __ATOMIC_RELAXED);
		rc = t->dead[i] == LIVE ? 0 : -1;
	}
	rte_spinlock_unlock(&t->info_lock);
	return rc;
}
