// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmt_replay.c - rmt-replay: replays a fault trace written by rmt-run
 * --trace through a prefetcher (the same RMT programs rmt-run runs) on a
 * simulated clock, for fast, deterministic comparisons of prefetchers.
 *
 * The model: the recorded faults, best recorded with --prefetcher none,
 * are the program's far accesses in order; the time between the end of
 * one fault and the next is the program's own work and is kept.  Each
 * access is a hit if the page sits in the simulated prefetch cache
 * (waiting for the rest of its fetch if needed), else a miss that waits
 * for a fetch from the latency model (uspace/fetch.h); every fault adds a
 * fixed fault cost.  The hook runs on every miss and hit with the
 * faulting thread's page deltas; its pages enter the cache.  A cached
 * page stays for --cache page-ins (misses, prefetches and, in a v2
 * trace, first touches), as on the pager's inactive list, where each
 * page-in evicts one page; evicted unused, it is pollution.  As in the
 * pager, a prefetch is skipped unless its page is in far memory: a v2
 * trace says when pages left local memory (its evict lines), so a page is
 * far from its eviction to its next fault.  A v1 trace does not; there
 * any page of a region the trace has shown so far counts as far, and
 * pages that were resident in the recorded run are prefetched, unused.
 *
 * With --prefetcher learned the learner (agent/learn.h) runs in the loop
 * on the simulated clock: each fault event goes to it as the pager would
 * emit it, a training round runs synchronously when one is due, and a
 * promoted model goes straight into the program's model slot, so a
 * replay is deterministic.
 *
 * --prefetcher oracle:TRACE replays the future from TRACE (the replayed
 * trace itself, usually), as rmt-run's oracle does: what a perfect
 * prefetcher would gain in the same model, without the host's noise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/learn.h"
#include "mlib/format.h"
#include "proto/msg.h"
#include "uspace/fetch.h"
#include "uspace/hook.h"
#include "uspace/parse.h"
#include "uspace/oracle.h"
#include "uspace/rmt_prefetch.h"
#include "uspace/stats.h"
#include "uspace/trace.h"

#include "pagemap.h"

#define MAX_TIDS 64u
#define MAX_REGIONS 1024u

struct cache {
	struct pagemap map; /* page -> its page-in number */
	/* The last cap page-ins; PAGEMAP_EMPTY for misses and used pages. */
	uint64_t *fifo;
	uint64_t *ready; /* when each fifo entry's fetch completes */
	uint64_t head, cap; /* page-ins so far */
};

struct hist {
	uint32_t tid;
	bool seen;
	uint64_t last;
	uint32_t n;
	int64_t d[RMT_US_HISTORY];
};

struct sim {
	struct cache c;
	/* A v2 trace: the pages in far memory in the recorded run. */
	struct pagemap far;
	bool track_far;
	struct rmt_us_fetchq fq;
	struct rmt_us_stats st;
	struct hist h[MAX_TIDS];
	uint64_t now, cost_ns;
	rmt_us_prefetch_fn fn;
	void *priv;
	struct rmt_us_rmt_pf *pf;
	struct rmt_learner *learner; /* --prefetcher learned */
	struct region {
		uint64_t start, end; /* page numbers */
		/* --by-region: the region's faults, its misses, and those
		 * of them after the first model */
		uint64_t faults, misses, model_misses;
	} regions[MAX_REGIONS];
	unsigned int n_regions;
	struct region *cur; /* the fault's region, NULL past MAX_REGIONS */
	unsigned int models_installed;
	/* The learner's rounds, and when its first model came. */
	unsigned int rounds;
	uint64_t first_model_fault, first_model_ns;
	bool verbose, by_region;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rmt-replay [options] TRACE\n"
		"Replays a fault trace (rmt-run --trace) through a prefetcher on a\n"
		"simulated clock and prints the statistics, ending with a RESULT line.\n"
		"  --prefetcher NAME    none (default), readahead, leap, learned,\n"
		"                       oracle:TRACE (the future from TRACE)\n"
		"                       or FILE.rmt\n"
		"  --far-latency TIME   latency of one page fetch (5us)\n"
		"  --fetch-depth N      page fetches in flight (8)\n"
		"  --fault-cost TIME    fixed cost of every fault (8us, as measured)\n"
		"  --cache PAGES        prefetched pages stay this many page-ins (misses,\n"
		"                       prefetches, first touches), as on the pager's\n"
		"                       inactive list (1024)\n"
		"  --first-model N      learned: faults before the first model (500)\n"
		"  --retrain N          learned: faults between rounds (4000)\n"
		"  --retrain-max N      learned: rounds that change nothing double the\n"
		"                       wait up to N faults (8x --retrain)\n"
		"  --verbose            learned: one line per training round\n"
		"  --by-region          faults and misses per region (misses\n"
		"                       after the first model apart)\n"
		"  --help               this text\n");
}

static void bad(const char *what, const char *value)
{
	fprintf(stderr, "rmt-replay: bad %s '%s' (see rmt-replay --help)\n",
		what, value);
	exit(2);
}

static void out_of_memory(void)
{
	fprintf(stderr, "rmt-replay: out of memory\n");
	exit(1);
}

static int cache_init(struct cache *c, uint64_t cap)
{
	uint64_t i;

	c->fifo = malloc(cap * sizeof(*c->fifo));
	c->ready = malloc(cap * sizeof(*c->ready));
	if (!c->fifo || !c->ready || pagemap_init(&c->map, cap))
		return -ENOMEM;
	for (i = 0; i < cap; i++)
		c->fifo[i] = PAGEMAP_EMPTY;
	c->cap = cap;
	c->head = 0;
	return 0;
}

/* Takes the cached page in slot out: when its fetch completes. */
static uint64_t cache_take(struct cache *c, uint64_t slot)
{
	uint64_t at = c->map.val[slot] % c->cap;

	c->fifo[at] = PAGEMAP_EMPTY;
	pagemap_del_slot(&c->map, slot);
	return c->ready[at];
}

/*
 * A page came into local memory: prefetched (pg, cached), or by a miss or
 * a first touch (PAGEMAP_EMPTY).  As on the pager's inactive list, every
 * page-in evicts one page, so the page prefetched cap page-ins ago leaves,
 * unused if it is still cached (pollution).  Hits bring nothing in.
 */
static void cache_page_in(struct sim *s, uint64_t pg)
{
	struct cache *c = &s->c;
	uint64_t at = c->head % c->cap, old = c->fifo[at];

	if (old != PAGEMAP_EMPTY) {
		pagemap_del(&c->map, old);
		s->st.unused_evicted++;
	}
	c->fifo[at] = pg;
	if (pg != PAGEMAP_EMPTY) {
		c->ready[at] = rmt_us_fetchq_issue(&s->fq, s->now);
		if (pagemap_put(&c->map, pg, c->head))
			out_of_memory();
		s->st.prefetched++;
	}
	c->head++;
}

static void prefetch(struct sim *s, uint64_t pg)
{
	if (!pagemap_contains(&s->c.map, pg))
		cache_page_in(s, pg);
}

static struct hist *hist_of(struct sim *s, uint32_t tid)
{
	unsigned int i;

	for (i = 0; i < MAX_TIDS; i++)
		if (s->h[i].tid == tid || !s->h[i].seen)
			break;
	if (i == MAX_TIDS)
		i = tid % MAX_TIDS;
	if (s->h[i].tid != tid) {
		memset(&s->h[i], 0, sizeof(s->h[i]));
		s->h[i].tid = tid;
	}
	return &s->h[i];
}

/* Notes each region the first time it shows up, and tells the prefetcher. */
static void new_region(struct sim *s, const struct rmt_us_trace_rec *r)
{
	struct region g = { .start = r->region_start >> 12,
			    .end = r->region_end >> 12 };
	unsigned int i;

	for (i = 0; i < s->n_regions; i++) {
		if (s->regions[i].start == g.start) {
			s->cur = &s->regions[i];
			return;
		}
	}
	s->cur = NULL;
	if (s->n_regions == MAX_REGIONS)
		return;
	s->cur = &s->regions[s->n_regions];
	s->regions[s->n_regions++] = g;
	if (s->pf)
		rmt_us_rmt_pf_region(s->pf, r->region_start, r->region_end,
				     true);
}

/* Where the misses are: per region, in the order of first faults. */
static void print_regions(const struct sim *s)
{
	unsigned int i;

	fprintf(stderr, "rmt-replay: by region (numbered in the order of "
			"their first faults):\n"
			"rmt-replay:  region    pages   faults   misses  "
			"after the first model\n");
	for (i = 0; i < s->n_regions; i++) {
		const struct region *g = &s->regions[i];

		fprintf(stderr, "rmt-replay: %7u %8llu %8llu %8llu ", i,
			(unsigned long long)(g->end - g->start),
			(unsigned long long)g->faults,
			(unsigned long long)g->misses);
		if (s->learner)
			fprintf(stderr, "%8llu\n",
				(unsigned long long)g->model_misses);
		else
			fprintf(stderr, "%8s\n", "-");
	}
	if (s->n_regions == MAX_REGIONS)
		fprintf(stderr,
			"rmt-replay: (regions past the first %u are "
			"not counted)\n",
			MAX_REGIONS);
}

/* Whether a prefetch of pg would fetch it, as the pager's would. */
static bool is_far(const struct sim *s, uint64_t pg)
{
	unsigned int i;

	if (s->track_far)
		return pagemap_contains(&s->far, pg);
	for (i = 0; i < s->n_regions; i++)
		if (pg >= s->regions[i].start && pg < s->regions[i].end)
			return true;
	return false;
}

/* The learner's round, when due; a promoted model goes into slot 0. */
static void learn(struct sim *s, const struct rmt_us_fault_ctx *ctx)
{
	struct rmt_msg_fault ev = { .addr = ctx->addr,
				    .vma_start = ctx->region_start,
				    .vma_end = ctx->region_end,
				    .time_ns = ctx->time_ns,
				    .pid = ctx->tid,
				    .tgid = ctx->pid,
				    .hook_id = 1,
				    .flags = (u8)ctx->flags };
	struct rmt_learner_result res;
	struct rmt_model *m;
	char err[160] = "";
	int r;

	rmt_learner_ingest(s->learner, &ev, 1);
	if (!rmt_learner_due(s->learner))
		return;
	r = rmt_learner_train(s->learner, &res);
	s->rounds++;
	if (s->verbose)
		fprintf(stderr, "rmt-replay: t=%.6f s round %llu: %s\n",
			s->now / 1e9, (unsigned long long)res.model_id,
			r ? strerror(-r) : res.why);
	if (r || !res.promote)
		return;
	r = rmt_model_parse(res.blob, res.blob_len, &m, err, sizeof(err));
	free(res.blob);
	if (!r) {
		r = rmt_us_rmt_pf_install_model(s->pf, 0, m);
		if (r)
			rmt_model_free(m);
	}
	if (r) {
		fprintf(stderr, "rmt-replay: model %llu refused: %s\n",
			(unsigned long long)res.model_id,
			err[0] ? err : strerror(-r));
		rmt_learner_installed(s->learner, res.model_id, false);
		return;
	}
	if (!s->models_installed++) {
		/* This fault is counted already (access_page). */
		s->first_model_fault = s->st.hits + s->st.misses;
		s->first_model_ns = s->now;
	}
	rmt_learner_installed(s->learner, res.model_id, true);
}

static void access_page(struct sim *s, const struct rmt_us_trace_rec *r)
{
	uint64_t pg = r->addr >> 12, i = pagemap_slot(&s->c.map, pg), ready;
	struct rmt_us_fault_ctx ctx = { 0 };
	uint64_t pages[RMT_US_MAX_PREFETCH];
	struct hist *h = hist_of(s, r->tid);
	uint64_t start = s->now;
	int n, k;

	if (s->cur)
		s->cur->faults++;
	ctx.addr = r->addr;
	ctx.region_start = r->region_start;
	ctx.region_end = r->region_end;
	ctx.tid = r->tid;
	ctx.pid = 1;
	ctx.time_ns = s->now;
	ctx.n_deltas = h->n;
	memcpy(ctx.deltas, h->d, sizeof(ctx.deltas));
	if (pagemap_has(&s->c.map, i, pg)) {
		ready = cache_take(&s->c, i);
		s->st.hits++;
		if (ready > s->now)
			s->st.late_hits++;
		ctx.flags = RMT_FAULT_PREFETCH_HIT;
	} else {
		ready = rmt_us_fetchq_issue(&s->fq, s->now);
		cache_page_in(s, PAGEMAP_EMPTY);
		s->st.misses++;
		if (s->cur) {
			s->cur->misses++;
			s->cur->model_misses += s->models_installed > 0;
		}
		ctx.flags = RMT_FAULT_MAJOR;
	}
	if (s->track_far)
		pagemap_del(&s->far, pg);
	if (h->seen && pg != h->last) {
		memmove(&h->d[1], &h->d[0], sizeof(h->d) - sizeof(h->d[0]));
		h->d[0] = (int64_t)(pg - h->last);
		if (h->n < RMT_US_HISTORY)
			h->n++;
	}
	h->seen = true;
	h->last = pg;
	if (s->fn) {
		s->st.hook_calls++;
		n = s->fn(s->priv, &ctx, pages, RMT_US_MAX_PREFETCH);
		if (n < 0)
			s->st.hook_errors++;
		for (k = 0; k < n; k++) {
			if (pages[k] >> 12 == pg)
				continue;
			if (is_far(s, pages[k] >> 12))
				prefetch(s, pages[k] >> 12);
			else
				s->st.prefetch_skipped++;
		}
	}
	if (s->learner)
		learn(s, &ctx);
	if (ready > s->now)
		s->now = ready;
	s->now += s->cost_ns;
	rmt_us_hist_add(&s->st.fault_lat, s->now - start);
}

/*
 * The first line: a v2 trace turns the tracking of far pages on; a v1
 * trace (no evictions) is replayed as before, with a warning.
 */
static bool start_trace(struct sim *s, const char *line, const char *path)
{
	switch (rmt_us_trace_version(line)) {
	case 2:
		s->track_far = true;
		if (pagemap_init(&s->far, 1024))
			out_of_memory();
		return true;
	case 1:
		fprintf(stderr,
			"rmt-replay: %s: a v1 trace, without evictions: "
			"pages resident in the recorded run count as far "
			"(record it again for a faithful replay)\n",
			path);
		return true;
	default:
		fprintf(stderr,
			"rmt-replay: %s: not a fault trace (no '%s' "
			"header)\n",
			path, RMT_US_TRACE_HEADER);
		return false;
	}
}

/*
 * A page event of the recorded run.  An evicted page is far until its
 * next fault.  A first touch brought a page in, so it ages the cache as a
 * miss does.  Dropped pages are not far at all (their next touch is a
 * first touch, never a fault of the trace), nor worth keeping cached.
 */
static void page_event(struct sim *s, const struct rmt_us_trace_rec *r)
{
	uint64_t pg = r->addr >> 12, i, slot;

	if (r->kind == RMT_US_TRACE_EVICT) {
		if (pagemap_put(&s->far, pg, 0))
			out_of_memory();
		return;
	}
	if (r->kind == RMT_US_TRACE_TOUCH) {
		pagemap_del(&s->far, pg);
		cache_page_in(s, PAGEMAP_EMPTY);
		return;
	}
	for (i = 0; i < r->npages; i++, pg++) {
		pagemap_del(&s->far, pg);
		slot = pagemap_slot(&s->c.map, pg);
		if (pagemap_has(&s->c.map, slot, pg)) {
			cache_take(&s->c, slot);
			s->st.unused_evicted++;
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "prefetcher", required_argument, NULL, 'p' },
		{ "far-latency", required_argument, NULL, 'l' },
		{ "fetch-depth", required_argument, NULL, 'd' },
		{ "fault-cost", required_argument, NULL, 'c' },
		{ "cache", required_argument, NULL, 'C' },
		{ "first-model", required_argument, NULL, 'F' },
		{ "retrain", required_argument, NULL, 'R' },
		{ "retrain-max", required_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "by-region", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pf_name = "none";
	uint64_t latency = 5000, depth = 8, cap = 1024, prev_end = 0;
	uint64_t first_model = 500, retrain = 4000, retrain_max = 0;
	struct rmt_us_rmt_pf *pf = NULL;
	struct rmt_us_oracle *oracle = NULL;
	static struct sim s;
	char line[512], err[256] = "";
	unsigned long lineno = 0;
	uint64_t t0 = rmt_us_now_ns();
	bool first = true;
	FILE *f;
	int c;

	s.cost_ns = 8000;
	while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
		switch (c) {
		case 'p':
			pf_name = optarg;
			break;
		case 'l':
			if (rmt_us_parse_duration(optarg, &latency))
				bad("--far-latency", optarg);
			break;
		case 'd':
			if (rmt_us_parse_count(optarg, 1, RMT_US_MAX_DEPTH,
					       &depth))
				bad("--fetch-depth", optarg);
			break;
		case 'c':
			if (rmt_us_parse_duration(optarg, &s.cost_ns))
				bad("--fault-cost", optarg);
			break;
		case 'C':
			if (rmt_us_parse_count(optarg, 1, 1u << 24, &cap))
				bad("--cache (1..16777216 pages)", optarg);
			break;
		case 'F':
			if (rmt_us_parse_count(optarg, 1, 1u << 30,
					       &first_model))
				bad("--first-model", optarg);
			break;
		case 'R':
			if (rmt_us_parse_count(optarg, 1, 1u << 30, &retrain))
				bad("--retrain", optarg);
			break;
		case 'M':
			if (rmt_us_parse_count(optarg, 1, 1u << 30,
					       &retrain_max))
				bad("--retrain-max", optarg);
			break;
		case 'v':
			s.verbose = true;
			break;
		case 'r':
			s.by_region = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "rmt-replay: want exactly one TRACE (see "
				"rmt-replay --help)\n");
		return 2;
	}
	if (rmt_us_oracle_trace(pf_name) ?
		    rmt_us_oracle_open(rmt_us_oracle_trace(pf_name), &oracle,
				       err, sizeof(err)) :
		    rmt_us_rmt_pf_open(pf_name, &pf, err, sizeof(err))) {
		fprintf(stderr, "rmt-replay: bad --prefetcher: %s\n", err);
		return 2;
	}
	f = fopen(argv[optind], "r");
	if (!f) {
		fprintf(stderr, "rmt-replay: cannot read %s: %s\n",
			argv[optind], strerror(errno));
		return 2;
	}
	rmt_us_stats_init(&s.st);
	rmt_us_fetchq_init(&s.fq, latency, (uint32_t)depth);
	if (cache_init(&s.c, cap)) {
		fprintf(stderr, "rmt-replay: out of memory\n");
		return 1;
	}
	s.fn = pf ? rmt_us_rmt_pf_run : oracle ? rmt_us_oracle_run : NULL;
	s.priv = pf ? (void *)pf : (void *)oracle;
	s.pf = pf;
	if (!strcmp(pf_name, "learned")) {
		struct rmt_learner_config lc = {
			.first_model_faults = (u32)first_model,
			.retrain_faults = (u32)retrain,
			.retrain_max_faults = (u32)retrain_max,
		};
		const char *why = rmt_learner_config_error(&lc);

		if (why) {
			fprintf(stderr, "rmt-replay: --retrain-max: %s\n", why);
			return 2;
		}
		if (rmt_learner_create(&lc, &s.learner)) {
			fprintf(stderr, "rmt-replay: out of memory\n");
			return 1;
		}
	}
	while (fgets(line, sizeof(line), f)) {
		struct rmt_us_trace_rec r;
		const char *why;
		size_t len = strlen(line);

		lineno++;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (lineno == 1 && !start_trace(&s, line, argv[optind]))
			return 1;
		if (line[0] == '#')
			continue;
		if (rmt_us_trace_parse(line, &r, &why)) {
			fprintf(stderr, "rmt-replay: %s:%lu: %s\n",
				argv[optind], lineno, why);
			return 1;
		}
		if (r.kind != RMT_US_TRACE_FAULT && !s.track_far) {
			fprintf(stderr,
				"rmt-replay: %s:%lu: a page event in a v1 "
				"trace\n",
				argv[optind], lineno);
			return 1;
		}
		if (r.kind != RMT_US_TRACE_FAULT) {
			page_event(&s, &r);
			continue;
		}
		new_region(&s, &r);
		/* Keep the program's own time between faults. */
		if (!first && r.time_ns > prev_end)
			s.now += r.time_ns - prev_end;
		first = false;
		prev_end = r.time_ns + r.latency_ns;
		access_page(&s, &r);
	}
	fclose(f);
	if (lineno == 0) {
		fprintf(stderr, "rmt-replay: %s: empty trace\n", argv[optind]);
		return 1;
	}
	s.st.staged_now = s.c.map.count;
	fprintf(stderr,
		"rmt-replay: simulated time %.6f s, replayed in %.3f s\n",
		s.now / 1e9, (rmt_us_now_ns() - t0) / 1e9);
	if (s.learner && s.models_installed)
		fprintf(stderr,
			"rmt-replay: learner: %u rounds, %u models installed, "
			"the first after %llu faults (%.6f s)\n",
			s.rounds, s.models_installed,
			(unsigned long long)s.first_model_fault,
			s.first_model_ns / 1e9);
	else if (s.learner)
		fprintf(stderr, "rmt-replay: learner: %u rounds, no model\n",
			s.rounds);
	if (s.st.prefetch_skipped)
		fprintf(stderr,
			"rmt-replay: %llu prefetches skipped: the page was "
			"not in far memory\n",
			(unsigned long long)s.st.prefetch_skipped);
	if (s.by_region)
		print_regions(&s);
	rmt_us_stats_print(stderr, &s.st, s.now / 1e9, s.models_installed);
	if (oracle && rmt_us_oracle_misfits(oracle))
		fprintf(stderr,
			"rmt-replay: oracle: %llu faults were not where its "
			"trace said\n",
			(unsigned long long)rmt_us_oracle_misfits(oracle));
	rmt_us_oracle_close(oracle);
	rmt_us_rmt_pf_close(pf);
	rmt_learner_destroy(s.learner);
	return 0;
}
