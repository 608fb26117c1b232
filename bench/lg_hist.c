/* SPDX-License-Identifier: BSD-3-Clause */
#include "bench/lg_hist.h"

/* Values below LG_HIST_SUB get a bucket each; a value in [2^(6+p), 2^(7+p)) goes to row p + 1,
 * column = its six bits after the leading one. */
static unsigned bucket(uint64_t v)
{
	unsigned p = 0;

	if (v < LG_HIST_SUB)
		return (unsigned)v;
	while (p < LG_HIST_POW - 1 && (v >> (p + 7)) != 0)
		p++;
	if ((v >> (p + 7)) != 0)
		return LG_HIST_POW * LG_HIST_SUB - 1;
	return (p + 1) * LG_HIST_SUB + (unsigned)((v >> p) & (LG_HIST_SUB - 1));
}

/* The smallest value of bucket i's upper neighbour: the bucket's upper bound. */
static uint64_t upper(unsigned i)
{
	unsigned p = i / LG_HIST_SUB, s = i % LG_HIST_SUB;

	if (p == 0)
		return s;
	return ((uint64_t)(LG_HIST_SUB + s + 1) << (p - 1)) - 1;
}

void lg_hist_add(struct lg_hist *h, uint64_t us)
{
	h->b[bucket(us)]++;
	h->n++;
	if (us > h->max)
		h->max = us;
}

uint64_t lg_hist_quantile(const struct lg_hist *h, double q)
{
	uint64_t want = (uint64_t)(q * (double)h->n), seen = 0;

	if (!h->n)
		return 0;
	if (want >= h->n)
		want = h->n - 1;
	for (unsigned i = 0; i < LG_HIST_POW * LG_HIST_SUB; i++) {
		seen += h->b[i];
		if (seen > want)
			return upper(i) < h->max ? upper(i) : h->max;
	}
	return h->max;
}
