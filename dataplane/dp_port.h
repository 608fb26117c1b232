/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK ports: finding one by name, starting it with one rx/tx queue pair per worker, and spreading
 * received traffic over those queues. Where the PMD offers RSS, the queues are fed by it over
 * IPv4/IPv6 addresses and UDP ports (a device's flow, its 5-tuple, always lands on the same
 * queue); where it does not, what spreads traffic (if anything) is the PMD's own business, and
 * the start line says so. Main lcore only.
 */
#ifndef DP_PORT_H
#define DP_PORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_mempool.h>

/* "0" is a port id, anything else a device name ("net_pcap0"); 0 and *port set, or -1. */
int dp_port_resolve(const char *name, uint16_t *port);

/* How many queue pairs port can give workers workers (at least 1). */
uint16_t dp_port_queue_count(uint16_t port, unsigned workers);

/*
 * Configure and start port with nq rx/tx queue pairs (rx from mp): RX checksum offload where the
 * NIC has it (dp_classify.c reads its flags), RSS over IPv4/IPv6 + UDP masked by what the PMD
 * offers when nq > 1, promiscuous mode if the PMD allows it. Prints one line to log naming the
 * port, its driver, its queues and the RSS hash functions it got ("none" and why). Returns 0, or
 * -1 (the caller says which port failed).
 */
int dp_port_start(uint16_t port, uint16_t nq, struct rte_mempool *mp, FILE *log);

/* Does port offer IPv4 header and UDP checksum offload on transmit (dp_port_start enables it)? */
bool dp_port_tx_cksum(uint16_t port);

/* The RSS hash functions port has now (rte_eth_dev_rss_hash_conf_get), 0 if none or unknown. */
uint64_t dp_port_rss_hf(uint16_t port);

#endif
