/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lock-free replay window (RFC 8613 §7.4).
 *
 * Pair form (width <= 64): (top, bits) is one 16-byte word; a commit reads it and swaps in the
 * successor (top moved up and bits shifted along, or one more bit) with one CAS, so of two workers
 * committing the same Partial IV the second CAS fails, re-reads and finds the bit. top only grows
 * and, for a given top, bits only gain bits: reading top, bits, top again and seeing the same top
 * twice gives a pair that existed.
 *
 * Ring form: Partial IVs are grouped in blocks of 64; block b lives in
 * slot b % nslots. A slot is only ever moved to a newer block, so a reader that sees the same block
 * number before and after reading the bits has read bits of that block (bits only grow within a
 * block). nslots * 64 - 63 >= width guarantees that a block is evicted only once all of its Partial
 * IVs have fallen below the window, so eviction never forgets a Partial IV that could still be
 * accepted.
 */
#include "oscore/osc_replay.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128;

static inline uint64_t load64(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static u128 slot_pack(uint64_t block, uint64_t bits)
{
	return (u128)block | ((u128)bits << 64);
}

/* One 16-byte CAS (cmpxchg16b with -mcx16): block and bits change together or not at all. */
static bool slot_cas(struct osc_replay_slot *s, uint64_t block, uint64_t bits,
		     uint64_t nblock, uint64_t nbits)
{
	return __sync_bool_compare_and_swap((u128 *)s, slot_pack(block, bits),
					    slot_pack(nblock, nbits));
}

/* A consistent (block, bits) pair of slot s. */
static void slot_read(const struct osc_replay_slot *s, uint64_t *block, uint64_t *bits)
{
	uint64_t b;

	do {
		b = load64(&s->block);
		*bits = load64(&s->bits);
	} while (load64(&s->block) != b);
	*block = b;
}

static unsigned slots_for(unsigned width)
{
	unsigned n = 1;

	while (n * 64 - 63 < width || n < 2)
		n <<= 1;
	return n;
}

int osc_replay_init(struct osc_replay *w, unsigned width)
{
	if (width < 1 || width > OSC_REPLAY_MAX)
		return -1;
	memset(w, 0, sizeof(*w));
	w->width = (uint16_t)width;
	if (width <= OSC_REPLAY_PAIR_MAX)
		return 0;
	w->nslots = (uint16_t)slots_for(width);
	w->ring = aligned_alloc(16, w->nslots * sizeof(*w->ring));
	if (!w->ring) {
		w->nslots = 0;
		return -2;
	}
	memset(w->ring, 0, w->nslots * sizeof(*w->ring));
	return 0;
}

void osc_replay_free(struct osc_replay *w)
{
	free(w->ring);
	w->ring = NULL;
	w->nslots = 0;
}

/* A (top, bits) pair of the pair form that existed (see the top of this file). */
static void pair_read(const struct osc_replay *w, uint64_t *top, uint64_t *bits)
{
	uint64_t t;

	do {
		t = load64(&w->top);
		*bits = load64(&w->bits);
	} while (load64(&w->top) != t);
	*top = t;
}

/* The pair form's verdict on piv against (top, bits); *next gets the pair that accepts it. */
static int pair_verdict(const struct osc_replay *w, uint64_t top, uint64_t bits, uint64_t piv,
			uint64_t next[2])
{
	uint64_t d;

	if (piv >= top) { /* a new highest: the window moves up by piv + 1 - top */
		d = piv + 1 - top;
		next[0] = piv + 1;
		next[1] = (d < 64 ? bits << d : 0) | 1;
		return OSC_REPLAY_OK;
	}
	d = top - 1 - piv;
	if (d >= w->width || d >= 64) /* the second: init never makes a wider pair form */
		return OSC_REPLAY_TOO_OLD;
	if ((bits >> d) & 1)
		return OSC_REPLAY_SEEN;
	next[0] = top;
	next[1] = bits | UINT64_C(1) << d;
	return OSC_REPLAY_OK;
}

static int pair_commit(struct osc_replay *w, uint64_t piv)
{
	uint64_t top, bits, next[2];
	int v;

	for (;;) {
		pair_read(w, &top, &bits);
		v = pair_verdict(w, top, bits, piv, next);
		if (v != OSC_REPLAY_OK)
			return v;
		if (__sync_bool_compare_and_swap((u128 *)&w->top, slot_pack(top, bits),
						 slot_pack(next[0], next[1])))
			return OSC_REPLAY_OK;
	}
}

static bool below_window(const struct osc_replay *w, uint64_t top, uint64_t piv)
{
	return top > piv && top - 1 - piv >= w->width;
}

int osc_replay_check(const struct osc_replay *w, uint64_t piv)
{
	uint64_t top = load64(&w->top), block, bits, next[2];
	const struct osc_replay_slot *s;

	if (piv > OSC_SSN_MAX)
		return OSC_REPLAY_TOO_OLD;
	if (!w->nslots) {
		pair_read(w, &top, &bits);
		return pair_verdict(w, top, bits, piv, next);
	}
	if (below_window(w, top, piv))
		return OSC_REPLAY_TOO_OLD;
	if (piv >= top)
		return OSC_REPLAY_OK;
	s = &w->ring[(piv >> 6) & (w->nslots - 1)];
	slot_read(s, &block, &bits);
	if (block == (piv >> 6) + 1 && (bits >> (piv & 63)) & 1)
		return OSC_REPLAY_SEEN;
	if (block > (piv >> 6) + 1)
		return OSC_REPLAY_TOO_OLD;
	return OSC_REPLAY_OK;
}

/* top = max(top, piv + 1) */
static void advance_top(struct osc_replay *w, uint64_t piv)
{
	uint64_t top = load64(&w->top);

	while (top < piv + 1 &&
	       !__atomic_compare_exchange_n(&w->top, &top, piv + 1, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE))
		;
}

int osc_replay_commit(struct osc_replay *w, uint64_t piv)
{
	uint64_t want = (piv >> 6) + 1, bit = UINT64_C(1) << (piv & 63);
	struct osc_replay_slot *s;
	uint64_t block, bits;

	if (piv > OSC_SSN_MAX)
		return OSC_REPLAY_TOO_OLD;
	if (!w->nslots)
		return pair_commit(w, piv);
	s = &w->ring[(piv >> 6) & (w->nslots - 1)];
	if (below_window(w, load64(&w->top), piv))
		return OSC_REPLAY_TOO_OLD;
	for (;;) {
		slot_read(s, &block, &bits);
		if (block > want)
			return OSC_REPLAY_TOO_OLD;
		if (block == want && (bits & bit))
			return OSC_REPLAY_SEEN;
		/* A slot holding an older block is reused: all of that block is below the window. */
		if (slot_cas(s, block, bits, want, (block == want ? bits : 0) | bit))
			break;
	}
	advance_top(w, piv);
	return OSC_REPLAY_OK;
}

void osc_replay_mark_unknown(struct osc_replay *w)
{
	__atomic_store_n(&w->state, OSC_WINDOW_UNKNOWN, __ATOMIC_RELEASE);
}

bool osc_replay_used(const struct osc_replay *w)
{
	return __atomic_load_n(&w->top, __ATOMIC_ACQUIRE) != 0;
}

bool osc_replay_known(const struct osc_replay *w)
{
	return __atomic_load_n(&w->state, __ATOMIC_ACQUIRE) == OSC_WINDOW_KNOWN;
}

bool osc_replay_try_reset(struct osc_replay *w, uint64_t piv)
{
	uint32_t want = OSC_WINDOW_UNKNOWN;

	if (piv > OSC_SSN_MAX ||
	    !__atomic_compare_exchange_n(&w->state, &want, OSC_WINDOW_RESETTING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return false;
	/* No one commits while the state is not KNOWN, so the plain stores below race with
	 * read-only checks at most, whose verdicts finish never acts on until KNOWN is seen. */
	osc_replay_reset_to(w, piv);
	__atomic_store_n(&w->state, OSC_WINDOW_KNOWN, __ATOMIC_RELEASE);
	return true;
}

void osc_replay_reset_to(struct osc_replay *w, uint64_t floor)
{
	uint64_t first = floor >= w->width ? floor - w->width + 1 : 0;
	uint64_t b;

	w->top = floor + 1;
	w->bits = ~UINT64_C(0); /* pair form: floor and everything below it seen */
	if (!w->nslots)
		return;
	memset(w->ring, 0, w->nslots * sizeof(*w->ring));
	for (b = first >> 6; b <= floor >> 6; b++) {
		uint64_t bits = b < floor >> 6 ? ~UINT64_C(0) : ~UINT64_C(0) >> (63 - (floor & 63));

		w->ring[b & (w->nslots - 1)] = (struct osc_replay_slot){ .block = b + 1, .bits = bits };
	}
}
