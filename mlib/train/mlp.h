/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * mlp.h - float MLP training in user space (back-propagation, softmax
 * cross-entropy, SGD with momentum or Adam, mini-batches, early stopping
 * on a validation split, feature standardisation kept in the model),
 * magnitude pruning, and post-training quantization into the integer
 * MLP of mlib/model.h.
 */
#ifndef RMT_MLIB_TRAIN_MLP_H
#define RMT_MLIB_TRAIN_MLP_H

#include "mlib/model.h"
#include "mlib/train/dataset.h"

#define RMT_FMLP_MAX_HIDDEN 8u

enum rmt_fmlp_act {
	RMT_FMLP_RELU,
	RMT_FMLP_TANH,
	RMT_FMLP_SIGMOID,
};

enum rmt_fmlp_opt {
	RMT_FMLP_ADAM,
	RMT_FMLP_SGD,
};

struct rmt_fmlp_params {
	u32 n_hidden;
	u32 hidden[RMT_FMLP_MAX_HIDDEN];
	enum rmt_fmlp_act act;
	enum rmt_fmlp_opt opt;
	double lr; /* Adam 1e-3, SGD 1e-2 */
	double momentum; /* SGD */
	double l2; /* sklearn's alpha */
	u32 batch; /* 0: min(200, n) */
	u32 max_epochs;
	double val_fraction; /* held out for early stopping; 0: none */
	u32 patience; /* epochs without validation gain */
	u64 seed;
};

/* A float MLP: layer l maps size[l] to size[l+1]; w[l] is [out][in]. */
struct rmt_fmlp {
	u32 n_layers;
	u32 size[RMT_FMLP_MAX_HIDDEN + 2];
	double *w[RMT_FMLP_MAX_HIDDEN + 1];
	double *b[RMT_FMLP_MAX_HIDDEN + 1];
	double *mean, *std; /* standardisation per feature */
	enum rmt_fmlp_act act;
	u32 frac; /* fractional bits of the integer features */
	u32 epochs; /* trained */
	double val_accuracy; /* best, if a validation split was used */
};

void rmt_fmlp_params_default(struct rmt_fmlp_params *p);
int rmt_fmlp_train(const struct rmt_dataset *ds,
		   const struct rmt_fmlp_params *p, struct rmt_fmlp *out,
		   char *err, size_t err_size);
void rmt_fmlp_free(struct rmt_fmlp *m);

/* Float reference: the class of x; scores (optional) get the logits. */
s32 rmt_fmlp_predict(const struct rmt_fmlp *m, const double *x, double *scores);
double rmt_fmlp_accuracy(const struct rmt_fmlp *m,
			 const struct rmt_dataset *ds);

/* Zero the given fraction of each layer's weights of least magnitude. */
int rmt_fmlp_prune(struct rmt_fmlp *m, double fraction);

/*
 * Quantize with activation ranges calibrated on calib: int8 activations,
 * wbits (8 or 16) weights.  Rejects NaN or infinite parameters.
 */
int rmt_fmlp_quantize(const struct rmt_fmlp *m, const struct rmt_dataset *calib,
		      u32 wbits, struct rmt_model **out, char *err,
		      size_t err_size);

/* Accuracy of the integer path on ds (features quantized as the model says). */
double rmt_model_accuracy(const struct rmt_model *m,
			  const struct rmt_dataset *ds);

#endif /* RMT_MLIB_TRAIN_MLP_H */
