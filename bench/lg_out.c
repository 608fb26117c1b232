/* SPDX-License-Identifier: BSD-3-Clause */
/* Output directory, file modes and the progress line (see lg_out.h). */
#define _GNU_SOURCE /* program_invocation_short_name: oscore-loadgen or oscore-bench */
#include "bench/bn_time.h"
#include "bench/lg_out.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int lg_mkdirs(const char *dir)
{
	char p[PATH_MAX];
	size_t n = strlen(dir), i;

	if (n == 0 || n >= sizeof(p))
		return fprintf(stderr, "%s: --out: empty or too long\n",
			       program_invocation_short_name), -1;
	memcpy(p, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return fprintf(stderr, "%s: mkdir %s: %s\n", program_invocation_short_name, p,
				       strerror(errno)), -1;
		p[i] = i == n ? '\0' : '/';
	}
	struct stat st;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return fprintf(stderr, "%s: %s: not a directory\n", program_invocation_short_name,
			       dir), -1;
	return 0;
}

FILE *lg_fopen_mode(const char *dir, const char *name, mode_t mode)
{
	char path[PATH_MAX];
	FILE *f = NULL;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	/* O_CREAT's mode is masked by umask and ignored for an existing file: set it exactly */
	if (fd >= 0 && fchmod(fd, mode) == 0)
		f = fdopen(fd, "w");
	if (!f) {
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

void lg_progress_start(struct lg_progress *p, bool quiet)
{
	p->on = !quiet && isatty(STDERR_FILENO);
	p->drawn = false;
	p->t0_ns = bn_now_ns();
	p->next_ns = p->t0_ns; /* the first call draws: even a short run shows it ran */
}

void lg_progress_update(struct lg_progress *p, unsigned long frames, unsigned long done,
			unsigned long total)
{
	uint64_t now;
	double sec;

	if (!p->on || frames % 1024)
		return;
	now = bn_now_ns();
	if (now < p->next_ns)
		return;
	p->next_ns = now + 500000000u;
	p->drawn = true;
	sec = (double)(now - p->t0_ns) / 1e9;
	fprintf(stderr, "\roscore-loadgen: %lu frames written, %lu of %lu requests (%.0f %%), "
			"%.0f frames/s ", frames, done, total,
		total ? 100.0 * (double)done / (double)total : 100.0, (double)frames / sec);
}

void lg_progress_end(struct lg_progress *p)
{
	if (p->drawn)
		fputc('\n', stderr);
}
