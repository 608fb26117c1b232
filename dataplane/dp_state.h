/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's view of the contexts: which are in the table, their durable copies in the
 * state database (RFC 8613 App. B.1.1: SSN write-ahead with ctl_ssn), the Recipient-ID namespaces
 * a provisioning method must stay in, and App. B.1.2 for contexts restored after a restart.
 * Main lcore only (and the write-ahead ticker thread): every function here may block on fsync
 * and must never run on a worker.
 */
#ifndef DP_STATE_H
#define DP_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "control/ctl_config_ctx.h"
#include "control/ctl_ssn.h"
#include "dataplane/dp_ctx_table.h"

struct dp_state;

/* State for table t under configuration c (state_db may be ""). NULL with a reason in err. */
struct dp_state *dp_state_open(const struct ctl_ctx_config *c, struct dp_ctx_table *t, char *err,
			       size_t err_len);

void dp_state_close(struct dp_state *s);

/*
 * At start: the configured contexts p[0..n) (method "direct") are stored (a stored context with the
 * same parameters keeps its id and SSN ceiling), then every stored context goes into the table:
 * its SSN resumes above the stored ceiling (App. B.1.1) and, if it was used before this start and
 * rfc8613_b_1_2 is on, its replay window is unknown (App. B.1.2). Without a state database the
 * configured contexts go straight into the table. Returns 0, or -1 with a reason in err.
 */
int dp_state_load(struct dp_state *s, const struct osc_params *p, unsigned n, char *err,
		  size_t err_len);

/* Runtime add of p by method "direct": namespace check, store, table. Returns 0, or an enum
 * dp_ctx_add_err / -100 (refused by the namespace or the store) with a reason in err. */
int dp_state_add(struct dp_state *s, const struct osc_params *p, char *err, size_t err_len);

/* The same for a context established by method m (its Recipient ID must lie in m's part of the
 * "id_namespaces", when they are configured). */
int dp_state_add_method(struct dp_state *s, enum ctl_method m, const struct osc_params *p,
			char *err, size_t err_len);

/* Runtime remove: table (RCU-deferred), SSN tracking, store. Returns 0, -1 no such context, -2
 * busy (reclaim and retry). */
int dp_state_remove(struct dp_state *s, const uint8_t *rid, uint8_t rid_len, const uint8_t *id_ctx,
		    uint8_t id_ctx_len, bool has_id_ctx);

struct ctl_groups;

/* The groups the gateway is a member of (runtime-changed on the control lcore): a context added
 * at runtime whose ID Context is a present group's Gid is refused, as the configuration refuses
 * it at start, because its requests would take the group path. gs may be NULL. */
void dp_state_set_groups(struct dp_state *s, const struct ctl_groups *gs);

/*
 * App. B.1.1 for a Group OSCORE group's own SSNs (ctl_group_ssn_ops), by its sender fingerprint
 * fp, kept with the tombstones (in the state database when there is one, else for the life of
 * the process). reserve: no SSN below upto of fp is ever used again, durable before it returns
 * 0 (-1: not written). resume: the highest such bound, if fp has one. Control lcore.
 */
int dp_state_group_reserve(struct dp_state *s, const uint8_t fp[CTL_FP_LEN], uint64_t upto);
bool dp_state_group_resume(struct dp_state *s, const uint8_t fp[CTL_FP_LEN], uint64_t *upto);

/* Keep rec[0..len) (no secret: what authorised it, e.g. an ACE token's checked claims) with
 * the context in slot in the state database; removed with it. Returns 0 (also without a state
 * database: nothing outlives the process then), or -1. */
int dp_state_put_grant(struct dp_state *s, unsigned slot, const uint8_t *rec, size_t len);

/* Called by dp_state_foreach_grant with the slot its context was restored into. The walk holds
 * the state's lock: fn must not call dp_state functions (collect, then act). */
typedef int (*dp_state_grant_fn)(void *arg, unsigned slot, const uint8_t *rec, size_t len);

/* At start, after dp_state_load: every kept record of a context in the table. Returns 0, fn's
 * non-zero value, or -1. */
int dp_state_foreach_grant(struct dp_state *s, dp_state_grant_fn fn, void *arg);

/* The control-plane configuration s was opened with. */
const struct ctl_ctx_config *dp_state_config(const struct dp_state *s);

/* Write SSN ceilings ahead (ctl_ssn_tick) now. Returns what ctl_ssn_tick returns. Without a
 * state database: raise the ssn_limit of the next slots' contexts to the clock
 * (ctl_ssn_floor_raise, the clock floor of ctl_ssn.h; a full pass over 1M contexts takes about
 * a thousand ticks) and return 0. */
int dp_state_tick(struct dp_state *s);

/*
 * Tick (dp_state_tick) every period_us microseconds on a thread of its own, so that no long
 * operation of the control lcore starves it and answers with own Partial IVs never fall back to
 * 5.03 for want of a tick: with a state database it writes ceilings ahead (RFC 8613 App. B.1.1)
 * under a mutex shared with the functions above; without one it moves the clock floor's limits
 * (under the table's telemetry lock only). Never shared with workers. Returns 0, or -1 if the
 * thread cannot start.
 */
int dp_state_start_ticker(struct dp_state *s, unsigned period_us);

/* Stop the ticker (dp_state_close does it too). */
void dp_state_stop_ticker(struct dp_state *s);

/* Any thread (metrics): the SSN write-ahead gauges (control/ctl_ssn.h). Returns 0, or -1 without
 * a state database (nothing is written ahead then). */
int dp_state_ssn_gauges(const struct dp_state *s, struct ctl_ssn_gauges *out);

#endif
