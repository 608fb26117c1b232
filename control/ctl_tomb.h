/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What key material that was removed must never go back to (issue 8). A context's Sender Key with
 * its Sender ID and Common IV may have sent own Partial IVs up to an SSN ceiling; its Recipient
 * Key with the Recipient ID and ID Context may have accepted Partial IVs up to a replay top. If
 * the same material is added again it must resume above them: a fresh context would reuse
 * nonces (SSN 0) and accept replays (an empty window).
 *
 * Each side is remembered by a fingerprint, an HKDF of the derived key with the IDs and IV (a
 * one-way function of key material that is itself HKDF output: never the key or the Master
 * Secret), for the life of the process and, with a state database, in it (ctl_store).
 */
#ifndef CTL_TOMB_H
#define CTL_TOMB_H

#include <stdbool.h>
#include <stdint.h>

#include "control/ctl_store.h"
#include "oscore/osc_context.h"
#include "oscore/osc_group.h"

enum ctl_fp_kind {
	CTL_FP_RECIPIENT = 0, /* Recipient Key, Recipient ID, ID Context, Common IV */
	CTL_FP_SENDER = 1,    /* Sender Key, Sender ID, ID Context, Common IV */
	CTL_FP_GROUP_SENDER = 2, /* a Group OSCORE group's: Sender Key, Sender ID, Gid, Common IV */
};

/* The fingerprint of one side of the derived context c into out. Returns 0, or -1 if the hash
 * failed (out is then zeroed: never used as a real fingerprint by callers that check). */
int ctl_fp_of(const struct osc_ctx *c, enum ctl_fp_kind kind, uint8_t out[CTL_FP_LEN]);

/* The fingerprint of group g's sender side (its one SSN space, RFC 10021 §2.5.3) into out, as
 * ctl_fp_of. Returns 0 or -1. */
int ctl_fp_of_group(const struct osc_group *g, uint8_t out[CTL_FP_LEN]);

struct ctl_tomb;

/* The fingerprints of retired material, loaded from store (NULL: memory only). NULL if out of
 * memory or the store could not be read. */
struct ctl_tomb *ctl_tomb_new(struct ctl_store *store);

void ctl_tomb_free(struct ctl_tomb *t);

/* Remember that fp reached val (kept as the maximum of every val given); written to the store
 * (in the caller's transaction, if one is open) when it grows. Returns 0 or -1. */
int ctl_tomb_put(struct ctl_tomb *t, const uint8_t fp[CTL_FP_LEN], uint64_t val);

/* Was fp retired? Its value into *val. */
bool ctl_tomb_get(const struct ctl_tomb *t, const uint8_t fp[CTL_FP_LEN], uint64_t *val);

#endif
