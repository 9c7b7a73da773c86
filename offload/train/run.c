// SPDX-License-Identifier: GPL-2.0 OR MIT
/* run.c - job checks, defaults and the dispatch to an algorithm. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "offload/train/job.h"

/* Rows, so that class counts and their squares stay exact (split.h). */
#define MAX_ROWS 0x7fffffffu
#define MAX_WIDTH 1024u

void rmt_hcart_params_default(struct rmt_hcart_params *p)
{
	p->max_depth = 8;
	p->min_samples_leaf = 1;
	p->max_bins = 256;
}

void rmt_bmlp_params_default(struct rmt_bmlp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->n_hidden = 2;
	p->hidden[0] = 32;
	p->hidden[1] = 32;
	p->act = RMT_BMLP_RELU;
	p->lr = 0.05f;
	p->l2 = 1e-4f;
	p->batch = 64;
	p->epochs = 5;
	p->seed = 42;
}

u64 rmt_train_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000u + (u64)ts.tv_nsec;
}

static int check_data(const struct rmt_train_data *d, char *err,
		      size_t err_size)
{
	if (!d->x || !d->y || !d->n || d->n > MAX_ROWS) {
		snprintf(err, err_size,
			 "the data set needs features, labels and 1 to %u rows",
			 MAX_ROWS);
		return -EINVAL;
	}
	if (!d->n_features || d->n_features > RMT_MODEL_MAX_FEATURES) {
		snprintf(err, err_size, "%u features: need 1 to %u",
			 d->n_features, RMT_MODEL_MAX_FEATURES);
		return -EINVAL;
	}
	if (d->n_classes < 1 || d->n_classes > RMT_HC_MAX_CLASSES) {
		snprintf(err, err_size, "%u classes: need 1 to %u",
			 d->n_classes, RMT_HC_MAX_CLASSES);
		return -EINVAL;
	}
	if (d->type != RMT_FEAT_F32 && d->type != RMT_FEAT_S32) {
		snprintf(err, err_size, "feature type %d: need float or s32",
			 (int)d->type);
		return -EINVAL;
	}
	if (d->type == RMT_FEAT_F32 && d->frac != RMT_TRAIN_FRAC_AUTO &&
	    d->frac > 16) {
		snprintf(err, err_size, "%u fractional bits: at most 16",
			 d->frac);
		return -EINVAL;
	}
	return 0;
}

static int check_cart(const struct rmt_hcart_params *p, char *err,
		      size_t err_size)
{
	if (p->max_depth < 1 || p->max_depth > 15 || p->max_bins < 2 ||
	    p->max_bins > RMT_HC_MAX_BINS || p->min_samples_leaf < 1) {
		snprintf(err, err_size,
			 "cart: depth must be 1..15, bins 2..%u, min samples "
			 "per leaf at least 1",
			 RMT_HC_MAX_BINS);
		return -EINVAL;
	}
	return 0;
}

static int check_mlp(const struct rmt_bmlp_params *p, char *err,
		     size_t err_size)
{
	u32 l;

	if (p->n_hidden > RMT_BMLP_MAX_HIDDEN) {
		snprintf(err, err_size, "mlp: at most %u hidden layers",
			 RMT_BMLP_MAX_HIDDEN);
		return -EINVAL;
	}
	for (l = 0; l < p->n_hidden; l++) {
		if (p->hidden[l] < 1 || p->hidden[l] > MAX_WIDTH) {
			snprintf(err, err_size,
				 "mlp: hidden layer %u has %u units: need 1 "
				 "to %u",
				 l, p->hidden[l], MAX_WIDTH);
			return -EINVAL;
		}
	}
	if (p->act != RMT_BMLP_RELU && p->act != RMT_BMLP_TANH) {
		snprintf(err, err_size, "mlp: unknown activation %d",
			 (int)p->act);
		return -EINVAL;
	}
	if (!(p->lr > 0 && p->lr < 10) || !(p->l2 >= 0 && p->l2 < 1) ||
	    p->batch < 1 || p->batch > 65536 || p->epochs < 1) {
		snprintf(err, err_size,
			 "mlp: need 0 < lr < 10, 0 <= l2 < 1, batch 1..65536 "
			 "and at least one epoch");
		return -EINVAL;
	}
	return 0;
}

int rmt_train_check(const struct rmt_train_job *job, char *err, size_t err_size)
{
	int rc = check_data(&job->data, err, err_size);

	if (rc)
		return rc;
	if (job->algo == RMT_TRAIN_CART)
		return check_cart(&job->cart, err, err_size);
	if (job->algo == RMT_TRAIN_MLP)
		return check_mlp(&job->mlp, err, err_size);
	snprintf(err, err_size, "unknown algorithm %d", (int)job->algo);
	return -EINVAL;
}

static int check_labels(const struct rmt_train_data *d, char *err,
			size_t err_size)
{
	u32 i;

	for (i = 0; i < d->n; i++) {
		if (d->y[i] < 0 || (u32)d->y[i] >= d->n_classes) {
			snprintf(err, err_size,
				 "row %u: label %d outside 0..%u", i, d->y[i],
				 d->n_classes - 1);
			return -EINVAL;
		}
	}
	return 0;
}

int rmt_train_run(const struct rmt_train_job *job, const struct rmt_engine *e,
		  struct rmt_train_result *res)
{
	memset(res, 0, sizeof(*res));
	res->algo = job->algo;
	snprintf(res->ran_on, sizeof(res->ran_on), "%s", e->name);
	res->status = rmt_train_check(job, res->err, sizeof(res->err));
	if (!res->status)
		res->status =
			check_labels(&job->data, res->err, sizeof(res->err));
	if (res->status)
		return res->status;
	if (job->algo == RMT_TRAIN_CART)
		res->status = rmt_hcart_train(job, e, res);
	else
		res->status = rmt_bmlp_train(job, e, res);
	return res->status;
}

void rmt_train_result_free(struct rmt_train_result *res)
{
	rmt_cart_free(&res->tree);
	rmt_fmlp_free(&res->mlp);
}
