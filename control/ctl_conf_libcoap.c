/* SPDX-License-Identifier: BSD-3-Clause */
/* libcoap OSCORE configuration files (coap-oscore-conf(5)) into struct osc_params. */
#include "control/ctl_conf_libcoap.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_aead.h"
#include "crypto/cry_hkdf.h"
#include "oscore/osc_hex.h"

enum enc { E_ASCII = 1, E_HEX = 2, E_INT = 4, E_TEXT = 8, E_BOOL = 16 };

/* A bounded view of the input: never NUL-terminated, always with its length. */
struct span {
	const char *s;
	size_t n;
};

struct parser {
	struct ctl_conf *c;
	const char *name;
	char *err;
	size_t err_len;
	unsigned line;
	const char *kw;           /* keyword of the line, once known */
	uint32_t seen;            /* table entries given so far */
	unsigned sender_line, rid_line[CTL_CONF_RID_MAX];
	enum enc enc;
	struct span val;
};

static int bad(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int bad(struct parser *ps, const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (ps->kw)
		snprintf(ps->err, ps->err_len, "%s:%u: %s: %s", ps->name, ps->line, ps->kw, reason);
	else
		snprintf(ps->err, ps->err_len, "%s:%u: %s", ps->name, ps->line, reason);
	return -1;
}

static bool span_eq(struct span a, const char *s)
{
	return a.n == strlen(s) && !memcmp(a.s, s, a.n);
}

static struct span trim(struct span a)
{
	while (a.n && (a.s[0] == ' ' || a.s[0] == '\t'))
		a.s++, a.n--;
	while (a.n && (a.s[a.n - 1] == ' ' || a.s[a.n - 1] == '\t'))
		a.n--;
	return a;
}

/* hex or ascii value into out[0..cap); the message names lengths, never the bytes. */
static int get_bytes(struct parser *ps, uint8_t *out, size_t cap, uint8_t *len)
{
	size_t n = ps->enc == E_HEX ? ps->val.n / 2 : ps->val.n, i;

	if (ps->enc == E_HEX && ps->val.n % 2)
		return bad(ps, "odd number of hex digits");
	if (n > cap)
		return bad(ps, "%zu bytes, at most %zu", n, cap);
	for (i = 0; i < n; i++) {
		int hi, lo;

		if (ps->enc == E_ASCII) {
			out[i] = (uint8_t)ps->val.s[i];
			continue;
		}
		hi = osc_hex_nibble(ps->val.s[2 * i]);
		lo = osc_hex_nibble(ps->val.s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return bad(ps, "not a hex digit at offset %zu", 2 * i + (hi < 0 ? 0 : 1));
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = (uint8_t)n;
	return 0;
}

/* Strict decimal integer in lo..hi (libcoap's atoi() would take "12abc" as 12). */
static int get_int(struct parser *ps, long lo, long hi, long *out)
{
	long v = 0;
	size_t i = 0;
	bool neg = ps->val.n && ps->val.s[0] == '-';

	if (neg)
		i++;
	if (i == ps->val.n)
		return bad(ps, "expected an integer");
	for (; i < ps->val.n; i++) {
		if (ps->val.s[i] < '0' || ps->val.s[i] > '9')
			return bad(ps, "expected an integer");
		if (v > 100000000000L)
			return bad(ps, "integer out of range %ld..%ld", lo, hi);
		v = v * 10 + (ps->val.s[i] - '0');
	}
	v = neg ? -v : v;
	if (v < lo || v > hi)
		return bad(ps, "%ld outside %ld..%ld", v, lo, hi);
	*out = v;
	return 0;
}

static int get_bool(struct parser *ps, bool *out)
{
	if (span_eq(ps->val, "true") || span_eq(ps->val, "false")) {
		*out = span_eq(ps->val, "true");
		return 0;
	}
	return bad(ps, "expected true or false");
}

/* A text value as a C string (names are short; a longer one cannot match anything). */
static int get_name(struct parser *ps, char *out, size_t cap)
{
	if (ps->val.n >= cap)
		return bad(ps, "unknown name");
	memcpy(out, ps->val.s, ps->val.n);
	out[ps->val.n] = 0;
	return 0;
}

static const struct cry_alg *alg_of(const struct ctl_conf *c)
{
	return c->p.alg ? c->p.alg : cry_alg_by_cose(CRY_AES_CCM_16_64_128);
}

/* An ID no longer than the nonce allows (§3.3: nonce length - 6) for the algorithm so far. */
static int get_id(struct parser *ps, uint8_t *out, uint8_t *len)
{
	uint8_t tmp[OSC_SECRET_MAX], n;
	const struct cry_alg *alg = alg_of(ps->c);

	if (get_bytes(ps, tmp, sizeof(tmp), &n))
		return -1;
	if (n > alg->nonce_len - 6)
		return bad(ps, "%u bytes, at most %u for %s", n, alg->nonce_len - 6u, alg->name);
	memcpy(out, tmp, n);
	*len = n;
	return 0;
}

static int kw_secret(struct parser *ps)
{
	if (get_bytes(ps, ps->c->p.secret, sizeof(ps->c->p.secret), &ps->c->p.secret_len))
		return -1;
	return ps->c->p.secret_len ? 0 : bad(ps, "empty Master Secret");
}

static int kw_salt(struct parser *ps)
{
	return get_bytes(ps, ps->c->p.salt, sizeof(ps->c->p.salt), &ps->c->p.salt_len);
}

static int kw_sender(struct parser *ps)
{
	ps->sender_line = ps->line;
	return get_id(ps, ps->c->p.sender_id, &ps->c->p.sender_id_len);
}

static int kw_recipient(struct parser *ps)
{
	struct ctl_conf *c = ps->c;

	if (c->n_rid == CTL_CONF_RID_MAX)
		return bad(ps, "more than %d recipients", CTL_CONF_RID_MAX);
	ps->rid_line[c->n_rid] = ps->line;
	if (get_id(ps, c->rid[c->n_rid], &c->rid_len[c->n_rid]))
		return -1;
	c->n_rid++;
	return 0;
}

static int kw_id_ctx(struct parser *ps)
{
	ps->c->p.has_id_ctx = true;
	return get_bytes(ps, ps->c->p.id_ctx, sizeof(ps->c->p.id_ctx), &ps->c->p.id_ctx_len);
}

static int kw_window(struct parser *ps)
{
	long v;

	if (get_int(ps, 1, OSC_REPLAY_MAX, &v))
		return -1;
	ps->c->p.replay_window = (unsigned)v;
	return 0;
}

static int kw_ssn_freq(struct parser *ps)
{
	long v;

	if (get_int(ps, 1, 1L << 30, &v))
		return -1;
	ps->c->ssn_freq = (unsigned)v;
	return 0;
}

static int kw_aead(struct parser *ps)
{
	char name[40];
	long v;

	if (ps->enc == E_INT) {
		if (get_int(ps, -65536, 65535, &v))
			return -1;
		ps->c->p.alg = cry_alg_by_cose((int)v);
	} else {
		if (get_name(ps, name, sizeof(name)))
			return -1;
		ps->c->p.alg = cry_alg_by_name(name);
	}
	return ps->c->p.alg ? 0 : bad(ps, "unknown or unsupported AEAD algorithm");
}

static int kw_hkdf(struct parser *ps)
{
	char name[40];
	long v;

	if (ps->enc == E_INT) {
		if (get_int(ps, -65536, 65535, &v))
			return -1;
		ps->c->p.hkdf = (int)v;
	} else {
		if (get_name(ps, name, sizeof(name)))
			return -1;
		ps->c->p.hkdf = cry_hkdf_by_name(name);
	}
	return cry_hkdf_supported(ps->c->p.hkdf) ? 0 : bad(ps, "unknown or unsupported HKDF");
}

static int kw_b12(struct parser *ps)
{
	return get_bool(ps, &ps->c->b_1_2);
}

static int kw_b2(struct parser *ps)
{
	return get_bool(ps, &ps->c->b_2);
}

/* libcoap's key-breaking test hooks: accepted only when they break nothing. */
static int kw_break(struct parser *ps)
{
	bool on;

	if (get_bool(ps, &on))
		return -1;
	return on ? bad(ps, "a libcoap test hook; not supported") : 0;
}

struct keyword {
	const char *name;
	unsigned encs;  /* enum enc bits libcoap accepts for it */
	bool repeats;
	int (*fn)(struct parser *ps);
};

/* The keywords of libcoap's oscore_config[] table, with the same encodings. */
static const struct keyword keywords[] = {
	{ "master_secret", E_HEX | E_ASCII, false, kw_secret },
	{ "master_salt", E_HEX | E_ASCII, false, kw_salt },
	{ "sender_id", E_HEX | E_ASCII, false, kw_sender },
	{ "id_context", E_HEX | E_ASCII, false, kw_id_ctx },
	{ "recipient_id", E_HEX | E_ASCII, true, kw_recipient },
	{ "replay_window", E_INT, false, kw_window },
	{ "ssn_freq", E_INT, false, kw_ssn_freq },
	{ "aead_alg", E_INT | E_TEXT, false, kw_aead },
	{ "hkdf_alg", E_INT | E_TEXT, false, kw_hkdf },
	{ "rfc8613_b_1_2", E_BOOL, false, kw_b12 },
	{ "rfc8613_b_2", E_BOOL, false, kw_b2 },
	{ "break_sender_key", E_BOOL, false, kw_break },
	{ "break_recipient_key", E_BOOL, false, kw_break },
};

#define N_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

static const struct { const char *name; enum enc e; } encodings[] = {
	{ "ascii", E_ASCII }, { "hex", E_HEX }, { "integer", E_INT },
	{ "text", E_TEXT },   { "bool", E_BOOL },
};

static int find_encoding(struct parser *ps, struct span s)
{
	size_t i;

	for (i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++)
		if (span_eq(s, encodings[i].name)) {
			ps->enc = encodings[i].e;
			return 0;
		}
	return bad(ps, "unknown encoding (ascii, bool, hex, integer, text)");
}

static const struct keyword *find_keyword(struct parser *ps, struct span s)
{
	size_t i;

	for (i = 0; i < N_KEYWORDS; i++)
		if (span_eq(s, keywords[i].name)) {
			ps->kw = keywords[i].name;
			return &keywords[i];
		}
	bad(ps, "unknown keyword '%.*s'", (int)(s.n > 40 ? 40 : s.n), s.s);
	return NULL;
}

/* The value field: optionally in double quotes (libcoap takes up to the next quote). */
static int set_value(struct parser *ps, struct span v)
{
	const char *q;

	v = trim(v);
	if (v.n && v.s[0] == '"') {
		q = memchr(v.s + 1, '"', v.n - 1);
		if (!q || q != v.s + v.n - 1)
			return bad(ps, "unterminated quote or text after it");
		v.s++;
		v.n -= 2;
	}
	ps->val = v;
	return 0;
}

/* One "keyword,encoding,value" line. */
static int parse_line(struct parser *ps, struct span l)
{
	const char *c1 = memchr(l.s, ',', l.n), *c2;
	const struct keyword *k;

	ps->kw = NULL;
	if (memchr(l.s, 0, l.n))
		return bad(ps, "NUL byte in line");
	if (!c1 || !(c2 = memchr(c1 + 1, ',', (size_t)(l.s + l.n - c1 - 1))))
		return bad(ps, "expected keyword,encoding,value");
	k = find_keyword(ps, trim((struct span){ l.s, (size_t)(c1 - l.s) }));
	if (!k || find_encoding(ps, trim((struct span){ c1 + 1, (size_t)(c2 - c1 - 1) })) ||
	    set_value(ps, (struct span){ c2 + 1, (size_t)(l.s + l.n - c2 - 1) }))
		return -1;
	if (!(k->encs & ps->enc))
		return bad(ps, "encoding not accepted for this keyword");
	if (!k->repeats && (ps->seen & 1u << (k - keywords)))
		return bad(ps, "given twice");
	ps->seen |= 1u << (k - keywords);
	return k->fn(ps);
}

static bool same_id(const uint8_t *a, uint8_t a_len, const uint8_t *b, uint8_t b_len)
{
	return a_len == b_len && !memcmp(a, b, a_len);
}

/* Why recipient ID i cannot be used, or NULL. Equal to the Sender ID, the gateway would accept
 * its own messages reflected back (RFC 8613 §3.3: the IDs of one context differ); equal to an
 * earlier recipient_id, it would be the same context twice. */
static const char *rid_clash(const struct ctl_conf *c, unsigned i)
{
	unsigned j;

	if (same_id(c->rid[i], c->rid_len[i], c->p.sender_id, c->p.sender_id_len))
		return "equal to sender_id (the IDs of a context must differ, RFC 8613 §3.3)";
	for (j = 0; j < i; j++)
		if (same_id(c->rid[i], c->rid_len[i], c->rid[j], c->rid_len[j]))
			return "given twice (the same context twice)";
	return NULL;
}

/* After the last line: required keywords, and IDs against the final algorithm (it may be set
 * after the IDs). */
static int check_all(struct parser *ps)
{
	const struct cry_alg *alg = alg_of(ps->c);
	unsigned max = alg->nonce_len - 6u, i;

	if (!(ps->seen & 1u << 0) || !(ps->seen & 1u << 2) || !ps->c->n_rid)
		return bad(ps, "missing %s", !(ps->seen & 1u << 0) ? "master_secret" :
			   !(ps->seen & 1u << 2) ? "sender_id" : "recipient_id");
	ps->kw = "sender_id";
	ps->line = ps->sender_line;
	if (ps->c->p.sender_id_len > max)
		return bad(ps, "%u bytes, at most %u for %s", ps->c->p.sender_id_len, max, alg->name);
	ps->kw = "recipient_id";
	for (i = 0; i < ps->c->n_rid; i++) {
		ps->line = ps->rid_line[i];
		if (ps->c->rid_len[i] > max)
			return bad(ps, "%u bytes, at most %u for %s", ps->c->rid_len[i], max,
				   alg->name);
		if (rid_clash(ps->c, i))
			return bad(ps, "%s", rid_clash(ps->c, i));
	}
	return 0;
}

static int parse_all(struct parser *ps, const char *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		struct span l = { buf + pos, nl ? (size_t)(nl - buf - pos) : len - pos };

		pos += l.n + (nl ? 1 : 0);
		ps->line++;
		if (l.n && l.s[l.n - 1] == '\r')
			l.n--;
		if (!trim(l).n || l.s[0] == '#')
			continue;
		if (parse_line(ps, l))
			return -1;
	}
	ps->kw = NULL;
	return check_all(ps);
}

int ctl_conf_libcoap_parse(struct ctl_conf *c, const char *name, const char *buf, size_t len,
			   char *err, size_t err_len)
{
	struct parser ps = { .c = c, .name = name, .err = err, .err_len = err_len };

	memset(c, 0, sizeof(*c));
	c->b_1_2 = true; /* libcoap's defaults */
	if (parse_all(&ps, buf, len)) {
		cry_wipe(c, sizeof(*c));
		return -1;
	}
	osc_params_defaults(&c->p);
	return 0;
}

int ctl_conf_libcoap_load(struct ctl_conf *c, const char *path, char *err, size_t err_len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int rc;

	if (!f) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(CTL_CONF_MAX + 1);
	n = buf ? fread(buf, 1, CTL_CONF_MAX + 1, f) : 0;
	fclose(f);
	if (!buf || n > CTL_CONF_MAX) {
		snprintf(err, err_len, "%s: %s", path, buf ? "file too long" : "out of memory");
		free(buf);
		return -1;
	}
	rc = ctl_conf_libcoap_parse(c, path, buf, n, err, err_len);
	cry_wipe(buf, n);
	free(buf);
	return rc;
}

void ctl_conf_params(const struct ctl_conf *c, unsigned i, struct osc_params *p)
{
	*p = c->p;
	memcpy(p->recipient_id, c->rid[i], c->rid_len[i]);
	p->recipient_id_len = c->rid_len[i];
}
