/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wall clock that floors Sender Sequence Numbers where none is durable (no "state_db"):
 * milliseconds since 2025-01-01T00:00:00Z. A sender that uses an SSN only while it is below this
 * clock, and that starts each process at or above the clock at its start, never repeats an SSN
 * across a crash or restart (RFC 8613 §7.2.1, App. B.1.1 without a store) as long as the clock
 * does not step back across the restart. 2^40 - 1 ms (OSC_SSN_MAX, a 5-byte Partial IV) is
 * reached in 2059. Used by 1:1 contexts (ctl_ssn.h) and groups (ctl_group_serve.h).
 */
#ifndef CTL_CLOCK_H
#define CTL_CLOCK_H

#include <stdint.h>

/* CLOCK_REALTIME in ms since 2025-01-01 (UTC); 0 before that date. Any thread; one syscall at
 * most (vDSO), so never on a worker lcore. */
uint64_t ctl_clock_ms(void);

#endif
