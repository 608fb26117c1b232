/* SPDX-License-Identifier: BSD-3-Clause */
/* libcoap OSCORE configuration files (coap-oscore-conf(5)). */
#include <criterion/criterion.h>
#include <string.h>

#include "control/ctl_conf_libcoap.h"
#include "crypto/cry_hkdf.h"

static struct ctl_conf conf;
static char err[256];

static int parse(const char *text)
{
	err[0] = 0;
	return ctl_conf_libcoap_parse(&conf, "ctx.conf", text, strlen(text), err, sizeof(err));
}

/* RFC 8613 C.1.2 (server side) in libcoap's format, as libcoap's docs write such files. */
static const char c1_server[] =
	"# RFC 8613 C.1.2\r\n"
	"master_secret,hex,\"0102030405060708090a0b0c0d0e0f10\"\r\n"
	"master_salt,hex,\"9e7ca92223786340\"\r\n"
	"sender_id,hex,\"01\"\r\n"
	"recipient_id,hex,\"\"\r\n"
	"\r\n"
	"recipient_id,ascii,\"ab\"\r\n"
	"replay_window,integer,30\r\n"
	"ssn_freq,integer,20\r\n"
	"aead_alg,text,\"AES-CCM-16-64-128\"\r\n"
	"hkdf_alg,integer,-10\r\n"
	"rfc8613_b_2,bool,true\r\n"
	"break_sender_key,bool,false";   /* no final newline: still parsed */

Test(conf_libcoap, rfc8613_c1_server_file_with_crlf_quotes_and_two_recipients)
{
	struct osc_params p;

	cr_assert_eq(parse(c1_server), 0, "%s", err);
	cr_expect_eq(conf.p.secret_len, 16);
	cr_expect_eq(conf.p.secret[15], 0x10);
	cr_expect_eq(conf.p.salt_len, 8);
	cr_expect_eq(conf.p.sender_id_len, 1);
	cr_expect_eq(conf.p.sender_id[0], 0x01);
	cr_expect_not(conf.p.has_id_ctx);
	cr_assert_eq(conf.n_rid, 2);
	cr_expect_eq(conf.rid_len[0], 0);
	cr_expect_eq(conf.rid_len[1], 2);
	cr_expect_eq(conf.p.replay_window, 30);
	cr_expect_eq(conf.ssn_freq, 20);
	cr_expect_eq(conf.p.alg->cose, 10);
	cr_expect_eq(conf.p.hkdf, CRY_HKDF_SHA256);
	cr_expect(conf.b_1_2, "libcoap's default");
	cr_expect(conf.b_2);
	ctl_conf_params(&conf, 1, &p);
	cr_expect_eq(p.recipient_id_len, 2);
	cr_expect_arr_eq(p.recipient_id, "ab", 2);
}

Test(conf_libcoap, parsed_context_derives_rfc8613_c1_keys)
{
	static const uint8_t sender_key[16] = { 0xff, 0xb1, 0x4e, 0x09, 0x3c, 0x94, 0xc9, 0xca,
						0xc9, 0x47, 0x16, 0x48, 0xb4, 0xf9, 0x87, 0x10 };
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));
	struct osc_params p;

	cr_assert_eq(parse(c1_server), 0, "%s", err);
	ctl_conf_params(&conf, 0, &p);
	cr_assert_eq(osc_ctx_derive(c, &p), OSC_CTX_OK);
	cr_expect_arr_eq(c->sender_key.raw, sender_key, 16); /* C.1.2 server Sender Key */
	osc_ctx_wipe(c);
	free(c);
}

struct bad_case {
	const char *text;
	const char *err;
};

Test(conf_libcoap, errors_name_file_line_keyword_and_reason)
{
	static const struct bad_case cases[] = {
		{ "master_secret,hex,00\nsender_id,hex,01\nrecipient_id,hex,02\n\n# c\n\n"
		  "sender_id,hex,010203040506070809\n",
		  "ctx.conf:7: sender_id: given twice" },
		{ "master_secret,hex,00\nrecipient_id,hex,02\nsender_id,hex,010203040506070809\n",
		  "ctx.conf:3: sender_id: 9 bytes, at most 7 for AES-CCM-16-64-128" },
		{ "sender_id,hex,0102\nmaster_secret,hex,00\nrecipient_id,hex,02\naead_alg,integer,12\n",
		  "ctx.conf:1: sender_id: 2 bytes, at most 1 for AES-CCM-64-64-128" },
		{ "master_secret,hex,00\nsender_idd,hex,01\n", "ctx.conf:2: unknown keyword 'sender_idd'" },
		{ "master_secret,hexx,00\n", "ctx.conf:1: master_secret: unknown encoding" },
		{ "master_secret,integer,5\n", "ctx.conf:1: master_secret: encoding not accepted" },
		{ "master_secret,hex,0g\n", "ctx.conf:1: master_secret: not a hex digit at offset 1" },
		{ "master_secret,hex,012\n", "ctx.conf:1: master_secret: odd number of hex digits" },
		{ "master_secret,hex,\n", "ctx.conf:1: master_secret: empty Master Secret" },
		{ "replay_window,integer,12abc\n", "ctx.conf:1: replay_window: expected an integer" },
		{ "replay_window,integer,193\n", "ctx.conf:1: replay_window: 193 outside 1..192" },
		{ "aead_alg,text,AES-XYZ\n", "ctx.conf:1: aead_alg: unknown or unsupported AEAD" },
		{ "hkdf_alg,integer,-99\n", "ctx.conf:1: hkdf_alg: unknown or unsupported HKDF" },
		{ "break_sender_key,bool,true\n", "ctx.conf:1: break_sender_key: a libcoap test hook" },
		{ "rfc8613_b_2,bool,yes\n", "ctx.conf:1: rfc8613_b_2: expected true or false" },
		{ "master_secret,hex\n", "ctx.conf:1: expected keyword,encoding,value" },
		{ "master_secret,ascii,\"abc\n", "ctx.conf:1: master_secret: unterminated quote" },
		{ "sender_id,hex,01\nrecipient_id,hex,02\n", "ctx.conf:2: missing master_secret" },
		{ "master_secret,hex,00\nsender_id,hex,01\n", "ctx.conf:2: missing recipient_id" },
		/* issue 8: a context whose IDs are equal, the same context twice */
		{ "master_secret,hex,00\nrecipient_id,hex,02\nrecipient_id,hex,01\nsender_id,hex,01\n",
		  "ctx.conf:3: recipient_id: equal to sender_id" },
		{ "master_secret,hex,00\nsender_id,hex,01\nrecipient_id,hex,02\nrecipient_id,hex,02\n",
		  "ctx.conf:4: recipient_id: given twice (the same context twice)" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_expect_eq(parse(cases[i].text), -1, "case %zu", i);
		cr_expect_eq(strncmp(err, cases[i].err, strlen(cases[i].err)), 0,
			     "case %zu: got \"%s\", want \"%s...\"", i, err, cases[i].err);
	}
}

Test(conf_libcoap, secrets_never_appear_in_errors)
{
	cr_assert_eq(parse("master_secret,ascii,\"hunter2hunter2\"\nsender_id,hex,zz\n"), -1);
	cr_expect_null(strstr(err, "hunter2"), "%s", err);
	cr_assert_eq(parse("master_secret,hex,00112233445566778899aabbccddeeffXX\n"), -1);
	cr_expect_null(strstr(err, "0011"), "%s", err);
	cr_expect_eq(conf.p.secret_len, 0, "wiped on failure");
}

Test(conf_libcoap, load_reports_missing_file)
{
	cr_expect_eq(ctl_conf_libcoap_load(&conf, "/nonexistent/x.conf", err, sizeof(err)), -1);
	cr_expect_not_null(strstr(err, "/nonexistent/x.conf: No such file"), "%s", err);
}
