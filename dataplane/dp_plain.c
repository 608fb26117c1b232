/* SPDX-License-Identifier: BSD-3-Clause */
/* Screening CoAP messages by type and code before OSCORE (see dp_plain.h), RFC 7252 §4. */
#include "dataplane/dp_plain.h"

#include "oscore/osc_coap.h"

/* Reject: a CON gets a RST, a NON is ignored (§4.3 allows either; ignoring sends nothing to a
 * source that may be spoofed). */
static enum dp_plain_verdict reject(uint8_t type, enum dp_ctr why, struct dp_stats *st)
{
	st->ctr[why]++;
	return type == COAP_CON ? DP_PLAIN_RST : DP_PLAIN_IGNORE;
}

enum dp_plain_verdict dp_plain_screen(const uint8_t *msg, uint16_t len, struct dp_stats *st)
{
	uint8_t type, code, cls;

	if (len < COAP_HDR_LEN || msg[0] >> 6 != 1)
		return DP_PLAIN_PROCESS;
	type = (uint8_t)((msg[0] >> 4) & 3);
	code = msg[1];
	cls = (uint8_t)(code >> 5);
	/* §4.2, §4.3: an ACK or RST that matches nothing we sent is silently ignored; the gateway
	 * sends no CON and no NON of its own on this path, so none matches. Never RST a RST. */
	if (type == COAP_ACK) {
		st->ctr[DP_COAP_ACK_IGNORED]++;
		return DP_PLAIN_IGNORE;
	}
	if (type == COAP_RST) {
		st->ctr[DP_COAP_RST_IGNORED]++;
		return DP_PLAIN_IGNORE;
	}
	if (code == COAP_EMPTY) /* §4.3: an Empty CON elicits a RST ("CoAP ping") */
		return reject(type, type == COAP_CON ? DP_COAP_PING : DP_COAP_EMPTY_NON, st);
	if (cls == 0)
		return DP_PLAIN_PROCESS;
	if (cls >= 2 && cls <= 5) /* a response where a request is due: no context to process it */
		return reject(type, DP_COAP_RESPONSE_CODE, st);
	return reject(type, DP_COAP_RESERVED_CLASS, st); /* §4.2: classes 1, 6 and 7 */
}

bool dp_plain_rejectable(const uint8_t *msg, uint16_t len, struct dp_stats *st)
{
	if (len < COAP_HDR_LEN || msg[0] >> 6 != 1 || ((msg[0] >> 4) & 3) != COAP_CON)
		return false;
	st->ctr[DP_COAP_FORMAT_ERROR]++;
	return true;
}

uint16_t dp_plain_rst(uint8_t *out, const uint8_t *msg)
{
	uint8_t hi = msg[2], lo = msg[3];

	out[0] = (uint8_t)(1 << 6 | COAP_RST << 4); /* version 1, RST, no token (§4.1: Empty) */
	out[1] = COAP_EMPTY;
	out[2] = hi;
	out[3] = lo;
	return COAP_HDR_LEN;
}
