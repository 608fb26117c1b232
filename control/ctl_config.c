/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration file of oscore-gw: one JSON object.
 *
 *   {
 *     "port": "0",               client-facing port: DPDK port id, or device name ("net_pcap0")
 *     "ipv4": "10.0.0.1",        gateway addresses (at least one); packets to others are dropped
 *     "ipv6": "fd00::1",
 *     "ipv4_prefix": 24,         length of the on-link IPv4 prefix, 1..32 (optional): requests
 *                                from its broadcast address are dropped (counted) like those
 *                                from 255.255.255.255; without it the subnet broadcast is not
 *                                known (a /31 or /32 has none, RFC 3021)
 *     "udp_port": 5683,          served UDP port (default 5683, RFC 7252 §6.1)
 *     "mode": "respond",         answer every verified request itself (default), or
 *             "forward",         reverse proxy: send the plain request to the upstream (below)
 *     "burst": 32,               rx burst size, 1..64 (default 32)
 *     "replay_window": 32,       default window for contexts (RFC 8613 §3.2.2), 1..192
 *     "mbufs": 16383,            mempool size; net_pcap infinite_rx needs one per frame
 *     "error_rate": 1000,        unprotected error answers per second per worker (0 = no limit)
 *     "error_burst": 100,        depth of that token bucket
 *     "error_source_rate": 10,   error answers per second per source address (0 = no limit)
 *     "error_source_burst": 20,  depth of each source's bucket
 *     "error_sources": 1024,     source buckets per worker (least recently used one evicted)
 *     "dedup_entries": 4096,     CoAP deduplication entries per worker (RFC 7252 §4.5; 0 = off)
 *     "exchange_lifetime": 247,  seconds a repeated CON is answered from the cache (§4.8.2)
 *     "tx_port": "net_null0",    send answers here instead of back out of "port" (benchmarks)
 *     "loadtest_replay": false,  true: replayed Partial IVs are processed (counted), for replaying
 *                                one capture in a loop. NEVER in production: no replay protection
 *     "summary_interval": 5,     seconds between one-line summaries on stdout (0 = none)
 *     "metrics_listen": "127.0.0.1:9464"  Prometheus text endpoint (GET /metrics) on this TCP
 *                                address, or "[::1]:9464"; absent = none (dp_metrics_http.h)
 *     "control_paths": ["/ctl"], protected requests whose inner Uri-Path is one of these or below
 *                                it go to the control lcore (with /authz-info and
 *                                /.well-known/edhoc when unprotected, which always do)
 *     "contexts": [ ... ]        or "contexts_file": "path" (a JSON array; relative to this file);
 *                                either may be absent or empty (contexts added at runtime)
 *     "contexts_libcoap": "path" libcoap OSCORE configuration (coap-oscore-conf(5)), appended;
 *                                errors name file:line
 *     "max_contexts": 1024,      context slots, preallocated (configured + runtime adds)
 *     "max_id_contexts": 1024,   of them with an ID Context (default and at most max_contexts)
 *     "state_db": "state.db",    SQLite state: contexts and SSN ceilings survive a crash
 *     "k_ssn": 4096,             SSN write-ahead step (RFC 8613 App. B.1.1)
 *     "rfc8613_b_1_2": true,     restored contexts start with an unknown replay window (App. B.1.2)
 *     "response_piv": "request", "own": every protected answer takes the gateway's own fresh
 *                                Partial IV (§8.3) instead of reusing the request's nonce
 *     "groups": [ ... ]          Group OSCORE groups the gateway is a member of (format in
 *                                ctl_config_group.c)
 *     "group_send": {"port": 5690, "collect_ms": 1000, "pending": 16}   plain CoAP requests to
 *                                /groups/NAME/... sent to the group's "multicast" address
 *                                (ctl_config_group_send.c, control/ctl_group_send.h)
 *     "id_namespaces": {"direct": [{"prefix": "0a", "min_len": 1, "max_len": 2}], "ace": [...],
 *                       "edhoc": [...]}  Recipient-ID parts per method (control/ctl_ns.h);
 *                                configured and runtime-added contexts are method "direct"
 *     "edhoc": {...}             the EDHOC responder on /.well-known/edhoc (ctl_config_edhoc.h)
 *     "ace": "ace.json" | {...}  ACE resource server at /authz-info (ctl_config_ace.h); needs
 *                                an "ace" part in "id_namespaces" (where ID2 comes from)
 *   }
 *
 * Forward mode only (ctl_config_fwd.c):
 *     "upstream": "10.0.1.2:5683"   the CoAP service, or "[fd00:1::2]:5683"; the gateway sends
 *                                   from its own address of that family; worker w from UDP
 *                                   port upstream_source_port + w
 *     "upstream_source_port": 5683  (default: udp_port) answers to it + w are steered to worker w
 *     "upstream_port": "1"          DPDK port towards it (default: the client port)
 *     "neighbours": [{"ip": "10.0.1.2", "mac": "02:00:00:00:01:02"}]   static; others by ARP/NS
 *     "upstream_timeout_ms": 1500   no answer by then: protected 5.04 to the device
 *     "observe_timeout_ms": 300000  an observation without notification for this long is dropped
 *     "exchanges": 4096             exchange table entries per worker (full: protected 5.03)
 *     "upstreams": [{"uri_path": "/hvac", "uri_host": "b1", "upstream": "10.0.1.3:5683"}]
 *                                   routes by the inner Uri-Path prefix and/or Uri-Host, tried
 *                                   in order; anything else goes to "upstream"
 *     "observe_con_interval_s": 86400  a notification goes CON at least this often (RFC 7641
 *                                   §4.5); not ACKed after retransmissions: observation ends
 *     "ack_timeout_ms": 2000, "ack_random_factor": 1.5, "max_retransmit": 4
 *                                   RFC 7252 §4.8, for CON notifications and upstream requests
 *
 * A context uses libcoap's keywords (hex strings; the gateway is the server, so sender_id is its
 * own ID and recipient_id the device's, which the device sends as kid):
 *   {"master_secret": "0102...", "master_salt": "9e7c...", "id_context": "37cb...",
 *    "sender_id": "01", "recipient_id": "", "aead_alg": 10 | "AES-CCM-16-64-128",
 *    "hkdf_alg": -10 | "HKDF-SHA-256", "replay_window": 32}
 * Only master_secret, sender_id and recipient_id are required. Unknown keys are refused, so that
 * a misspelt field is not silently ignored. Refused as well (issue 8): sender_id == recipient_id,
 * two contexts with the same recipient_id, id_context and keys, and two with the same Sender Key
 * (same master_secret, master_salt, id_context, sender_id and algorithms).
 * A configured context (not a runtime add) may also say "b2": true: RFC 8613 App. B.2 may
 * re-derive it. A request with its kid and a kid context R1 that names no context is then
 * answered with the App. B.2 4.01 (kid context R2, under ctx(R2 || R1)); request #2 with kid
 * context R2 || R3 installs ctx(R2 || R3) in place of it (stored when "state_db" is set). At most
 * CTL_CFG_B2_MAX such contexts.
 */
#include "control/ctl_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_aead.h"
#include "control/ctl_conf_libcoap.h"
#include "control/ctl_where.h"
#include "crypto/cry_hkdf.h"
#include "oscore/osc_hex.h"

/* Where an error is reported (the file and the field being read), and what the context being
 * parsed may say. */
struct where {
	struct ctl_where at;
	bool b2_ok;  /* "b2" is allowed: configured contexts, not runtime adds */
	bool b2;     /* the context being parsed said "b2": true */
};

/* Hex string v into out[0..cap); *len gets the byte count. */
static int get_hex(struct where *w, json_t *v, uint8_t *out, size_t cap, uint8_t *len)
{
	const char *s = json_string_value(v);
	size_t n, i;

	if (!s)
		return ctl_where_bad(&w->at, "expected a hex string");
	n = strlen(s);
	if (n % 2)
		return ctl_where_bad(&w->at, "odd number of hex digits");
	if (n / 2 > cap)
		return ctl_where_bad(&w->at, "%zu bytes, at most %zu allowed", n / 2, cap);
	for (i = 0; i < n / 2; i++) {
		int hi = osc_hex_nibble(s[2 * i]), lo = osc_hex_nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return ctl_where_bad(&w->at, "not a hex digit at offset %zu", 2 * i);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint8_t)(n / 2);
	return 0;
}

static int get_uint(struct where *w, json_t *v, unsigned lo, unsigned hi, unsigned *out)
{
	json_int_t x;

	if (!json_is_integer(v))
		return ctl_where_bad(&w->at, "expected an integer");
	x = json_integer_value(v);
	if (x < (json_int_t)lo || x > (json_int_t)hi)
		return ctl_where_bad(&w->at, "%lld outside %u..%u", (long long)x, lo, hi);
	*out = (unsigned)x;
	return 0;
}

/* "aead_alg": a COSE number or name (RFC 9053). */
static int get_aead(struct where *w, json_t *v, const struct cry_alg **alg)
{
	const char *why = ctl_config_aead(v, alg);

	return why ? ctl_where_bad(&w->at, "%s", why) : 0;
}

static int get_hkdf(struct where *w, json_t *v, int *hkdf)
{
	const char *why = ctl_config_hkdf(v, hkdf);

	return why ? ctl_where_bad(&w->at, "%s", why) : 0;
}

/* One key of a context object into p. */
static int ctx_field(struct where *w, const char *key, json_t *v, struct osc_params *p)
{
	if (!strcmp(key, "master_secret"))
		return get_hex(w, v, p->secret, sizeof(p->secret), &p->secret_len);
	if (!strcmp(key, "master_salt"))
		return get_hex(w, v, p->salt, sizeof(p->salt), &p->salt_len);
	if (!strcmp(key, "sender_id"))
		return get_hex(w, v, p->sender_id, sizeof(p->sender_id), &p->sender_id_len);
	if (!strcmp(key, "recipient_id"))
		return get_hex(w, v, p->recipient_id, sizeof(p->recipient_id),
			       &p->recipient_id_len);
	if (!strcmp(key, "id_context")) {
		p->has_id_ctx = true;
		return get_hex(w, v, p->id_ctx, sizeof(p->id_ctx), &p->id_ctx_len);
	}
	if (!strcmp(key, "aead_alg"))
		return get_aead(w, v, &p->alg);
	if (!strcmp(key, "hkdf_alg"))
		return get_hkdf(w, v, &p->hkdf);
	if (!strcmp(key, "replay_window"))
		return get_uint(w, v, 1, OSC_REPLAY_MAX, &p->replay_window);
	if (!strcmp(key, "b2") && w->b2_ok) {
		if (!json_is_boolean(v))
			return ctl_where_bad(&w->at, "expected true or false");
		w->b2 = json_is_true(v);
		return 0;
	}
	return ctl_where_bad(&w->at, "unknown key");
}

static int parse_ctx(struct where *w, unsigned idx, json_t *o, struct osc_params *p,
		     unsigned window)
{
	static const char *const required[] = { "master_secret", "sender_id", "recipient_id" };
	const char *key;
	json_t *v;
	unsigned i;

	osc_params_defaults(p);
	p->replay_window = window;
	ctl_where_at(&w->at, "contexts[%u]", idx);
	if (!json_is_object(o))
		return ctl_where_bad(&w->at, "expected an object");
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!json_object_get(o, required[i]))
			return ctl_where_bad(&w->at, "missing %s", required[i]);
	json_object_foreach(o, key, v) {
		ctl_where_at(&w->at, "contexts[%u].%s", idx, key);
		if (ctx_field(w, key, v, p))
			return -1;
	}
	ctl_where_at(&w->at, "contexts[%u].recipient_id", idx);
	if (p->recipient_id_len == p->sender_id_len &&
	    !memcmp(p->recipient_id, p->sender_id, p->sender_id_len))
		return ctl_where_bad(&w->at, "equal to sender_id (the IDs of a context must differ, RFC 8613 §3.3)");
	return 0;
}

/* Derive once now so that a context the core refuses is reported with its place in the file. */
static int check_ctx(struct where *w, unsigned idx, const struct osc_params *p)
{
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));
	int rc;

	if (!c)
		return ctl_where_bad(&w->at, "out of memory");
	rc = osc_ctx_derive(c, p);
	if (rc == OSC_CTX_OK)
		osc_ctx_wipe(c);
	free(c);
	ctl_where_at(&w->at, "contexts[%u]", idx);
	return rc == OSC_CTX_OK ? 0 : ctl_where_bad(&w->at, "%s", osc_ctx_strerror(rc));
}

int ctl_config_parse_context(json_t *o, unsigned window, struct osc_params *p, char *err,
			    size_t err_len)
{
	struct where w = { .at = { .file = "context", .err = err, .err_len = err_len } };

	/* no trial derivation here: the table's add derives once and says why it refused (a bulk
	 * load of 1M contexts would pay for every HKDF twice) */
	memset(p, 0, sizeof(*p));
	return parse_ctx(&w, 0, o, p, window) ? -1 : 0;
}

/* One side of a configured context for the duplicate check: what its Recipient Key (kind 0,
 * with the Recipient ID) or Sender Key (kind 1, with the Sender ID) is derived from (§3.2.1). */
struct side {
	uint64_t h;
	unsigned idx, kind;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 1099511628211u;
	return h;
}

static uint64_t side_hash(const struct osc_params *p, unsigned kind)
{
	uint64_t h = fnv(14695981039346656037u, &kind, sizeof(kind));

	h = fnv(h, &p->alg, sizeof(p->alg));
	h = fnv(h, &p->hkdf, sizeof(p->hkdf));
	h = fnv(h, p->secret, p->secret_len);
	h = fnv(h, p->salt, p->salt_len);
	h = fnv(h, &p->has_id_ctx, 1);
	h = fnv(h, p->id_ctx, p->id_ctx_len);
	return kind ? fnv(h, p->sender_id, p->sender_id_len) :
		      fnv(h, p->recipient_id, p->recipient_id_len);
}

#define SAME(a, b, f) ((a)->f##_len == (b)->f##_len && !memcmp((a)->f, (b)->f, (a)->f##_len))

static bool same_side(const struct osc_params *a, const struct osc_params *b, unsigned kind)
{
	return a->alg == b->alg && a->hkdf == b->hkdf && a->has_id_ctx == b->has_id_ctx &&
	       SAME(a, b, secret) && SAME(a, b, salt) && SAME(a, b, id_ctx) &&
	       (kind ? SAME(a, b, sender_id) : SAME(a, b, recipient_id));
}

static int side_cmp(const void *x, const void *y)
{
	const struct side *a = x, *b = y;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Two contexts with the same Recipient ID, ID Context and keys would each accept a message the
 * other refused as a replay; two with the same Sender Key would repeat nonces with the gateway's
 * own Partial IVs (each has its own SSN). Both are refused, in O(n log n) for big files. */
static int check_dups(struct where *w, const struct ctl_config *c)
{
	struct side *v = calloc(2 * (size_t)c->n_ctx + 1, sizeof(*v));
	unsigned i, n = 0, a = 0, b = 0, kind = 0;

	if (!v)
		return ctl_where_bad(&w->at, "out of memory");
	for (i = 0; i < 2 * c->n_ctx; i++)
		v[i] = (struct side){ side_hash(&c->ctx[i / 2], i & 1), i / 2, i & 1 };
	qsort(v, 2 * (size_t)c->n_ctx, sizeof(*v), side_cmp);
	for (i = 1; i < 2 * c->n_ctx && !n; i++)
		if (v[i].kind == v[i - 1].kind && v[i].h == v[i - 1].h &&
		    same_side(&c->ctx[v[i].idx], &c->ctx[v[i - 1].idx], v[i].kind))
			n = 1, a = v[i - 1].idx, b = v[i].idx, kind = v[i].kind;
	free(v);
	if (!n)
		return 0;
	ctl_where_at(&w->at, "contexts[%u].%s", b,
		 kind ? "sender_id" : "recipient_id");
	return kind ? ctl_where_bad(&w->at, "same Sender Key as contexts[%u]: the gateway's own Partial IVs "
			  "would repeat a nonce (contexts, contexts_file and contexts_libcoap "
			  "counted together)", a) :
		      ctl_where_bad(&w->at, "same recipient_id, id_context and keys as contexts[%u]: a replay "
			  "refused by one would be accepted by the other", a);
}

/* Room for n more contexts after the c->n_ctx there are. */
static int grow_ctx(struct where *w, struct ctl_config *c, size_t n)
{
	struct osc_params *p = calloc(c->n_ctx + n ? c->n_ctx + n : 1, sizeof(*p));

	if (!p)
		return ctl_where_bad(&w->at, "out of memory");
	if (c->ctx) {
		memcpy(p, c->ctx, c->n_ctx * sizeof(*p));
		explicit_bzero(c->ctx, c->n_ctx * sizeof(*p));
		free(c->ctx);
	}
	c->ctx = p;
	return 0;
}

static int parse_ctx_array(struct where *w, json_t *a, struct ctl_config *c)
{
	size_t i;

	if (!json_is_array(a))
		return ctl_where_bad(&w->at, "expected an array of contexts");
	if (grow_ctx(w, c, json_array_size(a)))
		return -1;
	c->n_ctx = (unsigned)json_array_size(a);
	c->n_b2 = 0;
	w->b2_ok = true;
	for (i = 0; i < c->n_ctx; i++) {
		w->b2 = false;
		if (parse_ctx(w, (unsigned)i, json_array_get(a, i), &c->ctx[i], c->replay_window) ||
		    check_ctx(w, (unsigned)i, &c->ctx[i]))
			return -1;
		if (w->b2 && c->n_b2 == CTL_CFG_B2_MAX)
			return ctl_where_bad(&w->at, "more than %u contexts with \"b2\"", CTL_CFG_B2_MAX);
		if (w->b2)
			c->b2_idx[c->n_b2++] = (unsigned)i;
	}
	w->b2_ok = false;
	return 0;
}

/* "contexts_file": relative paths are taken from the configuration file's folder. */
static int load_ctx_file(struct where *w, json_t *v, struct ctl_config *c)
{
	const char *name = json_string_value(v), *slash = strrchr(w->at.file, '/');
	char path[PATH_MAX];
	json_error_t je;
	struct where w2 = *w;
	json_t *a;
	int rc;

	if (!name)
		return ctl_where_bad(&w->at, "expected a file name");
	if (name[0] != '/' && slash)
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - w->at.file), w->at.file, name);
	else
		snprintf(path, sizeof(path), "%s", name);
	a = json_load_file(path, 0, &je);
	if (!a)
		return ctl_where_bad(&w->at, "%s: line %d: %s", path, je.line, je.text);
	w2.at.file = path;
	rc = parse_ctx_array(&w2, a, c);
	json_decref(a);
	return rc;
}

static int get_addr(struct where *w, json_t *v, int af, void *out, bool *has)
{
	const char *s = json_string_value(v);

	if (!s || inet_pton(af, s, out) != 1)
		return ctl_where_bad(&w->at, "expected an IPv%c address", af == AF_INET ? '4' : '6');
	*has = true;
	return 0;
}

static int get_port(struct where *w, json_t *v, char *out)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 65536) {
		snprintf(out, CTL_PORT_NAME_MAX, "%lld", (long long)json_integer_value(v));
		return 0;
	}
	if (!json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) >= CTL_PORT_NAME_MAX)
		return ctl_where_bad(&w->at, "expected a port id or device name");
	snprintf(out, CTL_PORT_NAME_MAX, "%s", json_string_value(v));
	return 0;
}

static int get_mode(struct where *w, json_t *v, enum ctl_mode *m)
{
	const char *s = json_string_value(v);

	if (!s || (strcmp(s, "respond") && strcmp(s, "forward")))
		return ctl_where_bad(&w->at, "expected \"respond\" or \"forward\"");
	*m = strcmp(s, "forward") ? CTL_MODE_RESPOND : CTL_MODE_FORWARD;
	return 0;
}

static int fwd_field(struct where *w, const char *key, json_t *v, struct ctl_config *c)
{
	char reason[128];
	int rc = ctl_config_fwd_field(key, v, &c->fwd, reason, sizeof(reason));

	return rc < 0 ? ctl_where_bad(&w->at, "%s", reason) : rc > 0 ? ctl_where_bad(&w->at, "unknown key") : 0;
}

static int get_bool(struct where *w, json_t *v, bool *out)
{
	if (!json_is_boolean(v))
		return ctl_where_bad(&w->at, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

/* "control_paths": absolute Uri-Paths ("/ctl/x"); a request matches a path or anything below. */
static int get_ctl_paths(struct where *w, json_t *v, struct ctl_ops_config *o)
{
	size_t i;
	json_t *p;

	if (!json_is_array(v) || json_array_size(v) > CTL_PATHS_MAX)
		return ctl_where_bad(&w->at, "expected an array of at most %d paths", CTL_PATHS_MAX);
	json_array_foreach(v, i, p) {
		const char *s = json_string_value(p);

		if (!s || s[0] != '/' || strlen(s) < 2 || strlen(s) >= CTL_PATH_LEN ||
		    s[strlen(s) - 1] == '/')
			return ctl_where_bad(&w->at, "[%zu]: expected \"/seg/...\" without a trailing slash, "
				   "shorter than %d", i, CTL_PATH_LEN);
		snprintf(o->ctl_paths[i], CTL_PATH_LEN, "%s", s);
	}
	o->n_ctl_paths = (unsigned)json_array_size(v);
	return 0;
}

/* "metrics_listen": kept as written once it reads as an endpoint. */
static int get_listen(struct where *w, json_t *v, char *out)
{
	const char *s = json_string_value(v);
	struct ctl_ip ip;
	uint16_t port;

	if (!s || strlen(s) >= CTL_PORT_NAME_MAX || ctl_config_parse_endpoint(s, &ip, &port))
		return ctl_where_bad(&w->at, "expected \"ADDR:PORT\" or \"[IPv6]:PORT\"");
	snprintf(out, CTL_PORT_NAME_MAX, "%s", s);
	return 0;
}

/* Keys of the operations slice (struct ctl_ops_config). */
static int ops_field(struct where *w, const char *key, json_t *v, struct ctl_ops_config *o)
{
	if (!strcmp(key, "tx_port"))
		return get_port(w, v, o->tx_port);
	if (!strcmp(key, "loadtest_replay"))
		return get_bool(w, v, &o->loadtest_replay);
	if (!strcmp(key, "dedup_entries"))
		return get_uint(w, v, 0, 1u << 22, &o->dedup_entries);
	if (!strcmp(key, "exchange_lifetime"))
		return get_uint(w, v, 1, 86400, &o->exchange_lifetime);
	if (!strcmp(key, "error_source_rate"))
		return get_uint(w, v, 0, 100000000, &o->err_src_rate);
	if (!strcmp(key, "error_source_burst"))
		return get_uint(w, v, 1, 100000000, &o->err_src_burst);
	if (!strcmp(key, "error_sources"))
		return get_uint(w, v, 1, 1u << 20, &o->err_sources);
	if (!strcmp(key, "summary_interval"))
		return get_uint(w, v, 0, 86400, &o->summary_interval);
	if (!strcmp(key, "control_paths"))
		return get_ctl_paths(w, v, o);
	if (!strcmp(key, "metrics_listen"))
		return get_listen(w, v, o->metrics_listen);
	return 1; /* not an operations key */
}

/* Keys of the operations and forward-mode settings; "unknown key" when neither knows it. */
static int slice_field(struct where *w, const char *key, json_t *v, struct ctl_config *c)
{
	const char *slash = strrchr(w->at.file, '/');
	char dir[PATH_MAX], reason[160];
	int rc = ops_field(w, key, v, &c->ops);

	if (rc != 1)
		return rc;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - w->at.file) : 0, w->at.file);
	if (!strcmp(key, "edhoc"))
		return ctl_config_edhoc_parse(v, dir, &c->edhoc, reason, sizeof(reason)) ?
		       ctl_where_bad(&w->at, "%s", reason) : 0;
	if (!strcmp(key, "group_send"))
		return ctl_config_group_send(v, &c->group_send, reason, sizeof(reason)) ?
		       ctl_where_bad(&w->at, "%s", reason) : 0;
	rc = ctl_config_ctx_field(key, v, dir, &c->ctl, reason, sizeof(reason));
	if (rc < 0)
		return ctl_where_bad(&w->at, "%s", reason);
	return rc == 1 ? fwd_field(w, key, v, c) : 0;
}

/* "contexts_libcoap": one context per recipient_id line, appended; errors name file:line. */
static int load_libcoap(struct where *w, struct ctl_config *c)
{
	static struct ctl_conf lc;
	char reason[256];
	unsigned i;

	if (ctl_conf_libcoap_load(&lc, c->ctl.libcoap, reason, sizeof(reason)))
		return ctl_where_bad(&w->at, "%s", reason);
	if (grow_ctx(w, c, lc.n_rid)) {
		explicit_bzero(&lc, sizeof(lc));
		return -1;
	}
	for (i = 0; i < lc.n_rid; i++) {
		ctl_conf_params(&lc, i, &c->ctx[c->n_ctx]);
		if (!c->ctx[c->n_ctx].replay_window)
			c->ctx[c->n_ctx].replay_window = c->replay_window;
		c->n_ctx++;
	}
	explicit_bzero(&lc, sizeof(lc));
	return 0;
}

/* "ace": the AS configuration, inline or in a file next to this one. */
static int ace_field(struct where *w, json_t *v, struct ctl_config *c)
{
	const char *slash = strrchr(w->at.file, '/');
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - w->at.file) : 0, w->at.file);
	return ctl_config_ace_parse(v, w->at.file, dir, &c->ace, w->at.err, w->at.err_len);
}

/* One top-level key; contexts are read afterwards, once the default window is known. */
static int top_field(struct where *w, const char *key, json_t *v, struct ctl_config *c)
{
	if (!strcmp(key, "port"))
		return get_port(w, v, c->port);
	if (!strcmp(key, "ipv4"))
		return get_addr(w, v, AF_INET, c->ipv4, &c->has_ipv4);
	if (!strcmp(key, "ipv6"))
		return get_addr(w, v, AF_INET6, c->ipv6, &c->has_ipv6);
	if (!strcmp(key, "ipv4_prefix"))
		return get_uint(w, v, 1, 32, &c->ipv4_prefix);
	if (!strcmp(key, "udp_port")) {
		unsigned p;
		int rc = get_uint(w, v, 1, 65535, &p);

		c->udp_port = (uint16_t)p;
		return rc;
	}
	if (!strcmp(key, "mode"))
		return get_mode(w, v, &c->mode);
	if (!strcmp(key, "burst"))
		return get_uint(w, v, 1, CTL_BURST_MAX, &c->burst);
	if (!strcmp(key, "replay_window"))
		return get_uint(w, v, 1, OSC_REPLAY_MAX, &c->replay_window);
	if (!strcmp(key, "mbufs"))
		return get_uint(w, v, 511, 1u << 24, &c->mbufs);
	if (!strcmp(key, "error_rate"))
		return get_uint(w, v, 0, 100000000, &c->err_rate);
	if (!strcmp(key, "error_burst"))
		return get_uint(w, v, 1, 100000000, &c->err_burst);
	if (!strcmp(key, "contexts") || !strcmp(key, "contexts_file") || !strcmp(key, "groups"))
		return 0;
	if (!strcmp(key, "ace"))
		return ace_field(w, v, c);
	return slice_field(w, key, v, c);
}

/* A request whose kid context is a group's Gid takes the group path: a context with that ID
 * Context would never be reached. */
static int check_gids(struct where *w, const struct ctl_config *c)
{
	unsigned i, j;

	for (i = 0; i < c->groups.n; i++) {
		const struct osc_group_params *g = &c->groups.g[i].p;

		for (j = 0; j < c->n_ctx; j++)
			if (c->ctx[j].has_id_ctx && c->ctx[j].id_ctx_len == g->gid_len &&
			    !memcmp(c->ctx[j].id_ctx, g->gid, g->gid_len)) {
				ctl_where_at(&w->at, "groups[%u].gid", i);
				return ctl_where_bad(&w->at, "also the id_context of contexts[%u], which requests "
					   "to the group would shadow", j);
			}
	}
	return 0;
}

/* "groups", read once the default replay window is known; errors name the group's field. */
static int parse_groups(struct where *w, json_t *v, struct ctl_config *c)
{
	char reason[160];

	if (!v)
		return 0;
	if (ctl_config_groups(v, c->replay_window, &c->groups, w->at.field, sizeof(w->at.field), reason,
			      sizeof(reason)))
		return ctl_where_bad(&w->at, "%s", reason);
	return check_gids(w, c);
}

/* "group_send" needs a port of its own and a group it can send to. */
static int check_group_send(struct where *w, const struct ctl_config *c)
{
	unsigned i;

	if (!c->group_send.enabled)
		return 0;
	ctl_where_at(&w->at, "group_send");
	if (c->group_send.port == c->udp_port)
		return ctl_where_bad(&w->at, "port %u is also udp_port", c->udp_port);
	for (i = 0; i < c->groups.n; i++)
		if (c->groups.g[i].mcast.set && c->groups.g[i].p.group_enc)
			return 0;
	return ctl_where_bad(&w->at, "no group in group mode with a \"multicast\" address");
}

/* Configured contexts with an ID Context must fit "max_id_contexts" (each takes a second key). */
static int check_id_contexts(struct where *w, const struct ctl_config *c)
{
	unsigned i, n = 0;

	for (i = 0; i < c->n_ctx; i++)
		n += c->ctx[i].has_id_ctx;
	ctl_where_at(&w->at, "max_id_contexts");
	if (n > ctl_config_id_contexts(&c->ctl))
		return ctl_where_bad(&w->at, "%u contexts with an ID Context configured, more than %u",
				     n, ctl_config_id_contexts(&c->ctl));
	return 0;
}

static int parse_top(struct where *w, json_t *root, struct ctl_config *c)
{
	json_t *v, *inl, *file;
	char reason[128];
	const char *key;

	ctl_where_at(&w->at, "(top)");
	if (!json_is_object(root))
		return ctl_where_bad(&w->at, "expected a JSON object");
	json_object_foreach(root, key, v) {
		ctl_where_at(&w->at, "%s", key);
		if (top_field(w, key, v, c))
			return -1;
	}
	ctl_where_at(&w->at, "(top)");
	if (!c->port[0])
		return ctl_where_bad(&w->at, "missing port");
	if (!c->has_ipv4 && !c->has_ipv6)
		return ctl_where_bad(&w->at, "missing ipv4 or ipv6");
	if (c->ipv4_prefix && !c->has_ipv4)
		return ctl_where_bad(&w->at, "ipv4_prefix without ipv4");
	if (ctl_config_fwd_check(&c->fwd, c->mode == CTL_MODE_FORWARD, c->has_ipv4, c->has_ipv6,
				reason, sizeof(reason)))
		return ctl_where_bad(&w->at, "%s", reason);
	inl = json_object_get(root, "contexts");
	file = json_object_get(root, "contexts_file");
	if (inl && file)
		return ctl_where_bad(&w->at, "at most one of contexts and contexts_file");
	ctl_where_at(&w->at, inl ? "contexts" : "contexts_file");
	if ((inl && parse_ctx_array(w, inl, c)) || (file && load_ctx_file(w, file, c)))
		return -1;
	ctl_where_at(&w->at, "contexts_libcoap");
	if (c->ctl.libcoap[0] && load_libcoap(w, c))
		return -1;
	if (check_dups(w, c) || parse_groups(w, json_object_get(root, "groups"), c) ||
	    check_group_send(w, c))
		return -1;
	ctl_where_at(&w->at, "ace");
	if (c->ace.conf && (!c->ctl.has_ns || !c->ctl.ns.n[CTL_M_ACE]))
		return ctl_where_bad(&w->at, "needs an \"ace\" part in id_namespaces (ID2 of RFC 9203 §4.2)");
	ctl_where_at(&w->at, "edhoc");
	if (c->edhoc.enabled && c->ctl.has_ns && !c->ctl.ns.n[CTL_M_EDHOC])
		return ctl_where_bad(&w->at, "needs an \"edhoc\" part in id_namespaces (C_R, RFC 9668 §4.1)");
	ctl_where_at(&w->at, "max_contexts");
	if (c->n_ctx > c->ctl.max_contexts)
		return ctl_where_bad(&w->at, "%u contexts configured, more than %u", c->n_ctx, c->ctl.max_contexts);
	return check_id_contexts(w, c);
}

/* The folder /oscore/ctx/load is confined to: the configuration file's, symlinks resolved. */
static int set_load_dir(struct where *w, struct ctl_config *c, const char *path)
{
	char *slash;

	ctl_where_at(&w->at, "(file)");
	if (!realpath(path, c->ctl.load_dir))
		return ctl_where_bad(&w->at, "%s", strerror(errno));
	slash = strrchr(c->ctl.load_dir, '/');
	slash[slash == c->ctl.load_dir] = '\0'; /* "/gw.json" -> "/" */
	return 0;
}

int ctl_config_load(struct ctl_config *c, const char *path, char *err, size_t err_len)
{
	struct where w = { .at = { .file = path, .err = err, .err_len = err_len } };
	json_error_t je;
	json_t *root;
	int rc;

	*c = (struct ctl_config){ .udp_port = 5683, .burst = 32, .mode = CTL_MODE_RESPOND,
				 .replay_window = OSC_REPLAY_DEFAULT, .mbufs = 16383,
				 .err_rate = 1000, .err_burst = 100,
				 .ops = { .dedup_entries = 4096, .exchange_lifetime = 247,
					  .err_src_rate = 10, .err_src_burst = 20,
					  .err_sources = 1024, .summary_interval = 5 } };
	ctl_config_fwd_defaults(&c->fwd);
	ctl_config_ctx_defaults(&c->ctl);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		ctl_where_at(&w.at, "line %d column %d", je.line, je.column);
		return ctl_where_bad(&w.at, "%s", je.text);
	}
	rc = parse_top(&w, root, c);
	json_decref(root);
	if (!rc)
		rc = set_load_dir(&w, c, path);
	if (rc)
		ctl_config_free(c);
	return rc;
}

void ctl_config_free(struct ctl_config *c)
{
	ctl_config_ace_free(&c->ace);
	if (c->ctx) {
		explicit_bzero(c->ctx, c->n_ctx * sizeof(*c->ctx));
		free(c->ctx);
	}
	c->ctx = NULL;
	c->n_ctx = 0;
	ctl_config_edhoc_free(&c->edhoc);
	ctl_config_groups_free(&c->groups);
}
