/* SPDX-License-Identifier: BSD-3-Clause */
/* The control plane's handler registry and answer helpers (see ctl_plane.h). */
#include "control/ctl_plane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct by_kind {
	ctl_handler_fn fn;
	void *arg;
};

struct by_path {
	char path[CTL_PLANE_PATH_LEN];
	size_t len;
	unsigned flags;
	ctl_handler_fn fn;           /* NULL: 4.04 */
	void *arg;
};

struct ctl_plane {
	struct by_kind kind[CTL_KIND__COUNT];
	struct by_path path[CTL_PLANE_PATHS];
	unsigned n_path;
	ctl_gate_fn gate;
	void *gate_arg;
};

struct ctl_plane *ctl_plane_new(void)
{
	return calloc(1, sizeof(struct ctl_plane));
}

void ctl_plane_free(struct ctl_plane *p)
{
	free(p);
}

int ctl_plane_on_kind(struct ctl_plane *p, enum ctl_kind kind, ctl_handler_fn fn, void *arg)
{
	if ((unsigned)kind >= CTL_KIND__COUNT || kind == CTL_KIND_PLAIN ||
	    kind == CTL_KIND_PROTECTED || !fn || p->kind[kind].fn)
		return -1;
	p->kind[kind] = (struct by_kind){ .fn = fn, .arg = arg };
	return 0;
}

int ctl_plane_on_gate(struct ctl_plane *p, ctl_gate_fn fn, void *arg)
{
	p->gate = fn;
	p->gate_arg = arg;
	return 0;
}

int ctl_plane_on_path(struct ctl_plane *p, const char *path, unsigned flags, ctl_handler_fn fn,
		      void *arg)
{
	size_t n = strlen(path);
	struct by_path *b;

	unsigned i;

	if (path[0] != '/' || n >= CTL_PLANE_PATH_LEN ||
	    !(flags & (CTL_PATH_PLAIN | CTL_PATH_PROTECTED)))
		return -1;
	for (i = 0; i < p->n_path && strcmp(p->path[i].path, path); i++)
		;
	if (i == CTL_PLANE_PATHS)
		return -1;
	b = &p->path[i];
	p->n_path += i == p->n_path;
	memcpy(b->path, path, n + 1);
	b->len = n > 1 && path[n - 1] == '/' ? n - 1 : n; /* "/a/" serves like "/a" */
	b->flags = flags;
	b->fn = fn;
	b->arg = arg;
	return 0;
}

/* "/seg1/seg2" from m's Uri-Path options (RFC 7252 §6.5); "/" for none. Returns -1 if too long
 * or if a segment holds a '/' (it would then read as two segments). */
static int uri_path(const struct osc_coap_msg *m, char *out, size_t cap)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < m->n_opts; i++) {
		const struct osc_coap_opt *o = &m->opts[i];

		if (o->num != COAP_OPT_URI_PATH)
			continue;
		if (n + 1 + o->len >= cap || memchr(o->val, '/', o->len))
			return -1;
		out[n++] = '/';
		memcpy(out + n, o->val, o->len);
		n += o->len;
	}
	if (!n)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

static bool path_matches(const struct by_path *b, const char *path)
{
	if (strncmp(path, b->path, b->len))
		return false;
	if (path[b->len] == '\0')
		return true;
	return (b->flags & CTL_PATH_PREFIX) && (path[b->len] == '/' || b->len == 1);
}

/* The registration serving m's path for kind (PLAIN or PROTECTED), or NULL. */
static const struct by_path *find_path(const struct ctl_plane *p, enum ctl_kind kind,
				       const struct osc_coap_msg *m)
{
	unsigned want = kind == CTL_KIND_PLAIN ? CTL_PATH_PLAIN : CTL_PATH_PROTECTED, i;
	char path[CTL_PLANE_PATH_LEN];

	if (!p->n_path || uri_path(m, path, sizeof(path)))
		return NULL;
	for (i = 0; i < p->n_path; i++)
		if ((p->path[i].flags & want) && path_matches(&p->path[i], path))
			return &p->path[i];
	return NULL;
}

bool ctl_plane_serves(const struct ctl_plane *p, enum ctl_kind kind)
{
	unsigned want = kind == CTL_KIND_PLAIN ? CTL_PATH_PLAIN : CTL_PATH_PROTECTED, i;

	if (!p || (unsigned)kind >= CTL_KIND__COUNT)
		return false;
	if (kind != CTL_KIND_PLAIN && kind != CTL_KIND_PROTECTED)
		return p->kind[kind].fn != NULL;
	for (i = 0; i < p->n_path; i++)
		if (p->path[i].flags & want)
			return true;
	return false;
}

bool ctl_plane_wants(const struct ctl_plane *p, enum ctl_kind kind, const struct osc_coap_msg *m)
{
	if (!p || (unsigned)kind >= CTL_KIND__COUNT)
		return false;
	if (kind == CTL_KIND_PLAIN && (m->code >> 5 != 0 || !m->code))
		return false;
	if (kind == CTL_KIND_PLAIN || kind == CTL_KIND_PROTECTED)
		return find_path(p, kind, m) != NULL;
	return p->kind[kind].fn != NULL;
}

/* 4.04 for a path that goes to the control plane without a handler, in the request's form. */
static int not_found(struct ctl_env *env, const struct ctl_job *job, uint8_t *ans, size_t cap)
{
	struct osc_coap_msg m;

	ctl_env_count(env, CTL_C_NOT_FOUND);
	ctl_answer_init(env, job, &m, COAP_NOT_FOUND);
	if (job->kind == CTL_KIND_PROTECTED)
		return ctl_answer_protected(env, job, &m, 0, NULL, ans, cap);
	return ctl_answer_plain(&m, ans, cap);
}

int ctl_plane_serve(struct ctl_plane *p, struct ctl_env *env, struct ctl_job *job, uint8_t *ans,
		    size_t cap)
{
	const struct by_path *b;

	env->plane = p;
	if ((unsigned)job->kind >= CTL_KIND__COUNT ||
	    (job->plain_off && (job->kind != CTL_KIND_GROUP || job->plain_off > job->len)) ||
	    osc_coap_parse(&job->req, job->msg, job->plain_off ? job->plain_off : job->len) !=
		    OSC_COAP_OK)
		return -1;
	if (job->kind != CTL_KIND_PLAIN && job->kind != CTL_KIND_PROTECTED) {
		if (!p->kind[job->kind].fn)
			return -1;
		return p->kind[job->kind].fn(p->kind[job->kind].arg, env, job, ans, cap);
	}
	b = find_path(p, job->kind, &job->req);
	if (!b || !b->fn)
		return not_found(env, job, ans, cap);
	return b->fn(b->arg, env, job, ans, cap);
}

int ctl_plane_verified(struct ctl_env *env, const struct ctl_job *job, const uint8_t *plain,
		       size_t len, uint8_t *ans, size_t cap)
{
	struct ctl_plane *p = env->plane;
	struct ctl_job v = *job;
	const struct by_path *b;
	struct osc_coap_msg m;
	uint8_t code;

	if (!p)
		return CTL_PLANE_PASS;
	v.kind = CTL_KIND_PROTECTED;
	v.msg = plain;
	v.len = len;
	if (osc_coap_parse(&v.req, plain, len) != OSC_COAP_OK)
		return -1;
	/* the order of the worker's path: control paths first, then the scope (dp_worker.c) */
	b = find_path(p, CTL_KIND_PROTECTED, &v.req);
	if (b)
		return b->fn ? b->fn(b->arg, env, &v, ans, cap) : not_found(env, &v, ans, cap);
	code = p->gate ? p->gate(p->gate_arg, env, &v) : 0;
	if (!code)
		return CTL_PLANE_PASS;
	ctl_answer_init(env, &v, &m, code);
	return ctl_answer_protected(env, &v, &m, 0, NULL, ans, cap);
}

struct osc_ctx *ctl_env_ctx(struct ctl_env *env, const struct ctl_job *job)
{
	return job->ctx.gen ? env->ops->ctx_get(env->plat, job->ctx) : NULL;
}

void ctl_env_count(struct ctl_env *env, enum ctl_ctr c)
{
	if (env->ops->count)
		env->ops->count(env->plat, c);
}

void ctl_answer_init(struct ctl_env *env, const struct ctl_job *job, struct osc_coap_msg *m,
		     uint8_t code)
{
	osc_answer_header(m, &job->req, code, env->next_mid);
}

int ctl_answer_protected(struct ctl_env *env, const struct ctl_job *job, struct osc_coap_msg *m,
			 unsigned flags, bool *fell_back, uint8_t *ans, size_t cap)
{
	struct osc_ctx *c = ctl_env_ctx(env, job);
	int n;

	if (fell_back)
		*fell_back = false;
	if (!c)
		return -OSC_ERR_NO_CONTEXT;
	n = osc_answer_protect(env->e, c, &job->ex, m, ans, cap, flags, fell_back);
	return n ? n : -OSC_ERR_TOO_BIG;
}

int ctl_resume(struct ctl_env *env, const struct ctl_job *job, const uint8_t *plain, size_t len)
{
	if (!env->resume_buf || !job->ctx.gen || !len || len > CTL_MSG_MAX)
		return -1;
	memcpy(env->resume_buf, plain, len);
	env->resume_len = len;
	env->resume_ctx = job->ctx;
	env->resume_ex = job->ex;
	return 0;
}

int ctl_answer_plain(const struct osc_coap_msg *m, uint8_t *ans, size_t cap)
{
	int n = osc_coap_encode(ans, cap, m);

	return n < 0 ? -1 : n;
}

int ctl_answer_error(struct ctl_env *env, const struct ctl_job *job, uint8_t code,
		     const char *diag, uint8_t *ans, size_t cap)
{
	if (!code) /* §8.2 asks for silence */
		return 0;
	return osc_answer_error(&job->req, code, diag, env->next_mid, ans, cap);
}
