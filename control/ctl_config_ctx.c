/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-plane keys of the configuration: context capacity, durable state (RFC 8613 App. B.1),
 * response Partial IVs (§8.3), libcoap context files and Recipient-ID namespaces.
 */
#include "control/ctl_config_ctx.h"
#include "oscore/osc_hex.h"

#include <stdio.h>
#include <string.h>

void ctl_config_ctx_defaults(struct ctl_ctx_config *c)
{
	memset(c, 0, sizeof(*c));
	c->max_contexts = CTL_MAX_CONTEXTS_DEFAULT;
	c->max_id_contexts = CTL_ID_CONTEXTS_ALL;
	c->k_ssn = 4096;
	c->b12 = true;
	ctl_ns_init(&c->ns);
}

unsigned ctl_config_id_contexts(const struct ctl_ctx_config *c)
{
	return c->max_id_contexts < c->max_contexts ? c->max_id_contexts : c->max_contexts;
}

static int get_path(json_t *v, const char *dir, char *out, char *reason, size_t cap)
{
	const char *s = json_string_value(v);

	if (!s || !*s)
		return snprintf(reason, cap, "expected a file name"), -1;
	if (s[0] != '/' && dir[0])
		snprintf(out, PATH_MAX, "%s/%s", dir, s);
	else
		snprintf(out, PATH_MAX, "%s", s);
	return 0;
}

static int hex_id(const char *s, uint8_t *out, size_t *len)
{
	int n = osc_hex_decode(s, strlen(s), out, OSC_ID_MAX);

	if (n < 0)
		return -1;
	*len = (size_t)n;
	return 0;
}

/* A rule {"prefix": "hex", "min_len": N, "max_len": N} of one method (ctl_ns.h). */
static int ns_rule(json_t *r, int m, struct ctl_ns *ns, char *reason, size_t cap)
{
	json_t *pre = json_object_get(r, "prefix"), *lo = json_object_get(r, "min_len"),
	       *hi = json_object_get(r, "max_len");
	uint8_t prefix[OSC_ID_MAX];
	size_t plen = 0;

	if (!json_is_object(r) || json_object_size(r) != (size_t)(!!pre + !!lo + !!hi) ||
	    (pre && (!json_is_string(pre) || hex_id(json_string_value(pre), prefix, &plen))) ||
	    !json_is_integer(lo) || !json_is_integer(hi) || json_integer_value(lo) < 0 ||
	    json_integer_value(hi) < 0)
		return snprintf(reason, cap, "a rule is {\"prefix\": hex, \"min_len\": n, "
				"\"max_len\": n}"), -1;
	if (ctl_ns_add(ns, (enum ctl_method)m, prefix, plen, (unsigned)json_integer_value(lo),
		       (unsigned)json_integer_value(hi)))
		return snprintf(reason, cap, "rule refused: malformed, too many, or overlapping "
				"another method's part"), -1;
	return 0;
}

/* "id_namespaces": {"direct": [rules], "ace": [rules], "edhoc": [rules]} */
static int get_ns(json_t *v, struct ctl_ctx_config *c, char *reason, size_t cap)
{
	const char *name;
	json_t *rules, *r;
	size_t i;

	if (!json_is_object(v))
		return snprintf(reason, cap, "expected an object of methods"), -1;
	json_object_foreach(v, name, rules) {
		int m = ctl_ns_method(name);

		if (m < 0 || !json_is_array(rules))
			return snprintf(reason, cap, "%s: expected direct, ace or edhoc with an "
					"array of rules", name), -1;
		json_array_foreach(rules, i, r)
			if (ns_rule(r, m, &c->ns, reason, cap))
				return -1;
	}
	c->has_ns = true;
	return 0;
}

static int get_uint(json_t *v, unsigned lo, unsigned hi, unsigned *out, char *reason, size_t cap)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
		return snprintf(reason, cap, "expected an integer %u..%u", lo, hi), -1;
	*out = (unsigned)json_integer_value(v);
	return 0;
}

static int get_piv(json_t *v, bool *own, char *reason, size_t cap)
{
	const char *s = json_string_value(v);

	if (!s || (strcmp(s, "own") && strcmp(s, "request")))
		return snprintf(reason, cap, "expected \"own\" or \"request\""), -1;
	*own = !strcmp(s, "own");
	return 0;
}

int ctl_config_ctx_field(const char *key, json_t *v, const char *dir, struct ctl_ctx_config *c,
			char *reason, size_t cap)
{
	if (!strcmp(key, "max_contexts"))
		return get_uint(v, 1, 1u << 24, &c->max_contexts, reason, cap);
	if (!strcmp(key, "max_id_contexts"))
		return get_uint(v, 0, 1u << 24, &c->max_id_contexts, reason, cap);
	if (!strcmp(key, "k_ssn"))
		return get_uint(v, 2, 1u << 30, &c->k_ssn, reason, cap);
	if (!strcmp(key, "state_db"))
		return get_path(v, dir, c->state_db, reason, cap);
	if (!strcmp(key, "contexts_libcoap"))
		return get_path(v, dir, c->libcoap, reason, cap);
	if (!strcmp(key, "response_piv"))
		return get_piv(v, &c->own_piv, reason, cap);
	if (!strcmp(key, "rfc8613_b_1_2")) {
		if (!json_is_boolean(v))
			return snprintf(reason, cap, "expected true or false"), -1;
		c->b12 = json_is_true(v);
		return 0;
	}
	if (!strcmp(key, "id_namespaces"))
		return get_ns(v, c, reason, cap);
	return 1;
}
