/* SPDX-License-Identifier: BSD-3-Clause */
/* Deterministic context populations (see lg_ctx.h). */
#include "bench/lg_ctx.h"
#include "oscore/osc_hex.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>


enum { F_SECRET, F_SALT, F_KIDLEN, F_HAS_CTX, F_IDCTX };

uint64_t lg_hash(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t z = seed ^ (a * 0x9e3779b97f4a7c15ULL) ^ (b * 0xc2b2ae3d27d4eb4fULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	/* a second round: seeds that differ in one bit must give unrelated populations */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	return z ^ (z >> 27);
}

double lg_unit(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

unsigned lg_kid_bytes(unsigned long n)
{
	unsigned b = 0;

	for (unsigned long max = 1; max < n && b < 8; b++)
		max <<= 8;
	return b;
}

int lg_pop_check(const struct lg_pop *pop, char *err, size_t err_len)
{
	unsigned need = lg_kid_bytes(pop->n);

	if (pop->kid_min > pop->kid_max || pop->kid_max > OSC_ID_MAX)
		return snprintf(err, err_len, "kid length range must be within 0-%d", OSC_ID_MAX), -1;
	if (need > pop->kid_max)
		return snprintf(err, err_len, "%lu contexts need kids of %u bytes, above --kid-len",
				pop->n, need), -1;
	if (pop->kid_ctx < 0 || pop->kid_ctx > 1)
		return snprintf(err, err_len, "--kid-ctx is a fraction 0..1"), -1;
	return 0;
}

static void fill(uint64_t seed, unsigned long i, unsigned field, uint8_t *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		p[k] = (uint8_t)(lg_hash(seed, i, field * 1000 + k / 8) >> (8 * (k % 8)));
}

void lg_ctx_params(const struct lg_pop *pop, unsigned long i, struct osc_params *gw)
{
	unsigned need = lg_kid_bytes(pop->n), lo = pop->kid_min > need ? pop->kid_min : need;
	unsigned span = pop->kid_max - lo + 1, k;

	memset(gw, 0, sizeof(*gw));
	osc_params_defaults(gw);
	gw->secret_len = 16;
	fill(pop->seed, i, F_SECRET, gw->secret, 16);
	gw->salt_len = 8;
	fill(pop->seed, i, F_SALT, gw->salt, 8);
	gw->sender_id_len = 1;
	gw->sender_id[0] = 0x01;
	gw->recipient_id_len = (uint8_t)(lo + lg_hash(pop->seed, i, F_KIDLEN) % span);
	for (k = 0; k < gw->recipient_id_len; k++) /* big endian, zero padded on the left */
		gw->recipient_id[gw->recipient_id_len - 1 - k] = k < 8 ? (uint8_t)(i >> (8 * k)) : 0;
	if (lg_unit(lg_hash(pop->seed, i, F_HAS_CTX)) < pop->kid_ctx) {
		gw->has_id_ctx = true;
		gw->id_ctx_len = 8;
		fill(pop->seed, i, F_IDCTX, gw->id_ctx, 8);
	}
}

void lg_client_view(struct osc_params *client, const struct osc_params *gw)
{
	*client = *gw;
	memcpy(client->sender_id, gw->recipient_id, OSC_ID_MAX);
	client->sender_id_len = gw->recipient_id_len;
	memcpy(client->recipient_id, gw->sender_id, OSC_ID_MAX);
	client->recipient_id_len = gw->sender_id_len;
}

void lg_hex(FILE *f, const uint8_t *b, size_t n)
{
	while (n--)
		fprintf(f, "%02x", *b++);
}

static void field(FILE *f, const char *name, const uint8_t *b, size_t n, bool comma)
{
	fprintf(f, "\"%s\": \"", name);
	lg_hex(f, b, n);
	fprintf(f, comma ? "\", " : "\"");
}

void lg_write_ctx_json(FILE *f, const struct osc_params *gw, bool last)
{
	fputs("  {", f);
	field(f, "master_secret", gw->secret, gw->secret_len, true);
	field(f, "master_salt", gw->salt, gw->salt_len, true);
	if (gw->has_id_ctx)
		field(f, "id_context", gw->id_ctx, gw->id_ctx_len, true);
	field(f, "sender_id", gw->sender_id, gw->sender_id_len, true);
	field(f, "recipient_id", gw->recipient_id, gw->recipient_id_len, true);
	fprintf(f, "\"aead_alg\": \"%s\", \"hkdf_alg\": \"HKDF-SHA-256\"}%s\n",
		gw->alg->name, last ? "" : ",");
}

static int unhex(const char *s, uint8_t *out, size_t cap, uint8_t *len)
{
	int n = osc_hex_decode(s, strlen(s), out, cap);

	if (n < 0)
		return -1;
	*len = (uint8_t)n;
	return 0;
}

/* One context object; the optional fields this tool writes, anything else is left default. */
static int load_one(json_t *o, struct osc_params *p)
{
	json_t *alg = json_object_get(o, "aead_alg");
	const char *s;

	memset(p, 0, sizeof(*p));
	if ((s = json_string_value(json_object_get(o, "master_secret"))) == NULL ||
	    unhex(s, p->secret, OSC_SECRET_MAX, &p->secret_len))
		return -1;
	if ((s = json_string_value(json_object_get(o, "master_salt"))) != NULL &&
	    unhex(s, p->salt, OSC_SALT_MAX, &p->salt_len))
		return -1;
	if ((s = json_string_value(json_object_get(o, "id_context"))) != NULL) {
		if (unhex(s, p->id_ctx, OSC_ID_CTX_MAX, &p->id_ctx_len))
			return -1;
		p->has_id_ctx = true;
	}
	if ((s = json_string_value(json_object_get(o, "sender_id"))) == NULL ||
	    unhex(s, p->sender_id, OSC_ID_MAX, &p->sender_id_len) ||
	    (s = json_string_value(json_object_get(o, "recipient_id"))) == NULL ||
	    unhex(s, p->recipient_id, OSC_ID_MAX, &p->recipient_id_len))
		return -1;
	if (json_is_integer(alg))
		p->alg = cry_alg_by_cose((int)json_integer_value(alg));
	else if (json_is_string(alg))
		p->alg = cry_alg_by_name(json_string_value(alg));
	if (alg && !p->alg)
		return -1;
	osc_params_defaults(p);
	return 0;
}

int lg_ctx_load(const char *path, struct osc_params **out, unsigned long *n, char *err,
		size_t err_len)
{
	json_error_t je;
	json_t *a = json_load_file(path, 0, &je);
	size_t i;

	*out = NULL;
	if (!json_is_array(a) || json_array_size(a) == 0) {
		snprintf(err, err_len, "%s: expected a non-empty JSON array of contexts (%s)", path,
			 a ? "not an array" : je.text);
		json_decref(a);
		return -1;
	}
	*n = json_array_size(a);
	*out = calloc(*n, sizeof(**out));
	for (i = 0; *out && i < *n; i++)
		if (load_one(json_array_get(a, i), &(*out)[i])) {
			snprintf(err, err_len, "%s: context %zu: bad or missing field", path, i);
			break;
		}
	json_decref(a);
	if (*out && i == *n)
		return 0;
	if (!*out)
		snprintf(err, err_len, "out of memory for %lu contexts", *n);
	free(*out);
	*out = NULL;
	return -1;
}
