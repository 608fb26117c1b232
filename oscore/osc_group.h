/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group OSCORE (RFC 10021) security context: the Common and Sender Context of one group
 * (struct osc_group) and a Recipient Context per other member (struct osc_member), derived as
 * §2.3 says, with the pairwise keys of §2.5 and the Signature Encryption Key of §2.1.9.
 *
 * Derivation, signing and ECDH allocate (OpenSSL EVP_PKEY) and belong on the control plane; the
 * keys the workers' AEAD uses are plain struct cry_key, like an RFC 8613 context's.
 */
#ifndef OSC_GROUP_H
#define OSC_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cry_aead.h"
#include "crypto/cry_sig.h"
#include "oscore/osc_context.h"
#include "oscore/osc_option.h"
#include "oscore/osc_replay.h"

/* Authentication credentials (§2.4) are opaque bytes, e.g. a CWT Claims Set; this bounds them. */
#define OSC_CRED_MAX 256
/* Pairwise Key Agreement Algorithms (§2.1.10): ECDH-SS + HKDF-256 / HKDF-512 (RFC 9053 §6.3.1). */
enum osc_pairwise_ka { OSC_ECDH_SS_HKDF_256 = -27, OSC_ECDH_SS_HKDF_512 = -28 };

/* What a group is derived from: what a Group Manager hands a member (group-mgmt.md). */
struct osc_group_params {
	const struct cry_alg *group_enc; /* Group Encryption Algorithm; NULL = no group mode */
	int sig_alg;                     /* enum cry_sig_alg; required with group_enc */
	const struct cry_alg *aead;      /* AEAD Algorithm; NULL = no pairwise mode */
	int pairwise_ka;                 /* enum osc_pairwise_ka; required with aead */
	int hkdf;                        /* enum cry_hkdf_alg; 0 = HKDF-SHA-256 */
	int crv;                         /* members' key curve: CRY_CRV_ED25519 (EdDSA; ECDH after
					  * §2.5.2's mapping), CRY_CRV_P256 (ES256, ECDH P-256), or
					  * CRY_CRV_X25519 (pairwise mode only) */
	unsigned replay_window;          /* 0 = OSC_REPLAY_DEFAULT */
	uint8_t secret[OSC_SECRET_MAX];
	uint8_t salt[OSC_SALT_MAX];
	uint8_t gid[OSC_ID_CTX_MAX];     /* Group Identifier = ID Context (§2.1.3) */
	uint8_t sender_id[OSC_ID_MAX];
	uint8_t secret_len, salt_len, gid_len, sender_id_len;
	uint8_t priv[CRY_SIG_COORD_LEN]; /* own private key: Ed25519 seed, P-256 d, X25519 scalar */
	const uint8_t *cred;             /* own authentication credential, as distributed */
	size_t cred_len;
	const uint8_t *gm_cred;          /* the Group Manager's; NULL = no Group Manager (null) */
	size_t gm_cred_len;
};

/* A member as the Group Manager describes it: Sender ID, credential, and the public key in it. */
struct osc_member_params {
	uint8_t id[OSC_ID_MAX];
	uint8_t id_len;
	const uint8_t *cred;
	size_t cred_len;
	const uint8_t *x;                /* the credential's public key: OKP x, or EC2 x ... */
	const uint8_t *y;                /* ... and y (P-256 only) */
};

/* Common Context and Sender Context (§2.1, §2.2). */
struct osc_group {
	const struct cry_alg *group_enc, *aead;
	int sig_alg, pairwise_ka, hkdf, crv;
	unsigned replay_window;
	struct cry_key sender_key;       /* group mode: Sender Key under the Group Encryption Alg. */
	uint64_t ssn;                    /* one SSN space for group and pairwise mode (§2.5.3) */
	uint64_t ssn_limit;              /* as struct osc_ctx's: App. B.1.1 write-ahead */
	uint8_t sender_key_raw[CRY_KEY_MAX]; /* salt of the Pairwise Sender Keys (§2.5.1) */
	uint8_t sekey[CRY_KEY_MAX];      /* Signature Encryption Key (§2.1.9) */
	uint8_t common_iv[CRY_NONCE_MAX];
	uint8_t key_len, sekey_len, iv_len, sig_len;
	uint8_t gid[OSC_ID_CTX_MAX];
	uint8_t sender_id[OSC_ID_MAX];
	uint8_t gid_len, sender_id_len;
	uint8_t secret[OSC_SECRET_MAX], salt[OSC_SALT_MAX];
	uint8_t secret_len, salt_len;
	struct cry_pkey *sign_key;       /* own private key for signing; NULL without group mode */
	struct cry_pkey *dh_key;         /* own ECDH key; NULL without pairwise mode */
	uint8_t cred[OSC_CRED_MAX], gm_cred[OSC_CRED_MAX];
	uint16_t cred_len, gm_cred_len;
	bool has_gm_cred;
};

/* Recipient Context of one other member (§2.2, §2.5). */
struct osc_member {
	const struct osc_group *g;
	struct cry_key recipient_key;    /* group mode: the member's Sender Key */
	struct cry_key pw_sender_key;    /* pairwise mode: ours towards the member */
	struct cry_key pw_recipient_key; /* pairwise mode: the member's towards us */
	struct cry_pkey *pub;            /* verifies the member's signatures */
	uint8_t id[OSC_ID_MAX];
	uint8_t id_len;
	uint16_t cred_len;
	uint8_t cred[OSC_CRED_MAX];
	struct osc_replay replay;
};

enum osc_group_err {
	OSC_GROUP_OK = 0,
	OSC_GROUP_ERR_ALG = -1,    /* unknown or incomplete algorithm set, or no mode at all */
	OSC_GROUP_ERR_ID = -2,     /* ID longer than the smaller nonce length - 6 (§2.2) */
	OSC_GROUP_ERR_PARAM = -3,  /* empty secret, credential too long, window out of range */
	OSC_GROUP_ERR_KEY = -4,    /* private or public key unusable (not on the curve, mismatch) */
	OSC_GROUP_ERR_CRYPTO = -5, /* HKDF, ECDH or key expansion failed */
};

/*
 * Derive g from p (§2.3): Sender Key, Common IV (as long as the longer nonce of the algorithms
 * set), Signature Encryption Key, and load the own private key. SSN 0, no limit.
 * Returns OSC_GROUP_OK or a negative enum osc_group_err; g holds nothing on failure.
 */
int osc_group_derive(struct osc_group *g, const struct osc_group_params *p);

/* Release g's keys (zeroed). Members derived from g must be wiped first. */
void osc_group_wipe(struct osc_group *g);

/*
 * Derive member m of g from mp: Recipient Key, and with pairwise mode the Pairwise Sender and
 * Recipient Keys from ECDH of our private key and the member's public key (§2.5.1; Ed25519 keys
 * mapped to X25519, §2.5.2), with both credentials in the IKM. An empty replay window.
 * A member whose Sender ID is our own is refused (OSC_GROUP_ERR_ID). g must outlive m.
 */
int osc_member_derive(struct osc_member *m, const struct osc_group *g,
		      const struct osc_member_params *mp);

/* Release m's keys (zeroed). */
void osc_member_wipe(struct osc_member *m);

/* A short constant description of an enum osc_group_err. */
const char *osc_group_strerror(int err);

/* Nonce length of the algorithm of a mode: group (Group Encryption Alg.) or pairwise (AEAD). */
static inline const struct cry_alg *osc_group_alg(const struct osc_group *g, bool group_mode)
{
	return group_mode ? g->group_enc : g->aead;
}

/*
 * external_aad of §3.4, which the AEAD (both modes) and the countersignature (group mode) cover:
 * aad_array = [1, [alg_aead, alg_group_enc, alg_signature, alg_pairwise_key_agreement] (null when
 * unset), request_kid, request_piv, options h'', request_kid_context, OSCORE_option, sender_cred,
 * gm_cred (null without a Group Manager)].
 */
struct osc_group_aad_in {
	const uint8_t *kid;           /* the request's kid, Partial IV and kid context (Gid) */
	size_t kid_len;
	const uint8_t *piv;
	size_t piv_len;
	const uint8_t *kid_ctx;
	size_t kid_ctx_len;
	const uint8_t *option;        /* this message's OSCORE option value, final */
	size_t option_len;
	const uint8_t *sender_cred;   /* this message's sender's credential */
	size_t sender_cred_len;
};

/* The longest aad_array, and its Enc_structure ["Encrypt0", h'', bstr(aad_array)]. */
#define OSC_GROUP_ARRAY_MAX (48 + OSC_ID_MAX + OSC_PIV_MAX + OSC_ID_CTX_MAX + 255 + 2 * OSC_CRED_MAX)
#define OSC_GROUP_AAD_MAX (OSC_GROUP_ARRAY_MAX + 16)

/* aad_array into out[0..cap). Returns its length or -1 if it does not fit. */
int osc_group_aad_array(uint8_t *out, size_t cap, const struct osc_group *g,
			const struct osc_group_aad_in *in);

/*
 * The AEAD's AAD (Enc_structure, RFC 9052 §5.3) into out[0..OSC_GROUP_AAD_MAX); aad_array is its
 * tail, at out + *arr_off (arr_off may be NULL). Returns the length or -1.
 */
int osc_group_aad(uint8_t out[OSC_GROUP_AAD_MAX], const struct osc_group *g,
		  const struct osc_group_aad_in *in, size_t *arr_off);

/*
 * The countersignature's ToBeSigned into out[0..cap): ["CounterSignature0", h'', h'',
 * bstr(aad_array), bstr(ciphertext incl. tag)]. Returns the length or -1.
 * Five elements, not RFC 9338 §3.3's four for the abbreviated form: aiocoap and Californium, the
 * implementations that interoperate on Group OSCORE, sign the five-element array with an empty
 * sign_protected, and a member that signs the four-element one is refused by all of them
 * (group-oscore-vectors.txt B.2 lists both signatures).
 */
int osc_group_tbs(uint8_t *out, size_t cap, const uint8_t *arr, size_t arr_len,
		  const uint8_t *ct, size_t ct_len);

/*
 * The signature keystream of §4.2 into out[0..g->sig_len): HKDF(salt = the Partial IV of the
 * message (for a response without one, the request's), IKM = Signature Encryption Key,
 * info = [id of the Partial IV's generator, Gid, request (true/false), L]).
 * Returns 0, or nonzero if HKDF fails.
 */
int osc_group_keystream(const struct osc_group *g, const uint8_t *piv, size_t piv_len,
			const uint8_t *id, size_t id_len, bool request, uint8_t *out);

#endif
