/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames for captures: Ethernet / IPv4 or IPv6 / UDP from device i to the gateway (10.0.0.1,
 * fd00::1, MAC 02:00:00:00:00:fe, UDP 5683, as gen_capture and the gateway configs use), written
 * one at a time to a libpcap file so that a million-device capture never sits in memory.
 */
#ifndef LG_FRAME_H
#define LG_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LG_FRAME_MAX 2048
#define LG_GW_PORT 5683

struct lg_pcap;

/* Open path for writing (Ethernet link type). NULL on failure. */
struct lg_pcap *lg_pcap_open(const char *path);

/* Close and flush; returns 0, or -1 if a write failed. */
int lg_pcap_close(struct lg_pcap *w);

/* Frames written so far. */
unsigned long lg_pcap_frames(const struct lg_pcap *w);

/* Write the UDP datagram pl[0..len) from device dev (its own MAC, address and source port) to the
 * gateway over IPv6 (v6) or IPv4, with correct IP and UDP checksums. Returns 0 or -1 (too long). */
int lg_pcap_udp(struct lg_pcap *w, unsigned long dev, bool v6, const uint8_t *pl, size_t len);

#endif
