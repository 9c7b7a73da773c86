// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_table_concurrent.c - updates during lookups: a writer modifies,
 * adds, deletes and commits while readers look up without locks.  Each
 * lookup must see one whole version (never a mix of two), versions never
 * go backwards for a reader, and permanent entries never go missing.  A
 * sanitizer build catches a snapshot freed while still in use.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>

#include "vm/table.h"
#include "port/rmt_rcu.h"
#include "tests/tables/table_test_util.h"

#define N_PERM 32
#define N_COMMITS 300
#define N_READERS 2
/* Commits go on past N_COMMITS until the readers have overlapped them. */
#define MIN_OVERLAP_ROUNDS (4 * N_READERS)
#define MAX_COMMITS 200000

struct shared {
	struct rmt_table *t;
	u32 done;
	u32 errors;
	u64 rounds;
	u64 lookups;
	const char *why;
};

static void fail(struct shared *sh, const char *why)
{
	__atomic_store_n(&sh->why, why, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->errors, 1, __ATOMIC_RELAXED);
}

static void *reader(void *arg)
{
	struct shared *sh = arg;
	u32 last = 0, k, v[4];
	u64 n = 0, key;

	while (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
		for (k = 0; k < N_PERM; k++) {
			struct rmt_table_result r;

			key = k;
			rmt_rcu_read_lock();
			if (!rmt_table_lookup(sh->t, &key, &r)) {
				fail(sh, "a permanent entry was missing");
			} else {
				memcpy(v, r.params, sizeof(v));
				if (v[0] != v[1] || v[0] != v[2] ||
				    v[0] != v[3])
					fail(sh,
					     "parameters mixed two versions");
				if (v[0] < last)
					fail(sh, "a version went backwards");
				last = v[0];
			}
			rmt_rcu_read_unlock();
			n++;
		}
		__atomic_add_fetch(&sh->rounds, 1, __ATOMIC_RELAXED);
	}
	__atomic_add_fetch(&sh->lookups, n, __ATOMIC_RELAXED);
	rmt_rcu_thread_offline();
	return NULL;
}

static struct rmt_table_entry perm(u32 k, const u32 *params)
{
	struct rmt_table_entry e = { 0 };

	tt_field(&e, 10, RMT_MATCH_TERNARY, k, 0xffffffff, 0);
	e.priority = 10;
	e.action_id = 7;
	e.param_len = 16;
	e.params = (const u8 *)params;
	return e;
}

Test(table_concurrent, readers_see_whole_versions)
{
	u8 kinds[] = { RMT_MATCH_TERNARY }, widths[] = { 32 };
	struct rmt_table_config c = tt_config(1, kinds, widths, 256);
	struct shared sh = { 0 };
	pthread_t th[N_READERS];
	u32 params[4] = { 0 }, v, k, i;
	u64 seed = 99, churn[8] = { 0 }, first_round;
	struct rmt_table_entry e;

	c.actions[1].param_len = 16;
	cr_assert_eq(rmt_table_create(&c, &sh.t, NULL), 0);
	for (k = 0; k < N_PERM; k++) {
		e = perm(k, params);
		cr_assert_eq(rmt_table_add(sh.t, &e, NULL, NULL), 0);
	}
	cr_assert_eq(rmt_table_commit(sh.t, NULL), 0);
	for (i = 0; i < N_READERS; i++)
		cr_assert_eq(pthread_create(&th[i], NULL, reader, &sh), 0);
	/*
	 * On a loaded machine the readers may not run until the writer is
	 * done; the test means nothing unless they look up while it commits.
	 */
	while (__atomic_load_n(&sh.rounds, __ATOMIC_RELAXED) < N_READERS)
		sched_yield();
	first_round = __atomic_load_n(&sh.rounds, __ATOMIC_RELAXED);
	for (v = 1;
	     v <= N_COMMITS || __atomic_load_n(&sh.rounds, __ATOMIC_RELAXED) <
				       first_round + MIN_OVERLAP_ROUNDS;
	     v++) {
		cr_assert_lt(v, MAX_COMMITS,
			     "readers made no progress during %u commits", v);
		for (i = 0; i < 4; i++)
			params[i] = v;
		for (k = 0; k < N_PERM; k++) {
			e = perm(k, params);
			cr_assert_eq(rmt_table_modify(sh.t, &e, NULL), 0);
		}
		/* Churn: other entries come and go, below priority 10. */
		for (i = 0; i < 8; i++) {
			struct rmt_table_entry ce = { 0 };

			ce.priority = 1 + i;
			ce.action_id = 0;
			if (churn[i]) {
				tt_field(&ce, 10, RMT_MATCH_TERNARY,
					 churn[i] & 0xffff, 0xffff, 0);
				cr_assert_eq(rmt_table_delete(sh.t, &ce, NULL),
					     0);
				ce.n_fields = 0;
			}
			churn[i] = (tt_rand(&seed) & 0xffff) | 0x10000;
			tt_field(&ce, 10, RMT_MATCH_TERNARY, churn[i] & 0xffff,
				 0xffff, 0);
			cr_assert_eq(rmt_table_add(sh.t, &ce, NULL, NULL), 0);
		}
		cr_assert_eq(rmt_table_commit(sh.t, NULL), 0);
	}
	__atomic_store_n(&sh.done, 1, __ATOMIC_RELEASE);
	for (i = 0; i < N_READERS; i++)
		pthread_join(th[i], NULL);
	cr_assert_eq(sh.errors, 0, "%u errors, e.g. %s", sh.errors,
		     sh.why ? sh.why : "");
	cr_assert_gt(sh.lookups, 0);
	rmt_table_destroy(sh.t);
}
