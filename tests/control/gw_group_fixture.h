/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway's side of group-oscore-vectors.txt B.0's group, built without a configuration file:
 * member 51 with members 0a and 52 and the multicast address 239.255.0.3:5683, as
 * ctl_groups_build would make it. Shared by the group-send benchmark and fuzz harness.
 */
#ifndef GW_GROUP_FIXTURE_H
#define GW_GROUP_FIXTURE_H

#include "control/ctl_group_serve.h"

/* gs (zeroed first) with that one group. Returns 0, or an enum osc_group_err. */
int gwfix_groups(struct ctl_groups *gs);

#endif
