/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-gwctl: manage a running oscore-gw through its DPDK telemetry socket
 * (/var/run/dpdk/PREFIX/dpdk_telemetry.v2, SOCK_SEQPACKET, one JSON answer per command).
 *
 *   oscore-gwctl --prefix NAME add FILE.json | --libcoap FILE.conf | --bulk FILE.json
 *   oscore-gwctl --prefix NAME remove KID [KIDCTX]      (hex; "-" is the empty kid)
 *   oscore-gwctl --prefix NAME list | show KID [KIDCTX] | stats
 *   oscore-gwctl --prefix NAME metrics                  (Prometheus text, as GET /metrics)
 *   oscore-gwctl --prefix NAME watch [--count N] [--interval S]   (rates, redrawn each second)
 *   oscore-gwctl --prefix NAME tokens [START] | revoke ISSUER ID   (ACE tokens; ID in hex)
 *   oscore-gwctl --prefix NAME group add FILE|JSON | rekey GID FILE|JSON | remove GID | list
 *   oscore-gwctl export-wireshark --config gw.json [--state DB]
 *
 * add sends one context per command (a telemetry command is at most 1024 bytes); --bulk makes the
 * gateway read the file itself. Answers never hold secrets: the gateway does not send them, and
 * export-wireshark reads the files, never asks the gateway.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/ctl_conf_libcoap.h"
#include "control/ctl_export.h"
#include "control/ctl_store.h"
#include "crypto/cry_aead.h"
#include "control/ctl_config.h"

#define BUF 65536

static int tel_open(const char *prefix)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char hello[1024];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/var/run/dpdk/%s/dpdk_telemetry.v2", prefix);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    read(fd, hello, sizeof(hello)) <= 0) { /* the server's greeting */
		fprintf(stderr, "oscore-gwctl: %s: %s\n", sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Send "cmd,params"; the parsed answer in *root (the caller frees it) and its value for cmd, or
 * NULL (then an error was printed, or the answer is in *root unparsed as NULL). */
static json_t *tel_request(int fd, const char *cmd, const char *params, json_t **root,
			   const char **raw)
{
	static char buf[BUF];
	char req[1100];
	ssize_t n;

	*root = NULL;
	*raw = buf;
	buf[0] = '\0';
	if ((size_t)snprintf(req, sizeof(req), "%s%s%s", cmd, params ? "," : "",
			     params ? params : "") >= 1024)
		return fprintf(stderr, "oscore-gwctl: command longer than 1024 bytes\n"), NULL;
	if (write(fd, req, strlen(req)) < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return fprintf(stderr, "oscore-gwctl: telemetry: %s\n", strerror(errno)), NULL;
	explicit_bzero(req, sizeof(req));
	buf[n] = '\0';
	*root = json_loads(buf, 0, NULL);
	return *root ? json_object_get(*root, cmd) : NULL;
}

/* Send "cmd,params" and print the answer's value; returns its "rc" (0 if none), -1 on error. */
static int tel_call(int fd, const char *cmd, const char *params, bool print)
{
	const char *buf;
	json_t *root, *v = tel_request(fd, cmd, params, &root, &buf), *rc;
	int ret = 0;

	if (!v)
		ret = -1;
	else if (json_is_string(v))
		ret = -1; /* "control loop not running" */
	else if ((rc = json_object_get(v, "rc")))
		ret = (int)json_integer_value(rc);
	if (print || ret) {
		char *out = v ? json_dumps(v, JSON_COMPACT) : NULL;

		printf("%s\n", out ? out : buf);
		free(out);
	}
	json_decref(root);
	return ret;
}

/* oscore-gwctl metrics: the Prometheus text of the gateway's /metrics (dataplane/dp_metrics.h),
 * page by page, for node_exporter's textfile collector. 0, or 1 if the gateway did not answer. */
static int cmd_metrics(int fd)
{
	char first[24];
	unsigned long line = 0;
	const char *raw, *s;
	json_t *root, *v;
	bool eof = false;

	while (!eof) {
		snprintf(first, sizeof(first), "%lu", line);
		v = tel_request(fd, "/oscore/metrics", first, &root, &raw);
		s = json_string_value(v);
		if (!s || !strcmp(s, "stopped") || !*s) {
			fprintf(stderr, "oscore-gwctl: no metrics: %s\n", s ? s : raw);
			json_decref(root);
			return 1;
		}
		fputs(s, stdout);
		for (const char *p = s; (p = strchr(p, '\n')); p++)
			line++;
		eof = strlen(s) >= 6 && !strcmp(s + strlen(s) - 6, "# EOF\n");
		json_decref(root);
	}
	return fflush(stdout) ? 1 : 0;
}

/* Counters oscore-gwctl watch always shows (dataplane/dp_stats.c names); others when they move. */
static const char *const watch_main[] = {
	"rx_packets", "tx_packets", "answer_protected", "answer_error", "drop_silent",
	"drop_rate_limited", "drop_rate_limited_source", "dedup_hit", "ctl_handoff",
	"fwd_requests", "fwd_answers", "fwd_timeouts",
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_main(const char *key)
{
	for (size_t i = 0; i < sizeof(watch_main) / sizeof(watch_main[0]); i++)
		if (!strcmp(key, watch_main[i]))
			return true;
	return false;
}

/* One screen: totals of cur and their rates since prev over sec seconds. */
static void watch_screen(const char *prefix, json_t *cur, json_t *prev, double sec, bool tty)
{
	const char *key;
	json_t *v;

	if (tty)
		fputs("\033[H\033[2J", stdout); /* home, clear: redraw in place */
	printf("oscore-gw %s: rates over %.2f s%s\n%-28s %16s %14s\n", prefix, sec,
	       tty ? " (Ctrl-C to stop)" : "", "counter", "total", "per second");
	for (int pass = 0; pass < 2; pass++)
		json_object_foreach(cur, key, v) {
			json_int_t now = json_integer_value(v);
			json_int_t was = json_integer_value(json_object_get(prev, key));

			/* the main counters first, then any other that moved */
			if (pass == 0 ? !is_main(key) : is_main(key) || now == was)
				continue;
			printf("%-28s %16lld %14.1f\n", key, (long long)now,
			       (double)(now - was) / sec);
		}
	fflush(stdout);
}

/* oscore-gwctl watch [--count N] [--interval S]: per-second rates of the counters, redrawn in
 * place on a terminal (a block per interval otherwise); N screens, 0 = until interrupted. */
static int cmd_watch(int fd, const char *prefix, int argc, char **argv)
{
	unsigned long count = 0, shown = 0;
	double every = 1, t0, t1;
	json_t *root0 = NULL, *prev, *root, *cur;
	const char *raw;
	bool tty = isatty(STDOUT_FILENO);

	char *end = NULL;
	int i;

	for (i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--count"))
			count = strtoul(argv[i + 1], &end, 10);
		else if (!strcmp(argv[i], "--interval"))
			every = strtod(argv[i + 1], &end);
		else
			break;
		if (*end || end == argv[i + 1])
			break;
	}
	if (i != argc || every < 0.1 || every > 3600)
		return fprintf(stderr, "usage: watch [--count N] [--interval SECONDS]\n"), 2;
	prev = tel_request(fd, "/oscore/stats", NULL, &root0, &raw);
	t0 = now_s();
	while (json_is_object(prev) && (!count || shown < count)) {
		struct timespec d = { .tv_sec = (time_t)every,
				      .tv_nsec = (long)((every - (double)(time_t)every) * 1e9) };

		nanosleep(&d, NULL);
		cur = tel_request(fd, "/oscore/stats", NULL, &root, &raw);
		t1 = now_s();
		if (!json_is_object(cur)) {
			json_decref(root);
			break;
		}
		watch_screen(prefix, cur, prev, t1 - t0, tty);
		json_decref(root0);
		root0 = root, prev = cur, t0 = t1;
		shown++;
	}
	json_decref(root0);
	if (count && shown < count)
		return fprintf(stderr, "oscore-gwctl: the gateway stopped answering\n"), 1;
	return 0;
}

static int add_array(int fd, json_t *a, const char *file)
{
	size_t i, n = json_is_array(a) ? json_array_size(a) : 1;
	unsigned ok = 0;

	for (i = 0; i < n; i++) {
		json_t *o = json_is_array(a) ? json_array_get(a, i) : a;
		char *s = json_dumps(o, JSON_COMPACT);
		int rc = s ? tel_call(fd, "/oscore/ctx/add", s, false) : -1;

		if (s) {
			explicit_bzero(s, strlen(s));
			free(s);
		}
		if (rc)
			fprintf(stderr, "oscore-gwctl: %s: context %zu refused\n", file, i);
		else
			ok++;
	}
	printf("added %u of %zu\n", ok, n);
	return ok == n ? 0 : 1;
}

static json_t *hexstr(const uint8_t *b, size_t n)
{
	char h[2 * OSC_SECRET_MAX + 1];
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(h + 2 * i, 3, "%02x", b[i]);
	h[2 * n] = '\0';
	return json_string(h);
}

/* A libcoap file's contexts as JSON objects of the gateway's format; errors name file:line. */
static json_t *libcoap_json(const char *path)
{
	static struct ctl_conf c;
	struct osc_params p;
	char err[256];
	json_t *a;
	unsigned i;

	if (ctl_conf_libcoap_load(&c, path, err, sizeof(err)))
		return fprintf(stderr, "oscore-gwctl: %s\n", err), NULL;
	a = json_array();
	for (i = 0; i < c.n_rid; i++) {
		json_t *o = json_object();

		ctl_conf_params(&c, i, &p);
		json_object_set_new(o, "master_secret", hexstr(p.secret, p.secret_len));
		json_object_set_new(o, "master_salt", hexstr(p.salt, p.salt_len));
		json_object_set_new(o, "sender_id", hexstr(p.sender_id, p.sender_id_len));
		json_object_set_new(o, "recipient_id", hexstr(p.recipient_id, p.recipient_id_len));
		if (p.has_id_ctx)
			json_object_set_new(o, "id_context", hexstr(p.id_ctx, p.id_ctx_len));
		if (p.alg)
			json_object_set_new(o, "aead_alg", json_integer(p.alg->cose));
		if (p.hkdf)
			json_object_set_new(o, "hkdf_alg", json_integer(p.hkdf));
		if (p.replay_window)
			json_object_set_new(o, "replay_window", json_integer(p.replay_window));
		json_array_append_new(a, o);
	}
	explicit_bzero(&c, sizeof(c));
	explicit_bzero(&p, sizeof(p));
	return a;
}

static int cmd_add(int fd, int argc, char **argv)
{
	char abs[PATH_MAX];
	json_error_t je;
	json_t *a;
	int rc;

	if (argc == 2 && !strcmp(argv[0], "--bulk")) {
		if (!realpath(argv[1], abs))
			return fprintf(stderr, "oscore-gwctl: %s: %s\n", argv[1], strerror(errno)), 1;
		return tel_call(fd, "/oscore/ctx/load", abs, true) ? 1 : 0;
	}
	if (argc == 2 && !strcmp(argv[0], "--libcoap"))
		a = libcoap_json(argv[1]);
	else if (argc == 1 && !(a = json_load_file(argv[0], 0, &je)))
		fprintf(stderr, "oscore-gwctl: %s:%d: %s\n", argv[0], je.line, je.text);
	else if (argc != 1)
		return fprintf(stderr, "usage: add FILE.json | --libcoap FILE.conf | --bulk FILE\n"), 2;
	if (!a)
		return 1;
	if (json_is_object(a) && json_object_get(a, "contexts")) /* a gateway configuration */
		rc = add_array(fd, json_object_get(a, "contexts"), argv[argc - 1]);
	else
		rc = add_array(fd, a, argv[argc - 1]);
	json_decref(a);
	return rc;
}

/* A group argument: inline JSON as it is, a file as its absolute path (the gateway reads it, and
 * only below its configuration's folder: a group with members is longer than a command). */
static int group_arg(const char *a, char *out, size_t cap)
{
	char abs[PATH_MAX];

	if (a[0] == '{' || a[0] == '[')
		return snprintf(out, cap, "%s", a) < (int)cap ? 0 : -1;
	if (!realpath(a, abs))
		return fprintf(stderr, "oscore-gwctl: %s: %s\n", a, strerror(errno)), -1;
	return snprintf(out, cap, "%s", abs) < (int)cap ? 0 : -1;
}

/* oscore-gwctl group add FILE|JSON | rekey GID FILE|JSON | remove GID | list */
static int cmd_group(int fd, int argc, char **argv)
{
	static char arg[1024];
	char g[PATH_MAX];
	int rc = 2;

	if (argc == 1 && !strcmp(argv[0], "list"))
		return tel_call(fd, "/oscore/group/list", NULL, true) ? 1 : 0;
	if (argc == 2 && !strcmp(argv[0], "remove"))
		return tel_call(fd, "/oscore/group/remove", argv[1], true) ? 1 : 0;
	if (argc == 2 && !strcmp(argv[0], "add"))
		rc = group_arg(argv[1], arg, sizeof(arg)) ? 1 :
		     tel_call(fd, "/oscore/group/add", arg, true) ? 1 : 0;
	else if (argc == 3 && !strcmp(argv[0], "rekey"))
		rc = group_arg(argv[2], g, sizeof(g)) ||
		     snprintf(arg, sizeof(arg), "%s,%s", argv[1], g) >= (int)sizeof(arg) ? 1 :
		     tel_call(fd, "/oscore/group/rekey", arg, true) ? 1 : 0;
	else
		fprintf(stderr, "usage: group add FILE|JSON | rekey GID FILE|JSON | remove GID | "
			"list\n");
	explicit_bzero(arg, sizeof(arg)); /* inline JSON holds the Master Secret */
	explicit_bzero(g, sizeof(g));
	return rc;
}

/* The UAT lines of the configuration's contexts and, with a state database, of the stored ones
 * (runtime adds); written with mode 0600 by the caller's umask to stdout or --out. */
static int export_wireshark(const char *config, const char *state)
{
	struct ctl_config c;
	char err[512], line[CTL_EXPORT_LINE_MAX];
	unsigned i, n = 0, skipped = 0;
	int k;

	if (ctl_config_load(&c, config, err, sizeof(err)))
		return fprintf(stderr, "oscore-gwctl: %s\n", err), 1;
	for (i = 0; !state && !c.ctl.state_db[0] && i < c.n_ctx; i++) {
		k = ctl_export_line(line, sizeof(line), &c.ctx[i]);
		if (k < 0)
			skipped++;
		else
			n += fputs(line, stdout) >= 0;
	}
	explicit_bzero(line, sizeof(line));
	if (!state && !c.ctl.state_db[0]) {
		ctl_config_free(&c);
		fprintf(stderr, "oscore-gwctl: %u contexts exported, %u skipped (not AES-CCM-16-64-128)\n",
			n, skipped);
		return 0;
	}
	/* with state, the store holds the configured contexts too (and the runtime adds) */
	struct ctl_store *st = ctl_store_open(state ? state : c.ctl.state_db, err, sizeof(err));

	ctl_config_free(&c);
	if (!st)
		return fprintf(stderr, "oscore-gwctl: %s\n", err), 1;
	k = ctl_export_store(stdout, st, &skipped);
	ctl_store_close(st);
	fprintf(stderr, "oscore-gwctl: %d contexts exported, %u skipped\n", k, skipped);
	return k < 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: oscore-gwctl --prefix NAME add FILE.json | add --libcoap FILE.conf |\n"
		"                    add --bulk FILE.json | remove KID [KIDCTX] | list [START] |\n"
		"                    show KID [KIDCTX] | stats | metrics |\n"
		"                    tokens [START] | revoke ISSUER ID |\n"
		"                    group add FILE|JSON | group rekey GID FILE|JSON |\n"
		"                    group remove GID | group list |\n"
		"                    watch [--count N] [--interval SECONDS]\n"
		"       oscore-gwctl export-wireshark --config gw.json [--state DB]\n");
}

static int ids_arg(int argc, char **argv, char *out, size_t cap)
{
	if (argc < 1 || argc > 2)
		return -1;
	snprintf(out, cap, "%s%s%s", argv[0], argc == 2 ? "," : "", argc == 2 ? argv[1] : "");
	return 0;
}

static int run(const char *prefix, int argc, char **argv)
{
	char ids[256];
	int fd = tel_open(prefix), rc = 2;

	if (fd < 0)
		return 1;
	if (!strcmp(argv[0], "add"))
		rc = cmd_add(fd, argc - 1, argv + 1);
	else if (!strcmp(argv[0], "remove") && !ids_arg(argc - 1, argv + 1, ids, sizeof(ids)))
		rc = tel_call(fd, "/oscore/ctx/remove", ids, true) ? 1 : 0;
	else if (!strcmp(argv[0], "show") && !ids_arg(argc - 1, argv + 1, ids, sizeof(ids)))
		rc = tel_call(fd, "/oscore/ctx/show", ids, true) ? 1 : 0;
	else if (!strcmp(argv[0], "list") && argc <= 2)
		rc = tel_call(fd, "/oscore/ctx/list", argc == 2 ? argv[1] : "0", true) ? 1 : 0;
	else if (!strcmp(argv[0], "tokens") && argc <= 2)
		rc = tel_call(fd, "/oscore/ace/tokens", argc == 2 ? argv[1] : "0", true) ? 1 : 0;
	else if (!strcmp(argv[0], "revoke") && argc == 3 && !ids_arg(2, argv + 1, ids, sizeof(ids)))
		rc = tel_call(fd, "/oscore/ace/revoke", ids, true) ? 1 : 0;
	else if (!strcmp(argv[0], "group"))
		rc = cmd_group(fd, argc - 1, argv + 1);
	else if (!strcmp(argv[0], "stats") && argc == 1)
		rc = tel_call(fd, "/oscore/stats", NULL, true) ? 1 : 0;
	else if (!strcmp(argv[0], "metrics") && argc == 1)
		rc = cmd_metrics(fd);
	else if (!strcmp(argv[0], "watch"))
		rc = cmd_watch(fd, prefix, argc - 1, argv + 1);
	else
		usage();
	close(fd);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "prefix", required_argument, NULL, 'p' }, { "config", required_argument, NULL, 'c' },
		{ "state", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 },
	};
	const char *prefix = NULL, *config = NULL, *state = NULL;
	int ch;

	umask(077); /* an export holds Master Secrets */
	while ((ch = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		if (ch == 'p')
			prefix = optarg;
		else if (ch == 'c')
			config = optarg;
		else if (ch == 's')
			state = optarg;
		else
			return usage(), 2;
	}
	argc -= optind;
	argv += optind;
	/* options may also follow export-wireshark */
	if (argc >= 1 && !strcmp(argv[0], "export-wireshark")) {
		optind = 1;
		while ((ch = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
			if (ch == 'c')
				config = optarg;
			else if (ch == 's')
				state = optarg;
			else
				return usage(), 2;
		}
		if (!config)
			return usage(), 2;
		return export_wireshark(config, state);
	}
	if (!prefix || argc < 1)
		return usage(), 2;
	return run(prefix, argc, argv);
}
