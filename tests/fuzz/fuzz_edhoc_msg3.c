/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the EDHOC Responder's message_3 processing (RFC 9528 §5.4.3). Each input first
 * opens a session with RFC 9529 trace 1's or trace 2's message_1 (chosen by the first byte),
 * then: first byte odd, the rest is message_3 as received; even, the rest is PLAINTEXT_3,
 * encrypted here with the session's K_3/IV_3 so that fuzzing reaches the plaintext parser,
 * ID_CRED resolution (kid, kccs, x5t, x5chain through OpenSSL), EAD and Signature_or_MAC.
 */
#include "control/edhoc/edh_internal.h"
#include "tests/fuzz/fuzz_edhoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct edh_table *t;
	static uint64_t now;
	uint8_t m1[64], eph[32], buf[EDH_MSG_MAX], m3[EDH_MSG_MAX + 32];
	struct edh_out out = { buf, sizeof(buf), 0, false };
	struct edh_result res;
	bool two = size && (data[0] & 2);
	uint8_t c_r = two ? 0x27 : 0x18;
	size_t n = fz_hex(two ? T2_M1 : T1_M1, m1, sizeof(m1)), ml;
	struct edh_sess *s;

	if (t == NULL)
		t = fz_setup();
	if (size == 0)
		return 0;
	now += 100; /* every earlier session has expired */
	fz_hex(two ? T2_Y : T1_Y, eph, sizeof(eph));
	edh_test_inject_resp(t, eph, 32, &c_r, 1);
	if (edh_resp_msg1(t, now, m1, n, &out) != EDH_OK)
		abort();
	s = edh_table_find(t, now, &c_r, 1);
	if (s == NULL)
		abort();
	if (data[0] & 1) {
		memcpy(m3, data + 1, size - 1 < sizeof(m3) ? size - 1 : sizeof(m3));
		ml = size - 1 < sizeof(m3) ? size - 1 : sizeof(m3);
	} else {
		struct edh_out o = { m3, sizeof(m3), 0, false };

		ml = edh_seal_msg(s, false, data + 1, size - 1, &o) == EDH_OK ? o.len : 0;
	}
	if (edh_resp_msg3(t, now, &c_r, 1, m3, ml, &out, &res) == EDH_OK &&
	    res.oscore.secret_len != 16)
		abort();
	if (edh_table_live(t) != 0)
		abort(); /* success or failure, the session is gone */
	return 0;
}
