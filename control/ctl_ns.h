/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Recipient-ID namespaces: each establishment method (direct provisioning, ACE OSCORE profile,
 * EDHOC) owns configured parts of the Recipient ID space, so the IDs the methods hand out never
 * collide (RFC 8613 §3.3 leaves ID uniqueness to the application). A part is a rule: IDs of
 * min_len..max_len bytes that start with prefix. Parts of different methods may not overlap; a
 * method without rules owns no ID.
 */
#ifndef CTL_NS_H
#define CTL_NS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oscore/osc_context.h"

enum ctl_method { CTL_M_DIRECT, CTL_M_ACE, CTL_M_EDHOC, CTL_M__COUNT };

#define CTL_NS_RULES 8 /* rules per method */

struct ctl_ns_rule {
	uint8_t prefix[OSC_ID_MAX];
	uint8_t prefix_len, min_len, max_len;
};

struct ctl_ns {
	struct ctl_ns_rule rule[CTL_M__COUNT][CTL_NS_RULES];
	unsigned n[CTL_M__COUNT];
};

/* An empty configuration: no method owns any ID. */
void ctl_ns_init(struct ctl_ns *ns);

/*
 * Give method m the IDs of min_len..max_len bytes starting with prefix[0..prefix_len). Returns 0,
 * or -1 if the rule is malformed (max_len > OSC_ID_MAX, min_len > max_len, prefix longer than
 * max_len), m has CTL_NS_RULES rules already, or some ID would also belong to another method.
 */
int ctl_ns_add(struct ctl_ns *ns, enum ctl_method m, const uint8_t *prefix, size_t prefix_len,
	       unsigned min_len, unsigned max_len);

/* May method m assign Recipient ID id[0..len)? */
bool ctl_ns_check(const struct ctl_ns *ns, enum ctl_method m, const uint8_t *id, size_t len);

/*
 * The k-th ID method m may assign, in a fixed order: its rules in turn, each rule's IDs shortest
 * first (at least 1 byte), each length in counting order of the bytes after the prefix. Writes
 * it to id (OSC_ID_MAX bytes) and returns its length; 0 when m has fewer than k + 1 IDs of at
 * most 4 bytes after their prefix (the order wraps: the caller starts again at 0). Lets an ID
 * picker reach every part of a namespace, e.g. a 2-byte prefix, not only 1- and 2-byte IDs.
 */
size_t ctl_ns_nth(const struct ctl_ns *ns, enum ctl_method m, uint64_t k, uint8_t *id);

/* The method named "direct", "ace" or "edhoc", or -1. */
int ctl_ns_method(const char *name);

#endif
