/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Context table: derived OSCORE contexts found by (kid, kid context) in an rte_hash that workers
 * read lock-free (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF) while the main lcore writes it.
 */
#ifndef DP_CTX_TABLE_H
#define DP_CTX_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "control/ctl_plane.h"
#include "oscore/osc_protect.h"

/* Hash key: kid with its length and, if the request carried one, a 32-bit hash of the kid context
 * (§6.1). 16 bytes instead of the 44 a whole kid context takes: contexts whose kid contexts
 * collide in the hash share a candidate list, and workers tell them apart with osc_ctx_matches.
 * Zero-padded so that equal keys compare equal byte for byte. */
struct dp_ctx_key {
	uint8_t kid[OSC_ID_MAX];
	uint8_t kid_len;
	uint8_t has_kid_ctx;
	uint8_t pad[3];
	uint32_t kid_ctx_hash;
};
/* rte_jhash reads the key in 4-byte words, also its last one: a length that is not a multiple of 4
 * would make it read past the key. */
_Static_assert(sizeof(struct dp_ctx_key) == 16, "rte_jhash reads whole 32-bit words");

/* What a key finds: the contexts whose Recipient ID (and ID Context) it names. Several when
 * Recipient IDs collide (§3.3); tried in order, at most OSC_MAX_CANDIDATES. */
struct dp_ctx_cands {
	unsigned n;
	struct osc_ctx *c[OSC_MAX_CANDIDATES];
};

struct dp_ctx_table;
struct osc_params;

/*
 * A table of cap context slots, preallocated so that a context never moves once workers may hold
 * it (RCU readers keep raw pointers). Contexts come in with dp_ctx_table_add. NULL when out of
 * memory.
 */
struct dp_ctx_table *dp_ctx_table_create(unsigned cap, int socket);

/*
 * dp_ctx_table_create(n) and dp_ctx_table_add of params[0..n). Returns NULL and writes a reason
 * ("contexts[i]: ...") to err when a context cannot be derived or indexed.
 */
struct dp_ctx_table *dp_ctx_table_new(const struct osc_params *params, unsigned n, int socket,
				      char *err, size_t err_len);

/* Called by dp_ctx_table_add between derivation and publication; non-zero refuses the add: a
 * negative enum dp_ctx_add_err says why, anything else is DP_CTX_ADD_PREP. */
typedef int (*dp_ctx_prep_fn)(void *arg, struct osc_ctx *c);

enum dp_ctx_add_err {
	DP_CTX_ADD_OK = 0,
	DP_CTX_ADD_DERIVE = -1,  /* the core refused the parameters (err says why) */
	DP_CTX_ADD_FULL = -2,    /* no free slot: "max_contexts" reached */
	DP_CTX_ADD_COLLIDE = -4, /* OSC_MAX_CANDIDATES contexts share the Recipient ID already */
	DP_CTX_ADD_BUSY = -5,    /* too much awaits reclamation: reclaim and retry */
	DP_CTX_ADD_PREP = -6,    /* prep refused */
	DP_CTX_ADD_HASH = -7,    /* the hash refused the key */
	DP_CTX_ADD_DUP_RECIPIENT = -8, /* same Recipient ID, ID Context and Recipient Key as a live
					* context: a replay one refused the other would accept */
	DP_CTX_ADD_DUP_SENDER = -9,    /* same Sender Key as a live context: own Partial IVs would
					* repeat a nonce */
	DP_CTX_ADD_SAME_IDS = -10,     /* Sender ID == Recipient ID: own messages come back as
					* acceptable requests (§3.3: they must differ) */
};

/*
 * Control lcore only: derive p into a free slot, run prep(arg, c) (NULL: none) while no worker
 * can see c yet (SSN attach, App. B.1.2 unknown window), then publish c in the hash. Candidate
 * lists are copied on write, so a worker's lookup sees the old or the new list, never a torn
 * one; a replaced list is freed after the RCU grace period. *out (NULL: not wanted) gets c.
 * Returns DP_CTX_ADD_OK or an enum dp_ctx_add_err with a reason in err.
 */
int dp_ctx_table_add(struct dp_ctx_table *t, const struct osc_params *p, dp_ctx_prep_fn prep,
		     void *arg, struct osc_ctx **out, char *err, size_t err_len);

/* Control lcore only: the first live context with exactly this Recipient ID and ID Context, or
 * NULL. (Several may share both, §3.3: they are told apart by trial decryption.) */
struct osc_ctx *dp_ctx_table_find(struct dp_ctx_table *t, const uint8_t *rid, uint8_t rid_len,
				  const uint8_t *id_ctx, uint8_t id_ctx_len, bool has_id_ctx);

/* The slot (0..cap) of a context of t. */
unsigned dp_ctx_table_index(const struct dp_ctx_table *t, const struct osc_ctx *c);

/*
 * A context named across time (STYLE.md §12) is a struct ctl_ctx_handle (control/ctl_plane.h:
 * the same handle the control plane's jobs carry): its slot and the slot's generation. A slot's
 * generation is odd while its context is published and becomes even when it is unpublished
 * (removal, App. B.2 replacement); the next context in the slot makes it odd again. So a handle
 * taken of one context never names the slot's next occupant, and a removed context's handle is
 * dead at once, before its memory is reclaimed. Generation 0 (a zeroed handle) names nothing.
 */

/*
 * Any thread: the handle of c, a context of t that the caller may still use (a worker under the
 * RCU hold of the lookup that found it; the control lcore, which alone removes). If c was
 * unpublished meanwhile, the handle is dead already (dp_ctx_table_deref gives NULL).
 */
struct ctl_ctx_handle dp_ctx_table_ref(const struct dp_ctx_table *t, const struct osc_ctx *c);

/*
 * Worker or control lcore: the context r names if it is still published, else NULL. A worker
 * calls it after the loop
 * iteration's quiescent report and take an RCU hold (dp_rcu_hold) before it, for as long as the
 * context is used: a context seen published then cannot be reclaimed until that hold ends
 * (dp_ctx_table_remove unpublishes, bumps the generation, and only then takes its RCU token).
 */
struct osc_ctx *dp_ctx_table_deref(const struct dp_ctx_table *t, struct ctl_ctx_handle r);

/* Live contexts. */
unsigned dp_ctx_table_count(const struct dp_ctx_table *t);

/* Wipe every context and free the table. Workers must have stopped. */
void dp_ctx_table_free(struct dp_ctx_table *t);

/* The key of a parsed OSCORE option. */
void dp_ctx_key_of(struct dp_ctx_key *k, const struct osc_option *o);

/* Bulk lookup of keys[0..n) (n <= 64): out[i] is the candidate list or NULL. Lock-free. The
 * lists and each one's first context are prefetched for the caller's next pass. */
void dp_ctx_lookup_bulk(const struct dp_ctx_table *t, const struct dp_ctx_key **keys, unsigned n,
			const struct dp_ctx_cands **out);

/* What telemetry may show of a context: identifiers and counters, never keys or secrets. */
struct dp_ctx_info {
	uint8_t kid[OSC_ID_MAX];         /* the Recipient ID a request carries as kid */
	uint8_t id_ctx[OSC_ID_CTX_MAX];
	uint8_t kid_len, id_ctx_len;
	bool has_id_ctx;
	const char *alg;                 /* COSE name */
	uint64_t ssn;                    /* next Sender Sequence Number */
	uint64_t replay_top;             /* highest accepted Partial IV + 1; 0 = none yet */
	bool window_known;               /* false: unknown after a restart (App. B.1.2) */
};

struct rte_rcu_qsbr;

/* The workers' QSBR variable (dp_rcu.h): removals wait for it. Set before workers start. */
void dp_ctx_table_set_rcu(struct dp_ctx_table *t, struct rte_rcu_qsbr *v);

/*
 * Control lcore only: unpublish the context with Recipient ID rid (and ID Context id_ctx if
 * has_id_ctx) from the hash; lookups stop finding it at once, but workers that found it before
 * may still use it, so its memory is kept until dp_ctx_table_reclaim sees every worker quiescent.
 * Returns 0, -1 if there is no such context, -2 if too much awaits reclamation (reclaim, retry).
 */
int dp_ctx_table_remove(struct dp_ctx_table *t, const uint8_t *rid, uint8_t rid_len,
			const uint8_t *id_ctx, uint8_t id_ctx_len, bool has_id_ctx);

/*
 * Control lcore only: wipe and free what was removed once every registered worker has reported a
 * quiescent state since its removal. drain(arg), if given, runs first, before anything is freed:
 * the control ring may still hold jobs for a removed context (they carry a handle, which the
 * transport finds stale and refuses; draining first only keeps the ring short). Returns how many
 * contexts were freed; without a QSBR variable they are freed at once.
 */
unsigned dp_ctx_table_reclaim(struct dp_ctx_table *t, void (*drain)(void *), void *arg);

/* Control lcore: fn(arg, c) runs on every removed context once no worker can hold it any more,
 * just before it is wiped: its SSN and replay window are final then (see dp_state, ctl_tomb). */
void dp_ctx_table_set_retire(struct dp_ctx_table *t, void (*fn)(void *, struct osc_ctx *),
			     void *arg);

/*
 * Any thread: fn(arg, c) for each live (published, not removed) context c in up to n slots from
 * *next on, wrapping at the slots ever used; *next is where the following call goes on. The slots
 * visited are locked against removal's wipe and reuse meanwhile (the lock telemetry takes, never
 * a worker's); fn must be short and must not call into the table. Returns the contexts visited.
 */
unsigned dp_ctx_table_visit(struct dp_ctx_table *t, unsigned *next, unsigned n,
			    void (*fn)(void *arg, struct osc_ctx *c), void *arg);

/* Context slots ever used (removed and free ones included) for dp_ctx_table_info. */
unsigned dp_ctx_table_slots(const struct dp_ctx_table *t);

/* Any thread (telemetry): the public state of slot i into out. Returns 0, or -1 if the slot's
 * context was removed or the slot is free. */
int dp_ctx_table_info(struct dp_ctx_table *t, unsigned i, struct dp_ctx_info *out);

#endif
