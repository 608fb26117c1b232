/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames the gateway originates rather than turns around: Ethernet/IP/UDP headers written from
 * scratch (forwarded requests, answers to devices, ACK/RST to the upstream), and a small transmit
 * queue per port.
 */
#ifndef DP_FRAME_H
#define DP_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dataplane/dp_stats.h"

/* One end of a UDP flow: MAC, address (IPv4 in the first 4 bytes), port; network byte order. */
struct dp_endpoint {
	struct rte_ether_addr mac;
	uint16_t port;
	uint8_t ip[16];
	bool v6;
};

/* Where the UDP payload of a frame built here starts: no VLAN, no IP options. */
static inline uint16_t dp_frame_payload_off(bool v6)
{
	return (uint16_t)(RTE_ETHER_HDR_LEN + (v6 ? 40 : 20) + 8);
}

/* Room for a UDP payload in m at dp_frame_payload_off(v6) from its data start. */
uint16_t dp_frame_room(const struct rte_mbuf *m, bool v6);

/*
 * Write Ethernet, IP and UDP headers from src to dst (same family) at m's data start, for a
 * UDP payload of len bytes already at dp_frame_payload_off(dst->v6); set lengths and checksums.
 */
void dp_frame_udp(struct rte_mbuf *m, const struct dp_endpoint *src,
		  const struct dp_endpoint *dst, uint16_t len);

/* The source of a received UDP frame (m, headers at the offsets of f) as an endpoint. */
struct dp_flow;
void dp_frame_source(const struct rte_mbuf *m, const struct dp_flow *f, struct dp_endpoint *e);

#define DP_TXQ_MAX 256

/* Frames waiting for tx_burst on one port and queue. */
struct dp_txq {
	uint16_t port, queue;
	unsigned n;
	struct dp_stats *st;
	struct rte_mbuf *m[DP_TXQ_MAX];
};

/* Queue m; a full queue frees it and counts DP_TX_FULL. */
void dp_txq_push(struct dp_txq *q, struct rte_mbuf *m);

/* tx_burst everything queued; what the port refuses is freed and counted DP_TX_FULL. */
void dp_txq_flush(struct dp_txq *q);

#endif
