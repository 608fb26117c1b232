/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway configuration's "ace" section: the ACE resource server (RFC 9200, RFC 9203) in
 * front of the gateway's services. Its value is the AS configuration of control/ace/ctl_ace_conf.h,
 * inline or in a file of its own:
 *
 *   "ace": "ace.json"                      relative to the gateway configuration's folder, or
 *   "ace": {"audience": ..., "issuers": [...], "scopes": {...}, "as_uri": ..., "rs_id": ...,
 *           "max_tokens": 1024,
 *           "max_lifetime": 86400}          gateway key: a token's context lives at most this many
 *                                           seconds from its POST (0 = as long as exp/exi say)
 *
 * Errors name the file and the field: "gw.json: ace.issuers[0].key: 15 bytes, alg 10 needs 16".
 */
#ifndef CTL_CONFIG_ACE_H
#define CTL_CONFIG_ACE_H

#include <stddef.h>

#include <jansson.h>

#include "control/ace/ctl_ace.h"

#define CTL_ACE_LIFETIME_MAX (10u * 365 * 86400) /* bound of "max_lifetime" */

struct ctl_config_ace {
	struct ctl_ace_conf *conf; /* owned; NULL: no "ace" section, /authz-info answers 4.04 */
	unsigned max_lifetime;     /* seconds; 0 = no cap */
};

/*
 * The "ace" value v of the configuration file file (dir: its folder, for a relative path) into
 * c. Returns 0, or -1 with "file: field: reason" in err[0..err_len) and nothing held.
 */
int ctl_config_ace_parse(json_t *v, const char *file, const char *dir, struct ctl_config_ace *c,
			 char *err, size_t err_len);

/* Release what c holds (AS keys); c is then empty. */
void ctl_config_ace_free(struct ctl_config_ace *c);

#endif
