/* SPDX-License-Identifier: BSD-3-Clause */
/* The Responder's session table: bounded, expiring, freed on error, C_R chosen safely. */
#include <string.h>

#include "edh_test_util.h"

struct world {
	struct th_world p;
	struct edh_config ic, rc;
};

/* A Responder with max_sessions and a 100 ms timeout. */
static void world_init(struct world *w, unsigned max_sessions)
{
	th_world_init(&w->p);
	w->ic = w->p.ic;
	w->rc = w->p.rc;
	w->rc.max_sessions = max_sessions;
	w->rc.timeout_ms = 100;
}

static void world_free(struct world *w)
{
	th_world_free(&w->p);
}

/* Start a handshake: message_1 through the table at now; the Initiator waits for message_2. */
static enum edh_status start(struct world *w, struct edh_table *t, uint64_t now,
			     struct edh_init **s, uint8_t *m2, size_t *m2_len)
{
	uint8_t b1[EDH_MSG_MAX];
	struct edh_out o1 = { b1, sizeof(b1), 0, false }, o2 = { m2, EDH_MSG_MAX, 0, false };
	enum edh_status st;
	int suite = 0;

	*s = edh_init_new(&w->ic, 3, &suite, 1, NULL, &o1, &st);
	cr_assert_eq(st, EDH_OK);
	st = edh_resp_msg1(t, now, o1.buf, o1.len, &o2);
	*m2_len = o2.len;
	return st;
}

/* Finish it at now: message_3 through the table. */
static enum edh_status finish(struct edh_table *t, uint64_t now, struct edh_init *s,
			      const uint8_t *m2, size_t m2_len)
{
	uint8_t b3[EDH_MSG_MAX], b4[EDH_MSG_MAX], c_r[EDH_CID_MAX];
	struct edh_out o3 = { b3, sizeof(b3), 0, false }, o4 = { b4, sizeof(b4), 0, false };
	struct edh_result ir, rr;
	enum edh_status st = edh_init_msg2(s, m2, m2_len, &o3, &ir);

	cr_assert_eq(st, EDH_OK);
	return edh_resp_msg3(t, now, c_r, edh_init_c_r(s, c_r), o3.buf, o3.len, &o4, &rr);
}

Test(edhoc_table, bounded_in_number)
{
	struct world w;
	struct edh_table *t;
	struct edh_init *s[3];
	uint8_t m2[3][EDH_MSG_MAX];
	size_t l[3];

	world_init(&w, 2);
	t = edh_table_new(&w.rc);
	cr_assert_eq(start(&w, t, 0, &s[0], m2[0], &l[0]), EDH_OK);
	cr_assert_eq(start(&w, t, 0, &s[1], m2[1], &l[1]), EDH_OK);
	cr_assert_eq(start(&w, t, 0, &s[2], m2[2], &l[2]), EDH_E_FULL);
	cr_assert_eq(edh_table_live(t), 2);
	cr_assert_eq(edh_table_counters(t)[EDH_E_FULL], 1);
	/* completing one frees its slot for the next */
	cr_assert_eq(finish(t, 1, s[0], m2[0], l[0]), EDH_OK);
	cr_assert_eq(edh_table_live(t), 1);
	edh_init_free(s[2]);
	cr_assert_eq(start(&w, t, 2, &s[2], m2[2], &l[2]), EDH_OK);
	cr_assert_eq(finish(t, 3, s[1], m2[1], l[1]), EDH_OK);
	cr_assert_eq(finish(t, 3, s[2], m2[2], l[2]), EDH_OK);
	cr_assert_eq(edh_table_live(t), 0);
	for (int i = 0; i < 3; i++)
		edh_init_free(s[i]);
	edh_table_free(t);
	world_free(&w);
}

Test(edhoc_table, sessions_expire)
{
	struct world w;
	struct edh_table *t;
	struct edh_init *s[2];
	uint8_t m2[2][EDH_MSG_MAX];
	size_t l[2];

	world_init(&w, 4);
	t = edh_table_new(&w.rc);
	cr_assert_eq(start(&w, t, 1000, &s[0], m2[0], &l[0]), EDH_OK);
	cr_assert_eq(start(&w, t, 1050, &s[1], m2[1], &l[1]), EDH_OK);
	/* the first expires at 1100: message_3 at 1100 finds nothing */
	cr_assert_eq(finish(t, 1100, s[0], m2[0], l[0]), EDH_E_NO_SESSION);
	cr_assert_eq(edh_table_live(t), 1);
	cr_assert_eq(edh_table_expire(t, 1149), 0);
	cr_assert_eq(edh_table_expire(t, 1150), 1);
	cr_assert_eq(edh_table_live(t), 0);
	cr_assert_eq(finish(t, 1150, s[1], m2[1], l[1]), EDH_E_NO_SESSION);
	cr_assert_eq(edh_table_counters(t)[EDH_E_NO_SESSION], 2);
	for (int i = 0; i < 2; i++)
		edh_init_free(s[i]);
	edh_table_free(t);
	world_free(&w);
}

Test(edhoc_table, session_freed_on_error_and_not_reusable)
{
	struct world w;
	struct edh_table *t;
	struct edh_init *s;
	uint8_t m2[EDH_MSG_MAX], b3[EDH_MSG_MAX], b4[EDH_MSG_MAX], c_r[EDH_CID_MAX];
	struct edh_out o3 = { b3, sizeof(b3), 0, false }, o4 = { b4, sizeof(b4), 0, false };
	struct edh_result ir, rr;
	size_t l, crl;

	world_init(&w, 4);
	t = edh_table_new(&w.rc);
	cr_assert_eq(start(&w, t, 0, &s, m2, &l), EDH_OK);
	cr_assert_eq(edh_init_msg2(s, m2, l, &o3, &ir), EDH_OK);
	crl = edh_init_c_r(s, c_r);
	o3.buf[o3.len - 1] ^= 1;
	cr_assert_eq(edh_resp_msg3(t, 1, c_r, crl, o3.buf, o3.len, &o4, &rr), EDH_E_AUTH);
	cr_assert_eq(edh_table_live(t), 0);
	/* the genuine message_3 afterwards finds no session: an error is fatal (§6) */
	o3.buf[o3.len - 1] ^= 1;
	cr_assert_eq(edh_resp_msg3(t, 1, c_r, crl, o3.buf, o3.len, &o4, &rr), EDH_E_NO_SESSION);
	edh_init_free(s);
	edh_table_free(t);
	world_free(&w);
}

/* The namespace callback: C_R never takes an identifier the owner says is in use. */
static bool taken_below_0x30(void *arg, const uint8_t *id, size_t len)
{
	(*(unsigned *)arg)++;
	return len == 1 && id[0] < 0x30;
}

Test(edhoc_table, c_r_unique_and_outside_taken_namespace)
{
	struct world w;
	struct edh_table *t;
	struct edh_init *s[8];
	uint8_t m2[8][EDH_MSG_MAX], c_r[8][EDH_CID_MAX], b3[EDH_MSG_MAX];
	struct edh_out o3 = { b3, sizeof(b3), 0, false };
	struct edh_result ir;
	size_t l[8], cl[8];
	unsigned asked = 0;

	world_init(&w, 8);
	w.rc.cid_taken = taken_below_0x30;
	w.rc.cid_taken_arg = &asked;
	t = edh_table_new(&w.rc);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(start(&w, t, 0, &s[i], m2[i], &l[i]), EDH_OK);
		cr_assert_eq(edh_init_msg2(s[i], m2[i], l[i], &o3, &ir), EDH_OK);
		cl[i] = edh_init_c_r(s[i], c_r[i]);
		cr_assert(!(cl[i] == 1 && c_r[i][0] < 0x30), "C_R %02x is taken", c_r[i][0]);
		for (int j = 0; j < i; j++)
			cr_assert(cl[i] != cl[j] || memcmp(c_r[i], c_r[j], cl[i]),
				  "two live sessions share C_R");
	}
	cr_assert(asked >= 0x30);
	for (int i = 0; i < 8; i++)
		edh_init_free(s[i]);
	edh_table_free(t);
	world_free(&w);
}

Test(edhoc_table, bad_configuration_refused)
{
	struct edh_config c = { .suites = { 0 }, .n_suites = 1, .max_sessions = 0 };

	cr_assert_null(edh_table_new(&c));
	c.max_sessions = 4;
	c.suites[0] = 6; /* not implemented here */
	cr_assert_null(edh_table_new(&c));
	c.n_suites = 0;
	cr_assert_null(edh_table_new(&c));
}

/* RFC 9668 §3.3.1: message_3 is the first CBOR item of the combined payload. */
Test(edhoc_table, first_item_of_combined_payload)
{
	static const uint8_t comb[] = { 0x43, 1, 2, 3, 0xaa, 0xbb };

	cr_assert_eq(edh_first_item_len(comb, sizeof(comb)), 4);
	cr_assert_eq(edh_first_item_len(comb, 3), 0, "truncated");
	cr_assert_eq(edh_first_item_len((const uint8_t[]){ 0x5f, 0x41, 0, 0xff }, 4), 0,
		     "indefinite length");
}

/* A retransmitted message_1 gets the same message_2 and no second session (RFC 9528 §7). */
Test(edhoc_table, duplicate_message_1_answered_once)
{
	struct world w;
	struct edh_table *t;
	uint8_t b1[EDH_MSG_MAX], b2[EDH_MSG_MAX], b3[EDH_MSG_MAX];
	struct edh_out o1 = { b1, sizeof(b1), 0, false }, o2 = { b2, sizeof(b2), 0, false };
	struct edh_out o3 = { b3, sizeof(b3), 0, false };
	enum edh_status st;
	int suite = 2;
	struct edh_init *s;

	world_init(&w, 4);
	t = edh_table_new(&w.rc);
	s = edh_init_new(&w.ic, 0, &suite, 1, NULL, &o1, &st);
	cr_assert_eq(edh_resp_msg1(t, 0, o1.buf, o1.len, &o2), EDH_OK);
	cr_assert_eq(edh_resp_msg1(t, 5, o1.buf, o1.len, &o3), EDH_OK);
	cr_assert_eq(o2.len, o3.len);
	cr_assert_arr_eq(o2.buf, o3.buf, o2.len, "ES256 would differ if signed twice");
	cr_assert_eq(edh_table_live(t), 1);
	cr_assert_eq(finish(t, 6, s, o2.buf, o2.len), EDH_OK);
	edh_init_free(s);
	edh_table_free(t);
	world_free(&w);
}
