/* SPDX-License-Identifier: BSD-3-Clause */
/* Fingerprints of retired key material (see ctl_tomb.h): an open-addressing set that only grows. */
#include "control/ctl_tomb.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/cry_hkdf.h"

#define MIN_CAP 64

struct entry {
	uint8_t fp[CTL_FP_LEN];
	uint64_t val;
	bool used;
};

struct ctl_tomb {
	struct ctl_store *store;
	struct entry *e;
	size_t cap, n; /* cap is a power of two, n <= cap / 2 */
};

int ctl_fp_of(const struct osc_ctx *c, enum ctl_fp_kind kind, uint8_t out[CTL_FP_LEN])
{
	static const uint8_t salt[] = "oscore-gw key fingerprint v1";
	const struct cry_key *k = kind == CTL_FP_SENDER ? &c->sender_key : &c->recipient_key;
	const uint8_t *id = kind == CTL_FP_SENDER ? c->sender_id : c->recipient_id;
	uint8_t id_len = kind == CTL_FP_SENDER ? c->sender_id_len : c->recipient_id_len;
	uint8_t info[4 + OSC_ID_MAX + 2 + OSC_ID_CTX_MAX + CRY_NONCE_MAX];
	size_t n = 0;
	int rc;

	info[n++] = (uint8_t)kind;
	info[n++] = (uint8_t)k->alg->cose;
	info[n++] = id_len;
	memcpy(info + n, id, id_len);
	n += id_len;
	info[n++] = c->has_id_ctx;
	info[n++] = c->id_ctx_len;
	memcpy(info + n, c->id_ctx, c->id_ctx_len);
	n += c->id_ctx_len;
	memcpy(info + n, c->common_iv, k->alg->nonce_len);
	n += k->alg->nonce_len;
	rc = cry_hkdf(CRY_HKDF_SHA256, salt, sizeof(salt) - 1, k->raw, k->alg->key_len, info, n, out,
		      CTL_FP_LEN);
	if (rc)
		memset(out, 0, CTL_FP_LEN);
	return rc ? -1 : 0;
}

int ctl_fp_of_group(const struct osc_group *g, uint8_t out[CTL_FP_LEN])
{
	static const uint8_t salt[] = "oscore-gw key fingerprint v1";
	uint8_t info[4 + OSC_ID_MAX + 1 + OSC_ID_CTX_MAX + CRY_NONCE_MAX];
	size_t n = 0;
	int rc;

	info[n++] = CTL_FP_GROUP_SENDER;
	info[n++] = g->key_len;
	info[n++] = g->sender_id_len;
	memcpy(info + n, g->sender_id, g->sender_id_len);
	n += g->sender_id_len;
	info[n++] = g->gid_len;
	memcpy(info + n, g->gid, g->gid_len);
	n += g->gid_len;
	memcpy(info + n, g->common_iv, g->iv_len);
	n += g->iv_len;
	rc = cry_hkdf(CRY_HKDF_SHA256, salt, sizeof(salt) - 1, g->sender_key_raw, g->key_len, info,
		      n, out, CTL_FP_LEN);
	if (rc)
		memset(out, 0, CTL_FP_LEN);
	return rc ? -1 : 0;
}

static size_t slot_of(const struct ctl_tomb *t, const uint8_t *fp)
{
	uint64_t h;
	size_t i;

	memcpy(&h, fp, sizeof(h)); /* a fingerprint is already uniformly distributed */
	for (i = (size_t)h & (t->cap - 1); t->e[i].used && memcmp(t->e[i].fp, fp, CTL_FP_LEN);
	     i = (i + 1) & (t->cap - 1))
		;
	return i;
}

static int grow(struct ctl_tomb *t)
{
	struct ctl_tomb bigger = { .cap = t->cap ? 2 * t->cap : MIN_CAP };
	size_t i;

	bigger.e = calloc(bigger.cap, sizeof(*bigger.e));
	if (!bigger.e)
		return -1;
	for (i = 0; i < t->cap; i++)
		if (t->e[i].used)
			bigger.e[slot_of(&bigger, t->e[i].fp)] = t->e[i];
	free(t->e);
	t->e = bigger.e;
	t->cap = bigger.cap;
	return 0;
}

/* Into memory only: loading from the store, or after the store took it. */
static int remember(struct ctl_tomb *t, const uint8_t *fp, uint64_t val)
{
	struct entry *e;

	if (2 * (t->n + 1) > t->cap && grow(t))
		return -1;
	e = &t->e[slot_of(t, fp)];
	if (!e->used) {
		memcpy(e->fp, fp, CTL_FP_LEN);
		e->used = true;
		t->n++;
	}
	if (val > e->val)
		e->val = val;
	return 0;
}

static int load_one(void *arg, const uint8_t *fp, uint64_t val)
{
	return remember(arg, fp, val);
}

struct ctl_tomb *ctl_tomb_new(struct ctl_store *store)
{
	struct ctl_tomb *t = calloc(1, sizeof(*t));

	if (!t || grow(t) || (store && ctl_store_foreach_tomb(store, load_one, t))) {
		ctl_tomb_free(t);
		return NULL;
	}
	t->store = store;
	return t;
}

void ctl_tomb_free(struct ctl_tomb *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

int ctl_tomb_put(struct ctl_tomb *t, const uint8_t fp[CTL_FP_LEN], uint64_t val)
{
	uint64_t old;
	bool had = ctl_tomb_get(t, fp, &old);

	if (had && old >= val)
		return 0;
	if (t->store && ctl_store_put_tomb(t->store, fp, val)) /* durable first, then acted on */
		return -1;
	return remember(t, fp, val);
}

bool ctl_tomb_get(const struct ctl_tomb *t, const uint8_t fp[CTL_FP_LEN], uint64_t *val)
{
	const struct entry *e = &t->e[slot_of(t, fp)];

	if (e->used)
		*val = e->val;
	return e->used;
}
