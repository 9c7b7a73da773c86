// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rig.c - the agent tests' datapath in one process: memfd rings and a
 * statistics area, the control thread in front of slot.rmt, and an
 * agent handle on them.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mlib/train/writer.h"
#include "tests/agent/rig.h"

struct rig R;

int rig_put_reply(void *arg, const void *rec, uint32_t len)
{
	int err;

	pthread_mutex_lock(&R.lock);
	err = rmt_ring_produce(&R.ev_prod, RMT_MSG_REPLY, rec, len);
	pthread_mutex_unlock(&R.lock);
	return err;
}

static void setup_rig(bool thread)
{
	struct rmt_us_ctl_config cc = { .reply = rig_put_reply,
					.prefetcher = "slot.rmt" };
	char err[256] = "";

	memset(&R, 0, sizeof(R));
	pthread_mutex_init(&R.lock, NULL);
	cr_assert_eq(rmt_ring_memfd_create("ev", 1u << 20, 256, &R.ev), 0);
	cr_assert_eq(rmt_ring_memfd_create("cmd", RMT_US_CMD_RING_DATA,
					   RMT_US_CMD_MAX_PAYLOAD, &R.cmd),
		     0);
	cr_assert_eq(rmt_ring_prod_attach(&R.ev_prod, R.ev.mem, R.ev.len), 0);
	R.stats_fd = memfd_create("stats", MFD_CLOEXEC);
	cr_assert(R.stats_fd >= 0 && !ftruncate(R.stats_fd, sizeof(*R.st)));
	R.st = mmap(NULL, sizeof(*R.st), PROT_READ | PROT_WRITE, MAP_SHARED,
		    R.stats_fd, 0);
	cr_assert(R.st != MAP_FAILED);
	rmt_us_stats_init(R.st);
	cr_assert_eq(rmt_us_rmt_pf_open(RMT_TEST_DIR "/slot.rmt", &R.pf, err,
					sizeof(err)),
		     0, "%s", err);
	cc.cmd_mem = R.cmd.mem;
	cc.cmd_len = R.cmd.len;
	cc.stats = R.st;
	cc.target.priv = R.pf;
	cc.target.slot_inputs = rmt_us_rmt_pf_slot_inputs;
	cc.target.set_model = rmt_us_rmt_pf_install_model;
	cr_assert_eq(rmt_us_ctl_create(&cc, thread, &R.ctl), 0);
	if (thread)
		cr_assert_eq(rmt_dp_from_fds(R.ev.fd, R.cmd.fd, R.stats_fd,
					     &R.dp, err, sizeof(err)),
			     0, "%s", err);
}

void rig_with_thread(void)
{
	setup_rig(true);
}

void rig_without_thread(void)
{
	setup_rig(false);
}

void rig_teardown(void)
{
	rmt_dp_detach(R.dp);
	rmt_us_ctl_destroy(R.ctl);
	rmt_us_rmt_pf_close(R.pf);
	munmap(R.st, sizeof(*R.st));
	close(R.stats_fd);
	rmt_ring_unmap(&R.ev);
	rmt_ring_unmap(&R.cmd);
}

/* A model answering class k whatever it reads (a one-leaf tree). */
u8 *rig_const_model(u16 n_features, s32 k, size_t *len)
{
	struct rmt_tree_node leaf = { RMT_TREE_LEAF, 65535, k, 0, 0 };
	struct rmt_tree t = { 1, 0, &leaf };
	struct rmt_model m;
	u8 *buf;

	memset(&m, 0, sizeof(m));
	m.type = RMT_MODEL_TREE;
	m.n_features = n_features;
	m.n_classes = 64;
	m.n_trees = 1;
	m.trees = &t;
	cr_assert_eq(rmt_model_write(&m, &buf, len), 0);
	return buf;
}

/* Pages the pipeline prefetches for one fault. */
int rig_decide(void)
{
	struct rmt_us_fault_ctx c = { .addr = 0x100000,
				      .region_start = 0,
				      .region_end = 1ull << 30 };
	uint64_t pages[RMT_US_MAX_PREFETCH];
	int n = rmt_us_rmt_pf_run(R.pf, &c, pages, RMT_US_MAX_PREFETCH);

	if (n > 0)
		cr_assert_eq(pages[0], 0x101000);
	return n;
}
