/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * COSE (RFC 9052 structures, RFC 9053 algorithms): the single-recipient messages COSE_Encrypt0,
 * COSE_Mac0 and COSE_Sign1, tagged or untagged, their to-be-authenticated structures, and
 * COSE_Key. Used for ACE access tokens (RFC 8392 CWTs), and by EDHOC and Group OSCORE.
 *
 * Decoding goes through cry_cbor_dec (libcbor behind limits); encoding through cry_cbor.
 * AEAD is the project's cry_aead (OpenSSL path, one message at a time), signatures cry_sig,
 * HMAC cry_hkdf's. MAC tags are compared in constant time.
 * Control-plane code: calls allocate. Errors are negative errno values:
 * -EBADMSG malformed or not the structure asked for; -ENOTSUP an algorithm, header or feature
 * this layer does not do (detached payload, critical header it does not know); -EACCES the tag,
 * MAC or signature did not verify; -EINVAL bad arguments (key of the wrong size or kind);
 * -ENOSPC an output buffer too small; -ENOMEM; -EIO a crypto library failure.
 */
#ifndef CRY_COSE_H
#define CRY_COSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

#include "crypto/cry_cbor_dec.h"
#include "crypto/cry_sig.h"

/* CBOR tags of the messages (RFC 9052 §2, Table 1), also used as the message type. */
enum cry_cose_type {
	CRY_COSE_ENCRYPT0 = 16,
	CRY_COSE_MAC0 = 17,
	CRY_COSE_SIGN1 = 18,
};
#define CRY_COSE_ACCEPT(t) (1u << ((t) - CRY_COSE_ENCRYPT0))
/* Also accept the message inside the CWT tag 61 (RFC 8392 §6), as RFC 8392 A.4 is sent. */
#define CRY_COSE_ACCEPT_CWT_TAG (1u << 8)
#define CRY_CWT_TAG 61

/* Common header parameters (RFC 9052 §3.1; kid context RFC 8613 §6.1; kccs RFC 9528 §10.6). */
enum cry_cose_hdr {
	CRY_COSE_HDR_ALG = 1,
	CRY_COSE_HDR_CRIT = 2,
	CRY_COSE_HDR_CTY = 3,
	CRY_COSE_HDR_KID = 4,
	CRY_COSE_HDR_IV = 5,
	CRY_COSE_HDR_PARTIAL_IV = 6,
	CRY_COSE_HDR_KID_CONTEXT = 10,
	CRY_COSE_HDR_KCWT = 13,
	CRY_COSE_HDR_KCCS = 14,
};

/* MAC algorithms (RFC 9053 §3.1). AEAD ones are enum cry_cose_alg, signatures enum cry_sig_alg. */
enum cry_cose_mac_alg {
	CRY_COSE_HMAC256_64 = 4,
	CRY_COSE_HMAC256_256 = 5,
};

/* COSE_Key labels (RFC 9052 §7.1, RFC 9053 §7.1, §7.2, §6.1). */
enum cry_cose_key_label {
	CRY_COSE_KEY_KTY = 1,
	CRY_COSE_KEY_KID = 2,
	CRY_COSE_KEY_ALG = 3,
	CRY_COSE_KEY_CRV = -1,
	CRY_COSE_KEY_X = -2,
	CRY_COSE_KEY_Y = -3,
	CRY_COSE_KEY_D = -4,
	CRY_COSE_KEY_K = -1, /* Symmetric kty only: the same label as crv */
};

/*
 * A received message, decoded. Pointers point into the decoded trees the struct owns, and stay
 * valid until cry_cose_msg_free. The header fields are read from the protected map first, then
 * the unprotected one (a label in both is refused, RFC 9052 §3).
 */
struct cry_cose_msg {
	int type;                     /* enum cry_cose_type */
	int alg;                      /* header 1; 0 if absent (RFC 9052 leaves it optional) */
	const uint8_t *kid;           /* header 4, NULL if absent */
	size_t kid_len;
	const uint8_t *iv;            /* header 5, NULL if absent */
	size_t iv_len;
	const uint8_t *prot;          /* the protected bucket's bytes exactly as received */
	size_t prot_len;
	const uint8_t *content;       /* payload; for Encrypt0 the ciphertext with its tag */
	size_t content_len;
	const uint8_t *tag;           /* Mac0 tag or Sign1 signature; NULL for Encrypt0 */
	size_t tag_len;
	const cbor_item_t *prot_map;  /* decoded protected map (an empty map if prot_len is 0) */
	const cbor_item_t *unprot_map;
	cbor_item_t *root_;           /* owned */
	cbor_item_t *prot_root_;      /* owned */
};

/*
 * Decode a COSE message from buf[0..len) within lim. accept is a mask of CRY_COSE_ACCEPT(type).
 * A tagged message (16/17/18) must be of an accepted type; with CRY_COSE_ACCEPT_CWT_TAG in accept,
 * one outer tag 61 is skipped first. An untagged one is typed by its
 * shape: 3 elements is Encrypt0; 4 elements is Mac0 or Sign1, whichever single one of the two is
 * accepted (both accepted and untagged: -EBADMSG, the bytes cannot tell them apart).
 * Checks: protected bucket a bstr holding a map (or empty), unprotected a map, no label in both,
 * alg an int, kid and IV bstr, crit (RFC 9052 §3.1) only naming labels this layer processes
 * (alg, crit, content type, kid, IV, kid context), payload present (detached: -ENOTSUP).
 * On error m holds nothing to free (cry_cose_msg_free is still safe).
 */
int cry_cose_decode(struct cry_cose_msg *m, const uint8_t *buf, size_t len, unsigned accept,
		    const struct cry_cbor_limits *lim);

/* Release what cry_cose_decode allocated; safe on a zeroed or already freed struct. */
void cry_cose_msg_free(struct cry_cose_msg *m);

/* The value of header label (protected map first), or NULL. */
const cbor_item_t *cry_cose_header(const struct cry_cose_msg *m, int64_t label);

/*
 * The to-be-authenticated structures, written into out[0..cap); each returns the length or
 * -ENOSPC. prot is the protected bucket's content (may be empty); the external_aad is given
 * raw and wrapped as a bstr here.
 * Enc_structure (RFC 9052 §5.3): [context, prot, external_aad], context "Encrypt0" for
 * COSE_Encrypt0 (EDHOC and OSCORE use it as the AEAD's AAD).
 */
int cry_cose_enc_structure(uint8_t *out, size_t cap, const char *context, const uint8_t *prot,
			   size_t prot_len, const uint8_t *ext_aad, size_t ext_len);

/* Sig_structure (RFC 9052 §4.4, context "Signature1") and MAC_structure (§6.3, "MAC0"):
 * [context, prot, external_aad, payload]. */
int cry_cose_tbs_structure(uint8_t *out, size_t cap, const char *context, const uint8_t *prot,
			   size_t prot_len, const uint8_t *ext_aad, size_t ext_len,
			   const uint8_t *payload, size_t payload_len);

/*
 * Encrypt0 (RFC 9052 §5.3): decrypt m with key[0..key_len) (its length must be the algorithm's)
 * and the IV of m's header. m->alg must be an AEAD of cry_alg_by_cose (10, 30 and 1 among them).
 * out[0..cap) receives the plaintext; *out_len its length. On -EACCES out is zeroed.
 */
int cry_cose_encrypt0_open(const struct cry_cose_msg *m, const uint8_t *key, size_t key_len,
			   const uint8_t *ext_aad, size_t ext_len, uint8_t *out, size_t cap,
			   size_t *out_len);

/* Mac0 (RFC 9052 §6.3): verify m's tag with HMAC 256/64 or 256/256. 0 or -EACCES. */
int cry_cose_mac0_verify(const struct cry_cose_msg *m, const uint8_t *key, size_t key_len,
			 const uint8_t *ext_aad, size_t ext_len);

/* Sign1 (RFC 9052 §4.4): verify m's signature (ES256 or EdDSA as m->alg says) with k. */
int cry_cose_sign1_verify(const struct cry_cose_msg *m, const struct cry_pkey *k,
			  const uint8_t *ext_aad, size_t ext_len);

/*
 * What the builders put in the headers: protected {1: alg}, unprotected {4: kid} when kid is
 * given and {5: iv} for Encrypt0 (iv_len must be the algorithm's nonce length; the caller makes
 * it unique per key, RFC 9052 §5.3 / RFC 9053 §4). tagged adds the CBOR tag 16/17/18.
 */
struct cry_cose_params {
	int alg;
	const uint8_t *kid;
	size_t kid_len;
	const uint8_t *iv;
	size_t iv_len;
	const uint8_t *ext_aad;
	size_t ext_len;
	bool tagged;
};

/* Build an Encrypt0 of pt[0..pt_len) into out[0..cap). Returns the length or a negative errno. */
int cry_cose_encrypt0_seal(const struct cry_cose_params *p, const uint8_t *key, size_t key_len,
			   const uint8_t *pt, size_t pt_len, uint8_t *out, size_t cap);

/* Build a Mac0 over payload[0..len) into out[0..cap). Returns the length or a negative errno. */
int cry_cose_mac0_create(const struct cry_cose_params *p, const uint8_t *key, size_t key_len,
			 const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

/* Build a Sign1 over payload[0..len) into out[0..cap). Returns the length or a negative errno. */
int cry_cose_sign1_create(const struct cry_cose_params *p, const struct cry_pkey *k,
			  const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

/*
 * A COSE_Key (RFC 9052 §7), decoded. Pointers point into the tree it was read from.
 * kty OKP/EC2: crv, x, y (EC2; or y_sign when y was sent as a bool), d. Symmetric: k.
 */
struct cry_cose_key {
	int kty;
	int alg;  /* 0 if absent */
	int crv;
	const uint8_t *kid;
	size_t kid_len;
	const uint8_t *x, *y, *d, *k;
	size_t x_len, y_len, d_len, k_len;
	int y_sign;
};

/*
 * Read the COSE_Key map it. Checks kty (1, 2 or 4), the parameters kty requires (OKP: crv and x
 * or d; EC2: crv, x and y or d; Symmetric: k), their CBOR types. Does not check the curve math
 * (cry_cose_key_pkey does). Returns 0, -EBADMSG or -ENOTSUP (another kty).
 */
int cry_cose_key_read(const cbor_item_t *it, struct cry_cose_key *key);

/* The asymmetric key of an OKP or EC2 COSE_Key (cry_pkey_from_coords). */
int cry_cose_key_pkey(const struct cry_cose_key *key, struct cry_pkey **out);

/*
 * Encode a COSE_Key map for key into out[0..cap): kty, kid if set, alg if set, and the
 * parameters present (crv/x/y/d or k). Returns the length, or -ENOSPC / -EINVAL.
 */
int cry_cose_key_write(const struct cry_cose_key *key, uint8_t *out, size_t cap);

#endif
