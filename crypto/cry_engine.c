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
 * CCM round keys, direct-mapped by the address of the struct cry_key (4096 entries, 1.2 MB per
 * worker: both keys of 2k busy contexts stay hot). Contexts keep only raw keys (48-byte struct
 * cry_key); a key's address is its context slot's, so that the index needs no hash of secret
 * bytes, and the raw bytes are still compared (in constant time) because a slot may be refilled
 * with another context's keys (App. B.2, removal and reuse).
 * Pin, don't copy (STYLE.md §13): a job points at its entry's schedule, and the entry counts the
 * jobs in flight on it; an entry with pins is never refilled. A miss on a pinned entry expands
 * into a spare schedule taken from the engine's pool for as long as the job runs, and so does
 * each op of the composed long-AAD CCM: ops carry no 240-byte schedule of their own, which kept
 * every burst slot's op several cache lines larger than what a message uses.
 */
#define SCHED_CACHE 4096

struct sched_entry {
	alignas(16) uint8_t rk[15 * 16];
	const struct cry_key *key; /* whose schedule this is; NULL = empty */
	uint8_t raw[CRY_KEY_MAX];
	uint16_t pins;             /* IPsec-MB jobs in flight pointing at rk */
	uint8_t key_len;
};

/* Long-AAD CCM ops gathered during one submit or batch call, run together at its end. */
#define LONG_BURST 64

/* Spare schedules: one per job the ring can hold and per gathered long op, so that the pool is
 * never empty when an op needs one (each holds at most one until it completes). */
#define SPARES (IMB_MAX_JOBS + LONG_BURST + 1)

struct cry_engine {
	IMB_MGR *mgr;
	struct sched_entry *sched;
	struct sched_entry *spare;         /* SPARES schedules (pool, below) */
	struct sched_entry *free_spare[SPARES];
	unsigned n_spare;
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
	e->sched = calloc(SCHED_CACHE, sizeof(*e->sched));
	e->spare = calloc(SPARES, sizeof(*e->spare));
	for (unsigned i = 0; e->spare && i < SPARES; i++)
		e->free_spare[e->n_spare++] = &e->spare[SPARES - 1 - i];
	e->ccm = e->sched && e->spare ? cry_ccm_long_new() : NULL;
	e->mgr = e->ccm ? alloc_mb_mgr(0) : NULL;
	if (e->mgr != NULL)
		init_mb_mgr_auto(e->mgr, &arch);
	e->arch = arch_name(arch);
	if (e->mgr == NULL || imb_get_errno(e->mgr) != 0 || e->arch == NULL ||
	    cry_keyexp_mgr() == NULL) {
		if (e->mgr != NULL)
			free_mb_mgr(e->mgr);
		cry_ccm_long_free(e->ccm);
		free(e->sched);
		free(e->spare);
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

/*
 * Chain order as IPsec-MB wants it: CCM MACs the plaintext, so encrypt hashes first and decrypt
 * deciphers first; GCM and ChaCha20/Poly1305 MAC the ciphertext, so the other way round.
 */
/* 1 if the n-byte (16 or 32) keys a and b are equal, in time that depends only on n. */
static inline int raw_equal(const uint8_t *a, const uint8_t *b, unsigned n)
{
	uint64_t x, y, d = 0;

	for (unsigned i = 0; i < n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		d |= x ^ y;
	}
	return d == 0;
}

static void expand(struct cry_engine *e, const struct cry_key *k, uint8_t *rk)
{
	alignas(16) uint8_t dec[15 * 16]; /* CTR and CBC-MAC never decrypt a block */

	if (k->alg->key_len == 16)
		IMB_AES_KEYEXP_128(e->mgr, k->raw, rk, dec);
	else
		IMB_AES_KEYEXP_256(e->mgr, k->raw, rk, dec);
	cry_wipe(dec, sizeof(dec));
}

/* The cache entry holding k's schedule, refilled on a miss; NULL if the entry k maps to is
 * pinned by a job in flight under another key. */
static struct sched_entry *sched_of(struct cry_engine *e, const struct cry_key *k)
{
	unsigned n = k->alg->key_len;
	struct sched_entry *s =
		&e->sched[((uintptr_t)k * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - 12)];

	_Static_assert(SCHED_CACHE == 1 << 12, "the index takes the top 12 bits");
	if (s->key == k && s->key_len == n && raw_equal(s->raw, k->raw, n))
		return s;
	if (s->pins)
		return NULL;
	expand(e, k, s->rk);
	memcpy(s->raw, k->raw, n);
	s->key = k;
	s->key_len = (uint8_t)n;
	return s;
}

static bool is_spare(const struct cry_engine *e, const struct sched_entry *s)
{
	return s >= e->spare && s < e->spare + SPARES;
}

/* A spare schedule for op until unpin(): SPARES covers every op that can hold one at once. */
static struct sched_entry *spare_take(struct cry_engine *e, struct cry_op *op)
{
	struct sched_entry *s = e->free_spare[--e->n_spare];

	op->pin = s;
	op->rk = s->rk;
	return s;
}

/* The op's CCM round keys for an IPsec-MB job (op->rk): the pinned cache entry's, or (entry busy)
 * a spare's. Released by unpin(). */
static void ccm_round_keys(struct cry_engine *e, struct cry_op *op)
{
	struct sched_entry *s = sched_of(e, op->key);

	if (s == NULL) {
		expand(e, op->key, spare_take(e, op)->rk);
		return;
	}
	op->pin = s;
	op->rk = s->rk;
	s->pins++;
}

/* The op's round keys copied into a spare, for the composed CCM (which runs on its own manager,
 * possibly after other ops of the same call refilled the entry). */
static void ccm_round_keys_copy(struct cry_engine *e, struct cry_op *op)
{
	const struct sched_entry *s = sched_of(e, op->key);
	uint8_t *rk = spare_take(e, op)->rk;

	if (s == NULL)
		expand(e, op->key, rk);
	else
		memcpy(rk, s->rk, op->key->alg->key_len == 16 ? 11 * 16 : 15 * 16);
}

/* The job no longer reads the op's schedule: a cache entry loses a pin, a spare (which held a
 * schedule expanded for this op alone) is wiped and goes back to the pool. */
static void unpin(struct cry_engine *e, struct cry_op *op)
{
	struct sched_entry *s = op->pin;

	if (s == NULL)
		return;
	op->pin = NULL;
	op->rk = NULL;
	if (!is_spare(e, s)) {
		s->pins--;
		return;
	}
	cry_wipe(s->rk, sizeof(s->rk));
	e->free_spare[e->n_spare++] = s;
}

static void fill_job(struct cry_engine *e, IMB_JOB *job, struct cry_op *op)
{
	const struct cry_key *k = op->key;
	bool enc = op->dir == CRY_ENCRYPT;

	op->pin = NULL; /* only a CCM job pins a schedule */
	fill_common(job, op);
	switch (k->alg->kind) {
	case CRY_KIND_CCM:
		ccm_round_keys(e, op);
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
static bool imb_takes(const struct cry_op *op)
{
	if (op->key->alg->kind != CRY_KIND_CCM)
		return true;
	return op->aad_len <= CRY_IMB_CCM_AAD_MAX && op->len <= UINT16_MAX;
}

/* Final status of a completed job; the tag compare is constant time (CRYPTO_memcmp). */
static void finish(struct cry_engine *e, struct cry_op *op, const IMB_JOB *job)
{
	uint8_t tag_len = op->key->alg->tag_len;

	unpin(e, op);
	if (job->status != IMB_STATUS_COMPLETED)
		op->status = CRY_ERR_BACKEND;
	else if (op->dir == CRY_ENCRYPT || cry_ct_equal(op->tag_calc, op->tag, tag_len))
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

static void push(struct cry_engine *e, struct cry_op *op, void *mark, struct sink *s)
{
	IMB_JOB *job = IMB_GET_NEXT_JOB(e->mgr);

	fill_job(e, job, op);
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
	cry_ccm_long_run(e->ccm, e->long_op, e->nlong);
	for (unsigned i = 0; i < e->nlong; i++)
		unpin(e, e->long_op[i]);
	for (unsigned i = 0; i < e->nlong; i++)
		if (e->long_mark[i] == ASYNC)
			s->out[s->n++] = e->long_op[i];
	e->nlong = 0;
}

/* Gather op for the composed CCM (Group OSCORE's AAD is far over 46 bytes): batched with the
 * other long ops of this call instead of one OpenSSL context per message. */
static void defer_long(struct cry_engine *e, struct cry_op *op, void *mark, struct sink *s)
{
	ccm_round_keys_copy(e, op);
	e->long_op[e->nlong] = op;
	e->long_mark[e->nlong++] = mark;
	if (e->nlong == LONG_BURST)
		run_long(e, s);
}

/* Send op where it can run; an op that completes at once is an async completion too. */
static void route(struct cry_engine *e, struct cry_op *op, void *mark, struct sink *s)
{
	if (!cry_op_valid(op)) {
		op->status = CRY_ERR_INVALID;
	} else if (!imb_takes(op) && cry_ccm_long_fits(op)) {
		defer_long(e, op, mark, s);
		return;
	} else if (!imb_takes(op)) {
		cry_aead_one_openssl(op); /* 64 KB of AAD and payload: not OSCORE traffic */
	} else {
		push(e, op, mark, s);
		return;
	}
	if (mark == ASYNC)
		s->out[s->n++] = op;
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
	for (unsigned i = 0; i < n; i++)
		route(e, ops[i], ASYNC, &s);
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
	cry_wipe(e->sched, SCHED_CACHE * sizeof(*e->sched));
	cry_wipe(e->spare, SPARES * sizeof(*e->spare));
	free(e->sched);
	free(e->spare);
	free(e);
}
