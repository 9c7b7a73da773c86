// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * backend_cuda.c - the CUDA backend: one thread owns the device's context
 * and runs jobs with the CUDA engine.  A driver error during a job is
 * logged once, the job reruns on the CPU engine, and so do all later jobs:
 * a GPU that failed is not trusted again until the backend is reopened.
 */
#include <stdio.h>
#include <stdlib.h>

#include "agent/backend_impl.h"
#include "offload/cuda/device.h"

#define CUDA_MAX_QUEUED 256u

struct cuda_backend {
	struct rmt_backend *b;
	struct rmt_cuda_dev dev;
	struct rmt_engine cpu;
	struct rmt_pool *pool;
	bool broken;
};

static int cuda_init(void *arg, u32 i, struct rmt_engine *e)
{
	struct cuda_backend *cb = arg;
	char err[160];
	int rc = rmt_cuda_dev_bind(&cb->dev, err, sizeof(err));

	if (rc) {
		rmt_backend_log(cb->b, "cuda: %s", err);
		return rc;
	}
	rc = rmt_engine_cpu_init(&cb->cpu, "cpu (after a CUDA error)");
	if (rc)
		return rc;
	rc = rmt_engine_cuda_init(e, &cb->dev);
	if (rc)
		rmt_engine_cpu_fini(&cb->cpu);
	return rc;
}

static void cuda_fini(void *arg, struct rmt_engine *e)
{
	struct cuda_backend *cb = arg;

	rmt_engine_cuda_fini(e);
	rmt_engine_cpu_fini(&cb->cpu);
}

static void cuda_run(void *arg, struct rmt_engine *e, struct rmt_job *j)
{
	struct cuda_backend *cb = arg;

	if (!cb->broken) {
		rmt_train_run(&j->job, e, &j->res);
		if (j->res.status != -EIO)
			return;
		rmt_backend_log(cb->b,
				"%s; this and later jobs train on the "
				"CPU",
				j->res.err);
		rmt_train_result_free(&j->res);
		cb->broken = true;
	}
	rmt_backend_count_fallback(cb->b);
	rmt_train_run(&j->job, &cb->cpu, &j->res);
}

static const struct rmt_pool_ops cuda_pool_ops = {
	.init = cuda_init,
	.fini = cuda_fini,
	.run = cuda_run,
};

static int cuda_submit(struct rmt_backend *b, struct rmt_job *j)
{
	struct cuda_backend *cb = b->priv;

	return rmt_pool_push(cb->pool, j);
}

static void cuda_close(struct rmt_backend *b)
{
	struct cuda_backend *cb = b->priv;

	rmt_pool_stop(cb->pool);
	rmt_cuda_dev_close(&cb->dev);
	free(cb);
}

static const struct rmt_backend_ops cuda_ops = {
	.submit = cuda_submit,
	.close = cuda_close,
};

int rmt_backend_cuda_open(struct rmt_backend *b, char *why, size_t why_size)
{
	struct cuda_backend *cb = calloc(1, sizeof(*cb));
	int rc;

	if (!cb) {
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	cb->b = b;
	rc = rmt_cuda_dev_open(&cb->dev, b->opts.cuda_driver,
			       b->opts.cuda_device, why, why_size);
	if (!rc) {
		rc = rmt_pool_start(&cuda_pool_ops, cb, 1, CUDA_MAX_QUEUED,
				    NULL, &cb->pool);
		if (rc) {
			snprintf(why, why_size, "cannot start its thread: %s",
				 strerror(-rc));
			rmt_cuda_dev_close(&cb->dev);
		}
	}
	if (rc) {
		free(cb);
		return rc;
	}
	b->ops = &cuda_ops;
	b->priv = cb;
	b->info.kind = RMT_BACKEND_CUDA;
	b->info.name = "cuda";
	snprintf(b->info.device, sizeof(b->info.device), "%s",
		 cb->dev.describe);
	return 0;
}
