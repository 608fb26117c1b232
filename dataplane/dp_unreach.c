/* SPDX-License-Identifier: BSD-3-Clause */
/* Destination unreachable quoting our UDP: the checks, and what the quote names. */
/* rte_ipv6_udptcp_cksum_verify is experimental in DPDK 22.11 (as for dp_classify.c) */
#define ALLOW_EXPERIMENTAL_API 1

#include "dataplane/dp_unreach.h"

#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#define ICMP_HDR 8 /* type, code, checksum, 4 unused bytes; then the quoted datagram */

static enum dp_verdict refuse(struct dp_stats *st, bool v6)
{
	st->ctr[v6 ? DP_DROP_ICMP6 : DP_DROP_ICMP]++;
	return DP_DROP;
}

/* RFC 792: the ones' complement sum over the message; RFC 4443 §2.3: with the pseudo-header. */
static bool cksum_ok(const struct rte_mbuf *m, const struct dp_flow *f, const uint8_t *h,
		     uint16_t len, bool v6)
{
	if (v6)
		return !rte_ipv6_udptcp_cksum_verify(
			rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, f->l3_off), h);
	return rte_raw_cksum(h, len) == 0xffff;
}

/* The quoted IP header at q (room bytes): its length if it is ours and UDP, else 0. */
static uint16_t quoted_ip(const uint8_t *q, uint16_t room, bool v6, const struct dp_addrs *a)
{
	if (v6) {
		const struct rte_ipv6_hdr *ip = (const void *)q;

		if (room < sizeof(*ip) || q[0] >> 4 != 6 || ip->proto != IPPROTO_UDP ||
		    memcmp(ip->src_addr, a->ipv6, 16))
			return 0;
		return sizeof(*ip);
	} else {
		const struct rte_ipv4_hdr *ip = (const void *)q;
		uint16_t hl;

		if (room < sizeof(*ip)) /* before q[0] is read: an ICMP message may quote nothing */
			return 0;
		hl = (uint16_t)((q[0] & 0xf) * 4);
		if (q[0] >> 4 != 4 || hl < sizeof(*ip) || hl > room ||
		    ip->next_proto_id != IPPROTO_UDP || ip->src_addr != a->ipv4)
			return 0;
		return hl;
	}
}

enum dp_verdict dp_unreach_input(const struct rte_mbuf *m, struct dp_flow *f, uint16_t len,
				 bool v6, const struct dp_addrs *a, struct dp_stats *st)
{
	const uint8_t *h = rte_pktmbuf_mtod_offset(m, const uint8_t *, f->l4_off);
	const struct rte_udp_hdr *u;
	uint16_t room, hl, ulen;

	if (len < ICMP_HDR || (v6 ? h[1] != 3 && h[1] != 4 : h[1] != 1 && h[1] != 3))
		return refuse(st, v6);
	if (!cksum_ok(m, f, h, len, v6)) { /* RFC 1122 §3.2.2, RFC 4443 §2.3 */
		st->ctr[DP_DROP_ICMP_CKSUM]++;
		return DP_DROP;
	}
	room = (uint16_t)(len - ICMP_HDR);
	hl = quoted_ip(h + ICMP_HDR, room, v6, a);
	if (!hl || room < hl + sizeof(*u))
		return refuse(st, v6);
	u = (const void *)(h + ICMP_HDR + hl);
	ulen = rte_be_to_cpu_16(u->dgram_len);
	if (u->src_port != a->udp_port || ulen < sizeof(*u))
		return refuse(st, v6);
	f->ipv6 = v6;
	f->l4_off = (uint16_t)(f->l4_off + ICMP_HDR);
	f->payload_off = (uint16_t)(f->l4_off + hl + sizeof(*u));
	f->payload_len = (uint16_t)RTE_MIN(room - hl - sizeof(*u), ulen - sizeof(*u));
	st->ctr[DP_ICMP_UNREACH]++;
	return DP_UNREACH;
}

bool dp_unreach_quote(const struct rte_mbuf *m, const struct dp_flow *f, struct dp_endpoint *dst,
		      uint16_t *mid)
{
	const uint8_t *q = rte_pktmbuf_mtod_offset(m, const uint8_t *, f->l4_off);
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, f->payload_off);
	const struct rte_udp_hdr *u = (const void *)(p - sizeof(*u));

	memset(dst, 0, sizeof(*dst));
	dst->v6 = f->ipv6;
	if (f->ipv6)
		memcpy(dst->ip, ((const struct rte_ipv6_hdr *)q)->dst_addr, 16);
	else
		memcpy(dst->ip, &((const struct rte_ipv4_hdr *)q)->dst_addr, 4);
	dst->port = u->dst_port;
	if (f->payload_len < 4)
		return false;
	*mid = (uint16_t)(p[2] << 8 | p[3]);
	return true;
}
