/* SPDX-License-Identifier: BSD-3-Clause */
/* Context table over rte_hash, lock-free for readers (see dp_ctx_table.h). */
#include "dataplane/dp_ctx_table.h"

#include <stdio.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "oscore/osc_context.h"

struct dp_ctx_table {
	struct rte_hash *h;
	struct osc_ctx *ctx;         /* n derived contexts; they never move (keys inside) */
	struct dp_ctx_cands *cands;  /* at most 2n candidate lists, values of the hash */
	unsigned n, n_cands;
};

void dp_ctx_key_of(struct dp_ctx_key *k, const struct osc_option *o)
{
	memset(k, 0, sizeof(*k));
	k->kid_len = o->kid_len;
	memcpy(k->kid, o->kid, o->kid_len <= OSC_ID_MAX ? o->kid_len : 0);
	if (o->has_kid_ctx && o->kid_ctx_len <= OSC_ID_CTX_MAX) {
		k->has_kid_ctx = 1;
		k->kid_ctx_len = o->kid_ctx_len;
		memcpy(k->kid_ctx, o->kid_ctx, o->kid_ctx_len);
	}
}

static void key_of_ctx(struct dp_ctx_key *k, const struct osc_ctx *c, bool with_ctx)
{
	memset(k, 0, sizeof(*k));
	k->kid_len = c->recipient_id_len;
	memcpy(k->kid, c->recipient_id, c->recipient_id_len);
	if (with_ctx) {
		k->has_kid_ctx = 1;
		k->kid_ctx_len = c->id_ctx_len;
		memcpy(k->kid_ctx, c->id_ctx, c->id_ctx_len);
	}
}

/* Append c to the candidate list of k, creating the list on first use. */
static int add_key(struct dp_ctx_table *t, const struct dp_ctx_key *k, struct osc_ctx *c)
{
	struct dp_ctx_cands *l;
	void *v;

	if (rte_hash_lookup_data(t->h, k, &v) >= 0) {
		l = v;
		if (l->n == OSC_MAX_CANDIDATES)
			return -1;
		l->c[l->n++] = c;
		return 0;
	}
	l = &t->cands[t->n_cands++];
	l->c[l->n++] = c;
	return rte_hash_add_key_data(t->h, k, l) == 0 ? 0 : -1;
}

static int index_ctx(struct dp_ctx_table *t, struct osc_ctx *c, char *err, size_t err_len,
		     unsigned i)
{
	struct dp_ctx_key k;

	key_of_ctx(&k, c, false);
	if (add_key(t, &k, c))
		goto full;
	if (!c->has_id_ctx)
		return 0;
	key_of_ctx(&k, c, true);
	if (!add_key(t, &k, c))
		return 0;
full:
	snprintf(err, err_len, "contexts[%u]: more than %d contexts share its recipient_id",
		 i, OSC_MAX_CANDIDATES);
	return -1;
}

static struct rte_hash *make_hash(unsigned n, int socket)
{
	static unsigned seq;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.entries = n < 8 ? 16 : 2 * n,
		.key_len = sizeof(struct dp_ctx_key),
		.hash_func = rte_jhash,
		.socket_id = socket,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};

	snprintf(name, sizeof(name), "osc_ctx_%u", seq++);
	p.name = name;
	return rte_hash_create(&p);
}

struct dp_ctx_table *dp_ctx_table_new(const struct osc_params *params, unsigned n, int socket,
				      char *err, size_t err_len)
{
	struct dp_ctx_table *t = rte_zmalloc_socket("ctx_table", sizeof(*t), 0, socket);
	unsigned i;

	if (!t)
		goto nomem;
	t->ctx = rte_zmalloc_socket("osc_ctx", n * sizeof(*t->ctx), RTE_CACHE_LINE_SIZE, socket);
	t->cands = rte_zmalloc_socket("ctx_cands", 2 * n * sizeof(*t->cands), 0, socket);
	t->h = make_hash(2 * n, socket);
	if (!t->ctx || !t->cands || !t->h)
		goto nomem;
	for (i = 0; i < n; i++) {
		int rc = osc_ctx_derive(&t->ctx[i], &params[i]);

		if (rc != OSC_CTX_OK) {
			snprintf(err, err_len, "contexts[%u]: %s", i, osc_ctx_strerror(rc));
			goto fail;
		}
		t->n = i + 1;
		if (index_ctx(t, &t->ctx[i], err, err_len, i))
			goto fail;
	}
	return t;
nomem:
	snprintf(err, err_len, "context table: out of memory");
fail:
	dp_ctx_table_free(t);
	return NULL;
}

void dp_ctx_table_free(struct dp_ctx_table *t)
{
	unsigned i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		osc_ctx_wipe(&t->ctx[i]);
	rte_hash_free(t->h);
	rte_free(t->cands);
	rte_free(t->ctx);
	rte_free(t);
}

void dp_ctx_lookup_bulk(const struct dp_ctx_table *t, const struct dp_ctx_key **keys, unsigned n,
			const struct dp_ctx_cands **out)
{
	uint64_t hits = 0;
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	unsigned i;

	if (!n)
		return;
	rte_hash_lookup_bulk_data(t->h, (const void **)keys, n, &hits, data);
	for (i = 0; i < n; i++)
		out[i] = (hits >> i) & 1 ? data[i] : NULL;
}
