/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>

#include "tc.h"

const int tc_all_algs[] = {
	CRY_AES_CCM_16_64_128,  CRY_AES_CCM_16_64_256,  CRY_AES_CCM_64_64_128,
	CRY_AES_CCM_64_64_256,  CRY_AES_CCM_16_128_128, CRY_AES_CCM_16_128_256,
	CRY_AES_CCM_64_128_128, CRY_AES_CCM_64_128_256, CRY_A128GCM,
	CRY_A192GCM,            CRY_A256GCM,            CRY_CHACHA20_POLY1305,
};
const size_t tc_n_algs = sizeof(tc_all_algs) / sizeof(tc_all_algs[0]);

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t tc_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	if (strlen(hex) % 2 || n > cap)
		abort();
	for (size_t i = 0; i < n; i++) {
		int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			abort();
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return n;
}

uint64_t tc_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

void tc_fill(uint64_t *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(tc_rand(s) >> 32);
}

uint32_t tc_below(uint64_t *s, uint32_t bound)
{
	return (uint32_t)((tc_rand(s) >> 32) % bound);
}

void tc_msg_random(struct tc_msg *m, uint64_t *rng, int cose, uint32_t len, uint32_t aad_len)
{
	const struct cry_alg *alg = cry_alg_by_cose(cose);
	uint8_t raw[CRY_KEY_MAX];

	if (alg == NULL || len > TC_MSG_MAX || aad_len > TC_AAD_MAX)
		abort();
	tc_fill(rng, raw, sizeof(raw));
	if (cry_key_init(&m->key, alg, raw) != 0)
		abort();
	tc_fill(rng, m->nonce, sizeof(m->nonce));
	tc_fill(rng, m->aad, aad_len);
	tc_fill(rng, m->pt, len);
	m->len = len;
	m->aad_len = aad_len;
}

void tc_op(struct cry_op *op, struct tc_msg *m, enum cry_dir dir)
{
	memset(op, 0, sizeof(*op));
	op->key = &m->key;
	op->nonce = m->nonce;
	op->aad = m->aad;
	op->aad_len = m->aad_len;
	op->len = m->len;
	op->in = dir == CRY_ENCRYPT ? m->pt : m->ct;
	op->out = dir == CRY_ENCRYPT ? m->ct : m->out;
	op->tag = m->tag;
	op->dir = (uint8_t)dir;
	op->user = m;
}
