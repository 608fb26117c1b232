/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * oscore-bench --compare: every numeric figure of a summary.json against the same figure of an
 * earlier one, so that a change's effect is read in one command. Figures are named by their path
 * in the JSON (sweeps as sweeps.payload[1].pipeline_mps); figures only one side has are listed
 * as new or gone. Both runs should come from the same machine in a similar state.
 */
#include "bench/bn.h"

#include <jansson.h>
#include <string.h>

static void walk(json_t *old, json_t *now, const char *path);

static void child(json_t *old, json_t *now, const char *path, const char *key, int idx)
{
	char p[512];

	if (key)
		snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
	else
		snprintf(p, sizeof(p), "%s[%d]", path, idx);
	walk(old, now, p);
}

static void number(json_t *old, json_t *now, const char *path)
{
	double n = json_number_value(now), o;

	if (!json_is_number(old)) {
		printf("  %-58s %14s -> %14.3f  (new)\n", path, "", n);
		return;
	}
	o = json_number_value(old);
	if (o != 0)
		printf("  %-58s %14.3f -> %14.3f  %+7.1f %%\n", path, o, n, (n - o) / o * 100.0);
	else
		printf("  %-58s %14.3f -> %14.3f\n", path, o, n);
}

static void walk(json_t *old, json_t *now, const char *path)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_number(now)) {
		number(old, now, path);
	} else if (json_is_object(now)) {
		json_object_foreach(now, k, v)
			child(json_is_object(old) ? json_object_get(old, k) : NULL, v, path, k, 0);
	} else if (json_is_array(now)) {
		json_array_foreach(now, i, v)
			child(json_is_array(old) ? json_array_get(old, i) : NULL, v, path, NULL,
			      (int)i);
	}
}

int bn_compare(const char *old_path, const char *new_path)
{
	json_error_t err;
	json_t *old = json_load_file(old_path, 0, &err), *now;

	if (!old)
		return fprintf(stderr, "oscore-bench: %s:%d: %s\n", old_path, err.line, err.text), -1;
	now = json_load_file(new_path, 0, &err);
	if (!now) {
		json_decref(old);
		return fprintf(stderr, "oscore-bench: %s:%d: %s\n", new_path, err.line, err.text), -1;
	}
	printf("\nchange against %s (old -> new):\n", old_path);
	walk(old, now, "");
	json_decref(old);
	json_decref(now);
	return 0;
}
