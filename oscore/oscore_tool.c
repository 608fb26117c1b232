/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-tool: derive a context, protect or verify one message from the command line, like
 * `openssl enc` for OSCORE. Output is hex on stdout; on failure the reason goes to stderr and the
 * exit status is 1 (2 for a usage error).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_hkdf.h"
#include "oscore/osc_hex.h"
#include "oscore/osc_protect.h"

enum { EXIT_USAGE = 2 };

struct args {
	struct osc_params p;
	const char *cmd;
	const char *message;
	uint8_t req_kid[OSC_ID_MAX], req_piv[OSC_PIV_MAX];
	size_t req_kid_len, req_piv_len;
	unsigned long long ssn;
	bool has_ssn, has_req_kid, has_req_piv, send_kid_ctx, has_sender, has_recipient;
	bool has_secret;
};

static const char usage[] =
	"usage:\n"
	"  oscore-tool derive --secret HEX [--salt HEX] [--id-context HEX] --sender-id HEX\n"
	"                     --recipient-id HEX [--alg N] [--hkdf NAME]\n"
	"  oscore-tool protect   CTX --ssn N [--send-kid-context] --message HEX\n"
	"  oscore-tool protect   CTX --request-kid HEX --request-piv HEX [--ssn N] --message HEX\n"
	"  oscore-tool unprotect CTX --message HEX\n"
	"  oscore-tool unprotect CTX --request-kid HEX --request-piv HEX --message HEX\n"
	"CTX is --secret/--salt/--id-context/--sender-id/--recipient-id/--alg/--hkdf as for derive.\n";

static void die_usage(const char *why, const char *what)
{
	fprintf(stderr, "oscore-tool: %s%s%s\n%s", why, what ? ": " : "", what ? what : "", usage);
	exit(EXIT_USAGE);
}

/* Parse hex s into out[0..cap); returns the byte count or dies naming the option. */
static size_t parse_hex(const char *s, uint8_t *out, size_t cap, const char *opt)
{
	size_t n = strlen(s), i;

	if (n % 2 || n / 2 > cap)
		die_usage(n % 2 ? "odd number of hex digits in" : "value too long for", opt);
	for (i = 0; i < n / 2; i++) {
		int hi = osc_hex_nibble(s[2 * i]), lo = osc_hex_nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			die_usage("not hex", opt);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return n / 2;
}

static void print_hex(const char *label, const uint8_t *b, size_t n)
{
	size_t i;

	if (label)
		printf("%s=", label);
	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
	putchar('\n');
}

static const struct cry_alg *parse_alg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	const struct cry_alg *a = *end == '\0' ? cry_alg_by_cose((int)v) : cry_alg_by_name(s);

	if (!a)
		die_usage("unsupported AEAD algorithm", s);
	return a;
}

static unsigned long long parse_ssn(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || *s == '-' || *s == '\0' || v > OSC_SSN_MAX)
		die_usage("--ssn must be a number from 0 to 2^40-1", s);
	return v;
}

enum opt_id {
	O_SECRET = 256, O_SALT, O_IDCTX, O_SID, O_RID, O_ALG, O_HKDF, O_SSN, O_KIDCTX, O_MSG,
	O_RKID, O_RPIV
};

static const struct option long_opts[] = {
	{ "secret", required_argument, NULL, O_SECRET },
	{ "salt", required_argument, NULL, O_SALT },
	{ "id-context", required_argument, NULL, O_IDCTX },
	{ "sender-id", required_argument, NULL, O_SID },
	{ "recipient-id", required_argument, NULL, O_RID },
	{ "alg", required_argument, NULL, O_ALG },
	{ "hkdf", required_argument, NULL, O_HKDF },
	{ "ssn", required_argument, NULL, O_SSN },
	{ "send-kid-context", no_argument, NULL, O_KIDCTX },
	{ "message", required_argument, NULL, O_MSG },
	{ "request-kid", required_argument, NULL, O_RKID },
	{ "request-piv", required_argument, NULL, O_RPIV },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void parse_ctx_opt(struct args *a, int c, const char *v)
{
	struct osc_params *p = &a->p;

	switch (c) {
	case O_SECRET:
		p->secret_len = (uint8_t)parse_hex(v, p->secret, sizeof(p->secret), "--secret");
		a->has_secret = true;
		break;
	case O_SALT:
		p->salt_len = (uint8_t)parse_hex(v, p->salt, sizeof(p->salt), "--salt");
		break;
	case O_IDCTX:
		p->id_ctx_len = (uint8_t)parse_hex(v, p->id_ctx, sizeof(p->id_ctx), "--id-context");
		p->has_id_ctx = true;
		break;
	case O_SID:
		p->sender_id_len = (uint8_t)parse_hex(v, p->sender_id, OSC_ID_MAX, "--sender-id");
		a->has_sender = true;
		break;
	case O_RID:
		p->recipient_id_len =
			(uint8_t)parse_hex(v, p->recipient_id, OSC_ID_MAX, "--recipient-id");
		a->has_recipient = true;
		break;
	case O_ALG:
		p->alg = parse_alg(v);
		break;
	case O_HKDF:
		p->hkdf = cry_hkdf_by_name(v);
		if (!p->hkdf)
			die_usage("unsupported HKDF", v);
		break;
	}
}

static void parse_msg_opt(struct args *a, int c, const char *v)
{
	switch (c) {
	case O_SSN:
		a->ssn = parse_ssn(v);
		a->has_ssn = true;
		break;
	case O_KIDCTX:
		a->send_kid_ctx = true;
		break;
	case O_MSG:
		a->message = v;
		break;
	case O_RKID:
		a->req_kid_len = parse_hex(v, a->req_kid, sizeof(a->req_kid), "--request-kid");
		a->has_req_kid = true;
		break;
	case O_RPIV:
		a->req_piv_len = parse_hex(v, a->req_piv, sizeof(a->req_piv), "--request-piv");
		a->has_req_piv = true;
		break;
	default:
		parse_ctx_opt(a, c, v);
	}
}

static void parse_args(struct args *a, int argc, char **argv)
{
	int c;

	if (argc < 2)
		die_usage("no command", NULL);
	a->cmd = argv[1];
	if (strcmp(a->cmd, "derive") && strcmp(a->cmd, "protect") && strcmp(a->cmd, "unprotect"))
		die_usage("unknown command", a->cmd);
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			exit(0);
		}
		if (c == '?')
			die_usage("unknown option", NULL);
		parse_msg_opt(a, c, optarg);
	}
	if (optind != argc)
		die_usage("unexpected argument", argv[optind]);
	if (!a->has_secret || !a->has_sender || !a->has_recipient)
		die_usage("--secret, --sender-id and --recipient-id are required", NULL);
	if (a->has_req_kid != a->has_req_piv)
		die_usage("--request-kid and --request-piv go together", NULL);
}

static int fail(const char *what, int err)
{
	const char *diag = osc_err_diag(err);

	fprintf(stderr, "oscore-tool: %s failed: %s%s%s\n", what, osc_err_name(err),
		diag ? ": " : "", diag ? diag : "");
	return 1;
}

static int cmd_derive(struct osc_ctx *c)
{
	print_hex("sender_key", c->sender_key.raw, osc_ctx_alg(c)->key_len);
	print_hex("recipient_key", c->recipient_key.raw, osc_ctx_alg(c)->key_len);
	print_hex("common_iv", c->common_iv, osc_ctx_alg(c)->nonce_len);
	return 0;
}

/* The request a response answers: its kid and Partial IV, and the nonce they give (§5.2). */
static void request_exchange(const struct args *a, const struct osc_ctx *c,
			     struct osc_exchange *ex)
{
	*ex = (struct osc_exchange){ .kid_len = (uint8_t)a->req_kid_len,
				     .piv_len = (uint8_t)a->req_piv_len };
	memcpy(ex->kid, a->req_kid, a->req_kid_len);
	memcpy(ex->piv, a->req_piv, a->req_piv_len);
	osc_nonce(ex->nonce, c, a->req_kid, a->req_kid_len, a->req_piv, a->req_piv_len);
}

static int run_message(const struct args *a, struct osc_ctx *c, struct cry_engine *e,
		       bool protect)
{
	static uint8_t in[OSC_MSG_MAX], out[OSC_MSG_MAX + 512];
	struct osc_exchange ex;
	size_t len;
	int n;

	if (!a->message)
		die_usage("--message is required", NULL);
	len = parse_hex(a->message, in, sizeof(in), "--message");
	if (a->has_req_kid)
		request_exchange(a, c, &ex);
	if (protect && !a->has_req_kid && !a->has_ssn)
		die_usage("protecting a request needs --ssn", NULL);
	c->ssn = a->ssn;
	if (protect)
		n = a->has_req_kid ?
		    osc_protect_response(e, c, &ex, in, len, out, sizeof(out),
					 a->has_ssn ? OSC_F_OWN_PIV : 0) :
		    osc_protect_request(e, c, in, len, out, sizeof(out),
					a->send_kid_ctx ? OSC_F_KID_CTX : 0, &ex);
	else
		n = a->has_req_kid ? osc_unprotect_response(e, c, &ex, in, len, out, sizeof(out)) :
				     osc_unprotect_request(e, c, in, len, out, sizeof(out), &ex);
	if (n < 0)
		return fail(protect ? "protect" : "unprotect", -n);
	print_hex(NULL, out, (size_t)n);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct osc_ctx ctx;
	struct cry_engine *e = NULL;
	int rc;

	parse_args(&a, argc, argv);
	rc = osc_ctx_derive(&ctx, &a.p);
	if (rc != OSC_CTX_OK) {
		fprintf(stderr, "oscore-tool: cannot derive the context: %s\n",
			osc_ctx_strerror(rc));
		return 1;
	}
	if (!strcmp(a.cmd, "derive")) {
		rc = cmd_derive(&ctx);
	} else {
		e = cry_engine_new();
		rc = e ? run_message(&a, &ctx, e, a.cmd[0] == 'p') : 1;
		if (!e)
			fprintf(stderr, "oscore-tool: no AES-NI crypto engine on this CPU\n");
	}
	cry_engine_free(e);
	osc_ctx_wipe(&ctx);
	cry_wipe(&a.p, sizeof(a.p));
	return rc;
}
