/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-bench: measurements side by side on the same message shapes (issue 4).
 *   bn_set    a context population in the gateway's table (dataplane/dp_ctx_table.c over rte_hash)
 *             and a pool of protected requests spread over it, with what the table cost
 *   bn_pipe   the gateway's per-burst pipeline on in-memory buffers, with the async IPsec-MB
 *             engine or one-message OpenSSL EVP, and the raw CCM stream of the same AEAD ops
 *   bn_e2e    oscore-gw end to end (net_pcap infinite_rx), 1 and 2 workers
 *   bn_report CSV, JSON summary and gnuplot plots
 */
#ifndef BN_H
#define BN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct dp_ctx_table;

/* Pipeline stages timed with rdtsc around each stage over a burst. */
enum bn_stage {
	BN_RX,        /* copy the frame in: stands for the NIC writing the mbuf */
	BN_PARSE,     /* CoAP header, options, OSCORE option */
	BN_LOOKUP,    /* hash key and rte_hash bulk lookup */
	BN_PREPARE,   /* candidate match, replay check, nonce and AAD */
	BN_AEAD,      /* the engine (or OpenSSL): decrypt + verify, and the answer's encrypt */
	BN_FINISH,    /* tag verdict, replay commit, inner decode and rebuild */
	BN_PROTECT,   /* answer header and osc_tx_prepare_response */
	BN_TX,        /* answer ready to transmit */
	BN_STAGES
};

extern const char *const bn_stage_names[BN_STAGES];

struct bn_set {
	struct dp_ctx_table *table;
	unsigned long n_ctx;
	uint64_t seed;           /* of the population */
	unsigned payload;        /* inner payload bytes of each request */
	uint8_t *msgs;           /* n_msgs protected requests, stride bytes apart */
	uint32_t *len;
	unsigned n_msgs;
	size_t stride;
	double heap_bytes;       /* rte_malloc bytes the table took */
	double state_bytes;      /* what the gateway's dp_state adds over the table: its fingerprint
				  * index (rte heap) and per-slot store ids and flags (malloc) */
	double derive_secs;      /* wall time to derive and index the contexts */
};

/* Contexts n_ctx of seed into a new table (EAL must be up); NULL with a reason printed. */
struct bn_set *bn_set_new(unsigned long n_ctx, uint64_t seed);

/* (Re)make the pool: n_msgs requests of payload bytes from devices drawn uniformly (by seed),
 * each with its own Partial IV. 0 or -1. */
int bn_set_messages(struct bn_set *s, unsigned n_msgs, unsigned payload, uint64_t seed);

void bn_set_free(struct bn_set *s);

enum bn_mode { BN_PIPE_ASYNC, BN_PIPE_OPENSSL, BN_CCM_PAIR, BN_CCM_DECRYPT, BN_CCM_ONE_KEY,
	       BN_MODES };

extern const char *const bn_mode_names[BN_MODES];

struct bn_result {
	double mps;                    /* messages (answers ready) per second */
	double cyc;                    /* TSC cycles per message */
	double stage[BN_STAGES];       /* cycles per message per stage (pipelines only) */
	unsigned long msgs;
	unsigned long errors;          /* messages that failed (must be 0) */
};

/* Run mode over s's pool with bursts of burst for about secs. */
int bn_run(const struct bn_set *s, enum bn_mode mode, unsigned burst, double secs,
	   struct bn_result *r);

/* qsort() comparison of doubles, ascending. */
int bn_cmp_double(const void *a, const void *b);

/* TSC frequency estimate (Hz). */
double bn_tsc_hz(void);

/* The payloads the references and the end-to-end run are measured at (issue 11). */
#define BN_REF_PAYLOADS 2
extern const unsigned bn_ref_payload[BN_REF_PAYLOADS];   /* 16, 64 */

struct bn_e2e {
	bool ran;
	char why[160];                 /* when not ran */
	double mps[2];                 /* protected answers per second, 64 B, 1 and 2 workers */
	double mps1[BN_REF_PAYLOADS];  /* 1 worker, per bn_ref_payload */
	double mps1_wall[BN_REF_PAYLOADS]; /* the same by wall clock (the gateway's rate line) */
	double io[BN_REF_PAYLOADS];    /* dpdk-testpmd io forwarding, packets per CPU-second of its
					* forwarding lcore, same captures */
	double io_wall[BN_REF_PAYLOADS];   /* the same by wall clock (its Tx-pps lines) */
	char io_why[160];              /* when an io figure is 0 */
};

/* oscore-gw at gw_path end to end and dpdk-testpmd's I/O floor on the same captures, made in
 * subfolders of dir; secs per gateway run, periods seconds of testpmd. */
void bn_e2e_run(const char *gw_path, const char *dir, double secs, unsigned periods,
		struct bn_e2e *out);

/* The bare IPsec-MB reference (bench_bare.c): decrypt + answer encrypt per message on 1,024
 * contexts with pre-expanded keys, payload bytes of request payload, for about secs. 0 or -1. */
int bn_run_bare(unsigned payload, double secs, struct bn_result *r);

/* dpdk-testpmd --forward-mode=io from net_pcap (infinite_rx, capture pcap) to net_null (no-rx):
 * packets per CPU-second of its forwarding lcore into *cpu_rate, and the median of periods full
 * one-second wall-clock rates returned; 0 with why filled if it cannot run. Output goes to log. */
double bn_io_floor(const char *pcap, const char *log, unsigned periods, double *cpu_rate,
		   char *why, size_t cap);

/* CPU seconds the worker lcore threads of the running process pid have used so far (0 if none
 * or gone). */
double bn_worker_cpu(int pid);

/* Print every numeric figure of summary.json new_path against old_path (same keys), with its
 * change. 0, or -1 if either file cannot be read. */
int bn_compare(const char *old_path, const char *new_path);

/* One measured point of a sweep. */
/* Latency of the pipeline at fractions of its maximum rate (issue 11). */
#define BN_LAT_POINTS 3
extern const double bn_lat_frac[BN_LAT_POINTS]; /* 0.1, 0.5, 0.9 */

struct bn_latency {
	double max_mps;                    /* unpaced, by wall clock */
	double rate[BN_LAT_POINTS];        /* the paced rates */
	unsigned long n[BN_LAT_POINTS];    /* answers measured */
	uint64_t p50_ns[BN_LAT_POINTS], p99_ns[BN_LAT_POINTS]; /* request due -> answer ready */
};

/*
 * The pipeline (engine, burst) on s: its maximum rate by wall clock over secs, then requests
 * falling due at a steady 10, 50 and 90 % of it for secs each; the latency of each from the
 * moment it was due to its answer being ready to transmit (queueing included). Wall clock: on a
 * shared machine the other jobs' time slices show up in the tail. Returns 0, or -1 on a failure.
 */
int bn_run_latency(const struct bn_set *s, unsigned burst, double secs, struct bn_latency *out);

struct bn_row {
	const char *sweep;             /* "contexts", "payload", "burst" */
	unsigned long n_ctx;
	unsigned payload, burst;
	struct bn_result r[BN_MODES];
	bool has[BN_MODES];
};

struct bn_summary {
	const char *cpu, *arch;
	bool quick;
	double secs;
	struct bn_row rows[64];
	unsigned n_rows;
	const struct bn_row *head;     /* 1k contexts, 64-byte payload, burst 32 */
	const struct bn_row *big;      /* the largest population up to 1M (the 1M / 1k target) */
	size_t sizeof_ctx;
	double table_bytes_per_ctx;    /* rte_malloc bytes of the table / contexts, largest run */
	double derive_us_per_ctx;
	double tsc_hz;
	struct bn_result bare[BN_REF_PAYLOADS];   /* bare IPsec-MB pair, per bn_ref_payload */
	const struct bn_row *pay[BN_REF_PAYLOADS];/* the pipeline's payload rows for them */
	struct bn_e2e e2e;
	struct bn_mem { unsigned long n_ctx; double bytes_per_ctx, state_per_ctx, derive_secs; } mem[8];
	double state_bytes_per_ctx;    /* gateway state at the table_bytes_per_ctx population */
	unsigned n_mem;                /* every population of the contexts sweep */
	struct bn_latency lat;         /* 1k contexts, 64 B, burst 32 */
	bool has_lat;
};

/* Print the table, ratios, stages, memory and verdicts; write DIR/bench.csv, DIR/summary.json,
 * DIR/sweep_*.dat and, if gnuplot runs, DIR/sweep_*.png. Returns 0 or -1. */
int bn_report(const struct bn_summary *s, const char *dir);

int bn_run_pipe(const struct bn_set *s, bool openssl, unsigned burst, double secs,
		struct bn_result *r);

int bn_run_ccm(const struct bn_set *s, enum bn_mode mode, unsigned burst, double secs,
	       struct bn_result *r);

#endif
