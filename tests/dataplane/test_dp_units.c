/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the dataplane's operations tables, in an EAL without hugepages: deduplication
 * (RFC 7252 §4.5), per-source error limits, QSBR reclamation of removed contexts, the control
 * plane's context state (issue 8: no duplicate, no going back after remove and re-add), context
 * handles (slot, generation) and the forward mode's exchange table.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_rcu_qsbr.h>

#include "dataplane/dp_ctl_ring.h"
#include "dataplane/dp_ctx_table.h"
#include "dataplane/dp_dedup.h"
#include "dataplane/dp_exchange.h"
#include "dataplane/dp_fwd_observe.h"
#include "dataplane/dp_ratelimit.h"
#include "dataplane/dp_rcu.h"
#include "dataplane/dp_state.h"
#include "dataplane/dp_steer.h"
#include "control/ctl_clock.h"
#include "oscore/osc_context.h"
#include "oscore/osc_protect.h"

static void eal_up(void)
{
	char prefix[64];
	char *argv[] = { "test", "--no-huge", "--no-pci", "--no-shconf", "--file-prefix", prefix,
			 "-m", "128", "--log-level=error", "--no-telemetry", NULL };

	snprintf(prefix, sizeof(prefix), "dpunits%d", (int)getpid());
	cr_assert_geq(rte_eal_init(10, argv), 0, "EAL init");
}

static void eal_down(void)
{
	rte_eal_cleanup();
}

TestSuite(dp, .init = eal_up, .fini = eal_down);

static struct dp_src src_n(uint8_t n)
{
	struct dp_src s = { .addr = { [10] = 0xff, [11] = 0xff, 10, 0, 0, n }, .port = 40000 };

	return s;
}

Test(dp, dedup_repeat_gets_the_cached_answer_and_pending_is_dropped)
{
	struct dp_stats st = { 0 };
	struct dp_dedup *d = dp_dedup_new(64, 1000, 0);
	struct dp_src a = src_n(1), b = src_n(2);
	uint64_t ref, ref2;
	uint16_t len;
	bool err;
	const uint8_t *ans;

	cr_assert_eq(dp_dedup_check(d, &a, 7, 10, &ref, &st), DP_DD_NEW);
	cr_assert_eq(dp_dedup_check(d, &a, 7, 11, &ref2, &st), DP_DD_PENDING);
	cr_assert_eq(dp_dedup_check(d, &b, 7, 11, &ref2, &st), DP_DD_NEW, "other endpoint");
	cr_assert_eq(dp_dedup_check(d, &a, 8, 11, &ref2, &st), DP_DD_NEW, "other Message ID");
	dp_dedup_store(d, ref, "\x62\x44\x00\x07", 4, false, 11, &st);
	cr_assert_eq(dp_dedup_check(d, &a, 7, 12, &ref, &st), DP_DD_ANSWER);
	ans = dp_dedup_answer(d, ref, &len, &err);
	cr_assert(ans && len == 4 && !memcmp(ans, "\x62\x44\x00\x07", 4) && !err);
	cr_assert_eq(dp_dedup_check(d, &a, 7, 1010, &ref, &st), DP_DD_NEW, "EXCHANGE_LIFETIME over");
	dp_dedup_forget(d, ref);
	cr_assert_eq(dp_dedup_check(d, &a, 7, 1011, &ref, &st), DP_DD_NEW, "no answer: not kept");
	dp_dedup_free(d);
}

Test(dp, dedup_stale_ref_too_big_evicted_and_full)
{
	struct dp_stats st = { 0 };
	struct dp_dedup *d = dp_dedup_new(DP_DEDUP_PROBE, 1000, 0); /* one probe window */
	static uint8_t big[DP_DEDUP_BIG_MAX + 1];
	struct dp_src a = src_n(1);
	uint64_t ref[DP_DEDUP_PROBE], r;
	uint16_t len;
	bool err;
	unsigned i;

	for (i = 0; i < DP_DEDUP_PROBE; i++)
		cr_assert_eq(dp_dedup_check(d, &a, (uint16_t)i, 1, &ref[i], &st), DP_DD_NEW);
	cr_assert_eq(dp_dedup_check(d, &a, 100, 1, &r, &st), DP_DD_UNTRACKED);
	cr_assert_eq(st.ctr[DP_DEDUP_TABLE_FULL], 1);
	dp_dedup_store(d, ref[0], big, sizeof(big), false, 1, &st);
	cr_assert_eq(st.ctr[DP_DEDUP_TOO_BIG], 1);
	/* never processed again: OSCORE would answer the repeat 4.01 Replay detected (§7.4) */
	cr_assert_eq(dp_dedup_check(d, &a, 0, 2, &r, &st), DP_DD_ANSWER, "too big: not reprocessed");
	cr_assert_null(dp_dedup_answer(d, r, &len, &err), "but not kept: the repeat is ignored");
	for (i = 1; i < DP_DEDUP_PROBE; i++)
		dp_dedup_store(d, ref[i], "x", 1, true, 1, &st);
	cr_assert_eq(dp_dedup_check(d, &a, 101, 3, &r, &st), DP_DD_NEW);
	cr_assert_eq(st.ctr[DP_DEDUP_EVICTED], 1, "the oldest answered entry made room");
	dp_dedup_store(d, ref[1], "y", 1, false, 3, &st); /* ref[1] may be the evicted one: ignored */
	dp_dedup_free(d);
}

/* RFC 7252 §4.5 with a Block2-sized answer (the 1058 bytes aiocoap saw): the repeat gets the same
 * bytes. The pool is bounded: an answer it cannot keep makes its repeats ignored, never processed
 * again; buffers of expired entries are used again. */
Test(dp, dedup_large_answer_repeated_byte_for_byte_pool_bounded)
{
	enum { ENTRIES = 1024, POOL = ENTRIES / DP_DEDUP_BIG_SHARE, LEN = 1058 };
	struct dp_stats st = { 0 };
	struct dp_dedup *d = dp_dedup_new(ENTRIES, 1000, 0);
	static uint8_t ans[LEN];
	struct dp_src a = src_n(1);
	const uint8_t *got;
	uint64_t r;
	uint16_t len;
	bool err;
	unsigned i;

	cr_assert_not_null(d);
	for (i = 0; i < POOL; i++) {
		cr_assert_eq(dp_dedup_check(d, &a, (uint16_t)i, 1, &r, &st), DP_DD_NEW);
		memset(ans, (int)i, sizeof(ans));
		dp_dedup_store(d, r, ans, LEN, false, 1, &st);
	}
	cr_assert_eq(st.ctr[DP_DEDUP_BIG_KEPT], POOL);
	for (i = 0; i < POOL; i += 7) {
		cr_assert_eq(dp_dedup_check(d, &a, (uint16_t)i, 2, &r, &st), DP_DD_ANSWER, "mid %u", i);
		got = dp_dedup_answer(d, r, &len, &err);
		memset(ans, (int)i, sizeof(ans));
		cr_assert(got && len == LEN && !err && !memcmp(got, ans, LEN), "same bytes, mid %u", i);
	}
	cr_assert_eq(dp_dedup_check(d, &a, 5000, 3, &r, &st), DP_DD_NEW);
	dp_dedup_store(d, r, ans, LEN, false, 3, &st);
	cr_assert_eq(st.ctr[DP_DEDUP_POOL_FULL], 1);
	cr_assert_eq(dp_dedup_check(d, &a, 5000, 4, &r, &st), DP_DD_ANSWER, "not reprocessed");
	cr_assert_null(dp_dedup_answer(d, r, &len, &err), "ignored");
	cr_assert_eq(dp_dedup_check(d, &a, 6000, 1002, &r, &st), DP_DD_NEW, "the others expired");
	dp_dedup_store(d, r, ans, LEN, false, 1002, &st);
	cr_assert_eq(st.ctr[DP_DEDUP_BIG_KEPT], POOL + 1, "an expired entry's buffer is used again");
	cr_assert_eq(dp_dedup_check(d, &a, 6000, 1003, &r, &st), DP_DD_ANSWER);
	cr_assert_not_null(dp_dedup_answer(d, r, &len, &err));
	dp_dedup_free(d);
}

/* Keys claimed in one burst live in the fresh list until dp_dedup_settle(): a repeat in the same
 * burst, an answer stored before the settle, more claims than the list holds, a reclaim and a
 * restart must all find the same key as after the settle. */
Test(dp, dedup_keys_before_and_after_settle)
{
	struct dp_stats st = { 0 };
	struct dp_dedup *d = dp_dedup_new(1024, 1000, 0);
	struct dp_src a = src_n(1), b = src_n(2);
	uint64_t ref[200], r;
	const uint8_t *ans;
	uint16_t len;
	bool err;
	unsigned i;

	cr_assert_not_null(d);
	for (i = 0; i < 200; i++) /* over the fresh list's 64: it settles itself when full */
		cr_assert_eq(dp_dedup_check(d, &a, (uint16_t)i, 1, &ref[i], &st), DP_DD_NEW, "%u", i);
	for (i = 0; i < 200; i++)
		cr_assert_eq(dp_dedup_check(d, &a, (uint16_t)i, 2, &r, &st), DP_DD_PENDING, "%u", i);
	cr_assert_eq(dp_dedup_check(d, &b, 7, 2, &r, &st), DP_DD_NEW, "other endpoint, same mid");
	dp_dedup_store(d, ref[199], "\x62\x44\x00\xc7", 4, false, 2, &st);
	cr_assert_eq(dp_dedup_check(d, &a, 199, 3, &r, &st), DP_DD_ANSWER, "stored before the settle");
	ans = dp_dedup_answer(d, r, &len, &err);
	cr_assert(ans && len == 4 && !memcmp(ans, "\x62\x44\x00\xc7", 4));
	r = dp_dedup_restart(d, r, 3);
	cr_assert_neq(r, 0);
	cr_assert_eq(dp_dedup_check(d, &a, 199, 4, &r, &st), DP_DD_PENDING, "restarted, same key");
	dp_dedup_settle(d);
	for (i = 0; i < 199; i++)
		cr_assert_eq(dp_dedup_check(d, &a, (uint16_t)i, 5, &r, &st), DP_DD_PENDING, "%u", i);
	cr_assert_eq(dp_dedup_check(d, &b, 7, 5, &r, &st), DP_DD_PENDING);
	cr_assert_eq(dp_dedup_check(d, &b, 8, 5, &r, &st), DP_DD_NEW);
	cr_assert_eq(dp_dedup_check(d, &a, 1000, 5, &r, &st), DP_DD_NEW);
	dp_dedup_free(d);
}

/* A reclaimed entry (the oldest answered one evicted) answers to its new key only, whether the
 * old key was settled or still fresh. */
Test(dp, dedup_evicted_entry_has_the_new_key_only)
{
	struct dp_stats st = { 0 };
	struct dp_dedup *d = dp_dedup_new(DP_DEDUP_PROBE, 1000, 0); /* one bucket */
	struct dp_src a = src_n(1), b = src_n(2);
	uint64_t ref[DP_DEDUP_PROBE], r;
	unsigned i;

	for (i = 0; i < DP_DEDUP_PROBE; i++) {
		cr_assert_eq(dp_dedup_check(d, &a, (uint16_t)i, 1 + i, &ref[i], &st), DP_DD_NEW);
		dp_dedup_store(d, ref[i], "x", 1, false, 1 + i, &st);
	}
	cr_assert_eq(dp_dedup_check(d, &b, 50, 20, &r, &st), DP_DD_NEW, "evicts mid 0, fresh");
	cr_assert_eq(dp_dedup_check(d, &a, 0, 20, &r, &st), DP_DD_NEW, "mid 0 gone: evicts mid 1");
	cr_assert_eq(dp_dedup_check(d, &b, 50, 21, &r, &st), DP_DD_PENDING);
	dp_dedup_settle(d);
	cr_assert_eq(dp_dedup_check(d, &a, 0, 22, &r, &st), DP_DD_PENDING);
	cr_assert_eq(dp_dedup_check(d, &b, 50, 22, &r, &st), DP_DD_PENDING);
	cr_assert_eq(dp_dedup_check(d, &a, 7, 22, &r, &st), DP_DD_ANSWER, "not evicted");
	cr_assert_eq(dp_dedup_check(d, &a, 1, 22, &r, &st), DP_DD_NEW, "evicted");
	cr_assert_eq(st.ctr[DP_DEDUP_EVICTED], 3);
	dp_dedup_free(d);
}

Test(dp, dedup_only_con_requests)
{
	uint16_t mid;

	cr_assert(dp_dedup_con_request((const uint8_t *)"\x40\x01\x12\x34", 4, &mid) && mid == 0x1234);
	cr_assert_not(dp_dedup_con_request((const uint8_t *)"\x50\x01\x12\x34", 4, &mid), "NON");
	cr_assert_not(dp_dedup_con_request((const uint8_t *)"\x60\x45\x12\x34", 4, &mid), "ACK");
	cr_assert_not(dp_dedup_con_request((const uint8_t *)"\x40\x00\x12\x34", 4, &mid), "Empty");
	cr_assert_not(dp_dedup_con_request((const uint8_t *)"\x40\x45\x12\x34", 4, &mid), "2.05");
	cr_assert_not(dp_dedup_con_request((const uint8_t *)"\x80\x01\x12\x34", 4, &mid), "v2");
	cr_assert_not(dp_dedup_con_request((const uint8_t *)"\x40\x01\x12", 3, &mid), "short");
}

Test(dp, ratelimit_per_source_then_global_and_refill)
{
	struct dp_stats st = { 0 };
	struct dp_rl_conf c = { .rate = 1, .burst = 5, .src_rate = 10, .src_burst = 2,
				.src_entries = 16 };
	struct dp_ratelimit *r = dp_rl_new(&c, 1000, 0, 0); /* hz 1000: 1 cycle = 1 ms */
	struct dp_src a = src_n(1);
	unsigned i, ok = 0;

	cr_assert(dp_rl_take(r, a.addr, 0, &st) && dp_rl_take(r, a.addr, 0, &st));
	cr_assert_not(dp_rl_take(r, a.addr, 0, &st), "source bucket empty");
	cr_assert_eq(st.ctr[DP_DROP_RATE_LIMITED_SOURCE], 1);
	cr_assert(dp_rl_take(r, a.addr, 100, &st), "one token per 100 ms at 10/s");
	for (i = 2; i < 10; i++) {
		struct dp_src s = src_n((uint8_t)i);

		ok += (unsigned)dp_rl_take(r, s.addr, 100, &st);
	}
	cr_assert_eq(ok, 2, "global bucket: 5 deep, 3 taken before");
	cr_assert_eq(st.ctr[DP_DROP_RATE_LIMITED], 6);
	dp_rl_free(r);
}

Test(dp, ratelimit_evicts_least_recently_used_source)
{
	struct dp_stats st = { 0 };
	struct dp_rl_conf c = { .src_rate = 1, .src_burst = 1, .src_entries = DP_RL_PROBE };
	struct dp_ratelimit *r = dp_rl_new(&c, 1000, 0, 0);
	unsigned i;

	for (i = 0; i < DP_RL_PROBE + 1; i++) {
		struct dp_src s = src_n((uint8_t)i);

		cr_assert(dp_rl_take(r, s.addr, i, &st));
	}
	cr_assert_eq(st.ctr[DP_RL_EVICTED], 1);
	dp_rl_free(r);
}

static void params_of(struct osc_params *p, uint8_t rid, uint8_t secret)
{
	memset(p, 0, sizeof(*p));
	osc_params_defaults(p);
	p->secret_len = 16;
	memset(p->secret, secret, 16);
	p->sender_id_len = p->recipient_id_len = 1;
	p->sender_id[0] = 0x01;
	p->recipient_id[0] = rid;
}

static const struct dp_ctx_cands *lookup(struct dp_ctx_table *t, uint8_t kid)
{
	struct osc_option o = { .kid = &kid, .kid_len = 1, .has_kid = true };
	const struct dp_ctx_cands *out;
	struct dp_ctx_key k;
	const struct dp_ctx_key *kp = &k;

	dp_ctx_key_of(&k, &o);
	dp_ctx_lookup_bulk(t, &kp, 1, &out);
	return out;
}

static unsigned drained;

static void drain(void *arg)
{
	(void)arg;
	drained++;
}

Test(dp, removed_context_freed_only_after_every_worker_and_its_slots_moved_on)
{
	struct osc_params p[3];
	char err[128];
	struct dp_ctx_table *t;
	struct rte_rcu_qsbr *v = dp_rcu_new(2, 0);
	struct dp_rcu_reader r0, r1;
	struct dp_ctx_info ci;
	uint8_t rid = 0x20, e;

	params_of(&p[0], 0x20, 1);
	params_of(&p[1], 0x21, 2);
	params_of(&p[2], 0x20, 3); /* collides with p[0] (§3.3) */
	t = dp_ctx_table_new(p, 3, 0, err, sizeof(err));
	cr_assert(t && v, "%s", err);
	dp_ctx_table_set_rcu(t, v);
	dp_rcu_worker_start(&r0, v, 0);
	dp_rcu_worker_start(&r1, v, 1);
	cr_assert_eq(lookup(t, 0x20)->n, 2);
	e = dp_rcu_hold(&r0); /* a slot of worker 0 holds the candidates across iterations */
	cr_assert_eq(dp_ctx_table_remove(t, &rid, 1, NULL, 0, false), 0);
	cr_assert_eq(lookup(t, 0x20)->n, 1, "the collision partner stays");
	cr_assert_eq(dp_ctx_table_info(t, 0, &ci), -1, "removed");
	dp_rcu_quiescent(&r1);
	dp_rcu_quiescent(&r1);
	dp_rcu_quiescent(&r0);
	dp_rcu_quiescent(&r0);
	cr_assert_eq(dp_ctx_table_reclaim(t, drain, NULL), 0, "worker 0's slot still holds it");
	cr_assert_eq(drained, 0);
	dp_rcu_release(&r0, e);
	dp_rcu_quiescent(&r0);
	cr_assert_eq(dp_ctx_table_reclaim(t, drain, NULL), 1, "every worker moved on");
	cr_assert_eq(drained, 1, "control ring drained before the free");
	cr_assert_eq(dp_ctx_table_remove(t, &rid, 1, NULL, 0, false), 0, "the partner");
	cr_assert_null(lookup(t, 0x20));
	dp_rcu_worker_stop(&r0);
	dp_rcu_worker_stop(&r1);
	cr_assert_eq(dp_ctx_table_reclaim(t, NULL, NULL), 1, "offline workers are not waited for");
	cr_assert_eq(dp_ctx_table_info(t, 1, &ci), 0);
	cr_assert_eq(ci.kid[0], 0x21);
	dp_ctx_table_free(t);
	dp_rcu_free(v);
}

/* A handler that records what the transport gave it. */
static struct ctl_job seen_job;
static struct osc_ctx *seen_ctx;
static unsigned handler_calls;

static int record(void *arg, struct ctl_env *env, const struct ctl_job *job, uint8_t *ans,
		  size_t cap)
{
	(void)arg;
	handler_calls++;
	seen_job = *job;
	seen_ctx = ctl_env_ctx(env, job);
	return cap > 0 ? (ans[0] = 0x60, 1) : -1;
}

/* An IPv4/UDP frame from 10.9.0.2:40001 to 10.9.0.1:5683 carrying msg[0..len). */
static struct rte_mbuf *frame(struct rte_mempool *mp, const uint8_t *msg, uint16_t len,
			      struct dp_flow *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	uint8_t *b;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *u;

	cr_assert_not_null(m);
	b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(42 + len));
	memset(b, 0, 42);
	ip = (struct rte_ipv4_hdr *)(b + 14);
	ip->src_addr = rte_cpu_to_be_32(0x0a090002);
	ip->dst_addr = rte_cpu_to_be_32(0x0a090001);
	u = (struct rte_udp_hdr *)(b + 34);
	u->src_port = rte_cpu_to_be_16(40001);
	u->dst_port = rte_cpu_to_be_16(5683);
	memcpy(b + 42, msg, len);
	*f = (struct dp_flow){ .l3_off = 14, .l4_off = 34, .payload_off = 42, .payload_len = len };
	return m;
}

/* Hand over one WINDOW_UNKNOWN job for context c, let the control lcore serve it, take it back.
 * Returns the answer length (0: none). */
static unsigned round_trip(struct dp_ctl *ctl, struct rte_mempool *mp, const struct osc_ctx *c,
			   struct dp_stats *st)
{
	static const uint8_t get[] = { 0x40, COAP_GET, 0x12, 0x34 };
	struct osc_exchange ex = { .kid_len = 1, .kid = { 0x20 }, .piv_len = 1, .piv = { 5 } };
	struct dp_ctl_msg *back;
	struct dp_flow f;
	struct rte_mbuf *m = frame(mp, get, sizeof(get), &f);
	unsigned n;

	cr_assert_eq(dp_ctl_handoff(ctl, 0, m, &f, 0, CTL_KIND_WINDOW_UNKNOWN, get, sizeof(get), c,
				    &ex, st), 0);
	cr_assert_eq(dp_ctl_service(ctl, st), 1);
	cr_assert_eq(dp_ctl_replies(ctl, 0, &back, 1), 1);
	n = back->ans_len;
	rte_pktmbuf_free(back->m);
	dp_ctl_msg_put(ctl, back);
	return n;
}

/* STYLE §12 across the control ring: a job holds (slot, generation); when its context is removed
 * and the slot reused before the control lcore gets to it, the transport refuses it. */
Test(dp, ctl_transport_gives_peer_and_handle_and_refuses_a_stale_handle)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("ctlut", 63, 0, 0, 2048, 0);
	struct ctl_plane *plane = ctl_plane_new();
	struct osc_params pa, pb;
	struct dp_stats st = { 0 };
	struct osc_ctx *a, *b;
	struct dp_ctx_table *t = dp_ctx_table_create(1, 0);
	struct dp_ctl *ctl;
	struct ctl_ctx_handle h;
	char err[128];
	uint8_t rid = 0x20;

	cr_assert(mp && plane && t);
	cr_assert_eq(ctl_plane_on_kind(plane, CTL_KIND_WINDOW_UNKNOWN, record, NULL), 0);
	ctl = dp_ctl_new(1, plane, t, NULL, 0);
	cr_assert_not_null(ctl);
	params_of(&pa, 0x20, 1);
	params_of(&pb, 0x21, 2);
	cr_assert_eq(dp_ctx_table_add(t, &pa, NULL, NULL, &a, err, sizeof(err)), 0, "%s", err);
	h = dp_ctx_table_ref(t, a);
	cr_assert_eq(round_trip(ctl, mp, a, &st), 1);
	cr_expect_eq(handler_calls, 1);
	cr_expect_eq(seen_ctx, a);
	cr_expect(seen_job.ctx.slot == h.slot && seen_job.ctx.gen == h.gen && h.gen);
	cr_expect_eq(seen_job.kind, CTL_KIND_WINDOW_UNKNOWN);
	cr_expect_eq(seen_job.peer.src_port, 40001);
	cr_expect_eq(seen_job.peer.dst_port, 5683);
	cr_expect(!seen_job.peer.v6 && seen_job.peer.src[10] == 0xff && seen_job.peer.src[15] == 2);
	cr_expect_eq(seen_job.ex.piv[0], 5);
	/* removed and the one slot reused by b: a's handle names nothing now */
	cr_assert_eq(dp_ctx_table_remove(t, &rid, 1, NULL, 0, false), 0);
	cr_assert_null(dp_ctx_table_deref(t, h), "removed");
	cr_assert_eq(dp_ctx_table_reclaim(t, NULL, NULL), 1);
	cr_assert_eq(dp_ctx_table_add(t, &pb, NULL, NULL, &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(b, a, "the slot is reused");
	cr_assert_null(dp_ctx_table_deref(t, h), "reused: another generation");
	/* a job whose handle went stale in the ring */
	{
		static const uint8_t get[] = { 0x40, COAP_GET, 0x12, 0x35 };
		struct dp_ctl_msg *back;
		struct dp_flow f;
		struct rte_mbuf *m = frame(mp, get, sizeof(get), &f);
		struct osc_exchange ex = { 0 };

		cr_assert_eq(dp_ctx_table_remove(t, (const uint8_t *)"\x21", 1, NULL, 0, false), 0);
		cr_assert_eq(dp_ctx_table_reclaim(t, NULL, NULL), 1);
		cr_assert_eq(dp_ctx_table_add(t, &pa, NULL, NULL, &a, err, sizeof(err)), 0);
		h = dp_ctx_table_ref(t, a);
		cr_assert_eq(dp_ctl_handoff(ctl, 0, m, &f, 0, CTL_KIND_WINDOW_UNKNOWN, get,
					    sizeof(get), a, &ex, &st), 0);
		cr_assert_eq(dp_ctx_table_remove(t, &rid, 1, NULL, 0, false), 0);
		cr_assert_eq(dp_ctx_table_reclaim(t, NULL, NULL), 1);
		cr_assert_eq(dp_ctx_table_add(t, &pb, NULL, NULL, &b, err, sizeof(err)), 0);
		handler_calls = 0;
		cr_assert_eq(dp_ctl_service(ctl, &st), 1);
		cr_assert_eq(dp_ctl_replies(ctl, 0, &back, 1), 1);
		cr_expect_eq(back->ans_len, 0, "no answer");
		cr_expect_eq(handler_calls, 0, "the handler never saw it");
		cr_expect_eq(st.ctr[DP_CTL_STALE], 1);
		rte_pktmbuf_free(back->m);
		dp_ctl_msg_put(ctl, back);
	}
	cr_expect_eq(dp_ctl_outstanding(ctl, 0), 0);
	dp_ctl_free(ctl);
	ctl_plane_free(plane);
	dp_ctx_table_free(t);
	rte_mempool_free(mp);
}

/* STYLE.md §12: an exchange keeps a handle, not a pointer. The handle dies when its context is
 * removed (before reclamation) and never names the context that reuses the slot. */
Test(dp, context_handle_dies_on_remove_and_never_names_the_slots_next_context)
{
	struct osc_params p;
	char err[128];
	struct dp_ctx_table *t = dp_ctx_table_create(1, 0);
	struct osc_ctx *a, *b;
	struct ctl_ctx_handle ra, rb, zero = { 0, 0 };
	uint8_t rid = 0x30;

	cr_assert_not_null(t);
	cr_assert_null(dp_ctx_table_deref(t, zero), "a zeroed handle names nothing");
	params_of(&p, rid, 1);
	cr_assert_eq(dp_ctx_table_add(t, &p, NULL, NULL, &a, err, sizeof(err)), 0, "%s", err);
	ra = dp_ctx_table_ref(t, a);
	cr_assert_eq(dp_ctx_table_deref(t, ra), a);
	cr_assert_eq(dp_ctx_table_remove(t, &rid, 1, NULL, 0, false), 0);
	cr_assert_null(dp_ctx_table_deref(t, ra), "removed: dead before its memory is reclaimed");
	cr_assert_eq(dp_ctx_table_reclaim(t, NULL, NULL), 1);
	params_of(&p, rid, 2); /* the same kid with new keys (a re-key, App. B.2) */
	cr_assert_eq(dp_ctx_table_add(t, &p, NULL, NULL, &b, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(b, a, "the only slot is reused");
	cr_assert_null(dp_ctx_table_deref(t, ra), "the old handle does not name the new context");
	rb = dp_ctx_table_ref(t, b);
	cr_assert_eq(dp_ctx_table_deref(t, rb), b);
	cr_assert_neq(rb.gen, ra.gen);
	params_of(&p, 0x31, 3);
	cr_assert_neq(dp_ctx_table_add(t, &p, NULL, NULL, NULL, err, sizeof(err)), 0, "full");
	cr_assert_eq(dp_ctx_table_deref(t, rb), b, "a refused add leaves the handle alive");
	dp_ctx_table_free(t);
}

static struct dp_xchg *observing(struct dp_xchg_table *t, struct ctl_ctx_handle c, uint32_t tok,
				 uint8_t gw[DP_XCHG_TOKEN_LEN])
{
	struct dp_xchg *x = dp_xchg_alloc(t, gw);

	cr_assert_not_null(x);
	x->ctx = c;
	x->dev_tkl = 4;
	memcpy(x->dev_token, &tok, 4);
	cr_assert_eq(dp_xchg_observe(t, x), 0);
	return x;
}

/* RFC 7641 §3.6 deregistration finds the observation by (context, device token) among many,
 * without a scan: the table is full of observations with the same tokens under other contexts and
 * other tokens under the same context. */
Test(dp, deregistration_finds_its_observation_among_many)
{
	enum { N = 4096 };
	struct dp_xchg_table *t = dp_xchg_table_new(N, 0);
	static struct dp_xchg *x[N];
	uint8_t gw[DP_XCHG_TOKEN_LEN], got[DP_XCHG_TOKEN_LEN], want[N][DP_XCHG_TOKEN_LEN];
	uint32_t tok = 7;
	unsigned i;

	cr_assert_not_null(t);
	for (i = 0; i < N; i++) /* 64 contexts x 64 tokens */
		x[i] = observing(t, (struct ctl_ctx_handle){ i / 64, 1 }, i % 64, want[i]);
	cr_assert_null(dp_xchg_alloc(t, gw), "full");
	for (i = 0; i < N; i += 97) {
		uint32_t k = i % 64;

		cr_assert_eq(dp_xchg_take_observation(t, (struct ctl_ctx_handle){ i / 64, 1 },
						      (uint8_t *)&k, 4, got), x[i], "entry %u", i);
		cr_assert_eq(memcmp(got, want[i], DP_XCHG_TOKEN_LEN), 0, "its gateway token");
		cr_assert_eq(x[i]->state, DP_XCHG_WAITING);
		cr_assert_eq(dp_xchg_find(t, got, DP_XCHG_TOKEN_LEN), x[i]);
		cr_assert_null(dp_xchg_take_observation(t, (struct ctl_ctx_handle){ i / 64, 1 },
							(uint8_t *)&k, 4, got), "taken once");
	}
	cr_assert_null(dp_xchg_take_observation(t, (struct ctl_ctx_handle){ 5, 3 }, (uint8_t *)&tok, 4,
						got), "another generation of the slot");
	cr_assert_null(dp_xchg_take_observation(t, (struct ctl_ctx_handle){ 5, 1 }, (uint8_t *)&tok, 3,
						got), "another token length");
	dp_xchg_release(t, x[5 * 64 + 7]);
	cr_assert_null(dp_xchg_take_observation(t, (struct ctl_ctx_handle){ 5, 1 }, (uint8_t *)&tok, 4,
						got), "released");
	/* a newer registration under the same (context, token) takes the index over; releasing the
	 * older one leaves the newer findable */
	observing(t, (struct ctl_ctx_handle){ 5, 1 }, 10, gw);
	dp_xchg_release(t, x[5 * 64 + 10]);
	tok = 10;
	cr_assert_not_null(dp_xchg_take_observation(t, (struct ctl_ctx_handle){ 5, 1 },
						    (uint8_t *)&tok, 4, got));
	cr_assert_eq(memcmp(got, gw, DP_XCHG_TOKEN_LEN), 0, "the newer one");
	dp_xchg_table_free(t);
}

/* Control-plane state over a table of 8 slots without workers (removals are reclaimed at once);
 * db: a state database path or "". */
static struct dp_state *state_up(struct ctl_ctx_config *cfg, struct dp_ctx_table **t,
				  const char *db)
{
	char err[256];
	struct dp_state *s;

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_contexts = 8;
	cfg->k_ssn = 16;
	cfg->b12 = true;
	snprintf(cfg->state_db, sizeof(cfg->state_db), "%s", db);
	*t = dp_ctx_table_create(cfg->max_contexts, 0);
	cr_assert_not_null(*t);
	s = dp_state_open(cfg, *t, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	return s;
}

static void state_down(struct dp_state *s, struct dp_ctx_table *t)
{
	dp_state_close(s);
	dp_ctx_table_free(t);
}

static struct osc_ctx *ctx_of(struct dp_ctx_table *t, uint8_t rid)
{
	return dp_ctx_table_find(t, &rid, 1, NULL, 0, false);
}

Test(dp, duplicate_context_or_shared_sender_key_refused_by_load_and_add)
{
	struct ctl_ctx_config cfg;
	struct dp_ctx_table *t;
	struct dp_state *s = state_up(&cfg, &t, "");
	struct osc_params p[2];
	char err[256];

	params_of(&p[0], 0x20, 1);
	p[1] = p[0];
	cr_expect_eq(dp_state_load(s, p, 2, err, sizeof(err)), -1, "[A, A] loaded");
	cr_expect(strstr(err, "contexts[1]") && strstr(err, "same recipient_id"), "%s", err);
	state_down(s, t);
	s = state_up(&cfg, &t, "");
	cr_assert_eq(dp_state_load(s, p, 1, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(dp_state_add(s, &p[0], err, sizeof(err)), DP_CTX_ADD_DUP_RECIPIENT);
	cr_expect(strstr(err, "same recipient_id, id_context and keys"), "%s", err);
	p[1].recipient_id[0] = 0x21; /* other device, same secret and Sender ID: same Sender Key */
	cr_expect_eq(dp_state_add(s, &p[1], err, sizeof(err)), DP_CTX_ADD_DUP_SENDER);
	cr_expect(strstr(err, "Sender Key"), "%s", err);
	params_of(&p[1], 0x01, 3); /* Recipient ID = Sender ID 01 (say, from an old store) */
	cr_expect_eq(dp_state_add(s, &p[1], err, sizeof(err)), DP_CTX_ADD_SAME_IDS);
	cr_expect(strstr(err, "sender_id equal to recipient_id"), "%s", err);
	params_of(&p[1], 0x20, 2); /* colliding Recipient ID, other keys (§3.3): allowed */
	cr_expect_eq(dp_state_add(s, &p[1], err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(dp_ctx_table_count(t), 2);
	state_down(s, t);
}

/* A context of s for rid that used SSNs below ssn and accepted Partial IVs 1..4. */
static void use(struct dp_ctx_table *t, uint8_t rid, uint64_t ssn)
{
	struct osc_ctx *c = ctx_of(t, rid);
	uint64_t piv;

	cr_assert_not_null(c);
	c->ssn = ssn;
	for (piv = 1; piv <= 4; piv++)
		cr_assert_eq(osc_replay_commit(&c->replay, piv), OSC_REPLAY_OK);
}

static void expect_resumed(struct dp_ctx_table *t, uint8_t rid, uint64_t ssn)
{
	struct osc_ctx *c = ctx_of(t, rid);

	cr_assert_not_null(c);
	cr_expect_geq(c->ssn, ssn, "SSN went back to %llu", (unsigned long long)c->ssn);
	cr_expect(!osc_replay_known(&c->replay), "a fresh window would accept Partial IVs 1..4 again");
}

Test(dp, removed_then_readded_resumes_above_what_it_used_without_state_db)
{
	struct ctl_ctx_config cfg;
	struct dp_ctx_table *t;
	struct dp_state *s = state_up(&cfg, &t, "");
	struct osc_params p;
	uint8_t rid = 0x20;
	char err[256];

	params_of(&p, rid, 1);
	cr_assert_eq(dp_state_add(s, &p, err, sizeof(err)), 0, "%s", err);
	use(t, rid, 100);
	cr_assert_eq(dp_state_remove(s, &rid, 1, NULL, 0, false), 0);
	cr_expect_eq(dp_state_add(s, &p, err, sizeof(err)), DP_CTX_ADD_BUSY,
		     "back before its final SSN is known");
	cr_assert_eq(dp_ctx_table_reclaim(t, NULL, NULL), 1);
	cr_assert_eq(dp_state_add(s, &p, err, sizeof(err)), 0, "%s", err);
	expect_resumed(t, rid, 100);
	state_down(s, t);
}

Test(dp, removed_then_readded_resumes_above_what_it_used_also_after_a_restart)
{
	struct ctl_ctx_config cfg;
	struct dp_ctx_table *t;
	char dir[] = "/tmp/dpunits-tombXXXXXX", db[64], err[256];
	struct dp_state *s;
	struct osc_params p;
	uint8_t rid = 0x20;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/state.db", dir);
	s = state_up(&cfg, &t, db);
	params_of(&p, rid, 1);
	cr_assert_eq(dp_state_load(s, NULL, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(dp_state_add(s, &p, err, sizeof(err)), 0, "%s", err);
	use(t, rid, 40); /* below the first ceiling, 16 */
	cr_assert_eq(dp_state_remove(s, &rid, 1, NULL, 0, false), 0);
	cr_assert_eq(dp_ctx_table_reclaim(t, NULL, NULL), 1);
	state_down(s, t); /* restart: only the store remembers */
	s = state_up(&cfg, &t, db);
	cr_assert_eq(dp_state_load(s, &p, 1, err, sizeof(err)), 0, "%s", err); /* configured */
	expect_resumed(t, rid, 40);
	rid = 0x20;
	cr_assert_eq(dp_state_remove(s, &rid, 1, NULL, 0, false), 0);
	cr_assert_eq(dp_ctx_table_reclaim(t, NULL, NULL), 1);
	cr_assert_eq(dp_state_add(s, &p, err, sizeof(err)), 0, "%s", err); /* runtime */
	expect_resumed(t, rid, 40);
	state_down(s, t);
	unlink(db);
	strcat(db, "-wal");
	unlink(db);
	db[strlen(db) - 4] = 0;
	strcat(db, "-shm");
	unlink(db);
	rmdir(dir);
}

/* Every SSN rid's context hands out now (osc_ssn_next, as a worker takes an own Partial IV),
 * until its limit; at most 100000 (old code had no limit without a store). The highest, or -1. */
static int64_t take_all_ssns(struct dp_ctx_table *t, uint8_t rid)
{
	struct osc_ctx *c = ctx_of(t, rid);
	uint8_t piv[OSC_PIV_MAX], len;
	int64_t last = -1;
	unsigned i;

	cr_assert_not_null(c);
	for (i = 0; i < 100000 && osc_ssn_next(&c->ssn, &c->ssn_limit, piv, &len) == OSC_OK; i++)
		last = (int64_t)osc_piv_to_ssn(piv, len);
	return last;
}

/* Without "state_db" nothing is durable, yet no (key, nonce) pair may be used twice across a
 * crash (§7.2.1): every context, configured or added, starts at or above the clock floor, never
 * uses an SSN at or above the clock, and the ticker lets its limit follow the clock. (Before the
 * floor, a restarted context handed out SSN 0 again.) */
Test(dp, no_ssn_used_again_after_a_restart_without_state_db)
{
	struct ctl_ctx_config cfg;
	struct dp_ctx_table *t;
	struct dp_state *s = state_up(&cfg, &t, "");
	struct osc_params p[2];
	int64_t used[2], first;
	char err[256];
	unsigned k;

	params_of(&p[0], 0x20, 1); /* configured */
	params_of(&p[1], 0x21, 2); /* added at runtime (the path of add, load, ACE, EDHOC, B.2) */
	cr_assert_eq(dp_state_load(s, p, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(dp_state_add(s, &p[1], err, sizeof(err)), 0, "%s", err);
	usleep(3000);
	cr_assert_eq(dp_state_tick(s), 0);
	for (k = 0; k < 2; k++) {
		used[k] = take_all_ssns(t, p[k].recipient_id[0]);
		cr_expect_geq(used[k], 0, "context %u: the ticker raised no limit", k);
		cr_expect_lt(used[k], (int64_t)ctl_clock_ms(), "context %u: an SSN ahead of the clock", k);
	}
	state_down(s, t); /* a crash: nothing kept */
	s = state_up(&cfg, &t, "");
	cr_assert_eq(dp_state_load(s, p, 2, err, sizeof(err)), 0, "%s", err);
	usleep(3000);
	cr_assert_eq(dp_state_tick(s), 0);
	for (k = 0; k < 2; k++) {
		first = (int64_t)ctx_of(t, p[k].recipient_id[0])->ssn;
		cr_expect_gt(first, used[k], "context %u: SSN %lld used before the restart and again",
			     k, (long long)first);
		cr_expect_geq(take_all_ssns(t, p[k].recipient_id[0]), first, "context %u", k);
	}
	state_down(s, t);
}

/* Steering of upstream answers between forward workers (dp_steer.h): the owner of each port of the
 * range and none outside it; a full ring drops and counts, never blocks; neighbour frames reach
 * every other worker once; freeing the rings returns what they held. */
Test(dp, steer_owner_by_port_ring_bounded_neigh_copied_to_the_others)
{
	struct rte_mempool *mp = rte_pktmbuf_pool_create("steerut", 2047, 0, 0, 256, 0);
	struct dp_steer *s = dp_steer_new(3, 40000, 0);
	struct rte_mbuf *m[64], *c[64];
	struct dp_stats st = { 0 };
	unsigned i, n, got = 0;

	cr_assert(mp && s);
	cr_assert_null(dp_steer_new(1, 40000, 0), "one worker needs no steering");
	cr_assert_eq(dp_steer_owner(NULL, 40000), -1);
	cr_assert_eq(dp_steer_owner(s, 39999), -1);
	cr_assert_eq(dp_steer_owner(s, 40000), 0);
	cr_assert_eq(dp_steer_owner(s, 40002), 2);
	cr_assert_eq(dp_steer_owner(s, 40003), -1);
	cr_assert_eq(dp_steer_owner(s, 5683), -1);
	for (i = 0; i < 1100; i++)
		dp_steer_hand(s, 1, rte_pktmbuf_alloc(mp), &st);
	cr_assert_eq(st.ctr[DP_STEER_OUT], 1023, "a ring of 1024 holds 1023");
	cr_assert_eq(st.ctr[DP_STEER_RING_FULL], 77);
	cr_assert_eq(rte_mempool_avail_count(mp), 2047 - 1023, "refused frames were freed");
	cr_assert_eq(dp_steer_take(s, 0, m, 64, &st), 0, "nothing for worker 0");
	while ((n = dp_steer_take(s, 1, m, 64, &st)) > 0) {
		got += n;
		rte_pktmbuf_free_bulk(m, n);
	}
	cr_assert_eq(got, 1023);
	cr_assert_eq(st.ctr[DP_STEER_IN], 1023);
	m[0] = rte_pktmbuf_alloc(mp);
	memcpy(rte_pktmbuf_append(m[0], 42), "an ARP reply, 42 bytes of it..............", 42);
	dp_steer_neigh(s, 1, m[0], mp, &st);
	cr_assert_eq(st.ctr[DP_STEER_NEIGH_COPIES], 2);
	cr_assert_eq(dp_steer_take(s, 1, c, 64, &st), 0, "no copy to the receiver itself");
	cr_assert_eq(dp_steer_take(s, 0, c, 64, &st), 1);
	cr_assert_eq(rte_pktmbuf_data_len(c[0]), 42);
	cr_assert_eq(memcmp(rte_pktmbuf_mtod(c[0], void *), rte_pktmbuf_mtod(m[0], void *), 42), 0);
	rte_pktmbuf_free(c[0]);
	for (i = 0; i < 100; i++) /* a flood: worker 0 does not take them */
		dp_steer_neigh(s, 1, m[0], mp, &st);
	cr_assert_eq(dp_steer_take(s, 0, c, 64, &st), 64, "at most 64 copies wait");
	rte_pktmbuf_free_bulk(c, 64);
	rte_pktmbuf_free(m[0]);
	dp_steer_free(s); /* worker 2's copies still in its ring */
	cr_assert_eq(rte_mempool_avail_count(mp), 2047, "every frame back in the pool");
	rte_mempool_free(mp);
}

/* A GET with Observe 0 for Uri-Path path (one segment). */
static void observe_get(struct osc_coap_msg *m, const char *path)
{
	static const uint8_t zero[1];

	memset(m, 0, sizeof(*m));
	m->code = COAP_GET;
	m->opts[0] = (struct osc_coap_opt){ .num = COAP_OPT_OBSERVE, .val = zero, .len = 0 };
	m->opts[1] = (struct osc_coap_opt){ .num = COAP_OPT_URI_PATH, .val = (const uint8_t *)path,
					    .len = (uint16_t)strlen(path) };
	m->n_opts = 2;
}

/* RFC 7641 §5 (issue 10 item 3): devices observing one resource share one registration; each
 * observer gets a held notification once, also when one leaves in the middle of the fan-out; the
 * last one's cancellation closes it; the last one out frees it. */
Test(dp, shared_registration_fans_out_once_per_observer)
{
	struct dp_xchg_table *t = dp_xchg_table_new(16, 0);
	struct dp_fobs *o = dp_fobs_new(16, 0);
	struct rte_mempool *mp = rte_pktmbuf_pool_create("fobs", 63, 0, 0, 2048, SOCKET_ID_ANY);
	uint8_t gw[DP_XCHG_TOKEN_LEN], tok[3][DP_XCHG_TOKEN_LEN], other[DP_XCHG_TOKEN_LEN];
	struct dp_fobs_key k, k2;
	struct osc_coap_msg req;
	struct dp_xchg *x[3], *seen;
	struct rte_mbuf *m;
	const uint8_t *msg;
	uint16_t len;
	bool fresh;
	unsigned i, n;
	char longp[200];

	cr_assert(t && o && mp);
	observe_get(&req, "time");
	cr_assert_eq(dp_fobs_key(&k, 0, &req), 0);
	for (i = 0; i < 3; i++) {
		x[i] = dp_xchg_alloc(t, gw);
		cr_assert_eq(dp_fobs_join(o, t, x[i], &k, tok[i], &fresh), 0);
		cr_assert_eq(fresh, i == 0, "one upstream registration for the resource");
		cr_assert_arr_eq(tok[i], tok[0], DP_XCHG_TOKEN_LEN, "under one token");
	}
	cr_assert_neq(dp_fobs_find(o, tok[0], DP_XCHG_TOKEN_LEN), DP_XCHG_NIL);
	cr_assert_null(dp_xchg_find(t, tok[0], DP_XCHG_TOKEN_LEN), "not an exchange's token");
	observe_get(&req, "other");
	cr_assert_eq(dp_fobs_key(&k2, 0, &req), 0);
	cr_assert_eq(dp_fobs_join(o, t, dp_xchg_alloc(t, gw), &k2, other, &fresh), 0);
	cr_assert(fresh && memcmp(other, tok[0], DP_XCHG_TOKEN_LEN), "another resource");
	cr_assert_eq(dp_fobs_key(&k2, 1, &req), 0);
	cr_assert_neq(memcmp(&k, &k2, sizeof(k)), 0, "another route, another registration");

	m = rte_pktmbuf_alloc(mp);
	cr_assert_not_null(rte_pktmbuf_append(m, 8));
	dp_fobs_hold(o, dp_fobs_find(o, tok[0], DP_XCHG_TOKEN_LEN), m, 0, 8, false);
	rte_pktmbuf_free(m); /* the registration holds its own reference */
	seen = dp_fobs_next(o, t, &msg, &len);
	cr_assert_not_null(seen);
	cr_assert_eq(len, 8);
	/* the one the fan-out goes to next leaves (x[2] joined last, so it came first) */
	cr_assert_eq(seen, x[2]);
	dp_fobs_leave(o, t, x[1]);
	for (n = 1; dp_fobs_next(o, t, &msg, &len); n++)
		;
	cr_assert_eq(n, 2, "each remaining observer once, the one that left not at all");

	cr_assert(!dp_fobs_cancel(o, t, x[0], gw), "not the last: it just leaves");
	seen = NULL;
	for (i = 0; i < 3; i++)
		if (x[i]->reg != DP_XCHG_NIL)
			seen = x[i];
	cr_assert_not_null(seen);
	cr_assert(dp_fobs_cancel(o, t, seen, gw), "the last one's cancellation ends it upstream");
	cr_assert_arr_eq(gw, tok[0], DP_XCHG_TOKEN_LEN, "under the registration's token");
	observe_get(&req, "time");
	cr_assert_eq(dp_fobs_join(o, t, dp_xchg_alloc(t, gw), &k, gw, &fresh), 0);
	cr_assert(fresh, "a closing registration is not joined");
	dp_fobs_leave(o, t, seen);
	cr_assert_eq(dp_fobs_find(o, tok[0], DP_XCHG_TOKEN_LEN), DP_XCHG_NIL, "freed with its last");
	cr_assert_eq(dp_fobs_live(o), 2);

	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	observe_get(&req, longp);
	cr_assert_eq(dp_fobs_key(&k, 0, &req), -1, "too long to share");
	dp_fobs_free(o);
	dp_xchg_table_free(t);
	rte_mempool_free(mp);
}
