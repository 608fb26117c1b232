/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime context management: telemetry commands /oscore/ctx/{add,load,remove,list,show}. Their
 * callbacks run on DPDK's telemetry threads; each hands its request to the main lcore through a
 * one-slot mailbox (mutex + condition variable, never touched by a worker) and waits for the
 * control loop to execute it, so the table and the store have one writer. Answers carry
 * identifiers and counters only, never keys or secrets.
 */
#ifndef DP_MGMT_H
#define DP_MGMT_H

#include <stdbool.h>

#include "dataplane/dp_state.h"

struct dp_mgmt;

/* reclaim(arg) runs when the table reports BUSY (too much awaits RCU reclamation); window: the
 * default replay window of added contexts. NULL when out of memory or commands cannot register. */
struct dp_mgmt *dp_mgmt_start(struct dp_state *s, struct dp_ctx_table *t, unsigned window,
			      void (*reclaim)(void *), void *arg);

struct ctl_ace_server;
struct dp_ctl;
struct dp_stats;

struct dp_groups;

/* The groups `oscore-gwctl group` changes (/oscore/group/add, rekey, remove, list); without it
 * those commands answer that groups need a worker lcore. m may be NULL. */
void dp_mgmt_set_groups(struct dp_mgmt *m, struct dp_groups *g);

/* ACE tokens for /oscore/ace/tokens,<start> and /oscore/ace/revoke,<issuer>,<id hex> (a NULL
 * server: both answer "ACE not configured"); removals go through ctl's handler environment,
 * counted in st. Before the control loop runs. */
void dp_mgmt_set_ace(struct dp_mgmt *m, struct ctl_ace_server *a, struct dp_ctl *ctl,
		     struct dp_stats *st);

/* Main lcore, once per control-loop iteration: execute the pending request, if any. Returns
 * true if it did. */
bool dp_mgmt_poll(struct dp_mgmt *m);

/* Refuse further requests (they answer "stopped") and free m once no caller waits. */
void dp_mgmt_stop(struct dp_mgmt *m);

#endif
