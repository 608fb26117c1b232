/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Context table: derived OSCORE contexts found by (kid, kid context) in an rte_hash that workers
 * read lock-free (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF) while the main lcore writes it.
 */
#ifndef DP_CTX_TABLE_H
#define DP_CTX_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "oscore/osc_protect.h"

/* Hash key: kid with its length and, if the request carried one, the kid context (§6.1).
 * Zero-padded so that equal keys compare equal byte for byte. */
struct dp_ctx_key {
	uint8_t kid_len;
	uint8_t has_kid_ctx;
	uint8_t kid_ctx_len;
	uint8_t kid[OSC_ID_MAX];
	uint8_t kid_ctx[OSC_ID_CTX_MAX];
	uint8_t pad[2];
};
/* rte_jhash reads the key in 4-byte words, also its last one: a length that is not a multiple of 4
 * makes it read past the key (found by ASan in the capture-replay test). */
_Static_assert(sizeof(struct dp_ctx_key) % 4 == 0, "rte_jhash reads whole 32-bit words");

/* What a key finds: the contexts whose Recipient ID (and ID Context) it names. Several when
 * Recipient IDs collide (§3.3); tried in order, at most OSC_MAX_CANDIDATES. */
struct dp_ctx_cands {
	unsigned n;
	struct osc_ctx *c[OSC_MAX_CANDIDATES];
};

struct dp_ctx_table;
struct osc_params;

/*
 * Derive params[0..n) and index them. A context is found by (recipient_id, id_context) and, since
 * §5 lets a request omit the kid context, also by (recipient_id, none). Returns NULL and writes
 * a reason to err when a context cannot be derived or more than OSC_MAX_CANDIDATES share a key.
 */
struct dp_ctx_table *dp_ctx_table_new(const struct osc_params *params, unsigned n, int socket,
				      char *err, size_t err_len);

/* Wipe every context and free the table. Workers must have stopped. */
void dp_ctx_table_free(struct dp_ctx_table *t);

/* The key of a parsed OSCORE option. */
void dp_ctx_key_of(struct dp_ctx_key *k, const struct osc_option *o);

/* Bulk lookup of keys[0..n) (n <= 64): out[i] is the candidate list or NULL. Lock-free. */
void dp_ctx_lookup_bulk(const struct dp_ctx_table *t, const struct dp_ctx_key **keys, unsigned n,
			const struct dp_ctx_cands **out);

#endif
