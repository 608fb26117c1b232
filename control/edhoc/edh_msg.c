/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EDHOC pieces both roles use (RFC 9528): CBOR sequences, connection identifiers (§3.3.2),
 * EAD (§3.8), error messages (§6), ephemeral keys and ECDH (§3.7), Signature_or_MAC (§5.3.2).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/edhoc/edh_internal.h"
#include "crypto/cry_aead.h"
#include "crypto/cry_cose.h"

/* A kccs ID_CRED nests ID_CRED map > CCS > cnf > COSE_Key: depth 4, plus room. */
const struct cry_cbor_limits edh_cbor_limits = {
	.max_len = EDH_MSG_MAX,
	.max_depth = 6,
	.max_items = 256,
};

bool edh_seq_next(struct edh_seq *q, cbor_item_t **it, const uint8_t **raw, size_t *rlen,
		  bool *bad)
{
	size_t used = 0;

	*it = NULL;
	if (q->off >= q->len)
		return false;
	if (cry_cbor_decode(q->buf + q->off, q->len - q->off, &edh_cbor_limits, it, &used)) {
		*bad = true;
		return false;
	}
	*raw = q->buf + q->off;
	*rlen = used;
	q->off += used;
	return true;
}

size_t edh_first_item_len(const uint8_t *buf, size_t len)
{
	size_t n = 0;

	return cry_cbor_check(buf, len, &edh_cbor_limits, &n) ? 0 : n;
}

/* §3.3.2: bytes 0x00-0x17 and 0x20-0x37 are the one-byte encodings of the ints -24..23. */
static bool one_byte_int(const uint8_t *id, size_t len)
{
	return len == 1 && (id[0] <= 0x17 || (id[0] >= 0x20 && id[0] <= 0x37));
}

void edh_cid_write(struct cry_cbor_buf *b, const uint8_t *id, size_t len)
{
	if (one_byte_int(id, len))
		cry_cbor_raw(b, id, 1);
	else
		cry_cbor_bstr(b, id, len);
}

bool edh_cid_read(const cbor_item_t *it, const uint8_t *raw, size_t rlen, uint8_t *id,
		  uint8_t *len)
{
	const uint8_t *p;
	size_t n;

	if (cbor_isa_uint(it) || cbor_isa_negint(it)) {
		/* only the one-byte ints are identifiers; 0x1817 is not a spelling of 0x17 */
		if (rlen != 1 || !one_byte_int(raw, 1))
			return false;
		id[0] = raw[0];
		*len = 1;
		return true;
	}
	/* a bstr that could have been sent as an int is not deterministic (§3.3.2) */
	if (!cry_cbor_get_bstr(it, &p, &n) || n > EDH_CID_MAX || one_byte_int(p, n))
		return false;
	memcpy(id, p, n);
	*len = (uint8_t)n;
	return true;
}

size_t edh_cid_prefix(const uint8_t *buf, size_t len, uint8_t *id, size_t *id_len)
{
	size_t n = edh_first_item_len(buf, len);
	cbor_item_t *it = NULL;
	uint8_t l = 0;
	bool ok;

	if (n == 0 || cry_cbor_decode(buf, n, &edh_cbor_limits, &it, NULL))
		return 0;
	ok = edh_cid_read(it, buf, n, id, &l);
	cbor_decref(&it);
	*id_len = l;
	return ok ? n : 0;
}

enum edh_status edh_ead_check(const uint8_t *buf, size_t len)
{
	struct edh_seq q = { buf, len, 0 };
	cbor_item_t *it;
	const uint8_t *raw;
	size_t rlen;
	bool bad = false, want_label = true;
	int64_t label;

	/* ead = (ead_label: int, ?ead_value: bstr); no application here consumes any label */
	while (edh_seq_next(&q, &it, &raw, &rlen, &bad)) {
		bool is_int = cry_cbor_get_int(it, &label);

		cbor_decref(&it);
		if (is_int) {
			if (label < 0) /* critical and unknown: abort (§3.8) */
				return EDH_E_EAD;
			want_label = false;
			continue;
		}
		if (want_label || raw[0] >> 5 != CRY_CBOR_BSTR)
			return EDH_E_MALFORMED;
		want_label = true; /* a value belongs to the label before it */
	}
	return bad ? EDH_E_MALFORMED : EDH_OK;
}

void edh_error_write(struct edh_out *out, int code, const struct edh_config *cfg,
		     const char *diag)
{
	struct cry_cbor_buf b;

	cry_cbor_init(&b, out->buf, out->cap);
	cry_cbor_int(&b, code);
	if (code == EDH_ERR_CODE_WRONG_SUITE) {
		/* SUITES_R (§6.3): the supported suites, most preferred first; one is an int */
		if (cfg->n_suites != 1)
			cry_cbor_head(&b, CRY_CBOR_ARRAY, cfg->n_suites);
		for (unsigned i = 0; i < cfg->n_suites; i++)
			cry_cbor_int(&b, cfg->suites[i]);
	} else if (code == EDH_ERR_CODE_UNKNOWN_CRED) {
		cry_cbor_raw(&b, (const uint8_t[]){ CRY_CBOR_TRUE }, 1);
	} else {
		cry_cbor_tstr(&b, diag);
	}
	out->len = cry_cbor_done(&b) < 0 ? 0 : b.len;
	out->is_error = out->len != 0;
}

static bool read_suites(const cbor_item_t *it, int *suites, unsigned *n)
{
	int64_t v;

	if (cry_cbor_get_int(it, &v)) {
		suites[0] = (int)v;
		*n = 1;
		return v >= INT32_MIN && v <= INT32_MAX;
	}
	if (!cbor_isa_array(it) || cbor_array_size(it) < 2 || cbor_array_size(it) > EDH_SUITES_MAX)
		return false;
	for (size_t i = 0; i < cbor_array_size(it); i++) {
		const cbor_item_t *e = cbor_array_handle(it)[i];

		if (!cry_cbor_get_int(e, &v) || v < INT32_MIN || v > INT32_MAX)
			return false;
		suites[i] = (int)v;
	}
	*n = (unsigned)cbor_array_size(it);
	return true;
}

enum edh_status edh_error_read(const uint8_t *in, size_t len, int *code, int *suites,
			       unsigned *n)
{
	struct edh_seq q = { in, len, 0 };
	cbor_item_t *a = NULL, *b = NULL;
	const uint8_t *raw;
	size_t rlen;
	bool bad = false, ok;
	int64_t c;

	*n = 0;
	ok = edh_seq_next(&q, &a, &raw, &rlen, &bad) && cry_cbor_get_int(a, &c) && c > 0 &&
	     c <= INT32_MAX && edh_seq_next(&q, &b, &raw, &rlen, &bad) && q.off == len;
	if (ok) {
		*code = (int)c;
		if (c == EDH_ERR_CODE_WRONG_SUITE)
			ok = read_suites(b, suites, n);
	}
	if (a)
		cbor_decref(&a);
	if (b)
		cbor_decref(&b);
	return ok ? EDH_OK : EDH_E_MALFORMED;
}

/* A public key on crv from an x-coordinate: for P-256 either y serves ECDH (§3.7). */
static struct cry_pkey *pkey_x(int crv, const uint8_t *x)
{
	struct cry_coords c = { .crv = crv, .x = x, .x_len = 32 };
	struct cry_pkey *k = NULL;

	return cry_pkey_from_coords(&k, &c) ? NULL : k;
}

enum edh_status edh_eph_make(struct edh_sess *s, const uint8_t *d, size_t d_len)
{
	struct cry_coords c = { .crv = s->suite->dh_crv, .d = d, .d_len = d_len };
	uint8_t y[32];
	int rc;

	rc = d ? cry_pkey_from_coords(&s->eph, &c) : cry_pkey_generate(&s->eph, c.crv);
	if (rc == 0)
		rc = cry_pkey_export_public(s->eph, s->g_own, c.crv == CRY_CRV_P256 ? y : NULL);
	return rc ? EDH_E_INTERNAL : EDH_OK;
}

enum edh_status edh_ecdh_x(const struct edh_suite *su, const struct cry_pkey *own,
			   const uint8_t *peer_x, uint8_t *out)
{
	struct cry_pkey *peer = pkey_x(su->dh_crv, peer_x);
	int rc;

	if (peer == NULL)
		return EDH_E_MALFORMED; /* not a point of the curve */
	rc = cry_ecdh(own, peer, out);
	cry_pkey_free(peer);
	return rc ? EDH_E_AUTH : EDH_OK;
}

enum edh_status edh_ecdh_cred(const struct cry_pkey *own, const struct edh_cred *peer,
			      uint8_t *out)
{
	return cry_ecdh(own, peer->pub, out) ? EDH_E_UNTRUSTED : EDH_OK;
}

void edh_sess_wipe(struct edh_sess *s)
{
	cry_pkey_free(s->eph);
	free(s->m2);
	cry_wipe(s, sizeof(*s));
}

enum edh_status edh_seal_msg(const struct edh_sess *s, bool msg4, const uint8_t *pt, size_t n,
			     struct edh_out *out)
{
	uint8_t ct[EDH_MSG_MAX + CRY_TAG_MAX];
	size_t cl = 0;
	struct cry_cbor_buf b;

	if (n > EDH_MSG_MAX || edh_aead(s->suite, msg4 ? s->prk_4e3m : s->prk_3e2m, s->th, msg4,
					true, pt, n, ct, sizeof(ct), &cl))
		return EDH_E_INTERNAL;
	cry_cbor_init(&b, out->buf, out->cap);
	cry_cbor_bstr(&b, ct, cl);
	out->len = cry_cbor_done(&b) < 0 ? 0 : b.len;
	out->is_error = false;
	return out->len ? EDH_OK : EDH_E_INTERNAL;
}

enum edh_status edh_open_msg(const struct edh_sess *s, bool msg4, const uint8_t *in,
			     size_t len, uint8_t *pt, size_t cap, size_t *n)
{
	struct edh_seq q = { in, len, 0 };
	cbor_item_t *it = NULL;
	const uint8_t *raw, *ct;
	size_t rl, ctl = 0;
	bool bad = false;
	enum edh_status st = EDH_E_MALFORMED;
	int rc;

	if (len <= EDH_MSG_MAX && edh_seq_next(&q, &it, &raw, &rl, &bad) && q.off == len &&
	    cry_cbor_get_bstr(it, &ct, &ctl)) {
		rc = edh_aead(s->suite, msg4 ? s->prk_4e3m : s->prk_3e2m, s->th, msg4, false, ct,
			      ctl, pt, cap, n);
		st = rc == 0 ? EDH_OK : rc == -2 ? EDH_E_AUTH : EDH_E_MALFORMED;
	}
	if (it)
		cbor_decref(&it);
	return st;
}
