/* SPDX-License-Identifier: BSD-3-Clause */
/* Context table over rte_hash, lock-free for readers (see dp_ctx_table.h). */
#include "dataplane/dp_ctx_table.h"

#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>
#include <rte_spinlock.h>

#include "dataplane/dp_hash.h"
#include "oscore/osc_context.h"

#define DEFER_MAX 256

enum { FREE, LIVE, REMOVED }; /* dp_ctx_table.state[]; zeroed memory is free */

/* Something unpublished, returned to the pools once every worker has been quiescent since
 * token: a removed context with its key positions and lists, or a list an add replaced. */
struct deferred {
	uint64_t token;
	struct osc_ctx *ctx;           /* NULL: only lists */
	int32_t pos[2];                /* hash key positions to free, or -1 */
	struct dp_ctx_cands *list[2];  /* replaced candidate lists, or NULL */
};

struct dp_ctx_table {
	struct rte_hash *h;
	struct osc_ctx *ctx;         /* cap slots; they never move (workers hold pointers) */
	struct dp_ctx_cands *lists;  /* n_lists candidate lists, the values of the hash */
	uint32_t *free_ctx, *free_list; /* stacks of free slot / list indices */
	unsigned cap, n_lists, n_free_ctx, n_free_list;
	unsigned n;                  /* slots ever used (atomic: telemetry reads it) */
	unsigned live;
	uint8_t *state;              /* per slot: FREE, LIVE, REMOVED */
	uint32_t *gen;               /* per slot: odd while published (ctl_ctx_handle); workers read it */
	struct rte_rcu_qsbr *rcu;
	rte_spinlock_t info_lock;    /* telemetry readers against wipe and reuse; never a worker */
	struct deferred defer[DEFER_MAX];
	unsigned n_defer;
	void (*retire)(void *, struct osc_ctx *);
	void *retire_arg;
};

/* FNV-1a, byte by byte: a kid context sits at any alignment in a frame or a context, and
 * rte_jhash would read it in (possibly misaligned, possibly overlong) 32-bit words. */
static uint32_t kid_ctx_hash(const uint8_t *kc, uint8_t len)
{
	uint32_t h = 2166136261u ^ len;
	unsigned i;

	for (i = 0; i < len; i++)
		h = (h ^ kc[i]) * 16777619u;
	return h;
}

void dp_ctx_key_of(struct dp_ctx_key *k, const struct osc_option *o)
{
	memset(k, 0, sizeof(*k));
	k->kid_len = o->kid_len; /* a kid longer than any Recipient ID keeps its length: no match */
	memcpy(k->kid, o->kid, o->kid_len <= OSC_ID_MAX ? o->kid_len : 0);
	if (o->has_kid_ctx && o->kid_ctx_len <= OSC_ID_CTX_MAX) {
		k->has_kid_ctx = 1;
		k->kid_ctx_hash = kid_ctx_hash(o->kid_ctx, o->kid_ctx_len);
	}
}

static void key_of(struct dp_ctx_key *k, const uint8_t *rid, uint8_t rid_len,
		   const uint8_t *id_ctx, uint8_t id_ctx_len, bool with_ctx)
{
	memset(k, 0, sizeof(*k));
	k->kid_len = rid_len;
	memcpy(k->kid, rid, rid_len);
	if (with_ctx) {
		k->has_kid_ctx = 1;
		k->kid_ctx_hash = kid_ctx_hash(id_ctx, id_ctx_len);
	}
}

static void key_of_ctx(struct dp_ctx_key *k, const struct osc_ctx *c, bool with_ctx)
{
	key_of(k, c->recipient_id, c->recipient_id_len, c->id_ctx, c->id_ctx_len, with_ctx);
}

struct dp_ctx_table *dp_ctx_table_create(unsigned cap, int socket)
{
	struct dp_ctx_table *t = rte_zmalloc_socket("ctx_table", sizeof(*t), 0, socket);
	unsigned i;

	if (!t)
		return NULL;
	cap = cap ? cap : 1;
	t->cap = cap;
	/* a context has at most two keys; add and remove keep up to two replaced lists each */
	t->n_lists = 2 * cap + 2 * DEFER_MAX;
	t->ctx = rte_zmalloc_socket("osc_ctx", (size_t)cap * sizeof(*t->ctx), RTE_CACHE_LINE_SIZE,
				    socket);
	t->lists = rte_zmalloc_socket("ctx_cands", (size_t)t->n_lists * sizeof(*t->lists), 0,
				      socket);
	t->free_ctx = rte_malloc_socket("ctx_free", (size_t)cap * sizeof(uint32_t), 0, socket);
	t->free_list = rte_malloc_socket("list_free", (size_t)t->n_lists * sizeof(uint32_t), 0,
					 socket);
	t->state = rte_zmalloc_socket("ctx_state", cap, 0, socket);
	t->gen = rte_zmalloc_socket("ctx_gen", (size_t)cap * sizeof(uint32_t), 0, socket);
	t->h = dp_hash_new("osc_ctx", 2 * cap, sizeof(struct dp_ctx_key),
			   RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF, socket);
	rte_spinlock_init(&t->info_lock);
	if (!t->ctx || !t->lists || !t->free_ctx || !t->free_list || !t->state || !t->gen || !t->h) {
		dp_ctx_table_free(t);
		return NULL;
	}
	for (i = 0; i < cap; i++) /* slot 0 on top: slots fill in order */
		t->free_ctx[t->n_free_ctx++] = cap - 1 - i;
	for (i = 0; i < t->n_lists; i++)
		t->free_list[t->n_free_list++] = t->n_lists - 1 - i;
	return t;
}

struct dp_ctx_table *dp_ctx_table_new(const struct osc_params *params, unsigned n, int socket,
				      char *err, size_t err_len)
{
	struct dp_ctx_table *t = dp_ctx_table_create(n, socket);
	char why[160];
	unsigned i;

	if (!t) {
		snprintf(err, err_len, "context table: out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (dp_ctx_table_add(t, &params[i], NULL, NULL, NULL, why, sizeof(why))) {
			snprintf(err, err_len, "contexts[%u]: %s", i, why);
			dp_ctx_table_free(t);
			return NULL;
		}
	return t;
}

void dp_ctx_table_free(struct dp_ctx_table *t)
{
	unsigned i;

	if (!t)
		return;
	for (i = 0; t->ctx && i < t->n; i++)
		if (t->state[i] != FREE)
			osc_ctx_wipe(&t->ctx[i]);
	rte_hash_free(t->h);
	rte_free(t->gen);
	rte_free(t->state);
	rte_free(t->free_list);
	rte_free(t->free_ctx);
	rte_free(t->lists);
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
	for (i = 0; i < n; i++) {
		out[i] = (hits >> i) & 1 ? data[i] : NULL;
		if (out[i])
			rte_prefetch0(out[i]);
	}
	/* The burst's first candidates are read next (IDs, key, IV, window: every line of the
	 * context): fetched together now instead of one miss after another. */
	for (i = 0; i < n; i++)
		if (out[i] && out[i]->n)
			for (unsigned l = 0; l < sizeof(struct osc_ctx); l += RTE_CACHE_LINE_SIZE)
				rte_prefetch0((const uint8_t *)out[i]->c[0] + l);
}

void dp_ctx_table_set_rcu(struct dp_ctx_table *t, struct rte_rcu_qsbr *v)
{
	t->rcu = v;
}

static struct dp_ctx_cands *list_get(struct dp_ctx_table *t)
{
	struct dp_ctx_cands *l;

	if (!t->n_free_list)
		return NULL;
	l = &t->lists[t->free_list[--t->n_free_list]];
	memset(l, 0, sizeof(*l));
	return l;
}

static void list_put(struct dp_ctx_table *t, struct dp_ctx_cands *l)
{
	if (l)
		t->free_list[t->n_free_list++] = (uint32_t)(l - t->lists);
}

static bool same_id(const struct osc_ctx *c, const uint8_t *rid, uint8_t rid_len,
		    const uint8_t *id_ctx, uint8_t id_ctx_len, bool has_id_ctx)
{
	return c->recipient_id_len == rid_len && !memcmp(c->recipient_id, rid, rid_len) &&
	       c->has_id_ctx == has_id_ctx &&
	       (!has_id_ctx || (c->id_ctx_len == id_ctx_len &&
				!memcmp(c->id_ctx, id_ctx, id_ctx_len)));
}

struct osc_ctx *dp_ctx_table_find(struct dp_ctx_table *t, const uint8_t *rid, uint8_t rid_len,
				  const uint8_t *id_ctx, uint8_t id_ctx_len, bool has_id_ctx)
{
	struct dp_ctx_key k;
	struct dp_ctx_cands *l;
	void *v;
	unsigned i;

	if (rid_len > OSC_ID_MAX || id_ctx_len > OSC_ID_CTX_MAX)
		return NULL;
	/* every context is under (rid, none); one with an ID Context also under (rid, ctx) */
	key_of(&k, rid, rid_len, id_ctx, id_ctx_len, has_id_ctx);
	if (rte_hash_lookup_data(t->h, &k, &v) < 0)
		return NULL;
	l = v;
	for (i = 0; i < l->n; i++)
		if (same_id(l->c[i], rid, rid_len, id_ctx, id_ctx_len, has_id_ctx))
			return l->c[i];
	return NULL;
}

/* A copy of the list under k (if any) with c added (add) or taken out (!add): *old gets the
 * published list, *repl the new one, NULL when nothing would be left. Returns 0, or an enum
 * dp_ctx_add_err. No side effect on the hash. */
static int plan(struct dp_ctx_table *t, const struct dp_ctx_key *k, struct osc_ctx *c, bool add,
		struct dp_ctx_cands **old, struct dp_ctx_cands **repl)
{
	void *v;
	unsigned i;

	*old = *repl = NULL;
	if (rte_hash_lookup_data(t->h, k, &v) >= 0)
		*old = v;
	if (add && *old && (*old)->n == OSC_MAX_CANDIDATES)
		return DP_CTX_ADD_COLLIDE;
	if (!add && (!*old || (*old)->n <= 1))
		return 0;
	*repl = list_get(t);
	if (!*repl)
		return DP_CTX_ADD_BUSY;
	for (i = 0; *old && i < (*old)->n; i++)
		if ((*old)->c[i] != c)
			(*repl)->c[(*repl)->n++] = (*old)->c[i];
	if (add)
		(*repl)->c[(*repl)->n++] = c;
	return 0;
}

/* Publish repl under k (the LF hash replaces the data of an existing key atomically, without
 * allocating) or delete k when repl is NULL; what readers may still hold goes to d, slot j. */
static int publish(struct dp_ctx_table *t, const struct dp_ctx_key *k, struct dp_ctx_cands *old,
		   struct dp_ctx_cands *repl, struct deferred *d, unsigned j)
{
	if (repl) {
		if (rte_hash_add_key_data(t->h, k, repl))
			return -1;
	} else if (old) {
		d->pos[j] = rte_hash_del_key(t->h, k); /* LF: the slot is freed after the grace */
	}
	d->list[j] = old;
	return 0;
}

/* Plan both keys of c; on failure nothing changed. */
static int plan_both(struct dp_ctx_table *t, struct osc_ctx *c, bool add, struct dp_ctx_key k[2],
		     struct dp_ctx_cands *old[2], struct dp_ctx_cands *repl[2])
{
	int rc;

	old[1] = repl[1] = NULL;
	key_of_ctx(&k[0], c, false);
	key_of_ctx(&k[1], c, true);
	if (t->n_defer == DEFER_MAX)
		return DP_CTX_ADD_BUSY;
	rc = plan(t, &k[0], c, add, &old[0], &repl[0]);
	if (!rc && c->has_id_ctx)
		rc = plan(t, &k[1], c, add, &old[1], &repl[1]);
	if (rc) {
		list_put(t, repl[0]);
		list_put(t, repl[1]);
	}
	return rc;
}

static void release(struct dp_ctx_table *t, struct deferred *d);

/* The token is taken after the change: a worker quiescent after it cannot hold what went. Lists
 * replaced before workers exist (no RCU variable yet) go back at once; removed contexts wait for
 * dp_ctx_table_reclaim either way. */
static void defer_commit(struct dp_ctx_table *t, struct deferred *d)
{
	if (!d->ctx && !d->list[0] && !d->list[1])
		return;
	if (!t->rcu && !d->ctx) {
		release(t, d);
		return;
	}
	d->token = t->rcu ? rte_rcu_qsbr_start(t->rcu) : 0;
	t->n_defer++;
}

/* Slot i's generation becomes odd (published) or even (not): a change of state is a new
 * generation. The release store orders it before the hash publication that follows an add, and
 * before the RCU token a removal takes after it (see dp_ctx_table_deref). */
static void set_published(struct dp_ctx_table *t, unsigned i, bool published)
{
	uint32_t g = t->gen[i];

	if (((g & 1) != 0) != published)
		__atomic_store_n(&t->gen[i], g + 1, __ATOMIC_RELEASE);
}

static void set_state(struct dp_ctx_table *t, unsigned i, uint8_t s)
{
	rte_spinlock_lock(&t->info_lock);
	t->state[i] = s;
	rte_spinlock_unlock(&t->info_lock);
}

#define HASH_UNDONE (-100) /* index_ctx: the second key failed; c went to reclamation */

static int unindex_ctx(struct dp_ctx_table *t, struct osc_ctx *c);

/* Make c findable under both keys. If the second key fails c is unpublished again and
 * deferred like a removal (a worker may have found it under the first). */
static int index_ctx(struct dp_ctx_table *t, struct osc_ctx *c)
{
	struct dp_ctx_cands *old[2], *repl[2];
	struct dp_ctx_key k[2];
	struct deferred *d;
	int rc = plan_both(t, c, true, k, old, repl);

	if (rc)
		return rc;
	d = &t->defer[t->n_defer];
	*d = (struct deferred){ .pos = { -1, -1 } };
	if (publish(t, &k[0], old[0], repl[0], d, 0)) {
		list_put(t, repl[0]);
		list_put(t, repl[1]);
		return DP_CTX_ADD_HASH;
	}
	if (repl[1] && publish(t, &k[1], old[1], repl[1], d, 1)) {
		list_put(t, repl[1]);
		defer_commit(t, d);
		return unindex_ctx(t, c) ? DP_CTX_ADD_BUSY : HASH_UNDONE;
	}
	defer_commit(t, d);
	return 0;
}

static int unindex_ctx(struct dp_ctx_table *t, struct osc_ctx *c)
{
	struct dp_ctx_cands *old[2], *repl[2];
	struct dp_ctx_key k[2];
	struct deferred *d;
	unsigned j;
	int rc = plan_both(t, c, false, k, old, repl);

	if (rc)
		return rc;
	d = &t->defer[t->n_defer];
	*d = (struct deferred){ .ctx = c, .pos = { -1, -1 } };
	for (j = 0; j < 2; j++)
		publish(t, &k[j], old[j], repl[j], d, j); /* replacing a key's data cannot fail */
	set_published(t, (unsigned)(c - t->ctx), false); /* before the token defer_commit takes */
	defer_commit(t, d);
	return 0;
}

static const char *add_reason(int rc)
{
	switch (rc) {
	case DP_CTX_ADD_FULL: return "no free context slot (max_contexts)";
	case DP_CTX_ADD_COLLIDE: return "too many contexts share this recipient_id";
	case DP_CTX_ADD_BUSY: return "too many removals await reclamation; retry";
	case DP_CTX_ADD_PREP: return "refused by the control plane";
	case DP_CTX_ADD_HASH: return "context hash refused the key";
	case DP_CTX_ADD_DUP_RECIPIENT: return "same recipient_id, id_context and keys as a context "
					      "in use (a replay one refused the other would accept)";
	case DP_CTX_ADD_SAME_IDS: return "sender_id equal to recipient_id (they must differ, "
					 "RFC 8613 §3.3)";
	case DP_CTX_ADD_DUP_SENDER: return "same Sender Key as a context in use (the gateway's own "
					   "Partial IVs would repeat a nonce)";
	default: return "error";
	}
}

static int add_fail(int rc, char *err, size_t err_len)
{
	snprintf(err, err_len, "%s", add_reason(rc));
	return rc;
}

int dp_ctx_table_add(struct dp_ctx_table *t, const struct osc_params *p, dp_ctx_prep_fn prep,
		     void *arg, struct osc_ctx **out, char *err, size_t err_len)
{
	struct osc_ctx *c;
	unsigned i;
	int rc;

	if (!t->n_free_ctx)
		return add_fail(DP_CTX_ADD_FULL, err, err_len);
	i = t->free_ctx[t->n_free_ctx - 1];
	c = &t->ctx[i];
	rc = osc_ctx_derive(c, p); /* the slot is FREE: telemetry does not read it */
	if (rc != OSC_CTX_OK) {
		snprintf(err, err_len, "%s", osc_ctx_strerror(rc));
		return DP_CTX_ADD_DERIVE;
	}
	set_published(t, i, true); /* before a worker can find c: its handles name this context */
	rc = prep ? prep(arg, c) : 0;
	if (rc > 0 || rc < DP_CTX_ADD_SAME_IDS || rc == DP_CTX_ADD_DERIVE)
		rc = DP_CTX_ADD_PREP;
	if (!rc)
		rc = index_ctx(t, c);
	if (rc)
		set_published(t, i, false);
	if (rc == HASH_UNDONE) { /* reclamation wipes it and frees the slot */
		t->n_free_ctx--;
		if (i >= t->n)
			__atomic_store_n(&t->n, i + 1, __ATOMIC_RELEASE);
		set_state(t, i, REMOVED);
		return add_fail(DP_CTX_ADD_HASH, err, err_len);
	}
	if (rc) {
		osc_ctx_wipe(c); /* never reached a worker */
		return add_fail(rc, err, err_len);
	}
	t->n_free_ctx--;
	if (i >= t->n)
		__atomic_store_n(&t->n, i + 1, __ATOMIC_RELEASE);
	set_state(t, i, LIVE);
	t->live++;
	if (out)
		*out = c;
	return 0;
}

int dp_ctx_table_remove(struct dp_ctx_table *t, const uint8_t *rid, uint8_t rid_len,
			const uint8_t *id_ctx, uint8_t id_ctx_len, bool has_id_ctx)
{
	struct osc_ctx *c = dp_ctx_table_find(t, rid, rid_len, id_ctx, id_ctx_len, has_id_ctx);

	if (!c)
		return -1;
	if (unindex_ctx(t, c))
		return -2;
	set_state(t, (unsigned)(c - t->ctx), REMOVED);
	t->live--;
	return 0;
}

static void release(struct dp_ctx_table *t, struct deferred *d)
{
	unsigned j;

	if (d->ctx) {
		unsigned i = (unsigned)(d->ctx - t->ctx);

		if (t->retire)
			t->retire(t->retire_arg, d->ctx);
		rte_spinlock_lock(&t->info_lock);
		osc_ctx_wipe(d->ctx);
		t->state[i] = FREE;
		rte_spinlock_unlock(&t->info_lock);
		t->free_ctx[t->n_free_ctx++] = i;
	}
	for (j = 0; j < 2; j++) {
		if (d->pos[j] >= 0)
			rte_hash_free_key_with_position(t->h, d->pos[j]);
		list_put(t, d->list[j]);
	}
}

unsigned dp_ctx_table_reclaim(struct dp_ctx_table *t, void (*drain)(void *), void *arg)
{
	bool ready[DEFER_MAX];
	unsigned i, n_ready = 0, n_ctx = 0, kept = 0;

	/* Decide first, drain second, free last: a job handed to the control lcore before its
	 * worker went quiescent is in the control ring by now; drain() serves it (a job on a removed
	 * context is refused by its handle's generation, before and after the slot is reused). */
	for (i = 0; i < t->n_defer; i++) {
		ready[i] = !t->rcu || rte_rcu_qsbr_check(t->rcu, t->defer[i].token, false) == 1;
		n_ready += ready[i];
	}
	if (!n_ready)
		return 0;
	if (drain)
		drain(arg);
	for (i = 0; i < t->n_defer; i++) {
		if (ready[i]) {
			n_ctx += t->defer[i].ctx != NULL;
			release(t, &t->defer[i]);
		} else {
			t->defer[kept++] = t->defer[i];
		}
	}
	t->n_defer = kept;
	return n_ctx;
}

void dp_ctx_table_set_retire(struct dp_ctx_table *t, void (*fn)(void *, struct osc_ctx *),
			     void *arg)
{
	t->retire = fn;
	t->retire_arg = arg;
}

unsigned dp_ctx_table_visit(struct dp_ctx_table *t, unsigned *next, unsigned n,
			    void (*fn)(void *arg, struct osc_ctx *c), void *arg)
{
	unsigned used = dp_ctx_table_slots(t), i = *next, k, seen = 0;

	if (!used)
		return 0;
	if (n > used)
		n = used;
	rte_spinlock_lock(&t->info_lock); /* state and wipe change under it (set_state, release) */
	for (k = 0; k < n; k++, i++) {
		if (i >= used)
			i = 0;
		if (t->state[i] == LIVE) {
			fn(arg, &t->ctx[i]);
			seen++;
		}
	}
	rte_spinlock_unlock(&t->info_lock);
	*next = i >= used ? 0 : i;
	return seen;
}

unsigned dp_ctx_table_slots(const struct dp_ctx_table *t)
{
	return __atomic_load_n(&t->n, __ATOMIC_ACQUIRE);
}

unsigned dp_ctx_table_index(const struct dp_ctx_table *t, const struct osc_ctx *c)
{
	return (unsigned)(c - t->ctx);
}

struct ctl_ctx_handle dp_ctx_table_ref(const struct dp_ctx_table *t, const struct osc_ctx *c)
{
	uint32_t i = (uint32_t)(c - t->ctx);

	return (struct ctl_ctx_handle){ .slot = i,
				    .gen = __atomic_load_n(&t->gen[i], __ATOMIC_ACQUIRE) };
}

struct osc_ctx *dp_ctx_table_deref(const struct dp_ctx_table *t, struct ctl_ctx_handle r)
{
	uint32_t g;

	if (r.slot >= t->cap)
		return NULL;
	g = __atomic_load_n(&t->gen[r.slot], __ATOMIC_ACQUIRE);
	return (g & 1) && g == r.gen ? &t->ctx[r.slot] : NULL;
}

unsigned dp_ctx_table_count(const struct dp_ctx_table *t)
{
	return t->live;
}

int dp_ctx_table_info(struct dp_ctx_table *t, unsigned i, struct dp_ctx_info *out)
{
	unsigned n = dp_ctx_table_slots(t);
	const struct osc_ctx *c = t->ctx + (i < n ? i : 0);
	int rc = -1;

	rte_spinlock_lock(&t->info_lock);
	if (i < n && t->state[i] != FREE) {
		memset(out, 0, sizeof(*out));
		out->kid_len = c->recipient_id_len;
		memcpy(out->kid, c->recipient_id, c->recipient_id_len);
		out->has_id_ctx = c->has_id_ctx;
		out->id_ctx_len = c->id_ctx_len;
		memcpy(out->id_ctx, c->id_ctx, c->id_ctx_len);
		out->alg = osc_ctx_alg(c) ? osc_ctx_alg(c)->name : "?";
		out->ssn = __atomic_load_n(&c->ssn, __ATOMIC_RELAXED);
		out->replay_top = __atomic_load_n(&c->replay.top, __ATOMIC_RELAXED);
		out->window_known = osc_replay_known(&c->replay);
		rc = t->state[i] == LIVE ? 0 : -1;
	}
	rte_spinlock_unlock(&t->info_lock);
	return rc;
}
