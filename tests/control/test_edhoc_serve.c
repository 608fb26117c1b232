/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway's EDHOC responder handler (control/ctl_edhoc.c) with a platform of its own, and
 * what it is built on: C_R from a namespace with a 2-byte prefix (ctl_ns_nth), never a live
 * Recipient ID; message_1 limits (ctl_rate) that many other source addresses cannot reset.
 * Keys: RFC 9529 trace 2 (method 3, suite 2, CCS).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_edhoc.h"
#include "control/ctl_rate.h"
#include "crypto/cry_aead.h"
#include "../edhoc/edhoc_vectors.h"

/* --- a platform: installed Recipient IDs in a list, one preset as a live context's --- */
static uint8_t live[16][OSC_ID_MAX], live_len[16];
static unsigned n_live;
static uint16_t mid;

static int add(void *plat, enum ctl_method m, const struct osc_params *p,
	       struct ctl_ctx_handle *out, char *err, size_t len)
{
	(void)plat;
	(void)err;
	(void)len;
	cr_assert_eq(m, CTL_M_EDHOC);
	cr_assert_lt(n_live, 16u);
	memcpy(live[n_live], p->recipient_id, p->recipient_id_len);
	live_len[n_live++] = p->recipient_id_len;
	*out = (struct ctl_ctx_handle){ n_live, 1 };
	return 0;
}

static bool taken(void *plat, const uint8_t *rid, size_t len)
{
	(void)plat;
	for (unsigned i = 0; i < n_live; i++)
		if (live_len[i] == len && !memcmp(live[i], rid, len))
			return true;
	return false;
}

static void count(void *plat, enum ctl_ctr c)
{
	(void)plat;
	cr_assert_lt((unsigned)c, (unsigned)CTL_C__COUNT);
}

static const struct ctl_platform plat = { .ctx_add = add, .count = count, .rid_taken = taken };

static struct ctl_edhoc_config resp, init;
static struct ctl_edhoc *h;

static void conf(struct ctl_edhoc_config *c, const char *text)
{
	char err[256];
	json_error_t je;
	json_t *v = json_loads(text, 0, &je);

	cr_assert_not_null(v, "%s", je.text);
	cr_assert_eq(ctl_config_edhoc_parse(v, "", c, err, sizeof(err)), 0, "%s", err);
	json_decref(v);
}

static void setup(void)
{
	n_live = 0;
	conf(&resp, "{\"credentials\": [{\"ccs\": \"" T2_CRED_R "\", \"private_key\": \"" T2_SK_R
		    "\"}], \"trusted\": [{\"ccs\": \"" T2_CRED_I "\"}], \"suites\": [2],"
		    " \"message_1_rate\": 0, \"message_1_source_rate\": 0.001,"
		    " \"message_1_source_burst\": 2}");
	conf(&init, "{\"credentials\": [{\"ccs\": \"" T2_CRED_I "\", \"private_key\": \"" T2_SK_I
		    "\"}], \"trusted\": [{\"ccs\": \"" T2_CRED_R "\"}], \"suites\": [2]}");
}

static void teardown(void)
{
	ctl_edhoc_free(h);
	h = NULL;
	ctl_config_edhoc_free(&resp);
	ctl_config_edhoc_free(&init);
}

/* POST /.well-known/edhoc with payload pl[0..n) from source address src (its last byte and
 * the 3rd-last vary); the answer's code, its payload into *ans. */
static uint8_t post(const uint8_t *src, const uint8_t *pl, size_t n, struct osc_coap_msg *ans)
{
	static uint8_t msg[CTL_MSG_MAX], out[CTL_MSG_MAX];
	static const uint8_t wk[] = ".well-known", ed[] = "edhoc";
	struct ctl_env env = { .ops = &plat, .next_mid = &mid };
	struct osc_coap_msg m = { .type = COAP_CON, .code = COAP_POST, .mid = 7 };
	struct ctl_job job = { .kind = CTL_KIND_PLAIN };
	int len;

	m.opts[m.n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .val = wk, .len = 11 };
	m.opts[m.n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .val = ed, .len = 5 };
	m.payload = pl;
	m.payload_len = (uint32_t)n;
	len = osc_coap_encode(msg, sizeof(msg), &m);
	cr_assert_gt(len, 0);
	memcpy(job.peer.src, src, 16);
	job.msg = msg;
	job.len = (size_t)len;
	cr_assert_eq(osc_coap_parse(&job.req, msg, (size_t)len), OSC_COAP_OK);
	len = ctl_edhoc_handler(h, &env, &job, out, sizeof(out));
	cr_assert_gt(len, 0);
	cr_assert_eq(osc_coap_parse(ans, out, (size_t)len), OSC_COAP_OK);
	return ans->code;
}

/* A whole handshake from src (message_1, message_3 prefixed by C_R); returns C_R's length, its
 * bytes into c_r; 0 if the responder refused. */
static size_t handshake(const uint8_t *src, uint8_t *c_r)
{
	static uint8_t b1[EDH_MSG_MAX + 1] = { 0xf5 }, b3[EDH_MSG_MAX + 16], m3b[EDH_MSG_MAX];
	struct edh_out m1 = { .buf = b1 + 1, .cap = EDH_MSG_MAX }, m3 = { .buf = m3b,
									  .cap = sizeof(m3b) };
	int suite = 2;
	struct edh_config ec;
	struct edh_result res;
	struct osc_coap_msg a;
	enum edh_status st;
	struct edh_init *s;
	size_t n = 0;

	ctl_config_edhoc_edh(&init, &ec);
	s = edh_init_new(&ec, 3, &suite, 1, NULL, &m1, &st);
	cr_assert_not_null(s, "%s", edh_status_name(st));
	if (post(src, b1, m1.len + 1, &a) == COAP_CHANGED) {
		cr_assert_eq(edh_init_msg2(s, a.payload, a.payload_len, &m3, &res), EDH_OK);
		cry_wipe(&res, sizeof(res));
		n = edh_init_c_r(s, c_r);
		cr_assert(n >= 2 && n <= 7, "C_R of %zu bytes", n);
		b3[0] = (uint8_t)(0x40 | n); /* C_R as a bstr (not a one-byte int), message_3 */
		memcpy(b3 + 1, c_r, n);
		memcpy(b3 + 1 + n, m3.buf, m3.len);
		cr_assert_eq(post(src, b3, 1 + n + m3.len, &a), COAP_CHANGED);
	}
	edh_init_free(s);
	return n;
}

TestSuite(edhoc_serve, .init = setup, .fini = teardown);

Test(edhoc_serve, ns_nth_orders_every_part_shortest_first)
{
	static const uint8_t pre[] = { 0xab, 0xcd };
	struct ctl_ns ns;
	uint8_t id[OSC_ID_MAX];

	ctl_ns_init(&ns);
	cr_assert_eq(ctl_ns_add(&ns, CTL_M_EDHOC, pre, 2, 2, 3), 0);
	cr_assert_eq(ctl_ns_add(&ns, CTL_M_EDHOC, (const uint8_t *)"\x07", 1, 1, 1), 0);
	cr_assert_eq(ctl_ns_nth(&ns, CTL_M_EDHOC, 0, id), 2);
	cr_expect(!memcmp(id, pre, 2));
	cr_assert_eq(ctl_ns_nth(&ns, CTL_M_EDHOC, 1, id), 3);
	cr_expect(!memcmp(id, "\xab\xcd\x00", 3));
	cr_assert_eq(ctl_ns_nth(&ns, CTL_M_EDHOC, 256, id), 3);
	cr_expect(!memcmp(id, "\xab\xcd\xff", 3));
	cr_assert_eq(ctl_ns_nth(&ns, CTL_M_EDHOC, 257, id), 1);
	cr_expect_eq(id[0], 0x07);
	cr_expect_eq(ctl_ns_nth(&ns, CTL_M_EDHOC, 258, id), 0);
	cr_expect_eq(ctl_ns_nth(&ns, CTL_M_ACE, 0, id), 0);
	for (uint64_t k = 0; k < 258; k++) {
		size_t n = ctl_ns_nth(&ns, CTL_M_EDHOC, k, id);

		cr_expect(ctl_ns_check(&ns, CTL_M_EDHOC, id, n), "candidate %lu", (unsigned long)k);
	}
}

/* A namespace with a 2-byte prefix (IDs ab cd xx) is reachable, and C_R skips a live context's
 * Recipient ID: the library's own order (1-byte, then 2-byte IDs) never reaches it. */
Test(edhoc_serve, c_r_from_a_two_byte_prefix_namespace_skips_live_recipient_ids)
{
	static const uint8_t pre[] = { 0xab, 0xcd }, src[16] = { [10] = 0xff, [11] = 0xff, 10 };
	struct ctl_ns ns;
	uint8_t c_r[EDH_CID_MAX];

	ctl_ns_init(&ns);
	cr_assert_eq(ctl_ns_add(&ns, CTL_M_DIRECT, NULL, 0, 1, 2), 0);
	cr_assert_eq(ctl_ns_add(&ns, CTL_M_EDHOC, pre, 2, 3, 3), 0);
	memcpy(live[0], "\xab\xcd\x00", 3); /* a live context (e.g. restored) holds ab cd 00 */
	live_len[0] = 3;
	n_live = 1;
	resp.m1_src_rate_milli = 0;
	h = ctl_edhoc_new(&resp, &ns, false, false);
	cr_assert_not_null(h);
	cr_assert_eq(handshake(src, c_r), 3);
	cr_expect(!memcmp(c_r, "\xab\xcd\x01", 3), "C_R %02x%02x%02x", c_r[0], c_r[1], c_r[2]);
	cr_assert_eq(n_live, 2);
	cr_expect_eq(live_len[1], 3);
	cr_expect(!memcmp(live[1], c_r, 3), "installed with Recipient ID C_R");
	cr_assert_eq(handshake(src, c_r), 3);
	cr_expect(!memcmp(c_r, "\xab\xcd\x02", 3), "the installed ab cd 01 is skipped");
}

/* A source over its burst stays refused however many other sources come after it: they evict
 * fuller buckets first (direct-mapped buckets reset it: 256 slots, 4000 sources). */
Test(edhoc_serve, a_limited_source_is_not_reset_by_many_other_sources)
{
	static const uint8_t junk[] = { 0xf5, 0x00 }; /* true, then no valid message_1: 4.00 */
	uint8_t src[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 };
	struct osc_coap_msg a;

	h = ctl_edhoc_new(&resp, NULL, false, false);
	cr_assert_not_null(h);
	cr_assert_eq(post(src, junk, 2, &a), COAP_BAD_REQUEST);
	cr_assert_eq(post(src, junk, 2, &a), COAP_BAD_REQUEST);
	cr_assert_eq(post(src, junk, 2, &a), COAP_SERVICE_UNAVAILABLE, "burst 2");
	for (unsigned i = 0; i < 4000; i++) {
		uint8_t other[16] = { [10] = 0xff, [11] = 0xff, 10, 1, (uint8_t)(i >> 8),
				      (uint8_t)i };

		cr_assert_eq(post(other, junk, 2, &a), COAP_BAD_REQUEST);
	}
	cr_expect_eq(post(src, junk, 2, &a), COAP_SERVICE_UNAVAILABLE,
		     "the limited source was reset by other sources");
}

/* Fractional rates refill exactly: burst 2 at 0.5 per second. */
Test(edhoc_serve, bucket_refills_at_a_fractional_rate)
{
	struct ctl_bucket b;

	ctl_bucket_init(&b, 2, 1000);
	cr_expect(ctl_bucket_take(&b, 500, 2, 1000));
	cr_expect(ctl_bucket_take(&b, 500, 2, 1000));
	cr_expect_not(ctl_bucket_take(&b, 500, 2, 1000));
	cr_expect_not(ctl_bucket_take(&b, 500, 2, 2999));
	cr_expect(ctl_bucket_take(&b, 500, 2, 3000));
	cr_expect_not(ctl_bucket_take(&b, 500, 2, 3000));
	cr_expect(ctl_bucket_take(&b, 500, 2, 1000000000)); /* a long pause: full, no overflow */
	cr_expect(ctl_bucket_take(&b, 500, 2, 1000000000));
	cr_expect_not(ctl_bucket_take(&b, 500, 2, 1000000000));
	cr_expect(ctl_bucket_take(&b, 0, 2, 0), "rate 0: no limit");
}

/* Only a table full of limited sources evicts one, and that is reported. */
Test(edhoc_serve, evicting_a_limited_source_is_reported)
{
	struct ctl_rate_src *r = ctl_rate_src_new(1, 1); /* one token, then one per 1000 s */
	unsigned evictions = 0, i;
	bool ev;

	cr_assert_not_null(r);
	for (i = 0; i < 4 * CTL_RATE_SETS * CTL_RATE_WAYS; i++) {
		uint8_t a[16] = { [12] = (uint8_t)(i >> 8), (uint8_t)i, 1, 2 };

		cr_expect(ctl_rate_src_take(r, a, 5, &ev), "a new source has its burst");
		evictions += ev;
		cr_expect_not(ctl_rate_src_take(r, a, 5, &ev), "source %u", i);
		cr_expect_not(ev);
	}
	cr_expect_gt(evictions, 0u, "a full table of limited sources evicts one");
	ctl_rate_src_free(r);
}
