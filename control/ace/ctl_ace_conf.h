/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The resource server's ACE configuration, a JSON object (jansson):
 *
 *   {
 *     "audience": "coap://gw.example" | ["...", ...],  names a token's aud may carry (required)
 *     "as_uri": "coap://as.example/token",   AS URI for AS Request Creation Hints (optional)
 *     "rs_id": "hex",                  prefix of the cti of tokens with exi (RFC 9200 §5.10.3)
 *     "max_tokens": 1024,              tokens kept, one per PoP key (1..65536)
 *     "issuers": [                     trusted authorization servers (1..CTL_ACE_AS_MAX)
 *       {"name": "as1", "iss": "coap://as.example",   iss claim, if present, must equal this
 *        "kid": "hex" | "kid_text": "Symmetric128",   COSE kid the AS's tokens carry
 *        "alg": 10 | "AES-CCM-16-64-128" | "A128GCM" | 30 | "HMAC 256/64" | 5 | "ES256" | "EdDSA",
 *        "key": "hex"                 symmetric key (AEAD: Encrypt0; HMAC: Mac0), or
 *        "x": "hex", "y": "hex"       the AS public key (ES256: P-256 x and y; EdDSA: Ed25519 x)
 *       }],
 *     "scopes": {"rTempC": [["/s/temp", 1]], ...}   text scope-tokens as AIF (RFC 9237)
 *   }
 *
 * Unknown keys are refused, so that a misspelt field is not silently ignored. Errors name the
 * file and the field ("gw.json: ace.issuers[0].key: 15 bytes, alg 10 needs 16").
 */
#ifndef CTL_ACE_CONF_H
#define CTL_ACE_CONF_H

#include <stddef.h>

#include <jansson.h>

#include "control/ace/ctl_ace.h"

/*
 * Fill conf from the JSON object o, read from file (used in messages only). Returns 0, or -1
 * with err[0..err_len) saying "file: field: reason"; conf then holds nothing to release.
 */
int ctl_ace_conf_parse(json_t *o, const char *file, struct ctl_ace_conf *conf, char *err,
		       size_t err_len);

/* Read a JSON file whose top level is the object above. Same returns. */
int ctl_ace_conf_load(const char *path, struct ctl_ace_conf *conf, char *err, size_t err_len);

#endif
