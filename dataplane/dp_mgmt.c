/* SPDX-License-Identifier: BSD-3-Clause */
/* Telemetry commands for contexts, executed by the main lcore (see dp_mgmt.h). */
#include "dataplane/dp_mgmt.h"
#include "dataplane/dp_telemetry.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <limits.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "control/ctl_ace_serve.h"
#include "control/ctl_config.h"
#include "dataplane/dp_ctl_ring.h"
#include "dataplane/dp_groups.h"
#include "oscore/osc_hex.h"

#define PAGE 32
#define ARG_MAX 1024
#define WAIT_S 600       /* a bulk load of 1M contexts takes seconds */
#define BUSY_RETRIES 1000

enum op { OP_ADD, OP_LOAD, OP_REMOVE, OP_LIST, OP_SHOW, OP_ACE_TOKENS, OP_ACE_REVOKE,
	  OP_GROUP_ADD, OP_GROUP_REKEY, OP_GROUP_REMOVE, OP_GROUP_LIST };

struct req {
	enum op op;
	char arg[ARG_MAX];
	/* answer */
	int rc;
	char msg[256];
	unsigned added, failed, count, next, n_info;
	double seconds;
	struct dp_ctx_info info[PAGE];
	struct ctl_ace_token_info tok[PAGE];
	unsigned n_tok;
	struct ctl_group_info grp[CTL_GROUPS_MAX];
	unsigned n_grp;
};

struct dp_mgmt {
	struct dp_state *s;
	struct dp_ctx_table *t;
	unsigned window;
	void (*reclaim)(void *);
	void *arg;
	struct ctl_ace_server *ace;
	struct dp_ctl *ctl;
	struct dp_stats *ctl_st;
	struct dp_groups *groups;
	pthread_mutex_t callers;  /* one request at a time */
	pthread_mutex_t lock;     /* pending, done, stopped */
	pthread_cond_t cv;
	struct req *pending;
	bool taken, done, stopped; /* taken: the main lcore works on pending */
};

static struct dp_mgmt *mg; /* for the telemetry callbacks, which take no argument */

static int hexbin(const char *s, size_t n, uint8_t *out, size_t cap, uint8_t *len)
{
	int b = osc_hex_decode(s, n, out, cap);

	if (b < 0)
		return -1;
	*len = (uint8_t)b;
	return 0;
}

/* "KID[,KIDCTX]" in hex; "-" or "" is the empty kid. */
static int parse_ids(const char *a, uint8_t *kid, uint8_t *kid_len, uint8_t *ctx,
		     uint8_t *ctx_len, bool *has_ctx)
{
	const char *comma = strchr(a, ',');
	size_t n = comma ? (size_t)(comma - a) : strlen(a);

	if (n == 1 && a[0] == '-')
		n = 0;
	*has_ctx = comma != NULL;
	*ctx_len = 0;
	return hexbin(a, n, kid, OSC_ID_MAX, kid_len) ||
	       (comma && hexbin(comma + 1, strlen(comma + 1), ctx, OSC_ID_CTX_MAX, ctx_len)) ?
	       -1 : 0;
}

/* Add with BUSY handled: reclaim (the workers move on within microseconds) and retry. */
static int add_one(struct dp_mgmt *m, const struct osc_params *p, char *err, size_t len)
{
	int rc, tries = 0;

	while ((rc = dp_state_add(m->s, p, err, len)) == DP_CTX_ADD_BUSY && tries++ < BUSY_RETRIES) {
		m->reclaim(m->arg);
		rte_delay_us_sleep(50);
	}
	return rc;
}

/* A loaded file's error without what the file said: an object key of a file the gateway was
 * pointed at may be anything in it ("context: contexts[0].KEY: reason" -> "reason"). */
static const char *reason_of(const char *err, bool from_file)
{
	const char *c = from_file ? strrchr(err, ':') : NULL;

	return c && c[1] == ' ' ? c + 2 : err;
}

static void add_json(struct dp_mgmt *m, json_t *v, struct req *r, bool from_file)
{
	struct osc_params p;
	char err[200];
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;

	for (i = 0; i < n; i++) {
		json_t *o = json_is_array(v) ? json_array_get(v, i) : v;

		if (ctl_config_parse_context(o, m->window, &p, err, sizeof(err)) ||
		    add_one(m, &p, err, sizeof(err))) {
			if (!r->failed++)
				snprintf(r->msg, sizeof(r->msg), "[%zu] %s", i,
					 reason_of(err, from_file));
		} else {
			r->added++;
		}
		if ((i & 1023) == 1023)
			m->reclaim(m->arg); /* a bulk load keeps the control ring served */
	}
	explicit_bzero(&p, sizeof(p));
}

/* /oscore/ctx/load reads only files below the configuration's folder, with symlinks and ".."
 * resolved first (a relative path is taken from that folder): the telemetry socket must not read
 * whatever the gateway can. Whether an outside file exists is not told either. */
static int confine(const char *dir, const char *arg, char *path)
{
	char joined[2 * PATH_MAX];
	size_t n = strlen(dir);

	if (!dir[0] || !arg[0])
		return -1;
	snprintf(joined, sizeof(joined), "%s%s%s", arg[0] == '/' ? "" : dir,
		 arg[0] == '/' ? "" : "/", arg);
	if (strlen(joined) >= PATH_MAX || !realpath(joined, path))
		return -1;
	return !strcmp(dir, "/") || (!strncmp(path, dir, n) && path[n] == '/') ? 0 : -1;
}

/* The file at path parsed from memory: jansson's json_load_file reads it one locked getc at a
 * time, which was a quarter of a 1M-context bulk load. Errors never quote the file. */
static json_t *load_file(const char *dir, const char *arg, char *msg, size_t cap)
{
	char path[PATH_MAX];
	json_error_t je;
	FILE *f = NULL;
	char *buf = NULL;
	long n = -1;
	json_t *v = NULL;

	if (confine(dir, arg, path)) {
		snprintf(msg, cap, "not a file below %.150s (the configuration's folder)", dir);
		return NULL;
	}
	f = fopen(path, "rb");
	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		v = json_loadb(buf, (size_t)n, 0, &je);
		if (!v)
			snprintf(msg, cap, "line %d: not valid JSON", je.line);
	} else {
		snprintf(msg, cap, "%.150s: %.50s", path, strerror(errno));
	}
	if (f)
		fclose(f);
	free(buf);
	return v;
}

static void do_add(struct dp_mgmt *m, struct req *r, bool from_file)
{
	json_error_t je = { .line = 0 };
	json_t *v = from_file ? load_file(dp_state_config(m->s)->load_dir, r->arg, r->msg,
					  sizeof(r->msg)) :
				json_loads(r->arg, 0, &je);
	uint64_t t0;

	if (!v || (!json_is_object(v) && !json_is_array(v))) {
		r->rc = -1;
		if (v || !from_file)
			snprintf(r->msg, sizeof(r->msg), "line %d: %s", v ? 0 : je.line,
				 v ? "expected a context object or an array" : je.text);
		json_decref(v);
		return;
	}
	t0 = rte_get_tsc_cycles();
	add_json(m, v, r, from_file);
	r->seconds = (double)(rte_get_tsc_cycles() - t0) / (double)rte_get_tsc_hz();
	r->rc = r->failed ? -1 : 0;
	json_decref(v); /* jansson does not wipe: the parsed secrets leave with the heap */
}

static void do_remove(struct dp_mgmt *m, struct req *r)
{
	uint8_t kid[OSC_ID_MAX], ctx[OSC_ID_CTX_MAX], kl, cl;
	bool has;
	int rc = -3, tries = 0;

	if (!parse_ids(r->arg, kid, &kl, ctx, &cl, &has))
		while ((rc = dp_state_remove(m->s, kid, kl, ctx, cl, has)) == -2 &&
		       tries++ < BUSY_RETRIES) {
			m->reclaim(m->arg);
			rte_delay_us_sleep(50);
		}
	r->rc = rc;
	snprintf(r->msg, sizeof(r->msg), "%s", rc == 0 ? "removed" : rc == -1 ?
		 "no such context" : rc == -2 ? "busy, retry" : "expected KID[,KIDCTX] in hex");
}

static void do_list(struct dp_mgmt *m, struct req *r)
{
	unsigned start = (unsigned)strtoul(r->arg, NULL, 10), slots = dp_ctx_table_slots(m->t), i;

	r->count = dp_ctx_table_count(m->t);
	for (i = start; i < slots && r->n_info < PAGE; i++)
		if (!dp_ctx_table_info(m->t, i, &r->info[r->n_info]))
			r->n_info++;
	r->next = i < slots ? i : 0;
}

static void do_show(struct dp_mgmt *m, struct req *r)
{
	uint8_t kid[OSC_ID_MAX], ctx[OSC_ID_CTX_MAX], kl, cl;
	unsigned slots = dp_ctx_table_slots(m->t), i;
	struct dp_ctx_info *ci;
	bool has;

	if (parse_ids(r->arg, kid, &kl, ctx, &cl, &has)) {
		r->rc = -1;
		snprintf(r->msg, sizeof(r->msg), "expected KID[,KIDCTX] in hex");
		return;
	}
	/* show is for one device: a scan of the slots is fine on the control lcore */
	for (i = 0; i < slots && r->n_info < PAGE; i++) {
		ci = &r->info[r->n_info];
		if (dp_ctx_table_info(m->t, i, ci) || ci->kid_len != kl || memcmp(ci->kid, kid, kl) ||
		    (has && (!ci->has_id_ctx || ci->id_ctx_len != cl || memcmp(ci->id_ctx, ctx, cl))))
			continue;
		r->n_info++;
	}
	r->rc = r->n_info ? 0 : -1;
	if (!r->n_info)
		snprintf(r->msg, sizeof(r->msg), "no such context");
}

void dp_mgmt_set_ace(struct dp_mgmt *m, struct ctl_ace_server *a, struct dp_ctl *ctl,
		     struct dp_stats *st)
{
	if (!m)
		return;
	m->ace = a;
	m->ctl = ctl;
	m->ctl_st = st;
}

static void do_ace_tokens(struct dp_mgmt *m, struct req *r)
{
	unsigned start = (unsigned)strtoul(r->arg, NULL, 10);

	r->n_tok = ctl_ace_server_tokens(m->ace, start, r->tok, PAGE, &r->count);
	r->next = start + r->n_tok < r->count ? start + r->n_tok : 0;
}

/* "ISSUER,ID" (the AS's configured name, the token's PoP key id in hex) */
static void do_ace_revoke(struct dp_mgmt *m, struct req *r)
{
	char *comma = strchr(r->arg, ',');
	uint8_t id[32], len;
	struct ctl_env env;

	r->rc = -1;
	if (!comma || hexbin(comma + 1, strlen(comma + 1), id, sizeof(id), &len)) {
		snprintf(r->msg, sizeof(r->msg), "expected ISSUER,ID (hex)");
		return;
	}
	*comma = '\0';
	dp_ctl_env(m->ctl, m->ctl_st, &env);
	r->rc = ctl_ace_server_revoke(m->ace, &env, r->arg, id, len);
	snprintf(r->msg, sizeof(r->msg), "%s", r->rc ? "no such token" : "revoked");
}

void dp_mgmt_set_groups(struct dp_mgmt *m, struct dp_groups *g)
{
	if (m)
		m->groups = g;
}

/* A group as JSON: inline (an object or array) or a file below the configuration's folder. */
static json_t *group_json(struct dp_mgmt *m, const char *arg, struct req *r)
{
	json_error_t je = { .line = 0 };
	json_t *v;

	if (arg[0] != '{' && arg[0] != '[')
		return load_file(dp_state_config(m->s)->load_dir, arg, r->msg, sizeof(r->msg));
	v = json_loads(arg, 0, &je);
	if (!v) /* jansson's text names what is wrong, never quotes the input */
		snprintf(r->msg, sizeof(r->msg), "line %d: %s", je.line, je.text);
	return v;
}

/* Retries a change that found the retired groups full (they free within microseconds). */
static int group_change(struct dp_mgmt *m, struct req *r, const uint8_t *gid, uint8_t len,
			json_t *v)
{
	int rc, tries = 0;

	do {
		if (tries)
			rte_delay_us_sleep(50);
		rc = v ? dp_groups_rekey(m->groups, gid, len, v, m->window, r->msg, sizeof(r->msg)) :
			 dp_groups_remove(m->groups, gid, len, r->msg, sizeof(r->msg));
	} while (rc == -2 && tries++ < BUSY_RETRIES);
	return rc;
}

/* group add JSON|FILE, group rekey GID,JSON|FILE, group remove GID */
static void do_group(struct dp_mgmt *m, struct req *r)
{
	char *comma = strchr(r->arg, ',');
	uint8_t gid[OSC_ID_CTX_MAX], len = 0;
	json_t *v = NULL;

	r->rc = -1;
	if (r->op == OP_GROUP_ADD) {
		if ((v = group_json(m, r->arg, r)))
			r->rc = dp_groups_add(m->groups, v, m->window, r->msg, sizeof(r->msg));
		json_decref(v); /* jansson does not wipe: the parsed secrets leave with the heap */
		return;
	}
	if (r->op == OP_GROUP_REKEY && !comma) {
		snprintf(r->msg, sizeof(r->msg), "expected GID,JSON or GID,FILE");
		return;
	}
	if (hexbin(r->arg, comma ? (size_t)(comma - r->arg) : strlen(r->arg), gid, sizeof(gid),
		   &len)) {
		snprintf(r->msg, sizeof(r->msg), "expected a gid in hex");
		return;
	}
	if (r->op == OP_GROUP_REKEY && !(v = group_json(m, comma + 1, r)))
		return;
	r->rc = group_change(m, r, gid, len, v);
	json_decref(v);
}

static void execute(struct dp_mgmt *m, struct req *r)
{
	if (r->op >= OP_GROUP_ADD && !m->groups) {
		r->rc = -1;
		snprintf(r->msg, sizeof(r->msg), "groups need a worker lcore");
		return;
	}

	if ((r->op == OP_ACE_TOKENS || r->op == OP_ACE_REVOKE) && (!m->ace || !m->ctl)) {
		r->rc = -1;
		snprintf(r->msg, sizeof(r->msg), "ACE not configured");
		return;
	}
	switch (r->op) {
	case OP_ADD: do_add(m, r, false); break;
	case OP_LOAD: do_add(m, r, true); break;
	case OP_REMOVE: do_remove(m, r); break;
	case OP_LIST: do_list(m, r); break;
	case OP_SHOW: do_show(m, r); break;
	case OP_ACE_TOKENS: do_ace_tokens(m, r); break;
	case OP_ACE_REVOKE: do_ace_revoke(m, r); break;
	case OP_GROUP_ADD:
	case OP_GROUP_REKEY:
	case OP_GROUP_REMOVE: do_group(m, r); break;
	case OP_GROUP_LIST:
		r->n_grp = ctl_groups_info(dp_groups_set(m->groups), r->grp, CTL_GROUPS_MAX);
		break;
	}
}

bool dp_mgmt_poll(struct dp_mgmt *m)
{
	struct req *r;

	if (!m || pthread_mutex_trylock(&m->lock))
		return false;
	r = m->done || m->taken ? NULL : m->pending;
	m->taken = r != NULL;
	pthread_mutex_unlock(&m->lock);
	if (!r)
		return false;
	execute(m, r);
	pthread_mutex_lock(&m->lock);
	m->done = true;
	m->taken = false;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->lock);
	return true;
}

/* Telemetry thread: post r and wait for the main lcore. Returns 0, or -1 (stopped, timeout). */
static int call(struct req *r)
{
	struct dp_mgmt *m = __atomic_load_n(&mg, __ATOMIC_ACQUIRE);
	struct timespec until;
	int rc = 0;

	if (!m)
		return -1;
	pthread_mutex_lock(&m->callers);
	pthread_mutex_lock(&m->lock);
	m->pending = r;
	m->done = false;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_S;
	while (!m->done && ((!m->stopped && rc != ETIMEDOUT) || m->taken)) /* r is in use */
		rc = m->taken ? pthread_cond_wait(&m->cv, &m->lock) :
				pthread_cond_timedwait(&m->cv, &m->lock, &until);
	rc = m->done ? 0 : -1;
	m->pending = NULL;
	m->done = false;
	pthread_mutex_unlock(&m->lock);
	pthread_mutex_unlock(&m->callers);
	return rc;
}


/* One token: issuer, scope, expiry, its PoP key id and the context it made; never keys. */
static struct rte_tel_data *token_dict(const struct ctl_ace_token_info *t)
{
	struct rte_tel_data *c = rte_tel_data_alloc();
	char id[2 * sizeof(t->id) + 1];
	unsigned i;

	if (!c)
		return NULL;
	for (i = 0; i < t->id_len; i++)
		snprintf(id + 2 * i, 3, "%02x", t->id[i]);
	id[2 * t->id_len] = '\0';
	rte_tel_data_start_dict(c);
	rte_tel_data_add_dict_string(c, "issuer", t->issuer);
	rte_tel_data_add_dict_string(c, "scope", t->scope);
	rte_tel_data_add_dict_int(c, "expires", (int)t->expires);
	rte_tel_data_add_dict_string(c, "id", id);
	rte_tel_data_add_dict_u64(c, "slot", t->ctx.slot);
	rte_tel_data_add_dict_u64(c, "generation", t->ctx.gen);
	return c;
}

static void answer_tokens(const struct req *r, struct rte_tel_data *d)
{
	unsigned i;

	for (i = 0; i < r->n_tok; i++) {
		struct rte_tel_data *c = token_dict(&r->tok[i]);
		char name[16];

		snprintf(name, sizeof(name), "token%u", i);
		if (!c || rte_tel_data_add_dict_container(d, name, c, 0))
			rte_tel_data_free(c);
	}
}

static void answer_groups(const struct req *r, struct rte_tel_data *d)
{
	unsigned i;

	rte_tel_data_add_dict_u64(d, "count", r->n_grp);
	for (i = 0; i < r->n_grp; i++) {
		struct rte_tel_data *c = dp_telemetry_group_dict(&r->grp[i]);
		char name[16];

		snprintf(name, sizeof(name), "group%u", i);
		if (!c || rte_tel_data_add_dict_container(d, name, c, 0))
			rte_tel_data_free(c);
	}
}

static void answer(const struct req *r, struct rte_tel_data *d)
{
	unsigned i;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "rc", r->rc);
	if (r->msg[0])
		rte_tel_data_add_dict_string(d, "msg", r->msg);
	if (r->op == OP_ADD || r->op == OP_LOAD) {
		rte_tel_data_add_dict_u64(d, "added", r->added);
		rte_tel_data_add_dict_u64(d, "failed", r->failed);
		rte_tel_data_add_dict_u64(d, "microseconds", (uint64_t)(r->seconds * 1e6));
	}
	if (r->op == OP_LIST || r->op == OP_ACE_TOKENS) {
		rte_tel_data_add_dict_u64(d, "count", r->count);
		rte_tel_data_add_dict_u64(d, "next", r->next);
	}
	if (r->op == OP_ACE_TOKENS)
		answer_tokens(r, d);
	if (r->op == OP_GROUP_LIST)
		answer_groups(r, d);
	if (r->op != OP_LIST && r->op != OP_SHOW)
		return;
	for (i = 0; i < r->n_info; i++) { /* telemetry nests dicts in dicts, not in arrays */
		struct rte_tel_data *c = dp_telemetry_ctx_dict(&r->info[i]);
		char name[16];

		snprintf(name, sizeof(name), "ctx%u", i);
		if (!c || rte_tel_data_add_dict_container(d, name, c, 0))
			rte_tel_data_free(c);
	}
}

static int command(enum op op, const char *params, struct rte_tel_data *d)
{
	struct req *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -1;
	r->op = op;
	snprintf(r->arg, sizeof(r->arg), "%s", params ? params : "");
	rc = call(r);
	if (rc)
		rte_tel_data_string(d, "control loop not running");
	else
		answer(r, d);
	explicit_bzero(r, sizeof(*r)); /* arg may hold a Master Secret (add) */
	free(r);
	return 0;
}

static int cmd_add(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_ADD, p, d);
}

static int cmd_load(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_LOAD, p, d);
}

static int cmd_remove(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_REMOVE, p, d);
}

static int cmd_list(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_LIST, p, d);
}

static int cmd_show(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_SHOW, p, d);
}

static int cmd_ace_tokens(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_ACE_TOKENS, p, d);
}

static int cmd_ace_revoke(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_ACE_REVOKE, p, d);
}

static int cmd_group_add(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_GROUP_ADD, p, d);
}

static int cmd_group_rekey(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_GROUP_REKEY, p, d);
}

static int cmd_group_remove(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_GROUP_REMOVE, p, d);
}

static int cmd_group_list(const char *c, const char *p, struct rte_tel_data *d)
{
	(void)c;
	return command(OP_GROUP_LIST, p, d);
}

static int register_group_cmds(void)
{
	return rte_telemetry_register_cmd("/oscore/group/add", cmd_group_add,
					  "Join a Group OSCORE group. Parameter: a group JSON object, "
					  "or a file below the configuration's folder") ||
	       rte_telemetry_register_cmd("/oscore/group/rekey", cmd_group_rekey,
					  "New keying material and Gid for a group. Parameters: gid hex,JSON object or file") ||
	       rte_telemetry_register_cmd("/oscore/group/remove", cmd_group_remove,
					  "Leave a group. Parameter: gid hex") ||
	       rte_telemetry_register_cmd("/oscore/group/list", cmd_group_list,
					  "The groups (no keys)");
}

static int register_cmds(void)
{
	return rte_telemetry_register_cmd("/oscore/ctx/add", cmd_add,
					  "Add contexts. Parameter: a context JSON object or array") ||
	       rte_telemetry_register_cmd("/oscore/ctx/load", cmd_load,
					  "Add the contexts of a JSON array file below the configuration's folder. Parameter: path") ||
	       rte_telemetry_register_cmd("/oscore/ctx/remove", cmd_remove,
					  "Remove a context. Parameters: kid hex[,kid context hex]") ||
	       rte_telemetry_register_cmd("/oscore/ctx/list", cmd_list,
					  "32 contexts (no keys) from a slot. Parameter: slot") ||
	       rte_telemetry_register_cmd("/oscore/ctx/show", cmd_show,
					  "Contexts of a kid (no keys). Parameters: kid[,kid ctx]") ||
	       rte_telemetry_register_cmd("/oscore/ace/tokens", cmd_ace_tokens,
					  "32 ACE tokens (no keys) from an index. Parameter: index") ||
	       rte_telemetry_register_cmd("/oscore/ace/revoke", cmd_ace_revoke,
					  "Revoke an ACE token, its context removed. Parameters: issuer,id hex");
}

struct dp_mgmt *dp_mgmt_start(struct dp_state *s, struct dp_ctx_table *t, unsigned window,
			      void (*reclaim)(void *), void *arg)
{
	struct dp_mgmt *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	*m = (struct dp_mgmt){ .s = s, .t = t, .window = window, .reclaim = reclaim, .arg = arg };
	pthread_mutex_init(&m->callers, NULL);
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cv, NULL);
	mg = m;
	if (register_cmds() || register_group_cmds())
		fprintf(stderr, "oscore-gw: context commands not registered\n");
	return m;
}

void dp_mgmt_stop(struct dp_mgmt *m)
{
	if (!m)
		return;
	__atomic_store_n(&mg, NULL, __ATOMIC_RELEASE);
	pthread_mutex_lock(&m->lock);
	m->stopped = true;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->lock);
	/* a caller may still be inside call(): wait for it, then nobody can reach m */
	pthread_mutex_lock(&m->callers);
	pthread_mutex_unlock(&m->callers);
	pthread_mutex_destroy(&m->callers);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cv);
	free(m);
}
