/* SPDX-License-Identifier: BSD-3-Clause */
/* EDHOC cipher suites 0-3 (RFC 9528 §10.2) and the status names. */
#include "control/edhoc/edh.h"
#include "crypto/cry_aead.h"
#include "crypto/cry_hkdf.h"

/* (EDHOC AEAD, hash, MAC length, ECDH curve, signature, application AEAD, application hash) */
static const struct edh_suite suites[] = {
	{ 0, CRY_AES_CCM_16_64_128, CRY_HKDF_SHA256, 8, CRY_CRV_X25519, CRY_SIG_EDDSA,
	  CRY_AES_CCM_16_64_128, CRY_HKDF_SHA256 },
	{ 1, CRY_AES_CCM_16_128_128, CRY_HKDF_SHA256, 16, CRY_CRV_X25519, CRY_SIG_EDDSA,
	  CRY_AES_CCM_16_64_128, CRY_HKDF_SHA256 },
	{ 2, CRY_AES_CCM_16_64_128, CRY_HKDF_SHA256, 8, CRY_CRV_P256, CRY_SIG_ES256,
	  CRY_AES_CCM_16_64_128, CRY_HKDF_SHA256 },
	{ 3, CRY_AES_CCM_16_128_128, CRY_HKDF_SHA256, 16, CRY_CRV_P256, CRY_SIG_ES256,
	  CRY_AES_CCM_16_64_128, CRY_HKDF_SHA256 },
};

const struct edh_suite *edh_suite_by_id(int id)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].id == id)
			return &suites[i];
	return NULL;
}

int edh_suite_auth_crv(const struct edh_suite *s, bool static_dh)
{
	if (static_dh)
		return s->dh_crv;
	return s->sig_alg == CRY_SIG_EDDSA ? CRY_CRV_ED25519 : CRY_CRV_P256;
}

static const char *const names[EDH_STATUS_COUNT] = {
	[EDH_OK] = "ok",
	[EDH_E_MALFORMED] = "malformed",
	[EDH_E_METHOD] = "method",
	[EDH_E_SUITE] = "suite",
	[EDH_E_CID] = "connection_id",
	[EDH_E_EAD] = "critical_ead",
	[EDH_E_CRED_UNKNOWN] = "unknown_credential",
	[EDH_E_UNTRUSTED] = "untrusted_credential",
	[EDH_E_NO_CRED] = "no_own_credential",
	[EDH_E_AUTH] = "authentication",
	[EDH_E_NO_SESSION] = "no_session",
	[EDH_E_FULL] = "table_full",
	[EDH_E_STATE] = "state",
	[EDH_E_PEER_ERROR] = "peer_error",
	[EDH_E_INTERNAL] = "internal",
};

const char *edh_status_name(enum edh_status st)
{
	return (unsigned)st < EDH_STATUS_COUNT ? names[st] : "?";
}
