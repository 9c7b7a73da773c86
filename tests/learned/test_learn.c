// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_learn.c - the trainer (agent/learn.c): when rounds are due (first
 * model, retraining, drift), what it promotes and rejects against the
 * heuristic and the installed model, that its blob is a valid tree over
 * the program's features that predicts what the streams do, training on
 * a backend, rollbacks, and garbage events.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backend.h"
#include "agent/learn.h"
#include "agent/learn_feat.h"
#include "mlib/format.h"
#include "proto/msg.h"
#include "vm/stream.h"

#define REGION 0x7f0000000000ull
#define PAGES 65536ull

static void feed(struct rmt_learner *l, u64 page, u32 flags)
{
	struct rmt_msg_fault ev = { 0 };

	ev.addr = REGION + (page << RMT_PAGE_SHIFT);
	ev.vma_start = REGION;
	ev.vma_end = REGION + (PAGES << RMT_PAGE_SHIFT);
	ev.flags = (u8)flags;
	ev.hook_id = 1;
	rmt_learner_ingest(l, &ev, 1);
}

/* Streams of stride 3 in 4 interleaved places, restarted now and then. */
static u64 strided(u32 i)
{
	u32 s = i % 4, k = i / 4;

	return 1000 + 10000ull * s + 3ull * (k % 300) + 2000ull * (k / 300);
}

static u32 train_ok(struct rmt_learner *l, struct rmt_learner_result *res)
{
	cr_assert_eq(rmt_learner_train(l, res), 0, "%s", res->why);
	return res->candidate_ppm;
}

Test(learn, bad_config)
{
	struct rmt_learner_config c = { .window = 10 };
	struct rmt_learner *l;

	cr_assert_eq(rmt_learner_create(&c, &l), -EINVAL);
	cr_assert_null(l);
	c.window = 0;
	c.promote_margin_ppm = 2000000;
	cr_assert_eq(rmt_learner_create(&c, &l), -EINVAL);
	c.promote_margin_ppm = 0;
	c.retrain_max_faults = 3999; /* below the default 4000 */
	cr_assert_not_null(rmt_learner_config_error(&c));
	cr_assert_eq(rmt_learner_create(&c, &l), -EINVAL);
	c.retrain_max_faults = 4000;
	cr_assert_null(rmt_learner_config_error(&c));
	cr_assert_eq(rmt_learner_create(NULL, &l), 0);
	rmt_learner_destroy(l);
	rmt_learner_destroy(NULL);
}

Test(learn, first_model_then_retraining)
{
	struct rmt_learner *l;
	struct rmt_learner_result res;
	struct rmt_model *m;
	char log[160];
	u32 i;

	cr_assert_eq(rmt_learner_create(NULL, &l), 0);
	for (i = 0; i < 450; i++)
		feed(l, strided(i), RMT_FAULT_MAJOR);
	cr_assert(!rmt_learner_due(l));
	for (; i < 520; i++)
		feed(l, strided(i), RMT_FAULT_MAJOR);
	cr_assert(rmt_learner_due(l), "first model after about 500 faults");
	train_ok(l, &res);
	cr_assert(res.promote, "%s", res.why);
	cr_assert_gt(res.candidate_ppm, res.heuristic_ppm + 500000,
		     "readahead cannot follow a stride of 3: %s", res.why);
	cr_assert_eq(res.heldout_samples,
		     (res.train_samples + res.heldout_samples) / 5, "%u %u",
		     res.heldout_samples, res.train_samples);
	cr_assert_eq(
		rmt_model_parse(res.blob, res.blob_len, &m, log, sizeof(log)),
		0, "%s", log);
	cr_assert_eq(m->n_features, RMT_LEARNED_FEATURES);
	cr_assert_eq(m->n_classes, RMT_LC_COUNT);
	rmt_model_free(m);
	free(res.blob);
	rmt_learner_installed(l, res.model_id, true);
	cr_assert(!rmt_learner_due(l));
	for (; i < 520 + 3990; i++)
		feed(l, strided(i), RMT_FAULT_MAJOR);
	cr_assert(!rmt_learner_due(l));
	for (; i < 520 + 4010; i++)
		feed(l, strided(i), RMT_FAULT_MAJOR);
	cr_assert(rmt_learner_due(l), "retrain after 4000 faults");
	/* The same pattern again: no better by the margin, rejected. */
	train_ok(l, &res);
	cr_assert(!res.promote, "%s", res.why);
	cr_assert_null(res.blob);
	cr_assert_eq(res.installed_ppm, res.candidate_ppm);
	cr_assert(!strncmp(res.why, "rejected", 8), "%s", res.why);
	rmt_learner_destroy(l);
}

/*
 * Feeds strided() faults from *i until a round is due (at most limit
 * faults), runs it, and returns how many faults it waited.
 */
static u32 next_round(struct rmt_learner *l, u32 *i, u32 limit,
		      struct rmt_learner_result *res)
{
	u32 from = *i;

	while (!rmt_learner_due(l) && *i - from < limit)
		feed(l, strided((*i)++), RMT_FAULT_MAJOR);
	cr_assert(rmt_learner_due(l), "no round after %u faults", limit);
	train_ok(l, res);
	free(res->blob);
	return *i - from;
}

Test(learn, rounds_that_change_nothing_back_off)
{
	static const u32 waits[] = { 4000, 8000, 16000, 32000, 32000 };
	struct rmt_learner *l;
	struct rmt_learner_result res;
	u32 i = 0, r, w;

	cr_assert_eq(rmt_learner_create(NULL, &l), 0);
	next_round(l, &i, 600, &res);
	cr_assert(res.promote, "%s", res.why);
	rmt_learner_installed(l, res.model_id, true);
	for (r = 0; r < sizeof(waits) / sizeof(waits[0]); r++) {
		w = next_round(l, &i, 40000, &res);
		cr_assert(!res.promote, "round %u: %s", r, res.why);
		/* Due at the first fault past the wait. */
		cr_assert(w >= waits[r] && w <= waits[r] + 1,
			  "round %u after %u faults, want %u", r, w, waits[r]);
	}
	rmt_learner_destroy(l);
}

Test(learn, a_promotion_ends_the_backoff)
{
	struct rmt_learner_config cfg = { .retrain_max_faults = 16000 };
	struct rmt_learner *l;
	struct rmt_learner_result res;
	u32 i = 0, w;

	cr_assert_eq(rmt_learner_create(&cfg, &l), 0);
	next_round(l, &i, 600, &res);
	rmt_learner_installed(l, res.model_id, true);
	next_round(l, &i, 40000, &res);
	next_round(l, &i, 40000, &res);
	w = next_round(l, &i, 40000, &res);
	cr_assert(w >= 16000 && w <= 16001, "backed off to %u", w);
	/* A model rolled back: the next round comes as soon as the first. */
	rmt_learner_installed(l, res.model_id - 3, false);
	w = next_round(l, &i, 40000, &res);
	cr_assert(w >= 500 && w <= 501, "first round after a rollback: %u", w);
	cr_assert(res.promote, "%s", res.why);
	rmt_learner_installed(l, res.model_id, true);
	w = next_round(l, &i, 40000, &res);
	cr_assert(w >= 4000 && w <= 4001, "after a promotion: %u", w);
	rmt_learner_destroy(l);
}

Test(learn, no_backoff_when_the_longest_wait_is_the_first)
{
	struct rmt_learner_config cfg = { .retrain_faults = 3000,
					  .retrain_max_faults = 3000 };
	struct rmt_learner *l;
	struct rmt_learner_result res;
	u32 i = 0, r, w;

	cr_assert_eq(rmt_learner_create(&cfg, &l), 0);
	next_round(l, &i, 600, &res);
	rmt_learner_installed(l, res.model_id, true);
	for (r = 0; r < 4; r++) {
		w = next_round(l, &i, 40000, &res);
		cr_assert(w >= 3000 && w <= 3001, "round %u after %u", r, w);
	}
	rmt_learner_destroy(l);
}

/* A round's candidate, promoted and parsed back as the datapath runs it. */
static struct rmt_model *promoted_model(struct rmt_learner *l)
{
	struct rmt_learner_result res;
	struct rmt_model *m;
	char log[160];

	train_ok(l, &res);
	cr_assert(res.promote, "%s", res.why);
	cr_assert_eq(
		rmt_model_parse(res.blob, res.blob_len, &m, log, sizeof(log)),
		0, "%s", log);
	free(res.blob);
	return m;
}

/* A stencil's rows: steps +4, -2, +1, three pages a cycle. */
static u64 rows(u32 i)
{
	static const u32 at[3] = { 4, 2, 3 };

	return 3ull * (i / 3) + at[i % 3];
}

/* Back and forth within 6 pages: near, but going nowhere. */
static u64 dither(u32 i)
{
	static const u32 at[6] = { 0, 3, 1, 5, 2, 4 };

	return at[i % 6];
}

/* Three pages a step. */
static u64 stride3(u32 i)
{
	return 3ull * i;
}

/*
 * The class m gives a fresh stream's n-th fault (its context in c) on
 * the pages base + walk(0 .. n - 1), as the datapath's stream code sees it.
 */
static u32 classify(const struct rmt_model *m, u64 (*walk)(u32), u64 base,
		    u32 n, u32 flags, struct rmt_ctx_swap_fault *c)
{
	struct rmt_streams st;
	struct rmt_infer_out o;
	s32 x[RMT_LEARNED_FEATURES];
	u32 i;

	rmt_streams_init(&st);
	for (i = 0; i < n; i++) {
		memset(c, 0, sizeof(*c));
		c->addr = REGION + ((base + walk(i)) << RMT_PAGE_SHIFT);
		c->vma_start = REGION;
		c->vma_end = REGION + (PAGES << RMT_PAGE_SHIFT);
		c->flags = flags;
		rmt_stream_fill(&st, c);
	}
	rmt_learned_features(c, x);
	cr_assert_eq(rmt_model_infer(m, x, &o), 0);
	return (u32)o.value;
}

Test(learn, the_tree_predicts_the_stride)
{
	struct rmt_learner *l;
	struct rmt_ctx_swap_fault c;
	struct rmt_model *m;
	u32 i, cls;

	cr_assert_eq(rmt_learner_create(NULL, &l), 0);
	for (i = 0; i < 2000; i++)
		feed(l, strided(i), RMT_FAULT_MAJOR);
	m = promoted_model(l);
	/* A fresh stride-3 stream. */
	cls = classify(m, stride3, 50000, 6, RMT_FAULT_MAJOR, &c);
	cr_assert(cls == RMT_LC_LAST || cls == RMT_LC_MODE, "class %u", cls);
	cr_assert_eq(rmt_learned_step(&c, cls), 3);
	rmt_model_free(m);
	rmt_learner_destroy(l);
}

/*
 * Near streams off every step: one that goes one way is a sweep, one
 * that goes nowhere is left to readahead.
 */
Test(learn, near_streams_that_go_one_way_sweep)
{
	struct rmt_learner *l;
	struct rmt_ctx_swap_fault c;
	struct rmt_model *m;
	u32 i;

	cr_assert_eq(rmt_learner_create(NULL, &l), 0);
	for (i = 0; i < 3000; i++)
		feed(l, i % 2 ? 1000 + rows(i / 2) : 40000 + dither(i / 2),
		     RMT_FAULT_PREFETCH_HIT);
	m = promoted_model(l);
	cr_assert_eq(classify(m, rows, 20000, 40, RMT_FAULT_PREFETCH_HIT, &c),
		     RMT_LC_SWEEP);
	cr_assert_eq(classify(m, dither, 30000, 40, RMT_FAULT_PREFETCH_HIT, &c),
		     RMT_LC_UNSURE);
	rmt_model_free(m);
	rmt_learner_destroy(l);
}

/*
 * A learner, retraining only on drift, fed faults of strided(), with the
 * model of its first 600 installed.
 */
static struct rmt_learner *with_stride_model(u32 faults)
{
	struct rmt_learner_config cfg = { .retrain_faults = 100000 };
	struct rmt_learner *l;
	struct rmt_learner_result res;
	u32 i;

	cr_assert_eq(rmt_learner_create(&cfg, &l), 0);
	for (i = 0; i < faults; i++) {
		feed(l, strided(i), RMT_FAULT_MAJOR);
		if (i + 1 != 600)
			continue;
		train_ok(l, &res);
		cr_assert(res.promote, "%s", res.why);
		free(res.blob);
		rmt_learner_installed(l, res.model_id, true);
	}
	return l;
}

/*
 * Faults of jumps within a stream, which the stride model gets wrong,
 * until a round is due.
 */
static u32 faults_to_drift(struct rmt_learner *l)
{
	u32 i;

	for (i = 0; i < 3000 && !rmt_learner_due(l); i++)
		feed(l, 30000 + (u64)((i * 2654435761u) >> 10) % 60, 0);
	cr_assert(rmt_learner_due(l), "no drift detected after %u faults", i);
	return i;
}

Test(learn, drift_makes_a_round_due)
{
	struct rmt_learner *l = with_stride_model(600);

	cr_assert_lt(faults_to_drift(l), 2000);
	rmt_learner_destroy(l);
}

/*
 * A model trained on a small window (the first, after 500 faults) is
 * judged after fewer live samples than one trained on a full window: on
 * spmv a young model that went wrong stayed for 2,000 faults.
 */
Test(learn, a_young_model_is_judged_sooner)
{
	struct rmt_learner *young = with_stride_model(600);
	struct rmt_learner_config cfg = { .retrain_faults = 100000 };
	struct rmt_learner *mature;
	struct rmt_learner_result res;
	u32 i, y, m;

	y = faults_to_drift(young);
	cr_assert_eq(rmt_learner_create(&cfg, &mature), 0);
	for (i = 0; i < 6000; i++)
		feed(mature, strided(i), RMT_FAULT_MAJOR);
	train_ok(mature, &res);
	cr_assert(res.promote, "%s", res.why);
	cr_assert_geq(res.train_samples, 2048, "%s", res.why);
	free(res.blob);
	rmt_learner_installed(mature, res.model_id, true);
	m = faults_to_drift(mature);
	cr_assert(y < 400 && m >= 512, "young %u faults, mature %u", y, m);
	rmt_learner_destroy(young);
	rmt_learner_destroy(mature);
}

/* One stream stepping +2, +5, +2, +5, ...: it repeats the delta before. */
static u64 alternating(u32 k)
{
	k %= 2000;
	return 45000 + 7ull * (k / 2) + 2ull * (k % 2);
}

Test(learn, a_shifted_class_mix_makes_a_round_due)
{
	struct rmt_learner_config cfg = { .retrain_faults = 100000 };
	struct rmt_learner *l;
	struct rmt_learner_result res;
	u32 i, j = 0, k = 0;

	cr_assert_eq(rmt_learner_create(&cfg, &l), 0);
	/* Mostly strides, some alternation: the model learns both. */
	for (i = 0; i < 3000; i++)
		feed(l, i % 4 ? strided(j++) : alternating(k++),
		     RMT_FAULT_MAJOR);
	train_ok(l, &res);
	cr_assert(res.promote, "%s", res.why);
	free(res.blob);
	rmt_learner_installed(l, res.model_id, true);
	/*
	 * Mostly alternation now: the model still guesses right, but the
	 * workload is no longer the one its window held.
	 */
	for (i = 0; i < 3000 && !rmt_learner_due(l); i++)
		feed(l, i % 4 ? alternating(k++) : strided(j++),
		     RMT_FAULT_MAJOR);
	cr_assert(rmt_learner_due(l), "no shift detected after %u faults", i);
	cr_assert_lt(i, 2000);
	rmt_learner_destroy(l);
}

/*
 * After a phase change (transpose at 64 MB: a column walk, then a scan
 * of the result), a model that has learned the new phase replaces the
 * old one within a few hundred faults, though the window still holds
 * thousands of samples of the old phase: the drift shows in recent
 * samples, the newest samples train too, and halving the old model's
 * errors is enough to replace it.
 */
Test(learn, a_phase_change_is_learned_soon)
{
	struct rmt_learner *l = with_stride_model(8000);
	struct rmt_learner_result res;
	u32 i, rounds = 0;

	cr_assert_not(rmt_learner_due(l));
	/* The stride model repeats the last delta; now the one before. */
	for (i = 0; i < 3000; i++) {
		feed(l, alternating(i), RMT_FAULT_MAJOR);
		if (!rmt_learner_due(l))
			continue;
		rounds++;
		train_ok(l, &res);
		free(res.blob);
		if (!res.promote)
			continue;
		rmt_learner_installed(l, res.model_id, true);
		break;
	}
	cr_assert_lt(i, 200,
		     "promoted after %u faults of the new phase, %u rounds: %s",
		     i, rounds, res.why);
	rmt_learner_destroy(l);
}

Test(learn, rollback_and_refusal)
{
	struct rmt_learner *l;
	struct rmt_learner_result res;
	u32 i;

	cr_assert_eq(rmt_learner_create(NULL, &l), 0);
	for (i = 0; i < 600; i++)
		feed(l, strided(i), RMT_FAULT_MAJOR);
	train_ok(l, &res);
	free(res.blob);
	/* Refused by the datapath: still no model, the next round is due. */
	rmt_learner_installed(l, res.model_id, false);
	for (; i < 1200; i++)
		feed(l, strided(i), RMT_FAULT_MAJOR);
	cr_assert(rmt_learner_due(l));
	train_ok(l, &res);
	cr_assert(res.promote, "%s", res.why);
	cr_assert_eq(res.installed_ppm, 0, "nothing is installed");
	free(res.blob);
	rmt_learner_installed(l, res.model_id, true);
	/* Rolled back: the heuristic is the bar again. */
	rmt_learner_installed(l, res.model_id, false);
	for (; i < 1800; i++)
		feed(l, strided(i), RMT_FAULT_MAJOR);
	cr_assert(rmt_learner_due(l));
	train_ok(l, &res);
	cr_assert_eq(res.installed_ppm, 0);
	free(res.blob);
	rmt_learner_destroy(l);
}

Test(learn, on_a_backend)
{
	struct rmt_learner_config cfg = { 0 };
	struct rmt_learner *l;
	struct rmt_learner_result res;
	struct rmt_backend *be;
	char err[320] = "";
	u32 i;

	cr_assert_eq(rmt_backend_open("cpu", NULL, &be, err, sizeof(err)), 0,
		     "%s", err);
	cfg.backend = be;
	cr_assert_eq(rmt_learner_create(&cfg, &l), 0);
	for (i = 0; i < 1000; i++)
		feed(l, strided(i), RMT_FAULT_MAJOR);
	train_ok(l, &res);
	cr_assert(res.promote, "%s", res.why);
	cr_assert_gt(res.candidate_ppm, res.heuristic_ppm + 500000, "%s",
		     res.why);
	free(res.blob);
	rmt_learner_destroy(l);
	rmt_backend_close(be);
}

Test(learn, garbage_events)
{
	struct rmt_learner *l;
	struct rmt_learner_result res;
	struct rmt_msg_fault ev;
	u64 seed = 7;
	u32 i;

	cr_assert_eq(rmt_learner_create(NULL, &l), 0);
	rmt_learner_ingest(l, NULL, 0);
	cr_assert_eq(rmt_learner_train(l, &res), 0);
	cr_assert(!res.promote);
	cr_assert(strstr(res.why, "need"), "%s", res.why);
	for (i = 0; i < 3000; i++) {
		u64 *w = (u64 *)&ev;
		u32 k;

		for (k = 0; k < sizeof(ev) / 8; k++) {
			seed = seed * 6364136223846793005ull +
			       1442695040888963407ull;
			w[k] = seed;
		}
		if (i % 3)
			ev.vma_start = REGION; /* some land in one region */
		rmt_learner_ingest(l, &ev, 1);
	}
	cr_assert_eq(rmt_learner_train(l, &res), 0);
	free(res.blob);
	rmt_learner_destroy(l);
}
