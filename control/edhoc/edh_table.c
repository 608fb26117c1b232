/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The responder's sessions (RFC 9528 §3.3, App. A.2): a fixed array of at most max_sessions,
 * keyed by C_R, each with a deadline. Lookups are linear: this runs on the control lcore with a
 * bounded table, once per EDHOC message, next to an ECDH and a signature that cost far more.
 */
#include <stdlib.h>
#include <string.h>

#include "control/edhoc/edh_internal.h"
#include "crypto/cry_aead.h"

#define CID_SPACE (256u + 65536u) /* 1-byte then 2-byte C_R candidates */
#define CID_TRIES 4096u           /* bounded search for a free C_R */

struct edh_table {
	const struct edh_config *cfg;
	struct edh_sess *slots;
	unsigned n, live;
	uint32_t next_cid;
	uint64_t counters[EDH_STATUS_COUNT];
	bool inject;                  /* edh_test_inject_resp() pending */
	uint8_t inj_d[32], inj_c[EDH_CID_MAX];
	size_t inj_d_len;
	uint8_t inj_c_len;
};

struct edh_table *edh_table_new(const struct edh_config *cfg)
{
	struct edh_table *t;

	if (cfg == NULL || cfg->max_sessions == 0 || cfg->max_sessions > 65536 ||
	    cfg->n_suites == 0 || cfg->n_suites > EDH_SUITES_MAX)
		return NULL;
	for (unsigned i = 0; i < cfg->n_suites; i++)
		if (edh_suite_by_id(cfg->suites[i]) == NULL)
			return NULL;
	t = calloc(1, sizeof(*t));
	if (t && !(t->slots = calloc(cfg->max_sessions, sizeof(*t->slots)))) {
		free(t);
		return NULL;
	}
	if (t) {
		t->cfg = cfg;
		t->n = cfg->max_sessions;
	}
	return t;
}

void edh_table_free(struct edh_table *t)
{
	if (t == NULL)
		return;
	for (unsigned i = 0; i < t->n; i++)
		edh_sess_wipe(&t->slots[i]);
	free(t->slots);
	cry_wipe(t, sizeof(*t));
	free(t);
}

void edh_table_close(struct edh_table *t, struct edh_sess *s)
{
	if (s->state != EDH_ST_FREE)
		t->live--;
	edh_sess_wipe(s);
}

unsigned edh_table_expire(struct edh_table *t, uint64_t now_ms)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->n; i++) {
		if (t->slots[i].state != EDH_ST_FREE && t->slots[i].deadline_ms <= now_ms) {
			edh_table_close(t, &t->slots[i]);
			n++;
		}
	}
	return n;
}

const struct edh_config *edh_table_cfg(const struct edh_table *t)
{
	return t->cfg;
}

unsigned edh_table_live(const struct edh_table *t)
{
	return t->live;
}

const uint64_t *edh_table_counters(const struct edh_table *t)
{
	return t->counters;
}

enum edh_status edh_table_count(struct edh_table *t, enum edh_status st)
{
	t->counters[st < EDH_STATUS_COUNT ? st : EDH_E_INTERNAL]++;
	return st;
}

struct edh_sess *edh_table_find(struct edh_table *t, uint64_t now_ms, const uint8_t *c_r,
				size_t len)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct edh_sess *s = &t->slots[i];

		if (s->state == EDH_ST_FREE || s->c_r_len != len || memcmp(s->c_r, c_r, len))
			continue;
		if (s->deadline_ms > now_ms)
			return s;
		edh_table_close(t, s); /* expired: gone, as if never there */
		return NULL;
	}
	return NULL;
}

struct edh_sess *edh_table_by_m1(struct edh_table *t, uint64_t now_ms, const uint8_t *h_m1)
{
	for (unsigned i = 0; i < t->n; i++) {
		struct edh_sess *s = &t->slots[i];

		if (s->state == EDH_ST_WAIT_M3 && s->deadline_ms > now_ms && s->m2 &&
		    !memcmp(s->h_m1, h_m1, EDH_HASH_MAX))
			return s;
	}
	return NULL;
}

/* True if id may not be C_R: equal to C_I (§3.3.2), in a live session, or taken outside. */
static bool cid_taken(struct edh_table *t, const uint8_t *id, size_t len, const uint8_t *c_i,
		      size_t c_i_len)
{
	if (len == c_i_len && !memcmp(id, c_i, len))
		return true;
	for (unsigned i = 0; i < t->n; i++)
		if (t->slots[i].state != EDH_ST_FREE && t->slots[i].c_r_len == len &&
		    !memcmp(t->slots[i].c_r, id, len))
			return true;
	return t->cfg->cid_taken && t->cfg->cid_taken(t->cfg->cid_taken_arg, id, len);
}

/* Candidate k: one byte k for k < 256 (48 of them compact ints), else two bytes. */
static size_t cid_candidate(uint32_t k, uint8_t *id)
{
	if (k < 256) {
		id[0] = (uint8_t)k;
		return 1;
	}
	id[0] = (uint8_t)((k - 256) >> 8);
	id[1] = (uint8_t)(k - 256);
	return 2;
}

/* The next candidate into id: the owner's (wrapping to its first when past its last), else
 * the default order. Returns the length, 0 if the owner has none. */
static size_t next_candidate(struct edh_table *t, uint8_t *id)
{
	const struct edh_config *c = t->cfg;
	size_t n;

	if (!c->cid_candidate)
		return cid_candidate(t->next_cid++ % CID_SPACE, id);
	n = c->cid_candidate(c->cid_taken_arg, t->next_cid++, id);
	if (!n && t->next_cid != 1) {
		t->next_cid = 0;
		n = c->cid_candidate(c->cid_taken_arg, t->next_cid++, id);
	}
	return n <= EDH_CID_MAX ? n : 0;
}

static bool pick_cid(struct edh_table *t, struct edh_sess *s, const uint8_t *c_i,
		     size_t c_i_len)
{
	if (t->inject) {
		memcpy(s->c_r, t->inj_c, t->inj_c_len);
		s->c_r_len = t->inj_c_len;
		return !cid_taken(t, s->c_r, s->c_r_len, c_i, c_i_len);
	}
	for (unsigned i = 0; i < CID_TRIES; i++) {
		size_t n = next_candidate(t, s->c_r);

		if (!n)
			return false;
		if (!cid_taken(t, s->c_r, n, c_i, c_i_len)) {
			s->c_r_len = (uint8_t)n;
			return true;
		}
	}
	return false;
}

struct edh_sess *edh_table_open(struct edh_table *t, uint64_t now_ms, const uint8_t *c_i,
				size_t c_i_len, const uint8_t **eph_d, size_t *eph_len,
				enum edh_status *st)
{
	struct edh_sess *s = NULL;

	edh_table_expire(t, now_ms);
	for (unsigned i = 0; i < t->n && s == NULL; i++)
		if (t->slots[i].state == EDH_ST_FREE)
			s = &t->slots[i];
	if (s == NULL) {
		*st = EDH_E_FULL;
		return NULL;
	}
	if (!pick_cid(t, s, c_i, c_i_len)) {
		t->inject = false; /* an injection is for one message_1, used or refused */
		*st = EDH_E_CID;
		memset(s, 0, sizeof(*s));
		return NULL;
	}
	*eph_d = t->inject ? t->inj_d : NULL;
	*eph_len = t->inject ? t->inj_d_len : 0;
	t->inject = false;
	s->state = EDH_ST_WAIT_M3;
	s->deadline_ms = now_ms + t->cfg->timeout_ms;
	s->cfg = t->cfg;
	t->live++;
	return s;
}

void edh_test_inject_resp(struct edh_table *t, const uint8_t *eph_d, size_t eph_len,
			  const uint8_t *c_r, size_t c_r_len)
{
	if (eph_len > sizeof(t->inj_d) || c_r_len == 0 || c_r_len > EDH_CID_MAX)
		return;
	memcpy(t->inj_d, eph_d, eph_len);
	t->inj_d_len = eph_len;
	memcpy(t->inj_c, c_r, c_r_len);
	t->inj_c_len = (uint8_t)c_r_len;
	t->inject = true;
}
