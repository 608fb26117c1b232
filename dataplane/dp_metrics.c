/* SPDX-License-Identifier: BSD-3-Clause */
/* Prometheus text of the gateway's counters and gauges (see dp_metrics.h). */
#include "dataplane/dp_metrics.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PFX "oscore_gw_"

static void family(FILE *f, const char *name, const char *type, const char *help_pfx,
		   const char *help)
{
	fprintf(f, "# HELP %s %s%s\n# TYPE %s %s\n", name, help_pfx, help, name, type);
}

static const char *worker(char *buf, size_t cap, unsigned i, unsigned n)
{
	if (i == n)
		return "control";
	snprintf(buf, cap, "%u", i);
	return buf;
}

/* Every counter summed, then per worker (two families: a sum next to its parts would be counted
 * twice by sum()). */
static void counters(FILE *f, const struct dp_stats *w, unsigned n, const struct dp_stats *sum)
{
	char name[96], id[16];
	unsigned c, i;

	for (c = 0; c < DP_CTR__COUNT; c++) {
		snprintf(name, sizeof(name), PFX "%s_total", dp_ctr_name((int)c));
		family(f, name, "counter", "", dp_ctr_help((int)c));
		fprintf(f, "%s %llu\n", name, (unsigned long long)sum->ctr[c]);
	}
	for (c = 0; c < DP_CTR__COUNT; c++) {
		snprintf(name, sizeof(name), PFX "worker_%s_total", dp_ctr_name((int)c));
		family(f, name, "counter", "Per worker lcore: ", dp_ctr_help((int)c));
		for (i = 0; i <= n; i++)
			fprintf(f, "%s{worker=\"%s\"} %llu\n", name, worker(id, sizeof(id), i, n),
				(unsigned long long)w[i].ctr[c]);
	}
}

/* §8.2: requests refused, by reason. */
static void osc_errors(FILE *f, const struct dp_stats *w, unsigned n, const struct dp_stats *sum)
{
	char id[16];
	unsigned e, i;

	family(f, PFX "oscore_errors_total", "counter", "",
	       "OSCORE messages refused (RFC 8613 section 8.2), by reason.");
	for (e = 1; e < OSC_ERR__COUNT; e++)
		fprintf(f, PFX "oscore_errors_total{reason=\"%s\"} %llu\n", osc_err_name((int)e),
			(unsigned long long)sum->osc_err[e]);
	family(f, PFX "worker_oscore_errors_total", "counter", "Per worker lcore: ",
	       "OSCORE messages refused (RFC 8613 section 8.2), by reason.");
	for (i = 0; i <= n; i++)
		for (e = 1; e < OSC_ERR__COUNT; e++)
			fprintf(f, PFX "worker_oscore_errors_total{worker=\"%s\",reason=\"%s\"} %llu\n",
				worker(id, sizeof(id), i, n), osc_err_name((int)e),
				(unsigned long long)w[i].osc_err[e]);
}

static void gauge(FILE *f, const char *name, const char *help, unsigned long long v)
{
	family(f, name, "gauge", "", help);
	fprintf(f, "%s %llu\n", name, v);
}

/* Live contexts per establishment method: the method whose Recipient-ID part holds the kid
 * (control/ctl_ns.h: parts never overlap); without namespaces every context is "direct". */
static void contexts(FILE *f, const struct dp_metrics_src *s)
{
	static const char *const names[CTL_M__COUNT] = { "direct", "ace", "edhoc" };
	unsigned long long n[CTL_M__COUNT] = { 0 }, other = 0;
	struct dp_ctx_info ci;
	unsigned i, slots = dp_ctx_table_slots(s->table);
	int m;

	if (!s->ns)
		n[CTL_M_DIRECT] = dp_ctx_table_count(s->table);
	for (i = 0; s->ns && i < slots; i++) {
		if (dp_ctx_table_info(s->table, i, &ci))
			continue;
		for (m = 0; m < CTL_M__COUNT && !ctl_ns_check(s->ns, (enum ctl_method)m, ci.kid,
							       ci.kid_len); m++)
			;
		if (m < CTL_M__COUNT)
			n[m]++;
		else
			other++;
	}
	family(f, PFX "contexts", "gauge", "", "Live security contexts, by establishment method.");
	for (m = 0; m < CTL_M__COUNT; m++)
		fprintf(f, PFX "contexts{method=\"%s\"} %llu\n", names[m], n[m]);
	if (s->ns) /* always, so that the text has the same lines whatever the contexts */
		fprintf(f, PFX "contexts{method=\"none\"} %llu\n", other);
	gauge(f, PFX "context_slots", "Context slots (max_contexts), preallocated.",
	      s->max_contexts);
}

/* A gauge that may have no value yet: NaN then (the text keeps the same lines, which
 * oscore-gwctl's pages rely on). */
static void gauge_or_nan(FILE *f, const char *name, const char *help, uint64_t v, bool known)
{
	family(f, name, "gauge", "", help);
	if (known)
		fprintf(f, "%s %llu\n", name, (unsigned long long)v);
	else
		fprintf(f, "%s NaN\n", name);
}

/* App. B.1.1: how close any context is to answering 5.03 (headroom 0), and to re-keying. Only
 * with a state database (nothing is written ahead without one). */
static void ssn(FILE *f, const struct dp_metrics_src *s)
{
	struct ctl_ssn_gauges g;
	bool known;

	if (dp_state_ssn_gauges(s->state, &g))
		return;
	known = g.tracked && g.headroom_min != UINT64_MAX;
	gauge(f, PFX "ssn_writeahead_contexts", "Contexts whose SSN is written ahead to state_db "
	      "(RFC 8613 App. B.1.1).", g.tracked);
	gauge_or_nan(f, PFX "ssn_durable_headroom_min", "Fewest Sender Sequence Numbers any context "
		     "may still use below its durable ceiling, at the last write-ahead tick (0: 5.03 "
		     "answers).", g.headroom_min, known);
	gauge_or_nan(f, PFX "ssn_space_remaining_min", "Fewest Sender Sequence Numbers any context "
		     "has left before 2^40 (re-key before 0).", g.remaining_min, known);
}

static void gauges(FILE *f, const struct dp_metrics_src *s, const struct dp_stats *w,
		   const struct dp_stats *sum)
{
	uint64_t taken = w[s->n_workers].ctr[DP_CTL_REQUESTS], handed = sum->ctr[DP_CTL_HANDOFF];

	gauge(f, PFX "workers", "Worker lcores polling the device port.", s->n_workers);
	contexts(f, s);
	ssn(f, s);
	/* every hand-off is counted by its worker, every message taken by the control lcore */
	gauge(f, PFX "ctl_queue_depth", "Requests handed to the control lcore, not yet taken.",
	      handed > taken ? handed - taken : 0);
	gauge(f, PFX "start_time_seconds", "Start time of the gateway, Unix seconds.",
	      s->start_time);
}

char *dp_metrics_text(const struct dp_metrics_src *s, size_t *len)
{
	size_t wsize = (s->n_workers + 1u) * sizeof(struct dp_stats);
	struct dp_stats *w = aligned_alloc(RTE_CACHE_LINE_SIZE, wsize), sum; /* cache aligned */
	char *buf = NULL;
	FILE *f = w ? open_memstream(&buf, len) : NULL;
	unsigned i;

	if (!f) {
		free(w);
		return NULL;
	}
	/* the control lcore's copy first: a hand-off is then never seen taken before it was made */
	dp_stats_load(&s->stats[s->n_workers], &w[s->n_workers]);
	for (i = 0; i < s->n_workers; i++)
		dp_stats_load(&s->stats[i], &w[i]);
	dp_stats_sum(w, s->n_workers + 1u, &sum);
	counters(f, w, s->n_workers, &sum);
	osc_errors(f, w, s->n_workers, &sum);
	gauges(f, s, w, &sum);
	fputs("# EOF\n", f);
	free(w);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
