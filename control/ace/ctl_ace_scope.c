/* SPDX-License-Identifier: BSD-3-Clause */
/* AIF scopes (RFC 9237): compiled to segment lists on the control plane, checked by workers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/ace/ctl_ace_scope.h"
#include "crypto/cry_cbor_dec.h"
#include "oscore/osc_hex.h"

void ctl_ace_scope_init(struct ctl_ace_scope *s)
{
	s->n = 0;
	s->used = 0;
}

/* Percent-decode in[0..n) (RFC 3986 §2.1) into out[0..cap): the decoded length, -EINVAL for a
 * bad escape, -ENOSPC if it does not fit. */
static int pct_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)in[i];

		if (c == '%') {
			if (i + 2 >= n || osc_hex_decode(in + i + 1, 2, &c, 1) != 1)
				return -EINVAL;
			i += 2;
		}
		if (o == cap)
			return -ENOSPC;
		out[o++] = c;
	}
	return (int)o;
}

/* Append the parts of in[0..n) separated by sep, each as length byte + decoded bytes. */
static int add_parts(uint8_t *text, size_t *used, const char *in, size_t n, char sep,
		     unsigned *count, bool allow_empty)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		size_t room;
		int len;

		if (i < n && in[i] != sep)
			continue;
		if (i == start && !allow_empty)
			return -EINVAL;
		if (*used + 1 >= CTL_ACE_SCOPE_TEXT || *count == UINT8_MAX)
			return -ENOSPC;
		room = CTL_ACE_SCOPE_TEXT - *used - 1;
		len = pct_decode(in + start, i - start, text + *used + 1, room < 255 ? room : 255);
		if (len < 0)
			return len == -ENOSPC && room >= 255 ? -EINVAL : len; /* > 255: no CoAP option */
		text[*used] = (uint8_t)len;
		*used += 1 + (size_t)len;
		(*count)++;
		start = i + 1;
	}
	return 0;
}

/* FNV-1a over the parts (length byte, then bytes), finished with the two part counts; the
 * worker computes the same over the request's options in one pass. */
#define FNV_BASIS 2166136261u
#define FNV_PRIME 16777619u

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

static uint32_t fnv_finish(uint32_t h, unsigned n_path, unsigned n_query)
{
	const uint8_t c[2] = { (uint8_t)n_path, (uint8_t)n_query };

	return fnv(h, c, 2);
}

static uint32_t entry_hash(const uint8_t *text, const struct ctl_ace_scope_entry *e)
{
	uint32_t h = FNV_BASIS;
	size_t pos = e->off;

	for (unsigned i = 0; i < (unsigned)e->n_path + e->n_query; i++) {
		h = fnv(h, text + pos, 1u + text[pos]);
		pos += 1u + text[pos];
	}
	return fnv_finish(h, e->n_path, e->n_query);
}

static bool same_entry(const struct ctl_ace_scope *s, const struct ctl_ace_scope_entry *a,
		       const uint8_t *text, const struct ctl_ace_scope_entry *b)
{
	size_t la = 0, lb = 0;
	unsigned k = a->n_path + a->n_query;

	if (a->n_path != b->n_path || a->n_query != b->n_query)
		return false;
	for (unsigned i = 0; i < k; i++) {
		const uint8_t *pa = s->text + a->off + la, *pb = text + b->off + lb;

		if (pa[0] != pb[0] || memcmp(pa + 1, pb + 1, pa[0]) != 0)
			return false;
		la += 1u + pa[0];
		lb += 1u + pb[0];
	}
	return true;
}

/* Zero text written past s->used up to used and not kept: a scope's bytes then depend only on its
 * entries, so two scopes that grant the same compare equal byte for byte (the stored grant record
 * decodes back to the scope it was made from; fuzz_ace_authz checks that). */
static void drop_text(struct ctl_ace_scope *s, size_t used)
{
	memset(s->text + s->used, 0, used - s->used);
}

int ctl_ace_scope_add(struct ctl_ace_scope *s, const char *lp, size_t len, uint64_t methods)
{
	const char *q = memchr(lp, '?', len);
	size_t path_len = q != NULL ? (size_t)(q - lp) : len, used = s->used;
	struct ctl_ace_scope_entry e = { .off = s->used, .methods =
						 (uint8_t)(methods & CTL_ACE_METHODS_KNOWN) };
	unsigned n_path = 0, n_query = 0;
	int rc = 0;

	if (len == 0 || lp[0] != '/')
		return -EINVAL;
	/* "/" alone is the root: no Uri-Path option (RFC 7252 §6.5 step 8) */
	if (path_len > 1)
		rc = add_parts(s->text, &used, lp + 1, path_len - 1, '/', &n_path, true);
	if (rc == 0 && q != NULL)
		rc = add_parts(s->text, &used, q + 1, len - path_len - 1, '&', &n_query, false);
	if (rc != 0) {
		drop_text(s, sizeof(s->text)); /* a part may have been decoded past used */
		return rc;
	}
	e.n_path = (uint8_t)n_path;
	e.n_query = (uint8_t)n_query;
	e.hash = entry_hash(s->text, &e);
	for (unsigned i = 0; i < s->n; i++) {
		if (same_entry(s, &s->e[i], s->text, &e)) {
			s->e[i].methods |= e.methods; /* RFC 9237 §3: merged, union */
			drop_text(s, used);           /* the text just written is dropped */
			return 0;
		}
	}
	if (s->n == CTL_ACE_SCOPE_ENTRIES) {
		drop_text(s, used);
		return -ENOSPC;
	}
	s->e[s->n++] = e;
	s->used = (uint16_t)used;
	return 0;
}

int ctl_ace_scope_from_aif(struct ctl_ace_scope *s, const cbor_item_t *aif)
{
	cbor_item_t **a;

	ctl_ace_scope_init(s);
	if (aif == NULL || !cbor_isa_array(aif))
		return -EBADMSG;
	a = cbor_array_handle(aif);
	for (size_t i = 0; i < cbor_array_size(aif); i++) {
		const char *path;
		size_t len;
		uint64_t methods;
		int rc;

		if (!cbor_isa_array(a[i]) || cbor_array_size(a[i]) != 2 ||
		    !cry_cbor_get_tstr(cbor_array_handle(a[i])[0], &path, &len) ||
		    !cry_cbor_get_uint(cbor_array_handle(a[i])[1], &methods))
			return -EBADMSG;
		rc = ctl_ace_scope_add(s, path, len, methods);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int ctl_ace_scope_merge(struct ctl_ace_scope *s, const struct ctl_ace_scope *from)
{
	for (unsigned i = 0; i < from->n; i++) {
		char lp[CTL_ACE_SCOPE_TEXT * 3 + 2];
		int n = ctl_ace_scope_entry_text(from, i, lp, sizeof(lp));
		int rc;

		if (n < 0)
			return n;
		rc = ctl_ace_scope_add(s, lp, (size_t)n, from->e[i].methods);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Do the options numbered num in m, in order, equal the entry's parts from *pos on? */
static bool parts_match(const uint8_t *text, size_t *pos, unsigned n, const struct osc_coap_msg *m,
			uint16_t num)
{
	unsigned seen = 0;

	for (unsigned i = 0; i < m->n_opts; i++) {
		const struct osc_coap_opt *o = &m->opts[i];
		const uint8_t *p;

		if (o->num != num)
			continue;
		if (seen == n)
			return false; /* the request has more parts */
		p = text + *pos;
		if (p[0] != o->len || memcmp(p + 1, o->val, o->len) != 0)
			return false;
		*pos += 1u + p[0];
		seen++;
	}
	return seen == n;
}

/* The request's hash, as entry_hash computes an entry's. */
static uint32_t request_hash(const struct osc_coap_msg *m)
{
	uint32_t h = FNV_BASIS;
	unsigned n_path = 0, n_query = 0;

	/* options are in number order: every Uri-Path (11) comes before any Uri-Query (15) */
	for (unsigned i = 0; i < m->n_opts; i++) {
		const struct osc_coap_opt *o = &m->opts[i];
		uint8_t len = (uint8_t)o->len;

		if (o->num != COAP_OPT_URI_PATH && o->num != COAP_OPT_URI_QUERY)
			continue;
		if (o->len > 255)
			return 0; /* no scope part is that long; parts_match refuses it anyway */
		h = fnv(fnv(h, &len, 1), o->val, o->len);
		n_path += o->num == COAP_OPT_URI_PATH;
		n_query += o->num == COAP_OPT_URI_QUERY;
	}
	return fnv_finish(h, n_path, n_query);
}

enum ctl_ace_access ctl_ace_scope_check(const struct ctl_ace_scope *s,
					const struct osc_coap_msg *m)
{
	unsigned code = m->code;
	uint32_t h = request_hash(m);

	for (unsigned i = 0; i < s->n; i++) {
		const struct ctl_ace_scope_entry *e = &s->e[i];
		size_t pos = e->off;

		if (e->hash != h ||
		    !parts_match(s->text, &pos, e->n_path, m, COAP_OPT_URI_PATH) ||
		    !parts_match(s->text, &pos, e->n_query, m, COAP_OPT_URI_QUERY))
			continue;
		/* a request code is 0.01 .. 0.07 for the methods AIF names; its bit is code - 1 */
		if (code >= COAP_GET && code <= COAP_IPATCH && (e->methods >> (code - 1) & 1))
			return CTL_ACE_ALLOW;
		return CTL_ACE_DENY_METHOD;
	}
	return CTL_ACE_DENY_RESOURCE;
}

/* RFC 3986 §3.3 pchar minus what would read as a separator here. */
static bool plain_char(uint8_t c, char sep)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != sep && c != '?' && c != '%' && c != '/' && c > 0x20 && c < 0x7f;
}

static int put_part(char *out, size_t cap, size_t *o, const uint8_t *p, char sep)
{
	for (unsigned k = 0; k < p[0]; k++) {
		uint8_t c = p[1 + k];

		if (*o + 4 > cap)
			return -ENOSPC;
		if (plain_char(c, sep))
			out[(*o)++] = (char)c;
		else
			*o += (size_t)snprintf(out + *o, cap - *o, "%%%02X", c);
	}
	return 0;
}

int ctl_ace_scope_entry_text(const struct ctl_ace_scope *s, unsigned i, char *out, size_t cap)
{
	const struct ctl_ace_scope_entry *e;
	size_t o = 0, pos;

	if (i >= s->n || cap < 2)
		return -ENOSPC;
	e = &s->e[i];
	pos = e->off;
	if (e->n_path == 0)
		out[o++] = '/';
	for (unsigned k = 0; k < e->n_path + e->n_query; k++) {
		const uint8_t *p = s->text + pos;

		if (o + 2 > cap)
			return -ENOSPC;
		out[o++] = k < e->n_path ? '/' : k == e->n_path ? '?' : '&';
		if (put_part(out, cap, &o, p, k < e->n_path ? '/' : '&') != 0)
			return -ENOSPC;
		pos += 1u + p[0];
	}
	out[o] = '\0';
	return (int)o;
}
