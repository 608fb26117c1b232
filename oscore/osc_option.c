/* SPDX-License-Identifier: BSD-3-Clause */
/* The OSCORE option value (RFC 8613 §6.1) and the Partial IV <-> sequence number mapping. */
#include "oscore/osc_option.h"

#include <assert.h>
#include <string.h>

/* §7.2.1: the largest sequence number a 5-byte Partial IV carries. */
#define SSN_MAX ((UINT64_C(1) << 40) - 1)

static const char *const opt_errstr[] = {
	[OSC_OPT_OK] = "success",
	[OSC_OPT_ERR_RESERVED] = "reserved OSCORE flag bits set",
	[OSC_OPT_ERR_PIV_LEN] = "reserved Partial IV length (6 or 7)",
	[OSC_OPT_ERR_TRUNCATED] = "Partial IV or kid context runs past the OSCORE option",
	[OSC_OPT_ERR_TRAILING] = "bytes left over in the OSCORE option without a kid",
	[OSC_OPT_ERR_ZERO] = "OSCORE option 0x00: all-zero flags must be an empty value",
	[OSC_OPT_ERR_TOO_LONG] = "OSCORE option longer than 255 bytes",
};
static_assert(sizeof(opt_errstr) / sizeof(opt_errstr[0]) == OSC_OPT_ERR_TOO_LONG + 1,
	      "one string per enum osc_option_err");

const char *osc_option_strerror(int err)
{
	if (err < 0 || (size_t)err >= sizeof(opt_errstr) / sizeof(opt_errstr[0]))
		return "unknown OSCORE option error";
	return opt_errstr[err];
}

/* The kid context, a 1-byte length s and s bytes (§6.1), at val[*pos..len). */
static int decode_kid_ctx(struct osc_option *o, const uint8_t *val, size_t len, size_t *pos)
{
	size_t s;

	if (*pos == len)
		return OSC_OPT_ERR_TRUNCATED;
	s = val[(*pos)++];
	if (s > len - *pos)
		return OSC_OPT_ERR_TRUNCATED;
	o->has_kid_ctx = true;
	o->kid_ctx = val + *pos;
	o->kid_ctx_len = (uint8_t)s;
	*pos += s;
	return OSC_OPT_OK;
}

int osc_option_decode(struct osc_option *o, const uint8_t *val, size_t len, uint8_t allowed_flags)
{
	size_t pos = 1, n;
	uint8_t flags;
	int err;

	memset(o, 0, sizeof(*o));
	if (len > OSC_OPTION_MAX)
		return OSC_OPT_ERR_TOO_LONG;
	if (len == 0) /* §2: the empty value stands for all-zero flags */
		return OSC_OPT_OK;
	flags = val[0];
	if (len == 1 && flags == 0) /* §2: ...and so must be the only way to say it */
		return OSC_OPT_ERR_ZERO;
	if (flags & OSC_FLAG_RESERVED & ~(allowed_flags & OSC_FLAG_GROUP))
		return OSC_OPT_ERR_RESERVED;
	o->ext_flags = flags & OSC_FLAG_GROUP;
	n = flags & OSC_FLAG_PIV_MASK;
	if (n > OSC_PIV_MAX)
		return OSC_OPT_ERR_PIV_LEN;
	if (n > len - pos)
		return OSC_OPT_ERR_TRUNCATED;
	memcpy(o->piv, val + pos, n);
	o->piv_len = (uint8_t)n;
	pos += n;
	if (flags & OSC_FLAG_KID_CTX) {
		err = decode_kid_ctx(o, val, len, &pos);
		if (err)
			return err;
	}
	if (!(flags & OSC_FLAG_KID))
		return pos == len ? OSC_OPT_OK : OSC_OPT_ERR_TRAILING;
	/* §6.1: the kid has no length of its own, it is whatever remains (possibly nothing). */
	o->has_kid = true;
	o->kid = val + pos;
	o->kid_len = (uint8_t)(len - pos);
	return OSC_OPT_OK;
}

static uint8_t flags_of(const struct osc_option *o)
{
	return (uint8_t)(o->piv_len | (o->has_kid ? OSC_FLAG_KID : 0) |
			 (o->has_kid_ctx ? OSC_FLAG_KID_CTX : 0) | o->ext_flags);
}

static size_t encoded_len(const struct osc_option *o)
{
	if (!flags_of(o))
		return 0;
	return 1 + o->piv_len + (o->has_kid_ctx ? 1u + o->kid_ctx_len : 0) +
	       (o->has_kid ? o->kid_len : 0);
}

int osc_option_encode(uint8_t *out, size_t cap, const struct osc_option *o)
{
	size_t need = encoded_len(o), pos = 0;

	if (o->piv_len > OSC_PIV_MAX || (o->ext_flags & ~OSC_FLAG_GROUP))
		return -1;
	if (need > cap || need > OSC_OPTION_MAX)
		return -1;
	if (need == 0) /* §2: all-zero flags are sent as the empty value */
		return 0;
	out[pos++] = flags_of(o);
	memcpy(out + pos, o->piv, o->piv_len);
	pos += o->piv_len;
	if (o->has_kid_ctx) {
		out[pos++] = o->kid_ctx_len;
		if (o->kid_ctx_len)
			memcpy(out + pos, o->kid_ctx, o->kid_ctx_len);
		pos += o->kid_ctx_len;
	}
	if (o->has_kid && o->kid_len)
		memcpy(out + pos, o->kid, o->kid_len);
	return (int)need;
}

unsigned osc_piv_from_ssn(uint8_t out[OSC_PIV_MAX], uint64_t ssn)
{
	unsigned n = 1;

	if (ssn > SSN_MAX)
		return 0;
	/* §6.1: network byte order, leading zero bytes stripped, but 0 keeps one byte. */
	while (n < OSC_PIV_MAX && ssn >> (8 * n))
		n++;
	for (unsigned i = 0; i < n; i++)
		out[i] = (uint8_t)(ssn >> (8 * (n - 1 - i)));
	return n;
}

uint64_t osc_piv_to_ssn(const uint8_t *piv, size_t len)
{
	uint64_t ssn = 0;

	if (len > OSC_PIV_MAX)
		return UINT64_MAX;
	for (size_t i = 0; i < len; i++)
		ssn = ssn << 8 | piv[i];
	return ssn;
}
