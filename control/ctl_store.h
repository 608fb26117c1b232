/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Durable control-plane state in SQLite: the contexts (their derivation parameters, so the file
 * holds Master Secrets and is created mode 0600) and, per context, the Sender Sequence Number
 * ceiling written ahead of use (RFC 8613 App. B.1.1), and what must never go back for key
 * material that was removed (ctl_tomb.h).
 *
 * The database runs in WAL mode with synchronous=FULL, so a write that returned has reached the
 * disk: a ceiling the control plane acted on survives SIGKILL and power loss alike. Only the
 * control plane calls these functions; they block on fsync and must never run on a worker core.
 */
#ifndef CTL_STORE_H
#define CTL_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "oscore/osc_context.h"

struct ctl_store;

/*
 * Open (creating if needed) the store at path. A new file is created 0600 because it holds Master
 * Secrets; an existing file with wider permissions is tightened to 0600. Sets WAL mode and
 * synchronous=FULL and creates the schema. Returns the store, or NULL with a reason (never a
 * secret) in err[0..err_len).
 */
struct ctl_store *ctl_store_open(const char *path, char *err, size_t err_len);

/* Close s (NULL is fine). */
void ctl_store_close(struct ctl_store *s);

/*
 * Insert or replace context id with parameters p. Its SSN ceiling is kept if id existed, else 0.
 * Returns 0 or -1.
 */
int ctl_store_put_ctx(struct ctl_store *s, uint64_t id, const struct osc_params *p);

/* Remove context id and its ceiling. Returns 0 (also if id did not exist) or -1. The row is
 * overwritten (secure_delete) and, outside a transaction (else at its commit), the WAL is
 * checkpointed and truncated, so that no copy of its Master Secret stays in the files. */
int ctl_store_del_ctx(struct ctl_store *s, uint64_t id);

/* Read context id's parameters into p (NULL to skip) and SSN ceiling into ceiling (NULL to
 * skip). Returns 0, 1 if there is no such context, or -1 on error. */
int ctl_store_get_ctx(struct ctl_store *s, uint64_t id, struct osc_params *p, uint64_t *ceiling);

/*
 * App. B.1.1: durably record that SSNs below upto may be used by context id. The ceiling only
 * grows: a lower upto leaves it as it is. When this returns 0 the value is on disk, and only then
 * may the caller raise the context's ssn_limit to it. Returns 0, 1 if there is no such context,
 * or -1.
 */
int ctl_store_reserve_ssn(struct ctl_store *s, uint64_t id, uint64_t upto);

/* Group several writes into one transaction (one fsync): begin, writes, commit. A failed commit
 * rolls back, and none of the writes may be acted on. Return 0 or -1. */
int ctl_store_begin(struct ctl_store *s);
int ctl_store_commit(struct ctl_store *s);

/* Called by ctl_store_foreach for each stored context, in id order; non-zero stops the walk. */
typedef int (*ctl_store_ctx_fn)(void *arg, uint64_t id, const struct osc_params *p,
				uint64_t ceiling);

/* Walk every stored context. Returns 0, the callback's non-zero value, or -1 on error. The
 * parameters passed to fn are wiped after it returns. */
int ctl_store_foreach(struct ctl_store *s, ctl_store_ctx_fn fn, void *arg);

/* Called by ctl_store_peek for each stored context with its Recipient ID (no secret). */
typedef void (*ctl_store_rid_fn)(void *arg, const uint8_t *rid, size_t len);

/*
 * Without changing anything (oscore-gw --check-config): open the store at path read-only and
 * call fn for each stored context's Recipient ID. Returns how many there are, or -1 with a reason
 * in err[0..err_len) (not a database, no context table).
 */
long ctl_store_peek(const char *path, ctl_store_rid_fn fn, void *arg, char *err, size_t err_len);

/*
 * Keep rec[0..len) (opaque to the store, no secret: e.g. the checked claims of the ACE token that
 * made the context, control/ace/ctl_ace_grant.h) with context id, replacing what it had. It is
 * deleted with the context. Returns 0, 1 if there is no such context, or -1.
 */
int ctl_store_put_grant(struct ctl_store *s, uint64_t id, const uint8_t *rec, size_t len);

/* Called by ctl_store_foreach_grant for each kept record; non-zero stops the walk. rec is valid
 * for the call only. */
typedef int (*ctl_store_grant_fn)(void *arg, uint64_t id, const uint8_t *rec, size_t len);

/* Walk every kept record in context id order. Returns 0, the callback's value, or -1. */
int ctl_store_foreach_grant(struct ctl_store *s, ctl_store_grant_fn fn, void *arg);

/* Length of a key fingerprint (ctl_tomb.h): a hash of derived keys and IDs, never a secret. */
#define CTL_FP_LEN 16

/* Record that the retired key material with fingerprint fp reached val (an SSN ceiling or a
 * replay top, ctl_tomb.h); a stored value only grows. Returns 0 or -1. */
int ctl_store_put_tomb(struct ctl_store *s, const uint8_t fp[CTL_FP_LEN], uint64_t val);

/* Called by ctl_store_foreach_tomb for each stored fingerprint; non-zero stops the walk. */
typedef int (*ctl_store_tomb_fn)(void *arg, const uint8_t *fp, uint64_t val);

/* Walk every stored fingerprint. Returns 0, the callback's non-zero value, or -1 on error. */
int ctl_store_foreach_tomb(struct ctl_store *s, ctl_store_tomb_fn fn, void *arg);

/* The last SQLite error message of s (no secret is ever bound into SQL text). */
const char *ctl_store_errmsg(const struct ctl_store *s);

#endif
