/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Quiescent-state based reclamation (rte_rcu_qsbr) between the control lcore, which removes
 * contexts, and the workers, which read them lock-free: a worker reports a quiescent state once per
 * loop iteration (see struct dp_rcu_reader for the slots that outlive one), and whatever was
 * unpublished is freed only after every worker has reported one since (dp_ctx_table_remove).
 */
#ifndef DP_RCU_H
#define DP_RCU_H

#include <rte_rcu_qsbr.h>

/* A QSBR variable for worker thread ids 0..n-1; NULL when out of memory. */
struct rte_rcu_qsbr *dp_rcu_new(unsigned n, int socket);

void dp_rcu_free(struct rte_rcu_qsbr *v);

/*
 * A worker's side. A request's slot holds its context across loop iterations (the AEAD engine
 * keeps lanes full and completes ops bursts later), so "one report per iteration" alone would be
 * wrong. Slots are counted per epoch instead: the epoch flips at a report, and the report made
 * once every slot of the previous epoch has finished carries the token read at that flip, which
 * is exactly what every reference still held was looked up after. Lookups that began later
 * cannot have found what the writer had unpublished before that token.
 */
struct dp_rcu_reader {
	struct rte_rcu_qsbr *v;   /* NULL: no RCU (nothing is ever removed) */
	unsigned id;
	uint8_t epoch;
	uint32_t held[2];         /* slots holding context references, per epoch */
	uint64_t flip_token;      /* the writer's token when the epoch last flipped */
};

/* Start reading as thread id of v (register, online); v may be NULL. */
void dp_rcu_worker_start(struct dp_rcu_reader *r, struct rte_rcu_qsbr *v, unsigned id);

/* Stop reading (offline, unregister): the control lcore no longer waits for this worker. */
void dp_rcu_worker_stop(struct dp_rcu_reader *r);

/* A slot starts holding references (lookup); returns its epoch for dp_rcu_release. */
static inline uint8_t dp_rcu_hold(struct dp_rcu_reader *r)
{
	r->held[r->epoch]++;
	return r->epoch;
}

static inline void dp_rcu_release(struct dp_rcu_reader *r, uint8_t epoch)
{
	r->held[epoch]--;
}

/* Once per loop iteration: report a quiescent state if the previous epoch has drained. */
static inline void dp_rcu_quiescent(struct dp_rcu_reader *r)
{
	uint8_t prev = r->epoch ^ 1;

	if (!r->v || r->held[prev])
		return;
	/* what rte_rcu_qsbr_quiescent() stores, but with the token of the flip, not of now */
	__atomic_store_n(&r->v->qsbr_cnt[r->id].cnt, r->flip_token, __ATOMIC_RELEASE);
	r->flip_token = __atomic_load_n(&r->v->token, __ATOMIC_ACQUIRE);
	r->epoch = prev;
}

#endif
