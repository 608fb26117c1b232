/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Burst verification of requests: three passes as in a DPDK pipeline (validate and queue, one AEAD
 * call for the burst, post-process), plus bounded extra rounds for Recipient ID collisions.
 */
#include "oscore/osc_protect.h"

#include <string.h>

#define BURST_MAX 64

struct burst {
	struct osc_ctx *cand[BURST_MAX][OSC_MAX_CANDIDATES];
	uint8_t ncand[BURST_MAX];
	uint8_t tried[BURST_MAX];
	bool pending[BURST_MAX];
};

/* Pass 1: parse, look up, replay check, set up the AEAD op. */
static void validate(struct burst *b, struct osc_rx **rx, const uint8_t **in, const size_t *len,
		     unsigned n, osc_lookup_fn lookup, void *arg)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		b->pending[i] = false;
		b->tried[i] = 0;
		if (osc_rx_parse(rx[i], in[i], len[i], true) != OSC_OK)
			continue;
		b->ncand[i] = (uint8_t)lookup(arg, &rx[i]->opt, b->cand[i], OSC_MAX_CANDIDATES);
		if (!b->ncand[i]) {
			rx[i]->err = OSC_ERR_NO_CONTEXT;
			continue;
		}
		b->pending[i] = osc_rx_prepare(rx[i], b->cand[i][0], NULL) == OSC_OK;
	}
}

/* Pass 2: every pending op through the engine at once. */
static void run_aead(struct cry_engine *e, struct burst *b, struct osc_rx **rx, unsigned n)
{
	struct cry_op *ops[BURST_MAX], *done[BURST_MAX + CRY_MAX_INFLIGHT];
	unsigned i, k = 0;

	for (i = 0; i < n; i++)
		if (b->pending[i])
			ops[k++] = &rx[i]->op;
	if (!k)
		return;
	cry_aead_submit(e, ops, k, done);
	cry_aead_flush(e, done);
}

/* Pass 3: a failed tag with another candidate left is tried again with it (§3.3: Recipient IDs
 * may collide); everything else is finished. Returns whether anything needs another round. */
static bool post(struct burst *b, struct osc_rx **rx, unsigned n, uint8_t **out, size_t cap,
		 size_t *out_len)
{
	bool again = false;
	unsigned i;

	for (i = 0; i < n; i++) {
		int len;

		if (!b->pending[i])
			continue;
		b->pending[i] = false;
		if (rx[i]->op.status == CRY_ERR_AUTH && b->tried[i] + 1u < b->ncand[i]) {
			b->tried[i]++;
			b->pending[i] = osc_rx_prepare(rx[i], b->cand[i][b->tried[i]], NULL) == OSC_OK;
			again |= b->pending[i];
			continue;
		}
		len = osc_rx_finish(rx[i], out[i], cap);
		out_len[i] = len < 0 ? 0 : (size_t)len;
	}
	return again;
}

/* Survivors first, failures after them, both in arrival order; each array permuted alike. */
static unsigned partition(struct osc_rx **rx, uint8_t **out, size_t *out_len, unsigned n)
{
	struct osc_rx *r[BURST_MAX];
	uint8_t *o[BURST_MAX];
	size_t l[BURST_MAX];
	unsigned i, k = 0, good = 0, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			if ((rx[i]->err == OSC_OK) != (pass == 0))
				continue;
			r[k] = rx[i];
			o[k] = out[i];
			l[k++] = out_len[i];
		}
		if (pass == 0)
			good = k;
	}
	memcpy(rx, r, n * sizeof(*r));
	memcpy(out, o, n * sizeof(*o));
	memcpy(out_len, l, n * sizeof(*l));
	return good;
}

static unsigned burst_chunk(struct cry_engine *e, struct osc_rx **rx, const uint8_t **in,
			    const size_t *len, uint8_t **out, size_t cap, size_t *out_len,
			    unsigned n, osc_lookup_fn lookup, void *arg)
{
	struct burst b;
	unsigned round;

	validate(&b, rx, in, len, n, lookup, arg);
	for (round = 0; round < OSC_MAX_CANDIDATES; round++) {
		run_aead(e, &b, rx, n);
		if (!post(&b, rx, n, out, cap, out_len))
			break;
	}
	return partition(rx, out, out_len, n);
}

unsigned osc_unprotect_burst(struct cry_engine *e, struct osc_rx **rx, const uint8_t **in,
			     const size_t *len, uint8_t **out, size_t cap, size_t *out_len,
			     unsigned n, osc_lookup_fn lookup, void *arg)
{
	unsigned done = 0, good = 0;

	/* Chunks keep the per-burst arrays on the stack; survivors of each chunk are moved up. */
	while (done < n) {
		unsigned k = n - done < BURST_MAX ? n - done : BURST_MAX, g, i;

		g = burst_chunk(e, rx + done, in + done, len + done, out + done, cap,
				out_len + done, k, lookup, arg);
		for (i = 0; i < g; i++) {
			struct osc_rx *tr = rx[good + i];
			uint8_t *to = out[good + i];
			size_t tl = out_len[good + i];

			rx[good + i] = rx[done + i], out[good + i] = out[done + i];
			out_len[good + i] = out_len[done + i];
			rx[done + i] = tr, out[done + i] = to, out_len[done + i] = tl;
		}
		good += g;
		done += k;
	}
	return good;
}
