/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A population in the gateway's own context table (dataplane/dp_ctx_table.c, linked as is) and a
 * pool of requests over it. Requests are protected by each device's client context derived on the
 * spot, so a million-context pool never holds a million client contexts.
 */
#include "bench/bn_time.h"
#include "bench/bn.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_lcore.h>
#include <rte_malloc.h>

#include "bench/lg_ctx.h"
#include "control/ctl_config_ctx.h"
#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_state.h"
#include "oscore/osc_protect.h"

#define MSG_ROOM 1280 /* largest request: 1024-byte payload + header, options, tag */

static size_t heap_used(void)
{
	struct rte_malloc_socket_stats st;

	if (rte_malloc_get_socket_stats((int)rte_socket_id(), &st))
		return 0;
	return st.heap_allocsz_bytes;
}

static struct lg_pop pop_of(unsigned long n, uint64_t seed)
{
	/* fixed shape: 3-byte kids reach 16M devices, so kid length does not vary with n */
	return (struct lg_pop){ .seed = seed, .n = n, .kid_min = 3, .kid_max = 3 };
}

/* What the gateway's state (dataplane/dp_state.c, linked as is) adds over s's table: opened over
 * it as the gateway does (no state database), measured, closed. */
static int state_bytes(struct bn_set *s, unsigned long n_ctx)
{
	struct ctl_ctx_config cfg;
	struct dp_state *st;
	char err[128];
	size_t before = heap_used();

	ctl_config_ctx_defaults(&cfg);
	cfg.max_contexts = (unsigned)n_ctx;
	st = dp_state_open(&cfg, s->table, err, sizeof(err));
	if (!st)
		return fprintf(stderr, "oscore-bench: state: %s\n", err), -1;
	s->state_bytes = (double)(heap_used() - before) + (double)n_ctx * (double)dp_state_slot_bytes();
	dp_state_close(st);
	return 0;
}

struct bn_set *bn_set_new(unsigned long n_ctx, uint64_t seed)
{
	struct bn_set *s = calloc(1, sizeof(*s));
	struct lg_pop pop = pop_of(n_ctx, seed);
	struct osc_params *p = malloc(n_ctx * sizeof(*p));
	char err[256] = "out of memory";
	size_t before;
	double t0 = bn_now_s();

	if (!s || !p)
		goto fail;
	for (unsigned long i = 0; i < n_ctx; i++)
		lg_ctx_params(&pop, i, &p[i]);
	before = heap_used();
	s->table = dp_ctx_table_new(p, (unsigned)n_ctx, (int)rte_socket_id(), err, sizeof(err));
	if (!s->table)
		goto fail;
	s->heap_bytes = (double)(heap_used() - before);
	if (state_bytes(s, n_ctx))
		goto fail;
	s->derive_secs = bn_now_s() - t0;
	s->n_ctx = n_ctx;
	s->seed = seed;
	free(p);
	return s;
fail:
	fprintf(stderr, "oscore-bench: %lu contexts: %s (raise --eal-mem?)\n", n_ctx, err);
	free(p);
	free(s);
	return NULL;
}

/* Request k: POST (a body) of payload bytes, or GET when payload is 0; CON; token = k. */
static int plain(uint8_t *out, size_t cap, unsigned k, unsigned payload)
{
	static uint8_t body[1024];
	uint8_t tok[4] = { (uint8_t)(k >> 24), (uint8_t)(k >> 16), (uint8_t)(k >> 8), (uint8_t)k };
	struct osc_coap_msg m = { .type = COAP_CON, .code = payload ? COAP_POST : COAP_GET,
				  .mid = (uint16_t)k, .tkl = 4, .token = tok, .n_opts = 1,
				  .payload = body, .payload_len = payload };

	memset(body, 'x', sizeof(body));
	m.opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .len = 4,
					   .val = (const uint8_t *)"temp" };
	return osc_coap_encode(out, cap, &m);
}

/* Protect request k for device i: client context derived now, SSN = k so that every message in
 * the pool has its own Partial IV (a lap of the pool then meets each window once). */
static int protect_one(struct bn_set *s, struct cry_engine *e, struct osc_ctx *c, unsigned k,
		       unsigned long i)
{
	struct lg_pop pop = pop_of(s->n_ctx, s->seed);
	struct osc_params gw, cl;
	struct osc_exchange ex;
	uint8_t msg[MSG_ROOM];
	int n = plain(msg, sizeof(msg), k, s->payload);

	lg_ctx_params(&pop, i, &gw);
	lg_client_view(&cl, &gw);
	if (n < 0 || osc_ctx_derive(c, &cl) != OSC_CTX_OK)
		return -1;
	c->ssn = k;
	n = osc_protect_request(e, c, msg, (size_t)n, s->msgs + (size_t)k * s->stride, s->stride,
				0, &ex);
	osc_ctx_wipe(c);
	if (n < 0)
		return -1;
	s->len[k] = (uint32_t)n;
	return 0;
}

int bn_set_messages(struct bn_set *s, unsigned n_msgs, unsigned payload, uint64_t seed)
{
	struct cry_engine *e = cry_engine_new();
	struct osc_ctx *c = aligned_alloc(64, sizeof(*c));
	int rc = 0;

	free(s->msgs);
	free(s->len);
	s->stride = MSG_ROOM;
	s->n_msgs = n_msgs;
	s->payload = payload;
	s->msgs = malloc((size_t)n_msgs * s->stride);
	s->len = malloc(n_msgs * sizeof(*s->len));
	if (!e || !c || !s->msgs || !s->len)
		rc = -1;
	for (unsigned k = 0; !rc && k < n_msgs; k++)
		rc = protect_one(s, e, c, k, lg_hash(seed, k, 77) % s->n_ctx);
	free(c);
	cry_engine_free(e);
	return rc;
}

void bn_set_free(struct bn_set *s)
{
	if (!s)
		return;
	dp_ctx_table_free(s->table);
	free(s->msgs);
	free(s->len);
	free(s);
}
