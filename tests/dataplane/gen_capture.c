/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Deterministic capture for the capture-replay test of oscore-gw (issue 3, "Done when" 1).
 *   gen_capture DIR [--bench N | --two-workers]
 * writes DIR/in.pcap (Ethernet frames to the gateway 10.0.0.1 / fd00::1, UDP 5683), DIR/gw.json
 * (the gateway's configuration, server view), DIR/oscore_contexts (tshark's OSCORE UAT, client
 * view; the collision partner of context 3 alone in DIR/oscore_contexts.collision, since tshark
 * tries only the first context with a given kid) and DIR/expected.json (the counters oscore-gw must end with, same shape as --stats-json).
 * Good requests from several contexts (one with kid context, two whose Recipient IDs collide, some
 * over IPv6; more than a burst), then replays, tampered tags, unknown kids, malformed CoAP and
 * OSCORE options, plain CoAP, frames for the classifier (other port, other address, TCP, ARP, ICMP
 * echo, LLDP), retransmitted CONs (RFC 7252 §4.5 deduplication: late ones answered from the cache,
 * one inside the same burst dropped), one source flooding error answers (per-source limit), and
 * requests for control resources (/authz-info, /.well-known/edhoc, protected /ctl/reset).
 * With --bench N, in.pcap holds only N good requests, round robin over the contexts, for a
 * throughput run (no tshark and expectation files then).
 * Uses the client side of oscore/, never the gateway's code.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oscore/osc_protect.h"

#define N_GOOD 40     /* contexts the gateway knows */
#define PER_CTX 6     /* good requests per context */
#define FRAME_MAX 1600

enum { V4, V6 };

/* Expected counters, named as oscore-gw names them (dp_stats.c, osc_err_name). */
struct expect {
	unsigned rx, tx, protected_, error, silent, arp, icmp;
	unsigned udp_port, not_udp, not_ours, ethertype;
	unsigned dedup_hit, dedup_pending, rl_source, ctl;
	unsigned osc[OSC_ERR__COUNT];
	unsigned tshark_protected; /* protected answers in out.pcap, whoever sent them */
	unsigned rst, unauthorized;  /* RSTs and 4.01 answers to unprotected messages */
	struct { const char *name; unsigned n; } more[32]; /* further counters, by name */
	unsigned n_more;
};

/* The gateway's settings this capture is built for (written into gw.json). */
#define SRC_BURST 7      /* "error_source_burst": error answers per source before limiting */
#define BURST 32         /* "burst": frames per rx_burst, for a duplicate inside one burst */

struct gen {
	pcap_t *pcap;
	pcap_dumper_t *d;       /* where dump() writes: in.pcap, or in0/in1.pcap with --two-workers */
	pcap_dumper_t *two[2];
	unsigned window;        /* "replay_window" in gw.json */
	bool two_workers;
	struct cry_engine *e;
	struct expect x;
	unsigned seq;           /* frame number: timestamps, tokens, Message IDs */
	struct osc_params p[N_GOOD + 2]; /* client view; last two: collision partner, unknown */
	struct osc_ctx *c[N_GOOD + 2];
	uint8_t frame[FRAME_MAX];
};

static void die(const char *what)
{
	fprintf(stderr, "gen_capture: %s\n", what);
	exit(2);
}

static uint16_t csum_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)(p[n - 1] << 8);
	return s;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void dump(struct gen *g, const uint8_t *f, size_t len)
{
	struct pcap_pkthdr h = { .caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len };

	h.ts.tv_sec = 1700000000 + g->seq / 1000;
	h.ts.tv_usec = (g->seq % 1000) * 1000;
	g->seq++;
	pcap_dump((u_char *)g->d, &h, f);
	g->x.rx++;
}

/* Ethernet header from the device (02:00:00:00:00:src) to the gateway; returns its length. */
static size_t eth(uint8_t *f, unsigned src, unsigned type)
{
	static const uint8_t gw[6] = { 0x02, 0, 0, 0, 0, 0xfe };

	memcpy(f, gw, 6);
	memcpy(f + 6, (uint8_t[6]){ 0x02, 0, 0, 0, 0, (uint8_t)src }, 6);
	put16(f + 12, type);
	return 14;
}

/* IPv4 header from 10.0.0.(100 + src) to 10.0.0.dst; returns its length. */
static size_t ipv4(uint8_t *p, unsigned src, unsigned dst, unsigned proto, size_t l4_len)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (unsigned)(20 + l4_len));
	p[8] = 64;
	p[9] = (uint8_t)proto;
	memcpy(p + 12, (uint8_t[4]){ 10, 0, 0, (uint8_t)(100 + src) }, 4);
	memcpy(p + 16, (uint8_t[4]){ 10, 0, 0, (uint8_t)dst }, 4);
	put16(p + 10, csum_fold(csum_add(0, p, 20)));
	return 20;
}

/* IPv6 header from fd00::(100 + src) to fd00::dst; returns its length. */
static size_t ipv6(uint8_t *p, unsigned src, unsigned dst, unsigned proto, size_t l4_len)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, (unsigned)l4_len);
	p[6] = (uint8_t)proto;
	p[7] = 64;
	p[8] = p[24] = 0xfd;
	p[23] = (uint8_t)(100 + src);
	p[39] = (uint8_t)dst;
	return 40;
}

/* The UDP checksum of the datagram at u (RFC 768, RFC 8200 §8.1) under the addresses of the IP
 * header at l3 (whose length fields are set): pseudo-header, then the datagram. */
static uint16_t udp_sum(const uint8_t *l3, int af, const uint8_t *u)
{
	size_t ulen = (size_t)(u[4] << 8 | u[5]);
	uint32_t s = af == V4 ? csum_add(0, l3 + 12, 8) : csum_add(0, l3 + 8, 32);
	uint16_t c;

	s = csum_add(s + 17 + (uint32_t)ulen, u, ulen);
	c = csum_fold(s);
	return c ? c : 0xffff;
}

/* Both checksums of a UDP frame built by udp_frame() again, after its header was changed. */
static void resum(uint8_t *f, int af)
{
	uint8_t *l3 = f + 14, *u = l3 + (af == V4 ? (l3[0] & 0xf) * 4 : 40);

	if (af == V4) {
		put16(l3 + 10, 0);
		put16(l3 + 10, csum_fold(csum_add(0, l3, (size_t)(l3[0] & 0xf) * 4)));
	}
	put16(u + 6, 0);
	put16(u + 6, udp_sum(l3, af, u));
}

/* A UDP frame in g->frame from device src (port 40000 + src) to dst:dport over af (dst 1 = the
 * gateway); returns its length. */
static size_t udp_frame(struct gen *g, int af, unsigned src, unsigned dst, unsigned dport,
			const uint8_t *pl, size_t len)
{
	uint8_t *f = g->frame;
	size_t l2 = eth(f, src, af == V4 ? 0x0800 : 0x86dd), l3, ulen = 8 + len;
	uint8_t *u;

	if (len > FRAME_MAX - 70)
		die("payload too long");
	l3 = af == V4 ? ipv4(f + l2, src, dst, 17, ulen) : ipv6(f + l2, src, dst, 17, ulen);
	u = f + l2 + l3;
	put16(u, 40000 + src);
	put16(u + 2, dport);
	put16(u + 4, (unsigned)ulen);
	put16(u + 6, 0);
	memcpy(u + 8, pl, len);
	put16(u + 6, udp_sum(f + l2, af, u));
	return l2 + l3 + ulen;
}

static void udp(struct gen *g, int af, unsigned src, unsigned dst, unsigned dport,
		const uint8_t *pl, size_t len)
{
	dump(g, g->frame, udp_frame(g, af, src, dst, dport, pl, len));
}

/* A plain request: CON or NON, GET or POST (with a payload) to /seg0[/seg1]; token and MID from
 * seq. */
static int path_request(struct gen *g, uint8_t *out, size_t cap, bool con, bool post,
			const char *seg0, const char *seg1)
{
	uint8_t tok[4] = { 0xa0, (uint8_t)(g->seq >> 16), (uint8_t)(g->seq >> 8), (uint8_t)g->seq };
	struct osc_coap_msg m = {
		.type = con ? COAP_CON : COAP_NON, .code = post ? COAP_POST : COAP_GET,
		.mid = (uint16_t)(0x1000 + g->seq), .tkl = 4, .token = tok, .n_opts = 1,
		.payload = post ? (const uint8_t *)"21.5" : NULL, .payload_len = post ? 4 : 0,
	};

	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .len = (uint16_t)strlen(seg0),
					   .val = (const uint8_t *)seg0 };
	if (seg1)
		m.opts[m.n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH,
							    .len = (uint16_t)strlen(seg1),
							    .val = (const uint8_t *)seg1 };
	return osc_coap_encode(out, cap, &m);
}

static int plain_request(struct gen *g, uint8_t *out, size_t cap, bool con, bool post)
{
	return path_request(g, out, cap, con, post, "temp", NULL);
}

/* Protect the plain request plain[0..n) with client context i into out; returns its length. */
static size_t protect_msg(struct gen *g, unsigned i, const uint8_t *plain, int n, uint8_t *out,
			  size_t cap, unsigned flags)
{
	struct osc_exchange ex;

	if (n < 0)
		die("encode");
	n = osc_protect_request(g->e, g->c[i], plain, (size_t)n, out, cap, flags, &ex);
	if (n < 0)
		die(osc_err_name(-n));
	return (size_t)n;
}

/* A protected request of client context i to /temp into out; returns its length. */
static size_t protect(struct gen *g, unsigned i, uint8_t *out, size_t cap, bool con, bool post,
		      unsigned flags)
{
	uint8_t plain[256];

	return protect_msg(g, i, plain, plain_request(g, plain, sizeof(plain), con, post), out, cap,
			   flags);
}

/* Client-view parameters of context i: N_GOOD known ones (4 with an ID Context), then the
 * collision partner of context 3 (same Recipient ID at the gateway, other secret; no ID Context,
 * which tshark would want to see in the request), then one the gateway lacks. */
static void params(struct osc_params *p, unsigned i)
{
	static const uint8_t idctx[8] = { 0x37, 0xcb, 0xf3, 0x21, 0x00, 0x17, 0xa2, 0xd3 };
	unsigned j;

	memset(p, 0, sizeof(*p));
	osc_params_defaults(p);
	p->secret_len = 16;
	for (j = 0; j < 16; j++)
		p->secret[j] = (uint8_t)(i * 16 + j + 1);
	p->salt_len = 8;
	memcpy(p->salt, (uint8_t[8]){ 0x9e, 0x7c, 0xa9, 0x22, 0x23, 0x78, 0x63, (uint8_t)i }, 8);
	p->sender_id_len = p->recipient_id_len = 1;
	p->sender_id[0] = (uint8_t)(i == N_GOOD ? 0x13 : i == N_GOOD + 1 ? 0x7f : 0x10 + i);
	p->recipient_id[0] = 0x01;
	if (i == 4) {
		p->has_id_ctx = true;
		p->id_ctx_len = 8;
		memcpy(p->id_ctx, idctx, 8);
		p->id_ctx[7] = (uint8_t)(p->id_ctx[7] + i);
	}
}

static void hex(FILE *f, const uint8_t *b, size_t n)
{
	while (n--)
		fprintf(f, "%02x", *b++);
}

/* The gateway's configuration: the server view of the known contexts (IDs swapped). */
static void write_config(const struct gen *g, FILE *f)
{
	unsigned i;

	fprintf(f, "{\"port\": \"net_pcap0\", \"ipv4\": \"10.0.0.1\", \"ipv4_prefix\": 24,"
		   " \"ipv6\": \"fd00::1\",\n"
		   " \"udp_port\": 5683, \"mode\": \"respond\", \"burst\": 32, \"replay_window\": %u,\n"
		   " \"mbufs\": 4095, \"error_rate\": 0, \"error_source_rate\": %d,"
		   " \"error_source_burst\": %d,\n \"control_paths\": [\"/ctl\"],"
		   " \"summary_interval\": 1,\n \"contexts\": [\n", g->window ? g->window : 32,
		g->two_workers ? 0 : 1, SRC_BURST);
	for (i = 0; i <= N_GOOD; i++) {
		const struct osc_params *p = &g->p[i];

		fprintf(f, "  {\"master_secret\": \"");
		hex(f, p->secret, p->secret_len);
		fprintf(f, "\", \"master_salt\": \"");
		hex(f, p->salt, p->salt_len);
		if (p->has_id_ctx) {
			fprintf(f, "\", \"id_context\": \"");
			hex(f, p->id_ctx, p->id_ctx_len);
		}
		fprintf(f, "\", \"sender_id\": \"");
		hex(f, p->recipient_id, p->recipient_id_len);
		fprintf(f, "\", \"recipient_id\": \"");
		hex(f, p->sender_id, p->sender_id_len);
		fprintf(f, "\", \"aead_alg\": \"AES-CCM-16-64-128\", \"hkdf_alg\": \"HKDF-SHA-256\"}%s\n",
			i < N_GOOD ? "," : "");
	}
	fprintf(f, " ]}\n");
}

/* tshark's OSCORE UAT (client view): sender, recipient, secret, salt, ID context, algorithm.
 * Either every known context but the collision partner, or that one alone. */
static void write_uat(const struct gen *g, FILE *f, bool partner)
{
	const uint8_t *fields[5];
	unsigned i, k, len[5];

	for (i = partner ? N_GOOD : 0; i < (partner ? N_GOOD + 1u : N_GOOD); i++) {
		const struct osc_params *p = &g->p[i];

		fields[0] = p->sender_id, len[0] = p->sender_id_len;
		fields[1] = p->recipient_id, len[1] = p->recipient_id_len;
		fields[2] = p->secret, len[2] = p->secret_len;
		fields[3] = p->salt, len[3] = p->salt_len;
		fields[4] = p->id_ctx, len[4] = p->id_ctx_len;
		for (k = 0; k < 5; k++) {
			fputc('"', f);
			hex(f, fields[k], len[k]);
			fputs("\",", f);
		}
		fputs("\"AES-CCM-16-64-128 (CCM*)\"\n", f);
	}
}

static void write_expected(const struct expect *x, FILE *f)
{
	unsigned i;

	fprintf(f, "{\"counters\": {\"rx_packets\": %u, \"tx_packets\": %u, \"answer_protected\": %u,"
		   " \"answer_error\": %u, \"drop_silent\": %u, \"arp_replies\": %u,"
		   " \"icmp_echo_replies\": %u, \"drop_udp_port\": %u, \"drop_not_udp\": %u,"
		   " \"drop_ip_not_ours\": %u, \"drop_ethertype\": %u, \"dedup_hit\": %u,"
		   " \"dedup_pending\": %u, \"drop_rate_limited_source\": %u,"
		   " \"ctl_handoff\": %u, \"ctl_requests\": %u, \"ctl_not_found\": %u,"
		   " \"ctl_answers\": %u, \"ctl_answer_tx\": %u",
		x->rx, x->tx, x->protected_, x->error, x->silent, x->arp, x->icmp, x->udp_port,
		x->not_udp, x->not_ours, x->ethertype, x->dedup_hit, x->dedup_pending, x->rl_source,
		x->ctl, x->ctl, x->ctl, x->ctl, x->ctl);
	fprintf(f, ", \"answer_rst\": %u, \"answer_unauthorized\": %u",
		x->rst, x->unauthorized);
	for (i = 0; i < x->n_more; i++)
		fprintf(f, ", \"%s\": %u", x->more[i].name, x->more[i].n);
	fprintf(f, "},\n \"osc_err\": {");
	for (i = 1; i < OSC_ERR__COUNT; i++)
		fprintf(f, "%s\"%s\": %u", i > 1 ? ", " : "", osc_err_name((int)i), x->osc[i]);
	fprintf(f, "},\n \"tshark_protected\": %u}\n", x->tshark_protected);
}

/* A request the gateway must answer protected. */
static void good(struct gen *g, unsigned i, int af, bool con, bool post, uint8_t *keep,
		 size_t *keep_len)
{
	uint8_t msg[512];
	size_t n = protect(g, i, msg, sizeof(msg), con, post, i == 4 ? OSC_F_KID_CTX : 0);

	udp(g, af, i, 1, 5683, msg, n);
	if (keep) {
		memcpy(keep, msg, n);
		*keep_len = n;
	}
	g->x.protected_++;
	g->x.tshark_protected++;
}

/* A CoAP message the gateway must refuse with err: answered (4.xx) or dropped silently. */
static void bad(struct gen *g, unsigned src, const uint8_t *msg, size_t n, int err)
{
	if (msg) /* NULL: the caller sent it, only the expectation is counted here */
		udp(g, V4, src, 1, 5683, msg, n);
	g->x.osc[err]++;
	if (osc_err_coap_code(err))
		g->x.error++;
	else
		g->x.silent++;
}

/* One more of the counter called name (as dp_stats.c names it) expected. */
static void expect(struct gen *g, const char *name)
{
	unsigned i;

	for (i = 0; i < g->x.n_more; i++)
		if (!strcmp(g->x.more[i].name, name))
			break;
	if (i == sizeof(g->x.more) / sizeof(g->x.more[0]))
		die("too many counters");
	if (i == g->x.n_more) {
		g->x.more[i].name = name;
		g->x.more[i].n = 0;
		g->x.n_more++;
	}
	g->x.more[i].n++;
}

/* Kept copies of requests, to send again: replays (keep) and retransmissions (rt). */
struct kept {
	uint8_t keep[3][512], rt[3][512], nc[512];
	size_t keep_len[3], rt_len[3], nc_len;
};

static void good_traffic(struct gen *g, struct kept *k)
{
	uint8_t (*keep)[512] = k->keep;
	size_t *keep_len = k->keep_len;
	unsigned r, i;

	/* First, so that context 3 (tried first on a collision) has no window yet: its AEAD fails and
	 * context N_GOOD is tried next (§3.3). */
	for (r = 0; r < 3; r++)
		good(g, N_GOOD, V4, r % 2 == 0, r == 1, r == 0 ? keep[2] : NULL, &keep_len[2]);
	for (r = 0; r < PER_CTX; r++)
		for (i = 0; i < N_GOOD; i++) {
			bool rt = r == 0 && i >= 5 && i < 8; /* CON over IPv4 */

			good(g, i, i % 5 == 2 && r % 2 ? V6 : V4, r % 2 == 0, r % 3 == 1,
			     rt ? k->rt[i - 5] : r == i && i < 2 ? keep[i] : NULL,
			     rt ? &k->rt_len[i - 5] : &keep_len[i]);
		}
}

/* RFC 7252 §4.5: the same CON (same Message ID, same endpoint) again, long after the first was
 * answered: the cached answer goes out again and OSCORE never sees it (no "Replay detected"). */
static void retransmits(struct gen *g, const struct kept *k)
{
	unsigned i;

	for (i = 0; i < 3; i++) {
		udp(g, V4, 5 + i, 1, 5683, k->rt[i], k->rt_len[i]);
		g->x.dedup_hit++;
		g->x.tshark_protected++;
	}
	udp(g, V4, N_GOOD + 1, 1, 5683, k->nc, k->nc_len); /* its cached 4.01 */
	g->x.dedup_hit++;
}

/* The same CON twice in one burst: the copy finds the first still in flight and is dropped. */
static void pending_duplicate(struct gen *g)
{
	uint8_t msg[512];
	size_t n;

	if (g->seq % BURST == BURST - 1) { /* keep both in one rx burst */
		udp(g, V4, 9, 2, 5683, (const uint8_t *)"x", 1);
		g->x.not_ours++;
	}
	n = protect(g, 8, msg, sizeof(msg), true, false, 0);
	udp(g, V4, 8, 1, 5683, msg, n);
	udp(g, V4, 8, 1, 5683, msg, n);
	g->x.protected_++;
	g->x.tshark_protected++;
	g->x.dedup_pending++;
}

/* One source provoking more §8.2 answers than its bucket holds: the rest are suppressed. */
static void error_flood(struct gen *g)
{
	uint8_t msg[512];
	unsigned k;

	for (k = 0; k < SRC_BURST + 3; k++) {
		size_t n = protect(g, N_GOOD + 1, msg, sizeof(msg), false, false, 0);

		udp(g, V4, 12, 1, 5683, msg, n);
		g->x.osc[OSC_ERR_NO_CONTEXT]++;
		if (k < SRC_BURST)
			g->x.error++;
		else
			g->x.rl_source++;
	}
}

/* Requests for control resources: answered 4.04 by the control lcore's placeholder, the protected
 * one protected. */
static void control(struct gen *g)
{
	uint8_t plain[256], msg[512];
	int n;

	n = path_request(g, plain, sizeof(plain), true, true, "authz-info", NULL);
	udp(g, V4, 13, 1, 5683, plain, (size_t)n);
	n = path_request(g, plain, sizeof(plain), false, false, ".well-known", "edhoc");
	udp(g, V4, 13, 1, 5683, plain, (size_t)n);
	n = path_request(g, plain, sizeof(plain), true, false, "ctl", "reset");
	udp(g, V4, 9, 1, 5683, msg, protect_msg(g, 9, plain, n, msg, sizeof(msg), 0));
	g->x.ctl += 3;
	g->x.tshark_protected++;
}

static void tampered(struct gen *g, unsigned i)
{
	uint8_t msg[512];
	size_t n = protect(g, i, msg, sizeof(msg), true, true, 0);

	msg[n - 1] ^= 0x01; /* last byte of the tag */
	bad(g, i, msg, n, OSC_ERR_DECRYPT);
}

/* Messages refused before any context is looked up (RFC 7252 §3, RFC 8613 §2, §6.1). */
static void malformed(struct gen *g)
{
	static const uint8_t version2[] = { 0x81, 0x01, 0x12, 0x34, 0xaa };
	static const uint8_t truncated_token[] = { 0x48, 0x01, 0x12, 0x35, 1, 2, 3 };
	/* CON POST, token 1 byte, OSCORE option (9) with n = 6 (reserved), payload */
	static const uint8_t piv_len6[] = { 0x41, 0x02, 0x12, 0x36, 0x77, 0x91, 0x06, 0xff, 1, 2, 3,
					    4, 5, 6, 7, 8, 9 };
	/* OSCORE option k = 1 with kid 0x10 but no Partial IV */
	static const uint8_t no_piv[] = { 0x41, 0x02, 0x12, 0x37, 0x78, 0x92, 0x08, 0x10, 0xff, 1, 2,
					  3, 4, 5, 6, 7, 8, 9 };
	/* valid OSCORE option (piv 5, kid 0x10) but no payload */
	static const uint8_t no_payload[] = { 0x51, 0x02, 0x12, 0x38, 0x79, 0x93, 0x09, 0x05, 0x10 };
	/* plain CoAP GET /temp, no OSCORE option */
	static const uint8_t plain[] = { 0x41, 0x01, 0x12, 0x39, 0x7a, 0xb4, 't', 'e', 'm', 'p' };

	bad(g, 7, version2, sizeof(version2), OSC_ERR_COAP);
	/* RFC 7252 §4.2: a CON with a format error is rejected with a RST */
	udp(g, V4, 7, 1, 5683, truncated_token, sizeof(truncated_token));
	g->x.osc[OSC_ERR_COAP]++;
	g->x.rst++;
	expect(g, "coap_format_error");
	bad(g, 7, piv_len6, sizeof(piv_len6), OSC_ERR_OPTION);
	bad(g, 7, no_piv, sizeof(no_piv), OSC_ERR_NO_PIV);
	bad(g, 7, no_payload, sizeof(no_payload), OSC_ERR_NO_PAYLOAD);
	/* unprotected request for a protected resource: 4.01 (RFC 9200 §5.2), not silence */
	udp(g, V4, 7, 1, 5683, plain, sizeof(plain));
	g->x.osc[OSC_ERR_NOT_OSCORE]++;
	g->x.unauthorized++;
}

/* RFC 826 request "who has 10.0.0.1" from device 8. */
static void arp_request(struct gen *g)
{
	uint8_t *f = g->frame;
	size_t l2 = eth(f, 8, 0x0806);

	memset(f, 0xff, 6);
	memcpy(f + l2, (uint8_t[8]){ 0, 1, 0x08, 0, 6, 4, 0, 1 }, 8);
	memcpy(f + l2 + 8, f + 6, 6);
	memcpy(f + l2 + 14, (uint8_t[4]){ 10, 0, 0, 108 }, 4);
	memset(f + l2 + 18, 0, 6);
	memcpy(f + l2 + 24, (uint8_t[4]){ 10, 0, 0, 1 }, 4);
	memset(f + l2 + 28, 0, 18); /* Ethernet minimum frame */
	dump(g, f, 60);
	g->x.arp++;
}

/* Frames the classifier answers or drops, each under its own counter. */
static void not_coap(struct gen *g)
{
	uint8_t *f = g->frame, icmp[16] = { 8, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g' };
	size_t l2;

	udp(g, V4, 9, 1, 9999, (const uint8_t *)"x", 1);
	g->x.udp_port++;
	udp(g, V4, 9, 2, 5683, (const uint8_t *)"x", 1);
	g->x.not_ours++;
	l2 = eth(f, 9, 0x0800);
	ipv4(f + l2, 9, 1, 6, 20);
	memset(f + l2 + 20, 0, 20);
	dump(g, f, l2 + 40);
	g->x.not_udp++;
	put16(icmp + 2, csum_fold(csum_add(0, icmp, sizeof(icmp))));
	l2 = eth(f, 9, 0x0800);
	ipv4(f + l2, 9, 1, 1, sizeof(icmp));
	memcpy(f + l2 + 20, icmp, sizeof(icmp));
	dump(g, f, l2 + 20 + sizeof(icmp));
	g->x.icmp++;
	arp_request(g);
	l2 = eth(f, 9, 0x88cc);
	memset(f + l2, 0, 46);
	dump(g, f, 60);
	g->x.ethertype++;
}

/* Frames changed on the way (issue 8): a flipped bit in the IPv4 source address or in the UDP
 * datagram is caught by the checksums, and IPv6 UDP without checksum is refused (RFC 8200 §8.1);
 * IPv4 UDP without checksum (0, RFC 768) is answered. */
static void checksums(struct gen *g)
{
	uint8_t msg[512], *f = g->frame;
	size_t n, len;
	int af;

	n = protect(g, 5, msg, sizeof(msg), true, false, 0);
	len = udp_frame(g, V4, 5, 1, 5683, msg, n);
	f[14 + 15] ^= 0x01; /* the answer would go to another host */
	dump(g, f, len);
	expect(g, "drop_ip_cksum");
	for (af = V4; af <= V6; af++) {
		n = protect(g, 5, msg, sizeof(msg), true, false, 0);
		len = udp_frame(g, af, 5, 1, 5683, msg, n);
		f[len - 1] ^= 0x40;
		dump(g, f, len);
		expect(g, "drop_udp_cksum");
	}
	n = protect(g, 5, msg, sizeof(msg), true, false, 0);
	len = udp_frame(g, V6, 5, 1, 5683, msg, n);
	put16(f + 14 + 40 + 6, 0);
	dump(g, f, len);
	expect(g, "drop_udp_cksum_zero");
	n = protect(g, 6, msg, sizeof(msg), true, false, 0);
	len = udp_frame(g, V4, 6, 1, 5683, msg, n);
	put16(f + 14 + 20 + 6, 0);
	dump(g, f, len);
	g->x.protected_++;
	g->x.tshark_protected++;
}

/* A plain CON request from source address addr (4 or 16 bytes by af), dropped as why. */
static void from_source(struct gen *g, int af, const uint8_t *addr, const char *why)
{
	uint8_t plain[64], *f = g->frame;
	int n = plain_request(g, plain, sizeof(plain), true, false);
	size_t len = udp_frame(g, af, 15, 1, 5683, plain, (size_t)n);

	memcpy(f + 14 + (af == V4 ? 12 : 8), addr, af == V4 ? 4 : 16);
	resum(f, af);
	dump(g, f, len);
	expect(g, why);
}

/* Sources no answer may go to (issue 8): each frame would otherwise get a 4.01 or an echo reply. */
static void bad_sources(struct gen *g)
{
	static const struct { uint8_t a[4]; const char *why; } v4[] = {
		{ { 255, 255, 255, 255 }, "drop_src_broadcast" },
		{ { 10, 0, 0, 255 }, "drop_src_broadcast" }, /* "ipv4_prefix": 24 */
		{ { 224, 0, 0, 251 }, "drop_src_multicast" },
		{ { 127, 0, 0, 1 }, "drop_src_loopback" },
		{ { 0, 0, 0, 0 }, "drop_src_unspecified" },
		{ { 10, 0, 0, 1 }, "drop_src_ours" },
	};
	static const struct { uint8_t a[16]; const char *why; } v6[] = {
		{ { 0xff, 0x02, [15] = 1 }, "drop_src_multicast" },
		{ { 0 }, "drop_src_unspecified" },
		{ { [15] = 1 }, "drop_src_loopback" },
		{ { 0xfd, [15] = 1 }, "drop_src_ours" },
		{ { [10] = 0xff, [11] = 0xff, 10, 0, 0, 105 }, "drop_src_v4mapped" },
	};
	uint8_t *f = g->frame, icmp[12] = { 8, 0, 0, 0, 0x12, 0x35, 0, 2, 'p', 'i' };
	unsigned i;
	size_t len;

	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		from_source(g, V4, v4[i].a, v4[i].why);
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		from_source(g, V6, v6[i].a, v6[i].why);
	put16(icmp + 2, csum_fold(csum_add(0, icmp, sizeof(icmp))));
	len = eth(f, 15, 0x0800);
	ipv4(f + len, 15, 1, 1, sizeof(icmp));
	memcpy(f + len + 12, v4[0].a, 4);
	put16(f + len + 10, 0);
	put16(f + len + 10, csum_fold(csum_add(0, f + len, 20)));
	memcpy(f + len + 20, icmp, sizeof(icmp));
	dump(g, f, len + 20 + sizeof(icmp));
	expect(g, "drop_src_broadcast");
}

/* An IPv4 header with a loose source route (RFC 791 §3.1): dropped, never turned around with the
 * route unreversed (issue 8). */
static void ip_options(struct gen *g)
{
	static const uint8_t lsrr[8] = { 0x83, 7, 4, 10, 0, 0, 99, 0 }; /* via 10.0.0.99, EOL */
	uint8_t plain[64], *f = g->frame;
	int n = plain_request(g, plain, sizeof(plain), true, false);
	size_t len = udp_frame(g, V4, 16, 1, 5683, plain, (size_t)n);

	memmove(f + 14 + 28, f + 14 + 20, len - 34);
	memcpy(f + 14 + 20, lsrr, sizeof(lsrr));
	f[14] = 0x47;
	put16(f + 14 + 2, (unsigned)(len - 14 + 8));
	resum(f, V4);
	dump(g, f, len + 8);
	expect(g, "drop_ip_options");
}

/* CoAP messages that are no request (RFC 7252 §4.2, §4.3, issue 8): ACK and RST ignored, a CON
 * Empty ("ping"), response code or reserved class answered RST, the same as NON ignored. */
static void coap_types(struct gen *g)
{
	static const struct { uint8_t m[5]; uint8_t n; const char *why; bool rst; } v[] = {
		{ { 0x60, 0x00, 0x22, 0x01 }, 4, "coap_ack_ignored", false },
		{ { 0x61, 0x45, 0x22, 0x02, 0x7b }, 5, "coap_ack_ignored", false },
		{ { 0x70, 0x00, 0x22, 0x03 }, 4, "coap_rst_ignored", false },
		{ { 0x40, 0x00, 0x22, 0x04 }, 4, "coap_ping", true },
		{ { 0x50, 0x00, 0x22, 0x05 }, 4, "coap_empty_non", false },
		{ { 0x41, 0x45, 0x22, 0x06, 0x7c }, 5, "coap_response_code", true },
		{ { 0x51, 0x45, 0x22, 0x07, 0x7d }, 5, "coap_response_code", false },
		{ { 0x40, 0xe0, 0x22, 0x08 }, 4, "coap_reserved_class", true }, /* 7.00 */
		{ { 0x40, 0x20, 0x22, 0x09 }, 4, "coap_reserved_class", true }, /* 1.00 */
	};
	uint8_t msg[512];
	unsigned i;
	size_t n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		udp(g, V4, 14, 1, 5683, v[i].m, v[i].n);
		expect(g, v[i].why);
		g->x.rst += v[i].rst;
	}
	for (i = 0; i < 2; i++) { /* a valid OSCORE request, sent as ACK, then as RST */
		n = protect(g, 6, msg, sizeof(msg), true, false, 0);
		msg[0] = (uint8_t)((msg[0] & 0xcf) | (i ? 0x30 : 0x20));
		udp(g, V4, 6, 1, 5683, msg, n);
		expect(g, i ? "coap_rst_ignored" : "coap_ack_ignored");
	}
	n = (size_t)plain_request(g, msg, sizeof(msg), false, false); /* NON: 4.01 as NON */
	udp(g, V4, 14, 1, 5683, msg, n);
	g->x.osc[OSC_ERR_NOT_OSCORE]++;
	g->x.unauthorized++;
}

/* RSTs and 4.01s are as cheap to provoke with a spoofed source as §8.2 answers: one source's
 * bucket (SRC_BURST) limits each kind like error_flood() (issue 8). */
static void unprotected_flood(struct gen *g)
{
	uint8_t msg[64] = { 0x40, 0x00, 0x23, 0x00 }; /* CON ping */
	unsigned k;
	int n;

	for (k = 0; k < SRC_BURST + 2; k++) {
		msg[3] = (uint8_t)k;
		udp(g, V4, 17, 1, 5683, msg, 4);
		expect(g, "coap_ping");
		if (k < SRC_BURST)
			g->x.rst++;
		else
			g->x.rl_source++;
	}
	for (k = 0; k < SRC_BURST + 2; k++) {
		n = plain_request(g, msg, sizeof(msg), true, false);
		udp(g, V4, 18, 1, 5683, msg, (size_t)n);
		g->x.osc[OSC_ERR_NOT_OSCORE]++;
		if (k < SRC_BURST)
			g->x.unauthorized++;
		else
			g->x.rl_source++;
	}
}

static void traffic(struct gen *g)
{
	static struct kept k;
	uint8_t msg[512];
	size_t n;
	unsigned i;

	good_traffic(g, &k);
	for (i = 0; i < 3; i++) {
		k.keep[i][2] ^= 0x80; /* new Message ID: an OSCORE replay (§7.4), not a retransmission */
		bad(g, i == 2 ? N_GOOD : i, k.keep[i], k.keep_len[i], OSC_ERR_REPLAY);
	}
	tampered(g, 2);
	tampered(g, N_GOOD);
	for (i = 0; i < 2; i++) {
		n = protect(g, N_GOOD + 1, msg, sizeof(msg), i == 0, false, 0);
		bad(g, N_GOOD + 1, msg, n, OSC_ERR_NO_CONTEXT);
		if (i == 0)
			memcpy(k.nc, msg, k.nc_len = n);
	}
	malformed(g);
	not_coap(g);
	retransmits(g, &k);
	pending_duplicate(g);
	error_flood(g);
	control(g);
	checksums(g);
	bad_sources(g);
	ip_options(g);
	coap_types(g);
	unprotected_flood(g);
	g->x.tx = g->x.protected_ + g->x.error + g->x.arp + g->x.icmp + g->x.dedup_hit + g->x.ctl +
		  g->x.rst + g->x.unauthorized;
}

/* Only good requests, as a device population would send them, for a throughput run. */
static void bench_traffic(struct gen *g, unsigned long n)
{
	unsigned long k;

	for (k = 0; k < n; k++)
		good(g, (unsigned)(k % N_GOOD), V4, k % 2 == 0, k % 3 == 1, NULL, NULL);
}

/* --two-workers: requests of contexts 0 and 1 split over in0.pcap and in1.pcap (one rx queue and
 * one worker each), with duplicates across the files (identical bytes: each worker's own
 * deduplication cannot see the other's copy, so OSCORE must refuse one of the two as a replay)
 * and within a file (new Message ID: a replay). At most TWO_PER_CTX Partial IVs per context, under
 * the window of 192, so that no first copy can be refused as too old however the workers
 * interleave: every count is exact. */
#define TWO_PER_CTX 180

static void two_workers_traffic(struct gen *g)
{
	uint8_t msg[512], later[2][512];
	size_t n, later_len[2] = { 0, 0 };
	unsigned k, c, file, later_file[2] = { 0, 0 };

	for (k = 0; k < TWO_PER_CTX; k++) {
		for (c = 0; c < 2; c++) {
			file = (k + c) % 2;
			g->d = g->two[file];
			n = protect(g, c, msg, sizeof(msg), k % 2 == 0, k % 3 == 1, 0);
			udp(g, V4, c, 1, 5683, msg, n);
			g->x.protected_++;
			if (k % 5 == 0) { /* the same frame through the other worker */
				g->d = g->two[!file];
				udp(g, V4, c, 1, 5683, msg, n);
				bad(g, c, NULL, 0, OSC_ERR_REPLAY);
			}
			if (later_len[c]) { /* a replay, same file, some frames later */
				g->d = g->two[later_file[c]];
				udp(g, V4, c, 1, 5683, later[c], later_len[c]);
				bad(g, c, NULL, 0, OSC_ERR_REPLAY);
				later_len[c] = 0;
			}
			if (k % 7 == 3) {
				memcpy(later[c], msg, later_len[c] = n);
				later[c][2] ^= 0x80; /* new Message ID */
				later_file[c] = file;
			}
		}
	}
	g->x.tx = g->x.protected_ + g->x.error;
	g->x.tshark_protected = g->x.protected_;
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		die(path);
	return f;
}

static pcap_dumper_t *open_pcap(struct gen *g, const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return g->pcap ? pcap_dump_open(g->pcap, path) : NULL;
}

static void setup(struct gen *g, const char *dir)
{
	unsigned i;

	g->pcap = pcap_open_dead(DLT_EN10MB, 65535);
	if (g->two_workers) {
		g->two[0] = open_pcap(g, dir, "in0.pcap");
		g->two[1] = open_pcap(g, dir, "in1.pcap");
		g->d = g->two[0] && g->two[1] ? g->two[0] : NULL;
		g->window = 192;
	} else {
		g->d = open_pcap(g, dir, "in.pcap");
	}
	g->e = cry_engine_new();
	if (!g->d || !g->e)
		die("cannot open in.pcap or start the AEAD engine");
	for (i = 0; i < N_GOOD + 2; i++) {
		params(&g->p[i], i);
		g->c[i] = aligned_alloc(64, sizeof(*g->c[i]));
		if (!g->c[i] || osc_ctx_derive(g->c[i], &g->p[i]) != OSC_CTX_OK)
			die("context derivation");
	}
}

int main(int argc, char **argv)
{
	static struct gen g;
	FILE *f;
	unsigned i;

	g.two_workers = argc == 3 && !strcmp(argv[2], "--two-workers");
	if (argc != 2 && !g.two_workers && (argc != 4 || strcmp(argv[2], "--bench"))) {
		fprintf(stderr, "usage: gen_capture DIR [--bench N | --two-workers]\n");
		return 2;
	}
	setup(&g, argv[1]);
	if (argc == 4)
		bench_traffic(&g, strtoul(argv[3], NULL, 10));
	else if (g.two_workers)
		two_workers_traffic(&g);
	else
		traffic(&g);
	if (g.two_workers) {
		pcap_dump_close(g.two[0]);
		pcap_dump_close(g.two[1]);
	} else {
		pcap_dump_close(g.d);
	}
	pcap_close(g.pcap);
	write_config(&g, f = open_in(argv[1], "gw.json"));
	fclose(f);
	write_uat(&g, f = open_in(argv[1], "oscore_contexts"), false);
	fclose(f);
	write_uat(&g, f = open_in(argv[1], "oscore_contexts.collision"), true);
	fclose(f);
	write_expected(&g.x, f = open_in(argv[1], "expected.json"));
	fclose(f);
	for (i = 0; i < N_GOOD + 2; i++) {
		osc_ctx_wipe(g.c[i]);
		free(g.c[i]);
	}
	cry_engine_free(g.e);
	printf("gen_capture: %u frames, %u protected answers expected\n", g.x.rx, g.x.protected_);
	return 0;
}
