/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway's per-burst pipeline on in-memory buffers, shaped as dataplane/dp_worker.c runs it
 * (slots that live across bursts, because the async engine completes ops bursts later), with every
 * stage timed by rdtsc over the whole burst. The same loop runs with one-message OpenSSL EVP in
 * place of the engine. L2-L4 classify and the header swap are not here: they are in the
 * end-to-end run.
 */
#include "bench/bn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "bench/lg_hist.h"
#include "dataplane/dp_ctx_table.h"
#include "oscore/osc_answer.h"
#include "oscore/osc_protect.h"

#define BURST_MAX 256
#define SLOTS (CRY_MAX_INFLIGHT + 2 * BURST_MAX)
#define ROOM 1280
#define ROUNDS (OSC_MAX_CANDIDATES + 2)

const double bn_lat_frac[BN_LAT_POINTS] = { 0.1, 0.5, 0.9 };

const char *const bn_stage_names[BN_STAGES] = { "rx_copy", "parse", "lookup", "prepare", "aead",
						"finish", "protect", "tx" };

struct slot {
	struct osc_rx rx;
	struct osc_tx tx;
	const struct dp_ctx_cands *cands;
	uint32_t len;
	uint8_t code; /* the verified request's inner code */
	uint64_t arrival; /* latency runs: TSC at which the request was due */
	uint8_t token[COAP_TOKEN_MAX];
	uint8_t buf[ROOM];
	uint8_t plain[OSC_PLAIN_HEADROOM + ROOM];
	uint8_t out[ROOM];
};

struct pipe {
	const struct bn_set *s;
	struct cry_engine *e;        /* NULL: the OpenSSL path */
	struct slot *slots;
	struct slot *free[SLOTS];
	struct cry_op *sub[SLOTS];
	struct cry_op *done[SLOTS + CRY_MAX_INFLIGHT];
	struct slot *fin[SLOTS + CRY_MAX_INFLIGHT];
	unsigned n_free, n_sub, next;
	struct lg_hist *hist;        /* latency runs: arrival to answer ready, nanoseconds */
	uint64_t arr0, gap, taken;   /* ... message k is due at TSC arr0 + k * gap */
	uint64_t cyc[BN_STAGES];
	unsigned long ready, errors;
};

static inline uint64_t tsc(void)
{
	return __rdtsc();
}

/* CPU time of this thread: rates per CPU-second stay comparable on a loaded machine, where
 * wall time mostly measures the scheduler. */
static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fail(struct pipe *p, struct slot *s)
{
	p->errors++;
	p->free[p->n_free++] = s;
}

/* rx + parse: frames from the pool into free slots. Returns the slots that parsed. */
static unsigned take(struct pipe *p, struct slot **got, unsigned burst)
{
	uint64_t t0 = tsc(), t1;
	unsigned i, k = 0, n = burst < p->n_free ? burst : p->n_free;

	for (i = 0; i < n; i++) {
		struct slot *s = got[i] = p->free[--p->n_free];
		unsigned m = p->next++ % p->s->n_msgs;

		memcpy(s->buf, p->s->msgs + (size_t)m * p->s->stride, p->s->len[m]);
		s->rx.flags = OSC_RX_LOADTEST;
		s->rx.plain = s->plain;
		s->rx.plain_cap = sizeof(s->plain);
		s->len = p->s->len[m];
		s->arrival = p->arr0 + p->taken++ * p->gap;
	}
	t1 = tsc();
	p->cyc[BN_RX] += t1 - t0;
	for (i = 0; i < n; i++)
		if (osc_rx_parse(&got[i]->rx, got[i]->buf, got[i]->len, true) == OSC_OK)
			got[k++] = got[i];
		else
			fail(p, got[i]);
	p->cyc[BN_PARSE] += tsc() - t1;
	return k;
}

/* Bulk lookup in chunks of 64 (rte_hash's bulk limit), then the first matching candidate. */
static void lookup_prepare(struct pipe *p, struct slot **s, unsigned n)
{
	struct dp_ctx_key key[64];
	const struct dp_ctx_key *kp[64];
	const struct dp_ctx_cands *c[64];
	uint64_t t0 = tsc(), t1;

	for (unsigned b = 0; b < n; b += 64) {
		unsigned m = n - b < 64 ? n - b : 64;

		for (unsigned i = 0; i < m; i++) {
			dp_ctx_key_of(&key[i], &s[b + i]->rx.opt);
			kp[i] = &key[i];
		}
		dp_ctx_lookup_bulk(p->s->table, kp, m, c);
		for (unsigned i = 0; i < m; i++)
			s[b + i]->cands = c[i];
	}
	t1 = tsc();
	p->cyc[BN_LOOKUP] += t1 - t0;
	for (unsigned i = 0; i < n; i++) {
		const struct dp_ctx_cands *l = s[i]->cands;
		struct osc_ctx *ctx = l && l->n ? l->c[0] : NULL;

		if (!ctx || !osc_ctx_matches(ctx, &s[i]->rx.opt) ||
		    osc_rx_prepare(&s[i]->rx, ctx, NULL) != OSC_OK) {
			fail(p, s[i]);
			continue;
		}
		s[i]->rx.op.user = s[i];
		p->sub[p->n_sub++] = &s[i]->rx.op;
	}
	p->cyc[BN_PREPARE] += tsc() - t1;
}

/* The AEAD step: the engine keeps lanes full (flushes only when asked), OpenSSL does each op
 * now. Returns the completed ops in p->done. */
static unsigned aead(struct pipe *p, bool flush)
{
	uint64_t t0 = tsc();
	unsigned nd = 0;

	if (!p->e) {
		for (unsigned i = 0; i < p->n_sub; i++) {
			cry_aead_one_openssl(p->sub[i]);
			p->done[nd++] = p->sub[i];
		}
	} else if (p->n_sub)
		nd = cry_aead_submit(p->e, p->sub, p->n_sub, p->done);
	else if (flush)
		nd = cry_aead_flush(p->e, p->done);
	p->n_sub = 0;
	p->cyc[BN_AEAD] += tsc() - t0;
	return nd;
}

/* Respond mode as dp_worker answers: ACK (piggybacked) 2.04/2.05, protected with the request's
 * nonce, encrypted in place over the request. */
static void protect(struct pipe *p, struct slot *s, uint8_t code)
{
	struct osc_coap_msg m;
	uint16_t mid = s->rx.outer.mid; /* NON requests: the request's ID, as before */

	osc_answer_header(&m, &s->rx.outer, osc_answer_served_code(code), &mid);
	memcpy(s->token, m.token, m.tkl);
	m.token = s->token;
	if (osc_answer_reply(&s->tx, &s->rx, &m, s->buf, sizeof(s->buf), 0, NULL)) {
		fail(p, s);
		return;
	}
	s->tx.op.user = s;
	p->sub[p->n_sub++] = &s->tx.op;
}

/* Post-process completions: verified requests finish and get their answer queued; encrypted
 * answers are ready to transmit. */
static void complete(struct pipe *p, unsigned nd)
{
	struct osc_coap_msg in;
	uint64_t t0 = tsc(), t1, t2;
	unsigned nf = 0, i;

	for (i = 0; i < nd; i++) {
		struct slot *s = p->done[i]->user;

		if (p->done[i]->dir != CRY_DECRYPT)
			continue;
		if (s->rx.op.status == CRY_OK &&
		    osc_rx_finish_inner(&s->rx, &in, s->out, sizeof(s->out)) == 0) {
			s->code = in.code;
			p->fin[nf++] = s;
		}
		else
			fail(p, s);
	}
	t1 = tsc();
	p->cyc[BN_FINISH] += t1 - t0;
	for (i = 0; i < nf; i++)
		protect(p, p->fin[i], p->fin[i]->code);
	t2 = tsc();
	p->cyc[BN_PROTECT] += t2 - t1;
	for (i = 0; i < nd; i++) {
		struct slot *s = p->done[i]->user;

		if (p->done[i]->dir == CRY_DECRYPT)
			continue;
		if (s->tx.op.status == CRY_OK && p->hist)
			lg_hist_add(p->hist, (uint64_t)((double)(tsc() - s->arrival) * 1e9 /
							bn_tsc_hz()));
		if (s->tx.op.status == CRY_OK)
			p->ready++;
		else
			p->errors++;
		p->free[p->n_free++] = s;
	}
	p->cyc[BN_TX] += tsc() - t2;
}

static void pump(struct pipe *p, bool idle)
{
	for (unsigned r = 0; r < ROUNDS; r++) {
		unsigned nd = aead(p, idle);

		if (!nd && !p->n_sub)
			break;
		complete(p, nd);
		if (!idle && !p->n_sub)
			break;
	}
}

static void burst_once(struct pipe *p, unsigned burst)
{
	struct slot *got[BURST_MAX];
	unsigned n = take(p, got, burst);

	lookup_prepare(p, got, n);
	pump(p, false);
}

static int pipe_init(struct pipe *p, const struct bn_set *s, bool openssl)
{
	memset(p, 0, sizeof(*p));
	p->s = s;
	p->e = openssl ? NULL : cry_engine_new();
	p->slots = aligned_alloc(64, SLOTS * sizeof(*p->slots));
	if ((!openssl && !p->e) || !p->slots)
		return -1;
	memset(p->slots, 0, SLOTS * sizeof(*p->slots));
	for (unsigned i = 0; i < SLOTS; i++)
		p->free[p->n_free++] = &p->slots[i];
	return 0;
}

static void drain(struct pipe *p)
{
	for (unsigned r = 0; r < SLOTS && (p->n_sub || (p->e && cry_aead_inflight(p->e))); r++)
		pump(p, true);
}

int bn_run_pipe(const struct bn_set *s, bool openssl, unsigned burst, double secs,
		struct bn_result *r)
{
	static struct pipe p;
	double t0, tsc_sum = 0;

	if (burst > BURST_MAX || pipe_init(&p, s, openssl))
		return -1;
	for (unsigned b = 0; b < 64; b++) /* warm: lanes, caches, windows */
		burst_once(&p, burst);
	drain(&p);
	memset(p.cyc, 0, sizeof(p.cyc));
	p.ready = p.errors = 0;
	t0 = cpu();
	do {
		for (unsigned b = 0; b < 16; b++)
			burst_once(&p, burst);
	} while (cpu() - t0 < secs);
	drain(&p);
	t0 = cpu() - t0;
	r->mps = (double)p.ready / t0;
	r->cyc = t0 * bn_tsc_hz() / (double)(p.ready ? p.ready : 1);
	/* The stages are timed by the TSC, which also counts time the thread spent descheduled;
	 * scale them so that they add up to its CPU time (preemption taken as spread evenly). */
	for (unsigned i = 0; i < BN_STAGES; i++)
		tsc_sum += (double)p.cyc[i];
	for (unsigned i = 0; i < BN_STAGES; i++)
		r->stage[i] = tsc_sum > 0 ? (double)p.cyc[i] / tsc_sum * r->cyc : 0;
	r->msgs = p.ready;
	r->errors = p.errors;
	cry_engine_free(p.e);
	free(p.slots);
	return 0;
}

/* Unpaced, by wall clock (TSC): the rate the paced runs take their fractions of. */
static double wall_max(struct pipe *p, unsigned burst, double secs)
{
	uint64_t t0 = tsc(), end = t0 + (uint64_t)(secs * bn_tsc_hz());

	p->ready = 0;
	while (tsc() < end)
		burst_once(p, burst);
	drain(p);
	return (double)p->ready * bn_tsc_hz() / (double)(tsc() - t0);
}

/* Requests due at a steady rate (one every gap TSC cycles), taken as they fall due, at most a
 * burst at a time; with nothing due the loop flushes the engine as the worker does when idle. */
static void paced(struct pipe *p, unsigned burst, double rate, double secs, struct lg_hist *h)
{
	struct slot *got[BURST_MAX];
	uint64_t now, end;

	p->hist = h;
	p->gap = (uint64_t)(bn_tsc_hz() / rate);
	p->taken = 0;
	p->arr0 = tsc();
	end = p->arr0 + (uint64_t)(secs * bn_tsc_hz());
	while ((now = tsc()) < end) {
		uint64_t due = now >= p->arr0 ? (now - p->arr0) / p->gap + 1 - p->taken : 0;

		if (due) {
			unsigned n = take(p, got, due < burst ? (unsigned)due : burst);

			lookup_prepare(p, got, n);
		}
		pump(p, !due);
	}
	drain(p);
	p->hist = NULL;
	p->gap = 0;
}

int bn_run_latency(const struct bn_set *s, unsigned burst, double secs, struct bn_latency *out)
{
	static struct pipe p;
	static struct lg_hist h;

	if (burst > BURST_MAX || pipe_init(&p, s, false))
		return -1;
	for (unsigned b = 0; b < 64; b++)
		burst_once(&p, burst);
	drain(&p);
	out->max_mps = wall_max(&p, burst, secs);
	for (unsigned i = 0; i < BN_LAT_POINTS; i++) {
		memset(&h, 0, sizeof(h));
		out->rate[i] = out->max_mps * bn_lat_frac[i];
		paced(&p, burst, out->rate[i], secs, &h);
		out->n[i] = h.n;
		out->p50_ns[i] = lg_hist_quantile(&h, 0.50);
		out->p99_ns[i] = lg_hist_quantile(&h, 0.99);
	}
	cry_engine_free(p.e);
	free(p.slots);
	return p.errors ? -1 : 0;
}
