/* SPDX-License-Identifier: BSD-3-Clause */
#include "gw_group_fixture.h"

#include <string.h>

#include "../oscore/group_fixture.h"
#include "../oscore/group_vectors.h"

static void member_cfg(struct ctl_group_member_cfg *m, const char *id, const char *cred,
		       const char *pub)
{
	m->id_len = (uint8_t)gfix_hex(id, m->id, sizeof(m->id));
	m->cred_len = (uint16_t)gfix_hex(cred, m->cred, sizeof(m->cred));
	gfix_hex(pub, m->x, sizeof(m->x));
}

int gwfix_groups(struct ctl_groups *gs)
{
	static struct ctl_group_member_cfg members[2];
	static struct ctl_group_cfg c = { .name = "floor3", .n_members = 2, .members = members };
	struct osc_group_params *p = &c.p;
	int bad, rc;

	memset(gs, 0, sizeof(*gs));
	p->group_enc = p->aead = cry_alg_by_cose(CRY_AES_CCM_16_64_128);
	p->sig_alg = CRY_SIG_EDDSA;
	p->pairwise_ka = OSC_ECDH_SS_HKDF_256;
	p->crv = CRY_CRV_ED25519;
	p->secret_len = (uint8_t)gfix_hex(V_A_1_MASTER_SECRET, p->secret, sizeof(p->secret));
	p->salt_len = (uint8_t)gfix_hex(V_A_1_MASTER_SALT, p->salt, sizeof(p->salt));
	p->gid_len = (uint8_t)gfix_hex(V_A_1_GROUP_ID, p->gid, sizeof(p->gid));
	p->sender_id_len = (uint8_t)gfix_hex("51", p->sender_id, sizeof(p->sender_id));
	gfix_hex(V_A_1_ENTITY2_ED25519_PRIVATE, p->priv, sizeof(p->priv));
	c.cred_len = (uint16_t)gfix_hex(V_B_0_CCS_51, c.cred, sizeof(c.cred));
	c.gm_cred_len = (uint16_t)gfix_hex(V_B_0_GM_CRED, c.gm_cred, sizeof(c.gm_cred));
	member_cfg(&members[0], "0a", V_B_0_CCS_0A, V_A_1_ENTITY1_ED25519_PUBLIC);
	member_cfg(&members[1], "52", V_B_0_CCS_52, V_A_1_ENTITY3_ED25519_PUBLIC);
	c.mcast = (struct ctl_group_mcast){ .addr = { [10] = 0xff, [11] = 0xff, 239, 255, 0, 3 },
					    .port = 5683, .set = true };
	rc = ctl_group_build(&gs->g[0], &c, &bad);
	if (rc == OSC_GROUP_OK) {
		gs->g[0]->gen = 1; /* as ctl_groups_build publishes it */
		gs->next_gen = 2;
		gs->n = gs->present = 1;
	}
	return rc;
}
