/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ACE scopes (RFC 9200 §5.10.2, AIF RFC 9237) published per context slot for the workers: the
 * control lcore compiles a token's scope (control/ace/ctl_ace_scope.h) and publishes a copy under
 * the context's handle; a worker that verified a request on a context finds the scope by the
 * context's slot, checks the generation (a scope of the slot's previous occupant never applies)
 * and checks the request with no allocation and no lock. A context with no scope published is
 * not an ACE context and is not restricted here.
 *
 * Scopes live in a preallocated pool; a replaced or cleared scope goes back to the pool only once
 * every worker has passed a quiescent state (the contexts' RCU variable), so a worker that read
 * the old pointer under its context hold can finish with it.
 */
#ifndef DP_SCOPE_H
#define DP_SCOPE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_rcu_qsbr.h>

#include "control/ace/ctl_ace_scope.h"
#include "control/ctl_plane.h"

struct dp_scope_obj {
	uint32_t gen;               /* the context's slot generation it was published for */
	uint8_t ending;             /* its token expired or was revoked (dp_scopes_end) */
	struct ctl_ace_scope s;
};

struct dp_scopes;

/* A table for slots 0..slots with room for n scopes (live and awaiting reuse). NULL: no memory. */
struct dp_scopes *dp_scopes_new(unsigned slots, unsigned n, int socket);

/* Free the table; workers must have stopped. NULL: nothing. */
void dp_scopes_free(struct dp_scopes *t);

/* The RCU variable workers report on (NULL: none, scopes are reused at once). */
void dp_scopes_set_rcu(struct dp_scopes *t, struct rte_rcu_qsbr *v);

/*
 * Control lcore: publish a copy of s for the context of h (s NULL: withdraw what h has). The
 * scope it replaces is reused after a grace period. Returns 0, or -1 (slot out of range, pool
 * exhausted even after reclaiming).
 */
int dp_scopes_set(struct dp_scopes *t, struct ctl_ctx_handle h, const struct ctl_ace_scope *s);

/* Worker: the scope published for the context of h, or NULL. Valid while the worker holds the
 * context (RCU). */
const struct ctl_ace_scope *dp_scopes_get(const struct dp_scopes *t, struct ctl_ctx_handle h);

/*
 * Control lcore: the token of h's context expired or was revoked (RFC 9200 §5.10.3); the context
 * is removed after a short grace period in which the workers send every observation on it its
 * final protected 4.01 and answer new requests on it as if it were gone. Returns 0, or -1 when
 * h has no scope published (not an ACE context: nothing to mark).
 */
int dp_scopes_end(struct dp_scopes *t, struct ctl_ctx_handle h);

/* Worker: is the context of h ending (dp_scopes_end)? Under the context's RCU hold, or within
 * the loop iteration for a handle kept across time. */
bool dp_scopes_ending(const struct dp_scopes *t, struct ctl_ctx_handle h);

/* Worker: is any context ending? One load: what spares the exchange sweep the per-entry test. */
bool dp_scopes_any_ending(const struct dp_scopes *t);

#endif
