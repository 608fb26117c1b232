/* SPDX-License-Identifier: BSD-3-Clause */
/* ACE scopes per context slot for the workers (see dp_scope.h). */
#include "dataplane/dp_scope.h"

#include <string.h>

#include <rte_malloc.h>

struct retired {
	struct dp_scope_obj *o;
	uint64_t token;
};

struct dp_scopes {
	struct dp_scope_obj **slot;  /* published scope per context slot, or NULL */
	unsigned n_slots;
	struct dp_scope_obj *pool;
	struct dp_scope_obj **free;  /* stack of reusable objects */
	unsigned n_free;
	struct retired *ret;         /* withdrawn, awaiting a grace period (FIFO by token) */
	unsigned n_ret;
	unsigned n_ending;           /* published scopes marked ending (atomic: workers read it) */
	struct rte_rcu_qsbr *rcu;
};

struct dp_scopes *dp_scopes_new(unsigned slots, unsigned n, int socket)
{
	struct dp_scopes *t = rte_zmalloc_socket("dp_scopes", sizeof(*t), 0, socket);
	unsigned i;

	if (!t)
		return NULL;
	t->n_slots = slots;
	t->slot = rte_zmalloc_socket("dp_scopes", slots * sizeof(*t->slot), 64, socket);
	t->pool = rte_zmalloc_socket("dp_scopes", n * sizeof(*t->pool), 64, socket);
	t->free = rte_zmalloc_socket("dp_scopes", n * sizeof(*t->free), 0, socket);
	t->ret = rte_zmalloc_socket("dp_scopes", n * sizeof(*t->ret), 0, socket);
	if (!t->slot || !t->pool || !t->free || !t->ret) {
		dp_scopes_free(t);
		return NULL;
	}
	for (i = 0; i < n; i++)
		t->free[t->n_free++] = &t->pool[i];
	return t;
}

void dp_scopes_free(struct dp_scopes *t)
{
	if (!t)
		return;
	rte_free(t->slot);
	rte_free(t->pool);
	rte_free(t->free);
	rte_free(t->ret);
	rte_free(t);
}

void dp_scopes_set_rcu(struct dp_scopes *t, struct rte_rcu_qsbr *v)
{
	t->rcu = v;
}

/* Withdrawn scopes whose grace period has passed go back to the pool. */
static void reclaim(struct dp_scopes *t)
{
	unsigned done = 0, i;

	while (done < t->n_ret &&
	       (!t->rcu || rte_rcu_qsbr_check(t->rcu, t->ret[done].token, false) == 1))
		t->free[t->n_free++] = t->ret[done++].o;
	for (i = done; i < t->n_ret; i++)
		t->ret[i - done] = t->ret[i];
	t->n_ret -= done;
}

int dp_scopes_set(struct dp_scopes *t, struct ctl_ctx_handle h, const struct ctl_ace_scope *s)
{
	struct dp_scope_obj *o = NULL, *old;

	if (h.slot >= t->n_slots)
		return -1;
	old = t->slot[h.slot];
	if (!s && (!old || old->gen != h.gen))
		return 0; /* nothing of h's (the slot may hold a newer context's scope) */
	if (s) {
		if (!t->n_free)
			reclaim(t);
		if (!t->n_free)
			return -1;
		o = t->free[--t->n_free];
		o->gen = h.gen;
		o->ending = 0;
		o->s = *s;
	}
	__atomic_store_n(&t->slot[h.slot], o, __ATOMIC_RELEASE);
	if (old && __atomic_load_n(&old->ending, __ATOMIC_RELAXED))
		__atomic_sub_fetch(&t->n_ending, 1, __ATOMIC_RELEASE);
	if (old) {
		t->ret[t->n_ret].o = old;
		t->ret[t->n_ret++].token = t->rcu ? rte_rcu_qsbr_start(t->rcu) : 0;
	}
	return 0;
}

const struct ctl_ace_scope *dp_scopes_get(const struct dp_scopes *t, struct ctl_ctx_handle h)
{
	const struct dp_scope_obj *o;

	if (h.slot >= t->n_slots)
		return NULL;
	o = __atomic_load_n(&t->slot[h.slot], __ATOMIC_ACQUIRE);
	return o && o->gen == h.gen ? &o->s : NULL;
}

int dp_scopes_end(struct dp_scopes *t, struct ctl_ctx_handle h)
{
	struct dp_scope_obj *o;

	if (h.slot >= t->n_slots)
		return -1;
	o = t->slot[h.slot];
	if (!o || o->gen != h.gen)
		return -1;
	if (!o->ending) {
		__atomic_store_n(&o->ending, 1, __ATOMIC_RELEASE);
		__atomic_add_fetch(&t->n_ending, 1, __ATOMIC_RELEASE);
	}
	return 0;
}

bool dp_scopes_ending(const struct dp_scopes *t, struct ctl_ctx_handle h)
{
	const struct dp_scope_obj *o;

	if (h.slot >= t->n_slots)
		return false;
	o = __atomic_load_n(&t->slot[h.slot], __ATOMIC_ACQUIRE);
	return o && o->gen == h.gen && __atomic_load_n(&o->ending, __ATOMIC_ACQUIRE);
}

bool dp_scopes_any_ending(const struct dp_scopes *t)
{
	return __atomic_load_n(&t->n_ending, __ATOMIC_ACQUIRE) != 0;
}
