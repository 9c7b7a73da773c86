// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_guard.c - the model guardrail: it trips only after the configured
 * number of consecutive bad windows, reports why in a RMT_MSG_GUARDRAIL
 * event that passes the protocol's own check, stays tripped whatever
 * comes next, and runs again only when readmitted.
 */
#include <criterion/criterion.h>

#include "verifier/guard.h"

static const struct rmt_guard_cfg rmt_cfg = {
	.window = 100,
	.threshold_ppm = 500000,
	.bad_windows = 2,
};

Test(guard, good_accuracy_stays_active)
{
	struct rmt_guard g;
	u32 i;

	cr_assert_eq(rmt_guard_init(&g, &rmt_cfg, 1, 2, 77), 0);
	for (i = 0; i < 1000; i++)
		cr_assert_eq(rmt_guard_record(&g, 10, 6, i, NULL), 0);
	cr_expect(rmt_guard_active(&g));
	cr_expect_eq(g.last_ppm, 600000);
}

Test(guard, trips_after_consecutive_bad_windows)
{
	struct rmt_msg_guardrail ev;
	struct rmt_guard g;

	cr_assert_eq(rmt_guard_init(&g, &rmt_cfg, 1, 2, 77), 0);
	/* bad, good, bad: never two in a row */
	cr_expect_eq(rmt_guard_record(&g, 100, 10, 1, &ev), 0);
	cr_expect_eq(rmt_guard_record(&g, 100, 90, 2, &ev), 0);
	cr_expect_eq(rmt_guard_record(&g, 100, 49, 3, &ev), 0);
	cr_expect(rmt_guard_active(&g));
	/* the second bad window in a row, in two batches */
	cr_expect_eq(rmt_guard_record(&g, 60, 20, 4, &ev), 0);
	cr_expect_eq(rmt_guard_record(&g, 40, 10, 5, &ev), 1);
	cr_expect(!rmt_guard_active(&g));
	cr_expect_eq(ev.time_ns, 5);
	cr_expect_eq(ev.model_id, 77);
	cr_expect_eq(ev.hook_id, 1);
	cr_expect_eq(ev.slot, 2);
	cr_expect_eq(ev.accuracy_ppm, 300000);
	cr_expect_eq(ev.threshold_ppm, 500000);
	cr_expect_eq(ev.window, 100);
	cr_expect_eq(rmt_msg_check(RMT_MSG_GUARDRAIL, &ev, sizeof(ev)), 0);
	/* good results do not bring it back */
	cr_expect_eq(rmt_guard_record(&g, 1000, 1000, 6, &ev), 0);
	cr_expect(!rmt_guard_active(&g));
}

Test(guard, batches_split_at_window_edges)
{
	struct rmt_guard g;

	cr_assert_eq(rmt_guard_init(&g, &rmt_cfg, 1, 2, 77), 0);
	/* 250 predictions, none hit: two full bad windows */
	cr_expect_eq(rmt_guard_record(&g, 250, 0, 1, NULL), 1);
	cr_expect(!rmt_guard_active(&g));
}

Test(guard, hits_over_predictions_are_capped)
{
	struct rmt_guard g;

	cr_assert_eq(rmt_guard_init(&g, &rmt_cfg, 1, 2, 77), 0);
	cr_expect_eq(rmt_guard_record(&g, 100, 500, 1, NULL), 0);
	cr_expect_eq(g.last_ppm, RMT_GUARD_PPM);
}

Test(guard, readmit_starts_fresh)
{
	struct rmt_guard g;

	cr_assert_eq(rmt_guard_init(&g, &rmt_cfg, 1, 2, 77), 0);
	cr_expect_eq(rmt_guard_record(&g, 200, 0, 1, NULL), 1);
	rmt_guard_readmit(&g, 78);
	cr_expect(rmt_guard_active(&g));
	cr_expect_eq(g.model_id, 78);
	/* one bad window is not enough after readmission either */
	cr_expect_eq(rmt_guard_record(&g, 100, 0, 2, NULL), 0);
	cr_expect(rmt_guard_active(&g));
}

Test(guard, bad_config)
{
	struct rmt_guard_cfg cfg = rmt_cfg;
	struct rmt_guard g;

	cfg.window = 0;
	cr_expect_eq(rmt_guard_init(&g, &cfg, 1, 2, 3), -EINVAL);
	cfg = rmt_cfg;
	cfg.bad_windows = 0;
	cr_expect_eq(rmt_guard_init(&g, &cfg, 1, 2, 3), -EINVAL);
	cfg = rmt_cfg;
	cfg.threshold_ppm = RMT_GUARD_PPM + 1;
	cr_expect_eq(rmt_guard_init(&g, &cfg, 1, 2, 3), -EINVAL);
}
