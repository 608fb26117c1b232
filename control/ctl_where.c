/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration error places (see ctl_where.h). */
#include "control/ctl_where.h"

#include <stdarg.h>
#include <stdio.h>

int ctl_where_bad(struct ctl_where *w, const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(w->err, w->err_len, "%s: %s: %s", w->file, w->field, reason);
	return -1;
}

void ctl_where_at(struct ctl_where *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->field, sizeof(w->field), fmt, ap);
	va_end(ap);
}
