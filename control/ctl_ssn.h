/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sender Sequence Number write-ahead (RFC 8613 App. B.1.1) for the contexts the control plane
 * publishes to workers.
 *
 * A context's ssn_limit is the durable ceiling: protect refuses SSNs at or above it
 * (OSC_ERR_SSN_LIMIT), so every SSN a worker ever uses is below a ceiling already on disk. After a
 * crash a context resumes at its stored ceiling; every SSN below it may have been used, none at
 * or above it was. (This is App. B.1.1 with F = 0: the limit makes the write strictly precede the
 * use, so no write can be "delayed or lost" after an SSN was used.)
 *
 * ctl_ssn_tick() runs periodically (in the gateway on a thread of its own); it writes ahead every
 * context whose SSN came within half a step of its ceiling, all in one transaction (one fsync),
 * and only then raises the limits. The step is K, or for a busy context what it uses in
 * CTL_SSN_HORIZON_MS at its recent rate (at most CTL_SSN_STEP_MAX * K), so that a tick delayed by
 * a busy store or CPU still finds room ahead. Workers never block: they only read the limit.
 */
#ifndef CTL_SSN_H
#define CTL_SSN_H

#include <stdbool.h>
#include <stdint.h>

#include "control/ctl_store.h"
#include "oscore/osc_context.h"

#define CTL_SSN_K_DEFAULT 4096 /* K_SSN: fsyncs per context every K/2 messages at most */
#define CTL_SSN_HORIZON_MS 4000 /* a busy context's step covers this long at its rate */
#define CTL_SSN_STEP_MAX 256    /* ... but at most this many K */

struct ctl_ssn;

/* A tracker writing ahead into store by k (K_SSN, >= 2) SSNs. NULL if out of memory or k < 2. */
struct ctl_ssn *ctl_ssn_new(struct ctl_store *store, uint64_t k);

/* Free t; the contexts it tracked are not touched. */
void ctl_ssn_free(struct ctl_ssn *t);

/*
 * Track context c stored under id, before c is published to any worker: c resumes at the stored
 * ceiling (c->ssn = ceiling, App. B.1.1), a new ceiling + K is written, and only then c->ssn_limit
 * is raised to it. Returns 0; 1 if id is not in the store; -1 on a store error or if id is
 * tracked already (c then has ssn_limit = ssn and cannot protect anything).
 */
int ctl_ssn_attach(struct ctl_ssn *t, uint64_t id, struct osc_ctx *c);

/* Stop tracking id (before the context is retired). Returns 0, or 1 if it was not tracked. */
int ctl_ssn_detach(struct ctl_ssn *t, uint64_t id);

/*
 * Write ahead every tracked context whose SSN is within half its step of its ceiling: one
 * transaction for all of them, then their ssn_limit is raised (release store) to SSN + step.
 * Returns how many
 * contexts were raised, or -1 if the store failed (no limit is raised then, so workers eventually
 * see OSC_ERR_SSN_LIMIT instead of using an SSN that is not durable).
 */
int ctl_ssn_tick(struct ctl_ssn *t);

/* For monitoring (any thread): what the last ctl_ssn_tick saw. */
struct ctl_ssn_gauges {
	uint64_t tracked;        /* contexts written ahead */
	uint64_t headroom_min;   /* smallest ssn_limit - ssn before raising: SSNs a context could
				  * still use before the next durable write (0 = 5.03 answers) */
	uint64_t remaining_min;  /* smallest OSC_SSN_MAX + 1 - ssn: SSN space left before a
				  * context must be re-keyed (§7.2.1) */
};

/* Read the gauges with relaxed atomic loads; never blocks the control lcore. Zeroes before the
 * first tick, and headroom_min/remaining_min are UINT64_MAX while nothing is tracked. */
void ctl_ssn_gauges(const struct ctl_ssn *t, struct ctl_ssn_gauges *out);

/*
 * Without a state database nothing is durable, and a context restarted at SSN 0 would use each
 * (key, nonce) pair a second time. The clock floor instead (ctl_clock.h, as for groups):
 *   - every context, when it is added (configured, added, loaded, ACE, EDHOC, App. B.2), starts
 *     at SSN max(its SSN, floor_ms), where floor_ms is the clock when this process began keeping
 *     contexts (after any earlier process ended), and its ssn_limit is the clock now;
 *   - the limit then follows the clock (ctl_ssn_floor_raise, ticked periodically); workers refuse
 *     an SSN at or above it (OSC_ERR_SSN_LIMIT: a 5.03 on the request's nonce), as for App. B.1.1.
 * So every SSN used before a crash is below the clock at the crash, hence below the next
 * process's floor: no nonce repeats unless the wall clock steps back across the restart. The
 * cost is a rate: about 1000 own Partial IVs per second per context sustained, more in bursts
 * after idle time (an idle context's headroom grows with the clock).
 */

/* Attach c to the clock floor before it is published to any worker (see above); now_ms is
 * ctl_clock_ms(). The SSN is never lowered (a context resumed above its retired SSN keeps it, and
 * waits for the clock when that is above now); both stay within OSC_SSN_MAX + 1. */
void ctl_ssn_floor_attach(struct osc_ctx *c, uint64_t floor_ms, uint64_t now_ms);

/* Any thread, c published (workers take SSNs meanwhile): raise c's ssn_limit to now_ms when that
 * at least doubles its headroom (limit - SSN), so that a busy context follows the clock closely
 * and an idle one is written only O(log uptime) times (the write costs workers a cache miss).
 * Never lowers the limit (a clock stepped back raises nothing). Returns whether it raised. */
bool ctl_ssn_floor_raise(struct osc_ctx *c, uint64_t now_ms);

#endif
