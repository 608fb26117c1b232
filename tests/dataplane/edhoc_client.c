/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The project's EDHOC initiator over CoAP (RFC 9528 App. A.2) for the live tests: it plays a
 * device that makes its own OSCORE context with oscore-gw.
 *   edhoc_client --conf FILE --method M --suite S [--out FILE] [--tamper] [--msg3-twice]
 *                [--delay-msg3 SEC] [--timeout SEC] ADDR:PORT
 * FILE holds the initiator's side in the gateway's "edhoc" format (ctl_config_edhoc.h): its own
 * credentials (the one for the method's and suite's curve is used), the responder credentials
 * it trusts, and the suites it supports (S among them; SUITES_I is S alone). message_1 goes as POST
 * /.well-known/edhoc prefixed by CBOR true, message_3 prefixed by C_R. On success --out FILE
 * receives the context as the gateway sees it ({"contexts": [...]}, libcoap keywords, so that
 * osc_client --contexts FILE speaks OSCORE with it) and "edhoc: completed" is printed.
 * --combined sends message_3 in an RFC 9668 EDHOC + OSCORE request (GET of --path, default /x,
 * EDHOC option 21) instead, whose protected answer must verify under the new context.
 * --ead1 HEX / --ead3 HEX put the EAD items HEX (a CBOR sequence; a negative label is critical,
 * RFC 9528 §3.8) into message_1 / message_3 only.
 * --tamper flips a bit of message_3; --msg3-twice sends message_3 again after success (its C_R
 * has no session any more); --delay-msg3 waits before message_3 (session timeout).
 * --for SEC repeats the handshake for SEC seconds (load for bench_edhoc_gw.sh) and prints
 * "edhoc: N of M handshakes completed in T s (R/s)", answers not printed.
 * Every answer is printed as "edhoc: message_N answer CODE cf=CF" and, for an EDHOC error,
 * "edhoc: error ERR_CODE n". Exits 0 only on a completed handshake (and, with --msg3-twice, a
 * refused repeat); 1 otherwise; 2 on bad usage.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "control/ctl_config_edhoc.h"
#include "crypto/cry_aead.h"
#include "crypto/cry_cbor.h"
#include "oscore/osc_coap.h"
#include "oscore/osc_hex.h"
#include "oscore/osc_protect.h"

struct opts {
	const char *conf, *out, *target, *path;
	int method, suite;
	double timeout, delay, repeat;
	bool tamper, twice, combined;
	uint8_t ead1[64], ead3[64];
	size_t ead1_len, ead3_len;
};

static int fd = -1;
static uint16_t mid;

static int open_target(const char *t)
{
	char host[64];
	const char *colon = strrchr(t, ':');
	struct sockaddr_in a = { .sin_family = AF_INET };
	size_t n;

	if (!colon || (n = (size_t)(colon - t)) >= sizeof(host))
		return -1;
	memcpy(host, t, n);
	host[n] = 0;
	a.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	return fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a, sizeof(a));
}

/* POST /.well-known/edhoc with prefix pre[0..pl) || body[0..bl); the answer's payload into
 * *ans (pointing into buf) and its code. Returns the answer's Content-Format, -1 for none,
 * -2 when nothing (valid) came back. */
static int post(const struct opts *o, const uint8_t *pre, size_t pl, const uint8_t *body,
		size_t bl, uint8_t *buf, size_t cap, struct osc_coap_msg *ans)
{
	static const uint8_t wk[] = ".well-known", ed[] = "edhoc", cf[] = { 65 };
	uint8_t pay[EDH_MSG_MAX + 16], req[EDH_MSG_MAX + 64], tok[4];
	struct osc_coap_msg m = { .type = COAP_CON, .code = COAP_POST, .tkl = 4, .token = tok };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	const struct osc_coap_opt *c;
	uint32_t v = (uint32_t)-1;
	ssize_t n;
	int len;

	if (pl + bl > sizeof(pay) || getrandom(tok, sizeof(tok), 0) != sizeof(tok))
		return -2;
	memcpy(pay, pre, pl);
	memcpy(pay + pl, body, bl);
	m.mid = mid++;
	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .val = wk, .len = 11 };
	m.opts[1] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .val = ed, .len = 5 };
	m.opts[2] = (struct osc_coap_opt){ .num = COAP_OPT_CONTENT_FORMAT, .val = cf, .len = 1 };
	m.n_opts = 3;
	m.payload = pay;
	m.payload_len = (uint32_t)(pl + bl);
	len = osc_coap_encode(req, sizeof(req), &m);
	if (len < 0 || send(fd, req, (size_t)len, 0) != len)
		return -2;
	for (;;) {
		if (poll(&p, 1, (int)(o->timeout * 1000)) != 1 || (n = recv(fd, buf, cap, 0)) <= 0)
			return -2;
		if (osc_coap_parse(ans, buf, (size_t)n) == OSC_COAP_OK && ans->tkl == 4 &&
		    !memcmp(ans->token, tok, 4))
			break;
	}
	c = osc_coap_find(ans, COAP_OPT_CONTENT_FORMAT, NULL);
	if (c && osc_coap_uint_decode(c->val, c->len, &v))
		v = (uint32_t)-1;
	printf("edhoc: answer %u.%02u cf=%d\n", ans->code >> 5, ans->code & 31, (int)v);
	return (int)v;
}

static void show_error(const struct osc_coap_msg *a)
{
	int code = -1, suites[EDH_SUITES_MAX];
	unsigned n = 0;

	if (a->payload_len && edh_error_read(a->payload, a->payload_len, &code, suites, &n) ==
				      EDH_OK) {
		printf("edhoc: error ERR_CODE %d", code);
		for (unsigned i = 0; i < n; i++)
			printf("%s%d", i ? "," : " SUITES_R ", suites[i]);
		printf("\n");
	}
}

static void hex(json_t *o, const char *k, const uint8_t *b, size_t n)
{
	char s[2 * 64 + 1] = "";

	for (size_t i = 0; i < n && i < 64; i++)
		snprintf(s + 2 * i, 3, "%02x", b[i]);
	json_object_set_new(o, k, json_string(s));
}

/* The gateway's side of the context (it is the responder: Sender ID C_I, Recipient ID C_R). */
static int write_ctx(const char *path, const struct osc_params *p)
{
	json_t *c = json_object(), *root;
	int rc;

	hex(c, "master_secret", p->secret, p->secret_len);
	hex(c, "master_salt", p->salt, p->salt_len);
	hex(c, "sender_id", p->recipient_id, p->recipient_id_len);
	hex(c, "recipient_id", p->sender_id, p->sender_id_len);
	json_object_set_new(c, "aead_alg", json_integer(p->alg->cose));
	json_object_set_new(c, "hkdf_alg", json_integer(p->hkdf));
	root = json_pack("{s[o]}", "contexts", c);
	rc = json_dump_file(root, path, 0);
	json_decref(root);
	return rc;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "conf", required_argument, NULL, 'c' }, { "out", required_argument, NULL, 'o' },
		{ "method", required_argument, NULL, 'm' }, { "suite", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' }, { "tamper", no_argument, NULL, 'T' },
		{ "msg3-twice", no_argument, NULL, '2' }, { "combined", no_argument, NULL, 'C' },
		{ "delay-msg3", required_argument, NULL, 'd' }, { "path", required_argument, NULL, 'p' },
		{ "for", required_argument, NULL, 'f' }, { "ead1", required_argument, NULL, '1' }, { "ead3", required_argument, NULL, '3' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*o = (struct opts){ .method = -1, .suite = -1, .timeout = 5, .path = "/x" };
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'o': o->out = optarg; break;
		case 'm': o->method = atoi(optarg); break;
		case 's': o->suite = atoi(optarg); break;
		case 't': o->timeout = atof(optarg); break;
		case 'T': o->tamper = true; break;
		case '2': o->twice = true; break;
		case 'C': o->combined = true; break;
		case 'd': o->delay = atof(optarg); break;
		case 'p': o->path = optarg; break;
		case 'f': o->repeat = atof(optarg); break;
		case '1':
		case '3': {
			uint8_t *b = ch == '1' ? o->ead1 : o->ead3;
			int n = osc_hex_decode(optarg, strlen(optarg), b, sizeof(o->ead1));

			if (n <= 0)
				return -1;
			*(ch == '1' ? &o->ead1_len : &o->ead3_len) = (size_t)n;
			break;
		}
		default: return -1;
		}
	}
	if (optind + 1 != argc || !o->conf || o->method < 0 || o->method > 3 || o->suite < 0)
		return -1;
	o->target = argv[optind];
	return 0;
}

/* The initiator's side from the file, in the gateway's "edhoc" format. */
static int load_conf(const char *path, struct ctl_edhoc_config *c, struct edh_config *ec)
{
	char reason[256], dir[512];
	const char *slash = strrchr(path, '/');
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	int rc;

	if (!root)
		return fprintf(stderr, "edhoc_client: %s: %s\n", path, je.text), -1;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
	rc = ctl_config_edhoc_parse(root, dir, c, reason, sizeof(reason));
	json_decref(root);
	if (rc)
		return fprintf(stderr, "edhoc_client: %s: %s\n", path, reason), -1;
	ctl_config_edhoc_edh(c, ec);
	return 0;
}

/* The Uri-Path options of path ("/a/b") into m; its segments stay in path. */
static void uri_path(struct osc_coap_msg *m, const char *path)
{
	while (*path == '/' && m->n_opts < COAP_MAX_OPTS) {
		const char *seg = path + 1, *end = strchr(seg, '/');

		if (!end)
			end = seg + strlen(seg);

		m->opts[m->n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH,
			.val = (const uint8_t *)seg, .len = (uint16_t)(end - seg) };
		path = end;
	}
}

/* RFC 9668 §3.2.1: message_3 in front of the OSCORE payload of a GET of o->path protected with
 * the new context, with the EDHOC option; the answer must verify. Returns 0 when it does. */
static int send_combined(const struct opts *o, const struct edh_out *m3,
			 const struct osc_params *dev, uint8_t *buf, size_t cap)
{
	uint8_t plain[1024], prot[512], comb[EDH_MSG_MAX + 512], tok[4], pl[EDH_MSG_MAX + 512];
	struct osc_coap_msg m = { .type = COAP_CON, .code = COAP_GET, .tkl = 4, .token = tok };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct cry_engine *e = cry_engine_new();
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));
	struct osc_exchange ex;
	struct osc_coap_msg pm;
	int len, rc = -1;
	unsigned k = 0;
	ssize_t n;

	if (!e || !c || osc_ctx_derive(c, dev) != OSC_CTX_OK ||
	    getrandom(tok, sizeof(tok), 0) != sizeof(tok))
		goto out;
	m.mid = mid++;
	uri_path(&m, o->path);
	len = osc_coap_encode(plain, sizeof(plain), &m);
	if (len < 0 || (len = osc_protect_request(e, c, plain, (size_t)len, prot, sizeof(prot), 0,
						  &ex)) < 0 ||
	    osc_coap_parse(&pm, prot, (size_t)len) != OSC_COAP_OK)
		goto out;
	/* the EDHOC option (21, empty) in number order; payload message_3 || OSCORE ciphertext */
	for (unsigned i = 0; i < pm.n_opts; i++) {
		if (k == i && pm.opts[i].num > COAP_OPT_EDHOC)
			m.opts[k++] = (struct osc_coap_opt){ .num = COAP_OPT_EDHOC };
		m.opts[k++] = pm.opts[i];
	}
	if (k == pm.n_opts)
		m.opts[k++] = (struct osc_coap_opt){ .num = COAP_OPT_EDHOC };
	m.n_opts = (uint8_t)k;
	m.code = pm.code;
	memcpy(pl, m3->buf, m3->len);
	memcpy(pl + m3->len, pm.payload, pm.payload_len);
	m.payload = pl;
	m.payload_len = (uint32_t)(m3->len + pm.payload_len);
	len = osc_coap_encode(comb, sizeof(comb), &m);
	if (len < 0 || send(fd, comb, (size_t)len, 0) != len)
		goto out;
	for (;;) {
		if (poll(&p, 1, (int)(o->timeout * 1000)) != 1 || (n = recv(fd, buf, cap, 0)) <= 0) {
			printf("edhoc: combined request: no answer\n");
			goto out;
		}
		if (osc_coap_parse(&pm, buf, (size_t)n) == OSC_COAP_OK && pm.tkl == 4 &&
		    !memcmp(pm.token, tok, 4))
			break;
	}
	printf("edhoc: combined answer %u.%02u\n", pm.code >> 5, pm.code & 31);
	if (!osc_coap_find(&pm, COAP_OPT_OSCORE, NULL)) {
		show_error(&pm);
		goto out;
	}
	len = osc_unprotect_response(e, c, &ex, buf, (size_t)n, plain, sizeof(plain));
	if (len > 0 && osc_coap_parse(&pm, plain, (size_t)len) == OSC_COAP_OK) {
		printf("edhoc: combined answer verified, inner %u.%02u payload %.*s\n",
		       pm.code >> 5, pm.code & 31, (int)pm.payload_len, (const char *)pm.payload);
		rc = pm.code >> 5 == 2 ? 0 : -1;
	}
out:
	if (c)
		osc_ctx_wipe(c);
	free(c);
	cry_engine_free(e);
	return rc;
}

/* message_3 (prefixed by C_R); the answer must be 2.04. Returns 0 when accepted. */
static int send_msg3(const struct opts *o, struct edh_init *s, const struct edh_out *m3,
		     uint8_t *buf, size_t cap)
{
	uint8_t c_r[EDH_CID_MAX + 1], pre[EDH_CID_MAX + 4];
	struct cry_cbor_buf b;
	struct osc_coap_msg a;
	size_t n = edh_init_c_r(s, c_r);
	int cf;

	cry_cbor_init(&b, pre, sizeof(pre));
	if (n == 1 && (c_r[0] <= 0x17 || (c_r[0] >= 0x20 && c_r[0] <= 0x37)))
		cry_cbor_raw(&b, c_r, 1); /* one-byte int (RFC 9528 §3.3.2) */
	else
		cry_cbor_bstr(&b, c_r, n);
	cf = post(o, pre, b.len, m3->buf, m3->len, buf, cap, &a);
	if (cf == -2)
		return printf("edhoc: message_3: no answer\n"), -1;
	if (a.code != COAP_CHANGED) {
		show_error(&a);
		return -1;
	}
	if (a.payload_len && edh_init_msg4(s, a.payload, a.payload_len) != EDH_OK)
		return printf("edhoc: message_4 does not verify\n"), -1;
	if (a.payload_len)
		printf("edhoc: message_4 verified\n");
	return 0;
}

static int handshake(const struct opts *o, struct edh_config *ec)
{
	static uint8_t b1[EDH_MSG_MAX], b3[EDH_MSG_MAX], buf[EDH_MSG_MAX + 64];
	struct edh_out m1 = { .buf = b1, .cap = sizeof(b1) }, m3 = { .buf = b3, .cap = sizeof(b3) };
	static const uint8_t t = 0xf5;
	int rc = -1;
	struct edh_result res;
	struct osc_coap_msg a;
	enum edh_status st;
	struct edh_init *s;

	ec->ead = o->ead1_len ? o->ead1 : NULL; /* the session reads ec when it writes a message */
	ec->ead_len = o->ead1_len;
	s = edh_init_new(ec, o->method, &o->suite, 1, NULL, &m1, &st);
	ec->ead = o->ead3_len ? o->ead3 : NULL;
	ec->ead_len = o->ead3_len;
	if (!s)
		return printf("edhoc: cannot start: %s\n", edh_status_name(st)), -1;
	if (post(o, &t, 1, m1.buf, m1.len, buf, sizeof(buf), &a) == -2)
		printf("edhoc: message_1: no answer\n");
	else if (a.code != COAP_CHANGED)
		show_error(&a);
	else if ((st = edh_init_msg2(s, a.payload, a.payload_len, &m3, &res)) != EDH_OK)
		printf("edhoc: message_2 refused: %s\n", edh_status_name(st));
	else {
		if (o->tamper)
			m3.buf[m3.len - 1] ^= 1;
		if (o->delay > 0)
			usleep((useconds_t)(o->delay * 1e6));
		rc = o->combined ? send_combined(o, &m3, &res.oscore, buf, sizeof(buf)) :
				   send_msg3(o, s, &m3, buf, sizeof(buf));
	}
	if (!rc) {
		printf("edhoc: completed method %d suite %d, C_R ", o->method, o->suite);
		for (unsigned i = 0; i < res.oscore.sender_id_len; i++)
			printf("%02x", res.oscore.sender_id[i]);
		printf("\n");
		if (o->out && write_ctx(o->out, &res.oscore))
			rc = (printf("edhoc: cannot write %s\n", o->out), -1);
		if (!rc && o->twice && send_msg3(o, s, &m3, buf, sizeof(buf)) == 0)
			rc = (printf("edhoc: repeated message_3 accepted\n"), -1);
	}
	cry_wipe(&res, sizeof(res));
	edh_init_free(s);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --for: handshakes back to back for o->repeat seconds; 0 if any completed. */
static int repeat(const struct opts *o, struct edh_config *ec)
{
	double t0 = now_s(), t;
	unsigned long ok = 0, n = 0;

	if (!freopen("/dev/null", "w", stdout))
		return -1;
	do {
		ok += handshake(o, ec) == 0;
		n++;
	} while ((t = now_s() - t0) < o->repeat);
	fprintf(stderr, "edhoc: %lu of %lu handshakes completed in %.2f s (%.1f/s)\n", ok, n, t,
		(double)ok / t);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct ctl_edhoc_config c = { 0 };
	struct edh_config ec;
	struct opts o;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_opts(argc, argv, &o)) {
		fprintf(stderr, "usage: edhoc_client --conf FILE --method M --suite S [--out FILE] "
				"[--combined [--path /P]] [--ead1 HEX] [--ead3 HEX] [--tamper] [--msg3-twice] [--delay-msg3 SEC] [--timeout SEC] "
				"[--for SEC] ADDR:PORT\n");
		return 2;
	}
	if (load_conf(o.conf, &c, &ec))
		return 2;
	if (open_target(o.target))
		return fprintf(stderr, "edhoc_client: %s: bad target\n", o.target), 2;
	if (getrandom(&mid, sizeof(mid), 0) != sizeof(mid))
		return 2;
	rc = o.repeat > 0 ? repeat(&o, &ec) : handshake(&o, &ec);
	close(fd);
	ctl_config_edhoc_free(&c);
	return rc ? 1 : 0;
}
