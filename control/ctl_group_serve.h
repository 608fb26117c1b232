/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway as a Group OSCORE member (RFC 10021), receiving side:
 *
 *   worker:  ctl_groups_find (Gid, then kid; no allocation, no lock) -> osc_group_rx_prepare
 *            -> AEAD batched with the other requests (stage a)
 *            -> hand message, plaintext and member handle over as CTL_KIND_GROUP
 *   control: ctl_group_serve: stage b (group mode: keystream, signature; in both modes the window
 *            is committed only here, once the signature verifies, §7.2, and only once the
 *            request was handed over) and the protected answer (§7.3).
 *
 * The groups are built from the configuration before the workers start; at runtime the control
 * lcore adds, replaces (rekey) and removes them (ctl_group_set.h) by publishing a group pointer
 * into its slot, and frees the one it replaced once no worker can hold it (RCU, in the
 * dataplane). Workers read a slot once per request and hold the group under their RCU hold; a
 * member crosses from worker to control lcore as a struct ctl_group_handle whose generation is
 * the group's own, so a job for a replaced or removed group is refused.
 */
#ifndef CTL_GROUP_SERVE_H
#define CTL_GROUP_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ctl_config_group.h"
#include "control/ctl_echo.h"
#include "control/ctl_plane.h"
#include "oscore/osc_group_msg.h"

/*
 * RFC 8613 App. B.1.1 for the groups' own Sender Sequence Numbers (one SSN space per group,
 * RFC 10021 §2.5.3), keyed by the group's sender fingerprint (ctl_fp_of_group), control lcore
 * only. reserve makes "no SSN below upto was used" durable, or fails; resume says the highest
 * bound reserved for fp, if any (the same store as the 1:1 contexts' tombstones, ctl_tomb.h).
 */
struct ctl_group_ssn_ops {
	int (*reserve)(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t upto);
	bool (*resume)(void *arg, const uint8_t fp[CTL_FP_LEN], uint64_t *upto);
	void *arg;
	uint64_t k;    /* write-ahead step (K_SSN) */
	bool own_piv;  /* answers take the gateway's own Partial IV ("response_piv": "own") */
	bool durable;  /* reserve reaches a store ("state_db"): it survives a crash; else it is
			* in memory only and group sends keep the clock floor (ctl_group_send.c) */
};

/* The groups the gateway is a member of. Workers load g[i] and n atomically (acquire); only the
 * control lcore writes them. A slot is NULL when its group was removed. */
struct ctl_groups {
	struct ctl_group_ssn_ops ssn; /* reserve NULL: SSNs are not kept (no own Partial IVs) */
	uint64_t ssn_floor_ms; /* ctl_clock_ms() at ctl_groups_build: the clock floor's start */
	bool loadtest;     /* "loadtest_replay": replays processed, never refused (benchmarks) */
	struct ctl_echo echo; /* §9 Echo values (ctl_echo_init by the owner, after build) */
	struct ctl_group *g[CTL_GROUPS_MAX];
	unsigned n;        /* slots in use: g[0..n) (some may be NULL) */
	unsigned present;  /* non-NULL slots; 0: no request takes the group path */
	uint32_t next_gen; /* the generation of the next group published (never 0) */
};

/*
 * Derive every configured group of c into gs (zeroed first); on the control plane. Returns 0, or
 * -1 with the failing group's name and reason (no secret) in err[0..err_len); gs then holds
 * nothing.
 */
int ctl_groups_build(struct ctl_groups *gs, const struct ctl_groups_config *c, char *err,
		     size_t err_len);

/* Wipe and free every group. Workers must have stopped. */
void ctl_groups_free(struct ctl_groups *gs);

/*
 * Keep the groups' SSNs with ops (copied) from now on: every present group resumes at the bound
 * stored for its keying material (0 if none: nothing may be used before a reservation), and so
 * does each group published later (ctl_group_set.h). A present group whose material was used
 * before (a restart) gets invalid replay windows for all its members (RFC 10021 §9: a member's
 * first request is answered with an Echo challenge). Control lcore, before workers start.
 */
void ctl_groups_set_ssn(struct ctl_groups *gs, const struct ctl_group_ssn_ops *ops);

/* Resume g's SSN as ctl_groups_set_ssn says (no-op without ops). Returns whether its keying
 * material was used before (a bound was stored). */
bool ctl_groups_resume(const struct ctl_groups *gs, struct ctl_group *g);

/* Worker side: is any group present (else no request takes the group path)? gs may be NULL. */
bool ctl_groups_active(const struct ctl_groups *gs);

/*
 * Before grp's next SSN is used (a group send, an answer or Echo challenge with the gateway's own
 * Partial IV), on the control lcore, which alone protects with a group's SSN: make sure no later
 * process can use it again (RFC 8613 §7.2.1, App. B.1.1, RFC 10021 §2.5.3).
 * - Without a store (ssn.durable false), the clock floor (ctl_clock.h): grp's SSN is raised once
 *   per process to at least gs->ssn_floor_ms (the clock when the groups were built, at start:
 *   above every SSN a process before this one used), and the SSN is used only while it is below
 *   the clock now. So at most about 1000 SSNs per second per group, sustained; idle time allows
 *   bursts.
 * - With reservations (ctl_groups_set_ssn), the SSN is then reserved K ahead (durably with a
 *   store: its fsync on the caller's time); they also raise the limit osc_ssn_next keeps.
 * Returns 0, or -1 when no SSN may be used now (the clock not past it, or the store refused).
 */
int ctl_groups_durable_ssn(const struct ctl_groups *gs, struct ctl_group *grp);

/* The slot of the present group whose Gid is gid[0..len), or -1. gs may be NULL. */
int ctl_groups_by_gid(const struct ctl_groups *gs, const uint8_t *gid, size_t len);

/*
 * Worker side, read-only: the member a parsed request o names, by its kid context (the Gid) and
 * then its kid; *h gets its handle. NULL when o has no kid or kid context, no group has that Gid
 * (a context of RFC 8613 may), or the group has no such member. Our own Sender ID is no member,
 * so a request with it as kid finds none (§7.2).
 */
struct osc_member *ctl_groups_find(const struct ctl_groups *gs, const struct osc_option *o,
				   struct ctl_group_handle *h);

/* Does any group have the Gid o's kid context names? (A request with the Group Flag or with a
 * group's Gid belongs to the group path even when its kid names no member.) */
bool ctl_groups_has_gid(const struct ctl_groups *gs, const struct osc_option *o);

/* Is o's kid our own Sender ID in the group its kid context names? */
bool ctl_groups_own_kid(const struct ctl_groups *gs, const struct osc_option *o);

/* The member of handle h if it is still current, else NULL; and its group in *grp. */
struct osc_member *ctl_groups_member(const struct ctl_groups *gs, struct ctl_group_handle h,
				     struct ctl_group **grp);

/*
 * The CTL_KIND_GROUP handler (arg: struct ctl_groups *): re-parse the message, take the worker's
 * plaintext (osc_group_rx_adopt), verify the countersignature and only then commit the Partial
 * IV (pairwise mode: commit only); answer 2.05 (GET, FETCH) or 2.04, protected in group mode
 * with kid (or in pairwise mode with "responses": "pairwise"; a pairwise-mode request in pairwise
 * mode), on the request's nonce, or with "response_piv": "own" on the gateway's own Partial IV
 * (§7.3), each below a bound already reserved (App. B.1.1; a failed reservation: no answer).
 * On an invalid replay window (§9) a protected 4.01 with an Echo, on our own Partial IV; the
 * request repeated with it is accepted. A request that fails gets no answer: it may have been
 * sent to a multicast address (§7 forbids error answers to those), counted per reason.
 */
int ctl_group_serve(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		    size_t cap);

#endif
