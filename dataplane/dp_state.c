/* SPDX-License-Identifier: BSD-3-Clause */
/* Control-plane context state: table, store, SSN write-ahead, namespaces (see dp_state.h). */
#define _GNU_SOURCE /* pthread_attr_setaffinity_np */
#include "dataplane/dp_state.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_hash.h>

#include "control/ctl_clock.h"
#include "control/ctl_group_serve.h"
#include "control/ctl_ssn.h"
#include "control/ctl_store.h"
#include "control/ctl_tomb.h"

#define NS_REFUSED (-100)
/* Clock floor (no store): slots a tick looks at. A full pass takes slots / FLOOR_SLOTS ticks
 * (1M contexts: about a second at one tick a millisecond); a context needs a visit only when it
 * used up its headroom, and each costs a read of one of its cache lines. */
#define FLOOR_SLOTS 1024

/* Both fingerprints of a context (ctl_tomb.h), by enum ctl_fp_kind. */
struct fps {
	uint8_t fp[2][CTL_FP_LEN];
};

struct dp_state {
	const struct ctl_ctx_config *cfg;
	struct dp_ctx_table *t;
	struct ctl_store *store;     /* NULL: no state database */
	struct ctl_ssn *ssn;         /* App. B.1.1 write-ahead, with a store */
	uint64_t floor_ms;           /* without one: the clock floor's start (ctl_ssn.h) */
	unsigned floor_next;         /* the ticker's next slot for ctl_ssn_floor_raise */
	struct ctl_tomb *tomb;       /* retired key material: never go back below it */
	struct rte_hash *live;       /* fingerprint -> slot of every context until it is retired */
	uint64_t *id;                /* store id per table slot (0 = none) */
	uint8_t *removed;            /* per slot: removed, awaiting retirement */
	unsigned cap;
	uint64_t next_id;
	/* The write-ahead ticker (App. B.1.1) runs on a thread of its own, so that nothing the
	 * control lcore does (a bulk add of a million contexts, a JSON parse, a retry loop) can hold
	 * it up. lock serialises it with the control lcore's store and tracker use; it is never
	 * taken by a worker. */
	pthread_mutex_t lock;
	pthread_t ticker;
	bool ticking;
	bool stop;               /* atomic */
	bool tick_waiting;       /* atomic: the ticker wants the lock; the control lcore yields */
	unsigned period_us;
	const struct ctl_groups *groups; /* Gids no added context may use as its ID Context */
};

/* The control lcore's side of the lock. A bulk add takes it thousands of times a second and a
 * mutex is not fair: the ticker could wait behind the whole add. So the control lcore lets a
 * waiting ticker go first. */
static void lock_ctl(struct dp_state *s)
{
	while (__atomic_load_n(&s->tick_waiting, __ATOMIC_ACQUIRE))
		sched_yield();
	pthread_mutex_lock(&s->lock);
}

static void retire(void *arg, struct osc_ctx *c);

/* Control lcore only (no concurrent readers): a plain rte_hash. Two keys per context; a removed
 * one keeps its keys until retired, and the table defers at most 256 removals: 1024 spare. */
static struct rte_hash *live_index(unsigned cap)
{
	static unsigned seq;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters p = {
		.entries = 2 * cap + 1024,
		.key_len = CTL_FP_LEN,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE,
	};

	snprintf(name, sizeof(name), "osc_fp_%u", seq++);
	p.name = name;
	return rte_hash_create(&p);
}

struct dp_state *dp_state_open(const struct ctl_ctx_config *c, struct dp_ctx_table *t, char *err,
			       size_t err_len)
{
	struct dp_state *s = calloc(1, sizeof(*s));

	if (s)
		pthread_mutex_init(&s->lock, NULL);
	if (!s || !(s->id = calloc(c->max_contexts, sizeof(*s->id))) ||
	    !(s->removed = calloc(c->max_contexts, 1)) || !(s->live = live_index(c->max_contexts))) {
		dp_state_close(s);
		snprintf(err, err_len, "out of memory");
		return NULL;
	}
	s->cfg = c;
	s->t = t;
	s->cap = c->max_contexts;
	s->next_id = 1;
	dp_ctx_table_set_retire(t, retire, s);
	if (c->state_db[0]) {
		s->store = ctl_store_open(c->state_db, err, err_len);
		if (!s->store) {
			dp_state_close(s);
			return NULL;
		}
		s->ssn = ctl_ssn_new(s->store, c->k_ssn);
	}
	/* before any context is added: no earlier process uses SSNs any more (ctl_ssn.h) */
	s->floor_ms = ctl_clock_ms();
	s->tomb = ctl_tomb_new(s->store);
	if ((s->store && !s->ssn) || !s->tomb) {
		snprintf(err, err_len, "%s: SSN tracker or retired keys: %s", c->state_db,
			 s->store ? ctl_store_errmsg(s->store) : "out of memory");
		dp_state_close(s);
		return NULL;
	}
	return s;
}

static void *ticker(void *arg)
{
	struct dp_state *s = arg;
	struct timespec ts = { .tv_nsec = (long)s->period_us * 1000 };

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		dp_state_tick(s);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int dp_state_start_ticker(struct dp_state *s, unsigned period_us)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_attr_t a;
	cpu_set_t cpus;
	int rc;

	if (s->ticking)
		return 0;
	s->period_us = period_us ? period_us : 1;
	__atomic_store_n(&s->stop, false, __ATOMIC_RELEASE);
	/* A thread inherits the main lcore's CPU, which a bulk add keeps busy: the ticker may run
	 * on any CPU (it sleeps almost all the time). */
	CPU_ZERO(&cpus);
	while (n-- > 0)
		CPU_SET((int)n, &cpus);
	pthread_attr_init(&a);
	pthread_attr_setaffinity_np(&a, sizeof(cpus), &cpus);
	rc = pthread_create(&s->ticker, &a, ticker, s);
	pthread_attr_destroy(&a);
	if (rc)
		return -1;
	s->ticking = true;
	return 0;
}

void dp_state_stop_ticker(struct dp_state *s)
{
	if (!s || !s->ticking)
		return;
	__atomic_store_n(&s->stop, true, __ATOMIC_RELEASE);
	pthread_join(s->ticker, NULL);
	s->ticking = false;
}

void dp_state_close(struct dp_state *s)
{
	if (!s)
		return;
	dp_state_stop_ticker(s);
	if (s->t)
		dp_ctx_table_set_retire(s->t, NULL, NULL); /* the table may outlive s */
	ctl_ssn_free(s->ssn);
	ctl_tomb_free(s->tomb);
	ctl_store_close(s->store);
	rte_hash_free(s->live);
	free(s->removed);
	free(s->id);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static bool ns_ok(const struct dp_state *s, enum ctl_method m, const struct osc_params *p)
{
	return !s->cfg->has_ns || ctl_ns_check(&s->cfg->ns, m, p->recipient_id, p->recipient_id_len);
}

static const char *const method_name[CTL_M__COUNT] = { "direct", "ace", "edhoc" };

/* What table add runs before publishing: duplicate refusal, resumption above retired material,
 * App. B.1.1 attach, App. B.1.2 unknown window. */
struct prep {
	struct dp_state *s;
	uint64_t id;
	bool restored;
	struct fps f;
};

/* A live context with one of c's sides refuses the add; one that was removed and awaits
 * retirement makes it wait (BUSY: the caller reclaims and retries), so that its final SSN and
 * replay top are known before the same material comes back. */
static int live_clash(struct dp_state *s, const struct fps *f)
{
	unsigned k;
	void *v;

	for (k = 0; k < 2; k++)
		if (rte_hash_lookup_data(s->live, f->fp[k], &v) >= 0)
			return s->removed[(uintptr_t)v] ? DP_CTX_ADD_BUSY :
			       k == CTL_FP_SENDER ? DP_CTX_ADD_DUP_SENDER : DP_CTX_ADD_DUP_RECIPIENT;
	return 0;
}

/* Material that was removed before resumes above where it was: its SSN above the old ceiling
 * (through the store's ceiling with a state database, so App. B.1.1 attach starts there), its
 * window unknown (App. B.1.2: the device proves freshness with Echo) or, with rfc8613_b_1_2 off
 * (tests only), above the old replay top. */
static int resume_retired(struct prep *pr, struct osc_ctx *c)
{
	struct dp_state *s = pr->s;
	uint64_t v;

	if (ctl_tomb_get(s->tomb, pr->f.fp[CTL_FP_SENDER], &v)) {
		if (s->store && ctl_store_reserve_ssn(s->store, pr->id, v) < 0)
			return -1;
		if (v > c->ssn)
			c->ssn = v;
	}
	if (ctl_tomb_get(s->tomb, pr->f.fp[CTL_FP_RECIPIENT], &v)) {
		if (s->cfg->b12)
			pr->restored = true;
		else if (v)
			osc_replay_reset_to(&c->replay, v - 1);
	}
	return 0;
}

static int prep(void *arg, struct osc_ctx *c)
{
	struct prep *pr = arg;
	int rc;

	if (c->sender_id_len == c->recipient_id_len &&
	    !memcmp(c->sender_id, c->recipient_id, c->sender_id_len))
		return DP_CTX_ADD_SAME_IDS; /* also for what a store or App. B.2 brings */
	if (ctl_fp_of(c, CTL_FP_RECIPIENT, pr->f.fp[CTL_FP_RECIPIENT]) ||
	    ctl_fp_of(c, CTL_FP_SENDER, pr->f.fp[CTL_FP_SENDER]))
		return DP_CTX_ADD_PREP;
	rc = live_clash(pr->s, &pr->f);
	if (rc)
		return rc;
	if (resume_retired(pr, c))
		return DP_CTX_ADD_PREP;
	/* every context comes in here: with a store App. B.1.1, else the clock floor (ctl_ssn.h) */
	if (!pr->s->ssn)
		ctl_ssn_floor_attach(c, pr->s->floor_ms, ctl_clock_ms());
	else if (ctl_ssn_attach(pr->s->ssn, pr->id, c))
		return DP_CTX_ADD_PREP;
	if (pr->restored && pr->s->cfg->b12)
		osc_replay_mark_unknown(&c->replay);
	return 0;
}

/* c is in the table: both of its sides are live until it is retired. */
static int index_live(struct dp_state *s, const struct fps *f, unsigned slot)
{
	if (rte_hash_add_key_data(s->live, f->fp[0], (void *)(uintptr_t)slot))
		return -1;
	if (!rte_hash_add_key_data(s->live, f->fp[1], (void *)(uintptr_t)slot))
		return 0;
	rte_hash_del_key(s->live, f->fp[0]);
	return -1;
}

static int to_table(struct dp_state *s, const struct osc_params *p, uint64_t id, bool restored,
		    char *err, size_t err_len)
{
	struct prep pr = { .s = s, .id = id, .restored = restored };
	struct osc_ctx *c;
	unsigned slot;
	int rc = dp_ctx_table_add(s->t, p, prep, &pr, &c, err, err_len);

	if (rc) {
		if (s->ssn)
			ctl_ssn_detach(s->ssn, id);
		return rc;
	}
	slot = dp_ctx_table_index(s->t, c);
	s->id[slot] = id;
	if (index_live(s, &pr.f, slot)) { /* the index is sized for the table: not expected */
		snprintf(err, err_len, "fingerprint index full");
		s->id[slot] = 0;
		dp_state_remove(s, c->recipient_id, c->recipient_id_len, c->id_ctx, c->id_ctx_len,
				c->has_id_ctx);
		return DP_CTX_ADD_HASH;
	}
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

static int load(struct dp_state *s, const struct osc_params *p, unsigned n, char *err,
		size_t err_len)
{
	struct restore r = { .s = s, .err = err, .err_len = err_len };
	char why[160];
	unsigned i;

	for (i = 0; i < n; i++)
		if (!ns_ok(s, CTL_M_DIRECT, &p[i]))
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

static int add(struct dp_state *s, enum ctl_method m, const struct osc_params *p, char *err,
	       size_t err_len)
{
	uint64_t id = 0;
	int rc;

	if (!ns_ok(s, m, p))
		return snprintf(err, err_len, "recipient_id outside the \"%s\" namespace",
				method_name[m]), NS_REFUSED;
	if (p->has_id_ctx && ctl_groups_by_gid(s->groups, p->id_ctx, p->id_ctx_len) >= 0)
		return snprintf(err, err_len, "id_context is the gid of a group"), NS_REFUSED;
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

/* What c has used so far, as tombstones: its SSN (with a store, at least the stored ceiling,
 * which bounds every SSN a worker may still take) and its replay top. */
static int bury(struct dp_state *s, struct osc_ctx *c, uint64_t ceiling)
{
	uint64_t ssn = __atomic_load_n(&c->ssn, __ATOMIC_ACQUIRE);
	struct fps f;

	if (ctl_fp_of(c, CTL_FP_RECIPIENT, f.fp[CTL_FP_RECIPIENT]) ||
	    ctl_fp_of(c, CTL_FP_SENDER, f.fp[CTL_FP_SENDER]))
		return -1;
	return ctl_tomb_put(s->tomb, f.fp[CTL_FP_SENDER], ssn > ceiling ? ssn : ceiling) ||
	       ctl_tomb_put(s->tomb, f.fp[CTL_FP_RECIPIENT],
			    __atomic_load_n(&c->replay.top, __ATOMIC_ACQUIRE)) ? -1 : 0;
}

/* The table's retire hook: no worker holds c any more, so its SSN and window are final. Runs in
 * dp_ctx_table_reclaim on the control lcore, outside the functions below: takes the lock. */
static void retire_locked(struct dp_state *s, struct osc_ctx *c)
{
	unsigned slot = dp_ctx_table_index(s->t, c), k;
	struct fps f;

	if (!s->removed[slot])
		return; /* never made live here (an add undone by the hash) */
	if (bury(s, c, 0))
		fprintf(stderr, "oscore-gw: state: cannot record a removed context's final SSN\n");
	for (k = 0; k < 2; k++)
		if (!ctl_fp_of(c, (enum ctl_fp_kind)k, f.fp[k]))
			rte_hash_del_key(s->live, f.fp[k]);
	s->removed[slot] = 0;
}

static void retire(void *arg, struct osc_ctx *c)
{
	struct dp_state *s = arg;

	lock_ctl(s);
	retire_locked(s, c);
	pthread_mutex_unlock(&s->lock);
}

/* With a store: the row goes and the tombstones come in one transaction, so that a crash leaves
 * either the context or what it used. */
static int store_remove(struct dp_state *s, struct osc_ctx *c, uint64_t id)
{
	uint64_t ceiling = 0;

	ctl_ssn_detach(s->ssn, id);
	if (ctl_store_get_ctx(s->store, id, NULL, &ceiling) < 0 || ctl_store_begin(s->store))
		return -1;
	if (bury(s, c, ceiling) || ctl_store_del_ctx(s->store, id)) {
		ctl_store_commit(s->store); /* keeps what was written: never fewer tombstones */
		return -1;
	}
	return ctl_store_commit(s->store);
}

static int remove_ctx(struct dp_state *s, const uint8_t *rid, uint8_t rid_len,
		      const uint8_t *id_ctx, uint8_t id_ctx_len, bool has_id_ctx)
{
	struct osc_ctx *c = dp_ctx_table_find(s->t, rid, rid_len, id_ctx, id_ctx_len, has_id_ctx);
	unsigned slot;
	int rc;

	if (!c)
		return -1;
	slot = dp_ctx_table_index(s->t, c);
	rc = dp_ctx_table_remove(s->t, rid, rid_len, id_ctx, id_ctx_len, has_id_ctx);
	if (rc)
		return rc;
	s->removed[slot] = 1; /* its fingerprints stay live until retire() */
	/* Unpublished now; workers may still finish requests with it, under the ssn_limit it has,
	 * which stays below the stored ceiling even though tracking ends here. */
	if (s->store ? store_remove(s, c, s->id[slot]) : bury(s, c, 0))
		fprintf(stderr, "oscore-gw: state: removed context not fully recorded: %s\n",
			s->store ? ctl_store_errmsg(s->store) : "out of memory");
	s->id[slot] = 0;
	return 0;
}

int dp_state_load(struct dp_state *s, const struct osc_params *p, unsigned n, char *err,
		  size_t err_len)
{
	int rc;

	lock_ctl(s);
	rc = load(s, p, n, err, err_len);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int dp_state_add(struct dp_state *s, const struct osc_params *p, char *err, size_t err_len)
{
	return dp_state_add_method(s, CTL_M_DIRECT, p, err, err_len);
}

int dp_state_add_method(struct dp_state *s, enum ctl_method m, const struct osc_params *p,
			char *err, size_t err_len)
{
	int rc;

	if ((unsigned)m >= CTL_M__COUNT)
		return snprintf(err, err_len, "unknown method"), NS_REFUSED;
	lock_ctl(s);
	rc = add(s, m, p, err, err_len);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int dp_state_remove(struct dp_state *s, const uint8_t *rid, uint8_t rid_len, const uint8_t *id_ctx,
		    uint8_t id_ctx_len, bool has_id_ctx)
{
	int rc;

	lock_ctl(s);
	rc = remove_ctx(s, rid, rid_len, id_ctx, id_ctx_len, has_id_ctx);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int dp_state_put_grant(struct dp_state *s, unsigned slot, const uint8_t *rec, size_t len)
{
	int rc;

	if (!s->store)
		return 0;
	if (slot >= s->cap || !s->id[slot])
		return -1;
	lock_ctl(s);
	rc = ctl_store_put_grant(s->store, s->id[slot], rec, len) ? -1 : 0;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

struct grant_walk {
	struct dp_state *s;
	dp_state_grant_fn fn;
	void *arg;
};

/* A stored record's context id to the slot it was restored into (start only: a scan). */
static int grant_one(void *arg, uint64_t id, const uint8_t *rec, size_t len)
{
	struct grant_walk *g = arg;
	unsigned slot;

	for (slot = 0; slot < g->s->cap; slot++)
		if (g->s->id[slot] == id)
			return g->fn(g->arg, slot, rec, len);
	return 0; /* its context is not in the table: nothing to restore */
}

int dp_state_foreach_grant(struct dp_state *s, dp_state_grant_fn fn, void *arg)
{
	struct grant_walk g = { .s = s, .fn = fn, .arg = arg };
	int rc;

	if (!s->store)
		return 0;
	lock_ctl(s);
	rc = ctl_store_foreach_grant(s->store, grant_one, &g);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static void floor_raise(void *arg, struct osc_ctx *c)
{
	ctl_ssn_floor_raise(c, *(const uint64_t *)arg);
}

int dp_state_tick(struct dp_state *s)
{
	uint64_t now;
	int rc;

	if (!s->ssn) { /* the clock floor: the table's own lock, never the state's */
		now = ctl_clock_ms();
		dp_ctx_table_visit(s->t, &s->floor_next, FLOOR_SLOTS, floor_raise, &now);
		return 0;
	}
	__atomic_store_n(&s->tick_waiting, true, __ATOMIC_RELEASE);
	pthread_mutex_lock(&s->lock);
	__atomic_store_n(&s->tick_waiting, false, __ATOMIC_RELEASE);
	rc = ctl_ssn_tick(s->ssn);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/* Not under the lock: the gauges are relaxed atomics, s->ssn never changes once open. */
int dp_state_ssn_gauges(const struct dp_state *s, struct ctl_ssn_gauges *out)
{
	if (!s || !s->ssn)
		return -1;
	ctl_ssn_gauges(s->ssn, out);
	return 0;
}

int dp_state_group_reserve(struct dp_state *s, const uint8_t fp[CTL_FP_LEN], uint64_t upto)
{
	int rc;

	lock_ctl(s);
	rc = ctl_tomb_put(s->tomb, fp, upto);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

bool dp_state_group_resume(struct dp_state *s, const uint8_t fp[CTL_FP_LEN], uint64_t *upto)
{
	bool seen;

	lock_ctl(s);
	seen = ctl_tomb_get(s->tomb, fp, upto);
	pthread_mutex_unlock(&s->lock);
	return seen;
}

void dp_state_set_groups(struct dp_state *s, const struct ctl_groups *gs)
{
	s->groups = gs;
}

const struct ctl_ctx_config *dp_state_config(const struct dp_state *s)
{
	return s->cfg;
}
