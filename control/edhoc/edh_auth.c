/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One party's authentication, the same code for message_2 (Responder, n = 2) and message_3
 * (Initiator, n = 3), RFC 9528 §5.3.2 and §5.4.2: the PRK that mixes in its static DH key
 * (PRK_3e2m or PRK_4e3m), Signature_or_MAC_n, and the PLAINTEXT_n that carries them.
 */
#include <string.h>

#include "control/edhoc/edh_internal.h"
#include "crypto/cry_aead.h"

/* PRK_3e2m / PRK_4e3m (§4.1.1.2-3): with the static DH secret of the authenticating party,
 * ECDH(own static, peer ephemeral) on its side, ECDH(own ephemeral, peer static) on the other. */
static enum edh_status next_prk(const struct edh_sess *s, int n, const struct cry_pkey *own,
				const struct edh_cred *peer, const uint8_t *prk_in,
				uint8_t *prk_out)
{
	uint8_t g[CRY_ECDH_LEN];
	enum edh_status st;

	if (!edh_static_dh(s->method, n == 3)) {
		memcpy(prk_out, prk_in, EDH_HASH_MAX);
		return EDH_OK;
	}
	st = peer ? edh_ecdh_cred(own, peer, g) : edh_ecdh_x(s->suite, own, s->g_peer, g);
	if (st == EDH_OK && edh_prk_static(s->suite, prk_in, n == 2 ? EDH_KDF_SALT_3E2M
								    : EDH_KDF_SALT_4E3M,
					   s->th, g, prk_out))
		st = EDH_E_INTERNAL;
	cry_wipe(g, sizeof(g));
	return st;
}

int edh_auth_make(struct edh_sess *s, int n, const uint8_t *prk_in, uint8_t *prk_out,
		  uint8_t *pt, size_t cap)
{
	const struct edh_cred *own = s->own;
	uint8_t sm[CRY_SIG_LEN];
	size_t sml = 0;
	struct cry_cbor_buf b;

	if (next_prk(s, n, own->pub, NULL, prk_in, prk_out) != EDH_OK ||
	    edh_sig_or_mac(s, n, true, prk_out, own->id_cred, own->id_cred_len, own,
			   s->cfg->ead, s->cfg->ead_len, sm, &sml) != EDH_OK)
		return -1;
	cry_cbor_init(&b, pt, cap);
	if (n == 2)
		edh_cid_write(&b, s->c_r, s->c_r_len);
	edh_id_cred_write(&b, own);
	cry_cbor_bstr(&b, sm, sml);
	cry_cbor_raw(&b, s->cfg->ead, s->cfg->ead_len);
	return cry_cbor_done(&b);
}

/* PLAINTEXT_n = (C_R if n == 2), ID_CRED, Signature_or_MAC (bstr), ?EAD. */
struct plaintext {
	const uint8_t *idc_raw;
	size_t idc_len;
	uint8_t sm[CRY_SIG_LEN];
	size_t sm_len;
	const uint8_t *ead;
	size_t ead_len;
};

static enum edh_status parse_pt(struct edh_sess *s, int n, const uint8_t *pt, size_t len,
				struct plaintext *p)
{
	struct edh_seq q = { pt, len, 0 };
	cbor_item_t *it[3] = { NULL, NULL, NULL };
	const uint8_t *raw[3], *sm;
	size_t rl[3], sml;
	bool bad = false, ok = true;
	int k = n == 2 ? 3 : 2;

	for (int i = 0; i < k && ok; i++)
		ok = edh_seq_next(&q, &it[i], &raw[i], &rl[i], &bad);
	if (ok && n == 2)
		ok = edh_cid_read(it[0], raw[0], rl[0], s->c_r, &s->c_r_len);
	ok = ok && cry_cbor_get_bstr(it[k - 1], &sm, &sml) && sml <= sizeof(p->sm);
	if (ok) {
		p->idc_raw = raw[k - 2];
		p->idc_len = rl[k - 2];
		memcpy(p->sm, sm, sml);
		p->sm_len = sml;
		p->ead = pt + q.off;
		p->ead_len = len - q.off;
	}
	for (int i = 0; i < 3; i++)
		if (it[i])
			cbor_decref(&it[i]);
	return ok ? EDH_OK : EDH_E_MALFORMED;
}

enum edh_status edh_auth_check(struct edh_sess *s, int n, const uint8_t *pt, size_t len,
			       const uint8_t *prk_in, uint8_t *prk_out, struct edh_cred *tmp,
			       const struct edh_cred **peer)
{
	struct plaintext p;
	uint8_t idc[EDH_MSG_MAX];
	size_t idc_len = 0;
	enum edh_status st = parse_pt(s, n, pt, len, &p);

	if (st == EDH_OK)
		st = edh_ead_check(p.ead, p.ead_len);
	if (st == EDH_OK)
		st = edh_cred_resolve(s->cfg->trust, p.idc_raw, p.idc_len, idc, sizeof(idc),
				      &idc_len, peer, tmp);
	/* the key must be the kind this method and suite ask of the peer (§3.5.1) */
	if (st == EDH_OK && cry_pkey_crv((*peer)->pub) !=
				    edh_suite_auth_crv(s->suite, edh_static_dh(s->method, n == 3)))
		st = EDH_E_UNTRUSTED;
	if (st == EDH_OK)
		st = next_prk(s, n, s->eph, *peer, prk_in, prk_out);
	if (st == EDH_OK)
		st = edh_sig_or_mac(s, n, false, prk_out, idc, idc_len, *peer, p.ead, p.ead_len,
				    p.sm, &p.sm_len);
	return st;
}
