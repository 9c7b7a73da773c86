// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pager_guest.c - the user-space pager on the guest's kernel (Debian's,
 * older than Linux 6.8 and its UFFDIO_MOVE): asked to move pages, it must
 * find out it cannot and copy them instead, losing nothing.  Prints what
 * it did; exit 0 when every page kept its data under the limit.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "uspace/pager.h"

#define PAGES 256u
#define LIMIT 16u

static int check(const unsigned char *m, unsigned int salt)
{
	unsigned int i;

	for (i = 0; i < PAGES; i++)
		if (m[i * RMT_US_PAGE] != (unsigned char)(i * 7 + salt) ||
		    m[i * RMT_US_PAGE + RMT_US_PAGE - 1] !=
			    (unsigned char)(i * 7 + salt)) {
			fprintf(stderr, "pager-guest: page %u lost its data\n",
				i);
			return 1;
		}
	return 0;
}

int main(void)
{
	struct rmt_pager_config c;
	struct rmt_us_stats *s;
	struct rmt_pager *p;
	unsigned char *m, v[PAGES];
	unsigned int i, mapped = 0;
	char why[256];
	int err, bad;

	if (rmt_pager_probe(why, sizeof(why))) {
		fprintf(stderr, "pager-guest: %s\n", why);
		return 1;
	}
	rmt_pager_config_default(&c);
	c.mem_limit = LIMIT * RMT_US_PAGE;
	c.far_latency_ns = 0;
	c.arena_bytes = 64ull << 20;
	c.evict_mode = RMT_US_EVICT_MOVE;
	err = rmt_pager_create(&c, &p);
	if (err) {
		fprintf(stderr, "pager-guest: cannot create the pager: %s\n",
			strerror(-err));
		return 1;
	}
	s = rmt_pager_stats(p);
	m = rmt_pager_alloc(p, PAGES * RMT_US_PAGE);
	if (!m)
		return 1;
	for (i = 0; i < PAGES; i++)
		memset(m + i * RMT_US_PAGE, (int)(i * 7 + 3), RMT_US_PAGE);
	bad = check(m, 3);
	if (!mincore(m, PAGES * RMT_US_PAGE, v))
		for (i = 0; i < PAGES; i++)
			mapped += v[i] & 1;
	printf("pager-guest: evict_moves=%llu moved_out=%llu deactivations=%llu "
	       "misses=%llu mapped=%u limit=%u\n",
	       (unsigned long long)s->evict_moves,
	       (unsigned long long)s->moved_out,
	       (unsigned long long)s->deactivations,
	       (unsigned long long)s->misses, mapped, LIMIT);
	bad |= mapped > LIMIT || s->deactivations < PAGES ||
	       s->misses < PAGES - LIMIT;
	rmt_pager_destroy(p);
	return bad;
}
