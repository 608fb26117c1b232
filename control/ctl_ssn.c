/* SPDX-License-Identifier: BSD-3-Clause */
/* App. B.1.1 Sender Sequence Number write-ahead, driven by the control lcore. */
#include "control/ctl_ssn.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct entry {
	uint64_t id;
	struct osc_ctx *ctx;
	uint64_t want;     /* ceiling being written in this tick; 0 = none */
	uint64_t last_ssn; /* SSN at the previous tick, for the context's rate */
	uint64_t step;     /* how far ahead the ceiling goes: K, or more for a busy context */
};

struct ctl_ssn {
	struct ctl_store *store;
	uint64_t k;
	struct entry *e;
	unsigned n, cap;
	struct ctl_ssn_gauges g; /* written by pick (relaxed atomics), read by any thread */
	uint64_t last_ns;  /* CLOCK_MONOTONIC of the previous tick */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct ctl_ssn *ctl_ssn_new(struct ctl_store *store, uint64_t k)
{
	struct ctl_ssn *t;

	if (k < 2 || !(t = calloc(1, sizeof(*t))))
		return NULL;
	t->store = store;
	t->k = k;
	return t;
}

void ctl_ssn_free(struct ctl_ssn *t)
{
	if (t)
		free(t->e);
	free(t);
}

static struct entry *find(struct ctl_ssn *t, uint64_t id)
{
	unsigned i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].id == id)
			return &t->e[i];
	return NULL;
}

static int grow(struct ctl_ssn *t)
{
	unsigned cap = t->cap ? t->cap * 2 : 16;
	struct entry *e;

	if (t->n < t->cap)
		return 0;
	e = realloc(t->e, cap * sizeof(*e));
	if (!e)
		return -1;
	t->e = e;
	t->cap = cap;
	return 0;
}

static uint64_t ceiling_after(uint64_t step, uint64_t ssn)
{
	return ssn + step > OSC_SSN_MAX + 1 ? OSC_SSN_MAX + 1 : ssn + step;
}

/* The write-ahead step of e: K, or the SSNs the context would use in CTL_SSN_HORIZON_MS at its
 * rate since the previous tick, whichever is more (bounded; a quieter context decays to K). A
 * tick that is late (the store busy, the CPU shared) then still finds room ahead of a busy
 * context; App. B.1.1 allows any step, a larger one only skips more SSNs after a crash. */
static uint64_t step_of(const struct ctl_ssn *t, struct entry *e, uint64_t ssn, uint64_t dt_ns)
{
	uint64_t used = ssn - e->last_ssn, want = t->k;

	e->last_ssn = ssn;
	if (dt_ns && used)
		want = used * (CTL_SSN_HORIZON_MS * 1000000u / (dt_ns < 1000 ? 1000 : dt_ns) + 1);
	if (want < t->k)
		want = t->k;
	if (want > t->k * CTL_SSN_STEP_MAX)
		want = t->k * CTL_SSN_STEP_MAX;
	/* a lull of a few ticks (the device descheduled) must not shrink the step just before the
	 * rate comes back and a tick is late: the excess decays by 1/256 a tick (~180 ms at 1 kHz) */
	return want > e->step ? want : e->step - (e->step - want) / 256;
}

int ctl_ssn_attach(struct ctl_ssn *t, uint64_t id, struct osc_ctx *c)
{
	uint64_t ceiling, next;
	int rc;

	rc = ctl_store_get_ctx(t->store, id, NULL, &ceiling);
	if (rc)
		return rc;
	/* Nothing usable until the next ceiling is durable. */
	__atomic_store_n(&c->ssn_limit, ceiling, __ATOMIC_RELEASE);
	__atomic_store_n(&c->ssn, ceiling, __ATOMIC_RELEASE);
	if (find(t, id) || grow(t))
		return -1;
	next = ceiling_after(t->k, ceiling);
	if (ctl_store_reserve_ssn(t->store, id, next))
		return -1;
	t->e[t->n++] = (struct entry){ .id = id, .ctx = c, .last_ssn = ceiling, .step = t->k };
	__atomic_store_n(&c->ssn_limit, next, __ATOMIC_RELEASE);
	return 0;
}

int ctl_ssn_detach(struct ctl_ssn *t, uint64_t id)
{
	struct entry *e = find(t, id);

	if (!e)
		return 1;
	*e = t->e[--t->n];
	return 0;
}

static void gauge_min(uint64_t *m, uint64_t v)
{
	if (v < *m)
		*m = v;
}

/* Pick the contexts whose SSN came within half a step of the ceiling; their new ceiling into
 * want. */
static unsigned pick(struct ctl_ssn *t)
{
	uint64_t now = now_ns(), dt = t->last_ns ? now - t->last_ns : 0;
	uint64_t head = UINT64_MAX, left = UINT64_MAX;
	unsigned i, n = 0;

	t->last_ns = now;
	for (i = 0; i < t->n; i++) {
		struct entry *e = &t->e[i];
		uint64_t ssn = __atomic_load_n(&e->ctx->ssn, __ATOMIC_RELAXED);
		uint64_t limit = __atomic_load_n(&e->ctx->ssn_limit, __ATOMIC_RELAXED);

		gauge_min(&head, limit > ssn ? limit - ssn : 0);
		gauge_min(&left, ssn <= OSC_SSN_MAX ? OSC_SSN_MAX + 1 - ssn : 0);
		e->want = 0;
		e->step = step_of(t, e, ssn, dt);
		if (limit > OSC_SSN_MAX || limit - ssn > e->step / 2)
			continue;
		e->want = ceiling_after(e->step, ssn);
		n++;
	}
	__atomic_store_n(&t->g.tracked, t->n, __ATOMIC_RELAXED);
	__atomic_store_n(&t->g.headroom_min, head, __ATOMIC_RELAXED);
	__atomic_store_n(&t->g.remaining_min, left, __ATOMIC_RELAXED);
	return n;
}

void ctl_ssn_gauges(const struct ctl_ssn *t, struct ctl_ssn_gauges *out)
{
	out->tracked = __atomic_load_n(&t->g.tracked, __ATOMIC_RELAXED);
	out->headroom_min = __atomic_load_n(&t->g.headroom_min, __ATOMIC_RELAXED);
	out->remaining_min = __atomic_load_n(&t->g.remaining_min, __ATOMIC_RELAXED);
}

int ctl_ssn_tick(struct ctl_ssn *t)
{
	unsigned i, n = pick(t);

	if (!n)
		return 0;
	if (ctl_store_begin(t->store))
		return -1;
	for (i = 0; i < t->n; i++)
		if (t->e[i].want && ctl_store_reserve_ssn(t->store, t->e[i].id, t->e[i].want) < 0)
			break;
	if (i < t->n) {
		ctl_store_commit(t->store); /* nothing of it is acted on */
		return -1;
	}
	if (ctl_store_commit(t->store))
		return -1;
	/* Only now, with the ceilings on disk, may workers use the SSNs below them. */
	for (i = 0; i < t->n; i++)
		if (t->e[i].want)
			__atomic_store_n(&t->e[i].ctx->ssn_limit, t->e[i].want, __ATOMIC_RELEASE);
	return (int)n;
}

static uint64_t ssn_cap(uint64_t v)
{
	return v > OSC_SSN_MAX + 1 ? OSC_SSN_MAX + 1 : v;
}

void ctl_ssn_floor_attach(struct osc_ctx *c, uint64_t floor_ms, uint64_t now_ms)
{
	if (c->ssn < floor_ms)
		c->ssn = ssn_cap(floor_ms);
	c->ssn_limit = ssn_cap(now_ms); /* not published yet: no reader */
}

bool ctl_ssn_floor_raise(struct osc_ctx *c, uint64_t now_ms)
{
	uint64_t limit = __atomic_load_n(&c->ssn_limit, __ATOMIC_RELAXED);
	uint64_t ssn = __atomic_load_n(&c->ssn, __ATOMIC_RELAXED);
	uint64_t now = ssn_cap(now_ms);

	if (now <= limit || (limit > ssn && limit - ssn >= now - limit))
		return false;
	/* only the ticker writes the limit of a published context: no lost raise, never lowered */
	__atomic_store_n(&c->ssn_limit, now, __ATOMIC_RELEASE);
	return true;
}
