/* SPDX-License-Identifier: BSD-3-Clause */
/* X.509 credentials: a tiny CA made here in memory; chains to it accepted, others refused. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "edh_test_util.h"

/* A certificate for key, issued by issuer_key (self-signed when issuer is NULL). DER in der. */
static size_t make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
			bool ca, uint8_t *der, size_t cap, X509 **keep)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	uint8_t *p = der;
	int n;

	cr_assert(x && name);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(cn[0] + 1000));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509_set_pubkey(x, key);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
				  ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage, "critical,keyCertSign");
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	cr_assert(X509_sign(x, issuer_key ? issuer_key : key, NULL) > 0);
	n = i2d_X509(x, NULL);
	cr_assert(n > 0 && (size_t)n <= cap);
	i2d_X509(x, &p);
	X509_NAME_free(name);
	if (keep)
		*keep = x;
	else
		X509_free(x);
	return (size_t)n;
}

struct pki {
	EVP_PKEY *ca_key, *rogue_key, *leaf_key;
	X509 *ca, *rogue;
	uint8_t ca_der[1000];
	size_t ca_len;
};

static void pki_init(struct pki *k)
{
	uint8_t tmp[1000];

	k->ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	k->rogue_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	k->leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	cr_assert(k->ca_key && k->rogue_key && k->leaf_key);
	k->ca_len = make_cert(k->ca_key, "edhoc-test-ca", NULL, NULL, true, k->ca_der,
			      sizeof(k->ca_der), &k->ca);
	make_cert(k->rogue_key, "edhoc-test-ca", NULL, NULL, true, tmp, sizeof(tmp), &k->rogue);
}

static void pki_free(struct pki *k)
{
	EVP_PKEY_free(k->ca_key);
	EVP_PKEY_free(k->rogue_key);
	EVP_PKEY_free(k->leaf_key);
	X509_free(k->ca);
	X509_free(k->rogue);
}

/* The Initiator's own X.509 credential for leaf_key, issued by issuer. */
static void leaf_cred(struct pki *k, X509 *issuer, EVP_PKEY *issuer_key,
		      enum edh_x509_ref ref, struct edh_cred *c)
{
	uint8_t der[1000], d[32];
	size_t dl = sizeof(d);
	size_t n = make_cert(k->leaf_key, "edhoc-initiator", issuer, issuer_key, false, der,
			     sizeof(der), NULL);

	cr_assert(EVP_PKEY_get_raw_private_key(k->leaf_key, d, &dl) && dl == 32);
	cr_assert_eq(edh_cred_x509(c, der, n, ref, d, 32), EDH_OK);
}

/* method 0, suite 0: the Initiator's X.509 credential against a Responder trusting the CA. */
static enum edh_status run(struct pki *k, X509 *issuer, EVP_PKEY *issuer_key,
			   enum edh_x509_ref ref, struct edh_result *ir, struct edh_result *rr)
{
	struct edh_cred icred, rown[3];
	struct edh_trust *itrust = edh_trust_new(), *rtrust = edh_trust_new();
	struct edh_config ic, rc;
	struct edh_table *t;
	enum edh_status st;

	leaf_cred(k, issuer, issuer_key, ref, &icred);
	cr_assert_eq(edh_trust_add_ca(rtrust, k->ca_der, k->ca_len), EDH_OK);
	th_party(rown, 0x21, itrust);
	th_cfg(&ic, &icred, 1, itrust);
	th_cfg(&rc, rown, 3, rtrust);
	t = edh_table_new(&rc);
	st = th_handshake(&ic, t, 0, 0, ir, rr);
	cr_assert_eq(edh_table_live(t), 0);
	edh_table_free(t);
	edh_cred_free(&icred);
	for (int i = 0; i < 3; i++)
		edh_cred_free(&rown[i]);
	edh_trust_free(itrust);
	edh_trust_free(rtrust);
	return st;
}

Test(edhoc, x509_chain_to_configured_ca_accepted)
{
	struct pki k;
	struct edh_result ir, rr;

	pki_init(&k);
	cr_assert_eq(run(&k, k.ca, k.ca_key, EDH_X509_BY_X5CHAIN, &ir, &rr), EDH_OK);
	cr_assert_arr_eq(ir.oscore.secret, rr.oscore.secret, 16);
	pki_free(&k);
}

Test(edhoc, x509_chain_to_other_ca_refused)
{
	struct pki k;
	struct edh_result ir, rr;

	pki_init(&k);
	/* same issuer name, other key: only the signature check can tell */
	cr_assert_eq(run(&k, k.rogue, k.rogue_key, EDH_X509_BY_X5CHAIN, &ir, &rr), EDH_E_UNTRUSTED);
	cr_assert_eq(rr.oscore.secret_len, 0);
	pki_free(&k);
}

Test(edhoc, x509_self_signed_leaf_refused)
{
	struct pki k;
	struct edh_result ir, rr;

	pki_init(&k);
	cr_assert_eq(run(&k, NULL, NULL, EDH_X509_BY_X5CHAIN, &ir, &rr), EDH_E_UNTRUSTED);
	pki_free(&k);
}

/* x5t naming a certificate nobody pinned: unknown credential, even if the CA would vouch for it
 * (x5t carries no certificate to verify). */
Test(edhoc, x509_x5t_unknown_refused)
{
	struct pki k;
	struct edh_result ir, rr;

	pki_init(&k);
	cr_assert_eq(run(&k, k.ca, k.ca_key, EDH_X509_BY_X5T, &ir, &rr), EDH_E_CRED_UNKNOWN);
	pki_free(&k);
}

/* A private key that does not belong to the certificate is refused at load. */
Test(edhoc, x509_own_key_mismatch_refused)
{
	struct pki k;
	uint8_t der[1000], d[32] = { 1 };
	size_t n;
	struct edh_cred c;

	pki_init(&k);
	n = make_cert(k.leaf_key, "edhoc-initiator", k.ca, k.ca_key, false, der, sizeof(der), NULL);
	cr_assert_eq(edh_cred_x509(&c, der, n, EDH_X509_BY_X5T, d, 32), EDH_E_MALFORMED);
	cr_assert_eq(edh_cred_x509(&c, der, n - 1, EDH_X509_BY_X5T, NULL, 0), EDH_E_MALFORMED);
	pki_free(&k);
}
