// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * oracle.c - the prefetcher that replays the future (see oracle.h).
 *
 * Its memory comes from rmt_us_raw_mmap(): it runs inside the LD_PRELOAD
 * interposer, which would put a large malloc or mmap in far memory, where
 * reading the trace on the fault path would fault again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "uspace/oracle.h"
#include "uspace/pager.h"
#include "uspace/trace.h"

#define MAX_REGIONS 256u
/* How far ahead a fault that is not the next one is looked for. */
#define RESYNC 64u

struct page_ref {
	uint32_t region; /* by order of first appearance */
	uint64_t page; /* offset in the region, in pages */
};

struct rmt_us_oracle {
	struct page_ref *trace;
	size_t trace_len; /* bytes mapped */
	uint64_t n, next; /* trace[next] is the fault expected next */
	uint64_t misfits;
	uint64_t starts[MAX_REGIONS]; /* this run's regions, by number */
	uint32_t n_starts;
};

/* The number of region start among n known ones, added if new. */
static int region_number(uint64_t *starts, uint32_t *n, uint64_t start)
{
	uint32_t i;

	for (i = 0; i < *n; i++)
		if (starts[i] == start)
			return (int)i;
	if (*n == MAX_REGIONS)
		return -1;
	starts[*n] = start;
	return (int)(*n)++;
}

static int load(struct rmt_us_oracle *o, FILE *f, const char *path, char *err,
		size_t err_len)
{
	uint64_t starts[MAX_REGIONS], cap = 0, line_no = 0;
	uint32_t n_starts = 0;
	char line[256];

	/* A bound on the records: the lines. */
	while (fgets(line, sizeof(line), f))
		cap++;
	rewind(f);
	o->trace_len = (cap ? cap : 1) * sizeof(*o->trace);
	o->trace = rmt_us_raw_mmap(o->trace_len);
	if (!o->trace) {
		snprintf(err, err_len, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (o->n < cap && fgets(line, sizeof(line), f)) {
		struct rmt_us_trace_rec r;
		const char *why = "line too long";
		size_t len = strlen(line);
		int k;

		line_no++;
		if (line[0] == '#')
			continue;
		if (len && line[len - 1] == '\n')
			line[--len] = 0;
		if (len == sizeof(line) - 1 ||
		    rmt_us_trace_parse(line, &r, &why)) {
			snprintf(err, err_len, "%s: line %llu: %s", path,
				 (unsigned long long)line_no, why);
			return -EINVAL;
		}
		/* The future is the faults; evictions are the replay's. */
		if (r.kind != RMT_US_TRACE_FAULT)
			continue;
		k = region_number(starts, &n_starts, r.region_start);
		if (k < 0) {
			snprintf(err, err_len, "%s: more than %u regions", path,
				 MAX_REGIONS);
			return -EINVAL;
		}
		o->trace[o->n++] = (struct page_ref){
			(uint32_t)k, (r.addr - r.region_start) / RMT_US_PAGE
		};
	}
	if (!o->n) {
		snprintf(err, err_len, "%s: no faults in the trace", path);
		return -EINVAL;
	}
	return 0;
}

int rmt_us_oracle_open(const char *path, struct rmt_us_oracle **out, char *err,
		       size_t err_len)
{
	struct rmt_us_oracle *o = rmt_us_raw_mmap(sizeof(*o));
	FILE *f;
	int r;

	if (!o)
		return -ENOMEM;
	f = fopen(path, "r");
	if (!f) {
		r = -errno;
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		rmt_us_oracle_close(o);
		return r;
	}
	r = load(o, f, path, err, err_len);
	fclose(f);
	if (r) {
		rmt_us_oracle_close(o);
		return r;
	}
	*out = o;
	return 0;
}

void rmt_us_oracle_close(struct rmt_us_oracle *o)
{
	if (o) {
		rmt_us_raw_munmap(o->trace, o->trace_len);
		rmt_us_raw_munmap(o, sizeof(*o));
	}
}

uint64_t rmt_us_oracle_misfits(const struct rmt_us_oracle *o)
{
	return o->misfits;
}

/* Where this fault is in the trace, from o->next on, or o->n. */
static uint64_t find(const struct rmt_us_oracle *o, struct page_ref at)
{
	uint64_t i, end = o->next + RESYNC < o->n ? o->next + RESYNC : o->n;

	for (i = o->next; i < end; i++)
		if (o->trace[i].region == at.region &&
		    o->trace[i].page == at.page)
			return i;
	return o->n;
}

int rmt_us_oracle_run(void *priv, const struct rmt_us_fault_ctx *ctx,
		      uint64_t *pages, unsigned int max)
{
	struct rmt_us_oracle *o = priv;
	struct page_ref at;
	uint64_t i, j, end;
	unsigned int n = 0;
	int k;

	k = region_number(o->starts, &o->n_starts, ctx->region_start);
	if (k < 0)
		return 0;
	at = (struct page_ref){ (uint32_t)k,
				(ctx->addr - ctx->region_start) / RMT_US_PAGE };
	i = find(o, at);
	if (i == o->n) {
		o->misfits++;
		return 0;
	}
	o->next = i + 1;
	/*
	 * Every fault asks for the whole lookahead again: a page asked for
	 * while it was still resident was skipped, and is fetched once it
	 * has gone far; the pager skips those it holds already.
	 */
	end = o->next + RMT_US_ORACLE_DEPTH < o->n ?
		      o->next + RMT_US_ORACLE_DEPTH :
		      o->n;
	for (j = o->next; j < end && n < max; j++) {
		const struct page_ref *p = &o->trace[j];

		/* A region this run has not faulted in yet: not known. */
		if (p->region < o->n_starts)
			pages[n++] =
				o->starts[p->region] + p->page * RMT_US_PAGE;
	}
	return (int)n;
}
