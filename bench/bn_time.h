/* SPDX-License-Identifier: BSD-3-Clause */
/* The benchmarks' one monotonic clock and one way to give up. */
#ifndef BN_TIME_H
#define BN_TIME_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on CLOCK_MONOTONIC (wall clock: what a rate per second of elapsed time is taken on). */
static inline double bn_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Nanoseconds on CLOCK_MONOTONIC. */
static inline uint64_t bn_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* "prog: what" on stderr, exit status 1: a benchmark that cannot set up has nothing to measure. */
static inline _Noreturn void bn_die(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s\n", prog, what);
	exit(1);
}

#endif
