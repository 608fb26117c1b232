/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decoding untrusted CBOR (RFC 8949) with libcbor, behind limits.
 *
 * libcbor 0.8's cbor_load() trusts the input's declared sizes (measured: the 6-byte head of an
 * array claiming 2^26 entries makes it allocate 512 MB before it notices the bytes are missing),
 * nests up to 2048 levels, and its tree functions (cbor_decref, our walkers) recurse with the
 * nesting. So every input first goes through a pass of libcbor's streaming decoder that
 * allocates nothing and checks: well-formed, complete, definite lengths only, nesting depth,
 * number of items, byte size, and that map keys are integers or strings. Only then does
 * cbor_load() build the tree, and it must stop exactly where the pass stopped.
 * After loading, maps with duplicate keys are refused (RFC 8949 §5.6, RFC 9052 §3 for headers).
 *
 * libcbor 0.8 also refuses the one-byte heads of tags 6 to 20 (COSE's 16, 17, 18; its issue #307):
 * the pre-pass reads those heads itself and hands cbor_load a copy with the equivalent two-byte
 * heads, so callers see ordinary tag items.
 *
 * Indefinite-length items are refused: COSE, CWT, ACE and EDHOC objects are small, and what is
 * MACed or signed must be the deterministic encoding anyway (RFC 9052 §9).
 *
 * Control-plane code (allocates). Errors: -EBADMSG (malformed, truncated, trailing bytes,
 * indefinite length, non-int/string map key, duplicate key), -E2BIG (a limit), -ENOMEM.
 */
#ifndef CRY_CBOR_DEC_H
#define CRY_CBOR_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

/* Hard ceiling on depth whatever the caller asks: the pre-pass keeps one counter per level. */
#define CRY_CBOR_DEPTH_MAX 16

struct cry_cbor_limits {
	size_t max_len;     /* bytes of the item (or of the whole buffer, see cry_cbor_decode) */
	unsigned max_depth; /* containers and tags nested, at most CRY_CBOR_DEPTH_MAX */
	unsigned max_items; /* data items counted one per head (a map entry is two) */
};

/* Limits for tokens and COSE objects received over CoAP: 4 KiB, depth 8, 512 items. */
extern const struct cry_cbor_limits cry_cbor_limits_default;

/*
 * The pre-pass alone: check that buf[0..len) starts with one well-formed data item within lim.
 * *item_len receives the item's encoded length (the rest of buf is not looked at).
 * Returns 0 or -EBADMSG / -E2BIG.
 */
int cry_cbor_check(const uint8_t *buf, size_t len, const struct cry_cbor_limits *lim,
		   size_t *item_len);

/*
 * Decode one data item from buf[0..len) into a libcbor tree (*out, release with cbor_decref).
 * used == NULL: the item must fill buf exactly (trailing bytes are -EBADMSG).
 * used != NULL: buf may be a CBOR sequence (RFC 8742, as EDHOC sends); *used receives the
 * bytes this item took. On error *out is NULL.
 */
int cry_cbor_decode(const uint8_t *buf, size_t len, const struct cry_cbor_limits *lim,
		    cbor_item_t **out, size_t *used);

/* Accessors for decoded trees. Each returns false (leaving outputs alone) on a type mismatch. */

/* An integer (major 0 or 1) that fits int64_t. */
bool cry_cbor_get_int(const cbor_item_t *it, int64_t *v);

/* An unsigned integer (major 0). */
bool cry_cbor_get_uint(const cbor_item_t *it, uint64_t *v);

/* A byte string: *p points into the tree (valid while it lives), *len its length. */
bool cry_cbor_get_bstr(const cbor_item_t *it, const uint8_t **p, size_t *len);

/* A text string, not NUL-terminated. */
bool cry_cbor_get_tstr(const cbor_item_t *it, const char **p, size_t *len);

/*
 * A simple value (RFC 8949 §3.3: false 20, true 21, null 22, ...). Use these, never libcbor's
 * cbor_is_null/cbor_is_bool/cbor_get_bool: in libcbor 0.8 those assert (abort) when the item is
 * a float, which untrusted input may put anywhere.
 */
bool cry_cbor_is_simple(const cbor_item_t *it, uint8_t value);

/* A bool (simple value 20 or 21) in *v. */
bool cry_cbor_get_bool(const cbor_item_t *it, bool *v);

/* The value stored under integer key in map, or NULL if it is absent or it is not a map. */
const cbor_item_t *cry_cbor_map_int(const cbor_item_t *map, int64_t key);

/* The value stored under key (an integer or string item, compared by value) in map, or NULL. */
const cbor_item_t *cry_cbor_map_get(const cbor_item_t *map, const cbor_item_t *key);

/* If it is a tag, its number in *tag and the tagged item; otherwise NULL. */
const cbor_item_t *cry_cbor_untag(const cbor_item_t *it, uint64_t *tag);

#endif
