/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small OSCORE client over UDP sockets for the live test of oscore-gw (it plays the device).
 *   osc_client --contexts FILE [--index I] [--method GET|POST|PUT|DELETE|FETCH] [--payload S]
 *              [--payload-hex HEX] (a binary payload, e.g. an ACE update of access rights)
 *              [--count N] [--observe N [--cancel]] [--timeout SEC] [--expect X.YY] [--non]
 *              [--retransmit] [--foreign J [--no-answer] [--watch SEC]] [--reset] [--no-ack]
 *              ADDR:PORT PATH[?QUERY&...]
 * FILE is the gateway's configuration (inline "contexts") or a contexts array; context I is used
 * with sender and recipient swapped, since the gateway's recipient is this client. Each decrypted
 * answer is printed as "answer N: CODE TYPE piv=P payload=..."; with --observe N the request
 * registers (RFC 7641) and N notifications after the first answer must verify, each with a Partial
 * IV above the last (RFC 8613 §7.4.1, §8.4.2); --cancel then deregisters with the same token
 * (Observe 1, RFC 7641 §3.6). Exits 0 only if every answer verified and had the expected code
 * (class 2.xx unless --expect).
 * A verified 4.01 carrying an inner Echo (RFC 8613 App. B.1.2, RFC 9175 §2.3) is answered once by
 * repeating the request, with a fresh Partial IV, with that Echo value ("echo retry" is printed).
 * --save FILE keeps the first protected request and its exchange; --replay FILE sends that request
 * again as is and exits 0 unless it earns a verified 2.xx (a replay must be refused).
 * --retransmit sends each request a second time, byte for byte, once its first answer came (a CON
 * whose ACK was lost, RFC 7252 §4.2), and requires the very same answer bytes again (§4.5).
 * --foreign J: an answer that does not verify under context I is tried under context J of the same
 * file; if it verifies there ("UNDER FOREIGN CONTEXT"), the run fails: the gateway protected it
 * with another device's keys. --no-answer: no answer is awaited for a request that does not
 * observe; --watch SEC: after the requests, every datagram for SEC seconds more is checked so.
 * --reset: with --observe N, the notification after the N is rejected with a RST (RFC 7641 §3.6,
 * "reset notification" is printed) instead of a cancellation. --no-ack: a CON notification is
 * not acknowledged (a device that left, RFC 7641 §4.5); its retransmissions (same Message ID)
 * are printed as "duplicate CON" and not taken as notifications.
 * --piv P1,P2,... sends one request per listed Partial IV, one at a time, and prints a "result"
 * line for each (issue 8's replay tests: which Partial IVs the gateway accepted, and its own).
 * --b2 first runs RFC 8613 App. B.2 as the client that lost its state: request #1 under ctx(R1)
 * with R1 random and kid context R1, the gateway's 4.01 verified under ctx(R2 || R1) (R2 is its
 * kid context), then every request under ctx(R2 || R3) with R3 random and kid context R2 || R3.
 * --b2-wrapped does the same as libcoap's and Californium's clients do it: the kid context of
 * request #1 and #2 is the ID Context wrapped in a CBOR byte string (0x48 || R1, 9 bytes; keys
 * from the raw R1), and the 4.01 must carry R2 in that form too; later requests send it raw.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "control/ctl_b2.h"
#include "crypto/cry_hkdf.h"
#include "oscore/osc_protect.h"
#include "oscore/osc_hex.h"

struct opts {
	const char *contexts, *target, *path, *payload, *save, *replay, *pivs;
	unsigned index, count, observe, foreign;
	double timeout, watch;
	uint8_t method, expect;
	uint8_t bin[1024];  /* --payload-hex */
	int bin_len;        /* -1: none */
	bool expect_set, non, cancel, b2, b2_wrapped, retransmit, has_foreign, no_answer;
	bool reset, no_ack;
};

struct client {
	struct opts o;
	struct cry_engine *e;
	struct osc_ctx *c;
	struct osc_ctx *foreign; /* --foreign: what no answer may verify under */
	struct osc_params p;  /* the context's parameters: App. B.2 re-derives with new ID Contexts */
	unsigned req_flags;   /* OSC_F_KID_CTX in App. B.2 */
	unsigned once_flags;  /* added to the next request only (request #2 wrapped) */
	int fd;
	uint16_t mid;
	uint32_t token;
	struct osc_exchange last_ex; /* the last request's, for --watch */
	uint8_t last_tok[4];
	uint16_t con_mid;     /* --no-ack: the last CON's Message ID, its retransmissions ignored */
	bool has_con_mid;
};

static int hexbytes(const char *s, uint8_t *out, size_t cap, uint8_t *len)
{
	int n = s ? osc_hex_decode(s, strlen(s), out, cap) : -1;

	if (n < 0)
		return -1;
	*len = (uint8_t)n;
	return 0;
}

static const struct cry_alg *alg_of(json_t *v)
{
	if (json_is_integer(v))
		return cry_alg_by_cose((int)json_integer_value(v));
	return json_is_string(v) ? cry_alg_by_name(json_string_value(v)) : NULL;
}

/* The gateway's view of the context, swapped: its recipient is our sender. */
static int params_of(json_t *o, struct osc_params *p)
{
	json_t *v;

	memset(p, 0, sizeof(*p)); /* osc_params_defaults fills a zeroed struct */
	osc_params_defaults(p);
	if (hexbytes(json_string_value(json_object_get(o, "master_secret")), p->secret,
		     sizeof(p->secret), &p->secret_len) ||
	    hexbytes(json_string_value(json_object_get(o, "recipient_id")), p->sender_id,
		     sizeof(p->sender_id), &p->sender_id_len) ||
	    hexbytes(json_string_value(json_object_get(o, "sender_id")), p->recipient_id,
		     sizeof(p->recipient_id), &p->recipient_id_len))
		return -1;
	if ((v = json_object_get(o, "master_salt")) &&
	    hexbytes(json_string_value(v), p->salt, sizeof(p->salt), &p->salt_len))
		return -1;
	if ((v = json_object_get(o, "id_context"))) {
		p->has_id_ctx = true;
		if (hexbytes(json_string_value(v), p->id_ctx, sizeof(p->id_ctx), &p->id_ctx_len))
			return -1;
	}
	if ((v = json_object_get(o, "aead_alg")) && !(p->alg = alg_of(v)))
		return -1;
	if ((v = json_object_get(o, "hkdf_alg")))
		p->hkdf = json_is_integer(v) ? (int)json_integer_value(v) :
			  cry_hkdf_by_name(json_string_value(v));
	return 0;
}

/* Context i of the array a into a new *c (its parameters into p). */
static int derive_at(const struct client *cl, json_t *a, unsigned i, struct osc_ctx **c,
		     struct osc_params *p)
{
	json_t *o = json_array_get(a, i);
	int d = 0;

	*c = aligned_alloc(64, sizeof(**c));
	if (o && *c && !params_of(o, p) && (d = osc_ctx_derive(*c, p)) == OSC_CTX_OK)
		return 0;
	fprintf(stderr, "osc_client: %s: context %u unusable%s%s\n", cl->o.contexts, i,
		d ? ": " : "", d ? osc_ctx_strerror(d) : "");
	return -1;
}

static int load_ctx(struct client *cl)
{
	json_error_t je;
	json_t *root = json_load_file(cl->o.contexts, 0, &je), *a;
	struct osc_params p;
	int rc;

	if (!root)
		return fprintf(stderr, "osc_client: %s: %s\n", cl->o.contexts, je.text), -1;
	a = json_is_array(root) ? root : json_object_get(root, "contexts");
	rc = derive_at(cl, a, cl->o.index, &cl->c, &cl->p);
	if (!rc && cl->o.has_foreign)
		rc = derive_at(cl, a, cl->o.foreign, &cl->foreign, &p);
	explicit_bzero(&p, sizeof(p));
	json_decref(root);
	return rc;
}

/* "ADDR:PORT" or "[IPv6]:PORT" to a connected UDP socket. */
static int open_target(struct client *cl)
{
	char host[64];
	const char *t = cl->o.target, *colon = strrchr(t, ':');
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	bool v6 = t[0] == '[';
	size_t n;

	if (!colon || (n = (size_t)(colon - t) - (v6 ? 2 : 0)) >= sizeof(host))
		return -1;
	memcpy(host, t + v6, n);
	host[n] = 0;
	ss.ss_family = v6 ? AF_INET6 : AF_INET;
	if (v6) {
		s6->sin6_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -1;
	} else {
		s4->sin_port = htons((uint16_t)atoi(colon + 1));
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -1;
	}
	cl->fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (cl->fd < 0)
		return -1;
	return connect(cl->fd, (struct sockaddr *)&ss, v6 ? sizeof(*s6) : sizeof(*s4));
}

/* Uri-Path (sep '/') or Uri-Query (sep '&') options num of s[0..len) into m. */
static void uri_options(struct osc_coap_msg *m, uint16_t num, const char *s, size_t len, char sep)
{
	const char *end = s + len;

	while (s < end) {
		const char *e = memchr(s, sep, (size_t)(end - s));

		e = e ? e : end;
		if (e > s && m->n_opts < COAP_MAX_OPTS)
			m->opts[m->n_opts++] = (struct osc_coap_opt){ .num = num,
				.val = (const uint8_t *)s, .len = (uint16_t)(e - s) };
		s = e + 1;
	}
}

/* The plain request: Observe (0 registers, 1 cancels, -1 none), Uri-Path segments of PATH and
 * Uri-Query items after its '?', the payload. */
static int plain_request(struct client *cl, uint8_t *out, size_t cap, const uint8_t *tok,
			 int observe, const struct osc_coap_opt *echo)
{
	struct osc_coap_msg m = { .type = cl->o.non ? COAP_NON : COAP_CON, .code = cl->o.method,
				  .mid = cl->mid++, .tkl = 4, .token = tok };
	static const uint8_t one[1] = { 1 };
	const char *p = cl->o.path;
	size_t plen = strcspn(p, "?");

	if (observe >= 0)
		m.opts[m.n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_OBSERVE, .val = one,
							    .len = (uint16_t)observe };
	uri_options(&m, COAP_OPT_URI_PATH, p, plen, '/');
	if (p[plen])
		uri_options(&m, COAP_OPT_URI_QUERY, p + plen + 1, strlen(p + plen + 1), '&');
	if (echo && m.n_opts < COAP_MAX_OPTS) /* 252: after every other option here */
		m.opts[m.n_opts++] = *echo;
	if (cl->o.bin_len >= 0) {
		m.payload = cl->o.bin;
		m.payload_len = (uint32_t)cl->o.bin_len;
	} else if (cl->o.payload) {
		m.payload = (const uint8_t *)cl->o.payload;
		m.payload_len = (uint32_t)strlen(cl->o.payload);
	}
	return osc_coap_encode(out, cap, &m);
}

/* Wait until deadline (CLOCK_MONOTONIC seconds) for a datagram. */
static ssize_t recv_until(int fd, uint8_t *buf, size_t cap, double deadline)
{
	struct timespec ts;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (now >= deadline || poll(&pfd, 1, (int)((deadline - now) * 1000) + 1) <= 0)
		return -1;
	return recv(fd, buf, cap, 0);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ack(struct client *cl, uint16_t mid)
{
	uint8_t a[4] = { 0x40 | COAP_ACK << 4, COAP_EMPTY, (uint8_t)(mid >> 8), (uint8_t)mid };

	if (send(cl->fd, a, sizeof(a), 0) < 0)
		perror("osc_client: send ACK");
}

/* What one verified answer said. */
struct answer {
	uint64_t piv;     /* its own Partial IV, UINT64_MAX when it reused the request's nonce */
	uint8_t code;
	bool observe;     /* inner Observe present */
	uint8_t echo[40]; /* inner Echo (RFC 9175 §2.2.1: 1..40 bytes) */
	uint16_t echo_len;
};

static const char *const type_names[] = { "CON", "NON", "ACK", "RST" };

/* An answer to token tok: ACK it if CON (notifications may be, RFC 7641 §4.5), verify it with
 * the request's exchange (§8.4), print it. Returns 1 if verified, 0 if not ours, -1 if bad. */
static int take_answer(struct client *cl, const uint8_t *buf, size_t len, const uint8_t *tok,
		       const struct osc_exchange *ex, unsigned n, struct answer *a)
{
	static uint8_t plain[OSC_MSG_MAX];
	struct osc_coap_msg outer, in;
	const struct osc_coap_opt *o;
	struct osc_option opt;
	uint32_t max_age;
	int k;

	if (osc_coap_parse(&outer, buf, len) != OSC_COAP_OK || outer.tkl != 4 ||
	    memcmp(outer.token, tok, 4))
		return 0;
	if (outer.type == COAP_CON && cl->o.no_ack) {
		if (cl->has_con_mid && outer.mid == cl->con_mid) {
			printf("duplicate CON mid=%u (not acknowledged)\n", outer.mid);
			return 0;
		}
		cl->con_mid = outer.mid;
		cl->has_con_mid = true;
	} else if (outer.type == COAP_CON) {
		ack(cl, outer.mid);
	}
	o = osc_coap_find(&outer, COAP_OPT_OSCORE, NULL);
	if (!o || osc_option_decode(&opt, o->val, o->len, 0) != OSC_OPT_OK) {
		printf("answer %u: NOT PROTECTED: %u.%02u\n", n, outer.code >> 5, outer.code & 31);
		return -1;
	}
	a->piv = opt.piv_len ? osc_piv_to_ssn(opt.piv, opt.piv_len) : UINT64_MAX;
	k = osc_unprotect_response(cl->e, cl->c, ex, buf, len, plain, sizeof(plain));
	if (k < 0 && cl->foreign &&
	    osc_unprotect_response(cl->e, cl->foreign, ex, buf, len, plain, sizeof(plain)) >= 0) {
		printf("answer %u: UNDER FOREIGN CONTEXT %u\n", n, cl->o.foreign);
		return -1;
	}
	if (k < 0 || osc_coap_parse(&in, plain, (size_t)k) != OSC_COAP_OK) {
		printf("answer %u: VERIFICATION FAILED: %s\n", n, osc_err_name(k < 0 ? -k : 0));
		return -1;
	}
	a->code = in.code;
	a->observe = osc_coap_find(&in, COAP_OPT_OBSERVE, NULL) != NULL;
	o = osc_coap_find(&in, COAP_OPT_ECHO, NULL);
	a->echo_len = o && o->len <= sizeof(a->echo) ? o->len : 0;
	if (a->echo_len)
		memcpy(a->echo, o->val, a->echo_len);
	printf("answer %u: %u.%02u %s piv=%lld observe=%d payload=%.*s\n", n, in.code >> 5,
	       in.code & 31, type_names[outer.type & 3],
	       a->piv == UINT64_MAX ? -1LL : (long long)a->piv, a->observe, (int)in.payload_len,
	       in.payload ? (const char *)in.payload : "");
	o = osc_coap_find(&in, COAP_OPT_MAX_AGE, NULL);
	if (o && !osc_coap_uint_decode(o->val, o->len, &max_age)) /* RFC 7252 §5.10.5 */
		printf("answer %u: max-age=%u\n", n, max_age);
	return 1;
}

/* The code is what was expected; a notification carries Observe and a fresh, higher Partial
 * IV (§8.3.1: every notification after the first; §7.4.1: the client keeps the highest). */
static bool answer_ok(const struct client *cl, const struct answer *a, unsigned i,
		      uint64_t *last, bool observing)
{
	bool code_ok = cl->o.expect_set ? a->code == cl->o.expect : a->code >> 5 == 2;

	if (!code_ok)
		return printf("FAIL: unexpected code %u.%02u\n", a->code >> 5, a->code & 31), false;
	if (!observing)
		return true;
	if (!a->observe)
		return printf("FAIL: answer %u carries no Observe\n", i), false;
	if (i == 0)
		return true;
	if (a->piv == UINT64_MAX || (*last != UINT64_MAX && a->piv <= *last))
		return printf("FAIL: notification %u without a Partial IV above %lld\n", i,
			      *last == UINT64_MAX ? -1LL : (long long)*last), false;
	*last = a->piv;
	return true;
}

static void save_request(const struct client *cl, const uint8_t *req, int len,
			 const struct osc_exchange *ex)
{
	static bool saved;
	FILE *f;

	if (!cl->o.save || saved || len <= 0 || !(f = fopen(cl->o.save, "wb")))
		return;
	saved = fwrite(ex, sizeof(*ex), 1, f) == 1 && fwrite(req, (size_t)len, 1, f) == 1;
	fclose(f);
}

static int exchange_echo(struct client *cl, const uint8_t *tok, int observe, unsigned want,
			 const struct osc_coap_opt *echo);

/* App. B.1.2: a verified 4.01 with an inner Echo is a challenge; repeat once with its value. */
static int echo_retry(struct client *cl, const uint8_t *tok, int observe, unsigned want,
		      const struct answer *a, bool retried)
{
	struct osc_coap_opt echo = { .num = COAP_OPT_ECHO, .len = a->echo_len, .val = a->echo };

	if (retried)
		return printf("FAIL: a second Echo challenge\n"), -1;
	printf("echo retry (%u bytes)\n", a->echo_len);
	return exchange_echo(cl, tok, observe, want, &echo);
}

/* --retransmit: the request out[0..len) again, as a CON whose ACK was lost; the answer must be
 * ans[0..ans_len) byte for byte (RFC 7252 §4.5). */
static int retransmit(struct client *cl, const uint8_t *out, int len, const uint8_t *ans,
		      size_t ans_len)
{
	uint8_t buf[2048];
	ssize_t n;

	if (send(cl->fd, out, (size_t)len, 0) != len)
		return printf("FAIL: cannot retransmit\n"), -1;
	n = recv_until(cl->fd, buf, sizeof(buf), mono() + cl->o.timeout);
	if (n < 0 || (size_t)n != ans_len || memcmp(buf, ans, ans_len))
		return printf("FAIL: retransmission answered %zd bytes, not the %zu sent first\n", n,
			      ans_len), -1;
	printf("retransmission: the same %zu answer bytes\n", ans_len);
	return 0;
}

/* Send one request with token tok and Observe observe; take want answers before the timeout. */
static int exchange(struct client *cl, const uint8_t *tok, int observe, unsigned want)
{
	return exchange_echo(cl, tok, observe, want, NULL);
}

static int exchange_echo(struct client *cl, const uint8_t *tok, int observe, unsigned want,
			 const struct osc_coap_opt *echo)
{
	uint8_t plain[1200], out[1400], buf[2048];
	unsigned got = 0;
	uint64_t last = UINT64_MAX;
	double start = mono(), deadline = start + cl->o.timeout;
	struct osc_exchange ex;
	struct answer a;
	int len;

	len = plain_request(cl, plain, sizeof(plain), tok, observe, echo);
	if (len > 0)
		len = osc_protect_request(cl->e, cl->c, plain, (size_t)len, out, sizeof(out),
					  cl->req_flags | cl->once_flags, &ex);
	cl->once_flags = 0;
	save_request(cl, out, len, &ex);
	if (len <= 0 || send(cl->fd, out, (size_t)len, 0) != len)
		return printf("FAIL: cannot protect or send the request\n"), -1;
	cl->last_ex = ex;
	memcpy(cl->last_tok, tok, 4);
	if (cl->o.no_answer && observe < 0)
		want = 0;
	while (got < want) {
		ssize_t n = recv_until(cl->fd, buf, sizeof(buf), deadline);
		int rc;

		if (n < 0)
			return printf("FAIL: %u of %u answers before the timeout\n", got, want), -1;
		rc = take_answer(cl, buf, (size_t)n, tok, &ex, got, &a);
		if (rc > 0 && !got && a.code == COAP_UNAUTHORIZED && a.echo_len)
			return echo_retry(cl, tok, observe, want, &a, echo != NULL);
		if (rc < 0 || (rc > 0 && !answer_ok(cl, &a, got, &last, observe == 0)))
			return -1;
		if (rc > 0 && !got)
			printf("first answer after %.0f ms\n", (mono() - start) * 1000);
		if (rc > 0 && !got && cl->o.retransmit &&
		    retransmit(cl, out, len, buf, (size_t)n))
			return -1;
		got += (unsigned)rc;
	}
	return 0;
}

/* --reset: the next datagram with token tok (a notification) is rejected with a RST of its
 * Message ID (RFC 7641 §3.6). */
static int reset_next(struct client *cl, const uint8_t *tok)
{
	uint8_t buf[2048], rst[4];
	struct osc_coap_msg m;
	ssize_t n;

	while ((n = recv_until(cl->fd, buf, sizeof(buf), mono() + cl->o.timeout)) >= 0) {
		if (osc_coap_parse(&m, buf, (size_t)n) != OSC_COAP_OK || m.tkl != 4 ||
		    memcmp(m.token, tok, 4))
			continue;
		rst[0] = 0x40 | COAP_RST << 4;
		rst[1] = COAP_EMPTY;
		rst[2] = (uint8_t)(m.mid >> 8);
		rst[3] = (uint8_t)m.mid;
		if (send(cl->fd, rst, sizeof(rst), 0) < 0)
			break;
		printf("reset notification mid=%u\n", m.mid);
		return 0;
	}
	return printf("FAIL: no notification to reset\n"), -1;
}

/* A request (an observation with --observe; cancelled with its token after, with --cancel). */
static int one_request(struct client *cl)
{
	uint8_t tok[4];

	cl->token++;
	memcpy(tok, &cl->token, 4);
	if (exchange(cl, tok, cl->o.observe ? 0 : -1, 1 + cl->o.observe))
		return -1;
	if (cl->o.observe && cl->o.reset)
		return reset_next(cl, tok);
	if (!cl->o.observe || !cl->o.cancel)
		return 0;
	printf("cancelling the observation\n");
	return exchange(cl, tok, 1, 1);
}

/* --watch: every datagram for the last request in the next o.watch seconds is checked (and
 * printed); 0 unless one failed, e.g. verified only under the --foreign context. */
static int watch(struct client *cl)
{
	uint8_t buf[2048];
	double end = mono() + cl->o.watch;
	unsigned n = 0, bad = 0;
	struct answer a;
	ssize_t k;

	while ((k = recv_until(cl->fd, buf, sizeof(buf), end)) >= 0)
		bad += take_answer(cl, buf, (size_t)k, cl->last_tok, &cl->last_ex, 100 + n++, &a) < 0;
	printf("watch: %u datagram(s), %u failed\n", n, bad);
	return bad ? -1 : 0;
}

/* --piv: one request with Partial IV piv, as a device sends it (the next only after this one's
 * answer or timeout). Prints "result piv=P code=C.DD protected=0|1 gwpiv=G" (gwpiv -1: the
 * request's nonce; code 0.00: no answer). An Echo challenge is not answered: replayed Partial
 * IVs must not get a second chance, and a retry would need a fresh one. */
static void piv_request(struct client *cl, uint64_t piv)
{
	uint8_t plain[1200], out[1400], buf[2048], tok[4];
	struct osc_coap_msg m;
	struct osc_exchange ex;
	struct answer a = { .piv = UINT64_MAX };
	double deadline = mono() + cl->o.timeout;
	int len, rc = 0;

	cl->token++;
	memcpy(tok, &cl->token, 4);
	cl->c->ssn = piv;
	len = plain_request(cl, plain, sizeof(plain), tok, -1, NULL);
	if (len > 0)
		len = osc_protect_request(cl->e, cl->c, plain, (size_t)len, out, sizeof(out),
					  cl->req_flags, &ex);
	if (len <= 0 || send(cl->fd, out, (size_t)len, 0) != len) {
		printf("FAIL: cannot protect or send piv %llu\n", (unsigned long long)piv);
		return;
	}
	while (!rc) {
		ssize_t n = recv_until(cl->fd, buf, sizeof(buf), deadline);

		if (n < 0)
			break;
		rc = take_answer(cl, buf, (size_t)n, tok, &ex, 0, &a);
		if (rc < 0 && osc_coap_parse(&m, buf, (size_t)n) == OSC_COAP_OK)
			a.code = m.code; /* an unprotected error answer */
	}
	printf("result piv=%llu code=%u.%02u protected=%d gwpiv=%lld\n", (unsigned long long)piv,
	       a.code >> 5, a.code & 31, rc > 0, a.piv == UINT64_MAX || rc <= 0 ? -1LL :
	       (long long)a.piv);
}

static void piv_list(struct client *cl)
{
	const char *s = cl->o.pivs;
	char *end;

	while (*s) {
		unsigned long long v = strtoull(s, &end, 10);

		if (end == s)
			break;
		piv_request(cl, v);
		s = *end == ',' ? end + 1 : end;
	}
}

/* --replay: the saved request again, byte for byte. 0 unless a verified 2.xx answers it. */
static int replay(struct client *cl)
{
	uint8_t req[1400], buf[2048];
	struct osc_exchange ex;
	struct osc_coap_msg m;
	struct answer a;
	FILE *f = fopen(cl->o.replay, "rb");
	size_t len = 0;
	ssize_t n;
	int rc;

	if (f && fread(&ex, sizeof(ex), 1, f) == 1)
		len = fread(req, 1, sizeof(req), f);
	if (f)
		fclose(f);
	if (!len)
		return printf("FAIL: %s unreadable\n", cl->o.replay), 1;
	if (osc_coap_parse(&m, req, len) != OSC_COAP_OK || m.tkl != 4 ||
	    send(cl->fd, req, len, 0) != (ssize_t)len)
		return printf("FAIL: cannot send the saved request\n"), 1;
	n = recv_until(cl->fd, buf, sizeof(buf), mono() + cl->o.timeout);
	if (n < 0)
		return printf("replay: no answer\n"), 0;
	rc = take_answer(cl, buf, (size_t)n, m.token, &ex, 0, &a);
	if (rc > 0 && a.code >> 5 == 2)
		return printf("FAIL: the replay was served\n"), 1;
	printf("replay: refused\n");
	return 0;
}

/* cl->c with ID Context a || b (App. B.2: only the ID Context changes), SSN 0: a new context. */
static int rederive(struct client *cl, const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	struct osc_params p = cl->p;
	int rc;

	if (al + bl > sizeof(p.id_ctx))
		return -1;
	p.has_id_ctx = true;
	p.id_ctx_len = (uint8_t)(al + bl);
	memcpy(p.id_ctx, a, al);
	if (bl)
		memcpy(p.id_ctx + al, b, bl);
	osc_ctx_wipe(cl->c);
	rc = osc_ctx_derive(cl->c, &p);
	explicit_bzero(&p, sizeof(p));
	return rc == OSC_CTX_OK ? 0 : -1;
}

/* The kid context of a received OSCORE message into out (App. B.2: R2). Returns its length, or 0
 * when there is none. */
static size_t kid_ctx_of(const uint8_t *buf, size_t len, uint8_t *out, size_t cap)
{
	const struct osc_coap_opt *o;
	struct osc_coap_msg m;
	struct osc_option opt;

	if (osc_coap_parse(&m, buf, len) != OSC_COAP_OK ||
	    !(o = osc_coap_find(&m, COAP_OPT_OSCORE, NULL)) ||
	    osc_option_decode(&opt, o->val, o->len, 0) != OSC_OPT_OK || !opt.has_kid_ctx ||
	    !opt.kid_ctx_len || opt.kid_ctx_len > cap)
		return 0;
	memcpy(out, opt.kid_ctx, opt.kid_ctx_len);
	return opt.kid_ctx_len;
}

/* R2 from the kid context kc[0..len) of the 4.01, in the form request #1 used: as is, or the
 * content of the CBOR byte string (--b2-wrapped). Returns its length, 0 if not in that form. */
static size_t r2_of(const struct client *cl, const uint8_t *kc, size_t len, uint8_t *r2)
{
	size_t n = 0;

	if (!cl->o.b2_wrapped) {
		memcpy(r2, kc, len);
		return len;
	}
	if (!ctl_b2_unwrap(kc, len, r2, &n))
		printf("FAIL: R2 is not CBOR-wrapped as libcoap expects it\n");
	return n;
}

/* App. B.2 request #1 (kid context R1) and its 4.01, which must carry R2 and verify under
 * ctx(R2 || R1); then cl->c becomes ctx(R2 || R3). */
static int b2_start(struct client *cl)
{
	uint8_t r1[8], kc[OSC_ID_CTX_MAX + 2], r2[OSC_ID_CTX_MAX], r3[8], plain[256], out[512];
	uint8_t buf[2048], tok[4];
	unsigned wrap = cl->o.b2_wrapped ? OSC_F_KID_CTX_CBOR : 0;
	size_t r2_len = 0, kl = 0;
	struct osc_exchange ex;
	struct answer a;
	ssize_t n;
	int len;

	cl->req_flags = OSC_F_KID_CTX;
	if (getrandom(r1, sizeof(r1), 0) != sizeof(r1) || getrandom(r3, sizeof(r3), 0) != sizeof(r3) ||
	    rederive(cl, r1, sizeof(r1), NULL, 0))
		return printf("FAIL: no ctx(R1)\n"), -1;
	cl->token++;
	memcpy(tok, &cl->token, 4);
	len = plain_request(cl, plain, sizeof(plain), tok, -1, NULL);
	if (len > 0)
		len = osc_protect_request(cl->e, cl->c, plain, (size_t)len, out, sizeof(out),
					  OSC_F_KID_CTX | wrap, &ex);
	if (len <= 0 || send(cl->fd, out, (size_t)len, 0) != len)
		return printf("FAIL: cannot send App. B.2 request #1\n"), -1;
	n = recv_until(cl->fd, buf, sizeof(buf), mono() + cl->o.timeout);
	if (n > 0)
		kl = kid_ctx_of(buf, (size_t)n, kc, sizeof(r2) - sizeof(r1));
	if (kl)
		r2_len = r2_of(cl, kc, kl, r2);
	if (!r2_len || rederive(cl, r2, r2_len, r1, sizeof(r1))) /* ID2 = R2 || R1 */
		return printf("FAIL: no App. B.2 answer carrying R2\n"), -1;
	if (take_answer(cl, buf, (size_t)n, tok, &ex, 0, &a) != 1 || a.code != COAP_UNAUTHORIZED)
		return printf("FAIL: answer #1 is not a 4.01 under ctx(R2 || R1)\n"), -1;
	printf("b2: 4.01 with R2 (%zu bytes%s) verified under ctx(R2 || R1)\n", r2_len,
	       wrap ? ", CBOR-wrapped" : "");
	cl->once_flags = wrap; /* request #2 in the same form, later ones raw */
	return rederive(cl, r2, r2_len, r3, sizeof(r3)); /* ID3 = R2 || R3 */
}

static uint8_t method_of(const char *s)
{
	static const char *const m[] = { "GET", "POST", "PUT", "DELETE", "FETCH" };
	unsigned i;

	for (i = 0; i < 5; i++)
		if (!strcasecmp(s, m[i]))
			return (uint8_t)(i + 1);
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "contexts", required_argument, NULL, 'c' }, { "index", required_argument, NULL, 'i' },
		{ "method", required_argument, NULL, 'm' }, { "payload", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' }, { "observe", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' }, { "expect", required_argument, NULL, 'e' },
		{ "non", no_argument, NULL, 'N' }, { "cancel", no_argument, NULL, 'C' },
		{ "b2", no_argument, NULL, 'B' }, { "b2-wrapped", no_argument, NULL, 'X' },
		{ "save", required_argument, NULL, 's' },
		{ "replay", required_argument, NULL, 'r' }, { "retransmit", no_argument, NULL, 'R' },
		{ "foreign", required_argument, NULL, 'F' }, { "no-answer", no_argument, NULL, 'A' },
		{ "watch", required_argument, NULL, 'W' },
		{ "reset", no_argument, NULL, 'T' }, { "no-ack", no_argument, NULL, 'K' },
		{ "piv", required_argument, NULL, 'P' },
		{ "payload-hex", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned c, d;
	int ch;

	*o = (struct opts){ .count = 1, .timeout = 5, .method = COAP_GET, .bin_len = -1 };
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': o->contexts = optarg; break;
		case 'i': o->index = (unsigned)atoi(optarg); break;
		case 'm': o->method = method_of(optarg); break;
		case 'p': o->payload = optarg; break;
		case 'n': o->count = (unsigned)atoi(optarg); break;
		case 'o': o->observe = (unsigned)atoi(optarg); break;
		case 't': o->timeout = atof(optarg); break;
		case 'N': o->non = true; break;
		case 'C': o->cancel = true; break;
		case 's': o->save = optarg; break;
		case 'B': o->b2 = true; break;
		case 'X': o->b2 = o->b2_wrapped = true; break;
		case 'r': o->replay = optarg; break;
		case 'R': o->retransmit = true; break;
		case 'F': o->foreign = (unsigned)atoi(optarg); o->has_foreign = true; break;
		case 'A': o->no_answer = true; break;
		case 'W': o->watch = atof(optarg); break;
		case 'T': o->reset = true; break;
		case 'K': o->no_ack = true; break;
		case 'P': o->pivs = optarg; break;
		case 'H':
			o->bin_len = osc_hex_decode(optarg, strlen(optarg), o->bin, sizeof(o->bin));
			if (o->bin_len < 0)
				return -1;
			break;
		case 'e':
			if (sscanf(optarg, "%u.%u", &c, &d) != 2 || c > 7 || d > 31)
				return -1;
			o->expect = COAP_CODE(c, d);
			o->expect_set = true;
			break;
		default: return -1;
		}
	}
	if (optind + 2 != argc || !o->contexts || !o->method || o->timeout <= 0)
		return -1;
	o->target = argv[optind];
	o->path = argv[optind + 1];
	return 0;
}

int main(int argc, char **argv)
{
	static struct client cl;
	struct timespec now;
	unsigned i, ok = 0;

	setvbuf(stdout, NULL, _IOLBF, 0); /* a test may kill a long run: keep every answer line */
	if (parse_opts(argc, argv, &cl.o)) {
		fprintf(stderr, "usage: osc_client --contexts FILE [--index I] [--method M] "
				"[--payload S | --payload-hex HEX] [--count N] [--observe N] [--timeout SEC] "
				"[--expect X.YY] [--non] [--cancel] [--save FILE | --replay FILE] "
				"[--b2 | --b2-wrapped] [--retransmit] [--foreign J [--no-answer] "
				"[--watch SEC]] [--reset] [--no-ack] [--piv P,P,...] "
				"ADDR:PORT PATH[?QUERY]\n");
		return 2;
	}
	if (load_ctx(&cl))
		return 2;
	cl.e = cry_engine_new();
	if (!cl.e || open_target(&cl))
		return fprintf(stderr, "osc_client: %s: %s\n", cl.o.target, strerror(errno)), 2;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	cl.mid = (uint16_t)rand();
	cl.token = (uint32_t)rand();
	/* The gateway's replay window outlives this process: a new run must not reuse Partial IVs,
	 * so it starts at the wall clock in milliseconds (runs are sequential, < 1 request/ms). */
	clock_gettime(CLOCK_REALTIME, &now);
	cl.c->ssn = ((uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000) % OSC_SSN_MAX;
	if (cl.o.pivs) {
		piv_list(&cl);
		ok = cl.o.count; /* the caller judges the results */
	} else if (cl.o.replay) {
		ok = cl.o.count = replay(&cl) == 0;
	} else if (cl.o.b2 && b2_start(&cl)) {
		ok = 0;
	} else {
		for (i = 0; i < cl.o.count; i++)
			ok += one_request(&cl) == 0;
		printf("osc_client: %u of %u exchanges verified\n", ok, cl.o.count);
		if (cl.o.watch > 0 && watch(&cl))
			ok = 0;
	}
	close(cl.fd);
	osc_ctx_wipe(cl.c);
	explicit_bzero(&cl.p, sizeof(cl.p));
	free(cl.c);
	if (cl.foreign)
		osc_ctx_wipe(cl.foreign);
	free(cl.foreign);
	cry_engine_free(cl.e);
	return ok == cl.o.count ? 0 : 1;
}
