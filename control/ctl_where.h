/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where a configuration error is, for every JSON configuration parser of the control plane (the
 * gateway's, ctl_config.c, and the ACE resource server's, ace/ctl_ace_conf.c): the file, the
 * field being read, and the caller's buffer for the one message "file: field: reason" (issue 14:
 * a bad configuration is reported with its place).
 */
#ifndef CTL_WHERE_H
#define CTL_WHERE_H

#include <stddef.h>

struct ctl_where {
	const char *file;   /* as the user named it */
	char field[96];     /* "contexts[2].sender_id", "ace.issuers[0].key" */
	char *err;
	size_t err_len;
};

/* Write "file: field: reason" (reason from fmt) into w->err. Returns -1, for `return bad(...)`. */
int ctl_where_bad(struct ctl_where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Name the field being read (printf-style) for the next error. */
void ctl_where_at(struct ctl_where *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
