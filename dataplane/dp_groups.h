/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Groups at runtime (`oscore-gwctl group add/rekey/remove`), on the control lcore: parse and
 * derive the group (ctl_group_set.h), refuse a Gid that a 1:1 context already uses as its ID
 * Context (its requests would take the group path), publish, and free what was replaced or
 * removed only after every worker has reported a quiescent state since (rte_rcu_qsbr): a worker
 * still verifying a request of the old group finishes on the old keys.
 */
#ifndef DP_GROUPS_H
#define DP_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "control/ctl_group_set.h"
#include "dataplane/dp_ctx_table.h"

struct rte_rcu_qsbr;
struct dp_groups;

/* The runtime side of gs (owned by the caller) over table t and the workers' QSBR v (NULL: no
 * workers). NULL when out of memory. */
struct dp_groups *dp_groups_new(struct ctl_groups *gs, struct dp_ctx_table *t,
				struct rte_rcu_qsbr *v);

/* Free what awaits its grace period (the workers must have stopped), then d. NULL allowed. */
void dp_groups_free(struct dp_groups *d);

/* Join the group of JSON v (ctl_group_from_json). 0, or -1 with a reason in msg (no secret). */
int dp_groups_add(struct dp_groups *d, json_t *v, unsigned window, char *msg, size_t cap);

/* Rekey the group of Gid gid[0..len) to the group of JSON v (new keying material and Gid),
 * atomically. 0, or -1 with a reason; -2 when retired groups still await their grace period
 * (reclaim and retry). */
int dp_groups_rekey(struct dp_groups *d, const uint8_t *gid, size_t len, json_t *v,
		    unsigned window, char *msg, size_t cap);

/* Leave the group of Gid gid[0..len). 0, -1 no such group, -2 as for rekey. */
int dp_groups_remove(struct dp_groups *d, const uint8_t *gid, size_t len, char *msg, size_t cap);

/* Free the retired groups whose grace period has passed. Cheap when there are none. */
void dp_groups_reclaim(struct dp_groups *d);

/* The group set (read-only here: ctl_groups_info, ctl_groups_by_gid). */
const struct ctl_groups *dp_groups_set(const struct dp_groups *d);

#endif
