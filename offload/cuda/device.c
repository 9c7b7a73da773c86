// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * device.c - opening a CUDA device: driver, device, primary context,
 * kernel modules.  Every failure becomes one line saying which step
 * failed and the driver's reason.
 */
#include <stdio.h>

#include "offload/cuda/device.h"
#include "offload/cuda/kernels.h"

static const char *const fn_names[RMT_CUDA_N_FN] = {
	[RMT_CUDA_HC_BIN] = "rmt_hc_bin",
	[RMT_CUDA_HC_HIST] = "rmt_hc_hist",
	[RMT_CUDA_HC_BEST] = "rmt_hc_best_split",
	[RMT_CUDA_HC_ROUTE] = "rmt_hc_route",
	[RMT_CUDA_MLP_GATHER] = "rmt_mlp_gather",
	[RMT_CUDA_MLP_FORWARD] = "rmt_mlp_forward",
	[RMT_CUDA_MLP_OUT_DELTA] = "rmt_mlp_out_delta",
	[RMT_CUDA_MLP_BACKWARD] = "rmt_mlp_backward",
	[RMT_CUDA_MLP_UPDATE] = "rmt_mlp_update",
};

static int fail(struct rmt_cuda_dev *d, CUresult rc, const char *step,
		char *err, size_t err_size)
{
	char why[128];

	rmt_cuda_error(&d->api, rc, why, sizeof(why));
	snprintf(err, err_size, "%s: %s", step, why);
	return rc == CUDA_ERROR_NO_DEVICE ? -ENODEV : -EIO;
}

static int load_module(struct rmt_cuda_dev *d, int i, const void *image,
		       char *err, size_t err_size)
{
	char log[256] = "";
	CUjit_option opt[] = { CU_JIT_ERROR_LOG_BUFFER,
			       CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES };
	void *val[] = { log, (void *)(uintptr_t)sizeof(log) };
	CUresult rc =
		d->api.module_load_data_ex(&d->mod[i], image, 2, opt, val);

	if (rc == CUDA_SUCCESS)
		return 0;
	fail(d, rc, "loading the kernels", err, err_size);
	if (log[0]) {
		size_t len = strlen(err);

		snprintf(err + len, err_size - len, " (%s)", log);
	}
	d->mod[i] = NULL;
	return -EIO;
}

static int load_kernels(struct rmt_cuda_dev *d, char *err, size_t err_size)
{
	CUresult rc;
	int i;

	if (load_module(d, 0, rmt_cuda_hist_fatbin, err, err_size) ||
	    load_module(d, 1, rmt_cuda_mlp_fatbin, err, err_size))
		return -EIO;
	for (i = 0; i < RMT_CUDA_N_FN; i++) {
		rc = d->api.module_get_function(
			&d->fn[i], d->mod[i >= RMT_CUDA_MLP_GATHER],
			fn_names[i]);
		if (rc != CUDA_SUCCESS)
			return fail(d, rc, fn_names[i], err, err_size);
	}
	return 0;
}

static int query(struct rmt_cuda_dev *d, u32 ordinal, char *err,
		 size_t err_size)
{
	int n = 0, cm = 0;
	CUresult rc;

	rc = d->api.init(0);
	if (rc != CUDA_SUCCESS)
		return fail(d, rc, "cuInit", err, err_size);
	rc = d->api.device_get_count(&n);
	if (rc != CUDA_SUCCESS)
		return fail(d, rc, "counting devices", err, err_size);
	if (ordinal >= (u32)n) {
		snprintf(err, err_size, "no CUDA device %u (%d present)",
			 ordinal, n);
		return -ENODEV;
	}
	rc = d->api.device_get(&d->dev, (int)ordinal);
	if (rc == CUDA_SUCCESS)
		rc = d->api.device_get_name(d->name, sizeof(d->name), d->dev);
	if (rc == CUDA_SUCCESS)
		rc = d->api.device_get_attribute(
			&d->cc_major,
			CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d->dev);
	if (rc == CUDA_SUCCESS)
		rc = d->api.device_get_attribute(
			&d->cc_minor,
			CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d->dev);
	if (rc == CUDA_SUCCESS)
		rc = d->api.device_get_attribute(
			&d->sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
			d->dev);
	if (rc == CUDA_SUCCESS)
		rc = d->api.device_get_attribute(
			&cm, CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS,
			d->dev);
	if (rc == CUDA_SUCCESS)
		rc = d->api.device_total_mem(&d->mem, d->dev);
	if (rc != CUDA_SUCCESS)
		return fail(d, rc, "querying the device", err, err_size);
	d->concurrent_managed = cm != 0;
	snprintf(d->describe, sizeof(d->describe),
		 "%s (sm_%d%d, %d SMs, %zu MiB, driver %d.%d)", d->name,
		 d->cc_major, d->cc_minor, d->sms, d->mem >> 20,
		 d->api.driver_version / 1000,
		 d->api.driver_version % 1000 / 10);
	return 0;
}

int rmt_cuda_dev_open(struct rmt_cuda_dev *d, const char *driver, u32 ordinal,
		      char *err, size_t err_size)
{
	CUresult rc;
	int ret;

	memset(d, 0, sizeof(*d));
	ret = rmt_cuda_api_load(&d->api, driver, err, err_size);
	if (ret)
		return ret;
	ret = query(d, ordinal, err, err_size);
	if (ret) {
		rmt_cuda_api_unload(&d->api);
		return ret;
	}
	rc = d->api.primary_ctx_retain(&d->ctx, d->dev);
	if (rc != CUDA_SUCCESS) {
		ret = fail(d, rc, "creating a context", err, err_size);
		d->ctx = NULL;
	}
	if (!ret)
		ret = rmt_cuda_dev_bind(d, err, err_size);
	if (!ret)
		ret = load_kernels(d, err, err_size);
	if (ret)
		rmt_cuda_dev_close(d);
	return ret;
}

int rmt_cuda_dev_bind(struct rmt_cuda_dev *d, char *err, size_t err_size)
{
	CUresult rc = d->api.ctx_set_current(d->ctx);

	return rc == CUDA_SUCCESS ?
		       0 :
		       fail(d, rc, "binding the context", err, err_size);
}

void rmt_cuda_dev_close(struct rmt_cuda_dev *d)
{
	int i;

	if (!d->api.lib)
		return;
	for (i = 0; i < 2; i++)
		if (d->mod[i])
			d->api.module_unload(d->mod[i]);
	if (d->ctx)
		d->api.primary_ctx_release(d->dev);
	rmt_cuda_api_unload(&d->api);
	memset(d, 0, sizeof(*d));
}
