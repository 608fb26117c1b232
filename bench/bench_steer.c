/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of the forward workers' software steer (dataplane/dp_steer.c), from one run: a frame the
 * receiving worker reads (its headers, as the classifier does) and then either processes itself
 * (the owner received it) or hands to the owning worker through its ring, which takes it and
 * reads it again (now from another core's cache). Prints the receiving side's ns per frame in
 * both cases, the owner's ns per taken frame, and the ratio; the receiver waits (untimed) for
 * the owner to keep up, so that no frame is dropped. Two lcores, floating over the CPUs there are
 * (time another process takes from the owner's CPU counts as the owner's):
 *   bench_steer [FRAMES]     (EAL options are fixed: no hugepages, 2 lcores on the CPUs there are)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

#include "dataplane/dp_steer.h"

#define BURST 32

static struct rte_mempool *mp;
static struct dp_steer *steer;
static struct dp_stats st[2];
static unsigned long frames;
static volatile unsigned long sink;
static uint64_t owner_cycles, taken;
static volatile int done;

/* What a worker does to a frame's first cache line before it knows whose it is. */
static void touch(struct rte_mbuf *m)
{
	const uint64_t *p = rte_pktmbuf_mtod(m, const uint64_t *);

	sink += p[0] ^ p[3] ^ p[7];
}

static int owner_loop(void *arg)
{
	struct rte_mbuf *m[BURST];

	(void)arg;
	for (;;) {
		int last = done; /* read before the ring: nothing is handed after it is set */
		uint64_t t = rte_rdtsc();
		unsigned n = dp_steer_take(steer, 1, m, BURST, &st[1]), i;

		if (!n && last)
			break;

		for (i = 0; i < n; i++)
			touch(m[i]);
		rte_pktmbuf_free_bulk(m, n);
		if (n) {
			owner_cycles += rte_rdtsc() - t;
			__atomic_store_n(&taken, taken + n, __ATOMIC_RELEASE);
		}
	}
	return 0;
}

/* Receive side: frames in bursts, read, then kept (hand = false) or handed to worker 1. */
static double receive(bool hand)
{
	struct rte_mbuf *m[BURST];
	uint64_t busy = 0;
	unsigned long k;

	for (k = 0; k < frames; k += BURST) {
		unsigned i;
		uint64_t t;

		/* paced to the owner (not timed): the ring never overflows, every frame is taken */
		while (hand && k - __atomic_load_n(&taken, __ATOMIC_ACQUIRE) > 512)
			rte_pause();
		while (rte_pktmbuf_alloc_bulk(mp, m, BURST))
			rte_pause(); /* the owner frees behind us */
		t = rte_rdtsc();
		for (i = 0; i < BURST; i++)
			touch(m[i]);
		if (hand)
			for (i = 0; i < BURST; i++)
				dp_steer_hand(steer, 1, m[i], &st[0]);
		else {
			for (i = 0; i < BURST; i++)
				touch(m[i]);
			rte_pktmbuf_free_bulk(m, BURST);
		}
		busy += rte_rdtsc() - t;
	}
	return (double)busy * 1e9 / (double)rte_get_tsc_hz() / (double)frames;
}

int main(int argc, char **argv)
{
	char prefix[64], lcores[64], *eal[] = { "bench_steer", "--no-huge", "--no-pci",
						"--no-shconf", "--file-prefix", prefix, "-m", "256",
						"--lcores", lcores, "--log-level=error",
						"--no-telemetry" };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double local, handed, owner;

	frames = argc > 1 ? strtoul(argv[1], NULL, 10) / BURST * BURST : 4000000;
	snprintf(prefix, sizeof(prefix), "bsteer%d", (int)getpid());
	snprintf(lcores, sizeof(lcores), "0@(0-%ld),1@(0-%ld)", cpus - 1, cpus - 1);
	if (!frames || rte_eal_init((int)RTE_DIM(eal), eal) < 0 || rte_lcore_count() < 2)
		return fprintf(stderr, "bench_steer: EAL with 2 lcores needed\n"), 1;
	mp = rte_pktmbuf_pool_create("bsteer", 8191, 256, 0, 256, (int)rte_socket_id());
	steer = dp_steer_new(2, 40000, (int)rte_socket_id());
	if (!mp || !steer)
		return fprintf(stderr, "bench_steer: out of memory\n"), 1;
	local = receive(false);
	rte_eal_remote_launch(owner_loop, NULL, rte_get_next_lcore(-1, 1, 0));
	handed = receive(true);
	done = 1;
	rte_eal_mp_wait_lcore();
	owner = (double)owner_cycles * 1e9 / (double)rte_get_tsc_hz() / (double)(taken ? taken : 1);
	printf("bench_steer: %lu frames; receiving worker: %.1f ns/frame processed itself, %.1f "
	       "ns/frame handed over (ratio %.2f); owner: %.1f ns/frame taken and read; ring full "
	       "%llu\n", frames, local, handed, handed / local, owner,
	       (unsigned long long)st[0].ctr[DP_STEER_RING_FULL]);
	dp_steer_free(steer);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return 0;
}
