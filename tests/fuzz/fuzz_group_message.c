/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for Group OSCORE verification (RFC 10021), on the group of the vectors
 * (tests/oscore/group_fixture.c). The first input byte picks the case (mod 4):
 *   0: the rest is a request from the network; member 51 verifies it (parse, member lookup by kid
 *      and Gid, mode checks, replay, AEAD, keystream, signature, commit, rebuild) and must refuse
 *      it with a known reason or return valid CoAP.
 *   1: the rest is a response to the B.2 group-mode request; member 0a verifies it.
 *   2: the rest is a response to the B.4 pairwise-mode request; member 0a verifies it.
 *   3: the rest is a plain request; 0a protects it (group mode if the next byte is even, else
 *      pairwise to 51) and 51 verifies it: without Proxy-Uri the original comes back byte for
 *      byte, so the inner parse and rebuild are fuzzed behind a valid tag and signature.
 * Every case starts from a fresh replay window, so that an input means the same on every run.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_check.h"
#include "oscore/osc_group_msg.h"
#include "tests/oscore/group_fixture.h"

static struct cry_engine *eng;
static struct gfix f;
static struct osc_group_exchange ex_group, ex_pairwise;

/* The exchanges 0a keeps for its vector requests B.2 (SSN 20) and B.4 (SSN 21). */
static void init_once(void)
{
	static const uint8_t get_tv1[] = { 0x51, 0x01, 0x00, 0x01, 0x4a, 0xb3, 't', 'v', '1' };
	uint8_t out[256];

	if (!(eng = cry_engine_new()) || gfix_init(&f) != 0)
		abort();
	f.g0a.ssn = 20;
	if (osc_group_protect_request(eng, &f.g0a, NULL, get_tv1, sizeof(get_tv1), out,
				      sizeof(out), &ex_group) < 0 ||
	    osc_group_protect_request(eng, &f.g0a, &f.m51, get_tv1, sizeof(get_tv1), out,
				      sizeof(out), &ex_pairwise) < 0)
		abort();
}

static void roundtrip(const uint8_t *in, size_t len, bool group_mode)
{
	static uint8_t prot[OSC_MSG_MAX + 512], out[OSC_MSG_MAX + 512];
	struct osc_member *from = &f.m0a;
	struct osc_group_exchange cex, sex;
	struct osc_coap_msg m;
	int p, n;

	if (osc_coap_parse(&m, in, len) != OSC_COAP_OK)
		return;
	p = osc_group_protect_request(eng, &f.g0a, group_mode ? NULL : &f.m51, in, len, prot,
				      sizeof(prot), &cex);
	if (p < 0)
		return;
	n = osc_group_unprotect(eng, &from, 1, NULL, prot, (size_t)p, out, sizeof(out), &sex);
	fuzz_check_output(out, n);
	if (osc_coap_find(&m, COAP_OPT_PROXY_URI, NULL))
		return;
	if (n != (int)len || memcmp(out, in, len) || memcmp(cex.ex.nonce, sex.ex.nonce, 13) ||
	    cex.group_mode != sex.group_mode)
		abort(); /* unprotect(protect(m)) == m */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[OSC_MSG_MAX + 512];
	struct osc_member *to_0a[] = { &f.m51, &f.m52 }, *to_51 = &f.m0a;
	int n;

	if (!eng)
		init_once();
	if (size < 1 || size > OSC_MSG_MAX)
		return 0;
	osc_replay_init(&f.m0a.replay, 32);
	switch (data[0] % 4) {
	case 0:
		n = osc_group_unprotect(eng, &to_51, 1, NULL, data + 1, size - 1, out, sizeof(out),
					NULL);
		break;
	case 1:
	case 2:
		n = osc_group_unprotect(eng, to_0a, 2, data[0] % 4 == 1 ? &ex_group : &ex_pairwise,
					data + 1, size - 1, out, sizeof(out), NULL);
		break;
	default:
		if (size >= 2)
			roundtrip(data + 2, size - 2, data[1] % 2 == 0);
		return 0;
	}
	fuzz_check_output(out, n);
	return 0;
}
