/* SPDX-License-Identifier: BSD-3-Clause */
/* Building UDP frames from scratch (RFC 791, RFC 8200, RFC 768) and the per-port tx queue. */
#include "dataplane/dp_frame.h"

#include <string.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "dataplane/dp_cksum.h"
#include "dataplane/dp_classify.h"

uint16_t dp_frame_room(const struct rte_mbuf *m, bool v6)
{
	uint32_t room = (uint32_t)(m->buf_len - m->data_off);
	uint32_t off = dp_frame_payload_off(v6);

	room = room > off ? room - off : 0;
	return room > UINT16_MAX ? UINT16_MAX : (uint16_t)room;
}

static void ipv4_hdr(struct rte_ipv4_hdr *ip, const struct dp_endpoint *src,
		     const struct dp_endpoint *dst, uint16_t ulen)
{
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + ulen));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	memcpy(&ip->src_addr, src->ip, 4);
	memcpy(&ip->dst_addr, dst->ip, 4);
	ip->hdr_checksum = dp_ipv4_hdr_cksum(ip);
}

static void ipv6_hdr(struct rte_ipv6_hdr *ip, const struct dp_endpoint *src,
		     const struct dp_endpoint *dst, uint16_t ulen)
{
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16(ulen);
	ip->proto = IPPROTO_UDP;
	ip->hop_limits = 64;
	memcpy(ip->src_addr, src->ip, 16);
	memcpy(ip->dst_addr, dst->ip, 16);
}

void dp_frame_udp(struct rte_mbuf *m, const struct dp_endpoint *src,
		  const struct dp_endpoint *dst, uint16_t len)
{
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	void *l3 = e + 1;
	struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *,
							dp_frame_payload_off(dst->v6) - 8);
	uint16_t ulen = (uint16_t)(sizeof(*u) + len);

	rte_ether_addr_copy(&dst->mac, &e->dst_addr);
	rte_ether_addr_copy(&src->mac, &e->src_addr);
	e->ether_type = rte_cpu_to_be_16(dst->v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	u->src_port = src->port;
	u->dst_port = dst->port;
	u->dgram_len = rte_cpu_to_be_16(ulen);
	u->dgram_cksum = 0;
	m->data_len = (uint16_t)(dp_frame_payload_off(dst->v6) + len);
	m->pkt_len = m->data_len;
	m->nb_segs = 1;
	if (dst->v6) {
		ipv6_hdr(l3, src, dst, ulen);
		u->dgram_cksum = dp_udp_cksum(l3, true, u); /* mandatory (RFC 8200 §8.1) */
	} else {
		ipv4_hdr(l3, src, dst, ulen);
		u->dgram_cksum = dp_udp_cksum(l3, false, u);
	}
}

void dp_frame_source(const struct rte_mbuf *m, const struct dp_flow *f, struct dp_endpoint *e)
{
	const struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_udp_hdr *u = rte_pktmbuf_mtod_offset(m, const struct rte_udp_hdr *,
							      f->l4_off);

	memset(e, 0, sizeof(*e));
	rte_ether_addr_copy(&eh->src_addr, &e->mac);
	e->port = u->src_port;
	e->v6 = f->ipv6;
	if (f->ipv6)
		memcpy(e->ip, rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *,
						      f->l3_off)->src_addr, 16);
	else
		memcpy(e->ip, &rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
						       f->l3_off)->src_addr, 4);
}

void dp_txq_push(struct dp_txq *q, struct rte_mbuf *m)
{
	if (q->n == DP_TXQ_MAX) {
		q->st->ctr[DP_TX_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	q->m[q->n++] = m;
}

void dp_txq_flush(struct dp_txq *q)
{
	unsigned sent = 0, i;

	while (sent < q->n) {
		uint16_t k = rte_eth_tx_burst(q->port, q->queue, q->m + sent,
					      (uint16_t)RTE_MIN(q->n - sent, 64u));
		if (!k)
			break;
		sent += k;
	}
	for (i = sent; i < q->n; i++)
		rte_pktmbuf_free(q->m[i]);
	q->st->ctr[DP_TX_PACKETS] += sent;
	q->st->ctr[DP_TX_FULL] += q->n - sent;
	q->n = 0;
}
