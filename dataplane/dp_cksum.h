/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Internet checksum (RFC 1071) of the UDP datagrams and IPv4 headers the worker verifies and
 * writes, four bytes per addition into a 64-bit sum whose carries are folded once at the end
 * (RFC 1071 §2 (B), "deferred carries"). DPDK 22.11's rte_raw_cksum adds two bytes per step:
 * perf of the worker end to end had the request's check and the answer's checksum at 4-5 % each.
 * The results are bit for bit those of rte_ipv4_udptcp_cksum, rte_ipv6_udptcp_cksum and
 * rte_ipv4_cksum (tests/dataplane/test_dp_wire.c compares them over every length).
 */
#ifndef DP_CKSUM_H
#define DP_CKSUM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

/* acc plus the 16-bit words of buf[0..len) in host order, an odd last byte padded with a zero
 * byte (RFC 1071 §4.1). A 64-bit sum of 32-bit words cannot overflow below 2^32 words. */
static inline uint64_t dp_cksum_add(uint64_t acc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t w;
	uint16_t h;

	for (; len >= 8; p += 8, len -= 8) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		acc += (uint64_t)a + b;
	}
	if (len >= 4) {
		memcpy(&w, p, 4);
		acc += w;
		p += 4, len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		acc += h;
		p += 2, len -= 2;
	}
	if (len) {
		h = 0;
		memcpy(&h, p, 1); /* the byte at the lower address, as the word's first byte */
		acc += h;
	}
	return acc;
}

/* acc folded to 16 bits with end-around carries (not complemented). */
static inline uint16_t dp_cksum_fold(uint64_t acc)
{
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* The UDP pseudo-header's sum (RFC 768, RFC 8200 §8.1) for a datagram of ulen bytes. */
static inline uint64_t dp_cksum_phdr(const void *l3, bool v6, uint16_t ulen)
{
	uint64_t acc = (uint64_t)rte_cpu_to_be_16(IPPROTO_UDP) + rte_cpu_to_be_16(ulen);

	if (v6)
		return dp_cksum_add(acc, ((const struct rte_ipv6_hdr *)l3)->src_addr, 32);
	return dp_cksum_add(acc, &((const struct rte_ipv4_hdr *)l3)->src_addr, 8);
}

/* Is the UDP datagram u (its own length field, checksum field included) with the IP header l3
 * intact? A zero checksum field is the caller's to judge (RFC 768: none over IPv4). */
static inline bool dp_udp_cksum_ok(const void *l3, bool v6, const struct rte_udp_hdr *u)
{
	uint16_t ulen = rte_be_to_cpu_16(u->dgram_len);

	return dp_cksum_fold(dp_cksum_add(dp_cksum_phdr(l3, v6, ulen), u, ulen)) == 0xffff;
}

/* The checksum field for the UDP datagram u (its checksum field zero) with the IP header l3. An
 * all-zero result is sent as 0xffff: zero means "no checksum" (RFC 768; RFC 8200 §8.1). */
static inline uint16_t dp_udp_cksum(const void *l3, bool v6, const struct rte_udp_hdr *u)
{
	uint16_t ulen = rte_be_to_cpu_16(u->dgram_len);
	uint16_t c = (uint16_t)~dp_cksum_fold(dp_cksum_add(dp_cksum_phdr(l3, v6, ulen), u, ulen));

	return c ? c : 0xffff;
}

/* The IPv4 header checksum field for ip (its field zero), or 0 when ip, field included, is intact
 * (RFC 791). */
static inline uint16_t dp_ipv4_hdr_cksum(const struct rte_ipv4_hdr *ip)
{
	return (uint16_t)~dp_cksum_fold(dp_cksum_add(0, ip, (size_t)(ip->version_ihl & 0xf) * 4));
}

#endif
