/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AEAD micro-benchmark: OSCORE's mandatory AES-CCM-16-64-128, decrypt and verify, 20-byte AAD
 * (about what RFC 8613 §5.4 builds for a request), messages spread over many keys as a gateway
 * sees them. Compares, in the same run and on the same messages:
 *   async   the batch engine, bursts of 32 submitted with lanes kept full, one flush at the end
 *   batch   the batch engine, cry_aead_batch() per burst of 32 (flushes every burst)
 *   openssl one message at a time through EVP, as a user without the engine would write it
 *           (cry_aead_one_openssl: a fresh EVP_CIPHER_CTX per message)
 *   reuse   the same EVP calls with the cipher fetched once and one context reused: the best a
 *           one-message-at-a-time OpenSSL user can do, so the ratio is not flattered
 * and prints the ratios. Usage: bench_aead [seconds per measurement, default 0.25]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include <intel-ipsec-mb.h>
#include <openssl/evp.h>

#include "bench/bn_time.h"
#include "crypto/cry_aead.h"

#define NKEYS 1024
#define NMSG 4096 /* > CRY_MAX_INFLIGHT + BURST: an op is never resubmitted while in flight */
#define BURST 32
#define AAD_LEN 20

struct msg {
	uint8_t nonce[CRY_NONCE_MAX];
	uint8_t aad[AAD_LEN];
	uint8_t tag[CRY_TAG_MAX];
	uint8_t *ct, *pt;
};

struct pool {
	struct cry_key keys[NKEYS];
	struct msg msgs[NMSG];
	struct cry_op ops[NMSG];
	uint8_t *bufs;
};

struct result {
	double mps;      /* messages per second */
	double cycles;   /* TSC cycles per message, 0 if unknown */
};

static uint64_t rng = 0x0b5e55ed;

static uint64_t next_rand(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(next_rand() >> 40);
}

static uint64_t tsc(void)
{
#if defined(__x86_64__)
	return __rdtsc();
#else
	return 0;
#endif
}

static void init_keys(struct pool *p, const struct cry_alg *alg)
{
	uint8_t raw[CRY_KEY_MAX];

	for (unsigned i = 0; i < NKEYS; i++) {
		fill(raw, sizeof(raw));
		if (cry_key_init(&p->keys[i], alg, raw) != 0)
			bn_die("bench_aead", "cry_key_init");
	}
}

/* NMSG messages of size bytes, keys picked at random, encrypted once with OpenSSL. The decrypt
 * ops write into pt, leaving ct intact for the next round. */
static void init_msgs(struct pool *p, uint32_t size)
{
	for (unsigned i = 0; i < NMSG; i++) {
		struct msg *m = &p->msgs[i];
		struct cry_op *op = &p->ops[i];

		m->pt = p->bufs + (size_t)i * 2 * size;
		m->ct = m->pt + size;
		fill(m->nonce, sizeof(m->nonce));
		fill(m->aad, sizeof(m->aad));
		fill(m->pt, size);
		*op = (struct cry_op){ .key = &p->keys[next_rand() % NKEYS], .nonce = m->nonce,
				       .aad = m->aad, .aad_len = AAD_LEN, .in = m->pt,
				       .out = m->ct, .tag = m->tag, .len = size,
				       .dir = CRY_ENCRYPT };
		if (cry_aead_one_openssl(op) != CRY_OK)
			bn_die("bench_aead", "reference encrypt");
		op->in = m->ct;
		op->out = m->pt;
		op->dir = CRY_DECRYPT;
	}
}

static unsigned check_done(struct cry_op **done, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (done[i]->status != CRY_OK)
			bn_die("bench_aead", "a decrypt failed to verify");
	return n;
}

/* Bursts of BURST, never flushed until the clock runs out: the gateway's worker loop. */
static struct result run_async(struct cry_engine *e, struct pool *p, double secs)
{
	static struct cry_op *ptrs[BURST], *done[BURST + CRY_MAX_INFLIGHT];
	uint64_t n = 0, c0 = tsc();
	double t0 = bn_now_s(), t;
	unsigned next = 0;

	do {
		for (int b = 0; b < 64; b++) {
			for (unsigned i = 0; i < BURST; i++)
				ptrs[i] = &p->ops[(next + i) % NMSG];
			next = (next + BURST) % NMSG;
			n += check_done(done, cry_aead_submit(e, ptrs, BURST, done));
		}
		t = bn_now_s();
	} while (t - t0 < secs);
	n += check_done(done, cry_aead_flush(e, done));
	return (struct result){ n / (bn_now_s() - t0), (double)(tsc() - c0) / (double)n };
}

/* A synchronous batch per burst: what the engine gives without keeping lanes full. */
static struct result run_batch(struct cry_engine *e, struct pool *p, double secs)
{
	uint64_t n = 0, c0 = tsc();
	double t0 = bn_now_s(), t;
	unsigned next = 0;

	do {
		for (int b = 0; b < 64; b++) {
			if (cry_aead_batch(e, &p->ops[next], BURST) != BURST)
				bn_die("bench_aead", "a batch decrypt failed to verify");
			next = (next + BURST) % NMSG;
			n += BURST;
		}
		t = bn_now_s();
	} while (t - t0 < secs);
	return (struct result){ n / (t - t0), (double)(tsc() - c0) / (double)n };
}

static struct result run_openssl(struct pool *p, double secs)
{
	uint64_t n = 0, c0 = tsc();
	double t0 = bn_now_s(), t;
	unsigned next = 0;

	do {
		for (int b = 0; b < 256; b++) {
			if (cry_aead_one_openssl(&p->ops[next]) != CRY_OK)
				bn_die("bench_aead", "an OpenSSL decrypt failed to verify");
			next = (next + 1) % NMSG;
			n++;
		}
		t = bn_now_s();
	} while (t - t0 < secs);
	return (struct result){ n / (t - t0), (double)(tsc() - c0) / (double)n };
}

/* AES-CCM decrypt of one op on a reused context; 1 if the tag verified. */
static int ccm_decrypt_reused(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *c, const struct cry_op *op)
{
	const struct cry_alg *alg = op->key->alg;
	int outl;

	return EVP_DecryptInit_ex(ctx, c, NULL, NULL, NULL) &&
	       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, alg->nonce_len, NULL) &&
	       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, alg->tag_len, op->tag) &&
	       EVP_DecryptInit_ex(ctx, NULL, NULL, op->key->raw, op->nonce) &&
	       EVP_DecryptUpdate(ctx, NULL, &outl, NULL, (int)op->len) &&
	       EVP_DecryptUpdate(ctx, NULL, &outl, op->aad, (int)op->aad_len) &&
	       EVP_DecryptUpdate(ctx, op->out, &outl, op->in, (int)op->len) > 0;
}

static struct result run_reuse(struct pool *p, double secs)
{
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, "AES-128-CCM", NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint64_t n = 0, c0 = tsc();
	double t0 = bn_now_s(), t;
	unsigned next = 0;

	if (c == NULL || ctx == NULL)
		bn_die("bench_aead", "EVP set-up");
	do {
		for (int b = 0; b < 256; b++) {
			if (!ccm_decrypt_reused(ctx, c, &p->ops[next]))
				bn_die("bench_aead", "a reused-context decrypt failed to verify");
			next = (next + 1) % NMSG;
			n++;
		}
		t = bn_now_s();
	} while (t - t0 < secs);
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return (struct result){ n / (t - t0), (double)(tsc() - c0) / (double)n };
}

static void run_size(struct cry_engine *e, struct pool *p, const struct cry_alg *alg,
		     uint32_t size, double secs)
{
	struct result as, ba, os, ru;

	init_msgs(p, size);
	run_async(e, p, secs / 5); /* warm caches and clocks */
	as = run_async(e, p, secs);
	ba = run_batch(e, p, secs);
	os = run_openssl(p, secs);
	ru = run_reuse(p, secs);
	printf("%6u %11.0f %11.0f %11.0f %11.0f %8.2fx %8.2fx %8.2fx %6.0f %6.0f %6.0f %6.0f\n",
	       size, as.mps, ba.mps, os.mps, ru.mps, as.mps / os.mps, as.mps / ru.mps,
	       as.mps / ba.mps, as.cycles, ba.cycles, os.cycles, ru.cycles);
	printf("BENCH aead alg=%s dir=decrypt size=%u aad=%d keys=%d burst=%d async_mps=%.0f "
	       "batch_mps=%.0f openssl_mps=%.0f reuse_mps=%.0f async_over_openssl=%.3f "
	       "async_over_reuse=%.3f async_over_batch=%.3f async_cyc=%.0f batch_cyc=%.0f "
	       "openssl_cyc=%.0f reuse_cyc=%.0f\n",
	       alg->name, size, AAD_LEN, NKEYS, BURST, as.mps, ba.mps, os.mps, ru.mps,
	       as.mps / os.mps, as.mps / ru.mps, as.mps / ba.mps, as.cycles, ba.cycles, os.cycles,
	       ru.cycles);
}

int main(int argc, char **argv)
{
	static const uint32_t sizes[] = { 16, 64, 256, 1024 };
	const struct cry_alg *alg = cry_alg_by_cose(CRY_AES_CCM_16_64_128);
	double secs = argc > 1 ? atof(argv[1]) : 0.25;
	struct pool *p = calloc(1, sizeof(*p));
	struct cry_engine *e = cry_engine_new();

	if (secs <= 0 || secs > 60)
		bn_die("bench_aead", "usage: bench_aead [seconds per measurement, 0..60]");
	if (p == NULL || e == NULL || (p->bufs = malloc((size_t)NMSG * 2 * 1024)) == NULL)
		bn_die("bench_aead", "set-up");
	setvbuf(stdout, NULL, _IOLBF, 0);
	init_keys(p, alg);
	printf("%s decrypt+verify, AAD %d B, %d keys, bursts of %d; IPsec-MB %s on %s; "
	       "%.2f s per measurement\n", alg->name, AAD_LEN, NKEYS, BURST, imb_get_version_str(),
	       cry_engine_arch(e), secs);
	printf("%6s %11s %11s %11s %11s %9s %9s %9s %6s %6s %6s %6s\n", "bytes", "async/s",
	       "batch/s", "openssl/s", "reuse/s", "as/ossl", "as/reuse", "as/batch", "cyc:as",
	       "ba", "ossl", "reuse");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		run_size(e, p, alg, sizes[i], secs);
	for (unsigned i = 0; i < NKEYS; i++)
		cry_key_wipe(&p->keys[i]);
	cry_engine_free(e);
	free(p->bufs);
	free(p);
	return 0;
}
