/* SPDX-License-Identifier: BSD-3-Clause */
/* L2/L3/L4 classification of received frames, and turning a frame around into its answer. */
#ifndef DP_CLASSIFY_H
#define DP_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dataplane/dp_stats.h"

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
};

/* Where a CoAP message sits in its frame. */
struct dp_flow {
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t payload_off;
	uint16_t payload_len;
	bool ipv6;
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

/* Turn m into the answer to itself: Ethernet, IP and UDP addresses swapped (source MAC ours),
 * lengths set for a UDP payload of len bytes already written at f->payload_off, checksums. */
void dp_answer_udp(struct rte_mbuf *m, const struct dp_flow *f, const struct dp_addrs *a,
		   uint16_t len);

#endif
