/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --check-config (see dp_check_config.h). The gateway's own parser (ctl_config_load) decides
 * whether the configuration is accepted; it stops at the first error. So that an operator fixes a
 * file in one round and not one error per run, the parts that do not depend on each other are
 * then checked one by one: the top-level keys (the parser again without each bad one), every
 * inline or file context (each with its index), the libcoap file, the state database. No error
 * is reported twice.
 */
#include "dataplane/dp_check_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/ctl_conf_libcoap.h"
#include "control/ctl_store.h"
#include "control/ctl_config.h"

struct chk {
	const char *path;
	char dir[PATH_MAX];   /* the configuration's folder, for relative paths ("" = none) */
	int slash;            /* length of dir when the path has a '/', else -1 */
	FILE *out, *err;
	unsigned errors;
	char first[1024];     /* the parser's error, not repeated */
	char *seen[64];       /* errors reported so far, not repeated either */
	unsigned n_seen;
};

static void error(struct chk *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void error(struct chk *k, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!strcmp(msg, k->first))
		return;
	for (unsigned i = 0; i < k->n_seen; i++)
		if (!strcmp(msg, k->seen[i]))
			return;
	if (k->n_seen < sizeof(k->seen) / sizeof(k->seen[0]))
		k->seen[k->n_seen++] = strdup(msg);
	fprintf(k->err, "oscore-gw: %s\n", msg);
	k->errors++;
}

static void warn(struct chk *k, const char *what, const char *path, const char *why)
{
	fprintf(k->err, "oscore-gw: warning: %s %s: %s\n", what, path, why);
}

/* A file holding Master Secrets should be readable by its owner only. */
static void secret_mode(struct chk *k, const char *path)
{
	struct stat st;

	if (!stat(path, &st) && (st.st_mode & 077))
		warn(k, "file holding Master Secrets", path, "readable by others (chmod 600)");
}

/* One context of an array; errors read as the parser writes them ("file: contexts[i].f: ..."). */
static void one_ctx(struct chk *k, const char *file, size_t i, json_t *o, unsigned window)
{
	struct osc_params p;
	struct osc_ctx *c;
	char err[512];
	const char *rest;
	int rc;

	if (json_is_object(o) && json_is_boolean(json_object_get(o, "b2")))
		json_object_del(o, "b2"); /* configured contexts may say "b2"; runtime adds may not */
	if (ctl_config_parse_context(o, window, &p, err, sizeof(err))) {
		/* "context: contexts[0]...": the runtime-add form; name file and index instead */
		rest = strstr(err, "contexts[0]");
		error(k, "%s: contexts[%zu]%s", file, i, rest ? rest + 11 : err);
		return;
	}
	c = aligned_alloc(64, sizeof(*c));
	rc = c ? osc_ctx_derive(c, &p) : OSC_CTX_OK;
	if (rc != OSC_CTX_OK)
		error(k, "%s: contexts[%zu]: %s", file, i, osc_ctx_strerror(rc));
	else if (c)
		osc_ctx_wipe(c);
	free(c);
	explicit_bzero(&p, sizeof(p));
}

static void ctx_array(struct chk *k, const char *file, json_t *a, unsigned window)
{
	size_t i;
	json_t *o;

	if (!json_is_array(a))
		return;
	json_array_foreach(a, i, o)
		one_ctx(k, file, i, o, window);
}

/* "contexts_file" as the parser resolves it (relative to the configuration's folder). */
static void rel_path(const struct chk *k, const char *name, char *out)
{
	if (name[0] != '/' && k->slash >= 0)
		snprintf(out, PATH_MAX, "%.*s/%s", k->slash, k->path, name);
	else
		snprintf(out, PATH_MAX, "%s", name);
}

/* "contexts" and "contexts_file", each context on its own. */
static void all_contexts(struct chk *k, json_t *root)
{
	json_t *w = json_object_get(root, "replay_window"), *f = json_object_get(root,
										"contexts_file");
	unsigned window = json_is_integer(w) ? (unsigned)json_integer_value(w) : OSC_REPLAY_DEFAULT;
	char path[PATH_MAX];
	json_error_t je;
	json_t *a;

	ctx_array(k, k->path, json_object_get(root, "contexts"), window);
	if (!json_is_string(f))
		return;
	rel_path(k, json_string_value(f), path);
	a = json_load_file(path, 0, &je);
	if (!a) {
		if (!strstr(k->first, path))
			error(k, "%s: line %d column %d: %s", path, je.line, je.column, je.text);
		return;
	}
	ctx_array(k, path, a, window);
	json_decref(a);
}

/* "contexts_libcoap" and "state_db" resolved by the parser's own control slice. */
static int ctl_path(struct chk *k, json_t *root, const char *key, char *out)
{
	static struct ctl_ctx_config c;
	json_t *v = json_object_get(root, key);
	char reason[256];

	if (!v)
		return -1;
	ctl_config_ctx_defaults(&c);
	if (ctl_config_ctx_field(key, v, k->dir, &c, reason, sizeof(reason)))
		return error(k, "%s: %s: %s", k->path, key, reason), -1;
	snprintf(out, PATH_MAX, "%s", !strcmp(key, "state_db") ? c.state_db : c.libcoap);
	return 0;
}

static void libcoap(struct chk *k, json_t *root)
{
	static struct ctl_conf lc;
	char path[PATH_MAX], reason[512];

	if (ctl_path(k, root, "contexts_libcoap", path))
		return;
	if (ctl_conf_libcoap_load(&lc, path, reason, sizeof(reason)) && !strstr(k->first, reason))
		error(k, "%s: contexts_libcoap: %s", k->path, reason);
	explicit_bzero(&lc, sizeof(lc));
	secret_mode(k, path);
}

/* One round of top_level_errors: copy written to a fresh file in dir and parsed; the error in
 * err ("FILE: field: reason") and -1, or 0 when it passes. */
static int parse_copy(json_t *copy, const char *dir, char *file, char *err, size_t err_len)
{
	struct ctl_config c;
	int rc = -1;

	err[0] = '\0'; /* no error to report when the copy cannot be written */
	if ((size_t)snprintf(file, PATH_MAX, "%s/gw.json", dir) >= PATH_MAX ||
	    json_dump_file(copy, file, 0))
		return -1;
	if (!ctl_config_load(&c, file, err, err_len)) {
		ctl_config_free(&c);
		rc = 0;
	}
	unlink(file);
	return rc;
}

/*
 * The parser stops at the first bad top-level key: run it again on a copy without that key, until
 * it passes or names no key it could drop ("(top): missing port"). The copy has no contexts (they
 * are checked one by one above, so it holds no Master Secret) and an absolute state_db; it is
 * written to a private temporary folder and removed. Its errors are reported under the real path.
 */
static void top_level_errors(struct chk *k, json_t *root)
{
	json_t *copy = json_deep_copy(root), *db = json_object_get(root, "state_db");
	char tmp[PATH_MAX], file[PATH_MAX], err[1024], field[96], abs[PATH_MAX];
	const char *t = getenv("TMPDIR"), *rest, *colon;

	snprintf(tmp, sizeof(tmp), "%s/oscore-gw-check.XXXXXX", t && *t ? t : "/tmp");
	if (!copy || !mkdtemp(tmp)) {
		json_decref(copy);
		return;
	}
	if (json_is_string(db) && json_string_value(db)[0] != '/' && k->dir[0] &&
	    (size_t)snprintf(abs, sizeof(abs), "%s/%s", k->dir, json_string_value(db)) < sizeof(abs))
		json_object_set_new(copy, "state_db", json_string(abs)); /* as ctl_config_ctx.c does */
	json_object_del(copy, "contexts");
	json_object_del(copy, "contexts_file");
	json_object_del(copy, "contexts_libcoap");
	for (int round = 0; round < 64 && parse_copy(copy, tmp, file, err, sizeof(err)); round++) {
		rest = err + strlen(file) + 2; /* "FILE: field: reason" */
		colon = strncmp(err, file, strlen(file)) ? NULL : strstr(rest, ": ");
		if (!colon)
			break;
		error(k, "%s: %s", k->path, rest);
		snprintf(field, sizeof(field), "%.*s", (int)(colon - rest), rest);
		if (!json_object_get(copy, field))
			break; /* "(top)": nothing to drop */
		json_object_del(copy, field);
	}
	rmdir(tmp);
	json_decref(copy);
}

/* Which method's Recipient-ID part holds rid (control/ctl_ns.h); "direct" without namespaces. */
struct per_method {
	const struct ctl_ns *ns;
	unsigned long n[CTL_M__COUNT + 1]; /* the last: in no method's part */
};

static void count_rid(void *arg, const uint8_t *rid, size_t len)
{
	struct per_method *pm = arg;
	int m;

	for (m = 0; pm->ns && m < CTL_M__COUNT; m++)
		if (ctl_ns_check(pm->ns, (enum ctl_method)m, rid, len))
			break;
	pm->n[pm->ns ? m : CTL_M_DIRECT]++;
}

static const char *const method_names[CTL_M__COUNT + 1] = { "direct", "ace", "edhoc", "none" };

static void print_methods(FILE *f, const char *what, const struct per_method *pm)
{
	int m;

	fprintf(f, "  %s:", what);
	for (m = 0; m <= CTL_M__COUNT; m++)
		if (m < CTL_M__COUNT || pm->n[m])
			fprintf(f, "%s %s %lu", m ? "," : "", method_names[m], pm->n[m]);
	fputc('\n', f);
}

/* The gateway opens state_db read-write and creates it if missing: an existing one must be a
 * store it can read and write, a missing one needs a writable folder. Read-only here. */
static void state_db(struct chk *k, json_t *root, const struct ctl_ns *ns)
{
	struct per_method pm = { .ns = ns };
	char path[PATH_MAX], dir[PATH_MAX], err[512], *slash;
	struct stat st;
	long n;

	if (ctl_path(k, root, "state_db", path))
		return;
	if (stat(path, &st)) {
		snprintf(dir, sizeof(dir), "%s", path);
		slash = strrchr(dir, '/');
		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else
			slash[slash == dir] = '\0'; /* "/x" -> "/" */
		if (errno != ENOENT || access(dir, W_OK | X_OK))
			return error(k, "%s: state_db: %s: missing, and its folder %s is not writable",
				     k->path, path, dir);
		fprintf(k->out, "  state_db: %s (created at start)\n", path);
		return;
	}
	if (!S_ISREG(st.st_mode) || access(path, R_OK | W_OK))
		return error(k, "%s: state_db: %s: not a regular file the gateway can read and "
			     "write", k->path, path);
	n = ctl_store_peek(path, count_rid, &pm, err, sizeof(err));
	if (n < 0)
		return error(k, "%s: state_db: %s", k->path, err);
	fprintf(k->out, "  state_db: %s (%ld contexts stored)\n", path, n);
	print_methods(k->out, "stored contexts per method", &pm);
	if (st.st_mode & 077)
		warn(k, "state_db", path, "readable by others (the gateway makes it 0600)");
}

/* Accepted configuration: warn about the files holding its Master Secrets that others can read. */
static void secrets_modes(struct chk *k, json_t *root, const struct ctl_config *c)
{
	json_t *f = json_object_get(root, "contexts_file");
	char path[PATH_MAX];

	if (json_array_size(json_object_get(root, "contexts")))
		secret_mode(k, k->path);
	if (json_is_string(f)) {
		rel_path(k, json_string_value(f), path);
		secret_mode(k, path);
	}
	if (c->ctl.libcoap[0])
		secret_mode(k, c->ctl.libcoap);
}

/* What the gateway refuses at start (dp_state_load): a configured context, method "direct",
 * whose Recipient ID lies outside that method's part of the ID space. */
static void configured_ns(struct chk *k, const struct ctl_config *c)
{
	unsigned i;

	for (i = 0; c->ctl.has_ns && i < c->n_ctx; i++)
		if (!ctl_ns_check(&c->ctl.ns, CTL_M_DIRECT, c->ctx[i].recipient_id,
				  c->ctx[i].recipient_id_len))
			error(k, "%s: contexts[%u]: recipient_id outside the \"direct\" namespace",
			      k->path, i);
}

/* Issue 10 item 10: each route of "upstreams", in the order requests are matched against them. */
static void describe_routes(FILE *f, const struct ctl_fwd_config *c)
{
	char a[INET6_ADDRSTRLEN];
	unsigned i, j;

	for (i = 0; i < c->n_routes; i++) {
		const struct ctl_fwd_route *r = &c->routes[i];

		fprintf(f, "  route %u: Uri-Path /", i);
		for (j = 0; j < r->n_segs; j++)
			fprintf(f, "%.*s%s", r->seg_len[j], r->seg[j], j + 1 < r->n_segs ? "/" : "");
		if (r->has_host)
			fprintf(f, "... and Uri-Host %.*s", r->host_len, r->host);
		else
			fprintf(f, "...");
		inet_ntop(r->ip.v6 ? AF_INET6 : AF_INET, r->ip.a, a, sizeof(a));
		fprintf(f, " -> %s%s%s:%u\n", r->ip.v6 ? "[" : "", a, r->ip.v6 ? "]" : "", r->udp);
	}
	if (c->n_routes)
		fprintf(f, "  route default: anything else -> the upstream above\n");
}

static void describe_ports(FILE *f, const struct ctl_config *c)
{
	char a4[INET_ADDRSTRLEN] = "", a6[INET6_ADDRSTRLEN] = "";

	if (c->has_ipv4)
		inet_ntop(AF_INET, c->ipv4, a4, sizeof(a4));
	if (c->has_ipv6)
		inet_ntop(AF_INET6, c->ipv6, a6, sizeof(a6));
	fprintf(f, "  port: %s (devices)%s%s, UDP %u on %s%s%s\n", c->port,
		c->ops.tx_port[0] ? ", answers leave on " : "", c->ops.tx_port, c->udp_port, a4,
		a4[0] && a6[0] ? " and " : "", a6);
	if (c->mode == CTL_MODE_RESPOND) {
		fprintf(f, "  mode: respond (the gateway answers every verified request), one worker "
			   "per lcore after the first, burst %u\n", c->burst);
		return;
	}
	inet_ntop(c->fwd.upstream.v6 ? AF_INET6 : AF_INET, c->fwd.upstream.a, a6, sizeof(a6));
	fprintf(f, "  mode: forward to %s%s%s:%u on port %s, one worker per lcore after the first, "
		   "worker w from UDP %u + w, %u exchanges each, timeout %u ms\n",
		c->fwd.upstream.v6 ? "[" : "", a6, c->fwd.upstream.v6 ? "]" : "", c->fwd.upstream_udp,
		c->fwd.up_port[0] ? c->fwd.up_port : c->port,
		c->fwd.src_port ? c->fwd.src_port : c->udp_port, c->fwd.exchanges, c->fwd.timeout_ms);
	describe_routes(f, &c->fwd);
}

/* Group sending (ctl_group_send.h): its port, and where each group's requests go. */
static void describe_group_send(FILE *f, const struct ctl_config *c)
{
	char a[INET6_ADDRSTRLEN];
	unsigned i;

	if (!c->group_send.enabled)
		return;
	fprintf(f, "  group_send: plain CoAP to /groups/NAME/... on UDP %u, answers collected "
		   "%u ms, %u at once\n", c->group_send.port, c->group_send.collect_ms,
		c->group_send.pending);
	for (i = 0; i < c->groups.n; i++) {
		const struct ctl_group_mcast *m = &c->groups.g[i].mcast;

		if (!m->set)
			continue;
		inet_ntop(m->v6 ? AF_INET6 : AF_INET, m->v6 ? m->addr : m->addr + 12, a, sizeof(a));
		fprintf(f, "    /groups/%s -> %s%s%s:%u%s\n", c->groups.g[i].name, m->v6 ? "[" : "",
			a, m->v6 ? "]" : "", m->port,
			c->groups.g[i].p.group_enc ? "" : " (no group mode: not sent to)");
	}
}

static void describe(struct chk *k, const struct ctl_config *c)
{
	const struct ctl_ctx_config *l = &c->ctl;
	struct per_method pm = { .ns = l->has_ns ? &l->ns : NULL };
	FILE *f = k->out;

	fprintf(f, "oscore-gw: %s: the gateway would run:\n", k->path);
	describe_ports(f, c);
	pm.n[CTL_M_DIRECT] = c->n_ctx; /* configured contexts are method "direct" */
	print_methods(f, "configured contexts per method", &pm);
	fprintf(f, "  max_contexts: %u (%u free for runtime adds), App. B.2 contexts: %u\n",
		l->max_contexts, l->max_contexts - c->n_ctx, c->n_b2);
	if (l->has_ns)
		fprintf(f, "  id_namespaces: direct %u, ace %u, edhoc %u rules\n",
			l->ns.n[CTL_M_DIRECT], l->ns.n[CTL_M_ACE], l->ns.n[CTL_M_EDHOC]);
	/* Without a store own Partial IVs (response_piv own, Observe notifications, App. B.1.2
	 * challenges, ACE's final 4.01) are safe by the clock floor (control/ctl_ssn.h), but a
	 * configured context comes back with an empty, trusted replay window: warned (README
	 * "Known gap: replay windows without state_db") */
	if (!l->state_db[0]) {
		fprintf(f, "  state_db: none (runtime contexts and replay windows do not survive a "
			   "restart; own Partial IVs stay unique by the wall-clock floor: about 1000 "
			   "a second per context, response Partial IV: %s)\n",
			l->own_piv ? "own" : "request's");
		fprintf(f, "  warning: without state_db a request accepted before a restart is "
			   "accepted again after it (README: replay windows without state_db)\n");
	} else
		fprintf(f, "  App. B.1.1: K_SSN %u, App. B.1.2: %s, response Partial IV: %s\n",
			l->k_ssn, l->b12 ? "on" : "off", l->own_piv ? "own" : "request's");
	describe_group_send(f, c);
	fprintf(f, "  metrics: %s%s%s\n", c->ops.metrics_listen[0] ? "http://" : "none",
		c->ops.metrics_listen, c->ops.metrics_listen[0] ? "/metrics" : "");
	if (c->ops.loadtest_replay)
		fprintf(k->err, "oscore-gw: warning: %s: loadtest_replay is on: NO REPLAY "
				"PROTECTION (load tests only)\n", k->path);
}

int dp_check_config(const char *path, FILE *out, FILE *err)
{
	static struct chk k;
	struct ctl_config c;
	const char *slash = strrchr(path, '/');
	json_error_t je;
	json_t *root;
	int ok;

	k = (struct chk){ .path = path, .out = out, .err = err,
			  .slash = slash ? (int)(slash - path) : -1 };
	snprintf(k.dir, sizeof(k.dir), "%.*s", slash ? (int)(slash - path) : 0, path);
	ok = ctl_config_load(&c, path, k.first, sizeof(k.first)) == 0;
	if (!ok) {
		fprintf(err, "oscore-gw: %s\n", k.first);
		k.errors++;
	} else {
		describe(&k, &c);
		configured_ns(&k, &c);
	}
	/* syntax errors were reported with their line; nothing more can be read then */
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (root && !ok) {
		top_level_errors(&k, root);
		all_contexts(&k, root);
		libcoap(&k, root);
	} else if (root) {
		secrets_modes(&k, root, &c);
	}
	if (root)
		state_db(&k, root, ok && c.ctl.has_ns ? &c.ctl.ns : NULL);
	json_decref(root);
	if (ok)
		ctl_config_free(&c);
	while (k.n_seen)
		free(k.seen[--k.n_seen]);
	if (k.errors)
		fprintf(err, "oscore-gw: %s: %u error(s); the gateway would refuse to start\n", path,
			k.errors);
	else
		fprintf(out, "oscore-gw: %s: OK\n", path);
	return k.errors ? 1 : 0;
}
