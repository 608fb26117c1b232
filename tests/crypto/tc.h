/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the crypto tests: hex vectors, a reproducible PRNG, op set-up. */
#ifndef TC_H
#define TC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/cry_aead.h"

/* Parse hex into out (room for cap bytes); returns the byte count. Aborts on bad input. */
size_t tc_hex(const char *hex, uint8_t *out, size_t cap);

/* xorshift64*: the same sequence on every run, so a failure reproduces. */
uint64_t tc_rand(uint64_t *state);
void tc_fill(uint64_t *state, uint8_t *p, size_t n);
uint32_t tc_below(uint64_t *state, uint32_t bound);

/* All OSCORE AEAD algorithms of the table, in table order. */
extern const int tc_all_algs[];
extern const size_t tc_n_algs;

/* One message with its own buffers, big enough for the largest test message. */
#define TC_MSG_MAX 2100
#define TC_AAD_MAX 640
struct tc_msg {
	struct cry_key key;
	uint8_t nonce[CRY_NONCE_MAX];
	uint8_t aad[TC_AAD_MAX];
	uint8_t pt[TC_MSG_MAX];
	uint8_t ct[TC_MSG_MAX];
	uint8_t out[TC_MSG_MAX];
	uint8_t tag[CRY_TAG_MAX];
	uint32_t len, aad_len;
};

/* A random key, nonce, AAD and plaintext for alg. Caller wipes m->key. */
void tc_msg_random(struct tc_msg *m, uint64_t *rng, int cose, uint32_t len, uint32_t aad_len);

/* An op over m's buffers: encrypt pt -> ct/tag, or decrypt ct/tag -> out. */
void tc_op(struct cry_op *op, struct tc_msg *m, enum cry_dir dir);

#endif
