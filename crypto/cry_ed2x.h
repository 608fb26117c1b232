/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ed25519 keys used for X25519 ECDH (RFC 10021 §2.5.2: Group OSCORE's pairwise keys when the
 * members' credentials carry EdDSA keys). OpenSSL has no such conversion, so the birational map
 * of RFC 7748 §4.1 is computed here with BIGNUM. Control-plane code: may allocate.
 */
#ifndef CRY_ED2X_H
#define CRY_ED2X_H

#include <stdint.h>

/*
 * The X25519 public key u[0..32) (little endian) of the Ed25519 public key ed[0..32):
 * u = (1 + y) / (1 - y) mod 2^255 - 19, y being ed without its sign bit. Returns 0, or -EINVAL
 * if y is not canonical (y >= p) or y = 1 (the map's pole; y = -1 maps to u = 0, the low-order
 * point, and is refused too), -ENOMEM / -EIO if BIGNUM fails.
 */
int cry_ed25519_pub_to_x25519(const uint8_t ed[32], uint8_t u[32]);

/*
 * The X25519 private key of the Ed25519 private key seed[0..32) (RFC 8032 §5.1.5): the first 32
 * bytes of SHA-512(seed), which X25519 clamps on use exactly as Ed25519 does. Returns 0 or -EIO.
 */
int cry_ed25519_priv_to_x25519(const uint8_t seed[32], uint8_t d[32]);

#endif
