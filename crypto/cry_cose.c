/* SPDX-License-Identifier: BSD-3-Clause */
/* COSE_Encrypt0, COSE_Mac0 and COSE_Sign1 (RFC 9052 §4.2, §5.2, §6.2): decode, verify, build. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_aead.h"
#include "crypto/cry_cbor.h"
#include "crypto/cry_cose.h"
#include "crypto/cry_hkdf.h"

/* ---- decoding ---- */

/* Which message an array of n elements is, given its tag (0 if untagged) and what is accepted. */
static int message_type(uint64_t tag, size_t n, unsigned accept)
{
	bool mac = accept & CRY_COSE_ACCEPT(CRY_COSE_MAC0);
	bool sign = accept & CRY_COSE_ACCEPT(CRY_COSE_SIGN1);
	int t;

	if (tag != 0)
		t = tag >= CRY_COSE_ENCRYPT0 && tag <= CRY_COSE_SIGN1 ? (int)tag : 0;
	else if (n == 3)
		t = CRY_COSE_ENCRYPT0;
	else if (n == 4 && mac != sign)
		t = mac ? CRY_COSE_MAC0 : CRY_COSE_SIGN1;
	else
		return -EBADMSG;
	if (t == 0 || !(accept & CRY_COSE_ACCEPT(t)))
		return -EBADMSG;
	if (n != (t == CRY_COSE_ENCRYPT0 ? 3u : 4u))
		return -EBADMSG;
	return t;
}

/* RFC 9052 §3: the protected bucket is a bstr, empty or holding a serialised map. */
static int read_protected(struct cry_cose_msg *m, const cbor_item_t *b,
			  const struct cry_cbor_limits *lim)
{
	int rc;

	if (!cry_cbor_get_bstr(b, &m->prot, &m->prot_len))
		return -EBADMSG;
	if (m->prot_len == 0) {
		m->prot_root_ = cbor_new_definite_map(0);
		if (m->prot_root_ == NULL)
			return -ENOMEM;
	} else {
		rc = cry_cbor_decode(m->prot, m->prot_len, lim, &m->prot_root_, NULL);
		if (rc != 0)
			return rc;
		if (!cbor_isa_map(m->prot_root_))
			return -EBADMSG;
	}
	m->prot_map = m->prot_root_;
	return 0;
}

/* RFC 9052 §3: a label may not be in both buckets. */
static bool buckets_disjoint(const cbor_item_t *prot, const cbor_item_t *unprot)
{
	const struct cbor_pair *p = cbor_map_handle(prot);

	for (size_t i = 0; i < cbor_map_size(prot); i++)
		if (cry_cbor_map_get(unprot, p[i].key) != NULL)
			return false;
	return true;
}

/* RFC 9052 §3.1 crit: only in the protected bucket, a non-empty array of labels we process. */
static int check_crit(const struct cry_cose_msg *m)
{
	static const int64_t known[] = { CRY_COSE_HDR_ALG, CRY_COSE_HDR_CRIT, CRY_COSE_HDR_CTY,
					 CRY_COSE_HDR_KID, CRY_COSE_HDR_IV,
					 CRY_COSE_HDR_KID_CONTEXT };
	const cbor_item_t *c = cry_cbor_map_int(m->prot_map, CRY_COSE_HDR_CRIT);
	cbor_item_t **a;

	if (cry_cbor_map_int(m->unprot_map, CRY_COSE_HDR_CRIT) != NULL)
		return -EBADMSG;
	if (c == NULL)
		return 0;
	if (!cbor_isa_array(c) || cbor_array_size(c) == 0)
		return -EBADMSG;
	a = cbor_array_handle(c);
	for (size_t i = 0; i < cbor_array_size(c); i++) {
		int64_t l;
		bool ok = false;

		if (!cry_cbor_get_int(a[i], &l))
			return -ENOTSUP; /* a text label: nothing here processes those */
		for (size_t j = 0; j < sizeof(known) / sizeof(known[0]); j++)
			ok |= l == known[j];
		if (!ok)
			return -ENOTSUP;
	}
	return 0;
}

/* alg, kid and IV with their types (RFC 9052 §3.1 Table 3). */
static int read_common(struct cry_cose_msg *m)
{
	const cbor_item_t *alg = cry_cose_header(m, CRY_COSE_HDR_ALG);
	const cbor_item_t *kid = cry_cose_header(m, CRY_COSE_HDR_KID);
	const cbor_item_t *iv = cry_cose_header(m, CRY_COSE_HDR_IV);
	int64_t a = 0;

	if (alg != NULL && !cry_cbor_get_int(alg, &a))
		return cbor_isa_string(alg) ? -ENOTSUP : -EBADMSG;
	if (a < INT32_MIN || a > INT32_MAX)
		return -ENOTSUP;
	m->alg = (int)a;
	if (kid != NULL && !cry_cbor_get_bstr(kid, &m->kid, &m->kid_len))
		return -EBADMSG;
	if (iv != NULL && !cry_cbor_get_bstr(iv, &m->iv, &m->iv_len))
		return -EBADMSG;
	return check_crit(m);
}

static int read_body(struct cry_cose_msg *m, cbor_item_t **a, const struct cry_cbor_limits *lim)
{
	int rc = read_protected(m, a[0], lim);

	if (rc != 0)
		return rc;
	if (!cbor_isa_map(a[1]) || !buckets_disjoint(m->prot_map, a[1]))
		return -EBADMSG;
	m->unprot_map = a[1];
	if (cry_cbor_is_simple(a[2], CBOR_CTRL_NULL))
		return -ENOTSUP; /* detached content (RFC 9052 §4.1) is not used by tokens or EDHOC */
	if (!cry_cbor_get_bstr(a[2], &m->content, &m->content_len))
		return -EBADMSG;
	if (m->type != CRY_COSE_ENCRYPT0 && !cry_cbor_get_bstr(a[3], &m->tag, &m->tag_len))
		return -EBADMSG;
	return read_common(m);
}

int cry_cose_decode(struct cry_cose_msg *m, const uint8_t *buf, size_t len, unsigned accept,
		    const struct cry_cbor_limits *lim)
{
	const cbor_item_t *arr;
	uint64_t tag = 0;
	int rc;

	memset(m, 0, sizeof(*m));
	rc = cry_cbor_decode(buf, len, lim, &m->root_, NULL);
	if (rc != 0)
		return rc;
	arr = m->root_;
	if ((accept & CRY_COSE_ACCEPT_CWT_TAG) && cbor_isa_tag(arr) &&
	    cbor_tag_value(arr) == CRY_CWT_TAG)
		arr = cry_cbor_untag(arr, &tag);
	tag = 0;
	if (cbor_isa_tag(arr)) {
		arr = cry_cbor_untag(arr, &tag);
		if (tag == 0)
			tag = UINT64_MAX; /* tag 0 (a date) is no COSE tag; keep "untagged" = 0 */
	}
	if (!cbor_isa_array(arr)) {
		rc = -EBADMSG;
	} else {
		rc = message_type(tag, cbor_array_size(arr), accept);
		if (rc > 0) {
			m->type = rc;
			rc = read_body(m, cbor_array_handle(arr), lim);
		}
	}
	if (rc != 0)
		cry_cose_msg_free(m);
	return rc;
}

void cry_cose_msg_free(struct cry_cose_msg *m)
{
	if (m->root_ != NULL)
		cbor_decref(&m->root_);
	if (m->prot_root_ != NULL)
		cbor_decref(&m->prot_root_);
	memset(m, 0, sizeof(*m));
}

const cbor_item_t *cry_cose_header(const struct cry_cose_msg *m, int64_t label)
{
	const cbor_item_t *v = cry_cbor_map_int(m->prot_map, label);

	return v != NULL ? v : cry_cbor_map_int(m->unprot_map, label);
}

/* ---- the structures that are authenticated ---- */

/* [context, prot, external_aad (, payload)] (RFC 9052 §4.4, §5.3, §6.3). */
static int structure(uint8_t *out, size_t cap, const char *context, const uint8_t *prot,
		     size_t prot_len, const uint8_t *ext, size_t ext_len, bool with_payload,
		     const uint8_t *payload, size_t payload_len)
{
	struct cry_cbor_buf b;
	int n;

	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_ARRAY, with_payload ? 4 : 3);
	cry_cbor_tstr(&b, context);
	cry_cbor_bstr(&b, prot, prot_len);
	cry_cbor_bstr(&b, ext, ext_len);
	if (with_payload)
		cry_cbor_bstr(&b, payload, payload_len);
	n = cry_cbor_done(&b);
	return n < 0 ? -ENOSPC : n;
}

int cry_cose_enc_structure(uint8_t *out, size_t cap, const char *context, const uint8_t *prot,
			   size_t prot_len, const uint8_t *ext_aad, size_t ext_len)
{
	return structure(out, cap, context, prot, prot_len, ext_aad, ext_len, false, NULL, 0);
}

int cry_cose_tbs_structure(uint8_t *out, size_t cap, const char *context, const uint8_t *prot,
			   size_t prot_len, const uint8_t *ext_aad, size_t ext_len,
			   const uint8_t *payload, size_t payload_len)
{
	return structure(out, cap, context, prot, prot_len, ext_aad, ext_len, true, payload,
			 payload_len);
}

/* The structure in a fresh allocation sized for it; *len its length. */
static uint8_t *structure_alloc(const char *context, const uint8_t *prot, size_t prot_len,
				const uint8_t *ext, size_t ext_len, bool with_payload,
				const uint8_t *payload, size_t payload_len, size_t *len)
{
	/* 1 array head + 4 string heads of at most 9 bytes + the context */
	size_t cap = 1 + 4 * 9 + strlen(context) + prot_len + ext_len + payload_len;
	uint8_t *p = malloc(cap);
	int n;

	if (p == NULL)
		return NULL;
	n = structure(p, cap, context, prot, prot_len, ext, ext_len, with_payload, payload,
		      payload_len);
	if (n < 0) {
		free(p);
		return NULL;
	}
	*len = (size_t)n;
	return p;
}

/* ---- Encrypt0 ---- */

/* One AEAD operation through cry_aead's OpenSSL path (messages here are few and may be large). */
static int aead_run(const struct cry_alg *alg, const uint8_t *key, enum cry_dir dir,
		    const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *in,
		    size_t len, uint8_t *out, uint8_t *tag)
{
	struct cry_key k = { 0 };
	struct cry_op *op;
	int rc;

	if (len > UINT32_MAX || aad_len > UINT32_MAX)
		return -EINVAL;
	op = calloc(1, sizeof(*op)); /* 300+ bytes of engine scratch: keep it off small stacks */
	if (op == NULL)
		return -ENOMEM;
	rc = cry_key_init(&k, alg, key);
	if (rc == 0) {
		cry_op_prepare(op, &k, dir, iv, aad, (uint32_t)aad_len);
		op->in = in;
		op->out = out;
		op->len = (uint32_t)len;
		op->tag = tag;
		rc = cry_aead_one_openssl(op);
		rc = rc == CRY_OK ? 0 : rc == CRY_ERR_AUTH ? -EACCES : rc == CRY_ERR_INVALID ? -EINVAL
											  : -EIO;
	}
	cry_key_wipe(&k);
	free(op);
	return rc;
}

int cry_cose_encrypt0_open(const struct cry_cose_msg *m, const uint8_t *key, size_t key_len,
			   const uint8_t *ext_aad, size_t ext_len, uint8_t *out, size_t cap,
			   size_t *out_len)
{
	const struct cry_alg *alg = cry_alg_by_cose(m->alg);
	uint8_t tag[CRY_TAG_MAX], *aad;
	size_t aad_len, n;
	int rc;

	if (m->type != CRY_COSE_ENCRYPT0)
		return -EINVAL;
	if (alg == NULL)
		return -ENOTSUP;
	if (key == NULL || key_len != alg->key_len)
		return -EINVAL;
	/* A Partial IV would need a base IV from the key's context: not done here. */
	if (m->iv == NULL || m->iv_len != alg->nonce_len || m->content_len < alg->tag_len)
		return -EBADMSG;
	n = m->content_len - alg->tag_len;
	if (n > cap)
		return -ENOSPC;
	aad = structure_alloc("Encrypt0", m->prot, m->prot_len, ext_aad, ext_len, false, NULL,
			      0, &aad_len);
	if (aad == NULL)
		return -ENOMEM;
	memcpy(tag, m->content + n, alg->tag_len);
	rc = aead_run(alg, key, CRY_DECRYPT, m->iv, aad, aad_len, m->content, n, out, tag);
	free(aad);
	if (rc == 0)
		*out_len = n;
	return rc;
}

/* ---- Mac0 ---- */

static int mac_len(int alg)
{
	return alg == CRY_COSE_HMAC256_64 ? 8 : alg == CRY_COSE_HMAC256_256 ? 32 : -ENOTSUP;
}

/* HMAC 256/x over the MAC_structure (RFC 9053 §3.1: 256/64 is the first 8 bytes). */
static int mac0_compute(int alg, const uint8_t *key, size_t key_len, const uint8_t *prot,
			size_t prot_len, const uint8_t *ext, size_t ext_len, const uint8_t *payload,
			size_t len, uint8_t out[32])
{
	size_t tbs_len;
	uint8_t *tbs;
	int rc;

	if (mac_len(alg) < 0)
		return -ENOTSUP;
	if (key == NULL || key_len == 0)
		return -EINVAL;
	tbs = structure_alloc("MAC0", prot, prot_len, ext, ext_len, true, payload, len,
			      &tbs_len);
	if (tbs == NULL)
		return -ENOMEM;
	rc = cry_hmac_sha256(key, key_len, tbs, tbs_len, out);
	free(tbs);
	return rc;
}

int cry_cose_mac0_verify(const struct cry_cose_msg *m, const uint8_t *key, size_t key_len,
			 const uint8_t *ext_aad, size_t ext_len)
{
	uint8_t mac[32];
	int rc;

	if (m->type != CRY_COSE_MAC0)
		return -EINVAL;
	rc = mac0_compute(m->alg, key, key_len, m->prot, m->prot_len, ext_aad, ext_len,
			  m->content, m->content_len, mac);
	if (rc == 0 && (m->tag_len != (size_t)mac_len(m->alg) ||
			!cry_ct_equal(mac, m->tag, m->tag_len)))
		rc = -EACCES;
	cry_wipe(mac, sizeof(mac));
	return rc;
}

/* ---- Sign1 ---- */

int cry_cose_sign1_verify(const struct cry_cose_msg *m, const struct cry_pkey *k,
			  const uint8_t *ext_aad, size_t ext_len)
{
	size_t tbs_len;
	uint8_t *tbs;
	int rc;

	if (m->type != CRY_COSE_SIGN1)
		return -EINVAL;
	if (m->alg != CRY_SIG_ES256 && m->alg != CRY_SIG_EDDSA)
		return -ENOTSUP;
	tbs = structure_alloc("Signature1", m->prot, m->prot_len, ext_aad, ext_len, true,
			      m->content, m->content_len, &tbs_len);
	if (tbs == NULL)
		return -ENOMEM;
	rc = cry_verify(k, m->alg, tbs, tbs_len, m->tag, m->tag_len);
	free(tbs);
	return rc == -EBADMSG ? -EACCES : rc;
}

/* ---- building ---- */

/* Protected {1: alg} and the start of the message up to and including the unprotected map. */
static int write_headers(struct cry_cbor_buf *b, const struct cry_cose_params *p, int type,
			 uint8_t *prot, size_t *prot_len)
{
	struct cry_cbor_buf pb;
	int n;

	cry_cbor_init(&pb, prot, 16);
	cry_cbor_head(&pb, CRY_CBOR_MAP, 1);
	cry_cbor_int(&pb, CRY_COSE_HDR_ALG);
	cry_cbor_int(&pb, p->alg);
	n = cry_cbor_done(&pb);
	if (n < 0)
		return -EINVAL;
	*prot_len = (size_t)n;
	if (p->tagged)
		cry_cbor_head(b, CRY_CBOR_TAG, (uint64_t)type);
	cry_cbor_head(b, CRY_CBOR_ARRAY, type == CRY_COSE_ENCRYPT0 ? 3 : 4);
	cry_cbor_bstr(b, prot, *prot_len);
	cry_cbor_head(b, CRY_CBOR_MAP, (p->kid != NULL) + (p->iv != NULL));
	if (p->kid != NULL) {
		cry_cbor_int(b, CRY_COSE_HDR_KID);
		cry_cbor_bstr(b, p->kid, p->kid_len);
	}
	if (p->iv != NULL) {
		cry_cbor_int(b, CRY_COSE_HDR_IV);
		cry_cbor_bstr(b, p->iv, p->iv_len);
	}
	return 0;
}

static int finish(const struct cry_cbor_buf *b)
{
	int n = cry_cbor_done(b);

	return n < 0 ? -ENOSPC : n;
}

int cry_cose_encrypt0_seal(const struct cry_cose_params *p, const uint8_t *key, size_t key_len,
			   const uint8_t *pt, size_t pt_len, uint8_t *out, size_t cap)
{
	const struct cry_alg *alg = cry_alg_by_cose(p->alg);
	uint8_t prot[16], *aad;
	size_t prot_len, aad_len;
	struct cry_cbor_buf b;
	int rc;

	if (alg == NULL)
		return -ENOTSUP;
	if (key == NULL || key_len != alg->key_len || p->iv == NULL ||
	    p->iv_len != alg->nonce_len || (pt == NULL && pt_len))
		return -EINVAL;
	cry_cbor_init(&b, out, cap);
	rc = write_headers(&b, p, CRY_COSE_ENCRYPT0, prot, &prot_len);
	cry_cbor_head(&b, CRY_CBOR_BSTR, pt_len + alg->tag_len);
	if (rc != 0 || b.err || cap - b.len < pt_len + alg->tag_len)
		return rc != 0 ? rc : -ENOSPC;
	aad = structure_alloc("Encrypt0", prot, prot_len, p->ext_aad, p->ext_len, false,
			      NULL, 0, &aad_len);
	if (aad == NULL)
		return -ENOMEM;
	rc = aead_run(alg, key, CRY_ENCRYPT, p->iv, aad, aad_len, pt, pt_len, out + b.len,
		      out + b.len + pt_len);
	free(aad);
	return rc != 0 ? rc : (int)(b.len + pt_len + alg->tag_len);
}

int cry_cose_mac0_create(const struct cry_cose_params *p, const uint8_t *key, size_t key_len,
			 const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	uint8_t prot[16], mac[32];
	size_t prot_len;
	struct cry_cbor_buf b;
	int rc;

	if (payload == NULL && len)
		return -EINVAL;
	cry_cbor_init(&b, out, cap);
	rc = write_headers(&b, p, CRY_COSE_MAC0, prot, &prot_len);
	if (rc == 0)
		rc = mac0_compute(p->alg, key, key_len, prot, prot_len, p->ext_aad, p->ext_len,
				  payload, len, mac);
	if (rc != 0)
		return rc;
	cry_cbor_bstr(&b, payload, len);
	cry_cbor_bstr(&b, mac, (size_t)mac_len(p->alg));
	cry_wipe(mac, sizeof(mac));
	return finish(&b);
}

int cry_cose_sign1_create(const struct cry_cose_params *p, const struct cry_pkey *k,
			  const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	uint8_t prot[16], sig[CRY_SIG_LEN], *tbs;
	size_t prot_len, tbs_len;
	struct cry_cbor_buf b;
	int rc;

	if (p->alg != CRY_SIG_ES256 && p->alg != CRY_SIG_EDDSA)
		return -ENOTSUP;
	if (payload == NULL && len)
		return -EINVAL;
	cry_cbor_init(&b, out, cap);
	rc = write_headers(&b, p, CRY_COSE_SIGN1, prot, &prot_len);
	if (rc != 0)
		return rc;
	tbs = structure_alloc("Signature1", prot, prot_len, p->ext_aad, p->ext_len, true,
			      payload, len, &tbs_len);
	if (tbs == NULL)
		return -ENOMEM;
	rc = cry_sign(k, p->alg, tbs, tbs_len, sig);
	free(tbs);
	if (rc != 0)
		return rc;
	cry_cbor_bstr(&b, payload, len);
	cry_cbor_bstr(&b, sig, sizeof(sig));
	return finish(&b);
}
