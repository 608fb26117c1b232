/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Group OSCORE micro-benchmark (RFC 10021), one core, everything in the same run:
 *   ccm      AES-CCM-16-64-128 decrypt with the AAD of a Group OSCORE request (external_aad with
 *            two CCS credentials, 132 bytes): the engine's composed CCM (IPsec-MB multi-buffer
 *            AES-CBC + AES-CTR, bursts of 32) against one message at a time through OpenSSL EVP
 *            (a fresh context per message: what the engine did for AAD over 46 bytes before),
 *            and IPsec-MB's own CCM on the same messages with a 20-byte AAD for scale
 *   verify   group-mode requests (the vectors' group, Ed25519): stage a (parse, member, nonce,
 *            AAD, AEAD batched per 32) and stage b (keystream, Ed25519 verify, commit, rebuild),
 *            alone and together; pairwise-mode requests (no signature) the same way
 *   protect  group-mode requests (AEAD + Ed25519 signature)
 * Usage: bench_group [seconds per measurement, default 0.5]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bn_time.h"
#include "oscore/osc_group_msg.h"
#include "tests/oscore/group_fixture.h"

#define NMSG 2048
#define BURST 32
#define PAYLOAD 64
#define GROUP_AAD 132 /* group-oscore-vectors.txt B.2's AAD */

static uint64_t rng = 0x6e0c;

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		rng ^= rng >> 12;
		rng ^= rng << 25;
		rng ^= rng >> 27;
		p[i] = (uint8_t)((rng * 0x2545F4914F6CDD1DULL) >> 56);
	}
}

struct ccm_msg {
	uint8_t nonce[CRY_NONCE_MAX], aad[GROUP_AAD], tag[CRY_TAG_MAX], ct[PAYLOAD], pt[PAYLOAD];
};

/* NMSG decrypt ops over 64 keys, aad_len bytes of AAD, encrypted once with OpenSSL. */
static void ccm_pool(struct cry_op *ops, struct ccm_msg *m, struct cry_key *keys, uint32_t aad)
{
	for (unsigned i = 0; i < NMSG; i++) {
		struct cry_op *op = &ops[i];

		fill(m[i].nonce, sizeof(m[i].nonce));
		fill(m[i].aad, sizeof(m[i].aad));
		fill(m[i].pt, sizeof(m[i].pt));
		cry_op_prepare(op, &keys[i % 64], CRY_ENCRYPT, m[i].nonce, m[i].aad, aad);
		op->in = m[i].pt;
		op->out = m[i].ct;
		op->tag = m[i].tag;
		op->len = PAYLOAD;
		if (cry_aead_one_openssl(op) != CRY_OK)
			bn_die("bench_group", "reference encrypt");
		op->dir = CRY_DECRYPT;
		op->in = m[i].ct;
		op->out = m[i].pt;
	}
}

static double run_engine(struct cry_engine *e, struct cry_op *ops, double secs)
{
	double t0 = bn_now_s(), t;
	uint64_t n = 0;

	do {
		for (unsigned b = 0; b < NMSG; b += BURST)
			if (cry_aead_batch(e, ops + b, BURST) != BURST)
				bn_die("bench_group", "engine decrypt failed");
		n += NMSG;
		t = bn_now_s();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

static double run_openssl(struct cry_op *ops, double secs)
{
	double t0 = bn_now_s(), t;
	uint64_t n = 0;

	do {
		for (unsigned i = 0; i < NMSG; i++)
			if (cry_aead_one_openssl(&ops[i]) != CRY_OK)
				bn_die("bench_group", "OpenSSL decrypt failed");
		n += NMSG;
		t = bn_now_s();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

static void bench_ccm(struct cry_engine *e, double secs)
{
	static struct cry_op ops[NMSG], short_ops[NMSG];
	static struct ccm_msg m[NMSG], sm[NMSG];
	static struct cry_key keys[64];
	uint8_t raw[16];
	double composed, openssl, native;

	for (int i = 0; i < 64; i++) {
		fill(raw, sizeof(raw));
		if (cry_key_init(&keys[i], cry_alg_by_cose(CRY_AES_CCM_16_64_128), raw))
			bn_die("bench_group", "key");
	}
	ccm_pool(ops, m, keys, GROUP_AAD);
	ccm_pool(short_ops, sm, keys, 20);
	composed = run_engine(e, ops, secs);
	openssl = run_openssl(ops, secs);
	native = run_engine(e, short_ops, secs);
	printf("ccm  AES-CCM-16-64-128 decrypt, %d-byte payload, 64 keys, bursts of %d\n", PAYLOAD,
	       BURST);
	printf("  composed CCM (IPsec-MB CBC+CTR), AAD %3d B  %10.0f msgs/s\n", GROUP_AAD, composed);
	printf("  OpenSSL EVP one message at a time, AAD %3d B %10.0f msgs/s\n", GROUP_AAD, openssl);
	printf("  IPsec-MB CCM job, AAD  20 B (for scale)      %10.0f msgs/s\n", native);
	printf("  composed / OpenSSL = %.2fx   composed / IPsec-MB CCM = %.2fx\n",
	       composed / openssl, composed / native);
	for (int i = 0; i < 64; i++)
		cry_key_wipe(&keys[i]);
}

struct pool {
	uint8_t msg[NMSG][160];
	size_t len[NMSG];
};

/* NMSG requests from 0a (group mode, or pairwise towards 51) with SSNs 0..NMSG-1. */
static void make_pool(struct cry_engine *e, struct gfix *f, struct pool *p, bool group_mode)
{
	static const uint8_t get[] = { 0x51, 0x01, 0x00, 0x01, 0x4a, 0xb3, 't', 'v', '1' };
	struct osc_group_exchange ex;

	f->g0a.ssn = 0;
	for (unsigned i = 0; i < NMSG; i++) {
		int n = osc_group_protect_request(e, &f->g0a, group_mode ? NULL : &f->m51, get,
						  sizeof(get), p->msg[i], sizeof(p->msg[i]), &ex);

		if (n < 0)
			bn_die("bench_group", "protect");
		p->len[i] = (size_t)n;
	}
}

static uint8_t plain[BURST][OSC_PLAIN_HEADROOM + 256];
static struct osc_grx rx[BURST];

/* Stage a for a burst: parse, member, prepare, one AEAD call. */
static void stage_a(struct cry_engine *e, struct gfix *f, struct pool *p, unsigned first)
{
	static struct cry_op ops[BURST];

	for (unsigned i = 0; i < BURST; i++) {
		struct osc_grx *r = &rx[i];

		r->rx.plain = plain[i];
		r->rx.plain_cap = sizeof(plain[i]);
		r->rx.flags = OSC_RX_LOADTEST; /* the pool is verified again and again */
		if (osc_group_rx_parse(r, p->msg[first + i], p->len[first + i], true) != OSC_OK ||
		    !osc_group_matches(&f->m0a, &r->rx.opt) ||
		    osc_group_rx_prepare(r, &f->m0a, NULL) != OSC_OK)
			bn_die("bench_group", "stage a prepare");
		ops[i] = r->rx.op;
	}
	cry_aead_batch(e, ops, BURST);
	for (unsigned i = 0; i < BURST; i++) {
		rx[i].rx.op.status = ops[i].status;
		if (osc_group_rx_aead(&rx[i]) != OSC_OK)
			bn_die("bench_group", "stage a AEAD");
	}
}

static void stage_b(void)
{
	uint8_t out[256];

	for (unsigned i = 0; i < BURST; i++)
		if (osc_group_rx_finish(&rx[i], out, sizeof(out)) <= 0)
			bn_die("bench_group", "stage b");
}

/* Messages per second: stage a alone (with_b false) or both stages. */
static double run_verify(struct cry_engine *e, struct gfix *f, struct pool *p, bool with_b,
			 double secs)
{
	double t0 = bn_now_s(), t;
	uint64_t n = 0;

	do {
		for (unsigned b = 0; b < NMSG; b += BURST) {
			stage_a(e, f, p, b);
			if (with_b)
				stage_b();
			n += BURST;
			if (with_b && (n % 512) == 0 && bn_now_s() - t0 > secs)
				break;
		}
		t = bn_now_s();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

static double run_protect(struct cry_engine *e, struct gfix *f, double secs)
{
	static const uint8_t get[] = { 0x51, 0x01, 0x00, 0x01, 0x4a, 0xb3, 't', 'v', '1' };
	struct osc_group_exchange ex;
	uint8_t out[256];
	double t0 = bn_now_s(), t;
	uint64_t n = 0;

	do {
		for (int i = 0; i < 64; i++, n++)
			if (osc_group_protect_request(e, &f->g0a, NULL, get, sizeof(get), out,
						      sizeof(out), &ex) < 0)
				bn_die("bench_group", "protect");
		t = bn_now_s();
	} while (t - t0 < secs);
	return (double)n / (t - t0);
}

static void bench_group(struct cry_engine *e, double secs)
{
	static struct pool gp, pp;
	static struct gfix f;
	double ga, gab, pa, pab, prot, sig_only;

	if (gfix_init(&f) != 0)
		bn_die("bench_group", "group derivation");
	make_pool(e, &f, &gp, true);
	make_pool(e, &f, &pp, false);
	ga = run_verify(e, &f, &gp, false, secs);
	gab = run_verify(e, &f, &gp, true, secs);
	pa = run_verify(e, &f, &pp, false, secs);
	pab = run_verify(e, &f, &pp, true, secs);
	prot = run_protect(e, &f, secs);
	sig_only = 1.0 / (1.0 / gab - 1.0 / ga);
	printf("verify  one core, group of the vectors (Ed25519, AES-CCM-16-64-128), bursts of %d\n",
	       BURST);
	printf("  group mode, stage a (AEAD, batched)          %10.0f msgs/s\n", ga);
	printf("  group mode, stage b alone (signature etc.)   %10.0f msgs/s (derived)\n", sig_only);
	printf("  group mode, stage a + b                      %10.0f msgs/s\n", gab);
	printf("  pairwise mode, stage a                       %10.0f msgs/s\n", pa);
	printf("  pairwise mode, stage a + b                   %10.0f msgs/s\n", pab);
	printf("  group mode / pairwise mode (a + b) = %.3f; stage a / (a + b) = %.1fx\n",
	       gab / pab, ga / gab);
	printf("protect group mode (AEAD + Ed25519 sign)     %10.0f msgs/s\n", prot);
	gfix_free(&f);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.5;
	struct cry_engine *e = cry_engine_new();

	if (!e || secs <= 0)
		bn_die("bench_group", "usage: bench_group [seconds > 0] (or no AES-NI)");
	printf("bench_group: IPsec-MB %s path, %.2f s per measurement\n", cry_engine_arch(e), secs);
	bench_ccm(e, secs);
	bench_group(e, secs);
	cry_engine_free(e);
	return 0;
}
