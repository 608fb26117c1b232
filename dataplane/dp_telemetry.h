/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Observability from outside the fast path: DPDK telemetry commands (read with
 * `dpdk-telemetry.py -f FILE_PREFIX`) and the periodic one-line summary of the main lcore.
 *   /oscore/stats           every counter, summed over workers and the control lcore, as a dict
 *   /oscore/contexts[,N]    context count and, from slot N (default 0), up to 32 contexts: kid and
 *                           ID Context in hex, algorithm, SSN, replay window top. Never keys.
 *   /oscore/metrics[,L]     the Prometheus text of dp_metrics.h from line L (default 0), one page
 *                           of whole lines as a string; the last page ends with "# EOF"
 */
#ifndef DP_TELEMETRY_H
#define DP_TELEMETRY_H

#include <stdint.h>
#include <stdio.h>

#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_metrics.h"

struct rte_tel_data;
#include "dataplane/dp_stats.h"

/* Register the commands over stats[0..n) and table t (main lcore, after EAL init). Returns 0
 * or -1. The commands answer "stopped" after dp_telemetry_stop. */
int dp_telemetry_start(const struct dp_stats *stats, unsigned n, struct dp_ctx_table *t);

/* One context as a telemetry dict (kid, id_context, alg, ssn, replay_top, window): identifiers
 * and counters only, never a key or secret. NULL when out of memory. */
struct rte_tel_data *dp_telemetry_ctx_dict(const struct dp_ctx_info *ci);

struct ctl_group_info;

/* One group as a telemetry dict (name, gid, sender_id, modes, responses, members, ssn,
 * generation): identifiers only, never keys. */
struct rte_tel_data *dp_telemetry_group_dict(const struct ctl_group_info *g);

/* Register /oscore/metrics over src (main lcore, after dp_telemetry_start). Returns 0 or -1. */
int dp_telemetry_metrics(const struct dp_metrics_src *src);

/* Detach the commands from the state before it is freed. */
void dp_telemetry_stop(void);

/* Previous totals for the summary's rates. */
struct dp_summary {
	uint64_t tsc;
	uint64_t rx, protected_;
};

/* One line to f: totals and rates since the previous line (kept in prev). */
void dp_summary_print(FILE *f, const struct dp_stats *stats, unsigned n, struct dp_summary *prev);

#endif
