/* SPDX-License-Identifier: BSD-3-Clause */
#include "oscore/osc_error.h"

#include "oscore/osc_coap.h"

struct err_info {
	const char *name;
	const char *diag;
	uint8_t code;
};

/* RFC 8613 §8.2: 4.02 for what fails to decode, 4.01 for no context or a replay, 4.00 for a
 * failed decryption. Errors after successful verification are answered protected by the caller. */
static const struct err_info errs[OSC_ERR__COUNT] = {
	[OSC_OK] = { "ok", NULL, 0 },
	[OSC_ERR_COAP] = { "coap_malformed", NULL, 0 },
	[OSC_ERR_NOT_OSCORE] = { "not_oscore", NULL, 0 },
	[OSC_ERR_DUP_OPTION] = { "oscore_option_repeated", "Failed to decode COSE", COAP_BAD_OPTION },
	[OSC_ERR_OPTION] = { "oscore_option_malformed", "Failed to decode COSE", COAP_BAD_OPTION },
	[OSC_ERR_NO_PIV] = { "no_partial_iv", "Failed to decode COSE", COAP_BAD_OPTION },
	[OSC_ERR_NO_KID] = { "no_kid", "Failed to decode COSE", COAP_BAD_OPTION },
	[OSC_ERR_NO_PAYLOAD] = { "no_payload", "Failed to decode COSE", COAP_BAD_OPTION },
	[OSC_ERR_NO_CONTEXT] = { "context_not_found", "Security context not found",
				 COAP_UNAUTHORIZED },
	[OSC_ERR_REPLAY] = { "replay", "Replay detected", COAP_UNAUTHORIZED },
	[OSC_ERR_TOO_OLD] = { "replay_too_old", "Replay detected", COAP_UNAUTHORIZED },
	[OSC_ERR_SHORT_CIPHER] = { "ciphertext_short", "Decryption failed", COAP_BAD_REQUEST },
	[OSC_ERR_DECRYPT] = { "decrypt", "Decryption failed", COAP_BAD_REQUEST },
	[OSC_ERR_INNER] = { "inner_malformed", NULL, COAP_BAD_OPTION },
	[OSC_ERR_NESTED] = { "inner_oscore_option", NULL, COAP_BAD_OPTION },
	[OSC_ERR_SSN_EXHAUSTED] = { "ssn_exhausted", NULL, COAP_SERVICE_UNAVAILABLE },
	[OSC_ERR_SSN_LIMIT] = { "ssn_not_durable", NULL, COAP_SERVICE_UNAVAILABLE },
	[OSC_ERR_TOO_BIG] = { "too_big", NULL, COAP_INTERNAL_ERROR },
	[OSC_ERR_BAD_INPUT] = { "bad_input", NULL, 0 },
	[OSC_ERR_CRYPTO] = { "crypto_backend", NULL, COAP_INTERNAL_ERROR },
	/* answered protected (4.01 + inner Echo) by the control plane, not here */
	[OSC_ERR_WINDOW_UNKNOWN] = { "window_unknown", NULL, 0 },
	/* RFC 10021 §7: no error answers to group requests is the recommendation; the caller, which
	 * knows whether the request was multicast, decides whether to send these codes at all. */
	[OSC_ERR_MODE] = { "group_mode_not_configured", NULL, COAP_BAD_OPTION },
	[OSC_ERR_OWN_KID] = { "group_own_kid", NULL, 0 },
	[OSC_ERR_SIGNATURE] = { "group_signature", "Decryption failed", COAP_BAD_REQUEST },
};

static const struct err_info *info(int err)
{
	static const struct err_info unknown = { "unknown", NULL, 0 };

	return err >= 0 && err < OSC_ERR__COUNT ? &errs[err] : &unknown;
}

const char *osc_err_name(int err)
{
	return info(err)->name;
}

uint8_t osc_err_coap_code(int err)
{
	return info(err)->code;
}

const char *osc_err_diag(int err)
{
	return info(err)->diag;
}
