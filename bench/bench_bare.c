/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The crypto reference (issue 11, STYLE.md §14): bare IPsec-MB, none of the gateway's engine.
 * 1,024 contexts whose two AES-CCM-16-64-128 keys are expanded once (IMB_AES_KEYEXP_128) at set-up;
 * every job points at its context's schedule (no per-op copy, no cache, no lookup); the stream is
 * never flushed until the end. Each message is what OSCORE asks of the crypto: decrypt and verify
 * the request (13-byte nonce, the §5.4 AAD of a 3-byte kid and a 1-3 byte Partial IV, 8-byte tag,
 * plaintext = code, Uri-Path "temp", payload marker, payload), then encrypt the answer's one-byte
 * code under the other key with the same nonce and AAD (§8.3).
 */
#include "bench/bn.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <intel-ipsec-mb.h>

#include "oscore/osc_context.h"

#define BARE_CTX 1024
#define BARE_MSGS 4096
#define BARE_RING 1024   /* output slots; IPsec-MB holds at most IMB_MAX_JOBS jobs */
#define BARE_PT_MAX 80
#define BARE_TAG 8

_Static_assert(BARE_RING > 2 * IMB_MAX_JOBS, "an output slot is reused only after completion");

struct bare_msg {
	uint16_t ctx;
	uint8_t len, aad_len;
	uint8_t nonce[16];
	uint8_t aad[OSC_AAD_MAX];
	uint8_t ct[BARE_PT_MAX];
	uint8_t tag[BARE_TAG];
};

struct bare_slot {
	alignas(64) uint8_t out[BARE_PT_MAX];
	uint8_t tag[16];
	const struct bare_msg *m;
};

struct bare {
	IMB_MGR *mgr;
	uint8_t (*rk)[2][11 * 16]; /* [ctx][0 = recipient (decrypt), 1 = sender (encrypt)] */
	struct bare_msg *msgs;
	struct bare_slot *ring;
	unsigned long answers, bad;
};

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void fill(uint8_t *p, size_t n, uint64_t *s)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)rnd(s);
}

/* The CCM job fields IPsec-MB needs for one OSCORE op; src may equal dst. */
static void ccm_job(IMB_JOB *j, const void *rk, const struct bare_msg *m, const uint8_t *src,
		    uint8_t *dst, unsigned len, uint8_t *tag, bool enc)
{
	j->cipher_mode = IMB_CIPHER_CCM;
	j->hash_alg = IMB_AUTH_AES_CCM;
	j->cipher_direction = enc ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
	j->chain_order = enc ? IMB_ORDER_HASH_CIPHER : IMB_ORDER_CIPHER_HASH;
	j->enc_keys = j->dec_keys = rk;
	j->key_len_in_bytes = 16;
	j->src = src;
	j->dst = dst;
	j->cipher_start_src_offset_in_bytes = 0;
	j->msg_len_to_cipher_in_bytes = len;
	j->hash_start_src_offset_in_bytes = 0;
	j->msg_len_to_hash_in_bytes = len;
	j->iv = m->nonce;
	j->iv_len_in_bytes = 13;
	j->u.CCM.aad = m->aad;
	j->u.CCM.aad_len_in_bytes = m->aad_len;
	j->auth_tag_output = tag;
	j->auth_tag_output_len_in_bytes = BARE_TAG;
}

/* Message k: a request of payload bytes from a random context, encrypted once here. */
static int make_msg(struct bare *b, unsigned k, unsigned payload, uint64_t *s)
{
	static const uint8_t head[] = { 0x02, 0xb4, 't', 'e', 'm', 'p', 0xff };
	struct bare_msg *m = &b->msgs[k];
	uint8_t kid[3], piv[3], pt[BARE_PT_MAX];
	unsigned piv_len = 1 + k % 3;
	IMB_JOB *j;
	int n;

	m->ctx = (uint16_t)(rnd(s) % BARE_CTX);
	kid[0] = (uint8_t)(m->ctx >> 8), kid[1] = (uint8_t)m->ctx, kid[2] = 0x5a;
	fill(piv, sizeof(piv), s);
	n = osc_aad(m->aad, cry_alg_by_cose(CRY_AES_CCM_16_64_128), kid, 3, piv, piv_len);
	if (n < 0 || payload + sizeof(head) > BARE_PT_MAX)
		return -1;
	m->aad_len = (uint8_t)n;
	m->len = (uint8_t)(payload + sizeof(head));
	fill(m->nonce, 13, s);
	memcpy(pt, head, sizeof(head));
	fill(pt + sizeof(head), payload, s);
	j = IMB_GET_NEXT_JOB(b->mgr);
	ccm_job(j, b->rk[m->ctx][0], m, pt, m->ct, m->len, m->tag, true);
	j = IMB_SUBMIT_JOB(b->mgr);
	while (j == NULL)
		j = IMB_FLUSH_JOB(b->mgr);
	return j->status == IMB_STATUS_COMPLETED ? 0 : -1;
}

static int bare_init(struct bare *b, unsigned payload)
{
	alignas(16) uint8_t dec[11 * 16], key[16];
	uint64_t s = 0x9e3779b97f4a7c15ull;

	memset(b, 0, sizeof(*b));
	b->mgr = alloc_mb_mgr(0);
	b->rk = aligned_alloc(64, BARE_CTX * sizeof(*b->rk));
	b->msgs = aligned_alloc(64, BARE_MSGS * sizeof(*b->msgs));
	b->ring = aligned_alloc(64, BARE_RING * sizeof(*b->ring));
	if (!b->mgr || !b->rk || !b->msgs || !b->ring)
		return -1;
	init_mb_mgr_auto(b->mgr, NULL); /* init_mb_mgr_avx512 faults on AVX2-only CPUs */
	if (imb_get_errno(b->mgr))
		return -1;
	for (unsigned c = 0; c < BARE_CTX; c++)
		for (unsigned d = 0; d < 2; d++) {
			fill(key, sizeof(key), &s);
			IMB_AES_KEYEXP_128(b->mgr, key, b->rk[c][d], dec);
		}
	for (unsigned k = 0; k < BARE_MSGS; k++)
		if (make_msg(b, k, payload, &s))
			return -1;
	return 0;
}

static void bare_free(struct bare *b)
{
	if (b->mgr)
		free_mb_mgr(b->mgr);
	free(b->rk);
	free(b->msgs);
	free(b->ring);
}

/* Account for every completed job: a decrypt's tag is checked, an encrypt is an answer. */
static void collect(struct bare *b, IMB_JOB *j)
{
	for (; j != NULL; j = IMB_GET_COMPLETED_JOB(b->mgr)) {
		struct bare_slot *sl = j->user_data;
		uint64_t want, got;

		if (j->status != IMB_STATUS_COMPLETED) {
			b->bad++;
			continue;
		}
		if (j->cipher_direction == IMB_DIR_ENCRYPT) {
			b->answers++;
			continue;
		}
		memcpy(&want, sl->m->tag, BARE_TAG);
		memcpy(&got, sl->tag, BARE_TAG);
		b->bad += want != got;
	}
}

/* One message: its decrypt into ring slot r, its answer's encrypt into slot r + 1. */
static void one(struct bare *b, const struct bare_msg *m, unsigned r)
{
	struct bare_slot *d = &b->ring[r], *e = &b->ring[r + 1];
	IMB_JOB *j = IMB_GET_NEXT_JOB(b->mgr);

	d->m = m;
	ccm_job(j, b->rk[m->ctx][0], m, m->ct, d->out, m->len, d->tag, false);
	j->user_data = d;
	collect(b, IMB_SUBMIT_JOB_NOCHECK(b->mgr));
	j = IMB_GET_NEXT_JOB(b->mgr);
	e->m = m;
	e->out[0] = 0x44; /* 2.04 Changed */
	ccm_job(j, b->rk[m->ctx][1], m, e->out, e->out, 1, e->tag, true);
	j->user_data = e;
	collect(b, IMB_SUBMIT_JOB_NOCHECK(b->mgr));
}

/* CPU time of this thread: rates per CPU-second stay comparable on a loaded machine, where
 * wall time mostly measures the scheduler. */
static double cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int bn_run_bare(unsigned payload, double secs, struct bn_result *r)
{
	struct bare b;
	unsigned k = 0, slot = 0;
	double t0 = 0;
	IMB_JOB *j;

	if (bare_init(&b, payload)) {
		bare_free(&b);
		return -1;
	}
	for (int lap = 0; lap < 2; lap++) { /* lap 0 warms up */
		t0 = cpu();
		b.answers = b.bad = 0;
		do {
			for (int i = 0; i < 256; i++, k = (k + 1) % BARE_MSGS,
				 slot = (slot + 2) % BARE_RING)
				one(&b, &b.msgs[k], slot);
		} while (cpu() - t0 < (lap ? secs : secs / 5));
	}
	while ((j = IMB_FLUSH_JOB(b.mgr)) != NULL)
		collect(&b, j);
	t0 = cpu() - t0;
	*r = (struct bn_result){ .mps = (double)b.answers / t0,
				 .cyc = t0 * bn_tsc_hz() / (double)(b.answers ? b.answers : 1),
				 .msgs = b.answers, .errors = b.bad };
	bare_free(&b);
	return 0;
}
