/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The batch engine: one IPsec-MB multi-buffer manager per worker thread.
 *
 * IPsec-MB keeps a ring of IMB_MAX_JOBS jobs and hands them back in submission order. CCM's
 * CBC-MAC runs in parallel lanes, so a CCM job completes only once enough other jobs fill the
 * lanes or someone flushes; GCM and ChaCha20/Poly1305 complete at once but still come back in
 * order. Async submission therefore never flushes: it leaves the lanes full for the next burst.
 * When the ring is full, IPsec-MB itself completes the earliest job on submit, which is what
 * bounds the ops in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_internal.h"

/* The ring is the bound on ops in flight; done[] room of CRY_MAX_INFLIGHT must cover it. */
_Static_assert(CRY_MAX_INFLIGHT >= IMB_MAX_JOBS, "IPsec-MB may hold IMB_MAX_JOBS jobs in flight");

/*
 * CCM round keys are expanded for every op, into a schedule the op holds until its job completes
 * (Pin, don't copy, STYLE.md §13: the job points at it). IPsec-MB's enc-only expansion costs 26-35
 * cycles per key here, independent expansions overlapping; a per-engine cache of schedules (a
 * 4,096-entry one keyed by key address, then a 2,048-entry one tagged without any key compare)
 * cost more on every op than it saved: its 256-byte entries missed L2 next to the contexts, and
 * at 1M contexts every op missed it anyway (BENCHMARKS.md, Speed III). Expanding per op makes
 * an op's cost the same at 1k and at 1M contexts and leaves no per-context state in the engine.
 * The pool is a LIFO stack, so the few dozen schedules in use at a time stay in L1.
 */
struct sched {
	alignas(64) uint8_t rk[15 * 16];
};

/* Long-AAD CCM ops gathered during one submit or batch call, run together at its end. */
#define LONG_BURST 64

/* Ops of one submit whose CCM keys are expanded back to back before their jobs go in. */
#define AHEAD 16

/* Schedules: one per job the ring can hold, per gathered long op and per op expanded ahead, so
 * that the pool is never empty when an op needs one (each op holds at most one until it
 * completes). */
#define SCHEDS (IMB_MAX_JOBS + LONG_BURST + AHEAD)

typedef void (*keyexp_fn)(const void *key, void *enc_exp_keys);

struct cry_engine {
	IMB_MGR *mgr;
	keyexp_fn kx[2];           /* enc-only expansion, [0] AES-128, [1] AES-256 */
	struct sched *sched;       /* SCHEDS schedules (the pool) */
	struct sched *free_sched[SCHEDS];
	unsigned n_free;
	struct cry_ccm_long *ccm;  /* composed CCM for what IPsec-MB's CCM refuses */
	unsigned nlong;
	struct cry_op *long_op[LONG_BURST];
	void *long_mark[LONG_BURST];
	unsigned imb_async;     /* async ops inside the IPsec-MB ring */
	unsigned nstash;        /* async ops a batch completed, returned by the next submit/flush */
	const char *arch;
	struct cry_op *stash[CRY_MAX_INFLIGHT];
};

/* Where completed async ops go: the caller's done[] or, during a batch, the stash. */
struct sink {
	struct cry_op **out;
	unsigned n;
};

/* job->user_data2 tells a batch job (which nobody collects) from an async one. */
static const char batch_mark;
#define BATCH ((void *)&batch_mark)
#define ASYNC NULL

/* Stands in for src/dst when len is 0, so that no job carries a NULL buffer. */
static uint8_t empty[16];

static const char *arch_name(IMB_ARCH arch)
{
	switch (arch) {
	case IMB_ARCH_AVX512:
		return "AVX512";
	case IMB_ARCH_AVX2:
		return "AVX2";
	case IMB_ARCH_AVX:
		return "AVX";
	case IMB_ARCH_SSE:
		return "SSE";
	default:
		return NULL; /* no AES-NI: not worth running a gateway on */
	}
}

struct cry_engine *cry_engine_new(void)
{
	struct cry_engine *e;
	IMB_ARCH arch = IMB_ARCH_NONE;

	if (posix_memalign((void **)&e, 64, sizeof(*e)) != 0)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->sched = aligned_alloc(64, SCHEDS * sizeof(*e->sched));
	for (unsigned i = 0; e->sched && i < SCHEDS; i++)
		e->free_sched[e->n_free++] = &e->sched[SCHEDS - 1 - i];
	e->ccm = e->sched ? cry_ccm_long_new() : NULL;
	e->mgr = e->ccm ? alloc_mb_mgr(0) : NULL;
	if (e->mgr != NULL)
		init_mb_mgr_auto(e->mgr, &arch);
	e->arch = arch_name(arch);
	e->kx[0] = arch == IMB_ARCH_SSE ? aes_keyexp_128_enc_sse : aes_keyexp_128_enc_avx;
	e->kx[1] = arch == IMB_ARCH_SSE ? aes_keyexp_256_enc_sse : aes_keyexp_256_enc_avx;
	if (e->mgr == NULL || imb_get_errno(e->mgr) != 0 || e->arch == NULL ||
	    cry_keyexp_mgr() == NULL) {
		if (e->mgr != NULL)
			free_mb_mgr(e->mgr);
		cry_ccm_long_free(e->ccm);
		free(e->sched);
		free(e);
		return NULL;
	}
	return e;
}

const char *cry_engine_arch(const struct cry_engine *e)
{
	return e->arch;
}

unsigned cry_aead_inflight(const struct cry_engine *e)
{
	return e->imb_async + e->nstash;
}

/* The fields every AEAD job shares (IPsec-MB's job API, one contiguous message, no SGL). */
static void fill_common(IMB_JOB *job, struct cry_op *op)
{
	const struct cry_alg *alg = op->key->alg;
	bool enc = op->dir == CRY_ENCRYPT;

	job->src = op->len ? op->in : empty;
	job->dst = op->len ? op->out : empty;
	job->key_len_in_bytes = alg->key_len;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = op->len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = op->len;
	job->iv = op->nonce;
	job->iv_len_in_bytes = alg->nonce_len;
	/* Decrypt computes the tag into scratch; finish() compares it with the received one. */
	job->auth_tag_output = enc ? op->tag : op->tag_calc;
	job->auth_tag_output_len_in_bytes = alg->tag_len;
	job->cipher_direction = enc ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	job->user_data = op;
}

/* 1 if the n-byte tags a and b are equal, in time that depends only on n: no early exit, the
 * words' differences are ORed together (tags are 8 or 16 bytes for every algorithm here). */
static inline int tag_equal(const uint8_t *a, const uint8_t *b, unsigned n)
{
	uint64_t x, y, d = 0;

	if (n % 8 != 0)
		return cry_ct_equal(a, b, n);
	for (unsigned i = 0; i < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	return d == 0;
}

/* k's CCM encryption round keys into rk: CTR and CBC-MAC never decrypt a block. */
static inline void expand(const struct cry_engine *e, const struct cry_key *k, uint8_t *rk)
{
	e->kx[k->alg->key_len == 32](k->raw, rk);
}


/* A schedule of op's CCM round keys for its job (op->rk), held until release_rk(). SCHEDS covers
 * every op that can hold one at once. */
static inline void take_rk(struct cry_engine *e, struct cry_op *op)
{
	struct sched *s = e->free_sched[--e->n_free];

	expand(e, op->key, s->rk);
	op->rk = s->rk;
}

/* The job no longer reads the op's schedule: back to the pool. Schedules are overwritten by the
 * next expansion and wiped when the engine is freed: at most SCHEDS schedules of recent keys stay
 * in this memory meanwhile (the former cache kept 4,096). */
static inline void release_rk(struct cry_engine *e, struct cry_op *op)
{
	if (op->rk == NULL)
		return;
	e->free_sched[e->n_free++] = (struct sched *)(uintptr_t)op->rk;
	op->rk = NULL;
}

/*
 * Chain order as IPsec-MB wants it: CCM MACs the plaintext, so encrypt hashes first and decrypt
 * deciphers first; GCM and ChaCha20/Poly1305 MAC the ciphertext, so the other way round.
 */
static void fill_job(IMB_JOB *job, struct cry_op *op)
{
	const struct cry_key *k = op->key;
	bool enc = op->dir == CRY_ENCRYPT;

	fill_common(job, op);
	switch (k->alg->kind) {
	case CRY_KIND_CCM:
		job->enc_keys = job->dec_keys = op->rk; /* CTR, CBC-MAC: encrypt */
		job->cipher_mode = IMB_CIPHER_CCM;
		job->hash_alg = IMB_AUTH_AES_CCM;
		job->u.CCM.aad = op->aad;
		job->u.CCM.aad_len_in_bytes = op->aad_len;
		job->chain_order = enc ? IMB_ORDER_HASH_CIPHER : IMB_ORDER_CIPHER_HASH;
		return;
	case CRY_KIND_GCM:
		job->enc_keys = job->dec_keys = k->gcm;
		job->cipher_mode = IMB_CIPHER_GCM;
		job->hash_alg = IMB_AUTH_AES_GMAC;
		job->u.GCM.aad = op->aad;
		job->u.GCM.aad_len_in_bytes = op->aad_len;
		break;
	case CRY_KIND_CHACHAPOLY:
		job->enc_keys = job->dec_keys = k->raw;
		job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
		job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
		job->u.CHACHA20_POLY1305.aad = op->aad;
		job->u.CHACHA20_POLY1305.aad_len_in_bytes = op->aad_len;
		break;
	}
	job->chain_order = enc ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
}

/* IPsec-MB 1.3 CCM takes AAD up to 46 bytes (three blocks less the length field) and 2^16 - 1
 * bytes of message even with a 7-byte nonce; the rest goes to the composed CCM. */
static inline bool imb_takes(const struct cry_op *op)
{
	if (op->key->alg->kind != CRY_KIND_CCM)
		return true;
	return op->aad_len <= CRY_IMB_CCM_AAD_MAX && op->len <= UINT16_MAX;
}

/* Final status of a completed job; the tag compare is constant time (tag_equal). */
static inline void finish(struct cry_engine *e, struct cry_op *op, const IMB_JOB *job)
{
	uint8_t tag_len = op->key->alg->tag_len;

	release_rk(e, op);
	if (job->status != IMB_STATUS_COMPLETED)
		op->status = CRY_ERR_BACKEND;
	else if (op->dir == CRY_ENCRYPT || tag_equal(op->tag_calc, op->tag, tag_len))
		op->status = CRY_OK;
	else
		op->status = CRY_ERR_AUTH;
	if (op->status != CRY_OK && op->dir == CRY_DECRYPT) {
		/* Neither unauthenticated plaintext nor the right tag for a forgery may leak. */
		cry_wipe(op->out, op->len);
		cry_wipe(op->tag_calc, sizeof(op->tag_calc));
	}
}

/* Finish job and every job that completed behind it. The job slot is reused by the next
 * IMB_GET_NEXT_JOB, so everything is read out of it here. */
static void collect(struct cry_engine *e, IMB_JOB *job, struct sink *s)
{
	while (job != NULL) {
		struct cry_op *op = job->user_data;

		finish(e, op, job);
		if (job->user_data2 == ASYNC) {
			e->imb_async--;
			s->out[s->n++] = op;
		}
		job = IMB_GET_COMPLETED_JOB(e->mgr);
	}
}

/* op's job into the ring; a CCM op already holds its schedule (take_rk). */
static void push(struct cry_engine *e, struct cry_op *op, void *mark, struct sink *s)
{
	IMB_JOB *job = IMB_GET_NEXT_JOB(e->mgr);

	fill_job(job, op);
	job->user_data2 = mark;
	op->status = CRY_PENDING;
	if (mark == ASYNC)
		e->imb_async++;
	/* Validated by cry_op_valid() and imb_takes(); IPsec-MB's own checks would repeat them. */
	collect(e, IMB_SUBMIT_JOB_NOCHECK(e->mgr), s);
}

/* Run the gathered long-AAD CCM ops as one burst; async ones complete into the sink. */
static void run_long(struct cry_engine *e, struct sink *s)
{
	if (e->nlong == 0)
		return;
	cry_ccm_long_run(e->ccm, e->long_op, e->nlong);
	for (unsigned i = 0; i < e->nlong; i++)
		release_rk(e, e->long_op[i]);
	for (unsigned i = 0; i < e->nlong; i++)
		if (e->long_mark[i] == ASYNC)
			s->out[s->n++] = e->long_op[i];
	e->nlong = 0;
}

/* Gather op for the composed CCM (Group OSCORE's AAD is far over 46 bytes): batched with the
 * other long ops of this call instead of one OpenSSL context per message. */
static void defer_long(struct cry_engine *e, struct cry_op *op, void *mark, struct sink *s)
{
	take_rk(e, op);
	e->long_op[e->nlong] = op;
	e->long_mark[e->nlong++] = mark;
	if (e->nlong == LONG_BURST)
		run_long(e, s);
}

/* Where route() sends what IPsec-MB's own AEAD jobs do not take: invalid ops, long CCM. */
static void route_other(struct cry_engine *e, struct cry_op *op, void *mark, struct sink *s)
{
	if (!cry_op_valid(op)) {
		op->status = CRY_ERR_INVALID;
	} else if (cry_ccm_long_fits(op)) {
		defer_long(e, op, mark, s);
		return;
	} else {
		cry_aead_one_openssl(op); /* 64 KB of AAD and payload: not OSCORE traffic */
	}
	if (mark == ASYNC)
		s->out[s->n++] = op;
}

/* True if op goes to IPsec-MB as one AEAD job: every OSCORE message does. The checks are inline
 * and read the op's and its key's first line, which the job reads anyway. */
static inline bool imb_job(const struct cry_op *op)
{
	return __builtin_expect(cry_op_valid(op) && imb_takes(op), 1);
}

/* Send op where it can run (the sync batch, one op at a time); an op that completes at once is an
 * async completion too. */
static inline void route(struct cry_engine *e, struct cry_op *op, void *mark, struct sink *s)
{
	if (imb_job(op)) {
		op->rk = NULL; /* only a CCM job holds a schedule */
		if (op->key->alg->kind == CRY_KIND_CCM)
			take_rk(e, op);
		push(e, op, mark, s);
	} else {
		route_other(e, op, mark, s);
	}
}

/* route() for up to AHEAD ops, the keys of their IPsec-MB CCM jobs expanded back to back first
 * (independent expansions overlap; between jobs each would wait out its own chain). */
static void route_ahead(struct cry_engine *e, struct cry_op **ops, unsigned n, void *mark,
			struct sink *s)
{
	bool imb[AHEAD];

	for (unsigned i = 0; i < n; i++) {
		struct cry_op *op = ops[i];

		imb[i] = imb_job(op);
		op->rk = NULL;
		if (imb[i] && op->key->alg->kind == CRY_KIND_CCM)
			take_rk(e, op);
	}
	for (unsigned i = 0; i < n; i++) {
		if (imb[i])
			push(e, ops[i], mark, s);
		else
			route_other(e, ops[i], mark, s);
	}
}

static void drain(struct cry_engine *e, struct sink *s)
{
	IMB_JOB *job;

	while ((job = IMB_FLUSH_JOB(e->mgr)) != NULL)
		collect(e, job, s);
}

/* Hand back what a batch completed on behalf of earlier async submissions. */
static void take_stash(struct cry_engine *e, struct sink *s)
{
	memcpy(s->out + s->n, e->stash, e->nstash * sizeof(e->stash[0]));
	s->n += e->nstash;
	e->nstash = 0;
}

unsigned cry_aead_submit(struct cry_engine *e, struct cry_op **ops, unsigned n,
			 struct cry_op **done)
{
	struct sink s = { .out = done };

	take_stash(e, &s);
	for (unsigned i = 0; i < n; i += AHEAD) {
		/* The first line of the next ops' keys (alg, raw), which route_ahead() reads first:
		 * in a context, often out of cache by the time its op comes here. */
		for (unsigned j = i + AHEAD; j < n && j < i + 2 * AHEAD; j++)
			__builtin_prefetch(ops[j]->key);
		route_ahead(e, ops + i, n - i < AHEAD ? n - i : AHEAD, ASYNC, &s);
	}
	run_long(e, &s);
	return s.n;
}

unsigned cry_aead_flush(struct cry_engine *e, struct cry_op **done)
{
	struct sink s = { .out = done };

	take_stash(e, &s);
	drain(e, &s);
	return s.n;
}

/*
 * A batch may run while async ops are in flight: flushing completes those too, and they wait in
 * the stash (which the ring bound keeps within CRY_MAX_INFLIGHT) until the next submit or flush.
 */
unsigned cry_aead_batch(struct cry_engine *e, struct cry_op *ops, unsigned n)
{
	struct sink s = { .out = e->stash + e->nstash };
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++)
		route(e, &ops[i], BATCH, &s);
	run_long(e, &s);
	drain(e, &s);
	e->nstash += s.n;
	for (unsigned i = 0; i < n; i++)
		ok += ops[i].status == CRY_OK;
	return ok;
}

void cry_engine_free(struct cry_engine *e)
{
	IMB_JOB *job;

	if (e == NULL)
		return;
	/* Complete what is in flight (its buffers are still the caller's) and forget it. */
	while ((job = IMB_FLUSH_JOB(e->mgr)) != NULL)
		for (; job != NULL; job = IMB_GET_COMPLETED_JOB(e->mgr))
			finish(e, job->user_data, job);
	free_mb_mgr(e->mgr);
	cry_ccm_long_free(e->ccm);
	cry_wipe(e->sched, SCHEDS * sizeof(*e->sched));
	free(e->sched);
	free(e);
}
