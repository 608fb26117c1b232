/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the resource server keeps of an accepted token so that its context survives a restart
 * (RFC 9203 §4.3: the context is bound to the token; RFC 9200 §5.10.1: the RS stores the token
 * and enforces it until it expires). Not the token itself: an update of access rights (§4.1)
 * changes a kept token's scope and expiry with a token that has no OSCORE material, and an exi
 * token's clock runs from first sight, which a re-verification would restart. So the record is
 * what verification established:
 *
 *   [1, issuer: tstr (the configured AS name), expires: int (UNIX s, 0 none), cti: bstr,
 *    osc id: bstr (the PoP key), scope: AIF (RFC 9237, [[local-part, methods], ...])]
 *
 * in CBOR, with no key (the context's Master Secret is stored with the context). The record is
 * read back from the gateway's own state database, still through the bounded decoder
 * (cry_cbor_decode). Control-plane code.
 */
#ifndef CTL_ACE_GRANT_H
#define CTL_ACE_GRANT_H

#include <stddef.h>
#include <stdint.h>

#include "control/ace/ctl_ace.h"

#define CTL_ACE_GRANT_VERSION 1
#define CTL_ACE_GRANT_MAX 2048 /* the longest record (32 scope entries, percent-encoded) */

/* t's record (t->as names an AS of conf) into out[0..cap). Returns its length, or negative
 * when it does not fit. */
int ctl_ace_grant_encode(const struct ctl_ace_conf *conf, const struct ctl_ace_token *t,
			 uint8_t *out, size_t cap);

/*
 * A record back into t (zeroed first; alg, hkdf, salt and ms stay unset: the context keeps
 * them). Returns 0, -EBADMSG (not a record of this version), -ENOENT (its issuer is no longer
 * configured) or a decoder error.
 */
int ctl_ace_grant_decode(const struct ctl_ace_conf *conf, const uint8_t *rec, size_t len,
			 struct ctl_ace_token *t);

#endif
