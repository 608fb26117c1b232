/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading the forwarding keys of the configuration (format at the top of ctl_config.c). */
#include "control/ctl_config_fwd.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ctl_config_fwd_defaults(struct ctl_fwd_config *c)
{
	memset(c, 0, sizeof(*c));
	/* Below RFC 7252's ACK_TIMEOUT (2 s): the device gets the 5.04 before it retransmits. */
	c->timeout_ms = 1500;
	c->observe_ms = 300000;
	c->exchanges = 4096;
	c->con_interval_s = 86400;      /* RFC 7641 §4.5: at least every 24 hours */
	c->ack_timeout_ms = 2000;       /* RFC 7252 §4.8 defaults */
	c->ack_random_permille = 1500;
	c->max_retransmit = 4;
}

static int why(char *reason, size_t len, const char *s)
{
	snprintf(reason, len, "%s", s);
	return -1;
}

int ctl_config_parse_endpoint(const char *s, struct ctl_ip *ip, uint16_t *port)
{
	char host[64];
	const char *colon;
	char *end;
	unsigned long p;
	size_t n;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || (n = (size_t)(close - s - 1)) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, n);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (n = (size_t)(colon - s)) >= sizeof(host))
			return -1;
		memcpy(host, s, n);
	}
	host[n] = 0;
	ip->v6 = s[0] == '[';
	if (inet_pton(ip->v6 ? AF_INET6 : AF_INET, host, ip->a) != 1)
		return -1;
	p = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || p == 0 || p > 65535)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned b[6], i;
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

static int parse_ip(const char *s, struct ctl_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->v6 = strchr(s, ':') != NULL;
	return inet_pton(ip->v6 ? AF_INET6 : AF_INET, s, ip->a) == 1 ? 0 : -1;
}

/* "neighbours": [{"ip": "10.0.0.2", "mac": "02:00:00:00:00:02"}, ...] */
static int parse_neighbours(json_t *v, struct ctl_fwd_config *c, char *reason, size_t len)
{
	size_t i;
	json_t *o;

	if (!json_is_array(v) || json_array_size(v) > CTL_NEIGH_STATIC_MAX)
		return why(reason, len, "expected an array of at most 8 {\"ip\", \"mac\"} objects");
	json_array_foreach(v, i, o) {
		const char *ip = json_string_value(json_object_get(o, "ip"));
		const char *mac = json_string_value(json_object_get(o, "mac"));

		if (!json_is_object(o) || json_object_size(o) != 2 || !ip || !mac)
			return why(reason, len, "each neighbour is {\"ip\": ..., \"mac\": ...}");
		if (parse_ip(ip, &c->neigh[i].ip) || parse_mac(mac, c->neigh[i].mac))
			return why(reason, len, "bad neighbour ip or mac");
	}
	c->n_neigh = (unsigned)json_array_size(v);
	return 0;
}

static int get_ms(json_t *v, unsigned lo, unsigned hi, unsigned *out, char *reason, size_t len)
{
	json_int_t x = json_integer_value(v);

	if (!json_is_integer(v) || x < (json_int_t)lo || x > (json_int_t)hi) {
		snprintf(reason, len, "expected an integer in %u..%u", lo, hi);
		return -1;
	}
	*out = (unsigned)x;
	return 0;
}

/* "/a/b" into r's Uri-Path segments (RFC 7252 §6.5: one option per segment; "/" alone: none). */
static int parse_prefix(const char *p, struct ctl_fwd_route *r)
{
	if (p[0] != '/')
		return -1;
	while (*++p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (!n || n >= CTL_FWD_SEG_MAX || r->n_segs == CTL_FWD_PREFIX_SEGS)
			return -1;
		memcpy(r->seg[r->n_segs], p, n);
		r->seg_len[r->n_segs++] = (uint8_t)n;
		p += n;
		if (!*p)
			break;
	}
	return 0;
}

/* One "upstreams" entry: {"upstream": "ADDR:PORT", "uri_path": "/prefix", "uri_host": "h"}. */
static int parse_route(json_t *o, struct ctl_fwd_route *r, char *reason, size_t len)
{
	json_t *up = json_object_get(o, "upstream"), *path = json_object_get(o, "uri_path");
	json_t *host = json_object_get(o, "uri_host");
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
		if (strcmp(k, "upstream") && strcmp(k, "uri_path") && strcmp(k, "uri_host"))
			return snprintf(reason, len, "%s: unknown key", k), -1;
	if (!json_is_string(up) || ctl_config_parse_endpoint(json_string_value(up), &r->ip, &r->udp))
		return why(reason, len, "upstream: expected \"ADDR:PORT\" or \"[IPv6]:PORT\"");
	if (!path && !host)
		return why(reason, len, "needs uri_path or uri_host (else it is the default upstream)");
	if (path && (!json_is_string(path) || parse_prefix(json_string_value(path), r)))
		return snprintf(reason, len, "uri_path: expected \"/seg/...\" (at most %d segments "
				 "of 1..%d bytes)", CTL_FWD_PREFIX_SEGS, CTL_FWD_SEG_MAX - 1), -1;
	if (host && (!json_is_string(host) || !json_string_length(host) ||
		     json_string_length(host) >= CTL_FWD_SEG_MAX))
		return snprintf(reason, len, "uri_host: expected 1..%d bytes", CTL_FWD_SEG_MAX - 1),
		       -1;
	if (host) {
		r->has_host = true;
		r->host_len = (uint8_t)json_string_length(host);
		memcpy(r->host, json_string_value(host), r->host_len);
	}
	return 0;
}

/* "upstreams": routes by inner Uri-Path prefix and/or Uri-Host, tried in order. */
static int parse_routes(json_t *v, struct ctl_fwd_config *c, char *reason, size_t len)
{
	char sub[96];
	size_t i;
	json_t *o;

	if (!json_is_array(v) || json_array_size(v) > CTL_FWD_ROUTES_MAX)
		return snprintf(reason, len, "expected an array of at most %d routes",
				CTL_FWD_ROUTES_MAX), -1;
	c->n_routes = 0;
	json_array_foreach(v, i, o) {
		struct ctl_fwd_route *r = &c->routes[c->n_routes];

		memset(r, 0, sizeof(*r));
		if (!json_is_object(o))
			return snprintf(reason, len, "[%zu]: expected an object", i), -1;
		if (parse_route(o, r, sub, sizeof(sub)))
			return snprintf(reason, len, "[%zu].%s", i, sub), -1;
		c->n_routes++;
	}
	return 0;
}

/* RFC 7252 §4.8 transmission parameters and RFC 7641 §4.5's CON interval; 1 if not one. */
static int transmission_field(const char *key, json_t *v, struct ctl_fwd_config *c, char *reason,
			      size_t len)
{
	if (!strcmp(key, "observe_con_interval_s"))
		return get_ms(v, 1, 86400, &c->con_interval_s, reason, len);
	if (!strcmp(key, "ack_timeout_ms"))
		return get_ms(v, 50, 60000, &c->ack_timeout_ms, reason, len);
	if (!strcmp(key, "max_retransmit"))
		return get_ms(v, 0, 10, &c->max_retransmit, reason, len);
	if (!strcmp(key, "ack_random_factor")) {
		double f = json_number_value(v);

		/* §4.8: ACK_RANDOM_FACTOR MUST NOT be below 1.0 */
		if (!json_is_number(v) || f < 1.0 || f > 4.0)
			return why(reason, len, "expected a number in 1.0..4.0");
		c->ack_random_permille = (unsigned)(f * 1000 + 0.5);
		return 0;
	}
	return 1;
}

int ctl_config_fwd_field(const char *key, json_t *v, struct ctl_fwd_config *c, char *reason,
			size_t len)
{
	if (!strcmp(key, "upstream")) {
		if (!json_is_string(v) ||
		    ctl_config_parse_endpoint(json_string_value(v), &c->upstream, &c->upstream_udp))
			return why(reason, len, "expected \"ADDR:PORT\" or \"[IPv6]:PORT\"");
		c->has_upstream = true;
		return 0;
	}
	if (!strcmp(key, "upstream_port")) {
		if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 65536)
			snprintf(c->up_port, sizeof(c->up_port), "%lld",
				 (long long)json_integer_value(v));
		else if (json_is_string(v) && json_string_length(v) &&
			 json_string_length(v) < sizeof(c->up_port))
			snprintf(c->up_port, sizeof(c->up_port), "%s", json_string_value(v));
		else
			return why(reason, len, "expected a port id or device name");
		return 0;
	}
	if (!strcmp(key, "neighbours"))
		return parse_neighbours(v, c, reason, len);
	if (!strcmp(key, "upstreams"))
		return parse_routes(v, c, reason, len);
	if (!strcmp(key, "upstream_timeout_ms"))
		return get_ms(v, 10, 600000, &c->timeout_ms, reason, len);
	if (!strcmp(key, "observe_timeout_ms"))
		return get_ms(v, 1000, 86400000, &c->observe_ms, reason, len);
	if (!strcmp(key, "exchanges"))
		return get_ms(v, 16, 1u << 20, &c->exchanges, reason, len);
	if (!strcmp(key, "upstream_source_port")) {
		unsigned p;

		if (get_ms(v, 1, 65535 - 64, &p, reason, len))
			return -1;
		c->src_port = (uint16_t)p;
		return 0;
	}
	return transmission_field(key, v, c, reason, len);
}

int ctl_config_fwd_check(const struct ctl_fwd_config *c, bool forward, bool has_ipv4,
			bool has_ipv6, char *reason, size_t len)
{
	if (!forward)
		return c->has_upstream || c->up_port[0] || c->src_port || c->n_routes ?
		       why(reason, len, "upstream keys need \"mode\": \"forward\"") : 0;
	if (!c->has_upstream)
		return why(reason, len, "forward mode needs \"upstream\"");
	if (c->upstream.v6 ? !has_ipv6 : !has_ipv4)
		return why(reason, len, "the gateway has no address of the upstream's family");
	for (unsigned i = 0; i < c->n_routes; i++)
		if (c->routes[i].ip.v6 ? !has_ipv6 : !has_ipv4)
			return snprintf(reason, len, "upstreams[%u]: the gateway has no address of "
					"its family", i), -1;
	return 0;
}
