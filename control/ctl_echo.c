/* SPDX-License-Identifier: BSD-3-Clause */
/* Stateless Echo values (RFC 9175 App. A, method 2: timestamp || truncated HMAC). */
#include "control/ctl_echo.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>
#include <time.h>

#include "crypto/cry_aead.h"

#define MAC_LEN (CTL_ECHO_LEN - 4)

int ctl_echo_init(struct ctl_echo *e, uint32_t lifetime)
{
	if (!lifetime || RAND_priv_bytes(e->key, sizeof(e->key)) != 1)
		return -1;
	e->lifetime = lifetime;
	return 0;
}

void ctl_echo_wipe(struct ctl_echo *e)
{
	cry_wipe(e, sizeof(*e));
}

uint32_t ctl_echo_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)ts.tv_sec;
}

/* HMAC over expiry || len(rid) || rid || has_id_ctx || len(id_ctx) || id_ctx: lengths keep
 * different contexts' inputs apart. */
static int mac(const struct ctl_echo *e, const struct ctl_echo_ids *b, const uint8_t exp[4],
	       uint8_t out[32])
{
	uint8_t in[4 + 3 + OSC_ID_MAX + OSC_ID_CTX_MAX];
	unsigned n = 0, len = 0;

	if (b->rid_len > OSC_ID_MAX || b->id_ctx_len > OSC_ID_CTX_MAX)
		return -1;
	memcpy(in, exp, 4);
	n = 4;
	in[n++] = b->rid_len;
	memcpy(in + n, b->rid, b->rid_len);
	n += b->rid_len;
	in[n++] = b->has_id_ctx;
	in[n++] = b->id_ctx_len;
	memcpy(in + n, b->id_ctx, b->id_ctx_len);
	n += b->id_ctx_len;
	return HMAC(EVP_sha256(), e->key, sizeof(e->key), in, n, out, &len) && len == 32 ? 0 : -1;
}

static struct ctl_echo_ids ids_of(const struct osc_ctx *c)
{
	return (struct ctl_echo_ids){ .rid = c->recipient_id, .rid_len = c->recipient_id_len,
				      .id_ctx = c->id_ctx, .id_ctx_len = c->id_ctx_len,
				      .has_id_ctx = c->has_id_ctx };
}

int ctl_echo_make(const struct ctl_echo *e, const struct osc_ctx *c, uint32_t now,
		  uint8_t out[CTL_ECHO_LEN])
{
	struct ctl_echo_ids b = ids_of(c);

	return ctl_echo_make_ids(e, &b, now, out);
}

bool ctl_echo_verify(const struct ctl_echo *e, const struct osc_ctx *c, uint32_t now,
		     const uint8_t *val, size_t len)
{
	struct ctl_echo_ids b = ids_of(c);

	return ctl_echo_verify_ids(e, &b, now, val, len);
}

int ctl_echo_make_ids(const struct ctl_echo *e, const struct ctl_echo_ids *b, uint32_t now,
		      uint8_t out[CTL_ECHO_LEN])
{
	uint32_t exp = now + e->lifetime;
	uint8_t m[32];
	int rc;

	out[0] = (uint8_t)(exp >> 24);
	out[1] = (uint8_t)(exp >> 16);
	out[2] = (uint8_t)(exp >> 8);
	out[3] = (uint8_t)exp;
	rc = mac(e, b, out, m);
	memcpy(out + 4, m, MAC_LEN);
	return rc;
}

bool ctl_echo_verify_ids(const struct ctl_echo *e, const struct ctl_echo_ids *b, uint32_t now,
			 const uint8_t *val, size_t len)
{
	uint8_t m[32];
	uint32_t exp;

	if (len != CTL_ECHO_LEN)
		return false;
	exp = (uint32_t)val[0] << 24 | (uint32_t)val[1] << 16 | (uint32_t)val[2] << 8 | val[3];
	/* expired, or further ahead than this boot ever issues */
	if (exp < now || exp - now > e->lifetime)
		return false;
	if (mac(e, b, val, m))
		return false;
	return cry_ct_equal(m, val + 4, MAC_LEN) == 1;
}
