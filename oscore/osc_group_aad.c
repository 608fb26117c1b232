/* SPDX-License-Identifier: BSD-3-Clause */
/* Group OSCORE external_aad (RFC 10021 §3.4), countersignature input and keystream (§4.2). */
#include "oscore/osc_group.h"

#include <string.h>

#include "crypto/cry_cbor.h"

static const uint8_t null_byte = CRY_CBOR_NULL;

/* An algorithm identifier, or null when the group does not use it. */
static void alg_or_null(struct cry_cbor_buf *b, int cose, bool set)
{
	if (set)
		cry_cbor_int(b, cose);
	else
		cry_cbor_raw(b, &null_byte, 1);
}

int osc_group_aad_array(uint8_t *out, size_t cap, const struct osc_group *g,
			const struct osc_group_aad_in *in)
{
	struct cry_cbor_buf b;

	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_ARRAY, 9);
	cry_cbor_int(&b, 1); /* oscore_version */
	cry_cbor_head(&b, CRY_CBOR_ARRAY, 4);
	alg_or_null(&b, g->aead ? g->aead->cose : 0, g->aead);
	alg_or_null(&b, g->group_enc ? g->group_enc->cose : 0, g->group_enc);
	alg_or_null(&b, g->sig_alg, g->sig_alg != 0);
	alg_or_null(&b, g->pairwise_ka, g->pairwise_ka != 0);
	cry_cbor_bstr(&b, in->kid, in->kid_len);
	cry_cbor_bstr(&b, in->piv, in->piv_len);
	cry_cbor_bstr(&b, NULL, 0); /* options: no Class I options are defined */
	cry_cbor_bstr(&b, in->kid_ctx, in->kid_ctx_len);
	cry_cbor_bstr(&b, in->option, in->option_len);
	cry_cbor_bstr(&b, in->sender_cred, in->sender_cred_len);
	if (g->has_gm_cred)
		cry_cbor_bstr(&b, g->gm_cred, g->gm_cred_len);
	else
		cry_cbor_raw(&b, &null_byte, 1);
	return cry_cbor_done(&b);
}

int osc_group_aad(uint8_t out[OSC_GROUP_AAD_MAX], const struct osc_group *g,
		  const struct osc_group_aad_in *in, size_t *arr_off)
{
	uint8_t arr[OSC_GROUP_ARRAY_MAX];
	int n = osc_group_aad_array(arr, sizeof(arr), g, in), len;
	struct cry_cbor_buf b;

	if (n < 0)
		return -1;
	cry_cbor_init(&b, out, OSC_GROUP_AAD_MAX);
	cry_cbor_head(&b, CRY_CBOR_ARRAY, 3);
	cry_cbor_tstr(&b, "Encrypt0");
	cry_cbor_bstr(&b, NULL, 0);
	cry_cbor_bstr(&b, arr, (size_t)n);
	len = cry_cbor_done(&b);
	if (len >= 0 && arr_off)
		*arr_off = (size_t)(len - n);
	return len;
}

int osc_group_tbs(uint8_t *out, size_t cap, const uint8_t *arr, size_t arr_len,
		  const uint8_t *ct, size_t ct_len)
{
	struct cry_cbor_buf b;

	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_ARRAY, 5);
	cry_cbor_tstr(&b, "CounterSignature0");
	cry_cbor_bstr(&b, NULL, 0); /* body_protected: OSCORE's COSE object has none */
	cry_cbor_bstr(&b, NULL, 0); /* sign_protected: see osc_group.h for why it is here */
	cry_cbor_bstr(&b, arr, arr_len);
	cry_cbor_bstr(&b, ct, ct_len);
	return cry_cbor_done(&b);
}

int osc_group_keystream(const struct osc_group *g, const uint8_t *piv, size_t piv_len,
			const uint8_t *id, size_t id_len, bool request, uint8_t *out)
{
	struct osc_info in = { .id = id, .id_len = id_len, .id_ctx = g->gid,
			       .id_ctx_len = g->gid_len, .has_id_ctx = true, .type = NULL,
			       .request = request, .L = g->sig_len };

	return osc_hkdf_derive(g->hkdf, piv, piv_len, g->sekey, g->sekey_len, &in, out);
}
