// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * gpu_check.c - the CUDA backend on a real GPU, against the CPU backend:
 * CART trees must be identical and MLP weights equal within float
 * tolerance over a set of data sets and parameters; mem_place must move
 * managed memory.  Without --quick it then times CART training at 10^5,
 * 10^6 and 10^7 rows on both and ends with RESULT gpu_train_speedup_*.
 * Exit 77 (skipped) when no CUDA device is usable, saying why.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backend.h"
#include "offload/cuda/mem_place.h"
#include "tests/offload/offload_util.h"

#define MLP_TOL 1e-3

static int failures;

static int train(struct rmt_backend *b, const struct rmt_train_job *job,
		 struct rmt_train_result *res)
{
	struct rmt_job *j;
	char err[160];
	int rc = rmt_backend_submit(b, job, &j, err, sizeof(err));

	if (rc) {
		printf("FAIL: submit: %s\n", err);
		return rc;
	}
	rmt_job_wait(j, -1);
	rmt_job_take(j, res);
	rmt_job_release(j);
	if (res->status)
		printf("FAIL: %s: %s\n", res->ran_on, res->err);
	return res->status;
}

static void check(bool ok, const char *what, const char *detail)
{
	printf("%s: %s%s%s\n", ok ? "ok" : "FAIL", what, detail[0] ? ": " : "",
	       detail);
	failures += !ok;
}

/* The GPU backend may have fallen back to the CPU: that is a failure here. */
static bool on_gpu(const struct rmt_train_result *r, char *why, size_t why_size)
{
	if (strstr(r->ran_on, "cuda:"))
		return true;
	snprintf(why, why_size, "ran on %s", r->ran_on);
	return false;
}

struct cart_case {
	u32 n, f, depth, bins, min_leaf;
	bool ints;
};

static void cart_cases(struct rmt_backend *gpu, struct rmt_backend *cpu)
{
	static const struct cart_case cases[] = {
		{ 1000, 5, 6, 256, 1, false },
		{ 50000, 16, 8, 256, 1, false },
		{ 50000, 8, 10, 32, 20, true },
		{ 300000, 16, 8, 256, 5, false },
		{ 200000, 6, 12, 64, 1, true },
		{ 20000, 40, 4, 256, 1, false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cart_case *c = &cases[i];
		struct rmt_train_result rg, rc;
		struct rmt_train_job job;
		struct tdata d;
		char what[128], why[200] = "";
		bool ok;

		if (tdata_make(&d, c->n, c->f, 100 + i))
			exit(1);
		tdata_job(&d, RMT_TRAIN_CART, c->ints, &job);
		job.cart.max_depth = c->depth;
		job.cart.max_bins = c->bins;
		job.cart.min_samples_leaf = c->min_leaf;
		snprintf(what, sizeof(what),
			 "cart %u rows x %u %s, depth %u, %u bins, leaf %u",
			 c->n, c->f, c->ints ? "ints" : "floats", c->depth,
			 c->bins, c->min_leaf);
		ok = !train(gpu, &job, &rg) && !train(cpu, &job, &rc) &&
		     on_gpu(&rg, why, sizeof(why)) &&
		     !tree_diff(&rg.tree, &rc.tree, why, sizeof(why));
		if (ok)
			snprintf(why, sizeof(why), "%u identical nodes",
				 rg.tree.n_nodes);
		check(ok, what, why);
		rmt_train_result_free(&rg);
		rmt_train_result_free(&rc);
		tdata_free(&d);
	}
}

static void mlp_cases(struct rmt_backend *gpu, struct rmt_backend *cpu)
{
	static const enum rmt_bmlp_act acts[] = { RMT_BMLP_RELU,
						  RMT_BMLP_TANH };
	size_t i;

	for (i = 0; i < 2; i++) {
		struct rmt_train_result rg, rc;
		struct rmt_train_job job;
		struct tdata d;
		char what[96], why[200] = "";
		double diff = INFINITY;

		if (tdata_make(&d, 20000, 8, 7 + i))
			exit(1);
		tdata_job(&d, RMT_TRAIN_MLP, false, &job);
		job.mlp.act = acts[i];
		job.mlp.epochs = 2;
		snprintf(what, sizeof(what), "mlp %s, 20000 rows, 2 epochs",
			 i ? "tanh" : "relu");
		if (!train(gpu, &job, &rg) && !train(cpu, &job, &rc) &&
		    on_gpu(&rg, why, sizeof(why))) {
			diff = mlp_max_diff(&rg.mlp, &rc.mlp);
			snprintf(why, sizeof(why),
				 "largest weight difference %.2g (tolerance "
				 "%.0e), accuracy %.3f / %.3f",
				 diff, MLP_TOL,
				 rmt_fmlp_accuracy(&rg.mlp, &d.ds),
				 rmt_fmlp_accuracy(&rc.mlp, &d.ds));
		}
		check(diff <= MLP_TOL, what, why);
		rmt_train_result_free(&rg);
		rmt_train_result_free(&rc);
		tdata_free(&d);
	}
}

static void mem_place_case(void)
{
	struct rmt_cuda_dev dev;
	size_t bytes = 64u << 20;
	char err[200] = "";
	void *p = NULL;
	int rc;

	if (rmt_cuda_dev_open(&dev, NULL, 0, err, sizeof(err))) {
		check(false, "mem_place: opening the device", err);
		return;
	}
	rc = rmt_mem_place_alloc(&dev, bytes, &p, err, sizeof(err));
	if (!rc) {
		memset(p, 1, bytes);
		rc = rmt_mem_place_prefer(&dev, p, bytes, RMT_PLACE_DEVICE, err,
					  sizeof(err));
		if (!rc)
			rc = rmt_mem_place_prefetch(&dev, p, bytes,
						    RMT_PLACE_DEVICE, err,
						    sizeof(err));
		if (!rc)
			rc = rmt_mem_place_prefetch(&dev, p, bytes,
						    RMT_PLACE_HOST, err,
						    sizeof(err));
		if (!rc && ((unsigned char *)p)[bytes - 1] != 1)
			rc = -EIO;
	}
	if (rc == -EOPNOTSUPP)
		printf("skip: mem_place: %s\n", err);
	else
		check(!rc,
		      "mem_place: managed 64 MiB, advise, prefetch "
		      "there and back",
		      err);
	rmt_mem_place_free(&dev, p);
	rmt_cuda_dev_close(&dev);
}

static double median(double *v, int n)
{
	int i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

/* Median seconds of reps jobs: whole job, the cuts, the engine's part. */
static int time_cart(struct rmt_backend *b, const struct rmt_train_job *job,
		     int reps, double *total, double *prep, double *engine)
{
	double t[8], p[8], e[8];
	struct rmt_train_result r;
	int i;

	for (i = 0; i < reps; i++) {
		if (train(b, job, &r))
			return -1;
		t[i] = r.total_ns / 1e9;
		p[i] = r.prep_ns / 1e9;
		e[i] = r.train_ns / 1e9;
		rmt_train_result_free(&r);
	}
	*total = median(t, reps);
	*prep = median(p, reps);
	*engine = median(e, reps);
	return 0;
}

static void timings(struct rmt_backend *gpu, struct rmt_backend *cpu)
{
	static const u32 sizes[] = { 100000, 1000000, 10000000 };
	static const int reps[] = { 5, 3, 1 };
	double speedup[3] = { NAN, NAN, NAN };
	int i;

	printf("CART, 16 float features, depth 8, 256 bins; seconds per job "
	       "(whole job / cuts / engine part); CPU: one thread\n");
	for (i = 0; i < 3; i++) {
		struct rmt_train_job job;
		struct tdata d;
		double ct, cp, ce, gt, gp, ge;

		if (tdata_make(&d, sizes[i], 16, 1)) {
			printf("FAIL: no memory for %u rows\n", sizes[i]);
			failures++;
			break;
		}
		tdata_job(&d, RMT_TRAIN_CART, false, &job);
		if (time_cart(gpu, &job, reps[i], &gt, &gp, &ge) ||
		    time_cart(cpu, &job, reps[i], &ct, &cp, &ce)) {
			failures++;
			tdata_free(&d);
			break;
		}
		speedup[i] = ct / gt;
		printf("  %8u rows: cpu %.3f / %.3f / %.3f  gpu %.3f / %.3f / "
		       "%.3f  speedup %.2fx (engine part %.1fx)\n",
		       sizes[i], ct, cp, ce, gt, gp, ge, ct / gt, ce / ge);
		tdata_free(&d);
	}
	printf("RESULT gpu_train_speedup_1e5=%.2f gpu_train_speedup_1e6=%.2f "
	       "gpu_train_speedup_1e7=%.2f\n",
	       speedup[0], speedup[1], speedup[2]);
}

int main(int argc, char **argv)
{
	struct rmt_backend_opts o = { .cpu_threads = 1 };
	struct rmt_backend *gpu, *cpu;
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	char err[160];

	if (argc > 2 || (argc == 2 && !quick)) {
		fprintf(stderr, "usage: gpu-check [--quick]\n");
		return 2;
	}
	if (rmt_backend_open("cuda", &o, &gpu, err, sizeof(err)) ||
	    rmt_backend_open("cpu", &o, &cpu, err, sizeof(err))) {
		fprintf(stderr, "gpu-check: %s\n", err);
		return 1;
	}
	if (rmt_backend_info(gpu)->kind != RMT_BACKEND_CUDA) {
		printf("gpu-check: skipped: %s\n", rmt_backend_info(gpu)->why);
		rmt_backend_close(gpu);
		rmt_backend_close(cpu);
		return 77;
	}
	printf("gpu-check on %s\n", rmt_backend_info(gpu)->device);
	cart_cases(gpu, cpu);
	mlp_cases(gpu, cpu);
	mem_place_case();
	if (!quick)
		timings(gpu, cpu);
	rmt_backend_close(gpu);
	rmt_backend_close(cpu);
	printf("gpu-check: %d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
