/* SPDX-License-Identifier: BSD-3-Clause */
#include "group_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "group_vectors.h"
#include "oscore/osc_hex.h"

size_t gfix_hex(const char *hex, uint8_t *out, size_t cap)
{
	int n = osc_hex_decode(hex, strlen(hex), out, cap);

	if (n < 0)
		abort();
	return (size_t)n;
}

static uint8_t cred_0a[64], cred_51[64], cred_52[64], pub_0a[32], pub_51[32], pub_52[32];
static size_t cred_0a_len, cred_51_len, cred_52_len;

static void load_creds(void)
{
	cred_0a_len = gfix_hex(V_B_0_CCS_0A, cred_0a, sizeof(cred_0a));
	cred_51_len = gfix_hex(V_B_0_CCS_51, cred_51, sizeof(cred_51));
	cred_52_len = gfix_hex(V_B_0_CCS_52, cred_52, sizeof(cred_52));
	gfix_hex(V_A_1_ENTITY1_ED25519_PUBLIC, pub_0a, sizeof(pub_0a));
	gfix_hex(V_A_1_ENTITY2_ED25519_PUBLIC, pub_51, sizeof(pub_51));
	gfix_hex(V_A_1_ENTITY3_ED25519_PUBLIC, pub_52, sizeof(pub_52));
}

/* B.0: the common parameters; id, seed and credential make it one member's view. */
static const char *secret_hex = V_A_1_MASTER_SECRET, *gid_hex = V_A_1_GROUP_ID;

static int group(struct osc_group *g, const char *id, const char *seed, const uint8_t *cred,
		 size_t cred_len)
{
	struct osc_group_params p = {
		.group_enc = cry_alg_by_cose(CRY_AES_CCM_16_64_128), .sig_alg = CRY_SIG_EDDSA,
		.aead = cry_alg_by_cose(CRY_AES_CCM_16_64_128),
		.pairwise_ka = OSC_ECDH_SS_HKDF_256, .crv = CRY_CRV_ED25519,
		.cred = cred, .cred_len = cred_len, .gm_cred = cred_52, .gm_cred_len = cred_52_len,
	};

	p.secret_len = (uint8_t)gfix_hex(secret_hex, p.secret, sizeof(p.secret));
	p.salt_len = (uint8_t)gfix_hex(V_A_1_MASTER_SALT, p.salt, sizeof(p.salt));
	p.gid_len = (uint8_t)gfix_hex(gid_hex, p.gid, sizeof(p.gid));
	p.sender_id_len = (uint8_t)gfix_hex(id, p.sender_id, sizeof(p.sender_id));
	gfix_hex(seed, p.priv, sizeof(p.priv));
	return osc_group_derive(g, &p);
}

static int member(struct osc_member *m, const struct osc_group *g, const char *id,
		  const uint8_t *cred, size_t cred_len, const uint8_t *pub)
{
	struct osc_member_params mp = { .cred = cred, .cred_len = cred_len, .x = pub };

	mp.id_len = (uint8_t)gfix_hex(id, mp.id, sizeof(mp.id));
	return osc_member_derive(m, g, &mp);
}

int gfix_init(struct gfix *f)
{
	return gfix_init_keyed(f, NULL, NULL);
}

int gfix_init_keyed(struct gfix *f, const char *secret, const char *gid)
{
	int rc;

	secret_hex = secret ? secret : V_A_1_MASTER_SECRET;
	gid_hex = gid ? gid : V_A_1_GROUP_ID;
	memset(f, 0, sizeof(*f));
	load_creds();
	if ((rc = group(&f->g0a, "0a", V_A_1_ENTITY1_ED25519_PRIVATE, cred_0a, cred_0a_len)) ||
	    (rc = member(&f->m51, &f->g0a, "51", cred_51, cred_51_len, pub_51)) ||
	    (rc = member(&f->m52, &f->g0a, "52", cred_52, cred_52_len, pub_52)) ||
	    (rc = group(&f->g51, "51", V_A_1_ENTITY2_ED25519_PRIVATE, cred_51, cred_51_len)) ||
	    (rc = member(&f->m0a, &f->g51, "0a", cred_0a, cred_0a_len, pub_0a)))
		return rc;
	return 0;
}

int gfix_other(struct osc_group *g, struct osc_member *m51, const char *id, const char *seed,
	       const uint8_t *cred, size_t cred_len)
{
	int rc;

	load_creds();
	if ((rc = group(g, id, seed, cred, cred_len)))
		return rc;
	return member(m51, g, "51", cred_51, cred_51_len, pub_51);
}

void gfix_free(struct gfix *f)
{
	osc_member_wipe(&f->m51);
	osc_member_wipe(&f->m52);
	osc_member_wipe(&f->m0a);
	osc_group_wipe(&f->g0a);
	osc_group_wipe(&f->g51);
}
