/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Echo option values (RFC 9175 §2, App. A method 2) for the App. B.1.2 replay-window recovery of
 * RFC 8613: value = expiry (4 bytes, big endian, seconds of CLOCK_MONOTONIC) ||
 * HMAC-SHA-256(key, expiry || context binding)[0:8], with a random key per boot.
 *
 * Unpredictable without the key, bound to one security context, and verifiable statelessly by
 * any worker: nothing is stored per value. A restart draws a new key, so values from before it
 * are refused (RFC 9175 App. A: losing time continuity discards old values). The value is sent
 * as an Inner option, so OSCORE protects its integrity (RFC 9175 §2.3).
 *
 * After ctl_echo_init() the state is read-only: make and verify are safe from any thread without
 * locks. (They call OpenSSL's one-shot HMAC, which may allocate internally.)
 */
#ifndef CTL_ECHO_H
#define CTL_ECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscore/osc_context.h"

#define CTL_ECHO_LEN 12             /* within the 1..40 bytes of RFC 9175 §2.2.1 */
#define CTL_ECHO_LIFETIME_DEFAULT 30 /* seconds a value stays valid */

struct ctl_echo {
	uint8_t key[32];
	uint32_t lifetime; /* seconds */
};

/* Draw a fresh random key; values live lifetime seconds (>= 1). Returns 0, or -1 if the random
 * generator failed or lifetime is 0. */
int ctl_echo_init(struct ctl_echo *e, uint32_t lifetime);

/* Zero the key. */
void ctl_echo_wipe(struct ctl_echo *e);

/* Seconds of CLOCK_MONOTONIC: the clock values are made and checked against. */
uint32_t ctl_echo_now(void);

/* A value for context c (bound to its Recipient ID and ID Context), valid until now + lifetime.
 * Returns 0, or -1 if HMAC failed. */
int ctl_echo_make(const struct ctl_echo *e, const struct osc_ctx *c, uint32_t now,
		  uint8_t out[CTL_ECHO_LEN]);

/* Did this boot's key make val[0..len) for c, and has it not expired at now? Compares the MAC
 * in constant time. */
bool ctl_echo_verify(const struct ctl_echo *e, const struct osc_ctx *c, uint32_t now,
		     const uint8_t *val, size_t len);

/* What a value is bound to: a Recipient ID and an ID Context (for a Group OSCORE member: its
 * Sender ID and the group's Gid). */
struct ctl_echo_ids {
	const uint8_t *rid, *id_ctx;
	uint8_t rid_len, id_ctx_len;
	bool has_id_ctx;
};

/* ctl_echo_make and ctl_echo_verify for the binding b instead of a context's. */
int ctl_echo_make_ids(const struct ctl_echo *e, const struct ctl_echo_ids *b, uint32_t now,
		      uint8_t out[CTL_ECHO_LEN]);
bool ctl_echo_verify_ids(const struct ctl_echo *e, const struct ctl_echo_ids *b, uint32_t now,
			 const uint8_t *val, size_t len);

#endif
