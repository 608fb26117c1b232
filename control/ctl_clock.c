/* SPDX-License-Identifier: BSD-3-Clause */
/* The SSN clock floor's wall clock (ctl_clock.h). */
#include "control/ctl_clock.h"

#include <time.h>

#define EPOCH_2025_S 1735689600ULL /* 2025-01-01T00:00:00Z */

uint64_t ctl_clock_ms(void)
{
	struct timespec ts;
	uint64_t ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	return ms > EPOCH_2025_S * 1000u ? ms - EPOCH_2025_S * 1000u : 0;
}
