/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the resource server remembers between requests, in memory and of bounded size; the
 * gateway persists it (state_db) through the iteration and restore calls, so this code does not
 * depend on SQLite.
 *
 * Token store: one token per proof-of-possession key (RFC 9200 §5.10.1: a new token for the
 * same key supersedes the old one). For the OSCORE profile the PoP key is the
 * OSCORE_Input_Material, named by its id (RFC 9203 §3.2.1), per issuing AS.
 *
 * exi tracker (RFC 9200 §5.10.3): an exi token's lifetime runs from when the RS first saw it, so
 * reposting it must not restart the clock; and once tokens expire, the RS keeps only the highest
 * expired sequence number (cti = RS id || sequence number) per AS and treats lower ones as
 * expired.
 */
#ifndef CTL_ACE_STORE_H
#define CTL_ACE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ace/ctl_ace.h"

/* A stored token: the verified token and the gateway's handle of the context it made. */
struct ctl_ace_entry {
	struct ctl_ace_token tok;
	uint64_t handle; /* the caller's (e.g. context slot and generation); not interpreted */
};

struct ctl_ace_store {
	struct ctl_ace_entry *e;
	unsigned n, cap;
};

/* An empty store for up to cap tokens. Returns 0 or -ENOMEM. */
int ctl_ace_store_init(struct ctl_ace_store *s, unsigned cap);

/* Wipe every token and free the store. */
void ctl_ace_store_free(struct ctl_ace_store *s);

/*
 * Keep e under its PoP key (as, osc id). A token already kept for that key is replaced; it is
 * copied to *old (when old is not NULL) and *replaced set, so that the caller can retire its
 * context (RFC 9203 §6: once the new one is in use). Returns 0 or -ENOSPC (full, nothing
 * replaced).
 */
int ctl_ace_store_put(struct ctl_ace_store *s, const struct ctl_ace_entry *e,
		      struct ctl_ace_entry *old, bool *replaced);

/* The token kept for (as, id), or NULL. The pointer is valid until the next change. */
struct ctl_ace_entry *ctl_ace_store_find(struct ctl_ace_store *s, unsigned as, const uint8_t *id,
					 size_t id_len);

/* The token whose context has this handle, or NULL. */
struct ctl_ace_entry *ctl_ace_store_by_handle(struct ctl_ace_store *s, uint64_t handle);

/* Remove the token for (as, id), copied to *out if not NULL. Returns 0 or -ENOENT. */
int ctl_ace_store_remove(struct ctl_ace_store *s, unsigned as, const uint8_t *id, size_t id_len,
			 struct ctl_ace_entry *out);

/*
 * Remove the tokens expired at now (expires != 0 and <= now), at most max of them, copied to
 * out[] for the caller to remove their contexts. Returns how many.
 */
unsigned ctl_ace_store_expire(struct ctl_ace_store *s, int64_t now, struct ctl_ace_entry *out,
			      unsigned max);

/* The exi tracker. */
struct ctl_ace_exi_live {
	uint64_t seq;
	int64_t expires;
	uint8_t as;
};

struct ctl_ace_exi {
	uint64_t highest_expired[CTL_ACE_AS_MAX]; /* valid where has_expired */
	bool has_expired[CTL_ACE_AS_MAX];
	struct ctl_ace_exi_live *live;
	unsigned n, cap;
};

/* An empty tracker for up to cap live exi tokens. Returns 0 or -ENOMEM. */
int ctl_ace_exi_init(struct ctl_ace_exi *x, unsigned cap);

/* Free the tracker's table; x is then empty. */
void ctl_ace_exi_free(struct ctl_ace_exi *x);

/*
 * The expiry of exi token (as, seq) with lifetime exi seconds, seen at now: the first sight's
 * expiry if it is live; refused (-ESTALE) if seq is at or below the highest expired sequence
 * number; else now + exi. Live tokens past their expiry are retired first (raising the highest
 * expired number). Nothing is recorded: ctl_ace_exi_commit does that once the token is accepted.
 */
int ctl_ace_exi_lookup(struct ctl_ace_exi *x, unsigned as, uint64_t seq, uint64_t exi,
		       int64_t now, int64_t *expires);

/* Record (as, seq) as live until expires (no-op if known). Returns 0 or -ENOSPC. */
int ctl_ace_exi_commit(struct ctl_ace_exi *x, unsigned as, uint64_t seq, int64_t expires);

/* Retire the live tokens expired at now. */
void ctl_ace_exi_sweep(struct ctl_ace_exi *x, int64_t now);

#endif
