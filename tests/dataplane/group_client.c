/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A test-side Group OSCORE member (RFC 10021): member 0a of group-oscore-vectors.txt B.0's group
 * (tests/oscore/group_fixture.c), which the gateway joins as member 51. Sends one CON GET /tv1
 * over UDP, protected with the project's osc_group code, and says what came back:
 *
 *   group_client ADDR PORT MODE SSN [bad-sig] [kid=HEX] [gid=HEX] [secret=HEX] [group=HEX]
 *                [wait=MS] [show-piv] [show-from] [echo] [burst=N [noretry]]
 *     MODE group | pairwise (towards 51) | mixed (burst only: even SSNs group, odd pairwise);
 *     SSN: the Sender Sequence Number to use (replays reuse one); bad-sig flips the encrypted
 *     countersignature's last byte; kid/gid replace our Sender ID or the Gid after derivation (an
 *     unknown member, a wrong group); secret/group derive the group with another Master Secret
 *     and Gid (the group after a rekey). ADDR may be a multicast address (RFC 10021 §7);
 *     show-from appends " from ADDR" (where the answer came from).
 *
 * Prints "VERIFIED c.dd" (an answer that verifies as 51's, inner code), "UNVERIFIED c.dd" (an
 * answer that does not: its outer code), or "NONE" (nothing within wait=MS, 1000 by default);
 * with show-piv, a verified answer's line ends " piv=N", its own Partial IV (-1: none, the
 * request's nonce). With echo, a verified 4.01 that carries an Echo option (RFC 10021 §9) is
 * answered by repeating the request with that Echo, SSN + 1, in pairwise mode, and a second line
 * says how the repeated request was answered.
 * burst=N: N requests (SSN, SSN+1, ...; each its own Message ID and token) sent back to back,
 * answers collected until none came for 300 ms, then the unanswered requests sent again as they
 * were (CON retransmissions), 16 at a time, each batch's answers collected (up to 3 s; not with
 * noretry); prints
 * "SENT n VERIFIED v RETRIED r REVERIFIED rv PAIRWISE_RETRIED pr PAIRWISE_REVERIFIED prv".
 * Exits 0 after printing, 2 on bad usage or a local failure.
 *
 *   group_client member ...   a member listening on a multicast address (group_member.c)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../oscore/group_fixture.h"
#include "oscore/osc_group_msg.h"

int group_member_main(int argc, char **argv);

static char from_addr[INET_ADDRSTRLEN];

#define BURST_MAX 1024
#define RETRY_CHUNK 16

struct opts {
	bool pairwise, mixed, bad_sig, noretry, show_piv, show_from, echo;
	uint8_t echo_val[12];
	size_t echo_len; /* > 0: the request carries this Echo (RFC 9175) */
	uint64_t ssn;
	unsigned burst;
	long wait_ms;  /* how long a single request waits for its answer */
	const char *secret, *group;
	uint8_t kid[OSC_ID_MAX], gid[OSC_ID_CTX_MAX];
	size_t kid_len, gid_len;
};

static int usage(void)
{
	fprintf(stderr, "usage: group_client ADDR PORT group|pairwise|mixed SSN [bad-sig] [kid=HEX] "
		"[gid=HEX] [secret=HEX] [group=HEX] [wait=MS] [show-piv] [show-from] [echo] "
		"[burst=N [noretry]]\n");
	return 2;
}

static int parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->wait_ms = 1000;
	if (argc < 5 || (strcmp(argv[3], "group") && strcmp(argv[3], "pairwise") &&
			 strcmp(argv[3], "mixed")))
		return -1;
	o->pairwise = !strcmp(argv[3], "pairwise");
	o->mixed = !strcmp(argv[3], "mixed");
	o->ssn = strtoull(argv[4], NULL, 10);
	for (i = 5; i < argc; i++) {
		if (!strcmp(argv[i], "bad-sig"))
			o->bad_sig = true;
		else if (!strcmp(argv[i], "show-from"))
			o->show_from = true;
		else if (!strncmp(argv[i], "kid=", 4))
			o->kid_len = gfix_hex(argv[i] + 4, o->kid, sizeof(o->kid));
		else if (!strncmp(argv[i], "gid=", 4))
			o->gid_len = gfix_hex(argv[i] + 4, o->gid, sizeof(o->gid));
		else if (!strncmp(argv[i], "secret=", 7))
			o->secret = argv[i] + 7;
		else if (!strncmp(argv[i], "group=", 6))
			o->group = argv[i] + 6;
		else if (!strncmp(argv[i], "wait=", 5))
			o->wait_ms = strtol(argv[i] + 5, NULL, 10);
		else if (!strcmp(argv[i], "echo"))
			o->echo = true;
		else if (!strcmp(argv[i], "show-piv"))
			o->show_piv = true;
		else if (!strcmp(argv[i], "noretry"))
			o->noretry = true;
		else if (!strncmp(argv[i], "burst=", 6))
			o->burst = (unsigned)strtoul(argv[i] + 6, NULL, 10);
		else
			return -1;
	}
	return o->burst > BURST_MAX || (o->mixed && !o->burst) ? -1 : 0;
}

/* Request i, protected by 0a with SSN o->ssn + i (with the overrides) into out[0..cap): CON GET
 * /tv1 with Message ID and token i (a single request: Message ID 3, token 4b). */
static int protect(struct gfix *f, struct cry_engine *e, const struct opts *o, unsigned i,
		   bool pairwise, uint8_t *out, size_t cap, struct osc_group_exchange *ex)
{
	uint8_t in[64];
	size_t n = gfix_hex("410100034bb3747631", in, sizeof(in));
	int len;

	if (o->echo_len) { /* with the Echo: option 252 after Uri-Path 11, delta 13 + 228 */
		n = gfix_hex("410100044bb3747631", in, sizeof(in));
		in[n++] = (uint8_t)(0xd0 | o->echo_len); /* at most 12 bytes: length in the nibble */
		in[n++] = 0xe4;
		memcpy(in + n, o->echo_val, o->echo_len);
		n += o->echo_len;
	}
	if (o->burst) { /* token 2 bytes */
		n = gfix_hex("42010000ffffb3747631", in, sizeof(in));
		in[2] = in[4] = (uint8_t)(i >> 8);
		in[3] = in[5] = (uint8_t)i;
	}
	f->g0a.ssn = o->ssn + i;
	if (o->kid_len) {
		memcpy(f->g0a.sender_id, o->kid, o->kid_len);
		f->g0a.sender_id_len = (uint8_t)o->kid_len;
	}
	if (o->gid_len) {
		memcpy(f->g0a.gid, o->gid, o->gid_len);
		f->g0a.gid_len = (uint8_t)o->gid_len;
	}
	len = osc_group_protect_request(e, &f->g0a, pairwise ? &f->m51 : NULL, in, n, out, cap, ex);
	if (len > 0 && o->bad_sig)
		out[len - 1] ^= 0x01;
	return len;
}

/* A UDP socket towards ADDR:PORT whose receives wait up to ms milliseconds. */
static int open_to(const char *addr, const char *port, struct sockaddr_in *sa, long ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	*sa = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	if (fd < 0 || inet_pton(AF_INET, addr, &sa->sin_addr) != 1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		perror("group_client");
		exit(2);
	}
	return fd;
}

static void send_to(int fd, const struct sockaddr_in *sa, const uint8_t *req, size_t len)
{
	if (sendto(fd, req, len, 0, (const struct sockaddr *)sa, sizeof(*sa)) != (ssize_t)len) {
		perror("group_client: sendto");
		exit(2);
	}
}

/* One datagram to ADDR:PORT and its answer (within wait_ms). Returns the answer's length, 0 for
 * none. */
static int exchange(const char *addr, const char *port, const uint8_t *req, size_t len,
		    uint8_t *ans, size_t cap, long wait_ms)
{
	struct sockaddr_in sa;
	int fd = open_to(addr, port, &sa, wait_ms);
	struct sockaddr_in src;
	socklen_t sl = sizeof(src);
	ssize_t n;

	send_to(fd, &sa, req, len);
	n = recvfrom(fd, ans, cap, 0, (struct sockaddr *)&src, &sl);
	if (n > 0)
		inet_ntop(AF_INET, &src.sin_addr, from_addr, sizeof(from_addr));
	close(fd);
	return n > 0 ? (int)n : 0;
}

/* Does ans[0..n) verify as 51's answer to the request of exchange ex? */
static bool verifies(struct cry_engine *e, struct gfix *f, const struct osc_group_exchange *ex,
		     const uint8_t *ans, size_t n)
{
	uint8_t plain[1500];
	struct osc_member *m51 = &f->m51;

	return osc_group_unprotect(e, &m51, 1, ex, ans, n, plain, sizeof(plain), NULL) > 1;
}

/* " piv=N": the Partial IV answer ans[0..n) carries as a number, -1 without one. */
static const char *piv_of(const uint8_t *ans, size_t n)
{
	static char out[32];
	uint8_t plain[1500];
	struct osc_grx r = { .rx = { .plain = plain, .plain_cap = sizeof(plain) } };
	uint64_t v = 0;

	if (osc_group_rx_parse(&r, ans, n, false) != OSC_OK || !r.rx.opt.piv_len)
		return " piv=-1";
	for (unsigned i = 0; i < r.rx.opt.piv_len; i++)
		v = v << 8 | r.rx.opt.piv[i];
	snprintf(out, sizeof(out), " piv=%llu", (unsigned long long)v);
	return out;
}

struct burst {
	uint8_t req[BURST_MAX][512];
	int len[BURST_MAX];
	bool pairwise[BURST_MAX], answered[BURST_MAX], retried[BURST_MAX];
	struct osc_group_exchange ex[BURST_MAX];
};

/* Every request of [lo, hi) that was retried is answered. */
static bool all_answered(const struct burst *b, unsigned lo, unsigned hi)
{
	for (unsigned i = lo; i < hi; i++)
		if (b->retried[i] && !b->answered[i])
			return false;
	return lo < hi;
}

/* Answers until none came for the socket's timeout, or until every retried request of [lo, hi)
 * is answered; each verified one marks its request (by the 2-byte token). Returns how many
 * verified. */
static unsigned collect(int fd, struct cry_engine *e, struct gfix *f, struct burst *b, unsigned n,
			unsigned lo, unsigned hi)
{
	uint8_t ans[1500];
	unsigned got = 0, i;
	ssize_t k;

	while (!all_answered(b, lo, hi) && (k = recv(fd, ans, sizeof(ans), 0)) > 0) {
		if (k < 6 || (ans[0] & 0x0f) != 2)
			continue;
		i = (unsigned)ans[4] << 8 | ans[5];
		if (i < n && !b->answered[i] && verifies(e, f, &b->ex[i], ans, (size_t)k)) {
			b->answered[i] = true;
			got++;
		}
	}
	return got;
}

static int run_burst(const char *addr, const char *port, struct cry_engine *e, struct gfix *f,
		     const struct opts *o)
{
	static struct burst b;
	struct sockaddr_in sa;
	int fd = open_to(addr, port, &sa, 300);
	unsigned i, next, v, r = 0, rv = 0, pr = 0, prv = 0;

	for (i = 0; i < o->burst; i++) {
		b.pairwise[i] = o->mixed ? (i & 1) : o->pairwise;
		b.len[i] = protect(f, e, o, i, b.pairwise[i], b.req[i], sizeof(b.req[i]), &b.ex[i]);
		if (b.len[i] <= 0)
			return fprintf(stderr, "group_client: protect: %d\n", b.len[i]), 2;
	}
	for (i = 0; i < o->burst; i++)
		send_to(fd, &sa, b.req[i], (size_t)b.len[i]);
	v = collect(fd, e, f, &b, o->burst, 0, 0);
	/* a loaded box may take long to answer: the retries wait up to 3 s each batch (those that
	 * come back end the wait at once) */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){ .tv_sec = 3 },
		   sizeof(struct timeval));
	/* the unanswered ones again, RETRY_CHUNK at a time: fewer than the gateway's hand-off pool */
	for (i = 0; i < o->burst && !o->noretry; i = next) {
		unsigned k, sent = 0;

		for (next = i; next < o->burst && sent < RETRY_CHUNK; next++)
			if (!b.answered[next]) {
				b.retried[next] = true;
				send_to(fd, &sa, b.req[next], (size_t)b.len[next]);
				sent++;
			}
		if (sent)
			collect(fd, e, f, &b, o->burst, i, next);
		for (k = i; k < next; k++) {
			r += b.retried[k];
			rv += b.retried[k] && b.answered[k];
			pr += b.retried[k] && b.pairwise[k];
			prv += b.retried[k] && b.pairwise[k] && b.answered[k];
		}
	}
	close(fd);
	printf("SENT %u VERIFIED %u RETRIED %u REVERIFIED %u PAIRWISE_RETRIED %u "
	       "PAIRWISE_REVERIFIED %u\n", o->burst, v, r, rv, pr, prv);
	return 0;
}

/* The Echo option of the plain answer plain[0..len) into o. */
static bool echo_of(const uint8_t *plain, size_t len, struct opts *o)
{
	const struct osc_coap_opt *opt;
	struct osc_coap_msg m;
	unsigned count;

	if (osc_coap_parse(&m, plain, len) != OSC_COAP_OK ||
	    !(opt = osc_coap_find(&m, COAP_OPT_ECHO, &count)) || !opt->len ||
	    opt->len > sizeof(o->echo_val))
		return false;
	memcpy(o->echo_val, opt->val, opt->len);
	o->echo_len = opt->len;
	return true;
}

/* One request (or burst) as op says to ADDR PORT (argv[1], argv[2]); with echo, repeated once
 * with the Echo of a 4.01 challenge. */
static int run(char **argv, const struct opts *op)
{
	uint8_t req[1024], ans[1500], plain[1500];
	struct osc_group_exchange ex;
	struct cry_engine *e;
	struct osc_member *m51;
	struct gfix f;
	struct opts o = *op;
	int len, n, p;

	e = cry_engine_new();
	if (!e)
		return fprintf(stderr, "group_client: no engine\n"), 2;
	if (gfix_init_keyed(&f, o.secret, o.group))
		return fprintf(stderr, "group_client: fixture\n"), 2;
	if (o.burst) {
		p = run_burst(argv[1], argv[2], e, &f, &o);
		gfix_free(&f);
		cry_engine_free(e);
		return p;
	}
	len = protect(&f, e, &o, 0, o.pairwise, req, sizeof(req), &ex);
	if (len <= 0)
		return fprintf(stderr, "group_client: protect: %d\n", len), 2;
	n = exchange(argv[1], argv[2], req, (size_t)len, ans, sizeof(ans), o.wait_ms);
	m51 = &f.m51;
	if (!n)
		printf("NONE");
	else if ((p = osc_group_unprotect(e, &m51, 1, &ex, ans, (size_t)n, plain, sizeof(plain),
					  NULL)) > 1) {
		printf("VERIFIED %u.%02u%s", plain[1] >> 5, plain[1] & 31,
		       o.show_piv ? piv_of(ans, (size_t)n) : "");
		if (o.echo && plain[1] == 0x81 && echo_of(plain, (size_t)p, &o)) {
			o.ssn++; /* §9: a fresh SSN, unicast, pairwise mode where configured */
			o.pairwise = true;
			o.echo = false;
			printf("\n");
			fflush(stdout);
			gfix_free(&f);
			cry_engine_free(e);
			return run(argv, &o);
		}
	}
	else
		printf("UNVERIFIED %u.%02u", n > 1 ? ans[1] >> 5 : 0, n > 1 ? ans[1] & 31 : 0);
	printf(n && o.show_from ? " from %s\n" : "\n", from_addr);
	gfix_free(&f);
	cry_engine_free(e);
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;

	if (argc > 1 && !strcmp(argv[1], "member"))
		return group_member_main(argc, argv);
	if (parse(argc, argv, &o))
		return usage();
	return run(argv, &o);
}
