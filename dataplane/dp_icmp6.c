/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMPv6 for the gateway's own address. Neighbour solicitations (RFC 4861 §7.2.3-7.2.4) are
 * answered with a solicited advertisement carrying our link-layer address; echo requests
 * (RFC 4443 §4.1) with an echo reply. Both are turned around in their own frame.
 */
/* rte_ipv6_udptcp_cksum_verify is experimental in DPDK 22.11 */
#define ALLOW_EXPERIMENTAL_API 1

#include "dataplane/dp_icmp6.h"
#include "dataplane/dp_unreach.h"

#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>

enum {
	ICMP6_DEST_UNREACH = 1, ICMP6_ECHO_REQUEST = 128, ICMP6_ECHO_REPLY = 129, ND_NS = 135, ND_NA = 136,
	ND_OPT_TLLA = 2, ND_HOP_LIMIT = 255, NS_LEN = 24, NA_LEN = 32,
};

static enum dp_verdict drop6(struct dp_stats *st)
{
	st->ctr[DP_DROP_ICMP6]++;
	return DP_DROP;
}

/* Ours, our solicited-node multicast address (RFC 4291 §2.7.1), or all-nodes. */
static bool dst_for_us(const uint8_t *d, const struct dp_addrs *a, bool *unicast)
{
	static const uint8_t snm[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	static const uint8_t all[16] = { 0xff, 0x02, [15] = 0x01 };

	*unicast = !memcmp(d, a->ipv6, 16);
	return *unicast || (!memcmp(d, snm, 13) && !memcmp(d + 13, a->ipv6 + 13, 3)) ||
	       !memcmp(d, all, 16);
}

static void turn6(struct rte_mbuf *m, const struct dp_flow *f, const struct dp_addrs *a,
		  uint16_t l4_len, uint8_t hops)
{
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, f->l3_off);
	struct rte_icmp_hdr *h = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, f->l4_off);

	memcpy(ip->dst_addr, ip->src_addr, 16);
	memcpy(ip->src_addr, a->ipv6, 16);
	ip->payload_len = rte_cpu_to_be_16(l4_len);
	ip->hop_limits = hops;
	h->icmp_cksum = 0;
	h->icmp_cksum = rte_ipv6_udptcp_cksum(ip, h);
	m->data_len = (uint16_t)(f->l4_off + l4_len);
	m->pkt_len = m->data_len;
	rte_ether_addr_copy(&e->src_addr, &e->dst_addr);
	rte_ether_addr_copy(&a->mac, &e->src_addr);
}

/* §7.2.4: solicited (S) and override (O) flags, the target, our link-layer address. A DAD probe
 * (unspecified source) would need an answer to all-nodes; we own the address, so we drop it. */
static enum dp_verdict solicitation(struct rte_mbuf *m, struct dp_flow *f,
				    const struct dp_addrs *a, struct dp_stats *st, uint16_t len)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, void *, f->l3_off);
	uint8_t *ns = rte_pktmbuf_mtod_offset(m, uint8_t *, f->l4_off);
	static const uint8_t unspec[16];

	if (len < NS_LEN || memcmp(ns + 8, a->ipv6, 16) || !memcmp(ip->src_addr, unspec, 16))
		return drop6(st);
	if ((unsigned)f->l4_off + NA_LEN > (unsigned)(m->buf_len - m->data_off))
		return drop6(st);
	ns[0] = ND_NA;
	ns[4] = 0x60; /* S | O; R stays 0: not a router */
	ns[5] = ns[6] = ns[7] = 0;
	ns[24] = ND_OPT_TLLA;
	ns[25] = 1;
	memcpy(ns + 26, a->mac.addr_bytes, 6);
	turn6(m, f, a, NA_LEN, ND_HOP_LIMIT);
	st->ctr[DP_ND_ADVERTS]++;
	return DP_ANSWER;
}

enum dp_verdict dp_icmp6_input(struct rte_mbuf *m, struct dp_flow *f, const struct dp_addrs *a,
			       struct dp_stats *st)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, void *, f->l3_off);
	uint8_t *h = rte_pktmbuf_mtod_offset(m, uint8_t *, f->l4_off);
	uint16_t len = rte_be_to_cpu_16(ip->payload_len);
	bool unicast;

	if (!a->has_ipv6 || len < 8 || !dst_for_us(ip->dst_addr, a, &unicast))
		return drop6(st);
	f->ipv6 = true;
	/* RFC 4443 §2.3 / RFC 4861 §7.1.1: a message with a wrong checksum is discarded, never
	 * answered (its checksum covers the pseudo-header, next header 58). */
	if (rte_ipv6_udptcp_cksum_verify(ip, h)) {
		st->ctr[DP_DROP_ICMP_CKSUM]++;
		return DP_DROP;
	}
	if (h[0] == ICMP6_DEST_UNREACH && unicast)
		return dp_unreach_input(m, f, len, true, a, st);
	if (h[0] == ICMP6_ECHO_REQUEST && !h[1] && unicast) {
		h[0] = ICMP6_ECHO_REPLY;
		turn6(m, f, a, len, 64);
		st->ctr[DP_ICMP6_ECHO_REPLIES]++;
		return DP_ANSWER;
	}
	/* RFC 4861 §7.1: ND messages must arrive with hop limit 255 (not forwarded) and code 0. */
	if ((h[0] != ND_NS && h[0] != ND_NA) || h[1] || ip->hop_limits != ND_HOP_LIMIT)
		return drop6(st);
	if (h[0] == ND_NA)
		return len >= NS_LEN ? DP_NEIGH : drop6(st);
	return solicitation(m, f, a, st, len);
}
