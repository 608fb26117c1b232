/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMPv6 for the gateway's own IPv6 address: neighbour discovery and echo (RFC 4861, RFC 4443). */
#ifndef DP_ICMP6_H
#define DP_ICMP6_H

#include <rte_mbuf.h>

#include "dataplane/dp_classify.h"

/*
 * ICMPv6 right after the IPv6 header at f->l3_off (f->l4_off set by the caller): a neighbour
 * solicitation for our address becomes the advertisement, an echo request to us the echo reply
 * (DP_ANSWER, turned around in place); a neighbour advertisement to us is DP_NEIGH for the
 * forwarder to learn from; anything else is dropped under DP_DROP_ICMP6.
 */
enum dp_verdict dp_icmp6_input(struct rte_mbuf *m, struct dp_flow *f, const struct dp_addrs *a,
			       struct dp_stats *st);

#endif
