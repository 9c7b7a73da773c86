// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_backend_cuda.c - the CUDA backend where there is no usable GPU:
 * no driver at all (this machine), a driver without cuGetProcAddress, a
 * driver with no device, kernels the device cannot load, and kernel
 * launches failing in the middle of a job.  Each gives one log line with
 * the reason and a CPU backend that trains the same model.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "agent/backend.h"
#include "offload/cuda/mem_place.h"
#include "tests/offload/offload_util.h"

static char logged[8][512];
static int n_logged;

static void keep_log(void *arg, const char *line)
{
	if (n_logged < 8)
		snprintf(logged[n_logged++], sizeof(logged[0]), "%s", line);
}

static struct rmt_backend *open_with(const char *driver)
{
	struct rmt_backend_opts o = { .cuda_driver = driver, .log = keep_log };
	struct rmt_backend *b;
	char err[160];

	n_logged = 0;
	cr_assert_eq(rmt_backend_open("cuda", &o, &b, err, sizeof(err)), 0,
		     "%s", err);
	return b;
}

Test(cuda, no_driver_falls_back_to_cpu)
{
	struct rmt_backend *b = open_with("/nonexistent/libcuda.so.1");

	cr_assert_eq(rmt_backend_info(b)->kind, RMT_BACKEND_CPU);
	cr_assert_eq(n_logged, 1);
	cr_assert(strstr(logged[0], "no NVIDIA driver"), "%s", logged[0]);
	cr_assert(strstr(logged[0], "/nonexistent/libcuda.so.1"), "%s",
		  logged[0]);
	rmt_backend_close(b);
}

Test(cuda, default_driver_name)
{
	struct rmt_backend *b = open_with(NULL);

	if (rmt_backend_info(b)->kind == RMT_BACKEND_CUDA)
		cr_skip_test("a GPU is usable here: %s",
			     rmt_backend_info(b)->device);
	cr_assert(strstr(logged[0], "cuda unavailable"), "%s", logged[0]);
	rmt_backend_close(b);
}

Test(cuda, driver_without_get_proc_address)
{
	/* Any shared library that is not a driver. */
	struct rmt_backend *b = open_with("libm.so.6");

	cr_assert_eq(rmt_backend_info(b)->kind, RMT_BACKEND_CPU);
	cr_assert(strstr(logged[0], "cuGetProcAddress"), "%s", logged[0]);
	rmt_backend_close(b);
}

Test(cuda, no_device)
{
	struct rmt_backend *b;

	setenv("FAKE_CUDA", "nodevice", 1);
	b = open_with(FAKE_LIBCUDA);
	cr_assert_eq(rmt_backend_info(b)->kind, RMT_BACKEND_CPU);
	cr_assert(strstr(logged[0], "cuInit: CUDA_ERROR_NO_DEVICE"), "%s",
		  logged[0]);
	rmt_backend_close(b);
}

Test(cuda, kernels_not_loadable)
{
	struct rmt_backend *b;

	setenv("FAKE_CUDA", "nomodule", 1);
	b = open_with(FAKE_LIBCUDA);
	cr_assert_eq(rmt_backend_info(b)->kind, RMT_BACKEND_CPU);
	cr_assert(strstr(logged[0], "loading the kernels"), "%s", logged[0]);
	cr_assert(strstr(logged[0], "NO_BINARY_FOR_GPU"), "%s", logged[0]);
	rmt_backend_close(b);
}

static void train(struct rmt_backend *b, const struct rmt_train_job *job,
		  struct rmt_train_result *res)
{
	struct rmt_job *j;
	char err[160];

	cr_assert_eq(rmt_backend_submit(b, job, &j, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(rmt_job_wait(j, 60000), 0);
	cr_assert_eq(rmt_job_take(j, res), 0);
	rmt_job_release(j);
	cr_assert_eq(res->status, 0, "%s", res->err);
}

Test(cuda, failure_mid_job_reruns_on_cpu)
{
	struct rmt_train_result gpu, gpu2, cpu;
	struct rmt_backend_stats st;
	struct rmt_backend *b, *c;
	struct rmt_train_job job;
	struct tdata d;
	char err[160], why[200];

	setenv("FAKE_CUDA", "nolaunch", 1);
	b = open_with(FAKE_LIBCUDA);
	cr_assert_eq(rmt_backend_info(b)->kind, RMT_BACKEND_CUDA);
	cr_assert(strstr(rmt_backend_info(b)->device, "Fake GPU"));
	cr_assert_eq(rmt_backend_open("cpu", NULL, &c, err, sizeof(err)), 0);
	cr_assert_eq(tdata_make(&d, 5000, 6, 21), 0);
	tdata_job(&d, RMT_TRAIN_CART, false, &job);
	train(b, &job, &gpu);
	train(c, &job, &cpu);
	cr_assert_eq(tree_diff(&gpu.tree, &cpu.tree, why, sizeof(why)), 0, "%s",
		     why);
	cr_assert(strstr(gpu.ran_on, "after a CUDA error"), "%s", gpu.ran_on);
	cr_assert(strstr(logged[1], "rmt_hc_hist"), "%s", logged[1]);
	cr_assert(strstr(logged[1], "LAUNCH_FAILED"), "%s", logged[1]);
	/* Later jobs go straight to the CPU, without another log line. */
	tdata_job(&d, RMT_TRAIN_MLP, false, &job);
	train(b, &job, &gpu2);
	cr_assert_eq(n_logged, 2);
	cr_assert(strstr(gpu2.ran_on, "after a CUDA error"));
	rmt_backend_stats(b, &st);
	cr_assert_eq(st.device_fallbacks, 2);
	cr_assert_eq(st.succeeded, 2);
	rmt_train_result_free(&gpu);
	rmt_train_result_free(&gpu2);
	rmt_train_result_free(&cpu);
	tdata_free(&d);
	rmt_backend_close(b);
	rmt_backend_close(c);
}

Test(cuda, mem_place_checks_its_input)
{
	struct rmt_cuda_dev dev;
	char err[200];
	void *p;

	setenv("FAKE_CUDA", "nolaunch", 1);
	cr_assert_eq(rmt_cuda_dev_open(&dev, FAKE_LIBCUDA, 0, err, sizeof(err)),
		     0, "%s", err);
	cr_assert(dev.concurrent_managed);
	cr_assert_eq(rmt_mem_place_alloc(&dev, 0, &p, err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(rmt_mem_place_alloc(&dev, 4096, &p, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(rmt_mem_place_prefer(&dev, p, 4096, RMT_PLACE_DEVICE, err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(rmt_mem_place_prefetch(&dev, p, 4096, RMT_PLACE_HOST, err,
					    sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(rmt_mem_place_prefer(&dev, NULL, 4096, RMT_PLACE_DEVICE,
					  err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(rmt_mem_place_prefetch(&dev, p, 4096, 7, err, sizeof(err)),
		     -EINVAL);
	dev.concurrent_managed = false;
	cr_assert_eq(rmt_mem_place_prefetch(&dev, p, 4096, RMT_PLACE_DEVICE,
					    err, sizeof(err)),
		     -EOPNOTSUPP);
	cr_assert(strstr(err, "concurrent managed access"), "%s", err);
	rmt_mem_place_free(&dev, p);
	rmt_cuda_dev_close(&dev);
}
