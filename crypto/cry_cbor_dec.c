/* SPDX-License-Identifier: BSD-3-Clause */
/* Untrusted CBOR through libcbor: a non-allocating streaming pre-pass bounds it, then cbor_load. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_cbor_dec.h"

const struct cry_cbor_limits cry_cbor_limits_default = {
	.max_len = 4096,
	.max_depth = 8,
	.max_items = 512,
};

/* State of the pre-pass: one counter of children still expected per open container or tag. */
struct walk {
	uint64_t left[CRY_CBOR_DEPTH_MAX];
	bool map[CRY_CBOR_DEPTH_MAX];
	unsigned depth;
	unsigned max_depth;
	unsigned items;
	unsigned max_items;
	bool called; /* a callback ran for the head just decoded */
	bool done;   /* the top-level item is complete */
	int err;
};

/* RFC 8949 §3.1: in a map, keys and values alternate; a key is the child at an even count. */
static bool key_position(const struct walk *w)
{
	return w->depth > 0 && w->map[w->depth - 1] && w->left[w->depth - 1] % 2 == 0;
}

static void item(struct walk *w, bool may_be_key)
{
	w->called = true;
	if (w->err != 0)
		return;
	if (++w->items > w->max_items)
		w->err = -E2BIG;
	else if (!may_be_key && key_position(w))
		w->err = -EBADMSG;
}

/* An item is complete: count it against its parent, closing every container it completes. */
static void complete(struct walk *w)
{
	while (w->depth > 0) {
		if (--w->left[w->depth - 1] > 0)
			return;
		w->depth--;
	}
	w->done = true;
}

static void push(struct walk *w, uint64_t children, bool map)
{
	if (w->err != 0)
		return;
	if (children == 0) {
		complete(w);
		return;
	}
	if (w->depth >= w->max_depth) {
		w->err = -E2BIG;
		return;
	}
	w->left[w->depth] = children;
	w->map[w->depth] = map;
	w->depth++;
}

static void leaf(struct walk *w, bool may_be_key)
{
	item(w, may_be_key);
	if (w->err == 0)
		complete(w);
}

static void on_refused(void *ctx)
{
	struct walk *w = ctx;

	w->called = true;
	if (w->err == 0)
		w->err = -EBADMSG;
}

static void on_u8(void *ctx, uint8_t v) { (void)v; leaf(ctx, true); }
static void on_u16(void *ctx, uint16_t v) { (void)v; leaf(ctx, true); }
static void on_u32(void *ctx, uint32_t v) { (void)v; leaf(ctx, true); }
static void on_u64(void *ctx, uint64_t v) { (void)v; leaf(ctx, true); }
static void on_str(void *ctx, cbor_data d, size_t n) { (void)d; (void)n; leaf(ctx, true); }
static void on_simple(void *ctx) { leaf(ctx, false); }
static void on_bool(void *ctx, bool v) { (void)v; leaf(ctx, false); }
static void on_float(void *ctx, float v) { (void)v; leaf(ctx, false); }
static void on_double(void *ctx, double v) { (void)v; leaf(ctx, false); }

static void on_array(void *ctx, size_t n)
{
	item(ctx, false);
	push(ctx, n, false);
}

static void on_map(void *ctx, size_t n)
{
	struct walk *w = ctx;

	item(w, false);
	/* A declared size beyond the item budget cannot be honest; stop before doubling it. */
	if (w->err == 0 && n > w->max_items)
		w->err = -E2BIG;
	push(w, 2 * (uint64_t)n, true);
}

static void on_tag(void *ctx, uint64_t tag)
{
	(void)tag;
	item(ctx, false);
	push(ctx, 1, false);
}

static const struct cbor_callbacks walk_cb = {
	.uint8 = on_u8, .uint16 = on_u16, .uint32 = on_u32, .uint64 = on_u64,
	.negint8 = on_u8, .negint16 = on_u16, .negint32 = on_u32, .negint64 = on_u64,
	.byte_string = on_str, .string = on_str,
	.byte_string_start = on_refused, .string_start = on_refused,
	.indef_array_start = on_refused, .indef_map_start = on_refused, .indef_break = on_refused,
	.array_start = on_array, .map_start = on_map, .tag = on_tag,
	.float2 = on_float, .float4 = on_float, .float8 = on_double,
	.undefined = on_simple, .null = on_simple, .boolean = on_bool,
};

/*
 * libcbor 0.8's decoder refuses the one-byte tag heads 0xc6..0xd4 (tags 6 to 20, "unassigned"
 * when it was written; libcbor issue #307), which covers COSE's tags 16, 17 and 18. It accepts
 * the same tags written with a one-byte argument (0xd8 nn). So the walk takes such a head as a
 * tag itself, and when asked for a copy, writes the 0xd8 nn form for cbor_load.
 */
static bool short_tag_head(uint8_t b)
{
	return b >= 0xc6 && b <= 0xd4;
}

/* The pre-pass over one item; with out != NULL also the copy with short tag heads widened. */
static int walk_item(const uint8_t *buf, size_t len, const struct cry_cbor_limits *lim,
		     uint8_t *out, size_t *item_len, size_t *widened)
{
	struct walk w = { .max_items = lim->max_items };
	size_t off = 0, o = 0, scan = len < lim->max_len ? len : lim->max_len;

	w.max_depth = lim->max_depth < CRY_CBOR_DEPTH_MAX ? lim->max_depth : CRY_CBOR_DEPTH_MAX;
	*widened = 0;
	if (buf == NULL && len != 0)
		return -EBADMSG;
	while (!w.done) {
		struct cbor_decoder_result r;

		if (off == scan)
			return len > lim->max_len ? -E2BIG : -EBADMSG; /* ran out of bytes */
		w.called = false;
		r = cbor_stream_decode(buf + off, scan - off, &walk_cb, &w);
		if (r.status == CBOR_DECODER_ERROR && r.read == 0 && short_tag_head(buf[off])) {
			on_tag(&w, buf[off] & 0x1f);
			r = (struct cbor_decoder_result){ .read = 1, .status = CBOR_DECODER_FINISHED };
			(*widened)++;
			if (out != NULL) {
				out[o++] = 0xd8;
				out[o++] = buf[off] & 0x1f;
			}
		} else if (out != NULL && w.err == 0) {
			memcpy(out + o, buf + off, r.read);
			o += r.read;
		}
		if (w.err != 0)
			return w.err;
		/* NEDATA: truncated; a head that produced no callback is one we do not support. */
		if (r.status != CBOR_DECODER_FINISHED || !w.called || r.read == 0)
			return -EBADMSG;
		off += r.read;
	}
	*item_len = off;
	return 0;
}

int cry_cbor_check(const uint8_t *buf, size_t len, const struct cry_cbor_limits *lim,
		   size_t *item_len)
{
	size_t widened;

	return walk_item(buf, len, lim, NULL, item_len, &widened);
}

/* Equality of two map keys: integers by value, strings by bytes (the only key types let in). */
static bool key_equal(const cbor_item_t *a, const cbor_item_t *b)
{
	if (cbor_typeof(a) != cbor_typeof(b))
		return false;
	if (!cbor_isa_uint(a) && !cbor_isa_negint(a) && !cbor_isa_bytestring(a) &&
	    !cbor_isa_string(a))
		return false;
	if (cbor_isa_uint(a) || cbor_isa_negint(a))
		return cbor_get_int(a) == cbor_get_int(b);
	if (cbor_isa_bytestring(a))
		return cbor_bytestring_length(a) == cbor_bytestring_length(b) &&
		       memcmp(cbor_bytestring_handle(a), cbor_bytestring_handle(b),
			      cbor_bytestring_length(a)) == 0;
	return cbor_string_length(a) == cbor_string_length(b) &&
	       memcmp(cbor_string_handle(a), cbor_string_handle(b), cbor_string_length(a)) == 0;
}

static bool map_keys_unique(const cbor_item_t *m)
{
	const struct cbor_pair *p = cbor_map_handle(m);
	size_t n = cbor_map_size(m);

	/* Quadratic, but n is bounded by the item limit and maps here hold a handful of keys. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (key_equal(p[i].key, p[j].key))
				return false;
	return true;
}

/* Recursion depth is bounded by the pre-pass's depth limit. */
static bool no_duplicate_keys(const cbor_item_t *it)
{
	if (cbor_isa_array(it)) {
		cbor_item_t **a = cbor_array_handle(it);

		for (size_t i = 0; i < cbor_array_size(it); i++)
			if (!no_duplicate_keys(a[i]))
				return false;
	} else if (cbor_isa_map(it)) {
		const struct cbor_pair *p = cbor_map_handle(it);

		if (!map_keys_unique(it))
			return false;
		for (size_t i = 0; i < cbor_map_size(it); i++)
			if (!no_duplicate_keys(p[i].value))
				return false;
	} else if (cbor_isa_tag(it)) {
		uint64_t tag;

		return no_duplicate_keys(cry_cbor_untag(it, &tag));
	}
	return true;
}

/* cbor_load on buf[0..n), which the pre-pass accepted; widened short tag heads first. */
static int load(const uint8_t *buf, size_t n, size_t widened, const struct cry_cbor_limits *lim,
		cbor_item_t **out)
{
	struct cbor_load_result res;
	uint8_t *copy = NULL;
	size_t m = n, again;

	if (widened != 0) {
		copy = malloc(n + widened);
		if (copy == NULL)
			return -ENOMEM;
		if (walk_item(buf, n, lim, copy, &m, &again) != 0 || m != n || again != widened) {
			free(copy);
			return -EBADMSG; /* cannot happen: the same walk accepted it before */
		}
		m = n + widened;
		buf = copy;
	}
	*out = cbor_load(buf, m, &res);
	free(copy);
	if (*out == NULL || res.error.code != CBOR_ERR_NONE || res.read != m)
		return res.error.code == CBOR_ERR_MEMERROR ? -ENOMEM : -EBADMSG;
	return 0;
}

int cry_cbor_decode(const uint8_t *buf, size_t len, const struct cry_cbor_limits *lim,
		    cbor_item_t **out, size_t *used)
{
	size_t n, widened;
	int rc;

	*out = NULL;
	if (used == NULL && len > lim->max_len)
		return -E2BIG;
	rc = walk_item(buf, len, lim, NULL, &n, &widened);
	if (rc != 0)
		return rc;
	if (used == NULL && n != len)
		return -EBADMSG;
	rc = load(buf, n, widened, lim, out);
	if (rc == 0 && !no_duplicate_keys(*out))
		rc = -EBADMSG;
	if (rc != 0) {
		if (*out != NULL)
			cbor_decref(out);
		*out = NULL;
		return rc;
	}
	if (used != NULL)
		*used = n;
	return 0;
}

bool cry_cbor_get_uint(const cbor_item_t *it, uint64_t *v)
{
	if (it == NULL || !cbor_isa_uint(it))
		return false;
	*v = cbor_get_int(it);
	return true;
}

bool cry_cbor_get_int(const cbor_item_t *it, int64_t *v)
{
	uint64_t u;

	if (it == NULL || !(cbor_isa_uint(it) || cbor_isa_negint(it)))
		return false;
	u = cbor_get_int(it);
	if (u > INT64_MAX)
		return false;
	/* RFC 8949 §3.1: major type 1 encodes -1 - u. */
	*v = cbor_isa_uint(it) ? (int64_t)u : -1 - (int64_t)u;
	return true;
}

bool cry_cbor_get_bstr(const cbor_item_t *it, const uint8_t **p, size_t *len)
{
	if (it == NULL || !cbor_isa_bytestring(it) || !cbor_bytestring_is_definite(it))
		return false;
	*p = cbor_bytestring_handle(it);
	*len = cbor_bytestring_length(it);
	return true;
}

bool cry_cbor_get_tstr(const cbor_item_t *it, const char **p, size_t *len)
{
	if (it == NULL || !cbor_isa_string(it) || !cbor_string_is_definite(it))
		return false;
	*p = (const char *)cbor_string_handle(it);
	*len = cbor_string_length(it);
	return true;
}

bool cry_cbor_is_simple(const cbor_item_t *it, uint8_t value)
{
	return it != NULL && cbor_isa_float_ctrl(it) && cbor_float_get_width(it) == CBOR_FLOAT_0 &&
	       cbor_ctrl_value(it) == value;
}

bool cry_cbor_get_bool(const cbor_item_t *it, bool *v)
{
	if (cry_cbor_is_simple(it, CBOR_CTRL_TRUE))
		*v = true;
	else if (cry_cbor_is_simple(it, CBOR_CTRL_FALSE))
		*v = false;
	else
		return false;
	return true;
}

const cbor_item_t *cry_cbor_map_int(const cbor_item_t *map, int64_t key)
{
	const struct cbor_pair *p;
	int64_t k;

	if (map == NULL || !cbor_isa_map(map))
		return NULL;
	p = cbor_map_handle(map);
	for (size_t i = 0; i < cbor_map_size(map); i++)
		if (cry_cbor_get_int(p[i].key, &k) && k == key)
			return p[i].value;
	return NULL;
}

const cbor_item_t *cry_cbor_map_get(const cbor_item_t *map, const cbor_item_t *key)
{
	const struct cbor_pair *p;

	if (map == NULL || key == NULL || !cbor_isa_map(map))
		return NULL;
	p = cbor_map_handle(map);
	for (size_t i = 0; i < cbor_map_size(map); i++)
		if (key_equal(p[i].key, key))
			return p[i].value;
	return NULL;
}

const cbor_item_t *cry_cbor_untag(const cbor_item_t *it, uint64_t *tag)
{
	cbor_item_t *inner;
	const cbor_item_t *ret;

	if (it == NULL || !cbor_isa_tag(it))
		return NULL;
	*tag = cbor_tag_value(it);
	/* cbor_tag_item takes a reference; the tag keeps its own, so the pointer stays valid. */
	inner = cbor_tag_item(it);
	ret = inner;
	cbor_decref(&inner);
	return ret;
}
