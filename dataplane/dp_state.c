/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-plane context state: table, store, SSN write-ahead, namespaces (see dp_state.h). */
#include "dataplane/dp_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_ssn.h"
#include "control/ctl_store.h"

#define NS_REFUSED (-100)

struct dp_state {
	const struct dp_ctl_config *cfg;
	struct dp_ctx_table *t;
	struct ctl_store *store;     /* NULL: no state database */
	struct ctl_ssn *ssn;
	uint64_t *id;                /* store id per table slot (0 = none) */
	unsigned cap;
	uint64_t next_id;
};

struct dp_state *dp_state_open(const struct dp_ctl_config *c, struct dp_ctx_table *t, char *err,
			       size_t err_len)
{
	struct dp_state *s = calloc(1, sizeof(*s));

	if (!s || !(s->id = calloc(c->max_contexts, sizeof(*s->id)))) {
		free(s);
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	s->cfg = c;
	s->t = t;
	s->cap = c->max_contexts;
	s->next_id = 1;
	if (!c->state_db[0])
		return s;
	s->store = ctl_store_open(c->state_db, err, err_len);
	if (s->store)
		s->ssn = ctl_ssn_new(s->store, c->k_ssn);
	if (!s->store || !s->ssn) {
		if (s->store)
			snprintf(err, err_len, "%s: SSN tracker: out of memory", c->state_db);
		dp_state_close(s);
		return NULL;
	}
	return s;
}

void dp_state_close(struct dp_state *s)
{
	if (!s)
		return;
	ctl_ssn_free(s->ssn);
	ctl_store_close(s->store);
	free(s->id);
	free(s);
}

static bool ns_ok(const struct dp_state *s, const struct osc_params *p)
{
	return !s->cfg->has_ns ||
	       ctl_ns_check(&s->cfg->ns, CTL_M_DIRECT, p->recipient_id, p->recipient_id_len);
}

/* What table add runs before publishing: App. B.1.1 attach, App. B.1.2 unknown window. */
struct prep {
	struct dp_state *s;
	uint64_t id;
	bool restored;
};

static int prep(void *arg, struct osc_ctx *c)
{
	struct prep *pr = arg;

	if (pr->s->ssn && ctl_ssn_attach(pr->s->ssn, pr->id, c))
		return -1;
	if (pr->restored && pr->s->cfg->b12)
		osc_replay_mark_unknown(&c->replay);
	return 0;
}

static int to_table(struct dp_state *s, const struct osc_params *p, uint64_t id, bool restored,
		    char *err, size_t err_len)
{
	struct prep pr = { .s = s, .id = id, .restored = restored };
	struct osc_ctx *c;
	int rc = dp_ctx_table_add(s->t, p, prep, &pr, &c, err, err_len);

	if (rc) {
		if (s->ssn)
			ctl_ssn_detach(s->ssn, id);
		return rc;
	}
	s->id[dp_ctx_table_index(s->t, c)] = id;
	return 0;
}

static bool same_params(const struct osc_params *a, const struct osc_params *b)
{
	return a->alg == b->alg && a->hkdf == b->hkdf && a->replay_window == b->replay_window &&
	       a->secret_len == b->secret_len && !memcmp(a->secret, b->secret, a->secret_len) &&
	       a->salt_len == b->salt_len && !memcmp(a->salt, b->salt, a->salt_len) &&
	       a->has_id_ctx == b->has_id_ctx && a->id_ctx_len == b->id_ctx_len &&
	       !memcmp(a->id_ctx, b->id_ctx, a->id_ctx_len) &&
	       a->sender_id_len == b->sender_id_len &&
	       !memcmp(a->sender_id, b->sender_id, a->sender_id_len) &&
	       a->recipient_id_len == b->recipient_id_len &&
	       !memcmp(a->recipient_id, b->recipient_id, a->recipient_id_len);
}

/* Walk state for dp_state_load: which configured contexts are stored already. */
struct match {
	const struct osc_params *p;
	unsigned n;
	bool *stored;
	uint64_t max_id;
};

static int match_one(void *arg, uint64_t id, const struct osc_params *p, uint64_t ceiling)
{
	struct match *m = arg;
	unsigned i;

	(void)ceiling;
	if (id > m->max_id)
		m->max_id = id;
	for (i = 0; i < m->n; i++)
		if (!m->stored[i] && same_params(&m->p[i], p)) {
			m->stored[i] = true;
			break;
		}
	return 0;
}

/* Walk state: every stored context into the table. */
struct restore {
	struct dp_state *s;
	char *err;
	size_t err_len;
};

static int restore_one(void *arg, uint64_t id, const struct osc_params *p, uint64_t ceiling)
{
	struct restore *r = arg;
	char why[160];

	if (!to_table(r->s, p, id, ceiling > 0, why, sizeof(why)))
		return 0;
	snprintf(r->err, r->err_len, "%s: stored context %llu: %s", r->s->cfg->state_db,
		 (unsigned long long)id, why);
	return 1;
}

static int store_config(struct dp_state *s, const struct osc_params *p, unsigned n, char *err,
			size_t err_len)
{
	struct match m = { .p = p, .n = n, .stored = calloc(n ? n : 1, sizeof(bool)) };
	unsigned i;
	int rc = m.stored ? ctl_store_foreach(s->store, match_one, &m) : -1;

	s->next_id = m.max_id + 1;
	for (i = 0; !rc && i < n; i++)
		if (!m.stored[i] && ctl_store_put_ctx(s->store, s->next_id++, &p[i]))
			rc = -1;
	free(m.stored);
	if (rc)
		snprintf(err, err_len, "%s: %s", s->cfg->state_db, ctl_store_errmsg(s->store));
	return rc;
}

int dp_state_load(struct dp_state *s, const struct osc_params *p, unsigned n, char *err,
		  size_t err_len)
{
	struct restore r = { .s = s, .err = err, .err_len = err_len };
	char why[160];
	unsigned i;

	for (i = 0; i < n; i++)
		if (!ns_ok(s, &p[i]))
			return snprintf(err, err_len, "contexts[%u]: recipient_id outside the "
					"\"direct\" namespace", i), -1;
	if (!s->store) {
		for (i = 0; i < n; i++)
			if (to_table(s, &p[i], 0, false, why, sizeof(why)))
				return snprintf(err, err_len, "contexts[%u]: %s", i, why), -1;
		return 0;
	}
	if (store_config(s, p, n, err, err_len))
		return -1;
	return ctl_store_foreach(s->store, restore_one, &r) ? -1 : 0;
}

int dp_state_add(struct dp_state *s, const struct osc_params *p, char *err, size_t err_len)
{
	uint64_t id = 0;
	int rc;

	if (!ns_ok(s, p))
		return snprintf(err, err_len, "recipient_id outside the \"direct\" namespace"),
		       NS_REFUSED;
	if (s->store) {
		id = s->next_id++;
		if (ctl_store_put_ctx(s->store, id, p))
			return snprintf(err, err_len, "state: %s", ctl_store_errmsg(s->store)),
			       NS_REFUSED;
	}
	rc = to_table(s, p, id, false, err, err_len);
	if (rc && s->store)
		ctl_store_del_ctx(s->store, id);
	return rc;
}

int dp_state_remove(struct dp_state *s, const uint8_t *rid, uint8_t rid_len, const uint8_t *id_ctx,
		    uint8_t id_ctx_len, bool has_id_ctx)
{
	struct osc_ctx *c = dp_ctx_table_find(s->t, rid, rid_len, id_ctx, id_ctx_len, has_id_ctx);
	unsigned slot;
	int rc;

	if (!c)
		return -1;
	slot = dp_ctx_table_index(s->t, c);
	rc = dp_ctx_table_remove(s->t, rid, rid_len, id_ctx, id_ctx_len, has_id_ctx);
	if (rc || !s->store)
		return rc;
	/* Unpublished now; workers may still finish requests with it, under the ssn_limit it has,
	 * which stays below the stored ceiling even though tracking ends here. */
	ctl_ssn_detach(s->ssn, s->id[slot]);
	ctl_store_del_ctx(s->store, s->id[slot]);
	s->id[slot] = 0;
	return 0;
}

int dp_state_tick(struct dp_state *s)
{
	return s->ssn ? ctl_ssn_tick(s->ssn) : 0;
}

int dp_state_ssn_gauges(const struct dp_state *s, struct ctl_ssn_gauges *out)
{
	if (!s || !s->ssn)
		return -1;
	ctl_ssn_gauges(s->ssn, out);
	return 0;
}
