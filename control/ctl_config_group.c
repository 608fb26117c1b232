/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "groups" in the gateway configuration: the Group OSCORE groups (RFC 10021) the gateway is a
 * member of, with what a Group Manager hands a member (group-mgmt.md). Byte strings are hex.
 *
 *   "groups": [{
 *     "name": "floor3",                  1..31 characters, unique (logs, oscore-gwctl)
 *     "gid": "dd11",                     Group Identifier = kid context (§2.1.3), unique
 *     "master_secret": "1122...", "master_salt": "1f2e...",
 *     "group_encryption_alg": "AES-CCM-16-64-128" | 10     group mode; omit: pairwise only
 *     "signature_alg": "EdDSA" | -8 | "ES256" | -7         with group mode
 *     "aead_alg": "AES-CCM-16-64-128" | 10                 pairwise mode; omit: group only
 *     "pairwise_key_agreement_alg": "ECDH-SS-HKDF-256" | -27 | "ECDH-SS-HKDF-512" | -28
 *     "hkdf_alg": "HKDF-SHA-256" | -10   (default)
 *     "sender_id": "51",                 the gateway's Sender ID in the group
 *     "private_key": "7055...",          its private key (Ed25519 seed, P-256 d, X25519 scalar)
 *     "cred": "a108a101...",             its authentication credential, a CCS {8: {1: COSE_Key}}
 *                                        whose key must be the private key's: the curve of the
 *                                        group (Ed25519 with EdDSA, P-256 with ES256) is read here
 *     "gm_cred": "a108...",              the Group Manager's credential (optional)
 *     "replay_window": 32,               per member (default: the top-level replay_window)
 *     "responses": "group" | "pairwise"   how group-mode requests are answered (§7.3)
 *     "multicast": "239.255.0.3[:5683]"  the group's multicast address (ctl_config_group_send.c)
 *     "members": [{"sender_id": "0a", "cred": "a108..."}]   the other members; each public key is
 *                                        read from its CCS, on the group's curve
 *   }]
 * Refused: unknown keys, a member whose Sender ID is the gateway's own (§2.2), two members with
 * one Sender ID, two groups with one name or Gid.
 */
#include "control/ctl_config_group.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_cbor_dec.h"
#include "crypto/cry_cose.h"
#include "crypto/cry_hkdf.h"
#include "oscore/osc_hex.h"

/* CWT claim cnf (RFC 8392 §4, RFC 8747 §3.1) and its COSE_Key. */
#define CCS_CNF 8
#define CNF_COSE_KEY 1
#define COSE_KTY_OKP 1
#define COSE_KTY_EC2 2

/* Where a reason is reported. */
struct gw {
	char *field, *reason;
	size_t fcap, rcap;
};

static int gbad(struct gw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int gbad(struct gw *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->reason, w->rcap, fmt, ap);
	va_end(ap);
	return -1;
}

static void gfield(struct gw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void gfield(struct gw *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->field, w->fcap, fmt, ap);
	va_end(ap);
}

/* Hex string v into out[0..cap); *len receives the byte count. */
static int ghex(struct gw *w, json_t *v, uint8_t *out, size_t cap, size_t *len)
{
	const char *s = json_string_value(v);
	int n = s ? osc_hex_decode(s, strlen(s), out, cap) : -1;

	if (n < 0)
		return gbad(w, "expected a hex string of at most %zu bytes", cap);
	*len = (size_t)n;
	return 0;
}

static int ghex8(struct gw *w, json_t *v, uint8_t *out, size_t cap, uint8_t *len)
{
	size_t n = 0;
	int rc = ghex(w, v, out, cap, &n);

	*len = (uint8_t)n;
	return rc;
}

static int ghex16(struct gw *w, json_t *v, uint8_t *out, size_t cap, uint16_t *len)
{
	size_t n = 0;
	int rc = ghex(w, v, out, cap, &n);

	*len = (uint16_t)n;
	return rc;
}

/* An algorithm given by COSE number or by one of the names, numbers in vals. */
static int galg(struct gw *w, json_t *v, const char *const *names, const int *vals, int *out)
{
	int i;

	for (i = 0; names[i]; i++)
		if ((json_is_integer(v) && json_integer_value(v) == vals[i]) ||
		    (json_is_string(v) && !strcmp(json_string_value(v), names[i]))) {
			*out = vals[i];
			return 0;
		}
	return gbad(w, "expected one of %s%s%s (or its COSE number)", names[0],
		    names[1] ? ", " : "", names[1] ? names[1] : "");
}

const char *ctl_config_aead(json_t *v, const struct cry_alg **alg)
{
	if (json_is_integer(v))
		*alg = cry_alg_by_cose((int)json_integer_value(v));
	else if (json_is_string(v))
		*alg = cry_alg_by_name(json_string_value(v));
	else
		return "expected a COSE algorithm number or name";
	return *alg ? NULL : "unknown or unsupported AEAD algorithm";
}

const char *ctl_config_hkdf(json_t *v, int *hkdf)
{
	if (json_is_integer(v))
		*hkdf = (int)json_integer_value(v);
	else if (json_is_string(v))
		*hkdf = cry_hkdf_by_name(json_string_value(v));
	else
		return "expected an HKDF number or name";
	return *hkdf && cry_hkdf_supported(*hkdf) ? NULL : "unknown or unsupported HKDF";
}

static int gaead(struct gw *w, json_t *v, const struct cry_alg **alg)
{
	const char *why = ctl_config_aead(v, alg);

	return why ? gbad(w, "%s", why) : 0;
}

static int ghkdf(struct gw *w, json_t *v, int *hkdf)
{
	const char *why = ctl_config_hkdf(v, hkdf);

	return why ? gbad(w, "%s", why) : 0;
}

/* The raw coordinates of an OKP or uncompressed EC2 COSE_Key into crv, x, y. */
static int key_coords(const struct cry_cose_key *k, int *crv, uint8_t *x, uint8_t *y)
{
	if (k->x == NULL || k->x_len != CRY_SIG_COORD_LEN)
		return -1;
	if (k->kty == COSE_KTY_OKP && (k->crv == CRY_CRV_ED25519 || k->crv == CRY_CRV_X25519))
		memset(y, 0, CRY_SIG_COORD_LEN);
	else if (k->kty == COSE_KTY_EC2 && k->crv == CRY_CRV_P256 && k->y &&
		 k->y_len == CRY_SIG_COORD_LEN)
		memcpy(y, k->y, CRY_SIG_COORD_LEN);
	else
		return -1;
	memcpy(x, k->x, CRY_SIG_COORD_LEN);
	*crv = k->crv;
	return 0;
}

/* The public key of a CCS {.., 8: {1: COSE_Key}}, decoded with libcbor under the default limits. */
static int ccs_key(struct gw *w, const uint8_t *ccs, size_t len, int *crv, uint8_t *x, uint8_t *y)
{
	cbor_item_t *it = NULL;
	const cbor_item_t *cnf, *ck;
	struct cry_cose_key k;
	int rc = -1;

	if (cry_cbor_decode(ccs, len, &cry_cbor_limits_default, &it, NULL) == 0 &&
	    cbor_isa_map(it) && (cnf = cry_cbor_map_int(it, CCS_CNF)) &&
	    (ck = cry_cbor_map_int(cnf, CNF_COSE_KEY)) && cry_cose_key_read(ck, &k) == 0)
		rc = key_coords(&k, crv, x, y);
	if (it)
		cbor_decref(&it);
	return rc ? gbad(w, "not a CCS with an Ed25519, X25519 or uncompressed P-256 COSE_Key "
			 "under cnf (RFC 8747)") : 0;
}

/* One member object {"sender_id", "cred"} on the group's curve crv. */
static int parse_member(struct gw *w, unsigned gi, unsigned mi, json_t *o, int crv,
			struct ctl_group_member_cfg *m)
{
	json_t *id = json_object_get(o, "sender_id"), *cred = json_object_get(o, "cred");
	int mcrv = 0;

	gfield(w, "groups[%u].members[%u]", gi, mi);
	if (!json_is_object(o) || json_object_size(o) != 2 || !id || !cred)
		return gbad(w, "expected {\"sender_id\": ..., \"cred\": ...}");
	gfield(w, "groups[%u].members[%u].sender_id", gi, mi);
	if (ghex8(w, id, m->id, sizeof(m->id), &m->id_len))
		return -1;
	gfield(w, "groups[%u].members[%u].cred", gi, mi);
	if (ghex16(w, cred, m->cred, sizeof(m->cred), &m->cred_len) ||
	    ccs_key(w, m->cred, m->cred_len, &mcrv, m->x, m->y))
		return -1;
	return mcrv == crv ? 0 : gbad(w, "key on curve %d, the group's is %d", mcrv, crv);
}

static int id_cmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	if (al != bl)
		return al < bl ? -1 : 1;
	return memcmp(a, b, al);
}

static int member_cmp(const void *x, const void *y)
{
	const struct ctl_group_member_cfg *a = x, *b = y;

	return id_cmp(a->id, a->id_len, b->id, b->id_len);
}

/* "members": sorted by Sender ID (lookups are binary searches), duplicates refused. */
static int parse_members(struct gw *w, unsigned gi, json_t *a, struct ctl_group_cfg *g)
{
	size_t i;

	gfield(w, "groups[%u].members", gi);
	if (!json_is_array(a) || json_array_size(a) > CTL_GROUP_MEMBERS_MAX)
		return gbad(w, "expected an array of at most %d members", CTL_GROUP_MEMBERS_MAX);
	g->members = calloc(json_array_size(a) + 1, sizeof(*g->members));
	if (!g->members)
		return gbad(w, "out of memory");
	g->n_members = (unsigned)json_array_size(a);
	for (i = 0; i < g->n_members; i++)
		if (parse_member(w, gi, (unsigned)i, json_array_get(a, i), g->p.crv, &g->members[i]))
			return -1;
	qsort(g->members, g->n_members, sizeof(*g->members), member_cmp);
	gfield(w, "groups[%u].members", gi);
	for (i = 1; i < g->n_members; i++)
		if (!member_cmp(&g->members[i - 1], &g->members[i]))
			return gbad(w, "two members with Sender ID length %u and the same bytes",
				    g->members[i].id_len);
	return 0;
}

static const char *const sig_names[] = { "EdDSA", "ES256", NULL };
static const int sig_vals[] = { CRY_SIG_EDDSA, CRY_SIG_ES256 };
static const char *const ka_names[] = { "ECDH-SS-HKDF-256", "ECDH-SS-HKDF-512", NULL };
static const int ka_vals[] = { OSC_ECDH_SS_HKDF_256, OSC_ECDH_SS_HKDF_512 };

static int gname(struct gw *w, json_t *v, char *out)
{
	const char *s = json_string_value(v);

	if (!s || !s[0] || strlen(s) >= CTL_GROUP_NAME_MAX || strchr(s, '/'))
		return gbad(w, "expected 1..%d characters without '/'", CTL_GROUP_NAME_MAX - 1);
	snprintf(out, CTL_GROUP_NAME_MAX, "%s", s);
	return 0;
}

static int gresponses(struct gw *w, json_t *v, bool *pairwise)
{
	const char *s = json_string_value(v);

	if (!s || (strcmp(s, "group") && strcmp(s, "pairwise")))
		return gbad(w, "expected \"group\" or \"pairwise\"");
	*pairwise = !strcmp(s, "pairwise");
	return 0;
}

/* One key of a group object, except "members" and "cred" (read after it, for the curve). */
static int group_field(struct gw *w, const char *key, json_t *v, struct ctl_group_cfg *g)
{
	struct osc_group_params *p = &g->p;
	unsigned w_max = OSC_REPLAY_MAX;

	if (!strcmp(key, "name"))
		return gname(w, v, g->name);
	if (!strcmp(key, "gid"))
		return ghex8(w, v, p->gid, sizeof(p->gid), &p->gid_len);
	if (!strcmp(key, "master_secret"))
		return ghex8(w, v, p->secret, sizeof(p->secret), &p->secret_len);
	if (!strcmp(key, "master_salt"))
		return ghex8(w, v, p->salt, sizeof(p->salt), &p->salt_len);
	if (!strcmp(key, "sender_id"))
		return ghex8(w, v, p->sender_id, sizeof(p->sender_id), &p->sender_id_len);
	if (!strcmp(key, "gm_cred"))
		return ghex16(w, v, g->gm_cred, sizeof(g->gm_cred), &g->gm_cred_len);
	if (!strcmp(key, "group_encryption_alg"))
		return gaead(w, v, &p->group_enc);
	if (!strcmp(key, "aead_alg"))
		return gaead(w, v, &p->aead);
	if (!strcmp(key, "signature_alg"))
		return galg(w, v, sig_names, sig_vals, &p->sig_alg);
	if (!strcmp(key, "pairwise_key_agreement_alg"))
		return galg(w, v, ka_names, ka_vals, &p->pairwise_ka);
	if (!strcmp(key, "hkdf_alg"))
		return ghkdf(w, v, &p->hkdf);
	if (!strcmp(key, "responses"))
		return gresponses(w, v, &g->pairwise_responses);
	if (!strcmp(key, "multicast"))
		return ctl_config_group_mcast(v, &g->mcast, w->reason, w->rcap);
	if (!strcmp(key, "replay_window")) {
		json_int_t x = json_integer_value(v);

		if (!json_is_integer(v) || x < 1 || x > (json_int_t)w_max)
			return gbad(w, "expected an integer in 1..%u", w_max);
		p->replay_window = (unsigned)x;
		return 0;
	}
	return gbad(w, "unknown key");
}

/* "private_key" and "cred": the key pair must be one (cry_pkey_from_coords compares them). */
static int own_key(struct gw *w, unsigned gi, json_t *o, struct ctl_group_cfg *g)
{
	uint8_t x[CRY_SIG_COORD_LEN], y[CRY_SIG_COORD_LEN];
	struct cry_pkey *k = NULL;
	struct cry_coords c;
	size_t n = 0;

	gfield(w, "groups[%u].cred", gi);
	if (ghex16(w, json_object_get(o, "cred"), g->cred, sizeof(g->cred), &g->cred_len) ||
	    ccs_key(w, g->cred, g->cred_len, &g->p.crv, x, y))
		return -1;
	gfield(w, "groups[%u].private_key", gi);
	if (ghex(w, json_object_get(o, "private_key"), g->p.priv, sizeof(g->p.priv), &n))
		return -1;
	if (n != CRY_SIG_COORD_LEN)
		return gbad(w, "expected %d bytes", CRY_SIG_COORD_LEN);
	c = (struct cry_coords){ .crv = g->p.crv, .x = x, .x_len = sizeof(x), .d = g->p.priv,
				 .d_len = n, .y = g->p.crv == CRY_CRV_P256 ? y : NULL,
				 .y_len = g->p.crv == CRY_CRV_P256 ? sizeof(y) : 0 };
	if (cry_pkey_from_coords(&k, &c))
		return gbad(w, "not the private key of the key in cred");
	cry_pkey_free(k);
	return 0;
}

static int parse_group(struct gw *w, unsigned gi, json_t *o, unsigned window,
		       struct ctl_group_cfg *g)
{
	static const char *const required[] = { "name", "gid", "master_secret", "sender_id",
						"private_key", "cred", "members" };
	const char *key;
	unsigned i;
	json_t *v;

	g->p.replay_window = window;
	gfield(w, "groups[%u]", gi);
	if (!json_is_object(o))
		return gbad(w, "expected an object");
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!json_object_get(o, required[i]))
			return gbad(w, "missing %s", required[i]);
	json_object_foreach(o, key, v) {
		gfield(w, "groups[%u].%s", gi, key);
		if (strcmp(key, "members") && strcmp(key, "cred") && strcmp(key, "private_key") &&
		    group_field(w, key, v, g))
			return -1;
	}
	if (own_key(w, gi, o, g))
		return -1;
	return parse_members(w, gi, json_object_get(o, "members"), g);
}

/* Derive once now: what osc_group_derive or osc_member_derive refuses is reported in place. */
static int check_group(struct gw *w, unsigned gi, const struct ctl_group_cfg *g)
{
	struct ctl_group *d = NULL;
	int bad_member = -1, rc = ctl_group_build(&d, g, &bad_member);

	ctl_group_free(d);
	if (rc == OSC_GROUP_OK)
		return 0;
	if (bad_member >= 0)
		gfield(w, "groups[%u].members (Sender ID length %u, sorted position %d)", gi,
		       g->members[bad_member].id_len, bad_member);
	else
		gfield(w, "groups[%u]", gi);
	return gbad(w, "%s", osc_group_strerror(rc));
}

/* Two groups with one name or one Gid: a lookup by either would be ambiguous. */
static int check_unique(struct gw *w, const struct ctl_groups_config *c, unsigned gi)
{
	const struct ctl_group_cfg *a = &c->g[gi];
	unsigned i;

	for (i = 0; i < gi; i++) {
		const struct ctl_group_cfg *b = &c->g[i];

		gfield(w, "groups[%u]", gi);
		if (!strcmp(a->name, b->name))
			return gbad(w, "name also used by groups[%u]", i);
		if (!id_cmp(a->p.gid, a->p.gid_len, b->p.gid, b->p.gid_len))
			return gbad(w, "gid also used by groups[%u]", i);
	}
	return 0;
}

int ctl_config_groups(json_t *v, unsigned window, struct ctl_groups_config *c, char *field,
		      size_t fcap, char *reason, size_t rcap)
{
	struct gw w = { .field = field, .reason = reason, .fcap = fcap, .rcap = rcap };
	size_t i;

	memset(c, 0, sizeof(*c));
	gfield(&w, "groups");
	if (!json_is_array(v) || json_array_size(v) > CTL_GROUPS_MAX) {
		gbad(&w, "expected an array of at most %d groups", CTL_GROUPS_MAX);
		return -1;
	}
	c->g = calloc(json_array_size(v) + 1, sizeof(*c->g));
	if (!c->g)
		return gbad(&w, "out of memory");
	c->n = (unsigned)json_array_size(v);
	for (i = 0; i < c->n; i++)
		if (parse_group(&w, (unsigned)i, json_array_get(v, i), window, &c->g[i]) ||
		    check_unique(&w, c, (unsigned)i) || check_group(&w, (unsigned)i, &c->g[i])) {
			ctl_config_groups_free(c);
			return -1;
		}
	return 0;
}

void ctl_config_groups_free(struct ctl_groups_config *c)
{
	unsigned i;

	for (i = 0; c->g && i < c->n; i++) {
		if (c->g[i].members) {
			explicit_bzero(c->g[i].members, c->g[i].n_members * sizeof(*c->g[i].members));
			free(c->g[i].members);
		}
		explicit_bzero(&c->g[i], sizeof(c->g[i]));
	}
	free(c->g);
	memset(c, 0, sizeof(*c));
}
