/* SPDX-License-Identifier: BSD-3-Clause */
/* Operations set-up and the control loop of the main lcore (see dp_ops.h). */
#include "dataplane/dp_ops.h"
#include "dataplane/dp_port.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>

#include "control/ctl_ace_serve.h"
#include "control/ctl_b12.h"
#include "control/ctl_b2.h"
#include "control/ctl_group_send.h"
#include "control/ctl_group_serve.h"
#include "control/ctl_echo.h"
#include "control/ctl_edhoc.h"
#include "dataplane/dp_ctl_ring.h"
#include "dataplane/dp_dedup.h"
#include "dataplane/dp_groups.h"
#include "dataplane/dp_ratelimit.h"
#include "dataplane/dp_scope.h"
#include "dataplane/dp_rcu.h"
#include "dataplane/dp_telemetry.h"


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
	if (dp_port_resolve(name, &o->tx_port) || dp_port_start(o->tx_port, nq, mp, stdout))
		return -1;
	o->tx_port_started = true;
	return 0;
}

/* One deduplication table and one error limiter per worker, preallocated here. */
static int worker_tables(struct dp_ops *o, const struct ctl_config *c)
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

/* RFC 8613 App. B.1.2 (contexts restored with an unknown window) on the control lcore. */
static int b12_setup(struct dp_ops *o, const struct ctl_config *c)
{
	if (!c->ctl.b12)
		return 0;
	o->b12 = calloc(1, sizeof(*o->b12));
	if (!o->b12 || ctl_echo_init(&o->b12->echo, CTL_ECHO_LIFETIME_DEFAULT))
		return fprintf(stderr, "oscore-gw: no random key for Echo values\n"), -1;
	o->b12->own_piv = c->ctl.own_piv;
	o->b12->forward = c->mode == CTL_MODE_FORWARD;
	return ctl_plane_on_kind(o->plane, CTL_KIND_WINDOW_UNKNOWN, ctl_b12_handler, o->b12);
}

/* RFC 8613 App. B.2 for the contexts configured with "b2". R2 lives as long as an Echo value:
 * both wait for the device's next request. */
static int b2_setup(struct dp_ops *o, const struct ctl_config *c)
{
	unsigned i;

	if (!c->n_b2)
		return 0;
	o->b2 = ctl_b2_server_new(CTL_ECHO_LIFETIME_DEFAULT, c->ctl.own_piv,
				  c->mode == CTL_MODE_FORWARD);
	for (i = 0; o->b2 && i < c->n_b2; i++)
		if (ctl_b2_server_add(o->b2, &c->ctx[c->b2_idx[i]]))
			break;
	if (!o->b2 || i < c->n_b2 ||
	    ctl_plane_on_kind(o->plane, CTL_KIND_NO_CONTEXT, ctl_b2_handler, o->b2))
		return fprintf(stderr, "oscore-gw: App. B.2 templates refused\n"), -1;
	return 0;
}

/* The EDHOC responder on /.well-known/edhoc (RFC 9528 App. A.2) and for RFC 9668 combined
 * requests when "edhoc" is configured; C_R from the "edhoc" Recipient-ID namespace when
 * namespaces are. */
static int edhoc_setup(struct dp_ops *o, const struct ctl_config *c)
{
	if (!c->edhoc.enabled)
		return 0;
	o->edhoc = ctl_edhoc_new(&c->edhoc, c->ctl.has_ns ? &c->ctl.ns : NULL,
				 c->mode == CTL_MODE_FORWARD, c->ctl.own_piv);
	if (!o->edhoc ||
	    ctl_plane_on_path(o->plane, "/.well-known/edhoc", CTL_PATH_PLAIN, ctl_edhoc_handler,
			      o->edhoc) ||
	    ctl_plane_on_kind(o->plane, CTL_KIND_EDHOC, ctl_edhoc_combined, o->edhoc))
		return fprintf(stderr, "oscore-gw: EDHOC responder refused its configuration\n"),
		       -1;
	return 0;
}

static int group_reserve(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t upto)
{
	return dp_state_group_reserve(arg, fp, upto);
}

static bool group_resume(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t *upto)
{
	return dp_state_group_resume(arg, fp, upto);
}

/* Group OSCORE groups the gateway is a member of: the configured ones derived once, more joined
 * at runtime (dp_groups.h), served by kind CTL_KIND_GROUP (signatures on the control lcore).
 * The set exists whenever there is a control lcore, so that a group can be added to a gateway
 * started without one; with none present no request takes the group path. */
static int groups_setup(struct dp_ops *o, const struct ctl_config *c, struct dp_state *s)
{
	char err[160];

	o->groups = calloc(1, sizeof(*o->groups));
	if (!o->groups || ctl_groups_build(o->groups, &c->groups, err, sizeof(err)))
		return fprintf(stderr, "oscore-gw: %s\n", o->groups ? err : "out of memory"), -1;
	o->groups->loadtest = c->ops.loadtest_replay;
	if (ctl_echo_init(&o->groups->echo, CTL_ECHO_LIFETIME_DEFAULT))
		return fprintf(stderr, "oscore-gw: no random numbers for the groups' Echo\n"), -1;
	if (s) {
		struct ctl_group_ssn_ops ops = { .reserve = group_reserve, .resume = group_resume,
						 .arg = s, .k = c->ctl.k_ssn ? c->ctl.k_ssn : 1,
						 .own_piv = c->ctl.own_piv,
						 .durable = c->ctl.state_db[0] != 0 };

		dp_state_set_groups(s, o->groups);
		ctl_groups_set_ssn(o->groups, &ops); /* resumed above what a previous run used */
	}
	if (ctl_plane_on_kind(o->plane, CTL_KIND_GROUP, ctl_group_serve, o->groups))
		return -1;
	if (!c->group_send.enabled)
		return 0;
	o->gsend = ctl_group_send_new(o->groups, &c->group_send);
	return o->gsend ? ctl_plane_on_kind(o->plane, CTL_KIND_GROUP_SEND, ctl_group_send_serve,
					    o->gsend) : -1;
}

static int publish_scope(void *arg, struct ctl_ctx_handle h, const struct ctl_ace_scope *scope)
{
	return dp_scopes_set(arg, h, scope);
}

static int end_scope(void *arg, struct ctl_ctx_handle h)
{
	return dp_scopes_end(arg, h);
}

struct restore_walk {
	struct ctl_ace_server *ace;
	struct dp_ctx_table *t;
	uint8_t *kept; /* per slot: its token was taken on again */
	int64_t now;
};

/* One kept token (ctl_ace_grant.h) for the restored context in slot. */
static int restore_grant(void *arg, unsigned slot, const uint8_t *rec, size_t len)
{
	struct restore_walk *r = arg;
	struct ctl_ctx_handle retire;
	struct dp_ctx_info in;
	struct osc_ctx *c;

	if (dp_ctx_table_info(r->t, slot, &in) ||
	    !(c = dp_ctx_table_find(r->t, in.kid, in.kid_len, in.id_ctx, in.id_ctx_len,
				    in.has_id_ctx)))
		return 0;
	if (ctl_ace_server_restore(r->ace, dp_ctx_table_ref(r->t, c), rec, len, r->now, &retire))
		return 0;
	r->kept[slot] = 1;
	if (retire.gen)
		r->kept[retire.slot] = 0;
	return 0;
}

/* A context of the ace namespace restored from "state_db" keeps its token (scope, expiry); one
 * whose token expired while the gateway was down, or has none, is removed before workers start
 * (RFC 9200 §5.10.3: requests on it get the unprotected 4.01). */
static int ace_restore(struct dp_ops *o, const struct ctl_config *c, struct dp_ctx_table *t,
		       struct dp_state *s)
{
	struct restore_walk r = { .ace = o->ace, .t = t, .now = (int64_t)time(NULL) };
	unsigned i, n = 0, kept = 0;
	struct dp_ctx_info in;

	if (!s)
		return 0;
	r.kept = calloc(dp_ctx_table_slots(t) + 1, 1);
	if (!r.kept || dp_state_foreach_grant(s, restore_grant, &r))
		return free(r.kept), -1;
	for (i = 0; i < dp_ctx_table_slots(t); i++) {
		if (dp_ctx_table_info(t, i, &in) ||
		    !ctl_ns_check(&c->ctl.ns, CTL_M_ACE, in.kid, in.kid_len))
			continue;
		if (r.kept[i])
			kept++;
		else if (!dp_state_remove(s, in.kid, in.kid_len, in.id_ctx, in.id_ctx_len,
					  in.has_id_ctx))
			n++;
	}
	free(r.kept);
	if (kept || n)
		printf("oscore-gw: %u stored ACE context(s) restored with their tokens, %u removed "
		       "(token expired or not kept)\n", kept, n);
	return 0;
}

/* ACE (RFC 9203 §4): the /authz-info handler, unprotected (token post) and protected (update of
 * access rights), when the configuration has an "ace" section; else /authz-info stays 4.04. */
static int ace_setup(struct dp_ops *o, const struct ctl_config *c, struct dp_ctx_table *t,
		     struct dp_state *s)
{
	int n;

	if (!c->ace.conf)
		return 0;
	o->ace = ctl_ace_server_new(c->ace.conf, &c->ctl.ns, c->ace.max_lifetime,
				    c->ctl.own_piv);
	/* live scopes: one per kept token, as many again awaiting a grace period */
	o->scopes = dp_scopes_new(c->ctl.max_contexts, 2 * c->ace.conf->max_tokens + 2,
				  (int)rte_socket_id());
	if (o->ace && o->scopes) {
		ctl_ace_server_on_scope(o->ace, publish_scope, o->scopes);
		/* observations (forward mode) get a final 4.01 before the context goes */
		ctl_ace_server_on_end(o->ace, end_scope, o->scopes);
	}
	/* the 4.01 to an unprotected request names the AS when "as_uri" is configured */
	n = ctl_ace_creation_hints(c->ace.conf, NULL, NULL, 0, o->ace_hints, sizeof(o->ace_hints));
	o->ace_hints_len = n > 0 ? (uint16_t)n : 0;
	if (!o->ace || !o->scopes || ace_restore(o, c, t, s) ||
	    ctl_plane_on_path(o->plane, "/authz-info",
					 CTL_PATH_PLAIN | CTL_PATH_PROTECTED, ctl_ace_handler,
					 o->ace) ||
	    ctl_plane_on_gate(o->plane, ctl_ace_gate, o->ace))
		return fprintf(stderr, "oscore-gw: cannot set up /authz-info\n"), -1;
	return 0;
}

/* The control plane's handlers: the configured protected control paths (and below them) and the
 * unprotected resources reserved for ACE (RFC 9200 §5.10.1) and EDHOC (RFC 9528 §A.2), answered
 * 4.04 until a handler registers for them; App. B.1.2 and B.2. */
static int plane_setup(struct dp_ops *o, const struct ctl_config *c, struct dp_ctx_table *t,
		       struct dp_state *s)
{
	unsigned i;

	o->plane = ctl_plane_new();
	if (!o->plane)
		return -1;
	for (i = 0; i < c->ops.n_ctl_paths; i++)
		if (ctl_plane_on_path(o->plane, c->ops.ctl_paths[i],
				      CTL_PATH_PROTECTED | CTL_PATH_PREFIX, NULL, NULL))
			return -1;
	if (ctl_plane_on_path(o->plane, "/authz-info", CTL_PATH_PLAIN, NULL, NULL) ||
	    ctl_plane_on_path(o->plane, "/.well-known/edhoc", CTL_PATH_PLAIN, NULL, NULL) ||
	    b12_setup(o, c) || b2_setup(o, c) || ace_setup(o, c, t, s) || groups_setup(o, c, s) ||
	    edhoc_setup(o, c))
		return -1;
	o->ctl = dp_ctl_new(o->nq, o->plane, t, s, (int)rte_socket_id());
	return o->ctl ? 0 : -1;
}

int dp_ops_setup(struct dp_ops *o, const struct ctl_config *c, const char *path, uint16_t port,
		 uint16_t nq, struct rte_mempool *mp, struct dp_ctx_table *t, struct dp_state *s,
		 struct dp_stats *stats, bool duration)
{
	*o = (struct dp_ops){ .cfg = c, .table = t, .state = s, .stats = stats, .nq = nq,
			      .tx_port = port };
	if (duration && rte_lcore_count() == 1)
		return fprintf(stderr, "oscore-gw: --duration needs a worker lcore (-l 0-1)\n"), -1;
	if (c->ops.tx_port[0] && tx_port_start(o, c->ops.tx_port, nq, mp))
		return fprintf(stderr, "oscore-gw: %s: tx_port: cannot start \"%s\"\n", path,
			       c->ops.tx_port), -1;
	if (worker_tables(o, c))
		return fprintf(stderr, "oscore-gw: out of memory for deduplication tables\n"), -1;
	if (c->n_b2 && rte_lcore_count() == 1)
		return fprintf(stderr, "oscore-gw: \"b2\" needs a worker lcore (-l 0-1)\n"), -1;
	if (c->groups.n && rte_lcore_count() == 1)
		return fprintf(stderr, "oscore-gw: \"groups\" need a worker lcore (-l 0-1)\n"), -1;
	if (rte_lcore_count() > 1 && plane_setup(o, c, t, s))
		return fprintf(stderr, "oscore-gw: cannot set up the control plane\n"), -1;
	/* App. B.1.1: ceilings written ahead about every millisecond; a context's SSN may advance
	 * by K_SSN / 2 between two ticks before its workers see OSC_ERR_SSN_LIMIT. Without a
	 * state database the same thread moves the clock floor's limits (ctl_ssn.h). */
	if (s && dp_state_start_ticker(s, 1000))
		return fprintf(stderr, "oscore-gw: cannot start the SSN ticker thread\n"), -1;
	o->rcu = dp_rcu_new(nq, (int)rte_socket_id());
	if (!o->rcu)
		return fprintf(stderr, "oscore-gw: cannot create the RCU variable\n"), -1;
	dp_ctx_table_set_rcu(t, o->rcu);
	if (o->scopes)
		dp_scopes_set_rcu(o->scopes, o->rcu);
	if (o->groups && !(o->dpg = dp_groups_new(o->groups, t, o->rcu)))
		return fprintf(stderr, "oscore-gw: out of memory for the groups\n"), -1;
	if (dp_telemetry_start(stats, nq + 1u, t))
		fprintf(stderr, "oscore-gw: telemetry commands not registered\n");
	o->telemetry = true;
	if (c->ops.loadtest_replay)
		loadtest_warning(path);
	return 0;
}

void dp_ops_worker_confs(const struct dp_ops *o, struct dp_worker_conf *wc, unsigned nq)
{
	unsigned q;

	for (q = 0; q < nq; q++) {
		wc[q].tx_port = o->tx_port;
		wc[q].id = q;
		wc[q].loadtest = o->cfg->ops.loadtest_replay;
		wc[q].ctl_protected = o->ctl && ctl_plane_serves(o->plane, CTL_KIND_PROTECTED);
		wc[q].dedup = o->dedup[q];
		wc[q].rl = o->rl[q];
		wc[q].ctl = o->ctl;
		wc[q].rcu = o->rcu;
		wc[q].own_piv = o->cfg->ctl.own_piv;
		wc[q].b2 = o->ctl && ctl_plane_serves(o->plane, CTL_KIND_NO_CONTEXT);
		wc[q].edhoc = o->ctl && ctl_plane_serves(o->plane, CTL_KIND_EDHOC);
		wc[q].groups = o->ctl ? o->groups : NULL;
		wc[q].scopes = o->scopes;
		wc[q].ace_hints = o->ace_hints;
		wc[q].ace_hints_len = o->ace_hints_len;
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

/* ACE: superseded contexts removed once their successors are used (RFC 9203 §6), every turn;
 * contexts of expired tokens (RFC 9200 §5.10.3), checked once a second. */
static void ace_tick(struct dp_ops *o)
{
	struct ctl_env env;
	time_t now = time(NULL);

	if (!o->ace || !o->ctl)
		return;
	dp_ctl_env(o->ctl, &o->stats[o->nq], &env);
	/* RFC 9203 §6: a reposted token's old context goes once the new one is used */
	o->stats[o->nq].ctr[DP_ACE_SUPERSEDED] += ctl_ace_server_poll(o->ace, &env);
	if (now == o->ace_last_tick)
		return;
	o->ace_last_tick = now;
	o->stats[o->nq].ctr[DP_ACE_EXPIRED] += ctl_ace_server_tick(o->ace, &env, (int64_t)now);
}

/* Group sending: collections whose time is up answered to their requesters. */
static void gsend_tick(struct dp_ops *o)
{
	struct ctl_env env;

	if (!o->gsend || !o->ctl || !ctl_group_send_open(o->gsend))
		return;
	dp_ctl_env(o->ctl, &o->stats[o->nq], &env);
	ctl_group_send_tick(o->gsend, &env, ctl_gsend_now_ms());
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

void dp_ops_control_loop(struct dp_ops *o, double duration, bool *quit)
{
	uint64_t hz = rte_get_tsc_hz(), now = rte_get_tsc_cycles();
	uint64_t end = duration > 0 ? now + (uint64_t)(duration * (double)hz) : 0;
	uint64_t every = (uint64_t)o->cfg->ops.summary_interval * hz, next = now + every;
	struct dp_summary sum = { .tsc = now };

	while (__atomic_load_n(&running, __ATOMIC_ACQUIRE)) {
		unsigned served = o->ctl ? dp_ctl_service(o->ctl, &o->stats[o->nq]) : 0;

		served += dp_mgmt_poll(o->mgmt);
		ace_tick(o);
		gsend_tick(o);
		dp_ctx_table_reclaim(o->table, drain_ctl, o);
		dp_groups_reclaim(o->dpg);
		now = rte_get_tsc_cycles();
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
	ctl_plane_free(o->plane);
	if (o->b12) {
		ctl_echo_wipe(&o->b12->echo);
		free(o->b12);
	}
	ctl_b2_server_free(o->b2);
	ctl_edhoc_free(o->edhoc);
	dp_groups_free(o->dpg);
	ctl_group_send_free(o->gsend);
	if (o->groups) {
		ctl_groups_free(o->groups);
		free(o->groups);
	}
	ctl_ace_server_free(o->ace);
	dp_scopes_free(o->scopes);
	dp_rcu_free(o->rcu);
	*o = (struct dp_ops){ 0 };
}
