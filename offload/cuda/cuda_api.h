/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * cuda_api.h - the CUDA driver API functions rmt uses, resolved at run
 * time: dlopen("libcuda.so.1"), then cuGetProcAddress for each function
 * at a pinned API version, so a binary built here starts (and falls back
 * to the CPU) on machines without the driver, and a newer driver keeps
 * giving the ABI this code was written against.  cuda.h supplies only
 * the types.
 */
#ifndef RMT_OFFLOAD_CUDA_API_H
#define RMT_OFFLOAD_CUDA_API_H

#include <cuda.h>

#include "port/rmt_port.h"

struct rmt_cuda_api {
	void *lib;
	int driver_version;
	CUresult (*init)(unsigned int flags);
	CUresult (*driver_get_version)(int *v);
	CUresult (*get_error_name)(CUresult rc, const char **s);
	CUresult (*get_error_string)(CUresult rc, const char **s);
	CUresult (*device_get_count)(int *n);
	CUresult (*device_get)(CUdevice *d, int ordinal);
	CUresult (*device_get_name)(char *name, int len, CUdevice d);
	CUresult (*device_get_attribute)(int *v, CUdevice_attribute a,
					 CUdevice d);
	CUresult (*device_total_mem)(size_t *bytes, CUdevice d);
	CUresult (*primary_ctx_retain)(CUcontext *c, CUdevice d);
	CUresult (*primary_ctx_release)(CUdevice d);
	CUresult (*ctx_set_current)(CUcontext c);
	CUresult (*ctx_synchronize)(void);
	CUresult (*module_load_data_ex)(CUmodule *m, const void *image,
					unsigned int n, CUjit_option *opts,
					void **vals);
	CUresult (*module_unload)(CUmodule m);
	CUresult (*module_get_function)(CUfunction *f, CUmodule m,
					const char *name);
	CUresult (*launch_kernel)(CUfunction f, unsigned int gx,
				  unsigned int gy, unsigned int gz,
				  unsigned int bx, unsigned int by,
				  unsigned int bz, unsigned int smem,
				  CUstream s, void **params, void **extra);
	CUresult (*mem_alloc)(CUdeviceptr *p, size_t bytes);
	CUresult (*mem_free)(CUdeviceptr p);
	CUresult (*memcpy_htod)(CUdeviceptr dst, const void *src, size_t bytes);
	CUresult (*memcpy_dtoh)(void *dst, CUdeviceptr src, size_t bytes);
	CUresult (*memset_d8)(CUdeviceptr p, unsigned char v, size_t n);
	/* NULL when the driver lacks them (see mem_place.h). */
	CUresult (*mem_alloc_managed)(CUdeviceptr *p, size_t bytes,
				      unsigned int flags);
	CUresult (*mem_advise)(CUdeviceptr p, size_t bytes, CUmem_advise a,
			       CUdevice d);
	CUresult (*mem_prefetch_async)(CUdeviceptr p, size_t bytes, CUdevice d,
				       CUstream s);
	CUresult (*stream_synchronize)(CUstream s);
};

/*
 * Load the driver (path NULL: "libcuda.so.1") and resolve every function.
 * On failure err says what is missing and nothing stays loaded.
 */
int rmt_cuda_api_load(struct rmt_cuda_api *api, const char *path, char *err,
		      size_t err_size);
void rmt_cuda_api_unload(struct rmt_cuda_api *api);

/* "CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected". */
void rmt_cuda_error(const struct rmt_cuda_api *api, CUresult rc, char *buf,
		    size_t size);

#endif /* RMT_OFFLOAD_CUDA_API_H */
