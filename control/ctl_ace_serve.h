/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ACE resource server (control/ace/, RFC 9200 + RFC 9203) as the gateway's /authz-info
 * handler on the control plane (ctl_plane.h):
 *
 *   unprotected POST /authz-info (RFC 9203 §4.1, Content-Format 19): token verified, ID2 drawn
 *     from the "ace" Recipient-ID namespace (never a live ACE context's Recipient ID, never ID1),
 *     N2 64 random bits, the context of §4.3 installed through the platform's ctx_add (method
 *     ace: stored with "state_db", App. B.1.1 applies), then 2.01 {42: N2, 44: ID2}.
 *   protected POST /authz-info with an ACE context: update of access rights (§4.1 last
 *     paragraph), protected 2.01 with no payload, or protected 4.01.
 *
 * One token per PoP key (RFC 9200 §5.10.1): a repost of a token for the same OSCORE Input
 * Material (a new N1) makes a new context; the old one keeps serving, with its own scope, until
 * the first request verified under the new one (RFC 9203 §6), which ctl_ace_server_poll sees,
 * then it is removed (RCU). The token store holds the new token only: the old context goes too
 * when the new token expires or is revoked, and at a restart (ctl_ace_server_restore keeps the
 * newer context of a PoP key).
 *
 * Control lcore only.
 */
#ifndef CTL_ACE_SERVE_H
#define CTL_ACE_SERVE_H

#include <stdint.h>

#include "control/ace/ctl_ace_rs.h"
#include "control/ctl_ns.h"
#include "control/ctl_plane.h"

struct ctl_ace_server;

/*
 * A server for conf (which must outlive it): ID2 from ns's "ace" part, contexts capped at
 * max_lifetime seconds (0: no cap), protected answers with the gateway's own Partial IV when
 * own_piv. NULL when out of memory.
 */
struct ctl_ace_server *ctl_ace_server_new(const struct ctl_ace_conf *conf, const struct ctl_ns *ns,
					  unsigned max_lifetime, bool own_piv);

/*
 * Where a context's compiled scope goes for the workers to enforce (RFC 9200 §5.10.2): fn(arg, h,
 * scope) publishes scope for the context of h (NULL: withdraws it); 0 on success. Called when a
 * token's context is installed, its access rights are updated, and before it is removed. Without
 * it nothing is enforced.
 */
typedef int (*ctl_ace_publish_fn)(void *arg, struct ctl_ctx_handle h,
				  const struct ctl_ace_scope *scope);
void ctl_ace_server_on_scope(struct ctl_ace_server *s, ctl_ace_publish_fn fn, void *arg);

/*
 * The control plane's gate (ctl_plane_on_gate; arg is the server): a verified request that a
 * handler accepted on the control lcore (App. B.1.2 after a restart) is held to the scope of the
 * token its context was made from, as the workers hold every other (RFC 9200 §5.10.2): 0, or
 * COAP_FORBIDDEN / COAP_METHOD_NOT_ALLOWED (counted). Contexts without a token pass.
 */
uint8_t ctl_ace_gate(void *arg, struct ctl_env *env, const struct ctl_job *job);

/* Wipe every kept token and free s (NULL: nothing). */
void ctl_ace_server_free(struct ctl_ace_server *s);

/* The /authz-info handler (ctl_handler_fn; arg is the server). Register it with
 * CTL_PATH_PLAIN | CTL_PATH_PROTECTED. */
int ctl_ace_handler(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		    size_t cap);

/*
 * Every control-loop turn (cheap when no repost is pending): remove the contexts that reposts
 * superseded once their successors verified a request (or are gone). Returns how many.
 */
unsigned ctl_ace_server_poll(struct ctl_ace_server *s, struct ctl_env *env);

/*
 * Once a second or so: remove the contexts whose tokens expired at now (UNIX seconds; exp, exi
 * or "max_lifetime"), scope first (RFC 9200 §5.10.3: later requests get the unprotected 4.01 of
 * a missing context). Returns how many were removed.
 */
unsigned ctl_ace_server_tick(struct ctl_ace_server *s, struct ctl_env *env, int64_t now);

/*
 * At start, before workers run: the token kept (ctl_ace_grant.h) with the restored context of h
 * is taken on again: its scope published, its expiry enforced. Returns 0, or -1 when it cannot
 * be (expired at now, its issuer no longer configured, a bad record): the caller removes the
 * context. *retire gets the handle of a context restored earlier for the same PoP key (one token
 * per key: the newer wins), for the caller to remove; gen 0 when there is none.
 */
int ctl_ace_server_restore(struct ctl_ace_server *s, struct ctl_ctx_handle h,
			   const uint8_t *rec, size_t len, int64_t now, struct ctl_ctx_handle *retire);

/* What oscore-gwctl shows of a kept token: never its keys. */
struct ctl_ace_token_info {
	char issuer[32];              /* the configured name of its AS */
	char scope[192];              /* "/s/temp:1 /a/led:4": local-parts and method bitmaps */
	int64_t expires;              /* UNIX seconds, 0 = none */
	uint8_t id[32];               /* its PoP key's id (cnf.osc id) */
	uint8_t id_len;
	struct ctl_ctx_handle ctx;    /* the context it made */
};

/* The kept tokens from index start, at most max into out. Returns how many; *total gets how
 * many are kept. */
unsigned ctl_ace_server_tokens(struct ctl_ace_server *s, unsigned start,
			       struct ctl_ace_token_info *out, unsigned max, unsigned *total);

/* Revoke the token of issuer (its configured name) for PoP key id: forgotten, its context
 * removed at once (scope first). Returns 0, or -1 if there is none. */
int ctl_ace_server_revoke(struct ctl_ace_server *s, struct ctl_env *env, const char *issuer,
			  const uint8_t *id, size_t id_len);

/* The resource server inside (counters per outcome, the token store). */
struct ctl_ace_rs *ctl_ace_server_rs(struct ctl_ace_server *s);

/* The handle a token store entry keeps for a context, and back. */
uint64_t ctl_ace_handle_pack(struct ctl_ctx_handle h);
struct ctl_ctx_handle ctl_ace_handle_unpack(uint64_t v);

#endif
