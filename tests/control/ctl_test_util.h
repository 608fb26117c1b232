/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers of the control-plane tests: a scratch folder and a client/server parameter pair. */
#ifndef CTL_TEST_UTIL_H
#define CTL_TEST_UTIL_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oscore/osc_protect.h"

/* A fresh folder under TMPDIR into dir[0..cap). */
static inline void scratch_dir(char *dir, size_t cap)
{
	snprintf(dir, cap, "%s/ctl-test.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	cr_assert_not_null(mkdtemp(dir));
}

static inline void rm_dir(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

/* Server-side parameters: Sender ID 01 (the gateway), Recipient ID cid (the device). */
static inline void server_params(struct osc_params *p, uint8_t cid)
{
	memset(p, 0, sizeof(*p));
	osc_params_defaults(p);
	p->secret_len = 16;
	memset(p->secret, 0x42, 16);
	p->salt_len = 8;
	memset(p->salt, 0x9e, 8);
	p->sender_id_len = 1;
	p->sender_id[0] = 0x01;
	p->recipient_id_len = 1;
	p->recipient_id[0] = cid;
}

/* The device's view of the same context: IDs swapped. */
static inline void swap_ids(struct osc_params *c, const struct osc_params *s)
{
	*c = *s;
	memcpy(c->sender_id, s->recipient_id, s->recipient_id_len);
	c->sender_id_len = s->recipient_id_len;
	memcpy(c->recipient_id, s->sender_id, s->sender_id_len);
	c->recipient_id_len = s->sender_id_len;
}

/* A plain CoAP request: CON GET /temp, token ab cd, message id mid. Returns its length. */
static inline int plain_get(uint8_t *buf, size_t cap, uint16_t mid)
{
	static const uint8_t path[] = "temp";
	struct osc_coap_msg m = { .type = COAP_CON, .code = COAP_GET, .mid = mid, .tkl = 2,
				  .token = (const uint8_t *)"\xab\xcd", .n_opts = 1 };
	int n;

	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .len = 4, .val = path };
	n = osc_coap_encode(buf, cap, &m);
	cr_assert_gt(n, 0);
	return n;
}

#endif
