/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP and ICMPv6 destination unreachable to the gateway that quote one of its own UDP datagrams
 * (RFC 792 type 3 codes 1 and 3, host and port unreachable; RFC 4443 §3.1 type 1 codes 3 and 4,
 * address and port unreachable): in forward mode a device that observes and has gone away
 * (its socket closed, its host down) says so this way, and its observation ends (issue 10).
 */
#ifndef DP_UNREACH_H
#define DP_UNREACH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dataplane/dp_classify.h"
#include "dataplane/dp_frame.h"

/*
 * The ICMP (v6: ICMPv6) message at f->l4_off, len bytes, whose type is destination unreachable:
 * DP_UNREACH if it has one of the codes above, a correct checksum and quotes a UDP datagram from
 * a's address and port; then f->ipv6 is its family, f->l4_off the quoted IP header's offset and
 * f->payload_off / f->payload_len what is quoted of its UDP payload (ICMPv4 need quote only 8
 * bytes of UDP, RFC 792; Linux quotes more, RFC 1812 §4.3.2.3). Else DP_DROP, counted.
 */
enum dp_verdict dp_unreach_input(const struct rte_mbuf *m, struct dp_flow *f, uint16_t len,
				 bool v6, const struct dp_addrs *a, struct dp_stats *st);

/* For a DP_UNREACH frame: the quoted datagram's destination (MAC left zero) and its CoAP
 * Message ID. False if the quote ends before the CoAP header. */
bool dp_unreach_quote(const struct rte_mbuf *m, const struct dp_flow *f, struct dp_endpoint *dst,
		      uint16_t *mid);

#endif
