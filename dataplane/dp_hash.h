/* SPDX-License-Identifier: BSD-3-Clause */
/* The one way the dataplane makes an rte_hash (the context table, the exchanges' observations). */
#ifndef DP_HASH_H
#define DP_HASH_H

#include <stdint.h>
#include <stdio.h>

#include <rte_hash.h>
#include <rte_jhash.h>

/*
 * An rte_hash for entries (at least 16) keys of key_len bytes (a multiple of 4: rte_jhash reads
 * whole 32-bit words), hashed with rte_jhash, with the extendable table, so that an add never
 * fails for a full bucket while fewer than entries keys are in, plus extra_flag. Named "what_N"
 * (rte_hash names are process-wide); the counter is per file, so each what comes from one file.
 * NULL when out of memory.
 */
static inline struct rte_hash *dp_hash_new(const char *what, unsigned entries, uint32_t key_len,
					   uint8_t extra_flag, int socket)
{
	static unsigned seq;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.name = name,
		.entries = entries < 16 ? 16 : entries,
		.key_len = key_len,
		.hash_func = rte_jhash,
		.socket_id = socket,
		.extra_flag = (uint8_t)(extra_flag | RTE_HASH_EXTRA_FLAGS_EXT_TABLE),
	};

	snprintf(name, sizeof(name), "%s_%u", what, __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED));
	return rte_hash_create(&p);
}

#endif
