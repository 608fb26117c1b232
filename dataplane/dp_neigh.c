/* SPDX-License-Identifier: BSD-3-Clause */
/* Neighbour resolution: ARP (RFC 826) and IPv6 neighbour discovery (RFC 4861). */
#include "dataplane/dp_neigh.h"

#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_icmp.h>
#include <rte_ip.h>

#define HOLD_SECONDS 3 /* RFC 1122 §2.3.2.2 asks for at least one held frame; we keep a few */

enum { ND_NS = 135, ND_NA = 136, ND_OPT_SLLA = 1, ND_OPT_TLLA = 2 };

void dp_neigh_init(struct dp_neigh *nb, const struct ctl_fwd_config *c, const struct dp_addrs *self,
		   struct dp_txq *tx, struct rte_mempool *mp, struct dp_stats *st)
{
	unsigned i;

	memset(nb, 0, sizeof(*nb));
	*nb = (struct dp_neigh){ .self = self, .tx = tx, .mp = mp, .st = st,
				 .hz = rte_get_tsc_hz() };
	for (i = 0; i < c->n_neigh; i++) {
		struct dp_neigh_entry *e = &nb->e[nb->n++];

		e->ip = c->neigh[i].ip;
		memcpy(e->mac.addr_bytes, c->neigh[i].mac, 6);
		e->resolved = e->fixed = true;
	}
}

int dp_neigh_entry(struct dp_neigh *nb, const struct ctl_ip *ip)
{
	unsigned i;

	for (i = 0; i < nb->n; i++)
		if (nb->e[i].ip.v6 == ip->v6 && !memcmp(nb->e[i].ip.a, ip->a, ip->v6 ? 16 : 4))
			return (int)i;
	if (nb->n == DP_NEIGH_MAX)
		return -1;
	nb->e[nb->n] = (struct dp_neigh_entry){ .ip = *ip };
	return (int)nb->n++;
}

static void set_dst(struct rte_mbuf *m, const struct rte_ether_addr *mac)
{
	rte_ether_addr_copy(mac, &rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->dst_addr);
}

void dp_neigh_output(struct dp_neigh *nb, struct rte_mbuf *m, int idx, uint64_t now)
{
	if (idx >= 0 && nb->e[idx].resolved) {
		set_dst(m, &nb->e[idx].mac);
		dp_txq_push(nb->tx, m);
		return;
	}
	if (idx < 0 || nb->n_hold == DP_NEIGH_HOLD) {
		nb->st->ctr[DP_DROP_NEIGH]++;
		rte_pktmbuf_free(m);
		return;
	}
	nb->hold[nb->n_hold] = m;
	nb->hold_to[nb->n_hold] = (uint8_t)idx;
	nb->hold_until[nb->n_hold++] = now + HOLD_SECONDS * nb->hz;
	nb->st->ctr[DP_NEIGH_HELD]++;
}

/* Send held frames whose neighbour resolved, drop those held past their time (none when now is
 * 0), keep the others in order. */
static void release_held(struct dp_neigh *nb, uint64_t now)
{
	unsigned i, k = 0;

	for (i = 0; i < nb->n_hold; i++) {
		struct dp_neigh_entry *e = &nb->e[nb->hold_to[i]];

		if (e->resolved) {
			set_dst(nb->hold[i], &e->mac);
			dp_txq_push(nb->tx, nb->hold[i]);
		} else if (nb->hold_until[i] < now) {
			nb->st->ctr[DP_DROP_NEIGH]++;
			rte_pktmbuf_free(nb->hold[i]);
		} else {
			nb->hold[k] = nb->hold[i];
			nb->hold_to[k] = nb->hold_to[i];
			nb->hold_until[k++] = nb->hold_until[i];
		}
	}
	nb->n_hold = k;
}

static void learn(struct dp_neigh *nb, const struct ctl_ip *ip, const struct rte_ether_addr *mac)
{
	unsigned i;

	for (i = 0; i < nb->n; i++) {
		struct dp_neigh_entry *e = &nb->e[i];

		if (e->fixed || e->ip.v6 != ip->v6 || memcmp(e->ip.a, ip->a, ip->v6 ? 16 : 4))
			continue;
		e->mac = *mac;
		e->resolved = true;
		nb->st->ctr[DP_NEIGH_LEARNED]++;
		release_held(nb, 0);
		return;
	}
}

/* RFC 4861 §4.4: the target's link-layer address option, else the frame's source. */
static void input_na(struct dp_neigh *nb, struct rte_mbuf *m, const struct dp_flow *f)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m, void *, f->l3_off);
	const uint8_t *na = rte_pktmbuf_mtod_offset(m, uint8_t *, f->l4_off);
	unsigned len = rte_be_to_cpu_16(ip->payload_len), off;
	struct rte_ether_addr mac = rte_pktmbuf_mtod(m, struct rte_ether_hdr *)->src_addr;
	struct ctl_ip target = { .v6 = true };

	if (len < 24 || (unsigned)f->l4_off + len > m->data_len)
		return;
	memcpy(target.a, na + 8, 16);
	for (off = 24; off + 8 <= len && na[off + 1]; off += na[off + 1] * 8u)
		if (na[off] == ND_OPT_TLLA)
			memcpy(mac.addr_bytes, na + off + 2, 6);
	learn(nb, &target, &mac);
}

void dp_neigh_input(struct dp_neigh *nb, struct rte_mbuf *m, const struct dp_flow *f)
{
	if (f->ipv6) {
		input_na(nb, m, f);
	} else {
		const struct rte_arp_hdr *h = rte_pktmbuf_mtod_offset(m, void *, f->l3_off);
		struct ctl_ip ip = { .v6 = false };

		memcpy(ip.a, &h->arp_data.arp_sip, 4);
		learn(nb, &ip, &h->arp_data.arp_sha);
	}
	rte_pktmbuf_free(m);
}

/* RFC 826 request: who has ip? tell our address. */
static uint16_t arp_probe(struct dp_neigh *nb, uint8_t *p, const struct ctl_ip *ip)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)p;
	struct rte_arp_hdr *h = (struct rte_arp_hdr *)(e + 1);

	memset(p, 0, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN);
	memset(&e->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	e->src_addr = nb->self->mac;
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	h->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	h->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	h->arp_hlen = RTE_ETHER_ADDR_LEN;
	h->arp_plen = 4;
	h->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	h->arp_data.arp_sha = nb->self->mac;
	h->arp_data.arp_sip = nb->self->ipv4;
	memcpy(&h->arp_data.arp_tip, ip->a, 4);
	return RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN;
}

/* RFC 4861 §7.2.2: solicitation to the target's solicited-node multicast address (§2.7.1 of
 * RFC 4291), hop limit 255, with our link-layer address. */
static uint16_t ns_probe(struct dp_neigh *nb, uint8_t *p, const struct ctl_ip *ip)
{
	static const uint8_t snm[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)p;
	struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)(e + 1);
	uint8_t *ns = (uint8_t *)(h + 1);

	memset(p, 0, sizeof(*e) + sizeof(*h) + 32);
	e->dst_addr = (struct rte_ether_addr){ { 0x33, 0x33, 0xff, ip->a[13], ip->a[14], ip->a[15] } };
	e->src_addr = nb->self->mac;
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	h->vtc_flow = rte_cpu_to_be_32(6u << 28);
	h->payload_len = rte_cpu_to_be_16(32);
	h->proto = IPPROTO_ICMPV6;
	h->hop_limits = 255;
	memcpy(h->src_addr, nb->self->ipv6, 16);
	memcpy(h->dst_addr, snm, 13);
	memcpy(h->dst_addr + 13, ip->a + 13, 3);
	ns[0] = ND_NS;
	memcpy(ns + 8, ip->a, 16);
	ns[24] = ND_OPT_SLLA;
	ns[25] = 1;
	memcpy(ns + 26, nb->self->mac.addr_bytes, 6);
	((struct rte_icmp_hdr *)ns)->icmp_cksum = rte_ipv6_udptcp_cksum(h, ns);
	return (uint16_t)(sizeof(*e) + sizeof(*h) + 32);
}

static void probe(struct dp_neigh *nb, const struct dp_neigh_entry *e)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(nb->mp);
	uint8_t *p;

	if (!m) {
		nb->st->ctr[DP_DROP_NO_MBUF]++;
		return;
	}
	p = rte_pktmbuf_mtod(m, uint8_t *);
	m->data_len = e->ip.v6 ? ns_probe(nb, p, &e->ip) : arp_probe(nb, p, &e->ip);
	m->pkt_len = m->data_len;
	dp_txq_push(nb->tx, m);
	nb->st->ctr[DP_NEIGH_REQUESTS]++;
}

void dp_neigh_tick(struct dp_neigh *nb, uint64_t now)
{
	unsigned i;

	for (i = 0; i < nb->n; i++) {
		struct dp_neigh_entry *e = &nb->e[i];

		if (e->resolved || now < e->next_probe)
			continue;
		if (e->ip.v6 ? !nb->self->has_ipv6 : !nb->self->has_ipv4)
			continue;
		probe(nb, e);
		e->next_probe = now + nb->hz;
	}
	if (nb->n_hold)
		release_held(nb, now);
}

void dp_neigh_fini(struct dp_neigh *nb)
{
	unsigned i;

	for (i = 0; i < nb->n_hold; i++)
		rte_pktmbuf_free(nb->hold[i]);
	nb->n_hold = 0;
}
