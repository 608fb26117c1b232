/* SPDX-License-Identifier: BSD-3-Clause */
/* Latency histogram, log-linear (64 steps per power of two: under 1.6 % error), in microseconds. */
#ifndef LG_HIST_H
#define LG_HIST_H

#include <stdint.h>

#define LG_HIST_SUB 64
#define LG_HIST_POW 28 /* up to 2^28 us, over four minutes */

struct lg_hist {
	uint64_t n;
	uint64_t max;
	uint64_t b[LG_HIST_POW * LG_HIST_SUB];
};

/* Count one value (microseconds). */
void lg_hist_add(struct lg_hist *h, uint64_t us);

/* The value below which a fraction q (0..1) of the counted values lie, 0 when empty. */
uint64_t lg_hist_quantile(const struct lg_hist *h, double q);

#endif
