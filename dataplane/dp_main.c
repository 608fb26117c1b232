/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-gw: an OSCORE-terminating gateway on DPDK.
 *   oscore-gw [EAL options] -- --config FILE [--idle-exit SECONDS] [--duration SECONDS]
 *                                [--stats-json FILE]
 *   oscore-gw --check-config FILE      (no EAL: validate, say what would run; exit 0 or 1)
 * The main lcore sets up the port and the context table, starts one worker per queue, and then
 * serves as the control lcore (control requests, context reclamation, summary lines) until
 * SIGINT/SIGTERM, --duration or the workers' idle exit; then it prints the summed counters.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "control/ctl_config.h"
#include "dataplane/dp_check_config.h"
#include "dataplane/dp_ctl_ring.h"
#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_metrics_http.h"
#include "dataplane/dp_mgmt.h"
#include "dataplane/dp_ops.h"
#include "dataplane/dp_port.h"
#include "dataplane/dp_steer.h"
#include "dataplane/dp_stats.h"
#include "dataplane/dp_telemetry.h"
#include "dataplane/dp_worker.h"

struct opts {
	const char *config;
	const char *stats_json;
	double idle_exit;
	double duration;
};

static bool quit;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&quit, true, __ATOMIC_RELAXED);
}

static void usage(void)
{
	fprintf(stderr, "usage: oscore-gw [EAL options] -- --config FILE [--idle-exit SECONDS] "
			"[--duration SECONDS] [--stats-json FILE]\n"
			"       oscore-gw --check-config FILE\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "idle-exit", required_argument, NULL, 'i' },
		{ "stats-json", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'c')
			o->config = optarg;
		else if (ch == 's')
			o->stats_json = optarg;
		else if (ch == 'i') {
			o->idle_exit = strtod(optarg, &end);
			if (*end || o->idle_exit <= 0)
				return -1;
		} else if (ch == 'd') {
			o->duration = strtod(optarg, &end);
			if (*end || o->duration <= 0)
				return -1;
		} else
			return -1;
	}
	return o->config && optind == argc ? 0 : -1;
}

/* With groups: All CoAP Nodes and each group's "multicast" address are accepted as
 * destinations (RFC 7252 §12.8, RFC 10021 §7); the group-send port too. */
static void addrs_mcast(const struct ctl_config *c, struct dp_addrs *a)
{
	unsigned i;

	a->mcast_all_coap = c->groups.n > 0;
	a->gsend_port = c->group_send.enabled ? rte_cpu_to_be_16(c->group_send.port) : 0;
	for (i = 0; i < c->groups.n; i++) {
		const struct ctl_group_mcast *m = &c->groups.g[i].mcast;

		if (m->set && m->v6 && a->n_mcast6 < DP_MCAST_MAX)
			memcpy(a->mcast6[a->n_mcast6++], m->addr, 16);
		else if (m->set && !m->v6 && a->n_mcast4 < DP_MCAST_MAX)
			memcpy(&a->mcast4[a->n_mcast4++], m->addr + 12, 4);
	}
}

static void addrs_of(const struct ctl_config *c, uint16_t port, struct dp_addrs *a)
{
	memset(a, 0, sizeof(*a));
	rte_eth_macaddr_get(port, &a->mac);
	memcpy(&a->ipv4, c->ipv4, 4);
	if (c->ipv4_prefix && c->ipv4_prefix <= 30) /* RFC 3021: a /31 or /32 has no broadcast */
		a->ipv4_bcast = a->ipv4 | rte_cpu_to_be_32(UINT32_MAX >> c->ipv4_prefix);
	memcpy(a->ipv6, c->ipv6, 16);
	a->has_ipv4 = c->has_ipv4;
	a->has_ipv6 = c->has_ipv6;
	a->udp_port = rte_cpu_to_be_16(c->udp_port);
	a->tx_cksum = dp_port_tx_cksum(port);
	addrs_mcast(c, a);
}

/* Everything the main lcore owns, released at the one exit point. */
struct gw {
	struct opts o;
	struct ctl_config cfg;
	struct dp_ctx_table *table;
	struct dp_state *state;
	unsigned n_ctx;             /* contexts at start */
	struct rte_mempool *mp;
	struct dp_addrs addrs, up_addrs;
	struct dp_addrs up_self[RTE_MAX_LCORE]; /* up_addrs with each worker's source port */
	struct dp_steer *steer;     /* several forward workers */
	struct dp_worker_conf wc[RTE_MAX_LCORE];
	struct dp_stats *stats;     /* nq workers', then the control lcore's */
	struct dp_ops ops;
	uint16_t port, up_port, nq;
	bool port_started, up_started;
	struct dp_metrics_src msrc;     /* what /metrics and /oscore/metrics read */
	struct dp_metrics_http *http;   /* "metrics_listen" */
};

static void worker_confs(struct gw *g)
{
	uint16_t q;

	for (q = 0; q < g->nq; q++)
		g->wc[q] = (struct dp_worker_conf){
			.port = g->port, .queue = q, .burst = g->cfg.burst, .addrs = &g->addrs,
			.table = g->table, .err_rate = g->cfg.err_rate,
			.err_burst = g->cfg.err_burst, .stats = &g->stats[q], .quit = &quit,
			.idle_exit_cycles = (uint64_t)(g->o.idle_exit * (double)rte_get_tsc_hz()),
			.fwd = g->cfg.mode == CTL_MODE_FORWARD ? &g->cfg.fwd : NULL,
			.up_port = g->up_port, .up_addrs = &g->up_addrs, .mp = g->mp,
			.up_self = &g->up_self[q], .steer = g->steer,
		};
	dp_ops_worker_confs(&g->ops, g->wc, g->nq);
}

/* Workers on the first nq worker lcores, or on the main lcore when there is no other. */
static void run_workers(struct gw *g)
{
	unsigned lcore, q = 0;

	if (rte_lcore_count() == 1) {
		dp_worker_main(&g->wc[0]);
		return;
	}
	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (q == g->nq)
			break;
		dp_ops_launch(&g->ops, &g->wc[q++], lcore);
	}
	dp_ops_control_loop(&g->ops, g->o.duration, &quit);
	rte_eal_mp_wait_lcore();
}

/* Forward mode: the upstream's own port, if the configuration names one (else the client port). */
static int resolve_upstream_port(struct gw *g)
{
	const char *name = g->cfg.fwd.up_port;

	g->up_port = g->port;
	if (g->cfg.mode != CTL_MODE_FORWARD || !name[0] || !dp_port_resolve(name, &g->up_port))
		return 0;
	return fprintf(stderr, "oscore-gw: %s: upstream_port: no such port \"%s\"\n",
		       g->o.config, name), -1;
}

/* Queues, so workers: one per worker lcore, as many as the ports have; the main lcore works if
 * alone. Forward mode needs as many on the upstream's port: each worker sends from its own. */
static uint16_t worker_count(const struct gw *g)
{
	unsigned lcores = rte_lcore_count() > 1 ? rte_lcore_count() - 1 : 1;
	uint16_t nq = dp_port_queue_count(g->port, lcores);

	if (g->up_port != g->port)
		nq = RTE_MIN(nq, dp_port_queue_count(g->up_port, lcores));
	return nq;
}

/* Forward mode: worker w talks to the upstream from UDP port first + w and owns what comes back
 * to it (dp_steer.h); the classifier lets those ports through on both ports. */
static int setup_steering(struct gw *g)
{
	uint16_t first = g->cfg.fwd.src_port ? g->cfg.fwd.src_port : g->cfg.udp_port;
	unsigned q;

	if ((unsigned)first + g->nq - 1 > UINT16_MAX)
		return fprintf(stderr, "oscore-gw: %s: upstream_source_port %u + %u workers is past "
			       "65535\n", g->o.config, first, g->nq), -1;
	g->addrs.up_first = g->up_addrs.up_first = first;
	g->addrs.up_n = g->up_addrs.up_n = g->nq;
	for (q = 0; q < g->nq; q++) {
		g->up_self[q] = g->up_addrs;
		g->up_self[q].udp_port = rte_cpu_to_be_16((uint16_t)(first + q));
	}
	if (g->nq < 2)
		return 0;
	g->steer = dp_steer_new(g->nq, first, (int)rte_socket_id());
	if (!g->steer)
		return fprintf(stderr, "oscore-gw: out of memory for the steer rings\n"), -1;
	dp_steer_flows(g->steer, g->up_port, &g->cfg.fwd.upstream, g->cfg.fwd.upstream_udp, stdout);
	return 0;
}

/* Forward mode: start the upstream's own port, its addresses, the workers' source ports. */
static int setup_upstream_port(struct gw *g)
{
	if (g->cfg.mode != CTL_MODE_FORWARD) {
		addrs_of(&g->cfg, g->up_port, &g->up_addrs);
		return 0;
	}
	if (g->up_port != g->port) {
		if (dp_port_start(g->up_port, g->nq, g->mp, stdout))
			return fprintf(stderr, "oscore-gw: port %u: cannot start\n", g->up_port), -1;
		g->up_started = true;
	}
	addrs_of(&g->cfg, g->up_port, &g->up_addrs);
	return setup_steering(g);
}

/* The table (max_contexts slots) filled from the configuration and the state database. */
static int setup_contexts(struct gw *g)
{
	char err[512];

	g->table = dp_ctx_table_create(g->cfg.ctl.max_contexts, (int)rte_socket_id());
	if (!g->table)
		return fprintf(stderr, "oscore-gw: %s: context table: out of memory for %u\n",
			       g->o.config, g->cfg.ctl.max_contexts), -1;
	g->state = dp_state_open(&g->cfg.ctl, g->table, err, sizeof(err));
	if (!g->state || dp_state_load(g->state, g->cfg.ctx, g->cfg.n_ctx, err, sizeof(err)))
		return fprintf(stderr, "oscore-gw: %s: %s\n", g->o.config, err), -1;
	g->n_ctx = dp_ctx_table_count(g->table);
	if (g->cfg.ctl.state_db[0] && rte_lcore_count() < 2)
		return fprintf(stderr, "oscore-gw: state_db needs a control lcore (-l 0-1)\n"), -1;
	return 0;
}

/* Metrics for monitoring: the telemetry command always, the HTTP endpoint if configured. */
static int setup_metrics(struct gw *g)
{
	g->msrc = (struct dp_metrics_src){
		.stats = g->stats, .n_workers = g->nq, .table = g->table,
		.max_contexts = g->cfg.ctl.max_contexts, .state = g->state,
		.ns = g->cfg.ctl.has_ns ? &g->cfg.ctl.ns : NULL, .start_time = (uint64_t)time(NULL),
	};
	if (dp_telemetry_metrics(&g->msrc))
		fprintf(stderr, "oscore-gw: telemetry command /oscore/metrics not registered\n");
	if (!g->cfg.ops.metrics_listen[0])
		return 0;
	g->http = dp_metrics_http_start(g->cfg.ops.metrics_listen, &g->msrc);
	return g->http ? 0 : -1;
}

static int setup(struct gw *g)
{
	char err[512];

	if (ctl_config_load(&g->cfg, g->o.config, err, sizeof(err)))
		return fprintf(stderr, "oscore-gw: config refused: %s\n", err), -1;
	if (dp_port_resolve(g->cfg.port, &g->port))
		return fprintf(stderr, "oscore-gw: %s: port: no such port \"%s\"\n", g->o.config,
			       g->cfg.port), -1;
	if (resolve_upstream_port(g))
		return -1;
	if (setup_contexts(g))
		return -1;
	g->mp = rte_pktmbuf_pool_create("mbufs", g->cfg.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	g->nq = worker_count(g);
	g->stats = dp_stats_alloc(g->nq + 1u, (int)rte_socket_id());
	if (!g->mp || !g->stats)
		return fprintf(stderr, "oscore-gw: out of memory for %u mbufs\n", g->cfg.mbufs), -1;
	if (dp_port_start(g->port, g->nq, g->mp, stdout))
		return fprintf(stderr, "oscore-gw: port %u: cannot start\n", g->port), -1;
	g->port_started = true;
	if (dp_ops_setup(&g->ops, &g->cfg, g->o.config, g->port, g->nq, g->mp, g->table, g->state,
			 g->stats, g->o.duration > 0))
		return -1;
	g->ops.mgmt = dp_mgmt_start(g->state, g->table, g->cfg.replay_window, dp_ops_reclaim,
				    &g->ops);
	dp_mgmt_set_ace(g->ops.mgmt, g->ops.ace, g->ops.ctl, &g->stats[g->nq]);
	dp_mgmt_set_groups(g->ops.mgmt, g->ops.dpg);
	addrs_of(&g->cfg, g->port, &g->addrs);
	g->addrs.tx_cksum = dp_port_tx_cksum(g->ops.tx_port); /* where the worker's answers leave */
	if (setup_upstream_port(g))
		return -1;
	if (g->ops.ctl)
		dp_ctl_set_frames(g->ops.ctl, g->mp, &g->addrs, &g->up_addrs);
	worker_confs(g);
	return setup_metrics(g);
}

static int report(struct gw *g)
{
	struct dp_stats sum;

	dp_stats_sum(g->stats, g->nq + 1u, &sum);
	printf("oscore-gw: counters\n");
	dp_stats_print(&sum, stdout);
	fflush(stdout);
	if (g->o.stats_json && dp_stats_write_json(&sum, g->stats, g->nq, g->o.stats_json)) {
		fprintf(stderr, "oscore-gw: cannot write %s\n", g->o.stats_json);
		return -1;
	}
	return 0;
}

static void teardown(struct gw *g)
{
	dp_metrics_http_stop(g->http); /* before what it reads is freed */
	dp_mgmt_stop(g->ops.mgmt);
	dp_ops_teardown(&g->ops);
	if (g->up_started) {
		rte_eth_dev_stop(g->up_port);
		rte_eth_dev_close(g->up_port);
	}
	if (g->port_started) {
		rte_eth_dev_stop(g->port);
		rte_eth_dev_close(g->port); /* net_pcap closes its output file here */
	}
	dp_steer_free(g->steer); /* frames still handed over, before their mempool goes */
	dp_state_close(g->state);
	dp_ctx_table_free(g->table);
	rte_mempool_free(g->mp);
	ctl_config_free(&g->cfg);
	dp_stats_free(g->stats);
}

int main(int argc, char **argv)
{
	static struct gw g;
	int n, rc = EXIT_FAILURE;

	/* before the EAL, which would want hugepages and devices for a check */
	if (argc == 3 && !strcmp(argv[1], "--check-config"))
		return dp_check_config(argv[2], stdout, stderr);
	n = rte_eal_init(argc, argv);

	if (n < 0) {
		fprintf(stderr, "oscore-gw: EAL init failed: %s\n", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argv[n] = argv[0];
	if (parse_opts(argc - n, argv + n, &g.o)) {
		usage();
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (setup(&g) == 0) {
		printf("oscore-gw: port %u, %u queue(s), %u context(s)\n", g.port, g.nq, g.n_ctx);
		fflush(stdout);
		run_workers(&g);
		rc = report(&g) ? EXIT_FAILURE : EXIT_SUCCESS;
	}
	teardown(&g);
out:
	rte_eal_cleanup();
	return rc;
}
