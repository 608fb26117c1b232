/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The "edhoc" section of the gateway's configuration (RFC 9528 responder on /.well-known/edhoc):
 *
 *   "edhoc": {
 *     "credentials": [                 own credentials, one per authentication key curve needed
 *       {"ccs": "hex CCS with a kid", "private_key": "hex"},      (Ed25519/P-256 to sign,
 *       {"x509": "gw.der", "private_key": "hex", "id_cred": "x5t" | "x5chain"}]  X25519/P-256 DH)
 *     "trusted": [{"ccs": "hex"}, {"x509": "dev.der"}],   pinned initiator credentials
 *     "ca": ["ca.der"],                CAs an initiator's x5chain is verified against
 *     "methods": [0, 1, 2, 3],         enabled methods (default all)
 *     "suites": [2, 0],                supported suites, most preferred first (default [0, 2])
 *     "max_sessions": 64,              handshakes waiting for message_3 at most
 *     "session_timeout_ms": 10000,     a session expires this long after message_1
 *     "message_4": false,              send message_4 after message_3
 *     "message_1_rate": 100, "message_1_burst": 20,   message_1 per second in total (0 = off)
 *     "message_1_source_rate": 2, "message_1_source_burst": 5   per source address (0 = off)
 *                                      (rates may be fractions down to 0.001: one per 1000 s)
 *   }
 * File names are relative to the configuration file. At least one credential is required.
 */
#ifndef CTL_CONFIG_EDHOC_H
#define CTL_CONFIG_EDHOC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "control/edhoc/edh.h"

#define CTL_EDHOC_CREDS 4

struct ctl_edhoc_config {
	bool enabled;                         /* the section is present */
	struct edh_cred own[CTL_EDHOC_CREDS]; /* with private keys, owned */
	unsigned n_own;
	struct edh_trust *trust;              /* owned */
	int suites[EDH_SUITES_MAX];
	unsigned n_suites;
	unsigned methods;                     /* bit m: method m */
	unsigned max_sessions;
	unsigned timeout_ms;
	bool message_4;
	uint64_t m1_rate_milli;               /* message_1 per 1000 s in total; 0 = no limit */
	unsigned m1_burst;
	uint64_t m1_src_rate_milli;           /* per source address */
	unsigned m1_src_burst;
};

/*
 * Read the "edhoc" object v into c (dir: the configuration file's folder, for relative file
 * names). Returns 0, or -1 with "field: reason" (no secret) in reason[0..cap); c then owns
 * nothing.
 */
int ctl_config_edhoc_parse(json_t *v, const char *dir, struct ctl_edhoc_config *c, char *reason,
			   size_t cap);

/* Free what c owns (credentials, trust store); safe on a zeroed struct. */
void ctl_config_edhoc_free(struct ctl_edhoc_config *c);

/* An edh_config for c's responder (cid_taken unset). */
void ctl_config_edhoc_edh(const struct ctl_edhoc_config *c, struct edh_config *out);

#endif
