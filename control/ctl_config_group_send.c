/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sending side's configuration (ctl_group_send.h):
 *
 *   "group_send": {
 *     "port": 5690,          UDP port of the gateway's own address where requesters send plain
 *                            CoAP to /groups/NAME/..., and where members' answers come back
 *                            (must differ from "udp_port"; required)
 *     "collect_ms": 1000,    how long members' answers are collected (10..60000)
 *     "pending": 16          collections open at once (1..256)
 *   }
 *   "groups": [{ ..., "multicast": "239.255.0.3" | "239.255.0.3:5683" | "ff05::fd" |
 *                "[ff05::fd]:5683" }]   the group's multicast address (RFC 7252 §12.8: the
 *                            All CoAP Nodes addresses 224.0.1.187 and ff0x::fd are allowed too);
 *                            requests to it are also accepted from members (reception)
 */
#include "control/ctl_config_group.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "ADDR" or "ADDR:PORT" (IPv4), "V6" or "[V6]:PORT" into host/port text. 0, or -1. */
static int split_hostport(const char *s, char *host, size_t hcap, unsigned long *port)
{
	const char *colon = strrchr(s, ':'), *end;
	char *e;

	*port = 5683;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		colon = end[1] ? end + 1 : NULL;
		s++;
	} else if (colon && strchr(s, ':') == colon) {
		end = colon;
	} else {
		end = s + strlen(s);
		colon = NULL;
	}
	if ((size_t)(end - s) >= hcap)
		return -1;
	memcpy(host, s, (size_t)(end - s));
	host[end - s] = 0;
	if (colon) {
		*port = strtoul(colon + 1, &e, 10);
		if (!colon[1] || *e || *port < 1 || *port > 65535)
			return -1;
	}
	return 0;
}

int ctl_config_group_mcast(json_t *v, struct ctl_group_mcast *m, char *reason, size_t rcap)
{
	const char *s = json_string_value(v);
	char host[INET6_ADDRSTRLEN];
	unsigned long port;

	memset(m, 0, sizeof(*m));
	if (!s || split_hostport(s, host, sizeof(host), &port))
		goto bad;
	if (inet_pton(AF_INET6, host, m->addr) == 1) {
		if (m->addr[0] != 0xff) /* RFC 4291 §2.7 */
			goto bad;
		m->v6 = true;
	} else if (inet_pton(AF_INET, host, m->addr + 12) == 1) {
		if ((m->addr[12] & 0xf0) != 224) /* RFC 5771 */
			goto bad;
		m->addr[10] = m->addr[11] = 0xff;
	} else {
		goto bad;
	}
	m->port = (uint16_t)port;
	m->set = true;
	return 0;
bad:
	snprintf(reason, rcap, "expected a multicast address, IPv4 224.0.0.0/4 or IPv6 ff00::/8, "
		 "with an optional port (\"239.1.2.3:5683\", \"[ff05::fd]:5683\")");
	return -1;
}

static const char *uint_field(json_t *v, unsigned lo, unsigned hi, unsigned *out)
{
	json_int_t x = json_integer_value(v);

	if (!json_is_integer(v) || x < (json_int_t)lo || x > (json_int_t)hi)
		return "out of range";
	*out = (unsigned)x;
	return NULL;
}

const char *ctl_config_group_send(json_t *v, struct ctl_group_send_config *c, char *reason,
				  size_t rcap)
{
	const char *key, *why = NULL;
	unsigned port = 0;
	json_t *x;

	*c = (struct ctl_group_send_config){ .collect_ms = 1000, .pending = 16 };
	if (!json_is_object(v))
		return snprintf(reason, rcap, "group_send: expected an object"), reason;
	json_object_foreach(v, key, x) {
		if (!strcmp(key, "port"))
			why = uint_field(x, 1, 65535, &port);
		else if (!strcmp(key, "collect_ms"))
			why = uint_field(x, 10, 60000, &c->collect_ms);
		else if (!strcmp(key, "pending"))
			why = uint_field(x, 1, 256, &c->pending);
		else
			why = "unknown key";
		if (why)
			return snprintf(reason, rcap, "group_send.%s: %s", key, why), reason;
	}
	if (!port)
		return snprintf(reason, rcap, "group_send.port: required"), reason;
	c->port = (uint16_t)port;
	c->enabled = true;
	return NULL;
}
