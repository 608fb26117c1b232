/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering upstream answers to the worker that owns their exchange (dp_steer.h): rte_flow rules
 * where the PMD has them, a ring per worker for everything else.
 */
#include "dataplane/dp_steer.h"

#include <string.h>

#include <rte_flow.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>

#define STEER_RING 1024 /* a burst from every other worker many times over */
#define NEIGH_COPIES_MAX 64 /* frames in a ring above which no neighbour copy is added */

struct dp_steer {
	unsigned n;
	uint16_t first;
	struct rte_ring *ring[RTE_MAX_LCORE];
};

struct dp_steer *dp_steer_new(unsigned n, uint16_t first, int socket)
{
	struct dp_steer *s;
	char name[RTE_RING_NAMESIZE];
	unsigned i;

	if (n < 2 || n > RTE_MAX_LCORE)
		return NULL;
	s = rte_zmalloc_socket("steer", sizeof(*s), RTE_CACHE_LINE_SIZE, socket);
	if (!s)
		return NULL;
	s->n = n;
	s->first = first;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "steer%u", i);
		s->ring[i] = rte_ring_create(name, STEER_RING, socket, RING_F_SC_DEQ);
		if (!s->ring[i]) {
			dp_steer_free(s);
			return NULL;
		}
	}
	return s;
}

void dp_steer_free(struct dp_steer *s)
{
	struct rte_mbuf *m;
	unsigned i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		while (s->ring[i] && rte_ring_dequeue(s->ring[i], (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(s->ring[i]);
	}
	rte_free(s);
}

int dp_steer_owner(const struct dp_steer *s, uint16_t dst)
{
	if (!s || dst < s->first || (unsigned)(dst - s->first) >= s->n)
		return -1;
	return dst - s->first;
}

void dp_steer_hand(struct dp_steer *s, unsigned to, struct rte_mbuf *m, struct dp_stats *st)
{
	if (rte_ring_mp_enqueue(s->ring[to], m)) {
		st->ctr[DP_STEER_RING_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	st->ctr[DP_STEER_OUT]++;
}

unsigned dp_steer_take(struct dp_steer *s, unsigned self, struct rte_mbuf **m, unsigned cap,
		       struct dp_stats *st)
{
	unsigned n;

	if (!s)
		return 0;
	n = rte_ring_sc_dequeue_burst(s->ring[self], (void **)m, cap, NULL);
	st->ctr[DP_STEER_IN] += n;
	return n;
}

void dp_steer_neigh(struct dp_steer *s, unsigned self, const struct rte_mbuf *m,
		    struct rte_mempool *mp, struct dp_stats *st)
{
	unsigned i;

	for (i = 0; s && i < s->n; i++) {
		struct rte_mbuf *c;

		if (i == self)
			continue;
		/* a flood of ARP replies must not pin the mempool in rings: copies only while the
		 * other worker keeps up (upstream answers have the rest of the ring) */
		if (rte_ring_count(s->ring[i]) >= NEIGH_COPIES_MAX) {
			st->ctr[DP_STEER_RING_FULL]++;
			continue;
		}
		c = rte_pktmbuf_copy(m, mp, 0, UINT32_MAX);
		if (!c) {
			st->ctr[DP_DROP_NO_MBUF]++;
			continue;
		}
		if (rte_ring_mp_enqueue(s->ring[i], c)) {
			st->ctr[DP_STEER_RING_FULL]++;
			rte_pktmbuf_free(c);
			continue;
		}
		st->ctr[DP_STEER_NEIGH_COPIES]++;
	}
}

/* One ingress rule: UDP from the upstream (ip, port; network order) to dst (host order) goes to
 * queue q. The source is part of the match: a worker's port may be udp_port itself (the default),
 * where devices' requests must stay spread by RSS. */
static struct rte_flow *flow_rule(uint16_t port, const struct ctl_ip *ip, uint16_t up_port,
				  uint16_t dst, uint16_t q, struct rte_flow_error *err)
{
	const struct rte_flow_attr attr = { .ingress = 1 };
	struct rte_flow_item_ipv4 v4 = { 0 }, v4_mask = { .hdr.src_addr = RTE_BE32(UINT32_MAX) };
	struct rte_flow_item_ipv6 v6 = { 0 }, v6_mask = { 0 };
	const struct rte_flow_item_udp spec = { .hdr = { .src_port = up_port,
							  .dst_port = rte_cpu_to_be_16(dst) } };
	const struct rte_flow_item_udp mask = { .hdr = { .src_port = RTE_BE16(0xffff),
							  .dst_port = RTE_BE16(0xffff) } };
	struct rte_flow_item pattern[] = {
		{ .type = RTE_FLOW_ITEM_TYPE_ETH },
		{ .type = RTE_FLOW_ITEM_TYPE_IPV4, .spec = &v4, .mask = &v4_mask },
		{ .type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &spec, .mask = &mask },
		{ .type = RTE_FLOW_ITEM_TYPE_END },
	};
	const struct rte_flow_action_queue queue = { .index = q };
	const struct rte_flow_action actions[] = {
		{ .type = RTE_FLOW_ACTION_TYPE_QUEUE, .conf = &queue },
		{ .type = RTE_FLOW_ACTION_TYPE_END },
	};

	memcpy(&v4.hdr.src_addr, ip->a, 4);
	if (ip->v6) {
		memcpy(v6.hdr.src_addr, ip->a, 16);
		memset(v6_mask.hdr.src_addr, 0xff, 16);
		pattern[1] = (struct rte_flow_item){ .type = RTE_FLOW_ITEM_TYPE_IPV6, .spec = &v6,
						     .mask = &v6_mask };
	}
	if (rte_flow_validate(port, &attr, pattern, actions, err))
		return NULL;
	return rte_flow_create(port, &attr, pattern, actions, err);
}

unsigned dp_steer_flows(const struct dp_steer *s, uint16_t port, const struct ctl_ip *up,
			uint16_t up_udp, FILE *log)
{
	struct rte_flow_error err;
	unsigned w, ok = 0;

	if (!s)
		return 0;
	for (w = 0; w < s->n; w++) {
		memset(&err, 0, sizeof(err));
		if (!flow_rule(port, up, rte_cpu_to_be_16(up_udp), (uint16_t)(s->first + w),
			       (uint16_t)w, &err))
			break;
		ok++;
	}
	if (ok < s->n) {
		const char *why = err.message ? err.message : "not supported";

		rte_flow_flush(port, &err); /* all or nothing: a partial set only confuses */
		fprintf(log, "oscore-gw: port %u: upstream answers to UDP %u-%u steered to their "
			"worker in software (rte_flow: %s)\n", port, s->first, s->first + s->n - 1,
			why);
		return 0;
	}
	fprintf(log, "oscore-gw: port %u: upstream answers to UDP %u-%u put on their worker's queue "
		"by rte_flow (software steer for the rest)\n", port, s->first, s->first + s->n - 1);
	return ok;
}
