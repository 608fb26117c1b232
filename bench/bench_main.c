/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-bench --out DIR [--quick] [--secs S] [--gw PATH] [--eal-mem MB] [--pool N] [--no-e2e]
 *              [--e2e-secs S] [--compare OLD.json] [--engine-ab N] [--max-contexts N]
 * oscore-bench --compare OLD.json --with NEW.json
 * One run, every measurement side by side on the same message shapes (see bn.h), with the two
 * references measured by code that is not the gateway's (bare IPsec-MB, dpdk-testpmd); ratios
 * only mean something within one run on this machine. --compare prints each figure of this run
 * (or of NEW.json) against an earlier summary.json.
 */
#include "bench/bn.h"
#include "bench/lg_out.h"

#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <rte_eal.h>

#include "crypto/cry_aead.h"
#include "oscore/osc_context.h"

struct opts {
	const char *out, *gw, *old, *with;
	bool quick, no_e2e;
	double secs, e2e_secs;
	unsigned eal_mb, pool, engine_ab;
	unsigned long max_ctx;
};

static struct bn_summary sum;

static int eal(unsigned mb)
{
	char prefix[64], mem[16];
	char *argv[] = { "oscore-bench", "--no-huge", "--no-pci", "--no-shconf", "--file-prefix",
			 prefix, "-m", mem, "--log-level=warning", "-l", "0", NULL };

	snprintf(prefix, sizeof(prefix), "oscbench%d", (int)getpid());
	snprintf(mem, sizeof(mem), "%u", mb);
	return rte_eal_init(11, argv) < 0 ? -1 : 0;
}

double bn_tsc_hz(void)
{
	static double hz;
	struct timespec a, b;
	uint64_t c0, c1;

	if (hz > 0)
		return hz;
	clock_gettime(CLOCK_MONOTONIC, &a);
	c0 = __rdtsc();
	do
		clock_gettime(CLOCK_MONOTONIC, &b);
	while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9 < 0.1);
	c1 = __rdtsc();
	hz = (double)(c1 - c0) /
	     ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) * 1e-9);
	return hz;
}

static const char *cpu_name(void)
{
	static char name[128] = "unknown CPU";
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(name, sizeof(name), "%s", strchr(line, ':') + 2);
			name[strcspn(name, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
	return name;
}

static struct bn_row *row(const char *sweep, const struct bn_set *s, unsigned burst)
{
	struct bn_row *r = &sum.rows[sum.n_rows < 63 ? sum.n_rows++ : 63];

	memset(r, 0, sizeof(*r));
	*r = (struct bn_row){ .sweep = sweep, .n_ctx = s->n_ctx, .payload = s->payload,
			      .burst = burst };
	return r;
}

/* Measure the modes in mask on s with burst, into a new row of sweep. */
static int measure(const char *sweep, const struct bn_set *s, unsigned burst, unsigned mask)
{
	struct bn_row *r = row(sweep, s, burst);

	for (int m = 0; m < BN_MODES; m++) {
		int rc;

		if (!(mask & (1u << m)))
			continue;
		rc = m <= BN_PIPE_OPENSSL ? bn_run_pipe(s, m == BN_PIPE_OPENSSL, burst, sum.secs,
							&r->r[m])
					  : bn_run_ccm(s, (enum bn_mode)m, burst, sum.secs, &r->r[m]);
		if (rc || r->r[m].errors) {
			fprintf(stderr, "oscore-bench: %s failed (%lu errors)\n", bn_mode_names[m],
				r->r[m].errors);
			return -1;
		}
		r->has[m] = true;
	}
	printf("  %-8s %8lu ctx %5u B burst %3u: pipeline %9.0f/s  openssl %9.0f/s  ccm %9.0f/s\n",
	       sweep, r->n_ctx, r->payload, burst, r->r[0].mps, r->r[1].mps, r->r[2].mps);
	return 0;
}

#define ALL ((1u << BN_MODES) - 1)
#define PIPE_CCM ((1u << BN_PIPE_ASYNC) | (1u << BN_CCM_PAIR) | (1u << BN_CCM_DECRYPT))

/* Payload and burst sweeps on 1k contexts; the headline point is 64 B, burst 32. */
static int sweep_small(const struct opts *o, struct bn_set *s)
{
	static const unsigned pay[] = { 16, 64, 256, 1024 }, full[] = { 8, 16, 32, 64, 128, 256 },
			      quick[] = { 8, 32, 256 };
	const unsigned *bu = o->quick ? quick : full;
	unsigned nb = o->quick ? 3 : 6;

	for (unsigned i = 0; i < 4; i++) {
		if (bn_set_messages(s, o->pool, pay[i], 1) || measure("payload", s, 32, ALL))
			return -1;
		if (pay[i] == 64)
			sum.head = &sum.rows[sum.n_rows - 1];
	}
	if (bn_set_messages(s, o->pool, 64, 1))
		return -1;
	for (unsigned i = 0; i < nb; i++)
		if (measure("burst", s, bu[i], PIPE_CCM))
			return -1;
	return 0;
}

/* 1k, 100k, 1M contexts (--quick: 1k, 10k), then --max-contexts N if it is larger. */
static int sweep_contexts(const struct opts *o)
{
	unsigned long n[4] = { 1000, 100000, 1000000 }, quick[] = { 1000, 10000 };
	unsigned k = o->quick ? 2 : 3;

	if (o->quick)
		memcpy(n, quick, sizeof(quick));
	if (o->max_ctx > n[k - 1])
		n[k++] = o->max_ctx;
	for (unsigned i = 0; i < k; i++) {
		struct bn_set *s = bn_set_new(n[i], 1);

		if (!s || bn_set_messages(s, o->pool, 64, 2) ||
		    measure("contexts", s, 32, PIPE_CCM | (1u << BN_PIPE_OPENSSL))) {
			bn_set_free(s);
			return -1;
		}
		struct bn_mem *m = &sum.mem[sum.n_mem++];

		*m = (struct bn_mem){ s->n_ctx, s->heap_bytes / (double)s->n_ctx,
				      s->state_bytes / (double)s->n_ctx, s->derive_secs };
		if (!sum.big || n[i] <= 1000000) {
			sum.big = &sum.rows[sum.n_rows - 1];
			sum.table_bytes_per_ctx = m->bytes_per_ctx;
			sum.state_bytes_per_ctx = m->state_per_ctx;
			sum.derive_us_per_ctx = s->derive_secs * 1e6 / (double)s->n_ctx;
		}
		printf("  %lu contexts: table %.1f MB (%.0f B per context) + gateway state %.0f B per "
		       "context (fingerprint index, store ids) = %.0f B, derived and indexed in "
		       "%.2f s\n", s->n_ctx, s->heap_bytes / 1048576.0, m->bytes_per_ctx,
		       m->state_per_ctx, m->bytes_per_ctx + m->state_per_ctx, s->derive_secs);
		bn_set_free(s);
	}
	return 0;
}

/* Latency at 10/50/90 % of the pipeline's maximum rate, 1k contexts, 64 B, burst 32. */
static int latency(const struct opts *o, struct bn_set *s)
{
	struct bn_latency *l = &sum.lat;

	if (bn_set_messages(s, o->pool, 64, 1) || bn_run_latency(s, 32, o->quick ? 0.1 : 1, l))
		return fprintf(stderr, "oscore-bench: latency run failed\n"), -1;
	sum.has_lat = true;
	for (unsigned i = 0; i < BN_LAT_POINTS; i++)
		printf("  latency at %2.0f %% of %.0f msg/s (wall clock): p50 %.1f us, p99 %.1f us "
		       "(%lu answers)\n", bn_lat_frac[i] * 100, l->max_mps, l->p50_ns[i] / 1e3,
		       l->p99_ns[i] / 1e3, l->n[i]);
	return 0;
}

/* The bare IPsec-MB reference at the reference payloads, and the pipeline rows that match. */
static int bare(void)
{
	for (unsigned p = 0; p < BN_REF_PAYLOADS; p++) {
		struct bn_result *r = &sum.bare[p];

		if (bn_run_bare(bn_ref_payload[p], sum.secs, r) || r->errors)
			return fprintf(stderr, "oscore-bench: bare IPsec-MB failed\n"), -1;
		for (unsigned i = 0; i < sum.n_rows; i++)
			if (!strcmp(sum.rows[i].sweep, "payload") &&
			    sum.rows[i].payload == bn_ref_payload[p])
				sum.pay[p] = &sum.rows[i];
		printf("  bare IPsec-MB %u B: %.0f msg/s (decrypt + encrypt, 1,024 contexts)\n",
		       bn_ref_payload[p], r->mps);
	}
	return 0;
}

int bn_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * --engine-ab N: the engine's cost alone, robust to a loaded machine: N short measurements of the
 * engine's CCM pair stream (1k contexts, 64 B) each right after the bare IPsec-MB pair, their
 * ratio's median and best. Compare two builds by this, not by their absolute rates.
 */
static int engine_ab(const struct opts *o, struct bn_set *s)
{
	double q[64];
	unsigned n = o->engine_ab < 64 ? o->engine_ab : 64;

	if (bn_set_messages(s, o->pool, 64, 1))
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct bn_result a, b;

		if (bn_run_bare(64, 0.05, &b) || bn_run_ccm(s, BN_CCM_PAIR, 32, 0.05, &a) ||
		    a.errors || b.errors)
			return -1;
		q[i] = a.mps / b.mps;
	}
	qsort(q, n, sizeof(q[0]), bn_cmp_double);
	printf("engine CCM pair / bare IPsec-MB pair, 64 B, %u interleaved runs: median %.3f, "
	       "best %.3f, worst %.3f\n", n, q[n / 2], q[n - 1], q[0]);
	return 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "out", 1, NULL, 'o' }, { "quick", 0, NULL, 'q' }, { "secs", 1, NULL, 's' },
		{ "gw", 1, NULL, 'g' }, { "eal-mem", 1, NULL, 'm' }, { "pool", 1, NULL, 'p' },
		{ "no-e2e", 0, NULL, 'n' }, { "compare", 1, NULL, 'c' }, { "with", 1, NULL, 'w' },
		{ "e2e-secs", 1, NULL, 'e' }, { "engine-ab", 1, NULL, 'a' },
		{ "max-contexts", 1, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 'o')
			o->out = optarg;
		else if (ch == 'q')
			o->quick = true;
		else if (ch == 's')
			o->secs = atof(optarg);
		else if (ch == 'g')
			o->gw = optarg;
		else if (ch == 'm')
			o->eal_mb = (unsigned)atoi(optarg);
		else if (ch == 'p')
			o->pool = (unsigned)atoi(optarg);
		else if (ch == 'n')
			o->no_e2e = true;
		else if (ch == 'c')
			o->old = optarg;
		else if (ch == 'w')
			o->with = optarg;
		else if (ch == 'e')
			o->e2e_secs = atof(optarg);
		else if (ch == 'a')
			o->engine_ab = (unsigned)atoi(optarg);
		else if (ch == 'x')
			o->max_ctx = strtoul(optarg, NULL, 10);
		else
			return -1;
	}
	if (o->with)
		return o->old && !o->out && optind == argc ? 0 : -1;
	return o->out && optind == argc && o->secs >= 0 && o->secs <= 60 &&
	       (o->pool == 0 || o->pool >= 1024) ? 0 : -1;
}

static void defaults(struct opts *o, const char *argv0)
{
	static char gw[4096];
	char self[4096];

	snprintf(self, sizeof(self), "%s", argv0);
	snprintf(gw, sizeof(gw), "%s/../dataplane/oscore-gw", dirname(self));
	if (!o->gw)
		o->gw = gw;
	if (!o->secs)
		o->secs = o->quick ? 0.02 : 0.3;
	if (!o->pool)
		o->pool = o->quick ? 2048 : 65536;
	if (o->e2e_secs <= 0 || o->e2e_secs > 60)
		o->e2e_secs = o->quick ? 1 : 5;
	if (!o->eal_mb)
		o->eal_mb = o->quick ? 512 : 4096;
}

static void e2e(const struct opts *o)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/e2e", o->out);
	if (o->no_e2e) {
		snprintf(sum.e2e.why, sizeof(sum.e2e.why), "--no-e2e");
		return;
	}
	mkdir(dir, 0755);
	bn_e2e_run(o->gw, dir, o->e2e_secs, o->quick ? 2 : 5, &sum.e2e);
	if (!sum.e2e.ran)
		printf("e2e: skipped (%s)\n", sum.e2e.why);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct cry_engine *e;
	struct bn_set *s;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse(argc, argv, &o))
		return fprintf(stderr, "usage: oscore-bench --out DIR [--quick] [--secs S] [--gw PATH]"
				       " [--eal-mem MB] [--pool N>=1024] [--no-e2e] [--e2e-secs S] [--compare OLD.json]"
				       " [--engine-ab N] [--max-contexts N]"
				       "\n       oscore-bench --compare OLD.json --with NEW.json\n"), 2;
	if (o.with)
		return bn_compare(o.old, o.with) ? 1 : 0;
	defaults(&o, argv[0]);
	if (lg_mkdirs(o.out)) /* like oscore-loadgen: --out is made with its parents */
		return 1;
	if (eal(o.eal_mb) || (e = cry_engine_new()) == NULL)
		return fprintf(stderr, "oscore-bench: EAL or AEAD engine set-up failed\n"), 1;
	sum = (struct bn_summary){ .cpu = cpu_name(), .arch = cry_engine_arch(e), .quick = o.quick,
				   .secs = o.secs, .sizeof_ctx = sizeof(struct osc_ctx),
				   .tsc_hz = bn_tsc_hz() };
	printf("oscore-bench: %s, IPsec-MB %s, %.2f s per measurement, pool of %u requests\n",
	       sum.cpu, sum.arch, o.secs, o.pool);
	s = bn_set_new(1000, 1);
	if (o.engine_ab && s) {
		rc = engine_ab(&o, s) ? 1 : 0;
		bn_set_free(s);
		cry_engine_free(e);
		rte_eal_cleanup();
		return rc;
	}
	rc = !s || sweep_small(&o, s) || latency(&o, s) || bare() || sweep_contexts(&o) ? 1 : 0;
	bn_set_free(s);
	if (!rc) {
		e2e(&o);
		rc = bn_report(&sum, o.out) ? 1 : 0;
	}
	if (!rc && o.old) {
		char now[4200];

		snprintf(now, sizeof(now), "%s/summary.json", o.out);
		rc = bn_compare(o.old, now) ? 1 : 0;
	}
	cry_engine_free(e);
	rte_eal_cleanup();
	return rc;
}
