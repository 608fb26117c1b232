/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The answer's fast paths against the general ones, byte for byte: the word-wise nonce and AAD
 * against the §5.2 and §5.4 constructions byte by byte, the template of an answer without options against the
 * option split and layout, and an answer built from the live request (its AAD and nonce,
 * osc_answer_reply) against one built from the request's exchange (osc_answer_prepare).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_cbor.h"
#include "oscore/osc_answer.h"
#include "oscore/osc_classes.h"
#include "oscore/osc_protect.h"

static struct cry_engine *eng;
static struct osc_ctx client, server;

/* A client/server pair; with id_ctx (len bytes of 0x5c) both carry an ID Context. */
static void pair(int cose, size_t id_ctx_len, bool has_id_ctx)
{
	struct osc_params p = { .secret_len = 16, .sender_id_len = 1, .recipient_id_len = 2,
				.has_id_ctx = has_id_ctx, .id_ctx_len = (uint8_t)id_ctx_len };

	p.alg = cry_alg_by_cose(cose);
	cr_assert_not_null(p.alg);
	memset(p.secret, 0x3c, 16);
	memset(p.id_ctx, 0x5c, id_ctx_len);
	p.sender_id[0] = 0x0a;
	p.recipient_id[0] = 0x0b;
	p.recipient_id[1] = 0x0c;
	cr_assert_eq(osc_ctx_derive(&client, &p), OSC_CTX_OK);
	p.sender_id_len = 2;
	p.recipient_id_len = 1;
	p.sender_id[0] = 0x0b;
	p.sender_id[1] = 0x0c;
	p.recipient_id[0] = 0x0a;
	cr_assert_eq(osc_ctx_derive(&server, &p), OSC_CTX_OK);
}

static void setup(void)
{
	eng = cry_engine_new();
	cr_assert_not_null(eng);
	pair(CRY_AES_CCM_16_64_128, 0, false);
}

static void teardown(void)
{
	osc_ctx_wipe(&client);
	osc_ctx_wipe(&server);
	cry_engine_free(eng);
}

TestSuite(answer, .init = setup, .fini = teardown);

/* §5.2 as written: padded ID and Partial IV into a zeroed nonce, then XOR the Common IV. */
static void nonce_ref(uint8_t *out, unsigned n, const uint8_t *iv, const uint8_t *id,
		      size_t id_len, const uint8_t *piv, size_t piv_len)
{
	memset(out, 0, n);
	out[0] = (uint8_t)id_len;
	memcpy(out + 1 + (n - 6 - id_len), id, id_len);
	memcpy(out + n - piv_len, piv, piv_len);
	for (unsigned i = 0; i < n; i++)
		out[i] ^= iv[i];
}

Test(answer, nonce_is_the_byte_construction_for_every_shape)
{
	static const unsigned lens[] = { 7, 12, 13 };
	uint8_t iv[CRY_NONCE_MAX], id[OSC_ID_MAX], piv[OSC_PIV_MAX];
	uint8_t want[CRY_NONCE_MAX + 3], got[CRY_NONCE_MAX + 3];

	srand(11);
	for (unsigned k = 0; k < 3; k++)
		for (unsigned id_len = 0; id_len <= lens[k] - 6; id_len++)
			for (unsigned piv_len = 0; piv_len <= OSC_PIV_MAX; piv_len++)
				for (unsigned r = 0; r < 64; r++) {
					for (unsigned i = 0; i < sizeof(iv); i++)
						iv[i] = (uint8_t)rand();
					for (unsigned i = 0; i < sizeof(id); i++)
						id[i] = (uint8_t)rand();
					for (unsigned i = 0; i < sizeof(piv); i++)
						piv[i] = (uint8_t)rand();
					memset(want, 0xee, sizeof(want));
					memset(got, 0xee, sizeof(got));
					nonce_ref(want, lens[k], iv, id, id_len, piv, piv_len);
					osc_nonce_iv(got, lens[k], iv, id, id_len, piv, piv_len);
					cr_assert_arr_eq(got, want, sizeof(got),
							 "n %u id_len %u piv_len %u", lens[k],
							 id_len, piv_len);
				}
}

/* §5.4 as written: Enc_structure ["Encrypt0", h'', external_aad], external_aad =
 * bstr([1, [alg], kid, piv, h'']), byte by byte. */
static int aad_ref(uint8_t *out, int cose, const uint8_t *kid, size_t kid_len, const uint8_t *piv,
		   size_t piv_len)
{
	static const uint8_t pre[] = { 0x83, 0x68, 'E', 'n', 'c', 'r', 'y', 'p', 't', '0', 0x40 };
	unsigned alg_len = cose < 24 ? 1 : 2;
	size_t n = sizeof(pre);

	memcpy(out, pre, n);
	out[n++] = (uint8_t)(0x40 | (6 + alg_len + kid_len + piv_len));
	out[n++] = 0x85;
	out[n++] = 1;
	out[n++] = 0x81;
	if (alg_len == 2)
		out[n++] = 0x18;
	out[n++] = (uint8_t)cose;
	out[n++] = (uint8_t)(0x40 | kid_len);
	for (size_t i = 0; i < kid_len; i++)
		out[n++] = kid[i];
	out[n++] = (uint8_t)(0x40 | piv_len);
	for (size_t i = 0; i < piv_len; i++)
		out[n++] = piv[i];
	out[n++] = 0x40;
	return (int)n;
}

Test(answer, aad_is_the_byte_construction_for_every_shape)
{
	static const int algs[] = { CRY_AES_CCM_16_64_128, CRY_A128GCM, CRY_AES_CCM_64_128_256 };
	uint8_t kid[OSC_ID_MAX], piv[OSC_PIV_MAX], want[OSC_AAD_MAX + 8], got[OSC_AAD_MAX + 8];

	srand(12);
	for (unsigned a = 0; a < 3; a++)
		for (unsigned kl = 0; kl <= OSC_ID_MAX; kl++)
			for (unsigned pl = 0; pl <= OSC_PIV_MAX; pl++)
				for (unsigned r = 0; r < 16; r++) {
					int n;

					for (unsigned i = 0; i < sizeof(kid); i++)
						kid[i] = (uint8_t)rand();
					for (unsigned i = 0; i < sizeof(piv); i++)
						piv[i] = (uint8_t)rand();
					memset(got, 0xee, sizeof(got));
					n = aad_ref(want, algs[a], kid, kl, piv, pl);
					cr_assert_eq(osc_aad(got, cry_alg_by_cose(algs[a]), kid, kl,
							     piv, pl), n);
					cr_assert_arr_eq(got, want, (size_t)n, "alg %d kid %u piv %u",
							 algs[a], kl, pl);
					for (size_t i = OSC_AAD_MAX; i < sizeof(got); i++)
						cr_assert_eq(got[i], 0xee, "written past OSC_AAD_MAX");
				}
	cr_expect_eq(osc_aad(got, cry_alg_by_cose(CRY_AES_CCM_16_64_128), kid, OSC_ID_MAX + 1,
			     piv, 1), -1);
	cr_expect_eq(osc_aad(got, cry_alg_by_cose(CRY_AES_CCM_16_64_128), kid, 1, piv,
			     OSC_PIV_MAX + 1), -1);
}

/* One answer shape: the answer's header fields, code, payload; flags of osc_tx_prepare_*. */
struct shape {
	uint8_t type, tkl, code;
	const char *payload;
	unsigned flags;
	uint64_t ssn; /* with OSC_F_OWN_PIV: the Partial IV the answer takes */
};

static void msg_of(struct osc_coap_msg *m, const struct shape *sh)
{
	static const uint8_t token[COAP_TOKEN_MAX] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	memset(m, 0, sizeof(*m));
	m->type = sh->type;
	m->code = sh->code;
	m->mid = 0xbeef;
	m->tkl = sh->tkl;
	m->token = token;
	m->payload = (const uint8_t *)sh->payload;
	m->payload_len = sh->payload ? (uint32_t)strlen(sh->payload) : 0;
}

/* The OSCORE option value osc_tx_prepare_response sends for sh (§6.1, App. B.2). */
static int optval_of(uint8_t *out, const struct shape *sh)
{
	uint8_t wrapped[3 + OSC_ID_CTX_MAX];
	struct osc_option o = { 0 };
	struct cry_cbor_buf b;

	if (sh->flags & OSC_F_OWN_PIV)
		o.piv_len = (uint8_t)osc_piv_from_ssn(o.piv, sh->ssn);
	if (sh->flags & OSC_F_KID_CTX) {
		o.has_kid_ctx = true;
		o.kid_ctx = server.id_ctx;
		o.kid_ctx_len = server.id_ctx_len;
	}
	if (sh->flags & OSC_F_KID_CTX_CBOR) {
		cry_cbor_init(&b, wrapped, sizeof(wrapped));
		cry_cbor_bstr(&b, server.id_ctx, server.id_ctx_len);
		o.kid_ctx_len = (uint8_t)cry_cbor_done(&b);
		o.kid_ctx = wrapped;
	}
	return osc_option_encode(out, OSC_OPTION_MAX, &o);
}

/* The template (osc_tx_prepare_response of an answer without options) and the general layout
 * (split, osc_tx_layout) of the same answer, into a and b (cap bytes each): both results the
 * same, and on success the same bytes, plaintext span and tag position. */
static void same_as_general(const struct shape *sh, const struct osc_exchange *ex, size_t cap)
{
	uint8_t a[600], b[600], optval[OSC_OPTION_MAX];
	struct osc_opt_split sp;
	struct osc_coap_msg m;
	struct osc_tx ta, tb;
	int ra, rb, optlen = optval_of(optval, sh);

	cr_assert_geq(optlen, 0);
	msg_of(&m, sh);
	memset(a, 0x77, sizeof(a));
	memset(b, 0x77, sizeof(b));
	server.ssn = sh->ssn;
	ra = osc_tx_prepare_response(&ta, &server, ex, &m, a, cap, sh->flags);
	tb = ta; /* key, nonce and AAD as the template path set them */
	cr_assert_eq(osc_opts_split(&sp, &m, true), 0);
	rb = osc_tx_layout(&tb, &sp, &m, true, optval, optlen, 0, b, cap);
	cr_assert_eq(ra, rb, "code %#x tkl %u flags %#x cap %zu: %d vs %d", sh->code, sh->tkl,
		     sh->flags, cap, ra, rb);
	if (ra != OSC_OK)
		return;
	cr_assert_eq(ta.len, tb.len, "code %#x tkl %u flags %#x", sh->code, sh->tkl, sh->flags);
	cr_assert_arr_eq(a, b, sizeof(a), "code %#x tkl %u flags %#x payload %s", sh->code,
			 sh->tkl, sh->flags, sh->payload ? sh->payload : "-");
	cr_assert_eq(ta.op.in - a, tb.op.in - b);
	cr_assert_eq(ta.op.out - a, tb.op.out - b);
	cr_assert_eq(ta.op.len, tb.op.len);
	cr_assert_eq(ta.op.tag - a, tb.op.tag - b);
}

/* GET /temp, CON, token 77 */
static const uint8_t get_temp[] = { 0x41, COAP_GET, 0x12, 0x34, 0x77, 0xb4, 't', 'e', 'm', 'p' };

/* A request from client and its exchange, as the server would bind its answers (§7.1). */
static void request(struct osc_exchange *cex, struct osc_exchange *sex, unsigned flags,
		    uint8_t *prot, int *prot_len)
{
	uint8_t plain[64];

	*prot_len = osc_protect_request(eng, &client, get_temp, sizeof(get_temp), prot, 128, flags,
					cex);
	cr_assert_gt(*prot_len, 0, "%s", osc_err_name(-*prot_len));
	cr_assert_gt(osc_unprotect_request(eng, &server, prot, (size_t)*prot_len, plain,
					   sizeof(plain), sex), 0);
}

static const char *const payloads[] = { NULL, "Decryption failed", "x",
	"a payload long enough that its marker and bytes run past every short field of the "
	"template: it must land exactly where the general layout puts it" };
static const uint8_t codes[] = { COAP_CHANGED, COAP_CONTENT, COAP_UNAUTHORIZED,
				 COAP_FORBIDDEN, COAP_SERVICE_UNAVAILABLE };
static const uint64_t ssns[] = { 0, 0xff, 0x100, 0xffffff, 0x1000000, 0xffffffffffull };

/* The length of sh's answer, cap permitting. */
static size_t answer_len(const struct shape *sh, const struct osc_exchange *ex)
{
	struct osc_coap_msg m;
	struct osc_tx tx;
	uint8_t out[600];

	msg_of(&m, sh);
	server.ssn = sh->ssn;
	cr_assert_eq(osc_tx_prepare_response(&tx, &server, ex, &m, out, sizeof(out), sh->flags),
		     OSC_OK);
	return tx.len;
}

/* Every shape of answer without options under the current pair, at every cap around its
 * length. */
static void every_shape(unsigned extra_flags)
{
	static const uint8_t tkls[] = { 0, 1, 4, COAP_TOKEN_MAX };
	uint8_t prot[128];
	struct osc_exchange cex, sex;
	int plen;

	request(&cex, &sex, 0, prot, &plen);
	for (unsigned i = 0; i < 2 * sizeof(tkls) * sizeof(codes) * 4 * 7; i++) {
		unsigned s = i % 7, p = i / 7 % 4, c = i / 28 % sizeof(codes);
		unsigned k = i / 28 / sizeof(codes);
		struct shape sh = { .type = k % 2 ? COAP_ACK : COAP_NON, .tkl = tkls[k / 2],
				    .code = codes[c], .payload = payloads[p],
				    .flags = extra_flags | (s ? OSC_F_OWN_PIV : 0),
				    .ssn = s ? ssns[s - 1] : 0 };
		size_t len = answer_len(&sh, &sex);

		for (size_t cap = len - 3; cap <= len + 1; cap++)
			same_as_general(&sh, &sex, cap);
		same_as_general(&sh, &sex, 600);
	}
}

Test(answer, template_is_the_general_layout_byte_for_byte)
{
	every_shape(0);
}

Test(answer, template_with_kid_context_raw_and_cbor)
{
	osc_ctx_wipe(&client);
	osc_ctx_wipe(&server);
	pair(CRY_AES_CCM_16_64_128, 8, true);
	every_shape(OSC_F_KID_CTX);
	every_shape(OSC_F_KID_CTX | OSC_F_KID_CTX_CBOR);
	osc_ctx_wipe(&client);
	osc_ctx_wipe(&server);
	pair(CRY_AES_CCM_16_64_128, 20, true); /* option value >= 13 bytes: extended length */
	every_shape(OSC_F_KID_CTX);
}

Test(answer, template_under_other_algorithms)
{
	static const int algs[] = { CRY_A128GCM, CRY_CHACHA20_POLY1305, CRY_AES_CCM_16_128_256 };

	for (unsigned i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		osc_ctx_wipe(&client);
		osc_ctx_wipe(&server);
		pair(algs[i], 0, false);
		every_shape(0);
	}
}

/* The server's side of a request, stage by stage, leaving the verified rx at hand. */
static void verified_rx(struct osc_rx *rx, uint8_t *plain, size_t plain_cap,
			const uint8_t *prot, int plen)
{
	struct osc_coap_msg inner;
	uint8_t out[256];

	memset(rx, 0, sizeof(*rx));
	rx->plain = plain;
	rx->plain_cap = (uint32_t)plain_cap;
	cr_assert_eq(osc_rx_parse(rx, prot, (size_t)plen, true), OSC_OK);
	cr_assert(osc_ctx_matches(&server, &rx->opt));
	cr_assert_eq(osc_rx_prepare(rx, &server, NULL), OSC_OK);
	cry_aead_batch(eng, &rx->op, 1);
	cr_assert_eq(osc_rx_finish_inner(rx, &inner, out, sizeof(out)), 0);
}

/* The answer of shape sh to a request (req_flags) built from the live rx and from its exchange: same
 * result, bytes, nonce and AAD; encrypted, the client verifies it. */
static void reply_same(const struct shape *sh, unsigned req_flags)
{
	uint8_t prot[128], plain[128], a[600], b[600], back[600];
	struct osc_exchange cex, ex;
	struct osc_coap_msg ma, mb;
	struct osc_tx ta, tb;
	struct osc_rx rx;
	bool fa, fb;
	int plen, ra, rb, got;

	plen = osc_protect_request(eng, &client, get_temp, sizeof(get_temp), prot, sizeof(prot),
				   req_flags, &cex);
	cr_assert_gt(plen, 0);
	verified_rx(&rx, plain, sizeof(plain), prot, plen);
	osc_rx_exchange(&rx, &ex);
	msg_of(&ma, sh);
	mb = ma;
	memset(a, 0x55, sizeof(a));
	memset(b, 0x55, sizeof(b));
	server.ssn = sh->ssn;
	ra = osc_answer_reply(&ta, &rx, &ma, a, sizeof(a), sh->flags, &fa);
	server.ssn = sh->ssn;
	rb = osc_answer_prepare(&tb, &server, &ex, &mb, b, sizeof(b), sh->flags, &fb);
	cr_assert_eq(ra, rb, "%s vs %s", osc_err_name(ra), osc_err_name(rb));
	cr_assert_eq(fa, fb);
	cr_assert_eq(ra, OSC_OK);
	cr_assert_eq(ta.len, tb.len);
	cr_assert_arr_eq(a, b, sizeof(a));
	cr_assert_eq(ta.op.aad_len, tb.op.aad_len);
	cr_assert_arr_eq(ta.aad, tb.aad, ta.op.aad_len);
	cr_assert_arr_eq(ta.nonce, tb.nonce, osc_ctx_alg(&server)->nonce_len);
	cr_assert_eq(cry_aead_batch(eng, &ta.op, 1), 1);
	cr_assert_eq(ta.op.status, CRY_OK);
	got = osc_unprotect_response(eng, &client, &cex, a, ta.len, back, sizeof(back));
	cr_assert_gt(got, 0, "the client refuses the answer: %s", osc_err_name(-got));
	cr_assert_eq(back[1], fa ? COAP_SERVICE_UNAVAILABLE : sh->code);
}

Test(answer, reply_from_the_request_is_the_exchange_answer)
{
	struct shape sh = { .type = COAP_ACK, .tkl = 1, .code = COAP_CONTENT };

	reply_same(&sh, 0);                 /* the request's nonce, no Partial IV */
	sh.flags = OSC_F_OWN_PIV;                    /* "response_piv": "own" */
	sh.ssn = 0x1234;
	reply_same(&sh, 0);
	sh.payload = "Decryption failed";
	reply_same(&sh, 0);
}

Test(answer, reply_with_observe_and_its_own_partial_iv)
{
	static const uint8_t get[] = { 0x41, COAP_GET, 0x12, 0x34, 0x77, 0x60, 0xb4, 't', 'e', 'm',
				       'p' }; /* Observe: register (empty value) */
	static const struct osc_coap_opt observe = { .num = COAP_OPT_OBSERVE, .len = 1,
						     .val = (const uint8_t *)"\x07" };
	struct shape sh = { .type = COAP_ACK, .tkl = 1, .code = COAP_CONTENT, .payload = "22.5",
			    .flags = OSC_F_OWN_PIV, .ssn = 77 };
	uint8_t prot[128], plain[128], a[600], b[600], back[600];
	struct osc_exchange cex, ex;
	struct osc_coap_msg ma, mb;
	struct osc_tx ta, tb;
	struct osc_rx rx;
	int plen, got;

	/* A notification (§8.3.1): Observe outer and inner, the general layout, the request's
	 * AAD under the notification's own nonce. */
	plen = osc_protect_request(eng, &client, get, sizeof(get), prot, sizeof(prot), 0, &cex);
	cr_assert_gt(plen, 0);
	verified_rx(&rx, plain, sizeof(plain), prot, plen);
	cr_assert(rx.observe);
	osc_rx_exchange(&rx, &ex);
	msg_of(&ma, &sh);
	ma.opts[0] = observe;
	ma.n_opts = 1;
	mb = ma;
	memset(a, 0x55, sizeof(a));
	memset(b, 0x55, sizeof(b));
	server.ssn = sh.ssn;
	cr_assert_eq(osc_answer_reply(&ta, &rx, &ma, a, sizeof(a), sh.flags, NULL), OSC_OK);
	server.ssn = sh.ssn;
	cr_assert_eq(osc_answer_prepare(&tb, &server, &ex, &mb, b, sizeof(b), sh.flags, NULL),
		     OSC_OK);
	cr_assert_eq(ta.len, tb.len);
	cr_assert_arr_eq(a, b, sizeof(a));
	cr_assert_eq(a[1], COAP_CONTENT); /* §4.2: outer 2.05 for a notification */
	cr_assert_eq(cry_aead_batch(eng, &ta.op, 1), 1);
	got = osc_unprotect_response(eng, &client, &cex, a, ta.len, back, sizeof(back));
	cr_assert_gt(got, 0, "%s", osc_err_name(-got));
}

Test(answer, reply_to_a_request_with_kid_context)
{
	struct shape sh = { .type = COAP_ACK, .tkl = 1, .code = COAP_CHANGED };

	osc_ctx_wipe(&client);
	osc_ctx_wipe(&server);
	pair(CRY_AES_CCM_16_64_128, 8, true);
	reply_same(&sh, OSC_F_KID_CTX);
	sh.flags = OSC_F_OWN_PIV;
	sh.ssn = 5;
	reply_same(&sh, OSC_F_KID_CTX);
	sh.flags = OSC_F_OWN_PIV | OSC_F_KID_CTX; /* App. B.2: the answer names the context */
	reply_same(&sh, OSC_F_KID_CTX);
}

Test(answer, reply_falls_back_to_503_on_the_request_nonce)
{
	struct shape sh = { .type = COAP_ACK, .tkl = 1, .code = COAP_CONTENT, .payload = "x",
			    .flags = OSC_F_OWN_PIV | OSC_ANS_DURABLE_503, .ssn = 9 };

	server.ssn_limit = 9; /* App. B.1.1: SSN 9 is not durable yet */
	reply_same(&sh, 0);
}

Test(answer, reply_refuses_an_unverified_request)
{
	uint8_t prot[128], plain[128], out[256];
	struct osc_exchange cex;
	struct osc_coap_msg m;
	struct osc_tx tx;
	struct osc_rx rx;
	struct shape sh = { .type = COAP_ACK, .code = COAP_CHANGED };
	static const uint8_t get[] = { 0x41, COAP_GET, 0x12, 0x34, 0x77 };
	int plen = osc_protect_request(eng, &client, get, sizeof(get), prot, sizeof(prot), 0, &cex);

	cr_assert_gt(plen, 0);
	prot[plen - 1] ^= 1; /* the tag */
	memset(&rx, 0, sizeof(rx));
	rx.plain = plain;
	rx.plain_cap = sizeof(plain);
	cr_assert_eq(osc_rx_parse(&rx, prot, (size_t)plen, true), OSC_OK);
	cr_assert_eq(osc_rx_prepare(&rx, &server, NULL), OSC_OK);
	cry_aead_batch(eng, &rx.op, 1);
	cr_assert_eq(rx.op.status, CRY_ERR_AUTH);
	msg_of(&m, &sh);
	cr_expect_eq(osc_tx_prepare_reply(&tx, &rx, &m, out, sizeof(out), 0), OSC_ERR_BAD_INPUT);
	rx.op.status = CRY_PENDING;
	cr_expect_eq(osc_tx_prepare_reply(&tx, &rx, &m, out, sizeof(out), 0), OSC_ERR_BAD_INPUT);
}
