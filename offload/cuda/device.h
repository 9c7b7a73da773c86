/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * device.h - one CUDA device ready to train: the driver, the device's
 * primary context, the embedded kernel modules and their functions.
 */
#ifndef RMT_OFFLOAD_CUDA_DEVICE_H
#define RMT_OFFLOAD_CUDA_DEVICE_H

#include "offload/cuda/cuda_api.h"
#include "offload/train/job.h"

enum rmt_cuda_fn {
	RMT_CUDA_HC_BIN,
	RMT_CUDA_HC_HIST,
	RMT_CUDA_HC_BEST,
	RMT_CUDA_HC_ROUTE,
	RMT_CUDA_MLP_GATHER,
	RMT_CUDA_MLP_FORWARD,
	RMT_CUDA_MLP_OUT_DELTA,
	RMT_CUDA_MLP_BACKWARD,
	RMT_CUDA_MLP_UPDATE,
	RMT_CUDA_N_FN,
};

struct rmt_cuda_dev {
	struct rmt_cuda_api api;
	CUdevice dev;
	CUcontext ctx;
	CUmodule mod[2];
	CUfunction fn[RMT_CUDA_N_FN];
	char name[96];
	int cc_major, cc_minor, sms;
	size_t mem;
	bool concurrent_managed; /* CPU and GPU may touch managed memory */
	char describe[160]; /* "NVIDIA H100 (sm_90, 132 SMs, 80 GiB)" */
};

/*
 * Load the driver (NULL: libcuda.so.1), open device ordinal, load the
 * kernels.  Any failure: a negative errno and err says why in one line.
 */
int rmt_cuda_dev_open(struct rmt_cuda_dev *d, const char *driver, u32 ordinal,
		      char *err, size_t err_size);
/* Make the device's context current on the calling thread. */
int rmt_cuda_dev_bind(struct rmt_cuda_dev *d, char *err, size_t err_size);
void rmt_cuda_dev_close(struct rmt_cuda_dev *d);

/* The engine ops on this device (bind the thread first). */
int rmt_engine_cuda_init(struct rmt_engine *e, struct rmt_cuda_dev *d);
void rmt_engine_cuda_fini(struct rmt_engine *e);

#endif /* RMT_OFFLOAD_CUDA_DEVICE_H */
