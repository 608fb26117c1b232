/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Asymmetric primitives on OpenSSL 3 EVP_PKEY: keys built from raw COSE_Key coordinates
 * (RFC 9053 §7), ES256 and EdDSA signatures in the byte forms COSE puts on the wire (RFC 9053
 * §2.1, §2.2), and ECDH over X25519 and P-256 as EDHOC (RFC 9528) and Group OSCORE use it.
 *
 * Control-plane code: every call may allocate. Not for worker lcores.
 * Errors are negative errno values: -EINVAL (bad arguments, a point not on the curve, a key of
 * the wrong curve for the operation), -EBADMSG (a signature that does not verify), -ENOMEM,
 * -EIO (OpenSSL refused for another reason). Private material is never logged.
 */
#ifndef CRY_SIG_H
#define CRY_SIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* COSE signature algorithms (RFC 9053 §2.1, §2.2). */
enum cry_sig_alg {
	CRY_SIG_ES256 = -7,  /* ECDSA P-256 with SHA-256; signature is raw r || s, 64 bytes */
	CRY_SIG_EDDSA = -8,  /* EdDSA; here only with Ed25519 (pure, no context) */
};

/* COSE key types (RFC 9053 §7, RFC 9052 §7.1). */
enum cry_kty {
	CRY_KTY_OKP = 1,
	CRY_KTY_EC2 = 2,
	CRY_KTY_SYMMETRIC = 4,
};

/* COSE elliptic curves (RFC 9053 §7.1) that this layer implements. */
enum cry_crv {
	CRY_CRV_P256 = 1,    /* EC2 */
	CRY_CRV_X25519 = 4,  /* OKP, ECDH only */
	CRY_CRV_ED25519 = 6, /* OKP, EdDSA only */
};

#define CRY_SIG_COORD_LEN 32 /* every coordinate and private key of the three curves */
#define CRY_SIG_LEN 64       /* ES256 r || s and Ed25519 signatures alike */
#define CRY_ECDH_LEN 32      /* X25519 output; P-256 shared x-coordinate */

/* An asymmetric key (public, or private with its public part). Opaque; free with cry_pkey_free. */
struct cry_pkey;

/*
 * Raw COSE_Key coordinates of one key (RFC 9053 §7.1.1 EC2, §7.2 OKP), lengths in bytes.
 * x:  OKP public key / EC2 x-coordinate; may be NULL when d is given (the public part is then
 *     derived from d).
 * y:  EC2 only. NULL selects the compressed point 0x02/0x03 || x with the parity in y_sign
 *     (RFC 9052 §7.1.1 lets y be a bool). For ECDH any y gives the same shared x-coordinate,
 *     which is why EDHOC (RFC 9528 §3.7) sends x alone; for verifying a signature the sign matters.
 * d:  the private key, or NULL for a public key.
 */
struct cry_coords {
	int crv; /* enum cry_crv */
	const uint8_t *x;
	size_t x_len;
	const uint8_t *y;
	size_t y_len;
	const uint8_t *d;
	size_t d_len;
	int y_sign; /* 0 even, 1 odd; only with crv P-256 and y == NULL */
};

/*
 * Build a key from coordinates. Every length must be CRY_SIG_COORD_LEN. A P-256 point must lie
 * on the curve and d must be in [1, n-1]; when d and x (and y) are both given they must describe
 * the same key (a mismatch is -EINVAL, so that a miscopied configuration fails at load, not at
 * the first handshake). On success *out owns a new key; on error *out is NULL.
 */
int cry_pkey_from_coords(struct cry_pkey **out, const struct cry_coords *c);

/* A fresh random key pair on crv (OpenSSL's CSPRNG). Returns 0, -EINVAL or -EIO. */
int cry_pkey_generate(struct cry_pkey **out, int crv);

/*
 * The public coordinates: x[0..32) always, y[0..32) for P-256 (y may be NULL for OKP curves,
 * and must be non-NULL for P-256). Returns 0, -EINVAL or -EIO.
 */
int cry_pkey_export_public(const struct cry_pkey *k, uint8_t *x, uint8_t *y);

/* The curve (enum cry_crv) of k. */
int cry_pkey_crv(const struct cry_pkey *k);

/* True if k holds a private key. */
bool cry_pkey_has_private(const struct cry_pkey *k);

/* Free k (OpenSSL clears private material). NULL is allowed. */
void cry_pkey_free(struct cry_pkey *k);

/*
 * Sign msg[0..len) with alg (ES256 needs a P-256 key, EdDSA an Ed25519 key, both private).
 * sig[0..CRY_SIG_LEN) receives the signature: for ES256 the fixed-length big-endian r || s of
 * RFC 9053 §2.1 (not DER); for EdDSA the RFC 8032 signature. Returns 0 or a negative errno.
 * A key may be used by several threads at once.
 */
int cry_sign(const struct cry_pkey *k, int alg, const uint8_t *msg, size_t len, uint8_t *sig);

/*
 * Verify sig[0..sig_len) over msg[0..len) with alg and the public part of k.
 * Returns 0 if valid, -EBADMSG if not (also for a signature of the wrong length or with r or s
 * out of range), -EINVAL if k does not fit alg, -EIO on an OpenSSL failure.
 */
int cry_verify(const struct cry_pkey *k, int alg, const uint8_t *msg, size_t len,
	       const uint8_t *sig, size_t sig_len);

/*
 * ECDH: out[0..CRY_ECDH_LEN) = the shared secret of own (private) and peer (public), both on the
 * same curve, X25519 (RFC 7748 §6.1) or P-256 (the x-coordinate, RFC 9053 §6.3.1 / SEC 1).
 * An all-zero X25519 result (a low-order peer point) is refused with -EINVAL (RFC 7748 §6.1).
 * Returns 0 or a negative errno; on error out is zeroed.
 */
int cry_ecdh(const struct cry_pkey *own, const struct cry_pkey *peer, uint8_t *out);

#endif
