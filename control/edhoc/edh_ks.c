/* SPDX-License-Identifier: BSD-3-Clause */
/* EDHOC key schedule (RFC 9528 §4): transcript hashes, EDHOC_KDF, PRKs, K/IV, exporter. */
#include <string.h>

#include <openssl/evp.h>

#include "control/edhoc/edh_internal.h"
#include "crypto/cry_aead.h"
#include "crypto/cry_cose.h"
#include "crypto/cry_hkdf.h"

int edh_hash3(const struct edh_suite *su, const uint8_t *a, size_t al, const uint8_t *b,
	      size_t bl, const uint8_t *c, size_t cl, uint8_t *out)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned n = 0;
	int ok;

	(void)su; /* every suite here hashes with SHA-256 */
	ok = m && EVP_DigestInit_ex(m, EVP_sha256(), NULL) && (!al || EVP_DigestUpdate(m, a, al)) &&
	     (!bl || EVP_DigestUpdate(m, b, bl)) && (!cl || EVP_DigestUpdate(m, c, cl)) &&
	     EVP_DigestFinal_ex(m, out, &n) && n == 32;
	EVP_MD_CTX_free(m);
	return ok ? 0 : -1;
}

int edh_kdf(const struct edh_suite *su, const uint8_t *prk, unsigned label, const uint8_t *ctx,
	    size_t ctx_len, uint8_t *out, size_t len)
{
	uint8_t info[EDH_MSG_MAX + 16];
	struct cry_cbor_buf b;
	int il;

	/* info = (label: int, context: bstr, length: uint) as a CBOR sequence (§4.1.2) */
	cry_cbor_init(&b, info, sizeof(info));
	cry_cbor_int(&b, label);
	cry_cbor_bstr(&b, ctx, ctx_len);
	cry_cbor_int(&b, (int64_t)len);
	il = cry_cbor_done(&b);
	if (il < 0)
		return -1;
	return cry_hkdf_expand(su->hkdf, prk, EDH_HASH_MAX, info, (size_t)il, out, len) ? -1 : 0;
}

int edh_extract(const struct edh_suite *su, const uint8_t *salt, size_t salt_len,
		const uint8_t *ikm, size_t ikm_len, uint8_t *prk)
{
	return cry_hkdf_extract(su->hkdf, salt, salt_len, ikm, ikm_len, prk) ? -1 : 0;
}

int edh_th2(const struct edh_suite *su, const uint8_t *g_y, const uint8_t *h_m1, uint8_t *th2)
{
	uint8_t in[2 * (2 + EDH_HASH_MAX)];
	struct cry_cbor_buf b;

	cry_cbor_init(&b, in, sizeof(in));
	cry_cbor_bstr(&b, g_y, 32);
	cry_cbor_bstr(&b, h_m1, EDH_HASH_MAX);
	return cry_cbor_done(&b) < 0 ? -1 : edh_hash3(su, in, b.len, NULL, 0, NULL, 0, th2);
}

int edh_th_next(const struct edh_suite *su, uint8_t *th, const uint8_t *pt, size_t pt_len,
		const struct edh_cred *cred)
{
	uint8_t head[2 + EDH_HASH_MAX];
	struct cry_cbor_buf b;

	cry_cbor_init(&b, head, sizeof(head));
	cry_cbor_bstr(&b, th, EDH_HASH_MAX);
	if (cry_cbor_done(&b) < 0)
		return -1;
	return edh_hash3(su, head, b.len, pt, pt_len, cred->cred, cred->cred_len, th);
}

int edh_prk_static(const struct edh_suite *su, const uint8_t *prk, unsigned label,
		   const uint8_t *th, const uint8_t *ikm, uint8_t *prk_next)
{
	uint8_t salt[EDH_HASH_MAX];
	int rc = edh_kdf(su, prk, label, th, EDH_HASH_MAX, salt, sizeof(salt));

	if (rc == 0)
		rc = edh_extract(su, salt, sizeof(salt), ikm, 32, prk_next);
	cry_wipe(salt, sizeof(salt));
	return rc;
}

/* COSE_Encrypt0 with protected h'' and external_aad TH (§5.4.2, §5.5.2), keys per message. */
int edh_aead(const struct edh_suite *su, const uint8_t *prk, const uint8_t *th, bool msg4,
	     bool encrypt, const uint8_t *in, size_t len, uint8_t *out, size_t cap,
	     size_t *out_len)
{
	const struct cry_alg *alg = cry_alg_by_cose(su->aead);
	uint8_t k[CRY_KEY_MAX], iv[CRY_NONCE_MAX], aad[64];
	struct cry_key key = { 0 };
	struct cry_op op;
	int al, rc = -1;
	size_t pt = encrypt ? len : len - (alg ? alg->tag_len : 0);

	if (!alg || (!encrypt && len < alg->tag_len) || (encrypt ? len + alg->tag_len : pt) > cap)
		return -1;
	al = cry_cose_enc_structure(aad, sizeof(aad), "Encrypt0", NULL, 0, th, EDH_HASH_MAX);
	if (al < 0 || edh_kdf(su, prk, msg4 ? EDH_KDF_K_4 : EDH_KDF_K_3, th, EDH_HASH_MAX, k,
			      alg->key_len) ||
	    edh_kdf(su, prk, msg4 ? EDH_KDF_IV_4 : EDH_KDF_IV_3, th, EDH_HASH_MAX, iv,
		    alg->nonce_len) || cry_key_init(&key, alg, k))
		goto out;
	cry_op_prepare(&op, &key, encrypt ? CRY_ENCRYPT : CRY_DECRYPT, iv, aad, (uint32_t)al);
	op.in = in;
	op.out = out;
	op.len = (uint32_t)pt;
	op.tag = encrypt ? out + len : (uint8_t *)(uintptr_t)(in + pt);
	rc = cry_aead_one_openssl(&op) == CRY_OK ? 0 : (op.status == CRY_ERR_AUTH ? -2 : -1);
	*out_len = encrypt ? len + alg->tag_len : pt;
out:
	cry_key_wipe(&key);
	cry_wipe(k, sizeof(k));
	return rc;
}

static int oscore_params(const struct edh_sess *s, struct edh_result *res)
{
	const struct cry_alg *app = cry_alg_by_cose(s->suite->app_aead);
	struct osc_params *p = &res->oscore;
	const uint8_t *snd = s->initiator ? s->c_r : s->c_i, *rcp = s->initiator ? s->c_i : s->c_r;

	osc_params_defaults(p);
	if (!app || app->key_len > sizeof(p->secret))
		return -1;
	p->alg = app;
	p->hkdf = s->suite->app_hkdf;
	p->secret_len = app->key_len;
	p->salt_len = EDH_OSCORE_SALT_LEN;
	if (edh_exporter(res, s->suite->hkdf, EDH_EXP_OSCORE_SECRET, NULL, 0, p->secret,
			 p->secret_len) ||
	    edh_exporter(res, s->suite->hkdf, EDH_EXP_OSCORE_SALT, NULL, 0, p->salt, p->salt_len))
		return -1;
	/* App. A.1: each side's Sender ID is the identifier the other side chose */
	p->sender_id_len = s->initiator ? s->c_r_len : s->c_i_len;
	p->recipient_id_len = s->initiator ? s->c_i_len : s->c_r_len;
	memcpy(p->sender_id, snd, p->sender_id_len);
	memcpy(p->recipient_id, rcp, p->recipient_id_len);
	return 0;
}

int edh_finish(const struct edh_sess *s, struct edh_result *res)
{
	const struct edh_suite *su = s->suite;

	memset(res, 0, sizeof(*res));
	res->method = s->method;
	res->suite = su->id;
	if (edh_kdf(su, s->prk_4e3m, EDH_KDF_PRK_OUT, s->th, EDH_HASH_MAX, res->prk_out,
		    EDH_HASH_MAX) ||
	    edh_kdf(su, res->prk_out, EDH_KDF_PRK_EXPORTER, NULL, 0, res->prk_exporter,
		    EDH_HASH_MAX))
		return -1;
	return oscore_params(s, res);
}

enum edh_status edh_exporter(const struct edh_result *r, int hkdf, unsigned label,
			     const uint8_t *ctx, size_t ctx_len, uint8_t *out, size_t len)
{
	const struct edh_suite su = { .hkdf = hkdf };

	return edh_kdf(&su, r->prk_exporter, label, ctx, ctx_len, out, len) ? EDH_E_INTERNAL
									     : EDH_OK;
}

int edh_keystream_xor(const struct edh_suite *su, const uint8_t *prk_2e, const uint8_t *th2,
		      uint8_t *buf, size_t len)
{
	uint8_t ks[EDH_MSG_MAX];
	int rc;

	/* longer plaintexts would need App. G's chunks; EDH_MSG_MAX is far below 255 * 32 */
	if (len > sizeof(ks))
		return -1;
	rc = edh_kdf(su, prk_2e, EDH_KDF_KEYSTREAM_2, th2, EDH_HASH_MAX, ks, len);
	for (size_t i = 0; rc == 0 && i < len; i++)
		buf[i] ^= ks[i];
	cry_wipe(ks, len);
	return rc;
}
