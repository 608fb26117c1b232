/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 8613 App. B.1.2: the replay window of a context restored after a restart is unknown
 * (osc_replay_mark_unknown). A verified request on it comes back from osc_rx_finish() as
 * -OSC_ERR_WINDOW_UNKNOWN with its plain form in out; then:
 *
 *   switch (ctl_b12_decide(echo, now, rx, out, rx->out_len)) {
 *   case CTL_B12_ACCEPT:    process the request (the window now starts at its Partial IV)
 *   case CTL_B12_CHALLENGE: send ctl_b12_challenge(...): protected 4.01 with an inner Echo
 *   case CTL_B12_DROP:      drop it (a replay, or it lost the race to another worker)
 *   }
 *
 * Both are lock-free and usable from workers; the only shared write is the window's state CAS.
 * In the gateway they run on the control lcore through ctl_b12_handler.
 */
#ifndef CTL_B12_H
#define CTL_B12_H

#include <stddef.h>
#include <stdint.h>

#include "control/ctl_echo.h"
#include "control/ctl_plane.h"
#include "oscore/osc_protect.h"

enum ctl_b12_verdict { CTL_B12_ACCEPT, CTL_B12_CHALLENGE, CTL_B12_DROP };

/*
 * For a request rx that finished with OSC_ERR_WINDOW_UNKNOWN and whose plain form is
 * plain[0..len): if it carries an inner Echo made for rx->ctx and still fresh, reset the window
 * so that its Partial IV is the lower edge (osc_replay_try_reset) and answer ACCEPT (or DROP if
 * another worker reset it first); without a valid Echo answer CHALLENGE.
 */
enum ctl_b12_verdict ctl_b12_decide(const struct ctl_echo *echo, uint32_t now, struct osc_rx *rx,
				    const uint8_t *plain, size_t len);

/*
 * The App. B.1.2 answer to request rx: a 4.01 Unauthorized carrying only an inner Echo option (no
 * diagnostic payload), protected with the server's own fresh Partial IV, which the option carries
 * (no nonce reuse). ACK with the request's message ID for a CON request, else NON with the same
 * message ID (the caller may rewrite the unprotected ID). Returns the length written to out, or
 * -(enum osc_err) (e.g. OSC_ERR_SSN_LIMIT until the SSN is written ahead). Header as
 * osc_answer_header with next_mid.
 */
int ctl_b12_challenge(struct cry_engine *e, const struct ctl_echo *echo, uint32_t now,
		      const struct osc_rx *rx, uint16_t *next_mid, uint8_t *out, size_t cap);

/* App. B.1.2 as a control-plane handler (kind CTL_KIND_WINDOW_UNKNOWN). */
struct ctl_b12_server {
	struct ctl_echo echo;  /* this boot's Echo key */
	bool own_piv;          /* accepted requests are answered with a fresh Partial IV */
	bool forward;          /* forward mode: an accepted request goes back to its worker to be
				* forwarded (ctl_resume); a protected 5.03 if it cannot be */
};

/*
 * The handler (arg: a struct ctl_b12_server whose echo is initialised): challenge (protected
 * 4.01 with Echo, own Partial IV; an unprotected 5.03 while that SSN is not durable), accept
 * (window reset, answered as the gateway answers any request) or drop (no answer).
 */
int ctl_b12_handler(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		    size_t cap);

#endif
