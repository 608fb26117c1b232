/* SPDX-License-Identifier: BSD-3-Clause */
/* The control-plane slice of the gateway's configuration (format at the top of ctl_config.c). */
#ifndef CTL_CONFIG_CTX_H
#define CTL_CONFIG_CTX_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "control/ctl_ns.h"

#define CTL_MAX_CONTEXTS_DEFAULT 1024
#define CTL_ID_CONTEXTS_ALL UINT_MAX

struct ctl_ctx_config {
	unsigned max_contexts;       /* context slots, config and runtime adds together */
	unsigned max_id_contexts;    /* of them, with an ID Context (a second hash key each);
				      * CTL_ID_CONTEXTS_ALL = max_contexts */
	char state_db[PATH_MAX];     /* SQLite state ("" = none: nothing survives a restart) */
	unsigned k_ssn;              /* App. B.1.1 write-ahead step K_SSN */
	bool own_piv;                /* "response_piv": "own": every response takes a fresh PIV */
	bool b12;                    /* App. B.1.2 for contexts restored from state_db */
	char libcoap[PATH_MAX];      /* "contexts_libcoap": a libcoap OSCORE configuration */
	bool has_ns;                 /* "id_namespaces" given: IDs are checked against ns */
	char load_dir[PATH_MAX];     /* the configuration file's folder: /oscore/ctx/load reads
				      * only files below it (set by ctl_config_load) */
	struct ctl_ns ns;
};

void ctl_config_ctx_defaults(struct ctl_ctx_config *c);

/* How many contexts of c may carry an ID Context: "max_id_contexts", at most max_contexts. */
unsigned ctl_config_id_contexts(const struct ctl_ctx_config *c);

/*
 * One top-level key of the control slice: 0 when taken, 1 when it is not one of this slice's keys,
 * -1 with a reason (no secret) in reason[0..cap). dir: the configuration file's folder, for
 * relative paths.
 */
int ctl_config_ctx_field(const char *key, json_t *v, const char *dir, struct ctl_ctx_config *c,
			char *reason, size_t cap);

#endif
