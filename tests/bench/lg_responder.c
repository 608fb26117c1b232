/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A tiny OSCORE server on loopback for the loadgen live test: it holds the gateway's view of a
 * contexts file, verifies every request (RFC 8613 §8.2) and answers a protected 2.05 "ok" with the
 * request's nonce (§8.3). Unverifiable requests get no answer, so the client counts them.
 *   lg_responder CONTEXTS {127.0.0.1|::1} IDLE_SECONDS
 * Binds an ephemeral port, prints it on stdout, and exits after IDLE_SECONDS without a request.
 */
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/lg_ctx.h"
#include "oscore/osc_answer.h"
#include "oscore/osc_protect.h"

struct srv {
	struct osc_ctx *ctx;
	unsigned long n;
	struct cry_engine *e;
	int fd;
};

/* Linear search: the test's population is small, and this is not the gateway. */
static struct osc_ctx *find(const struct srv *s, const struct osc_option *o)
{
	for (unsigned long i = 0; i < s->n; i++)
		if (osc_ctx_matches(&s->ctx[i], o))
			return &s->ctx[i];
	return NULL;
}

static int answer(const struct srv *s, const uint8_t *req, size_t len, uint8_t *out, size_t cap)
{
	static struct osc_rx rx;
	uint8_t plain[2048];
	struct osc_exchange ex;
	struct osc_coap_msg q, m;
	struct osc_ctx *c;
	uint16_t mid;
	int n;

	if (osc_rx_parse(&rx, req, len, true) != OSC_OK || (c = find(s, &rx.opt)) == NULL)
		return -1;
	n = osc_unprotect_request(s->e, c, req, len, plain, sizeof(plain), &ex);
	if (n < 0 || osc_coap_parse(&q, plain, (size_t)n) != OSC_COAP_OK)
		return -1;
	mid = q.mid; /* NON requests: the request's ID, as before */
	osc_answer_header(&m, &q, COAP_CONTENT, &mid);
	m.payload = (const uint8_t *)"ok";
	m.payload_len = 2;
	return osc_answer_protect(s->e, c, &ex, &m, out, cap, 0, NULL);
}

static int bind_loopback(const char *addr)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };
	struct sockaddr_storage got;
	socklen_t gl = sizeof(got);
	bool v6 = strchr(addr, ':') != NULL;
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || (v6 ? inet_pton(AF_INET6, addr, &a6.sin6_addr) : inet_pton(AF_INET, addr,
								       &a4.sin_addr)) != 1)
		return -1;
	if (v6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) : bind(fd, (struct sockaddr *)&a4,
								       sizeof(a4)))
		return -1;
	if (getsockname(fd, (struct sockaddr *)&got, &gl))
		return -1;
	printf("%u\n", ntohs(v6 ? ((struct sockaddr_in6 *)&got)->sin6_port :
				 ((struct sockaddr_in *)&got)->sin_port));
	fflush(stdout);
	return fd;
}

static int load(struct srv *s, const char *path)
{
	struct osc_params *p;
	char err[256];

	if (lg_ctx_load(path, &p, &s->n, err, sizeof(err)))
		return fprintf(stderr, "lg_responder: %s\n", err), -1;
	s->ctx = aligned_alloc(64, s->n * sizeof(*s->ctx));
	for (unsigned long i = 0; s->ctx && i < s->n; i++)
		if (osc_ctx_derive(&s->ctx[i], &p[i]) != OSC_CTX_OK)
			s->ctx = NULL; /* leaks on a bad file; the test then fails anyway */
	free(p);
	return s->ctx ? 0 : -1;
}

int main(int argc, char **argv)
{
	static struct srv s;
	uint8_t buf[2048], out[2048];
	int idle_ms;

	if (argc != 4 || (idle_ms = atoi(argv[3]) * 1000) <= 0)
		return fprintf(stderr, "usage: lg_responder CONTEXTS ADDR IDLE_SECONDS\n"), 2;
	s.e = cry_engine_new();
	if (!s.e || load(&s, argv[1]) || (s.fd = bind_loopback(argv[2])) < 0)
		return fprintf(stderr, "lg_responder: cannot start\n"), 1;
	for (;;) {
		struct pollfd pfd = { .fd = s.fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n;
		int m;

		if (poll(&pfd, 1, idle_ms) <= 0)
			break;
		n = recvfrom(s.fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n > 0 && (m = answer(&s, buf, (size_t)n, out, sizeof(out))) > 0)
			sendto(s.fd, out, (size_t)m, 0, (struct sockaddr *)&from, fl);
	}
	close(s.fd);
	cry_engine_free(s.e);
	return 0;
}
