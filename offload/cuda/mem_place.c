// SPDX-License-Identifier: GPL-2.0 OR MIT
/* mem_place.c - managed memory, preferred location and prefetch. */
#include <stdio.h>

#include "offload/cuda/mem_place.h"

static int fail(struct rmt_cuda_dev *d, CUresult rc, const char *step,
		char *err, size_t err_size)
{
	char why[128];

	rmt_cuda_error(&d->api, rc, why, sizeof(why));
	snprintf(err, err_size, "cuda: %s: %s", step, why);
	return -EIO;
}

int rmt_mem_place_alloc(struct rmt_cuda_dev *d, size_t bytes, void **out,
			char *err, size_t err_size)
{
	CUdeviceptr p;
	CUresult rc;

	*out = NULL;
	if (!d->api.mem_alloc_managed) {
		snprintf(err, err_size,
			 "mem_place: the driver lacks cuMemAllocManaged (CUDA "
			 "6.0 API)");
		return -EOPNOTSUPP;
	}
	if (!bytes) {
		snprintf(err, err_size, "mem_place: zero bytes");
		return -EINVAL;
	}
	rc = d->api.mem_alloc_managed(&p, bytes, CU_MEM_ATTACH_GLOBAL);
	if (rc != CUDA_SUCCESS)
		return fail(d, rc, "cuMemAllocManaged", err, err_size);
	*out = (void *)(uintptr_t)p;
	return 0;
}

void rmt_mem_place_free(struct rmt_cuda_dev *d, void *p)
{
	if (p)
		d->api.mem_free((CUdeviceptr)(uintptr_t)p);
}

static int check(struct rmt_cuda_dev *d, void *p, size_t bytes,
		 enum rmt_place where, char *err, size_t err_size)
{
	if (!d->api.mem_advise || !d->api.mem_prefetch_async) {
		snprintf(err, err_size,
			 "mem_place: the driver lacks cuMemAdvise or "
			 "cuMemPrefetchAsync (CUDA 8.0 API)");
		return -EOPNOTSUPP;
	}
	if (!p || !bytes ||
	    (where != RMT_PLACE_HOST && where != RMT_PLACE_DEVICE)) {
		snprintf(err, err_size,
			 "mem_place: need a managed range and a place");
		return -EINVAL;
	}
	if (!d->concurrent_managed) {
		snprintf(err, err_size,
			 "mem_place: %s has no concurrent managed access",
			 d->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

static CUdevice target(const struct rmt_cuda_dev *d, enum rmt_place where)
{
	return where == RMT_PLACE_DEVICE ? d->dev : CU_DEVICE_CPU;
}

int rmt_mem_place_prefer(struct rmt_cuda_dev *d, void *p, size_t bytes,
			 enum rmt_place where, char *err, size_t err_size)
{
	int ret = check(d, p, bytes, where, err, err_size);
	CUresult rc;

	if (ret)
		return ret;
	rc = d->api.mem_advise((CUdeviceptr)(uintptr_t)p, bytes,
			       CU_MEM_ADVISE_SET_PREFERRED_LOCATION,
			       target(d, where));
	return rc == CUDA_SUCCESS ? 0 :
				    fail(d, rc, "cuMemAdvise", err, err_size);
}

int rmt_mem_place_prefetch(struct rmt_cuda_dev *d, void *p, size_t bytes,
			   enum rmt_place where, char *err, size_t err_size)
{
	int ret = check(d, p, bytes, where, err, err_size);
	CUresult rc;

	if (ret)
		return ret;
	rc = d->api.mem_prefetch_async((CUdeviceptr)(uintptr_t)p, bytes,
				       target(d, where), NULL);
	if (rc == CUDA_SUCCESS)
		rc = d->api.stream_synchronize(NULL);
	return rc == CUDA_SUCCESS ?
		       0 :
		       fail(d, rc, "cuMemPrefetchAsync", err, err_size);
}
