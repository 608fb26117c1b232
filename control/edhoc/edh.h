/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EDHOC (RFC 9528): the protocol core, without transport and without DPDK.
 *
 * The responder is a session table: edh_resp_msg1() turns message_1 into message_2 (or an error
 * message) and opens a session keyed by C_R; edh_resp_msg3() finds it by C_R, checks message_3
 * and yields the OSCORE parameters (App. A.1), optionally message_4, and frees the session.
 * Sessions are bounded in number, expire, and are freed on error, timeout and completion.
 * The initiator (the project's test client) runs the same key schedule and credential code
 * through edh_init_*().
 *
 * A CoAP handler for /.well-known/edhoc (App. A.2) strips the `true` / C_R prefix and calls these;
 * the RFC 9668 combined request hands the first CBOR item of the payload to edh_resp_msg3().
 *
 * Control-plane code: calls allocate and do public-key operations. Not thread-safe per table.
 * Secrets are never logged; errors carry no secret.
 */
#ifndef EDH_H
#define EDH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control/edhoc/edh_wire.h"
#include "crypto/cry_sig.h"
#include "oscore/osc_context.h"

#define EDH_CID_MAX OSC_ID_MAX /* C_I and C_R become OSCORE IDs (App. A.1) */
#define EDH_HASH_MAX 32        /* SHA-256: every suite here */
#define EDH_MSG_MAX 4096       /* largest EDHOC message accepted or built */
#define EDH_SUITES_MAX 8       /* SUITES_I entries accepted */

/* Outcome of a call, also the index of its counter. Negative-free so it can index arrays. */
enum edh_status {
	EDH_OK = 0,
	EDH_E_MALFORMED,   /* not the CBOR sequence the message must be */
	EDH_E_METHOD,      /* method not supported or not enabled */
	EDH_E_SUITE,       /* selected suite refused: error with SUITES_R (§6.3) */
	EDH_E_CID,         /* connection identifier unusable, or C_I == C_R */
	EDH_E_EAD,         /* an unknown critical EAD item (§3.8) */
	EDH_E_CRED_UNKNOWN,/* ID_CRED_x names nothing in the trust store */
	EDH_E_UNTRUSTED,   /* credential present but not trusted (chain, wrong key type) */
	EDH_E_NO_CRED,     /* no own credential for this method and suite */
	EDH_E_AUTH,        /* AEAD, MAC or signature did not verify */
	EDH_E_NO_SESSION,  /* no live session for this C_R (unknown, expired or done) */
	EDH_E_FULL,        /* session table full */
	EDH_E_STATE,       /* message out of order */
	EDH_E_PEER_ERROR,  /* the peer sent an EDHOC error message */
	EDH_E_INTERNAL,    /* crypto library or memory failure */
	EDH_STATUS_COUNT
};

/* A short constant name of a status, for logs and counters. */
const char *edh_status_name(enum edh_status st);

/* A cipher suite (§3.6, §10.2): EDHOC AEAD, hash, MAC length, curves, application algorithms. */
struct edh_suite {
	int id;
	int aead;       /* enum cry_cose_alg */
	int hkdf;       /* enum cry_hkdf_alg of the EDHOC hash */
	uint8_t mac_len;
	int dh_crv;     /* enum cry_crv: X25519 or P-256 */
	int sig_alg;    /* enum cry_sig_alg */
	int app_aead;
	int app_hkdf;   /* enum cry_hkdf_alg of the application hash */
};

/* Suites 0-3, or NULL for any other number. */
const struct edh_suite *edh_suite_by_id(int id);

/* Curve of the authentication key a party needs: the signature curve or the suite's DH curve. */
int edh_suite_auth_crv(const struct edh_suite *s, bool static_dh);

/*
 * A credential (§3.5.2) with how it is referenced (§3.5.3): CRED_x exactly as it is hashed and
 * MACed (a CCS map, or bstr(DER) for X.509), ID_CRED_x as the CBOR map, the public key it
 * binds, and the lookup keys of the trust store. Own credentials also hold the private key.
 */
struct edh_cred {
	uint8_t *cred;        /* CRED_x, owned */
	size_t cred_len;
	uint8_t *id_cred;     /* ID_CRED_x map, owned */
	size_t id_cred_len;
	uint8_t kid[EDH_CID_MAX + 1]; /* CCS: kid of ID_CRED {4: kid} */
	size_t kid_len;
	uint8_t x5t[32];      /* X.509: SHA-256 of the DER */
	bool x509;
	struct cry_pkey *pub; /* the key it binds (public, or private for an own credential) */
};

/*
 * A CCS credential ccs[0..len): the map {2: sub, 8: {1: COSE_Key}} (other claims allowed).
 * ID_CRED is {4: kid} with kid taken from the COSE_Key (label 2); a COSE_Key without kid is
 * refused. d, when not NULL, is the private key (32 bytes) and must match the COSE_Key.
 * Returns EDH_OK, EDH_E_MALFORMED or EDH_E_INTERNAL; on error c holds nothing to free.
 */
enum edh_status edh_cred_ccs(struct edh_cred *c, const uint8_t *ccs, size_t len,
			     const uint8_t *d, size_t d_len);

/*
 * A fresh key pair on crv (CRY_CRV_ED25519, _X25519 or _P256) as a CCS credential
 * {2: sub, 8: {1: COSE_Key with kid}}: *own holds the private key, *pub (when not NULL) the same
 * credential without it, for a peer's trust store. kid_len is 1..EDH_CID_MAX.
 * Returns EDH_OK, EDH_E_MALFORMED (bad arguments) or EDH_E_INTERNAL.
 */
enum edh_status edh_cred_ccs_generate(int crv, const uint8_t *kid, size_t kid_len,
				      const char *sub, struct edh_cred *own,
				      struct edh_cred *pub);

/*
 * Refer to the CCS credential c by value: ID_CRED becomes {14: CCS} (kccs, §3.5.3) instead of
 * {4: kid}, for a peer that has the CCS pinned but cannot look it up by kid.
 * Returns EDH_OK, EDH_E_MALFORMED (not a CCS) or EDH_E_INTERNAL.
 */
enum edh_status edh_cred_by_value(struct edh_cred *c);

/* How an own X.509 credential is referenced in ID_CRED (RFC 9360). */
enum edh_x509_ref { EDH_X509_BY_X5T, EDH_X509_BY_X5CHAIN };

/*
 * An X.509 credential from DER. Its key must be Ed25519, X25519 or P-256. ID_CRED is
 * {34: [-15, SHA-256/64 of DER]} or {33: bstr(DER)}. d as for edh_cred_ccs.
 */
enum edh_status edh_cred_x509(struct edh_cred *c, const uint8_t *der, size_t len,
			      enum edh_x509_ref ref, const uint8_t *d, size_t d_len);

/* Free what a credential owns; safe on a zeroed struct. */
void edh_cred_free(struct edh_cred *c);

/*
 * The peers one trusts (§3.5): pinned credentials (CCS found by kid or byte-compared for kccs;
 * X.509 certificates found by x5t, kid or as the leaf of x5chain) and CA certificates against
 * which an x5chain that is not pinned is verified with OpenSSL (X509_verify_cert).
 */
struct edh_trust;

struct edh_trust *edh_trust_new(void);
void edh_trust_free(struct edh_trust *t);

/* Pin c (its ownership moves to the store, *c is zeroed). Returns EDH_OK or EDH_E_INTERNAL. */
enum edh_status edh_trust_add(struct edh_trust *t, struct edh_cred *c);

/* Add a CA certificate (DER). Returns EDH_OK, EDH_E_MALFORMED or EDH_E_INTERNAL. */
enum edh_status edh_trust_add_ca(struct edh_trust *t, const uint8_t *der, size_t len);

/* Asks the owner whether id is taken (e.g. the Recipient ID of a live OSCORE context). */
typedef bool (*edh_cid_taken_fn)(void *arg, const uint8_t *id, size_t len);

/* The owner's k-th C_R candidate (k counts up from 0 across handshakes) into id
 * (EDH_CID_MAX bytes); returns its length, 0 past the last one (the count starts again). */
typedef size_t (*edh_cid_candidate_fn)(void *arg, uint32_t k, uint8_t *id);

/* Configuration of a party; read-only while tables and sessions use it. */
struct edh_config {
	int suites[EDH_SUITES_MAX];   /* supported suites, most preferred first */
	unsigned n_suites;
	unsigned methods;             /* bit m set = method m enabled */
	const struct edh_cred *own;   /* own credentials (with private keys) */
	unsigned n_own;
	const struct edh_trust *trust;
	unsigned max_sessions;        /* responder: live sessions at most */
	uint64_t timeout_ms;          /* responder: a session expires this long after message_1 */
	bool message_4;               /* responder: send message_4 after message_3 */
	edh_cid_taken_fn cid_taken;   /* optional: namespace of C_R (RFC 9668 §4.1) */
	void *cid_taken_arg;          /* (also cid_candidate's) */
	edh_cid_candidate_fn cid_candidate; /* optional: C_R candidates in the owner's namespace;
					     * default: 1-byte IDs, then 2-byte IDs from 0x0000 */
	const uint8_t *ead;           /* EAD items to send (tests; e.g. padding), CBOR sequence */
	size_t ead_len;
};

/* What a completed handshake yields (§4.1.3, §4.2.1, App. A.1). */
struct edh_result {
	struct osc_params oscore;     /* secret, salt, Sender/Recipient ID, AEAD, HKDF */
	uint8_t prk_out[EDH_HASH_MAX];
	uint8_t prk_exporter[EDH_HASH_MAX];
	uint8_t peer_kid[EDH_CID_MAX + 1]; /* the peer credential's kid, if it has one */
	size_t peer_kid_len;
	int method;
	int suite;
};

/* EDHOC_Exporter (§4.2.1) from r->prk_exporter. Returns EDH_OK or EDH_E_INTERNAL. */
enum edh_status edh_exporter(const struct edh_result *r, int hkdf, unsigned label,
			     const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t len);

/* An output buffer: the message to send (message_2/3/4 or an error message). */
struct edh_out {
	uint8_t *buf;
	size_t cap;
	size_t len;      /* 0: nothing to send */
	bool is_error;   /* buf holds an EDHOC error message (§6) */
};

/* ---- Responder ---- */

struct edh_table;

/* A responder session table for cfg (which must outlive it). NULL on bad config or memory. */
struct edh_table *edh_table_new(const struct edh_config *cfg);

/* Free the table and wipe every session. NULL is allowed. */
void edh_table_free(struct edh_table *t);

/* Free every session whose deadline is at or before now_ms. Returns how many. */
unsigned edh_table_expire(struct edh_table *t, uint64_t now_ms);

/* Live sessions. */
unsigned edh_table_live(const struct edh_table *t);

/* Calls that ended with each status (EDH_OK counts completed messages 1 and 3). */
const uint64_t *edh_table_counters(const struct edh_table *t);

/*
 * Process message_1 in[0..len) (without the CoAP `true` prefix) at time now_ms (monotonic).
 * EDH_OK: out holds message_2 and a session waits for message_3 under the chosen C_R.
 * A retransmission of a message_1 whose session still waits gets the same message_2 (§7).
 * Otherwise out holds the error message to send (ERR_CODE 2 with SUITES_R for EDH_E_SUITE,
 * ERR_CODE 1 otherwise), or nothing (out->len 0) if out was too small; no session remains.
 */
enum edh_status edh_resp_msg1(struct edh_table *t, uint64_t now_ms, const uint8_t *in,
			      size_t len, struct edh_out *out);

/*
 * Process message_3 in[0..len) for the session c_r[0..c_r_len) (the raw C_R bytes) at now_ms.
 * EDH_OK: *res holds the OSCORE parameters (Sender ID = C_I, Recipient ID = C_R) and out holds
 * message_4 when the configuration asks for it (else out->len 0).
 * Otherwise out holds an error message (ERR_CODE 1, or 3 for an unknown credential).
 * The session is freed in every case except EDH_E_NO_SESSION (there was none).
 */
enum edh_status edh_resp_msg3(struct edh_table *t, uint64_t now_ms, const uint8_t *c_r,
			      size_t c_r_len, const uint8_t *in, size_t len, struct edh_out *out,
			      struct edh_result *res);

/*
 * TEST ONLY: the next edh_resp_msg1() uses the ephemeral private key eph_d[0..eph_len) and
 * C_R c_r[0..c_r_len) instead of fresh ones, so that RFC 9529's traces reproduce. Never call
 * this in the gateway: a reused ephemeral key voids EDHOC's security.
 */
void edh_test_inject_resp(struct edh_table *t, const uint8_t *eph_d, size_t eph_len,
			  const uint8_t *c_r, size_t c_r_len);

/* ---- Initiator ---- */

struct edh_init;

/*
 * TEST ONLY, as edh_test_inject_resp: fixed ephemeral key and C_I for edh_init_new().
 */
struct edh_inject {
	const uint8_t *eph_d;
	size_t eph_len;
	const uint8_t *c_i;
	size_t c_i_len;
};

/*
 * Start a handshake: message_1 with method, SUITES_I suites_i[0..n) (the initiator's order of
 * preference, ending with the selected suite, which must be in cfg->suites) into out.
 * inject is NULL except in tests. Returns the session or NULL (*st says why).
 */
struct edh_init *edh_init_new(const struct edh_config *cfg, int method, const int *suites_i,
			      unsigned n, const struct edh_inject *inject, struct edh_out *out,
			      enum edh_status *st);

/*
 * Process message_2 (or an error message in reply to message_1) and build message_3 into out.
 * EDH_OK: *res holds the OSCORE parameters (Sender ID = C_R, Recipient ID = C_I).
 * EDH_E_PEER_ERROR: the reply was an error message; edh_error_read() reads it.
 */
enum edh_status edh_init_msg2(struct edh_init *s, const uint8_t *in, size_t len,
			      struct edh_out *out, struct edh_result *res);

/* Check message_4 (§5.5). EDH_OK or EDH_E_AUTH / EDH_E_MALFORMED / EDH_E_PEER_ERROR. */
enum edh_status edh_init_msg4(struct edh_init *s, const uint8_t *in, size_t len);

/* The C_R the responder chose (raw bytes), after edh_init_msg2. */
size_t edh_init_c_r(const struct edh_init *s, uint8_t *out);

/* Free and wipe an initiator session. NULL is allowed. */
void edh_init_free(struct edh_init *s);

/*
 * Read an error message in[0..len) (§6): *code its ERR_CODE; for ERR_CODE 2, suites[0..*n)
 * receives SUITES_R (at most EDH_SUITES_MAX). Returns EDH_OK or EDH_E_MALFORMED.
 */
enum edh_status edh_error_read(const uint8_t *in, size_t len, int *code, int *suites,
			       unsigned *n);

/* Length of the first CBOR item of buf[0..len) (message_3 at the front of an RFC 9668 combined
 * payload), or 0 if it is not one well-formed item within EDHOC's limits. */
size_t edh_first_item_len(const uint8_t *buf, size_t len);

/* The connection identifier at the front of buf[0..len) (App. A.2: C_R before message_3), its
 * raw bytes into id[0..EDH_CID_MAX] and *id_len. Returns the bytes it takes, or 0 if the first
 * item is not a connection identifier in its deterministic encoding (§3.3.2). */
size_t edh_cid_prefix(const uint8_t *buf, size_t len, uint8_t *id, size_t *id_len);

#endif
