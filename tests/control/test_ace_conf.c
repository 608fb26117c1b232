/* SPDX-License-Identifier: BSD-3-Clause */
/* ACE configuration: a full file loads; mistakes name the file and the field. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ace_test_util.h"
#include "control/ace/ctl_ace_conf.h"

static const char *good_json =
	"{\"audience\": [\"coap://gw.example\", \"gw\"], \"as_uri\": \"coap://as.example/token\","
	" \"rs_id\": \"aa\", \"max_tokens\": 64,"
	" \"issuers\": ["
	"  {\"name\": \"sym\", \"iss\": \"coap://as.example.com\", \"kid_text\": \"Symmetric128\","
	"   \"alg\": \"AES-CCM-16-64-128\", \"key\": \"" AT_K128 "\"},"
	"  {\"name\": \"mac\", \"kid\": \"0102\", \"alg\": 4, \"key\": \"" AT_K256 "\"},"
	"  {\"name\": \"sig\", \"alg\": \"ES256\", \"x\": \"" AT_EC_X "\", \"y\": \"" AT_EC_Y "\"}],"
	" \"scopes\": {\"rTempC\": [[\"/s/temp\", 1]], \"wLed\": [[\"/a/led\", 4], [\"/a/led\", 1]]}}";

static int parse(const char *json, struct ctl_ace_conf *c, char *err, size_t n)
{
	json_error_t je;
	json_t *o = json_loads(json, 0, &je);
	int rc;

	cr_assert_not_null(o, "test JSON: %s", je.text);
	rc = ctl_ace_conf_parse(o, "gw.json", c, err, n);
	json_decref(o);
	return rc;
}

Test(ace_conf, full_configuration)
{
	struct ctl_ace_conf c;
	char err[256] = "";

	cr_assert_eq(parse(good_json, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.n_as, 3);
	cr_assert_eq(c.as[0].type, CRY_COSE_ENCRYPT0);
	cr_assert_eq(c.as[0].kid_len, 12);
	cr_assert_eq(c.as[1].type, CRY_COSE_MAC0);
	cr_assert_eq(c.as[1].alg, CRY_COSE_HMAC256_64);
	cr_assert_eq(c.as[2].type, CRY_COSE_SIGN1);
	cr_assert_not_null(c.as[2].pkey);
	cr_assert_not(c.as[2].has_kid);
	cr_assert_eq(c.n_audience, 2);
	cr_assert_eq(c.max_tokens, 64);
	cr_assert_eq(c.rs_id_len, 1);
	cr_assert_eq(c.n_text_scopes, 2);
	cr_assert_eq(c.text_scope[1].aif.n, 1, "the same path twice is one entry");
	cr_assert_eq(c.text_scope[1].aif.e[0].methods, 5);
	ctl_ace_conf_release(&c);
}

Test(ace_conf, errors_name_file_and_field)
{
	static const struct { const char *json, *want; } cases[] = {
		{ "{\"issuers\": []}", "gw.json: ace.issuers: expected an array" },
		{ "{\"audience\": \"a\"}", "gw.json: ace: \"issuers\" is required" },
		{ "{\"audience\": \"a\", \"issuers\": [{\"alg\": 10, \"key\": \"0102\"}]}",
		  "gw.json: ace.issuers[0].key: 2 bytes, alg 10 needs 16" },
		{ "{\"audience\": \"a\", \"issuers\": [{\"alg\": 10, \"key\": \"zz\"}]}",
		  "gw.json: ace.issuers[0].key: not hex" },
		{ "{\"audience\": \"a\", \"issuers\": [{\"alg\": -99}]}",
		  "gw.json: ace.issuers[0].alg: not an AEAD" },
		{ "{\"audience\": \"a\", \"issuers\": [{\"alg\": \"ES256\", \"x\": \"" AT_EC_X
		  "\", \"y\": \"" AT_EC_X "\"}]}",
		  "gw.json: ace.issuers[0]: x/y are not a public key" },
		{ "{\"audience\": \"a\", \"issuers\": [{\"alg\": 4, \"key\": \"" AT_K256
		  "\", \"kyd\": \"01\"}]}",
		  "gw.json: ace.issuers[0].kyd: unknown key" },
		{ "{\"audience\": \"a\", \"scopes\": {\"r w\": [[\"/a\", 1]]}}",
		  "gw.json: ace.scopes.r w: a scope-token" },
		{ "{\"audience\": \"a\", \"scopes\": {\"r\": [[\"a\", 1]]}}",
		  "gw.json: ace.scopes.r[0]: not an absolute path" },
		{ "{\"audiance\": \"a\"}", "gw.json: ace.audiance: unknown key" },
		{ "{\"audience\": \"a\", \"max_tokens\": 0}", "gw.json: ace.max_tokens: expected" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctl_ace_conf c;
		char err[256] = "";

		cr_assert_eq(parse(cases[i].json, &c, err, sizeof(err)), -1, "case %zu", i);
		cr_assert(strncmp(err, cases[i].want, strlen(cases[i].want)) == 0,
			  "case %zu: got \"%s\", want \"%s...\"", i, err, cases[i].want);
	}
}

Test(ace_conf, load_file_reports_json_syntax_with_line)
{
	char path[] = "/tmp/ace_conf_cose_XXXXXX";
	int fd = mkstemp(path);
	struct ctl_ace_conf c;
	char err[256] = "";

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "{\n\"audience\": \"a\",\n}", 21), 21);
	close(fd);
	cr_assert_eq(ctl_ace_conf_load(path, &c, err, sizeof(err)), -1);
	cr_assert_not_null(strstr(err, ":3:"), "%s", err);
	unlink(path);
}
