/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for whole OSCORE messages. The first input byte picks the mode (mod 4):
 *   0, 2: the rest is an OSCORE request from the network; the server verifies it (outer parse,
 *         option, lookup, replay, AEAD) and must refuse it cleanly or return a valid CoAP message.
 *   1:    the rest is a plain request; the client protects it (option classes, Proxy-Uri
 *         splitting) and the server verifies it: without Proxy-Uri the original must come back
 *         byte for byte, so the inner parse and rebuild are fuzzed behind a valid tag.
 *   3:    App. B.2 (control/ctl_b2.c): a genuine request #1 with a fuzzed R1, then a request #2
 *         whose kid context is the issued R2 followed by fuzzed bytes of any length the option
 *         allows, and a fuzzed payload: it must be refused cleanly, never copied out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"
#include "control/ctl_b2.h"
#include "oscore/osc_protect.h"

static struct cry_engine *eng;
static struct osc_ctx client, server;
static struct osc_params client_p, server_p;
static struct ctl_b2 b2;
static uint16_t next_mid;

static void init_once(void)
{
	struct osc_params p = { .secret_len = 16, .sender_id_len = 1, .recipient_id_len = 1,
				.salt_len = 4, .has_id_ctx = true, .id_ctx_len = 2 };

	memset(p.secret, 0x5a, 16);
	memset(p.salt, 0x17, 4);
	p.sender_id[0] = 0x01;
	p.recipient_id[0] = 0x02;
	client_p = p;
	if (!(eng = cry_engine_new()) || osc_ctx_derive(&client, &p) != OSC_CTX_OK)
		abort();
	p.sender_id[0] = 0x02;
	p.recipient_id[0] = 0x01;
	server_p = p;
	if (osc_ctx_derive(&server, &p) != OSC_CTX_OK)
		abort();
}

static void roundtrip(const uint8_t *in, size_t len)
{
	static uint8_t prot[OSC_MSG_MAX + 512], out[OSC_MSG_MAX + 512];
	struct osc_exchange cex, sex;
	struct osc_coap_msg m;
	int p, n;

	if (osc_coap_parse(&m, in, len) != OSC_COAP_OK)
		return;
	p = osc_protect_request(eng, &client, in, len, prot, sizeof(prot), OSC_F_KID_CTX, &cex);
	if (p < 0)
		return;
	n = osc_unprotect_request(eng, &server, prot, (size_t)p, out, sizeof(out), &sex);
	fuzz_check_output(out, n);
	if (osc_coap_find(&m, COAP_OPT_PROXY_URI, NULL))
		return;
	if (n != (int)len || memcmp(out, in, len) || memcmp(cex.nonce, sex.nonce, 13))
		abort(); /* unprotect(protect(m)) == m */
}

/* The kid context of a protected message's OSCORE option into out; its length or -1. */
static int kid_ctx_of(const uint8_t *msg, int len, uint8_t *out)
{
	struct osc_coap_msg m;
	const struct osc_coap_opt *o;
	struct osc_option opt;

	if (osc_coap_parse(&m, msg, (size_t)len) != OSC_COAP_OK ||
	    !(o = osc_coap_find(&m, COAP_OPT_OSCORE, NULL)) ||
	    osc_option_decode(&opt, o->val, o->len, 0) != OSC_OPT_OK || !opt.has_kid_ctx)
		return -1;
	memcpy(out, opt.kid_ctx, opt.kid_ctx_len);
	return opt.kid_ctx_len;
}

/* Request #2 by hand: kid 01, Partial IV 1, kid context kc[0..kc_len), payload pl[0..pl_len). */
static size_t request2(uint8_t *msg, const uint8_t *kc, size_t kc_len, const uint8_t *pl,
		       size_t pl_len)
{
	static const uint8_t kid = 0x01;
	struct osc_option o = { .piv_len = 1, .piv = { 1 }, .has_kid = true, .kid = &kid,
				.kid_len = 1, .has_kid_ctx = true, .kid_ctx = kc,
				.kid_ctx_len = (uint8_t)kc_len };
	struct osc_coap_opt opt = { .num = COAP_OPT_OSCORE };
	struct osc_coap_msg m = { .type = COAP_CON, .code = COAP_POST, .mid = 7, .n_opts = 1,
				  .payload = pl, .payload_len = (uint32_t)pl_len };
	uint8_t val[OSC_OPTION_MAX];
	int vl = osc_option_encode(val, sizeof(val), &o), n;

	if (vl < 0)
		return 0;
	opt.val = val;
	opt.len = (uint16_t)vl;
	m.opts[0] = opt;
	n = osc_coap_encode(msg, OSC_MSG_MAX, &m);
	return n < 0 ? 0 : (size_t)n;
}

/* kc[0..len) as a CBOR byte string into out (the wrapped form libcoap and Californium send);
 * returns its length. */
static size_t wrap(const uint8_t *kc, size_t len, uint8_t *out)
{
	size_t h = 0;

	if (len < 24) {
		out[h++] = (uint8_t)(0x40 | len);
	} else {
		out[h++] = 0x58;
		out[h++] = (uint8_t)len;
	}
	memcpy(out + h, kc, len);
	return h + len;
}

/* App. B.2 with a genuine request #1 (R1 from the input; bit 7 of its first byte: the kid
 * context CBOR-wrapped, as libcoap sends it) and a request #2 whose R3 and payload are fuzzed,
 * in the same form. */
static void b2_round(const uint8_t *d, size_t size)
{
	static const uint8_t get[] = { 0x40, COAP_GET, 0x00, 0x42, 0xb4, 't', 'e', 'm', 'p' };
	static uint8_t req[OSC_MSG_MAX], resp[OSC_MSG_MAX], plain[OSC_MSG_MAX];
	uint8_t kc[OSC_OPTION_MAX], r2[OSC_ID_CTX_MAX], w[OSC_OPTION_MAX + 2];
	bool wrapped = size && d[0] & 0x80;
	size_t r1 = size ? 1 + (d[0] & 0x7f) % (OSC_ID_CTX_MAX - CTL_B2_R2_LEN) : 0, tail, n, r2_len;
	struct osc_params p = client_p;
	struct osc_exchange ex;
	struct osc_ctx *c1 = aligned_alloc(64, sizeof(*c1)), *c3 = aligned_alloc(64, sizeof(*c3));
	int len, kl;

	if (!c1 || !c3 || size < 1 + r1)
		goto out;
	p.has_id_ctx = true;
	p.id_ctx_len = (uint8_t)r1;
	memcpy(p.id_ctx, d + 1, r1);
	if (osc_ctx_derive(c1, &p) != OSC_CTX_OK)
		goto out;
	len = osc_protect_request(eng, c1, get, sizeof(get), req, sizeof(req),
				  OSC_F_KID_CTX | (wrapped ? OSC_F_KID_CTX_CBOR : 0), &ex);
	osc_ctx_wipe(c1);
	ctl_b2_init(&b2, 60);
	if (len < 0 || ctl_b2_add(&b2, &server_p) ||
	    (len = ctl_b2_request1(&b2, eng, 100, req, (size_t)len, &next_mid, resp, sizeof(resp),
				   NULL)) <= 0)
		abort(); /* a genuine request #1 must get its 4.01 */
	kl = kid_ctx_of(resp, len, kc);
	if (kl != CTL_B2_R2_LEN + wrapped)
		abort(); /* R2, in the form request #1 used */
	if (wrapped && (!ctl_b2_unwrap(kc, (size_t)kl, r2, &r2_len) || r2_len != CTL_B2_R2_LEN))
		abort();
	if (wrapped)
		memcpy(kc, r2, CTL_B2_R2_LEN);
	kl = CTL_B2_R2_LEN;
	d += 1 + r1, size -= 1 + r1;
	tail = size / 2 < sizeof(kc) - kl - 16 ? size / 2 : sizeof(kc) - kl - 16;
	memcpy(kc + kl, d, tail);
	if (wrapped && (size_t)kl + tail <= UINT8_MAX - 2)
		n = request2(req, w, wrap(kc, (size_t)kl + tail, w), d + tail, size - tail);
	else
		n = request2(req, kc, (size_t)kl + tail, d + tail, size - tail);
	if (n && ctl_b2_request2(&b2, eng, 100, req, n, c3, &p, plain, sizeof(plain), &ex, NULL) >=
		 0)
		abort(); /* only the client holding ctx(R2 || R3) can make a valid #2 */
out:
	free(c1);
	free(c3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[OSC_MSG_MAX + 512];

	if (!eng)
		init_once();
	if (size < 1 || size > OSC_MSG_MAX)
		return 0;
	/* every input starts from the same state, so a crash reproduces alone */
	client.ssn = 0;
	osc_replay_init(&server.replay, OSC_REPLAY_DEFAULT);
	if ((data[0] & 3) == 3)
		b2_round(data + 1, size - 1);
	else if (data[0] & 1)
		roundtrip(data + 1, size - 1);
	else
		fuzz_check_output(out, osc_unprotect_request(eng, &server, data + 1, size - 1, out,
							sizeof(out), NULL));
	return 0;
}
