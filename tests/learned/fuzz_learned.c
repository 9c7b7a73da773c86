// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_learned.c - libFuzzer target for the learned prefetcher's
 * datapath and trainer together: the input is a fault sequence (pages
 * and flags in three regions, one of them tiny); every fault runs
 * programs/learned.rmt through the pager's adapter (stream tracking, the
 * pipeline) and goes to a learner whose promoted models are installed as
 * the run goes.  The program must never fault, and every page it asks
 * for must lie in the faulting region.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/learn.h"
#include "mlib/format.h"
#include "proto/msg.h"
#include "uspace/rmt_prefetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint64_t starts[3] = { 0x10000000, 0x20000000, 0x30000000 };
static const uint64_t npages[3] = { 4096, 1, 300 };

static void install(struct rmt_learner *l, struct rmt_us_rmt_pf *pf)
{
	struct rmt_learner_result res;
	struct rmt_model *m;
	char err[160];

	if (rmt_learner_train(l, &res) || !res.promote)
		return;
	if (rmt_model_parse(res.blob, res.blob_len, &m, err, sizeof(err)))
		abort();
	free(res.blob);
	if (rmt_us_rmt_pf_install_model(pf, 0, m))
		abort();
	rmt_learner_installed(l, res.model_id, true);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rmt_learner_config cfg = { .first_model_faults = 200,
					  .retrain_faults = 400 };
	uint64_t pages[RMT_US_MAX_PREFETCH];
	struct rmt_us_rmt_pf *pf;
	struct rmt_learner *l;
	char err[256];
	size_t i;
	int n, k;

	if (rmt_us_rmt_pf_open("learned", &pf, err, sizeof(err)) ||
	    rmt_learner_create(&cfg, &l))
		abort();
	for (i = 0; i + 3 <= size; i += 3) {
		struct rmt_us_fault_ctx c = { 0 };
		struct rmt_msg_fault ev = { 0 };
		unsigned int r = data[i] % 3;
		uint64_t pg =
			((uint64_t)data[i + 1] << 8 | data[i + 2]) % npages[r];

		c.addr = starts[r] + pg * 4096;
		c.region_start = starts[r];
		c.region_end = starts[r] + npages[r] * 4096;
		c.flags = data[i] & 0x80 ? RMT_FAULT_PREFETCH_HIT :
					   RMT_FAULT_MAJOR;
		n = rmt_us_rmt_pf_run(pf, &c, pages, RMT_US_MAX_PREFETCH);
		if (n < 0)
			abort();
		for (k = 0; k < n; k++)
			if (pages[k] < c.region_start ||
			    pages[k] >= c.region_end || pages[k] % 4096)
				abort();
		ev.addr = c.addr;
		ev.vma_start = c.region_start;
		ev.vma_end = c.region_end;
		ev.flags = (uint8_t)c.flags;
		rmt_learner_ingest(l, &ev, 1);
		if (rmt_learner_due(l))
			install(l, pf);
	}
	rmt_learner_destroy(l);
	rmt_us_rmt_pf_close(pf);
	return 0;
}
