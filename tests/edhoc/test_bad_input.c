/* SPDX-License-Identifier: BSD-3-Clause */
/* Malformed messages get ERR_CODE 1 and leave no session; each names its counter. */
#include <string.h>

#include "edh_test_util.h"
#include "edhoc_vectors.h"

struct fixture {
	struct th_world w;
	struct edh_table *t;
};

static void fx_init(struct fixture *f)
{
	th_world_init(&f->w);
	f->t = edh_table_new(&f->w.rc);
}

static void fx_free(struct fixture *f)
{
	edh_table_free(f->t);
	th_world_free(&f->w);
}

/* message_1 from hex is refused with st and ERR_CODE 1; no session stays. */
static void refused(struct fixture *f, const char *hex, enum edh_status st)
{
	uint8_t in[200], buf[256];
	struct edh_out out = { buf, sizeof(buf), 0, false };
	size_t n = th_hex(hex, in, sizeof(in));
	int code = 0, su[EDH_SUITES_MAX];
	unsigned ns;
	enum edh_status got = edh_resp_msg1(f->t, 0, in, n, &out);

	cr_assert_eq(got, st, "%s: %s", hex, edh_status_name(got));
	cr_assert(out.is_error);
	cr_assert_eq(edh_error_read(out.buf, out.len, &code, su, &ns), EDH_OK);
	cr_assert_eq(code, EDH_ERR_CODE_UNSPECIFIED);
	cr_assert_eq(edh_table_live(f->t), 0);
}

#define GX2 "8af6f430ebe18d34184017a9a11bf511c8dff8f834730b96c1b7c8dbca2fc3b6"

Test(edhoc_bad, message_1_malformed)
{
	struct fixture f;

	fx_init(&f);
	refused(&f, "", EDH_E_MALFORMED);
	refused(&f, "0382060258", EDH_E_MALFORMED);                      /* truncated */
	refused(&f, "038206025820" GX2, EDH_E_MALFORMED);               /* no C_I */
	refused(&f, "03820602581f" GX2 "37", EDH_E_MALFORMED);          /* G_X of 31 bytes: */
	refused(&f, "0381025820" GX2 "37", EDH_E_MALFORMED);            /* SUITES_I [2] */
	refused(&f, "038206025820" GX2 "1817", EDH_E_MALFORMED);        /* C_I 23, not minimal */
	refused(&f, "038206025820" GX2 "4137", EDH_E_MALFORMED);        /* C_I h'37' as bstr */
	refused(&f, "038206025820" GX2 "48" "0102030405060708", EDH_E_MALFORMED); /* 8 bytes */
	refused(&f, "038206025820" GX2 "37" "5f4100ff", EDH_E_MALFORMED); /* indefinite EAD */
	refused(&f, "038206025820" GX2 "37" "4100", EDH_E_MALFORMED);  /* EAD value first */
	refused(&f, "048206025820" GX2 "37", EDH_E_METHOD);
	refused(&f, "208206025820" GX2 "37", EDH_E_METHOD);              /* method -1 */
	cr_assert_eq(edh_table_counters(f.t)[EDH_E_MALFORMED], 10);
	fx_free(&f);
}

/* Public keys that are not on the curve, or of low order, end the handshake (§3.7 / RFC 7748). */
Test(edhoc_bad, message_1_bad_points)
{
	struct fixture f;

	fx_init(&f);
	/* P-256: x = p (not a field element) */
	refused(&f, "0302" "5820ffffffff00000001000000000000000000000000ffffffffffffffffffffffff" "37",
		EDH_E_MALFORMED);
	/* X25519: the point 0 gives an all-zero shared secret */
	refused(&f, "0000" "58200000000000000000000000000000000000000000000000000000000000000000" "2d",
		EDH_E_AUTH);
	fx_free(&f);
}

/* message_3 must be exactly one bstr: trailing bytes or another type end the session. */
Test(edhoc_bad, message_3_shape)
{
	static const char *const bad[] = {
		"", "40", "4100", "01", "a0", T2_M3 "00", "5f4100ff",
	};
	struct fixture f;
	uint8_t b1[EDH_MSG_MAX], b2[EDH_MSG_MAX], in[64], c_r[EDH_CID_MAX];
	struct edh_out o1 = { b1, sizeof(b1), 0, false }, o2 = { b2, sizeof(b2), 0, false };
	struct edh_result ir, rr;
	enum edh_status st;
	int suite = 2;

	fx_init(&f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct edh_init *s = edh_init_new(&f.w.ic, 3, &suite, 1, NULL, &o1, &st);
		size_t n = th_hex(bad[i], in, sizeof(in));

		cr_assert_eq(edh_resp_msg1(f.t, 0, o1.buf, o1.len, &o2), EDH_OK);
		cr_assert_eq(edh_init_msg2(s, o2.buf, o2.len, &o1, &ir), EDH_OK);
		st = edh_resp_msg3(f.t, 1, c_r, edh_init_c_r(s, c_r), in, n, &o2, &rr);
		cr_assert(st == EDH_E_MALFORMED || st == EDH_E_AUTH, "%s: %s", bad[i],
			  edh_status_name(st));
		cr_assert(o2.is_error);
		cr_assert_eq(edh_table_live(f.t), 0);
		edh_init_free(s);
	}
	fx_free(&f);
}

/* An error message that is not one: the reader refuses it. */
Test(edhoc_bad, error_message_reader)
{
	uint8_t b[16];
	int code;
	int su[EDH_SUITES_MAX];
	unsigned n;

	cr_assert_eq(edh_error_read(b, th_hex("0202", b, sizeof(b)), &code, su, &n), EDH_OK);
	cr_assert_eq(edh_error_read(b, th_hex("02820002", b, sizeof(b)), &code, su, &n), EDH_OK);
	cr_assert(n == 2 && su[0] == 0 && su[1] == 2);
	cr_assert_eq(edh_error_read(b, th_hex("0281", b, sizeof(b)), &code, su, &n),
		     EDH_E_MALFORMED);
	cr_assert_eq(edh_error_read(b, th_hex("0282", b, sizeof(b)), &code, su, &n),
		     EDH_E_MALFORMED);
	cr_assert_eq(edh_error_read(b, th_hex("00f5", b, sizeof(b)), &code, su, &n),
		     EDH_E_MALFORMED, "ERR_CODE 0 is never sent");
	cr_assert_eq(edh_error_read(b, th_hex("0202", b, sizeof(b)) - 1, &code, su, &n),
		     EDH_E_MALFORMED);
	cr_assert_eq(edh_error_read(b, th_hex("03f500", b, sizeof(b)), &code, su, &n),
		     EDH_E_MALFORMED, "trailing item");
}
