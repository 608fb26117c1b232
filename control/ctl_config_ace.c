/* SPDX-License-Identifier: BSD-3-Clause */
/* The gateway configuration's "ace" section (see ctl_config_ace.h). */
#include "control/ctl_config_ace.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ace/ctl_ace_conf.h"

/* "max_lifetime" is the gateway's own key: taken out of (a copy of) o before the AS
 * configuration, which refuses keys it does not know, is parsed. */
static int take_lifetime(json_t *o, const char *file, struct ctl_config_ace *c, char *err,
			 size_t err_len)
{
	json_t *v = json_object_get(o, "max_lifetime");

	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)CTL_ACE_LIFETIME_MAX)
		return snprintf(err, err_len, "%s: ace.max_lifetime: expected seconds, 0..%u",
				file, CTL_ACE_LIFETIME_MAX), -1;
	c->max_lifetime = (unsigned)json_integer_value(v);
	json_object_del(o, "max_lifetime");
	return 0;
}

/* o (owned by the caller) read from file. */
static int parse_object(json_t *o, const char *file, struct ctl_config_ace *c, char *err,
			size_t err_len)
{
	json_t *copy;
	int rc;

	if (!json_is_object(o))
		return snprintf(err, err_len, "%s: ace: expected an object or a file name", file),
		       -1;
	copy = json_deep_copy(o);
	c->conf = calloc(1, sizeof(*c->conf));
	if (!copy || !c->conf) {
		json_decref(copy);
		ctl_config_ace_free(c);
		return snprintf(err, err_len, "%s: ace: out of memory", file), -1;
	}
	rc = take_lifetime(copy, file, c, err, err_len);
	if (!rc)
		rc = ctl_ace_conf_parse(copy, file, c->conf, err, err_len);
	json_decref(copy);
	if (rc) {
		free(c->conf); /* ctl_ace_conf_parse released what it held */
		c->conf = NULL;
	}
	return rc;
}

int ctl_config_ace_parse(json_t *v, const char *file, const char *dir, struct ctl_config_ace *c,
			 char *err, size_t err_len)
{
	char path[PATH_MAX];
	const char *name = json_string_value(v);
	json_error_t je;
	json_t *o;
	int rc;

	*c = (struct ctl_config_ace){ 0 };
	if (!name)
		return parse_object(v, file, c, err, err_len);
	if (!name[0])
		return snprintf(err, err_len, "%s: ace: empty file name", file), -1;
	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", name[0] == '/' || !dir[0] ? "" : dir,
			     name[0] == '/' || !dir[0] ? "" : "/", name) >= sizeof(path))
		return snprintf(err, err_len, "%s: ace: path too long", file), -1;
	o = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!o)
		return snprintf(err, err_len, "%s: ace: %s:%d: %s", file, path, je.line, je.text),
		       -1;
	rc = parse_object(o, path, c, err, err_len);
	json_decref(o);
	return rc;
}

void ctl_config_ace_free(struct ctl_config_ace *c)
{
	if (c->conf) {
		ctl_ace_conf_release(c->conf);
		explicit_bzero(c->conf, sizeof(*c->conf));
		free(c->conf);
	}
	*c = (struct ctl_config_ace){ 0 };
}
