/* SPDX-License-Identifier: BSD-3-Clause */
/* Recipient-ID namespaces per establishment method. */
#include "control/ctl_ns.h"

#include <string.h>

void ctl_ns_init(struct ctl_ns *ns)
{
	memset(ns, 0, sizeof(*ns));
}

static bool rule_matches(const struct ctl_ns_rule *r, const uint8_t *id, size_t len)
{
	return len >= r->min_len && len <= r->max_len && len >= r->prefix_len &&
	       (!r->prefix_len || !memcmp(id, r->prefix, r->prefix_len));
}

/* Some ID matches both: their length ranges meet above both prefixes, and one prefix starts
 * the other. */
static bool overlap(const struct ctl_ns_rule *a, const struct ctl_ns_rule *b)
{
	unsigned lo = a->min_len > b->min_len ? a->min_len : b->min_len;
	unsigned hi = a->max_len < b->max_len ? a->max_len : b->max_len;
	unsigned p = a->prefix_len < b->prefix_len ? a->prefix_len : b->prefix_len;
	unsigned longest = a->prefix_len > b->prefix_len ? a->prefix_len : b->prefix_len;

	if (lo < longest)
		lo = longest;
	return lo <= hi && !memcmp(a->prefix, b->prefix, p);
}

static bool taken(const struct ctl_ns *ns, enum ctl_method m, const struct ctl_ns_rule *r)
{
	unsigned o, i;

	for (o = 0; o < CTL_M__COUNT; o++)
		for (i = 0; o != (unsigned)m && i < ns->n[o]; i++)
			if (overlap(&ns->rule[o][i], r))
				return true;
	return false;
}

int ctl_ns_add(struct ctl_ns *ns, enum ctl_method m, const uint8_t *prefix, size_t prefix_len,
	       unsigned min_len, unsigned max_len)
{
	struct ctl_ns_rule r = { .prefix_len = (uint8_t)prefix_len, .min_len = (uint8_t)min_len,
				 .max_len = (uint8_t)max_len };

	if ((unsigned)m >= CTL_M__COUNT || max_len > OSC_ID_MAX || min_len > max_len ||
	    prefix_len > max_len || ns->n[m] == CTL_NS_RULES)
		return -1;
	if (prefix_len)
		memcpy(r.prefix, prefix, prefix_len);
	if (taken(ns, m, &r))
		return -1;
	ns->rule[m][ns->n[m]++] = r;
	return 0;
}

bool ctl_ns_check(const struct ctl_ns *ns, enum ctl_method m, const uint8_t *id, size_t len)
{
	unsigned i;

	if ((unsigned)m >= CTL_M__COUNT)
		return false;
	for (i = 0; i < ns->n[m]; i++)
		if (rule_matches(&ns->rule[m][i], id, len))
			return true;
	return false;
}

/* The k-th ID of rule r (see ctl_ns_nth), or 0 with k reduced by the rule's count. */
static size_t rule_nth(const struct ctl_ns_rule *r, uint64_t *k, uint8_t *id)
{
	unsigned len = r->min_len > r->prefix_len ? r->min_len : r->prefix_len;

	for (len = len ? len : 1; len <= r->max_len && len - r->prefix_len <= 4; len++) {
		uint64_t count = 1ull << (8 * (len - r->prefix_len));

		if (*k >= count) {
			*k -= count;
			continue;
		}
		memcpy(id, r->prefix, r->prefix_len);
		for (unsigned i = len; i > r->prefix_len; i--, *k >>= 8)
			id[i - 1] = (uint8_t)*k;
		return len;
	}
	return 0;
}

size_t ctl_ns_nth(const struct ctl_ns *ns, enum ctl_method m, uint64_t k, uint8_t *id)
{
	size_t n = 0;

	for (unsigned i = 0; (unsigned)m < CTL_M__COUNT && i < ns->n[m] && !n; i++)
		n = rule_nth(&ns->rule[m][i], &k, id);
	return n;
}

int ctl_ns_method(const char *name)
{
	static const char *const names[CTL_M__COUNT] = { "direct", "ace", "edhoc" };
	int i;

	for (i = 0; i < CTL_M__COUNT; i++)
		if (!strcmp(name, names[i]))
			return i;
	return -1;
}
