/* SPDX-License-Identifier: BSD-3-Clause */
/* Initiator against Responder: every method and suite, EAD handling, connection identifiers. */
#include <string.h>

#include <openssl/rand.h>

#include "oscore/osc_protect.h"

#include "edh_test_util.h"

struct world {
	struct th_world p;
	struct edh_table *t;
	struct edh_config ic, rc;
};

/* ic and rc are copies the tests may change; the table uses rc. */
static void world_init(struct world *w)
{
	th_world_init(&w->p);
	w->ic = w->p.ic;
	w->rc = w->p.rc;
	w->t = edh_table_new(&w->rc);
	cr_assert_not_null(w->t);
}

static void world_free(struct world *w)
{
	edh_table_free(w->t);
	th_world_free(&w->p);
}

/* Both sides end with mirrored OSCORE parameters and the same PRK_out. */
static void assert_same_context(const struct edh_result *i, const struct edh_result *r)
{
	const struct osc_params *a = &i->oscore, *b = &r->oscore;

	cr_assert_arr_eq(i->prk_out, r->prk_out, 32);
	cr_assert_eq(a->secret_len, 16);
	cr_assert_eq(a->salt_len, 8);
	cr_assert_arr_eq(a->secret, b->secret, 16);
	cr_assert_arr_eq(a->salt, b->salt, 8);
	cr_assert_eq(a->sender_id_len, b->recipient_id_len);
	cr_assert_arr_eq(a->sender_id, b->recipient_id, a->sender_id_len);
	cr_assert_eq(a->recipient_id_len, b->sender_id_len);
	cr_assert_arr_eq(a->recipient_id, b->sender_id, a->recipient_id_len);
	cr_assert(a->sender_id_len != a->recipient_id_len ||
		  memcmp(a->sender_id, a->recipient_id, a->sender_id_len), "C_I == C_R");
	cr_assert_eq(a->alg, b->alg);
	cr_assert_eq(a->hkdf, b->hkdf);
}

Test(edhoc, roundtrip_every_method_and_suite)
{
	struct world w;
	struct edh_result ir, rr;

	world_init(&w);
	for (int m = 0; m < 4; m++) {
		for (int s = 0; s < 4; s++) {
			enum edh_status st = th_handshake(&w.ic, w.t, m, s, &ir, &rr);

			cr_assert_eq(st, EDH_OK, "method %d suite %d: %s", m, s,
				     edh_status_name(st));
			assert_same_context(&ir, &rr);
			cr_assert_eq(rr.method, m);
			cr_assert_eq(rr.suite, s);
			/* the peer credential each side saw is the one the other side uses */
			cr_assert_eq(rr.peer_kid_len, 1);
			cr_assert_eq(ir.peer_kid_len, 1);
			cr_assert(rr.peer_kid[0] >= 0x01 && rr.peer_kid[0] <= 0x03);
			cr_assert(ir.peer_kid[0] >= 0x21 && ir.peer_kid[0] <= 0x23);
		}
	}
	cr_assert_eq(edh_table_live(w.t), 0);
	cr_assert_eq(edh_table_counters(w.t)[EDH_OK], 32);
	world_free(&w);
}

/* Two handshakes give different keys (fresh ephemeral keys and identifiers). */
Test(edhoc, roundtrip_fresh_keys_each_time)
{
	struct world w;
	struct edh_result i1, r1, i2, r2;

	world_init(&w);
	cr_assert_eq(th_handshake(&w.ic, w.t, 0, 2, &i1, &r1), EDH_OK);
	cr_assert_eq(th_handshake(&w.ic, w.t, 0, 2, &i2, &r2), EDH_OK);
	cr_assert(memcmp(i1.prk_out, i2.prk_out, 32) != 0);
	world_free(&w);
}

/* Padding and non-critical unknown EAD items are ignored; critical unknown ones abort. */
Test(edhoc, ead_padding_and_noncritical_accepted)
{
	/* (0, h'000000') padding, (5, h'aa') non-critical, (7) without value */
	static const uint8_t ead[] = { 0x00, 0x43, 0, 0, 0, 0x05, 0x41, 0xaa, 0x07 };
	struct world w;
	struct edh_result ir, rr;

	world_init(&w);
	w.ic.ead = ead;
	w.ic.ead_len = sizeof(ead);
	w.rc.ead = ead;
	w.rc.ead_len = sizeof(ead);
	for (int m = 0; m < 4; m++) {
		cr_assert_eq(th_handshake(&w.ic, w.t, m, m, &ir, &rr), EDH_OK);
		assert_same_context(&ir, &rr);
	}
	world_free(&w);
}

Test(edhoc, ead_critical_unknown_in_message_1_refused)
{
	static const uint8_t ead[] = { 0x24, 0x41, 0x01 }; /* (-5, h'01'): critical */
	struct world w;
	struct edh_result ir, rr;

	world_init(&w);
	w.ic.ead = ead;
	w.ic.ead_len = sizeof(ead);
	cr_assert_eq(th_handshake(&w.ic, w.t, 0, 0, &ir, &rr), EDH_E_EAD);
	cr_assert_eq(edh_table_live(w.t), 0);
	cr_assert_eq(edh_table_counters(w.t)[EDH_E_EAD], 1);
	world_free(&w);
}

Test(edhoc, ead_critical_unknown_in_message_3_refused)
{
	static const uint8_t ead[] = { 0x38, 0x63 }; /* (-100): critical, no value */
	uint8_t b1[EDH_MSG_MAX], b2[EDH_MSG_MAX], c_r[EDH_CID_MAX];
	struct edh_out o1 = { b1, sizeof(b1), 0, false }, o2 = { b2, sizeof(b2), 0, false };
	struct edh_result ir, rr;
	enum edh_status st;
	struct world w;
	struct edh_init *s;
	int suite = 2;

	world_init(&w);
	s = edh_init_new(&w.ic, 3, &suite, 1, NULL, &o1, &st);
	cr_assert_eq(edh_resp_msg1(w.t, 0, o1.buf, o1.len, &o2), EDH_OK);
	w.ic.ead = ead; /* only message_3 carries it */
	w.ic.ead_len = sizeof(ead);
	cr_assert_eq(edh_init_msg2(s, o2.buf, o2.len, &o1, &ir), EDH_OK);
	cr_assert_eq(edh_resp_msg3(w.t, 1, c_r, edh_init_c_r(s, c_r), o1.buf, o1.len, &o2, &rr),
		     EDH_E_EAD);
	cr_assert(o2.is_error);
	cr_assert_eq(rr.oscore.secret_len, 0, "nothing derived");
	cr_assert_eq(edh_table_live(w.t), 0);
	edh_init_free(s);
	world_free(&w);
}

/* An untrusted Initiator (its credential not pinned) gets ERR_CODE 3 and nothing is derived. */
Test(edhoc, unknown_initiator_credential_refused)
{
	struct world w;
	struct edh_result ir, rr;
	struct edh_cred stranger[3];
	struct edh_trust *nobody = edh_trust_new();
	int code = 0, su[EDH_SUITES_MAX];
	unsigned n;

	world_init(&w);
	th_party(stranger, 0x01, nobody); /* same kids, other keys: pinned nowhere useful */
	w.ic.own = stranger;
	cr_assert_eq(th_handshake(&w.ic, w.t, 0, 0, &ir, &rr), EDH_E_AUTH,
		     "a kid match with another key must fail the signature");
	for (int i = 0; i < 3; i++)
		edh_cred_free(&stranger[i]);
	th_party(stranger, 0x40, nobody); /* kids nobody pinned */
	{
		uint8_t b1[EDH_MSG_MAX], b2[EDH_MSG_MAX], c_r[EDH_CID_MAX];
		struct edh_out o1 = { b1, sizeof(b1), 0, false };
		struct edh_out o2 = { b2, sizeof(b2), 0, false };
		enum edh_status st;
		int suite = 0;
		struct edh_init *s = edh_init_new(&w.ic, 0, &suite, 1, NULL, &o1, &st);

		cr_assert_eq(edh_resp_msg1(w.t, 0, o1.buf, o1.len, &o2), EDH_OK);
		cr_assert_eq(edh_init_msg2(s, o2.buf, o2.len, &o1, &ir), EDH_OK);
		cr_assert_eq(edh_resp_msg3(w.t, 1, c_r, edh_init_c_r(s, c_r), o1.buf, o1.len, &o2,
					   &rr), EDH_E_CRED_UNKNOWN);
		cr_assert_eq(edh_error_read(o2.buf, o2.len, &code, su, &n), EDH_OK);
		cr_assert_eq(code, EDH_ERR_CODE_UNKNOWN_CRED);
		cr_assert_eq(rr.oscore.secret_len, 0);
		edh_init_free(s);
	}
	for (int i = 0; i < 3; i++)
		edh_cred_free(&stranger[i]);
	edh_trust_free(nobody);
	world_free(&w);
}

/* The Responder refuses a method it is not configured for, and a suite the Initiator should
 * not have selected (it prefers one the Responder supports), with SUITES_R. */
Test(edhoc, method_and_suite_policy)
{
	uint8_t b1[EDH_MSG_MAX], b2[EDH_MSG_MAX];
	struct edh_out o1 = { b1, sizeof(b1), 0, false }, o2 = { b2, sizeof(b2), 0, false };
	const int pref[] = { 2, 0 }; /* prefers 2, selects 0: R supports 2, so that is wrong */
	int code = 0, su[EDH_SUITES_MAX];
	unsigned n = 0;
	enum edh_status st;
	struct edh_init *s;
	struct world w;

	world_init(&w);
	w.rc.methods = 1u << 3;
	s = edh_init_new(&w.ic, 0, pref + 1, 1, NULL, &o1, &st);
	cr_assert_eq(edh_resp_msg1(w.t, 0, o1.buf, o1.len, &o2), EDH_E_METHOD);
	cr_assert(o2.is_error);
	edh_init_free(s);
	w.rc.methods = 0xf;
	s = edh_init_new(&w.ic, 0, pref, 2, NULL, &o1, &st);
	cr_assert_eq(edh_resp_msg1(w.t, 0, o1.buf, o1.len, &o2), EDH_E_SUITE);
	cr_assert_eq(edh_error_read(o2.buf, o2.len, &code, su, &n), EDH_OK);
	cr_assert(code == 2 && n == 4 && su[0] == 0 && su[1] == 1 && su[2] == 2 && su[3] == 3);
	cr_assert_eq(edh_init_msg2(s, o2.buf, o2.len, &o1, &(struct edh_result){ 0 }),
		     EDH_E_PEER_ERROR);
	edh_init_free(s);
	cr_assert_eq(edh_table_live(w.t), 0);
	world_free(&w);
}

/* Connection identifiers: compact ints and byte strings, C_R never C_I. */
Test(edhoc, connection_identifiers)
{
	uint8_t b1[EDH_MSG_MAX], b2[EDH_MSG_MAX], eph[32];
	struct edh_out o1 = { b1, sizeof(b1), 0, false }, o2 = { b2, sizeof(b2), 0, false };
	const uint8_t ids[][3] = { { 1, 0x00 }, { 1, 0x37 }, { 1, 0x18 }, { 2, 0xab, 0xcd } };
	struct edh_result ir, rr;
	enum edh_status st;
	struct world w;
	int suite = 0;

	world_init(&w);
	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		struct edh_inject inj = { NULL, 0, ids[k] + 1, ids[k][0] };
		struct edh_init *s = edh_init_new(&w.ic, 3, &suite, 1, &inj, &o1, &st);
		uint8_t c_r[EDH_CID_MAX];

		cr_assert_eq(edh_resp_msg1(w.t, 0, o1.buf, o1.len, &o2), EDH_OK);
		cr_assert_eq(edh_init_msg2(s, o2.buf, o2.len, &o1, &ir), EDH_OK);
		cr_assert_eq(edh_resp_msg3(w.t, 1, c_r, edh_init_c_r(s, c_r), o1.buf, o1.len, &o2,
					   &rr), EDH_OK);
		cr_assert_eq(rr.oscore.sender_id_len, ids[k][0]);
		cr_assert_arr_eq(rr.oscore.sender_id, ids[k] + 1, ids[k][0]);
		edh_init_free(s);
	}
	/* a Responder made to pick C_R = C_I refuses instead (RFC 9528 §3.3.2) */
	memset(eph, 0, sizeof(eph));
	{
		struct edh_inject inj = { NULL, 0, (const uint8_t[]){ 0x05 }, 1 };
		struct edh_init *s = edh_init_new(&w.ic, 3, &suite, 1, &inj, &o1, &st);
		uint8_t y[32];

		cr_assert_eq(RAND_bytes(y, 32), 1);
		edh_test_inject_resp(w.t, y, 32, (const uint8_t[]){ 0x05 }, 1);
		cr_assert_eq(edh_resp_msg1(w.t, 0, o1.buf, o1.len, &o2), EDH_E_CID);
		cr_assert_eq(edh_table_live(w.t), 0);
		edh_init_free(s);
	}
	world_free(&w);
}

/* kccs: the Initiator's CCS sent by value; trusted when pinned, refused when not. */
Test(edhoc, kccs_by_value_pinned_accepted_unpinned_refused)
{
	struct world w;
	struct edh_result ir, rr;
	struct edh_cred loose[3];
	struct edh_trust *nobody = edh_trust_new();

	world_init(&w);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(edh_cred_by_value(&w.p.iown[i]), EDH_OK);
	for (int m = 0; m < 4; m++) {
		cr_assert_eq(th_handshake(&w.ic, w.t, m, 3 - m, &ir, &rr), EDH_OK);
		assert_same_context(&ir, &rr);
	}
	th_party(loose, 0x01, nobody); /* same kid as a pinned one, CCS not pinned */
	for (int i = 0; i < 3; i++)
		cr_assert_eq(edh_cred_by_value(&loose[i]), EDH_OK);
	w.ic.own = loose;
	cr_assert_eq(th_handshake(&w.ic, w.t, 0, 0, &ir, &rr), EDH_E_UNTRUSTED);
	cr_assert_eq(rr.oscore.secret_len, 0);
	for (int i = 0; i < 3; i++)
		edh_cred_free(&loose[i]);
	edh_trust_free(nobody);
	world_free(&w);
}

/* The parameters are an OSCORE context pair that works: the Initiator protects a request with
 * its context (App. A.1), the Responder's context verifies it. */
Test(edhoc, results_derive_working_oscore_contexts)
{
	static const uint8_t get[] = { 0x44, 0x01, 0x12, 0x34, 'a', 'b', 'c', 'd',
				       0xb4, 't', 'e', 'm', 'p' };
	struct world w;
	struct edh_result ir, rr;
	struct osc_ctx client, server;
	struct osc_exchange ex, ex2;
	struct cry_engine *e = cry_engine_new();
	uint8_t prot[256], plain[256];
	int n, m;

	cr_assert_not_null(e);
	world_init(&w);
	cr_assert_eq(th_handshake(&w.ic, w.t, 3, 2, &ir, &rr), EDH_OK);
	cr_assert_eq(osc_ctx_derive(&client, &ir.oscore), OSC_CTX_OK);
	cr_assert_eq(osc_ctx_derive(&server, &rr.oscore), OSC_CTX_OK);
	n = osc_protect_request(e, &client, get, sizeof(get), prot, sizeof(prot), 0, &ex);
	cr_assert_gt(n, 0);
	m = osc_unprotect_request(e, &server, prot, (size_t)n, plain, sizeof(plain), &ex2);
	cr_assert_eq(m, (int)sizeof(get));
	cr_assert_arr_eq(plain, get, sizeof(get));
	osc_ctx_wipe(&client);
	osc_ctx_wipe(&server);
	cry_engine_free(e);
	world_free(&w);
}
