/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The gateway's EDHOC responder (RFC 9528) as a control-plane handler for
 * POST /.well-known/edhoc (App. A.2): message_1 prefixed by CBOR `true` gets message_2, message_3
 * prefixed by C_R completes the handshake, installs the OSCORE context (App. A.1; method "edhoc",
 * stored with state_db) and gets message_4 or an empty 2.04. EDHOC errors go back as 4.00 (the
 * client's fault) or 5.00 with Content-Format application/edhoc+cbor-seq. C_R is taken from the
 * "edhoc" Recipient-ID namespace and is never a live context's Recipient ID (RFC 9668 §4.1).
 * message_1 costs public-key operations: it is rate limited per source address and in total.
 * Counters: CTL_C_EDHOC_* through the platform (telemetry /oscore/stats, the exit summary).
 * Control lcore only.
 */
#ifndef CTL_EDHOC_H
#define CTL_EDHOC_H

#include <stdbool.h>
#include <stdint.h>

#include "control/ctl_config_edhoc.h"
#include "control/ctl_ns.h"
#include "control/ctl_plane.h"

#define CTL_EDHOC_CF 64      /* application/edhoc+cbor-seq (RFC 9528 §10.9) */
#define CTL_EDHOC_CF_CID 65  /* application/cid-edhoc+cbor-seq */

struct ctl_edhoc;

/*
 * A responder for configuration c (which must outlive it); ns (copied; NULL: no namespaces
 * configured) gives the "edhoc" part C_R is chosen from. forward: the gateway is a reverse proxy
 * (a combined request, once its context is installed and it verifies, goes back to its worker
 * under the new context's handle and upstream, ctl_resume; a protected 5.03 only if it cannot be
 * forwarded, and the device repeats it); own_piv: answers take their own Partial IV (§8.3).
 * NULL on bad configuration or memory.
 */
struct ctl_edhoc *ctl_edhoc_new(const struct ctl_edhoc_config *c, const struct ctl_ns *ns,
				bool forward, bool own_piv);

/* Free it and wipe every session. NULL is allowed. */
void ctl_edhoc_free(struct ctl_edhoc *h);

/* The ctl_handler_fn for /.well-known/edhoc (arg: the struct ctl_edhoc). */
int ctl_edhoc_handler(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		      size_t cap);

/*
 * The ctl_handler_fn for CTL_KIND_EDHOC (RFC 9668 §3.3.1): a request with the EDHOC option whose
 * kid (C_R) names no context yet. message_3 is the first CBOR item of the payload; once it
 * verifies the context is installed and the OSCORE request (the rest of the payload, EDHOC option
 * removed) is verified under it and answered protected (forward mode: forwarded). EDHOC errors: unprotected 4.00 with an
 * EDHOC error message (Content-Format 64); OSCORE errors as RFC 8613 §8.2. With
 * "message_4" configured a combined request is refused (ERR_CODE 1): message_4 has no place.
 */
int ctl_edhoc_combined(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		       size_t cap);

#endif
