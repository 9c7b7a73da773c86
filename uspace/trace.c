// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * trace.c - writing and strictly parsing fault trace lines (see trace.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "proto/msg.h"
#include "uspace/trace.h"

/* The word that starts a page event's line, by kind. */
static const char *const page_words[] = {
	[RMT_US_TRACE_EVICT] = "evict",
	[RMT_US_TRACE_DROP] = "drop",
	[RMT_US_TRACE_TOUCH] = "touch",
};

#define N_KINDS (sizeof(page_words) / sizeof(page_words[0]))

int rmt_us_trace_version(const char *first_line)
{
	static const char *const headers[] = { RMT_US_TRACE_HEADER_V1,
					       RMT_US_TRACE_HEADER };
	unsigned int i;

	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (!strncmp(first_line, headers[i], strlen(headers[i])))
			return (int)i + 1;
	return 0;
}

void rmt_us_trace_write(FILE *f, const struct rmt_us_trace_rec *r)
{
	if (r->kind != RMT_US_TRACE_FAULT) {
		fprintf(f, "%s %" PRIu64 " 0x%" PRIx64, page_words[r->kind],
			r->time_ns, r->addr);
		if (r->kind == RMT_US_TRACE_DROP)
			fprintf(f, " %" PRIu32, r->npages);
		fputc('\n', f);
		return;
	}
	fprintf(f,
		"%" PRIu64 " %" PRIu32 " 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64
		" %" PRIu32 " %" PRIu32 "\n",
		r->time_ns, r->tid, r->addr, r->region_start, r->region_end,
		r->flags, r->latency_ns);
}

/* One field: decimal, or hex after 0x when hex; then a space or the end. */
static int field(const char **sp, int hex, uint64_t max, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0, base = hex ? 16 : 10;
	int digits = 0;

	if (hex) {
		if (s[0] != '0' || s[1] != 'x')
			return -EINVAL;
		s += 2;
	}
	for (;; s++, digits++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (hex && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else
			break;
		if (v > (max - d) / base)
			return -EINVAL;
		v = v * base + d;
	}
	if (!digits || (*s != ' ' && *s != 0))
		return -EINVAL;
	while (*s == ' ')
		s++;
	*sp = s;
	*out = v;
	return 0;
}

/*
 * "evict time_ns addr", "touch time_ns addr" or "drop time_ns addr
 * npages", after the word.
 */
static int parse_page_event(const char *line, struct rmt_us_trace_rec *r,
			    const char **why)
{
	uint64_t t, addr, n = 1;

	if (field(&line, 0, UINT64_MAX, &t)) {
		*why = "malformed or missing time_ns";
		return -EINVAL;
	}
	if (field(&line, 1, UINT64_MAX, &addr) || addr % 4096) {
		*why = "malformed, missing or unaligned addr";
		return -EINVAL;
	}
	if (r->kind == RMT_US_TRACE_DROP &&
	    (field(&line, 0, UINT32_MAX, &n) || !n)) {
		*why = "malformed, missing or zero npages";
		return -EINVAL;
	}
	if (*line) {
		*why = "trailing text";
		return -EINVAL;
	}
	r->time_ns = t;
	r->addr = addr;
	r->npages = (uint32_t)n;
	return 0;
}

int rmt_us_trace_parse(const char *line, struct rmt_us_trace_rec *r,
		       const char **why)
{
	static const char *const names[] = {
		"malformed or missing time_ns",
		"malformed or missing tid",
		"malformed or missing addr",
		"malformed or missing region_start",
		"malformed or missing region_end",
		"malformed or missing flags",
		"malformed or missing latency_ns",
	};
	static const int hex[] = { 0, 0, 1, 1, 1, 0, 0 };
	static const uint64_t max[] = { UINT64_MAX, UINT32_MAX, UINT64_MAX,
					UINT64_MAX, UINT64_MAX, UINT32_MAX,
					UINT32_MAX };
	uint64_t v[7];
	unsigned int i;

	memset(r, 0, sizeof(*r));
	for (i = RMT_US_TRACE_EVICT; i < N_KINDS; i++) {
		size_t n = strlen(page_words[i]);

		if (!strncmp(line, page_words[i], n) && line[n] == ' ') {
			r->kind = i;
			return parse_page_event(line + n + 1, r, why);
		}
	}
	for (i = 0; i < 7; i++) {
		if (field(&line, hex[i], max[i], &v[i])) {
			*why = names[i];
			return -EINVAL;
		}
	}
	if (*line) {
		*why = "trailing text";
		return -EINVAL;
	}
	if (v[2] % 4096 || v[3] % 4096 || v[2] < v[3] || v[2] >= v[4]) {
		*why = "addr not a page inside [region_start, region_end)";
		return -EINVAL;
	}
	if (v[5] & ~(uint64_t)RMT_FAULT_FLAGS_ALL) {
		*why = "unknown flags";
		return -EINVAL;
	}
	r->time_ns = v[0];
	r->tid = (uint32_t)v[1];
	r->addr = v[2];
	r->region_start = v[3];
	r->region_end = v[4];
	r->flags = (uint32_t)v[5];
	r->latency_ns = (uint32_t)v[6];
	r->npages = 1;
	return 0;
}
