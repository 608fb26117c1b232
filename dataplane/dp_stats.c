/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters summed at read time, printed and written as JSON. */
#include "dataplane/dp_stats.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

static const char *const names[DP_CTR__COUNT] = {
	[DP_RX_PACKETS] = "rx_packets",
	[DP_TX_PACKETS] = "tx_packets",
	[DP_TX_FULL] = "tx_full",
	[DP_DROP_RUNT] = "drop_runt",
	[DP_DROP_ETHERTYPE] = "drop_ethertype",
	[DP_DROP_ARP] = "drop_arp",
	[DP_DROP_IP_BAD] = "drop_ip_bad",
	[DP_DROP_IP_FRAGMENT] = "drop_ip_fragment",
	[DP_DROP_IP_NOT_OURS] = "drop_ip_not_ours",
	[DP_DROP_ICMP] = "drop_icmp",
	[DP_DROP_NOT_UDP] = "drop_not_udp",
	[DP_DROP_UDP_PORT] = "drop_udp_port",
	[DP_DROP_NO_SLOT] = "drop_no_slot",
	[DP_DROP_SILENT] = "drop_silent",
	[DP_DROP_RATE_LIMITED] = "drop_rate_limited",
	[DP_ARP_REPLIES] = "arp_replies",
	[DP_ICMP_ECHO_REPLIES] = "icmp_echo_replies",
	[DP_ANSWER_PROTECTED] = "answer_protected",
	[DP_ANSWER_ERROR] = "answer_error",
	[DP_FWD_REQUESTS] = "fwd_requests",
	[DP_FWD_ANSWERS] = "fwd_answers",
	[DP_FWD_NOTIFICATIONS] = "fwd_notifications",
	[DP_FWD_TIMEOUTS] = "fwd_timeouts",
	[DP_FWD_TABLE_FULL] = "fwd_table_full",
	[DP_FWD_REQ_UNFIT] = "fwd_request_unfit",
	[DP_FWD_ANSWER_UNFIT] = "fwd_answer_unfit",
	[DP_FWD_OBSERVE_EXPIRED] = "fwd_observe_expired",
	[DP_FWD_OBSERVE_CANCELLED] = "fwd_observe_cancelled",
	[DP_FWD_UP_UNKNOWN] = "fwd_up_unknown_token",
	[DP_FWD_UP_EMPTY_ACK] = "fwd_up_empty_ack",
	[DP_FWD_UP_RST] = "fwd_up_rst",
	[DP_FWD_UP_BAD] = "fwd_up_bad",
	[DP_FWD_UP_ACKS] = "fwd_up_acks_sent",
	[DP_FWD_CTX_GONE] = "fwd_ctx_gone",
	[DP_FWD_OBS_REGISTERED] = "fwd_observe_registered",
	[DP_FWD_OBS_JOINED] = "fwd_observe_joined",
	[DP_FWD_OBS_UNSHARED] = "fwd_observe_unshared",
	[DP_FWD_OBS_DEREGISTER] = "fwd_observe_deregistered",
	[DP_FWD_OBS_CLOSING] = "fwd_observe_closing_drop",
	[DP_FWD_OBS_RST] = "fwd_observe_rst",
	[DP_FWD_OBS_UNREACHABLE] = "fwd_observe_unreachable",
	[DP_FWD_OBS_CON_SENT] = "fwd_observe_con_sent",
	[DP_FWD_OBS_CON_ACKED] = "fwd_observe_con_acked",
	[DP_FWD_OBS_CON_RETRANSMIT] = "fwd_observe_con_retransmit",
	[DP_FWD_OBS_CON_LOST] = "fwd_observe_con_lost",
	[DP_FWD_UP_RETRANSMIT] = "fwd_up_retransmit",
	[DP_FWD_ROUTED] = "fwd_routed",
	[DP_ICMP_UNREACH] = "icmp_unreach",
	[DP_ICMP_UNREACH_OTHER] = "icmp_unreach_other",
	[DP_NEIGH_REQUESTS] = "neigh_requests",
	[DP_NEIGH_LEARNED] = "neigh_learned",
	[DP_NEIGH_HELD] = "neigh_held",
	[DP_DROP_NEIGH] = "drop_neigh",
	[DP_DROP_NO_MBUF] = "drop_no_mbuf",
	[DP_ND_ADVERTS] = "nd_adverts",
	[DP_ICMP6_ECHO_REPLIES] = "icmp6_echo_replies",
	[DP_DROP_ICMP6] = "drop_icmp6",
	[DP_DROP_ICMP_CKSUM] = "drop_icmp_cksum",
	[DP_DEDUP_HIT] = "dedup_hit",
	[DP_DEDUP_PENDING] = "dedup_pending",
	[DP_DEDUP_EVICTED] = "dedup_evicted",
	[DP_DEDUP_TABLE_FULL] = "dedup_table_full",
	[DP_DEDUP_TOO_BIG] = "dedup_too_big",
	[DP_DEDUP_BIG_KEPT] = "dedup_big_kept",
	[DP_DEDUP_POOL_FULL] = "dedup_pool_full",
	[DP_DEDUP_NO_COPY] = "dedup_no_copy",
	[DP_DROP_RATE_LIMITED_SOURCE] = "drop_rate_limited_source",
	[DP_RL_EVICTED] = "rl_evicted",
	[DP_LOADTEST_REPLAYS] = "loadtest_replays_processed",
	[DP_LOADTEST_DEDUP_REPROCESSED] = "loadtest_dedup_reprocessed",
	[DP_CTL_HANDOFF] = "ctl_handoff",
	[DP_CTL_RING_FULL] = "ctl_ring_full",
	[DP_CTL_ANSWER_TX] = "ctl_answer_tx",
	[DP_CTL_REQUESTS] = "ctl_requests",
	[DP_CTL_NOT_FOUND] = "ctl_not_found",
	[DP_CTL_ANSWERS] = "ctl_answers",
	[DP_CTL_FAILED] = "ctl_failed",
	[DP_B12_HANDOFF] = "b12_handoff",
	[DP_B12_CHALLENGE] = "b12_challenge",
	[DP_B12_ACCEPT] = "b12_accept",
	[DP_B12_DROP] = "b12_drop",
	[DP_B12_SSN_LIMIT] = "b12_ssn_limit",
	[DP_B12_FWD_RETRY] = "b12_fwd_retry",
	[DP_B2_HANDOFF] = "b2_handoff",
	[DP_B2_R2_ISSUED] = "b2_r2_issued",
	[DP_B2_INSTALLED] = "b2_installed",
	[DP_B2_REFUSED] = "b2_refused",
	[DP_B2_INSTALL_FAILED] = "b2_install_failed",
	[DP_B2_WRAPPED] = "b2_wrapped",
	[DP_GROUP_VERIFIED] = "group_verified",
	[DP_GROUP_SIGNATURE] = "group_signature",
	[DP_GROUP_REFUSED] = "group_refused",
	[DP_GROUP_ANSWER_FAILED] = "group_answer_failed",
	[DP_B2_RATE_LIMITED] = "b2_rate_limited",
	[DP_CTL_STALE] = "ctl_stale",
	[DP_CTL_ANSWER_UNFIT] = "ctl_answer_unfit",
	[DP_DROP_IP_CKSUM] = "drop_ip_cksum",
	[DP_DROP_UDP_CKSUM] = "drop_udp_cksum",
	[DP_DROP_UDP_CKSUM_ZERO] = "drop_udp_cksum_zero",
	[DP_DROP_IP_OPTIONS] = "drop_ip_options",
	[DP_DROP_SRC_BROADCAST] = "drop_src_broadcast",
	[DP_DROP_SRC_MULTICAST] = "drop_src_multicast",
	[DP_DROP_SRC_LOOPBACK] = "drop_src_loopback",
	[DP_DROP_SRC_UNSPECIFIED] = "drop_src_unspecified",
	[DP_DROP_SRC_OURS] = "drop_src_ours",
	[DP_DROP_SRC_V4MAPPED] = "drop_src_v4mapped",
	[DP_COAP_ACK_IGNORED] = "coap_ack_ignored",
	[DP_COAP_RST_IGNORED] = "coap_rst_ignored",
	[DP_COAP_PING] = "coap_ping",
	[DP_COAP_EMPTY_NON] = "coap_empty_non",
	[DP_COAP_RESPONSE_CODE] = "coap_response_code",
	[DP_COAP_RESERVED_CLASS] = "coap_reserved_class",
	[DP_COAP_FORMAT_ERROR] = "coap_format_error",
	[DP_ANSWER_RST] = "answer_rst",
	[DP_ANSWER_UNAUTHORIZED] = "answer_unauthorized",
	[DP_EDHOC_MSG1] = "edhoc_msg1",
	[DP_EDHOC_MSG1_ERR] = "edhoc_msg1_error",
	[DP_EDHOC_RATE_SOURCE] = "edhoc_msg1_rate_source",
	[DP_EDHOC_RATE_TOTAL] = "edhoc_msg1_rate_total",
	[DP_EDHOC_DONE] = "edhoc_completed",
	[DP_EDHOC_MSG3_ERR] = "edhoc_msg3_error",
	[DP_EDHOC_INSTALL_FAIL] = "edhoc_install_failed",
	[DP_EDHOC_BAD_REQUEST] = "edhoc_bad_request",
	[DP_EDHOC_COMBINED] = "edhoc_combined",
	[DP_EDHOC_FWD_RETRY] = "edhoc_fwd_retry",
	[DP_EDHOC_SRC_EVICTED] = "edhoc_msg1_src_evicted",
	[DP_ACE_DENY_RESOURCE] = "ace_deny_resource",
	[DP_ACE_DENY_METHOD] = "ace_deny_method",
	[DP_ACE_EXPIRED] = "ace_expired",
	[DP_ACE_SUPERSEDED] = "ace_superseded",
	[DP_STEER_OUT] = "steer_out",
	[DP_STEER_IN] = "steer_in",
	[DP_STEER_RING_FULL] = "steer_ring_full",
	[DP_STEER_NEIGH_COPIES] = "steer_neigh_copies",
};

/* Each worker writes its own counters many times per burst: with struct dp_stats cache-aligned
 * and the array aligned, no two workers ever write to one cache line (no false sharing). */
struct dp_stats *dp_stats_alloc(unsigned n, int socket)
{
	return rte_zmalloc_socket("dp_stats", (size_t)n * sizeof(struct dp_stats),
				  RTE_CACHE_LINE_SIZE, socket);
}

void dp_stats_free(struct dp_stats *s)
{
	rte_free(s);
}

/* One line each for monitoring (HELP of the metrics); the enum's comments, spelled out, in ASCII
 * (DPDK telemetry mangles other bytes of a string). */
static const char *const helps[DP_CTR__COUNT] = {
	[DP_RX_PACKETS] = "Frames received on the device port(s).",
	[DP_TX_PACKETS] = "Frames sent.",
	[DP_TX_FULL] = "Tx_burst refused it.",
	[DP_DROP_RUNT] = "Shorter than its headers claim.",
	[DP_DROP_ETHERTYPE] = "Neither IPv4, IPv6 nor ARP.",
	[DP_DROP_ARP] = "ARP not asking for our address.",
	[DP_DROP_IP_BAD] = "Bad version, header length or total length.",
	[DP_DROP_IP_FRAGMENT] = "IP fragment dropped (not reassembled).",
	[DP_DROP_IP_NOT_OURS] = "IP packet to an address that is not the gateway's.",
	[DP_DROP_ICMP] = "ICMP other than an echo request to us.",
	[DP_DROP_NOT_UDP] = "IP packet neither UDP nor ICMP.",
	[DP_DROP_UDP_PORT] = "UDP, but not to the served port.",
	[DP_DROP_NO_SLOT] = "Every in-flight slot busy.",
	[DP_DROP_SILENT] = "OSCORE error that section 8.2 answers with nothing.",
	[DP_DROP_RATE_LIMITED] = "Error answer suppressed by the rate limit.",
	[DP_ARP_REPLIES] = "ARP requests for the gateway answered.",
	[DP_ICMP_ECHO_REPLIES] = "ICMP echo requests answered.",
	[DP_ANSWER_PROTECTED] = "Verified request answered with a protected response.",
	[DP_ANSWER_ERROR] = "Unprotected section 8.2 error answer.",
	[DP_FWD_REQUESTS] = "Verified request sent to the upstream.",
	[DP_FWD_ANSWERS] = "Upstream answer protected back to the device.",
	[DP_FWD_NOTIFICATIONS] = "Observe notification protected with the gateway's own Partial IV.",
	[DP_FWD_TIMEOUTS] = "No upstream answer in time: protected 5.04.",
	[DP_FWD_TABLE_FULL] = "Exchange table full: protected 5.03.",
	[DP_FWD_REQ_UNFIT] = "Request could not be rewritten for the upstream: protected 5.02.",
	[DP_FWD_ANSWER_UNFIT] = "Upstream answer could not be protected (too big, bad options).",
	[DP_FWD_OBSERVE_EXPIRED] = "Observation forgotten after no notification.",
	[DP_FWD_OBSERVE_CANCELLED] = "Device deregistered (Observe 1): sent with the observation's token.",
	[DP_FWD_UP_UNKNOWN] = "Upstream message for no live exchange: RST sent.",
	[DP_FWD_UP_EMPTY_ACK] = "Upstream ACKed our CON; a separate response follows.",
	[DP_FWD_UP_RST] = "Upstream reset our message.",
	[DP_FWD_UP_BAD] = "From the upstream, but not a CoAP response.",
	[DP_FWD_UP_ACKS] = "Empty ACKs sent for the upstream's CON responses.",
	[DP_NEIGH_REQUESTS] = "ARP requests and neighbour solicitations sent.",
	[DP_NEIGH_LEARNED] = "ARP replies and neighbour advertisements that resolved a neighbour.",
	[DP_NEIGH_HELD] = "Frames held until their neighbour resolved.",
	[DP_DROP_NEIGH] = "Held too long or hold queue full.",
	[DP_DROP_NO_MBUF] = "Mempool empty when the gateway had to originate a frame.",
	[DP_ND_ADVERTS] = "Neighbour advertisements answering solicitations for us.",
	[DP_ICMP6_ECHO_REPLIES] = "ICMPv6 echo requests answered.",
	[DP_DROP_ICMP6] = "ICMPv6 or ND that is not for us or not understood.",
	[DP_DROP_ICMP_CKSUM] = "ICMP echo requests and ICMPv6 messages for us with a wrong checksum (RFC 1122 section 3.2.2, RFC 4443 section 2.3).",
	[DP_DEDUP_HIT] = "Repeated CON answered again from the cache (RFC 7252 section 4.5).",
	[DP_DEDUP_PENDING] = "Repeated CON dropped: the first copy is still being processed.",
	[DP_DEDUP_EVICTED] = "Answered entry reused before EXCHANGE_LIFETIME ran out.",
	[DP_DEDUP_TABLE_FULL] = "Every probed entry in flight: processed without deduplication.",
	[DP_DEDUP_TOO_BIG] = "Answer longer than the cache keeps: a repeat is processed again.",
	[DP_DROP_RATE_LIMITED_SOURCE] = "Error answer suppressed by its source's bucket.",
	[DP_RL_EVICTED] = "A source's bucket was reused for another source.",
	[DP_LOADTEST_REPLAYS] = "Replayed Partial IV processed anyway (loadtest_replay).",
	[DP_LOADTEST_DEDUP_REPROCESSED] = "Repeated CON processed anyway (loadtest_replay).",
	[DP_CTL_HANDOFF] = "Worker: request passed to the control lcore.",
	[DP_CTL_RING_FULL] = "Worker: control ring or message pool full: dropped.",
	[DP_CTL_ANSWER_TX] = "Worker: control lcore's answer queued for transmit.",
	[DP_CTL_REQUESTS] = "Control lcore: requests received.",
	[DP_CTL_NOT_FOUND] = "Control lcore: no handler for the path: 4.04.",
	[DP_CTL_ANSWERS] = "Control lcore: answers sent back to a worker.",
	[DP_CTL_FAILED] = "Control lcore: answer could not be built: request dropped.",
	[DP_B12_HANDOFF] = "Worker: verified request on an unknown window (App. B.1.2) passed on.",
	[DP_B12_CHALLENGE] = "Control lcore: protected 4.01 with an inner Echo (App. B.1.2).",
	[DP_B12_ACCEPT] = "Control lcore: valid Echo, window reset to the request's Partial IV.",
	[DP_B12_DROP] = "Control lcore: unparsable, or the window was already reset.",
	[DP_B12_SSN_LIMIT] = "Control lcore: 4.01's own SSN not yet durable (App. B.1.1): 5.03.",
	[DP_B12_FWD_RETRY] = "Forward mode: accepted request answered 5.03, the device retries.",
	[DP_B2_HANDOFF] = "Worker: kid context naming no context passed on (App. B.2).",
	[DP_B2_R2_ISSUED] = "Control lcore: request #1 verified, 4.01 with R2 sent.",
	[DP_B2_INSTALLED] = "Control lcore: request #2 verified, ctx(R2 || R3) installed.",
	[DP_B2_REFUSED] = "Control lcore: neither a valid request #1 nor #2: section 8.2 answer.",
	[DP_B2_INSTALL_FAILED] = "Control lcore: verified request #2, but the store or table refused.",
	[DP_DROP_IP_CKSUM] = "IPv4 header checksum wrong (RFC 791).",
	[DP_DROP_UDP_CKSUM] = "UDP checksum wrong (RFC 768).",
	[DP_DROP_UDP_CKSUM_ZERO] = "IPv6 UDP without checksum (RFC 8200 section 8.1 forbids it).",
	[DP_DROP_IP_OPTIONS] = "IPv4 header with options: never copied into an answer.",
	[DP_DROP_SRC_BROADCAST] = "Source 255.255.255.255 or the subnet broadcast (ipv4_prefix).",
	[DP_DROP_SRC_MULTICAST] = "Source 224.0.0.0/4 or ff00::/8.",
	[DP_DROP_SRC_LOOPBACK] = "Source 127.0.0.0/8 or ::1.",
	[DP_DROP_SRC_UNSPECIFIED] = "Source 0.0.0.0/8 or ::.",
	[DP_DROP_SRC_OURS] = "Source is the gateway's own address.",
	[DP_DROP_SRC_V4MAPPED] = "IPv6 source ::ffff:0:0/96: never on the wire (RFC 4291).",
	[DP_COAP_ACK_IGNORED] = "Unexpected ACK: silently ignored (RFC 7252 section 4.2).",
	[DP_COAP_RST_IGNORED] = "Unexpected RST: silently ignored (RFC 7252 sections 4.2, 4.3).",
	[DP_COAP_PING] = "CON Empty message (CoAP ping, RFC 7252 section 4.3): answered RST.",
	[DP_COAP_EMPTY_NON] = "NON Empty message: rejected, silently ignored (RFC 7252 section 4.3).",
	[DP_COAP_RESPONSE_CODE] = "Response code where a request was due: CON RST, NON ignored.",
	[DP_COAP_RESERVED_CLASS] = "Code class 1, 6 or 7: CON RST, NON ignored.",
	[DP_COAP_FORMAT_ERROR] = "CON with a message format error: RST (RFC 7252 section 4.2).",
	[DP_ANSWER_RST] = "RSTs sent for the above (rate limited like error answers).",
	[DP_ANSWER_UNAUTHORIZED] = "Unprotected request to a protected resource: 4.01.",
	[DP_FWD_CTX_GONE] = "Answer, notification or 5.04 dropped: its context was removed.",
	[DP_FWD_OBS_REGISTERED] = "Observe: new registration shared by devices sent upstream.",
	[DP_FWD_OBS_JOINED] = "Observe: device joined a shared registration (re-registered upstream).",
	[DP_FWD_OBS_UNSHARED] = "Observe: registration not shareable (options too long, table full).",
	[DP_FWD_OBS_DEREGISTER] = "Observe: last observer cancelled: upstream registration ended.",
	[DP_FWD_OBS_CLOSING] = "Observe: notification during the last observer's cancellation: dropped.",
	[DP_FWD_OBS_RST] = "Observe: device reset a notification: its observation ended.",
	[DP_FWD_OBS_UNREACHABLE] = "Observe: ICMP unreachable quoting a notification: observation ended.",
	[DP_FWD_OBS_CON_SENT] = "Observe: notification sent as CON (RFC 7641 section 4.5).",
	[DP_FWD_OBS_CON_ACKED] = "Observe: CON notification acknowledged by the device.",
	[DP_FWD_OBS_CON_RETRANSMIT] = "Observe: CON notification sent again (RFC 7252 section 4.2).",
	[DP_FWD_OBS_CON_LOST] = "Observe: CON notification never acknowledged: observation ended.",
	[DP_FWD_UP_RETRANSMIT] = "CON request sent to the upstream again (RFC 7252 section 4.2).",
	[DP_FWD_ROUTED] = "Request sent to a route of \"upstreams\", not the default upstream.",
	[DP_ICMP_UNREACH] = "ICMP or ICMPv6 port/host unreachable quoting one of our datagrams.",
	[DP_ICMP_UNREACH_OTHER] = "ICMP unreachable quoting nothing a live observation sent: ignored "
				  "(with several workers, by each worker it was copied to).",
	[DP_DEDUP_BIG_KEPT] = "Answer over DP_DEDUP_ANSWER_MAX kept in the large-answer pool.",
	[DP_DEDUP_POOL_FULL] = "Large answer not kept (pool full): its repeats are ignored.",
	[DP_DEDUP_NO_COPY] = "Repeated CON ignored: its answer was not kept (the client retries).",
	[DP_B2_WRAPPED] = "Control lcore: App. B.2 message with a CBOR-wrapped kid context.",
	[DP_GROUP_VERIFIED] = "Control lcore: Group OSCORE signature verified, answered.",
	[DP_GROUP_SIGNATURE] = "Control lcore: Group OSCORE signature refused, window untouched.",
	[DP_GROUP_REFUSED] = "Control lcore: Group OSCORE job stale, replayed or malformed.",
	[DP_GROUP_ANSWER_FAILED] = "Control lcore: Group OSCORE answer could not be protected.",
	[DP_B2_RATE_LIMITED] = "Worker: App. B.2 or EDHOC hand-off refused by the per-source limit.",
	[DP_CTL_STALE] = "Control lcore: the job's context was removed or replaced since.",
	[DP_CTL_ANSWER_UNFIT] = "Worker: the control plane's answer does not fit the frame.",
	[DP_ACE_DENY_RESOURCE] = "Worker: the ACE token's scope has no such resource: protected 4.03.",
	[DP_ACE_DENY_METHOD] = "Worker: the ACE token's scope allows the resource, not the method: 4.05.",
	[DP_ACE_EXPIRED] = "Control lcore: an ACE token expired and its context was removed.",
	[DP_ACE_SUPERSEDED] = "Control lcore: a reposted ACE token's old context removed once the new one was used.",
	[DP_STEER_OUT] = "Forward mode: an upstream frame to another worker's source port, handed "
			 "to that worker (which owns its exchange) through its steer ring.",
	[DP_STEER_IN] = "Forward mode: frames another worker handed over through the steer ring.",
	[DP_STEER_RING_FULL] = "Forward mode: the owning worker's steer ring was full: the upstream "
			       "frame was dropped (a CON answer is retransmitted by the upstream).",
	[DP_STEER_NEIGH_COPIES] = "Forward mode: ARP replies and neighbour advertisements copied to "
				  "the other workers, each of which resolves the upstream itself, and "
				  "ICMP unreachables the receiving worker held no observation for.",
	[DP_EDHOC_MSG1] = "Control lcore: EDHOC message_1 answered with message_2.",
	[DP_EDHOC_MSG1_ERR] = "Control lcore: EDHOC message_1 answered with an EDHOC error.",
	[DP_EDHOC_RATE_SOURCE] = "Control lcore: EDHOC message_1 refused (5.03) by its source's limit.",
	[DP_EDHOC_RATE_TOTAL] = "Control lcore: EDHOC message_1 refused (5.03) by the total limit.",
	[DP_EDHOC_DONE] = "Control lcore: EDHOC completed, its OSCORE context installed.",
	[DP_EDHOC_MSG3_ERR] = "Control lcore: EDHOC message_3 answered with an EDHOC error.",
	[DP_EDHOC_INSTALL_FAIL] = "Control lcore: EDHOC completed, but its context was refused (5.00).",
	[DP_EDHOC_BAD_REQUEST] = "Control lcore: an EDHOC request of the wrong shape (4.00 or 4.05).",
	[DP_EDHOC_COMBINED] = "Control lcore: RFC 9668 combined request: context installed, request verified.",
	[DP_EDHOC_FWD_RETRY] = "Forward mode: RFC 9668 combined request verified but not forwardable: protected 5.03, the device retries.",
	[DP_EDHOC_SRC_EVICTED] = "Control lcore: a rate-limited source's message_1 bucket was evicted for another source (its debt is lost).",
};

const char *dp_ctr_help(int c)
{
	return c >= 0 && c < DP_CTR__COUNT && helps[c] ? helps[c] : dp_ctr_name(c);
}

void dp_stats_load(const struct dp_stats *w, struct dp_stats *out)
{
	unsigned j;

	for (j = 0; j < DP_CTR__COUNT; j++)
		out->ctr[j] = __atomic_load_n(&w->ctr[j], __ATOMIC_RELAXED);
	for (j = 0; j < OSC_ERR__COUNT; j++)
		out->osc_err[j] = __atomic_load_n(&w->osc_err[j], __ATOMIC_RELAXED);
	out->first_rx_tsc = __atomic_load_n(&w->first_rx_tsc, __ATOMIC_RELAXED);
	out->last_rx_tsc = __atomic_load_n(&w->last_rx_tsc, __ATOMIC_RELAXED);
}

const char *dp_ctr_name(int c)
{
	return c >= 0 && c < DP_CTR__COUNT ? names[c] : "unknown";
}

void dp_stats_sum(const struct dp_stats *w, unsigned n, struct dp_stats *out)
{
	unsigned i, j;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		for (j = 0; j < DP_CTR__COUNT; j++)
			out->ctr[j] += w[i].ctr[j];
		for (j = 0; j < OSC_ERR__COUNT; j++)
			out->osc_err[j] += w[i].osc_err[j];
		if (w[i].first_rx_tsc && (!out->first_rx_tsc || w[i].first_rx_tsc < out->first_rx_tsc))
			out->first_rx_tsc = w[i].first_rx_tsc;
		out->last_rx_tsc = RTE_MAX(out->last_rx_tsc, w[i].last_rx_tsc);
	}
}

void dp_stats_print(const struct dp_stats *s, FILE *f)
{
	unsigned i;

	for (i = 0; i < DP_CTR__COUNT; i++)
		if (s->ctr[i] || i == DP_RX_PACKETS || i == DP_TX_PACKETS)
			fprintf(f, "  %-22s %llu\n", names[i], (unsigned long long)s->ctr[i]);
	for (i = 1; i < OSC_ERR__COUNT; i++)
		if (s->osc_err[i])
			fprintf(f, "  osc_err.%-14s %llu\n", osc_err_name((int)i),
				(unsigned long long)s->osc_err[i]);
	if (s->last_rx_tsc > s->first_rx_tsc) {
		double sec = (double)(s->last_rx_tsc - s->first_rx_tsc) / (double)rte_get_tsc_hz();

		fprintf(f, "  rate: %.0f rx packets/s, %.0f protected answers/s over %.3f s\n",
			(double)s->ctr[DP_RX_PACKETS] / sec,
			(double)s->ctr[DP_ANSWER_PROTECTED] / sec, sec);
	}
}

/* The non-zero counters of one worker as a JSON object. */
static void worker_json(FILE *f, const struct dp_stats *w)
{
	unsigned i, k = 0;

	fprintf(f, "{");
	for (i = 0; i < DP_CTR__COUNT; i++)
		if (w->ctr[i])
			fprintf(f, "%s\"%s\": %llu", k++ ? ", " : "", names[i],
				(unsigned long long)w->ctr[i]);
	fprintf(f, "}");
}

int dp_stats_write_json(const struct dp_stats *s, const struct dp_stats *w, unsigned n,
			const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned i;
	int rc;

	if (!f)
		return -1;
	fprintf(f, "{\"counters\": {");
	for (i = 0; i < DP_CTR__COUNT; i++)
		fprintf(f, "%s\"%s\": %llu", i ? ", " : "", names[i],
			(unsigned long long)s->ctr[i]);
	fprintf(f, "}, \"osc_err\": {");
	for (i = 1; i < OSC_ERR__COUNT; i++)
		fprintf(f, "%s\"%s\": %llu", i > 1 ? ", " : "", osc_err_name((int)i),
			(unsigned long long)s->osc_err[i]);
	fprintf(f, "}, \"workers\": [");
	for (i = 0; i < n; i++) {
		fprintf(f, "%s", i ? ", " : "");
		worker_json(f, &w[i]);
	}
	fprintf(f, "]}\n");
	rc = ferror(f) ? -1 : 0;
	return fclose(f) || rc ? -1 : 0;
}
