/* SPDX-License-Identifier: BSD-3-Clause */
/* RFC 8613 App. B.1.2 with RFC 9175 Echo: re-initialising a replay window after a restart. */
#include "control/ctl_b12.h"

enum ctl_b12_verdict ctl_b12_decide(const struct ctl_echo *echo, uint32_t now, struct osc_rx *rx,
				    const uint8_t *plain, size_t len)
{
	const struct osc_coap_opt *o;
	struct osc_coap_msg m;
	unsigned count;

	if (osc_coap_parse(&m, plain, len) != OSC_COAP_OK)
		return CTL_B12_DROP;
	o = osc_coap_find(&m, COAP_OPT_ECHO, &count);
	/* RFC 9175 §2.2.1: not repeatable; a stale or foreign value earns a fresh one (§2.3) */
	if (!o || count != 1 || !ctl_echo_verify(echo, rx->ctx, now, o->val, o->len))
		return CTL_B12_CHALLENGE;
	if (!osc_replay_try_reset(&rx->ctx->replay, rx->piv))
		return CTL_B12_DROP;
	rx->replay = OSC_REPLAY_OK;
	rx->err = OSC_OK;
	return CTL_B12_ACCEPT;
}

int ctl_b12_challenge(struct cry_engine *e, const struct ctl_echo *echo, uint32_t now,
		      const struct osc_rx *rx, uint8_t *out, size_t cap)
{
	uint8_t val[CTL_ECHO_LEN], plain[64];
	struct osc_coap_msg m = { .type = rx->outer.type == COAP_CON ? COAP_ACK : COAP_NON,
				  .code = COAP_UNAUTHORIZED, .mid = rx->outer.mid,
				  .tkl = rx->outer.tkl, .token = rx->outer.token, .n_opts = 1 };
	struct osc_exchange ex;
	int n;

	if (ctl_echo_make(echo, rx->ctx, now, val))
		return -OSC_ERR_CRYPTO;
	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_ECHO, .len = CTL_ECHO_LEN, .val = val };
	n = osc_coap_encode(plain, sizeof(plain), &m);
	if (n < 0)
		return -OSC_ERR_TOO_BIG;
	osc_rx_exchange(rx, &ex);
	/* App. B.1.2: own fresh Partial IV, sent in the option */
	return osc_protect_response(e, rx->ctx, &ex, plain, (size_t)n, out, cap, OSC_F_OWN_PIV);
}
