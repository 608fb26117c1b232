/* SPDX-License-Identifier: BSD-3-Clause */
/* The kept record of an accepted token (ctl_ace_grant): what a restart takes on again. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <string.h>

#include "ace_test_util.h"
#include "control/ace/ctl_ace_grant.h"

static struct ctl_ace_conf gconf;

static void gsetup(void)
{
	at_conf(&gconf);
	strcpy(gconf.as[0].name, "as1");
	strcpy(gconf.as[1].name, "as2");
	strcpy(gconf.as[2].name, "as3");
}

static void gteardown(void)
{
	ctl_ace_conf_release(&gconf);
}

TestSuite(ace_grant, .init = gsetup, .fini = gteardown);

static void token(struct ctl_ace_token *t)
{
	memset(t, 0, sizeof(*t));
	t->as = 1;
	t->expires = 1700000123;
	t->cti_len = 3;
	memcpy(t->cti, "\x01\x02\x03", 3);
	t->osc_id_len = 2;
	memcpy(t->osc_id, "c0", 2);
	t->ms_len = 16;
	memset(t->ms, 0x5a, 16);
	cr_assert_eq(ctl_ace_scope_add(&t->scope, "/s/temp", 7, 1), 0);
	cr_assert_eq(ctl_ace_scope_add(&t->scope, "/a/l%20ed?x=1", 13, 5), 0);
}

Test(ace_grant, round_trip_keeps_issuer_expiry_cti_id_and_scope)
{
	struct ctl_ace_token t, back;
	uint8_t rec[CTL_ACE_GRANT_MAX];
	int n;

	token(&t);
	n = ctl_ace_grant_encode(&gconf, &t, rec, sizeof(rec));
	cr_assert_gt(n, 0);
	cr_assert_eq(ctl_ace_grant_decode(&gconf, rec, (size_t)n, &back), 0);
	cr_expect_eq(back.as, 1);
	cr_expect_eq(back.expires, t.expires);
	cr_expect(back.cti_len == 3 && !memcmp(back.cti, t.cti, 3));
	cr_expect(back.osc_id_len == 2 && !memcmp(back.osc_id, "c0", 2));
	/* compiles back to the same scope, byte for byte */
	cr_expect_eq(memcmp(&back.scope, &t.scope, sizeof(t.scope)), 0);
	cr_expect_eq(back.ms_len, 0);
}

Test(ace_grant, record_holds_no_master_secret)
{
	struct ctl_ace_token t;
	uint8_t rec[CTL_ACE_GRANT_MAX];
	int n;

	token(&t);
	n = ctl_ace_grant_encode(&gconf, &t, rec, sizeof(rec));
	cr_assert_gt(n, 0);
	cr_expect_null(memmem(rec, (size_t)n, t.ms, 4));
}

Test(ace_grant, refused_when_issuer_gone_or_record_bad)
{
	struct ctl_ace_token t, back;
	uint8_t rec[CTL_ACE_GRANT_MAX];
	int n, rc;

	token(&t);
	n = ctl_ace_grant_encode(&gconf, &t, rec, sizeof(rec));
	cr_assert_gt(n, 0);
	strcpy(gconf.as[1].name, "renamed");
	cr_expect_eq(ctl_ace_grant_decode(&gconf, rec, (size_t)n, &back), -ENOENT);
	strcpy(gconf.as[1].name, "as2");
	/* every truncation is refused */
	for (int k = 0; k < n; k++)
		cr_expect_neq(ctl_ace_grant_decode(&gconf, rec, (size_t)k, &back), 0, "length %d", k);
	rec[1] = 2; /* another version */
	rc = ctl_ace_grant_decode(&gconf, rec, (size_t)n, &back);
	cr_expect_eq(rc, -EBADMSG);
	cr_expect_eq(back.osc_id_len, 0, "nothing is left in t on failure");
}

Test(ace_grant, encode_refuses_a_short_buffer)
{
	struct ctl_ace_token t;
	uint8_t rec[16];

	token(&t);
	cr_expect_lt(ctl_ace_grant_encode(&gconf, &t, rec, sizeof(rec)), 0);
}
