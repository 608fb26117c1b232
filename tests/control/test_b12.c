/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 9175 Echo values and the RFC 8613 App. B.1.2 round trip with a client built from oscore/. */
#include <criterion/criterion.h>
#include <pthread.h>

#include "control/ctl_b12.h"
#include "ctl_test_util.h"

static struct cry_engine *eng;
static struct osc_ctx *client, *server;
static struct ctl_echo echo;

static struct osc_ctx *derive(const struct osc_params *p)
{
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));

	cr_assert_not_null(c);
	cr_assert_eq(osc_ctx_derive(c, p), OSC_CTX_OK);
	return c;
}

static void setup(void)
{
	struct osc_params sp, cp;

	eng = cry_engine_new();
	server_params(&sp, 0x0a);
	swap_ids(&cp, &sp);
	server = derive(&sp);
	client = derive(&cp);
	cr_assert_eq(ctl_echo_init(&echo, 30), 0);
	/* a context restored after a restart: SSN resumed elsewhere (B.1.1), window unknown */
	osc_replay_mark_unknown(&server->replay);
	client->ssn = 500; /* the client kept counting across the server's restart */
}

static void teardown(void)
{
	osc_ctx_wipe(client);
	osc_ctx_wipe(server);
	free(client);
	free(server);
	ctl_echo_wipe(&echo);
	cry_engine_free(eng);
}

TestSuite(b12, .init = setup, .fini = teardown);

Test(b12, echo_value_verifies_only_for_its_context_key_and_lifetime)
{
	uint8_t v[CTL_ECHO_LEN], bad[CTL_ECHO_LEN];
	struct ctl_echo other;
	unsigned i;

	cr_assert_eq(ctl_echo_make(&echo, server, 1000, v), 0);
	cr_expect(ctl_echo_verify(&echo, server, 1000, v, sizeof(v)));
	cr_expect(ctl_echo_verify(&echo, server, 1030, v, sizeof(v)), "valid to the end");
	cr_expect_not(ctl_echo_verify(&echo, server, 1031, v, sizeof(v)), "expired");
	cr_expect_not(ctl_echo_verify(&echo, client, 1000, v, sizeof(v)), "other context");
	cr_expect_not(ctl_echo_verify(&echo, server, 1000, v, sizeof(v) - 1), "short");
	cr_assert_eq(ctl_echo_init(&other, 30), 0);
	cr_expect_not(ctl_echo_verify(&other, server, 1000, v, sizeof(v)), "key of another boot");
	for (i = 0; i < sizeof(v) * 8; i++) {
		memcpy(bad, v, sizeof(v));
		bad[i / 8] ^= (uint8_t)(1 << (i % 8));
		cr_expect_not(ctl_echo_verify(&echo, server, 1000, bad, sizeof(bad)), "bit %u", i);
	}
	ctl_echo_wipe(&other);
}

Test(b12, echo_values_are_unpredictable)
{
	uint8_t a[CTL_ECHO_LEN], b[CTL_ECHO_LEN];
	struct ctl_echo other;

	cr_assert_eq(ctl_echo_init(&other, 30), 0);
	cr_assert_eq(ctl_echo_make(&echo, server, 1000, a), 0);
	cr_assert_eq(ctl_echo_make(&other, server, 1000, b), 0);
	cr_expect_neq(memcmp(a + 4, b + 4, CTL_ECHO_LEN - 4), 0, "same input, other key");
	ctl_echo_wipe(&other);
}

/* The server's receive path: the stages, then App. B.1.2 when the window is unknown.
 * Returns the verdict; *resp_len gets the length of a 4.01 challenge, if one was made. */
static uint16_t next_mid = 0x7000;

static int server_rx(const uint8_t *in, size_t len, uint32_t now, uint8_t *resp, int *resp_len)
{
	static uint8_t plain[OSC_PLAIN_HEADROOM + 512], out[512];
	struct osc_rx rx = { .plain = plain, .plain_cap = sizeof(plain) };
	int n;

	*resp_len = 0;
	if (osc_rx_parse(&rx, in, len, true) != OSC_OK || osc_rx_prepare(&rx, server, NULL))
		return -rx.err;
	cry_aead_batch(eng, &rx.op, 1);
	n = osc_rx_finish(&rx, out, sizeof(out));
	if (n >= 0)
		return CTL_B12_ACCEPT + 100; /* plain processing, window known */
	if (n != -OSC_ERR_WINDOW_UNKNOWN)
		return n;
	cr_assert_eq(rx.replay, OSC_REPLAY_UNKNOWN);
	switch (ctl_b12_decide(&echo, now, &rx, out, rx.out_len)) {
	case CTL_B12_ACCEPT:
		return CTL_B12_ACCEPT;
	case CTL_B12_CHALLENGE:
		*resp_len = ctl_b12_challenge(eng, &echo, now, &rx, &next_mid, resp, 512);
		cr_assert_gt(*resp_len, 0, "%s", osc_err_name(-*resp_len));
		return CTL_B12_CHALLENGE;
	default:
		return CTL_B12_DROP;
	}
}

/* The client's request GET /temp, with an inner Echo if echo_val is given. */
static int client_req(uint8_t *out, size_t cap, const uint8_t *echo_val, size_t echo_len,
		      struct osc_exchange *ex)
{
	static const uint8_t path[] = "temp";
	struct osc_coap_msg m = { .type = COAP_CON, .code = COAP_GET, .mid = 7, .tkl = 1,
				  .token = (const uint8_t *)"\x77", .n_opts = 1 };
	uint8_t plain[128];
	int n;

	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .len = 4, .val = path };
	if (echo_val)
		m.opts[m.n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_ECHO,
							    .len = (uint16_t)echo_len,
							    .val = echo_val };
	n = osc_coap_encode(plain, sizeof(plain), &m);
	cr_assert_gt(n, 0);
	n = osc_protect_request(eng, client, plain, (size_t)n, out, cap, 0, ex);
	cr_assert_gt(n, 0);
	return n;
}

/* The client verifies the 4.01 and takes its Echo value into echo_val. */
static void client_take_echo(const uint8_t *resp, int len, const struct osc_exchange *ex,
			     uint8_t *echo_val)
{
	uint8_t plain[256];
	struct osc_coap_msg m, outer;
	const struct osc_coap_opt *o;
	struct osc_option opt;
	int n = osc_unprotect_response(eng, client, ex, resp, (size_t)len, plain, sizeof(plain));

	cr_assert_gt(n, 0, "client refused the 4.01: %s", osc_err_name(-n));
	cr_assert_eq(osc_coap_parse(&m, plain, (size_t)n), OSC_COAP_OK);
	cr_expect_eq(m.code, COAP_UNAUTHORIZED);
	cr_expect_eq(m.payload_len, 0, "no diagnostic payload (App. B.1.2)");
	cr_expect_eq(m.type, COAP_ACK);
	cr_expect_eq(m.mid, 7);
	cr_assert_eq(m.n_opts, 1, "only the Echo option");
	o = osc_coap_find(&m, COAP_OPT_ECHO, NULL);
	cr_assert_not_null(o);
	cr_assert_eq(o->len, CTL_ECHO_LEN);
	memcpy(echo_val, o->val, CTL_ECHO_LEN);
	/* the server's own fresh Partial IV is in the option (no nonce reuse), Echo is not outer */
	cr_assert_eq(osc_coap_parse(&outer, resp, (size_t)len), OSC_COAP_OK);
	cr_expect_null(osc_coap_find(&outer, COAP_OPT_ECHO, NULL), "Echo must be inner");
	o = osc_coap_find(&outer, COAP_OPT_OSCORE, NULL);
	cr_assert_eq(osc_option_decode(&opt, o->val, o->len, 0), OSC_OPT_OK);
	cr_expect_gt(opt.piv_len, 0);
}

Test(b12, rfc8613_b12_echo_round_trip_resets_window_at_echoed_piv)
{
	uint8_t req1[256], req2[256], req3[256], resp[512], val[CTL_ECHO_LEN];
	struct osc_exchange ex1, ex2, ex3;
	int n1 = client_req(req1, sizeof(req1), NULL, 0, &ex1), n2, n3, rl;

	cr_assert_eq(server_rx(req1, (size_t)n1, 100, resp, &rl), CTL_B12_CHALLENGE);
	cr_expect_eq(server->ssn, 1, "the challenge used the server's own SSN");
	client_take_echo(resp, rl, &ex1, val);
	cr_expect_not(osc_replay_known(&server->replay));
	n2 = client_req(req2, sizeof(req2), val, sizeof(val), &ex2);
	cr_assert_eq(server_rx(req2, (size_t)n2, 110, resp, &rl), CTL_B12_ACCEPT);
	cr_expect(osc_replay_known(&server->replay));
	cr_expect_eq(server_rx(req2, (size_t)n2, 110, resp, &rl), -OSC_ERR_REPLAY);
	cr_expect_lt(server_rx(req1, (size_t)n1, 110, resp, &rl), 0, "older than the edge");
	n3 = client_req(req3, sizeof(req3), NULL, 0, &ex3);
	cr_expect_eq(server_rx(req3, (size_t)n3, 110, resp, &rl), CTL_B12_ACCEPT + 100);
}

Test(b12, stale_or_forged_echo_earns_a_new_challenge)
{
	uint8_t req[256], resp[512], val[CTL_ECHO_LEN];
	struct osc_exchange ex;
	int n = client_req(req, sizeof(req), NULL, 0, &ex), rl;

	cr_assert_eq(server_rx(req, (size_t)n, 100, resp, &rl), CTL_B12_CHALLENGE);
	client_take_echo(resp, rl, &ex, val);
	n = client_req(req, sizeof(req), val, sizeof(val), &ex);
	cr_expect_eq(server_rx(req, (size_t)n, 131, resp, &rl), CTL_B12_CHALLENGE, "expired");
	val[5] ^= 1;
	n = client_req(req, sizeof(req), val, sizeof(val), &ex);
	cr_expect_eq(server_rx(req, (size_t)n, 101, resp, &rl), CTL_B12_CHALLENGE, "forged");
	cr_expect_not(osc_replay_known(&server->replay));
}

#define RACERS 8

static uint64_t race_piv;

static void *racer(void *arg)
{
	(void)arg;
	return (void *)(uintptr_t)osc_replay_try_reset(&server->replay, race_piv);
}

Test(b12, concurrent_resets_have_exactly_one_winner)
{
	pthread_t t[RACERS];
	unsigned round, i, wins;

	for (round = 0; round < 200; round++) {
		void *r;

		osc_replay_init(&server->replay, 32);
		osc_replay_mark_unknown(&server->replay);
		race_piv = 1000 + round;
		for (i = 0; i < RACERS; i++)
			cr_assert_eq(pthread_create(&t[i], NULL, racer, NULL), 0);
		for (wins = 0, i = 0; i < RACERS; i++) {
			pthread_join(t[i], &r);
			wins += r != NULL;
		}
		cr_assert_eq(wins, 1, "round %u: %u winners", round, wins);
		cr_assert_eq(osc_replay_commit(&server->replay, race_piv), OSC_REPLAY_SEEN);
		cr_assert_eq(osc_replay_commit(&server->replay, race_piv + 1), OSC_REPLAY_OK);
	}
}

Test(b12, known_window_is_never_reset)
{
	cr_expect_not(osc_replay_try_reset(&client->replay, 5), "fresh contexts start KNOWN");
}
