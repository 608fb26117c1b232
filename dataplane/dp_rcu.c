/* SPDX-License-Identifier: BSD-3-Clause */
/* QSBR set-up for the workers (see dp_rcu.h). */
#include "dataplane/dp_rcu.h"

#include <rte_malloc.h>

struct rte_rcu_qsbr *dp_rcu_new(unsigned n, int socket)
{
	size_t sz = rte_rcu_qsbr_get_memsize(n);
	struct rte_rcu_qsbr *v = rte_zmalloc_socket("qsbr", sz, RTE_CACHE_LINE_SIZE, socket);

	if (v && rte_rcu_qsbr_init(v, n)) {
		rte_free(v);
		return NULL;
	}
	return v;
}

void dp_rcu_free(struct rte_rcu_qsbr *v)
{
	rte_free(v);
}

void dp_rcu_worker_start(struct dp_rcu_reader *r, struct rte_rcu_qsbr *v, unsigned id)
{
	*r = (struct dp_rcu_reader){ .v = v, .id = id };
	if (!v)
		return;
	rte_rcu_qsbr_thread_register(v, id);
	rte_rcu_qsbr_thread_online(v, id);
	r->flip_token = __atomic_load_n(&v->token, __ATOMIC_ACQUIRE);
}

void dp_rcu_worker_stop(struct dp_rcu_reader *r)
{
	if (!r->v)
		return;
	rte_rcu_qsbr_thread_offline(r->v, r->id);
	rte_rcu_qsbr_thread_unregister(r->v, r->id);
}
