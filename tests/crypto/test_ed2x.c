/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ed25519 -> X25519 (RFC 10021 §2.5.2): the hackathon shared secrets of group-oscore-vectors.txt
 * A.1 (entities 0a, 51, 52), both directions of each pair, and the map's refusals.
 */
#include <errno.h>

#include <criterion/criterion.h>

#include "crypto/cry_ed2x.h"
#include "crypto/cry_sig.h"
#include "tc.h"

static const char *seed_hex[] = {
	"397ceb5a8d21d74a9258c20c33fc45ab152b02cf479b2e3081285f77454cf347",
	"70559b9eecdc578d5fc2ca37f9969630029f1592aff3306392ab15546c6a184a",
	"e550cd532b881d52ad75ce7b91171063e568f2531fbdfb32ee01d1910bcf810f",
};
static const char *pub_hex[] = {
	"ce616f28426ef24edb51dbcef7a23305f886f657959d4df889ddfc0255042159",
	"2668ba6ca302f14e952228da1250a890c143fdba4daed27246188b9e42c94b6d",
	"5394e43633cdac96f05120ea9f21307c9355a1b66b60a834b53e9bf60b1fb7df",
};

static struct cry_pkey *x25519(const uint8_t *x, const uint8_t *d)
{
	struct cry_coords c = { .crv = CRY_CRV_X25519, .x = x, .x_len = x ? 32 : 0, .d = d,
				.d_len = d ? 32 : 0 };
	struct cry_pkey *k = NULL;

	cr_assert_eq(cry_pkey_from_coords(&k, &c), 0);
	return k;
}

/* ECDH of entity a's mapped private key with entity b's mapped public key. */
static void shared(int a, int b, uint8_t out[32])
{
	uint8_t seed[32], ed[32], d[32], u[32];
	struct cry_pkey *own, *peer;

	tc_hex(seed_hex[a], seed, sizeof(seed));
	tc_hex(pub_hex[b], ed, sizeof(ed));
	cr_assert_eq(cry_ed25519_priv_to_x25519(seed, d), 0);
	cr_assert_eq(cry_ed25519_pub_to_x25519(ed, u), 0);
	own = x25519(NULL, d);
	peer = x25519(u, NULL);
	cr_assert_eq(cry_ecdh(own, peer, out), 0);
	cry_pkey_free(own);
	cry_pkey_free(peer);
}

Test(ed2x, hackathon_a1_shared_secrets_both_ways)
{
	static const struct { int a, b; const char *ss; } v[] = {
		{ 0, 1, "4546babdb9482396c167af11d21953bfa49eb9f630c45de93ee4d3b9ef059576" },
		{ 0, 2, "bb11648af3dfebb35e612914a7a21fc751b001aceb0267c5536528e2b9261450" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t want[32], ab[32], ba[32];

		tc_hex(v[i].ss, want, sizeof(want));
		shared(v[i].a, v[i].b, ab);
		shared(v[i].b, v[i].a, ba);
		cr_assert_arr_eq(ab, want, 32, "pair %zu", i);
		cr_assert_arr_eq(ba, want, 32, "pair %zu reversed", i);
	}
}

Test(ed2x, pole_minus_one_and_noncanonical_refused)
{
	uint8_t ed[32] = { 1 }, u[32];

	cr_assert_eq(cry_ed25519_pub_to_x25519(ed, u), -EINVAL, "y = 1");
	/* y = p - 1 = 2^255 - 20 */
	memset(ed, 0xff, 32);
	ed[0] = 0xec;
	ed[31] = 0x7f;
	cr_assert_eq(cry_ed25519_pub_to_x25519(ed, u), -EINVAL, "y = -1");
	ed[0] = 0xee; /* y = p + 1, not canonical */
	cr_assert_eq(cry_ed25519_pub_to_x25519(ed, u), -EINVAL, "y >= p");
	ed[31] = 0xff; /* the sign bit alone never matters */
	cr_assert_eq(cry_ed25519_pub_to_x25519(ed, u), -EINVAL, "y >= p with x sign");
}
