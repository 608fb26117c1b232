/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering in forward mode with several workers. Each worker owns its exchanges (dp_exchange.h)
 * and talks to the upstream from a UDP source port of its own (first + worker index), so an
 * upstream answer names its owner by its destination port. Where the port's PMD takes rte_flow
 * rules, answers to worker w's port are put on queue w by the NIC; otherwise (and for whatever a
 * rule misses) the worker that receives a frame for another worker's port hands it over through
 * that worker's ring (multi-producer, single consumer; no lock, no allocation). Devices' requests
 * stay where RSS or the PMD's fanout put them: that mapping is per flow (5-tuple), so a device's
 * retransmission reaches the worker whose deduplication table has the first copy.
 */
#ifndef DP_STEER_H
#define DP_STEER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_udp.h>

#include "dataplane/dp_classify.h"
#include "control/ctl_config_fwd.h"
#include "dataplane/dp_stats.h"

struct dp_steer;

/* Rings for n workers (n >= 2) whose upstream source ports are first..first+n-1 (host order), on
 * socket; NULL when out of memory. */
struct dp_steer *dp_steer_new(unsigned n, uint16_t first, int socket);

/* Free the rings and every frame still in them. Workers must have stopped. */
void dp_steer_free(struct dp_steer *s);

/* UDP destination port of a classified frame (host order). */
static inline uint16_t dp_steer_dst_port(const struct rte_mbuf *m, const struct dp_flow *f)
{
	return rte_be_to_cpu_16(
		rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *, f->l4_off)->dst_port);
}

/* The worker that owns a frame from the upstream to dst (host order): dst - first if it is one
 * of the workers' ports, else -1 (s NULL: one worker, always -1). */
int dp_steer_owner(const struct dp_steer *s, uint16_t dst);

/* Hand m to worker to; counted DP_STEER_OUT in st, or freed and DP_STEER_RING_FULL. Worker. */
void dp_steer_hand(struct dp_steer *s, unsigned to, struct rte_mbuf *m, struct dp_stats *st);

/* Up to cap frames handed to worker self, into m; their number (counted DP_STEER_IN). Worker. */
unsigned dp_steer_take(struct dp_steer *s, unsigned self, struct rte_mbuf **m, unsigned cap,
		       struct dp_stats *st);

/* An ARP reply or neighbour advertisement received by worker self: a copy (from mp) to every
 * other worker, whose neighbour table resolves the upstream on its own. Worker. */
void dp_steer_neigh(struct dp_steer *s, unsigned self, const struct rte_mbuf *m,
		    struct rte_mempool *mp, struct dp_stats *st);

/*
 * Ask port's PMD (rte_flow) to put UDP frames from the upstream (up, UDP port up_udp in host
 * order) to each worker's source port on that worker's queue. Prints to log what it got:
 * "rte_flow" or "software steer" and why. Returns how many workers got a rule (all or none).
 * Main lcore, port started.
 */
unsigned dp_steer_flows(const struct dp_steer *s, uint16_t port, const struct ctl_ip *up,
			uint16_t up_udp, FILE *log);

#endif
