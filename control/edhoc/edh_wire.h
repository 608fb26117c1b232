/* SPDX-License-Identifier: BSD-3-Clause */
/* EDHOC (RFC 9528) wire constants: methods, KDF labels, error codes, ID_CRED labels, EAD. */
#ifndef EDH_WIRE_H
#define EDH_WIRE_H

/* §3.2: who authenticates how (Initiator / Responder). */
enum edh_method {
	EDH_METHOD_SIG_SIG = 0,
	EDH_METHOD_SIG_STAT = 1,
	EDH_METHOD_STAT_SIG = 2,
	EDH_METHOD_STAT_STAT = 3,
};
#define EDH_METHOD_COUNT 4

/* §4.1.2 and §4.2.1: labels of EDHOC_KDF. */
enum edh_kdf_label {
	EDH_KDF_KEYSTREAM_2 = 0,
	EDH_KDF_SALT_3E2M = 1,
	EDH_KDF_MAC_2 = 2,
	EDH_KDF_K_3 = 3,
	EDH_KDF_IV_3 = 4,
	EDH_KDF_SALT_4E3M = 5,
	EDH_KDF_MAC_3 = 6,
	EDH_KDF_PRK_OUT = 7,
	EDH_KDF_K_4 = 8,
	EDH_KDF_IV_4 = 9,
	EDH_KDF_PRK_EXPORTER = 10,
};

/* App. A.1: EDHOC_Exporter labels for OSCORE. */
enum edh_exporter_label {
	EDH_EXP_OSCORE_SECRET = 0,
	EDH_EXP_OSCORE_SALT = 1,
};
#define EDH_OSCORE_SALT_LEN 8

/* §6: ERR_CODE. */
enum edh_err_code {
	EDH_ERR_CODE_SUCCESS = 0,      /* reserved, never sent */
	EDH_ERR_CODE_UNSPECIFIED = 1,  /* ERR_INFO: tstr */
	EDH_ERR_CODE_WRONG_SUITE = 2,  /* ERR_INFO: SUITES_R */
	EDH_ERR_CODE_UNKNOWN_CRED = 3, /* ERR_INFO: true */
};

/* COSE header labels used in ID_CRED_x (§3.5.3; RFC 9360 for x5chain/x5t). */
enum edh_id_cred_label {
	EDH_IDCRED_KID = 4,
	EDH_IDCRED_KCCS = 14,
	EDH_IDCRED_X5CHAIN = 33,
	EDH_IDCRED_X5T = 34,
};

/* CCS (RFC 8392) claims and the cnf method (RFC 8747) that carry the COSE_Key (§3.5.2). */
enum edh_ccs_label {
	EDH_CCS_SUB = 2,
	EDH_CCS_CNF = 8,
	EDH_CNF_COSE_KEY = 1,
};

/* COSE hash algorithms for x5t (RFC 9054). */
enum edh_x5t_alg {
	EDH_X5T_SHA256 = -16,
	EDH_X5T_SHA256_64 = -15,
};

/* §3.8: EAD label 0 is padding; a negative label marks a critical item. */
#define EDH_EAD_PADDING 0

/* App. A.2: Content-Formats and the prefix of message_1 in a CoAP request. */
#define EDH_CF_EDHOC_CBOR_SEQ 64
#define EDH_CF_CID_EDHOC_CBOR_SEQ 65
#define EDH_COAP_OPTION_EDHOC 21 /* RFC 9668 §3.1 */

#endif
