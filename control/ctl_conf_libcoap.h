/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libcoap's OSCORE configuration format (coap-oscore-conf(5), parsed by libcoap's
 * coap_new_oscore_conf()), so that users can bring the files they already have.
 *
 *   # comment                       lines starting with '#' and empty lines are skipped
 *   keyword,encoding,value          value may be enclosed in "..."; CR LF line ends are fine
 *
 * encodings: hex (bytes as hex digits), ascii (the bytes of the string), integer (decimal),
 * text (a name, e.g. an algorithm), bool (true / false).
 *
 *   master_secret  hex|ascii  required          master_salt   hex|ascii
 *   sender_id      hex|ascii  required          id_context    hex|ascii
 *   recipient_id   hex|ascii  required, may repeat: one context per recipient (as libcoap)
 *   replay_window  integer    1..192            ssn_freq      integer  K_SSN (App. B.1.1)
 *   aead_alg       integer|text (COSE number or name, e.g. 10 or AES-CCM-16-64-128)
 *   hkdf_alg       integer|text (-10, -11, HKDF-SHA-256, direct+HKDF-SHA-256, ...)
 *   rfc8613_b_1_2  bool (default true)          rfc8613_b_2   bool (default false)
 *   break_sender_key, break_recipient_key  bool: libcoap test hooks; only false is accepted
 *
 * The gateway plays libcoap's server: sender_id is its own ID, recipient_id the device's kid.
 * Differences from libcoap, all stricter or safer: unknown keywords, keyword/encoding pairs
 * libcoap does not accept, repeated keywords (other than recipient_id), integers with trailing
 * junk and NUL bytes are refused with the line; a last line without '\n' is parsed (libcoap
 * silently drops it).
 */
#ifndef CTL_CONF_LIBCOAP_H
#define CTL_CONF_LIBCOAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscore/osc_context.h"

#define CTL_CONF_RID_MAX 64   /* recipient_id lines one file may carry */
#define CTL_CONF_MAX (1 << 20) /* longest file read */

struct ctl_conf {
	struct osc_params p;                      /* shared parameters; recipient ID unset */
	uint8_t rid[CTL_CONF_RID_MAX][OSC_ID_MAX]; /* the recipient IDs, in file order */
	uint8_t rid_len[CTL_CONF_RID_MAX];
	unsigned n_rid;
	unsigned ssn_freq;                        /* K_SSN; 0 = not given (caller's default) */
	bool b_1_2;                               /* App. B.1.2 Echo after reboot (default on) */
	bool b_2;                                 /* App. B.2 re-derivation (default off) */
};

/*
 * Parse buf[0..len) (a file named name, for messages) into c. Returns 0, or -1 with
 * "name:line: keyword: reason" in err[0..err_len). Never reads outside buf, never puts a secret
 * into err. c is wiped on failure.
 */
int ctl_conf_libcoap_parse(struct ctl_conf *c, const char *name, const char *buf, size_t len,
			   char *err, size_t err_len);

/* Read the file at path (at most CTL_CONF_MAX bytes) and parse it. Returns 0 or -1 with err. */
int ctl_conf_libcoap_load(struct ctl_conf *c, const char *path, char *err, size_t err_len);

/* The parameters of the context for recipient i (< c->n_rid) into p. */
void ctl_conf_params(const struct ctl_conf *c, unsigned i, struct osc_params *p);

#endif
