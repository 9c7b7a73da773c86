// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fake_libcuda.c - a stand-in for libcuda.so.1 that fails the way real
 * drivers do, so that the CUDA backend's fallbacks run on machines
 * without a GPU.  FAKE_CUDA selects the failure: "nodevice" (cuInit
 * finds no device), "nomodule" (a device whose architecture the kernels
 * lack), "nolaunch" (after one launch, kernels fail to launch: in the
 * middle of a job).
 * Device memory is host memory here.
 */
#include <cuda.h>
#include <stdlib.h>
#include <string.h>

static const char *mode(void)
{
	const char *m = getenv("FAKE_CUDA");

	return m ? m : "nodevice";
}

static CUresult f_init(unsigned int flags)
{
	return strcmp(mode(), "nodevice") ? CUDA_SUCCESS : CUDA_ERROR_NO_DEVICE;
}

static CUresult f_version(int *v)
{
	*v = 13000;
	return CUDA_SUCCESS;
}

static CUresult f_error_name(CUresult rc, const char **s)
{
	*s = rc == CUDA_ERROR_NO_DEVICE ? "CUDA_ERROR_NO_DEVICE" :
	     rc == CUDA_ERROR_NO_BINARY_FOR_GPU ?
					  "CUDA_ERROR_NO_BINARY_FOR_GPU" :
					  "CUDA_ERROR_LAUNCH_FAILED";
	return CUDA_SUCCESS;
}

static CUresult f_error_string(CUresult rc, const char **s)
{
	*s = "fake driver";
	return CUDA_SUCCESS;
}

static CUresult f_count(int *n)
{
	*n = 1;
	return CUDA_SUCCESS;
}

static CUresult f_get(CUdevice *d, int ordinal)
{
	*d = ordinal;
	return CUDA_SUCCESS;
}

static CUresult f_name(char *name, int len, CUdevice d)
{
	strncpy(name, "Fake GPU", (size_t)len);
	return CUDA_SUCCESS;
}

static CUresult f_attr(int *v, CUdevice_attribute a, CUdevice d)
{
	*v = a == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR ? 7 : 1;
	return CUDA_SUCCESS;
}

static CUresult f_mem(size_t *bytes, CUdevice d)
{
	*bytes = (size_t)1 << 30;
	return CUDA_SUCCESS;
}

static CUresult f_retain(CUcontext *c, CUdevice d)
{
	*c = (CUcontext)(void *)f_retain;
	return CUDA_SUCCESS;
}

static CUresult f_ok_dev(CUdevice d)
{
	return CUDA_SUCCESS;
}

static CUresult f_ok_ctx(CUcontext c)
{
	return CUDA_SUCCESS;
}

static CUresult f_ok(void)
{
	return CUDA_SUCCESS;
}

static CUresult f_load(CUmodule *m, const void *image, unsigned int n,
		       CUjit_option *o, void **v)
{
	*m = (CUmodule)(void *)f_load;
	return strcmp(mode(), "nomodule") ? CUDA_SUCCESS :
					    CUDA_ERROR_NO_BINARY_FOR_GPU;
}

static CUresult f_unload(CUmodule m)
{
	return CUDA_SUCCESS;
}

static CUresult f_function(CUfunction *f, CUmodule m, const char *name)
{
	*f = (CUfunction)(void *)f_function;
	return CUDA_SUCCESS;
}

static CUresult f_launch(CUfunction f, unsigned int gx, unsigned int gy,
			 unsigned int gz, unsigned int bx, unsigned int by,
			 unsigned int bz, unsigned int smem, CUstream s,
			 void **p, void **extra)
{
	static int launches;

	/* The first launch "runs" (does nothing), the next ones fail. */
	return launches++ ? CUDA_ERROR_LAUNCH_FAILED : CUDA_SUCCESS;
}

static CUresult f_alloc(CUdeviceptr *p, size_t bytes)
{
	*p = (CUdeviceptr)(uintptr_t)malloc(bytes);
	return *p ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

static CUresult f_free(CUdeviceptr p)
{
	free((void *)(uintptr_t)p);
	return CUDA_SUCCESS;
}

static CUresult f_htod(CUdeviceptr dst, const void *src, size_t n)
{
	memcpy((void *)(uintptr_t)dst, src, n);
	return CUDA_SUCCESS;
}

static CUresult f_dtoh(void *dst, CUdeviceptr src, size_t n)
{
	memcpy(dst, (void *)(uintptr_t)src, n);
	return CUDA_SUCCESS;
}

static CUresult f_memset(CUdeviceptr p, unsigned char v, size_t n)
{
	memset((void *)(uintptr_t)p, v, n);
	return CUDA_SUCCESS;
}

static CUresult f_managed(CUdeviceptr *p, size_t bytes, unsigned int flags)
{
	return f_alloc(p, bytes);
}

static CUresult f_advise(CUdeviceptr p, size_t n, CUmem_advise a, CUdevice d)
{
	return CUDA_SUCCESS;
}

static CUresult f_prefetch(CUdeviceptr p, size_t n, CUdevice d, CUstream s)
{
	return CUDA_SUCCESS;
}

static CUresult f_stream_sync(CUstream s)
{
	return CUDA_SUCCESS;
}

static const struct {
	const char *name;
	void *fn;
} table[] = {
	{ "cuInit", (void *)f_init },
	{ "cuDriverGetVersion", (void *)f_version },
	{ "cuGetErrorName", (void *)f_error_name },
	{ "cuGetErrorString", (void *)f_error_string },
	{ "cuDeviceGetCount", (void *)f_count },
	{ "cuDeviceGet", (void *)f_get },
	{ "cuDeviceGetName", (void *)f_name },
	{ "cuDeviceGetAttribute", (void *)f_attr },
	{ "cuDeviceTotalMem", (void *)f_mem },
	{ "cuDevicePrimaryCtxRetain", (void *)f_retain },
	{ "cuDevicePrimaryCtxRelease", (void *)f_ok_dev },
	{ "cuCtxSetCurrent", (void *)f_ok_ctx },
	{ "cuCtxSynchronize", (void *)f_ok },
	{ "cuModuleLoadDataEx", (void *)f_load },
	{ "cuModuleUnload", (void *)f_unload },
	{ "cuModuleGetFunction", (void *)f_function },
	{ "cuLaunchKernel", (void *)f_launch },
	{ "cuMemAlloc", (void *)f_alloc },
	{ "cuMemFree", (void *)f_free },
	{ "cuMemcpyHtoD", (void *)f_htod },
	{ "cuMemcpyDtoH", (void *)f_dtoh },
	{ "cuMemsetD8", (void *)f_memset },
	{ "cuMemAllocManaged", (void *)f_managed },
	{ "cuMemAdvise", (void *)f_advise },
	{ "cuMemPrefetchAsync", (void *)f_prefetch },
	{ "cuStreamSynchronize", (void *)f_stream_sync },
};

CUresult cuGetProcAddress_v2(const char *sym, void **pfn, int ver,
			     cuuint64_t flags,
			     CUdriverProcAddressQueryResult *status)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (!strcmp(table[i].name, sym)) {
			*pfn = table[i].fn;
			return CUDA_SUCCESS;
		}
	}
	*pfn = NULL;
	return CUDA_ERROR_NOT_FOUND;
}
