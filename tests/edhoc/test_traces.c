/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 9529 traces 1 and 2, byte for byte, as Responder and as Initiator. */
#include <string.h>

#include "edh_test_util.h"
#include "edhoc_vectors.h"

/* Everything a party of a trace needs; freed by party_free. */
struct party {
	struct edh_config cfg;
	struct edh_cred own;
	struct edh_trust *trust;
};

static void party_x509(struct party *p, const char *own_der, const char *sk, const char *peer_der)
{
	uint8_t der[400], d[32], pd[400];
	size_t n = th_hex(own_der, der, sizeof(der)), pn = th_hex(peer_der, pd, sizeof(pd));
	struct edh_cred peer;

	th_hex(sk, d, sizeof(d));
	memset(p, 0, sizeof(*p));
	cr_assert_eq(edh_cred_x509(&p->own, der, n, EDH_X509_BY_X5T, d, 32), EDH_OK);
	cr_assert_eq(edh_cred_x509(&peer, pd, pn, EDH_X509_BY_X5T, NULL, 0), EDH_OK);
	p->trust = edh_trust_new();
	cr_assert_eq(edh_trust_add(p->trust, &peer), EDH_OK);
}

static void party_ccs(struct party *p, const char *own_ccs, const char *sk, const char *peer_ccs)
{
	uint8_t ccs[200], d[32], pc[200];
	size_t n = th_hex(own_ccs, ccs, sizeof(ccs)), pn = th_hex(peer_ccs, pc, sizeof(pc));
	struct edh_cred peer;

	th_hex(sk, d, sizeof(d));
	memset(p, 0, sizeof(*p));
	cr_assert_eq(edh_cred_ccs(&p->own, ccs, n, d, 32), EDH_OK);
	cr_assert_eq(edh_cred_ccs(&peer, pc, pn, NULL, 0), EDH_OK);
	p->trust = edh_trust_new();
	cr_assert_eq(edh_trust_add(p->trust, &peer), EDH_OK);
}

static void party_cfg(struct party *p, int suite, int method, bool msg4)
{
	p->cfg.suites[0] = suite;
	p->cfg.n_suites = 1;
	p->cfg.methods = 1u << method;
	p->cfg.own = &p->own;
	p->cfg.n_own = 1;
	p->cfg.trust = p->trust;
	p->cfg.max_sessions = 4;
	p->cfg.timeout_ms = 1000;
	p->cfg.message_4 = msg4;
}

static void party_free(struct party *p)
{
	edh_cred_free(&p->own);
	edh_trust_free(p->trust);
}

static void trace1_responder(struct party *r)
{
	party_x509(r, T1_CRED_R, T1_SK_R, T1_CRED_I);
	party_cfg(r, 0, EDH_METHOD_SIG_SIG, true);
}

static void trace2_responder(struct party *r)
{
	party_ccs(r, T2_CRED_R, T2_SK_R, T2_CRED_I);
	party_cfg(r, 2, EDH_METHOD_STAT_STAT, true);
}

/* Feed message_1 with the trace's Y and C_R; expect the trace's message_2. */
static void resp_msg1(struct edh_table *t, const char *y, uint8_t c_r, const char *m1,
		      const char *m2)
{
	uint8_t in[100], eph[32], buf[EDH_MSG_MAX];
	struct edh_out out = { buf, sizeof(buf), 0, false };
	size_t n = th_hex(m1, in, sizeof(in));

	th_hex(y, eph, sizeof(eph));
	edh_test_inject_resp(t, eph, 32, &c_r, 1);
	cr_assert_eq(edh_resp_msg1(t, 0, in, n, &out), EDH_OK);
	cr_assert(!out.is_error);
	assert_hex(out.buf, out.len, m2);
}

static void check_result(const struct edh_result *res, const char *prk_out, const char *prk_exp,
			 const char *secret, const char *salt, uint8_t sid, uint8_t rid)
{
	assert_hex(res->prk_out, 32, prk_out);
	assert_hex(res->prk_exporter, 32, prk_exp);
	assert_hex(res->oscore.secret, res->oscore.secret_len, secret);
	assert_hex(res->oscore.salt, res->oscore.salt_len, salt);
	cr_assert_eq(res->oscore.sender_id_len, 1);
	cr_assert_eq(res->oscore.sender_id[0], sid);
	cr_assert_eq(res->oscore.recipient_id_len, 1);
	cr_assert_eq(res->oscore.recipient_id[0], rid);
	cr_assert_eq(res->oscore.alg->cose, 10);
	cr_assert_eq(res->oscore.hkdf, -10); /* HKDF SHA-256, from app hash -16 */
	cr_assert(!res->oscore.has_id_ctx);
}

static void resp_msg3(struct edh_table *t, uint8_t c_r, const char *m3, const char *m4,
		      struct edh_result *res)
{
	uint8_t in[200], buf[EDH_MSG_MAX];
	struct edh_out out = { buf, sizeof(buf), 0, false };
	size_t n = th_hex(m3, in, sizeof(in));

	cr_assert_eq(edh_resp_msg3(t, 1, &c_r, 1, in, n, &out, res), EDH_OK);
	assert_hex(out.buf, out.len, m4);
	cr_assert_eq(edh_table_live(t), 0, "a completed session is freed");
}

Test(edhoc, rfc9529_trace1_responder)
{
	struct party r;
	struct edh_result res;
	struct edh_table *t;

	trace1_responder(&r);
	t = edh_table_new(&r.cfg);
	resp_msg1(t, T1_Y, 0x18, T1_M1, T1_M2);
	cr_assert_eq(edh_table_live(t), 1);
	resp_msg3(t, 0x18, T1_M3, T1_M4, &res);
	/* Responder: Sender ID = C_I = 2d, Recipient ID = C_R = 18 */
	check_result(&res, T1_PRK_OUT, T1_PRK_EXPORTER, T1_SECRET, T1_SALT, 0x2d, 0x18);
	edh_table_free(t);
	party_free(&r);
}

Test(edhoc, rfc9529_trace2_responder_with_suite_error)
{
	struct party r;
	struct edh_result res;
	struct edh_table *t;
	uint8_t in[100], buf[64];
	struct edh_out out = { buf, sizeof(buf), 0, false };
	size_t n = th_hex(T2_M1A, in, sizeof(in));
	int code = 0, suites[EDH_SUITES_MAX];
	unsigned ns = 0;

	trace2_responder(&r);
	t = edh_table_new(&r.cfg);
	/* the first message_1 selects suite 6: ERR_CODE 2, SUITES_R 2 (§6.3), no session */
	cr_assert_eq(edh_resp_msg1(t, 0, in, n, &out), EDH_E_SUITE);
	cr_assert(out.is_error);
	assert_hex(out.buf, out.len, T2_ERR);
	cr_assert_eq(edh_table_live(t), 0);
	cr_assert_eq(edh_error_read(out.buf, out.len, &code, suites, &ns), EDH_OK);
	cr_assert(code == 2 && ns == 1 && suites[0] == 2);
	resp_msg1(t, T2_Y, 0x27, T2_M1, T2_M2);
	resp_msg3(t, 0x27, T2_M3, T2_M4, &res);
	check_result(&res, T2_PRK_OUT, T2_PRK_EXPORTER, T2_SECRET, T2_SALT, 0x37, 0x27);
	cr_assert_eq(res.peer_kid_len, 1);
	cr_assert_eq(res.peer_kid[0], 0x2b);
	cr_assert_eq(edh_table_counters(t)[EDH_E_SUITE], 1);
	cr_assert_eq(edh_table_counters(t)[EDH_OK], 2);
	edh_table_free(t);
	party_free(&r);
}

/* The Initiator side: message_1 and message_3 of the trace, message_4 accepted. */
static void initiator(struct party *i, const int *suites, unsigned ns, int method,
		      const char *x, uint8_t c_i, const char *m1, const char *m2, const char *m3,
		      const char *m4, struct edh_result *res)
{
	uint8_t eph[32], buf[EDH_MSG_MAX], in[200];
	struct edh_out out = { buf, sizeof(buf), 0, false };
	struct edh_inject inj = { eph, 32, &c_i, 1 };
	enum edh_status st;
	struct edh_init *s;
	size_t n;

	th_hex(x, eph, sizeof(eph));
	s = edh_init_new(&i->cfg, method, suites, ns, &inj, &out, &st);
	cr_assert_eq(st, EDH_OK);
	assert_hex(out.buf, out.len, m1);
	n = th_hex(m2, in, sizeof(in));
	cr_assert_eq(edh_init_msg2(s, in, n, &out, res), EDH_OK);
	assert_hex(out.buf, out.len, m3);
	n = th_hex(m4, in, sizeof(in));
	cr_assert_eq(edh_init_msg4(s, in, n), EDH_OK);
	edh_init_free(s);
}

Test(edhoc, rfc9529_trace1_initiator)
{
	struct party i;
	struct edh_result res;
	const int suites[] = { 0 };

	party_x509(&i, T1_CRED_I, T1_SK_I, T1_CRED_R);
	party_cfg(&i, 0, EDH_METHOD_SIG_SIG, false);
	initiator(&i, suites, 1, 0, T1_X, 0x2d, T1_M1, T1_M2, T1_M3, T1_M4, &res);
	/* Initiator: Sender ID = C_R = 18, Recipient ID = C_I = 2d */
	check_result(&res, T1_PRK_OUT, T1_PRK_EXPORTER, T1_SECRET, T1_SALT, 0x18, 0x2d);
	party_free(&i);
}

Test(edhoc, rfc9529_trace2_initiator)
{
	struct party i;
	struct edh_result res;
	const int suites[] = { 6, 2 };

	party_ccs(&i, T2_CRED_I, T2_SK_I, T2_CRED_R);
	party_cfg(&i, 2, EDH_METHOD_STAT_STAT, false);
	initiator(&i, suites, 2, 3, T2_X, 0x37, T2_M1, T2_M2, T2_M3, T2_M4, &res);
	check_result(&res, T2_PRK_OUT, T2_PRK_EXPORTER, T2_SECRET, T2_SALT, 0x27, 0x37);
	party_free(&i);
}

/* Every one-bit change of message_3 is refused and leaves no session and no result. */
static void tamper_all(void (*setup)(struct party *), const char *y, uint8_t c_r,
		       const char *m1, const char *m2, const char *m3)
{
	uint8_t orig[200], in[200], buf[EDH_MSG_MAX];
	size_t n = th_hex(m3, orig, sizeof(orig));
	struct party r;
	struct edh_result res;
	struct edh_out out = { buf, sizeof(buf), 0, false };
	const uint8_t zero[16] = { 0 };

	setup(&r);
	for (size_t pos = 0; pos < n; pos++) {
		for (int bit = 0; bit < 8; bit += 7) {
			struct edh_table *t = edh_table_new(&r.cfg);

			resp_msg1(t, y, c_r, m1, m2);
			memcpy(in, orig, n);
			in[pos] ^= (uint8_t)(1u << bit);
			cr_assert_neq(edh_resp_msg3(t, 1, &c_r, 1, in, n, &out, &res), EDH_OK,
				      "byte %zu bit %d accepted", pos, bit);
			cr_assert(out.is_error);
			cr_assert_arr_eq(res.oscore.secret, zero, sizeof(zero));
			cr_assert_eq(edh_table_live(t), 0);
			edh_table_free(t);
		}
	}
	party_free(&r);
}

Test(edhoc, trace1_message3_bit_flips_refused)
{
	tamper_all(trace1_responder, T1_Y, 0x18, T1_M1, T1_M2, T1_M3);
}

Test(edhoc, trace2_message3_bit_flips_refused)
{
	tamper_all(trace2_responder, T2_Y, 0x27, T2_M1, T2_M2, T2_M3);
}
