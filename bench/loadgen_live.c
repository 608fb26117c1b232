/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-loadgen live: play the devices of a contexts file (gateway view, IDs swapped) against a
 * gateway over a UDP socket, at a paced rate with a bounded window of outstanding requests; verify
 * every answer against its request's exchange (RFC 8613 §8.4); report answered / failed / timed
 * out and latency quantiles. Tokens carry the request number, which indexes the pending table.
 */
#include "bench/bn_time.h"
#include "bench/loadgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/lg_hist.h"
#include "oscore/osc_protect.h"

#define MSG_MAX 1600
#define SOCKETS_MAX 64

struct pend {
	struct osc_exchange ex;
	uint64_t sent_ns;
	uint64_t seq;
	uint32_t ctx;
	bool busy;
};

struct live {
	const struct lg_live_opts *o;
	struct cry_engine *e;
	struct osc_ctx *ctx;      /* clients, client view */
	unsigned long n_ctx;
	struct pend *pend;        /* ring of n_pend, indexed by seq % n_pend */
	unsigned n_pend, outstanding;
	int fd[SOCKETS_MAX];      /* device i sends from fd[i % n_fd]: its own UDP source port */
	unsigned n_fd;
	uint64_t t0, next_send, next_tick, next_expire;
	uint64_t sent, answered, failed, timed_out, stray;
	struct lg_hist hist;
};

/* "127.0.0.1:5683", "[::1]:5683" or "::1:5683"-free forms; a connected UDP socket, or -1. */
static int open_target(const char *target)
{
	char host[256];
	const char *colon = strrchr(target, ':');
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST }, *ai;
	size_t hl;
	int fd;

	if (!colon || colon == target)
		return -1;
	hl = (size_t)(colon - target);
	if (target[0] == '[' && colon[-1] == ']')
		target++, hl -= 2;
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, target, hl);
	host[hl] = 0;
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return -1;
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int load(struct live *l)
{
	struct osc_params *gw, cl;
	unsigned long n, i;
	char err[256];

	if (lg_ctx_load(l->o->contexts, &gw, &n, err, sizeof(err)))
		return fprintf(stderr, "oscore-loadgen: %s\n", err), -1;
	l->n_ctx = l->o->clients && l->o->clients < n ? l->o->clients : n;
	l->ctx = aligned_alloc(64, l->n_ctx * sizeof(*l->ctx));
	for (i = 0; l->ctx && i < l->n_ctx; i++) {
		lg_client_view(&cl, &gw[i]);
		if (osc_ctx_derive(&l->ctx[i], &cl) != OSC_CTX_OK)
			break;
	}
	free(gw);
	if (l->ctx && i == l->n_ctx)
		return 0;
	fprintf(stderr, "oscore-loadgen: cannot derive client context %lu\n", i);
	l->n_ctx = i;
	return -1;
}

/* GET /temp (CON), token = the request number, protected by client ctx. Length or -1. */
static int make_request(struct live *l, struct pend *p, uint8_t *out, size_t cap)
{
	uint8_t tok[8], plain[64];
	struct osc_coap_msg m = { .type = COAP_CON, .code = COAP_GET, .mid = (uint16_t)p->seq,
				  .tkl = 8, .token = tok, .n_opts = 1 };
	int n;

	for (int k = 0; k < 8; k++)
		tok[k] = (uint8_t)(p->seq >> (8 * (7 - k)));
	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .len = 4,
					   .val = (const uint8_t *)"temp" };
	n = osc_coap_encode(plain, sizeof(plain), &m);
	if (n < 0)
		return -1;
	n = osc_protect_request(l->e, &l->ctx[p->ctx], plain, (size_t)n, out, cap,
				l->ctx[p->ctx].has_id_ctx ? OSC_F_KID_CTX : 0, &p->ex);
	return n;
}

static bool may_send(const struct live *l, uint64_t now)
{
	if (l->o->requests && l->sent >= l->o->requests)
		return false;
	if (l->o->duration > 0 && now - l->t0 >= (uint64_t)(l->o->duration * 1e9))
		return false;
	if (l->outstanding >= l->o->window || l->pend[l->sent % l->n_pend].busy)
		return false;
	return l->o->rate <= 0 || now >= l->next_send;
}

/* Send what pacing and the window allow now, at most one window's worth per call. */
static void send_some(struct live *l)
{
	uint8_t msg[MSG_MAX];
	uint64_t now = bn_now_ns();

	for (unsigned k = 0; k < l->o->window && may_send(l, now); k++) {
		struct pend *p = &l->pend[l->sent % l->n_pend];
		int n;

		p->seq = l->sent;
		p->ctx = (uint32_t)(l->sent % l->n_ctx);
		n = make_request(l, p, msg, sizeof(msg));
		if (n < 0 || send(l->fd[p->ctx % l->n_fd], msg, (size_t)n, 0) != n) {
			if (n >= 0 && (errno == EAGAIN || errno == ENOBUFS))
				break; /* socket buffer full: try again on the next turn */
			l->failed++; /* could not even be sent */
		} else {
			p->busy = true;
			p->sent_ns = now;
			l->outstanding++;
		}
		l->sent++;
		l->next_send = l->o->rate > 0 ? l->next_send + (uint64_t)(1e9 / l->o->rate) : now;
	}
}

/* One received datagram: find its request by token, verify it (§8.4), count it. */
static void on_answer(struct live *l, const uint8_t *buf, size_t len)
{
	struct osc_coap_msg m;
	uint8_t plain[MSG_MAX];
	uint64_t seq = 0;
	struct pend *p;
	int n;

	if (osc_coap_parse(&m, buf, len) != OSC_COAP_OK || m.tkl != 8) {
		l->stray++;
		return;
	}
	for (int k = 0; k < 8; k++)
		seq = seq << 8 | m.token[k];
	p = &l->pend[seq % l->n_pend];
	if (!p->busy || p->seq != seq) {
		l->stray++; /* late (already timed out) or duplicated */
		return;
	}
	p->busy = false;
	l->outstanding--;
	n = osc_unprotect_response(l->e, &l->ctx[p->ctx], &p->ex, buf, len, plain, sizeof(plain));
	if (n >= 2 && (plain[1] == COAP_CONTENT || plain[1] == COAP_CHANGED)) {
		l->answered++;
		lg_hist_add(&l->hist, (bn_now_ns() - p->sent_ns) / 1000);
	} else
		l->failed++;
}

static void receive_all(struct live *l)
{
	uint8_t buf[MSG_MAX];

	for (unsigned i = 0; i < l->n_fd; i++)
		for (unsigned k = 0; k < 4096; k++) { /* bounded: the loop comes back */
			ssize_t n = recv(l->fd[i], buf, sizeof(buf), 0);

			if (n < 0)
				break;
			on_answer(l, buf, (size_t)n);
		}
}

static void expire(struct live *l, uint64_t now)
{
	uint64_t limit = (uint64_t)l->o->timeout_ms * 1000000u;

	for (unsigned i = 0; i < l->n_pend; i++)
		if (l->pend[i].busy && now - l->pend[i].sent_ns > limit) {
			l->pend[i].busy = false;
			l->outstanding--;
			l->timed_out++;
		}
}

static void progress(struct live *l, uint64_t now)
{
	if (!l->o->quiet)
		fprintf(stderr, "oscore-loadgen: %5.1f s sent %llu answered %llu failed %llu "
				"timed out %llu outstanding %u\n", (double)(now - l->t0) / 1e9,
			(unsigned long long)l->sent, (unsigned long long)l->answered,
			(unsigned long long)l->failed, (unsigned long long)l->timed_out,
			l->outstanding);
}

static bool sending_done(const struct live *l, uint64_t now)
{
	return (l->o->requests && l->sent >= l->o->requests) ||
	       (l->o->duration > 0 && now - l->t0 >= (uint64_t)(l->o->duration * 1e9));
}

static void run(struct live *l)
{
	struct pollfd pfd[SOCKETS_MAX];
	uint64_t now;

	for (unsigned i = 0; i < l->n_fd; i++)
		pfd[i] = (struct pollfd){ .fd = l->fd[i], .events = POLLIN };

	l->t0 = l->next_send = l->next_tick = l->next_expire = bn_now_ns();
	for (;;) {
		send_some(l);
		poll(pfd, l->n_fd, l->outstanding ? 1 : 0);
		receive_all(l);
		now = bn_now_ns();
		if (now >= l->next_expire) {
			expire(l, now);
			l->next_expire = now + 1000000;
		}
		if (now >= l->next_tick) {
			progress(l, now);
			l->next_tick += 1000000000u;
		}
		if (sending_done(l, now) && !l->outstanding)
			break;
	}
}

static int report(const struct live *l)
{
	double secs = (double)(bn_now_ns() - l->t0) / 1e9;
	bool bad = l->failed || l->timed_out || l->answered == 0;

	printf("oscore-loadgen live: %lu clients, sent %llu in %.2f s (%.0f/s): answered %llu, "
	       "failed %llu, timed out %llu, stray %llu\n", l->n_ctx,
	       (unsigned long long)l->sent, secs, (double)l->sent / secs,
	       (unsigned long long)l->answered, (unsigned long long)l->failed,
	       (unsigned long long)l->timed_out, (unsigned long long)l->stray);
	printf("latency_us p50 %llu p99 %llu p99.9 %llu max %llu\n",
	       (unsigned long long)lg_hist_quantile(&l->hist, 0.5),
	       (unsigned long long)lg_hist_quantile(&l->hist, 0.99),
	       (unsigned long long)lg_hist_quantile(&l->hist, 0.999),
	       (unsigned long long)l->hist.max);
	return bad && !l->o->allow_failures ? 1 : 0;
}

int lg_live(const struct lg_live_opts *o)
{
	static struct live l;
	unsigned k_open = 0;
	int rc = 2;

	l.o = o;
	l.n_fd = o->sockets ? o->sockets : 1;
	while (k_open < l.n_fd && (l.fd[k_open] = open_target(o->target)) >= 0)
		k_open++;
	l.e = cry_engine_new();
	l.n_pend = o->window * 2; /* room for a slow request while the window moves on */
	l.pend = calloc(l.n_pend, sizeof(*l.pend));
	if (k_open < l.n_fd)
		fprintf(stderr, "oscore-loadgen: bad or unreachable target %s\n", o->target);
	else if (l.e && l.pend && load(&l) == 0) {
		run(&l);
		rc = report(&l);
	}
	for (unsigned long i = 0; i < l.n_ctx; i++)
		osc_ctx_wipe(&l.ctx[i]);
	free(l.ctx);
	free(l.pend);
	cry_engine_free(l.e);
	for (unsigned i = 0; i < k_open; i++)
		close(l.fd[i]);
	return rc;
}
