/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's handler interface, in plain C (no DPDK): what a worker hands over (a job),
 * who serves it (handlers registered by kind or by path), and what a handler may use (an
 * environment the transport provides: context lookup by handle, context install and remove, the
 * crypto engine, counters). The dataplane's transport (dataplane/dp_ctl_ring.c) moves jobs from
 * the workers to the control lcore and the answers back; everything protocol lives in control/.
 *
 *   worker:  ctl_plane_wants(p, kind, msg)?  -> hand the job over (a few KB, the peer, a handle)
 *   control: ctl_plane_serve(p, env, job, ans, cap) -> the handler writes the on-wire answer
 *
 * Threads: registration happens on the main lcore before workers start; afterwards the registry
 * is read-only, so workers may call ctl_plane_wants() lock-free. ctl_plane_serve() and every
 * handler run on the control lcore only, one job at a time; handlers may block (store, fsync).
 *
 * Contexts cross from worker to control lcore as handles (slot, generation), never as pointers
 * (STYLE §12): between the hand-off and the handler the worker has reported quiescent states,
 * the context may have been removed and its slot reused. The transport refuses a job whose
 * handle is stale before any handler sees it, and ctl_env_ctx() re-checks on every use.
 */
#ifndef CTL_PLANE_H
#define CTL_PLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ctl_ns.h"
#include "oscore/osc_answer.h"
#include "oscore/osc_protect.h"

#define CTL_MSG_MAX 4096      /* longest job message and longest answer (ACE tokens, EDHOC) */
#define CTL_FALLBACK_MAX 128  /* longest answer kept for a resumed job (ctl_resume) */
#define CTL_PLANE_PATHS 32    /* registered paths */
#define CTL_PLANE_PATH_LEN 128

/* Why a worker hands a message over. */
enum ctl_kind {
	CTL_KIND_PLAIN,          /* unprotected request for a registered plain path (ACE
				  * /authz-info, EDHOC /.well-known/edhoc); message as received */
	CTL_KIND_PROTECTED,      /* verified request for a registered protected path; message is
				  * the plain (decrypted) request, handle and exchange set */
	CTL_KIND_WINDOW_UNKNOWN, /* verified request on a context whose replay window is unknown
				  * (App. B.1.2); plain request, handle and exchange, not committed */
	CTL_KIND_NO_CONTEXT,     /* OSCORE request whose kid context names no context (App. B.2);
				  * unverified, as received */
	CTL_KIND_EDHOC,          /* RFC 9668 combined request (EDHOC option 21) whose kid names no
				  * context yet: EDHOC message_3 and the OSCORE request, as received */
	CTL_KIND_GROUP,          /* group-mode plaintext whose signature is still unchecked (Group
				  * OSCORE; the window is not committed until it verifies) */
	CTL_KIND__COUNT
};

/* The request's endpoints: addresses (IPv4 as ::ffff:a.b.c.d) in network byte order, ports in
 * host byte order. src is the device, dst the gateway address it sent to. */
struct ctl_peer {
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t src_port;
	uint16_t dst_port;
	bool v6;
};

/* A context across time: its table slot and the slot's generation when the handle was taken.
 * gen 0 is no context. */
struct ctl_ctx_handle {
	uint32_t slot;
	uint32_t gen;
};

/* A Group OSCORE member across time: the group's index among the configured groups, the member's
 * index in it, and the group's generation when the handle was taken (a rekey or removal bumps
 * it). gen 0 is no member. */
struct ctl_group_handle {
	uint16_t group;
	uint16_t member;
	uint32_t gen;
};

/* One handed-over message. msg points into the transport's buffer for the handler call only. */
struct ctl_job {
	enum ctl_kind kind;
	struct ctl_peer peer;
	struct ctl_ctx_handle ctx;    /* PROTECTED, WINDOW_UNKNOWN, GROUP; else gen 0 */
	struct osc_exchange ex;       /* what a protected answer binds to (with ctx) */
	struct ctl_group_handle member; /* GROUP: the member the message's kid and Gid name */
	uint16_t plain_off;           /* GROUP: msg[0..plain_off) is the message as received,
				       * msg[plain_off..len) the plaintext of the worker's AEAD */
	bool group_verified;          /* GROUP: pairwise mode, verified and committed on the
				       * worker; msg[plain_off..len) is the plain request */
	const uint8_t *msg;
	size_t len;
	struct osc_coap_msg req;      /* msg parsed by ctl_plane_serve (outer header for NO_CONTEXT) */
};

/* Counters a handler may raise; the transport maps them onto its own. */
enum ctl_ctr {
	CTL_C_NOT_FOUND,         /* no handler for the path: 4.04 */
	CTL_C_B12_CHALLENGE,     /* App. B.1.2: protected 4.01 with an inner Echo */
	CTL_C_B12_ACCEPT,        /* App. B.1.2: valid Echo, window reset */
	CTL_C_B12_DROP,          /* App. B.1.2: unparsable, or the window was already reset */
	CTL_C_B12_SSN_LIMIT,     /* an own SSN not yet durable (App. B.1.1): 5.03 */
	CTL_C_B12_FWD_RETRY,     /* forward mode: accepted request answered 5.03 */
	CTL_C_B2_R2_ISSUED,      /* App. B.2 request #1 verified, 4.01 with R2 sent */
	CTL_C_B2_INSTALLED,      /* App. B.2 request #2 verified, new context installed */
	CTL_C_B2_REFUSED,        /* App. B.2: neither a valid request #1 nor #2 */
	CTL_C_B2_INSTALL_FAILED, /* App. B.2: request #2 verified, install refused */
	CTL_C_B2_WRAPPED,        /* App. B.2 message with a CBOR-wrapped kid context */
	CTL_C_EDHOC_MSG1,             /* EDHOC: message_1 answered with message_2 */
	CTL_C_EDHOC_MSG1_ERR,         /* EDHOC: message_1 answered with an EDHOC error */
	CTL_C_EDHOC_RATE_SOURCE,      /* EDHOC: message_1 refused (5.03) by its source's limit */
	CTL_C_EDHOC_RATE_TOTAL,       /* EDHOC: message_1 refused (5.03) by the total limit */
	CTL_C_EDHOC_DONE,             /* EDHOC: message_3 verified, context installed */
	CTL_C_EDHOC_MSG3_ERR,         /* EDHOC: message_3 answered with an EDHOC error */
	CTL_C_EDHOC_INSTALL_FAIL,     /* EDHOC: message_3 verified, the context refused: 5.00 */
	CTL_C_EDHOC_BAD_REQUEST,      /* EDHOC: not POST, no payload, no true / C_R prefix, bad RFC 9668 shape */
	CTL_C_EDHOC_COMBINED,         /* EDHOC: RFC 9668 combined request: context installed, request verified */
	CTL_C_EDHOC_FWD_RETRY,        /* EDHOC: forward mode, combined request not handed back: 5.03 */
	CTL_C_EDHOC_SRC_EVICTED,      /* EDHOC: a limited source's message_1 bucket evicted */
	CTL_C_GROUP_VERIFIED,    /* Group OSCORE: signature verified, window committed, answered */
	CTL_C_GROUP_SIGNATURE,   /* Group OSCORE: signature did not verify; window untouched */
	CTL_C_GROUP_REFUSED,     /* Group OSCORE: stale member, replay since stage a, bad job */
	CTL_C_GROUP_ANSWER_FAILED, /* Group OSCORE: verified, but the answer could not be protected */
	CTL_C_ACE_DENY_RESOURCE, /* a gate (ACE scope) refused the resource: protected 4.03 */
	CTL_C_ACE_DENY_METHOD,   /* a gate (ACE scope) refused the method: protected 4.05 */
	CTL_C__COUNT
};

/* What the transport provides to handlers; plat is its own state. Control lcore only. */
struct ctl_platform {
	/* The context of h if h is still current (same slot generation, not removed), else NULL.
	 * Valid until the handler returns; never kept. */
	struct osc_ctx *(*ctx_get)(void *plat, struct ctl_ctx_handle h);
	/* Store (with "state_db") and publish a new context p, established by method m (its
	 * Recipient ID must lie in m's namespace), through the RCU-published table; its handle
	 * into *out. Returns 0, or non-zero with a reason (no secret) in err. */
	int (*ctx_add)(void *plat, enum ctl_method m, const struct osc_params *p,
		       struct ctl_ctx_handle *out, char *err, size_t err_len);
	/* Unpublish (RCU-deferred) and forget the stored context with these identifiers.
	 * Returns 0, -1 if there is none, -2 if busy (retry later). */
	int (*ctx_remove)(void *plat, const uint8_t *rid, uint8_t rid_len, const uint8_t *id_ctx,
			  uint8_t id_ctx_len, bool has_id_ctx);
	void (*count)(void *plat, enum ctl_ctr c);
	/* Is rid[0..len) the Recipient ID of a live context without ID Context (RFC 9668 §4.1:
	 * an EDHOC C_R must not be one)? */
	bool (*rid_taken)(void *plat, const uint8_t *rid, size_t len);
	/* Keep rec[0..len) (no secret: what authorised it) with the context of h in the durable
	 * state, replacing what it had; it goes when the context goes. 0 (also when nothing is
	 * durable), or -1. NULL: not offered (nothing is kept). */
	int (*grant_put)(void *plat, struct ctl_ctx_handle h, const uint8_t *rec, size_t len);
};

/* A handler's environment for one job. */
struct ctl_env {
	const struct ctl_platform *ops;
	void *plat;
	struct cry_engine *e;         /* the control lcore's AEAD engine */
	uint16_t *next_mid;           /* Message IDs of NON answers (osc_answer_header) */
	uint32_t now;                 /* seconds, CLOCK_MONOTONIC (ctl_echo_now) */
	uint8_t *resume_buf;          /* the transport's CTL_MSG_MAX bytes for ctl_resume (NULL:
				       * it cannot resume jobs) */
	size_t resume_len;            /* set by ctl_resume; 0: the job is answered */
	struct ctl_plane *plane;      /* set by ctl_plane_serve: for ctl_plane_verified */
	struct ctl_ctx_handle resume_ctx; /* set by ctl_resume: the context (and exchange) the */
	struct osc_exchange resume_ex;    /* resumed request is taken on under */
};

/*
 * A handler: write the on-wire answer to job (plain, or protected by ctl_answer_protected) into
 * ans[0..cap) (cap >= CTL_MSG_MAX) and return its length; 0: no answer (the request is dropped,
 * as §8.2 asks for some failures); -1: failed (counted, dropped). arg is the registration's.
 */
typedef int (*ctl_handler_fn)(void *arg, struct ctl_env *env, const struct ctl_job *job,
			      uint8_t *ans, size_t cap);

struct ctl_plane;

/* An empty registry. NULL when out of memory. */
struct ctl_plane *ctl_plane_new(void);

void ctl_plane_free(struct ctl_plane *p);

/*
 * Serve every job of kind (not CTL_KIND_PLAIN or CTL_KIND_PROTECTED, which go by path) with
 * fn(arg, ...). One handler per kind. Returns 0, or -1 if the kind has one already.
 */
int ctl_plane_on_kind(struct ctl_plane *p, enum ctl_kind kind, ctl_handler_fn fn, void *arg);

enum ctl_path_flags {
	CTL_PATH_PLAIN = 1 << 0,     /* unprotected requests (kind CTL_KIND_PLAIN) */
	CTL_PATH_PROTECTED = 1 << 1, /* verified OSCORE requests (kind CTL_KIND_PROTECTED) */
	CTL_PATH_PREFIX = 1 << 2,    /* also every path below it ("/a" serves "/a/b") */
};

/*
 * Serve requests whose Uri-Path (RFC 7252 §6.5, "/seg/seg") is path with fn(arg, ...); flags say
 * for which kinds (enum ctl_path_flags). fn NULL: the path goes to the control plane and is
 * answered 4.04 Not Found (a configured control path nothing serves yet). The first matching
 * registration wins; registering a path again (same string) replaces its flags and handler, so a
 * resource reserved with fn NULL gets its handler later. Returns 0, or -1 if the table is full,
 * the path is not absolute or too long.
 */
int ctl_plane_on_path(struct ctl_plane *p, const char *path, unsigned flags, ctl_handler_fn fn,
		      void *arg);

/*
 * A gate on verified requests that a handler accepts on the control plane (ctl_plane_verified):
 * fn(arg, env, job) returns 0 to let job (kind PROTECTED, its plain request parsed) through, or
 * the code of the protected answer that refuses it (an ACE scope, RFC 9200 §5.10.2: 4.03 or
 * 4.05), counting it. The workers enforce the same decision on their own path. One gate; a
 * second registration replaces it. Returns 0.
 */
typedef uint8_t (*ctl_gate_fn)(void *arg, struct ctl_env *env, const struct ctl_job *job);
int ctl_plane_on_gate(struct ctl_plane *p, ctl_gate_fn fn, void *arg);

/* Is anything registered for kind (a path with its flag for PLAIN and PROTECTED)? Lets a worker
 * skip the per-request check for kinds nothing serves. */
bool ctl_plane_serves(const struct ctl_plane *p, enum ctl_kind kind);

/*
 * Worker side, lock-free and read-only: should a request of kind with parsed header m (the plain
 * request for CTL_KIND_PROTECTED) go to the control plane? By path for PLAIN and PROTECTED (a
 * PLAIN request must be a request: code 0.01-0.31), by registered handler for other kinds.
 */
bool ctl_plane_wants(const struct ctl_plane *p, enum ctl_kind kind, const struct osc_coap_msg *m);

/*
 * Control lcore: parse job->msg into job->req and run the handler for job (by kind, or by path
 * with the 4.04 answer when the path has none). Returns what the handler returns: the answer's
 * length in ans, 0 for none, -1 on failure (also for an unparsable message).
 */
int ctl_plane_serve(struct ctl_plane *p, struct ctl_env *env, struct ctl_job *job, uint8_t *ans,
		    size_t cap);

/* --- for handlers --- */

/* The context of job's handle, re-checked now (NULL: removed or replaced since the hand-off). */
struct osc_ctx *ctl_env_ctx(struct ctl_env *env, const struct ctl_job *job);

/* Raise counter c. */
void ctl_env_count(struct ctl_env *env, enum ctl_ctr c);

/* The header of the answer to job's request with code (osc_answer_header with env's IDs). */
void ctl_answer_init(struct ctl_env *env, const struct ctl_job *job, struct osc_coap_msg *m,
		     uint8_t code);

/*
 * The answer m (from ctl_answer_init, plus options and payload) to a protected job, protected
 * with its context and exchange through osc_answer_protect (flags as there) into ans[0..cap).
 * Returns the length, or -(enum osc_err): OSC_ERR_NO_CONTEXT for a stale handle,
 * OSC_ERR_SSN_LIMIT for an own SSN not yet durable without OSC_ANS_DURABLE_503, OSC_ERR_TOO_BIG.
 * *fell_back as in osc_answer_prepare (may be NULL).
 */
int ctl_answer_protected(struct ctl_env *env, const struct ctl_job *job, struct osc_coap_msg *m,
			 unsigned flags, bool *fell_back, uint8_t *ans, size_t cap);

/*
 * For a verified job (PROTECTED, WINDOW_UNKNOWN, or a job a handler verified itself under a
 * context it installed, with job->ctx and job->ex set to it: an RFC 9668 combined request): hand
 * the plain request plain[0..len) back to the worker, which takes it on as any verified request
 * under job->ctx (re-checked by handle) and job->ex: in forward mode it goes upstream. The
 * handler's answer (at most CTL_FALLBACK_MAX bytes) is then what the worker sends if it cannot
 * (respond mode, context gone, exchange table full). Used by App. B.1.2 and EDHOC's combined
 * request in forward mode; a scope decision the worker cannot make would use it the same way.
 * Returns 0, or -1 (no context, too long, cannot resume).
 */
int ctl_resume(struct ctl_env *env, const struct ctl_job *job, const uint8_t *plain, size_t len);

#define CTL_PLANE_PASS (-2) /* ctl_plane_verified: not served here */

/*
 * For a handler that accepted a verified request of a job whose window was unknown (App. B.1.2):
 * serve its plain request plain[0..len) (its Echo taken out) on the control plane as a worker
 * serves a verified request: by the handler of its registered protected path, else refused by
 * the gate (protected answer with its code). Returns the answer's length (or 0/-1 as the path
 * handler returns) when it was served here, CTL_PLANE_PASS when neither applies (the caller then
 * answers or resumes it as any request), -1 when plain does not parse.
 */
int ctl_plane_verified(struct ctl_env *env, const struct ctl_job *job, const uint8_t *plain,
		       size_t len, uint8_t *ans, size_t cap);

/* The unprotected answer m to job's request, encoded into ans[0..cap). Returns the length or
 * -1. */
int ctl_answer_plain(const struct osc_coap_msg *m, uint8_t *ans, size_t cap);

/* The §8.2 error answer (code, Max-Age 0, diag) to job's request. Returns the length, 0 for
 * code 0 (§8.2 asks for silence: no answer), or -1. */
int ctl_answer_error(struct ctl_env *env, const struct ctl_job *job, uint8_t code,
		     const char *diag, uint8_t *ans, size_t cap);

#endif
