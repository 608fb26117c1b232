/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway's state as Prometheus text (exposition format 0.0.4, ending with "# EOF"), one
 * formatter for the HTTP endpoint ("metrics_listen", dp_metrics_http.h) and for
 * `oscore-gwctl metrics` (DPDK telemetry /oscore/metrics). Read from a thread that is not a worker:
 * worker counters with relaxed atomic loads (never a lock a worker takes), the context table
 * through its telemetry accessors, SSN write-ahead gauges from control/ctl_ssn.h.
 *
 * Families: every counter of dp_stats.h as oscore_gw_<name>_total (summed over workers and the
 * control lcore) and oscore_gw_worker_<name>_total{worker="0".."N-1"|"control"}; OSCORE errors
 * (§8.2) as oscore_gw_oscore_errors_total{reason} and per worker; gauges: workers, contexts per
 * establishment method, context slots, control-plane queue depth, SSN write-ahead headroom
 * (App. B.1.1) and SSN space left, start time. Which lines there are depends on the configuration
 * only, never on the traffic or the contexts (a gauge without a value yet reads NaN), so that
 * oscore-gwctl can fetch the text in pages of lines.
 */
#ifndef DP_METRICS_H
#define DP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "control/ctl_ns.h"
#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_state.h"
#include "dataplane/dp_stats.h"

/* What the formatter reads; owned by the main lcore, valid until the readers are stopped. */
struct dp_metrics_src {
	const struct dp_stats *stats;  /* n_workers workers', then the control lcore's */
	unsigned n_workers;
	struct dp_ctx_table *table;
	unsigned max_contexts;
	const struct ctl_ns *ns;       /* Recipient-ID parts per method; NULL: all are "direct" */
	const struct dp_state *state;  /* SSN gauges; NULL or without state_db: none */
	uint64_t start_time;           /* Unix seconds */
};

/* The whole text, malloc'd (the caller frees it), its length in *len. NULL when out of memory.
 * Never called on a worker lcore. */
char *dp_metrics_text(const struct dp_metrics_src *s, size_t *len);

#endif
