/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What oscore-bench prints and writes: the table, ratios from the same run, cycles per stage,
 * memory per context, target verdicts; bench.csv, summary.json, and the sweeps as gnuplot PNGs.
 */
#include "bench/bn.h"

#include <stdlib.h>
#include <string.h>

const char *const bn_mode_names[BN_MODES] = { "pipeline", "openssl_pipeline", "ccm_pair",
					       "ccm_decrypt", "ccm_one_key" };

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static double mps(const struct bn_row *r, enum bn_mode m)
{
	return r && r->has[m] ? r->r[m].mps : 0;
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "w");
}

static void print_table(const struct bn_summary *s)
{
	printf("\n%-9s %8s %5s %5s", "sweep", "contexts", "bytes", "burst");
	for (int m = 0; m < BN_MODES; m++)
		printf(" %16s", bn_mode_names[m]);
	printf("   (messages/s; a message = request verified + answer protected)\n");
	for (unsigned i = 0; i < s->n_rows; i++) {
		const struct bn_row *r = &s->rows[i];

		printf("%-9s %8lu %5u %5u", r->sweep, r->n_ctx, r->payload, r->burst);
		for (int m = 0; m < BN_MODES; m++)
			if (r->has[m])
				printf(" %16.0f", r->r[m].mps);
			else
				printf(" %16s", "-");
		printf("\n");
	}
}

static void print_stages(const struct bn_row *h)
{
	printf("\ncycles per message per stage (%lu contexts, %u B, burst %u):\n", h->n_ctx,
	       h->payload, h->burst);
	printf("  %-17s", "");
	for (int k = 0; k < BN_STAGES; k++)
		printf(" %8s", bn_stage_names[k]);
	printf(" %8s\n", "total");
	for (int m = BN_PIPE_ASYNC; m <= BN_PIPE_OPENSSL; m++) {
		printf("  %-17s", bn_mode_names[m]);
		for (int k = 0; k < BN_STAGES; k++)
			printf(" %8.0f", h->r[m].stage[k]);
		printf(" %8.0f\n", h->r[m].cyc);
	}
}

/* The issue-11 figures at one reference payload, all from this run. */
struct ref {
	unsigned payload;
	double bare, io, ceiling, e2e, pipe;            /* messages (packets) per second */
	double cyc_bare, cyc_io, cyc_e2e, cyc_pipe;     /* TSC cycles per message */
	double beyond, pipe_beyond;   /* e2e cycles beyond bare crypto and I/O; pipeline beyond
				       * bare crypto */
};

static double cyc(const struct bn_summary *s, double rate)
{
	return rate > 0 ? s->tsc_hz / rate : 0;
}

static struct ref ref_of(const struct bn_summary *s, unsigned p)
{
	struct ref r = { .payload = bn_ref_payload[p], .bare = s->bare[p].mps,
			 .io = s->e2e.io[p], .e2e = s->e2e.ran ? s->e2e.mps1[p] : 0,
			 .pipe = mps(s->pay[p], BN_PIPE_ASYNC) };

	/* Serially, a message costs its two CCM ops plus one forwarded packet. */
	r.ceiling = r.bare > 0 && r.io > 0 ? 1.0 / (1.0 / r.bare + 1.0 / r.io) : 0;
	r.cyc_bare = cyc(s, r.bare);
	r.cyc_io = cyc(s, r.io);
	r.cyc_e2e = cyc(s, r.e2e);
	r.cyc_pipe = cyc(s, r.pipe);
	r.beyond = r.e2e > 0 && r.io > 0 ? r.cyc_e2e - r.cyc_bare - r.cyc_io : 0;
	r.pipe_beyond = r.pipe > 0 ? r.cyc_pipe - r.cyc_bare : 0;
	return r;
}

static void print_refs(const struct bn_summary *s)
{
	printf("\nreferences (same run; code that is not the gateway's; TSC %.2f GHz; rates per "
	       "CPU-second of the thread or lcore doing the work):\n", s->tsc_hz / 1e9);
	for (unsigned p = 0; p < BN_REF_PAYLOADS; p++) {
		struct ref r = ref_of(s, p);

		printf("  %2u B: bare IPsec-MB pair %9.0f/s (%4.0f cyc)  testpmd io %9.0f/s (%4.0f cyc)"
		       "  serial ceiling %9.0f/s (%4.0f cyc)\n", r.payload, r.bare, r.cyc_bare, r.io,
		       r.cyc_io, r.ceiling, cyc(s, r.ceiling));
		printf("        e2e 1 worker %9.0f/s (%4.0f cyc) = %.3f x ceiling (target >= 0.7)"
		       "   pipeline %9.0f/s = %.3f x bare CCM pair (target >= 0.6)\n", r.e2e,
		       r.cyc_e2e, ratio(r.e2e, r.ceiling), r.pipe, ratio(r.pipe, r.bare));
		printf("  >>> %2u B: cycles beyond crypto and I/O per message: %.0f end to end "
		       "(target <= ~150); pipeline beyond crypto: %.0f\n", r.payload, r.beyond,
		       r.pipe_beyond);
	}
	if (!s->e2e.ran)
		printf("  e2e: skipped (%s)\n", s->e2e.why);
	for (unsigned p = 0; p < BN_REF_PAYLOADS && s->e2e.ran; p++)
		printf("  %2u B by wall clock (what the scheduler gave them): testpmd io %.0f/s, "
		       "oscore-gw 1 worker %.0f/s\n", bn_ref_payload[p], s->e2e.io_wall[p],
		       s->e2e.mps1_wall[p]);
	if (s->e2e.io[0] <= 0 || s->e2e.io[1] <= 0)
		printf("  io floor: %s\n", s->e2e.io_why[0] ? s->e2e.io_why : "not measured");
}

static void json_refs(FILE *f, const struct bn_summary *s)
{
	fprintf(f, " \"tsc_hz\": %.0f,\n \"references\": [\n", s->tsc_hz);
	for (unsigned p = 0; p < BN_REF_PAYLOADS; p++) {
		struct ref r = ref_of(s, p);

		fprintf(f, "  {\"payload\": %u, \"bare_ccm_pair_mps\": %.0f, \"io_floor_pps\": %.0f, "
			   "\"serial_ceiling_mps\": %.0f, \"e2e_1w_mps\": %.0f, \"pipeline_mps\": %.0f,"
			   "\n   \"e2e_over_ceiling\": %.3f, \"pipeline_over_bare_ccm\": %.3f, "
			   "\"cyc_bare_ccm_pair\": %.1f, \"cyc_io\": %.1f, \"cyc_e2e\": %.1f, "
			   "\"cyc_pipeline\": %.1f,\n   \"cyc_beyond_crypto_and_io\": %.1f, "
			   "\"cyc_pipeline_beyond_crypto\": %.1f, \"io_floor_wall_pps\": %.0f, "
			   "\"e2e_1w_wall_mps\": %.0f}%s\n", r.payload, r.bare, r.io,
			r.ceiling, r.e2e, r.pipe, ratio(r.e2e, r.ceiling), ratio(r.pipe, r.bare),
			r.cyc_bare, r.cyc_io, r.cyc_e2e, r.cyc_pipe, r.beyond, r.pipe_beyond,
			s->e2e.io_wall[p], s->e2e.mps1_wall[p], p + 1 < BN_REF_PAYLOADS ? "," : "");
	}
	fprintf(f, " ],\n");
}

struct verdicts {
	double pipe_ccm, pipe_ccm_dec, pipe_ossl, ctx, workers;
};

static struct verdicts verdicts_of(const struct bn_summary *s)
{
	struct verdicts v = {
		.pipe_ccm = ratio(mps(s->head, BN_PIPE_ASYNC), mps(s->head, BN_CCM_PAIR)),
		.pipe_ccm_dec = ratio(mps(s->head, BN_PIPE_ASYNC), mps(s->head, BN_CCM_DECRYPT)),
		.pipe_ossl = ratio(mps(s->head, BN_PIPE_ASYNC), mps(s->head, BN_PIPE_OPENSSL)),
		.workers = s->e2e.ran ? ratio(s->e2e.mps[1], s->e2e.mps[0]) : 0,
	};
	const struct bn_row *small = NULL;

	for (unsigned i = 0; i < s->n_rows; i++)
		if (!strcmp(s->rows[i].sweep, "contexts") && !small)
			small = &s->rows[i];
	v.ctx = ratio(mps(s->big, BN_PIPE_ASYNC), mps(small, BN_PIPE_ASYNC));
	return v;
}

static void print_verdicts(const struct bn_summary *s, const struct verdicts *v)
{
	const char *ok[2] = { "MISSED", "met" };

	printf("\nratios (same run):\n");
	printf("  pipeline / raw CCM (same AEAD work: decrypt+answer) %6.3f  target >= 0.5   %s\n",
	       v->pipe_ccm, ok[v->pipe_ccm >= 0.5]);
	printf("  pipeline / raw CCM decrypt only                     %6.3f  (stricter)\n",
	       v->pipe_ccm_dec);
	printf("  pipeline / OpenSSL one-message pipeline             %6.2f  target >= 5     %s\n",
	       v->pipe_ossl, ok[v->pipe_ossl >= 5]);
	printf("  %lu / 1000 contexts (pipeline)                 %6.3f  target >= 0.85  %s%s\n",
	       s->big ? s->big->n_ctx : 0, v->ctx, ok[v->ctx >= 0.85],
	       s->big && s->big->n_ctx < 1000000 ? " (not at 1M: --quick)" : "");
	printf("  bytes per context: %.0f (sizeof(struct osc_ctx) %zu + hash, lists %.0f) + gateway "
	       "state %.0f = %.0f  target <= 256  %s; at 1M: %.0f MB\n", s->table_bytes_per_ctx,
	       s->sizeof_ctx, s->table_bytes_per_ctx - (double)s->sizeof_ctx, s->state_bytes_per_ctx,
	       s->table_bytes_per_ctx + s->state_bytes_per_ctx,
	       ok[s->table_bytes_per_ctx + s->state_bytes_per_ctx <= 256],
	       (s->table_bytes_per_ctx + s->state_bytes_per_ctx) * 1e6 / 1048576.0);
	for (unsigned i = 0; i < s->n_mem; i++)
		printf("  %lu contexts: %.0f B per context in the table + %.0f B gateway state = %.0f B "
		       "all included (%.0f MB), derived in %.1f s\n", s->mem[i].n_ctx,
		       s->mem[i].bytes_per_ctx, s->mem[i].state_per_ctx,
		       s->mem[i].bytes_per_ctx + s->mem[i].state_per_ctx,
		       (s->mem[i].bytes_per_ctx + s->mem[i].state_per_ctx) * (double)s->mem[i].n_ctx /
			       1048576.0, s->mem[i].derive_secs);
	for (unsigned i = 0; s->has_lat && i < BN_LAT_POINTS; i++)
		printf("  latency at %2.0f %% of max (%.0f msg/s): p50 %.1f us, p99 %.1f us\n",
		       bn_lat_frac[i] * 100, s->lat.rate[i], s->lat.p50_ns[i] / 1e3,
		       s->lat.p99_ns[i] / 1e3);
	if (s->e2e.ran)
		printf("  e2e: 1 worker %.0f/s, 2 workers %.0f/s: 2/1 = %.2f  target >= 1.7 %s "
		       "(2 cores shared with the main lcore and other jobs)\n", s->e2e.mps[0],
		       s->e2e.mps[1], v->workers, ok[v->workers >= 1.7]);
	else
		printf("  e2e: skipped (%s)\n", s->e2e.why);
}

static void write_csv(const struct bn_summary *s, FILE *f)
{
	fprintf(f, "sweep,contexts,payload,burst,mode,msgs_per_s,cycles_per_msg,errors");
	for (int k = 0; k < BN_STAGES; k++)
		fprintf(f, ",cyc_%s", bn_stage_names[k]);
	fprintf(f, "\n");
	for (unsigned i = 0; i < s->n_rows; i++)
		for (int m = 0; m < BN_MODES; m++) {
			const struct bn_row *r = &s->rows[i];

			if (!r->has[m])
				continue;
			fprintf(f, "%s,%lu,%u,%u,%s,%.0f,%.1f,%lu", r->sweep, r->n_ctx, r->payload,
				r->burst, bn_mode_names[m], r->r[m].mps, r->r[m].cyc, r->r[m].errors);
			for (int k = 0; k < BN_STAGES; k++)
				fprintf(f, ",%.1f", r->r[m].stage[k]);
			fprintf(f, "\n");
		}
}

static void json_row(FILE *f, const struct bn_row *r, bool comma)
{
	fprintf(f, "    {\"contexts\": %lu, \"payload\": %u, \"burst\": %u", r->n_ctx, r->payload,
		r->burst);
	for (int m = 0; m < BN_MODES; m++)
		if (r->has[m])
			fprintf(f, ", \"%s_mps\": %.0f", bn_mode_names[m], r->r[m].mps);
	fprintf(f, "}%s\n", comma ? "," : "");
}

static void json_sweep(FILE *f, const struct bn_summary *s, const char *name, bool comma)
{
	unsigned last = 0;

	for (unsigned i = 0; i < s->n_rows; i++)
		if (!strcmp(s->rows[i].sweep, name))
			last = i;
	fprintf(f, "  \"%s\": [\n", name);
	for (unsigned i = 0; i < s->n_rows; i++)
		if (!strcmp(s->rows[i].sweep, name))
			json_row(f, &s->rows[i], i != last);
	fprintf(f, "  ]%s\n", comma ? "," : "");
}

static void json_stages(FILE *f, const struct bn_result *r, bool comma)
{
	fputc('{', f);
	for (int k = 0; k < BN_STAGES; k++)
		fprintf(f, "\"%s\": %.1f, ", bn_stage_names[k], r->stage[k]);
	fprintf(f, "\"total\": %.1f}%s\n", r->cyc, comma ? "," : "");
}

static void json_target(FILE *f, const char *name, double v, double t, bool atmost, bool known,
			bool comma)
{
	fprintf(f, "    \"%s\": {\"value\": %.3f, \"target\": %g, \"met\": %s}%s\n", name, v, t,
		!known ? "null" : (atmost ? v <= t : v >= t) ? "true" : "false", comma ? "," : "");
}

static void write_json(const struct bn_summary *s, const struct verdicts *v, FILE *f)
{
	const struct bn_row *h = s->head;

	fprintf(f, "{\n \"cpu\": \"%s\", \"ipsec_mb_arch\": \"%s\", \"quick\": %s, "
		   "\"secs_per_measurement\": %.3f,\n", s->cpu, s->arch, s->quick ? "true" : "false",
		s->secs);
	fprintf(f, " \"headline\": {\"contexts\": %lu, \"payload\": %u, \"burst\": %u",
		h->n_ctx, h->payload, h->burst);
	for (int m = 0; m < BN_MODES; m++)
		fprintf(f, ", \"%s_mps\": %.0f", bn_mode_names[m], h->r[m].mps);
	fprintf(f, ", \"pipeline_errors\": %lu},\n", h->r[BN_PIPE_ASYNC].errors +
		h->r[BN_PIPE_OPENSSL].errors);
	fprintf(f, " \"ratios\": {\"pipeline_over_ccm\": %.3f, \"pipeline_over_ccm_decrypt\": %.3f, "
		   "\"pipeline_over_openssl\": %.3f, \"contexts_large_over_1k\": %.3f, "
		   "\"contexts_large\": %lu, \"workers_2_over_1\": %.3f},\n", v->pipe_ccm,
		v->pipe_ccm_dec, v->pipe_ossl, v->ctx, s->big ? s->big->n_ctx : 0, v->workers);
	fprintf(f, " \"cycles_per_msg_stage\": {\"pipeline\": ");
	json_stages(f, &h->r[BN_PIPE_ASYNC], true);
	fprintf(f, "   \"openssl_pipeline\": ");
	json_stages(f, &h->r[BN_PIPE_OPENSSL], false);
	fprintf(f, " },\n \"memory\": {\"sizeof_osc_ctx\": %zu, \"table_bytes_per_ctx\": %.1f, "
		   "\"hash_and_lists_bytes_per_ctx\": %.1f, \"table_mb_at_1m\": %.1f, "
		   "\"measured_contexts\": %lu, \"derive_us_per_ctx\": %.2f, "
		   "\"state_bytes_per_ctx\": %.1f},\n", s->sizeof_ctx,
		s->table_bytes_per_ctx, s->table_bytes_per_ctx - (double)s->sizeof_ctx,
		s->table_bytes_per_ctx * 1e6 / 1048576.0, s->big ? s->big->n_ctx : 0,
		s->derive_us_per_ctx, s->state_bytes_per_ctx);
	fprintf(f, " \"memory_points\": [");
	for (unsigned i = 0; i < s->n_mem; i++)
		fprintf(f, "%s{\"contexts\": %lu, \"bytes_per_ctx\": %.1f, \"state_bytes_per_ctx\": "
			"%.1f, \"derive_secs\": %.2f}", i ? ", " : "", s->mem[i].n_ctx,
			s->mem[i].bytes_per_ctx, s->mem[i].state_per_ctx, s->mem[i].derive_secs);
	fprintf(f, "],\n \"latency\": {\"max_mps_wall\": %.0f, \"points\": [", s->lat.max_mps);
	for (unsigned i = 0; s->has_lat && i < BN_LAT_POINTS; i++)
		fprintf(f, "%s{\"fraction\": %.2f, \"rate\": %.0f, \"answers\": %lu, "
			   "\"p50_ns\": %llu, \"p99_ns\": %llu}", i ? ", " : "", bn_lat_frac[i],
			s->lat.rate[i], s->lat.n[i], (unsigned long long)s->lat.p50_ns[i],
			(unsigned long long)s->lat.p99_ns[i]);
	fprintf(f, "]},\n");
	fprintf(f, " \"e2e\": {\"ran\": %s, \"why\": \"%s\", \"workers_1_mps\": %.0f, "
		   "\"workers_2_mps\": %.0f, \"io_why\": \"%s\"},\n", s->e2e.ran ? "true" : "false",
		s->e2e.why, s->e2e.mps[0], s->e2e.mps[1], s->e2e.io_why);
	json_refs(f, s);
	fprintf(f, " \"targets\": {\n");
	for (unsigned p = 0; p < BN_REF_PAYLOADS; p++) {
		struct ref r = ref_of(s, p);
		char name[64];

		snprintf(name, sizeof(name), "e2e_over_ceiling_%u", r.payload);
		json_target(f, name, ratio(r.e2e, r.ceiling), 0.7, false, r.ceiling > 0 && r.e2e > 0,
			    true);
		snprintf(name, sizeof(name), "pipeline_over_bare_ccm_%u", r.payload);
		json_target(f, name, ratio(r.pipe, r.bare), 0.6, false, r.bare > 0, true);
	}
	json_target(f, "pipeline_over_ccm", v->pipe_ccm, 0.5, false, true, true);
	json_target(f, "pipeline_over_openssl", v->pipe_ossl, 5, false, true, true);
	json_target(f, "contexts_1m_over_1k", v->ctx, 0.85, false, true, true);
	json_target(f, "bytes_per_context", s->table_bytes_per_ctx + s->state_bytes_per_ctx, 256,
		    true, true, true);
	json_target(f, "workers_2_over_1", v->workers, 1.7, false, s->e2e.ran, false);
	fprintf(f, " },\n \"sweeps\": {\n");
	json_sweep(f, s, "contexts", true);
	json_sweep(f, s, "payload", true);
	json_sweep(f, s, "burst", false);
	fprintf(f, " }\n}\n");
}

/* One data file per sweep: x and messages/s per mode (0 where not measured). */
static void write_dat(const struct bn_summary *s, const char *dir, const char *name)
{
	char file[64];
	FILE *f;

	snprintf(file, sizeof(file), "sweep_%s.dat", name);
	if ((f = open_in(dir, file)) == NULL)
		return;
	fprintf(f, "# x pipeline openssl_pipeline ccm_pair ccm_decrypt ccm_one_key\n");
	for (unsigned i = 0; i < s->n_rows; i++) {
		const struct bn_row *r = &s->rows[i];

		if (strcmp(r->sweep, name))
			continue;
		fprintf(f, "%lu", !strcmp(name, "contexts") ? r->n_ctx :
			!strcmp(name, "payload") ? r->payload : r->burst);
		for (int m = 0; m < BN_MODES; m++)
			fprintf(f, " %.0f", mps(r, (enum bn_mode)m));
		fprintf(f, "\n");
	}
	fclose(f);
}

static void write_plot_script(FILE *f, const char *cpu)
{
	static const char *const sw[3][3] = {
		{ "contexts", "contexts in the table (log)", "set logscale x" },
		{ "payload", "request payload, bytes (log)", "set logscale x 2" },
		{ "burst", "burst size (log)", "set logscale x 2" },
	};

	for (int i = 0; i < 3; i++) {
		fprintf(f, "set terminal pngcairo noenhanced size 720,420 font 'sans,10'\n"
			   "set output 'sweep_%s.png'\nset title 'oscore-bench: %s sweep (%s)'\n"
			   "set xlabel '%s'\nset ylabel 'messages/s (request verified + answer "
			   "protected)'\nunset logscale\n%s\nset logscale y\nset key outside "
			   "bottom center horizontal\nset grid\nset datafile missing '0'\n",
			sw[i][0], sw[i][0], cpu, sw[i][1], sw[i][2]);
		fprintf(f, "plot 'sweep_%s.dat' u 1:4 w lp t 'raw CCM (same AEAD ops)', "
			   "'' u 1:5 w lp t 'raw CCM decrypt only', '' u 1:2 w lp lw 2 t 'pipeline', "
			   "'' u 1:3 w lp t 'pipeline, OpenSSL one at a time'\n", sw[i][0]);
	}
}

/* latency.dat and its plot: p50 and p99 against the offered load. */
static void latency_plot(const struct bn_summary *s, const char *dir, FILE *gp)
{
	FILE *f;

	if (!s->has_lat || (f = open_in(dir, "latency.dat")) == NULL)
		return;
	fprintf(f, "# percent_of_max rate p50_us p99_us\n");
	for (unsigned i = 0; i < BN_LAT_POINTS; i++)
		fprintf(f, "%.0f %.0f %.2f %.2f\n", bn_lat_frac[i] * 100, s->lat.rate[i],
			s->lat.p50_ns[i] / 1e3, s->lat.p99_ns[i] / 1e3);
	fclose(f);
	fprintf(gp, "set terminal pngcairo noenhanced size 720,420 font 'sans,10'\n"
		    "set output 'latency.png'\nset title 'oscore-bench: pipeline latency, request "
		    "due to answer ready (max %.0f msg/s by wall clock)'\nunset logscale\n"
		    "set logscale y\nset xlabel 'offered load, %% of the maximum rate'\n"
		    "set ylabel 'microseconds'\nset xrange [0:100]\nset key outside bottom center "
		    "horizontal\nset grid\nplot 'latency.dat' u 1:3 w lp lw 2 t 'p50', '' u 1:4 w lp "
		    "lw 2 t 'p99'\n", s->lat.max_mps);
}

static void plots(const struct bn_summary *s, const char *dir)
{
	char cmd[4200];
	FILE *f = open_in(dir, "plots.gp");

	write_dat(s, dir, "contexts");
	write_dat(s, dir, "payload");
	write_dat(s, dir, "burst");
	if (!f)
		return;
	write_plot_script(f, s->cpu);
	latency_plot(s, dir, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "cd '%s' && gnuplot plots.gp 2>gnuplot.log", dir);
	if (system(cmd))
		printf("plots: gnuplot failed or missing (see %s/gnuplot.log); data in sweep_*.dat\n",
		       dir);
	else
		printf("plots: %s/sweep_{contexts,payload,burst}.png, latency.png\n", dir);
}

int bn_report(const struct bn_summary *s, const char *dir)
{
	struct verdicts v = verdicts_of(s);
	FILE *csv = open_in(dir, "bench.csv"), *js = open_in(dir, "summary.json");
	int rc = 0;

	print_table(s);
	print_stages(s->head);
	print_verdicts(s, &v);
	print_refs(s);
	if (!csv || !js)
		rc = -1;
	if (csv) {
		write_csv(s, csv);
		rc |= fclose(csv) ? -1 : 0;
	}
	if (js) {
		write_json(s, &v, js);
		rc |= fclose(js) ? -1 : 0;
	}
	plots(s, dir);
	return rc;
}
