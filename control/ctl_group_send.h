/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sending to a Group OSCORE group (RFC 10021 §7.1, §7.4) for the building's plain-CoAP systems:
 *
 *   requester --plain CoAP--> gateway:"group_send.port"  POST/GET/PUT/... /groups/NAME/rest...
 *     control lcore: /groups/NAME stripped, the rest is the path the members see; one NON request
 *     protected in group mode (one countersignature, our Sender ID, an SSN of the group's one SSN
 *     space), sent to the group's "multicast" address; a CON requester gets an empty ACK now
 *   member --group or pairwise mode--> gateway:"group_send.port" (token of that request)
 *     control lcore: signature (group mode) or pairwise AEAD verified, one answer per member kept,
 *     duplicates, late and unverifiable answers counted and dropped
 *   after "collect_ms" (or once every member answered): one NON 2.05 separate response to the
 *     requester (its token), Content-Format 60 (application/cbor), a CBOR array with one map per
 *     member that answered, in order of arrival:
 *       {"kid": bstr, "addr": tstr, "port": uint, "mode": "group" | "pairwise",
 *        "code": tstr "c.dd", ? "cf": uint, "payload": bstr}
 *
 * The aggregate is one datagram: answers that would make it longer than CTL_GSEND_AGG_MAX are
 * left out and counted (block-wise transfer of the aggregate is not done). Bad requests from the
 * requester (unicast, so RFC 7252 error answers apply) get 4.04 (no such group), 4.00 (no
 * /groups/NAME path), 4.02 (Proxy-Uri, Proxy-Scheme: not a proxy; Observe) or 5.03 (every
 * collection busy, the SSN clock floor below, or the request could not be protected or sent);
 * error answers carry Max-Age 0 and a diagnostic payload (ctl_answer_error).
 *
 * Nonces (§2.5.3, RFC 8613 §7.2.1): the SSN comes from osc_ssn_next (atomic, never handed out
 * twice in a process). Across a crash, ctl_groups_durable_ssn (ctl_group_serve.h) decides before
 * each send, as for the groups' own-Partial-IV answers: with "state_db" a durable reservation
 * (App. B.1.1); without it the clock floor (ctl_clock.h): each group's SSN is raised at start to
 * the wall clock in milliseconds since 2025-01-01, and a send is refused (5.03) while the SSN is
 * not below that clock. So every SSN used before a crash is below the clock at the crash, and
 * every SSN used after it is at or above the clock at the restart: no nonce repeats as long as
 * the wall clock does not step back across the restart (sustained rate at most 1000 SSNs per
 * second per group, sends and own-Partial-IV answers together; bursts use the slack of idle time).
 *
 * Control lcore only (signing and verifying allocate in OpenSSL).
 */
#ifndef CTL_GROUP_SEND_H
#define CTL_GROUP_SEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ctl_config_group.h"
#include "control/ctl_group_serve.h"
#include "control/ctl_plane.h"

#define CTL_GSEND_AGG_MAX 1024 /* the aggregate's payload: one datagram within any MTU */
#define CTL_GSEND_TOKEN_LEN 8

struct ctl_group_send;

/*
 * Sending for the groups of gs (kept by the caller, outliving the result) with cfg: a table of
 * cfg->pending collections. Raises each group's SSN to the clock floor (see above).
 * NULL when out of memory.
 */
struct ctl_group_send *ctl_group_send_new(struct ctl_groups *gs,
					  const struct ctl_group_send_config *cfg);

void ctl_group_send_free(struct ctl_group_send *s);

/*
 * The CTL_KIND_GROUP_SEND handler (arg: struct ctl_group_send *): a request from the requester
 * (job->peer: its address, port, MAC and side) starts a collection; a response is a member's
 * answer to one. Returns the answer to job (an empty ACK for a CON, an error answer) or 0.
 */
int ctl_group_send_serve(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
			 size_t cap);

/* Collections whose time is up (now_ms: CLOCK_MONOTONIC milliseconds) answered to their
 * requesters. Returns how many. */
unsigned ctl_group_send_tick(struct ctl_group_send *s, struct ctl_env *env, uint64_t now_ms);

/* CLOCK_MONOTONIC in milliseconds (what ctl_group_send_tick and the deadlines use). */
uint64_t ctl_gsend_now_ms(void);

/* Collections open now. */
unsigned ctl_group_send_open(const struct ctl_group_send *s);

#endif
