/* SPDX-License-Identifier: BSD-3-Clause */
/* L2/L3/L4 classification of received frames, and turning a frame around into its answer. */
#ifndef DP_CLASSIFY_H
#define DP_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dataplane/dp_stats.h"

#define DP_MCAST_MAX 16 /* configured group addresses (one per group) */

/* The gateway's own addresses, in network byte order. */
struct dp_addrs {
	struct rte_ether_addr mac;
	uint32_t ipv4;
	uint32_t ipv4_bcast; /* broadcast address of its on-link prefix; 0 = not known */
	uint8_t ipv6[16];
	bool has_ipv4, has_ipv6;
	uint16_t udp_port;
	/* forward mode: the workers' upstream source ports, up_first..+up_n (host order), where
	 * the upstream's answers arrive (dp_steer.h); up_n = 0 otherwise */
	uint16_t up_first, up_n;
	uint16_t gsend_port; /* group sending's port ("group_send"); 0 = none */
	/* The port answers leave by fills in IPv4 header and UDP checksums (TX offload, dp_port.h):
	 * dp_answer_udp leaves them to it. */
	bool tx_cksum;
	/* Multicast destinations accepted on udp_port (Group OSCORE groups configured): All CoAP
	 * Nodes (224.0.1.187, ff0x::fd; RFC 7252 §12.8) and each group's "multicast" address. */
	bool mcast_all_coap;
	uint8_t n_mcast4, n_mcast6;
	uint32_t mcast4[DP_MCAST_MAX];
	uint8_t mcast6[DP_MCAST_MAX][16];
};

/* Where a CoAP message sits in its frame. */
struct dp_flow {
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t payload_off;
	uint16_t payload_len;
	bool ipv6;
	bool multicast; /* sent to a multicast address: never an error answer (RFC 7252 §8.1) */
	bool gsend;     /* to the group-send port (ctl_group_send.h) */
	bool from_up;   /* arrived on the upstream's own port (set by the worker) */
};

enum dp_verdict {
	DP_COAP,    /* UDP to our port: f describes it */
	DP_ANSWER,  /* ARP request or ICMP echo for us: the frame was turned into the reply */
	DP_DROP,    /* counted in st under its reason; the caller frees it */
	DP_NEIGH,   /* ARP reply or neighbour advertisement to us: for the neighbour table */
	DP_UNREACH, /* ICMP(v6) unreachable quoting our UDP: f describes the quote (dp_unreach.h) */
};

/* Classify m (one contiguous segment) against a; count drops and local answers in st. */
enum dp_verdict dp_classify(struct rte_mbuf *m, const struct dp_addrs *a, struct dp_flow *f,
			    struct dp_stats *st);

/* The room for an answer's UDP payload in m, written at f->payload_off. */
uint16_t dp_answer_room(const struct rte_mbuf *m, const struct dp_flow *f);

/* Turn m into the answer to itself: Ethernet, IP and UDP addresses swapped (source MAC ours; the
 * source address ours too when the request went to a multicast address, RFC 7252 §8.1), lengths
 * set for a UDP payload of len bytes already written at f->payload_off, checksums (or, with
 * a->tx_cksum, the TX offload flags and the pseudo-header sum the port completes). */
void dp_answer_udp(struct rte_mbuf *m, const struct dp_flow *f, const struct dp_addrs *a,
		   uint16_t len);

#endif
