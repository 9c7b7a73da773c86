// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * bench_tables.c - bench-tables: lookup time of exact, ternary, range and
 * lpm tables at 1, 100 and 10,000 entries and of a 3-stage pipeline, with
 * a linear scan over the same entries (what bmv2 does for ternary and
 * range tables) as the anchor in the same run.  Inputs as in
 * BENCHMARKS.md, from a fixed seed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm/table.h"
#include "vm/pipeline.h"
#include "vm/table_rcu.h"

#define N_LOOKUPS 1000000u
#define N_SCAN 10000u /* the scan at 10k entries is slow: fewer keys */
#define REPS 5
#define N_MASKS 64

struct spec {
	u8 kind;
	u8 width;
	u32 n;
};

/* An entry as the anchor scans it. */
struct lin {
	u64 v, m, hi;
	s32 prio;
	u32 id;
};

struct tab {
	struct rmt_table *t;
	bool in_pipeline; /* owned by the pipeline */
	struct lin *lin;
	u32 n;
	u8 kind;
	u64 *keys;
	double commit_ms; /* compiling the snapshot of all entries */
};

static u64 seed_state;

static const char *const kind_names[] = { "exact", "ternary", "lpm", "range" };

static u64 rnd(void)
{
	u64 z = (seed_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* CPU time of this thread: the shared machines preempt benchmarks. */
static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static u64 pmask(u32 plen)
{
	return plen ? (0xffffffffull << (32 - plen)) & 0xffffffffull : 0;
}

/*
 * Random distinct 32-bit masks with min_bits to 28 bits set (broader
 * masks make nearly every random key match, not about half of them).
 */
static void make_masks(u64 *masks, u32 min_bits)
{
	u32 i, j, bits;

	for (i = 0; i < N_MASKS; i++) {
		u64 m;
again:
		m = 0;
		bits = min_bits + rnd() % (29 - min_bits);
		while ((u32)__builtin_popcountll(m) < bits)
			m |= 1ull << (rnd() % 32);
		for (j = 0; j < i; j++)
			if (masks[j] == m)
				goto again;
		masks[i] = m;
	}
}

/*
 * A table of n entries of one kind; in pipe (as a stage keyed on context
 * field field_id, of the same width) when pipe is not NULL.
 */
static void build(struct tab *tb, u8 kind, u32 n, u32 min_bits,
		  struct rmt_pipeline *pipe, u16 field_id)
{
	struct rmt_table_config c = { 0 };
	u64 masks[N_MASKS];
	u32 i, added = 0;
	enum rmt_table_code code = RMT_TC_OK;
	char log[256] = "";

	c.n_fields = 1;
	c.fields[0].field_id = field_id;
	c.fields[0].kind = kind;
	c.fields[0].width = kind == RMT_MATCH_EXACT ? 64 : 32;
	c.n_actions = 1;
	c.capacity = n;
	tb->in_pipeline = pipe != NULL;
	if (pipe ? rmt_pipeline_add_stage(pipe, kind_names[kind], &c, &tb->t,
					  log, sizeof(log)) :
		   rmt_table_create(&c, &tb->t, &code)) {
		fprintf(stderr, "bench-tables: create: %s%s\n",
			rmt_table_code_str(code), log);
		exit(1);
	}
	make_masks(masks, min_bits);
	tb->lin = calloc(n, sizeof(*tb->lin));
	tb->kind = kind;
	while (added < n) {
		struct rmt_table_entry e = { .n_fields = 1 };
		struct lin *l = &tb->lin[added];
		u64 v = rnd(), m = 0, hi = 0;
		u32 plen = 0;

		e.fields[0].field_id = field_id;
		e.fields[0].kind = kind;
		switch (kind) {
		case RMT_MATCH_EXACT:
			break;
		case RMT_MATCH_TERNARY:
			m = masks[added % N_MASKS];
			v &= m;
			e.priority = 1 + (s32)(rnd() % 1000000);
			break;
		case RMT_MATCH_RANGE:
			v &= 0xffffffffull;
			hi = v + (rnd() % (1u << 18));
			if (hi > 0xffffffffull)
				hi = 0xffffffffull;
			e.priority = 1 + (s32)(rnd() % 1000000);
			break;
		default:
			plen = (u32)(rnd() % 33);
			m = pmask(plen);
			v &= m;
			e.fields[0].prefix_len = (u8)plen;
		}
		e.fields[0].value = v;
		e.fields[0].mask_or_high = kind == RMT_MATCH_RANGE ? hi : m;
		if (rmt_table_add(tb->t, &e, NULL, &code))
			continue; /* a duplicate: draw again */
		l->v = v;
		l->m = kind == RMT_MATCH_EXACT ? ~0ull : m;
		l->hi = hi;
		l->prio = kind == RMT_MATCH_LPM ? (s32)plen : e.priority;
		l->id = added;
		added++;
	}
	tb->n = n;
	tb->commit_ms = now_ns();
	if (rmt_table_commit(tb->t, &code)) {
		fprintf(stderr, "bench-tables: commit: %s\n",
			rmt_table_code_str(code));
		exit(1);
	}
	tb->commit_ms = (now_ns() - tb->commit_ms) / 1e6;
	/* Half the keys drawn inside a random entry, half at random. */
	tb->keys = malloc(sizeof(u64) * N_LOOKUPS);
	for (i = 0; i < N_LOOKUPS; i++) {
		const struct lin *l = &tb->lin[rnd() % n];
		u64 r = rnd();

		if (i & 1) {
			tb->keys[i] =
				kind == RMT_MATCH_EXACT ? r : r & 0xffffffff;
			continue;
		}
		if (kind == RMT_MATCH_EXACT)
			tb->keys[i] = l->v;
		else if (kind == RMT_MATCH_RANGE)
			tb->keys[i] = l->v + r % (l->hi - l->v + 1);
		else
			tb->keys[i] = l->v | (r & ~l->m & 0xffffffff);
	}
}

/* The anchor: every entry checked, the best priority kept (as bmv2). */
static u32 scan(const struct tab *tb, u64 k)
{
	u32 i, best = ~0u;
	s32 bp = -1;

	for (i = 0; i < tb->n; i++) {
		const struct lin *l = &tb->lin[i];
		bool hit = tb->kind == RMT_MATCH_RANGE ?
				   k >= l->v && k <= l->hi :
				   (k & l->m) == l->v;

		if (hit && l->prio > bp) {
			bp = l->prio;
			best = l->id;
		}
	}
	return best;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double med, lo, hi;
};

static struct stat3 summarize(double *v)
{
	struct stat3 s;

	qsort(v, REPS, sizeof(double), cmp_d);
	s.med = v[REPS / 2];
	s.lo = v[0];
	s.hi = v[REPS - 1];
	return s;
}

static volatile u64 sink;

static struct stat3 time_table(struct tab *tb, u32 *matched)
{
	struct rmt_table_result r;
	double v[REPS], t0;
	u32 rep, i, m = 0;
	u64 acc = 0;

	for (rep = 0; rep < REPS; rep++) {
		m = 0;
		t0 = now_ns();
		for (i = 0; i < N_LOOKUPS; i++) {
			rmt_rcu_read_lock();
			m += rmt_table_lookup(tb->t, &tb->keys[i], &r);
			acc += r.slot;
			rmt_rcu_read_unlock();
		}
		v[rep] = (now_ns() - t0) / N_LOOKUPS;
	}
	sink = acc;
	*matched = m;
	return summarize(v);
}

static struct stat3 time_scan(struct tab *tb, u32 n_keys)
{
	double v[REPS], t0;
	u32 rep, i;
	u64 acc = 0;

	for (rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		for (i = 0; i < n_keys; i++)
			acc += scan(tb, tb->keys[i]);
		v[rep] = (now_ns() - t0) / n_keys;
	}
	sink = acc;
	return summarize(v);
}

/* Table and scan must agree before any time is taken. */
static void check(struct tab *tb)
{
	struct rmt_table_result r;
	struct rmt_table_entry e;
	u32 i, want;

	for (i = 0; i < 2000; i++) {
		rmt_rcu_read_lock();
		rmt_table_lookup(tb->t, &tb->keys[i], &r);
		rmt_rcu_read_unlock();
		want = scan(tb, tb->keys[i]);
		if (want == ~0u && r.slot == RMT_TABLE_NO_SLOT)
			continue;
		if (r.slot != RMT_TABLE_NO_SLOT &&
		    !rmt_table_entry_get(tb->t, r.slot, &e, NULL) &&
		    want != ~0u && tb->lin[want].v == e.fields[0].value &&
		    (tb->kind == RMT_MATCH_LPM || tb->kind == RMT_MATCH_EXACT ||
		     tb->lin[want].prio == e.priority))
			continue;
		fprintf(stderr,
			"bench-tables: kind %u key %llx: table and "
			"scan disagree\n",
			tb->kind, (unsigned long long)tb->keys[i]);
		exit(1);
	}
}

static void free_tab(struct tab *tb)
{
	if (!tb->in_pipeline)
		rmt_table_destroy(tb->t);
	free(tb->lin);
	free(tb->keys);
}

/* The benchmark's tables: ternary twice, with broad and narrow masks. */
static const struct {
	const char *name;
	u8 kind;
	u32 min_bits;
} cases[] = {
	{ "exact", RMT_MATCH_EXACT, 0 },
	{ "ternary", RMT_MATCH_TERNARY, 16 },
	{ "tern-24", RMT_MATCH_TERNARY, 24 },
	{ "range", RMT_MATCH_RANGE, 0 },
	{ "lpm", RMT_MATCH_LPM, 0 },
};

/*
 * The hook's whole pipeline, as a fault would run it: context copy, keys
 * from the context, three lookups; the actions are no-ops, so this is
 * the tables' share of a hook.  Anchor: the three linear scans.
 */
static void pipeline3(struct tab *s, struct rmt_pipeline *p, double *ns,
		      double *scan_ns)
{
	static struct rmt_hook_scratch scr;
	struct rmt_ctx_swap_fault c = { 0 };
	struct rmt_decision d;
	double v[REPS], w[REPS], t0;
	u32 rep, i;
	u64 acc = 0;

	for (rep = 0; rep < REPS; rep++) {
		t0 = now_ns();
		for (i = 0; i < N_LOOKUPS; i++) {
			c.addr = s[0].keys[i];
			c.pid = (u32)s[1].keys[i];
			c.cpu = (u32)s[2].keys[i];
			rmt_pipeline_run(p, &c, sizeof(c), &scr, &d);
			acc += d.stages_run;
		}
		v[rep] = (now_ns() - t0) / N_LOOKUPS;
		t0 = now_ns();
		for (i = 0; i < N_SCAN; i++)
			acc += scan(&s[0], s[0].keys[i]) +
			       scan(&s[1], s[1].keys[i]) +
			       scan(&s[2], s[2].keys[i]);
		w[rep] = (now_ns() - t0) / N_SCAN;
	}
	sink = acc;
	*ns = summarize(v).med;
	*scan_ns = summarize(w).med;
}

int main(int argc, char **argv)
{
	static const u32 sizes[] = { 1, 100, 10000 };
	double at10k[5] = { 0 }, p3, p3_scan;
	struct tab pipe[3] = { { 0 } };
	struct rmt_pipeline *p;
	u32 k, s, matched;

	if (argc > 1) {
		printf("usage: bench-tables\n"
		       "Times table lookups (1, 100, 10000 entries per match "
		       "kind, %u random keys,\nabout half matching) and a "
		       "3-stage pipeline against a linear scan.\n",
		       N_LOOKUPS);
		return strcmp(argv[1], "--help") ? 2 : 0;
	}
	printf("%-8s %6s %9s %9s %9s %7s %10s %9s %6s %9s %s\n", "kind", "n",
	       "ns/lookup", "min", "max", "match%", "scan ns", "ratio", "cost",
	       "commit ms", "structure");
	for (k = 0; k < 5; k++) {
		for (s = 0; s < 3; s++) {
			struct tab tb = { 0 };
			struct rmt_table_stats st;
			struct stat3 a, b;
			u32 nscan = sizes[s] >= 10000 ? N_SCAN : 200000;

			seed_state = 0x5eed0000u + k * 16 + s;
			build(&tb, cases[k].kind, sizes[s], cases[k].min_bits,
			      NULL, 1);
			check(&tb);
			a = time_table(&tb, &matched);
			b = time_scan(&tb, nscan);
			rmt_table_get_stats(tb.t, &st);
			printf("%-8s %6u %9.1f %9.1f %9.1f %7.1f %10.1f %8.1fx "
			       "%6llu %9.2f %s/%u\n",
			       cases[k].name, sizes[s], a.med, a.lo, a.hi,
			       100.0 * matched / N_LOOKUPS, b.med,
			       b.med / a.med,
			       (unsigned long long)st.lookup_cost, tb.commit_ms,
			       st.structure, st.n_parts);
			if (sizes[s] == 10000)
				at10k[k] = a.med;
			free_tab(&tb);
		}
	}
	seed_state = 0x91be;
	if (rmt_pipeline_create(rmt_hook_find("swap_fault"), &p) ||
	    rmt_pipeline_add_action(p, "noop", NULL, 0, 0, NULL, NULL, 0)) {
		fprintf(stderr, "bench-tables: pipeline\n");
		return 1;
	}
	/* addr (u64), pid and cpu (u32) of the swap_fault context */
	build(&pipe[0], RMT_MATCH_EXACT, 10000, 0, p, 1);
	build(&pipe[1], RMT_MATCH_TERNARY, 10000, 16, p, 6);
	build(&pipe[2], RMT_MATCH_RANGE, 10000, 0, p, 8);
	pipeline3(pipe, p, &p3, &p3_scan);
	printf("pipeline exact->ternary->range, 10000 entries each: %.1f ns "
	       "per run, scans %.1f ns, ratio %.1fx\n",
	       p3, p3_scan, p3_scan / p3);
	for (k = 0; k < 3; k++)
		free_tab(&pipe[k]);
	rmt_pipeline_destroy(p);
	printf("RESULT exact_10k_ns=%.1f ternary_10k_ns=%.1f range_10k_ns=%.1f "
	       "lpm_10k_ns=%.1f pipeline3_ns=%.1f ternary24_10k_ns=%.1f\n",
	       at10k[0], at10k[1], at10k[3], at10k[4], p3, at10k[2]);
	return 0;
}
