/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The resource server's /authz-info endpoint as one object: what the gateway's control lcore
 * calls for each POST, before and after it installs a context. It keeps the token store and the
 * exi tracker, counts every outcome, and never installs contexts itself (that is the gateway's
 * RCU-published table).
 *
 *   unprotected POST: ctl_ace_rs_post() -> on 2.01 install res.params, then ctl_ace_rs_commit()
 *                     with the context's handle; retire res.old's context once the new one is
 *                     in use (RFC 9203 §6); answer res.code with res.payload (Content-Format 19).
 *   protected POST (update of access rights, RFC 9203 §4.1/§4.2): ctl_ace_rs_update() with the
 *                     handle of the context that protected it; answer (protected) res.code with
 *                     no payload; the scope to enforce is in the store entry.
 */
#ifndef CTL_ACE_RS_H
#define CTL_ACE_RS_H

#include "control/ace/ctl_ace.h"
#include "control/ace/ctl_ace_store.h"

#define CTL_ACE_N2_LEN 8 /* RFC 9203 §4.2: a 64-bit random N2 is RECOMMENDED */

struct ctl_ace_rs {
	const struct ctl_ace_conf *conf;
	struct ctl_ace_store store;
	struct ctl_ace_exi exi;
	uint64_t count[CTL_ACE_R__COUNT]; /* one per outcome, CTL_ACE_OK included */
	/* Fill buf with n random bytes; 0 on success. NULL: OpenSSL's RAND_bytes. */
	int (*rand)(void *arg, uint8_t *buf, size_t n);
	/*
	 * Choose ID2, the gateway's Recipient ID for the new context (RFC 9203 §4.2): from the
	 * ace namespace, not equal to id1, not used by any live context. 0 on success.
	 */
	int (*pick_id2)(void *arg, const uint8_t *id1, size_t id1_len, uint8_t *id2,
			size_t *id2_len);
	void *arg;
};

/* What one POST gave. */
struct ctl_ace_result {
	enum ctl_ace_reason reason;
	uint8_t code;                  /* CoAP response code */
	uint8_t payload[32];           /* {42: N2, 44: ID2}, an error map, or nothing */
	size_t payload_len;
	struct osc_params params;      /* post, 2.01: the RS side of the new context (secret!) */
	struct ctl_ace_entry entry;    /* the token to keep */
	bool replaced;                 /* commit/update: a token for the same PoP key was kept */
	struct ctl_ace_entry old;      /* ... and this was it */
};

/* Set up rs for conf (which must outlive it). pick_id2 must be set before the first post.
 * Returns 0 or -ENOMEM. */
int ctl_ace_rs_init(struct ctl_ace_rs *rs, const struct ctl_ace_conf *conf);

/* Wipe and free the store and the exi tracker (conf is the caller's). */
void ctl_ace_rs_free(struct ctl_ace_rs *rs);

/*
 * An unprotected POST /authz-info with payload[0..len) at time now (RFC 9203 §4.1-§4.3):
 * parse, verify the token (RFC 9200 §5.10.1.1), require N1, ID1 and cnf.osc, draw N2, pick ID2,
 * build the context parameters and the 2.01 payload. The store is not touched: call
 * ctl_ace_rs_commit once the context is installed. Wipe res.params after use.
 */
void ctl_ace_rs_post(struct ctl_ace_rs *rs, const uint8_t *payload, size_t len, int64_t now,
		     struct ctl_ace_result *res);

/*
 * Keep res.entry for the context with handle (one token per PoP key: a token kept for the same
 * key is returned in res.old with res.replaced set). Returns 0, or -ENOSPC when the store is
 * full (count[CTL_ACE_R_FULL] is raised; the caller removes the context it installed).
 */
int ctl_ace_rs_commit(struct ctl_ace_rs *rs, struct ctl_ace_result *res, uint64_t handle);

/*
 * A POST /authz-info protected with the context of handle: an update of access rights. The
 * token's cnf kid must be the id of that context's OSCORE_Input_Material, from the same AS;
 * then its scope and expiry replace the kept token's (the context and its keys stay). Any
 * failure is a 4.01 (RFC 9203 §4.2). res.code 2.01 with no payload on success.
 */
void ctl_ace_rs_update(struct ctl_ace_rs *rs, uint64_t handle, const uint8_t *payload,
		       size_t len, int64_t now, struct ctl_ace_result *res);

#endif
