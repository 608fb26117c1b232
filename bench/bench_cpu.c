/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CPU time of a child DPDK program's worker lcores (threads DPDK 22.11 names "rte-worker-N",
 * later releases "lcore-worker-N"), read
 * from /proc while it runs. The gateway and testpmd busy-poll, so on a machine shared with other
 * jobs their wall-clock rates say how much CPU the scheduler gave them; packets per CPU-second of
 * the polling lcores is what compares with the in-process figures (bench_pipe.c, bench_bare.c).
 */
#include "bench/bn.h"

#include <dirent.h>
#include <string.h>
#include <unistd.h>

/* utime + stime of /proc/pid/task/tid in seconds if it is a worker lcore, else -1. */
static double worker_secs(pid_t pid, const char *tid)
{
	char path[128], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%s/stat", (int)pid, tid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* "tid (comm) state ppid ...": comm may hold spaces, so fields count from the last ')' */
	p = strrchr(buf, ')');
	if ((!strstr(buf, "(rte-worker-") && !strstr(buf, "(lcore-worker-")) || !p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

double bn_worker_cpu(int pid)
{
	char path[64];
	struct dirent *d;
	double sum = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((dir = opendir(path)) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		double s = d->d_name[0] == '.' ? -1 : worker_secs(pid, d->d_name);

		sum += s > 0 ? s : 0;
	}
	closedir(dir);
	return sum;
}
