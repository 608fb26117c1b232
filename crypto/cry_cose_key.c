/* SPDX-License-Identifier: BSD-3-Clause */
/* COSE_Key (RFC 9052 §7; OKP RFC 9053 §7.2, EC2 §7.1.1, Symmetric §7.3): read, use, write. */
#include <errno.h>
#include <string.h>

#include "crypto/cry_cbor.h"
#include "crypto/cry_cose.h"

/* An optional bstr parameter: absent is fine, present must be a bstr. */
static bool opt_bstr(const cbor_item_t *map, int64_t label, const uint8_t **p, size_t *len)
{
	const cbor_item_t *v = cry_cbor_map_int(map, label);

	*p = NULL;
	*len = 0;
	return v == NULL || cry_cbor_get_bstr(v, p, len);
}

static bool opt_int(const cbor_item_t *map, int64_t label, int *out)
{
	const cbor_item_t *v = cry_cbor_map_int(map, label);
	int64_t i;

	*out = 0;
	if (v == NULL)
		return true;
	if (!cry_cbor_get_int(v, &i) || i < INT32_MIN || i > INT32_MAX)
		return false;
	*out = (int)i;
	return true;
}

/* EC2 y is a bstr, or a bool giving the sign bit of a compressed point (RFC 9053 §7.1.1). */
static bool read_y(const cbor_item_t *map, struct cry_cose_key *k)
{
	const cbor_item_t *v = cry_cbor_map_int(map, CRY_COSE_KEY_Y);
	bool sign;

	if (cry_cbor_get_bool(v, &sign)) {
		k->y_sign = sign;
		return true;
	}
	return opt_bstr(map, CRY_COSE_KEY_Y, &k->y, &k->y_len);
}

static int read_curve_key(const cbor_item_t *it, struct cry_cose_key *k)
{
	if (!opt_int(it, CRY_COSE_KEY_CRV, &k->crv) || k->crv == 0 ||
	    !opt_bstr(it, CRY_COSE_KEY_X, &k->x, &k->x_len) ||
	    !opt_bstr(it, CRY_COSE_KEY_D, &k->d, &k->d_len))
		return -EBADMSG;
	if (k->kty == CRY_KTY_OKP)
		return k->x != NULL || k->d != NULL ? 0 : -EBADMSG;
	if (!read_y(it, k))
		return -EBADMSG;
	/* y may be left out only when d gives the public key, or as a bool next to x */
	if (k->d == NULL && (k->x == NULL || (k->y == NULL && !cry_cbor_map_int(it, CRY_COSE_KEY_Y))))
		return -EBADMSG;
	return 0;
}

int cry_cose_key_read(const cbor_item_t *it, struct cry_cose_key *k)
{
	memset(k, 0, sizeof(*k));
	if (it == NULL || !cbor_isa_map(it))
		return -EBADMSG;
	if (!opt_int(it, CRY_COSE_KEY_KTY, &k->kty) || k->kty == 0) {
		const cbor_item_t *kty = cry_cbor_map_int(it, CRY_COSE_KEY_KTY);

		/* a text kty names a key type this layer does not have; no kty is malformed */
		return kty != NULL && cbor_isa_string(kty) ? -ENOTSUP : -EBADMSG;
	}
	if (!opt_int(it, CRY_COSE_KEY_ALG, &k->alg) ||
	    !opt_bstr(it, CRY_COSE_KEY_KID, &k->kid, &k->kid_len))
		return -EBADMSG;
	switch (k->kty) {
	case CRY_KTY_OKP:
	case CRY_KTY_EC2:
		return read_curve_key(it, k);
	case CRY_KTY_SYMMETRIC:
		if (!opt_bstr(it, CRY_COSE_KEY_K, &k->k, &k->k_len) || k->k == NULL ||
		    k->k_len == 0)
			return -EBADMSG;
		return 0;
	default:
		return -ENOTSUP;
	}
}

int cry_cose_key_pkey(const struct cry_cose_key *k, struct cry_pkey **out)
{
	struct cry_coords c = {
		.crv = k->crv, .x = k->x, .x_len = k->x_len, .y = k->y, .y_len = k->y_len,
		.d = k->d, .d_len = k->d_len, .y_sign = k->y_sign,
	};

	*out = NULL;
	if (k->kty != CRY_KTY_OKP && k->kty != CRY_KTY_EC2)
		return -EINVAL;
	/* the curve must belong to the key type: P-256 is EC2, X25519 and Ed25519 are OKP */
	if ((k->kty == CRY_KTY_EC2) != (k->crv == CRY_CRV_P256))
		return -EINVAL;
	return cry_pkey_from_coords(out, &c);
}

static void put_bstr(struct cry_cbor_buf *b, int64_t label, const uint8_t *p, size_t len)
{
	if (p == NULL)
		return;
	cry_cbor_int(b, label);
	cry_cbor_bstr(b, p, len);
}

/* Labels in the order of RFC 8949 §4.2.1 (bytewise order of their encodings: 1, 2, 3, -1, ...). */
int cry_cose_key_write(const struct cry_cose_key *k, uint8_t *out, size_t cap)
{
	bool curve = k->kty == CRY_KTY_OKP || k->kty == CRY_KTY_EC2;
	bool y_bool = k->kty == CRY_KTY_EC2 && k->y == NULL && k->d == NULL;
	size_t n = 1 + (k->kid != NULL) + (k->alg != 0);
	struct cry_cbor_buf b;
	uint8_t y = k->y_sign ? CRY_CBOR_TRUE : CRY_CBOR_FALSE;
	int len;

	if (!curve && k->kty != CRY_KTY_SYMMETRIC)
		return -EINVAL;
	n += curve ? 1 + (k->x != NULL) + (k->y != NULL || y_bool) + (k->d != NULL)
		   : (k->k != NULL);
	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_MAP, n);
	cry_cbor_int(&b, CRY_COSE_KEY_KTY);
	cry_cbor_int(&b, k->kty);
	put_bstr(&b, CRY_COSE_KEY_KID, k->kid, k->kid_len);
	if (k->alg != 0) {
		cry_cbor_int(&b, CRY_COSE_KEY_ALG);
		cry_cbor_int(&b, k->alg);
	}
	if (curve) {
		cry_cbor_int(&b, CRY_COSE_KEY_CRV);
		cry_cbor_int(&b, k->crv);
		put_bstr(&b, CRY_COSE_KEY_X, k->x, k->x_len);
		put_bstr(&b, CRY_COSE_KEY_Y, k->y, k->y_len);
		if (y_bool) {
			cry_cbor_int(&b, CRY_COSE_KEY_Y);
			cry_cbor_raw(&b, &y, 1);
		}
		put_bstr(&b, CRY_COSE_KEY_D, k->d, k->d_len);
	} else {
		put_bstr(&b, CRY_COSE_KEY_K, k->k, k->k_len);
	}
	len = cry_cbor_done(&b);
	return len < 0 ? -ENOSPC : len;
}
