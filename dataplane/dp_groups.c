/* SPDX-License-Identifier: BSD-3-Clause */
/* Groups at runtime, with RCU reclamation (see dp_groups.h). */
#include "dataplane/dp_groups.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_rcu_qsbr.h>

/* Each change retires at most one group; as many again as can be present is plenty, since the
 * workers report quiescent states within microseconds. */
#define RETIRED_MAX CTL_GROUPS_MAX

struct dp_groups {
	struct ctl_groups *gs;
	struct dp_ctx_table *t;
	struct rte_rcu_qsbr *rcu;
	struct {
		struct ctl_group *g;
		uint64_t token;
	} ret[RETIRED_MAX];
	unsigned n_ret;
};

struct dp_groups *dp_groups_new(struct ctl_groups *gs, struct dp_ctx_table *t,
				struct rte_rcu_qsbr *v)
{
	struct dp_groups *d = calloc(1, sizeof(*d));

	if (d)
		*d = (struct dp_groups){ .gs = gs, .t = t, .rcu = v };
	return d;
}

void dp_groups_free(struct dp_groups *d)
{
	unsigned i;

	if (!d)
		return;
	for (i = 0; i < d->n_ret; i++)
		ctl_group_free(d->ret[i].g);
	free(d);
}

void dp_groups_reclaim(struct dp_groups *d)
{
	unsigned done = 0, i;

	while (d && done < d->n_ret &&
	       (!d->rcu || rte_rcu_qsbr_check(d->rcu, d->ret[done].token, false) == 1))
		ctl_group_free(d->ret[done++].g);
	if (!done)
		return;
	for (i = done; i < d->n_ret; i++)
		d->ret[i - done] = d->ret[i];
	d->n_ret -= done;
}

/* Room to retire one group, or -2 (busy: the caller reclaims and retries). */
static int room(struct dp_groups *d, char *msg, size_t cap)
{
	dp_groups_reclaim(d);
	if (d->n_ret < RETIRED_MAX)
		return 0;
	snprintf(msg, cap, "busy, retry");
	return -2;
}

/* g taken out of the table: freed once every worker has passed a quiescent state. */
static void retire(struct dp_groups *d, struct ctl_group *g)
{
	d->ret[d->n_ret].g = g;
	d->ret[d->n_ret++].token = d->rcu ? rte_rcu_qsbr_start(d->rcu) : 0;
}

/* Does a 1:1 context have Gid gid as its ID Context? Its requests would take the group path
 * (dp_worker's group_request), so the group is refused, as ctl_config refuses it at start. A
 * scan of the slots: a group change is rare and on the control lcore. */
static bool ctx_has_gid(struct dp_ctx_table *t, const struct ctl_group *g)
{
	unsigned i, n = dp_ctx_table_slots(t);
	struct dp_ctx_info in;

	for (i = 0; t && i < n; i++)
		if (!dp_ctx_table_info(t, i, &in) && in.has_id_ctx &&
		    in.id_ctx_len == g->g.gid_len && !memcmp(in.id_ctx, g->g.gid, in.id_ctx_len))
			return true;
	return false;
}

/* The group of JSON v, derived, and not shadowing a 1:1 context; NULL with a reason. */
static struct ctl_group *build(struct dp_groups *d, json_t *v, unsigned window, char *msg,
			       size_t cap)
{
	struct ctl_group *g;

	if (ctl_group_from_json(v, window, &g, msg, cap))
		return NULL;
	if (ctx_has_gid(d->t, g)) {
		snprintf(msg, cap, "gid is the id_context of a configured context");
		ctl_group_free(g);
		return NULL;
	}
	return g;
}

int dp_groups_add(struct dp_groups *d, json_t *v, unsigned window, char *msg, size_t cap)
{
	struct ctl_group *g = build(d, v, window, msg, cap);

	if (!g)
		return -1;
	if (ctl_groups_add(d->gs, g, msg, cap)) {
		ctl_group_free(g);
		return -1;
	}
	snprintf(msg, cap, "added %s", g->name);
	return 0;
}

int dp_groups_rekey(struct dp_groups *d, const uint8_t *gid, size_t len, json_t *v,
		    unsigned window, char *msg, size_t cap)
{
	struct ctl_group *g, *old = NULL;

	if (room(d, msg, cap))
		return -2;
	if (ctl_groups_by_gid(d->gs, gid, len) < 0)
		return snprintf(msg, cap, "no such group"), -1;
	g = build(d, v, window, msg, cap);
	if (!g)
		return -1;
	if (ctl_groups_replace(d->gs, gid, len, g, &old, msg, cap)) {
		ctl_group_free(g);
		return -1;
	}
	retire(d, old);
	snprintf(msg, cap, "rekeyed %s", g->name);
	return 0;
}

int dp_groups_remove(struct dp_groups *d, const uint8_t *gid, size_t len, char *msg, size_t cap)
{
	struct ctl_group *old = NULL;

	if (room(d, msg, cap))
		return -2;
	if (ctl_groups_remove(d->gs, gid, len, &old))
		return snprintf(msg, cap, "no such group"), -1;
	retire(d, old);
	snprintf(msg, cap, "removed");
	return 0;
}

const struct ctl_groups *dp_groups_set(const struct dp_groups *d)
{
	return d->gs;
}
