/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-gw end to end: a generated capture replayed by net_pcap in a loop (infinite_rx=1) into
 * net_null for a fixed time, 16- and 64-byte payloads with 1 worker, 64 bytes with 2 workers; and
 * on each capture dpdk-testpmd's I/O floor on the same vdevs (bench_io.c). Needs the gateway's
 * "loadtest_replay" switch (a looped capture repeats its Partial IVs) and --duration; an oscore-gw without them refuses the config or the option, and the run is
 * reported as skipped.
 */
#include "bench/bn.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "bench/loadgen.h"
#include "oscore/osc_coap.h"

static int write_config(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/gw-loadtest.json", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	/* infinite_rx keeps every frame in an mbuf: one per frame, and some for the rings */
	fprintf(f, "{\"port\": \"net_pcap0\", \"ipv4\": \"10.0.0.1\", \"ipv6\": \"fd00::1\",\n"
		   " \"udp_port\": 5683, \"mode\": \"respond\", \"burst\": 32, \"mbufs\": 32767,\n"
		   " \"error_rate\": 0, \"loadtest_replay\": true, \"tx_port\": \"net_null0\",\n"
		   " \"contexts_file\": \"contexts.json\"}\n");
	return fclose(f);
}

/* Run oscore-gw with workers queues; its stdout and stderr into log; the CPU seconds its worker
 * lcores used into *cpu. Returns its exit status. */
static int run_gw(const char *gw, const char *dir, unsigned workers, double secs, const char *log,
		  double *cpu)
{
	char vdev[8192], cfg[4096], dur[32], stats[4096];
	pid_t pid;
	int st;

	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s/in.pcap%s%s%s,infinite_rx=1", dir,
		 workers > 1 ? ",rx_pcap=" : "", workers > 1 ? dir : "",
		 workers > 1 ? "/in.pcap" : "");
	snprintf(cfg, sizeof(cfg), "%s/gw-loadtest.json", dir);
	snprintf(stats, sizeof(stats), "%s/stats-%uw.json", dir, workers);
	snprintf(dur, sizeof(dur), "%.1f", secs);
	pid = fork();
	if (pid == 0) {
		char prefix[64];

		snprintf(prefix, sizeof(prefix), "oscbench-e2e-%d", (int)getpid());
		if (!freopen(log, "w", stdout) || dup2(fileno(stdout), 2) < 0)
			_exit(127);
		/* The main lcore and two workers on however many CPUs there are: --lcores lets three
		 * lcores share a 2-CPU box (the 2-worker figure then says little; see BENCHMARKS.md). */
		execl(gw, gw, "--no-huge", "--no-pci", "--no-shconf", "--file-prefix", prefix,
		      "-m", "1024", "--log-level=warning", "--lcores",
		      workers > 1 ? "0@(0-1),1@(0-1),2@(0-1)" : "0@0,1@1", "--vdev", vdev,
		      "--vdev", "net_null0", "--", "--config", cfg, "--duration", dur,
		      "--stats-json", stats, (char *)NULL);
		_exit(127);
	}
	*cpu = 0;
	if (pid < 0)
		return -1;
	/* Sampled until it exits: the last sample misses at most 50 ms of its workers' time. */
	while (waitpid(pid, &st, WNOHANG) == 0) {
		double c = bn_worker_cpu(pid);

		*cpu = c > *cpu ? c : *cpu;
		usleep(50000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Protected answers in all, from the gateway's --stats-json file (0 if unreadable). */
static double answers_of(const char *dir, unsigned workers)
{
	char path[2048];
	json_t *j, *v;
	double n;

	snprintf(path, sizeof(path), "%s/stats-%uw.json", dir, workers);
	if ((j = json_load_file(path, 0, NULL)) == NULL)
		return 0;
	v = json_object_get(json_object_get(j, "counters"), "answer_protected");
	n = json_is_integer(v) ? (double)json_integer_value(v) : 0;
	json_decref(j);
	return n;
}

/* Protected answers per second from the gateway's own rate line (first to last burst). */
static double rate_of(const char *log)
{
	char line[512];
	double rx, ans = 0, secs = 0;
	FILE *f = fopen(log, "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " rate: %lf rx packets/s, %lf protected answers/s over %lf", &rx,
			   &ans, &secs) == 3)
			break;
	if (f)
		fclose(f);
	return ans;
}

const unsigned bn_ref_payload[BN_REF_PAYLOADS] = { 16, 64 };

/* A capture of payload-byte requests and the gateway's config in sub. 0 or -1. */
static int capture(const char *sub, unsigned payload)
{
	struct lg_capture_opts o = { .out = sub, .requests = 16, .pay_min = payload,
				     .pay_max = payload, .methods = 1u << COAP_POST,
				     .pop = { .seed = 5, .n = 1000, .kid_min = 3, .kid_max = 3 } };

	mkdir(sub, 0755);
	return lg_capture(&o) || write_config(sub) ? -1 : 0;
}

/* The I/O floor on sub's capture, by wall clock, and per CPU-second into *cpu_rate; 0 (and why)
 * if testpmd cannot run. */
static double io_floor(const char *sub, unsigned periods, double *cpu_rate, struct bn_e2e *out)
{
	char pcap[2048], log[2048];

	snprintf(pcap, sizeof(pcap), "%s/in.pcap", sub);
	snprintf(log, sizeof(log), "%s/testpmd.log", sub);
	return bn_io_floor(pcap, log, periods, cpu_rate, out->io_why, sizeof(out->io_why));
}

void bn_e2e_run(const char *gw, const char *dir, double secs, unsigned periods,
		struct bn_e2e *out)
{
	char log[2048], sub[1024];
	double cpu;

	memset(out, 0, sizeof(*out));
	if (access(gw, X_OK)) {
		snprintf(out->why, sizeof(out->why), "no oscore-gw built (--gw PATH)");
		return;
	}
	for (unsigned p = 0; p < BN_REF_PAYLOADS; p++) {
		bool big = bn_ref_payload[p] == 64;

		if (snprintf(sub, sizeof(sub), "%s/p%u", dir, bn_ref_payload[p]) >= (int)sizeof(sub) ||
		    capture(sub, bn_ref_payload[p])) {
			snprintf(out->why, sizeof(out->why), "cannot write the capture");
			return;
		}
		for (unsigned w = 1; w <= (big ? 2u : 1u); w++) {
			snprintf(log, sizeof(log), "%s/gw-%uw.log", sub, w);
			if (run_gw(gw, sub, w, secs, log, &cpu) != 0 ||
			    (out->mps[w - 1] = rate_of(log)) <= 0) {
				snprintf(out->why, sizeof(out->why),
					 "oscore-gw failed; see e2e/p%u/gw-%uw.log", bn_ref_payload[p], w);
				return;
			}
			if (w == 1) { /* answers per CPU-second of the worker, as testpmd's below */
				out->mps1_wall[p] = out->mps[0];
				out->mps1[p] = cpu >= 0.1 ? answers_of(sub, 1) / cpu : 0;
			}
		}
		out->io_wall[p] = io_floor(sub, periods, &out->io[p], out);
	}
	out->ran = true;
}
