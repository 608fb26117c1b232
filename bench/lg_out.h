/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where oscore-loadgen writes: an output directory made on demand (like mkdir -p), files in it
 * with a chosen mode (0600 for the ones holding Master Secrets, whatever umask and an existing
 * file said before), and a progress line for long runs that only a terminal sees.
 */
#ifndef LG_OUT_H
#define LG_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Make dir and its missing parents (0755; a file's secrecy is its own mode). 0, or -1 after
 * printing which component failed and why. */
int lg_mkdirs(const char *dir);

/* Open dir/name for writing, truncated, with exactly mode (an existing file is chmod'ed too, and
 * a symbolic link is refused). NULL after printing why. */
FILE *lg_fopen_mode(const char *dir, const char *name, mode_t mode);

/* A progress line on stderr, redrawn in place at most about twice a second; silent when stderr
 * is not a terminal or quiet is set. */
struct lg_progress {
	bool on;
	bool drawn;
	uint64_t t0_ns, next_ns;
};

/* Start: on = !quiet && stderr is a terminal. */
void lg_progress_start(struct lg_progress *p, bool quiet);

/* Maybe redraw: frames written so far, done of total units (requests), and the frame rate. Cheap
 * to call often: it reads the clock only every 1024 frames. */
void lg_progress_update(struct lg_progress *p, unsigned long frames, unsigned long done,
			unsigned long total);

/* End the line (if anything was drawn). */
void lg_progress_end(struct lg_progress *p);

#endif
