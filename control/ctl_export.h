/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Contexts as Wireshark's "oscore_contexts" UAT table (Preferences > Protocols > OSCORE, or the
 * file oscore_contexts in the Wireshark profile), so an operator can decrypt a capture:
 *
 *   "<sender_id>","<recipient_id>","<master_secret>","<master_salt>","<id_context>","AES-CCM-16-64-128 (CCM*)"
 *
 * in hex, from the CLIENT's point of view: the device's Sender ID is the gateway's Recipient ID,
 * so the IDs are swapped relative to the gateway's parameters. Wireshark decrypts only
 * AES-CCM-16-64-128; contexts with other algorithms are skipped.
 *
 * The output holds Master Secrets: write it to a file only its owner can read.
 */
#ifndef CTL_EXPORT_H
#define CTL_EXPORT_H

#include <stddef.h>
#include <stdio.h>

#include "control/ctl_store.h"
#include "oscore/osc_context.h"

/* Longest line: 5 quoted hex fields, the algorithm, separators and newline. */
#define CTL_EXPORT_LINE_MAX (2 * (OSC_ID_MAX * 2 + OSC_SECRET_MAX + OSC_SALT_MAX + \
				  OSC_ID_CTX_MAX) + 64)

/* One UAT line (with '\n') for the gateway's parameters p into out[0..cap). Returns its length,
 * or -1 if Wireshark cannot use p's algorithm or out is too small. */
int ctl_export_line(char *out, size_t cap, const struct osc_params *p);

/* Every context of store s as UAT lines to f. Returns how many were written (those Wireshark
 * cannot decrypt are skipped; their count goes to *skipped if not NULL), or -1 on error. */
int ctl_export_store(FILE *f, struct ctl_store *s, unsigned *skipped);

#endif
