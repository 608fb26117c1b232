/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime changes of the groups the gateway is a member of (RFC 10021 with a Group Manager,
 * group-mgmt.md): join a group, install new keying material and Gid (rekeying, §2.5.3 / §3 of
 * the Group Manager's protocol), leave a group. Control lcore only.
 *
 * A change publishes one group pointer into its slot of struct ctl_groups (release store), so a
 * worker sees either the old group or the new one, whole. The group a change takes out is handed
 * back to the caller, which frees it only once no worker can hold it any more (RCU, in the
 * dataplane: dp_groups.h). Jobs queued for the control lcore carry the old group's generation
 * and are refused (ctl_groups_member).
 */
#ifndef CTL_GROUP_SET_H
#define CTL_GROUP_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "control/ctl_group_serve.h"

/*
 * One group from v, a group object of the configuration's "groups" format (or an array holding
 * exactly one), parsed and derived (§2.3) into a fresh *out; default replay window window.
 * Returns 0, or -1 with the field and reason (never key material) in err[0..cap).
 */
int ctl_group_from_json(json_t *v, unsigned window, struct ctl_group **out, char *err,
			size_t cap);

/*
 * Join: publish g in a free slot, its SSN resumed (ctl_groups_resume). Refused (-1, reason in
 * err) when CTL_GROUPS_MAX groups are present, a present group has g's name or Gid, or g's keying
 * material was used before (with SSN ops: its replay windows are lost, it would accept replays);
 * g then stays the caller's.
 */
int ctl_groups_add(struct ctl_groups *gs, struct ctl_group *g, char *err, size_t cap);

/*
 * Rekey: g (new keying material and Gid) replaces the present group whose Gid is gid[0..len), in
 * its slot, atomically; *old gets the replaced group for the caller to free after the grace
 * period; what the old group's SSN reached is recorded (ctl_group_ssn_ops). Refused (-1) when
 * there is no such group, another present group has g's name or Gid, or g's material was used
 * before; g then stays the caller's.
 */
int ctl_groups_replace(struct ctl_groups *gs, const uint8_t *gid, size_t len,
		       struct ctl_group *g, struct ctl_group **old, char *err, size_t cap);

/* Leave: unpublish the present group whose Gid is gid[0..len); *old and its SSN as for replace.
 * -1: none. */
int ctl_groups_remove(struct ctl_groups *gs, const uint8_t *gid, size_t len,
		      struct ctl_group **old);

/* What `oscore-gwctl group list` shows of a group: never keys. */
struct ctl_group_info {
	char name[CTL_GROUP_NAME_MAX];
	uint8_t gid[OSC_ID_CTX_MAX], sender_id[OSC_ID_MAX];
	uint8_t gid_len, sender_id_len;
	unsigned slot, members;
	uint32_t gen;
	bool group_mode, pairwise_mode, pairwise_responses;
	uint64_t ssn;
};

/* The present groups into out[0..cap), in slot order. Returns how many. */
unsigned ctl_groups_info(const struct ctl_groups *gs, struct ctl_group_info *out, unsigned cap);

#endif
