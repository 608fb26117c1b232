/* SPDX-License-Identifier: BSD-3-Clause */
/* Group OSCORE context derivation (RFC 10021 §2.3, §2.1.9, §2.5). */
#include "oscore/osc_group.h"

#include <string.h>

#include "crypto/cry_ed2x.h"
#include "crypto/cry_hkdf.h"

/* The algorithm named in 'info' for Sender/Recipient Keys and the Common IV (§2.3): the Group
 * Encryption Algorithm if set, else the AEAD Algorithm. */
static const struct cry_alg *info_alg(const struct osc_group *g)
{
	return g->group_enc ? g->group_enc : g->aead;
}

/* One output of §2.3 / §2.1.9 from the Master Secret and Salt: [id, Gid, alg, type, L]. */
static int derive_master(const struct osc_group *g, const uint8_t *id, size_t id_len,
			 const char *type, unsigned L, uint8_t *out)
{
	struct osc_info in = { .id = id, .id_len = id_len, .id_ctx = g->gid,
			       .id_ctx_len = g->gid_len, .has_id_ctx = true,
			       .alg = (strcmp(type, "SEKey") ? info_alg(g) : g->group_enc)->cose,
			       .type = type, .L = L };

	return osc_hkdf_derive(g->hkdf, g->salt, g->salt_len, g->secret, g->secret_len, &in, out);
}

/* Which curve the signature algorithm needs (§2.1.8) and whether the set is complete. */
static int check_algs(const struct osc_group_params *p)
{
	if (!p->group_enc && !p->aead)
		return OSC_GROUP_ERR_ALG;
	if (p->group_enc && !(p->sig_alg == CRY_SIG_EDDSA && p->crv == CRY_CRV_ED25519) &&
	    !(p->sig_alg == CRY_SIG_ES256 && p->crv == CRY_CRV_P256))
		return OSC_GROUP_ERR_ALG;
	if (p->aead && p->pairwise_ka != OSC_ECDH_SS_HKDF_256 &&
	    p->pairwise_ka != OSC_ECDH_SS_HKDF_512)
		return OSC_GROUP_ERR_ALG;
	if (!p->group_enc && p->crv != CRY_CRV_X25519 && p->crv != CRY_CRV_P256 &&
	    p->crv != CRY_CRV_ED25519)
		return OSC_GROUP_ERR_ALG;
	if (!cry_hkdf_supported(p->hkdf ? p->hkdf : CRY_HKDF_SHA256))
		return OSC_GROUP_ERR_ALG;
	return OSC_GROUP_OK;
}

/* §2.2: IDs up to the smaller nonce length - 6. */
static unsigned id_max(const struct osc_group *g)
{
	unsigned a = g->group_enc ? g->group_enc->nonce_len : 99;
	unsigned b = g->aead ? g->aead->nonce_len : 99;

	return (a < b ? a : b) - 6u;
}

static int check_params(const struct osc_group_params *p)
{
	int rc = check_algs(p);

	if (rc != OSC_GROUP_OK)
		return rc;
	if (p->secret_len == 0 || p->secret_len > OSC_SECRET_MAX || p->salt_len > OSC_SALT_MAX ||
	    p->gid_len > OSC_ID_CTX_MAX || p->cred_len > OSC_CRED_MAX ||
	    p->gm_cred_len > OSC_CRED_MAX || p->replay_window > OSC_REPLAY_MAX ||
	    (p->cred_len && !p->cred) || (p->gm_cred_len && !p->gm_cred))
		return OSC_GROUP_ERR_PARAM;
	return OSC_GROUP_OK;
}

static void copy_params(struct osc_group *g, const struct osc_group_params *p)
{
	g->group_enc = p->group_enc;
	g->aead = p->aead;
	g->sig_alg = p->group_enc ? p->sig_alg : 0;
	g->pairwise_ka = p->aead ? p->pairwise_ka : 0;
	g->hkdf = p->hkdf ? p->hkdf : CRY_HKDF_SHA256;
	g->crv = p->crv;
	g->replay_window = p->replay_window ? p->replay_window : OSC_REPLAY_DEFAULT;
	memcpy(g->secret, p->secret, p->secret_len);
	g->secret_len = p->secret_len;
	memcpy(g->salt, p->salt, p->salt_len);
	g->salt_len = p->salt_len;
	memcpy(g->gid, p->gid, p->gid_len);
	g->gid_len = p->gid_len;
	memcpy(g->sender_id, p->sender_id, p->sender_id_len);
	g->sender_id_len = p->sender_id_len;
	if (p->cred_len)
		memcpy(g->cred, p->cred, p->cred_len);
	g->cred_len = (uint16_t)p->cred_len;
	g->has_gm_cred = p->gm_cred != NULL;
	if (p->gm_cred_len)
		memcpy(g->gm_cred, p->gm_cred, p->gm_cred_len);
	g->gm_cred_len = (uint16_t)p->gm_cred_len;
}

/* A key from raw coordinates on crv: d alone (private; public part derived) or x (and y). */
static int pkey(struct cry_pkey **k, int crv, const uint8_t *d, const uint8_t *x,
		const uint8_t *y)
{
	struct cry_coords c = { .crv = crv, .d = d, .d_len = d ? CRY_SIG_COORD_LEN : 0, .x = x,
				.x_len = x ? CRY_SIG_COORD_LEN : 0, .y = y,
				.y_len = y ? CRY_SIG_COORD_LEN : 0 };

	return cry_pkey_from_coords(k, &c) ? OSC_GROUP_ERR_KEY : OSC_GROUP_OK;
}

/* Own keys: the signing key (group mode) and the ECDH key (pairwise mode, §2.5.2 mapping). */
static int own_keys(struct osc_group *g, const uint8_t *priv)
{
	uint8_t xd[CRY_SIG_COORD_LEN];
	int rc = OSC_GROUP_OK;

	if (g->group_enc && (rc = pkey(&g->sign_key, g->crv, priv, NULL, NULL)) != OSC_GROUP_OK)
		return rc;
	if (!g->aead)
		return rc;
	if (g->crv != CRY_CRV_ED25519)
		return pkey(&g->dh_key, g->crv, priv, NULL, NULL);
	if (cry_ed25519_priv_to_x25519(priv, xd))
		return OSC_GROUP_ERR_CRYPTO;
	rc = pkey(&g->dh_key, CRY_CRV_X25519, xd, NULL, NULL);
	cry_wipe(xd, sizeof(xd));
	return rc;
}

static int derive_group(struct osc_group *g, const struct osc_group_params *p)
{
	const struct cry_alg *a = info_alg(g);
	unsigned ga = g->group_enc ? g->group_enc->nonce_len : 0;
	unsigned pa = g->aead ? g->aead->nonce_len : 0;
	const uint8_t none = 0;

	if (g->sender_id_len > id_max(g))
		return OSC_GROUP_ERR_ID;
	g->key_len = a->key_len;
	g->iv_len = (uint8_t)(ga > pa ? ga : pa); /* §2.1.4: the longer nonce */
	g->sig_len = g->group_enc ? CRY_SIG_LEN : 0;
	if (derive_master(g, g->sender_id, g->sender_id_len, "Key", a->key_len,
			  g->sender_key_raw) ||
	    derive_master(g, &none, 0, "IV", g->iv_len, g->common_iv))
		return OSC_GROUP_ERR_CRYPTO;
	if (g->group_enc) {
		g->sekey_len = g->group_enc->key_len;
		if (derive_master(g, &none, 0, "SEKey", g->sekey_len, g->sekey) ||
		    cry_key_init(&g->sender_key, g->group_enc, g->sender_key_raw))
			return OSC_GROUP_ERR_CRYPTO;
	}
	g->ssn_limit = OSC_SSN_MAX + 1;
	return own_keys(g, p->priv);
}

int osc_group_derive(struct osc_group *g, const struct osc_group_params *p)
{
	int rc;

	memset(g, 0, sizeof(*g));
	rc = check_params(p);
	if (rc == OSC_GROUP_OK) {
		copy_params(g, p);
		rc = derive_group(g, p);
	}
	if (rc != OSC_GROUP_OK)
		osc_group_wipe(g);
	return rc;
}

void osc_group_wipe(struct osc_group *g)
{
	cry_key_wipe(&g->sender_key);
	cry_pkey_free(g->sign_key);
	cry_pkey_free(g->dh_key);
	cry_wipe(g, sizeof(*g));
}

/* The member's public key (signatures) and, mapped for ECDH where needed, its ECDH key. */
static int peer_keys(struct osc_member *m, const struct osc_member_params *mp,
		     struct cry_pkey **dh)
{
	const struct osc_group *g = m->g;
	uint8_t u[CRY_SIG_COORD_LEN];
	bool ec2 = g->crv == CRY_CRV_P256;
	int rc;

	if (mp->x == NULL || (ec2 && mp->y == NULL))
		return OSC_GROUP_ERR_KEY;
	rc = pkey(&m->pub, g->crv, NULL, mp->x, ec2 ? mp->y : NULL);
	if (rc != OSC_GROUP_OK || !g->aead)
		return rc;
	if (g->crv != CRY_CRV_ED25519)
		return pkey(dh, g->crv, NULL, mp->x, ec2 ? mp->y : NULL);
	if (cry_ed25519_pub_to_x25519(mp->x, u)) /* §2.5.2: also refuses y = +-1 */
		return OSC_GROUP_ERR_KEY;
	return pkey(dh, CRY_CRV_X25519, NULL, u, NULL);
}

/* §2.5.1: HKDF(salt, IKM = cred_a || cred_b || shared secret, info [id, Gid, AEAD alg, "Key"]). */
static int pairwise_key(const struct osc_member *m, const uint8_t *salt, const uint8_t *id,
			size_t id_len, const uint8_t *cred_a, size_t a_len, const uint8_t *cred_b,
			size_t b_len, const uint8_t *ss, struct cry_key *out)
{
	const struct osc_group *g = m->g;
	struct osc_info in = { .id = id, .id_len = id_len, .id_ctx = g->gid,
			       .id_ctx_len = g->gid_len, .has_id_ctx = true, .alg = g->aead->cose,
			       .type = "Key", .L = g->aead->key_len };
	uint8_t ikm[2 * OSC_CRED_MAX + CRY_ECDH_LEN], key[CRY_KEY_MAX];
	int hkdf = g->pairwise_ka == OSC_ECDH_SS_HKDF_512 ? CRY_HKDF_SHA512 : CRY_HKDF_SHA256;
	int rc = OSC_GROUP_ERR_CRYPTO;

	memcpy(ikm, cred_a, a_len);
	memcpy(ikm + a_len, cred_b, b_len);
	memcpy(ikm + a_len + b_len, ss, CRY_ECDH_LEN);
	if (!osc_hkdf_derive(hkdf, salt, g->key_len, ikm, a_len + b_len + CRY_ECDH_LEN, &in,
			     key) &&
	    !cry_key_init(out, g->aead, key))
		rc = OSC_GROUP_OK;
	cry_wipe(ikm, sizeof(ikm));
	cry_wipe(key, sizeof(key));
	return rc;
}

static int pairwise_keys(struct osc_member *m, const uint8_t *rkey, struct cry_pkey *dh)
{
	const struct osc_group *g = m->g;
	uint8_t ss[CRY_ECDH_LEN];
	int rc = OSC_GROUP_ERR_CRYPTO;

	if (cry_ecdh(g->dh_key, dh, ss))
		return OSC_GROUP_ERR_KEY;
	if (!pairwise_key(m, g->sender_key_raw, g->sender_id, g->sender_id_len, g->cred,
			  g->cred_len, m->cred, m->cred_len, ss, &m->pw_sender_key) &&
	    !pairwise_key(m, rkey, m->id, m->id_len, m->cred, m->cred_len, g->cred, g->cred_len,
			  ss, &m->pw_recipient_key))
		rc = OSC_GROUP_OK;
	cry_wipe(ss, sizeof(ss));
	return rc;
}

static int derive_member(struct osc_member *m, const struct osc_member_params *mp)
{
	const struct osc_group *g = m->g;
	uint8_t rkey[CRY_KEY_MAX];
	struct cry_pkey *dh = NULL;
	int rc = peer_keys(m, mp, &dh);

	if (rc == OSC_GROUP_OK)
		rc = derive_master(g, m->id, m->id_len, "Key", g->key_len, rkey) ?
			     OSC_GROUP_ERR_CRYPTO : OSC_GROUP_OK;
	if (rc == OSC_GROUP_OK && g->group_enc &&
	    cry_key_init(&m->recipient_key, g->group_enc, rkey))
		rc = OSC_GROUP_ERR_CRYPTO;
	if (rc == OSC_GROUP_OK && g->aead)
		rc = pairwise_keys(m, rkey, dh);
	cry_pkey_free(dh);
	cry_wipe(rkey, sizeof(rkey));
	return rc;
}

int osc_member_derive(struct osc_member *m, const struct osc_group *g,
		      const struct osc_member_params *mp)
{
	int rc = OSC_GROUP_OK;

	memset(m, 0, sizeof(*m));
	m->g = g;
	if (mp->id_len > id_max(g) || (mp->id_len == g->sender_id_len &&
				       !memcmp(mp->id, g->sender_id, mp->id_len)))
		rc = OSC_GROUP_ERR_ID;
	else if (mp->cred_len > OSC_CRED_MAX || (mp->cred_len && !mp->cred))
		rc = OSC_GROUP_ERR_PARAM;
	if (rc == OSC_GROUP_OK) {
		memcpy(m->id, mp->id, mp->id_len);
		m->id_len = mp->id_len;
		if (mp->cred_len)
			memcpy(m->cred, mp->cred, mp->cred_len);
		m->cred_len = (uint16_t)mp->cred_len;
		rc = osc_replay_init(&m->replay, g->replay_window) ? OSC_GROUP_ERR_PARAM :
		     derive_member(m, mp);
	}
	if (rc != OSC_GROUP_OK)
		osc_member_wipe(m);
	return rc;
}

void osc_member_wipe(struct osc_member *m)
{
	cry_key_wipe(&m->recipient_key);
	cry_key_wipe(&m->pw_sender_key);
	cry_key_wipe(&m->pw_recipient_key);
	cry_pkey_free(m->pub);
	osc_replay_free(&m->replay);
	cry_wipe(m, sizeof(*m));
}

const char *osc_group_strerror(int err)
{
	switch (err) {
	case OSC_GROUP_OK: return "ok";
	case OSC_GROUP_ERR_ALG: return "unsupported or incomplete algorithm set";
	case OSC_GROUP_ERR_ID: return "Sender ID too long or equal to our own";
	case OSC_GROUP_ERR_PARAM: return "empty Master Secret, credential too long or bad window";
	case OSC_GROUP_ERR_KEY: return "private or public key unusable";
	case OSC_GROUP_ERR_CRYPTO: return "key derivation failed";
	}
	return "unknown group context error";
}
