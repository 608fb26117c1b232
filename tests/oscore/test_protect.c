/* SPDX-License-Identifier: BSD-3-Clause */
/* Protect/unprotect beyond the RFC vectors: every refusal reason, Observe, Proxy-Uri, bursts. */
#include <criterion/criterion.h>

#include "oscore/osc_protect.h"
#include "vectors.h"

static struct cry_engine *eng;
static struct osc_ctx client, server;

/* A client/server pair on the C.1 parameters, or with secret byte s and IDs of choice. */
static void pair(struct osc_ctx *cl, struct osc_ctx *sv, uint8_t s, uint8_t cid, uint8_t sid)
{
	struct osc_params p = { .secret_len = 16, .sender_id_len = 1, .recipient_id_len = 1 };

	memset(p.secret, s, 16);
	p.sender_id[0] = cid;
	p.recipient_id[0] = sid;
	cr_assert_eq(osc_ctx_derive(cl, &p), OSC_CTX_OK);
	p.sender_id[0] = sid;
	p.recipient_id[0] = cid;
	cr_assert_eq(osc_ctx_derive(sv, &p), OSC_CTX_OK);
}

static void setup(void)
{
	eng = cry_engine_new();
	cr_assert_not_null(eng);
	pair(&client, &server, 0x11, 0x0a, 0x0b);
}

static void teardown(void)
{
	osc_ctx_wipe(&client);
	osc_ctx_wipe(&server);
	cry_engine_free(eng);
}

TestSuite(protect, .init = setup, .fini = teardown);

/* A plain CON request with code, options and payload; returns its length. */
static int plain_msg(uint8_t *buf, size_t cap, uint8_t code, const struct osc_coap_opt *opts,
		     unsigned n, const char *payload)
{
	struct osc_coap_msg m = { .type = COAP_CON, .code = code, .mid = 0x1234, .tkl = 2,
				  .token = (const uint8_t *)"\xab\xcd", .n_opts = (uint8_t)n };
	int len;

	memcpy(m.opts, opts, n * sizeof(*opts));
	if (payload) {
		m.payload = (const uint8_t *)payload;
		m.payload_len = (uint32_t)strlen(payload);
	}
	len = osc_coap_encode(buf, cap, &m);
	cr_assert_gt(len, 0);
	return len;
}

#define OPT(n, s) { .num = (n), .len = sizeof(s) - 1, .val = (const uint8_t *)(s) }

static int get_req(uint8_t *buf, size_t cap)
{
	static const struct osc_coap_opt o[] = { OPT(COAP_OPT_URI_HOST, "gw"),
						 OPT(COAP_OPT_URI_PATH, "temp") };

	return plain_msg(buf, cap, COAP_GET, o, 2, NULL);
}

/* Protect a GET from client; returns the protected length. */
static int protected_get(uint8_t *out, size_t cap, struct osc_exchange *ex)
{
	uint8_t in[128];
	int n = get_req(in, sizeof(in));

	n = osc_protect_request(eng, &client, in, (size_t)n, out, cap, 0, ex);
	cr_assert_gt(n, 0, "%s", osc_err_name(-n));
	return n;
}

static int verify(const uint8_t *in, int len)
{
	uint8_t out[512];
	struct osc_exchange ex;

	return osc_unprotect_request(eng, &server, in, (size_t)len, out, sizeof(out), &ex);
}

Test(protect, replay_detected_and_mapped_to_4_01)
{
	uint8_t msg[256];
	struct osc_exchange ex;
	int n = protected_get(msg, sizeof(msg), &ex);

	cr_assert_gt(verify(msg, n), 0);
	cr_expect_eq(verify(msg, n), -OSC_ERR_REPLAY);
	cr_expect_eq(osc_err_coap_code(OSC_ERR_REPLAY), COAP_UNAUTHORIZED);
	cr_expect_str_eq(osc_err_diag(OSC_ERR_REPLAY), "Replay detected");
}

Test(protect, every_flipped_ciphertext_bit_fails_and_keeps_window)
{
	uint8_t msg[256], bad[256];
	struct osc_exchange ex;
	int n = protected_get(msg, sizeof(msg), &ex), start, i, bit;

	start = n - 8 - 1; /* at least tag + code byte are ciphertext */
	for (i = start; i < n; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, msg, (size_t)n);
			bad[i] ^= (uint8_t)(1 << bit);
			cr_assert_eq(verify(bad, n), -OSC_ERR_DECRYPT, "byte %d bit %d", i, bit);
		}
	/* the failures did not touch the window: the genuine message still goes through once */
	cr_expect_gt(verify(msg, n), 0);
	cr_expect_eq(osc_err_coap_code(OSC_ERR_DECRYPT), COAP_BAD_REQUEST);
}

Test(protect, unknown_kid_and_kid_context_mismatch)
{
	uint8_t msg[256];
	struct osc_exchange ex;
	struct osc_rx rx;
	int n = protected_get(msg, sizeof(msg), &ex);
	uint8_t *kid = memchr(msg, 0x0a, (size_t)n); /* client Sender ID 0a in the option */
	const uint8_t ctx_id[] = { 1, 2 };
	struct osc_option o;

	cr_assert_not_null(kid);
	*kid = 0x0c;
	cr_expect_eq(verify(msg, n), -OSC_ERR_NO_CONTEXT);
	cr_expect_eq(osc_err_coap_code(OSC_ERR_NO_CONTEXT), COAP_UNAUTHORIZED);
	cr_expect_str_eq(osc_err_diag(OSC_ERR_NO_CONTEXT), "Security context not found");
	*kid = 0x0a;
	cr_assert_eq(osc_rx_parse(&rx, msg, (size_t)n, true), OSC_OK);
	o = rx.opt;
	cr_expect(osc_ctx_matches(&server, &o));
	o.has_kid_ctx = true; /* the server context has no ID Context */
	o.kid_ctx = ctx_id;
	o.kid_ctx_len = 2;
	cr_expect_not(osc_ctx_matches(&server, &o));
}

struct bad_case {
	const char *name;
	const char *hex;
	int err;
};

Test(protect, malformed_requests_get_their_reason)
{
	static const struct bad_case cases[] = {
		{ "not coap", "50", OSC_ERR_COAP },
		{ "no oscore option", "40011234", OSC_ERR_NOT_OSCORE },
		{ "no payload", "400212349309010a", OSC_ERR_NO_PAYLOAD },
		{ "reserved flag", "4002123493c9010aff0102030405060708", OSC_ERR_OPTION },
		{ "piv length 6", "40021234930e0102ff0102030405060708", OSC_ERR_OPTION },
		{ "no piv", "4002123492080aff0102030405060708", OSC_ERR_NO_PIV },
		{ "no kid", "40021234920101ff0102030405060708", OSC_ERR_NO_KID },
		{ "repeated option", "400212349309010a0309010aff010203040506070809",
		  OSC_ERR_DUP_OPTION },
		{ "short ciphertext", "400212349309010aff0102030405060708", OSC_ERR_SHORT_CIPHER },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t msg[128];
		int n = hex2bin(cases[i].hex, msg, sizeof(msg));

		cr_expect_eq(verify(msg, n), -cases[i].err, "%s: got %s", cases[i].name,
			     osc_err_name(-verify(msg, n)));
	}
}

/* Encrypts a hand-made plaintext as the client would, at PIV 1, into a request. */
static int forge(const uint8_t *pt, size_t pt_len, uint8_t *out)
{
	static const uint8_t head[] = { 0x42, COAP_POST, 0x12, 0x34, 0xab, 0xcd, 0x93, 0x09, 0x01,
					0x0a, 0xff };
	const uint8_t piv = 1, kid = 0x0a;
	uint8_t nonce[13], aad[OSC_AAD_MAX];
	struct cry_op op = { .key = &client.sender_key, .nonce = nonce, .aad = aad,
			     .in = pt, .len = (uint32_t)pt_len, .dir = CRY_ENCRYPT };

	osc_nonce(nonce, &client, &kid, 1, &piv, 1);
	op.aad_len = (uint32_t)osc_aad(aad, osc_ctx_alg(&client), &kid, 1, &piv, 1);
	memcpy(out, head, sizeof(head));
	op.out = out + sizeof(head);
	op.tag = op.out + pt_len;
	cr_assert_eq(cry_aead_batch(eng, &op, 1), 1);
	return (int)(sizeof(head) + pt_len + 8);
}

Test(protect, inner_oscore_option_is_refused_as_nested)
{
	const uint8_t pt[] = { COAP_GET, 0x90 }; /* GET with an empty inner OSCORE option */
	uint8_t msg[64];

	cr_expect_eq(verify(msg, forge(pt, sizeof(pt), msg)), -OSC_ERR_NESTED);
}

Test(protect, malformed_plaintext_is_refused_after_verification)
{
	const uint8_t trunc[] = { COAP_GET, 0xb5, 't' };  /* Uri-Path of 5 bytes, 1 present */
	const uint8_t resp_code[] = { COAP_CONTENT };     /* a response code inside a request */
	uint8_t msg[64];

	cr_expect_eq(verify(msg, forge(trunc, sizeof(trunc), msg)), -OSC_ERR_INNER);
	osc_replay_init(&server.replay, 32);
	cr_expect_eq(verify(msg, forge(resp_code, sizeof(resp_code), msg)), -OSC_ERR_INNER);
}

Test(protect, message_with_oscore_option_is_not_protected_again)
{
	uint8_t msg[256], out[256];
	struct osc_exchange ex;
	int n = protected_get(msg, sizeof(msg), &ex);

	cr_expect_eq(osc_protect_request(eng, &client, msg, (size_t)n, out, sizeof(out), 0, &ex),
		     -OSC_ERR_BAD_INPUT);
}

Test(protect, ssn_exhaustion_at_2_pow_40)
{
	uint8_t in[128], out[256];
	struct osc_exchange ex;
	int n = get_req(in, sizeof(in));

	client.ssn = OSC_SSN_MAX;
	cr_expect_gt(osc_protect_request(eng, &client, in, (size_t)n, out, sizeof(out), 0, &ex), 0);
	cr_expect_eq(ex.piv_len, 5);
	cr_expect_eq(osc_protect_request(eng, &client, in, (size_t)n, out, sizeof(out), 0, &ex),
		     -OSC_ERR_SSN_EXHAUSTED);
	cr_expect_eq(osc_protect_request(eng, &client, in, (size_t)n, out, sizeof(out), 0, &ex),
		     -OSC_ERR_SSN_EXHAUSTED, "stays exhausted");
}

Test(protect, output_too_small_is_refused)
{
	uint8_t in[128], out[256];
	struct osc_exchange ex;
	int n = get_req(in, sizeof(in)), full;

	full = osc_protect_request(eng, &client, in, (size_t)n, out, sizeof(out), 0, &ex);
	cr_assert_gt(full, 0);
	cr_expect_eq(osc_protect_request(eng, &client, in, (size_t)n, out, (size_t)full - 1, 0, &ex),
		     -OSC_ERR_TOO_BIG);
}

Test(protect, observe_outer_codes_and_both_directions)
{
	static const uint8_t zero[1] = { 0 };
	struct osc_coap_opt o[] = { { .num = COAP_OPT_OBSERVE, .len = 0, .val = zero },
				    OPT(COAP_OPT_URI_PATH, "temp") };
	uint8_t in[128], prot[256], out[256];
	struct osc_exchange cex, sex;
	const struct osc_coap_opt *f;
	struct osc_coap_msg m;
	int n = plain_msg(in, sizeof(in), COAP_GET, o, 2, NULL), p;

	p = osc_protect_request(eng, &client, in, (size_t)n, prot, sizeof(prot), 0, &cex);
	cr_assert_gt(p, 0);
	cr_assert_eq(osc_coap_parse(&m, prot, (size_t)p), OSC_COAP_OK);
	cr_expect_eq(m.code, COAP_FETCH, "§4.1.3.5: outer FETCH for Observe");
	cr_expect_not_null(osc_coap_find(&m, COAP_OPT_OBSERVE, NULL), "outer Observe kept");
	cr_expect_null(osc_coap_find(&m, COAP_OPT_URI_PATH, NULL), "Uri-Path is inner");
	n = osc_unprotect_request(eng, &server, prot, (size_t)p, out, sizeof(out), &sex);
	cr_assert_gt(n, 0);
	cr_expect(sex.observe);
	cr_expect_eq(n, plain_msg(in, sizeof(in), COAP_GET, o, 2, NULL));
	cr_expect_eq(memcmp(out, in, (size_t)n), 0, "original request recovered");

	/* a notification with the server's own Partial IV */
	o[0].len = 1;
	o[0].val = (const uint8_t *)"\x05";
	n = plain_msg(in, sizeof(in), COAP_CONTENT, o, 1, "21.5");
	p = osc_protect_response(eng, &server, &sex, in, (size_t)n, prot, sizeof(prot),
				 OSC_F_OWN_PIV);
	cr_assert_gt(p, 0);
	cr_assert_eq(osc_coap_parse(&m, prot, (size_t)p), OSC_COAP_OK);
	cr_expect_eq(m.code, COAP_CONTENT, "§4.2: outer 2.05 for a notification");
	n = osc_unprotect_response(eng, &client, &cex, prot, (size_t)p, out, sizeof(out));
	cr_assert_gt(n, 0, "%s", osc_err_name(-n));
	cr_assert_eq(osc_coap_parse(&m, out, (size_t)n), OSC_COAP_OK);
	cr_expect_eq(m.payload_len, 4);
	cr_expect_eq(memcmp(m.payload, "21.5", 4), 0);
	/* §4.1.3.5.2: the inner Observe is empty; the client orders by the Partial IV (here 0) */
	f = osc_coap_find(&m, COAP_OPT_OBSERVE, NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->len, 1);
	cr_expect_eq(f->val[0], 0x00);
	cr_assert_eq(osc_coap_parse(&m, prot, (size_t)p), OSC_COAP_OK);
	f = osc_coap_find(&m, COAP_OPT_OBSERVE, NULL);
	cr_expect(f && f->len == 1 && f->val[0] == 0x05, "outer Observe keeps the server's value");
}

Test(protect, notification_for_plain_request_is_refused)
{
	static const struct osc_coap_opt o[] = { { .num = COAP_OPT_OBSERVE, .len = 1,
						   .val = (const uint8_t *)"\x07" } };
	uint8_t in[128], prot[256], out[256];
	struct osc_exchange cex, sex;
	int n, p = protected_get(prot, sizeof(prot), &cex);

	cr_assert_gt(osc_unprotect_request(eng, &server, prot, (size_t)p, out, sizeof(out), &sex), 0);
	n = plain_msg(in, sizeof(in), COAP_CONTENT, o, 1, "x");
	p = osc_protect_response(eng, &server, &sex, in, (size_t)n, prot, sizeof(prot), 0);
	cr_assert_gt(p, 0);
	cr_expect_eq(osc_unprotect_response(eng, &client, &cex, prot, (size_t)p, out, sizeof(out)),
		     -OSC_ERR_INNER, "§8.4.2");
}

Test(protect, proxy_uri_is_split)
{
	static const struct osc_coap_opt o[] = {
		OPT(COAP_OPT_PROXY_URI, "coap://example.com:5684/a/b%20c?x=1&y"),
	};
	uint8_t in[256], prot[256], out[256];
	struct osc_exchange ex;
	struct osc_coap_msg m;
	const struct osc_coap_opt *f;
	unsigned count;
	int n = plain_msg(in, sizeof(in), COAP_GET, o, 1, NULL), p;

	p = osc_protect_request(eng, &client, in, (size_t)n, prot, sizeof(prot), 0, &ex);
	cr_assert_gt(p, 0);
	cr_assert_eq(osc_coap_parse(&m, prot, (size_t)p), OSC_COAP_OK);
	f = osc_coap_find(&m, COAP_OPT_PROXY_URI, NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->len, strlen("coap://example.com:5684"));
	cr_expect_eq(memcmp(f->val, "coap://example.com:5684", f->len), 0);
	n = osc_unprotect_request(eng, &server, prot, (size_t)p, out, sizeof(out), &ex);
	cr_assert_gt(n, 0);
	cr_assert_eq(osc_coap_parse(&m, out, (size_t)n), OSC_COAP_OK);
	f = osc_coap_find(&m, COAP_OPT_URI_PATH, &count);
	cr_assert_eq(count, 2);
	cr_expect_eq(f[1].len, 3);
	cr_expect_eq(memcmp(f[1].val, "b c", 3), 0, "percent-decoded");
	osc_coap_find(&m, COAP_OPT_URI_QUERY, &count);
	cr_expect_eq(count, 2);
}

Test(protect, outer_class_e_options_are_dropped_class_u_kept)
{
	uint8_t prot[256], out[256], hacked[300];
	struct osc_exchange ex;
	struct osc_coap_msg m;
	int p = protected_get(prot, sizeof(prot), &ex), n;

	/* add an outer ETag (Class E): only a proxy could have put it there; it must not pass */
	cr_assert_eq(osc_coap_parse(&m, prot, (size_t)p), OSC_COAP_OK);
	cr_assert_eq(m.n_opts, 2); /* Uri-Host, OSCORE: put ETag (4) between them */
	m.opts[2] = m.opts[1];
	m.opts[1] = (struct osc_coap_opt)OPT(COAP_OPT_ETAG, "\x01\x02");
	m.n_opts = 3;
	n = osc_coap_encode(hacked, sizeof(hacked), &m);
	cr_assert_gt(n, 0, "%d", n);
	n = osc_unprotect_request(eng, &server, hacked, (size_t)n, out, sizeof(out), &ex);
	cr_assert_gt(n, 0, "%s", osc_err_name(-n));
	cr_assert_eq(osc_coap_parse(&m, out, (size_t)n), OSC_COAP_OK);
	cr_expect_null(osc_coap_find(&m, COAP_OPT_ETAG, NULL));
	cr_expect_not_null(osc_coap_find(&m, COAP_OPT_URI_HOST, NULL));
	cr_expect_null(osc_coap_find(&m, COAP_OPT_OSCORE, NULL));
}

/* Burst: a lookup over a small table, with two contexts sharing Recipient ID 0a. */
struct table {
	struct osc_ctx *ctx[4];
	unsigned n;
};

static unsigned lookup(void *arg, const struct osc_option *o, struct osc_ctx **out, unsigned max)
{
	struct table *t = arg;
	unsigned i, k = 0;

	for (i = 0; i < t->n && k < max; i++)
		if (osc_ctx_matches(t->ctx[i], o))
			out[k++] = t->ctx[i];
	return k;
}

Test(protect, burst_sorts_survivors_and_tries_colliding_ids)
{
	static struct osc_ctx other_cl, other_sv;
	struct table t = { .ctx = { &other_sv, &server }, .n = 2 };
	enum { N = 70 }; /* more than one internal chunk */
	static uint8_t in_buf[N][256], out_buf[N][512], plain[N][600];
	static struct osc_rx rxs[N];
	struct osc_rx *rx[N];
	const uint8_t *in[N];
	uint8_t *out[N];
	size_t len[N], out_len[N];
	struct osc_exchange ex;
	unsigned i, good, want_good = 0;

	pair(&other_cl, &other_sv, 0x22, 0x0a, 0x0b); /* same IDs, other secret */
	for (i = 0; i < N; i++) {
		struct osc_ctx *c = i % 2 ? &client : &other_cl;

		len[i] = (size_t)protected_get(in_buf[i], sizeof(in_buf[i]), &ex);
		if (c == &other_cl) {
			uint8_t tmp[128];
			int n = get_req(tmp, sizeof(tmp));

			len[i] = (size_t)osc_protect_request(eng, c, tmp, (size_t)n, in_buf[i],
							     sizeof(in_buf[i]), 0, &ex);
		}
		if (i % 10 == 9)
			in_buf[i][len[i] - 1] ^= 1; /* tampered */
		else
			want_good++;
		rxs[i] = (struct osc_rx){ .plain = plain[i], .plain_cap = sizeof(plain[i]) };
		rx[i] = &rxs[i];
		in[i] = in_buf[i];
		out[i] = out_buf[i];
	}
	good = osc_unprotect_burst(eng, rx, in, len, out, sizeof(out_buf[0]), out_len, N, lookup,
				   &t);
	cr_expect_eq(good, want_good);
	for (i = 0; i < N; i++) {
		if (i < good) {
			cr_expect_eq(rx[i]->err, OSC_OK);
			cr_expect_gt(out_len[i], 0);
		} else {
			cr_expect_eq(rx[i]->err, OSC_ERR_DECRYPT, "rx %u: %s", i,
				     osc_err_name(rx[i]->err));
		}
	}
	/* the same burst again: everything that got through is now a replay */
	for (i = 0; i < N; i++)
		rx[i] = &rxs[i];
	good = osc_unprotect_burst(eng, rx, in, len, out, sizeof(out_buf[0]), out_len, N, lookup,
				   &t);
	cr_expect_eq(good, 0);
	osc_ctx_wipe(&other_cl);
	osc_ctx_wipe(&other_sv);
}

Test(protect, random_bytes_never_crash)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned iter;

	for (iter = 0; iter < 100000; iter++) {
		uint8_t msg[64];
		unsigned len = iter % sizeof(msg), i;

		for (i = 0; i < len; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			msg[i] = (uint8_t)x;
		}
		if (len > 1)
			msg[0] = (uint8_t)(0x40 | (msg[0] & 0x3f)); /* mostly valid version */
		cr_assert_leq(verify(msg, (int)len), 0);
	}
}

Test(protect, sender_id_longer_than_nonce_minus_6_is_refused)
{
	struct osc_params p = { .secret_len = 1, .sender_id_len = 2 };
	struct osc_ctx c;

	p.alg = cry_alg_by_cose(CRY_AES_CCM_64_64_128); /* 7-byte nonce: IDs of at most 1 byte */
	cr_expect_eq(osc_ctx_derive(&c, &p), OSC_CTX_ERR_ID_LEN);
	p.alg = cry_alg_by_cose(CRY_A128GCM);           /* 12-byte nonce: at most 6 */
	p.sender_id_len = 7;
	cr_expect_eq(osc_ctx_derive(&c, &p), OSC_CTX_ERR_ID_LEN);
	p.sender_id_len = 6;
	cr_expect_eq(osc_ctx_derive(&c, &p), OSC_CTX_OK);
	osc_ctx_wipe(&c);
	p.replay_window = OSC_REPLAY_MAX + 1;
	cr_expect_eq(osc_ctx_derive(&c, &p), OSC_CTX_ERR_WINDOW);
	p.replay_window = 0;
	p.secret_len = 0;
	cr_expect_eq(osc_ctx_derive(&c, &p), OSC_CTX_ERR_SECRET);
}

Test(protect, request_whose_outer_options_would_overflow_is_refused)
{
	struct osc_coap_opt o[COAP_MAX_OPTS];
	uint8_t in[512], out[1024];
	struct osc_exchange ex;
	unsigned i;
	int n;

	for (i = 0; i < COAP_MAX_OPTS; i++) /* Class U: all of them stay outside */
		o[i] = (struct osc_coap_opt)OPT(COAP_OPT_URI_HOST, "h");
	n = plain_msg(in, sizeof(in), COAP_GET, o, COAP_MAX_OPTS, NULL);
	cr_expect_eq(osc_protect_request(eng, &client, in, (size_t)n, out, sizeof(out), 0, &ex),
		     -OSC_ERR_TOO_BIG, "48 outer options plus OSCORE would not parse");
	n = plain_msg(in, sizeof(in), COAP_GET, o, COAP_MAX_OPTS - 1, NULL);
	n = osc_protect_request(eng, &client, in, (size_t)n, out, sizeof(out), 0, &ex);
	cr_assert_gt(n, 0);
	cr_expect_gt(verify(out, n), 0);
}

/* Stages by hand with OSC_RX_LOADTEST: a replay is reported but still verified and rebuilt. */
static int verify_loadtest(const uint8_t *in, int len, uint8_t *replay)
{
	uint8_t plain[600], out[512];
	struct osc_rx rx = { .plain = plain, .plain_cap = sizeof(plain), .flags = OSC_RX_LOADTEST };

	cr_assert_eq(osc_rx_parse(&rx, in, (size_t)len, true), OSC_OK);
	cr_assert_eq(osc_rx_prepare(&rx, &server, NULL), OSC_OK);
	cry_aead_batch(eng, &rx.op, 1);
	*replay = rx.replay;
	return osc_rx_finish(&rx, out, sizeof(out));
}

Test(protect, loadtest_flag_counts_replays_but_processes_them)
{
	uint8_t msg[256], replay;
	struct osc_exchange ex;
	int n = protected_get(msg, sizeof(msg), &ex);

	cr_expect_gt(verify_loadtest(msg, n, &replay), 0);
	cr_expect_eq(replay, OSC_REPLAY_OK);
	cr_expect_gt(verify_loadtest(msg, n, &replay), 0, "a replay is processed in a load test");
	cr_expect_eq(replay, OSC_REPLAY_SEEN, "and reported");
	cr_expect_eq(verify(msg, n), -OSC_ERR_REPLAY, "without the flag it is refused");
}

Test(protect, ssn_limit_holds_back_sequence_numbers_not_yet_durable)
{
	uint8_t in[128], out[256];
	struct osc_exchange ex;
	int n = get_req(in, sizeof(in));

	client.ssn = 10;
	client.ssn_limit = 11; /* App. B.1.1: only SSN 10 has been written ahead */
	cr_expect_gt(osc_protect_request(eng, &client, in, (size_t)n, out, sizeof(out), 0, &ex), 0);
	cr_expect_eq(osc_protect_request(eng, &client, in, (size_t)n, out, sizeof(out), 0, &ex),
		     -OSC_ERR_SSN_LIMIT);
	cr_expect_eq(client.ssn, 11, "a refused SSN is not consumed");
	client.ssn_limit = 20;
	cr_expect_gt(osc_protect_request(eng, &client, in, (size_t)n, out, sizeof(out), 0, &ex), 0);
	cr_expect_eq(ex.piv[0], 11);
}

/* osc_rx_finish_inner on a request in msg[0..n): the inner code, out left alone unless the
 * window is unknown (the rebuild's check writes into out's second half and restores it). */
static int verify_served(const uint8_t *msg, int n, uint8_t *out, size_t cap, uint8_t *code,
			 uint32_t *out_len)
{
	uint8_t plain[600];
	struct osc_rx rx = { .plain = plain, .plain_cap = sizeof(plain) };
	struct osc_coap_msg in;

	cr_assert_eq(osc_rx_parse(&rx, msg, (size_t)n, true), OSC_OK);
	cr_assert_eq(osc_rx_prepare(&rx, &server, NULL), OSC_OK);
	cry_aead_batch(eng, &rx.op, 1);
	n = osc_rx_finish_inner(&rx, &in, out, cap);
	*code = n == 0 ? in.code : 0;
	*out_len = rx.out_len;
	if (n == 0) { /* the plain request, when it is wanted after all, is what finish writes */
		n = osc_rx_rebuild_inner(&rx, &in, out + cap / 2, cap / 2);
		cr_assert_gt(n, 4);
		cr_expect_eq(out[cap / 2 + 1], in.code);
		memset(out + cap / 2, 0xa5, cap / 2);
		n = 0;
	}
	return n;
}

Test(protect, finish_inner_checks_and_commits_like_finish_without_rebuilding)
{
	const uint8_t nested[] = { COAP_GET, 0x90 };
	const uint8_t trunc[] = { COAP_GET, 0xb5, 't' };
	uint8_t msg[256], out[512], untouched[512], code = 0;
	struct osc_exchange ex;
	uint32_t out_len = 0;
	int n = protected_get(msg, sizeof(msg), &ex);

	memset(out, 0xa5, sizeof(out));
	memcpy(untouched, out, sizeof(out));
	cr_expect_eq(verify_served(msg, n, out, sizeof(out), &code, &out_len), 0);
	cr_expect_eq(code, COAP_GET);
	cr_expect_arr_eq(out, untouched, sizeof(out), "the plain request is not written");
	cr_expect_eq(osc_replay_check(&server.replay, osc_piv_to_ssn(ex.piv, ex.piv_len)),
		     OSC_REPLAY_SEEN, "the Partial IV was committed");
	osc_replay_init(&server.replay, 32);
	cr_expect_eq(verify_served(msg, forge(nested, sizeof(nested), msg), out, sizeof(out), &code,
				   &out_len), -OSC_ERR_NESTED);
	osc_replay_init(&server.replay, 32);
	cr_expect_eq(verify_served(msg, forge(trunc, sizeof(trunc), msg), out, sizeof(out), &code,
				   &out_len), -OSC_ERR_INNER);
	n = protected_get(msg, sizeof(msg), &ex);
	osc_replay_init(&server.replay, 32);
	osc_replay_mark_unknown(&server.replay);
	cr_expect_eq(verify_served(msg, n, out, sizeof(out), &code, &out_len),
		     -OSC_ERR_WINDOW_UNKNOWN);
	cr_expect_gt(out_len, 4, "App. B.1.2: the control plane gets the plain request");
	cr_expect_eq(out[1], COAP_GET);
}
