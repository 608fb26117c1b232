/* SPDX-License-Identifier: BSD-3-Clause */
/* The gateway configuration's context capacity keys: max_contexts and max_id_contexts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "control/ctl_config.h"
#include "ctl_test_util.h"

static char dir[256], path[300], err[512];
static struct ctl_config cfg;

static void cleanup(void)
{
	ctl_config_free(&cfg);
	rm_dir(dir);
}

TestSuite(conf_ctx, .fini = cleanup);

/* Two contexts with an ID Context and extra spliced into the top-level object. */
static int load(const char *extra)
{
	FILE *f;

	scratch_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/gw.json", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fprintf(f, "{\"port\": \"0\", \"ipv4\": \"10.0.0.1\", %s \"contexts\": ["
		"{\"master_secret\": \"00\", \"sender_id\": \"01\", \"recipient_id\": \"02\", "
		"\"id_context\": \"dd11\"}, "
		"{\"master_secret\": \"01\", \"sender_id\": \"01\", \"recipient_id\": \"03\", "
		"\"id_context\": \"dd12\"}]}", extra);
	fclose(f);
	err[0] = 0;
	return ctl_config_load(&cfg, path, err, sizeof(err));
}

Test(conf_ctx, max_id_contexts_defaults_to_max_contexts)
{
	cr_assert_eq(load("\"max_contexts\": 10,"), 0, "%s", err);
	cr_expect_eq(ctl_config_id_contexts(&cfg.ctl), 10);
}

Test(conf_ctx, max_id_contexts_is_at_most_max_contexts)
{
	cr_assert_eq(load("\"max_contexts\": 10, \"max_id_contexts\": 50,"), 0, "%s", err);
	cr_expect_eq(ctl_config_id_contexts(&cfg.ctl), 10);
}

Test(conf_ctx, more_id_contexts_configured_than_max_id_contexts_are_refused)
{
	cr_assert_eq(load("\"max_id_contexts\": 1,"), -1);
	cr_expect_not_null(strstr(err, "max_id_contexts"), "%s", err);
	cr_expect_not_null(strstr(err, "2 contexts with an ID Context configured, more than 1"),
			   "%s", err);
}

Test(conf_ctx, max_id_contexts_must_be_a_count)
{
	cr_assert_eq(load("\"max_id_contexts\": -1,"), -1);
	cr_expect_not_null(strstr(err, "max_id_contexts"), "%s", err);
}
