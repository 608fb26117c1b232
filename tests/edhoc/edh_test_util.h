/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers of the EDHOC tests: hex, fresh credentials, configurations. */
#ifndef EDH_TEST_UTIL_H
#define EDH_TEST_UTIL_H

#include <criterion/criterion.h>

#include "control/edhoc/edh.h"
#include "oscore/osc_hex.h"

/* Hex into a static-lifetime-free buffer; aborts the test on bad hex. */
static inline size_t th_hex(const char *hex, uint8_t *out, size_t cap)
{
	int n = osc_hex_decode(hex, strlen(hex), out, cap);

	cr_assert(n >= 0, "bad test hex");
	return (size_t)n;
}

/* Compare out with hex. */
#define assert_hex(buf, len, hex)                                                          \
	do {                                                                               \
		uint8_t exp_[EDH_MSG_MAX];                                                 \
		size_t el_ = th_hex(hex, exp_, sizeof(exp_));                              \
		cr_assert_eq((size_t)(len), el_, "length %zu, expected %zu", (size_t)(len), el_); \
		cr_assert_arr_eq(buf, exp_, el_);                                          \
	} while (0)

/* A fresh key pair on crv with a CCS: *own with the private key, *pub without. */
static inline void th_ccs(int crv, uint8_t kid, struct edh_cred *own, struct edh_cred *pub)
{
	cr_assert_eq(edh_cred_ccs_generate(crv, &kid, 1, "test", own, pub), EDH_OK);
}

/* Own credentials on all three curves (kids base, base+1, base+2), the public halves pinned
 * in peer_trust. */
static inline void th_party(struct edh_cred own[3], uint8_t base, struct edh_trust *peer_trust)
{
	const int crv[3] = { CRY_CRV_ED25519, CRY_CRV_X25519, CRY_CRV_P256 };

	for (int i = 0; i < 3; i++) {
		struct edh_cred pub;

		th_ccs(crv[i], (uint8_t)(base + i), &own[i], &pub);
		cr_assert_eq(edh_trust_add(peer_trust, &pub), EDH_OK);
	}
}

/* A configuration with all suites (0-3) and methods, own credentials and a trust store. */
static inline void th_cfg(struct edh_config *c, const struct edh_cred *own, unsigned n_own,
			  const struct edh_trust *trust)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < 4; i++)
		c->suites[i] = i;
	c->n_suites = 4;
	c->methods = 0xf;
	c->own = own;
	c->n_own = n_own;
	c->trust = trust;
	c->max_sessions = 8;
	c->timeout_ms = 1000;
	c->message_4 = true;
}

/* One handshake between an Initiator and a Responder table; returns where it stopped
 * (EDH_OK if both sides completed), with both results. */
static inline enum edh_status th_handshake(const struct edh_config *ic, struct edh_table *t,
					   int method, int suite, struct edh_result *ires,
					   struct edh_result *rres)
{
	uint8_t b1[EDH_MSG_MAX], b2[EDH_MSG_MAX], c_r[EDH_CID_MAX];
	struct edh_out o1 = { b1, sizeof(b1), 0, false }, o2 = { b2, sizeof(b2), 0, false };
	enum edh_status st;
	struct edh_init *s = edh_init_new(ic, method, &suite, 1, NULL, &o1, &st);
	size_t crl;

	if (s == NULL)
		return st;
	st = edh_resp_msg1(t, 0, o1.buf, o1.len, &o2);
	if (st == EDH_OK)
		st = edh_init_msg2(s, o2.buf, o2.len, &o1, ires);
	if (st == EDH_OK) {
		crl = edh_init_c_r(s, c_r);
		st = edh_resp_msg3(t, 1, c_r, crl, o1.buf, o1.len, &o2, rres);
	}
	if (st == EDH_OK)
		st = edh_init_msg4(s, o2.buf, o2.len);
	edh_init_free(s);
	return st;
}

/* Two parties with credentials on every curve, each pinning the other's; all suites/methods. */
struct th_world {
	struct edh_cred iown[3], rown[3];
	struct edh_trust *itrust, *rtrust;
	struct edh_config ic, rc;
};

static inline void th_world_init(struct th_world *w)
{
	memset(w, 0, sizeof(*w));
	w->itrust = edh_trust_new();
	w->rtrust = edh_trust_new();
	th_party(w->iown, 0x01, w->rtrust);
	th_party(w->rown, 0x21, w->itrust);
	th_cfg(&w->ic, w->iown, 3, w->itrust);
	th_cfg(&w->rc, w->rown, 3, w->rtrust);
}

static inline void th_world_free(struct th_world *w)
{
	for (int i = 0; i < 3; i++) {
		edh_cred_free(&w->iown[i]);
		edh_cred_free(&w->rown[i]);
	}
	edh_trust_free(w->itrust);
	edh_trust_free(w->rtrust);
}

#endif
