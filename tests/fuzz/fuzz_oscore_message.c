/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for whole OSCORE messages. The first input byte picks the mode:
 *   even: the rest is an OSCORE request from the network; the server verifies it (outer parse,
 *         option, lookup, replay, AEAD) and must refuse it cleanly or return a valid CoAP message.
 *   odd:  the rest is a plain request; the client protects it (option classes, Proxy-Uri
 *         splitting) and the server verifies it: without Proxy-Uri the original must come back
 *         byte for byte, so the inner parse and rebuild are fuzzed behind a valid tag.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oscore/osc_protect.h"

static struct cry_engine *eng;
static struct osc_ctx client, server;

static void init_once(void)
{
	struct osc_params p = { .secret_len = 16, .sender_id_len = 1, .recipient_id_len = 1,
				.salt_len = 4, .has_id_ctx = true, .id_ctx_len = 2 };

	memset(p.secret, 0x5a, 16);
	memset(p.salt, 0x17, 4);
	p.sender_id[0] = 0x01;
	p.recipient_id[0] = 0x02;
	if (!(eng = cry_engine_new()) || osc_ctx_derive(&client, &p) != OSC_CTX_OK)
		abort();
	p.sender_id[0] = 0x02;
	p.recipient_id[0] = 0x01;
	if (osc_ctx_derive(&server, &p) != OSC_CTX_OK)
		abort();
}

static void check_output(const uint8_t *out, int n)
{
	struct osc_coap_msg m;

	if (n >= 0 && osc_coap_parse(&m, out, (size_t)n) != OSC_COAP_OK)
		abort(); /* a verified message must rebuild into valid CoAP */
	if (n < 0 && (-n <= OSC_OK || -n >= OSC_ERR__COUNT))
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
	check_output(out, n);
	if (osc_coap_find(&m, COAP_OPT_PROXY_URI, NULL))
		return;
	if (n != (int)len || memcmp(out, in, len) || memcmp(cex.nonce, sex.nonce, 13))
		abort(); /* unprotect(protect(m)) == m */
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
	if (data[0] & 1)
		roundtrip(data + 1, size - 1);
	else
		check_output(out, osc_unprotect_request(eng, &server, data + 1, size - 1, out,
							sizeof(out), NULL));
	return 0;
}
