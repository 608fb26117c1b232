/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of what the dataplane refuses on the wire (issue 8), in an EAL without hugepages:
 * checksums by the port's RX flags and in software, sources no answer may go to, IPv4 options,
 * CoAP messages that are no request, ICMP unreachable quoting the gateway's own datagrams (issue
 * 10), and per-worker counters one cache line apart.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_random.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "dataplane/dp_cksum.h"
#include "dataplane/dp_classify.h"
#include "dataplane/dp_plain.h"
#include "dataplane/dp_stats.h"
#include "dataplane/dp_unreach.h"

static struct rte_mempool *mp;

static void eal_up(void)
{
	char prefix[64];
	char *argv[] = { "test", "--no-huge", "--no-pci", "--no-shconf", "--file-prefix", prefix,
			 "-m", "128", "--log-level=error", "--no-telemetry", NULL };

	snprintf(prefix, sizeof(prefix), "dpwire%d", (int)getpid());
	cr_assert_geq(rte_eal_init(10, argv), 0, "EAL init");
	mp = rte_pktmbuf_pool_create("wire", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	cr_assert_not_null(mp);
}

static void eal_down(void)
{
	rte_mempool_free(mp);
	rte_eal_cleanup();
}

TestSuite(wire, .init = eal_up, .fini = eal_down);

/* The gateway: 10.0.0.1/24 and fd00::1, UDP 5683. */
static struct dp_addrs gw(void)
{
	struct dp_addrs a = { .has_ipv4 = true, .has_ipv6 = true };

	a.ipv4 = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 1));
	a.ipv4_bcast = rte_cpu_to_be_32(RTE_IPV4(10, 0, 0, 255));
	a.ipv6[0] = 0xfd;
	a.ipv6[15] = 1;
	a.udp_port = rte_cpu_to_be_16(5683);
	return a;
}

static const uint8_t coap_get[] = { 0x40, 0x01, 0x12, 0x34 }; /* CON GET, no token */

/* A frame from src (IPv4 in the first 4 bytes) to the gateway carrying coap_get, with both
 * checksums right; opt_len bytes of IPv4 options (NOPs). */
static struct rte_mbuf *frame(bool v6, const uint8_t *src, unsigned opt_len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct dp_addrs a = gw();
	struct rte_ether_hdr *e;
	struct rte_udp_hdr *u;
	uint16_t l3 = v6 ? 40 : (uint16_t)(20 + opt_len), ulen = 8 + sizeof(coap_get);
	uint8_t *ip;

	cr_assert_not_null(m);
	e = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(14 + l3 + ulen));
	memset(e, 0, 14u + l3 + ulen);
	e->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	ip = (uint8_t *)(e + 1);
	u = (struct rte_udp_hdr *)(ip + l3);
	u->src_port = rte_cpu_to_be_16(40000);
	u->dst_port = a.udp_port;
	u->dgram_len = rte_cpu_to_be_16(ulen);
	memcpy(u + 1, coap_get, sizeof(coap_get));
	if (v6) {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)ip;

		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16(ulen);
		h->proto = IPPROTO_UDP;
		h->hop_limits = 64;
		memcpy(h->src_addr, src, 16);
		memcpy(h->dst_addr, a.ipv6, 16);
		u->dgram_cksum = rte_ipv6_udptcp_cksum(h, u);
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		h->version_ihl = (uint8_t)(0x40 | l3 / 4);
		memset(h + 1, 1, opt_len); /* NOP options (RFC 791) */
		h->total_length = rte_cpu_to_be_16((uint16_t)(l3 + ulen));
		h->time_to_live = 64;
		h->next_proto_id = IPPROTO_UDP;
		memcpy(&h->src_addr, src, 4);
		h->dst_addr = a.ipv4;
		h->hdr_checksum = rte_ipv4_cksum(h);
		u->dgram_cksum = rte_ipv4_udptcp_cksum(h, u);
	}
	return m;
}

static const uint8_t dev4[4] = { 10, 0, 0, 105 };
static const uint8_t dev6[16] = { 0xfd, [15] = 105 };

/* Classify m with the RX flags fl; the verdict, and in *why the counter it raised (or -1). */
static enum dp_verdict classify(struct rte_mbuf *m, uint64_t fl, int *why)
{
	struct dp_stats st = { 0 };
	struct dp_addrs a = gw();
	struct dp_flow f;
	enum dp_verdict v;
	unsigned i;

	m->ol_flags = fl;
	v = dp_classify(m, &a, &f, &st);
	*why = -1;
	for (i = 0; i < DP_CTR__COUNT; i++)
		if (st.ctr[i]) {
			cr_assert_eq(*why, -1, "one counter per frame");
			*why = (int)i;
		}
	rte_pktmbuf_free(m);
	return v;
}

static void expect_coap(struct rte_mbuf *m, uint64_t fl, const char *what)
{
	int why;

	cr_expect_eq(classify(m, fl, &why), DP_COAP, "%s: %s", what, dp_ctr_name(why));
}

static void expect_drop(struct rte_mbuf *m, uint64_t fl, enum dp_ctr want, const char *what)
{
	int why;

	cr_expect_eq(classify(m, fl, &why), DP_DROP, "%s", what);
	cr_expect_eq(why, (int)want, "%s: %s, not %s", what, dp_ctr_name(why), dp_ctr_name(want));
}

static uint8_t *l3_of(struct rte_mbuf *m)
{
	return rte_pktmbuf_mtod_offset(m, uint8_t *, 14);
}

Test(wire, ipv4_header_checksum_by_flags_then_software)
{
	struct rte_mbuf *m;

	expect_coap(frame(false, dev4, 0), 0, "valid");
	expect_drop(frame(false, dev4, 0), RTE_MBUF_F_RX_IP_CKSUM_BAD, DP_DROP_IP_CKSUM,
		    "port says bad");
	m = frame(false, dev4, 0);
	l3_of(m)[15] ^= 1; /* a bit of the source address */
	expect_drop(m, RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN, DP_DROP_IP_CKSUM, "flipped source bit");
	m = frame(false, dev4, 0);
	l3_of(m)[10] ^= 0xff; /* the checksum field; the port verified the header */
	expect_coap(m, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD, "port says good");
	m = frame(false, dev4, 0);
	l3_of(m)[10] ^= 0xff;
	expect_coap(m, RTE_MBUF_F_RX_IP_CKSUM_NONE | RTE_MBUF_F_RX_L4_CKSUM_GOOD,
		    "NONE: header verified, field not filled in");
}

Test(wire, udp_checksum_by_flags_then_software)
{
	struct rte_mbuf *m;

	expect_drop(frame(false, dev4, 0), RTE_MBUF_F_RX_L4_CKSUM_BAD, DP_DROP_UDP_CKSUM,
		    "port says bad");
	m = frame(false, dev4, 0);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 20 + 8)[3] ^= 0x10; /* the Message ID */
	expect_drop(m, 0, DP_DROP_UDP_CKSUM, "IPv4: changed datagram");
	m = frame(true, dev6, 0);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 40 + 8)[3] ^= 0x10;
	expect_drop(m, 0, DP_DROP_UDP_CKSUM, "IPv6: changed datagram");
	m = frame(true, dev6, 0);
	rte_pktmbuf_mtod_offset(m, uint8_t *, 14 + 40 + 8)[3] ^= 0x10;
	expect_coap(m, RTE_MBUF_F_RX_L4_CKSUM_GOOD, "port says good");
	expect_coap(frame(true, dev6, 0), 0, "IPv6 valid");
}

/* dp_cksum.h against DPDK's own checksums over every UDP length up to 600 and longer ones, at
 * every alignment, over IPv4 (with and without options) and IPv6: the same field bit for bit,
 * and a flipped bit anywhere in the datagram or the addresses is seen. */
static void cksum_case(bool v6, unsigned align, uint16_t ulen, unsigned opt_len)
{
	static uint8_t buf[4 + 60 + 2048] __rte_aligned(64);
	uint8_t *l3 = buf + align;
	uint16_t hl = v6 ? 40 : (uint16_t)(20 + opt_len);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(l3 + hl);
	uint16_t want, got;
	unsigned i, bit;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rte_rand();
	u->dgram_len = rte_cpu_to_be_16(ulen);
	u->dgram_cksum = 0;
	if (v6) {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)l3;

		h->payload_len = u->dgram_len;
		h->proto = IPPROTO_UDP;
		want = rte_ipv6_udptcp_cksum(h, u);
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)l3;

		h->version_ihl = (uint8_t)(0x40 | hl / 4);
		h->total_length = rte_cpu_to_be_16((uint16_t)(hl + ulen));
		h->next_proto_id = IPPROTO_UDP;
		h->hdr_checksum = 0;
		cr_assert_eq(dp_ipv4_hdr_cksum(h), rte_ipv4_cksum(h), "IPv4 header, %u B options",
			     opt_len);
		h->hdr_checksum = dp_ipv4_hdr_cksum(h);
		cr_assert_eq(dp_ipv4_hdr_cksum(h), 0, "intact header");
		want = rte_ipv4_udptcp_cksum(h, u);
	}
	got = dp_udp_cksum(l3, v6, u);
	cr_assert_eq(got, want, "v6 %d, align %u, ulen %u: %04x, DPDK %04x", v6, align, ulen, got,
		     want);
	u->dgram_cksum = got;
	cr_assert(dp_udp_cksum_ok(l3, v6, u), "v6 %d, align %u, ulen %u", v6, align, ulen);
	/* one bit of the source address, the header or the data; not of the UDP length, which the
	 * classifier checks against the IP length before the checksum */
	bit = (unsigned)(rte_rand() % (ulen * 8u + 32u));
	if (bit < 32 || (bit - 32) / 8 == 4 || (bit - 32) / 8 == 5)
		l3[(v6 ? 8 : 12) + bit / 8 % 4] ^= (uint8_t)(1u << (bit % 8));
	else
		((uint8_t *)u)[(bit - 32) / 8] ^= (uint8_t)(1u << (bit % 8));
	cr_assert_not(dp_udp_cksum_ok(l3, v6, u), "flipped bit %u, ulen %u", bit, ulen);
}

Test(wire, checksums_same_as_dpdk_every_length_and_alignment)
{
	static const uint16_t longer[] = { 1023, 1024, 1025, 1471, 1472, 2047 };
	unsigned align, i;
	uint16_t ulen;

	for (align = 0; align < 4; align++)
		for (ulen = 8; ulen <= 600; ulen++) {
			cksum_case(false, align, ulen, 0);
			cksum_case(false, align, ulen, 4 * (ulen % 11));
			cksum_case(true, align, ulen, 0);
		}
	for (i = 0; i < RTE_DIM(longer); i++) {
		cksum_case(false, 1, longer[i], 0);
		cksum_case(true, 3, longer[i], 0);
	}
}

/* The answer to frame(v6) with the port's checksum offload (a.tx_cksum), completed as the port
 * does it (rte_mbuf_core.h: the UDP field holds the pseudo-header's sum, the IPv4 field 0), is
 * byte for byte the answer computed in software. */
static void offload_case(bool v6)
{
	struct rte_mbuf *sw = frame(v6, v6 ? dev6 : dev4, 0), *hw = frame(v6, v6 ? dev6 : dev4, 0);
	struct dp_addrs a = gw();
	struct dp_stats st = { 0 };
	struct dp_flow f;
	struct rte_udp_hdr *u;
	uint16_t l4 = v6 ? 14 + 40 : 14 + 20;

	cr_assert_eq(dp_classify(sw, &a, &f, &st), DP_COAP);
	memcpy(rte_pktmbuf_mtod_offset(sw, uint8_t *, f.payload_off), "\x60\x44\x12\x34", 4);
	memcpy(rte_pktmbuf_mtod_offset(hw, uint8_t *, f.payload_off), "\x60\x44\x12\x34", 4);
	dp_answer_udp(sw, &f, &a, 4);
	cr_assert_eq(sw->ol_flags & RTE_MBUF_F_TX_UDP_CKSUM, 0, "software: no offload asked");
	a.tx_cksum = true;
	dp_answer_udp(hw, &f, &a, 4);
	cr_assert(hw->ol_flags & RTE_MBUF_F_TX_UDP_CKSUM);
	cr_assert_eq(!!(hw->ol_flags & RTE_MBUF_F_TX_IP_CKSUM), !v6);
	cr_assert_eq(!!(hw->ol_flags & RTE_MBUF_F_TX_IPV4), !v6);
	cr_assert_eq(hw->l2_len, 14);
	cr_assert_eq(hw->l3_len, v6 ? 40 : 20);
	u = rte_pktmbuf_mtod_offset(hw, struct rte_udp_hdr *, l4);
	/* the port: the sum over the datagram from the field's pseudo-header sum, then the header */
	u->dgram_cksum = (uint16_t)~rte_raw_cksum(u, rte_be_to_cpu_16(u->dgram_len));
	if (!v6) {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(hw, struct rte_ipv4_hdr *, 14);

		cr_assert_eq(ip->hdr_checksum, 0, "the port fills it in");
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	cr_assert_eq(hw->data_len, sw->data_len);
	cr_assert_arr_eq(rte_pktmbuf_mtod(hw, uint8_t *), rte_pktmbuf_mtod(sw, uint8_t *),
			 sw->data_len, "v6 %d", v6);
	rte_pktmbuf_free(sw);
	rte_pktmbuf_free(hw);
}

Test(wire, answer_checksums_left_to_the_port_that_offers_it)
{
	offload_case(false);
	offload_case(true);
}

Test(wire, udp_checksum_zero_is_none_over_ipv4_and_refused_over_ipv6)
{
	struct rte_mbuf *m = frame(false, dev4, 0);

	rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 14 + 20)->dgram_cksum = 0;
	expect_coap(m, 0, "IPv4: no checksum (RFC 768)");
	m = frame(true, dev6, 0);
	rte_pktmbuf_mtod_offset(m, struct rte_udp_hdr *, 14 + 40)->dgram_cksum = 0;
	expect_drop(m, RTE_MBUF_F_RX_L4_CKSUM_GOOD, DP_DROP_UDP_CKSUM_ZERO,
		    "IPv6: RFC 8200 §8.1, whatever the port says");
}

Test(wire, sources_no_answer_may_go_to)
{
	static const struct { uint8_t a[4]; enum dp_ctr why; } v4[] = {
		{ { 255, 255, 255, 255 }, DP_DROP_SRC_BROADCAST },
		{ { 10, 0, 0, 255 }, DP_DROP_SRC_BROADCAST },
		{ { 239, 1, 2, 3 }, DP_DROP_SRC_MULTICAST },
		{ { 127, 4, 5, 6 }, DP_DROP_SRC_LOOPBACK },
		{ { 0, 0, 0, 0 }, DP_DROP_SRC_UNSPECIFIED },
		{ { 10, 0, 0, 1 }, DP_DROP_SRC_OURS },
	};
	static const struct { uint8_t a[16]; enum dp_ctr why; } v6[] = {
		{ { 0xff, 0x02, [15] = 1 }, DP_DROP_SRC_MULTICAST },
		{ { 0 }, DP_DROP_SRC_UNSPECIFIED },
		{ { [15] = 1 }, DP_DROP_SRC_LOOPBACK },
		{ { 0xfd, [15] = 1 }, DP_DROP_SRC_OURS },
		{ { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 }, DP_DROP_SRC_V4MAPPED },
	};
	unsigned i;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		expect_drop(frame(false, v4[i].a, 0), 0, v4[i].why, dp_ctr_name(v4[i].why));
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		expect_drop(frame(true, v6[i].a, 0), 0, v6[i].why, dp_ctr_name(v6[i].why));
	expect_coap(frame(false, (const uint8_t[4]){ 10, 0, 1, 255 }, 0), 0,
		    "another subnet's broadcast looks like a host");
}

Test(wire, subnet_broadcast_known_only_with_ipv4_prefix)
{
	struct dp_stats st = { 0 };
	struct dp_addrs a = gw();
	struct rte_mbuf *m = frame(false, (const uint8_t[4]){ 10, 0, 0, 255 }, 0);
	struct dp_flow f;

	a.ipv4_bcast = 0; /* no "ipv4_prefix" */
	cr_assert_eq(dp_classify(m, &a, &f, &st), DP_COAP);
	rte_pktmbuf_free(m);
}

Test(wire, ipv4_options_dropped)
{
	expect_drop(frame(false, dev4, 4), 0, DP_DROP_IP_OPTIONS, "4 bytes of options");
	expect_drop(frame(false, dev4, 40), 0, DP_DROP_IP_OPTIONS, "40 bytes of options");
}

Test(wire, coap_screen_by_type_and_code)
{
	static const struct { uint8_t h[4]; enum dp_plain_verdict v; int why; } c[] = {
		{ { 0x40, 0x01, 0, 1 }, DP_PLAIN_PROCESS, -1 },                   /* CON GET */
		{ { 0x50, 0x02, 0, 1 }, DP_PLAIN_PROCESS, -1 },                   /* NON POST */
		{ { 0x60, 0x00, 0, 1 }, DP_PLAIN_IGNORE, DP_COAP_ACK_IGNORED },   /* empty ACK */
		{ { 0x61, 0x45, 0, 1 }, DP_PLAIN_IGNORE, DP_COAP_ACK_IGNORED },   /* ACK 2.05 */
		{ { 0x60, 0x01, 0, 1 }, DP_PLAIN_IGNORE, DP_COAP_ACK_IGNORED },   /* ACK "GET" */
		{ { 0x70, 0x00, 0, 1 }, DP_PLAIN_IGNORE, DP_COAP_RST_IGNORED },   /* never RST a RST */
		{ { 0x70, 0x01, 0, 1 }, DP_PLAIN_IGNORE, DP_COAP_RST_IGNORED },
		{ { 0x40, 0x00, 0, 1 }, DP_PLAIN_RST, DP_COAP_PING },             /* CoAP ping */
		{ { 0x50, 0x00, 0, 1 }, DP_PLAIN_IGNORE, DP_COAP_EMPTY_NON },
		{ { 0x40, 0x45, 0, 1 }, DP_PLAIN_RST, DP_COAP_RESPONSE_CODE },    /* CON 2.05 */
		{ { 0x40, 0xa0, 0, 1 }, DP_PLAIN_RST, DP_COAP_RESPONSE_CODE },    /* CON 5.00 */
		{ { 0x50, 0x84, 0, 1 }, DP_PLAIN_IGNORE, DP_COAP_RESPONSE_CODE }, /* NON 4.04 */
		{ { 0x40, 0xe0, 0, 1 }, DP_PLAIN_RST, DP_COAP_RESERVED_CLASS },   /* CON 7.00 */
		{ { 0x40, 0x21, 0, 1 }, DP_PLAIN_RST, DP_COAP_RESERVED_CLASS },   /* CON 1.01 */
		{ { 0x40, 0xdf, 0, 1 }, DP_PLAIN_RST, DP_COAP_RESERVED_CLASS },   /* CON 6.31 */
		{ { 0x50, 0xe0, 0, 1 }, DP_PLAIN_IGNORE, DP_COAP_RESERVED_CLASS },
		{ { 0x80, 0x00, 0, 1 }, DP_PLAIN_PROCESS, -1 },                   /* version 2 */
	};
	unsigned i, j;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct dp_stats st = { 0 };

		cr_expect_eq(dp_plain_screen(c[i].h, 4, &st), c[i].v, "case %u", i);
		for (j = 0; j < DP_CTR__COUNT; j++)
			cr_expect_eq(st.ctr[j], (int)j == c[i].why, "case %u: %s", i, dp_ctr_name((int)j));
	}
	cr_expect_eq(dp_plain_screen((const uint8_t *)"\x40\x00", 2, &(struct dp_stats){ 0 }),
		     DP_PLAIN_PROCESS, "short: for the parser to refuse");
}

Test(wire, rst_matches_the_message_id_and_format_errors)
{
	uint8_t msg[5] = { 0x48, 0x01, 0xbe, 0xef, 0x01 }, out[4];
	struct dp_stats st = { 0 };

	cr_assert_eq(dp_plain_rst(out, msg), 4);
	cr_assert_arr_eq(out, ((uint8_t[4]){ 0x70, 0x00, 0xbe, 0xef }), 4);
	cr_assert_eq(dp_plain_rst(msg, msg), 4, "in place");
	cr_assert_arr_eq(msg, ((uint8_t[4]){ 0x70, 0x00, 0xbe, 0xef }), 4);
	cr_assert(dp_plain_rejectable((const uint8_t *)"\x48\x01\x12\x35\x01", 5, &st), "CON");
	cr_assert_not(dp_plain_rejectable((const uint8_t *)"\x58\x01\x12\x35\x01", 5, &st), "NON");
	cr_assert_not(dp_plain_rejectable((const uint8_t *)"\x88\x01\x12\x35\x01", 5, &st), "v2");
	cr_assert_not(dp_plain_rejectable((const uint8_t *)"\x40\x01\x12", 3, &st), "no MID");
	cr_assert_eq(st.ctr[DP_COAP_FORMAT_ERROR], 1);
}

Test(wire, worker_counters_one_cache_line_apart)
{
	struct dp_stats *s = dp_stats_alloc(5, SOCKET_ID_ANY);
	unsigned i, j;

	cr_assert_not_null(s);
	cr_assert_eq(sizeof(*s) % RTE_CACHE_LINE_SIZE, 0);
	for (i = 0; i < 5; i++) {
		cr_assert_eq((uintptr_t)&s[i] % RTE_CACHE_LINE_SIZE, 0, "worker %u", i);
		for (j = 0; j < DP_CTR__COUNT; j++)
			cr_assert_eq(s[i].ctr[j], 0, "zeroed");
	}
	cr_assert(rte_malloc_validate(s, NULL) == 0, "from rte_malloc");
	dp_stats_free(s);
}

Test(wire, every_counter_has_a_name)
{
	unsigned i;

	for (i = 0; i < DP_CTR__COUNT; i++)
		cr_assert(dp_ctr_name((int)i) && strcmp(dp_ctr_name((int)i), "unknown"), "%u", i);
}

/* An ICMP destination unreachable (code) from dev4 quoting a NON notification (Message ID
 * 0x1234) that the gateway (src, UDP port sport) sent to dev4 port 40000. */
static struct rte_mbuf *unreach4(uint8_t code, uint32_t src, uint16_t sport, bool bad_cksum)
{
	static const uint8_t note[] = { 0x50, 0x45, 0x12, 0x34, 0xff, 'x', 'y' };
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct dp_addrs a = gw();
	uint16_t qlen = (uint16_t)(sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr) +
				   sizeof(note));
	uint16_t ilen = (uint16_t)(8 + qlen);
	uint8_t *p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(14 + 20 + ilen));
	struct rte_ipv4_hdr *ip = (void *)(p + 14), *q = (void *)(p + 14 + 20 + 8);
	struct rte_udp_hdr *u = (void *)(q + 1);
	uint8_t *icmp = p + 14 + 20;

	memset(p, 0, 14 + 20 + ilen);
	p[12] = 0x08;
	*ip = (struct rte_ipv4_hdr){ .version_ihl = 0x45, .time_to_live = 64,
				     .next_proto_id = IPPROTO_ICMP,
				     .total_length = rte_cpu_to_be_16((uint16_t)(20 + ilen)),
				     .dst_addr = a.ipv4 };
	memcpy(&ip->src_addr, dev4, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	*q = (struct rte_ipv4_hdr){ .version_ihl = 0x45, .time_to_live = 64,
				    .next_proto_id = IPPROTO_UDP,
				    .total_length = rte_cpu_to_be_16(qlen), .src_addr = src };
	memcpy(&q->dst_addr, dev4, 4);
	*u = (struct rte_udp_hdr){ .src_port = sport, .dst_port = rte_cpu_to_be_16(40000),
				   .dgram_len = rte_cpu_to_be_16((uint16_t)(8 + sizeof(note))) };
	memcpy(u + 1, note, sizeof(note));
	icmp[0] = 3;
	icmp[1] = code;
	((uint16_t *)icmp)[1] = (uint16_t)~rte_raw_cksum(icmp, ilen);
	if (bad_cksum)
		icmp[2] ^= 1;
	return m;
}

Test(wire, icmp_unreachable_quoting_our_datagram)
{
	struct dp_addrs a = gw();
	struct dp_stats st = { 0 };
	struct rte_mbuf *m = unreach4(3, a.ipv4, a.udp_port, false);
	struct dp_endpoint dst;
	struct dp_flow f;
	uint16_t mid = 0;
	int why;

	cr_assert_eq(dp_classify(m, &a, &f, &st), DP_UNREACH, "port unreachable: for the forwarder");
	cr_assert_eq(st.ctr[DP_ICMP_UNREACH], 1);
	cr_assert(dp_unreach_quote(m, &f, &dst, &mid));
	cr_assert_eq(mid, 0x1234, "the quoted CoAP Message ID");
	cr_assert_eq(dst.port, rte_cpu_to_be_16(40000));
	cr_assert(!dst.v6 && !memcmp(dst.ip, dev4, 4), "the quoted destination: the device");
	rte_pktmbuf_free(m);
	cr_assert_eq(classify(unreach4(1, a.ipv4, a.udp_port, false), 0, &why), DP_UNREACH,
		     "host unreachable too");
	cr_assert_eq(classify(unreach4(0, a.ipv4, a.udp_port, false), 0, &why), DP_DROP,
		     "net unreachable: not a device that left");
	cr_assert_eq(why, DP_DROP_ICMP);
	cr_assert_eq(classify(unreach4(3, a.ipv4, a.udp_port, true), 0, &why), DP_DROP,
		     "bad ICMP checksum");
	cr_assert_eq(why, DP_DROP_ICMP_CKSUM);
	cr_assert_eq(classify(unreach4(3, a.ipv4 ^ 1, a.udp_port, false), 0, &why), DP_DROP,
		     "quotes a datagram that was not ours");
	cr_assert_eq(classify(unreach4(3, a.ipv4, a.udp_port ^ 1, false), 0, &why), DP_DROP,
		     "quotes a datagram from another port");
}

/* --- multicast destinations and the group-send port (Group OSCORE, RFC 10021 §7) --- */

/* The gateway with groups: All CoAP Nodes, the group address 239.255.0.3 / ff05::1:3 and the
 * group-send port 5690. */
static struct dp_addrs gw_groups(void)
{
	struct dp_addrs a = gw();

	a.mcast_all_coap = true;
	a.mcast4[a.n_mcast4++] = rte_cpu_to_be_32(0xefff0003u); /* 239.255.0.3 (RTE_IPV4: int shift) */
	a.mcast6[a.n_mcast6][0] = 0xff;
	a.mcast6[a.n_mcast6][1] = 0x05;
	a.mcast6[a.n_mcast6][13] = 1;
	a.mcast6[a.n_mcast6++][15] = 3;
	a.gsend_port = rte_cpu_to_be_16(5690);
	return a;
}

/* m (from frame()) sent to dst (IPv4 in the first 4 bytes) and UDP port, checksums redone. */
static void retarget(struct rte_mbuf *m, bool v6, const uint8_t *dst, uint16_t port)
{
	uint8_t *ip = l3_of(m);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + (v6 ? 40 : 20));

	u->dst_port = rte_cpu_to_be_16(port);
	u->dgram_cksum = 0;
	if (v6) {
		memcpy(((struct rte_ipv6_hdr *)ip)->dst_addr, dst, 16);
		u->dgram_cksum = rte_ipv6_udptcp_cksum((struct rte_ipv6_hdr *)ip, u);
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

		memcpy(&h->dst_addr, dst, 4);
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		u->dgram_cksum = rte_ipv4_udptcp_cksum(h, u);
	}
}

/* Classify against gw_groups(): the verdict, the flow in *f, the counter raised in *why. */
static enum dp_verdict classify_groups(struct rte_mbuf *m, struct dp_flow *f, int *why)
{
	struct dp_stats st = { 0 };
	struct dp_addrs a = gw_groups();
	enum dp_verdict v = dp_classify(m, &a, f, &st);
	unsigned i;

	*why = -1;
	for (i = 0; i < DP_CTR__COUNT; i++)
		if (st.ctr[i])
			*why = (int)i;
	return v;
}

Test(wire, group_multicast_destinations_accepted_others_not)
{
	static const uint8_t all4[4] = { 224, 0, 1, 187 }, grp4[4] = { 239, 255, 0, 3 },
			     other4[4] = { 239, 255, 0, 4 };
	static const uint8_t all6[16] = { 0xff, 0x05, [15] = 0xfd }, grp6[16] = { 0xff, 0x05,
		[13] = 1, [15] = 3 }, other6[16] = { 0xff, 0x05, [15] = 0xfe };
	struct { bool v6; const uint8_t *dst; uint16_t port; bool ok; } c[] = {
		{ false, all4, 5683, true }, { false, grp4, 5683, true },
		{ false, other4, 5683, false }, { true, all6, 5683, true },
		{ true, grp6, 5683, true }, { true, other6, 5683, false },
		{ false, grp4, 5690, false }, /* the group-send port is unicast only */
	};
	struct dp_flow f;
	unsigned i;
	int why;

	for (i = 0; i < RTE_DIM(c); i++) {
		struct rte_mbuf *m = frame(c[i].v6, c[i].v6 ? dev6 : dev4, 0);

		retarget(m, c[i].v6, c[i].dst, c[i].port);
		cr_expect_eq(classify_groups(m, &f, &why), c[i].ok ? DP_COAP : DP_DROP, "case %u", i);
		cr_expect(!c[i].ok || (f.multicast && !f.gsend), "case %u: flow says multicast", i);
		rte_pktmbuf_free(m);
	}
	/* without groups, All CoAP Nodes is no destination of ours */
	{
		struct rte_mbuf *m = frame(false, dev4, 0);

		retarget(m, false, all4, 5683);
		expect_drop(m, 0, DP_DROP_IP_NOT_OURS, "224.0.1.187 without groups");
	}
}

Test(wire, group_send_port_and_answer_from_our_own_address)
{
	static const uint8_t us4[4] = { 10, 0, 0, 1 }, grp4[4] = { 239, 255, 0, 3 };
	struct dp_addrs a = gw_groups();
	struct rte_mbuf *m = frame(false, dev4, 0);
	struct rte_ipv4_hdr *h;
	struct dp_flow f;
	int why;

	retarget(m, false, us4, 5690);
	cr_expect_eq(classify_groups(m, &f, &why), DP_COAP);
	cr_expect(f.gsend && !f.multicast);
	rte_pktmbuf_free(m);
	m = frame(false, dev4, 0);
	retarget(m, false, grp4, 5683);
	cr_assert_eq(classify_groups(m, &f, &why), DP_COAP);
	dp_answer_udp(m, &f, &a, sizeof(coap_get));
	h = (struct rte_ipv4_hdr *)l3_of(m);
	cr_expect_eq(h->src_addr, a.ipv4, "RFC 7252 §8.1: from our unicast address");
	cr_expect(!memcmp(&h->dst_addr, dev4, 4));
	cr_expect_eq(rte_ipv4_cksum(h), 0);
	rte_pktmbuf_free(m);
}

/* Help texts travel through DPDK telemetry's JSON, which mangles bytes above 0x7f (a "§" became
 * "\v\-" in the metrics text): printable ASCII only. */
Test(wire, every_help_text_is_printable_ascii)
{
	const unsigned char *p;
	unsigned i;

	for (i = 0; i < DP_CTR__COUNT; i++)
		for (p = (const unsigned char *)dp_ctr_help((int)i); p && *p; p++)
			cr_assert(*p >= 0x20 && *p < 0x7f, "%s: byte 0x%02x", dp_ctr_name((int)i), *p);
}

/* An echo request from dev4/dev6 to the gateway; its ICMP checksum right or one off. */
static struct rte_mbuf *echo_request(bool v6, bool good)
{
	static const uint8_t body[12] = { 0, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g' };
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct dp_addrs a = gw();
	uint16_t l3 = v6 ? 40 : 20;
	struct rte_ether_hdr *e;
	struct rte_icmp_hdr *h;
	uint8_t *ip;

	cr_assert_not_null(m);
	e = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(14 + l3 + sizeof(body)));
	memset(e, 0, 14u + l3);
	e->ether_type = rte_cpu_to_be_16(v6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	ip = (uint8_t *)(e + 1);
	h = (struct rte_icmp_hdr *)(ip + l3);
	memcpy(h, body, sizeof(body));
	h->icmp_type = v6 ? 128 : RTE_IP_ICMP_ECHO_REQUEST;
	if (v6) {
		struct rte_ipv6_hdr *i6 = (struct rte_ipv6_hdr *)ip;

		i6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		i6->payload_len = rte_cpu_to_be_16(sizeof(body));
		i6->proto = IPPROTO_ICMPV6;
		i6->hop_limits = 64;
		memcpy(i6->src_addr, dev6, 16);
		memcpy(i6->dst_addr, a.ipv6, 16);
		h->icmp_cksum = rte_ipv6_udptcp_cksum(i6, h);
	} else {
		struct rte_ipv4_hdr *i4 = (struct rte_ipv4_hdr *)ip;

		i4->version_ihl = 0x45;
		i4->total_length = rte_cpu_to_be_16((uint16_t)(20 + sizeof(body)));
		i4->time_to_live = 64;
		i4->next_proto_id = IPPROTO_ICMP;
		memcpy(&i4->src_addr, dev4, 4);
		i4->dst_addr = a.ipv4;
		i4->hdr_checksum = rte_ipv4_cksum(i4);
		h->icmp_cksum = (uint16_t)~rte_raw_cksum(h, sizeof(body));
	}
	if (!good)
		h->icmp_cksum ^= 0x0100;
	return m;
}

/* RFC 1122 §3.2.2, RFC 4443 §2.3: an echo request with a wrong checksum is dropped and counted,
 * never answered with a checksum the gateway computed afresh. */
Test(wire, icmp_echo_checksum_checked)
{
	int why;

	cr_expect_eq(classify(echo_request(false, true), 0, &why), DP_ANSWER, "IPv4 echo");
	cr_expect_eq(why, DP_ICMP_ECHO_REPLIES);
	expect_drop(echo_request(false, false), 0, DP_DROP_ICMP_CKSUM, "IPv4 echo, checksum off");
	cr_expect_eq(classify(echo_request(true, true), 0, &why), DP_ANSWER, "IPv6 echo");
	cr_expect_eq(why, DP_ICMP6_ECHO_REPLIES);
	expect_drop(echo_request(true, false), 0, DP_DROP_ICMP_CKSUM, "IPv6 echo, checksum off");
}
