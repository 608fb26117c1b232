/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 8613 Appendix C through the oscore-tool command line, as a script would use it. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "vectors.h"

/* Run the tool with args; returns its exit status, stdout (trimmed) in out. */
static int run_tool(const char *args, char *out, size_t cap)
{
	const char *tool = getenv("OSCORE_TOOL");
	char cmd[2048];
	size_t n;
	FILE *f;
	int st;

	cr_assert_not_null(tool, "OSCORE_TOOL is not set");
	snprintf(cmd, sizeof(cmd), "%s %s 2>/dev/null", tool, args);
	f = popen(cmd, "r");
	cr_assert_not_null(f);
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	while (n && (out[n - 1] == '\n'))
		out[--n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void ctx_args(const struct ctx_vector *v, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "--secret %s --salt '%s' --sender-id '%s' --recipient-id '%s'",
			 v->secret, v->salt, v->sender_id, v->recipient_id);

	if (v->id_ctx)
		snprintf(buf + n, cap - (size_t)n, " --id-context %s", v->id_ctx);
}

Test(oscore_tool, c1_c3_derive)
{
	size_t i;

	for (i = 0; i < sizeof(ctx_vectors) / sizeof(ctx_vectors[0]); i++) {
		const struct ctx_vector *v = &ctx_vectors[i];
		char args[1024], out[1024], want[1024];

		snprintf(args, sizeof(args), "derive ");
		ctx_args(v, args + 7, sizeof(args) - 7);
		cr_assert_eq(run_tool(args, out, sizeof(out)), 0, "%s", v->name);
		snprintf(want, sizeof(want), "sender_key=%s\nrecipient_key=%s\ncommon_iv=%s",
			 v->sender_key, v->recipient_key, v->common_iv);
		cr_expect_str_eq(out, want, "%s", v->name);
	}
}

Test(oscore_tool, c4_c6_requests_both_ways)
{
	size_t i;

	for (i = 0; i < sizeof(req_vectors) / sizeof(req_vectors[0]); i++) {
		const struct req_vector *v = &req_vectors[i];
		char ctx[512], args[1024], out[1024];

		ctx_args(&ctx_vectors[v->client], ctx, sizeof(ctx));
		snprintf(args, sizeof(args), "protect %s --ssn 20%s --message %s", ctx,
			 v->kid_ctx ? " --send-kid-context" : "", v->plain);
		cr_assert_eq(run_tool(args, out, sizeof(out)), 0, "%s", v->name);
		cr_expect_str_eq(out, v->protected_, "%s protect", v->name);

		ctx_args(&ctx_vectors[v->server], ctx, sizeof(ctx));
		snprintf(args, sizeof(args), "unprotect %s --message %s", ctx, v->protected_);
		cr_assert_eq(run_tool(args, out, sizeof(out)), 0, "%s", v->name);
		cr_expect_str_eq(out, v->plain, "%s unprotect", v->name);
	}
}

Test(oscore_tool, c7_c8_responses_both_ways)
{
	size_t i;

	for (i = 0; i < sizeof(resp_vectors) / sizeof(resp_vectors[0]); i++) {
		const struct resp_vector *v = &resp_vectors[i];
		char ctx[512], args[1024], out[1024];

		ctx_args(&ctx_vectors[1], ctx, sizeof(ctx));
		snprintf(args, sizeof(args), "protect %s --request-kid '' --request-piv 14%s --message %s",
			 ctx, v->own_piv ? " --ssn 0" : "", v->plain);
		cr_assert_eq(run_tool(args, out, sizeof(out)), 0, "%s", v->name);
		cr_expect_str_eq(out, v->protected_, "%s protect", v->name);

		ctx_args(&ctx_vectors[0], ctx, sizeof(ctx));
		snprintf(args, sizeof(args), "unprotect %s --request-kid '' --request-piv 14 --message %s",
			 ctx, v->protected_);
		cr_assert_eq(run_tool(args, out, sizeof(out)), 0, "%s", v->name);
		cr_expect_str_eq(out, v->plain, "%s unprotect", v->name);
	}
}

Test(oscore_tool, tampered_tag_exits_1)
{
	char ctx[512], args[1024], out[256];

	ctx_args(&ctx_vectors[1], ctx, sizeof(ctx));
	/* C.4 with the last tag byte changed */
	snprintf(args, sizeof(args), "unprotect %s --message "
		 "44025d1f00003974396c6f63616c686f7374620914ff612f1092f1776f1c1668b3825f", ctx);
	cr_expect_eq(run_tool(args, out, sizeof(out)), 1);
	cr_expect_str_empty(out);
}

Test(oscore_tool, wrong_context_exits_1)
{
	char ctx[512], args[1024], out[256];

	ctx_args(&ctx_vectors[3], ctx, sizeof(ctx)); /* C.2.2 expects kid 00, C.4 sends '' */
	snprintf(args, sizeof(args), "unprotect %s --message %s", ctx, req_vectors[0].protected_);
	cr_expect_eq(run_tool(args, out, sizeof(out)), 1);
}

Test(oscore_tool, usage_errors_exit_2)
{
	static const char *bad[] = {
		"",
		"frobnicate --secret 01 --sender-id '' --recipient-id 01",
		"derive --secret 0 --sender-id '' --recipient-id 01",
		"derive --secret zz --sender-id '' --recipient-id 01",
		"derive --secret 01 --recipient-id 01",
		"derive --secret 01 --sender-id 0102030405060708 --recipient-id 01",
		"derive --secret 01 --sender-id '' --recipient-id 01 --alg 99",
		"protect --secret 01 --sender-id '' --recipient-id 01 --message 4401",
		"protect --secret 01 --sender-id '' --recipient-id 01 --ssn 1099511627776 --message 4401",
		"protect --secret 01 --sender-id '' --recipient-id 01 --request-kid '' --message 4401",
	};
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_expect_eq(run_tool(bad[i], out, sizeof(out)), 2, "%s", bad[i]);
}

Test(oscore_tool, every_aead_roundtrips)
{
	static const char *algs[] = { "10", "11", "12", "13", "30", "31", "32", "33", "1", "2",
				      "3", "24", "AES-CCM-16-64-128" };
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		char args[2048], prot[1024], out[1024];
		const char *plain = "44015d1f00003974396c6f63616c686f737483747631";

		snprintf(args, sizeof(args), "protect --secret 0102 --sender-id 01 --recipient-id '' "
			 "--alg %s --ssn 7 --message %s", algs[i], plain);
		cr_assert_eq(run_tool(args, prot, sizeof(prot)), 0, "alg %s", algs[i]);
		snprintf(args, sizeof(args), "unprotect --secret 0102 --sender-id '' --recipient-id 01 "
			 "--alg %s --message %s", algs[i], prot);
		cr_assert_eq(run_tool(args, out, sizeof(out)), 0, "alg %s", algs[i]);
		cr_expect_str_eq(out, plain, "alg %s", algs[i]);
	}
}
