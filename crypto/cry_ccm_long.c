/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AES-CCM (RFC 3610) composed from IPsec-MB's multi-buffer AES-CBC and AES-CTR, for what IPsec-MB
 * 1.3's own CCM refuses: AAD over 46 bytes (Group OSCORE's external_aad carries two
 * authentication credentials, RFC 10021 §3.4) and payloads over 2^16 - 1 bytes with 7-byte nonces.
 *
 * CCM is CBC-MAC over B0 || encoded AAD || payload (each zero-padded to whole blocks) with IV 0,
 * then CTR: the tag is the last CBC block XOR E(A0), the payload is XORed with E(A1), E(A2), ...
 * Each message is laid out once in a per-engine arena; a whole burst of CBC jobs then fills the
 * manager's parallel lanes (the expensive, serial part of CCM), and the CTR jobs run beside them.
 * Encrypt is one pass (the arena holds a copy of the plaintext); decrypt needs two, since the
 * CBC-MAC runs over the plaintext that CTR produces first.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_internal.h"

/* Room for a burst of OSCORE messages. IPsec-MB 1.3 refuses CBC jobs of 2^16 bytes and more, so
 * that bounds one message's CBC-MAC input; bigger ops go to OpenSSL (never OSCORE traffic). */
#define ARENA (256u * 1024)
#define CBC_JOB_MAX 65520u
#define SLOTS 64

struct slot {
	struct cry_op *op;
	uint8_t *mac_in;           /* B0 || AAD blocks || payload blocks, in the arena */
	uint32_t mac_len;          /* multiple of 16 */
	alignas(16) uint8_t a0[16];
	alignas(16) uint8_t a1[16];
	alignas(16) uint8_t s0[16]; /* E(A0) */
};

struct cry_ccm_long {
	IMB_MGR *mgr;
	uint8_t *arena;
	struct slot slot[SLOTS];
};

static const alignas(16) uint8_t zero_block[16];

struct cry_ccm_long *cry_ccm_long_new(void)
{
	struct cry_ccm_long *c = calloc(1, sizeof(*c));
	IMB_ARCH arch;

	if (c == NULL)
		return NULL;
	c->mgr = alloc_mb_mgr(0);
	if (c->mgr != NULL)
		init_mb_mgr_auto(c->mgr, &arch);
	if (c->mgr == NULL || imb_get_errno(c->mgr) != 0 || posix_memalign((void **)&c->arena, 64,
									    ARENA) != 0) {
		cry_ccm_long_free(c);
		return NULL;
	}
	return c;
}

void cry_ccm_long_free(struct cry_ccm_long *c)
{
	if (c == NULL)
		return;
	if (c->mgr != NULL)
		free_mb_mgr(c->mgr);
	if (c->arena != NULL) {
		cry_wipe(c->arena, ARENA); /* plaintext copies */
		free(c->arena);
	}
	free(c);
}

static uint32_t pad16(uint64_t n)
{
	return (uint32_t)((n + 15) & ~(uint64_t)15);
}

/* RFC 3610 §2.2: AAD length as 2 bytes below 2^16 - 2^8, else 0xfffe and 4 bytes (the 4-byte
 * form never reaches the arena: CBC_JOB_MAX bounds the whole layout). */
static unsigned aad_len_field(uint32_t aad_len)
{
	return aad_len == 0 ? 0 : aad_len < 0xff00 ? 2 : 6;
}

/* Arena bytes op needs for its CBC-MAC input. */
static uint64_t mac_len(const struct cry_op *op)
{
	uint64_t n = 16 + (uint64_t)pad16(op->len);

	if (op->aad_len)
		n += pad16((uint64_t)aad_len_field(op->aad_len) + op->aad_len);
	return n;
}

bool cry_ccm_long_fits(const struct cry_op *op)
{
	return mac_len(op) <= CBC_JOB_MAX;
}

/* Big-endian n into p[0..w). */
static void put_be(uint8_t *p, unsigned w, uint64_t n)
{
	for (unsigned i = 0; i < w; i++)
		p[w - 1 - i] = (uint8_t)(n >> (8 * i));
}

/* RFC 3610 §2.3: A_i = flags (L - 1) || nonce || i in L bytes. */
static void counter_block(uint8_t a[16], const struct cry_op *op, unsigned i)
{
	unsigned nl = op->key->alg->nonce_len, L = 15 - nl;

	memset(a, 0, 16);
	a[0] = (uint8_t)(L - 1);
	memcpy(a + 1, op->nonce, nl);
	put_be(a + 1 + nl, L, i);
}

/* RFC 3610 §2.2: B0, the encoded AAD and the payload, each zero-padded to whole blocks. */
static void lay_out(struct slot *s, const uint8_t *payload)
{
	const struct cry_op *op = s->op;
	unsigned nl = op->key->alg->nonce_len, L = 15 - nl, M = op->key->alg->tag_len;
	unsigned lf = aad_len_field(op->aad_len);
	uint8_t *p = s->mac_in;

	p[0] = (uint8_t)((op->aad_len ? 0x40 : 0) | ((M - 2) / 2) << 3 | (L - 1));
	memcpy(p + 1, op->nonce, nl);
	put_be(p + 1 + nl, L, op->len);
	p += 16;
	if (op->aad_len) {
		uint32_t n = pad16((uint64_t)lf + op->aad_len);

		if (lf == 6) {
			p[0] = 0xff;
			p[1] = 0xfe;
		}
		put_be(p + lf - (lf == 6 ? 4 : 2), lf == 6 ? 4 : 2, op->aad_len);
		memcpy(p + lf, op->aad, op->aad_len);
		memset(p + lf + op->aad_len, 0, n - lf - op->aad_len);
		p += n;
	}
	if (op->len) {
		memcpy(p, payload, op->len);
		memset(p + op->len, 0, pad16(op->len) - op->len);
	}
}

/* A job's completion: any job of an op that did not complete makes the op fail. */
static void reap(IMB_JOB *job, IMB_MGR *m)
{
	for (; job != NULL; job = IMB_GET_COMPLETED_JOB(m)) {
		struct cry_op *op = job->user_data;

		if (job->status != IMB_STATUS_COMPLETED)
			op->status = CRY_ERR_BACKEND;
	}
}

static void drain(IMB_MGR *m)
{
	IMB_JOB *job;

	while ((job = IMB_FLUSH_JOB(m)) != NULL)
		reap(job, m);
}

/* One AES job: CBC (the CBC-MAC: encryption in place with IV 0, the last block is the MAC) or
 * CTR (from the full counter block iv), in[0..len) into out. */
static void submit(IMB_MGR *m, IMB_CIPHER_MODE mode, struct cry_op *op, const uint8_t *iv,
		   const uint8_t *in, uint8_t *out, uint32_t len)
{
	IMB_JOB *job = IMB_GET_NEXT_JOB(m);

	memset(job, 0, sizeof(*job));
	job->cipher_mode = mode;
	job->hash_alg = IMB_AUTH_NULL;
	job->chain_order = IMB_ORDER_CIPHER_HASH;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->enc_keys = job->dec_keys = op->rk;
	job->key_len_in_bytes = op->key->alg->key_len;
	job->src = in;
	job->dst = out;
	job->msg_len_to_cipher_in_bytes = len;
	job->iv = iv;
	job->iv_len_in_bytes = 16;
	job->user_data = op;
	reap(IMB_SUBMIT_JOB(m), m);
}

static void submit_cbc(IMB_MGR *m, struct slot *s)
{
	submit(m, IMB_CIPHER_CBC, s->op, zero_block, s->mac_in, s->mac_in, s->mac_len);
}

/* The keystream jobs: E(A0) for the tag, and the payload from A1. */
static void submit_ctrs(IMB_MGR *m, struct slot *s)
{
	struct cry_op *op = s->op;

	counter_block(s->a0, op, 0);
	counter_block(s->a1, op, 1);
	submit(m, IMB_CIPHER_CNTR, op, s->a0, zero_block, s->s0, 16);
	if (op->len)
		submit(m, IMB_CIPHER_CNTR, op, s->a1, op->in, op->out, op->len);
}

/* Tag = CBC-MAC XOR E(A0) (RFC 3610 §2.3), compared in constant time on decrypt. */
static void finish(struct slot *s)
{
	struct cry_op *op = s->op;
	const uint8_t *mac = s->mac_in + s->mac_len - 16;
	unsigned M = op->key->alg->tag_len;
	bool enc = op->dir == CRY_ENCRYPT;
	uint8_t *t = enc ? op->tag : op->tag_calc;

	if (op->status == CRY_PENDING) {
		for (unsigned i = 0; i < M; i++)
			t[i] = mac[i] ^ s->s0[i];
		op->status = enc || cry_ct_equal(op->tag_calc, op->tag, M) ? CRY_OK : CRY_ERR_AUTH;
	}
	if (op->status != CRY_OK && !enc) {
		cry_wipe(op->out, op->len);
		cry_wipe(op->tag_calc, sizeof(op->tag_calc));
	}
	cry_wipe(s->s0, sizeof(s->s0));
}

/* One chunk whose layouts fit the arena together: pass 1 (encrypt: everything; decrypt: CTR),
 * pass 2 (decrypt: CBC-MAC over the plaintext pass 1 produced). */
static void run_chunk(struct cry_ccm_long *c, unsigned n)
{
	bool decrypts = false;

	for (unsigned i = 0; i < n; i++) {
		struct slot *s = &c->slot[i];

		if (s->op->dir == CRY_ENCRYPT) {
			lay_out(s, s->op->in); /* before CTR may overwrite an in-place plaintext */
			submit_cbc(c->mgr, s);
		} else {
			decrypts = true;
		}
		submit_ctrs(c->mgr, s);
	}
	drain(c->mgr);
	for (unsigned i = 0; decrypts && i < n; i++) {
		struct slot *s = &c->slot[i];

		if (s->op->dir == CRY_DECRYPT && s->op->status == CRY_PENDING) {
			lay_out(s, s->op->out);
			submit_cbc(c->mgr, s);
		}
	}
	drain(c->mgr);
	for (unsigned i = 0; i < n; i++)
		finish(&c->slot[i]);
}

void cry_ccm_long_run(struct cry_ccm_long *c, struct cry_op **ops, unsigned n)
{
	unsigned i = 0;

	while (i < n) {
		size_t used = 0;
		unsigned k = 0;

		/* Every op fits alone (cry_ccm_long_fits), so each chunk takes at least one. */
		while (i < n && k < SLOTS && used + mac_len(ops[i]) <= ARENA) {
			struct slot *s = &c->slot[k++];

			s->op = ops[i++];
			s->op->status = CRY_PENDING;
			s->mac_in = c->arena + used;
			s->mac_len = (uint32_t)mac_len(s->op);
			used += s->mac_len;
		}
		run_chunk(c, k);
		cry_wipe(c->arena, used); /* plaintext copies do not outlive the call */
	}
}
