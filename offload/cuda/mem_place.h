/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * mem_place.h - device-aware memory placement for the mem_place hook's
 * actions: managed allocations that both the CPU and the GPU address,
 * a preferred location (cuMemAdvise) and migration ahead of use
 * (cuMemPrefetchAsync).  Advice and prefetch need a device with
 * concurrent managed access; elsewhere they return -EOPNOTSUPP and the
 * memory simply stays where the driver faults it.
 */
#ifndef RMT_OFFLOAD_CUDA_MEM_PLACE_H
#define RMT_OFFLOAD_CUDA_MEM_PLACE_H

#include "offload/cuda/device.h"

enum rmt_place {
	RMT_PLACE_HOST,
	RMT_PLACE_DEVICE,
};

int rmt_mem_place_alloc(struct rmt_cuda_dev *d, size_t bytes, void **out,
			char *err, size_t err_size);
void rmt_mem_place_free(struct rmt_cuda_dev *d, void *p);
/* Where the pages should live when nobody touches them. */
int rmt_mem_place_prefer(struct rmt_cuda_dev *d, void *p, size_t bytes,
			 enum rmt_place where, char *err, size_t err_size);
/* Move the pages now and wait until they are there. */
int rmt_mem_place_prefetch(struct rmt_cuda_dev *d, void *p, size_t bytes,
			   enum rmt_place where, char *err, size_t err_size);

#endif /* RMT_OFFLOAD_CUDA_MEM_PLACE_H */
