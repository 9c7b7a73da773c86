/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * job.h - a training job as every backend runs it (CPU threads, DPDK
 * worker lcores, a CUDA device): the algorithm, its hyper-parameters and
 * the data set in, a model in mlib's in-memory form out.  The algorithms
 * are written once against an engine (struct rmt_engine_ops) that does
 * the heavy loops, so that every backend trains the same model.
 */
#ifndef RMT_OFFLOAD_TRAIN_JOB_H
#define RMT_OFFLOAD_TRAIN_JOB_H

#include "mlib/train/cart.h"
#include "mlib/train/mlp.h"
#include "offload/train/split.h"
#include "port/rmt_port.h"

enum rmt_train_algo {
	RMT_TRAIN_CART = 1, /* histogram CART, Gini, classification */
	RMT_TRAIN_MLP = 2, /* MLP, softmax cross-entropy, mini-batch SGD */
};

enum rmt_feat_type {
	RMT_FEAT_F32 = 1,
	RMT_FEAT_S32 = 2,
};

/* The fractional bits of the integer features: picked from the data. */
#define RMT_TRAIN_FRAC_AUTO 0xffffffffu
#define RMT_BMLP_MAX_HIDDEN 4u
#define RMT_HC_MAX_BINS 256u

/*
 * n rows of n_features values (row-major) with a class label each.  The
 * job only points at the arrays: they must outlive the job.
 */
struct rmt_train_data {
	u32 n;
	u32 n_features;
	u32 n_classes;
	enum rmt_feat_type type;
	const void *x;
	const s32 *y;
	u32 frac; /* F32 only; RMT_TRAIN_FRAC_AUTO or 0..16 */
};

struct rmt_hcart_params {
	u32 max_depth; /* 1..15 */
	u32 min_samples_leaf;
	u32 max_bins; /* 2..256 */
};

enum rmt_bmlp_act {
	RMT_BMLP_RELU,
	RMT_BMLP_TANH,
};

struct rmt_bmlp_params {
	u32 n_hidden; /* 0..RMT_BMLP_MAX_HIDDEN */
	u32 hidden[RMT_BMLP_MAX_HIDDEN];
	enum rmt_bmlp_act act;
	float lr;
	float l2;
	u32 batch;
	u32 epochs;
	u64 seed; /* initial weights and the order of the rows */
};

struct rmt_train_job {
	enum rmt_train_algo algo;
	struct rmt_hcart_params cart;
	struct rmt_bmlp_params mlp;
	struct rmt_train_data data;
};

struct rmt_train_result {
	int status; /* 0 or a negative errno; err says why */
	char err[160];
	enum rmt_train_algo algo;
	struct rmt_cart tree; /* RMT_TRAIN_CART */
	struct rmt_fmlp mlp; /* RMT_TRAIN_MLP */
	char ran_on[128]; /* the device or core that trained it */
	u64 prep_ns; /* choosing the bins' cuts, or standardising */
	u64 train_ns; /* the engine's part */
	u64 queue_ns; /* submitted to started (set by the backend) */
	u64 total_ns; /* submitted to done (set by the backend) */
};

void rmt_hcart_params_default(struct rmt_hcart_params *p);
void rmt_bmlp_params_default(struct rmt_bmlp_params *p);

/* Cheap checks of shape and parameters, done before a job is queued. */
int rmt_train_check(const struct rmt_train_job *job, char *err,
		    size_t err_size);

/*
 * What a histogram CART engine works on: the job's features, which it
 * bins with the cuts (quantized with frac when float), and the labels.
 */
struct rmt_hc_data {
	u32 n, n_features, n_classes, max_bins;
	u32 min_leaf;
	enum rmt_feat_type type;
	const void *x; /* [row][feature] */
	u32 frac;
	const s32 *cuts; /* [feature][max_bins] */
	const u32 *n_bins; /* per feature */
	const u8 *cls; /* per row */
};

/* The MLP an engine trains: layer l maps size[l] to size[l + 1]. */
struct rmt_bmlp_net {
	u32 n_layers;
	u32 size[RMT_BMLP_MAX_HIDDEN + 2];
	float *w[RMT_BMLP_MAX_HIDDEN + 1]; /* [out][in] */
	float *b[RMT_BMLP_MAX_HIDDEN + 1];
	enum rmt_bmlp_act act;
};

struct rmt_bmlp_task {
	u32 n;
	const float *x; /* n * size[0], standardised */
	const u8 *y;
	u32 batch;
	float lr, l2;
	const struct rmt_bmlp_net *init;
};

/*
 * The heavy loops.  cart_begin bins the features.  A level of a CART:
 * all rows are labelled with the
 * index of their node in the current level; cart_level counts the
 * histograms of nodes n0..n0+nn-1 and returns, per node, the best split
 * of every feature (best[node * F + f]) and the class counts (tot[node *
 * K + c]); cart_route moves the rows to the next level.  mlp_epoch runs
 * one epoch of SGD over the rows in perm's order.  Errors of the engine
 * itself (a device fault) are -EIO.
 */
struct rmt_engine_ops {
	int (*cart_begin)(void *e, const struct rmt_hc_data *d, char *err,
			  size_t err_size);
	int (*cart_level)(void *e, u32 n0, u32 nn, struct rmt_hc_best *best,
			  u32 *tot, char *err, size_t err_size);
	int (*cart_route)(void *e, u32 nn, const struct rmt_hc_route *route,
			  char *err, size_t err_size);
	void (*cart_end)(void *e);
	int (*mlp_begin)(void *e, const struct rmt_bmlp_task *t, char *err,
			 size_t err_size);
	int (*mlp_epoch)(void *e, const u32 *perm, char *err, size_t err_size);
	/*
	 * Copies the trained weights into out (shaped like the task's) and
	 * releases the epoch state; out NULL only releases.
	 */
	int (*mlp_end)(void *e, struct rmt_bmlp_net *out, char *err,
		       size_t err_size);
};

struct rmt_engine {
	const struct rmt_engine_ops *ops;
	void *ctx;
	char name[128]; /* copied into rmt_train_result.ran_on */
};

/* The CPU engine: one per thread that trains. */
int rmt_engine_cpu_init(struct rmt_engine *e, const char *name);
void rmt_engine_cpu_fini(struct rmt_engine *e);

/*
 * Validate the data (labels in range) and train on the engine; res is
 * filled in any case (res->status).  Returns res->status.
 */
int rmt_train_run(const struct rmt_train_job *job, const struct rmt_engine *e,
		  struct rmt_train_result *res);
void rmt_train_result_free(struct rmt_train_result *res);

/* The parts of the algorithms below the job. */
int rmt_hcart_train(const struct rmt_train_job *job, const struct rmt_engine *e,
		    struct rmt_train_result *res);
int rmt_bmlp_train(const struct rmt_train_job *job, const struct rmt_engine *e,
		   struct rmt_train_result *res);
u64 rmt_train_now_ns(void);

#endif /* RMT_OFFLOAD_TRAIN_JOB_H */
