/* SPDX-License-Identifier: BSD-3-Clause */
/* The source endpoint of a received datagram, as the key of per-source tables (deduplication,
 * error rate limits). */
#ifndef DP_SRC_H
#define DP_SRC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dataplane/dp_classify.h"

/* Address (IPv4 as ::ffff:a.b.c.d, RFC 4291 §2.5.5.2) and UDP port, in network byte order. */
struct dp_src {
	uint8_t addr[16];
	uint16_t port;
	uint16_t pad; /* zero: keys compare and hash as whole words */
};

/* The source of a frame that dp_classify() called DP_COAP with f. */
static inline void dp_src_of(struct dp_src *s, const struct rte_mbuf *m, const struct dp_flow *f)
{
	const struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *,
							     f->l4_off);

	memset(s, 0, sizeof(*s));
	if (f->ipv6) {
		memcpy(s->addr, rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
							f->l3_off)->src_addr, 16);
	} else {
		s->addr[10] = s->addr[11] = 0xff;
		memcpy(s->addr + 12, &rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
							      f->l3_off)->src_addr, 4);
	}
	s->port = u->src_port;
}

static inline bool dp_src_addr_eq(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, 16);
}

/* CRC32-C of the address, seeded per table so that an attacker cannot aim at one bucket. */
static inline uint32_t dp_src_addr_hash(const uint8_t *addr, uint32_t seed)
{
	return rte_hash_crc(addr, 16, seed);
}

#endif
