/* SPDX-License-Identifier: BSD-3-Clause */
#include "oscore/osc_context.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_hkdf.h"
#include "crypto/cry_cbor.h"
#include "oscore/osc_option.h"

void osc_params_defaults(struct osc_params *p)
{
	if (!p->alg)
		p->alg = cry_alg_by_cose(CRY_AES_CCM_16_64_128);
	if (!p->hkdf)
		p->hkdf = CRY_HKDF_SHA256;
	if (!p->replay_window)
		p->replay_window = OSC_REPLAY_DEFAULT;
}

int osc_info_encode(uint8_t *out, size_t cap, const struct osc_info *in)
{
	struct cry_cbor_buf b;
	uint8_t simple = CRY_CBOR_NULL;

	cry_cbor_init(&b, out, cap);
	cry_cbor_head(&b, CRY_CBOR_ARRAY, in->type ? 5 : 4);
	cry_cbor_bstr(&b, in->id, in->id_len);
	if (in->has_id_ctx)
		cry_cbor_bstr(&b, in->id_ctx, in->id_ctx_len);
	else
		cry_cbor_raw(&b, &simple, 1);
	if (in->type) {
		cry_cbor_int(&b, in->alg);
		cry_cbor_tstr(&b, in->type);
	} else { /* RFC 10021 §4.2 keystream: the message type as a CBOR bool */
		simple = in->request ? CRY_CBOR_TRUE : CRY_CBOR_FALSE;
		cry_cbor_raw(&b, &simple, 1);
	}
	cry_cbor_head(&b, CRY_CBOR_UINT, in->L);
	return cry_cbor_done(&b);
}

int osc_hkdf_info(uint8_t *out, size_t cap, const uint8_t *id, size_t id_len,
		  const struct osc_params *p, const char *type, unsigned L)
{
	struct osc_info in = { .id = id, .id_len = id_len, .id_ctx = p->id_ctx,
			       .id_ctx_len = p->id_ctx_len, .has_id_ctx = p->has_id_ctx,
			       .alg = p->alg->cose, .type = type, .L = L };

	return osc_info_encode(out, cap, &in);
}

int osc_hkdf_derive(int hkdf, const uint8_t *salt, size_t salt_len, const uint8_t *ikm,
		    size_t ikm_len, const struct osc_info *in, uint8_t *out)
{
	uint8_t info[OSC_INFO_MAX];
	int n = osc_info_encode(info, sizeof(info), in);

	if (n < 0)
		return -1;
	return cry_hkdf(hkdf, salt, salt_len, ikm, ikm_len, info, (size_t)n, out, in->L);
}

/* One HKDF output of §3.2.1: id with type "Key" or "IV", L bytes. */
static int derive_one(uint8_t *out, unsigned L, const uint8_t *id, size_t id_len,
		      const struct osc_params *p, const char *type)
{
	struct osc_info in = { .id = id, .id_len = id_len, .id_ctx = p->id_ctx,
			       .id_ctx_len = p->id_ctx_len, .has_id_ctx = p->has_id_ctx,
			       .alg = p->alg->cose, .type = type, .L = L };

	return osc_hkdf_derive(p->hkdf, p->salt, p->salt_len, p->secret, p->secret_len, &in, out);
}

static int check_params(const struct osc_params *p)
{
	unsigned id_max;

	if (!p->alg || !cry_hkdf_supported(p->hkdf))
		return OSC_CTX_ERR_ALG;
	id_max = p->alg->nonce_len - 6u;
	if (p->sender_id_len > id_max || p->recipient_id_len > id_max)
		return OSC_CTX_ERR_ID_LEN;
	if (p->replay_window < 1 || p->replay_window > OSC_REPLAY_MAX)
		return OSC_CTX_ERR_WINDOW;
	if (p->secret_len == 0)
		return OSC_CTX_ERR_SECRET;
	return OSC_CTX_OK;
}

/* What an empty or absent ID Context points at: readers compare id_ctx_len bytes of it. */
static const uint8_t no_id_ctx[1];

/* IDs into c; the ID Context into memory of its own. Returns 0, or -1 if out of memory. */
static int copy_ids(struct osc_ctx *c, const struct osc_params *p)
{
	uint8_t *id_ctx = NULL;

	if (p->id_ctx_len && !(id_ctx = malloc(p->id_ctx_len)))
		return -1;
	memcpy(c->sender_id, p->sender_id, p->sender_id_len);
	c->sender_id_len = p->sender_id_len;
	memcpy(c->recipient_id, p->recipient_id, p->recipient_id_len);
	c->recipient_id_len = p->recipient_id_len;
	if (id_ctx)
		memcpy(id_ctx, p->id_ctx, p->id_ctx_len);
	c->id_ctx = id_ctx ? id_ctx : no_id_ctx;
	c->id_ctx_len = p->id_ctx_len;
	c->has_id_ctx = p->has_id_ctx;
	return 0;
}

static int derive(struct osc_ctx *c, const struct osc_params *p)
{
	uint8_t skey[CRY_KEY_MAX], rkey[CRY_KEY_MAX];
	const uint8_t empty = 0;
	int rc = check_params(p);

	if (rc != OSC_CTX_OK)
		return rc;
	rc = OSC_CTX_ERR_CRYPTO;
	if (derive_one(skey, p->alg->key_len, p->sender_id, p->sender_id_len, p, "Key") ||
	    derive_one(rkey, p->alg->key_len, p->recipient_id, p->recipient_id_len, p, "Key") ||
	    derive_one(c->common_iv, p->alg->nonce_len, &empty, 0, p, "IV") ||
	    cry_key_init(&c->sender_key, p->alg, skey) ||
	    cry_key_init(&c->recipient_key, p->alg, rkey))
		goto out;
	rc = OSC_CTX_ERR_MEMORY;
	if (copy_ids(c, p) || osc_replay_init(&c->replay, p->replay_window))
		goto out;
	c->ssn_limit = OSC_SSN_MAX + 1;
	rc = OSC_CTX_OK;
out:
	cry_wipe(skey, sizeof(skey));
	cry_wipe(rkey, sizeof(rkey));
	return rc;
}

int osc_ctx_derive(struct osc_ctx *c, const struct osc_params *p)
{
	struct osc_params q = *p;
	int rc;

	memset(c, 0, sizeof(*c));
	osc_params_defaults(&q);
	rc = derive(c, &q);
	cry_wipe(&q, sizeof(q));
	if (rc != OSC_CTX_OK)
		osc_ctx_wipe(c);
	return rc;
}

void osc_ctx_wipe(struct osc_ctx *c)
{
	cry_key_wipe(&c->sender_key);
	cry_key_wipe(&c->recipient_key);
	if (c->id_ctx && c->id_ctx != no_id_ctx)
		free((void *)(uintptr_t)c->id_ctx);
	osc_replay_free(&c->replay);
	cry_wipe(c, sizeof(*c));
}

const char *osc_ctx_strerror(int err)
{
	switch (err) {
	case OSC_CTX_OK: return "ok";
	case OSC_CTX_ERR_ALG: return "unsupported AEAD or HKDF algorithm";
	case OSC_CTX_ERR_ID_LEN: return "Sender or Recipient ID longer than nonce length - 6";
	case OSC_CTX_ERR_WINDOW: return "replay window outside 1..192";
	case OSC_CTX_ERR_SECRET: return "empty Master Secret";
	case OSC_CTX_ERR_CRYPTO: return "key derivation failed";
	case OSC_CTX_ERR_MEMORY: return "out of memory";
	}
	return "unknown context error";
}

/* p[0..len) as a big-endian number, len <= 7 (longer: only its low three bits count, and no byte
 * past p[len - 1] is read): one load per set bit of len, no loop over bytes. */
static inline uint64_t be_num(const uint8_t *p, size_t len)
{
	uint64_t v = 0;

	if (len & 4) {
		v = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
		p += 4;
	}
	if (len & 2) {
		v = v << 16 | (uint64_t)p[0] << 8 | p[1];
		p += 2;
	}
	if (len & 1)
		v = v << 8 | p[0];
	return v;
}

/* out[0..8) = v in network byte order XOR iv[0..8). */
static inline void xor_be64(uint8_t *out, const uint8_t *iv, uint64_t v)
{
	uint64_t x;

	memcpy(&x, iv, sizeof(x));
	v = htobe64(v) ^ x;
	memcpy(out, &v, sizeof(v));
}

static inline void xor_be32(uint8_t *out, const uint8_t *iv, uint32_t v)
{
	uint32_t x;

	memcpy(&x, iv, sizeof(x));
	v = htobe32(v) ^ x;
	memcpy(out, &v, sizeof(v));
}

/*
 * §5.2 as one number N of n bytes: S = id_len in its first byte, the ID right-aligned in the
 * n - 6 bytes after it, the Partial IV right-aligned in the last 5, so
 * N = id_len << 8(n - 1) | ID << 40 | PIV. Written as two overlapping words, out[0..w) and
 * out[n - w..n) (w = 8 for the 12- and 13-byte nonces, 4 for the 7-byte ones of AES-CCM-64-*),
 * each XOR the same bytes of the Common IV: the bytes both cover get the same value twice.
 */
void osc_nonce_iv(uint8_t *out, unsigned n, const uint8_t *iv, const uint8_t *id, size_t id_len,
		  const uint8_t *piv, size_t piv_len)
{
	uint64_t idv = be_num(id, id_len), pv = be_num(piv, piv_len);

	if (n > 8) { /* 12 or 13 (<= CRY_NONCE_MAX): N >> 8(n - 8) and N's low 64 bits */
		unsigned s = 8 * (n - 8);

		xor_be64(out, iv, (uint64_t)id_len << 56 | idv << (40 - s) | pv >> s);
		xor_be64(out + n - 8, iv + n - 8, idv << 40 | pv);
	} else { /* 7: N fits 56 bits */
		uint64_t N = (uint64_t)id_len << (8 * (n - 1)) | idv << 40 | pv;

		xor_be32(out, iv, (uint32_t)(N >> (8 * (n - 4))));
		xor_be32(out + n - 4, iv + n - 4, (uint32_t)N);
	}
}

void osc_nonce(uint8_t *out, const struct osc_ctx *c, const uint8_t *id, size_t id_len,
	       const uint8_t *piv, size_t piv_len)
{
	osc_nonce_iv(out, osc_ctx_alg(c)->nonce_len, c->common_iv, id, id_len, piv, piv_len);
}

/* §5.4: Enc_structure = ["Encrypt0", h'', external_aad]; its first 11 bytes never change. */
static const uint8_t enc0_prefix[] = { 0x83, 0x68, 'E', 'n', 'c', 'r', 'y', 'p', 't', '0', 0x40 };

/* v, a number of len <= 7 bytes, to p[0..len) in network byte order by one 8-byte store: the
 * 8 - len bytes after it are scratch for the caller to overwrite. */
static inline void put_be(uint8_t *p, uint64_t v, size_t len)
{
	v = htobe64(v << (8 * (7 - len)) << 8);
	memcpy(p, &v, sizeof(v));
}

int osc_aad(uint8_t out[OSC_AAD_MAX], const struct cry_alg *alg, const uint8_t *kid,
	    size_t kid_len, const uint8_t *piv, size_t piv_len)
{
	unsigned alg_len = alg->cose < 24 ? 1 : 2; /* OSCORE AEADs are small positive COSE ids */
	uint8_t *p = out;

	if (kid_len > OSC_ID_MAX || piv_len > OSC_PIV_MAX || alg->cose < 0 || alg->cose > 255)
		return -1;
	/* Written without a call or a loop on the hot path: every length is below 24, so each
	 * CBOR head is one byte; kid and Partial IV go in with one 8-byte store each, whose tail
	 * the next bytes overwrite (at most 32 bytes are written: within OSC_AAD_MAX).
	 * external_aad = bstr([1, [alg], kid, piv, h'']) */
	memcpy(p, enc0_prefix, sizeof(enc0_prefix));
	p += sizeof(enc0_prefix);
	*p++ = (uint8_t)(CRY_CBOR_BSTR << 5 | (6 + alg_len + kid_len + piv_len));
	*p++ = CRY_CBOR_ARRAY << 5 | 5;
	*p++ = 1;                  /* oscore_version */
	*p++ = CRY_CBOR_ARRAY << 5 | 1;
	if (alg_len == 2)
		*p++ = 24;         /* one-byte uint follows */
	*p++ = (uint8_t)alg->cose;
	*p++ = (uint8_t)(CRY_CBOR_BSTR << 5 | kid_len);
	put_be(p, be_num(kid, kid_len), kid_len);
	p += kid_len;
	*p++ = (uint8_t)(CRY_CBOR_BSTR << 5 | piv_len);
	put_be(p, be_num(piv, piv_len), piv_len);
	p += piv_len;
	*p++ = CRY_CBOR_BSTR << 5;     /* no Class I options are defined */
	return (int)(p - out);
}
