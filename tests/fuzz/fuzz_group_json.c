/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for a Group OSCORE group as `oscore-gwctl group add` and the configuration's
 * "groups" hand it to the gateway (control/ctl_config_group.c, derivation in control/ctl_group.c):
 * JSON text, hex fields, credentials (CCS, CBOR read with libcbor), keys. Any input must either
 * give a derived group within its bounds or be refused with a field and a reason; never crash,
 * leak or read past the input (copied into an exact-size buffer for ASan).
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_config_group.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ok(const struct ctl_groups_config *c)
{
	unsigned i;

	if (!c->n || c->n > CTL_GROUPS_MAX)
		abort();
	for (i = 0; i < c->n; i++) {
		struct ctl_group *g = NULL;
		int bad = -1;

		if (c->g[i].n_members > CTL_GROUP_MEMBERS_MAX || !c->g[i].p.secret_len ||
		    ctl_group_build(&g, &c->g[i], &bad) != OSC_GROUP_OK || !g)
			abort(); /* the parser derived it once already: it must derive again */
		ctl_group_free(g);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_groups_config c;
	char field[160] = "", reason[160] = "";
	char *buf = malloc(size ? size : 1);
	json_t *v, *a;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	v = json_loadb(buf, size, 0, NULL);
	free(buf);
	if (!v)
		return 0;
	a = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
	if (a && !ctl_config_groups(a, 32, &c, field, sizeof(field), reason, sizeof(reason))) {
		check_ok(&c);
		ctl_config_groups_free(&c);
	} else if (a && (!field[0] || !reason[0])) {
		abort(); /* a refusal names its field and reason */
	}
	json_decref(a);
	json_decref(v);
	return 0;
}
