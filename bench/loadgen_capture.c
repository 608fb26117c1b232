/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-loadgen capture: N devices' protected requests, with chosen fractions of replays, tampered
 * tags, unknown kids and malformed messages, as a pcap for net_pcap, plus the gateway's config and
 * what it must count. Devices are made in blocks (their derived contexts in memory for one block
 * only) and requests interleave within a block, so that a burst holds many devices, as on a wire.
 */
#include "bench/loadgen.h"

#include <stdlib.h>
#include <string.h>

#include "bench/lg_frame.h"
#include "bench/lg_out.h"
#include "control/ctl_export.h"
#include "oscore/osc_protect.h"

#define BLOCK 4096
#define MSG_MAX 1600
/* net_pcap's infinite_rx holds every frame of the capture in an mbuf, besides the rx ring (1024),
 * the per-lcore mempool caches (256 each) and answers in flight: this much room on top. */
#define MBUF_SPARE 8192
#define MBUFS_MIN 16383
#define MBUFS_MAX (1u << 24)     /* the gateway's limit on "mbufs" */
#define MBUF_BYTES 2432          /* one mbuf with its 2 KiB data room, header and pool overhead */
#define CONTEXTS_MIN 1024        /* the gateway's default max_contexts */

enum { D_METHOD = 1, D_PAYLEN, D_V6, D_REPLAY, D_TAMPER, D_UNKNOWN, D_MALFORMED, D_CON };

struct expect {
	unsigned long rx, protected_, error, silent, rst, unauthorized, osc[OSC_ERR__COUNT];
	unsigned long good, replays, tampered, unknown, malformed, v6, oscore_frames;
};

struct cap {
	const struct lg_capture_opts *o;
	struct lg_pcap *w;
	struct cry_engine *e;
	struct osc_ctx *blk;     /* BLOCK client-view contexts */
	struct osc_ctx *stranger; /* a device the gateway does not know */
	FILE *ctx_json, *uat;
	struct expect x;
	unsigned long seq;       /* requests made: tokens, Message IDs, draws */
	struct lg_progress prog;
	uint8_t methods[8];
	unsigned n_methods;
};

static double draw(const struct cap *c, unsigned what)
{
	return lg_unit(lg_hash(c->o->pop.seed ^ 0x5eed, c->seq, what));
}

/* A plain request of seq: method and payload size drawn from the options. */
static int plain_request(struct cap *c, uint8_t *out, size_t cap)
{
	static uint8_t body[1024];
	uint8_t tok[8];
	unsigned span = c->o->pay_max - c->o->pay_min + 1;
	uint8_t code = c->methods[lg_hash(c->o->pop.seed, c->seq, D_METHOD) % c->n_methods];
	struct osc_coap_msg m = {
		.type = draw(c, D_CON) < 0.5 ? COAP_CON : COAP_NON, .code = code,
		.mid = (uint16_t)c->seq, .tkl = 8, .token = tok, .n_opts = 1, .payload = body,
	};

	for (int k = 0; k < 8; k++)
		tok[k] = (uint8_t)(c->seq >> (8 * (7 - k)));
	if (code != COAP_GET) /* a GET carries no body (RFC 7252 §5.8.1) */
		m.payload_len = c->o->pay_min + (uint32_t)(lg_hash(c->o->pop.seed, c->seq, D_PAYLEN) % span);
	for (uint32_t k = 0; k < m.payload_len; k++)
		body[k] = (uint8_t)('a' + k % 26);
	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .len = 4,
					   .val = (const uint8_t *)"temp" };
	c->seq++;
	return osc_coap_encode(out, cap, &m);
}

/* A protected request of client context ctx into out; its length, or -1. */
static int protect(struct cap *c, struct osc_ctx *ctx, uint8_t *out, size_t cap)
{
	uint8_t plain[MSG_MAX];
	struct osc_exchange ex;
	int n = plain_request(c, plain, sizeof(plain));

	if (n < 0)
		return -1;
	return osc_protect_request(c->e, ctx, plain, (size_t)n, out, cap,
				   ctx->has_id_ctx ? OSC_F_KID_CTX : 0, &ex);
}

static int emit(struct cap *c, unsigned long dev, const uint8_t *msg, int n)
{
	bool v6 = draw(c, D_V6) < c->o->ipv6;

	if (n < 0)
		return -1;
	c->x.rx++;
	c->x.v6 += v6;
	lg_progress_update(&c->prog, c->x.rx, c->x.good, c->o->pop.n * c->o->requests);
	return lg_pcap_udp(c->w, dev, v6, msg, (size_t)n);
}

/* A refused message: answered with its §8.2 code, or dropped silently where §8.2 says so. */
static void refused(struct cap *c, int err)
{
	c->x.osc[err]++;
	if (osc_err_coap_code(err))
		c->x.error++;
	else
		c->x.silent++;
}

/* How the gateway answers a malformed message (as tests/dataplane/gen_capture.c expects it). */
enum { BY_82, BY_RST, BY_401 };

/* Messages refused before any context is looked up (RFC 7252 §3, RFC 8613 §2, §6.1): the §8.2
 * answer or silence, a RST for a CON with a format error (RFC 7252 §4.2), a 4.01 for an
 * unprotected request (RFC 9200 §5.2). */
static int malformed(struct cap *c, unsigned long dev)
{
	static const struct { uint8_t m[20]; uint8_t len; uint8_t err; uint8_t by; } bad[] = {
		{ { 0x81, 0x01, 0x12, 0x34, 0xaa }, 5, OSC_ERR_COAP, BY_82 },     /* version 2 */
		{ { 0x48, 0x01, 0x12, 0x35, 1, 2, 3 }, 7, OSC_ERR_COAP, BY_RST }, /* token cut */
		{ { 0x41, 0x02, 0x12, 0x36, 0x77, 0x91, 0x06, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 17,
		  OSC_ERR_OPTION, BY_82 },                                         /* n = 6 */
		{ { 0x41, 0x02, 0x12, 0x37, 0x78, 0x92, 0x08, 0x10, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9 },
		  18, OSC_ERR_NO_PIV, BY_82 },
		{ { 0x51, 0x02, 0x12, 0x38, 0x79, 0x93, 0x09, 0x05, 0x10 }, 9, OSC_ERR_NO_PAYLOAD,
		  BY_82 },
		{ { 0x41, 0x01, 0x12, 0x39, 0x7a, 0xb4, 't', 'e', 'm', 'p' }, 10, OSC_ERR_NOT_OSCORE,
		  BY_401 },
	};
	unsigned k = (unsigned)(c->x.malformed++ % (sizeof(bad) / sizeof(bad[0])));

	if (bad[k].by == BY_82) {
		refused(c, bad[k].err);
	} else {
		c->x.osc[bad[k].err]++;
		c->x.rst += bad[k].by == BY_RST;
		c->x.unauthorized += bad[k].by == BY_401;
	}
	return emit(c, dev, bad[k].m, bad[k].len);
}

/* Request r of device dev (context ctx), then whatever bad traffic the fractions draw after it. */
static int request(struct cap *c, unsigned long dev, struct osc_ctx *ctx)
{
	uint8_t msg[MSG_MAX];
	int n = protect(c, ctx, msg, sizeof(msg)), rc;
	double rp = draw(c, D_REPLAY), tp = draw(c, D_TAMPER), up = draw(c, D_UNKNOWN);
	double mp = draw(c, D_MALFORMED);

	rc = emit(c, dev, msg, n);
	c->x.good++, c->x.protected_++, c->x.oscore_frames++;
	if (!rc && rp < c->o->replays) { /* the same frame again: §7.4 must refuse it */
		rc = emit(c, dev, msg, n);
		c->x.replays++, c->x.oscore_frames++;
		refused(c, OSC_ERR_REPLAY);
	}
	if (!rc && tp < c->o->tampered) {
		n = protect(c, ctx, msg, sizeof(msg));
		msg[n > 0 ? n - 1 : 0] ^= 0x01; /* last byte of the tag */
		rc = emit(c, dev, msg, n);
		c->x.tampered++, c->x.oscore_frames++;
		refused(c, OSC_ERR_DECRYPT);
	}
	if (!rc && up < c->o->unknown) {
		rc = emit(c, dev, msg, protect(c, c->stranger, msg, sizeof(msg)));
		c->x.unknown++, c->x.oscore_frames++;
		refused(c, OSC_ERR_NO_CONTEXT);
	}
	if (!rc && mp < c->o->malformed)
		rc = malformed(c, dev);
	return rc;
}

/* Wireshark's oscore_contexts line of a gateway-view context (the device's view, as oscore-gwctl
 * export-wireshark writes it); the line holds a Master Secret and is wiped. */
static int uat_line(struct cap *c, const struct osc_params *gw)
{
	char line[CTL_EXPORT_LINE_MAX];
	int n = ctl_export_line(line, sizeof(line), gw);
	int rc = n < 0 || fwrite(line, 1, (size_t)n, c->uat) != (size_t)n ? -1 : 0;

	explicit_bzero(line, sizeof(line));
	return rc;
}

/* Contexts [b0, b1): derived in the client's view, written out, then their requests interleaved. */
static int block(struct cap *c, unsigned long b0, unsigned long b1)
{
	struct osc_params gw, cl;
	unsigned long i, r;

	for (i = b0; i < b1; i++) {
		lg_ctx_params(&c->o->pop, i, &gw);
		lg_client_view(&cl, &gw);
		lg_write_ctx_json(c->ctx_json, &gw, i + 1 == c->o->pop.n);
		if (uat_line(c, &gw))
			return -1;
		if (osc_ctx_derive(&c->blk[i - b0], &cl) != OSC_CTX_OK)
			return -1;
	}
	for (r = 0; r < c->o->requests; r++)
		for (i = b0; i < b1; i++)
			if (request(c, i, &c->blk[i - b0]))
				return -1;
	for (i = b0; i < b1; i++)
		osc_ctx_wipe(&c->blk[i - b0]);
	return 0;
}

/* mbufs for replaying the whole capture with net_pcap's infinite_rx (every frame held). */
static unsigned long mbufs_for(unsigned long frames)
{
	unsigned long m = frames + MBUF_SPARE;

	return m < MBUFS_MIN ? MBUFS_MIN : m > MBUFS_MAX ? MBUFS_MAX : m;
}

/* A configuration that fits the population: a slot per context, an mbuf per frame. */
static void write_gw(const struct cap *c, FILE *f)
{
	unsigned long n = c->o->pop.n;

	/* no error rate limits and no CoAP deduplication: every refused message is answered as
	 * expected.json counts it, and a replayed CON is an OSCORE replay (§7.4), never a cache hit */
	fprintf(f, "{\"port\": \"net_pcap0\", \"ipv4\": \"10.0.0.1\", \"ipv6\": \"fd00::1\",\n"
		   " \"udp_port\": %d, \"mode\": \"respond\", \"burst\": 32, \"replay_window\": 32,\n"
		   " \"mbufs\": %lu, \"max_contexts\": %lu, \"error_rate\": 0,\n"
		   " \"error_source_rate\": 0, \"dedup_entries\": 0,\n"
		   " \"contexts_file\": \"contexts.json\"}\n",
		LG_GW_PORT, mbufs_for(c->x.rx), n < CONTEXTS_MIN ? CONTEXTS_MIN : n);
}

/* Counters named as oscore-gw names them (dp_stats.c), as gen_capture writes them, plus what
 * the capture holds for tshark checks. */
static void write_expected(const struct expect *x, FILE *f)
{
	fprintf(f, "{\"counters\": {\"rx_packets\": %lu, \"tx_packets\": %lu, "
		   "\"answer_protected\": %lu, \"answer_error\": %lu, \"drop_silent\": %lu, "
		   "\"answer_rst\": %lu, \"coap_format_error\": %lu, \"answer_unauthorized\": %lu},\n"
		   " \"osc_err\": {", x->rx, x->protected_ + x->error + x->rst + x->unauthorized,
		x->protected_, x->error, x->silent, x->rst, x->rst, x->unauthorized);
	for (int i = 1; i < OSC_ERR__COUNT; i++)
		fprintf(f, "%s\"%s\": %lu", i > 1 ? ", " : "", osc_err_name(i), x->osc[i]);
	fprintf(f, "},\n \"capture\": {\"frames\": %lu, \"good\": %lu, \"replays\": %lu, "
		   "\"tampered\": %lu, \"unknown\": %lu, \"malformed\": %lu, \"ipv6\": %lu, "
		   "\"oscore_frames\": %lu, \"decryptable\": %lu}}\n", x->rx, x->good, x->replays,
		x->tampered, x->unknown, x->malformed, x->v6, x->oscore_frames,
		x->good + x->replays);
}

static int stranger(struct cap *c)
{
	struct osc_params p;

	memset(&p, 0, sizeof(p));
	osc_params_defaults(&p);
	p.secret_len = 16;
	memset(p.secret, 0x5a, 16);
	p.sender_id_len = OSC_ID_MAX; /* 7-byte kid ff..ff: no population of 2^24 reaches it */
	memset(p.sender_id, 0xff, OSC_ID_MAX);
	c->stranger = aligned_alloc(64, sizeof(*c->stranger));
	return c->stranger && osc_ctx_derive(c->stranger, &p) == OSC_CTX_OK ? 0 : -1;
}

static int setup(struct cap *c, const struct lg_capture_opts *o)
{
	char path[4096];

	memset(c, 0, sizeof(*c));
	c->o = o;
	for (unsigned code = 1; code < 8; code++)
		if (o->methods & (1u << code))
			c->methods[c->n_methods++] = (uint8_t)code;
	if (lg_mkdirs(o->out))
		return -1;
	snprintf(path, sizeof(path), "%s/in.pcap", o->out);
	c->w = lg_pcap_open(path);
	c->e = cry_engine_new();
	c->blk = aligned_alloc(64, BLOCK * sizeof(*c->blk));
	/* both hold Master Secrets (gateway and device view) */
	c->ctx_json = lg_fopen_mode(o->out, "contexts.json", 0600);
	c->uat = lg_fopen_mode(o->out, "oscore_contexts", 0600);
	lg_progress_start(&c->prog, o->quiet);
	if (!c->w || !c->e || !c->blk || !c->ctx_json || !c->uat || !c->n_methods || stranger(c))
		return fprintf(stderr, "oscore-loadgen: cannot set up the capture in %s\n", o->out), -1;
	fputs("[\n", c->ctx_json);
	return 0;
}

static int finish(struct cap *c, int rc)
{
	FILE *f;

	if (c->ctx_json)
		rc |= fputs("]\n", c->ctx_json) < 0 || fclose(c->ctx_json) ? -1 : 0;
	if (c->uat)
		rc |= fclose(c->uat) ? -1 : 0;
	if (c->w)
		rc |= lg_pcap_close(c->w);
	lg_progress_end(&c->prog);
	if (!rc) {
		f = lg_fopen_mode(c->o->out, "gw.json", 0644);
		if (f)
			write_gw(c, f);
		rc |= !f || fclose(f) ? -1 : 0;
	}
	if (!rc) {
		f = lg_fopen_mode(c->o->out, "expected.json", 0644);
		if (f)
			write_expected(&c->x, f);
		rc |= !f || fclose(f) ? -1 : 0;
	}
	if (c->stranger)
		osc_ctx_wipe(c->stranger);
	free(c->stranger);
	free(c->blk);
	cry_engine_free(c->e);
	return rc;
}

/* What replaying the whole capture in a loop needs beyond the usual -m 512. */
static void mbuf_note(unsigned long frames)
{
	unsigned long m = mbufs_for(frames), mb = m * MBUF_BYTES / 1000000 + 256;

	if (m == MBUFS_MAX)
		fprintf(stderr, "oscore-loadgen: note: %lu frames are more than the gateway's %u "
			"mbufs: replay without infinite_rx\n", frames, MBUFS_MAX);
	else if (mb > 512)
		printf("oscore-loadgen: gw.json has %lu mbufs for net_pcap infinite_rx: give the EAL "
		       "-m %lu or more\n", m, mb);
}

int lg_capture(const struct lg_capture_opts *o)
{
	static struct cap c;
	int rc = setup(&c, o);

	for (unsigned long b = 0; !rc && b < o->pop.n; b += BLOCK)
		rc = block(&c, b, b + BLOCK < o->pop.n ? b + BLOCK : o->pop.n);
	if (rc)
		fprintf(stderr, "oscore-loadgen: capture failed\n");
	rc = finish(&c, rc);
	if (!rc)
		printf("oscore-loadgen: %lu frames (%lu good requests, %lu replays, %lu tampered, "
		       "%lu unknown, %lu malformed, %lu over IPv6) from %lu clients into %s\n",
		       c.x.rx, c.x.good, c.x.replays, c.x.tampered, c.x.unknown, c.x.malformed,
		       c.x.v6, o->pop.n, o->out);
	if (!rc)
		mbuf_note(c.x.rx);
	return rc;
}
