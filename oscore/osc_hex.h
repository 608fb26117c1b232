/* SPDX-License-Identifier: BSD-3-Clause */
/* Hex text to bytes, strictly (no spaces, no 0x, no sign): configs, the command line, telemetry. */
#ifndef OSC_HEX_H
#define OSC_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of hex digit c (either case), or -1. */
int osc_hex_nibble(char c);

/* Decode s[0..n) into out[0..cap). Returns the byte count, or -1 if n is odd, a character is
 * not a hex digit, or the bytes do not fit cap. */
int osc_hex_decode(const char *s, size_t n, uint8_t *out, size_t cap);

#endif
