// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_backend_dpdk.c - the DPDK backend: jobs on worker lcores give the
 * CPU backend's models exactly; a full ring, a failing job, a closed
 * backend and bad EAL arguments give errors, never a hang.  Criterion
 * runs each test in its own process, and the EAL starts once per process.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include "agent/backend.h"
#include "tests/offload/offload_util.h"

static char logged[512];

static void keep_log(void *arg, const char *line)
{
	snprintf(logged, sizeof(logged), "%s", line);
}

static struct rmt_backend *open_kind(const char *kind, const char *eal,
				     u32 ring)
{
	struct rmt_backend_opts o = { .dpdk_eal = eal,
				      .dpdk_ring_size = ring,
				      .log = keep_log };
	struct rmt_backend *b;
	char err[160];

	cr_assert_eq(rmt_backend_open(kind, &o, &b, err, sizeof(err)), 0, "%s",
		     err);
	return b;
}

static struct rmt_job *submit(struct rmt_backend *b,
			      const struct rmt_train_job *job)
{
	struct rmt_job *j;
	char err[160];

	cr_assert_eq(rmt_backend_submit(b, job, &j, err, sizeof(err)), 0, "%s",
		     err);
	return j;
}

static void train(struct rmt_backend *b, const struct rmt_train_job *job,
		  struct rmt_train_result *res)
{
	struct rmt_job *j = submit(b, job);

	cr_assert_eq(rmt_job_wait(j, 60000), 0);
	cr_assert_eq(rmt_job_take(j, res), 0);
	rmt_job_release(j);
	cr_assert_eq(res->status, 0, "%s", res->err);
}

Test(dpdk, models_equal_the_cpu_backend)
{
	struct rmt_backend *d = open_kind("dpdk", NULL, 0);
	struct rmt_backend *c = open_kind("cpu", NULL, 0);
	struct rmt_train_result rd, rc;
	struct rmt_train_job job;
	struct tdata t;
	char why[200];

	cr_assert_eq(rmt_backend_info(d)->kind, RMT_BACKEND_DPDK, "%s",
		     rmt_backend_info(d)->why);
	cr_assert(strstr(rmt_backend_info(d)->device, "worker lcore"));
	cr_assert_eq(tdata_make(&t, 20000, 8, 13), 0);
	tdata_job(&t, RMT_TRAIN_CART, false, &job);
	train(d, &job, &rd);
	train(c, &job, &rc);
	cr_assert(strstr(rd.ran_on, "dpdk lcore"), "%s", rd.ran_on);
	cr_assert_eq(tree_diff(&rd.tree, &rc.tree, why, sizeof(why)), 0, "%s",
		     why);
	rmt_train_result_free(&rd);
	rmt_train_result_free(&rc);
	tdata_job(&t, RMT_TRAIN_MLP, true, &job);
	train(d, &job, &rd);
	train(c, &job, &rc);
	cr_assert_eq(mlp_max_diff(&rd.mlp, &rc.mlp), 0);
	rmt_train_result_free(&rd);
	rmt_train_result_free(&rc);
	tdata_free(&t);
	rmt_backend_close(d);
	rmt_backend_close(c);
}

Test(dpdk, full_ring_and_timeouts_are_errors)
{
	struct rmt_backend *d = open_kind("dpdk", NULL, 2);
	struct rmt_train_job big, small;
	struct rmt_job *j[2], *k;
	struct tdata t, s;
	char err[160];
	int i;

	cr_assert_eq(tdata_make(&t, 150000, 8, 2), 0);
	cr_assert_eq(tdata_make(&s, 200, 5, 2), 0);
	tdata_job(&t, RMT_TRAIN_CART, false, &big);
	big.cart.max_depth = 10;
	tdata_job(&s, RMT_TRAIN_CART, false, &small);
	j[0] = submit(d, &big);
	j[1] = submit(d, &small);
	cr_assert_eq(rmt_backend_submit(d, &small, &k, err, sizeof(err)),
		     -ENOBUFS);
	cr_assert(strstr(err, "full"), "%s", err);
	cr_assert_eq(rmt_job_wait(j[0], 1), -ETIMEDOUT);
	for (i = 0; i < 2; i++) {
		cr_assert_eq(rmt_job_wait(j[i], 60000), 0);
		cr_assert_eq(rmt_job_result(j[i])->status, 0);
		rmt_job_release(j[i]);
	}
	k = submit(d, &small);
	cr_assert_eq(rmt_job_wait(k, 60000), 0);
	rmt_job_release(k);
	tdata_free(&t);
	tdata_free(&s);
	rmt_backend_close(d);
}

Test(dpdk, failing_job_reports_and_workers_go_on)
{
	struct rmt_backend *d = open_kind("dpdk", NULL, 0);
	struct rmt_train_job job;
	struct rmt_job *j;
	struct tdata t;

	cr_assert_eq(tdata_make(&t, 1000, 5, 4), 0);
	tdata_job(&t, RMT_TRAIN_CART, false, &job);
	t.ds.y[7] = -1;
	j = submit(d, &job);
	cr_assert_eq(rmt_job_wait(j, 60000), 0);
	cr_assert_eq(rmt_job_result(j)->status, -EINVAL);
	cr_assert(strstr(rmt_job_result(j)->err, "row 7"), "%s",
		  rmt_job_result(j)->err);
	rmt_job_release(j);
	t.ds.y[7] = 0;
	j = submit(d, &job);
	cr_assert_eq(rmt_job_wait(j, 60000), 0);
	cr_assert_eq(rmt_job_result(j)->status, 0);
	rmt_job_release(j);
	tdata_free(&t);
	rmt_backend_close(d);
}

Test(dpdk, close_cancels_and_eal_runs_once)
{
	struct rmt_backend *d = open_kind("dpdk", NULL, 0);
	struct rmt_train_job job;
	struct rmt_job *j[5];
	struct tdata t;
	int i, done = 0, cancelled = 0;

	cr_assert_eq(tdata_make(&t, 100000, 8, 6), 0);
	tdata_job(&t, RMT_TRAIN_CART, false, &job);
	for (i = 0; i < 5; i++)
		j[i] = submit(d, &job);
	rmt_backend_close(d);
	for (i = 0; i < 5; i++) {
		cr_assert_eq(rmt_job_wait(j[i], 0), 0);
		done += rmt_job_result(j[i])->status == 0;
		cancelled += rmt_job_result(j[i])->status == -ECANCELED;
		rmt_job_release(j[i]);
	}
	cr_assert_eq(done + cancelled, 5);
	cr_assert_gt(cancelled, 0);
	d = open_kind("dpdk", NULL, 0);
	cr_assert_eq(rmt_backend_info(d)->kind, RMT_BACKEND_CPU);
	cr_assert(strstr(logged, "once per process"), "%s", logged);
	rmt_backend_close(d);
	tdata_free(&t);
}

Test(dpdk, one_core_has_no_worker)
{
	struct rmt_backend *d = open_kind(
		"dpdk", "-l 0 --no-huge --no-pci -m 64 --no-shconf", 0);

	cr_assert_eq(rmt_backend_info(d)->kind, RMT_BACKEND_CPU);
	cr_assert(strstr(logged, "no worker lcore"), "%s", logged);
	rmt_backend_close(d);
}

Test(dpdk, bad_eal_arguments)
{
	struct rmt_backend *d = open_kind("dpdk", "--no-such-eal-flag", 0);

	cr_assert_eq(rmt_backend_info(d)->kind, RMT_BACKEND_CPU);
	cr_assert(strstr(logged, "EAL did not start"), "%s", logged);
	rmt_backend_close(d);
}

Test(dpdk, auto_uses_dpdk_only_when_asked)
{
	struct rmt_backend *d = open_kind(
		"auto", "-l 0-1 --no-huge --no-pci -m 64 --no-shconf", 0);

	if (rmt_backend_info(d)->kind == RMT_BACKEND_CUDA)
		cr_skip_test("a GPU is usable here");
	cr_assert_eq(rmt_backend_info(d)->kind, RMT_BACKEND_DPDK, "%s",
		     rmt_backend_info(d)->why);
	cr_assert(strstr(logged, "auto: no CUDA"), "%s", logged);
	rmt_backend_close(d);
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

Test(dpdk, idle_workers_do_not_spin)
{
	struct rmt_backend *d = open_kind("dpdk", NULL, 0);
	struct timespec one = { 1, 0 };
	double t0 = cpu_seconds(), used;

	cr_assert_eq(rmt_backend_info(d)->kind, RMT_BACKEND_DPDK);
	nanosleep(&one, NULL);
	used = cpu_seconds() - t0;
	/*
	 * Napping workers use about 0.05 s here; a spinning one all the
	 * second it gets (0.6 s or more on a loaded 2-core machine).
	 */
	cr_assert_lt(used, 0.25, "idle workers used %.2f s of CPU in 1 s",
		     used);
	rmt_backend_close(d);
}
