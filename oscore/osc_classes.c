/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which CoAP options go inside the OSCORE plaintext and which stay outside (RFC 8613 §4.1), and
 * the Proxy-Uri decomposition of §4.1.3.3.
 */
#include "oscore/osc_classes.h"

#include <string.h>

#include "oscore/osc_hex.h"

unsigned osc_opt_class(uint16_t num)
{
	switch (num) {
	case COAP_OPT_URI_HOST:
	case COAP_OPT_URI_PORT:
	case COAP_OPT_OSCORE:
	case COAP_OPT_PROXY_URI:
	case COAP_OPT_PROXY_SCHEME:
		return OSC_CLASS_U;
	case COAP_OPT_OBSERVE:
	case COAP_OPT_MAX_AGE:
	case COAP_OPT_BLOCK2:
	case COAP_OPT_BLOCK1:
	case COAP_OPT_SIZE2:
	case COAP_OPT_SIZE1:
	case COAP_OPT_ECHO:
	case COAP_OPT_NO_RESPONSE:
	case COAP_OPT_REQUEST_TAG:
		return OSC_CLASS_E | OSC_CLASS_U;
	default:
		return OSC_CLASS_E; /* §4.1: unknown options are Class E */
	}
}

/* Percent-decode s[0..len) (RFC 3986 §2.1) into the scratch as one more option numbered num. */
static int add_decoded(struct osc_opt_split *sp, uint16_t num, const uint8_t *s, size_t len,
		       struct osc_coap_opt *list, unsigned *n)
{
	uint8_t *d = sp->scratch + sp->scratch_len;
	size_t i, o = 0;

	if (*n >= COAP_MAX_OPTS || len > sizeof(sp->scratch) - sp->scratch_len)
		return -1;
	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			d[o++] = s[i];
			continue;
		}
		if (i + 2 >= len)
			return -1;
		hi = osc_hex_nibble((char)s[i + 1]);
		lo = osc_hex_nibble((char)s[i + 2]);
		if (hi < 0 || lo < 0)
			return -1;
		d[o++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	list[(*n)++] = (struct osc_coap_opt){ .num = num, .len = (uint16_t)o, .val = d };
	sp->scratch_len += o;
	return 0;
}

/* Split s[0..len) at each sep into decoded options numbered num. */
static int add_segments(struct osc_opt_split *sp, uint16_t num, const uint8_t *s, size_t len,
			uint8_t sep)
{
	size_t start = 0, i;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != sep)
			continue;
		if (add_decoded(sp, num, s + start, i - start, sp->inner, &sp->n_inner))
			return -1;
		start = i + 1;
	}
	return 0;
}

static size_t span_until(const uint8_t *s, size_t len, const char *stops)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (strchr(stops, s[i]))
			break;
	return i;
}

/*
 * §4.1.3.3: Proxy-Uri "scheme://authority/path?query" becomes inner Uri-Path and Uri-Query
 * options and an outer Proxy-Uri "scheme://authority".
 */
static int split_proxy_uri(struct osc_opt_split *sp, const struct osc_coap_opt *o)
{
	const uint8_t *u = o->val, *sep = NULL;
	size_t len = o->len, i, auth_end, path_end;

	for (i = 0; i + 3 <= len; i++)
		if (!memcmp(u + i, "://", 3)) {
			sep = u + i;
			break;
		}
	if (!sep || i == 0)
		return -1;
	auth_end = (size_t)(sep - u) + 3;
	auth_end += span_until(u + auth_end, len - auth_end, "/?");
	sp->outer[sp->n_outer++] = (struct osc_coap_opt){ .num = COAP_OPT_PROXY_URI,
							  .len = (uint16_t)auth_end, .val = u };
	path_end = auth_end + span_until(u + auth_end, len - auth_end, "?");
	if (path_end > auth_end + 1 &&
	    add_segments(sp, COAP_OPT_URI_PATH, u + auth_end + 1, path_end - auth_end - 1, '/'))
		return -1;
	if (path_end + 1 < len &&
	    add_segments(sp, COAP_OPT_URI_QUERY, u + path_end + 1, len - path_end - 1, '&'))
		return -1;
	return 0;
}

static int cmp_num(const void *a, const void *b)
{
	const struct osc_coap_opt *x = a, *y = b;

	return (x->num > y->num) - (x->num < y->num);
}

/* Stable sort by number (insertion sort: lists are short and nearly sorted). */
void osc_opts_sort(struct osc_coap_opt *o, unsigned n)
{
	unsigned i, j;

	for (i = 1; i < n; i++) {
		struct osc_coap_opt t = o[i];

		for (j = i; j > 0 && cmp_num(&o[j - 1], &t) > 0; j--)
			o[j] = o[j - 1];
		o[j] = t;
	}
}

int osc_opts_split(struct osc_opt_split *sp, const struct osc_coap_msg *m, bool response)
{
	unsigned i;

	sp->n_outer = sp->n_inner = 0;
	sp->scratch_len = 0;
	sp->observe = false;
	for (i = 0; i < m->n_opts; i++) {
		const struct osc_coap_opt *o = &m->opts[i];
		unsigned cls = osc_opt_class(o->num);

		if (o->num == COAP_OPT_OSCORE)
			return -1; /* §4.1.3.7: never protect a message that is already OSCORE */
		if (o->num == COAP_OPT_PROXY_URI) {
			if (split_proxy_uri(sp, o))
				return -1;
			continue;
		}
		if (o->num == COAP_OPT_OBSERVE) {
			sp->observe = true;
			sp->outer[sp->n_outer++] = *o; /* §4.1.3.5: Observe is inner and outer */
			if (response) { /* §4.1.3.5.2: the Partial IV orders notifications */
				sp->inner[sp->n_inner++] = (struct osc_coap_opt){ .num = o->num };
				continue;
			}
		}
		if (cls == OSC_CLASS_U)
			sp->outer[sp->n_outer++] = *o;
		else if (sp->n_inner < COAP_MAX_OPTS)
			sp->inner[sp->n_inner++] = *o;
		else
			return -1;
	}
	osc_opts_sort(sp->inner, sp->n_inner);
	return 0;
}
