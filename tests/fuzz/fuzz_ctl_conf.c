/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the libcoap OSCORE configuration parser (control/ctl_conf_libcoap.c): any
 * input must either parse into parameters within their bounds or be refused with a message that
 * names the file and line. The input is copied into an exact-size heap buffer, so ASan catches
 * any read past its end (the parser must never rely on a terminating NUL).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_conf_libcoap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ok(const struct ctl_conf *c)
{
	unsigned i, max = c->p.alg->nonce_len - 6u;

	if (!c->n_rid || c->n_rid > CTL_CONF_RID_MAX || !c->p.secret_len ||
	    c->p.sender_id_len > max || c->p.replay_window < 1 ||
	    c->p.replay_window > OSC_REPLAY_MAX)
		abort();
	for (i = 0; i < c->n_rid; i++)
		if (c->rid_len[i] > max)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl_conf c;
	char err[256] = "";
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (ctl_conf_libcoap_parse(&c, "f", buf, size, err, sizeof(err)) == 0)
		check_ok(&c);
	else if (strncmp(err, "f:", 2))
		abort(); /* every refusal names the file and line */
	free(buf);
	return 0;
}
