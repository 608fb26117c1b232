/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading the "edhoc" section of the configuration (format in ctl_config_edhoc.h). */
#include "control/ctl_config_edhoc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_aead.h"
#include "oscore/osc_hex.h"

#define FILE_MAX EDH_MSG_MAX /* a certificate fits in an EDHOC message */

static int why(char *reason, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int why(char *reason, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, cap, fmt, ap);
	va_end(ap);
	return -1;
}

/* Hex string field key of o into out[0..cap); *len its length. */
static int hex_field(json_t *o, const char *key, uint8_t *out, size_t cap, size_t *len,
		     char *reason, size_t rcap)
{
	const char *s = json_string_value(json_object_get(o, key));
	int n = s ? osc_hex_decode(s, strlen(s), out, cap) : -1;

	if (n <= 0)
		return why(reason, rcap, "%s: expected a hex string of 1..%zu bytes", key, cap);
	*len = (size_t)n;
	return 0;
}

/* File key of o (relative to dir) into out[0..cap); *len its length. */
static int file_field(json_t *o, const char *key, const char *dir, uint8_t *out, size_t cap,
		      size_t *len, char *reason, size_t rcap)
{
	const char *s = json_string_value(json_object_get(o, key));
	char path[PATH_MAX];
	FILE *f;

	if (!s || !*s)
		return why(reason, rcap, "%s: expected a file name", key);
	snprintf(path, sizeof(path), "%s%s%s", s[0] == '/' || !dir[0] ? "" : dir,
		 s[0] == '/' || !dir[0] ? "" : "/", s);
	f = fopen(path, "rb");
	if (!f)
		return why(reason, rcap, "%s: %s: %s", key, path, strerror(errno));
	*len = fread(out, 1, cap, f);
	if (*len == cap || *len == 0) {
		fclose(f);
		return why(reason, rcap, "%s: %s: empty or longer than %zu bytes", key, path,
			   cap - 1);
	}
	fclose(f);
	return 0;
}

/* Only the keys in allowed (NULL-terminated) may appear in o. */
static int only_keys(json_t *o, const char *const *allowed, char *reason, size_t cap)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		unsigned i;

		for (i = 0; allowed[i] && strcmp(allowed[i], key); i++)
			;
		if (!allowed[i])
			return why(reason, cap, "unknown key \"%s\"", key);
	}
	return 0;
}

/* One credential object: CCS or X.509, with the private key when own. */
static int cred_of(json_t *o, const char *dir, bool own, struct edh_cred *c, char *reason,
		   size_t cap)
{
	static const char *const keys[] = { "ccs", "x509", "private_key", "id_cred", NULL };
	uint8_t buf[FILE_MAX], d[32];
	size_t len, d_len = 0;
	enum edh_status st;
	const char *ref;

	if (!json_is_object(o))
		return why(reason, cap, "expected a credential object");
	if (only_keys(o, keys, reason, cap))
		return -1;
	if (own != !!json_object_get(o, "private_key"))
		return why(reason, cap, own ? "private_key missing" : "private_key not allowed here");
	if (own && hex_field(o, "private_key", d, sizeof(d), &d_len, reason, cap))
		return -1;
	if (json_object_get(o, "ccs")) {
		st = hex_field(o, "ccs", buf, sizeof(buf), &len, reason, cap) ? EDH_E_MALFORMED :
		     edh_cred_ccs(c, buf, len, own ? d : NULL, d_len);
	} else {
		ref = json_string_value(json_object_get(o, "id_cred"));
		if (ref && strcmp(ref, "x5t") && strcmp(ref, "x5chain"))
			return why(reason, cap, "id_cred: \"x5t\" or \"x5chain\"");
		st = file_field(o, "x509", dir, buf, sizeof(buf), &len, reason, cap) ?
		     EDH_E_MALFORMED :
		     edh_cred_x509(c, buf, len, ref && !strcmp(ref, "x5chain") ?
				   EDH_X509_BY_X5CHAIN : EDH_X509_BY_X5T, own ? d : NULL, d_len);
	}
	cry_wipe(d, sizeof(d));
	if (st != EDH_OK && !reason[0])
		why(reason, cap, "credential refused (%s): a CCS needs {8: {1: COSE_Key with kid}}, "
		    "keys Ed25519, X25519 or P-256, a private key matching it", edh_status_name(st));
	return st == EDH_OK ? 0 : -1;
}

/* Every credential of array a into creds (at most max; *n counted), own or pinned (then moved
 * into c->trust). */
static int cred_array(json_t *a, const char *name, const char *dir, bool own,
		      struct ctl_edhoc_config *c, char *reason, size_t cap)
{
	char inner[192] = "";
	size_t i;
	json_t *o;

	if (!json_is_array(a) || (own && (json_array_size(a) == 0 ||
					  json_array_size(a) > CTL_EDHOC_CREDS)))
		return why(reason, cap, "%s: expected an array%s", name,
			   own ? " of 1..4 credentials" : "");
	json_array_foreach(a, i, o) {
		struct edh_cred pin = { 0 };
		struct edh_cred *dst = own ? &c->own[c->n_own] : &pin;

		if (cred_of(o, dir, own, dst, inner, sizeof(inner)))
			return why(reason, cap, "%s[%zu]: %s", name, i, inner);
		if (own)
			c->n_own++;
		else if (edh_trust_add(c->trust, &pin) != EDH_OK)
			return edh_cred_free(&pin), why(reason, cap, "%s[%zu]: out of memory",
							name, i);
	}
	return 0;
}

static int ca_array(json_t *a, const char *dir, struct ctl_edhoc_config *c, char *reason,
		    size_t cap)
{
	uint8_t der[FILE_MAX];
	char inner[192] = "";
	size_t i, len;
	json_t *f;

	if (!json_is_array(a))
		return why(reason, cap, "ca: expected an array of file names");
	json_array_foreach(a, i, f) {
		json_t *o = json_pack("{sO}", "x509", f);
		int rc = file_field(o, "x509", dir, der, sizeof(der), &len, inner, sizeof(inner));

		json_decref(o);
		if (rc)
			return why(reason, cap, "ca[%zu]: %s", i, inner);
		if (edh_trust_add_ca(c->trust, der, len) != EDH_OK)
			return why(reason, cap, "ca[%zu]: not a DER X.509 certificate", i);
	}
	return 0;
}

/* An array of small integers, each in 0..hi, into out[0..max); *n counted. */
static int int_list(json_t *a, const char *name, int hi, int *out, unsigned max, unsigned *n,
		    char *reason, size_t cap)
{
	size_t i;
	json_t *x;

	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > max)
		return why(reason, cap, "%s: expected an array of 1..%u numbers", name, max);
	*n = 0;
	json_array_foreach(a, i, x) {
		json_int_t v = json_integer_value(x);

		if (!json_is_integer(x) || v < 0 || v > hi)
			return why(reason, cap, "%s[%zu]: expected 0..%d", name, i, hi);
		for (unsigned k = 0; k < *n; k++)
			if (out[k] == (int)v)
				return why(reason, cap, "%s[%zu]: %d listed twice", name, i, (int)v);
		out[(*n)++] = (int)v;
	}
	return 0;
}

static int num(json_t *v, const char *name, unsigned lo, unsigned hi, unsigned *out,
	       char *reason, size_t cap)
{
	json_int_t x = json_integer_value(v);

	if (!json_is_integer(v) || x < lo || x > hi)
		return why(reason, cap, "%s: expected an integer %u..%u", name, lo, hi);
	*out = (unsigned)x;
	return 0;
}

/* A rate per second v (absent: *out unchanged): 0 (no limit), or 0.001..1000000, kept in
 * thousandths. */
static int rate(json_t *v, const char *name, uint64_t *out, char *reason, size_t cap)
{
	double x = json_number_value(v);

	if (!v)
		return 0;
	if (!json_is_number(v) || !(x == 0 || (x >= 0.001 && x <= 1000000)))
		return why(reason, cap, "%s: expected 0 (no limit) or 0.001..1000000 per second",
			   name);
	*out = (uint64_t)(x * 1000 + 0.5);
	return 0;
}

/* Methods and suites; every suite must be one this library has. */
static int lists(json_t *o, struct ctl_edhoc_config *c, char *reason, size_t cap)
{
	json_t *m = json_object_get(o, "methods"), *s = json_object_get(o, "suites");
	int ms[4];
	unsigned n;

	if (m) {
		if (int_list(m, "methods", 3, ms, 4, &n, reason, cap))
			return -1;
		c->methods = 0;
		while (n--)
			c->methods |= 1u << ms[n];
	}
	if (s && int_list(s, "suites", 3, c->suites, EDH_SUITES_MAX, &c->n_suites, reason, cap))
		return -1;
	return 0;
}

static int numbers(json_t *o, struct ctl_edhoc_config *c, char *reason, size_t cap)
{
	static const struct { const char *k; unsigned lo, hi; size_t off; } f[] = {
		{ "max_sessions", 1, 65536, offsetof(struct ctl_edhoc_config, max_sessions) },
		{ "session_timeout_ms", 100, 3600000,
		  offsetof(struct ctl_edhoc_config, timeout_ms) },
		{ "message_1_burst", 1, 1000000, offsetof(struct ctl_edhoc_config, m1_burst) },
		{ "message_1_source_burst", 1, 1000000,
		  offsetof(struct ctl_edhoc_config, m1_src_burst) },
	};
	json_t *v, *m4 = json_object_get(o, "message_4");

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if ((v = json_object_get(o, f[i].k)) &&
		    num(v, f[i].k, f[i].lo, f[i].hi, (unsigned *)((char *)c + f[i].off), reason,
			cap))
			return -1;
	if (rate(json_object_get(o, "message_1_rate"), "message_1_rate", &c->m1_rate_milli,
		 reason, cap) ||
	    rate(json_object_get(o, "message_1_source_rate"), "message_1_source_rate",
		 &c->m1_src_rate_milli, reason, cap))
		return -1;
	if (m4 && !json_is_boolean(m4))
		return why(reason, cap, "message_4: expected true or false");
	c->message_4 = m4 && json_is_true(m4);
	return 0;
}

static void defaults(struct ctl_edhoc_config *c)
{
	memset(c, 0, sizeof(*c));
	c->enabled = true;
	c->methods = 0xf;
	c->suites[0] = 0;
	c->suites[1] = 2;
	c->n_suites = 2;
	c->max_sessions = 64;
	c->timeout_ms = 10000;
	c->m1_rate_milli = 100000;
	c->m1_burst = 20;
	c->m1_src_rate_milli = 2000;
	c->m1_src_burst = 5;
}

int ctl_config_edhoc_parse(json_t *v, const char *dir, struct ctl_edhoc_config *c, char *reason,
			   size_t cap)
{
	static const char *const keys[] = {
		"credentials", "trusted", "ca", "methods", "suites", "max_sessions",
		"session_timeout_ms", "message_4", "message_1_rate", "message_1_burst",
		"message_1_source_rate", "message_1_source_burst", NULL };
	json_t *t = json_object_get(v, "trusted"), *ca = json_object_get(v, "ca");

	ctl_config_edhoc_free(c);
	defaults(c);
	reason[0] = '\0';
	if (!json_is_object(v))
		return why(reason, cap, "expected an object"), ctl_config_edhoc_free(c), -1;
	c->trust = edh_trust_new();
	if (!c->trust || only_keys(v, keys, reason, cap) ||
	    cred_array(json_object_get(v, "credentials"), "credentials", dir, true, c, reason,
		       cap) ||
	    (t && cred_array(t, "trusted", dir, false, c, reason, cap)) ||
	    (ca && ca_array(ca, dir, c, reason, cap)) || lists(v, c, reason, cap) ||
	    numbers(v, c, reason, cap)) {
		if (!reason[0])
			why(reason, cap, "out of memory");
		ctl_config_edhoc_free(c);
		return -1;
	}
	for (unsigned i = 0; i < c->n_suites; i++)
		if (!edh_suite_by_id(c->suites[i]))
			return why(reason, cap, "suites: %d unknown", c->suites[i]),
			       ctl_config_edhoc_free(c), -1;
	return 0;
}

void ctl_config_edhoc_free(struct ctl_edhoc_config *c)
{
	for (unsigned i = 0; i < c->n_own; i++)
		edh_cred_free(&c->own[i]);
	edh_trust_free(c->trust);
	memset(c, 0, sizeof(*c));
}

void ctl_config_edhoc_edh(const struct ctl_edhoc_config *c, struct edh_config *out)
{
	memset(out, 0, sizeof(*out));
	memcpy(out->suites, c->suites, sizeof(out->suites));
	out->n_suites = c->n_suites;
	out->methods = c->methods;
	out->own = c->own;
	out->n_own = c->n_own;
	out->trust = c->trust;
	out->max_sessions = c->max_sessions;
	out->timeout_ms = c->timeout_ms;
	out->message_4 = c->message_4;
}
