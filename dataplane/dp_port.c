/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port setup, the one place every port of the gateway is configured (rx port, "upstream_port",
 * "tx_port"). Receive-side scaling: a worker per queue only helps if the queues get traffic, so
 * each port asks its PMD for RSS over what identifies a device's flow (IPv4/IPv6 addresses and UDP
 * ports), masked by what the PMD can hash, and the start line says what it got.
 */
#include "dataplane/dp_port.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#define RING_SIZE 1024

/* What a device's flow is: addresses and UDP ports (RFC 7252 endpoints), over both IP versions. */
#define WANTED_RSS (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP)

int dp_port_resolve(const char *name, uint16_t *port)
{
	const char *p = name;

	while (isdigit((unsigned char)*p))
		p++;
	if (!*p && p != name)
		*port = (uint16_t)atoi(name);
	else if (rte_eth_dev_get_port_by_name(name, port))
		return -1;
	return rte_eth_dev_is_valid_port(*port) ? 0 : -1;
}

uint16_t dp_port_queue_count(uint16_t port, unsigned workers)
{
	struct rte_eth_dev_info info;
	unsigned nq;

	if (rte_eth_dev_info_get(port, &info))
		return 1;
	nq = RTE_MIN((unsigned)info.max_rx_queues, (unsigned)info.max_tx_queues);
	nq = RTE_MIN(nq, workers);
	return (uint16_t)(nq ? nq : 1);
}

uint64_t dp_port_rss_hf(uint16_t port)
{
	struct rte_eth_rss_conf rc = { 0 };

	return rte_eth_dev_rss_hash_conf_get(port, &rc) ? 0 : rc.rss_hf;
}

/* The hash functions in hf by name, comma-separated, into buf. */
static void rss_names(uint64_t hf, char *buf, size_t cap)
{
	static const struct { uint64_t bit; const char *name; } t[] = {
		{ RTE_ETH_RSS_IPV4, "ipv4" }, { RTE_ETH_RSS_FRAG_IPV4, "ipv4-frag" },
		{ RTE_ETH_RSS_NONFRAG_IPV4_UDP, "ipv4-udp" },
		{ RTE_ETH_RSS_NONFRAG_IPV4_OTHER, "ipv4-other" }, { RTE_ETH_RSS_IPV6, "ipv6" },
		{ RTE_ETH_RSS_FRAG_IPV6, "ipv6-frag" }, { RTE_ETH_RSS_NONFRAG_IPV6_UDP, "ipv6-udp" },
		{ RTE_ETH_RSS_NONFRAG_IPV6_OTHER, "ipv6-other" }, { RTE_ETH_RSS_IPV6_EX, "ipv6-ex" },
		{ RTE_ETH_RSS_IPV6_UDP_EX, "ipv6-udp-ex" },
	};
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < RTE_DIM(t) && n < cap; i++)
		if (hf & t[i].bit)
			n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "," : "", t[i].name);
}

/* Why a PMD without RSS may still spread traffic over its queues (or not), for the start line. */
static const char *no_rss_why(const char *driver, uint16_t nq)
{
	if (nq < 2)
		return "one queue";
	if (!strcmp(driver, "net_af_packet"))
		/* DPDK 22.11 joins its qpair sockets in one PACKET_FANOUT_HASH group with
		 * FLAG_ROLLOVER (and DEFRAG): the kernel's flow hash picks the queue, the next one
		 * when that queue's ring is full */
		return "the PMD has none; the kernel spreads its qpairs by PACKET_FANOUT_HASH of "
		       "the flow (rollover to the next queue when one is full)";
	if (!strcmp(driver, "net_pcap"))
		return "the PMD has none; each rx queue reads its own capture";
	return "the PMD offers none for IPv4/IPv6 UDP: queue 0 gets what the device does not "
	       "spread itself";
}

/* A PMD that took the RSS configuration but cannot say what it hashes. */
static const char *unreported_why(const char *driver)
{
	if (!strcmp(driver, "net_tap"))
		/* DPDK 22.11's tap hashes only for rte_flow RSS rules (a BPF program behind a multiq
		 * qdisc); the kernel's tun driver picks the queue of each flow by its flow hash */
		return " (requested; net_tap hashes only for rte_flow RSS rules: the kernel's tun "
		       "queue selection spreads flows over its queues)";
	return " (requested; the PMD does not report what it hashes)";
}

#define TX_CKSUM (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)

bool dp_port_tx_cksum(uint16_t port)
{
	struct rte_eth_dev_info info;

	return rte_eth_dev_info_get(port, &info) == 0 && (info.tx_offload_capa & TX_CKSUM) == TX_CKSUM;
}

/* conf for nq queues of a port described by info: RSS where it helps and the PMD can. */
static void port_conf(const struct rte_eth_dev_info *info, uint16_t nq, struct rte_eth_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	/* checksums verified by the NIC where it can: dp_classify.c reads its RX flags */
	conf->rxmode.offloads = info->rx_offload_capa &
				(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	/* and filled in by it: dp_answer_udp asks for it per frame where dp_port_tx_cksum says so */
	conf->txmode.offloads = info->tx_offload_capa & TX_CKSUM;
	if (nq < 2 || !(info->flow_type_rss_offloads & WANTED_RSS))
		return;
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = info->flow_type_rss_offloads & WANTED_RSS;
}

static void print_port(FILE *log, uint16_t port, const struct rte_eth_dev_info *info,
		       const struct rte_eth_conf *conf, uint16_t nq)
{
	uint64_t asked = conf->rx_adv_conf.rss_conf.rss_hf, got;
	char names[256];

	if (!log)
		return;
	if ((conf->txmode.offloads & TX_CKSUM) == TX_CKSUM)
		fprintf(log, "oscore-gw: port %u (%s): answers' IPv4 header and UDP checksums filled "
			"in by the port (TX offload)\n", port, info->driver_name);
	if (!asked) {
		fprintf(log, "oscore-gw: port %u (%s): %u queue pair(s), RSS none (%s)\n", port,
			info->driver_name, nq, no_rss_why(info->driver_name, nq));
		return;
	}
	got = dp_port_rss_hf(port);
	rss_names(got ? got : asked, names, sizeof(names));
	fprintf(log, "oscore-gw: port %u (%s): %u queue pair(s), RSS %s%s\n", port, info->driver_name,
		nq, names, got ? "" : unreported_why(info->driver_name));
}

int dp_port_start(uint16_t port, uint16_t nq, struct rte_mempool *mp, FILE *log)
{
	int socket = rte_eth_dev_socket_id(port);
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	uint16_t q;

	if (socket < 0)
		socket = (int)rte_socket_id();
	if (rte_eth_dev_info_get(port, &info))
		return -1;
	port_conf(&info, nq, &conf);
	if (rte_eth_dev_configure(port, nq, nq, &conf))
		return -1;
	for (q = 0; q < nq; q++)
		if (rte_eth_rx_queue_setup(port, q, RING_SIZE, (unsigned)socket, NULL, mp) ||
		    rte_eth_tx_queue_setup(port, q, RING_SIZE, (unsigned)socket, NULL))
			return -1;
	if (rte_eth_dev_start(port))
		return -1;
	rte_eth_promiscuous_enable(port); /* virtual devices may refuse; not needed then */
	rte_eth_allmulticast_enable(port); /* group addresses (RFC 10021 §7); the same */
	print_port(log, port, &info, &conf, nq);
	return 0;
}
