/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer: the gateway's EDHOC responder over CoAP (control/ctl_edhoc.c): POST
 * /.well-known/edhoc with a `true` / C_R prefix (RFC 9528 App. A.2) and RFC 9668 combined
 * requests (EDHOC option, message_3 in front of the OSCORE payload), through ctl_plane_serve as
 * the control lcore runs them. First input byte even: the rest is a plain request for the
 * path; odd: a combined request (CTL_KIND_EDHOC). The platform installs contexts into one slot,
 * so that the verification and answer of a combined request are reached. Responder as in
 * fuzz_edhoc.h (RFC 9529's credentials), message_1 limits off.
 */
#include "control/ctl_edhoc.h"
#include "crypto/cry_aead.h"
#include "tests/fuzz/fuzz_edhoc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct osc_ctx slot __attribute__((aligned(64)));
static uint32_t gen;

static struct osc_ctx *get(void *plat, struct ctl_ctx_handle h)
{
	(void)plat;
	return gen && h.gen == gen ? &slot : NULL;
}

static int add_as(void *plat, enum ctl_method method, const struct osc_params *p,
		  struct ctl_ctx_handle *out, char *err, size_t len)
{
	(void)plat;
	(void)method;
	(void)err;
	(void)len;
	osc_ctx_wipe(&slot);
	if (osc_ctx_derive(&slot, p) != OSC_CTX_OK)
		return -1;
	*out = (struct ctl_ctx_handle){ 0, ++gen };
	return 0;
}

static void count(void *plat, enum ctl_ctr c)
{
	(void)plat;
	if ((unsigned)c >= CTL_C__COUNT)
		abort();
}

static const struct ctl_platform plat = { .ctx_get = get, .ctx_add = add_as, .count = count };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctl_edhoc_config conf;
	static struct ctl_plane *p;
	static struct cry_engine *e;
	static uint16_t mid;
	static uint8_t msg[CTL_MSG_MAX], ans[CTL_MSG_MAX];
	struct ctl_env env = { .ops = &plat, .e = e, .next_mid = &mid };
	struct ctl_job job = { 0 };
	int n;

	if (!p) {
		struct edh_table *t = fz_setup(); /* fills fz_own, fz_cfg */
		struct ctl_edhoc *h;

		edh_table_free(t);
		conf = (struct ctl_edhoc_config){ .enabled = true, .n_own = 2, .n_suites = 4,
			.methods = 0xf, .max_sessions = 4, .timeout_ms = 10, .trust = NULL };
		memcpy(conf.own, fz_own, sizeof(fz_own));
		memcpy(conf.suites, fz_cfg.suites, sizeof(conf.suites));
		conf.trust = (struct edh_trust *)fz_cfg.trust;
		e = cry_engine_new();
		h = ctl_edhoc_new(&conf, NULL, false, false);
		p = ctl_plane_new();
		if (!e || !h || !p ||
		    ctl_plane_on_path(p, "/.well-known/edhoc", CTL_PATH_PLAIN, ctl_edhoc_handler, h) ||
		    ctl_plane_on_kind(p, CTL_KIND_EDHOC, ctl_edhoc_combined, h))
			abort();
		env.e = e;
	}
	if (size < 1 || size - 1 > sizeof(msg))
		return 0;
	memcpy(msg, data + 1, size - 1);
	job.kind = data[0] & 1 ? CTL_KIND_EDHOC : CTL_KIND_PLAIN;
	job.msg = msg;
	job.len = size - 1;
	n = ctl_plane_serve(p, &env, &job, ans, sizeof(ans));
	if (n > (int)sizeof(ans))
		abort();
	return 0;
}
