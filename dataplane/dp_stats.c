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
	[DP_NEIGH_REQUESTS] = "neigh_requests",
	[DP_NEIGH_LEARNED] = "neigh_learned",
	[DP_NEIGH_HELD] = "neigh_held",
	[DP_DROP_NEIGH] = "drop_neigh",
	[DP_DROP_NO_MBUF] = "drop_no_mbuf",
	[DP_ND_ADVERTS] = "nd_adverts",
	[DP_ICMP6_ECHO_REPLIES] = "icmp6_echo_replies",
	[DP_DROP_ICMP6] = "drop_icmp6",
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

int dp_stats_write_json(const struct dp_stats *s, const char *path)
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
	fprintf(f, "}}\n");
	rc = ferror(f) ? -1 : 0;
	return fclose(f) || rc ? -1 : 0;
}
