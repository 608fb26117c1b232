/* SPDX-License-Identifier: BSD-3-Clause */
/* AIF scopes (RFC 9237): the RFC example, exact local-part matching, 4.03 versus 4.05. */
#include <errno.h>

#include "ace_test_util.h"
#include "crypto/cry_cbor_dec.h"

/* RFC 9237 §4 example: [["/s/temp",1],["/a/led",5],["/dtls",2]] (28 bytes) */
#define AIF_EXAMPLE "838267" "2f732f74656d70" "018266" "2f612f6c6564" "058265" "2f64746c73" "02"

/* A request: method code and options (Uri-Path segments, then Uri-Query parameters). */
static struct osc_coap_msg req(uint8_t code, const char *path[], const char *query[])
{
	struct osc_coap_msg m = { .code = code };

	for (int i = 0; path != NULL && path[i] != NULL; i++)
		m.opts[m.n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH,
							     .val = (const uint8_t *)path[i],
							     .len = (uint16_t)strlen(path[i]) };
	for (int i = 0; query != NULL && query[i] != NULL; i++)
		m.opts[m.n_opts++] = (struct osc_coap_opt){ .num = COAP_OPT_URI_QUERY,
							     .val = (const uint8_t *)query[i],
							     .len = (uint16_t)strlen(query[i]) };
	return m;
}

#define P(...) ((const char *[]){ __VA_ARGS__, NULL })

Test(ace_scope, rfc9237_example)
{
	uint8_t b[64];
	size_t n = at_hex(AIF_EXAMPLE, b, sizeof(b));
	cbor_item_t *it;
	struct ctl_ace_scope s;
	struct osc_coap_msg m;
	char text[64];

	cr_assert_eq(n, 28);
	cr_assert_eq(cry_cbor_decode(b, n, &cry_cbor_limits_default, &it, NULL), 0);
	cr_assert_eq(ctl_ace_scope_from_aif(&s, it), 0);
	cbor_decref(&it);
	cr_assert_eq(s.n, 3);
	m = req(COAP_GET, P("s", "temp"), NULL);
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_ALLOW);
	m.code = COAP_PUT;
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_METHOD);
	m = req(COAP_PUT, P("a", "led"), NULL); /* 5 = GET | PUT */
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_ALLOW);
	m.code = COAP_DELETE;
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_METHOD);
	m = req(COAP_POST, P("dtls"), NULL);
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_ALLOW);
	/* no prefixes (RFC 9237 §2.2): neither a parent nor a child path matches */
	m = req(COAP_GET, P("s"), NULL);
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_RESOURCE);
	m = req(COAP_GET, P("s", "temp", "x"), NULL);
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_RESOURCE);
	m = req(COAP_GET, NULL, NULL);
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_RESOURCE);
	/* the query is part of the URI-local-part */
	m = req(COAP_GET, P("s", "temp"), P("unit=C"));
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_RESOURCE);
	cr_assert_eq(ctl_ace_scope_entry_text(&s, 1, text, sizeof(text)), 6);
	cr_assert_str_eq(text, "/a/led");
}

Test(ace_scope, local_parts_queries_escapes_merge)
{
	struct ctl_ace_scope s;
	struct osc_coap_msg m;
	char text[64];

	ctl_ace_scope_init(&s);
	cr_assert_eq(ctl_ace_scope_add(&s, "/", 1, 1), 0);
	cr_assert_eq(ctl_ace_scope_add(&s, "/a%2Fb/c?x=1&y", 14, 1), 0);
	cr_assert_eq(ctl_ace_scope_add(&s, "/a%2fb/c?x=1&y", 14, 8), 0); /* same: merged */
	cr_assert_eq(s.n, 2);
	m = req(COAP_GET, NULL, NULL);
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_ALLOW);
	m = req(COAP_DELETE, P("a/b", "c"), P("x=1", "y"));
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_ALLOW);
	m = req(COAP_GET, P("a", "b", "c"), P("x=1", "y")); /* "a/b" is one segment */
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_RESOURCE);
	m = req(COAP_GET, P("a/b", "c"), P("x=1"));
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_RESOURCE);
	cr_assert_eq(ctl_ace_scope_entry_text(&s, 1, text, sizeof(text)), 14);
	cr_assert_str_eq(text, "/a%2Fb/c?x=1&y");
	/* methods outside GET..iPATCH (Dynamic-X, bit 32 on) grant nothing here (RFC 9237 §6) */
	cr_assert_eq(ctl_ace_scope_add(&s, "/dyn", 4, 1ull << 33), 0);
	m = req(COAP_POST, P("dyn"), NULL);
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_METHOD);
	m.code = 0x45; /* a response code is no method */
	cr_assert_eq(ctl_ace_scope_check(&s, &m), CTL_ACE_DENY_METHOD);
	/* malformed local-parts */
	cr_assert_eq(ctl_ace_scope_add(&s, "a", 1, 1), -EINVAL);
	cr_assert_eq(ctl_ace_scope_add(&s, "/%zz", 4, 1), -EINVAL);
	cr_assert_eq(ctl_ace_scope_add(&s, "/%4", 3, 1), -EINVAL);
	cr_assert_eq(ctl_ace_scope_add(&s, "/a?", 3, 1), -EINVAL);
	cr_assert_eq(ctl_ace_scope_add(&s, "/a?x&&y", 7, 1), -EINVAL);
}

Test(ace_scope, bounded)
{
	struct ctl_ace_scope s;
	char lp[16];
	unsigned i;
	int rc = 0;

	ctl_ace_scope_init(&s);
	for (i = 0; rc == 0 && i < 100; i++) {
		int n = snprintf(lp, sizeof(lp), "/r%u", i);

		rc = ctl_ace_scope_add(&s, lp, (size_t)n, 1);
	}
	cr_assert_eq(rc, -ENOSPC);
	cr_assert_eq(s.n, CTL_ACE_SCOPE_ENTRIES);
	/* a segment longer than a CoAP option can be */
	char big[300] = "/";
	memset(big + 1, 'a', 260);
	ctl_ace_scope_init(&s);
	cr_assert_eq(ctl_ace_scope_add(&s, big, 261, 1), -EINVAL);
	/* AIF shapes that are not AIF */
	cbor_item_t *it;
	cr_assert_eq(cry_cbor_decode((const uint8_t *)"\x81\x81\x01", 3, &cry_cbor_limits_default,
				     &it, NULL), 0);
	cr_assert_eq(ctl_ace_scope_from_aif(&s, it), -EBADMSG);
	cbor_decref(&it);
}
