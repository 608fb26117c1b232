/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EDHOC Responder cost on one core (control/edhoc/): message_1 in, message_2 out, message_3 in,
 * OSCORE parameters out, for methods 0 (signatures) and 3 (static DH) with suites 0 (X25519,
 * Ed25519) and 2 (P-256, ES256). Only the Responder's calls are timed; the Initiator runs in
 * between untimed. Against it, in the same run: the public-key operations a Responder cannot
 * avoid, done with bare OpenSSL EVP (ephemeral key generation and ECDH, then a signature and a
 * verification for method 0, two more ECDH for method 3). The ratio is what the protocol code
 * (CBOR, key schedule, AEAD, session table) adds on top.
 *
 *   bench_edhoc [SECONDS_PER_CASE]   (default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "bench/bn_time.h"
#include "control/edhoc/edh.h"

/* Handshakes for secs; returns the Responder's handshakes per second. */
static double library(const struct edh_config *ic, struct edh_table *t, int method, int suite,
		      double secs)
{
	uint8_t b1[EDH_MSG_MAX], b2[EDH_MSG_MAX], c_r[EDH_CID_MAX];
	struct edh_out o1 = { b1, sizeof(b1), 0, false }, o2 = { b2, sizeof(b2), 0, false };
	struct edh_result ir, rr;
	double spent = 0, start = bn_now_s(), t0;
	unsigned long n = 0;
	enum edh_status st;

	while (bn_now_s() - start < secs) {
		struct edh_init *s = edh_init_new(ic, method, &suite, 1, NULL, &o1, &st);

		t0 = bn_now_s();
		st = s ? edh_resp_msg1(t, 0, o1.buf, o1.len, &o2) : st;
		spent += bn_now_s() - t0;
		if (st == EDH_OK)
			st = edh_init_msg2(s, o2.buf, o2.len, &o1, &ir);
		t0 = bn_now_s();
		if (st == EDH_OK)
			st = edh_resp_msg3(t, 1, c_r, edh_init_c_r(s, c_r), o1.buf, o1.len, &o2, &rr);
		spent += bn_now_s() - t0;
		if (st == EDH_OK)
			st = edh_init_msg4(s, o2.buf, o2.len);
		edh_init_free(s);
		if (st != EDH_OK)
			bn_die("bench_edhoc", edh_status_name(st));
		n++;
	}
	return (double)n / spent;
}

static EVP_PKEY *keygen(const char *alg)
{
	EVP_PKEY *k = strcmp(alg, "P-256") ? EVP_PKEY_Q_keygen(NULL, NULL, alg)
					   : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

	if (k == NULL)
		bn_die("bench_edhoc", "keygen");
	return k;
}

static void derive(EVP_PKEY *own, EVP_PKEY *peer)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(own, NULL);
	uint8_t out[32];
	size_t n = sizeof(out);

	if (!c || EVP_PKEY_derive_init(c) <= 0 || EVP_PKEY_derive_set_peer(c, peer) <= 0 ||
	    EVP_PKEY_derive(c, out, &n) <= 0)
		bn_die("bench_edhoc", "derive");
	EVP_PKEY_CTX_free(c);
}

static void sign_verify(EVP_PKEY *k, bool ecdsa)
{
	static const uint8_t msg[300];
	uint8_t sig[80];
	size_t n = sizeof(sig);
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	const EVP_MD *md = ecdsa ? EVP_sha256() : NULL;

	if (!m || EVP_DigestSignInit(m, NULL, md, NULL, k) <= 0 ||
	    EVP_DigestSign(m, sig, &n, msg, sizeof(msg)) <= 0 ||
	    EVP_DigestVerifyInit(m, NULL, md, NULL, k) <= 0 ||
	    EVP_DigestVerify(m, sig, n, msg, sizeof(msg)) != 1)
		bn_die("bench_edhoc", "sign/verify");
	EVP_MD_CTX_free(m);
}

/* The Responder's unavoidable public-key work per handshake, bare OpenSSL; per second. */
static double bare(int method, int suite, double secs)
{
	bool p256 = suite == 2;
	EVP_PKEY *peer = keygen(p256 ? "P-256" : "X25519");
	EVP_PKEY *stat = keygen(p256 ? "P-256" : "X25519");
	EVP_PKEY *sig = keygen(p256 ? "P-256" : "ED25519");
	double start = bn_now_s();
	unsigned long n = 0;

	while (bn_now_s() - start < secs) {
		EVP_PKEY *eph = keygen(p256 ? "P-256" : "X25519");

		derive(eph, peer);          /* G_XY */
		if (method == 0) {
			sign_verify(sig, p256); /* Signature_or_MAC_2 made, _3 checked */
		} else {
			derive(stat, peer); /* G_RX */
			derive(eph, stat);  /* G_IY */
		}
		EVP_PKEY_free(eph);
		n++;
	}
	EVP_PKEY_free(peer);
	EVP_PKEY_free(stat);
	EVP_PKEY_free(sig);
	return (double)n / (bn_now_s() - start);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	struct edh_cred iown[3], rown[3], pub;
	struct edh_trust *itrust = edh_trust_new(), *rtrust = edh_trust_new();
	const int crv[3] = { CRY_CRV_ED25519, CRY_CRV_X25519, CRY_CRV_P256 };
	struct edh_config ic = { .suites = { 0, 2 }, .n_suites = 2, .methods = 0x9 }, rc;
	struct edh_table *t;

	if (secs <= 0 || !itrust || !rtrust)
		bn_die("bench_edhoc", "usage: bench_edhoc [SECONDS_PER_CASE]");
	for (int i = 0; i < 3; i++) {
		uint8_t ik = (uint8_t)(1 + i), rk = (uint8_t)(0x21 + i);

		if (edh_cred_ccs_generate(crv[i], &ik, 1, "i", &iown[i], &pub) ||
		    edh_trust_add(rtrust, &pub) ||
		    edh_cred_ccs_generate(crv[i], &rk, 1, "r", &rown[i], &pub) ||
		    edh_trust_add(itrust, &pub))
			bn_die("bench_edhoc", "credentials");
	}
	ic.own = iown;
	ic.n_own = 3;
	ic.trust = itrust;
	rc = ic;
	rc.own = rown;
	rc.trust = rtrust;
	rc.max_sessions = 16;
	rc.timeout_ms = 1000;
	rc.message_4 = true;
	t = edh_table_new(&rc);
	/* time-per-handshake of the library over that of the bare operations */
	printf("%-8s %-6s %14s %14s %10s\n", "method", "suite", "handshakes/s", "bare-ops/s",
	       "lib/bare");
	for (int m = 0; m <= 3; m += 3) {
		for (int s = 0; s <= 2; s += 2) {
			double lib = library(&ic, t, m, s, secs), ref = bare(m, s, secs);

			printf("%-8d %-6d %14.0f %14.0f %10.2f\n", m, s, lib, ref, ref / lib);
		}
	}
	edh_table_free(t);
	for (int i = 0; i < 3; i++) {
		edh_cred_free(&iown[i]);
		edh_cred_free(&rown[i]);
	}
	edh_trust_free(itrust);
	edh_trust_free(rtrust);
	return 0;
}
