/* SPDX-License-Identifier: BSD-3-Clause */
/* The ACE configuration from JSON (format in ctl_ace_conf.h); errors name file and field. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/ace/ctl_ace_conf.h"
#include "control/ctl_where.h"
#include "crypto/cry_cose.h"
#include "oscore/osc_hex.h"

static int get_str(struct ctl_where *w, json_t *v, char *out, size_t cap)
{
	const char *s = json_string_value(v);

	if (s == NULL)
		return ctl_where_bad(w, "expected a string");
	if (strlen(s) >= cap)
		return ctl_where_bad(w, "longer than %zu characters", cap - 1);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

static int get_hex(struct ctl_where *w, json_t *v, uint8_t *out, size_t cap, uint8_t *len)
{
	const char *s = json_string_value(v);
	int n;

	if (s == NULL)
		return ctl_where_bad(w, "expected a hex string");
	n = osc_hex_decode(s, strlen(s), out, cap);
	if (n < 0)
		return ctl_where_bad(w, "not hex, or more than %zu bytes", cap);
	*len = (uint8_t)n;
	return 0;
}

/* The COSE algorithm of an AS key, by number or name, and the message type it implies. */
static int get_alg(struct ctl_where *w, json_t *v, struct ctl_ace_as *as)
{
	static const struct { const char *name; int alg, type; } other[] = {
		{ "HMAC 256/64", CRY_COSE_HMAC256_64, CRY_COSE_MAC0 },
		{ "HMAC 256/256", CRY_COSE_HMAC256_256, CRY_COSE_MAC0 },
		{ "ES256", CRY_SIG_ES256, CRY_COSE_SIGN1 },
		{ "EdDSA", CRY_SIG_EDDSA, CRY_COSE_SIGN1 },
	};
	const char *name = json_string_value(v);
	const struct cry_alg *aead = name ? cry_alg_by_name(name)
				     : json_is_integer(v) ? cry_alg_by_cose((int)json_integer_value(v))
							  : NULL;

	if (aead != NULL) {
		as->alg = aead->cose;
		as->type = CRY_COSE_ENCRYPT0;
		return 0;
	}
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		if ((name && strcmp(name, other[i].name) == 0) ||
		    (json_is_integer(v) && json_integer_value(v) == other[i].alg)) {
			as->alg = other[i].alg;
			as->type = other[i].type;
			return 0;
		}
	}
	return ctl_where_bad(w, "not an AEAD, HMAC 256/64, HMAC 256/256, ES256 or EdDSA algorithm");
}

/* The AS key that alg needs: symmetric "key", or the public key "x" (and "y" for ES256). */
static int as_key(struct ctl_where *w, const char *base, json_t *o, struct ctl_ace_as *as)
{
	uint8_t x[32], y[32], xl = 0, yl = 0;
	struct cry_coords c = { .crv = as->alg == CRY_SIG_ES256 ? CRY_CRV_P256 : CRY_CRV_ED25519 };
	const struct cry_alg *aead = cry_alg_by_cose(as->alg);

	ctl_where_at(w, "%s.key", base);
	if (as->type != CRY_COSE_SIGN1) {
		if (get_hex(w, json_object_get(o, "key"), as->key, sizeof(as->key), &as->key_len))
			return -1;
		if (aead != NULL && as->key_len != aead->key_len)
			return ctl_where_bad(w, "%u bytes, alg %d needs %u", as->key_len, as->alg,
				   aead->key_len);
		return aead == NULL && as->key_len < 16 ? ctl_where_bad(w, "an HMAC key needs 16 bytes or more")
							: 0;
	}
	ctl_where_at(w, "%s.x", base);
	if (get_hex(w, json_object_get(o, "x"), x, sizeof(x), &xl))
		return -1;
	ctl_where_at(w, "%s.y", base);
	if (c.crv == CRY_CRV_P256 && get_hex(w, json_object_get(o, "y"), y, sizeof(y), &yl))
		return -1;
	c.x = x;
	c.x_len = xl;
	c.y = c.crv == CRY_CRV_P256 ? y : NULL;
	c.y_len = yl;
	ctl_where_at(w, "%s", base);
	if (cry_pkey_from_coords(&as->pkey, &c) != 0)
		return ctl_where_bad(w, "x/y are not a public key on the curve of alg %d", as->alg);
	return 0;
}

static int as_field(struct ctl_where *w, const char *base, const char *key, json_t *v,
		    struct ctl_ace_as *as)
{
	ctl_where_at(w, "%s.%s", base, key);
	if (strcmp(key, "name") == 0)
		return get_str(w, v, as->name, sizeof(as->name));
	if (strcmp(key, "iss") == 0)
		return get_str(w, v, as->iss, sizeof(as->iss));
	if (strcmp(key, "kid") == 0) {
		as->has_kid = true;
		return get_hex(w, v, as->kid, sizeof(as->kid), &as->kid_len);
	}
	if (strcmp(key, "kid_text") == 0) {
		char s[CTL_ACE_KID_MAX + 1];

		as->has_kid = true;
		if (get_str(w, v, s, sizeof(s)))
			return -1;
		as->kid_len = (uint8_t)strlen(s);
		memcpy(as->kid, s, as->kid_len);
		return 0;
	}
	if (strcmp(key, "alg") == 0 || strcmp(key, "key") == 0 || strcmp(key, "x") == 0 ||
	    strcmp(key, "y") == 0)
		return 0; /* read together by as_key, once alg is known */
	return ctl_where_bad(w, "unknown key");
}

static int parse_as(struct ctl_where *w, unsigned i, json_t *o, struct ctl_ace_as *as)
{
	char base[48];
	const char *key;
	json_t *v;

	snprintf(base, sizeof(base), "ace.issuers[%u]", i);
	ctl_where_at(w, "%s", base);
	if (!json_is_object(o))
		return ctl_where_bad(w, "expected an object");
	json_object_foreach(o, key, v) {
		if (as_field(w, base, key, v, as))
			return -1;
	}
	ctl_where_at(w, "%s.alg", base);
	if (json_object_get(o, "alg") == NULL)
		return ctl_where_bad(w, "missing");
	if (get_alg(w, json_object_get(o, "alg"), as))
		return -1;
	return as_key(w, base, o, as);
}

static int parse_issuers(struct ctl_where *w, json_t *a, struct ctl_ace_conf *c)
{
	ctl_where_at(w, "ace.issuers");
	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > CTL_ACE_AS_MAX)
		return ctl_where_bad(w, "expected an array of 1..%d issuers", CTL_ACE_AS_MAX);
	for (size_t i = 0; i < json_array_size(a); i++) {
		c->n_as = (unsigned)i + 1; /* so that a failure releases what was built */
		if (parse_as(w, (unsigned)i, json_array_get(a, i), &c->as[i]))
			return -1;
	}
	return 0;
}

static int parse_audience(struct ctl_where *w, json_t *v, struct ctl_ace_conf *c)
{
	ctl_where_at(w, "ace.audience");
	if (json_is_string(v)) {
		c->n_audience = 1;
		return get_str(w, v, c->audience[0], CTL_ACE_STR_MAX);
	}
	if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > CTL_ACE_AUD_MAX)
		return ctl_where_bad(w, "expected a string or an array of 1..%d strings", CTL_ACE_AUD_MAX);
	for (size_t i = 0; i < json_array_size(v); i++) {
		ctl_where_at(w, "ace.audience[%zu]", i);
		if (get_str(w, json_array_get(v, i), c->audience[i], CTL_ACE_STR_MAX))
			return -1;
	}
	c->n_audience = (unsigned)json_array_size(v);
	return 0;
}

/* One AIF entry ["/path", methods] of a text scope. */
static int parse_aif_entry(struct ctl_where *w, json_t *e, struct ctl_ace_scope *s)
{
	json_t *p = json_array_get(e, 0), *m = json_array_get(e, 1);
	int rc;

	if (!json_is_array(e) || json_array_size(e) != 2 || !json_is_string(p) ||
	    !json_is_integer(m) || json_integer_value(m) < 0)
		return ctl_where_bad(w, "expected [\"/path\", methods]");
	rc = ctl_ace_scope_add(s, json_string_value(p), strlen(json_string_value(p)),
			       (uint64_t)json_integer_value(m));
	if (rc == -ENOSPC)
		return ctl_where_bad(w, "too many or too long paths for one scope");
	return rc ? ctl_where_bad(w, "not an absolute path with valid percent-encoding") : 0;
}

static int parse_scopes(struct ctl_where *w, json_t *o, struct ctl_ace_conf *c)
{
	const char *name;
	json_t *v;

	ctl_where_at(w, "ace.scopes");
	if (!json_is_object(o) || json_object_size(o) > CTL_ACE_TEXT_SCOPES)
		return ctl_where_bad(w, "expected an object of at most %d scopes", CTL_ACE_TEXT_SCOPES);
	json_object_foreach(o, name, v) {
		struct ctl_ace_text_scope *ts = &c->text_scope[c->n_text_scopes];

		ctl_where_at(w, "ace.scopes.%s", name);
		if (name[0] == '\0' || strchr(name, ' ') || strlen(name) >= sizeof(ts->name))
			return ctl_where_bad(w, "a scope-token is 1..%zu characters without spaces",
				   sizeof(ts->name) - 1);
		if (!json_is_array(v) || json_array_size(v) == 0)
			return ctl_where_bad(w, "expected a non-empty AIF array");
		memcpy(ts->name, name, strlen(name) + 1);
		ctl_ace_scope_init(&ts->aif);
		for (size_t i = 0; i < json_array_size(v); i++) {
			ctl_where_at(w, "ace.scopes.%s[%zu]", name, i);
			if (parse_aif_entry(w, json_array_get(v, i), &ts->aif))
				return -1;
		}
		c->n_text_scopes++;
	}
	return 0;
}

static int top_field(struct ctl_where *w, const char *key, json_t *v, struct ctl_ace_conf *c)
{
	ctl_where_at(w, "ace.%s", key);
	if (strcmp(key, "audience") == 0)
		return parse_audience(w, v, c);
	if (strcmp(key, "as_uri") == 0)
		return get_str(w, v, c->as_uri, sizeof(c->as_uri));
	if (strcmp(key, "rs_id") == 0)
		return get_hex(w, v, c->rs_id, sizeof(c->rs_id), &c->rs_id_len);
	if (strcmp(key, "max_tokens") == 0) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > 65536)
			return ctl_where_bad(w, "expected an integer 1..65536");
		c->max_tokens = (unsigned)json_integer_value(v);
		return 0;
	}
	if (strcmp(key, "issuers") == 0)
		return parse_issuers(w, v, c);
	if (strcmp(key, "scopes") == 0)
		return parse_scopes(w, v, c);
	return ctl_where_bad(w, "unknown key");
}

int ctl_ace_conf_parse(json_t *o, const char *file, struct ctl_ace_conf *conf, char *err,
		       size_t err_len)
{
	struct ctl_where w = { .file = file, .field = "ace", .err = err, .err_len = err_len };
	const char *key;
	json_t *v;
	int rc = 0;

	memset(conf, 0, sizeof(*conf));
	conf->max_tokens = 1024;
	if (!json_is_object(o))
		rc = ctl_where_bad(&w, "expected an object");
	json_object_foreach(o, key, v) {
		if (rc == 0)
			rc = top_field(&w, key, v, conf);
	}
	ctl_where_at(&w, "ace");
	if (rc == 0 && conf->n_audience == 0)
		rc = ctl_where_bad(&w, "\"audience\" is required");
	if (rc == 0 && conf->n_as == 0)
		rc = ctl_where_bad(&w, "\"issuers\" is required");
	if (rc != 0)
		ctl_ace_conf_release(conf);
	return rc;
}

int ctl_ace_conf_load(const char *path, struct ctl_ace_conf *conf, char *err, size_t err_len)
{
	json_error_t je;
	json_t *o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	int rc;

	memset(conf, 0, sizeof(*conf));
	if (o == NULL) {
		snprintf(err, err_len, "%s:%d: %s", path, je.line, je.text);
		return -1;
	}
	rc = ctl_ace_conf_parse(o, path, conf, err, err_len);
	json_decref(o);
	return rc;
}
