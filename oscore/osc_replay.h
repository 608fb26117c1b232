/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replay window for one Recipient Context (RFC 8613 §7.4), shared by every worker that receives for
 * that context. A read-only check runs before the AEAD; the commit runs only after the tag has
 * verified and is the authority: two workers committing the same Partial IV at once see exactly
 * one success. Lock-free, in one of two forms:
 * - width <= 64 (the default 32): the pair (top, bits) in 16 bytes, bit i set = top - 1 - i
 *   accepted, both changed together by one 16-byte compare-and-swap;
 * - wider windows: a ring of slots out of line (allocated by osc_replay_init), each holding
 *   (block number, 64-bit bitmap) written with a 16-byte CAS; top is advanced with a 64-bit CAS.
 */
#ifndef OSC_REPLAY_H
#define OSC_REPLAY_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#define OSC_REPLAY_DEFAULT 32  /* RFC 8613 §3.2: RFC 6347 §4.1.2.6 window of 32 */
#define OSC_REPLAY_PAIR_MAX 64 /* widest window of the (top, bits) form */
#define OSC_REPLAY_MAX 192     /* (slots - 1) * 64 */
#define OSC_REPLAY_SLOTS 4     /* most slots a ring takes */
#define OSC_SSN_MAX ((UINT64_C(1) << 40) - 1) /* §7.2.1: Partial IV is at most 5 bytes */

struct osc_replay_slot {
	alignas(16) uint64_t block; /* (piv >> 6) + 1 of the bits below; 0 = never used */
	uint64_t bits;              /* bit (piv & 63) set = piv accepted */
};

struct osc_replay {
	alignas(16) uint64_t top;     /* highest accepted piv + 1; 0 = nothing accepted yet */
	uint64_t bits;                /* pair form: bit i set = piv top - 1 - i accepted */
	struct osc_replay_slot *ring; /* ring form (nslots != 0): nslots slots, else NULL */
	uint16_t width;   /* window size W: accepts piv > top - 1 - W */
	uint16_t nslots;  /* ring form: power of two covering W + 63; 0 = pair form */
	uint32_t state;   /* enum osc_window_state; atomic */
};
_Static_assert(sizeof(struct osc_replay) == 32, "a window takes half a cache line");

/*
 * RFC 8613 App. B.1.2: after a restart a restored context's window is unknown until a request
 * that echoes the server's Echo value verifies; its Partial IV then becomes the lower edge.
 * UNKNOWN -> RESETTING (one worker wins a CAS) -> KNOWN; never back while workers use it.
 */
enum osc_window_state {
	OSC_WINDOW_KNOWN = 0,   /* the default: osc_replay_init() gives a known (empty) window */
	OSC_WINDOW_UNKNOWN,
	OSC_WINDOW_RESETTING,
};

enum osc_replay_verdict {
	OSC_REPLAY_OK = 0,
	OSC_REPLAY_SEEN,    /* this Partial IV was accepted before */
	OSC_REPLAY_TOO_OLD, /* below the window */
	OSC_REPLAY_UNKNOWN, /* window unknown after a restart (App. B.1.2): nothing committed */
};

/* Reset w to the empty state for a window of width entries (1..OSC_REPLAY_MAX); a window wider
 * than OSC_REPLAY_PAIR_MAX allocates its ring (a ring w held before is not freed: call
 * osc_replay_free first). Returns 0, -1 if width is out of range, -2 if out of memory. Not safe
 * against concurrent users. */
int osc_replay_init(struct osc_replay *w, unsigned width);

/* Free w's ring, if any (safe on a zeroed window). Not safe against concurrent users. */
void osc_replay_free(struct osc_replay *w);

/* Would piv be accepted now? Reads only; the answer may be stale by the time of commit. */
int osc_replay_check(const struct osc_replay *w, uint64_t piv);

/* Record piv as accepted if it still may be. Returns OSC_REPLAY_OK exactly once per piv however
 * many workers race on it; otherwise the verdict that refused it. */
int osc_replay_commit(struct osc_replay *w, uint64_t piv);

/* Treat every piv <= floor as seen (RFC 8613 App. B.1.2: the Echo-verified request sets the lower
 * edge after a reboot). Not safe against concurrent users. */
void osc_replay_reset_to(struct osc_replay *w, uint64_t floor);

/* Mark w unknown (App. B.1.2), for a context restored after a restart, before any worker sees it.
 * Not safe against concurrent users. */
void osc_replay_mark_unknown(struct osc_replay *w);

/* Has any Partial IV been accepted into w (a request verified and committed)? Any thread. */
bool osc_replay_used(const struct osc_replay *w);

/* Is w's window known (acquire: a true answer also shows the reset that made it known)? */
bool osc_replay_known(const struct osc_replay *w);

/*
 * App. B.1.2: the caller verified a request with piv that echoed a valid Echo value on a context
 * whose window is unknown. Exactly one caller wins (CAS UNKNOWN -> RESETTING), resets the window
 * so that every Partial IV <= piv counts as seen, and publishes KNOWN. Returns true for the
 * winner, false for everyone else (the request is then treated as a replay: its Partial IV is
 * either below the new edge or raced with the winner's). Safe against concurrent users: while the
 * state is not KNOWN no worker commits to the window.
 */
bool osc_replay_try_reset(struct osc_replay *w, uint64_t piv);

#endif
