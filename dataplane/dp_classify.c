/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Classification: Ethernet, IPv4 (RFC 791) or IPv6 (RFC 8200, UDP as first next header), UDP to
 * the served port. ARP requests (RFC 826) and ICMP echo requests (RFC 792) for the gateway's
 * IPv4 address are answered in place, ICMPv6 in dp_icmp6.c; ARP replies to us go to the
 * neighbour table. Every other frame is dropped under its own counter.
 */
#include "dataplane/dp_classify.h"

#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dataplane/dp_icmp6.h"

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

/* RFC 792: echo request to us -> echo reply with the same data. */
static enum dp_verdict icmp(struct rte_mbuf *m, struct rte_ipv4_hdr *ip, uint16_t l4,
			    uint16_t l4_len, const struct dp_addrs *a, struct dp_stats *st)
{
	struct rte_icmp_hdr *h = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, l4);
	uint32_t t;

	if (l4_len < sizeof(*h))
		return drop(st, DP_DROP_RUNT);
	if (h->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || h->icmp_code)
		return drop(st, DP_DROP_ICMP);
	h->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	h->icmp_cksum = 0;
	h->icmp_cksum = (uint16_t)~rte_raw_cksum(h, l4_len);
	t = ip->src_addr, ip->src_addr = ip->dst_addr, ip->dst_addr = t;
	ip->time_to_live = 64;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	eth_turn(rte_pktmbuf_mtod(m, struct rte_ether_hdr *), a);
	st->ctr[DP_ICMP_ECHO_REPLIES]++;
	return DP_ANSWER;
}

/* UDP header at f->l4_off with l4_len bytes to the end of the IP payload. */
static enum dp_verdict udp(struct rte_mbuf *m, struct dp_flow *f, uint16_t l4_len,
			   const struct dp_addrs *a, struct dp_stats *st)
{
	struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, f->l4_off);
	uint16_t ulen;

	if (l4_len < sizeof(*u))
		return drop(st, DP_DROP_RUNT);
	ulen = rte_be_to_cpu_16(u->dgram_len);
	if (ulen < sizeof(*u) || ulen > l4_len)
		return drop(st, DP_DROP_RUNT);
	if (u->dst_port != a->udp_port)
		return drop(st, DP_DROP_UDP_PORT);
	f->payload_off = (uint16_t)(f->l4_off + sizeof(*u));
	f->payload_len = (uint16_t)(ulen - sizeof(*u));
	return DP_COAP;
}

static enum dp_verdict ipv4(struct rte_mbuf *m, struct dp_flow *f, const struct dp_addrs *a,
			    struct dp_stats *st)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, f->l3_off);
	uint16_t room = (uint16_t)(m->data_len - f->l3_off), hl, tot;

	if (room < sizeof(*ip))
		return drop(st, DP_DROP_RUNT);
	hl = (uint16_t)((ip->version_ihl & 0xf) * 4);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (ip->version_ihl >> 4 != 4 || hl < sizeof(*ip) || tot < hl || tot > room)
		return drop(st, DP_DROP_IP_BAD);
	if (!a->has_ipv4 || ip->dst_addr != a->ipv4)
		return drop(st, DP_DROP_IP_NOT_OURS);
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
		return drop(st, DP_DROP_IP_FRAGMENT);
	f->l4_off = (uint16_t)(f->l3_off + hl);
	if (ip->next_proto_id == IPPROTO_ICMP)
		return icmp(m, ip, f->l4_off, (uint16_t)(tot - hl), a, st);
	if (ip->next_proto_id != IPPROTO_UDP)
		return drop(st, DP_DROP_NOT_UDP);
	return udp(m, f, (uint16_t)(tot - hl), a, st);
}

/* Only UDP directly after the fixed header; extension headers are not walked yet. */
static enum dp_verdict ipv6(struct rte_mbuf *m, struct dp_flow *f, const struct dp_addrs *a,
			    struct dp_stats *st)
{
	struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, f->l3_off);
	uint16_t room = (uint16_t)(m->data_len - f->l3_off), plen;

	if (room < sizeof(*ip))
		return drop(st, DP_DROP_RUNT);
	plen = rte_be_to_cpu_16(ip->payload_len);
	if ((rte_be_to_cpu_32(ip->vtc_flow) >> 28) != 6 || plen > room - sizeof(*ip))
		return drop(st, DP_DROP_IP_BAD);
	if (ip->proto == IPPROTO_ICMPV6) { /* before the address check: ND goes to multicast */
		f->l4_off = (uint16_t)(f->l3_off + sizeof(*ip));
		return dp_icmp6_input(m, f, a, st);
	}
	if (!a->has_ipv6 || memcmp(ip->dst_addr, a->ipv6, 16))
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

static void turn_ipv4(struct rte_ipv4_hdr *ip, struct rte_udp_hdr *u, uint16_t ulen)
{
	uint32_t t = ip->src_addr;

	ip->src_addr = ip->dst_addr, ip->dst_addr = t;
	ip->total_length = rte_cpu_to_be_16((uint16_t)((ip->version_ihl & 0xf) * 4 + ulen));
	ip->time_to_live = 64;
	ip->fragment_offset = 0;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
}

static void turn_ipv6(struct rte_ipv6_hdr *ip, struct rte_udp_hdr *u, uint16_t ulen)
{
	uint8_t t[16];

	memcpy(t, ip->src_addr, 16);
	memcpy(ip->src_addr, ip->dst_addr, 16);
	memcpy(ip->dst_addr, t, 16);
	ip->payload_len = rte_cpu_to_be_16(ulen);
	ip->hop_limits = 64;
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv6_udptcp_cksum(ip, u); /* mandatory over IPv6 (RFC 8200 §8.1) */
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
		turn_ipv6(l3, u, ulen);
	else
		turn_ipv4(l3, u, ulen);
	eth_turn(rte_pktmbuf_mtod(m, struct rte_ether_hdr *), a);
}
