/* SPDX-License-Identifier: BSD-3-Clause */
/* Option classes of RFC 8613 §4.1: what is encrypted (E) and what stays outside (U). */
#ifndef OSC_CLASSES_H
#define OSC_CLASSES_H

#include <stdbool.h>
#include <stdint.h>

#include "oscore/osc_coap.h"

enum osc_opt_class { OSC_CLASS_E = 1, OSC_CLASS_U = 2 };

/* OSC_CLASS_E, OSC_CLASS_U or both for option number num; unknown options are E (§4.1). */
unsigned osc_opt_class(uint16_t num);

/* A plain message's options split for protection; the values point into the message or scratch. */
struct osc_opt_split {
	struct osc_coap_opt outer[COAP_MAX_OPTS + 1]; /* + the OSCORE option */
	struct osc_coap_opt inner[COAP_MAX_OPTS];
	uint8_t scratch[1100];                        /* decoded Proxy-Uri path and query */
	unsigned n_outer, n_inner, scratch_len;
	bool observe;
};

/*
 * Split m's options (§4.1): Class U outer, Class E inner, Observe both (§4.1.3.5; in a response
 * the inner one is empty, §4.1.3.5.2), Proxy-Uri decomposed (§4.1.3.3). Returns 0, or -1 if m
 * already carries an OSCORE option, a Proxy-Uri is malformed, or the inner options do not fit.
 */
int osc_opts_split(struct osc_opt_split *sp, const struct osc_coap_msg *m, bool response);

/* Sort o[0..n) by option number, keeping the order of equal numbers. */
void osc_opts_sort(struct osc_coap_opt *o, unsigned n);

#endif
