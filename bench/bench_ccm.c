/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The raw IPsec-MB AES-CCM stream: exactly the AEAD ops the pipeline runs on the same pool (the
 * request's decrypt and verify with its context's key, nonce and AAD; the answer's encrypt of its
 * one-byte code), prepared once and pushed through the async engine with nothing else around them.
 * This is the ceiling the pipeline is measured against.
 */
#include "bench/bn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataplane/dp_ctx_table.h"
#include "oscore/osc_protect.h"

#define RING 1024   /* output buffers; more than the engine ever holds in flight plus a burst */
#define ROOM 1280

struct raw {
	struct cry_op op;
	uint8_t nonce[CRY_NONCE_MAX];
	uint8_t aad[OSC_AAD_MAX];
};

struct ccm {
	struct raw *ops;
	unsigned n_ops;
	uint8_t (*ring)[ROOM + CRY_TAG_MAX];
};

/* CPU time of this thread: rates per CPU-second stay comparable on a loaded machine, where
 * wall time mostly measures the scheduler. */
static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The pipeline's decrypt op of pool message m, found as the pipeline finds it. */
static int decrypt_op(const struct bn_set *s, unsigned m, struct raw *r, struct osc_rx *rx)
{
	const uint8_t *msg = s->msgs + (size_t)m * s->stride;
	const struct dp_ctx_cands *c;
	const struct dp_ctx_key *kp;
	struct dp_ctx_key key;

	rx->flags = OSC_RX_LOADTEST;
	if (osc_rx_parse(rx, msg, s->len[m], true) != OSC_OK)
		return -1;
	dp_ctx_key_of(&key, &rx->opt);
	kp = &key;
	dp_ctx_lookup_bulk(s->table, &kp, 1, &c);
	if (!c || osc_rx_prepare(rx, c->c[0], NULL) != OSC_OK)
		return -1;
	r->op = rx->op;
	memcpy(r->nonce, rx->nonce, sizeof(r->nonce));
	memcpy(r->aad, rx->aad, sizeof(r->aad));
	r->op.nonce = r->nonce;
	r->op.aad = r->aad;
	return 0;
}

static int build(struct ccm *c, const struct bn_set *s, enum bn_mode mode)
{
	static struct osc_rx rx;
	static uint8_t plain[OSC_PLAIN_HEADROOM + ROOM];
	bool pair = mode == BN_CCM_PAIR;

	c->n_ops = s->n_msgs * (pair ? 2 : 1);
	c->ops = aligned_alloc(64, c->n_ops * sizeof(*c->ops));
	c->ring = malloc(RING * sizeof(*c->ring));
	if (!c->ops || !c->ring)
		return -1;
	rx.plain = plain;
	rx.plain_cap = sizeof(plain);
	for (unsigned m = 0, k = 0; m < s->n_msgs; m++) {
		struct raw *d = &c->ops[k++];

		if (decrypt_op(s, m, d, &rx))
			return -1;
		if (mode == BN_CCM_ONE_KEY) { /* one key cannot verify the others' tags: encrypt the
					       * same shapes instead, which costs CCM the same */
			d->op.key = c->ops[0].op.key;
			d->op.dir = CRY_ENCRYPT;
		}
		if (pair) { /* the answer: code only (no payload), same nonce and AAD (§8.3) */
			struct raw *e = &c->ops[k++];

			*e = *d;
			e->op.nonce = e->nonce;
			e->op.aad = e->aad;
			e->op.dir = CRY_ENCRYPT;
			e->op.len = 1;
		}
	}
	return 0;
}

/* Point op i at its ring buffer: outputs of ops in flight never share one. */
static void place(struct ccm *c, unsigned i)
{
	struct cry_op *op = &c->ops[i].op;
	uint8_t *b = c->ring[i % RING];

	op->out = b;
	if (op->dir == CRY_ENCRYPT) {
		op->in = b;
		op->tag = b + ROOM;
	}
}

int bn_run_ccm(const struct bn_set *s, enum bn_mode mode, unsigned burst, double secs,
	       struct bn_result *r)
{
	static struct cry_op *ptrs[256], *done[256 + CRY_MAX_INFLIGHT];
	struct ccm c = { 0 };
	struct cry_engine *e = cry_engine_new();
	unsigned long n = 0, bad = 0;
	unsigned next = 0;
	double t0 = 0;

	if (!e || burst > 256 || build(&c, s, mode) || c.n_ops < RING) {
		cry_engine_free(e);
		free(c.ops);
		free(c.ring);
		return -1;
	}
	for (int lap = 0; lap < 2; lap++) { /* lap 0 warms up */
		t0 = cpu();
		n = bad = 0;
		do {
			for (int b = 0; b < 16; b++) {
				for (unsigned i = 0; i < burst; i++, next = (next + 1) % c.n_ops) {
					place(&c, next);
					ptrs[i] = &c.ops[next].op;
				}
				unsigned nd = cry_aead_submit(e, ptrs, burst, done);

				for (unsigned i = 0; i < nd; i++)
					bad += done[i]->status != CRY_OK;
				n += nd;
			}
		} while (cpu() - t0 < (lap ? secs : secs / 5));
		for (unsigned nd = cry_aead_flush(e, done), i = 0; i < nd; i++, n++)
			bad += done[i]->status != CRY_OK;
	}
	n /= mode == BN_CCM_PAIR ? 2 : 1; /* messages: a request and its answer */
	t0 = cpu() - t0;
	*r = (struct bn_result){ .mps = (double)n / t0,
				 .cyc = t0 * bn_tsc_hz() / (double)(n ? n : 1),
				 .msgs = n, .errors = bad };
	cry_engine_free(e);
	free(c.ops);
	free(c.ring);
	return 0;
}
