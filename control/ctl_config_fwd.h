/* SPDX-License-Identifier: BSD-3-Clause */
/* The forwarding (reverse-proxy) part of the configuration: upstream, neighbours, timeouts. */
#ifndef CTL_CONFIG_FWD_H
#define CTL_CONFIG_FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CTL_PORT_NAME_MAX 64
#define CTL_NEIGH_STATIC_MAX 8
#define CTL_FWD_ROUTES_MAX 8     /* "upstreams" besides the default "upstream" */
#define CTL_FWD_PREFIX_SEGS 4    /* Uri-Path segments of a route's prefix */
#define CTL_FWD_SEG_MAX 32       /* bytes of one segment, and of a Uri-Host */

/* An IP address of either family; IPv4 in the first 4 bytes, network byte order. */
struct ctl_ip {
	uint8_t a[16];
	bool v6;
};

struct ctl_neigh_static {
	struct ctl_ip ip;
	uint8_t mac[6];
};

/* A route (issue 10 item 10): requests whose inner Uri-Path starts with the prefix's segments
 * and (if has_host) whose inner Uri-Host is host go to ip:udp. */
struct ctl_fwd_route {
	struct ctl_ip ip;
	uint16_t udp;                   /* host byte order */
	uint8_t n_segs;
	uint8_t seg_len[CTL_FWD_PREFIX_SEGS];
	char seg[CTL_FWD_PREFIX_SEGS][CTL_FWD_SEG_MAX];
	bool has_host;
	uint8_t host_len;
	char host[CTL_FWD_SEG_MAX];
};

/* Cold configuration of forward mode. */
struct ctl_fwd_config {
	char up_port[CTL_PORT_NAME_MAX]; /* "" = the client port */
	struct ctl_ip upstream;
	uint16_t upstream_udp;          /* host byte order */
	bool has_upstream;
	unsigned timeout_ms;            /* no answer by then: protected 5.04 */
	unsigned observe_ms;            /* observation forgotten after this long without notification */
	unsigned exchanges;             /* exchange table entries per worker */
	uint16_t src_port;              /* worker w talks to the upstream from src_port + w (host
					 * order); 0 = from the gateway's udp_port on */
	unsigned con_interval_s;        /* a CON notification at least this often (RFC 7641 §4.5) */
	unsigned ack_timeout_ms;        /* RFC 7252 §4.8 ACK_TIMEOUT, towards devices and upstream */
	unsigned ack_random_permille;   /* ACK_RANDOM_FACTOR x 1000 */
	unsigned max_retransmit;        /* MAX_RETRANSMIT */
	unsigned n_routes;              /* routes[0..n_routes), tried in order; else "upstream" */
	struct ctl_fwd_route routes[CTL_FWD_ROUTES_MAX];
	unsigned n_neigh;
	struct ctl_neigh_static neigh[CTL_NEIGH_STATIC_MAX];
};

/* "ADDR:PORT" with ADDR IPv4, or "[IPv6]:PORT" (port 1..65535) into ip and port. 0 or -1. */
int ctl_config_parse_endpoint(const char *s, struct ctl_ip *ip, uint16_t *port);

/* Defaults for the fields above. */
void ctl_config_fwd_defaults(struct ctl_fwd_config *c);

/*
 * If key is one of the forwarding keys, read v into c: returns 0, or -1 with a reason in
 * reason[0..len). Returns 1 if key is not a forwarding key.
 */
int ctl_config_fwd_field(const char *key, json_t *v, struct ctl_fwd_config *c, char *reason,
			size_t len);

/*
 * Whole-file checks once every key is read: forward mode needs an upstream whose family the
 * gateway has an address of. Returns 0, or -1 with a reason.
 */
int ctl_config_fwd_check(const struct ctl_fwd_config *c, bool forward, bool has_ipv4,
			bool has_ipv6, char *reason, size_t len);

#endif
