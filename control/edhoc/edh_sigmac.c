/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Signature_or_MAC_2 and _3 (RFC 9528 §5.3.2, §5.4.2): MAC_n = EDHOC_KDF(PRK, 2 or 6, context_n,
 * mac_length_n), sent as it is by a static-DH party, or signed as a COSE_Sign1 whose protected
 * header is ID_CRED and whose external_aad is << TH_n, CRED, ?EAD >>.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/edhoc/edh_internal.h"
#include "crypto/cry_aead.h"
#include "crypto/cry_cose.h"

/* bstr(TH) || CRED || EAD into a fresh buffer (*len its length), or NULL. */
static uint8_t *th_cred_ead(const uint8_t *th, const struct edh_cred *cred, const uint8_t *ead,
			    size_t ead_len, size_t *len)
{
	size_t cap = 2 + EDH_HASH_MAX + cred->cred_len + ead_len;
	uint8_t *p = malloc(cap);
	struct cry_cbor_buf b;

	if (p == NULL)
		return NULL;
	cry_cbor_init(&b, p, cap);
	cry_cbor_bstr(&b, th, EDH_HASH_MAX);
	cry_cbor_raw(&b, cred->cred, cred->cred_len);
	cry_cbor_raw(&b, ead, ead_len);
	*len = b.len;
	return p;
}

/* MAC_n over context_n = ?C_R || ID_CRED || tail (tail = bstr(TH) || CRED || EAD). */
static int mac_n(const struct edh_sess *s, int n, const uint8_t *prk, const uint8_t *idc,
		 size_t idc_len, const uint8_t *tail, size_t tail_len, uint8_t *mac, size_t mlen)
{
	size_t cap = 1 + 9 + EDH_CID_MAX + idc_len + tail_len;
	uint8_t *ctx = malloc(cap);
	struct cry_cbor_buf b;
	int rc = -1;

	if (ctx == NULL)
		return -1;
	cry_cbor_init(&b, ctx, cap);
	if (n == 2) /* C_R is authenticated in MAC_2 (RFC 9528, not in the earlier drafts) */
		edh_cid_write(&b, s->c_r, s->c_r_len);
	cry_cbor_raw(&b, idc, idc_len);
	cry_cbor_raw(&b, tail, tail_len);
	if (cry_cbor_done(&b) >= 0)
		rc = edh_kdf(s->suite, prk, n == 2 ? EDH_KDF_MAC_2 : EDH_KDF_MAC_3, ctx, b.len, mac,
			     mlen);
	free(ctx);
	return rc;
}

/* Sign or verify the Sig_structure ["Signature1", <<ID_CRED>>, <<tail>>, MAC]. */
static enum edh_status sign_n(const struct edh_sess *s, bool make, const uint8_t *idc,
			      size_t idc_len, const uint8_t *tail, size_t tail_len,
			      const uint8_t *mac, const struct edh_cred *cred, uint8_t *sig,
			      size_t *len)
{
	size_t cap = 64 + idc_len + tail_len + EDH_HASH_MAX;
	uint8_t *tbs = malloc(cap);
	int n, rc = -1;
	enum edh_status st = EDH_E_INTERNAL;

	if (tbs == NULL)
		return EDH_E_INTERNAL;
	n = cry_cose_tbs_structure(tbs, cap, "Signature1", idc, idc_len, tail, tail_len, mac,
				   EDH_HASH_MAX);
	if (n >= 0 && make) {
		rc = cry_sign(cred->pub, s->suite->sig_alg, tbs, (size_t)n, sig);
		*len = CRY_SIG_LEN;
		st = rc ? EDH_E_INTERNAL : EDH_OK;
	} else if (n >= 0) {
		rc = cry_verify(cred->pub, s->suite->sig_alg, tbs, (size_t)n, sig, *len);
		st = rc == 0 ? EDH_OK : rc == -EINVAL ? EDH_E_UNTRUSTED : EDH_E_AUTH;
	}
	free(tbs);
	return st;
}

enum edh_status edh_sig_or_mac(const struct edh_sess *s, int n, bool make, const uint8_t *prk,
			       const uint8_t *idc, size_t idc_len, const struct edh_cred *cred,
			       const uint8_t *ead, size_t ead_len, uint8_t *out, size_t *len)
{
	bool stat = edh_static_dh(s->method, n == 3);
	size_t mlen = stat ? s->suite->mac_len : EDH_HASH_MAX, tail_len = 0;
	uint8_t mac[EDH_HASH_MAX];
	uint8_t *tail = th_cred_ead(s->th, cred, ead, ead_len, &tail_len);
	enum edh_status st = EDH_E_INTERNAL;

	if (tail && mac_n(s, n, prk, idc, idc_len, tail, tail_len, mac, mlen) == 0) {
		if (!stat)
			st = sign_n(s, make, idc, idc_len, tail, tail_len, mac, cred, out, len);
		else if (make) {
			memcpy(out, mac, mlen);
			*len = mlen;
			st = EDH_OK;
		} else {
			st = *len == mlen && cry_ct_equal(out, mac, mlen) ? EDH_OK : EDH_E_AUTH;
		}
	}
	free(tail);
	cry_wipe(mac, sizeof(mac));
	return st;
}
