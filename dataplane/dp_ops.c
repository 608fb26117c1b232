/* SPDX-License-Identifier: BSD-3-Clause */
/* Operations set-up and the control loop of the main lcore (see dp_ops.h). */
#include "dataplane/dp_ops.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>

#include "control/ctl_echo.h"
#include "dataplane/dp_ctl_ring.h"
#include "dataplane/dp_dedup.h"
#include "dataplane/dp_ratelimit.h"
#include "dataplane/dp_rcu.h"
#include "dataplane/dp_telemetry.h"

#define TX_RING 1024

static unsigned running; /* launched workers that have not returned */

static void loadtest_warning(const char *path)
{
	fprintf(stderr,
		"oscore-gw: ****************************************************************\n"
		"oscore-gw: WARNING: %s sets \"loadtest_replay\": true\n"
		"oscore-gw: WARNING: REPLAY PROTECTION IS OFF. Replayed OSCORE requests are\n"
		"oscore-gw: WARNING: processed and answered (counted loadtest_replays_processed),\n"
		"oscore-gw: WARNING: repeated CoAP Message IDs are processed again. This is for\n"
		"oscore-gw: WARNING: replaying a capture in a load test ONLY, never for devices.\n"
		"oscore-gw: ****************************************************************\n",
		path);
}

/* The answer port of "tx_port": nq tx queues (and rx queues, which nothing polls). */
static int tx_port_start(struct dp_ops *o, const char *name, uint16_t nq, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = { 0 };
	const char *p = name;
	uint16_t q;

	while (isdigit((unsigned char)*p))
		p++;
	if (!*p)
		o->tx_port = (uint16_t)atoi(name);
	else if (rte_eth_dev_get_port_by_name(name, &o->tx_port))
		return -1;
	if (!rte_eth_dev_is_valid_port(o->tx_port) || rte_eth_dev_configure(o->tx_port, nq, nq, &conf))
		return -1;
	for (q = 0; q < nq; q++)
		if (rte_eth_rx_queue_setup(o->tx_port, q, TX_RING, rte_socket_id(), NULL, mp) ||
		    rte_eth_tx_queue_setup(o->tx_port, q, TX_RING, rte_socket_id(), NULL))
			return -1;
	if (rte_eth_dev_start(o->tx_port))
		return -1;
	o->tx_port_started = true;
	return 0;
}

/* One deduplication table and one error limiter per worker, preallocated here. */
static int worker_tables(struct dp_ops *o, const struct dp_config *c)
{
	uint64_t hz = rte_get_tsc_hz();
	struct dp_rl_conf rl = { .rate = c->err_rate, .burst = c->err_burst,
				 .src_rate = c->ops.err_src_rate, .src_burst = c->ops.err_src_burst,
				 .src_entries = c->ops.err_sources };
	unsigned i;

	for (i = 0; i < o->nq; i++) {
		if (c->ops.dedup_entries &&
		    !(o->dedup[i] = dp_dedup_new(c->ops.dedup_entries,
						 c->ops.exchange_lifetime * hz, (int)rte_socket_id())))
			return -1;
		if (!(o->rl[i] = dp_rl_new(&rl, hz, rte_get_tsc_cycles(), (int)rte_socket_id())))
			return -1;
	}
	return 0;
}

int dp_ops_setup(struct dp_ops *o, const struct dp_config *c, const char *path, uint16_t port,
		 uint16_t nq, struct rte_mempool *mp, struct dp_ctx_table *t, struct dp_stats *stats,
		 bool duration)
{
	*o = (struct dp_ops){ .cfg = c, .table = t, .stats = stats, .nq = nq, .tx_port = port };
	if (duration && rte_lcore_count() == 1)
		return fprintf(stderr, "oscore-gw: --duration needs a worker lcore (-l 0-1)\n"), -1;
	if (c->ops.tx_port[0] && tx_port_start(o, c->ops.tx_port, nq, mp))
		return fprintf(stderr, "oscore-gw: %s: tx_port: cannot start \"%s\"\n", path,
			       c->ops.tx_port), -1;
	if (worker_tables(o, c))
		return fprintf(stderr, "oscore-gw: out of memory for deduplication tables\n"), -1;
	if (rte_lcore_count() > 1 && !(o->ctl = dp_ctl_new(nq, &c->ops, (int)rte_socket_id())))
		return fprintf(stderr, "oscore-gw: cannot create the control rings\n"), -1;
	if (o->ctl && c->ctl.b12 &&
	    dp_ctl_b12_setup(o->ctl, CTL_ECHO_LIFETIME_DEFAULT, c->ctl.own_piv,
			     c->mode == DP_MODE_FORWARD ? t : NULL))
		return fprintf(stderr, "oscore-gw: no random key for Echo values\n"), -1;
	o->rcu = dp_rcu_new(nq, (int)rte_socket_id());
	if (!o->rcu)
		return fprintf(stderr, "oscore-gw: cannot create the RCU variable\n"), -1;
	dp_ctx_table_set_rcu(t, o->rcu);
	if (dp_telemetry_start(stats, nq + 1u, t))
		fprintf(stderr, "oscore-gw: telemetry commands not registered\n");
	o->telemetry = true;
	if (c->ops.loadtest_replay)
		loadtest_warning(path);
	return 0;
}

int dp_ops_b2_setup(struct dp_ops *o)
{
	const struct dp_config *c = o->cfg;

	if (!c->n_b2)
		return 0;
	if (!o->ctl)
		return fprintf(stderr, "oscore-gw: \"b2\" needs a worker lcore (-l 0-1)\n"), -1;
	/* R2 lives as long as an Echo value: both wait for the device's next request */
	if (dp_ctl_b2_setup(o->ctl, o->state, o->table, c->ctx, c->b2_idx, c->n_b2,
			    CTL_ECHO_LIFETIME_DEFAULT))
		return fprintf(stderr, "oscore-gw: App. B.2 templates refused\n"), -1;
	return 0;
}

void dp_ops_worker_confs(const struct dp_ops *o, struct dp_worker_conf *wc, unsigned nq)
{
	unsigned q;

	for (q = 0; q < nq; q++) {
		wc[q].tx_port = o->tx_port;
		wc[q].id = q;
		wc[q].loadtest = o->cfg->ops.loadtest_replay;
		wc[q].ctl_protected = o->ctl && o->cfg->ops.n_ctl_paths;
		wc[q].dedup = o->dedup[q];
		wc[q].rl = o->rl[q];
		wc[q].ctl = o->ctl;
		wc[q].rcu = o->rcu;
		wc[q].own_piv = o->cfg->ctl.own_piv;
		wc[q].b2 = o->ctl && o->cfg->n_b2;
	}
}

static int worker_entry(void *arg)
{
	int rc = dp_worker_main(arg);

	__atomic_sub_fetch(&running, 1, __ATOMIC_RELEASE);
	return rc;
}

void dp_ops_launch(struct dp_ops *o, struct dp_worker_conf *wc, unsigned lcore)
{
	(void)o;
	__atomic_add_fetch(&running, 1, __ATOMIC_RELEASE);
	if (rte_eal_remote_launch(worker_entry, wc, lcore))
		__atomic_sub_fetch(&running, 1, __ATOMIC_RELEASE);
}

/* Serve every control request queued now (also what reclamation must see answered first). */
static void drain_ctl(void *arg)
{
	struct dp_ops *o = arg;

	while (o->ctl && dp_ctl_service(o->ctl, &o->stats[o->nq]) > 0)
		;
}

void dp_ops_reclaim(void *arg)
{
	struct dp_ops *o = arg;

	dp_ctx_table_reclaim(o->table, drain_ctl, o);
}

/* App. B.1.1: write SSN ceilings ahead about every millisecond; a context's SSN may advance by
 * K_SSN / 2 between two ticks before its workers see OSC_ERR_SSN_LIMIT. */
static void tick_state(struct dp_ops *o, uint64_t now, uint64_t *next)
{
	if (!o->state || now < *next)
		return;
	dp_state_tick(o->state);
	*next = now + rte_get_tsc_hz() / 1000;
}

void dp_ops_control_loop(struct dp_ops *o, double duration, bool *quit)
{
	uint64_t hz = rte_get_tsc_hz(), now = rte_get_tsc_cycles();
	uint64_t end = duration > 0 ? now + (uint64_t)(duration * (double)hz) : 0;
	uint64_t every = (uint64_t)o->cfg->ops.summary_interval * hz, next = now + every;
	uint64_t next_tick = now;
	struct dp_summary sum = { .tsc = now };

	while (__atomic_load_n(&running, __ATOMIC_ACQUIRE)) {
		unsigned served = o->ctl ? dp_ctl_service(o->ctl, &o->stats[o->nq]) : 0;

		served += dp_mgmt_poll(o->mgmt);
		dp_ctx_table_reclaim(o->table, drain_ctl, o);
		now = rte_get_tsc_cycles();
		tick_state(o, now, &next_tick);
		if (end && now >= end)
			__atomic_store_n(quit, true, __ATOMIC_RELAXED);
		if (every && now >= next) {
			dp_summary_print(stdout, o->stats, o->nq + 1u, &sum);
			next += every;
		}
		if (!served)
			rte_delay_us_sleep(200); /* the control lcore may sleep; workers never do */
	}
	drain_ctl(o);
}

void dp_ops_teardown(struct dp_ops *o)
{
	unsigned i;

	if (o->telemetry)
		dp_telemetry_stop();
	if (o->tx_port_started) {
		rte_eth_dev_stop(o->tx_port);
		rte_eth_dev_close(o->tx_port);
	}
	for (i = 0; i < o->nq; i++) {
		dp_dedup_free(o->dedup[i]);
		dp_rl_free(o->rl[i]);
	}
	dp_ctl_free(o->ctl);
	dp_rcu_free(o->rcu);
	*o = (struct dp_ops){ 0 };
}
