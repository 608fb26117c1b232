/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the EDHOC Responder's message_1 processing (RFC 9528 §5.2.3) on arbitrary bytes,
 * and the error-message reader the Initiator runs on a reply. Time advances per input so that
 * sessions expire and the bounded table is exercised full and empty.
 */
#include "tests/fuzz/fuzz_edhoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct edh_table *t;
	static uint64_t now;
	uint8_t buf[EDH_MSG_MAX];
	struct edh_out out = { buf, sizeof(buf), 0, false };
	int code, suites[EDH_SUITES_MAX];
	unsigned n;
	enum edh_status st;

	if (t == NULL)
		t = fz_setup();
	now += 3;
	st = edh_resp_msg1(t, now, data, size, &out);
	if (st != EDH_OK && out.len && !out.is_error)
		abort(); /* a refusal answers with an error message or nothing */
	if (out.is_error && edh_error_read(out.buf, out.len, &code, suites, &n) != EDH_OK)
		abort(); /* our own error messages must read back */
	(void)edh_error_read(data, size, &code, suites, &n);
	(void)edh_first_item_len(data, size);
	if (edh_table_live(t) > fz_cfg.max_sessions)
		abort();
	return 0;
}
