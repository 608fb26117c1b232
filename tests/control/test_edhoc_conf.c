/* SPDX-License-Identifier: BSD-3-Clause */
/* The gateway's "edhoc" configuration section (control/ctl_config_edhoc.h), with RFC 9529's keys. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/ctl_config.h"
#include "../edhoc/edhoc_vectors.h"

static struct ctl_edhoc_config conf;
static char err[256], dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/edhoc-conf-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	ctl_config_edhoc_free(&conf);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_expect_eq(system(cmd), 0);
}

static int parse(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, 0, &je);
	int rc;

	cr_assert_not_null(v, "%s: %s", text, je.text);
	err[0] = 0;
	rc = ctl_config_edhoc_parse(v, dir, &conf, err, sizeof(err));
	json_decref(v);
	return rc;
}

/* hex into dir/name as bytes */
static void write_hex(const char *name, const char *hex)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
		unsigned b;

		cr_assert_eq(sscanf(hex + i, "%2x", &b), 1);
		fputc((int)b, f);
	}
	fclose(f);
}

#define OWN_CCS "{\"ccs\": \"" T2_CRED_R "\", \"private_key\": \"" T2_SK_R "\"}"

TestSuite(edhoc_conf, .init = setup, .fini = teardown);

Test(edhoc_conf, ccs_and_x509_credentials_trust_and_settings)
{
	write_hex("r.der", T1_CRED_R);
	write_hex("i.der", T1_CRED_I);
	cr_assert_eq(parse("{\"credentials\": [" OWN_CCS ", {\"x509\": \"r.der\", \"private_key\": \""
			   T1_SK_R "\", \"id_cred\": \"x5chain\"}],"
			   " \"trusted\": [{\"ccs\": \"" T2_CRED_I "\"}, {\"x509\": \"i.der\"}],"
			   " \"suites\": [2, 0], \"methods\": [3, 0], \"max_sessions\": 8,"
			   " \"session_timeout_ms\": 500, \"message_4\": true,"
			   " \"message_1_rate\": 7, \"message_1_source_rate\": 0}"), 0, "%s", err);
	cr_expect_eq(conf.n_own, 2);
	cr_expect(conf.own[1].x509);
	cr_expect_eq(conf.n_suites, 2);
	cr_expect_eq(conf.suites[0], 2);
	cr_expect_eq(conf.methods, 0x9u);
	cr_expect_eq(conf.max_sessions, 8);
	cr_expect_eq(conf.timeout_ms, 500);
	cr_expect(conf.message_4);
	cr_expect_eq(conf.m1_rate_milli, 7000);
	cr_expect_eq(conf.m1_src_rate_milli, 0);
}

Test(edhoc_conf, defaults)
{
	cr_assert_eq(parse("{\"credentials\": [" OWN_CCS "]}"), 0, "%s", err);
	cr_expect_eq(conf.methods, 0xfu);
	cr_expect_eq(conf.n_suites, 2);
	cr_expect_eq(conf.suites[0], 0);
	cr_expect_eq(conf.suites[1], 2);
	cr_expect_not(conf.message_4);
	cr_expect_gt(conf.m1_src_rate_milli, 0);
}

static void refused(const char *text, const char *want)
{
	cr_expect_neq(parse(text), 0, "%s accepted", text);
	cr_expect_not_null(strstr(err, want), "%s: error \"%s\", wanted \"%s\"", text, err, want);
	cr_expect_null(strstr(err, T2_SK_R), "a private key in an error");
	cr_expect_null(strstr(err, T2_SK_I), "a private key in an error");
	cr_expect_eq(conf.n_own, 0);
	cr_expect_null(conf.trust);
}

Test(edhoc_conf, errors_name_the_field)
{
	refused("{}", "credentials: expected an array of 1..4");
	refused("[]", "expected an object");
	refused("{\"credentials\": [" OWN_CCS "], \"sutes\": [0]}", "unknown key \"sutes\"");
	refused("{\"credentials\": [{\"ccs\": \"" T2_CRED_R "\", \"private_key\": \"" T2_SK_I "\"}]}",
		"credentials[0]: credential refused");
	refused("{\"credentials\": [{\"ccs\": \"" T2_CRED_R "\"}]}",
		"credentials[0]: private_key missing");
	refused("{\"credentials\": [" OWN_CCS ", {\"ccs\": \"zz\", \"private_key\": \"00\"}]}",
		"credentials[1]: ccs: expected a hex string");
	refused("{\"credentials\": [" OWN_CCS "], \"trusted\": [" OWN_CCS "]}",
		"trusted[0]: private_key not allowed here");
	refused("{\"credentials\": [" OWN_CCS "], \"trusted\": [{\"x509\": \"nope.der\"}]}",
		"trusted[0]: x509: ");
	refused("{\"credentials\": [" OWN_CCS "], \"ca\": [\"nope.der\"]}", "ca[0]: x509: ");
	refused("{\"credentials\": [" OWN_CCS "], \"suites\": [5]}", "suites[0]: expected 0..3");
	refused("{\"credentials\": [" OWN_CCS "], \"suites\": [0, 0]}", "suites[1]: 0 listed twice");
	refused("{\"credentials\": [" OWN_CCS "], \"methods\": [4]}", "methods[0]: expected 0..3");
	refused("{\"credentials\": [" OWN_CCS "], \"max_sessions\": 0}", "max_sessions: expected");
	refused("{\"credentials\": [" OWN_CCS "], \"message_4\": 1}", "message_4: expected true");
	refused("{\"credentials\": [" OWN_CCS "], \"session_timeout_ms\": \"5\"}",
		"session_timeout_ms: expected an integer");
}

/* In the whole file the error names the file and the "edhoc" key. */
Test(edhoc_conf, gateway_config_error_names_file_and_field)
{
	char path[128], e[512];
	struct ctl_config c;
	FILE *f;

	snprintf(path, sizeof(path), "%s/gw.json", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\", \"edhoc\": {\"credentials\": "
		   "[{\"ccs\": \"%s\", \"private_key\": \"%s\"}], \"suites\": [9]}}", T2_CRED_R,
		T2_SK_R);
	fclose(f);
	cr_assert_neq(ctl_config_load(&c, path, e, sizeof(e)), 0);
	cr_expect_not_null(strstr(e, "gw.json: edhoc: suites[0]: expected 0..3"), "%s", e);
	f = fopen(path, "w");
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\", \"edhoc\": {\"credentials\": "
		   "[{\"ccs\": \"%s\", \"private_key\": \"%s\"}]}}", T2_CRED_R, T2_SK_R);
	fclose(f);
	cr_assert_eq(ctl_config_load(&c, path, e, sizeof(e)), 0, "%s", e);
	cr_expect(c.edhoc.enabled);
	ctl_config_free(&c);
	/* namespaces without an edhoc part: no C_R could ever be chosen */
	f = fopen(path, "w");
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\", \"id_namespaces\": {\"direct\": "
		   "[{\"prefix\": \"\", \"min_len\": 1, \"max_len\": 1}]}, \"edhoc\": {"
		   "\"credentials\": [{\"ccs\": \"%s\", \"private_key\": \"%s\"}]}}", T2_CRED_R, T2_SK_R);
	fclose(f);
	cr_assert_neq(ctl_config_load(&c, path, e, sizeof(e)), 0);
	cr_expect_not_null(strstr(e, "gw.json: edhoc: needs an \"edhoc\" part in id_namespaces"),
			   "%s", e);
	f = fopen(path, "w");
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\", \"edhoc\": {\"credentials\": "
		   "[{\"ccs\": \"%s\", \"private_key\": \"%s\"}]}}", T2_CRED_R, T2_SK_R);
	fclose(f);
	cr_assert_eq(ctl_config_load(&c, path, e, sizeof(e)), 0, "%s", e);
	cr_expect_eq(c.edhoc.n_own, 1);
	ctl_config_free(&c);
	cr_expect_not(c.edhoc.enabled);
}
