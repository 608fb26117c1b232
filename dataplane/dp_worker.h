/* SPDX-License-Identifier: BSD-3-Clause */
/* The poll-mode burst loop of one worker lcore (respond and forward mode). */
#ifndef DP_WORKER_H
#define DP_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "dataplane/dp_classify.h"
#include "control/ctl_config.h"
#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_stats.h"

struct dp_dedup;
struct dp_ratelimit;
struct dp_ctl;
struct rte_rcu_qsbr;

/* What a worker is given; owned by the main lcore, read-only to the worker except stats. */
struct dp_worker_conf {
	uint16_t port;
	uint16_t queue;
	unsigned burst;
	const struct dp_addrs *addrs;
	const struct dp_ctx_table *table;
	uint64_t idle_exit_cycles;  /* stop after this long without a packet; 0 = never */
	unsigned err_rate;          /* unprotected error answers per second; 0 = no limit */
	unsigned err_burst;
	struct dp_stats *stats;     /* this worker's counters */
	const struct ctl_fwd_config *fwd; /* forward mode; NULL in respond mode */
	uint16_t up_port;           /* forward mode: the upstream's port (may equal port) */
	const struct dp_addrs *up_addrs; /* its MAC with the gateway's addresses */
	const struct dp_addrs *up_self;  /* the same with this worker's own upstream source port */
	struct dp_steer *steer;     /* several forward workers: hand-over rings; NULL = one */
	struct rte_mempool *mp;     /* for frames the gateway originates */
	const bool *quit;           /* set by the main lcore (signal) */
	/* operations slice */
	uint16_t tx_port;           /* answers leave here (the rx port unless "tx_port") */
	unsigned id;                /* worker index: RCU thread id, control message pool */
	bool loadtest;              /* OSC_RX_LOADTEST on every request ("loadtest_replay") */
	bool ctl_protected;         /* protected control paths are configured */
	struct dp_dedup *dedup;     /* this worker's deduplication table; NULL = none */
	struct dp_ratelimit *rl;    /* this worker's error answer limiter; NULL = none */
	struct dp_ctl *ctl;         /* control hand-off; NULL = none */
	struct rte_rcu_qsbr *rcu;   /* context reclamation; NULL = none */
	bool own_piv;               /* respond mode: answers take a fresh Partial IV (§8.3) */
	bool b2;                    /* App. B.2: unknown kid contexts go to the control lcore */
	bool edhoc;                 /* RFC 9668 combined requests go to the control lcore */
	const struct ctl_groups *groups; /* Group OSCORE groups (ctl_group_serve.h); NULL = none */
	const struct dp_scopes *scopes; /* ACE scopes enforced per context (dp_scope.h); NULL =
					 * no ACE */
	const uint8_t *ace_hints;   /* AS Request Creation Hints for the 4.01 (RFC 9200 §5.3) */
	uint16_t ace_hints_len;     /* 0: a bare 4.01 */
};

/*
 * lcore entry point (arg: struct dp_worker_conf *). Allocates its engine and slots once, then
 * loops rx_burst -> classify -> parse -> bulk lookup -> replay check -> AEAD (lanes kept full,
 * flushed when idle) -> finish -> answer -> tx_burst until *quit or idle exit. Returns 0, or -1
 * if it could not start.
 */
int dp_worker_main(void *arg);

#endif
