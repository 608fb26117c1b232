/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the gateway does with a CoAP message to the OSCORE port before any OSCORE processing, from
 * its 4-byte header alone (RFC 7252 §3, §4.2, §4.3): only requests go on; ACK and RST are
 * ignored, a CON that is not a request is rejected with a RST, a NON one ignored.
 */
#ifndef DP_PLAIN_H
#define DP_PLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/dp_stats.h"

enum dp_plain_verdict {
	DP_PLAIN_PROCESS, /* a request, or not CoAP version 1 at all: the OSCORE parser decides */
	DP_PLAIN_IGNORE,  /* silently ignored (counted): the caller frees the frame */
	DP_PLAIN_RST,     /* rejected (counted): the caller answers dp_plain_rst() */
};

/*
 * Screen the UDP payload msg[0..len) by type and code (RFC 7252 §4.2, §4.3): an ACK or a RST
 * where a request is due is ignored; an Empty CON (a "CoAP ping"), or a CON with a response code
 * or a code of a reserved class (1, 6, 7) is rejected with a RST; the same as NON is ignored.
 * Each case has its counter in st. Shorter than 4 bytes or another version: DP_PLAIN_PROCESS
 * (the parser refuses it, and §3 wants unknown versions silently ignored).
 */
enum dp_plain_verdict dp_plain_screen(const uint8_t *msg, uint16_t len, struct dp_stats *st);

/*
 * msg[0..len) failed to parse as CoAP (a message format error): may it be rejected with a RST
 * (§4.2: a CON of version 1 with its 4-byte header intact)? Counts DP_COAP_FORMAT_ERROR if so.
 */
bool dp_plain_rejectable(const uint8_t *msg, uint16_t len, struct dp_stats *st);

/* Write the RST that rejects msg (an Empty message with msg's Message ID, §4.2) into out[0..4);
 * out may be msg itself. Returns its length, 4. */
uint16_t dp_plain_rst(uint8_t *out, const uint8_t *msg);

#endif
