/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the files of crypto/ only; nothing here is part of the public API. */
#ifndef CRY_INTERNAL_H
#define CRY_INTERNAL_H

#include <stdbool.h>

#include <intel-ipsec-mb.h>

#include "crypto/cry_aead.h"

/*
 * True if op can be run at all: key initialised, pointers present for the lengths given, lengths
 * within what the algorithm (and an int-sized OpenSSL call) allows, no partial overlap of in and
 * out. Both back ends check with this, so that they reject exactly the same ops.
 */
bool cry_op_valid(const struct cry_op *op);

/*
 * The process-wide IPsec-MB manager used only for key expansion (the expansion functions are
 * reached through a manager). Initialised once, on first use; read-only afterwards, so any thread
 * may use it. NULL if it could not be allocated.
 */
IMB_MGR *cry_keyexp_mgr(void);

#endif
