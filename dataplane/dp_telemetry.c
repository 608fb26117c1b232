/* SPDX-License-Identifier: BSD-3-Clause */
/* Telemetry commands and the summary line (see dp_telemetry.h). The callbacks run on DPDK's
 * telemetry thread, never on a worker; they read the workers' counters without synchronisation
 * (aligned 64-bit loads: a value may be one burst old, never torn). */
#include "dataplane/dp_telemetry.h"
#include "control/ctl_group_set.h"

#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_spinlock.h>
#include <rte_telemetry.h>

#define CTX_PAGE 32
/* /oscore/metrics answers one string of at most RTE_TEL_MAX_SINGLE_STRING_LEN, which the JSON
 * escaping of quotes and newlines may grow: whole lines up to this many bytes per page. */
#define METRICS_PAGE 6000

static struct {
	rte_spinlock_t lock;      /* the state below against dp_telemetry_stop */
	const struct dp_stats *stats;
	unsigned n;
	struct dp_ctx_table *t;
	const struct dp_metrics_src *metrics;
} tel = { .lock = RTE_SPINLOCK_INITIALIZER };

static void dict_counters(struct rte_tel_data *d, const struct dp_stats *s)
{
	char name[64];
	int i;

	for (i = 0; i < DP_CTR__COUNT; i++)
		rte_tel_data_add_dict_u64(d, dp_ctr_name(i), s->ctr[i]);
	for (i = 1; i < OSC_ERR__COUNT; i++) {
		snprintf(name, sizeof(name), "osc_err_%s", osc_err_name(i));
		rte_tel_data_add_dict_u64(d, name, s->osc_err[i]);
	}
}

static int cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct dp_stats sum;

	(void)cmd;
	(void)params;
	rte_spinlock_lock(&tel.lock);
	if (tel.stats)
		dp_stats_sum(tel.stats, tel.n, &sum);
	rte_spinlock_unlock(&tel.lock);
	if (!tel.stats)
		return rte_tel_data_string(d, "stopped");
	rte_tel_data_start_dict(d);
	dict_counters(d, &sum);
	return 0;
}

static void hex(char *out, size_t cap, const uint8_t *b, size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n && 2 * i + 2 < cap; i++)
		snprintf(out + 2 * i, cap - 2 * i, "%02x", b[i]);
}

struct rte_tel_data *dp_telemetry_group_dict(const struct ctl_group_info *g)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	char gid[2 * OSC_ID_CTX_MAX + 2], sid[2 * OSC_ID_MAX + 2];

	if (!c)
		return NULL;
	hex(gid, sizeof(gid), g->gid, g->gid_len);
	hex(sid, sizeof(sid), g->sender_id, g->sender_id_len);
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_string(c, "name", g->name);
	rte_tel_data_add_dict_string(c, "gid", gid);
	rte_tel_data_add_dict_string(c, "sender_id", sid);
	rte_tel_data_add_dict_string(c, "modes", g->group_mode && g->pairwise_mode ?
				     "group,pairwise" : g->group_mode ? "group" : "pairwise");
	rte_tel_data_add_dict_string(c, "responses", g->pairwise_responses ? "pairwise" : "group");
	rte_tel_data_add_dict_u64(c, "members", g->members);
	rte_tel_data_add_dict_u64(c, "ssn", g->ssn);
	rte_tel_data_add_dict_u64(c, "generation", g->gen);
	return c;
}

struct rte_tel_data *dp_telemetry_ctx_dict(const struct dp_ctx_info *ci)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	char h[RTE_TEL_MAX_STRING_LEN];

	if (!c)
		return NULL;
	rte_tel_data_start_dict(c);
	hex(h, sizeof(h), ci->kid, ci->kid_len);
	rte_tel_data_add_dict_string(c, "kid", h);
	if (ci->has_id_ctx) {
		hex(h, sizeof(h), ci->id_ctx, ci->id_ctx_len);
		rte_tel_data_add_dict_string(c, "id_context", h);
	}
	rte_tel_data_add_dict_string(c, "alg", ci->alg);
	rte_tel_data_add_dict_u64(c, "ssn", ci->ssn);
	rte_tel_data_add_dict_u64(c, "replay_top", ci->replay_top);
	rte_tel_data_add_dict_string(c, "window", ci->window_known ? "known" : "unknown");
	return c;
}

/* Contexts from slot start on, at most CTX_PAGE of them. */
static void ctx_page(struct rte_tel_data *d, struct dp_ctx_table *t, unsigned start)
{
	unsigned slots = dp_ctx_table_slots(t), live = 0, shown = 0, i;
	struct dp_ctx_info ci;
	char name[32];

	for (i = 0; i < slots; i++) {
		if (dp_ctx_table_info(t, i, &ci))
			continue;
		live++;
		if (i < start || shown == CTX_PAGE)
			continue;
		struct rte_tel_data *c = dp_telemetry_ctx_dict(&ci);

		snprintf(name, sizeof(name), "%u", i);
		if (c && rte_tel_data_add_dict_container(d, name, c, 0) == 0)
			shown++;
		else
			rte_tel_data_free(c);
	}
	rte_tel_data_add_dict_u64(d, "count", live);
	rte_tel_data_add_dict_u64(d, "start", start);
	rte_tel_data_add_dict_u64(d, "shown", shown);
}

static int cmd_contexts(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned start = params && *params ? (unsigned)strtoul(params, NULL, 10) : 0;

	(void)cmd;
	rte_spinlock_lock(&tel.lock);
	if (!tel.t) {
		rte_spinlock_unlock(&tel.lock);
		return rte_tel_data_string(d, "stopped");
	}
	rte_tel_data_start_dict(d);
	ctx_page(d, tel.t, start);
	rte_spinlock_unlock(&tel.lock);
	return 0;
}

int dp_telemetry_start(const struct dp_stats *stats, unsigned n, struct dp_ctx_table *t)
{
	rte_spinlock_lock(&tel.lock);
	tel.stats = stats;
	tel.n = n;
	tel.t = t;
	rte_spinlock_unlock(&tel.lock);
	if (rte_telemetry_register_cmd("/oscore/stats", cmd_stats,
				       "Counters summed over workers. No parameters") ||
	    rte_telemetry_register_cmd("/oscore/contexts", cmd_contexts,
				       "Context count and up to 32 contexts (no keys). "
				       "Parameter: first slot"))
		return -1;
	return 0;
}

/* Lines first.. of the text, whole ones, at most METRICS_PAGE bytes (at least one line). */
static void metrics_page(struct rte_tel_data *d, const char *text, unsigned long first)
{
	static char page[METRICS_PAGE + 1];
	const char *p = text, *end, *nl;

	while (first-- && (nl = strchr(p, '\n')))
		p = nl + 1;
	for (end = p; (nl = strchr(end, '\n')) && (end == p || nl + 1 - p <= METRICS_PAGE);)
		end = nl + 1;
	if (end - p > METRICS_PAGE)
		end = p + METRICS_PAGE; /* one line longer than a page: never written */
	memcpy(page, p, (size_t)(end - p));
	page[end - p] = '\0';
	rte_tel_data_string(d, page);
}

/* Pages of dp_metrics_text: the parameter is the first line; a page ending "# EOF\n" is the last. */
static int cmd_metrics(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned long first = params && *params ? strtoul(params, NULL, 10) : 0;
	static rte_spinlock_t page_lock = RTE_SPINLOCK_INITIALIZER; /* the static page */
	char *text = NULL;
	size_t len;

	(void)cmd;
	rte_spinlock_lock(&tel.lock);
	if (tel.metrics)
		text = dp_metrics_text(tel.metrics, &len);
	rte_spinlock_unlock(&tel.lock);
	if (!text)
		return rte_tel_data_string(d, "stopped");
	rte_spinlock_lock(&page_lock);
	metrics_page(d, text, first);
	rte_spinlock_unlock(&page_lock);
	free(text);
	return 0;
}

int dp_telemetry_metrics(const struct dp_metrics_src *src)
{
	rte_spinlock_lock(&tel.lock);
	tel.metrics = src;
	rte_spinlock_unlock(&tel.lock);
	return rte_telemetry_register_cmd("/oscore/metrics", cmd_metrics,
					  "Prometheus text of every counter and gauge, a page of "
					  "whole lines. Parameter: first line") ? -1 : 0;
}

void dp_telemetry_stop(void)
{
	rte_spinlock_lock(&tel.lock);
	tel.stats = NULL;
	tel.t = NULL;
	tel.metrics = NULL;
	rte_spinlock_unlock(&tel.lock);
}

static uint64_t drops(const struct dp_stats *s)
{
	static const enum dp_ctr d[] = {
		DP_TX_FULL, DP_DROP_RUNT, DP_DROP_ETHERTYPE, DP_DROP_ARP, DP_DROP_IP_BAD,
		DP_DROP_IP_FRAGMENT, DP_DROP_IP_NOT_OURS, DP_DROP_ICMP, DP_DROP_NOT_UDP,
		DP_DROP_UDP_PORT, DP_DROP_NO_SLOT, DP_DROP_SILENT, DP_DROP_RATE_LIMITED,
		DP_DROP_RATE_LIMITED_SOURCE, DP_DEDUP_PENDING, DP_CTL_RING_FULL,
	};
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < RTE_DIM(d); i++)
		n += s->ctr[d[i]];
	return n;
}

void dp_summary_print(FILE *f, const struct dp_stats *stats, unsigned n, struct dp_summary *prev)
{
	struct dp_stats s;
	uint64_t now = rte_get_tsc_cycles();
	double sec = prev->tsc ? (double)(now - prev->tsc) / (double)rte_get_tsc_hz() : 0;

	dp_stats_sum(stats, n, &s);
	fprintf(f, "oscore-gw: rx %llu (%.0f/s) protected %llu (%.0f/s) errors %llu dedup %llu "
		   "ctl %llu drops %llu replays-processed %llu\n",
		(unsigned long long)s.ctr[DP_RX_PACKETS],
		sec > 0 ? (double)(s.ctr[DP_RX_PACKETS] - prev->rx) / sec : 0.0,
		(unsigned long long)s.ctr[DP_ANSWER_PROTECTED],
		sec > 0 ? (double)(s.ctr[DP_ANSWER_PROTECTED] - prev->protected_) / sec : 0.0,
		(unsigned long long)s.ctr[DP_ANSWER_ERROR], (unsigned long long)s.ctr[DP_DEDUP_HIT],
		(unsigned long long)s.ctr[DP_CTL_REQUESTS], (unsigned long long)drops(&s),
		(unsigned long long)s.ctr[DP_LOADTEST_REPLAYS]);
	fflush(f);
	*prev = (struct dp_summary){ .tsc = now, .rx = s.ctr[DP_RX_PACKETS],
				     .protected_ = s.ctr[DP_ANSWER_PROTECTED] };
}
