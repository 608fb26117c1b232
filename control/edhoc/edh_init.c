/* SPDX-License-Identifier: BSD-3-Clause */
/* The EDHOC Initiator (RFC 9528 §5.2.2, §5.3.3, §5.4.2, §5.5.3): the project's test client. */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "control/edhoc/edh_internal.h"
#include "crypto/cry_aead.h"

struct edh_init {
	struct edh_sess s;
};

/* message_1 = (METHOD, SUITES_I, G_X, C_I, ?EAD_1); H(message_1) kept for TH_2. */
static enum edh_status build_msg1(struct edh_sess *s, const int *suites_i, unsigned n,
				  struct edh_out *out)
{
	struct cry_cbor_buf b;

	cry_cbor_init(&b, out->buf, out->cap);
	cry_cbor_int(&b, s->method);
	if (n > 1)
		cry_cbor_head(&b, CRY_CBOR_ARRAY, n);
	for (unsigned i = 0; i < n; i++)
		cry_cbor_int(&b, suites_i[i]);
	cry_cbor_bstr(&b, s->g_own, 32);
	edh_cid_write(&b, s->c_i, s->c_i_len);
	cry_cbor_raw(&b, s->cfg->ead, s->cfg->ead_len);
	if (cry_cbor_done(&b) < 0)
		return EDH_E_INTERNAL;
	out->len = b.len;
	out->is_error = false;
	return edh_hash3(s->suite, out->buf, out->len, NULL, 0, NULL, 0, s->h_m1) ? EDH_E_INTERNAL
										  : EDH_OK;
}

/* C_I: injected, or one random byte (half of them go as a one-byte int). */
static enum edh_status pick_c_i(struct edh_sess *s, const struct edh_inject *inj)
{
	if (inj && inj->c_i) {
		if (inj->c_i_len == 0 || inj->c_i_len > EDH_CID_MAX)
			return EDH_E_CID;
		memcpy(s->c_i, inj->c_i, inj->c_i_len);
		s->c_i_len = (uint8_t)inj->c_i_len;
		return EDH_OK;
	}
	s->c_i_len = 1;
	return RAND_bytes(s->c_i, 1) == 1 ? EDH_OK : EDH_E_INTERNAL;
}

struct edh_init *edh_init_new(const struct edh_config *cfg, int method, const int *suites_i,
			      unsigned n, const struct edh_inject *inject, struct edh_out *out,
			      enum edh_status *st)
{
	struct edh_init *in = calloc(1, sizeof(*in));
	struct edh_sess *s = &in->s;

	*st = EDH_E_INTERNAL;
	if (in == NULL)
		return NULL;
	s->initiator = true;
	s->cfg = cfg;
	s->method = method;
	s->suite = n && n <= EDH_SUITES_MAX ? edh_suite_by_id(suites_i[n - 1]) : NULL;
	if (method < 0 || method >= EDH_METHOD_COUNT)
		*st = EDH_E_METHOD;
	else if (s->suite == NULL)
		*st = EDH_E_SUITE;
	else if (!(s->own = edh_own_cred(cfg, s->suite, edh_static_dh(method, true))))
		*st = EDH_E_NO_CRED;
	else if ((*st = pick_c_i(s, inject)) == EDH_OK &&
		 (*st = edh_eph_make(s, inject ? inject->eph_d : NULL,
				     inject ? inject->eph_len : 0)) == EDH_OK)
		*st = build_msg1(s, suites_i, n, out);
	if (*st != EDH_OK) {
		edh_init_free(in);
		return NULL;
	}
	s->state = EDH_ST_WAIT_M2;
	return in;
}

/* message_2 = bstr(G_Y || CIPHERTEXT_2): G_Y into s->g_peer, PLAINTEXT_2 into pt; TH_2. */
static enum edh_status open_msg2(struct edh_sess *s, const uint8_t *in, size_t len,
				 uint8_t *prk_2e, uint8_t *pt, size_t *n)
{
	struct edh_seq q = { in, len, 0 };
	cbor_item_t *it = NULL;
	const uint8_t *raw, *p = NULL;
	size_t rl, pl = 0;
	uint8_t g_xy[CRY_ECDH_LEN];
	bool bad = false, ok;
	enum edh_status st;

	ok = len <= EDH_MSG_MAX && edh_seq_next(&q, &it, &raw, &rl, &bad) && q.off == len &&
	     cry_cbor_get_bstr(it, &p, &pl) && pl > 32;
	if (ok) {
		memcpy(s->g_peer, p, 32);
		memcpy(pt, p + 32, pl - 32);
		*n = pl - 32;
	}
	if (it)
		cbor_decref(&it);
	if (!ok)
		return EDH_E_MALFORMED;
	if (edh_th2(s->suite, s->g_peer, s->h_m1, s->th))
		return EDH_E_INTERNAL;
	st = edh_ecdh_x(s->suite, s->eph, s->g_peer, g_xy);
	if (st == EDH_OK && (edh_extract(s->suite, s->th, EDH_HASH_MAX, g_xy, sizeof(g_xy),
					 prk_2e) ||
			     edh_keystream_xor(s->suite, prk_2e, s->th, pt, *n)))
		st = EDH_E_INTERNAL;
	cry_wipe(g_xy, sizeof(g_xy));
	return st;
}

/* message_3 = bstr(Encrypt0 of PLAINTEXT_3 with K_3, IV_3, TH_3); s->th becomes TH_4. */
static enum edh_status build_msg3(struct edh_sess *s, struct edh_out *out)
{
	uint8_t pt[EDH_MSG_MAX];
	int n = edh_auth_make(s, 3, s->prk_3e2m, s->prk_4e3m, pt, sizeof(pt));
	enum edh_status st = n < 0 ? EDH_E_INTERNAL : edh_seal_msg(s, false, pt, (size_t)n, out);

	if (st == EDH_OK && edh_th_next(s->suite, s->th, pt, (size_t)n, s->own))
		st = EDH_E_INTERNAL;
	return st;
}

/* An error message starts with ERR_CODE, an int; message_2 is a bstr (§6). */
static bool is_error(const uint8_t *in, size_t len)
{
	return len && (in[0] >> 5 == CRY_CBOR_UINT || in[0] >> 5 == CRY_CBOR_NINT);
}

enum edh_status edh_init_msg2(struct edh_init *in, const uint8_t *m2, size_t len,
			      struct edh_out *out, struct edh_result *res)
{
	struct edh_sess *s = &in->s;
	uint8_t prk_2e[EDH_HASH_MAX], pt[EDH_MSG_MAX];
	size_t n = 0;
	struct edh_cred tmp = { 0 };
	const struct edh_cred *peer = NULL;
	enum edh_status st;

	memset(res, 0, sizeof(*res));
	out->len = 0;
	if (s->state != EDH_ST_WAIT_M2)
		return EDH_E_STATE;
	s->state = EDH_ST_DONE; /* any outcome ends this step: an error is fatal (§6) */
	if (is_error(m2, len))
		return EDH_E_PEER_ERROR;
	st = open_msg2(s, m2, len, prk_2e, pt, &n);
	if (st == EDH_OK)
		st = edh_auth_check(s, 2, pt, n, prk_2e, s->prk_3e2m, &tmp, &peer);
	/* RFC 9668 §4.1 / RFC 9528 §3.3.2: C_R equal to C_I is refused */
	if (st == EDH_OK && s->c_r_len == s->c_i_len && !memcmp(s->c_r, s->c_i, s->c_i_len))
		st = EDH_E_CID;
	if (st == EDH_OK && edh_th_next(s->suite, s->th, pt, n, peer))
		st = EDH_E_INTERNAL;
	if (st == EDH_OK)
		st = build_msg3(s, out);
	if (st == EDH_OK)
		st = edh_finish(s, res) ? EDH_E_INTERNAL : EDH_OK;
	if (st == EDH_OK) {
		memcpy(res->peer_kid, peer->kid, peer->kid_len);
		res->peer_kid_len = peer->kid_len;
		s->state = EDH_ST_WAIT_M4;
	} else {
		out->len = 0;
		cry_wipe(res, sizeof(*res));
	}
	edh_cred_free(&tmp);
	cry_wipe(prk_2e, sizeof(prk_2e));
	cry_wipe(pt, sizeof(pt));
	return st;
}

enum edh_status edh_init_msg4(struct edh_init *in, const uint8_t *m4, size_t len)
{
	struct edh_sess *s = &in->s;
	uint8_t pt[EDH_MSG_MAX];
	size_t n = 0;
	enum edh_status st;

	if (s->state != EDH_ST_WAIT_M4)
		return EDH_E_STATE;
	s->state = EDH_ST_DONE;
	if (is_error(m4, len))
		return EDH_E_PEER_ERROR;
	st = edh_open_msg(s, true, m4, len, pt, sizeof(pt), &n);
	return st == EDH_OK ? edh_ead_check(pt, n) : st;
}

size_t edh_init_c_r(const struct edh_init *in, uint8_t *out)
{
	memcpy(out, in->s.c_r, in->s.c_r_len);
	return in->s.c_r_len;
}

void edh_init_free(struct edh_init *in)
{
	if (in == NULL)
		return;
	edh_sess_wipe(&in->s);
	free(in);
}
