/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The I/O reference (issue 11, STYLE.md §14): DPDK's own dpdk-testpmd in --forward-mode=io on the
 * vdevs the end-to-end run uses (net_pcap with infinite_rx=1 on the same capture in, net_null with
 * no-rx=1 out), one forwarding lcore on its own CPU like the gateway's one worker. testpmd prints
 * per-port rates every second (--stats-period); the bench reads net_null's Tx-pps lines and stops
 * testpmd with SIGINT once it has enough full periods; it also reads the forwarding lcore's CPU
 * time (bench_cpu.c) and the closing packet count, for packets per CPU-second. Its stdout is
 * made line-buffered with stdbuf so that no line is lost in a buffer when it is interrupted.
 */
#include "bench/bn.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define IO_WAIT_S 60       /* EAL start-up under load, plus the periods */

static const char *testpmd_path(void)
{
	static const char *const c[] = { "/usr/bin/dpdk-testpmd", "/usr/local/bin/dpdk-testpmd" };

	for (unsigned i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		if (!access(c[i], X_OK))
			return c[i];
	return NULL;
}

static pid_t start(const char *tp, const char *pcap, const char *log)
{
	char vdev[4200], prefix[64];
	pid_t pid = fork();

	if (pid)
		return pid;
	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s,infinite_rx=1", pcap);
	snprintf(prefix, sizeof(prefix), "oscbench-io-%d", (int)getpid());
	if (!freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0 || !freopen("/dev/null", "r", stdin))
		_exit(127);
	execl("/usr/bin/stdbuf", "stdbuf", "-oL", tp, "--no-huge", "--no-pci", "--no-shconf",
	      "--file-prefix", prefix, "-m", "1024", "--log-level=warning", "--lcores", "0@0,1@1",
	      "--vdev", vdev, "--vdev", "net_null0,no-rx=1", "--", "--forward-mode=io",
	      "--auto-start", "--stats-period", "1", "--total-num-mbufs=40000", (char *)NULL);
	_exit(127);
}

/* The nonzero Tx-pps samples in log so far (net_pcap never transmits here: they are net_null's). */
static unsigned samples(const char *log, double *v, unsigned max)
{
	char line[256];
	unsigned n = 0;
	double x;
	FILE *f = fopen(log, "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " Tx-pps: %lf", &x) == 1 && x > 0 && n < max)
			v[n++] = x;
	if (f)
		fclose(f);
	return n;
}

/* Packets net_null transmitted in all, from testpmd's closing statistics (the largest
 * "TX-packets: N  TX-dropped" figure: port 1's, equal to the accumulated one). */
static double tx_total(const char *log)
{
	char line[256];
	double x, best = 0;
	FILE *f = fopen(log, "r");

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "TX-dropped") && sscanf(line, " TX-packets: %lf", &x) == 1 && x > best)
			best = x;
	if (f)
		fclose(f);
	return best;
}

double bn_io_floor(const char *pcap, const char *log, unsigned periods, double *cpu_rate,
		   char *why, size_t cap)
{
	const char *tp = testpmd_path();
	double v[64], cpu = 0;
	unsigned n = 0;
	pid_t pid;
	int st;

	*cpu_rate = 0;
	if (!tp || access("/usr/bin/stdbuf", X_OK))
		return snprintf(why, cap, "no dpdk-testpmd or stdbuf"), 0;
	if ((pid = start(tp, pcap, log)) < 0)
		return snprintf(why, cap, "fork failed"), 0;
	/* The first nonzero period is partial (forwarding started within it): skip it. */
	for (unsigned t = 0; t < IO_WAIT_S * 5 && n < periods + 1; t++) {
		usleep(200000);
		n = samples(log, v, 64);
		cpu = bn_worker_cpu(pid);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return snprintf(why, cap, "dpdk-testpmd exited early; see %s", log), 0;
	}
	kill(pid, SIGINT);
	waitpid(pid, &st, 0);
	n = samples(log, v, 64);
	*cpu_rate = cpu > 0 ? tx_total(log) / cpu : 0;
	if (n < 2)
		return snprintf(why, cap, "no Tx-pps from dpdk-testpmd; see %s", log), 0;
	qsort(v + 1, n - 1, sizeof(v[0]), bn_cmp_double);
	return v[1 + (n - 1) / 2];
}
