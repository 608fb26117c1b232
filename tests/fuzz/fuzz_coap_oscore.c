/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the CoAP codec (RFC 7252 §3) and the OSCORE option codec (RFC 8613 §6.1).
 * Beyond "does not crash" it checks the roundtrip property both codecs promise: CoAP option
 * encodings are canonical (one encoding per delta and length), so whatever parses re-encodes to the
 * same bytes; the same holds for every OSCORE option value that decodes.
 */
#include "oscore/osc_coap.h"
#include "oscore/osc_option.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_oscore_value(const struct osc_coap_opt *opt, uint8_t allowed)
{
	uint8_t out[OSC_OPTION_MAX];
	struct osc_option o;
	int n;

	if (osc_option_decode(&o, opt->val, opt->len, allowed) != OSC_OPT_OK)
		return;
	n = osc_option_encode(out, sizeof(out), &o);
	if (n != (int)opt->len || memcmp(out, opt->val, opt->len) != 0)
		abort();
	/* the decoded Partial IV must map to a sequence number and back when minimal */
	if (o.piv_len && (o.piv_len == 1 || o.piv[0] != 0)) {
		uint8_t piv[OSC_PIV_MAX];
		unsigned k = osc_piv_from_ssn(piv, osc_piv_to_ssn(o.piv, o.piv_len));

		if (k != o.piv_len || memcmp(piv, o.piv, k) != 0)
			abort();
	}
}

/* osc_coap_find must agree with a plain scan, and a uint value (RFC 7252 §3.2) must come back
 * from decode + encode as itself minus its leading zeros. */
static void check_option(const struct osc_coap_msg *m, unsigned i)
{
	const struct osc_coap_opt *o = &m->opts[i];
	unsigned count, want = 0, first = i, lz = 0, n;
	uint8_t u[4];
	uint32_t v;

	for (unsigned j = 0; j < m->n_opts; j++)
		if (m->opts[j].num == o->num && want++ == 0)
			first = j;
	if (osc_coap_find(m, o->num, &count) != &m->opts[first] || count != want)
		abort();
	if (osc_coap_uint_decode(o->val, o->len, &v) != (o->len > 4 ? -1 : 0))
		abort();
	if (o->len > 4)
		return;
	while (lz < o->len && o->val[lz] == 0)
		lz++;
	n = osc_coap_uint_encode(u, v);
	if (n != o->len - lz || memcmp(u, o->val + lz, n) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[COAP_MSG_MAX];
	struct osc_coap_msg m;
	int n;

	if (osc_coap_parse(&m, data, size) != OSC_COAP_OK)
		return 0;
	n = osc_coap_encode(out, sizeof(out), &m);
	if (n != (int)size || memcmp(out, data, size) != 0)
		abort();
	for (unsigned i = 0; i < m.n_opts; i++) {
		check_option(&m, i);
		if (m.opts[i].num != COAP_OPT_OSCORE)
			continue;
		check_oscore_value(&m.opts[i], 0);
		check_oscore_value(&m.opts[i], OSC_FLAG_GROUP);
	}
	return 0;
}
