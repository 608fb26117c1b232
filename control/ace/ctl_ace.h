/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ACE resource server (RFC 9200) with the OSCORE profile (RFC 9203): the /authz-info exchange,
 * access-token (CWT, RFC 8392) verification, and the inputs of the OSCORE context a token makes.
 * No DPDK, no SQLite: the gateway drives it from its control lcore and keeps what must survive.
 * Control-plane code (allocates while it decodes).
 */
#ifndef CTL_ACE_H
#define CTL_ACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/ace/ctl_ace_scope.h"
#include "crypto/cry_sig.h"
#include "oscore/osc_context.h"

#define CTL_ACE_CF 19          /* Content-Format application/ace+cbor (RFC 9200 §8.16) */
#define CTL_ACE_PROFILE_OSCORE 2 /* ace_profile coap_oscore (RFC 9203 §9.1) */

/* ACE parameters (RFC 9200 §5.8.5 Table 5, RFC 9203 §9.3) used at /authz-info. */
enum ctl_ace_param {
	CTL_ACE_P_ACCESS_TOKEN = 1,
	CTL_ACE_P_AUDIENCE = 5,
	CTL_ACE_P_SCOPE = 9,
	CTL_ACE_P_ERROR = 30,
	CTL_ACE_P_NONCE1 = 40,
	CTL_ACE_P_NONCE2 = 42,
	CTL_ACE_P_CLIENT_RID = 43, /* ace_client_recipientid */
	CTL_ACE_P_SERVER_RID = 44, /* ace_server_recipientid */
};

/* AS Request Creation Hints (RFC 9200 §5.3 Table 1). */
enum ctl_ace_hint { CTL_ACE_H_AS = 1, CTL_ACE_H_KID = 2, CTL_ACE_H_AUDIENCE = 5,
		    CTL_ACE_H_SCOPE = 9, CTL_ACE_H_CNONCE = 39 };

/* CWT claims (RFC 8392 §4, RFC 8747 §3.1, RFC 9200 §8.14). */
enum ctl_ace_claim {
	CTL_ACE_C_ISS = 1,
	CTL_ACE_C_SUB = 2,
	CTL_ACE_C_AUD = 3,
	CTL_ACE_C_EXP = 4,
	CTL_ACE_C_NBF = 5,
	CTL_ACE_C_IAT = 6,
	CTL_ACE_C_CTI = 7,
	CTL_ACE_C_CNF = 8,
	CTL_ACE_C_SCOPE = 9,
	CTL_ACE_C_PROFILE = 38,
	CTL_ACE_C_EXI = 40,
};

/* Inside cnf (RFC 8747 §3.1; osc RFC 9203 §9.5). */
enum ctl_ace_cnf { CTL_ACE_CNF_COSE_KEY = 1, CTL_ACE_CNF_ENC_KEY = 2, CTL_ACE_CNF_KID = 3,
		   CTL_ACE_CNF_OSC = 4 };

/* OSCORE_Input_Material labels (RFC 9203 §3.2.1). */
enum ctl_ace_osc {
	CTL_ACE_OSC_ID = 0,
	CTL_ACE_OSC_VERSION = 1,
	CTL_ACE_OSC_MS = 2,
	CTL_ACE_OSC_HKDF = 3,
	CTL_ACE_OSC_ALG = 4,
	CTL_ACE_OSC_SALT = 5,
	CTL_ACE_OSC_CONTEXT_ID = 6,
};

/* The ACE error codes (RFC 9200 §5.8.3 Table 3) sent in the error map {30: code}. */
enum ctl_ace_error {
	CTL_ACE_E_NONE = 0,
	CTL_ACE_E_INVALID_REQUEST = 1,
	CTL_ACE_E_INVALID_SCOPE = 6,
	CTL_ACE_E_UNSUPPORTED_POP_KEY = 7,
	CTL_ACE_E_INCOMPATIBLE_PROFILES = 8,
};

/*
 * Why a token or an /authz-info request was refused, one counter each. The order within
 * verification follows RFC 9200 §5.10.1.1: security wrapper first (4.01), then obtaining the
 * claims (4.00), then iss (4.01), exp (4.01), aud (4.03), scope (4.00); then what RFC 9203 §4.2
 * asks of the osc material and the request parameters (4.00).
 */
enum ctl_ace_reason {
	CTL_ACE_OK = 0,
	CTL_ACE_R_PAYLOAD,      /* 4.00 payload is not the CBOR map of RFC 9203 §4.1 */
	CTL_ACE_R_NO_TOKEN,     /* 4.00 access_token missing or not a bstr */
	CTL_ACE_R_COSE,         /* 4.00 the token does not parse as COSE (RFC 9200 §5.10.1) */
	CTL_ACE_R_UNKNOWN_AS,   /* 4.01 no configured AS key fits (kid, type, algorithm) */
	CTL_ACE_R_WRAPPER,      /* 4.01 MAC, signature or decryption failed */
	CTL_ACE_R_CLAIMS,       /* 4.00 the claims set cannot be obtained */
	CTL_ACE_R_ISS,          /* 4.01 iss is not the AS that protected the token */
	CTL_ACE_R_EXPIRED,      /* 4.01 exp passed, or exi ran out / cti sequence expired */
	CTL_ACE_R_NOT_YET,      /* 4.01 nbf in the future */
	CTL_ACE_R_AUD,          /* 4.03 aud missing or not one of ours */
	CTL_ACE_R_SCOPE,        /* 4.00 invalid_scope: scope missing or not understood */
	CTL_ACE_R_PROFILE,      /* 4.00 incompatible_ace_profiles: ace_profile is not coap_oscore */
	CTL_ACE_R_CNF,          /* 4.00 unsupported_pop_key: no cnf/osc (or kid for an update) */
	CTL_ACE_R_OSC,          /* 4.00 osc material malformed, incomplete or with unknown fields */
	CTL_ACE_R_EXI_CTI,      /* 4.00 exi without a cti of the RS id and a sequence number */
	CTL_ACE_R_NONCE1,       /* 4.00 N1 missing or not a bstr of 1..32 bytes */
	CTL_ACE_R_ID1,          /* 4.00 ID1 missing, not a bstr or too long */
	CTL_ACE_R_DERIVE,       /* 4.00 the context cannot be derived (ID length for alg, ...) */
	CTL_ACE_R_UPDATE_KID,   /* 4.01 update of access rights: cnf kid is not the context's id */
	CTL_ACE_R_FULL,         /* 5.03 the token store or the exi table is full */
	CTL_ACE_R_INTERNAL,     /* 5.00 memory, randomness, ID2 allocation */
	CTL_ACE_R__COUNT
};

/* The CoAP response code for a reason (2.01 for CTL_ACE_OK). */
uint8_t ctl_ace_reason_code(enum ctl_ace_reason r);

/* The ACE error code sent in the error map for r, or CTL_ACE_E_NONE (no payload). */
enum ctl_ace_error ctl_ace_reason_error(enum ctl_ace_reason r);

/* A short constant name ("wrapper", "aud") for counters and logs. */
const char *ctl_ace_reason_name(enum ctl_ace_reason r);

#define CTL_ACE_AS_MAX 8
#define CTL_ACE_AUD_MAX 4
#define CTL_ACE_STR_MAX 128
#define CTL_ACE_KID_MAX 32
#define CTL_ACE_CTI_MAX 32
#define CTL_ACE_RS_ID_MAX 16
#define CTL_ACE_TEXT_SCOPES 32
#define CTL_ACE_NONCE_MAX 32

/* One trusted authorization server: its key, and what its tokens must say. */
struct ctl_ace_as {
	char name[32];
	char iss[CTL_ACE_STR_MAX];  /* "" = the iss claim is not checked */
	uint8_t kid[CTL_ACE_KID_MAX];
	uint8_t kid_len;
	bool has_kid;               /* a token must carry this kid (RFC 9052 §3.1 header 4) */
	int alg;                    /* COSE alg of this key; fixes the message type */
	int type;                   /* enum cry_cose_type the AS sends with alg */
	uint8_t key[32];            /* symmetric: AEAD or HMAC key */
	uint8_t key_len;
	struct cry_pkey *pkey;      /* Sign1: the AS public key (owned) */
};

/* A text scope-token and the AIF it stands for. */
struct ctl_ace_text_scope {
	char name[32];
	struct ctl_ace_scope aif;
};

struct ctl_ace_conf {
	struct ctl_ace_as as[CTL_ACE_AS_MAX];
	unsigned n_as;
	char audience[CTL_ACE_AUD_MAX][CTL_ACE_STR_MAX]; /* the gateway's names; aud must be one */
	unsigned n_audience;
	uint8_t rs_id[CTL_ACE_RS_ID_MAX];   /* prefix of an exi token's cti (RFC 9200 §5.10.3) */
	uint8_t rs_id_len;
	char as_uri[CTL_ACE_STR_MAX];       /* for AS Request Creation Hints; "" = none */
	struct ctl_ace_text_scope text_scope[CTL_ACE_TEXT_SCOPES];
	unsigned n_text_scopes;
	unsigned max_tokens;                /* token store and exi table size */
};

/* Release the keys conf holds (AS public keys); the struct may then be dropped. */
void ctl_ace_conf_release(struct ctl_ace_conf *conf);

/*
 * A verified token: what the RS keeps about it. Fixed size, no pointers into the input.
 * expires is the earlier of exp and (first sight + exi), UNIX seconds; 0 = no expiry.
 */
struct ctl_ace_token {
	unsigned as;                         /* index into conf->as */
	int64_t expires;
	bool has_osc;                        /* cnf carried OSCORE_Input_Material */
	bool has_cnf_kid;                    /* cnf carried kid (update of access rights) */
	uint8_t cnf_kid[32];                 /* cnf kid, compared with the osc id */
	uint8_t cnf_kid_len;
	uint8_t cti[CTL_ACE_CTI_MAX];
	uint8_t cti_len;
	/* OSCORE_Input_Material (RFC 9203 §3.2.1); id is the PoP key's identifier */
	uint8_t osc_id[32];
	uint8_t osc_id_len;
	uint8_t ms[OSC_SECRET_MAX];
	uint8_t ms_len;
	uint8_t salt[OSC_SALT_MAX];
	uint8_t salt_len;
	uint8_t context_id[OSC_ID_CTX_MAX];
	uint8_t context_id_len;
	bool has_context_id;
	const struct cry_alg *alg;           /* default AES-CCM-16-64-128 */
	int hkdf;                            /* enum cry_hkdf_alg, default HKDF-SHA-256 */
	struct ctl_ace_scope scope;
};

struct ctl_ace_exi;

/*
 * Verify a token (RFC 9200 §5.10.1.1) against conf at time now (UNIX seconds): the COSE
 * wrapper (Encrypt0, Mac0 or Sign1, tagged or not, optionally in the CWT tag) with the AS key its
 * kid names, then the claims in the RFC's priority order, then cnf (osc, or kid when
 * update is true). exi (may be NULL: tokens with exi are then refused as expired) tracks exi
 * tokens by cti (§5.10.3) and is updated only when the token is accepted.
 * Returns CTL_ACE_OK and fills t, or the reason; t is wiped on failure.
 */
enum ctl_ace_reason ctl_ace_token_verify(const struct ctl_ace_conf *conf, struct ctl_ace_exi *exi,
					 const uint8_t *tok, size_t len, int64_t now, bool update,
					 struct ctl_ace_token *t);

/* Zero a token's secrets (ms). */
void ctl_ace_token_wipe(struct ctl_ace_token *t);

/* The unprotected /authz-info request of RFC 9203 §4.1, parsed; values copied. */
struct ctl_ace_authz_req {
	const uint8_t *token;   /* the access_token bytes, inside tree_ */
	size_t token_len;
	uint8_t n1[CTL_ACE_NONCE_MAX];
	uint8_t n1_len;
	uint8_t id1[OSC_ID_MAX];
	uint8_t id1_len;
	bool has_n1, has_id1;
	void *tree_;            /* owned decoded payload */
};

/*
 * Parse the /authz-info payload {1: access_token, ? 40: N1, ? 43: ID1} (RFC 9203 §4.1; N1 and
 * ID1 are absent in an update of access rights, §4.1 last paragraph). Other parameters are
 * ignored. Returns CTL_ACE_OK, CTL_ACE_R_PAYLOAD, CTL_ACE_R_NO_TOKEN, CTL_ACE_R_NONCE1 or
 * CTL_ACE_R_ID1 (present but malformed). Free with ctl_ace_authz_req_free in every case.
 */
enum ctl_ace_reason ctl_ace_authz_parse(const uint8_t *payload, size_t len,
					struct ctl_ace_authz_req *req);

/* Release what ctl_ace_authz_parse decoded (token and values become invalid). Idempotent. */
void ctl_ace_authz_req_free(struct ctl_ace_authz_req *req);

/*
 * The OSCORE context parameters of RFC 9203 §4.3 for the RS side (Sender ID = ID1, Recipient
 * ID = ID2) or, with client true, the client side (swapped): Master Secret ms, Master Salt =
 * bstr(salt) | bstr(N1) | bstr(N2) (each with its CBOR header; an absent salt is the empty
 * bstr), ID Context = contextId if the AS gave one (never built from the nonces), alg and hkdf
 * from the token. Refuses ID1 == ID2 (§4.3) and empty nonces. Returns 0 or -EINVAL (equal IDs,
 * a missing nonce, IDs or salt too long); p is wiped on failure.
 */
int ctl_ace_osc_params(const struct ctl_ace_token *t, const uint8_t *n1, size_t n1_len,
		       const uint8_t *n2, size_t n2_len, const uint8_t *id1, size_t id1_len,
		       const uint8_t *id2, size_t id2_len, bool client, struct osc_params *p);

/* The 2.01 payload {42: N2, 44: ID2} (RFC 9203 §4.2) into out[0..cap). Length or -ENOSPC. */
int ctl_ace_authz_response(const uint8_t *n2, size_t n2_len, const uint8_t *id2, size_t id2_len,
			   uint8_t *out, size_t cap);

/* The error map {30: error} for r into out[0..cap): its length, 0 when r has no error code,
 * or -ENOSPC. */
int ctl_ace_error_payload(enum ctl_ace_reason r, uint8_t *out, size_t cap);

/*
 * AS Request Creation Hints (RFC 9200 §5.3) for an unauthorized request: {1: as_uri, 5:
 * audience (the first configured), ? 9: scope, ? 39: cnonce}. scope is a text scope or NULL;
 * cnonce may be NULL. Length or -ENOSPC / -EINVAL (no as_uri configured).
 */
int ctl_ace_creation_hints(const struct ctl_ace_conf *conf, const char *scope,
			   const uint8_t *cnonce, size_t cnonce_len, uint8_t *out, size_t cap);

#endif
