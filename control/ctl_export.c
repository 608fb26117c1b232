/* SPDX-License-Identifier: BSD-3-Clause */
/* Wireshark "oscore_contexts" UAT export, from the client's point of view. */
#include "control/ctl_export.h"

#include "crypto/cry_aead.h"

/* Wireshark's name for the only algorithm its OSCORE dissector decrypts. */
static const char ws_alg[] = "AES-CCM-16-64-128 (CCM*)";

/* ,"<hex>" (or "<hex>" first) at out + *pos. */
static void put_hex(char *out, size_t *pos, const uint8_t *b, size_t n, bool first)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (!first)
		out[(*pos)++] = ',';
	out[(*pos)++] = '"';
	for (i = 0; i < n; i++) {
		out[(*pos)++] = digits[b[i] >> 4];
		out[(*pos)++] = digits[b[i] & 15];
	}
	out[(*pos)++] = '"';
}

int ctl_export_line(char *out, size_t cap, const struct osc_params *p)
{
	const struct cry_alg *alg = p->alg ? p->alg : cry_alg_by_cose(CRY_AES_CCM_16_64_128);
	size_t pos = 0;

	if (alg->cose != CRY_AES_CCM_16_64_128 || cap < CTL_EXPORT_LINE_MAX)
		return -1;
	/* the client sends with the gateway's Recipient ID and receives with its Sender ID */
	put_hex(out, &pos, p->recipient_id, p->recipient_id_len, true);
	put_hex(out, &pos, p->sender_id, p->sender_id_len, false);
	put_hex(out, &pos, p->secret, p->secret_len, false);
	put_hex(out, &pos, p->salt, p->salt_len, false);
	put_hex(out, &pos, p->id_ctx, p->has_id_ctx ? p->id_ctx_len : 0, false);
	pos += (size_t)snprintf(out + pos, cap - pos, ",\"%s\"\n", ws_alg);
	return (int)pos;
}

struct walk {
	FILE *f;
	unsigned written, skipped;
};

static int export_one(void *arg, uint64_t id, const struct osc_params *p, uint64_t ceiling)
{
	struct walk *w = arg;
	char line[CTL_EXPORT_LINE_MAX];
	int n = ctl_export_line(line, sizeof(line), p);

	(void)id;
	(void)ceiling;
	if (n < 0) {
		w->skipped++;
		return 0;
	}
	w->written++;
	n = fwrite(line, 1, (size_t)n, w->f) == (size_t)n ? 0 : -1;
	cry_wipe(line, sizeof(line));
	return n;
}

int ctl_export_store(FILE *f, struct ctl_store *s, unsigned *skipped)
{
	struct walk w = { .f = f };
	int rc = ctl_store_foreach(s, export_one, &w);

	if (skipped)
		*skipped = w.skipped;
	return rc ? -1 : (int)w.written;
}
