/* SPDX-License-Identifier: BSD-3-Clause */
/* Runtime changes of the group set (ctl_group_set.h). */
#include "control/ctl_group_set.h"

#include <stdio.h>
#include <string.h>

int ctl_group_from_json(json_t *v, unsigned window, struct ctl_group **out, char *err,
			size_t cap)
{
	struct ctl_groups_config c;
	char field[160], reason[160];
	json_t *a = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
	int bad_member, rc;

	*out = NULL;
	if (!a || json_array_size(a) != 1) {
		json_decref(a);
		snprintf(err, cap, "expected one group object");
		return -1;
	}
	rc = ctl_config_groups(a, window, &c, field, sizeof(field), reason, sizeof(reason));
	json_decref(a);
	if (rc) {
		snprintf(err, cap, "%s: %s", field, reason);
		return -1;
	}
	rc = ctl_group_build(out, &c.g[0], &bad_member);
	ctl_config_groups_free(&c);
	if (rc != OSC_GROUP_OK)
		snprintf(err, cap, "%s", osc_group_strerror(rc));
	return rc == OSC_GROUP_OK ? 0 : -1;
}

/* A present group other than slot skip with g's name or Gid: its reason, or NULL. */
static const char *clash(const struct ctl_groups *gs, const struct ctl_group *g, int skip)
{
	unsigned i;

	for (i = 0; i < gs->n; i++) {
		const struct ctl_group *o = gs->g[i];

		if (!o || (int)i == skip)
			continue;
		if (!strcmp(o->name, g->name))
			return "a group with this name is present";
		if (o->g.gid_len == g->g.gid_len && !memcmp(o->g.gid, g->g.gid, g->g.gid_len))
			return "a group with this gid is present";
	}
	return NULL;
}

/* The group old leaves: what its SSN reached is kept (App. B.1.1), so that its keying material
 * is known if it comes back. */
static void retire(struct ctl_groups *gs, struct ctl_group *old)
{
	uint64_t upto = old->g.ssn > old->g.ssn_limit ? old->g.ssn : old->g.ssn_limit;

	if (gs->ssn.reserve)
		gs->ssn.reserve(gs->ssn.arg, old->fp, upto ? upto : 1);
}

/* Keying material used before (a stored SSN bound): its members' replay windows are gone, so
 * it would accept replays; a Group Manager rekeys instead (§2.6.1, §9). */
static const char *used_before(struct ctl_groups *gs, struct ctl_group *g)
{
	return ctl_groups_resume(gs, g) ? "this group's keying material was used before and its "
					  "replay windows are lost: rekey it (new Master Secret "
					  "or Gid)" : NULL;
}

/* Publish g into slot i: its fields first, then the pointer (workers load it with acquire). */
static void publish(struct ctl_groups *gs, unsigned i, struct ctl_group *g)
{
	if (g) {
		g->gen = gs->next_gen++;
		if (!gs->next_gen) /* 0 is no group's: a handle of 0 is never current */
			gs->next_gen = 1;
	}
	__atomic_store_n(&gs->g[i], g, __ATOMIC_RELEASE);
}

int ctl_groups_add(struct ctl_groups *gs, struct ctl_group *g, char *err, size_t cap)
{
	const char *why = clash(gs, g, -1);

	if (!why)
		why = used_before(gs, g);
	unsigned i;

	for (i = 0; !why && i < gs->n && gs->g[i]; i++)
		;
	if (!why && i == CTL_GROUPS_MAX)
		why = "the gateway is a member of as many groups as it can be";
	if (why) {
		snprintf(err, cap, "%s", why);
		return -1;
	}
	publish(gs, i, g);
	if (i == gs->n)
		__atomic_store_n(&gs->n, i + 1, __ATOMIC_RELEASE); /* after the slot is set */
	__atomic_store_n(&gs->present, gs->present + 1, __ATOMIC_RELAXED);
	return 0;
}

int ctl_groups_replace(struct ctl_groups *gs, const uint8_t *gid, size_t len,
		       struct ctl_group *g, struct ctl_group **old, char *err, size_t cap)
{
	int i = ctl_groups_by_gid(gs, gid, len);
	const char *why = i < 0 ? "no such group" : clash(gs, g, i);

	if (!why)
		why = used_before(gs, g);
	if (why) {
		snprintf(err, cap, "%s", why);
		return -1;
	}
	*old = gs->g[i];
	publish(gs, (unsigned)i, g);
	retire(gs, *old);
	return 0;
}

int ctl_groups_remove(struct ctl_groups *gs, const uint8_t *gid, size_t len,
		      struct ctl_group **old)
{
	int i = ctl_groups_by_gid(gs, gid, len);

	if (i < 0)
		return -1;
	*old = gs->g[i];
	publish(gs, (unsigned)i, NULL);
	retire(gs, *old);
	__atomic_store_n(&gs->present, gs->present - 1, __ATOMIC_RELAXED);
	return 0;
}

unsigned ctl_groups_info(const struct ctl_groups *gs, struct ctl_group_info *out, unsigned cap)
{
	unsigned i, k = 0;

	for (i = 0; i < gs->n && k < cap; i++) {
		const struct ctl_group *g = gs->g[i];
		struct ctl_group_info *in = &out[k];

		if (!g)
			continue;
		memset(in, 0, sizeof(*in));
		memcpy(in->name, g->name, sizeof(in->name));
		memcpy(in->gid, g->g.gid, g->g.gid_len);
		memcpy(in->sender_id, g->g.sender_id, g->g.sender_id_len);
		in->gid_len = g->g.gid_len;
		in->sender_id_len = g->g.sender_id_len;
		in->slot = i;
		in->members = g->n_m;
		in->gen = g->gen;
		in->group_mode = g->g.group_enc != NULL;
		in->pairwise_mode = g->g.aead != NULL;
		in->pairwise_responses = g->pairwise_responses;
		in->ssn = __atomic_load_n(&g->g.ssn, __ATOMIC_RELAXED);
		k++;
	}
	return k;
}
