/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classification: Ethernet, IPv4 (RFC 791) or IPv6 (RFC 8200, UDP as first next header), UDP to
 * the served port (to the gateway's address, or with Group OSCORE groups to All CoAP Nodes or a
 * group's multicast address, RFC 7252 §12.8; f->multicast says so), or to the group-send port. ARP requests (RFC 826) and ICMP echo requests (RFC 792) for the gateway's
 * IPv4 address are answered in place, ICMPv6 in dp_icmp6.c; ARP replies to us go to the
 * neighbour table. Every other frame is dropped under its own counter.
 *
 * Nothing is answered that the network could have changed on the way or that names a source no
 * answer may go to: the IPv4 header checksum and the UDP checksum are verified (by the port when
 * it says so in the mbuf's RX flags, else here), a source that is broadcast, multicast,
 * loopback, unspecified or the gateway itself is dropped (RFC 1122 §3.2.1.3, RFC 4291 §2.5,
 * §2.7), and so is an IPv4 header with options: answers are built by turning the request's own
 * headers around, and a source route copied unreversed would misdirect them (RFC 791, RFC 7126
 * §4 recommends dropping source-routed packets). Each reason has its own counter.
 */
#include "dataplane/dp_classify.h"

#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dataplane/dp_cksum.h"
#include "dataplane/dp_icmp6.h"
#include "dataplane/dp_unreach.h"

/* What the checks below return when they find no reason to drop: a counter no drop raises. */
#define NO_DROP DP_RX_PACKETS

static enum dp_verdict drop(struct dp_stats *st, enum dp_ctr why)
{
	st->ctr[why]++;
	return DP_DROP;
}

static void eth_turn(struct rte_ether_hdr *e, const struct dp_addrs *a)
{
	rte_ether_addr_copy(&e->src_addr, &e->dst_addr);
	rte_ether_addr_copy(&a->mac, &e->src_addr);
}

/* RFC 826: a request for our address becomes the reply, sent back to the asker. */
static enum dp_verdict arp(struct rte_mbuf *m, const struct dp_addrs *a, struct dp_stats *st)
{
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *h = (struct rte_arp_hdr *)(e + 1);
	struct rte_arp_ipv4 *d = &h->arp_data;

	if (m->data_len < sizeof(*e) + sizeof(*h))
		return drop(st, DP_DROP_RUNT);
	if (a->has_ipv4 && h->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY) &&
	    d->arp_tip == a->ipv4)
		return DP_NEIGH; /* the answer to our request (dp_neigh.c) */
	if (!a->has_ipv4 || h->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) ||
	    h->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || d->arp_tip != a->ipv4)
		return drop(st, DP_DROP_ARP);
	h->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	d->arp_tha = d->arp_sha;
	d->arp_tip = d->arp_sip;
	d->arp_sha = a->mac;
	d->arp_sip = a->ipv4;
	eth_turn(e, a);
	st->ctr[DP_ARP_REPLIES]++;
	return DP_ANSWER;
}

/* RFC 792: echo request to us -> echo reply with the same data. A request whose checksum is
 * wrong is dropped (RFC 1122 §3.2.2), not answered with a recomputed one. Destination
 * unreachable: dp_unreach.c. */
static enum dp_verdict icmp(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, struct dp_flow *f,
			    uint16_t l4_len, const struct dp_addrs *a, struct dp_stats *st)
{
	struct rte_icmp_hdr *h = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, f->l4_off);
	uint32_t t;

	if (l4_len < sizeof(*h))
		return drop(st, DP_DROP_RUNT);
	if (h->icmp_type == 3) /* RFC 792: destination unreachable */
		return dp_unreach_input(m, f, l4_len, false, a, st);
	if (h->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || h->icmp_code)
		return drop(st, DP_DROP_ICMP);
	if (rte_raw_cksum(h, l4_len) != 0xffff)
		return drop(st, DP_DROP_ICMP_CKSUM);
	h->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	h->icmp_cksum = 0;
	h->icmp_cksum = (uint16_t)~rte_raw_cksum(h, l4_len);
	t = ip->src_addr, ip->src_addr = ip->dst_addr, ip->dst_addr = t;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = dp_ipv4_hdr_cksum(ip);
	eth_turn(rte_pktmbuf_mtod(m, struct rte_ether_hdr *), a);
	st->ctr[DP_ICMP_ECHO_REPLIES]++;
	return DP_ANSWER;
}

/* RFC 768 / RFC 8200 §8.1: the UDP checksum. The port's verdict when it gives one (NONE: the
 * checksum field is not filled in but the data was verified); else computed here. */
static enum dp_ctr udp_cksum(const struct rte_mbuf *m, const void *ip, const struct rte_udp_hdr *u,
			     bool v6)
{
	if (!u->dgram_cksum) /* IPv4: "no checksum" (RFC 768); IPv6: forbidden (RFC 8200 §8.1) */
		return v6 ? DP_DROP_UDP_CKSUM_ZERO : NO_DROP;
	switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
	case RTE_MBUF_F_RX_L4_CKSUM_NONE:
		return NO_DROP;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		return DP_DROP_UDP_CKSUM;
	}
	if (!dp_udp_cksum_ok(ip, v6, u))
		return DP_DROP_UDP_CKSUM;
	return NO_DROP;
}

/* UDP header at f->l4_off with l4_len bytes to the end of the IP payload. The pseudo-header
 * checksum covers the whole IP payload: a UDP length shorter than it is refused as a runt. */
static enum dp_verdict udp(struct rte_mbuf *m, struct dp_flow *f, uint16_t l4_len,
			   const struct dp_addrs *a, struct dp_stats *st)
{
	struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, f->l4_off);
	uint16_t ulen;
	enum dp_ctr why;
	bool gsend;

	if (l4_len < sizeof(*u))
		return drop(st, DP_DROP_RUNT);
	ulen = rte_be_to_cpu_16(u->dgram_len);
	if (ulen < sizeof(*u) || ulen != l4_len)
		return drop(st, DP_DROP_RUNT);
	gsend = a->gsend_port && u->dst_port == a->gsend_port && !f->multicast;
	if (u->dst_port != a->udp_port && !gsend &&
	    (uint16_t)(rte_be_to_cpu_16(u->dst_port) - a->up_first) >= a->up_n)
		return drop(st, DP_DROP_UDP_PORT);
	f->gsend = gsend;
	why = udp_cksum(m, rte_pktmbuf_mtod_offset(m, void *, f->l3_off), u, f->ipv6);
	if (why != NO_DROP)
		return drop(st, why);
	f->payload_off = (uint16_t)(f->l4_off + sizeof(*u));
	f->payload_len = (uint16_t)(ulen - sizeof(*u));
	return DP_COAP;
}

/* RFC 791: the header checksum, from the port's RX flags when it checked (NONE: not filled in,
 * but verified), else computed here: a header with a correct checksum sums to 0xffff. */
static bool ipv4_cksum_ok(const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip)
{
	switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
	case RTE_MBUF_F_RX_IP_CKSUM_NONE:
		return true;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		return false;
	}
	return dp_ipv4_hdr_cksum(ip) == 0;
}

/* Is IPv4 d (network order) a multicast address the gateway's groups listen on? */
static bool ipv4_mcast_ours(uint32_t d, const struct dp_addrs *a)
{
	unsigned i;

	/* 224.0.1.187 spelt out: DPDK 22.11's RTE_IPV4 shifts an int, undefined from 128.0.0.0 */
	if (a->mcast_all_coap && d == rte_cpu_to_be_32(0xe00001bbu))
		return true;
	for (i = 0; i < a->n_mcast4; i++)
		if (d == a->mcast4[i])
			return true;
	return false;
}

/* The same for IPv6 d: All CoAP Nodes is ff0x::fd in every scope x (RFC 7252 §12.8). */
static bool ipv6_mcast_ours(const uint8_t *d, const struct dp_addrs *a)
{
	static const uint8_t zero[13];
	unsigned i;

	if (a->mcast_all_coap && d[0] == 0xff && !(d[1] & 0xf0) && !memcmp(d + 2, zero, 13) &&
	    d[15] == 0xfd)
		return true;
	for (i = 0; i < a->n_mcast6; i++)
		if (!memcmp(d, a->mcast6[i], 16))
			return true;
	return false;
}

/* Why no answer may go to IPv4 source s (network order), or NO_DROP if one may: limited
 * and subnet broadcast, multicast (RFC 1122 §3.2.1.3, RFC 1112), loopback, "this network"
 * 0.0.0.0/8, the gateway itself. */
static enum dp_ctr ipv4_src_refused(uint32_t s, const struct dp_addrs *a)
{
	uint8_t top = (uint8_t)(rte_be_to_cpu_32(s) >> 24);

	if (s == UINT32_MAX || (a->ipv4_bcast && s == a->ipv4_bcast))
		return DP_DROP_SRC_BROADCAST;
	if ((top & 0xf0) == 224)
		return DP_DROP_SRC_MULTICAST;
	if (top == 127)
		return DP_DROP_SRC_LOOPBACK;
	if (top == 0)
		return DP_DROP_SRC_UNSPECIFIED;
	if (s == a->ipv4)
		return DP_DROP_SRC_OURS;
	return NO_DROP;
}

static enum dp_verdict ipv4(struct rte_mbuf *m, struct dp_flow *f, const struct dp_addrs *a,
			    struct dp_stats *st)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, f->l3_off);
	uint16_t room = (uint16_t)(m->data_len - f->l3_off), hl, tot;
	enum dp_ctr why;

	if (room < sizeof(*ip))
		return drop(st, DP_DROP_RUNT);
	hl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ip->version_ihl >> 4 != 4 || hl < sizeof(*ip) || tot < hl || tot > room)
		return drop(st, DP_DROP_IP_BAD);
	if (!ipv4_cksum_ok(m, ip))
		return drop(st, DP_DROP_IP_CKSUM);
	if (!a->has_ipv4 ||
	    (ip->dst_addr != a->ipv4 && !(f->multicast = ipv4_mcast_ours(ip->dst_addr, a))))
		return drop(st, DP_DROP_IP_NOT_OURS);
	why = ipv4_src_refused(ip->src_addr, a);
	if (why != NO_DROP)
		return drop(st, why);
	if (hl != sizeof(*ip))
		return drop(st, DP_DROP_IP_OPTIONS);
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return drop(st, DP_DROP_IP_FRAGMENT);
	f->l4_off = (uint16_t)(f->l3_off + hl);
	if (ip->next_proto_id == IPPROTO_ICMP && !f->multicast)
		return icmp(m, ip, f, (uint16_t)(tot - hl), a, st);
	if (ip->next_proto_id != IPPROTO_UDP)
		return drop(st, DP_DROP_NOT_UDP);
	return udp(m, f, (uint16_t)(tot - hl), a, st);
}

/* Why no answer may go to IPv6 source s, or NO_DROP if one may (RFC 4291 §2.5.2, §2.5.3,
 * §2.5.5.2, §2.7). IPv4-mapped addresses never appear on the wire, whatever they map. */
static enum dp_ctr ipv6_src_refused(const uint8_t *s, const struct dp_addrs *a)
{
	static const uint8_t unspec[16], loop[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (s[0] == 0xff)
		return DP_DROP_SRC_MULTICAST;
	if (!memcmp(s, unspec, 16))
		return DP_DROP_SRC_UNSPECIFIED;
	if (!memcmp(s, loop, 16))
		return DP_DROP_SRC_LOOPBACK;
	if (!memcmp(s, mapped, 12))
		return DP_DROP_SRC_V4MAPPED;
	if (a->has_ipv6 && !memcmp(s, a->ipv6, 16))
		return DP_DROP_SRC_OURS;
	return NO_DROP;
}

/* Only UDP directly after the fixed header; extension headers are not walked yet. */
static enum dp_verdict ipv6(struct rte_mbuf *m, struct dp_flow *f, const struct dp_addrs *a,
			    struct dp_stats *st)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, f->l3_off);
	uint16_t room = (uint16_t)(m->data_len - f->l3_off), plen;
	enum dp_ctr why;

	if (room < sizeof(*ip))
		return drop(st, DP_DROP_RUNT);
	plen = rte_be_to_cpu_16(ip->payload_len);
	if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6 || plen > room - sizeof(*ip))
		return drop(st, DP_DROP_IP_BAD);
	why = ipv6_src_refused(ip->src_addr, a); /* also for ND: a DAD probe (::) is not answered */
	if (why != NO_DROP)
		return drop(st, why);
	if (ip->proto == IPPROTO_ICMPV6) { /* before the address check: ND goes to multicast */
		f->l4_off = (uint16_t)(f->l3_off + sizeof(*ip));
		return dp_icmp6_input(m, f, a, st);
	}
	if (!a->has_ipv6 ||
	    (memcmp(ip->dst_addr, a->ipv6, 16) && !(f->multicast = ipv6_mcast_ours(ip->dst_addr, a))))
		return drop(st, DP_DROP_IP_NOT_OURS);
	if (ip->proto == IPPROTO_FRAGMENT)
		return drop(st, DP_DROP_IP_FRAGMENT);
	if (ip->proto != IPPROTO_UDP)
		return drop(st, DP_DROP_NOT_UDP);
	f->ipv6 = true;
	f->l4_off = (uint16_t)(f->l3_off + sizeof(*ip));
	return udp(m, f, plen, a, st);
}

enum dp_verdict dp_classify(struct rte_mbuf *m, const struct dp_addrs *a, struct dp_flow *f,
			    struct dp_stats *st)
{
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (m->nb_segs != 1 || m->data_len < sizeof(*e))
		return drop(st, DP_DROP_RUNT);
	*f = (struct dp_flow){ .l3_off = sizeof(*e) };
	switch (rte_be_to_cpu_16(e->ether_type)) {
	case RTE_ETHER_TYPE_IPV4:
		return ipv4(m, f, a, st);
	case RTE_ETHER_TYPE_IPV6:
		return ipv6(m, f, a, st);
	case RTE_ETHER_TYPE_ARP:
		return arp(m, a, st);
	default:
		return drop(st, DP_DROP_ETHERTYPE);
	}
}

uint16_t dp_answer_room(const struct rte_mbuf *m, const struct dp_flow *f)
{
	uint32_t room = (uint32_t)(m->buf_len - m->data_off) - f->payload_off;

	return room > UINT16_MAX ? UINT16_MAX : (uint16_t)room;
}

/* mcast: the request went to a group address; the answer comes from our own (own). */
static void turn_ipv4(struct rte_ipv4_hdr *ip, struct rte_udp_hdr *u, uint16_t ulen, bool mcast,
		      uint32_t own)
{
	uint32_t t = ip->src_addr;

	ip->src_addr = mcast ? own : ip->dst_addr, ip->dst_addr = t;
	ip->total_length = rte_cpu_to_be_16((uint16_t)((ip->version_ihl & 0xf) * 4 + ulen));
	ip->time_to_live = 64;
	ip->fragment_offset = 0;
	ip->hdr_checksum = 0;
	u->dgram_cksum = 0;
}

static void turn_ipv6(struct rte_ipv6_hdr *ip, struct rte_udp_hdr *u, uint16_t ulen, bool mcast,
		      const uint8_t *own)
{
	uint8_t t[16];

	memcpy(t, ip->src_addr, 16);
	memcpy(ip->src_addr, mcast ? own : ip->dst_addr, 16);
	memcpy(ip->dst_addr, t, 16);
	ip->payload_len = rte_cpu_to_be_16(ulen);
	ip->hop_limits = 64;
	u->dgram_cksum = 0;
}

/* The answer's checksums (the UDP one mandatory over IPv6, RFC 8200 §8.1): computed here, or
 * left to the port with the offload flags and, in the UDP checksum field, the pseudo-header's sum
 * it starts from (rte_mbuf_core.h, RTE_MBUF_F_TX_UDP_CKSUM). */
static void answer_cksums(struct rte_mbuf *m, const struct dp_flow *f, void *l3,
			  struct rte_udp_hdr *u, bool offload)
{
	if (!offload) {
		if (!f->ipv6)
			((struct rte_ipv4_hdr *)l3)->hdr_checksum = dp_ipv4_hdr_cksum(l3);
		u->dgram_cksum = dp_udp_cksum(l3, f->ipv6, u);
		return;
	}
	m->l2_len = f->l3_off;
	m->l3_len = (uint16_t)(f->l4_off - f->l3_off);
	m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM |
		       (f->ipv6 ? RTE_MBUF_F_TX_IPV6 : RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM);
	u->dgram_cksum = f->ipv6 ? rte_ipv6_phdr_cksum(l3, m->ol_flags) :
				   rte_ipv4_phdr_cksum(l3, m->ol_flags);
}

void dp_answer_udp(struct rte_mbuf *m, const struct dp_flow *f, const struct dp_addrs *a,
		   uint16_t len)
{
	struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, f->l4_off);
	void *l3 = rte_pktmbuf_mtod_offset(m, void *, f->l3_off);
	uint16_t ulen = (uint16_t)(sizeof(*u) + len), t = u->src_port;

	u->src_port = u->dst_port, u->dst_port = t;
	u->dgram_len = rte_cpu_to_be_16(ulen);
	m->data_len = (uint16_t)(f->payload_off + len);
	m->pkt_len = m->data_len;
	if (f->ipv6)
		turn_ipv6(l3, u, ulen, f->multicast, a->ipv6);
	else
		turn_ipv4(l3, u, ulen, f->multicast, a->ipv4);
	answer_cksums(m, f, l3, u, a->tx_cksum);
	eth_turn(rte_pktmbuf_mtod(m, struct rte_ether_hdr *), a);
}
