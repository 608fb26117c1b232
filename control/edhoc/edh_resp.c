/* SPDX-License-Identifier: BSD-3-Clause */
/* The EDHOC Responder (RFC 9528 §5.2.3, §5.3.2, §5.4.3, §5.5.2). */
#include <stdlib.h>
#include <string.h>

#include "control/edhoc/edh_internal.h"
#include "crypto/cry_aead.h"

/* message_1 = (METHOD, SUITES_I, G_X, C_I, ?EAD_1) (§5.2.1). */
struct msg1 {
	int64_t method;
	int suites[EDH_SUITES_MAX];
	unsigned n_suites;
	uint8_t g_x[32];
	uint8_t c_i[EDH_CID_MAX];
	uint8_t c_i_len;
	const uint8_t *ead;
	size_t ead_len;
};

static bool read_suites(const cbor_item_t *it, struct msg1 *m)
{
	int64_t v;
	size_t n = cbor_isa_array(it) ? cbor_array_size(it) : 1;

	/* an array holds at least two suites; a single one is sent as an int (§5.2.2) */
	if (cbor_isa_array(it) && (n < 2 || n > EDH_SUITES_MAX))
		return false;
	for (size_t i = 0; i < n; i++) {
		const cbor_item_t *e = cbor_isa_array(it) ? cbor_array_handle(it)[i] : it;

		if (!cry_cbor_get_int(e, &v) || v < -65536 || v > 65536)
			return false;
		m->suites[i] = (int)v;
	}
	m->n_suites = (unsigned)n;
	return true;
}

static enum edh_status parse_msg1(const uint8_t *in, size_t len, struct msg1 *m)
{
	struct edh_seq q = { in, len, 0 };
	cbor_item_t *it[4] = { NULL, NULL, NULL, NULL };
	const uint8_t *raw[4], *gx;
	size_t rl[4], gl;
	bool bad = false, ok = len <= EDH_MSG_MAX;

	for (int i = 0; i < 4 && ok; i++)
		ok = edh_seq_next(&q, &it[i], &raw[i], &rl[i], &bad);
	ok = ok && cry_cbor_get_int(it[0], &m->method) && read_suites(it[1], m) &&
	     cry_cbor_get_bstr(it[2], &gx, &gl) && gl == 32 &&
	     edh_cid_read(it[3], raw[3], rl[3], m->c_i, &m->c_i_len);
	if (ok) {
		memcpy(m->g_x, gx, 32);
		m->ead = in + q.off;
		m->ead_len = len - q.off;
	}
	for (int i = 0; i < 4; i++)
		if (it[i])
			cbor_decref(&it[i]);
	return ok ? EDH_OK : EDH_E_MALFORMED;
}

static bool supported(const struct edh_config *cfg, int suite)
{
	for (unsigned i = 0; i < cfg->n_suites; i++)
		if (cfg->suites[i] == suite)
			return true;
	return false;
}

/* §5.2.3: the selected suite (the last of SUITES_I) must be supported, and no suite the
 * Initiator prefers to it may be: otherwise the Initiator chose badly and is told SUITES_R. */
static enum edh_status check_msg1(const struct edh_config *cfg, const struct msg1 *m)
{
	if (m->method < 0 || m->method >= EDH_METHOD_COUNT || !(cfg->methods & 1u << m->method))
		return EDH_E_METHOD;
	if (!supported(cfg, m->suites[m->n_suites - 1]))
		return EDH_E_SUITE;
	for (unsigned i = 0; i + 1 < m->n_suites; i++)
		if (supported(cfg, m->suites[i]))
			return EDH_E_SUITE;
	return edh_ead_check(m->ead, m->ead_len);
}

/* out = bstr(G_Y || pt[0..n) ^ KEYSTREAM_2) (§5.3.2). */
static int seal_msg2(const struct edh_sess *s, const uint8_t *prk_2e, const uint8_t *pt, size_t n,
		     struct edh_out *out)
{
	uint8_t gct[32 + EDH_MSG_MAX];
	struct cry_cbor_buf b;

	memcpy(gct, s->g_own, 32);
	memcpy(gct + 32, pt, n);
	if (edh_keystream_xor(s->suite, prk_2e, s->th, gct + 32, n))
		return -1;
	cry_cbor_init(&b, out->buf, out->cap);
	cry_cbor_bstr(&b, gct, 32 + n);
	out->len = cry_cbor_done(&b) < 0 ? 0 : b.len;
	out->is_error = false;
	return out->len ? 0 : -1;
}

/* message_2 for s (§5.3.2); s->th goes from TH_2 to TH_3. */
static enum edh_status build_msg2(struct edh_sess *s, const uint8_t *m1, size_t m1_len,
				  struct edh_out *out)
{
	uint8_t g_xy[CRY_ECDH_LEN], prk_2e[EDH_HASH_MAX], pt[EDH_MSG_MAX];
	enum edh_status st;
	int n = -1;

	if (edh_hash3(s->suite, m1, m1_len, NULL, 0, NULL, 0, s->h_m1) ||
	    edh_th2(s->suite, s->g_own, s->h_m1, s->th))
		return EDH_E_INTERNAL;
	st = edh_ecdh_x(s->suite, s->eph, s->g_peer, g_xy);
	if (st == EDH_OK &&
	    (edh_extract(s->suite, s->th, EDH_HASH_MAX, g_xy, sizeof(g_xy), prk_2e) ||
	     (n = edh_auth_make(s, 2, prk_2e, s->prk_3e2m, pt, sizeof(pt))) < 0 ||
	     seal_msg2(s, prk_2e, pt, (size_t)n, out) ||
	     edh_th_next(s->suite, s->th, pt, (size_t)n, s->own)))
		st = EDH_E_INTERNAL;
	cry_wipe(g_xy, sizeof(g_xy));
	cry_wipe(prk_2e, sizeof(prk_2e));
	return st;
}

/* The error message for st (§6): SUITES_R for a refused suite, "unknown credential" where it
 * applies, else ERR_CODE 1 naming the reason (never a secret). */
static enum edh_status fail(struct edh_table *t, enum edh_status st, struct edh_out *out)
{
	int code = st == EDH_E_SUITE	     ? EDH_ERR_CODE_WRONG_SUITE
		   : st == EDH_E_CRED_UNKNOWN ? EDH_ERR_CODE_UNKNOWN_CRED
					      : EDH_ERR_CODE_UNSPECIFIED;

	out->len = 0;
	edh_error_write(out, code, edh_table_cfg(t), edh_status_name(st));
	return edh_table_count(t, st);
}

/* §7: a retransmitted message_1 gets the message_2 already sent, never a second session
 * (a new message_2 would be a second ECDH and signature for the same request). */
static bool resend(struct edh_table *t, uint64_t now_ms, const uint8_t *in, size_t len,
		   struct edh_out *out)
{
	uint8_t h[EDH_HASH_MAX];
	struct edh_sess *s;

	if (edh_hash3(edh_suite_by_id(0), in, len, NULL, 0, NULL, 0, h))
		return false;
	s = edh_table_by_m1(t, now_ms, h);
	if (s == NULL || s->m2_len > out->cap)
		return false;
	memcpy(out->buf, s->m2, s->m2_len);
	out->len = s->m2_len;
	out->is_error = false;
	return true;
}

/* Keep message_2 for a retransmitted message_1. */
static enum edh_status keep_msg2(struct edh_sess *s, const struct edh_out *out)
{
	s->m2 = malloc(out->len);
	if (s->m2 == NULL)
		return EDH_E_INTERNAL;
	memcpy(s->m2, out->buf, out->len);
	s->m2_len = out->len;
	return EDH_OK;
}

enum edh_status edh_resp_msg1(struct edh_table *t, uint64_t now_ms, const uint8_t *in,
			      size_t len, struct edh_out *out)
{
	const struct edh_config *cfg = edh_table_cfg(t);
	struct msg1 m;
	struct edh_sess *s;
	const uint8_t *eph_d;
	size_t eph_len;
	enum edh_status st = parse_msg1(in, len, &m);

	if (st == EDH_OK && resend(t, now_ms, in, len, out))
		return edh_table_count(t, EDH_OK);
	if (st == EDH_OK)
		st = check_msg1(cfg, &m);
	if (st != EDH_OK)
		return fail(t, st, out);
	s = edh_table_open(t, now_ms, m.c_i, m.c_i_len, &eph_d, &eph_len, &st);
	if (s == NULL)
		return fail(t, st, out);
	s->method = (int)m.method;
	s->suite = edh_suite_by_id(m.suites[m.n_suites - 1]);
	memcpy(s->c_i, m.c_i, m.c_i_len);
	s->c_i_len = m.c_i_len;
	memcpy(s->g_peer, m.g_x, 32);
	s->own = edh_own_cred(cfg, s->suite, edh_static_dh(s->method, false));
	st = s->own ? edh_eph_make(s, eph_d, eph_len) : EDH_E_NO_CRED;
	if (st == EDH_OK)
		st = build_msg2(s, in, len, out);
	if (st == EDH_OK)
		st = keep_msg2(s, out);
	if (st != EDH_OK) {
		edh_table_close(t, s);
		return fail(t, st, out);
	}
	return edh_table_count(t, EDH_OK);
}

/* message_3 = bstr(CIPHERTEXT_3) (§5.4.3); yields the result and s->th = TH_4. */
static enum edh_status process_msg3(struct edh_sess *s, const uint8_t *in, size_t len,
				    struct edh_result *res)
{
	uint8_t pt[EDH_MSG_MAX];
	size_t n = 0;
	struct edh_cred tmp = { 0 };
	const struct edh_cred *peer = NULL;
	enum edh_status st = edh_open_msg(s, false, in, len, pt, sizeof(pt), &n);

	if (st == EDH_OK)
		st = edh_auth_check(s, 3, pt, n, s->prk_3e2m, s->prk_4e3m, &tmp, &peer);
	if (st == EDH_OK && (edh_th_next(s->suite, s->th, pt, n, peer) || edh_finish(s, res)))
		st = EDH_E_INTERNAL;
	if (st == EDH_OK) {
		memcpy(res->peer_kid, peer->kid, peer->kid_len);
		res->peer_kid_len = peer->kid_len;
	}
	edh_cred_free(&tmp);
	cry_wipe(pt, sizeof(pt));
	return st;
}

enum edh_status edh_resp_msg3(struct edh_table *t, uint64_t now_ms, const uint8_t *c_r,
			      size_t c_r_len, const uint8_t *in, size_t len, struct edh_out *out,
			      struct edh_result *res)
{
	struct edh_sess *s = edh_table_find(t, now_ms, c_r, c_r_len);
	enum edh_status st;

	memset(res, 0, sizeof(*res));
	if (s == NULL)
		return fail(t, EDH_E_NO_SESSION, out);
	st = process_msg3(s, in, len, res);
	out->len = 0;
	/* message_4 = bstr(Encrypt0 of EAD_4 with K_4, IV_4, TH_4) (§5.5.2) */
	if (st == EDH_OK && s->cfg->message_4)
		st = edh_seal_msg(s, true, s->cfg->ead, s->cfg->ead_len, out);
	edh_table_close(t, s); /* done or failed: an error is fatal (§6) */
	if (st != EDH_OK) {
		cry_wipe(res, sizeof(*res));
		return fail(t, st, out);
	}
	return edh_table_count(t, EDH_OK);
}
