/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The operations side of the main lcore: per-worker deduplication tables and error limiters, the
 * answer port, the control hand-off, RCU, telemetry, and the control loop the main lcore runs
 * while workers poll (control requests, context reclamation, summary lines, --duration).
 */
#ifndef DP_OPS_H
#define DP_OPS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <rte_lcore.h>
#include <rte_mempool.h>

#include "control/ctl_config.h"
#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_stats.h"
#include "dataplane/dp_mgmt.h"
#include "dataplane/dp_state.h"
#include "dataplane/dp_worker.h"

struct dp_ops {
	const struct ctl_config *cfg;
	struct dp_ctx_table *table;
	struct dp_stats *stats;         /* nq workers', then the control lcore's at [nq] */
	unsigned nq;
	uint16_t tx_port;
	bool tx_port_started;
	struct dp_dedup *dedup[RTE_MAX_LCORE];
	struct dp_ratelimit *rl[RTE_MAX_LCORE];
	struct dp_ctl *ctl;             /* NULL when the main lcore is the only one */
	struct ctl_plane *plane;        /* the control plane's handlers (with ctl) */
	struct ctl_b12_server *b12;     /* App. B.1.2 handler state, or NULL */
	struct ctl_b2_server *b2;       /* App. B.2 handler state, or NULL */
	struct ctl_edhoc *edhoc;        /* EDHOC responder ("edhoc" configured), or NULL */
	struct ctl_groups *groups;      /* Group OSCORE groups ("groups" and runtime), with ctl */
	struct dp_groups *dpg;          /* their runtime changes (oscore-gwctl group), with ctl */
	struct ctl_group_send *gsend;   /* sending to groups ("group_send"), or NULL */
	struct ctl_ace_server *ace;     /* /authz-info (RFC 9203), when "ace" is configured */
	struct dp_scopes *scopes;       /* its contexts' scopes for the workers, or NULL */
	uint8_t ace_hints[512];         /* AS Request Creation Hints (RFC 9200 §5.3) */
	uint16_t ace_hints_len;
	time_t ace_last_tick;           /* second of the last expiry check */
	struct rte_rcu_qsbr *rcu;
	bool telemetry;
	struct dp_state *state;         /* contexts' durable state (main lcore) */
	struct dp_mgmt *mgmt;           /* telemetry context commands */
};

/*
 * After the rx port (port, nq queues, mempool mp) is started: the answer port, per-worker tables,
 * the control plane (handlers, transport over table t and state s), RCU, telemetry, and the
 * load-test warning. path names the configuration in messages. Returns 0, or -1 after printing
 * why.
 */
int dp_ops_setup(struct dp_ops *o, const struct ctl_config *c, const char *path, uint16_t port,
		 uint16_t nq, struct rte_mempool *mp, struct dp_ctx_table *t, struct dp_state *s,
		 struct dp_stats *stats, bool duration);

/* Reclaim what RCU allows (arg: struct dp_ops *), serving the control ring first. Main lcore. */
void dp_ops_reclaim(void *arg);

/* Fill the operations fields of the workers' configurations wc[0..nq). */
void dp_ops_worker_confs(const struct dp_ops *o, struct dp_worker_conf *wc, unsigned nq);

/* Launch a worker on lcore, counted so that the control loop sees when all have ended. */
void dp_ops_launch(struct dp_ops *o, struct dp_worker_conf *wc, unsigned lcore);

/* The main lcore's loop until every launched worker has ended; sets *quit after duration
 * seconds (0 = never). */
void dp_ops_control_loop(struct dp_ops *o, double duration, bool *quit);

/* Release everything dp_ops_setup made (workers stopped). */
void dp_ops_teardown(struct dp_ops *o);

#endif
