/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access-token scopes as AIF (RFC 9237, REST-specific model): [[URI-local-part, REST-method-set],
 * ...], compiled on the control plane into a fixed-size structure that a worker checks against a
 * request's Uri-Path and Uri-Query options with no allocation and no string building.
 *
 * Matching (RFC 9237 §2.1, §2.2): the URI-local-part (path and query) of the request must equal
 * an entry's, segment by segment; RFC 9237 has no prefixes or templates ("Limitations"), so
 * neither has this. Entries naming the same local-part are merged (union of methods, §3).
 * Dynamic-X permissions (bits 32..38, §2.3) are not implemented: as §6 allows, only the bits
 * understood (GET..iPATCH, bits 0..6) are acted on; the others grant nothing.
 * Text scopes (the OAuth space-separated form) are mapped to AIF by a configured table.
 */
#ifndef CTL_ACE_SCOPE_H
#define CTL_ACE_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

#include "oscore/osc_coap.h"

#define CTL_ACE_SCOPE_ENTRIES 32  /* local-parts per scope */
#define CTL_ACE_SCOPE_TEXT 480    /* bytes of segments, each stored as length + bytes */
#define CTL_ACE_METHODS_KNOWN 0x7fu /* GET (bit 0) .. iPATCH (bit 6), RFC 9237 §3 */

struct ctl_ace_scope_entry {
	uint32_t hash;   /* of the parts and their counts: most misses cost one compare */
	uint16_t off;    /* first segment in text[] */
	uint8_t n_path;  /* Uri-Path segments ("/" has none) */
	uint8_t n_query; /* Uri-Query parameters after them */
	uint8_t methods; /* bit (code - 1) of each allowed CoAP method */
};

/* A compiled scope: about 870 bytes, no pointers, copyable as a whole. */
struct ctl_ace_scope {
	uint8_t n;
	uint16_t used;
	struct ctl_ace_scope_entry e[CTL_ACE_SCOPE_ENTRIES];
	uint8_t text[CTL_ACE_SCOPE_TEXT];
};

enum ctl_ace_access {
	CTL_ACE_ALLOW = 0,
	CTL_ACE_DENY_RESOURCE, /* no entry for this local-part: 4.03 (RFC 9200 §5.10.2) */
	CTL_ACE_DENY_METHOD,   /* the local-part is there, the method is not: 4.05 */
};

/* An empty scope (grants nothing). */
void ctl_ace_scope_init(struct ctl_ace_scope *s);

/*
 * Add one local-part (text, an absolute path "/a/b" with an optional "?q1&q2"; percent-encoded
 * octets are decoded, RFC 3986 §2.1) with a REST-method-set. Same local-part again: methods
 * merged. Returns 0, -EINVAL (not starting with '/', bad percent-encoding, empty query
 * parameter, segment over 255 bytes) or -ENOSPC (entries or text full).
 */
int ctl_ace_scope_add(struct ctl_ace_scope *s, const char *local_part, size_t len,
		      uint64_t methods);

/*
 * Compile AIF in CBOR (RFC 9237 §4: an array of [tstr, uint] arrays) into s (which is reset).
 * Returns 0, -EBADMSG (not AIF) or the errors of ctl_ace_scope_add.
 */
int ctl_ace_scope_from_aif(struct ctl_ace_scope *s, const cbor_item_t *aif);

/* Merge every entry of from into s. Returns 0 or -ENOSPC. */
int ctl_ace_scope_merge(struct ctl_ace_scope *s, const struct ctl_ace_scope *from);

/*
 * The worker's check: may request m (its code and its Uri-Path and Uri-Query options, in wire
 * order) be served under s? No allocation, no locks; s is only read.
 */
enum ctl_ace_access ctl_ace_scope_check(const struct ctl_ace_scope *s,
					const struct osc_coap_msg *m);

/*
 * Write entry i's local-part, percent-encoding what needs it, into out[0..cap) NUL-terminated
 * (for listings). Returns its length or -ENOSPC.
 */
int ctl_ace_scope_entry_text(const struct ctl_ace_scope *s, unsigned i, char *out, size_t cap);

#endif
