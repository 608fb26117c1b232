/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "groups" part of the gateway's configuration: the Group OSCORE (RFC 10021) groups the
 * gateway is a member of, as a Group Manager hands them out (group-mgmt.md), and their derivation
 * (§2.3) into a struct ctl_group. Format at the top of ctl_config_group.c.
 */
#ifndef CTL_CONFIG_GROUP_H
#define CTL_CONFIG_GROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "control/ctl_store.h"
#include "oscore/osc_group.h"

#define CTL_GROUPS_MAX 16          /* groups the gateway is a member of */
#define CTL_GROUP_MEMBERS_MAX 1024 /* other members per group */
#define CTL_GROUP_NAME_MAX 32

/* A member as configured: Sender ID, credential, and the public key read from it. */
struct ctl_group_member_cfg {
	uint8_t id[OSC_ID_MAX];
	uint8_t id_len;
	uint16_t cred_len;
	uint8_t cred[OSC_CRED_MAX];
	uint8_t x[CRY_SIG_COORD_LEN], y[CRY_SIG_COORD_LEN]; /* y: P-256 only */
};

/* A group's multicast address (IPv4 as ::ffff:a.b.c.d) and port, network byte order address. */
struct ctl_group_mcast {
	uint8_t addr[16];
	uint16_t port;               /* host byte order; 5683 by default */
	bool v6, set;
};

/* "group_send" (ctl_group_send.h): where requesters send, how long answers are collected. */
struct ctl_group_send_config {
	bool enabled;
	uint16_t port;               /* UDP port for requesters and for members' answers */
	unsigned collect_ms;         /* how long members' answers are collected (1000) */
	unsigned pending;            /* collections open at once (16) */
};

/* A group's "multicast" v into m: 0, or -1 with the reason in reason[0..rcap). */
int ctl_config_group_mcast(json_t *v, struct ctl_group_mcast *m, char *reason, size_t rcap);

/* "group_send" v into c; NULL, or the reason (with the field) it is refused. */
const char *ctl_config_group_send(json_t *v, struct ctl_group_send_config *c, char *reason,
				  size_t rcap);

/* One configured group. p's cred pointers are NULL: ctl_group_cfg_params sets them. */
struct ctl_group_cfg {
	char name[CTL_GROUP_NAME_MAX];
	struct osc_group_params p;
	uint16_t cred_len, gm_cred_len;
	uint8_t cred[OSC_CRED_MAX], gm_cred[OSC_CRED_MAX];
	bool pairwise_responses;     /* answer group-mode requests in pairwise mode (§7.3 allows) */
	struct ctl_group_mcast mcast; /* "multicast": where requests to the group go */
	unsigned n_members;
	struct ctl_group_member_cfg *members; /* n_members, owned */
};

struct ctl_groups_config {
	struct ctl_group_cfg *g; /* n, owned */
	unsigned n;
};

/*
 * Read the "groups" array v into c (zeroed first), replay window default window, and derive each
 * group once so that what the core refuses is reported at its place. On failure returns -1 with
 * the failing field ("groups[1].members[0].cred") in field[0..fcap) and the reason (never a secret)
 * in reason[0..rcap); c then owns nothing.
 */
int ctl_config_groups(json_t *v, unsigned window, struct ctl_groups_config *c, char *field,
		      size_t fcap, char *reason, size_t rcap);

/* An AEAD algorithm v, COSE number or name (RFC 9053), for "aead_alg" here and in contexts:
 * NULL, or the reason it is refused. */
const char *ctl_config_aead(json_t *v, const struct cry_alg **alg);

/* An HKDF v, number or name: NULL, or the reason it is refused. */
const char *ctl_config_hkdf(json_t *v, int *hkdf);

/* Wipe the secrets c holds and free them. */
void ctl_config_groups_free(struct ctl_groups_config *c);

/* g's derivation parameters with the credential pointers set into g (valid while g is). */
void ctl_group_cfg_params(const struct ctl_group_cfg *g, struct osc_group_params *p);

/* Member i of g as osc_member_derive takes it (pointers into g). */
void ctl_group_cfg_member(const struct ctl_group_cfg *g, unsigned i, struct osc_member_params *mp);

/* A derived group: Common/Sender Context and one Recipient Context per member, sorted by kid. */
struct ctl_group {
	struct osc_group g;
	struct osc_member *m; /* n_m, sorted by (id_len, id); each m[i].g == &g */
	unsigned n_m;
	bool pairwise_responses;
	uint32_t gen;         /* set when published (ctl_groups); handles carry it */
	uint8_t fp[CTL_FP_LEN]; /* its sender side's fingerprint (ctl_fp_of_group): durable SSN */
	bool ssn_floored;     /* without durable SSNs: raised to the clock floor (ctl_group_serve.c) */
	struct ctl_group_mcast mcast;
	char name[CTL_GROUP_NAME_MAX];
};

/*
 * Derive cfg into a fresh *out (§2.3, §2.5), on the control plane (OpenSSL allocates).
 * Returns OSC_GROUP_OK or a negative enum osc_group_err; *bad_member is the failing member's
 * index or -1 when the group itself failed. On failure *out is NULL.
 */
int ctl_group_build(struct ctl_group **out, const struct ctl_group_cfg *cfg, int *bad_member);

/* Wipe and free g (NULL allowed). */
void ctl_group_free(struct ctl_group *g);

/* The member of g whose Sender ID is kid[0..len), or NULL. Binary search; no allocation. */
struct osc_member *ctl_group_member(const struct ctl_group *g, const uint8_t *kid, size_t len);

#endif
