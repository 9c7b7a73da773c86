// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * loader.c - the CUDA driver, loaded at run time.  Every entry point comes
 * from cuGetProcAddress at the API version this code was written for
 * (the "_v2" ABIs of CUDA 3.2 for memory, the primary context of 7.0,
 * managed memory of 6.0/8.0), never from the symbol names, which newer
 * drivers may map to other signatures.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

#include "offload/cuda/cuda_api.h"

typedef CUresult (*get_proc_v1_t)(const char *sym, void **pfn, int ver,
				  cuuint64_t flags);
typedef CUresult (*get_proc_v2_t)(const char *sym, void **pfn, int ver,
				  cuuint64_t flags, void *status);

struct entry {
	const char *name;
	int version;
	size_t offset;
	bool optional; /* placement only: training works without it */
};

#define E(field, sym, ver)                                        \
	{                                                         \
		sym, ver, offsetof(struct rmt_cuda_api, field), 0 \
	}
#define OPT(field, sym, ver)                                      \
	{                                                         \
		sym, ver, offsetof(struct rmt_cuda_api, field), 1 \
	}

static const struct entry entries[] = {
	E(init, "cuInit", 2000),
	E(driver_get_version, "cuDriverGetVersion", 2020),
	E(get_error_name, "cuGetErrorName", 6000),
	E(get_error_string, "cuGetErrorString", 6000),
	E(device_get_count, "cuDeviceGetCount", 2000),
	E(device_get, "cuDeviceGet", 2000),
	E(device_get_name, "cuDeviceGetName", 2000),
	E(device_get_attribute, "cuDeviceGetAttribute", 2000),
	E(device_total_mem, "cuDeviceTotalMem", 3020),
	E(primary_ctx_retain, "cuDevicePrimaryCtxRetain", 7000),
	E(primary_ctx_release, "cuDevicePrimaryCtxRelease", 11000),
	E(ctx_set_current, "cuCtxSetCurrent", 4000),
	E(ctx_synchronize, "cuCtxSynchronize", 2000),
	E(module_load_data_ex, "cuModuleLoadDataEx", 2010),
	E(module_unload, "cuModuleUnload", 2000),
	E(module_get_function, "cuModuleGetFunction", 2000),
	E(launch_kernel, "cuLaunchKernel", 4000),
	E(mem_alloc, "cuMemAlloc", 3020),
	E(mem_free, "cuMemFree", 3020),
	E(memcpy_htod, "cuMemcpyHtoD", 3020),
	E(memcpy_dtoh, "cuMemcpyDtoH", 3020),
	E(memset_d8, "cuMemsetD8", 3020),
	E(stream_synchronize, "cuStreamSynchronize", 2000),
	OPT(mem_alloc_managed, "cuMemAllocManaged", 6000),
	OPT(mem_advise, "cuMemAdvise", 8000),
	OPT(mem_prefetch_async, "cuMemPrefetchAsync", 8000),
};

static int resolve(struct rmt_cuda_api *api, void *v1, void *v2, char *err,
		   size_t err_size)
{
	size_t i;

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		const struct entry *e = &entries[i];
		void *fn = NULL;
		CUresult rc;

		if (v2)
			rc = ((get_proc_v2_t)v2)(e->name, &fn, e->version,
						 CU_GET_PROC_ADDRESS_DEFAULT,
						 NULL);
		else
			rc = ((get_proc_v1_t)v1)(e->name, &fn, e->version,
						 CU_GET_PROC_ADDRESS_DEFAULT);
		if ((rc != CUDA_SUCCESS || !fn) && e->optional)
			continue;
		if (rc != CUDA_SUCCESS || !fn) {
			snprintf(err, err_size,
				 "the CUDA driver has no %s (API %d): error %d",
				 e->name, e->version, (int)rc);
			return -ENOSYS;
		}
		memcpy((char *)api + e->offset, &fn, sizeof(fn));
	}
	return 0;
}

int rmt_cuda_api_load(struct rmt_cuda_api *api, const char *path, char *err,
		      size_t err_size)
{
	void *v1, *v2;
	int rc;

	memset(api, 0, sizeof(*api));
	api->lib = dlopen(path ? path : "libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!api->lib) {
		snprintf(err, err_size, "no NVIDIA driver: %s", dlerror());
		return -ENOENT;
	}
	v2 = dlsym(api->lib, "cuGetProcAddress_v2");
	v1 = dlsym(api->lib, "cuGetProcAddress");
	if (!v1 && !v2) {
		snprintf(err, err_size,
			 "the NVIDIA driver is older than CUDA 11.3 (no "
			 "cuGetProcAddress)");
		rc = -ENOSYS;
	} else {
		rc = resolve(api, v1, v2, err, err_size);
	}
	if (!rc &&
	    api->driver_get_version(&api->driver_version) != CUDA_SUCCESS)
		api->driver_version = 0;
	if (rc)
		rmt_cuda_api_unload(api);
	return rc;
}

void rmt_cuda_api_unload(struct rmt_cuda_api *api)
{
	if (api->lib)
		dlclose(api->lib);
	memset(api, 0, sizeof(*api));
}

void rmt_cuda_error(const struct rmt_cuda_api *api, CUresult rc, char *buf,
		    size_t size)
{
	const char *name = NULL, *text = NULL;

	if (api->get_error_name)
		api->get_error_name(rc, &name);
	if (api->get_error_string)
		api->get_error_string(rc, &text);
	snprintf(buf, size, "%s (%d): %s", name ? name : "CUDA error", (int)rc,
		 text ? text : "unknown");
}
