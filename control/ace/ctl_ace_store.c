/* SPDX-License-Identifier: BSD-3-Clause */
/* Token store (one token per PoP key, RFC 9200 §5.10.1) and the exi tracker (§5.10.3). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/ace/ctl_ace_store.h"
#include "crypto/cry_aead.h"

int ctl_ace_store_init(struct ctl_ace_store *s, unsigned cap)
{
	s->n = 0;
	s->cap = cap;
	s->e = cap ? calloc(cap, sizeof(*s->e)) : NULL;
	return cap && s->e == NULL ? -ENOMEM : 0;
}

void ctl_ace_store_free(struct ctl_ace_store *s)
{
	if (s->e != NULL)
		cry_wipe(s->e, (size_t)s->cap * sizeof(*s->e));
	free(s->e);
	s->e = NULL;
	s->n = s->cap = 0;
}

static int index_of(const struct ctl_ace_store *s, unsigned as, const uint8_t *id, size_t len)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct ctl_ace_token *t = &s->e[i].tok;

		if (t->as == as && t->osc_id_len == len && memcmp(t->osc_id, id, len) == 0)
			return (int)i;
	}
	return -1;
}

/* Drop entry i, keeping the array dense (order is not kept). */
static void drop(struct ctl_ace_store *s, unsigned i, struct ctl_ace_entry *out)
{
	if (out != NULL)
		*out = s->e[i];
	s->e[i] = s->e[--s->n];
	cry_wipe(&s->e[s->n], sizeof(s->e[s->n]));
}

int ctl_ace_store_put(struct ctl_ace_store *s, const struct ctl_ace_entry *e,
		      struct ctl_ace_entry *old, bool *replaced)
{
	int i = index_of(s, e->tok.as, e->tok.osc_id, e->tok.osc_id_len);

	*replaced = i >= 0;
	if (i >= 0) {
		if (old != NULL)
			*old = s->e[i];
		s->e[i] = *e;
		return 0;
	}
	if (s->n == s->cap)
		return -ENOSPC;
	s->e[s->n++] = *e;
	return 0;
}

struct ctl_ace_entry *ctl_ace_store_find(struct ctl_ace_store *s, unsigned as, const uint8_t *id,
					 size_t id_len)
{
	int i = index_of(s, as, id, id_len);

	return i >= 0 ? &s->e[i] : NULL;
}

struct ctl_ace_entry *ctl_ace_store_by_handle(struct ctl_ace_store *s, uint64_t handle)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->e[i].handle == handle)
			return &s->e[i];
	return NULL;
}

int ctl_ace_store_remove(struct ctl_ace_store *s, unsigned as, const uint8_t *id, size_t id_len,
			 struct ctl_ace_entry *out)
{
	int i = index_of(s, as, id, id_len);

	if (i < 0)
		return -ENOENT;
	drop(s, (unsigned)i, out);
	return 0;
}

unsigned ctl_ace_store_expire(struct ctl_ace_store *s, int64_t now, struct ctl_ace_entry *out,
			      unsigned max)
{
	unsigned k = 0, i = 0;

	while (i < s->n && k < max) {
		if (s->e[i].tok.expires != 0 && s->e[i].tok.expires <= now)
			drop(s, i, &out[k++]); /* entry i is now another one: look again */
		else
			i++;
	}
	return k;
}

int ctl_ace_exi_init(struct ctl_ace_exi *x, unsigned cap)
{
	memset(x, 0, sizeof(*x));
	x->cap = cap;
	x->live = cap ? calloc(cap, sizeof(*x->live)) : NULL;
	return cap && x->live == NULL ? -ENOMEM : 0;
}

void ctl_ace_exi_free(struct ctl_ace_exi *x)
{
	free(x->live);
	memset(x, 0, sizeof(*x));
}

void ctl_ace_exi_sweep(struct ctl_ace_exi *x, int64_t now)
{
	unsigned i = 0;

	while (i < x->n) {
		struct ctl_ace_exi_live *l = &x->live[i];

		if (l->expires > now) {
			i++;
			continue;
		}
		/* §5.10.3: keep only the highest expired sequence number */
		if (!x->has_expired[l->as] || l->seq > x->highest_expired[l->as])
			x->highest_expired[l->as] = l->seq;
		x->has_expired[l->as] = true;
		x->live[i] = x->live[--x->n];
	}
}

int ctl_ace_exi_lookup(struct ctl_ace_exi *x, unsigned as, uint64_t seq, uint64_t exi,
		       int64_t now, int64_t *expires)
{
	if (as >= CTL_ACE_AS_MAX)
		return -EINVAL;
	ctl_ace_exi_sweep(x, now);
	if (x->has_expired[as] && seq <= x->highest_expired[as])
		return -ESTALE;
	for (unsigned i = 0; i < x->n; i++) {
		if (x->live[i].as == as && x->live[i].seq == seq) {
			*expires = x->live[i].expires; /* a repost keeps the first sight's clock */
			return 0;
		}
	}
	*expires = exi > (uint64_t)(INT64_MAX - now) ? INT64_MAX : now + (int64_t)exi;
	return 0;
}

int ctl_ace_exi_commit(struct ctl_ace_exi *x, unsigned as, uint64_t seq, int64_t expires)
{
	for (unsigned i = 0; i < x->n; i++)
		if (x->live[i].as == as && x->live[i].seq == seq)
			return 0;
	if (x->n == x->cap)
		return -ENOSPC;
	x->live[x->n++] = (struct ctl_ace_exi_live){ .seq = seq, .expires = expires,
						     .as = (uint8_t)as };
	return 0;
}
