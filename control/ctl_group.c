/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A configured Group OSCORE group derived (RFC 10021 §2.3): the gateway's Common and Sender
 * Context and one Recipient Context per other member, kept sorted by Sender ID so that a worker
 * finds the member of a kid without allocating or locking.
 */
#include <stdlib.h>
#include <string.h>

#include "control/ctl_config_group.h"
#include "control/ctl_tomb.h"

void ctl_group_cfg_params(const struct ctl_group_cfg *g, struct osc_group_params *p)
{
	*p = g->p;
	p->cred = g->cred_len ? g->cred : NULL;
	p->cred_len = g->cred_len;
	p->gm_cred = g->gm_cred_len ? g->gm_cred : NULL;
	p->gm_cred_len = g->gm_cred_len;
}

void ctl_group_cfg_member(const struct ctl_group_cfg *g, unsigned i, struct osc_member_params *mp)
{
	const struct ctl_group_member_cfg *m = &g->members[i];

	memset(mp, 0, sizeof(*mp));
	memcpy(mp->id, m->id, m->id_len);
	mp->id_len = m->id_len;
	mp->cred = m->cred_len ? m->cred : NULL;
	mp->cred_len = m->cred_len;
	mp->x = m->x;
	mp->y = g->p.crv == CRY_CRV_P256 ? m->y : NULL;
}

/* Members in cfg order, which ctl_config_groups sorted by (length, bytes) of the Sender ID. */
static int build_members(struct ctl_group *d, const struct ctl_group_cfg *cfg, int *bad_member)
{
	struct osc_member_params mp;
	unsigned i;
	int rc;

	for (i = 0; i < cfg->n_members; i++) {
		ctl_group_cfg_member(cfg, i, &mp);
		rc = osc_member_derive(&d->m[i], &d->g, &mp);
		explicit_bzero(&mp, sizeof(mp));
		if (rc != OSC_GROUP_OK) {
			*bad_member = (int)i;
			return rc;
		}
		d->n_m = i + 1;
	}
	return OSC_GROUP_OK;
}

int ctl_group_build(struct ctl_group **out, const struct ctl_group_cfg *cfg, int *bad_member)
{
	struct osc_group_params p;
	struct ctl_group *d = calloc(1, sizeof(*d));
	int rc;

	*out = NULL;
	*bad_member = -1;
	if (!d || !(d->m = calloc(cfg->n_members + 1, sizeof(*d->m)))) {
		free(d);
		return OSC_GROUP_ERR_CRYPTO;
	}
	ctl_group_cfg_params(cfg, &p);
	rc = osc_group_derive(&d->g, &p);
	explicit_bzero(&p, sizeof(p));
	if (rc != OSC_GROUP_OK) {
		free(d->m);
		free(d);
		return rc;
	}
	rc = build_members(d, cfg, bad_member);
	if (rc == OSC_GROUP_OK && ctl_fp_of_group(&d->g, d->fp))
		rc = OSC_GROUP_ERR_CRYPTO;
	if (rc != OSC_GROUP_OK) {
		ctl_group_free(d);
		return rc;
	}
	d->pairwise_responses = cfg->pairwise_responses;
	d->mcast = cfg->mcast;
	memcpy(d->name, cfg->name, sizeof(d->name));
	*out = d;
	return OSC_GROUP_OK;
}

void ctl_group_free(struct ctl_group *g)
{
	unsigned i;

	if (!g)
		return;
	for (i = 0; i < g->n_m; i++)
		osc_member_wipe(&g->m[i]);
	free(g->m);
	osc_group_wipe(&g->g);
	free(g);
}

struct osc_member *ctl_group_member(const struct ctl_group *g, const uint8_t *kid, size_t len)
{
	unsigned lo = 0, hi = g->n_m;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct osc_member *m = &g->m[mid];
		int c = m->id_len != len ? (m->id_len < len ? -1 : 1) : memcmp(m->id, kid, len);

		if (c == 0)
			return &g->m[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
