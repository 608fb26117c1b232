/* SPDX-License-Identifier: BSD-3-Clause */
/* The OSCORE option value (RFC 8613 §6.1): flags, Partial IV, kid context, kid. */
#ifndef OSC_OPTION_H
#define OSC_OPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum osc_opt_flag {
	OSC_FLAG_PIV_MASK = 0x07, /* n: Partial IV length, 6 and 7 reserved */
	OSC_FLAG_KID = 0x08,      /* k */
	OSC_FLAG_KID_CTX = 0x10,  /* h */
	OSC_FLAG_GROUP = 0x20,    /* Group OSCORE (RFC 10021); reserved in plain OSCORE */
	OSC_FLAG_RESERVED = 0xe0, /* must be zero in plain OSCORE (§6.1) */
};

#define OSC_PIV_MAX 5
#define OSC_OPTION_MAX 255 /* the option's length limit (§2) */

struct osc_option {
	const uint8_t *kid;     /* valid when has_kid; may be empty */
	const uint8_t *kid_ctx; /* valid when has_kid_ctx; may be empty */
	uint8_t piv[OSC_PIV_MAX];
	uint8_t piv_len;        /* 0 = no Partial IV */
	uint8_t kid_len;
	uint8_t kid_ctx_len;
	bool has_kid;
	bool has_kid_ctx;
	uint8_t ext_flags;      /* extension bits that were set and allowed (OSC_FLAG_GROUP) */
};

enum osc_option_err {
	OSC_OPT_OK = 0,
	OSC_OPT_ERR_RESERVED,  /* reserved flag bits set */
	OSC_OPT_ERR_PIV_LEN,   /* n = 6 or 7 */
	OSC_OPT_ERR_TRUNCATED, /* Partial IV or kid context runs past the value */
	OSC_OPT_ERR_TRAILING,  /* bytes left over with k = 0 */
	OSC_OPT_ERR_ZERO,      /* a single 0x00 byte: all-zero flags must be sent as an empty value (§2) */
	OSC_OPT_ERR_TOO_LONG,  /* value longer than 255 bytes */
};

/*
 * Decode the option value val[0..len) into o (kid and kid_ctx point into val). allowed_flags names
 * the extension bits the caller accepts (0 for plain OSCORE, OSC_FLAG_GROUP for Group OSCORE); only
 * OSC_FLAG_GROUP is understood, other bits of allowed_flags are ignored (0x80 would announce a second
 * flags byte, which this decoder does not parse). A set, allowed bit is reported in o->ext_flags.
 * Returns OSC_OPT_OK or an enum osc_option_err.
 */
int osc_option_decode(struct osc_option *o, const uint8_t *val, size_t len, uint8_t allowed_flags);

/*
 * Encode o into out[0..cap). All-zero flags give an empty value. Returns the length, or -1 if it
 * does not fit cap or OSC_OPTION_MAX, or piv_len > 5, or ext_flags has a bit other than
 * OSC_FLAG_GROUP.
 */
int osc_option_encode(uint8_t *out, size_t cap, const struct osc_option *o);

/* A short constant description of an enum osc_option_err. */
const char *osc_option_strerror(int err);

/* Partial IV bytes of a sequence number: big endian, leading zeros stripped, 0 -> one 0x00 byte
 * (§6.1). Writes at most 5 bytes; returns the length, or 0 if ssn > 2^40 - 1. */
unsigned osc_piv_from_ssn(uint8_t out[OSC_PIV_MAX], uint64_t ssn);

/* The sequence number a Partial IV of len (0-5) bytes encodes; len > 5 gives UINT64_MAX, which no
 * valid sequence number equals. */
uint64_t osc_piv_to_ssn(const uint8_t *piv, size_t len);

#endif
