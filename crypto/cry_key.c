/* SPDX-License-Identifier: BSD-3-Clause */
/* Keys: the raw key, plus IPsec-MB's GCM key data expanded once per key. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cry_internal.h"

static pthread_once_t keyexp_once = PTHREAD_ONCE_INIT;
static IMB_MGR *keyexp_mgr;

/*
 * init_mb_mgr_auto() picks the same code path here as in every engine on this CPU, which matters:
 * the layout of struct gcm_key_data differs between the SSE/AVX and the VAES code paths.
 */
static void keyexp_init(void)
{
	IMB_ARCH arch;
	IMB_MGR *m = alloc_mb_mgr(0);

	if (m == NULL)
		return;
	init_mb_mgr_auto(m, &arch);
	if (imb_get_errno(m) != 0) {
		free_mb_mgr(m);
		return;
	}
	keyexp_mgr = m;
}

IMB_MGR *cry_keyexp_mgr(void)
{
	pthread_once(&keyexp_once, keyexp_init);
	return keyexp_mgr;
}

static int expand_gcm(IMB_MGR *m, struct cry_key *k, const uint8_t *raw)
{
	/* IPsec-MB reads struct gcm_key_data with aligned 64-byte loads. posix_memalign, as the
	 * header aligns the struct (and pads its size) only when LINUX is defined. */
	struct gcm_key_data *g;

	if (posix_memalign((void **)&g, 64, sizeof(*g)) != 0)
		return -ENOMEM;
	if (k->alg->key_len == 16)
		IMB_AES128_GCM_PRE(m, raw, g);
	else if (k->alg->key_len == 24)
		IMB_AES192_GCM_PRE(m, raw, g);
	else
		IMB_AES256_GCM_PRE(m, raw, g);
	k->gcm = g;
	return 0;
}

int cry_key_init(struct cry_key *k, const struct cry_alg *alg, const uint8_t *raw)
{
	IMB_MGR *m;
	int rc = 0;

	if (k == NULL || alg == NULL || raw == NULL || alg->key_len > CRY_KEY_MAX)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	m = cry_keyexp_mgr();
	if (m == NULL)
		return -ENOMEM;
	k->alg = alg;
	memcpy(k->raw, raw, alg->key_len);
	if (alg->kind == CRY_KIND_CCM && alg->key_len != 16 && alg->key_len != 32)
		rc = -EINVAL;
	else if (alg->kind == CRY_KIND_GCM)
		rc = expand_gcm(m, k, raw);
	/* CCM round keys are the engine's (cry_engine.c); ChaCha20/Poly1305 takes the raw key. */
	if (rc != 0)
		cry_key_wipe(k);
	return rc;
}

void cry_key_wipe(struct cry_key *k)
{
	if (k == NULL)
		return;
	if (k->gcm != NULL) {
		cry_wipe(k->gcm, sizeof(struct gcm_key_data));
		free(k->gcm);
	}
	cry_wipe(k, sizeof(*k));
}
