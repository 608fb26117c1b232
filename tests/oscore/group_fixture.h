/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The group of group-oscore-vectors.txt B.0 (Gid dd11, members 0a, 51, 52; AES-CCM-16-64-128 for
 * both modes, EdDSA, ECDH-SS + HKDF-256), as seen by member 0a (the requester of the vectors) and
 * by member 51 (the responder): shared by the unit tests, the fuzz harness and the benchmark.
 */
#ifndef GROUP_FIXTURE_H
#define GROUP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "oscore/osc_group.h"

struct gfix {
	struct osc_group g0a;   /* member 0a's context ... */
	struct osc_member m51;  /* ... with its Recipient Contexts for 51 ... */
	struct osc_member m52;  /* ... and 52 */
	struct osc_group g51;   /* member 51's context ... */
	struct osc_member m0a;  /* ... with its Recipient Context for 0a */
};

/* Decode hex into out[0..cap); aborts on bad hex (test input is ours). Returns the length. */
size_t gfix_hex(const char *hex, uint8_t *out, size_t cap);

/* Derive all five contexts. Returns 0, or the first enum osc_group_err. */
int gfix_init(struct gfix *f);

/* The same group rekeyed, as a Group Manager would push it: Master Secret secret and Gid gid (hex;
 * NULL keeps B.0's). Returns as gfix_init. */
int gfix_init_keyed(struct gfix *f, const char *secret, const char *gid);
/*
 * Another member of B.0's group, with Sender ID id (hex), Ed25519 seed (hex) and credential
 * cred[0..cred_len) (which must outlive g): its context in *g and its Recipient Context for 51 (the
 * gateway in the live tests) in *m51. Returns 0, or the first enum osc_group_err.
 */
int gfix_other(struct osc_group *g, struct osc_member *m51, const char *id, const char *seed,
	       const uint8_t *cred, size_t cred_len);

/* Wipe them all. */
void gfix_free(struct gfix *f);

#endif
