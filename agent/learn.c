// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * learn.c - the learned prefetcher's trainer (learn.h).  Fault events are
 * replayed through the datapath's own stream code (vm/stream.h), so a
 * sample's features are the ones the program will see; a sample waits in
 * its stream's slot until the stream's next fault gives its label (or
 * the stream ends: label "other").  Training takes four samples in five
 * of the window, evaluation every fifth.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/backend.h"
#include "agent/learn.h"
#include "agent/learn_feat.h"
#include "mlib/format.h"
#include "mlib/train/cart.h"
#include "mlib/train/writer.h"
#include "vm/stream.h"

#define NF RMT_LEARNED_FEATURES
#define TREE_DEPTH 8
#define MIN_LEAF 4
/* Leaves whose majority holds less than this share of 65535: unsure. */
#define SURE_CONF 0.75
#define MIN_SAMPLES 100u
/* Live accuracy this far (ppm) below the promotion's: retrain now. */
#define DRIFT_PPM 50000u
/* Live samples a model is judged on; fewer for one trained on few. */
#define DRIFT_MIN 512u
#define YOUNG_MIN 256u
/*
 * Share of the faults (ppm) whose class mix moved since the promotion
 * (half the L1 distance between the two mixes): retrain now, even if the
 * model still guesses right, since its window no longer looks like the
 * workload.
 */
#define SHIFT_PPM 250000u

struct sample {
	s32 x[NF];
	s64 step[RMT_LC_COUNT]; /* the step each class would follow */
	s64 next; /* the stream's next delta, 0 if it ended */
	u8 label;
};

struct pending {
	bool valid;
	u32 gen;
	u64 page;
	struct sample s;
};

struct rmt_learner {
	struct rmt_learner_config cfg;
	pthread_mutex_t lock;
	struct rmt_streams streams;
	struct pending pend[RMT_STREAM_SLOTS];
	struct sample *win; /* ring of cfg.window samples */
	u64 head; /* samples ever labelled */
	u64 faults;
	u64 round_faults; /* faults at the last round */
	u32 every; /* faults between periodic rounds, as backed off */
	u64 rounds;
	u64 next_id;
	/* The model in use (parsed from its blob) and the one offered. */
	struct rmt_model *installed, *offered;
	u64 installed_id, offered_id;
	u32 installed_ppm, offered_ppm; /* held-out accuracy when promoted */
	u32 installed_n, offered_n; /* samples they were trained on */
	u32 live_ok, live_n; /* its accuracy on recent samples (decayed) */
	/* Labels per class: in the training window (ppm), and since. */
	u32 offered_mix[RMT_LC_COUNT], installed_mix[RMT_LC_COUNT];
	u32 live_class[RMT_LC_COUNT];
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

/* c with its zeros replaced by the defaults. */
static struct rmt_learner_config
with_defaults(const struct rmt_learner_config *c)
{
	struct rmt_learner_config d = { 0 };

	if (c)
		d = *c;
	if (!d.first_model_faults)
		d.first_model_faults = 500;
	if (!d.retrain_faults)
		d.retrain_faults = 4000;
	if (!d.retrain_max_faults)
		d.retrain_max_faults = d.retrain_faults > UINT32_MAX / 8 ?
					       UINT32_MAX :
					       8 * d.retrain_faults;
	if (!d.window)
		d.window = 4096;
	if (!d.promote_margin_ppm)
		d.promote_margin_ppm = 10000;
	return d;
}

const char *rmt_learner_config_error(const struct rmt_learner_config *c)
{
	struct rmt_learner_config d = with_defaults(c);

	if (d.window < MIN_SAMPLES || d.window > (1u << 24))
		return "the window holds 100 to 16777216 samples";
	if (d.promote_margin_ppm > 1000000)
		return "the promotion margin is at most 1000000 ppm";
	if (d.retrain_max_faults < d.retrain_faults)
		return "below the faults between rounds it starts from "
		       "(--retrain, 4000 by default)";
	return NULL;
}

int rmt_learner_create(const struct rmt_learner_config *c,
		       struct rmt_learner **out)
{
	struct rmt_learner *l;

	*out = NULL;
	if (rmt_learner_config_error(c))
		return -EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->cfg = with_defaults(c);
	l->win = calloc(l->cfg.window, sizeof(*l->win));
	if (!l->win) {
		free(l);
		return -ENOMEM;
	}
	l->every = l->cfg.first_model_faults;
	pthread_mutex_init(&l->lock, NULL);
	rmt_streams_init(&l->streams);
	*out = l;
	return 0;
}

void rmt_learner_destroy(struct rmt_learner *l)
{
	if (!l)
		return;
	rmt_model_free(l->installed);
	rmt_model_free(l->offered);
	pthread_mutex_destroy(&l->lock);
	free(l->win);
	free(l);
}

/* The step a prediction of class cls asks for on s (0: nothing). */
static s64 pred_step(const struct sample *s, u32 cls)
{
	return cls < RMT_LC_COUNT ? s->step[cls] : 0;
}

/* A prediction is right when its step is the stream's next delta. */
static bool pred_right(const struct sample *s, u32 cls)
{
	s64 st = pred_step(s, cls);

	return st ? st == s->next : s->label == cls;
}

/* The default without a model: readahead, which follows +-1 steps. */
static u32 heuristic_class(const struct sample *s)
{
	return s->step[RMT_LC_LAST] == 1 || s->step[RMT_LC_LAST] == -1 ?
		       RMT_LC_LAST :
		       RMT_LC_UNSURE;
}

static u32 model_class(const struct rmt_model *m, const struct sample *s)
{
	struct rmt_infer_out o;

	if (rmt_model_infer(m, s->x, &o) || o.value < 0)
		return RMT_LC_OTHER;
	return (u32)o.value;
}

static bool near(s64 d)
{
	return d >= -RMT_LEARNED_NEAR && d <= RMT_LEARNED_NEAR;
}

/*
 * Every delta in the sample's history is near (features 0-7, n in 8);
 * *net is their sum, how far the stream moved over them.
 */
static bool all_near(const struct sample *s, s64 *net)
{
	u32 i;

	*net = 0;
	for (i = 0; i < RMT_STREAM_HISTORY && i < (u32)s->x[8]; i++) {
		if (!near(s->x[i]))
			return false;
		*net += s->x[i];
	}
	return true;
}

/*
 * Halves the live counts, so that they weigh the last DRIFT_MIN to
 * 2 * DRIFT_MIN samples: a phase change shows within a hundred samples
 * or so, not diluted by every sample since the model came.
 */
static void decay_live(struct rmt_learner *l)
{
	u32 c;

	l->live_ok >>= 1;
	l->live_n >>= 1;
	for (c = 0; c < RMT_LC_COUNT; c++)
		l->live_class[c] >>= 1;
}

static void label_and_keep(struct rmt_learner *l, struct pending *p, s64 next)
{
	struct sample *s = &p->s;
	s64 net;
	u32 c;

	s->next = next;
	s->label = RMT_LC_OTHER;
	for (c = RMT_LC_LAST; next && c <= RMT_LC_MODE; c++) {
		if (s->step[c] == next) {
			s->label = (u8)c;
			break;
		}
	}
	/*
	 * A stream that only ever moves by a few pages, out of order (e.g.
	 * a row's ends before its middle): off every candidate step, but
	 * near.  If it keeps going one way (half a page a fault or more), a
	 * sweep ahead of it finds its pages; else readahead's window may.
	 */
	if (s->label == RMT_LC_OTHER && next && near(next) && all_near(s, &net))
		s->label = 2 * (net < 0 ? -net : net) >= s->x[8] ?
				   RMT_LC_SWEEP :
				   RMT_LC_UNSURE;
	l->win[l->head++ % l->cfg.window] = *s;
	p->valid = false;
	if (l->installed) {
		l->live_ok += pred_right(s, model_class(l->installed, s));
		l->live_class[s->label]++;
		if (++l->live_n >= 2 * DRIFT_MIN)
			decay_live(l);
	}
}

static void ingest_one(struct rmt_learner *l, const struct rmt_msg_fault *ev)
{
	struct rmt_ctx_swap_fault c;
	struct pending *p;
	u64 pg = ev->addr >> RMT_PAGE_SHIFT;
	u32 i;

	memset(&c, 0, sizeof(c));
	c.addr = ev->addr & ~(u64)((1u << RMT_PAGE_SHIFT) - 1);
	c.vma_start = ev->vma_start;
	c.vma_end = ev->vma_end;
	c.flags = ev->flags;
	i = rmt_stream_fill(&l->streams, &c);
	p = &l->pend[i];
	if (p->valid) {
		if (p->gen != rmt_stream_gen(&l->streams, i))
			label_and_keep(l, p, 0);
		else if (pg != p->page)
			label_and_keep(l, p, (s64)(pg - p->page));
	}
	l->faults++;
	if (!rmt_learned_asks(&c) || (p->valid && pg == p->page))
		return;
	p->valid = true;
	p->gen = rmt_stream_gen(&l->streams, i);
	p->page = pg;
	rmt_learned_features(&c, p->s.x);
	for (i = 0; i < RMT_LC_COUNT; i++)
		p->s.step[i] = rmt_learned_step(&c, i);
}

void rmt_learner_ingest(struct rmt_learner *l, const struct rmt_msg_fault *ev,
			unsigned int n)
{
	unsigned int i;

	pthread_mutex_lock(&l->lock);
	for (i = 0; i < n; i++)
		ingest_one(l, &ev[i]);
	pthread_mutex_unlock(&l->lock);
}

/* How far the live class mix moved from the installed model's (ppm). */
static u32 mix_shift_ppm(const struct rmt_learner *l)
{
	u64 d = 0, live;
	u32 c;

	for (c = 0; c < RMT_LC_COUNT; c++) {
		live = (u64)l->live_class[c] * 1000000 / l->live_n;
		d += live > l->installed_mix[c] ? live - l->installed_mix[c] :
						  l->installed_mix[c] - live;
	}
	return (u32)(d / 2);
}

/* The share (ppm) of each class among the labels of s[0..n). */
static void mix_of(const struct sample *s, u32 n, u32 *mix)
{
	u32 c, i, count[RMT_LC_COUNT] = { 0 };

	for (i = 0; i < n; i++)
		count[s[i].label]++;
	for (c = 0; c < RMT_LC_COUNT; c++)
		mix[c] = n ? (u32)((u64)count[c] * 1000000 / n) : 0;
}

/*
 * The model in use got worse than it was when promoted, or the mix of
 * classes moved away from its training window's.
 */
static bool drifted_locked(const struct rmt_learner *l)
{
	/*
	 * A model trained on less than half a window (the first one, after
	 * 500 faults) knows only the start of the run; on spmv such a model
	 * went wrong on what followed and stayed for 2,000 faults.
	 */
	u32 least = l->installed_n < l->cfg.window / 2 ? YOUNG_MIN : DRIFT_MIN;

	if (!l->installed || l->live_n < least)
		return false;
	return (u64)l->live_ok * 1000000 / l->live_n + DRIFT_PPM <
		       l->installed_ppm ||
	       mix_shift_ppm(l) > SHIFT_PPM;
}

static bool due_locked(const struct rmt_learner *l)
{
	if (l->head < MIN_SAMPLES)
		return false;
	return l->faults - l->round_faults >= l->every || drifted_locked(l);
}

bool rmt_learner_due(const struct rmt_learner *l)
{
	struct rmt_learner *m = (struct rmt_learner *)l;
	bool due;

	pthread_mutex_lock(&m->lock);
	due = due_locked(l);
	pthread_mutex_unlock(&m->lock);
	return due;
}

/* Leaves the tree cannot vouch for send the fault to readahead. */
static void mark_unsure(struct rmt_cart *t)
{
	u32 i;

	t->n_classes = RMT_LC_COUNT;
	for (i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].feature < 0 && t->nodes[i].conf < SURE_CONF)
			t->nodes[i].cls = RMT_LC_UNSURE;
}

static int train_local(const struct sample *s, u32 n, struct rmt_cart *tree,
		       char *err, size_t err_size)
{
	struct rmt_dataset ds = { .n = n,
				  .n_features = NF,
				  .n_classes = RMT_LC_COUNT };
	struct rmt_cart_params p;
	u32 *idx;
	u32 i, j;
	int r = -ENOMEM;

	ds.x = malloc((size_t)n * NF * sizeof(*ds.x));
	ds.y = malloc((size_t)n * sizeof(*ds.y));
	idx = malloc((size_t)n * sizeof(*idx));
	if (!ds.x || !ds.y || !idx)
		goto out;
	for (i = 0; i < n; i++) {
		for (j = 0; j < NF; j++)
			ds.x[(size_t)i * NF + j] = s[i].x[j];
		ds.y[i] = s[i].label;
		idx[i] = i;
	}
	rmt_cart_params_default(&p);
	p.max_depth = TREE_DEPTH;
	p.min_samples_leaf = MIN_LEAF;
	p.seed = 1;
	r = rmt_cart_train(&ds, idx, n, &p, 0, tree, err, err_size);
out:
	free(ds.x);
	free(ds.y);
	free(idx);
	if (r == -ENOMEM && !err[0])
		snprintf(err, err_size, "out of memory");
	return r;
}

static int train_backend(struct rmt_backend *be, const struct sample *s, u32 n,
			 struct rmt_cart *tree, char *ran_on, size_t ran_size,
			 char *err, size_t err_size)
{
	struct rmt_train_job job = { .algo = RMT_TRAIN_CART };
	struct rmt_train_result res;
	struct rmt_job *j;
	s32 *x = malloc((size_t)n * NF * sizeof(*x));
	s32 *y = malloc((size_t)n * sizeof(*y));
	u32 i;
	int r = -ENOMEM;

	if (!x || !y)
		goto out;
	for (i = 0; i < n; i++) {
		memcpy(x + (size_t)i * NF, s[i].x, sizeof(s[i].x));
		y[i] = s[i].label;
	}
	rmt_hcart_params_default(&job.cart);
	job.cart.max_depth = TREE_DEPTH;
	job.cart.min_samples_leaf = MIN_LEAF;
	job.data = (struct rmt_train_data){ .n = n,
					    .n_features = NF,
					    .n_classes = RMT_LC_COUNT,
					    .type = RMT_FEAT_S32,
					    .x = x,
					    .y = y };
	r = rmt_backend_submit(be, &job, &j, err, err_size);
	if (r)
		goto out;
	rmt_job_wait(j, -1);
	r = rmt_job_take(j, &res);
	rmt_job_release(j);
	if (!r)
		snprintf(ran_on, ran_size, "%s", res.ran_on);
	if (!r && res.status) {
		r = res.status;
		snprintf(err, err_size, "%s", res.err);
	}
	if (!r) {
		*tree = res.tree;
		memset(&res.tree, 0, sizeof(res.tree));
	}
	if (!r || res.status)
		rmt_train_result_free(&res);
out:
	free(x);
	free(y);
	return r;
}

static u32 score_ppm(const struct sample *s, u32 n, const struct rmt_model *m)
{
	u64 ok = 0;
	u32 i;

	for (i = 0; i < n; i++)
		ok += pred_right(&s[i], m ? model_class(m, &s[i]) :
					    heuristic_class(&s[i]));
	return n ? (u32)(ok * 1000000 / n) : 0;
}

/*
 * The window's samples, copied under the lock, oldest first: the ones to
 * train on, then every fifth (*held of them), held out for judging.
 * Interleaved, not the newest fifth, so that the newest samples also
 * train: after a phase change the newest fifth is all of the new phase,
 * and a candidate trained only on what came before cannot learn it.
 */
static struct sample *snapshot(struct rmt_learner *l, u32 *n, u32 *held)
{
	u64 have = l->head < l->cfg.window ? l->head : l->cfg.window;
	u64 first = l->head - have, i, t = 0, h = have - have / 5;
	struct sample *s = malloc((size_t)(have ? have : 1) * sizeof(*s));

	*n = *held = 0;
	if (!s)
		return NULL;
	for (i = 0; i < have; i++)
		s[i % 5 == 4 ? h++ : t++] = l->win[(first + i) % l->cfg.window];
	*n = (u32)have;
	*held = (u32)(have / 5);
	return s;
}

static int build_candidate(struct rmt_learner *l, const struct sample *s, u32 n,
			   struct rmt_learner_result *res,
			   struct rmt_model **cand)
{
	struct rmt_cart tree = { 0 };
	struct rmt_model *m = NULL;
	char err[160] = "";
	int r;

	snprintf(res->ran_on, sizeof(res->ran_on), "the trainer's thread");
	r = l->cfg.backend ?
		    train_backend(l->cfg.backend, s, n, &tree, res->ran_on,
				  sizeof(res->ran_on), err, sizeof(err)) :
		    train_local(s, n, &tree, err, sizeof(err));
	if (!r) {
		mark_unsure(&tree);
		r = rmt_cart_to_model(&tree, 1, 0, &m, err, sizeof(err));
	}
	rmt_cart_free(&tree);
	if (!r)
		r = rmt_model_write(m, &res->blob, &res->blob_len);
	rmt_model_free(m);
	/* Judge what the datapath will run: the blob, parsed back. */
	if (!r)
		r = rmt_model_parse(res->blob, res->blob_len, cand, err,
				    sizeof(err));
	if (r)
		snprintf(res->why, sizeof(res->why), "failed: %s",
			 err[0] ? err : strerror(-r));
	return r;
}

/*
 * The gain (ppm of the held samples) a candidate needs to replace a model
 * scoring installed_ppm: the margin, or half the model's errors where that
 * is less, but at least 4 samples.  A phase change that a model gets
 * wrong shows in the newest samples only, a small share of the held-out
 * ones: a candidate that has learned the new phase removes most of the
 * errors without reaching the margin.  4 samples right where the model
 * is wrong, and none the other way, is the least that McNemar's test
 * finds significant at 5%.
 */
static u32 replace_gain(u32 installed_ppm, u32 margin_ppm, u32 held)
{
	u32 half = (1000000 - installed_ppm) / 2;
	u32 least = held ? (u32)(4000000ull / held) : 1000000;
	u32 gain = half > least ? half : least;

	return gain < margin_ppm ? gain : margin_ppm;
}

/*
 * Faults until the next periodic round.  A round that keeps what runs
 * (the model, or the heuristic before one) doubles the wait, up
 * to retrain_max_faults: a workload the model has right costs fewer and
 * fewer rounds (pointer chasing trained 26 times in 105,000 faults, each
 * round rejected).  A promotion, or a round called by a drift (even one
 * no candidate beat), brings the wait back to the first: the workload is
 * moving.
 */
static u32 next_every(const struct rmt_learner *l, bool promote, bool drifted)
{
	u32 max = l->cfg.retrain_max_faults;

	if (promote || drifted)
		return l->installed ? l->cfg.retrain_faults :
				      l->cfg.first_model_faults;
	return l->every > max / 2 ? max : 2 * l->every;
}

int rmt_learner_train(struct rmt_learner *l, struct rmt_learner_result *res)
{
	struct rmt_model *cand = NULL;
	struct sample *s;
	u64 t0 = now_ns();
	u32 n, held, bar;
	bool drifted;
	int r;

	memset(res, 0, sizeof(*res));
	pthread_mutex_lock(&l->lock);
	drifted = drifted_locked(l);
	s = snapshot(l, &n, &held);
	l->round_faults = l->faults;
	l->rounds++;
	res->model_id = ++l->next_id;
	pthread_mutex_unlock(&l->lock);
	if (!s)
		return -ENOMEM;
	if (n < MIN_SAMPLES) {
		snprintf(res->why, sizeof(res->why),
			 "rejected: %u labelled samples, need %u", n,
			 MIN_SAMPLES);
		free(s);
		return 0;
	}
	res->train_samples = n - held;
	res->heldout_samples = held;
	r = build_candidate(l, s, n - held, res, &cand);
	if (r) {
		free(res->blob);
		res->blob = NULL;
		res->blob_len = 0;
		free(s);
		return r;
	}
	res->train_ns = now_ns() - t0;
	res->candidate_ppm = score_ppm(s + n - held, held, cand);
	res->heuristic_ppm = score_ppm(s + n - held, held, NULL);
	pthread_mutex_lock(&l->lock);
	res->installed_ppm =
		l->installed ? score_ppm(s + n - held, held, l->installed) : 0;
	/*
	 * Against the default the model need only be as good at the next
	 * step, since it also keeps a deeper lookahead; replacing a model
	 * takes the margin, or less where the installed one is nearly right.
	 */
	bar = l->installed ?
		      res->installed_ppm +
			      replace_gain(res->installed_ppm,
					   l->cfg.promote_margin_ppm, held) :
		      res->heuristic_ppm;
	/* A perfect candidate cannot beat the margin, but it is better. */
	if (bar > 1000000)
		bar = res->installed_ppm < 1000000 ? 1000000 : bar;
	res->promote = res->candidate_ppm >= bar;
	l->every = next_every(l, res->promote, drifted);
	if (!res->promote && l->installed) {
		/*
		 * The model stays: judge its drift from now on against what
		 * this round measured, or a drift that no candidate beats
		 * keeps every later fault due for another round.
		 */
		l->installed_ppm = res->installed_ppm;
		mix_of(s, n - held, l->installed_mix);
		l->live_ok = l->live_n = 0;
		memset(l->live_class, 0, sizeof(l->live_class));
	}
	if (res->promote) {
		mix_of(s, n - held, l->offered_mix);
		rmt_model_free(l->offered);
		l->offered = cand;
		l->offered_id = res->model_id;
		l->offered_ppm = res->candidate_ppm;
		l->offered_n = res->train_samples;
		cand = NULL;
	}
	pthread_mutex_unlock(&l->lock);
	snprintf(res->why, sizeof(res->why),
		 "%s: candidate %u ppm, installed %u, heuristic %u, bar %u "
		 "(%u train, %u held out)",
		 res->promote ? "promoted" : "rejected", res->candidate_ppm,
		 res->installed_ppm, res->heuristic_ppm, bar,
		 res->train_samples, res->heldout_samples);
	if (!res->promote) {
		free(res->blob);
		res->blob = NULL;
		res->blob_len = 0;
	}
	rmt_model_free(cand);
	free(s);
	return 0;
}

void rmt_learner_set_backend(struct rmt_learner *l, struct rmt_backend *b)
{
	l->cfg.backend = b;
}

void rmt_learner_installed(struct rmt_learner *l, u64 model_id, bool installed)
{
	pthread_mutex_lock(&l->lock);
	if (l->offered && l->offered_id == model_id) {
		if (installed) {
			rmt_model_free(l->installed);
			l->installed = l->offered;
			l->installed_id = model_id;
			l->installed_ppm = l->offered_ppm;
			l->installed_n = l->offered_n;
			l->every = l->cfg.retrain_faults;
			l->live_ok = l->live_n = 0;
			memcpy(l->installed_mix, l->offered_mix,
			       sizeof(l->installed_mix));
			memset(l->live_class, 0, sizeof(l->live_class));
		} else {
			rmt_model_free(l->offered);
		}
		l->offered = NULL;
	} else if (!installed && l->installed && l->installed_id == model_id) {
		/* Rolled back: the datapath runs its default again. */
		rmt_model_free(l->installed);
		l->installed = NULL;
		l->every = l->cfg.first_model_faults;
	}
	pthread_mutex_unlock(&l->lock);
}
