/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which trusted credential a received ID_CRED_x names (RFC 9528 §3.5.3, RFC 9360): a compact
 * kid, {4: kid}, {14: CCS} (kccs, trusted only if pinned), {34: [alg, hash]} (x5t of a pinned
 * certificate) or {33: cert / [certs]} (x5chain: pinned leaf, or a chain OpenSSL verifies
 * against the configured CAs). Only single-entry ID_CRED maps are accepted: the value's bytes
 * are then the map's bytes after its key, exactly as the peer hashed them.
 */
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "control/edhoc/edh_internal.h"
#include "crypto/cry_aead.h"

static const struct edh_cred *by_kid(const struct edh_trust *t, const uint8_t *kid, size_t n)
{
	for (unsigned i = 0; i < t->n; i++)
		if (!t->creds[i].x509 && t->creds[i].kid_len == n && !memcmp(t->creds[i].kid, kid, n))
			return &t->creds[i];
	return NULL;
}

/* A pinned credential whose CRED_x is exactly cred[0..n) (kccs; an x5chain leaf as bstr). */
static const struct edh_cred *by_cred(const struct edh_trust *t, const uint8_t *cred, size_t n)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->creds[i].cred_len == n && !memcmp(t->creds[i].cred, cred, n))
			return &t->creds[i];
	return NULL;
}

/* x5t = [alg, hash]: SHA-256 truncated to 64 bits (-15) or whole (-16). */
static const struct edh_cred *by_x5t(const struct edh_trust *t, const cbor_item_t *v)
{
	const uint8_t *h;
	size_t hl;
	int64_t alg;

	if (!cbor_isa_array(v) || cbor_array_size(v) != 2 ||
	    !cry_cbor_get_int(cbor_array_handle(v)[0], &alg) ||
	    !cry_cbor_get_bstr(cbor_array_handle(v)[1], &h, &hl) ||
	    !((alg == EDH_X5T_SHA256_64 && hl == 8) || (alg == EDH_X5T_SHA256 && hl == 32)))
		return NULL;
	for (unsigned i = 0; i < t->n; i++)
		if (t->creds[i].x509 && !memcmp(t->creds[i].x5t, h, hl))
			return &t->creds[i];
	return NULL;
}

/* Verify leaf (with intermediates) against the CAs (X509_verify_cert). */
static bool chain_ok(const struct edh_trust *t, const cbor_item_t *v)
{
	size_t n = cbor_isa_array(v) ? cbor_array_size(v) : 1;
	STACK_OF(X509) *mid = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	X509 *leaf = NULL;
	bool ok = mid && ctx && n >= 1;

	for (size_t i = 0; ok && i < n; i++) {
		const uint8_t *der, *p;
		size_t len;
		X509 *x;

		ok = cry_cbor_get_bstr(cbor_isa_array(v) ? cbor_array_handle(v)[i] : v, &der, &len);
		p = der;
		x = ok ? d2i_X509(NULL, &p, (long)len) : NULL;
		ok = x && p == der + len;
		if (ok && i == 0)
			leaf = x;
		else if (ok && !sk_X509_push(mid, x))
			ok = false;
		if (!ok)
			X509_free(x);
	}
	ok = ok && X509_STORE_CTX_init(ctx, t->cas, leaf, mid) && X509_verify_cert(ctx) == 1;
	X509_STORE_CTX_free(ctx);
	X509_free(leaf);
	sk_X509_pop_free(mid, X509_free);
	return ok;
}

/* x5chain: a pinned leaf, or a chain to a CA; then *tmp is the leaf's credential. */
static enum edh_status by_x5chain(const struct edh_trust *t, const cbor_item_t *v,
				  const struct edh_cred **out, struct edh_cred *tmp)
{
	const cbor_item_t *leaf = cbor_isa_array(v) && cbor_array_size(v) ? cbor_array_handle(v)[0]
									     : v;
	const uint8_t *der;
	size_t len;
	enum edh_status st;

	if (!cry_cbor_get_bstr(leaf, &der, &len))
		return EDH_E_MALFORMED;
	st = edh_cred_x509(tmp, der, len, EDH_X509_BY_X5CHAIN, NULL, 0);
	if (st != EDH_OK)
		return st;
	*out = by_cred(t, tmp->cred, tmp->cred_len);
	if (*out == NULL && chain_ok(t, v))
		*out = tmp;
	return *out ? EDH_OK : EDH_E_UNTRUSTED;
}

/* A single-entry ID_CRED map {label: v}. */
static enum edh_status by_map(const struct edh_trust *t, const cbor_item_t *it,
			      const uint8_t *raw, size_t rlen, const struct edh_cred **out,
			      struct edh_cred *tmp)
{
	struct cbor_pair *pr = cbor_map_handle(it);
	int64_t label;
	const uint8_t *kid;
	size_t kl;

	if (cbor_map_size(it) != 1 || !cry_cbor_get_int(pr[0].key, &label))
		return EDH_E_MALFORMED;
	switch (label) {
	case EDH_IDCRED_KID:
		if (!cry_cbor_get_bstr(pr[0].value, &kid, &kl))
			return EDH_E_MALFORMED;
		*out = by_kid(t, kid, kl);
		break;
	case EDH_IDCRED_KCCS: /* map head a1, key 0e, then the CCS as sent */
		if (!cbor_isa_map(pr[0].value))
			return EDH_E_MALFORMED;
		*out = by_cred(t, raw + 2, rlen - 2);
		return *out ? EDH_OK : EDH_E_UNTRUSTED;
	case EDH_IDCRED_X5T:
		*out = by_x5t(t, pr[0].value);
		break;
	case EDH_IDCRED_X5CHAIN:
		return by_x5chain(t, pr[0].value, out, tmp);
	default:
		return EDH_E_CRED_UNKNOWN;
	}
	return *out ? EDH_OK : EDH_E_CRED_UNKNOWN;
}

/* The compact form (§3.5.3.2): kid alone, as a one-byte int or a bstr; idc = {4: kid}. */
static enum edh_status by_compact(const struct edh_trust *t, const cbor_item_t *it,
				  const uint8_t *raw, size_t rlen, uint8_t *idc, size_t cap,
				  size_t *idc_len, const struct edh_cred **out)
{
	uint8_t kid[EDH_CID_MAX];
	uint8_t kl;
	struct cry_cbor_buf b;

	if (!edh_cid_read(it, raw, rlen, kid, &kl))
		return EDH_E_MALFORMED;
	cry_cbor_init(&b, idc, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, 1);
	cry_cbor_int(&b, EDH_IDCRED_KID);
	cry_cbor_bstr(&b, kid, kl);
	if (cry_cbor_done(&b) < 0)
		return EDH_E_INTERNAL;
	*idc_len = b.len;
	*out = by_kid(t, kid, kl);
	return *out ? EDH_OK : EDH_E_CRED_UNKNOWN;
}

enum edh_status edh_cred_resolve(const struct edh_trust *t, const uint8_t *raw, size_t rlen,
				 uint8_t *idc, size_t cap, size_t *idc_len,
				 const struct edh_cred **out, struct edh_cred *tmp)
{
	cbor_item_t *it = NULL;
	enum edh_status st;

	*out = NULL;
	if (t == NULL)
		return EDH_E_CRED_UNKNOWN;
	if (cry_cbor_decode(raw, rlen, &edh_cbor_limits, &it, NULL))
		return EDH_E_MALFORMED;
	if (cbor_isa_map(it)) {
		st = rlen <= cap && raw[0] == 0xa1 ? by_map(t, it, raw, rlen, out, tmp)
						  : EDH_E_MALFORMED;
		if (st == EDH_OK) {
			memcpy(idc, raw, rlen); /* the map as the peer hashed it */
			*idc_len = rlen;
		}
	} else {
		st = by_compact(t, it, raw, rlen, idc, cap, idc_len, out);
	}
	cbor_decref(&it);
	return st;
}
