/* SPDX-License-Identifier: BSD-3-Clause */
/* Retired key material (ctl_tomb, issue 8): fingerprints per side, values that only grow, kept
 * across a restart in the store. */
#define _GNU_SOURCE /* memmem */
#include <criterion/criterion.h>

#include "control/ctl_tomb.h"
#include "ctl_test_util.h"

static char dir[256], path[300];

static void setup(void)
{
	scratch_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/state.db", dir);
}

static void teardown(void)
{
	rm_dir(dir);
}

TestSuite(tomb, .init = setup, .fini = teardown);

static void fps_of(const struct osc_params *p, uint8_t fp[2][CTL_FP_LEN])
{
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));

	cr_assert_eq(osc_ctx_derive(c, p), OSC_CTX_OK);
	cr_assert_eq(ctl_fp_of(c, CTL_FP_RECIPIENT, fp[0]), 0);
	cr_assert_eq(ctl_fp_of(c, CTL_FP_SENDER, fp[1]), 0);
	osc_ctx_wipe(c);
	free(c);
}

Test(tomb, fingerprint_names_each_side_of_the_key_material_and_nothing_else)
{
	struct osc_params a, b;
	uint8_t fa[2][CTL_FP_LEN], fb[2][CTL_FP_LEN];

	server_params(&a, 0x0a);
	fps_of(&a, fa);
	cr_expect(memcmp(fa[0], fa[1], CTL_FP_LEN), "recipient and sender sides differ");
	fps_of(&a, fb);
	cr_expect(!memcmp(fa, fb, sizeof(fa)), "same material, same fingerprints");
	server_params(&b, 0x0b); /* same secret and Sender ID: same Sender Key */
	fps_of(&b, fb);
	cr_expect(memcmp(fa[0], fb[0], CTL_FP_LEN), "another Recipient ID");
	cr_expect(!memcmp(fa[1], fb[1], CTL_FP_LEN), "the same Sender Key is the same sender side");
	b = a;
	b.secret[0] ^= 1;
	fps_of(&b, fb);
	cr_expect(memcmp(fa[0], fb[0], CTL_FP_LEN) && memcmp(fa[1], fb[1], CTL_FP_LEN));
	b = a;
	b.has_id_ctx = true;
	fps_of(&b, fb);
	cr_expect(memcmp(fa[0], fb[0], CTL_FP_LEN), "an empty ID Context differs from none");
	cr_expect(!memmem(fa, sizeof(fa), a.secret, 8), "no part of the secret in the fingerprint");
}

Test(tomb, values_only_grow_and_many_fit)
{
	struct ctl_tomb *t = ctl_tomb_new(NULL);
	uint8_t fp[CTL_FP_LEN] = { 0 };
	uint64_t v;
	unsigned i;

	cr_assert_not_null(t);
	cr_expect(!ctl_tomb_get(t, fp, &v));
	for (i = 0; i < 1000; i++) { /* grows past its first table several times */
		memcpy(fp, &i, sizeof(i));
		cr_assert_eq(ctl_tomb_put(t, fp, 100 + i), 0);
	}
	memset(fp, 0, sizeof(fp));
	cr_assert_eq(ctl_tomb_put(t, fp, 5), 0); /* lower: ignored */
	cr_assert(ctl_tomb_get(t, fp, &v));
	cr_expect_eq(v, 100);
	for (i = 0; i < 1000; i++) {
		memcpy(fp, &i, sizeof(i));
		cr_assert(ctl_tomb_get(t, fp, &v));
		cr_expect_eq(v, 100 + i);
	}
	fp[15] = 1;
	cr_expect(!ctl_tomb_get(t, fp, &v));
	ctl_tomb_free(t);
}

Test(tomb, store_keeps_them_across_a_restart)
{
	char err[256];
	struct ctl_store *s = ctl_store_open(path, err, sizeof(err));
	struct ctl_tomb *t;
	uint8_t fp[CTL_FP_LEN];
	uint64_t v;

	cr_assert_not_null(s, "%s", err);
	t = ctl_tomb_new(s);
	memset(fp, 0x33, sizeof(fp));
	cr_assert_eq(ctl_tomb_put(t, fp, 4096), 0);
	cr_assert_eq(ctl_tomb_put(t, fp, 8192), 0);
	cr_assert_eq(ctl_tomb_put(t, fp, 10), 0);
	ctl_tomb_free(t);
	ctl_store_close(s);
	s = ctl_store_open(path, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	t = ctl_tomb_new(s);
	cr_assert_not_null(t);
	cr_assert(ctl_tomb_get(t, fp, &v));
	cr_expect_eq(v, 8192);
	cr_assert_eq(ctl_store_put_tomb(s, fp, 7), 0); /* the store keeps the maximum too */
	ctl_tomb_free(t);
	t = ctl_tomb_new(s);
	cr_assert(ctl_tomb_get(t, fp, &v));
	cr_expect_eq(v, 8192);
	ctl_tomb_free(t);
	ctl_store_close(s);
}
