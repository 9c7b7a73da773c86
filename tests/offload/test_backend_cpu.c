// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_backend_cpu.c - the backend interface on the CPU backend: jobs,
 * waiting with a timeout, results against mlib's own trainer, errors.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent/backend.h"
#include "tests/offload/offload_util.h"

static char last_log[512];

static void keep_log(void *arg, const char *line)
{
	snprintf(last_log, sizeof(last_log), "%s", line);
}

static struct rmt_backend *open_cpu(u32 threads)
{
	struct rmt_backend_opts o = { .cpu_threads = threads, .log = keep_log };
	struct rmt_backend *b;
	char err[160];

	cr_assert_eq(rmt_backend_open("cpu", &o, &b, err, sizeof(err)), 0, "%s",
		     err);
	return b;
}

static void run_job(struct rmt_backend *b, const struct rmt_train_job *job,
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

/* The class of mlib's tree for row i (rows must reach the same leaves). */
static s32 mlib_class(const struct rmt_cart *t, const struct tdata *d, u32 i)
{
	return rmt_cart_leaf(t, d->ds.x + (size_t)i * d->ds.n_features)->cls;
}

Test(backend_cpu, cart_partitions_like_mlib)
{
	struct rmt_backend *b = open_cpu(2);
	struct rmt_train_result res;
	struct rmt_cart_params mp;
	struct rmt_cart ref;
	struct rmt_train_job job;
	struct tdata d;
	char err[160];
	u32 *idx, i, same = 0;

	cr_assert_eq(tdata_make(&d, 4000, 8, 7), 0);
	tdata_job(&d, RMT_TRAIN_CART, true, &job);
	job.cart.max_depth = 4;
	job.cart.min_samples_leaf = 20;
	run_job(b, &job, &res);
	cr_assert_str_eq(rmt_backend_info(b)->name, "cpu");
	cr_assert_eq(tree_check_leaves(&res.tree, &d, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert(strstr(res.ran_on, "cpu thread"), "%s", res.ran_on);

	/* mlib's CART on the same integer features (frac 0). */
	for (i = 0; i < d.ds.n * d.ds.n_features; i++)
		d.ds.x[i] = d.xi[i];
	rmt_cart_params_default(&mp);
	mp.max_depth = 4;
	mp.min_samples_leaf = 20;
	idx = malloc(d.ds.n * sizeof(*idx));
	for (i = 0; i < d.ds.n; i++)
		idx[i] = i;
	cr_assert_eq(rmt_cart_train(&d.ds, idx, d.ds.n, &mp, 0, &ref, err,
				    sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(res.tree.n_nodes, ref.n_nodes);
	cr_assert_eq(res.tree.frac, 0);
	for (i = 0; i < d.ds.n; i++)
		same += mlib_class(&res.tree, &d, i) == mlib_class(&ref, &d, i);
	cr_assert_eq(same, d.ds.n, "%u of %u rows differ", d.ds.n - same,
		     d.ds.n);
	cr_assert_gt(tree_accuracy(&res.tree, &d), 0.7);
	free(idx);
	rmt_cart_free(&ref);
	rmt_train_result_free(&res);
	tdata_free(&d);
	rmt_backend_close(b);
}

Test(backend_cpu, parallel_jobs_equal_serial)
{
	struct rmt_backend *b = open_cpu(2);
	struct rmt_backend_stats st;
	struct rmt_train_result serial, par[4];
	struct rmt_job *j[4];
	struct rmt_train_job job;
	struct tdata d;
	char err[160], why[200];
	int k;

	cr_assert_eq(tdata_make(&d, 20000, 6, 3), 0);
	tdata_job(&d, RMT_TRAIN_CART, false, &job);
	run_job(b, &job, &serial);
	cr_assert_gt(serial.tree.frac, 0);
	cr_assert_gt(tree_accuracy(&serial.tree, &d), 0.85);
	for (k = 0; k < 4; k++)
		cr_assert_eq(
			rmt_backend_submit(b, &job, &j[k], err, sizeof(err)), 0,
			"%s", err);
	for (k = 0; k < 4; k++) {
		cr_assert_eq(rmt_job_wait(j[k], -1), 0);
		rmt_backend_stats(b, &st);
		cr_assert_geq(st.succeeded, (u64)(2 + k));
		cr_assert_eq(rmt_job_take(j[k], &par[k]), 0);
		rmt_job_release(j[k]);
		cr_assert_eq(
			tree_diff(&serial.tree, &par[k].tree, why, sizeof(why)),
			0, "%s", why);
		cr_assert_geq(par[k].total_ns, par[k].train_ns);
		rmt_train_result_free(&par[k]);
	}
	rmt_backend_stats(b, &st);
	cr_assert_eq(st.submitted, 5);
	cr_assert_eq(st.succeeded, 5);
	cr_assert_gt(st.train_ns, 0);
	rmt_train_result_free(&serial);
	tdata_free(&d);
	rmt_backend_close(b);
}

Test(backend_cpu, mlp_learns_and_is_reproducible)
{
	struct rmt_backend *b = open_cpu(1);
	struct rmt_train_result r1, r2;
	struct rmt_train_job job;
	struct tdata d;

	cr_assert_eq(tdata_make(&d, 3000, 6, 11), 0);
	tdata_job(&d, RMT_TRAIN_MLP, false, &job);
	job.mlp.epochs = 20;
	run_job(b, &job, &r1);
	run_job(b, &job, &r2);
	cr_assert_eq(mlp_max_diff(&r1.mlp, &r2.mlp), 0);
	cr_assert_eq(r1.mlp.n_layers, 3);
	cr_assert_eq(r1.mlp.size[3], 3);
	/* mlib's own predictor on the result, with its standardisation. */
	cr_assert_gt(rmt_fmlp_accuracy(&r1.mlp, &d.ds), 0.75);
	job.mlp.seed = 43;
	rmt_train_result_free(&r2);
	run_job(b, &job, &r2);
	cr_assert_gt(mlp_max_diff(&r1.mlp, &r2.mlp), 0);
	rmt_train_result_free(&r1);
	rmt_train_result_free(&r2);
	tdata_free(&d);
	rmt_backend_close(b);
}

Test(backend_cpu, wait_times_out_then_completes)
{
	struct rmt_backend *b = open_cpu(1);
	struct rmt_train_job job;
	struct rmt_job *j;
	struct tdata d;
	char err[160];

	cr_assert_eq(tdata_make(&d, 200000, 8, 5), 0);
	tdata_job(&d, RMT_TRAIN_CART, false, &job);
	job.cart.max_depth = 10;
	cr_assert_eq(rmt_backend_submit(b, &job, &j, err, sizeof(err)), 0);
	cr_assert_eq(rmt_job_wait(j, 0), -ETIMEDOUT);
	cr_assert_null(rmt_job_result(j));
	cr_assert_eq(rmt_job_wait(j, -1), 0);
	cr_assert_not_null(rmt_job_result(j));
	cr_assert_eq(rmt_job_result(j)->status, 0);
	rmt_job_release(j);
	tdata_free(&d);
	rmt_backend_close(b);
}

/*
 * Policy, nice value and real-time priority of thread tid, from
 * /proc/self/task/TID/stat.
 */
static bool thread_sched(long tid, int *policy, int *nice, int *rt)
{
	char path[64], buf[1024], *p;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/stat", tid);
	f = fopen(path, "r");
	if (!f)
		return false;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	/* Fields after the command's closing parenthesis, from 3 (state). */
	p = p ? strrchr(buf, ')') : NULL;
	if (!p)
		return false;
	for (i = 3; i <= 41 && p; i++) {
		p = strchr(p + 1, ' ');
		if (p && i == 19)
			*nice = atoi(p + 1);
		if (p && i == 40)
			*rt = atoi(p + 1);
		if (p && i == 41)
			*policy = atoi(p + 1);
	}
	return p != NULL;
}

/* What the threads of this process but the calling one run under. */
struct census {
	int fifo; /* threads under SCHED_FIFO */
	int rt; /* the real-time priority of a SCHED_FIFO one */
	int at_nice; /* threads at the nice value asked about */
};

static void census(int nice_asked, struct census *c)
{
	int policy = -1, nice = 0, rt = 0;
	struct dirent *de;
	DIR *dir = opendir("/proc/self/task");

	cr_assert_not_null(dir);
	*c = (struct census){ 0 };
	while ((de = readdir(dir))) {
		long tid = atol(de->d_name);

		if (tid <= 0 || tid == gettid())
			continue;
		cr_assert(thread_sched(tid, &policy, &nice, &rt));
		c->fifo += policy == SCHED_FIFO;
		c->at_nice += nice == nice_asked;
		if (policy == SCHED_FIFO)
			c->rt = rt;
	}
	closedir(dir);
}

/*
 * From a thread at SCHED_FIFO creator_rt (0: as it is): the threads of a
 * CPU backend told to yield (nice 7) beside a workload at workload_rt,
 * once each worker has taken a job.
 */
static void yielding_workers(int creator_rt, int workload_rt, struct census *c)
{
	struct sched_param sp = { .sched_priority = creator_rt };
	struct rmt_backend_opts o = { .cpu_threads = 2,
				      .cpu_nice = 7,
				      .workload_rt_priority = workload_rt,
				      .log = keep_log };
	struct rmt_backend *b;
	struct rmt_train_result res;
	struct rmt_train_job job;
	struct tdata d;
	char err[160];

	int policy = sched_getscheduler(0);

	if (creator_rt && sched_setscheduler(0, SCHED_FIFO, &sp))
		cr_skip_test("cannot take SCHED_FIFO here (%s)",
			     strerror(errno));
	if (creator_rt)
		policy = SCHED_FIFO;
	cr_assert_eq(rmt_backend_open("cpu", &o, &b, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(tdata_make(&d, 1000, 6, 3), 0);
	tdata_job(&d, RMT_TRAIN_CART, false, &job);
	for (int i = 0; i < 4; i++) {
		run_job(b, &job, &res);
		rmt_train_result_free(&res);
	}
	census(7, c);
	rmt_backend_close(b);
	tdata_free(&d);
	/* The thread that opened it keeps its own policy. */
	cr_expect_eq(sched_getscheduler(0), policy);
}

/*
 * Workers told to yield (rmt-run's agent, under run-experiment
 * --realtime) must not inherit the real-time policy of the thread that
 * opens the backend: a nice value does not lower a real-time thread, and
 * training then preempted the workload it learns from.
 */
Test(backend_cpu, yielding_workers_leave_a_real_time_policy)
{
	struct census c;

	yielding_workers(1, 0, &c);
	cr_expect_eq(c.fifo, 0, "%d threads real-time", c.fifo);
	cr_expect_eq(c.at_nice, 2, "%d threads at nice 7", c.at_nice);
}

/*
 * Beside a real-time workload (rmt-run's program under run-experiment
 * --realtime, rmt-run one priority above it), workers run real-time one
 * priority below the workload from their first instruction: lowered to
 * SCHED_OTHER after starting real-time, a worker sat on the workload's
 * CPU behind it for up to 150 ms.  Below priority 2 there is no
 * real-time priority under the workload: SCHED_OTHER.
 */
Test(backend_cpu, yielding_workers_run_below_a_real_time_workload)
{
	struct census c;

	yielding_workers(3, 2, &c);
	cr_expect_eq(c.fifo, 2, "%d workers real-time", c.fifo);
	cr_expect_eq(c.rt, 1, "workers at real-time priority %d", c.rt);
	yielding_workers(3, 1, &c);
	cr_expect_eq(c.fifo, 0, "%d workers real-time beside priority 1",
		     c.fifo);
	cr_expect_eq(c.at_nice, 2, "%d threads at nice 7", c.at_nice);
}

/*
 * A process without the right to real-time scheduling (no CAP_SYS_NICE,
 * RLIMIT_RTPRIO 0) still gets its workers, under SCHED_OTHER.
 */
Test(backend_cpu, yielding_workers_without_real_time_rights)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[2];
	struct rlimit none = { 0, 0 };
	struct sched_param sp = { .sched_priority = 1 };
	struct census c;

	cr_assert_eq(syscall(SYS_capget, &h, caps), 0);
	caps[CAP_SYS_NICE / 32].effective &= ~(1u << (CAP_SYS_NICE % 32));
	cr_assert_eq(syscall(SYS_capset, &h, caps), 0);
	cr_assert_eq(setrlimit(RLIMIT_RTPRIO, &none), 0);
	if (!sched_setscheduler(0, SCHED_FIFO, &sp))
		cr_skip_test("SCHED_FIFO is still permitted here");
	yielding_workers(0, 3, &c);
	cr_expect_eq(c.fifo, 0, "%d workers real-time", c.fifo);
	cr_expect_eq(c.at_nice, 2, "%d threads at nice 7", c.at_nice);
}

Test(backend_cpu, bad_jobs_and_kinds)
{
	struct rmt_backend_stats st;
	struct rmt_backend *b = open_cpu(1);
	struct rmt_train_job job, bad;
	struct rmt_job *j;
	struct tdata d;
	char err[160];

	cr_assert_eq(rmt_backend_open("gpu", NULL, &b, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "gpu"), "%s", err);
	b = open_cpu(1);
	cr_assert_eq(tdata_make(&d, 100, 5, 1), 0);
	tdata_job(&d, RMT_TRAIN_CART, false, &job);
	bad = job;
	bad.cart.max_depth = 16;
	cr_assert_eq(rmt_backend_submit(b, &bad, &j, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "depth"), "%s", err);
	bad = job;
	bad.algo = 9;
	cr_assert_eq(rmt_backend_submit(b, &bad, &j, err, sizeof(err)),
		     -EINVAL);
	bad = job;
	bad.data.n_classes = 0;
	cr_assert_eq(rmt_backend_submit(b, &bad, &j, err, sizeof(err)),
		     -EINVAL);
	bad = job;
	bad.data.x = NULL;
	cr_assert_eq(rmt_backend_submit(b, &bad, &j, err, sizeof(err)),
		     -EINVAL);
	bad = job;
	bad.algo = RMT_TRAIN_MLP;
	bad.mlp.batch = 0;
	cr_assert_eq(rmt_backend_submit(b, &bad, &j, err, sizeof(err)),
		     -EINVAL);
	/* Labels are checked where the job runs: the result says why. */
	d.ds.y[42] = 3;
	cr_assert_eq(rmt_backend_submit(b, &job, &j, err, sizeof(err)), 0);
	cr_assert_eq(rmt_job_wait(j, -1), 0);
	cr_assert_eq(rmt_job_result(j)->status, -EINVAL);
	cr_assert(strstr(rmt_job_result(j)->err, "row 42"), "%s",
		  rmt_job_result(j)->err);
	rmt_job_release(j);
	rmt_backend_stats(b, &st);
	cr_assert_eq(st.submitted, 1);
	cr_assert_eq(st.failed, 1);
	cr_assert_eq(st.succeeded, 0);
	tdata_free(&d);
	rmt_backend_close(b);
}

Test(backend_cpu, close_cancels_queued_jobs)
{
	struct rmt_backend *b = open_cpu(1);
	struct rmt_train_job job;
	struct rmt_job *j[6];
	struct tdata d;
	char err[160];
	int k, cancelled = 0;

	cr_assert_eq(tdata_make(&d, 100000, 8, 9), 0);
	tdata_job(&d, RMT_TRAIN_CART, false, &job);
	for (k = 0; k < 6; k++)
		cr_assert_eq(
			rmt_backend_submit(b, &job, &j[k], err, sizeof(err)),
			0);
	rmt_backend_close(b);
	for (k = 0; k < 6; k++) {
		cr_assert_eq(rmt_job_wait(j[k], 0), 0);
		cancelled += rmt_job_result(j[k])->status == -ECANCELED;
		rmt_job_release(j[k]);
	}
	cr_assert_gt(cancelled, 0);
	tdata_free(&d);
}

Test(backend_cpu, auto_without_accelerators_logs_why)
{
	struct rmt_backend_opts o = { .log = keep_log };
	struct rmt_backend *b;
	char err[160];

	cr_assert_eq(rmt_backend_open("auto", &o, &b, err, sizeof(err)), 0);
	if (rmt_backend_info(b)->kind != RMT_BACKEND_CPU)
		cr_skip_test("an accelerator is usable here");
	cr_assert(strstr(last_log, "cuda:"), "%s", last_log);
	cr_assert(strstr(last_log, "dpdk: no EAL arguments"), "%s", last_log);
	rmt_backend_close(b);
}
