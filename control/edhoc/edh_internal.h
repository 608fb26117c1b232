/* SPDX-License-Identifier: BSD-3-Clause */
/* EDHOC internals shared by the responder, the initiator and the key schedule. */
#ifndef EDH_INTERNAL_H
#define EDH_INTERNAL_H

#include "control/edhoc/edh.h"
#include "crypto/cry_cbor.h"
#include "crypto/cry_cbor_dec.h"

/* The trust store: pinned credentials (looked up linearly) and the CA certificates. */
struct edh_trust {
	struct edh_cred *creds;
	unsigned n, cap;
	struct x509_store_st *cas; /* X509_STORE */
};

/* Decoding limits for EDHOC messages and their plaintexts (a kccs nests 4 maps deep). */
extern const struct cry_cbor_limits edh_cbor_limits;

enum edh_state { EDH_ST_FREE = 0, EDH_ST_WAIT_M2, EDH_ST_WAIT_M3, EDH_ST_WAIT_M4, EDH_ST_DONE };

/* One handshake's state, either role. Secret fields are wiped by edh_sess_wipe(). */
struct edh_sess {
	uint8_t state;           /* enum edh_state */
	bool initiator;
	int method;
	const struct edh_suite *suite;
	const struct edh_config *cfg;
	uint64_t deadline_ms;
	uint8_t c_i[EDH_CID_MAX], c_r[EDH_CID_MAX];
	uint8_t c_i_len, c_r_len;
	struct cry_pkey *eph;    /* own ephemeral key pair */
	uint8_t g_peer[32];      /* peer's ephemeral public key (x-coordinate) */
	uint8_t g_own[32];
	uint8_t h_m1[EDH_HASH_MAX];
	uint8_t th[EDH_HASH_MAX];       /* TH_2, then TH_3, then TH_4 */
	uint8_t prk_3e2m[EDH_HASH_MAX];
	uint8_t prk_4e3m[EDH_HASH_MAX];
	const struct edh_cred *own;     /* own credential for this method and suite */
	uint8_t *m2;                    /* Responder: message_2 as sent, for a duplicate (§7) */
	size_t m2_len;
};

/* Zero a session's secrets and free its ephemeral key; the struct may be reused. */
void edh_sess_wipe(struct edh_sess *s);

/* ---- responder session table (edh_table.c) ---- */

/* A free slot for a new session at now_ms with a fresh C_R (!= c_i, not live, not taken in the
 * configured namespace), or the injected one; NULL and *st set if the table is full or no C_R
 * is free. *eph_d receives an injected ephemeral key (tests) or NULL. */
struct edh_sess *edh_table_open(struct edh_table *t, uint64_t now_ms, const uint8_t *c_i,
				size_t c_i_len, const uint8_t **eph_d, size_t *eph_len,
				enum edh_status *st);

/* The live, unexpired session with C_R c_r[0..len), or NULL (an expired one is freed). */
struct edh_sess *edh_table_find(struct edh_table *t, uint64_t now_ms, const uint8_t *c_r,
				size_t len);

/* The live session whose message_1 hashed to h_m1 (a retransmission), or NULL. */
struct edh_sess *edh_table_by_m1(struct edh_table *t, uint64_t now_ms, const uint8_t *h_m1);

/* Wipe and free s's slot. */
void edh_table_close(struct edh_table *t, struct edh_sess *s);

/* The table's configuration. */
const struct edh_config *edh_table_cfg(const struct edh_table *t);

/* Count one call that ended with st; returns st. */
enum edh_status edh_table_count(struct edh_table *t, enum edh_status st);

/* ---- key schedule (edh_ks.c) ---- */

/* H(a || b || c) with the suite's hash into out (32 bytes). Any part may be empty. */
int edh_hash3(const struct edh_suite *su, const uint8_t *a, size_t al, const uint8_t *b,
	      size_t bl, const uint8_t *c, size_t cl, uint8_t *out);

/* EDHOC_KDF (§4.1.2): HKDF-Expand(prk, (label, bstr(ctx), len)) into out[0..len). */
int edh_kdf(const struct edh_suite *su, const uint8_t *prk, unsigned label, const uint8_t *ctx,
	    size_t ctx_len, uint8_t *out, size_t len);

/* Extract (§4.1.1): prk = HMAC(salt, ikm). */
int edh_extract(const struct edh_suite *su, const uint8_t *salt, size_t salt_len,
		const uint8_t *ikm, size_t ikm_len, uint8_t *prk);

/* TH_2 = H(bstr(G_Y), bstr(H(message_1))) (§5.3.2). */
int edh_th2(const struct edh_suite *su, const uint8_t *g_y, const uint8_t *h_m1, uint8_t *th2);

/* TH_3 / TH_4 = H(bstr(TH_prev), PLAINTEXT, CRED) (§5.3.2, §5.4.2); th is updated in place. */
int edh_th_next(const struct edh_suite *su, uint8_t *th, const uint8_t *pt, size_t pt_len,
		const struct edh_cred *cred);

/* SALT_xy = KDF(prk, label, TH, hash_len), then Extract(SALT, ikm) into prk_next (§4.1.1.2-3). */
int edh_prk_static(const struct edh_suite *su, const uint8_t *prk, unsigned label,
		   const uint8_t *th, const uint8_t *ikm, uint8_t *prk_next);

/* K and IV of message 3 or 4 (labels 3/4 or 8/9) and the AAD ["Encrypt0", h'', TH]. */
int edh_aead(const struct edh_suite *su, const uint8_t *prk, const uint8_t *th, bool msg4,
	     bool encrypt, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
	     size_t *out_len);

/* buf[0..len) ^= KEYSTREAM_2 = EDHOC_KDF(PRK_2e, 0, TH_2, len) (§5.3.2). */
int edh_keystream_xor(const struct edh_suite *su, const uint8_t *prk_2e, const uint8_t *th2,
		      uint8_t *buf, size_t len);

/* PRK_out, PRK_exporter and the OSCORE parameters (App. A.1) from s's PRK_4e3m and TH_4. */
int edh_finish(const struct edh_sess *s, struct edh_result *res);

/* ---- messages and credentials shared by both roles (edh_msg.c, edh_cred.c) ---- */

/* A connection identifier in CBOR (§3.3.2): a one-byte int when it is one, else a bstr. */
void edh_cid_write(struct cry_cbor_buf *b, const uint8_t *id, size_t len);

/* The raw bytes of a received connection identifier item raw[0..rlen). */
bool edh_cid_read(const cbor_item_t *it, const uint8_t *raw, size_t rlen, uint8_t *id,
		  uint8_t *len);

/* Process EAD items in buf[0..len) (§3.8): padding and non-critical unknown ones are skipped. */
enum edh_status edh_ead_check(const uint8_t *buf, size_t len);

/* The credential a received ID_CRED_x item raw[0..rlen) names, checked against the trust
 * store; *id_cred receives the full ID_CRED map (expanded from the compact kid form) into
 * idc[0..cap). tmp receives a credential built from x5chain (caller frees it). */
enum edh_status edh_cred_resolve(const struct edh_trust *t, const uint8_t *raw, size_t rlen,
				 uint8_t *idc, size_t cap, size_t *idc_len,
				 const struct edh_cred **out, struct edh_cred *tmp);

/* ID_CRED_x in PLAINTEXT form (§3.5.3.2): only kid (as a CID-like int or bstr) for {4: kid}. */
void edh_id_cred_write(struct cry_cbor_buf *b, const struct edh_cred *c);

/* The own credential for the suite whose key can sign (static_dh false) or do ECDH. */
const struct edh_cred *edh_own_cred(const struct edh_config *cfg, const struct edh_suite *su,
				    bool static_dh);

/* True if the method has party (initiator or not) authenticate with a static DH key. */
static inline bool edh_static_dh(int method, bool initiator)
{
	return initiator ? method >= 2 : (method & 1) != 0;
}

/*
 * Signature_or_MAC_n (§5.3.2, §5.4.2) of the party that owns cred: MAC_n over
 * context = C_R? || ID_CRED || bstr(TH) || CRED || EAD with prk, then, for a signing party,
 * the COSE_Sign1 signature over it. n is 2 or 3. make: out receives it; check: out is the
 * received value out[0..*len), compared in constant time or verified.
 */
enum edh_status edh_sig_or_mac(const struct edh_sess *s, int n, bool make, const uint8_t *prk,
			       const uint8_t *idc, size_t idc_len, const struct edh_cred *cred,
			       const uint8_t *ead, size_t ead_len, uint8_t *out, size_t *len);

/*
 * The own side of message n (2: Responder, 3: Initiator): the PRK with its static DH key
 * (prk_out from prk_in, §4.1.1), Signature_or_MAC_n, and PLAINTEXT_n written into pt[0..cap).
 * s->th must be TH_n. Returns PLAINTEXT_n's length or -1.
 */
int edh_auth_make(struct edh_sess *s, int n, const uint8_t *prk_in, uint8_t *prk_out,
		  uint8_t *pt, size_t cap);

/*
 * The peer's side of message n: parse PLAINTEXT_n (C_R into s for n = 2), check EAD, resolve
 * ID_CRED against the trust store (*peer; tmp holds a credential built from x5chain, which
 * the caller frees), derive prk_out and verify Signature_or_MAC_n.
 */
enum edh_status edh_auth_check(struct edh_sess *s, int n, const uint8_t *pt, size_t len,
			       const uint8_t *prk_in, uint8_t *prk_out, struct edh_cred *tmp,
			       const struct edh_cred **peer);

/*
 * message_3 / message_4 (§5.4.2, §5.5.2): out = bstr(COSE_Encrypt0 ciphertext of pt[0..n)) with
 * K/IV from PRK_3e2m (labels 3, 4) or PRK_4e3m (8, 9) and TH_3 / TH_4 (s->th) as external_aad.
 */
enum edh_status edh_seal_msg(const struct edh_sess *s, bool msg4, const uint8_t *pt, size_t n,
			     struct edh_out *out);

/* The reverse: in must be exactly one bstr; pt[0..*n) its plaintext. EDH_E_AUTH on a bad tag. */
enum edh_status edh_open_msg(const struct edh_sess *s, bool msg4, const uint8_t *in,
			     size_t len, uint8_t *pt, size_t cap, size_t *n);

/* An error message (§6): code 1 with a tstr, or code 2 with the configured SUITES_R. */
void edh_error_write(struct edh_out *out, int code, const struct edh_config *cfg,
		     const char *diag);

/* An ephemeral key: injected d, or fresh. g receives the public x-coordinate. */
enum edh_status edh_eph_make(struct edh_sess *s, const uint8_t *d, size_t d_len);

/* ECDH of own key with a peer's x-coordinate on the suite's curve (§3.7: x alone suffices). */
enum edh_status edh_ecdh_x(const struct edh_suite *su, const struct cry_pkey *own,
			   const uint8_t *peer_x, uint8_t *out);

/* ECDH of own key with a credential's public key. */
enum edh_status edh_ecdh_cred(const struct cry_pkey *own, const struct edh_cred *peer,
			      uint8_t *out);

/* A sequence reader over buf: next item decoded with its raw bytes. */
struct edh_seq {
	const uint8_t *buf;
	size_t len, off;
};

/* Decode the next item into *it (release with cbor_decref), its bytes in *raw, *rlen. Returns
 * false at the end, or on malformed input with *bad set. */
bool edh_seq_next(struct edh_seq *q, cbor_item_t **it, const uint8_t **raw, size_t *rlen,
		  bool *bad);

#endif
