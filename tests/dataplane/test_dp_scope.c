/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ACE scopes per context slot (dataplane/dp_scope.c, issue 9): a scope applies only to the
 * context generation it was published for, is withdrawn by that generation only, and a replaced
 * scope is not reused while a reader may still hold it (QSBR grace period).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_rcu_qsbr.h>
#include <rte_malloc.h>

#include "dataplane/dp_scope.h"

static void eal_up(void)
{
	char prefix[64];
	char *argv[] = { "test", "--no-huge", "--no-pci", "--no-shconf", "--file-prefix", prefix,
			 "-m", "128", "--log-level=error", "--no-telemetry", NULL };

	snprintf(prefix, sizeof(prefix), "dpscope%d", (int)getpid());
	cr_assert_geq(rte_eal_init(10, argv), 0, "EAL init");
}

static void eal_down(void)
{
	rte_eal_cleanup();
}

TestSuite(scope, .init = eal_up, .fini = eal_down);

static struct ctl_ace_scope scope_of(const char *path, uint64_t methods)
{
	struct ctl_ace_scope s;

	ctl_ace_scope_init(&s);
	cr_assert_eq(ctl_ace_scope_add(&s, path, strlen(path), methods), 0);
	return s;
}

Test(scope, generation_and_withdraw)
{
	struct dp_scopes *t = dp_scopes_new(4, 4, SOCKET_ID_ANY);
	struct ctl_ace_scope a = scope_of("/a", 1);
	struct ctl_ctx_handle h1 = { .slot = 2, .gen = 1 }, h3 = { .slot = 2, .gen = 3 };

	cr_assert_not_null(t);
	cr_assert_null(dp_scopes_get(t, h1), "nothing published: not an ACE context");
	cr_assert_eq(dp_scopes_set(t, h1, &a), 0);
	cr_assert_not_null(dp_scopes_get(t, h1));
	cr_assert_eq(dp_scopes_get(t, h1)->n, 1);
	cr_assert_null(dp_scopes_get(t, h3), "the slot's next occupant does not inherit the scope");
	cr_assert_eq(dp_scopes_set(t, h3, NULL), 0);
	cr_assert_not_null(dp_scopes_get(t, h1), "another generation cannot withdraw it");
	cr_assert_eq(dp_scopes_set(t, h1, NULL), 0);
	cr_assert_null(dp_scopes_get(t, h1));
	cr_assert_eq(dp_scopes_set(t, (struct ctl_ctx_handle){ .slot = 4, .gen = 1 }, &a), -1);
	dp_scopes_free(t);
}

Test(scope, reuse_waits_for_readers)
{
	size_t sz = rte_rcu_qsbr_get_memsize(1);
	struct rte_rcu_qsbr *v = rte_zmalloc(NULL, sz, RTE_CACHE_LINE_SIZE);
	struct dp_scopes *t = dp_scopes_new(2, 2, SOCKET_ID_ANY);
	struct ctl_ace_scope a = scope_of("/a", 1), b = scope_of("/b", 2), c = scope_of("/c", 4);
	struct ctl_ctx_handle h = { .slot = 0, .gen = 1 };
	const struct ctl_ace_scope *held;

	cr_assert(v && t && !rte_rcu_qsbr_init(v, 1));
	cr_assert_eq(rte_rcu_qsbr_thread_register(v, 0), 0);
	rte_rcu_qsbr_thread_online(v, 0);
	dp_scopes_set_rcu(t, v);
	cr_assert_eq(dp_scopes_set(t, h, &a), 0);
	held = dp_scopes_get(t, h);               /* a reader holds a's copy */
	cr_assert_eq(dp_scopes_set(t, h, &b), 0); /* a retired: the pool's last object */
	cr_assert_eq(dp_scopes_set(t, h, &c), -1, "a's copy may not be reused before the reader "
						 "reports");
	cr_assert_eq(held->e[0].methods, 1, "the held copy is intact");
	rte_rcu_qsbr_quiescent(v, 0);
	cr_assert_eq(dp_scopes_set(t, h, &c), 0, "reused after the grace period");
	cr_assert_eq(dp_scopes_get(t, h)->e[0].methods, 4);
	rte_rcu_qsbr_thread_offline(v, 0);
	dp_scopes_free(t);
	rte_free(v);
}

/* RFC 9200 §5.10.3: an expired or revoked token's context is marked ending for the workers (the
 * final 4.01 of its observations) until its scope goes with it; only that generation's. */
Test(scope, ending_until_withdrawn)
{
	struct dp_scopes *t = dp_scopes_new(4, 4, SOCKET_ID_ANY);
	struct ctl_ace_scope a = scope_of("/a", 1);
	struct ctl_ctx_handle h1 = { .slot = 1, .gen = 1 }, h3 = { .slot = 1, .gen = 3 },
			      other = { .slot = 2, .gen = 1 };

	cr_assert_not_null(t);
	cr_assert_eq(dp_scopes_end(t, h1), -1, "no scope: not an ACE context, nothing to mark");
	cr_assert_eq(dp_scopes_set(t, h1, &a), 0);
	cr_assert_eq(dp_scopes_set(t, other, &a), 0);
	cr_assert(!dp_scopes_any_ending(t) && !dp_scopes_ending(t, h1));
	cr_assert_eq(dp_scopes_end(t, h3), -1, "another generation cannot mark it");
	cr_assert_eq(dp_scopes_end(t, h1), 0);
	cr_assert_eq(dp_scopes_end(t, h1), 0, "marking twice counts once");
	cr_assert(dp_scopes_any_ending(t) && dp_scopes_ending(t, h1));
	cr_assert(!dp_scopes_ending(t, h3) && !dp_scopes_ending(t, other));
	cr_assert_not_null(dp_scopes_get(t, h1), "the scope still applies while it ends");
	cr_assert_eq(dp_scopes_set(t, h1, NULL), 0);
	cr_assert(!dp_scopes_any_ending(t) && !dp_scopes_ending(t, h1), "withdrawn: nothing ends");
	cr_assert_eq(dp_scopes_set(t, h3, &a), 0);
	cr_assert(!dp_scopes_ending(t, h3), "the slot's next occupant does not inherit the mark");
	dp_scopes_free(t);
}
