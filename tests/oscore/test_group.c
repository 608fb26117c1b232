/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group OSCORE (RFC 10021) against group-oscore-vectors.txt, byte for byte: context derivation
 * (B.1), external_aad, nonce, keystream and ToBeSigned (B.2), protected messages in group mode
 * (B.2 request, B.3 response) and pairwise mode (B.4, B.5), protect giving the vector and verify
 * of the vector giving the plaintext; every one-byte change of a protected part refused; a bad
 * signature leaves the replay window untouched.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "group_fixture.h"
#include "group_vectors.h"
#include "oscore/osc_group_msg.h"

/* The plain CoAP messages the vectors protect (B.2 to B.5). */
#define PLAIN_B2 "510100014ab3747631"              /* NON GET /tv1, token 4a, MID 0001 */
#define PLAIN_B3 "514500024aff48656c6c6f20576f726c6421" /* NON 2.05 "Hello World!" */
#define PLAIN_B4 "410100034bb3747631"              /* CON GET /tv1, token 4b, MID 0003 */
#define PLAIN_B5 "614500034bff48656c6c6f20576f726c6421" /* ACK 2.05 "Hello World!" */

static struct gfix f;
static struct cry_engine *e;

static void setup(void)
{
	cr_assert_eq(gfix_init(&f), 0);
	e = cry_engine_new();
	cr_assert_not_null(e);
}

static void teardown(void)
{
	cry_engine_free(e);
	gfix_free(&f);
}

TestSuite(group, .init = setup, .fini = teardown);

static void expect_bytes(const uint8_t *got, size_t n, const char *hex, const char *what)
{
	uint8_t want[1024];
	size_t wn = gfix_hex(hex, want, sizeof(want));

	cr_assert_eq(n, wn, "%s: length %zu, vector %zu", what, n, wn);
	cr_assert_arr_eq(got, want, n, "%s differs from the vector", what);
}

static void expect_key(const struct cry_key *k, const char *hex, const char *what)
{
	expect_bytes(k->raw, k->alg->key_len, hex, what);
}

Test(group, b1_derivation)
{
	uint8_t info[64];
	struct osc_info in = { .id_ctx = f.g0a.gid, .id_ctx_len = 2, .has_id_ctx = true,
			       .alg = 10, .type = "SEKey", .L = 16 };

	expect_bytes(f.g0a.sender_key_raw, 16, V_B_1_SENDER_KEY_0A, "Sender Key 0a");
	expect_key(&f.g0a.sender_key, V_B_1_SENDER_KEY_0A, "Sender Key 0a (expanded)");
	expect_key(&f.m51.recipient_key, V_B_1_SENDER_KEY_51, "Recipient Key 51");
	expect_key(&f.m52.recipient_key, "3e55d62e4541dbf594dee14bc425d19b", "Recipient Key 52");
	expect_key(&f.g51.sender_key, V_B_1_SENDER_KEY_51, "Sender Key 51");
	expect_bytes(f.g0a.common_iv, f.g0a.iv_len, V_B_1_COMMON_IV, "Common IV");
	expect_bytes(f.g0a.sekey, f.g0a.sekey_len, V_B_1_SIGNATURE_ENCRYPTION_KEY, "SEKey");
	expect_bytes(f.g51.sekey, f.g51.sekey_len, V_B_1_SIGNATURE_ENCRYPTION_KEY, "SEKey 51");
	expect_bytes(info, (size_t)osc_info_encode(info, sizeof(info), &in), "854042dd110a6553454b657910",
		     "info(SEKey)");
	in.type = "IV";
	in.L = 13;
	expect_bytes(info, (size_t)osc_info_encode(info, sizeof(info), &in), "854042dd110a6249560d",
		     "info(IV)");
	in.id = f.g0a.sender_id;
	in.id_len = 1;
	in.type = "Key";
	in.L = 16;
	expect_bytes(info, (size_t)osc_info_encode(info, sizeof(info), &in), "85410a42dd110a634b657910",
		     "info(Key, 0a)");
}

Test(group, b1_pairwise_keys_both_members)
{
	expect_key(&f.m51.pw_sender_key, V_B_1_PAIRWISE_SENDER_KEY_0A_TO_51, "0a -> 51");
	expect_key(&f.m51.pw_recipient_key, V_B_1_PAIRWISE_RECIPIENT_KEY_0A_FROM_51, "0a <- 51");
	/* 51's view is the mirror image. */
	expect_key(&f.m0a.pw_sender_key, V_B_1_PAIRWISE_RECIPIENT_KEY_0A_FROM_51, "51 -> 0a");
	expect_key(&f.m0a.pw_recipient_key, V_B_1_PAIRWISE_SENDER_KEY_0A_TO_51, "51 <- 0a");
}

/* B.2's intermediate values: external_aad, AAD, nonce, keystream, ToBeSigned, signature. */
Test(group, b2_aad_nonce_keystream_tobesigned)
{
	uint8_t opt[8], cred[64], arr[OSC_GROUP_ARRAY_MAX], aad[OSC_GROUP_AAD_MAX], nonce[13];
	uint8_t ct[16], tbs[512], ks[64], sig[64], piv = 0x14;
	size_t optlen = gfix_hex(V_B_2_OSCORE_OPTION, opt, sizeof(opt)), off;
	size_t clen = gfix_hex(V_B_0_CCS_0A, cred, sizeof(cred));
	size_t ctlen = gfix_hex(V_B_2_CIPHERTEXT, ct, sizeof(ct));
	struct osc_group_aad_in in = { .kid = f.g0a.sender_id, .kid_len = 1, .piv = &piv,
				       .piv_len = 1, .kid_ctx = f.g0a.gid, .kid_ctx_len = 2,
				       .option = opt, .option_len = optlen, .sender_cred = cred,
				       .sender_cred_len = clen };
	int n = osc_group_aad_array(arr, sizeof(arr), &f.g0a, &in), m;

	expect_bytes(arr, (size_t)n, V_B_2_AAD_ARRAY, "aad_array");
	m = osc_group_aad(aad, &f.g0a, &in, &off);
	expect_bytes(aad, (size_t)m, V_B_2_AAD, "AAD (Enc_structure)");
	cr_assert_eq((size_t)m - off, (size_t)n);
	osc_nonce_iv(nonce, 13, f.g0a.common_iv, f.g0a.sender_id, 1, &piv, 1);
	expect_bytes(nonce, 13, V_B_2_NONCE, "nonce");
	cr_assert_eq(osc_group_keystream(&f.g0a, &piv, 1, f.g0a.sender_id, 1, true, ks), 0);
	expect_bytes(ks, 64, V_B_2_KEYSTREAM, "keystream");
	n = osc_group_tbs(tbs, sizeof(tbs), aad + off, (size_t)m - off, ct, ctlen);
	expect_bytes(tbs, (size_t)n, V_B_2_TOBESIGNED, "ToBeSigned (5 elements)");
	cr_assert_eq(cry_sign(f.g0a.sign_key, CRY_SIG_EDDSA, tbs, (size_t)n, sig), 0);
	expect_bytes(sig, 64, V_B_2_SIGNATURE, "signature");
}

/* Protect in at SSN ssn from g (to: pairwise recipient, NULL = group mode); compare. */
static struct osc_group_exchange protect_req(struct osc_group *g, const struct osc_member *to,
					     uint64_t ssn, const char *plain, const char *want)
{
	uint8_t in[64], out[256];
	size_t n = gfix_hex(plain, in, sizeof(in));
	struct osc_group_exchange ex;
	int len;

	g->ssn = ssn;
	len = osc_group_protect_request(e, g, to, in, n, out, sizeof(out), &ex);
	cr_assert_gt(len, 0, "protect: error %d", -len);
	expect_bytes(out, (size_t)len, want, "protected request");
	cr_assert_eq(g->ssn, ssn + 1);
	return ex;
}

/* Verify the vector msg as member *m sees it; the plaintext must be plain. */
static int verify(struct osc_member *m, const struct osc_group_exchange *gex, const uint8_t *msg,
		  size_t n, uint8_t *out, struct osc_group_exchange *gex_out)
{
	return osc_group_unprotect(e, &m, 1, gex, msg, n, out, 512, gex_out);
}

static void verify_hex(struct osc_member *m, const struct osc_group_exchange *gex,
		       const char *msg_hex, const char *plain, struct osc_group_exchange *gex_out)
{
	uint8_t msg[256], out[512];
	size_t n = gfix_hex(msg_hex, msg, sizeof(msg));
	int len = verify(m, gex, msg, n, out, gex_out);

	cr_assert_gt(len, 0, "verify: error %d", -len);
	expect_bytes(out, (size_t)len, plain, "verified plaintext");
}

Test(group, b2_b3_group_mode_request_and_response)
{
	struct osc_group_exchange ex = protect_req(&f.g0a, NULL, 20, PLAIN_B2,
						   V_B_2_PROTECTED_MESSAGE), sex;
	uint8_t in[64], out[256];
	size_t n = gfix_hex(PLAIN_B3, in, sizeof(in));
	int len;

	cr_assert(ex.group_mode);
	verify_hex(&f.m0a, NULL, V_B_2_PROTECTED_MESSAGE, PLAIN_B2, &sex); /* 51 receives */
	cr_assert(sex.group_mode);
	len = osc_group_protect_response(e, &f.g51, &f.m0a, true, &sex, in, n, out, sizeof(out), 0);
	cr_assert_gt(len, 0, "protect response: error %d", -len);
	expect_bytes(out, (size_t)len, V_B_3_PROTECTED_MESSAGE, "protected group response");
	verify_hex(&f.m51, &ex, V_B_3_PROTECTED_MESSAGE, PLAIN_B3, NULL); /* 0a receives */
}

Test(group, b4_b5_pairwise_mode_request_and_response)
{
	struct osc_group_exchange ex = protect_req(&f.g0a, &f.m51, 21, PLAIN_B4,
						   V_B_4_PROTECTED_MESSAGE), sex;
	uint8_t in[64], out[256];
	size_t n = gfix_hex(PLAIN_B5, in, sizeof(in));
	int len;

	cr_assert(!ex.group_mode);
	verify_hex(&f.m0a, NULL, V_B_4_PROTECTED_MESSAGE, PLAIN_B4, &sex);
	len = osc_group_protect_response(e, &f.g51, &f.m0a, false, &sex, in, n, out, sizeof(out),
					 0);
	expect_bytes(out, (size_t)len, V_B_5_PROTECTED_MESSAGE, "pairwise response with kid");
	len = osc_group_protect_response(e, &f.g51, &f.m0a, false, &sex, in, n, out, sizeof(out),
					 OSC_GTX_NO_KID);
	expect_bytes(out, (size_t)len, V_B_5_NOKID_PROTECTED_MESSAGE, "pairwise response, no kid");
	verify_hex(&f.m51, &ex, V_B_5_PROTECTED_MESSAGE, PLAIN_B5, NULL);
	verify_hex(&f.m51, &ex, V_B_5_NOKID_PROTECTED_MESSAGE, PLAIN_B5, NULL);
}

/* The exchange of a vector request as 51 derives it on receipt; it equals the requester's. */
static struct osc_group_exchange exchange_of(const char *req_hex, uint8_t *msg, size_t *n)
{
	struct osc_group_exchange ex;
	uint8_t out[512];

	*n = gfix_hex(req_hex, msg, 256);
	cr_assert_gt(verify(&f.m0a, NULL, msg, *n, out, &ex), 0);
	return ex;
}

/*
 * Every byte from the OSCORE option on (the CoAP header, token and outer code are not protected
 * by OSCORE, RFC 8613 §4.1.3.1) changed by each single-bit flip: refused every time. Requests
 * on a fresh window each time (the window must not have moved), responses against the request.
 */
static void refuse_every_flip(struct osc_member *m, const struct osc_group_exchange *gex,
			      const char *msg_hex, size_t first)
{
	uint8_t msg[256], out[512];
	size_t n = gfix_hex(msg_hex, msg, sizeof(msg));

	for (size_t i = first; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			msg[i] ^= (uint8_t)(1 << bit);
			cr_assert_lt(verify(m, gex, msg, n, out, NULL), 0, "byte %zu bit %d accepted",
				     i, bit);
			msg[i] ^= (uint8_t)(1 << bit);
		}
	}
	cr_assert_gt(verify(m, gex, msg, n, out, NULL), 0, "the genuine message after all flips");
}

Test(group, every_one_byte_change_refused)
{
	uint8_t req[256];
	size_t n;
	struct osc_group_exchange ex2, ex4;

	refuse_every_flip(&f.m0a, NULL, V_B_2_PROTECTED_MESSAGE, 5);
	refuse_every_flip(&f.m0a, NULL, V_B_4_PROTECTED_MESSAGE, 5);
	osc_replay_init(&f.m0a.replay, 32);
	ex2 = exchange_of(V_B_2_PROTECTED_MESSAGE, req, &n);
	ex4 = exchange_of(V_B_4_PROTECTED_MESSAGE, req, &n);
	refuse_every_flip(&f.m51, &ex2, V_B_3_PROTECTED_MESSAGE, 5);
	refuse_every_flip(&f.m51, &ex4, V_B_5_PROTECTED_MESSAGE, 5);
	refuse_every_flip(&f.m51, &ex4, V_B_5_NOKID_PROTECTED_MESSAGE, 5);
}

/* A changed Gid, kid or request binding, each named: refused with the reason. */
Test(group, named_changes_refused_with_reason)
{
	uint8_t msg[256], out[512];
	size_t n = gfix_hex(V_B_2_PROTECTED_MESSAGE, msg, sizeof(msg));
	struct osc_member *both[] = { &f.m51, &f.m52 };

	msg[9] ^= 1; /* Gid dd11 -> dd10 */
	cr_assert_eq(verify(&f.m0a, NULL, msg, n, out, NULL), -OSC_ERR_NO_CONTEXT);
	msg[9] ^= 1;
	msg[11] = 0x51; /* kid 0a -> 51: 51's own Sender ID */
	cr_assert_eq(verify(&f.m0a, NULL, msg, n, out, NULL), -OSC_ERR_NO_CONTEXT);
	cr_assert_eq(osc_group_unprotect(e, both, 2, NULL, msg, n, out, sizeof(out), NULL),
		     -OSC_ERR_DECRYPT, "kid 51 as seen by 0a: right context, wrong key");
	msg[11] = 0x0a;
	msg[n - 1] ^= 0x80; /* last byte of the encrypted signature */
	cr_assert_eq(verify(&f.m0a, NULL, msg, n, out, NULL), -OSC_ERR_SIGNATURE);
	msg[n - 1] ^= 0x80;
	msg[n - 65] ^= 0x01; /* last byte of the tag */
	cr_assert_eq(verify(&f.m0a, NULL, msg, n, out, NULL), -OSC_ERR_DECRYPT);
}

/* §7.2: the signature is checked before the window moves; a failed one leaves it untouched. */
Test(group, bad_signature_leaves_replay_window_untouched)
{
	uint8_t msg[256], out[512], plain[OSC_PLAIN_HEADROOM + 256];
	size_t n = gfix_hex(V_B_2_PROTECTED_MESSAGE, msg, sizeof(msg));
	struct osc_grx r = { .rx = { .plain = plain, .plain_cap = sizeof(plain) } };
	struct osc_replay before = f.m0a.replay;

	msg[n - 10] ^= 0x04;
	cr_assert_eq(osc_group_rx_parse(&r, msg, n, true), OSC_OK);
	cr_assert_eq(osc_group_rx_prepare(&r, &f.m0a, NULL), OSC_OK);
	cr_assert_eq(cry_aead_batch(e, &r.rx.op, 1), 1);
	cr_assert_eq(osc_group_rx_aead(&r), OSC_OK, "stage a: the AEAD verifies");
	cr_assert_eq(osc_group_rx_finish(&r, out, sizeof(out)), -OSC_ERR_SIGNATURE, "stage b");
	cr_assert_arr_eq(&f.m0a.replay, &before, sizeof(before), "window moved");
	cr_assert_eq(osc_replay_check(&f.m0a.replay, 20), OSC_REPLAY_OK);
	msg[n - 10] ^= 0x04;
	cr_assert_gt(verify(&f.m0a, NULL, msg, n, out, NULL), 0, "genuine one still accepted");
	cr_assert_eq(verify(&f.m0a, NULL, msg, n, out, NULL), -OSC_ERR_REPLAY, "then a replay");
}

/* §6: a mode the group does not use, and our own Sender ID as kid, are refused. */
Test(group, mode_not_configured_and_own_kid_refused)
{
	uint8_t msg[256], out[512], plain[OSC_PLAIN_HEADROOM + 256];
	size_t n = gfix_hex(V_B_2_PROTECTED_MESSAGE, msg, sizeof(msg));
	struct osc_grx r = { .rx = { .plain = plain, .plain_cap = sizeof(plain) } };
	const struct cry_alg *ge = f.g51.group_enc;

	f.g51.group_enc = NULL; /* 51 as a pairwise-only member */
	cr_assert_eq(verify(&f.m0a, NULL, msg, n, out, NULL), -OSC_ERR_MODE);
	f.g51.group_enc = ge;
	msg[11] = 0x51;
	cr_assert_eq(osc_group_rx_parse(&r, msg, n, true), OSC_OK);
	cr_assert_eq(osc_group_rx_prepare(&r, &f.m0a, NULL), OSC_ERR_OWN_KID);
}

/* The 4-element ToBeSigned of RFC 9338 §3.3 gives the vectors' alternative signature, which
 * interoperating implementations refuse, and so do we. */
Test(group, four_element_signature_refused)
{
	uint8_t msg[256], out[512], alt[64], ks[64], piv = 0x14;
	size_t n = gfix_hex(V_B_2_PROTECTED_MESSAGE, msg, sizeof(msg));

	gfix_hex(V_B_2_ALT_SIGNATURE_IF_4_ELEMENT_TBS, alt, sizeof(alt));
	cr_assert_eq(osc_group_keystream(&f.g0a, &piv, 1, f.g0a.sender_id, 1, true, ks), 0);
	for (int i = 0; i < 64; i++)
		msg[n - 64 + i] = alt[i] ^ ks[i];
	cr_assert_eq(verify(&f.m0a, NULL, msg, n, out, NULL), -OSC_ERR_SIGNATURE);
}

/* A.2: P-256 keys; ECDH through the group's own key loading gives the hackathon secrets. */
Test(group, a2_p256_shared_secrets)
{
	uint8_t d[32], x1[32], y1[32], x[32], y[32], ss[32];
	struct cry_coords own = { .crv = CRY_CRV_P256, .d = d, .d_len = 32, .x = x1, .x_len = 32,
				  .y = y1, .y_len = 32 };
	struct cry_coords peer = { .crv = CRY_CRV_P256, .x = x, .x_len = 32, .y = y, .y_len = 32 };
	const char *px[] = { V_A_2_ENTITY2_X, V_A_2_ENTITY3_X };
	const char *py[] = { V_A_2_ENTITY2_Y, V_A_2_ENTITY3_Y };
	const char *want[] = { V_A_2_P256_SHARED_SECRET_01_00, V_A_2_P256_SHARED_SECRET_01_AA };
	struct cry_pkey *ko = NULL, *kp = NULL;

	gfix_hex(V_A_2_ENTITY1_D, d, 32);
	gfix_hex(V_A_2_ENTITY1_X, x1, 32);
	gfix_hex(V_A_2_ENTITY1_Y, y1, 32);
	cr_assert_eq(cry_pkey_from_coords(&ko, &own), 0);
	for (int i = 0; i < 2; i++) {
		gfix_hex(px[i], x, 32);
		gfix_hex(py[i], y, 32);
		cr_assert_eq(cry_pkey_from_coords(&kp, &peer), 0);
		cr_assert_eq(cry_ecdh(ko, kp, ss), 0);
		expect_bytes(ss, 32, want[i], "P-256 shared secret");
		cry_pkey_free(kp);
	}
	cry_pkey_free(ko);
}

/* A.2 as a P-256 group (ES256, ECDH P-256) seen by entity 01 and by entity '' (00). */
static int p256_side(struct osc_group *g, struct osc_member *m, bool first)
{
	static uint8_t d1[32], x1[32], y1[32], d2[32], x2[32], y2[32], cred1[8] = "cred-01",
		cred2[8] = "cred-00";
	struct osc_group_params p = {
		.group_enc = cry_alg_by_cose(CRY_AES_CCM_16_64_128), .sig_alg = CRY_SIG_ES256,
		.aead = cry_alg_by_cose(CRY_AES_CCM_16_64_128),
		.pairwise_ka = OSC_ECDH_SS_HKDF_256, .crv = CRY_CRV_P256,
		.cred = first ? cred1 : cred2, .cred_len = 8,
	};
	struct osc_member_params mp = { .cred = first ? cred2 : cred1, .cred_len = 8,
					.x = first ? x2 : x1, .y = first ? y2 : y1 };
	int rc;

	gfix_hex(V_A_2_ENTITY1_D, d1, 32);
	gfix_hex(V_A_2_ENTITY1_X, x1, 32);
	gfix_hex(V_A_2_ENTITY1_Y, y1, 32);
	gfix_hex(V_A_2_ENTITY2_D, d2, 32);
	gfix_hex(V_A_2_ENTITY2_X, x2, 32);
	gfix_hex(V_A_2_ENTITY2_Y, y2, 32);
	p.secret_len = (uint8_t)gfix_hex(V_A_2_MASTER_SECRET, p.secret, sizeof(p.secret));
	p.salt_len = (uint8_t)gfix_hex(V_A_2_MASTER_SALT, p.salt, sizeof(p.salt));
	p.gid_len = (uint8_t)gfix_hex(V_A_2_GROUP_ID, p.gid, sizeof(p.gid));
	p.sender_id_len = first ? 1 : 0;
	p.sender_id[0] = 0x01;
	mp.id_len = first ? 0 : 1;
	mp.id[0] = 0x01;
	memcpy(p.priv, first ? d1 : d2, 32);
	rc = osc_group_derive(g, &p);
	return rc ? rc : osc_member_derive(m, g, &mp);
}

Test(group, a2_p256_group_es256_roundtrip_and_keys)
{
	static struct osc_group g1, g2;
	static struct osc_member m2, m1; /* 01's view of '', ''s view of 01 */
	uint8_t in[16], out[512], prot[256];
	size_t n = gfix_hex(PLAIN_B2, in, sizeof(in));
	struct osc_group_exchange ex;
	struct osc_member *from = &m1;
	int len;

	cr_assert_eq(p256_side(&g1, &m2, true), 0);
	cr_assert_eq(p256_side(&g2, &m1, false), 0);
	expect_key(&g1.sender_key, V_A_2_SENDER_KEY_01, "Sender Key 01 (= RFC 8613 C.3)");
	expect_key(&m2.recipient_key, V_A_2_SENDER_KEY_00, "Recipient Key '' (= RFC 8613 C.3)");
	expect_bytes(g1.common_iv, g1.iv_len, V_A_2_COMMON_IV, "Common IV (= RFC 8613 C.3)");
	cr_assert_arr_eq(m2.pw_sender_key.raw, m1.pw_recipient_key.raw, 16, "pairwise 01 -> ''");
	cr_assert_arr_eq(m2.pw_recipient_key.raw, m1.pw_sender_key.raw, 16, "pairwise '' -> 01");
	for (int mode = 0; mode < 2; mode++) {
		len = osc_group_protect_request(e, &g1, mode ? &m2 : NULL, in, n, prot, sizeof(prot),
						&ex);
		cr_assert_gt(len, 0);
		cr_assert_eq(osc_group_unprotect(e, &from, 1, NULL, prot, (size_t)len, out,
						 sizeof(out), NULL), (int)n, "mode %d", mode);
		cr_assert_arr_eq(out, in, n);
		prot[len - 1] ^= 1;
		cr_assert_lt(osc_group_unprotect(e, &from, 1, NULL, prot, (size_t)len, out,
						 sizeof(out), NULL), 0);
	}
	osc_member_wipe(&m1);
	osc_member_wipe(&m2);
	osc_group_wipe(&g1);
	osc_group_wipe(&g2);
}

/* Derivation refuses what cannot work, with the reason. */
Test(group, derivation_refusals)
{
	struct osc_member m;
	struct osc_member_params mp = { .id_len = 1, .id = { 0x0a }, .x = f.g0a.cred + 14 };
	uint8_t pole[32] = { 1 };

	cr_assert_eq(osc_member_derive(&m, &f.g0a, &mp), OSC_GROUP_ERR_ID, "own Sender ID");
	mp.id[0] = 0x99;
	mp.x = pole;
	cr_assert_eq(osc_member_derive(&m, &f.g0a, &mp), OSC_GROUP_ERR_KEY, "y = 1 has no X25519");
	mp.x = NULL;
	cr_assert_eq(osc_member_derive(&m, &f.g0a, &mp), OSC_GROUP_ERR_KEY, "no public key");
	mp.id_len = 8;
	cr_assert_eq(osc_member_derive(&m, &f.g0a, &mp), OSC_GROUP_ERR_ID, "ID over 13 - 6");
}

/* §7.3: responses with their own Partial IV (every response after the first, Observe), in both
 * modes: nonce and keystream from the responder's Partial IV; each verifies once, SSNs advance. */
Test(group, responses_with_own_partial_iv_both_modes)
{
	uint8_t msg[256], in[64], out[512];
	size_t n = gfix_hex(PLAIN_B3, in, sizeof(in)), rn;
	/* 51's exchange of the B.2 request, which equals the one 0a keeps */
	struct osc_group_exchange ex = exchange_of(V_B_2_PROTECTED_MESSAGE, msg, &rn), cex = ex;
	int len;

	f.g51.ssn = 7;
	for (int mode = 0; mode < 2; mode++) {
		len = osc_group_protect_response(e, &f.g51, &f.m0a, mode == 0, &ex, in, n, msg,
						 sizeof(msg), OSC_GTX_OWN_PIV);
		cr_assert_gt(len, 0, "mode %d: error %d", mode, -len);
		cr_assert_eq(f.g51.ssn, 8u + (unsigned)mode, "one SSN space for both modes");
		cr_assert_eq(osc_group_unprotect(e, (struct osc_member *[]){ &f.m51 }, 1, &cex, msg,
						 (size_t)len, out, sizeof(out), NULL), (int)n);
		cr_assert_arr_eq(out, in, n);
		msg[len - 1] ^= 0x40;
		cr_assert_lt(osc_group_unprotect(e, (struct osc_member *[]){ &f.m51 }, 1, &cex, msg,
						 (size_t)len, out, sizeof(out), NULL), 0);
	}
}

/* A pairwise-only group on X25519 keys (RFC 7748 §6.1 Alice and Bob): no Signature Encryption
 * Key, the AEAD Algorithm in 'info', nulls in the external_aad for the group-mode algorithms,
 * pairwise round trip, and group mode refused both ways. */
static int x25519_side(struct osc_group *g, struct osc_member *m, bool alice)
{
	static const char *d[] = { "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
				   "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb" };
	static const char *u[] = { "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
				   "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f" };
	static uint8_t peer[2][32], cred[2][4] = { "ccsA", "ccsB" };
	struct osc_group_params p = { .aead = cry_alg_by_cose(CRY_AES_CCM_16_64_128),
				      .pairwise_ka = OSC_ECDH_SS_HKDF_256, .crv = CRY_CRV_X25519,
				      .cred = cred[!alice], .cred_len = 4, .secret_len = 16,
				      .sender_id_len = 1, .sender_id = { alice ? 0xa : 0xb } };
	struct osc_member_params mp = { .id_len = 1, .id = { alice ? 0xb : 0xa },
					.cred = cred[alice], .cred_len = 4, .x = peer[alice] };
	int rc;

	memset(p.secret, 0x42, 16);
	gfix_hex(d[!alice], p.priv, 32);
	gfix_hex(u[alice], peer[alice], 32);
	rc = osc_group_derive(g, &p);
	return rc ? rc : osc_member_derive(m, g, &mp);
}

Test(group, pairwise_only_group_on_x25519)
{
	static struct osc_group ga, gb;
	static struct osc_member mb, ma; /* A's view of B, B's view of A */
	uint8_t in[16], out[512], prot[256], arr[OSC_GROUP_ARRAY_MAX];
	size_t n = gfix_hex(PLAIN_B4, in, sizeof(in));
	struct osc_group_aad_in ain = { 0 };
	struct osc_group_exchange ex;
	struct osc_member *from = &ma;
	int len;

	cr_assert_eq(x25519_side(&ga, &mb, true), 0);
	cr_assert_eq(x25519_side(&gb, &ma, false), 0);
	cr_assert_eq(ga.sekey_len, 0);
	cr_assert_eq(ga.iv_len, 13);
	cr_assert_arr_eq(mb.pw_sender_key.raw, ma.pw_recipient_key.raw, 16);
	len = osc_group_aad_array(arr, sizeof(arr), &ga, &ain);
	cr_assert_gt(len, 8);
	expect_bytes(arr + 1, 7, "01840af6f6381a", "[1, [10, null, null, -27]");
	len = osc_group_protect_request(e, &ga, &mb, in, n, prot, sizeof(prot), &ex);
	cr_assert_gt(len, 0);
	cr_assert_eq(osc_group_unprotect(e, &from, 1, NULL, prot, (size_t)len, out, sizeof(out),
					 NULL), (int)n);
	cr_assert_arr_eq(out, in, n);
	cr_assert_eq(osc_group_protect_request(e, &ga, NULL, in, n, prot, sizeof(prot), &ex),
		     -OSC_ERR_MODE, "no group mode to protect with");
	prot[4 + 1 + 1] |= 0x20; /* Group Flag on: a group-mode message to a pairwise-only group */
	cr_assert_eq(osc_group_unprotect(e, &from, 1, NULL, prot, (size_t)len, out, sizeof(out),
					 NULL), -OSC_ERR_MODE);
	osc_member_wipe(&ma);
	osc_member_wipe(&mb);
	osc_group_wipe(&ga);
	osc_group_wipe(&gb);
}
