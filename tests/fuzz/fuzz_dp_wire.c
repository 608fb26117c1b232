/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the dataplane's parsers of received frames (issue 8): dp_classify()
 * (Ethernet, IPv4/IPv6, checksums, sources, ARP, ICMP, ICMPv6/ND, UDP) and, on a CoAP verdict,
 * the CoAP type/code screen, the format-error check and the RST built in place. The frame lives in
 * a heap buffer of exactly its size, wrapped in an mbuf on the stack (no EAL, no mempool), so that
 * AddressSanitizer sees any read or write past its end, also by the answers turned around in
 * place. Input byte 0 picks the RX checksum flags the port would have set; the rest is the frame.
 * Beyond "does not crash": a DP_COAP payload lies inside the frame, and a drop raises exactly one
 * counter.
 */
#include "dataplane/dp_classify.h"
#include "dataplane/dp_plain.h"
#include "dataplane/dp_unreach.h"

#include <stdlib.h>
#include <string.h>

#include <rte_ip.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint64_t ip_flags[4] = { RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, RTE_MBUF_F_RX_IP_CKSUM_BAD,
				      RTE_MBUF_F_RX_IP_CKSUM_GOOD, RTE_MBUF_F_RX_IP_CKSUM_NONE };
static const uint64_t l4_flags[4] = { RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN, RTE_MBUF_F_RX_L4_CKSUM_BAD,
				      RTE_MBUF_F_RX_L4_CKSUM_GOOD, RTE_MBUF_F_RX_L4_CKSUM_NONE };

static void gateway(struct dp_addrs *a)
{
	memset(a, 0, sizeof(*a));
	a->has_ipv4 = a->has_ipv6 = true;
	a->ipv4 = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	a->ipv4_bcast = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 255));
	a->ipv6[0] = 0xfd;
	a->ipv6[15] = 1;
	a->udp_port = rte_cpu_to_be_16(5683);
}

static void coap(struct rte_mbuf *m, const struct dp_flow *f, struct dp_stats *st)
{
	uint8_t *msg = rte_pktmbuf_mtod_offset(m, uint8_t *, f->payload_off);

	if ((size_t)f->payload_off + f->payload_len > m->data_len)
		abort();
	if (dp_plain_screen(msg, f->payload_len, st) == DP_PLAIN_RST ||
	    dp_plain_rejectable(msg, f->payload_len, st)) {
		if (f->payload_len < 4)
			abort();
		dp_plain_rst(msg, msg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf m;
	struct dp_stats st;
	struct dp_addrs a;
	struct dp_flow f;
	struct dp_endpoint dst;
	uint16_t mid;
	uint8_t *buf;
	uint64_t sum = 0;
	unsigned i;

	if (size < 1 || size > 4096)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	memset(&m, 0, sizeof(m));
	memset(&st, 0, sizeof(st));
	m.buf_addr = buf;
	m.buf_len = m.data_len = (uint16_t)(size - 1);
	m.pkt_len = (uint32_t)(size - 1);
	m.nb_segs = 1;
	m.ol_flags = ip_flags[data[0] & 3] | l4_flags[(data[0] >> 2) & 3];
	gateway(&a);
	switch (dp_classify(&m, &a, &f, &st)) {
	case DP_COAP:
		coap(&m, &f, &st);
		break;
	case DP_UNREACH: /* the quote must lie inside the frame */
		if (f.payload_off + f.payload_len > m.data_len)
			abort();
		(void)dp_unreach_quote(&m, &f, &dst, &mid);
		break;
	case DP_DROP:
		for (i = 0; i < DP_CTR__COUNT; i++)
			sum += st.ctr[i];
		if (sum != 1)
			abort();
		break;
	default:
		break;
	}
	free(buf);
	return 0;
}
