/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbours the gateway sends to by address (the upstream): static entries from the
 * configuration, others resolved by ARP (RFC 826) or neighbour solicitation (RFC 4861 §7.2).
 * Frames for an unresolved neighbour are held briefly, then dropped with a counter.
 * One table per worker; nothing here allocates after init except mbufs for probes.
 */
#ifndef DP_NEIGH_H
#define DP_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "dataplane/dp_classify.h"
#include "control/ctl_config_fwd.h"
#include "dataplane/dp_frame.h"

#define DP_NEIGH_MAX (CTL_NEIGH_STATIC_MAX + 1 + CTL_FWD_ROUTES_MAX) /* + the upstreams */
#define DP_NEIGH_HOLD 64

struct dp_neigh_entry {
	struct ctl_ip ip;
	struct rte_ether_addr mac;
	bool resolved, fixed;
	uint64_t next_probe;  /* TSC */
};

struct dp_neigh {
	struct dp_neigh_entry e[DP_NEIGH_MAX];
	unsigned n, n_hold;
	struct rte_mbuf *hold[DP_NEIGH_HOLD];
	uint8_t hold_to[DP_NEIGH_HOLD];        /* entry index */
	uint64_t hold_until[DP_NEIGH_HOLD];
	const struct dp_addrs *self;           /* the port the neighbours are on */
	struct dp_txq *tx;
	struct rte_mempool *mp;
	struct dp_stats *st;
	uint64_t hz;
};

/* Static entries of c; the rest of nb zeroed. Frames leave through tx. */
void dp_neigh_init(struct dp_neigh *nb, const struct ctl_fwd_config *c, const struct dp_addrs *self,
		   struct dp_txq *tx, struct rte_mempool *mp, struct dp_stats *st);

/* The entry for ip (existing, static or new dynamic); -1 when the table is full. */
int dp_neigh_entry(struct dp_neigh *nb, const struct ctl_ip *ip);

/* Send m (a complete frame but for the Ethernet destination) to entry idx, or hold it. */
void dp_neigh_output(struct dp_neigh *nb, struct rte_mbuf *m, int idx, uint64_t now);

/* Learn from an ARP reply or neighbour advertisement (classified DP_NEIGH); frees m. */
void dp_neigh_input(struct dp_neigh *nb, struct rte_mbuf *m, const struct dp_flow *f);

/* Probe unresolved neighbours (once a second), drop frames held too long. */
void dp_neigh_tick(struct dp_neigh *nb, uint64_t now);

/* Free held frames. */
void dp_neigh_fini(struct dp_neigh *nb);

#endif
