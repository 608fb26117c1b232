/* SPDX-License-Identifier: BSD-3-Clause */
/* Wireshark export (client's view) and Recipient-ID namespaces. */
#include <criterion/criterion.h>

#include "control/ctl_export.h"
#include "control/ctl_ns.h"
#include "ctl_test_util.h"

Test(export, wireshark_line_is_from_the_clients_point_of_view)
{
	char line[CTL_EXPORT_LINE_MAX];
	struct osc_params p;
	int n;

	server_params(&p, 0x0a);
	p.has_id_ctx = true;
	p.id_ctx_len = 2;
	p.id_ctx[0] = 0x37;
	p.id_ctx[1] = 0xcb;
	n = ctl_export_line(line, sizeof(line), &p);
	cr_assert_gt(n, 0);
	cr_expect_str_eq(line, "\"0a\",\"01\",\"42424242424242424242424242424242\","
			       "\"9e9e9e9e9e9e9e9e\",\"37cb\",\"AES-CCM-16-64-128 (CCM*)\"\n");
	cr_expect_eq((size_t)n, strlen(line));
}

Test(export, unsupported_algorithm_is_skipped_and_store_walked)
{
	char line[CTL_EXPORT_LINE_MAX], dir[256], path[300], buf[1024];
	struct ctl_store *s;
	struct osc_params p;
	unsigned skipped = 9;
	FILE *f;
	size_t n;

	server_params(&p, 0x0a);
	p.alg = cry_alg_by_cose(CRY_A128GCM);
	cr_expect_eq(ctl_export_line(line, sizeof(line), &p), -1);
	scratch_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/s.db", dir);
	s = ctl_store_open(path, buf, sizeof(buf));
	cr_assert_not_null(s);
	cr_assert_eq(ctl_store_put_ctx(s, 1, &p), 0);
	server_params(&p, 0x0b);
	cr_assert_eq(ctl_store_put_ctx(s, 2, &p), 0);
	f = tmpfile();
	cr_expect_eq(ctl_export_store(f, s, &skipped), 1);
	cr_expect_eq(skipped, 1);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	cr_expect_eq(strncmp(buf, "\"0b\",\"01\",", 10), 0, "%s", buf);
	fclose(f);
	ctl_store_close(s);
	rm_dir(dir);
}

static struct ctl_ns ns;

static void ns_setup(void)
{
	ctl_ns_init(&ns);
	/* direct: IDs starting 00 of 1..2 bytes; ace: prefix a0 of 2..4
	 * bytes; edhoc: prefix e0 of 1..7 bytes */
	cr_assert_eq(ctl_ns_add(&ns, CTL_M_DIRECT, (const uint8_t *)"\x00", 1, 1, 2), 0);
	cr_assert_eq(ctl_ns_add(&ns, CTL_M_ACE, (const uint8_t *)"\xa0", 1, 2, 4), 0);
	cr_assert_eq(ctl_ns_add(&ns, CTL_M_EDHOC, (const uint8_t *)"\xe0", 1, 1, 7), 0);
}

TestSuite(ns, .init = ns_setup);

Test(ns, each_method_is_confined_to_its_part)
{
	cr_expect(ctl_ns_check(&ns, CTL_M_DIRECT, (const uint8_t *)"\x00\x05", 2));
	cr_expect_not(ctl_ns_check(&ns, CTL_M_ACE, (const uint8_t *)"\x00\x05", 2));
	cr_expect_not(ctl_ns_check(&ns, CTL_M_DIRECT, (const uint8_t *)"\x00\x05\x01", 3),
		      "too long");
	cr_expect(ctl_ns_check(&ns, CTL_M_ACE, (const uint8_t *)"\xa0\x01", 2));
	cr_expect_not(ctl_ns_check(&ns, CTL_M_ACE, (const uint8_t *)"\xa0", 1), "too short");
	cr_expect_not(ctl_ns_check(&ns, CTL_M_EDHOC, (const uint8_t *)"\xa0\x01", 2));
	cr_expect(ctl_ns_check(&ns, CTL_M_EDHOC, (const uint8_t *)"\xe0", 1));
	cr_expect_not(ctl_ns_check(&ns, CTL_M_DIRECT, NULL, 0), "empty ID owned by no one");
	cr_expect_not(ctl_ns_check(&ns, CTL_M__COUNT, (const uint8_t *)"\x00", 1));
}

Test(ns, overlapping_or_malformed_rules_are_refused)
{
	cr_expect_eq(ctl_ns_add(&ns, CTL_M_ACE, (const uint8_t *)"\x00\x01", 2, 2, 3), -1,
		     "00 01 is direct's at length 2");
	cr_expect_eq(ctl_ns_add(&ns, CTL_M_ACE, (const uint8_t *)"\x00\x01", 2, 3, 3), 0,
		     "but length 3 is free");
	cr_expect_eq(ctl_ns_add(&ns, CTL_M_DIRECT, NULL, 0, 0, 0), 0, "the empty ID");
	cr_expect_eq(ctl_ns_add(&ns, CTL_M_EDHOC, NULL, 0, 0, 1), -1, "empty ID is direct's");
	cr_expect_eq(ctl_ns_add(&ns, CTL_M_EDHOC, (const uint8_t *)"\xe1", 1, 2, 8), -1,
		     "longer than 7");
	cr_expect_eq(ctl_ns_add(&ns, CTL_M_EDHOC, (const uint8_t *)"\xe1\x02", 2, 1, 1), -1,
		     "prefix longer than max");
	cr_expect_eq(ctl_ns_add(&ns, CTL_M_EDHOC, (const uint8_t *)"\xe1", 1, 3, 2), -1);
	cr_expect_eq(ctl_ns_add(&ns, CTL_M_ACE, (const uint8_t *)"\xa0", 1, 5, 7), 0,
		     "a method may extend its own part");
	cr_expect_eq(ctl_ns_method("edhoc"), CTL_M_EDHOC);
	cr_expect_eq(ctl_ns_method("psk"), -1);
}
