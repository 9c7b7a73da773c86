// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * backend.c - opening a backend (with the CPU as the fallback of every
 * accelerator), job handles, waiting and results.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "agent/backend_impl.h"

#define WHY_LEN 144

void rmt_backend_yield_cpu(int nice)
{
	int now;

	errno = 0;
	now = getpriority(PRIO_PROCESS, (id_t)gettid());
	if (errno)
		now = 0;
	(void)setpriority(PRIO_PROCESS, (id_t)gettid(), now + nice);
}

static int create_with_policy(pthread_t *t, void *(*fn)(void *), void *arg,
			      int policy, int priority)
{
	struct sched_param sp = { .sched_priority = priority };
	pthread_attr_t attr;
	int rc;

	rc = pthread_attr_init(&attr);
	if (rc)
		return -rc;
	rc = pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	if (!rc)
		rc = pthread_attr_setschedpolicy(&attr, policy);
	if (!rc)
		rc = pthread_attr_setschedparam(&attr, &sp);
	if (!rc)
		rc = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return -rc;
}

int rmt_backend_thread(pthread_t *t, void *(*fn)(void *), void *arg,
		       const struct rmt_backend_opts *o)
{
	int rc;

	if (!o || !o->cpu_nice)
		return -pthread_create(t, NULL, fn, arg);
	if (o->workload_rt_priority <= 1)
		return create_with_policy(t, fn, arg, SCHED_OTHER, 0);
	rc = create_with_policy(t, fn, arg, SCHED_FIFO,
				o->workload_rt_priority - 1);
	/* Without the right to real-time scheduling: the next best. */
	return rc == -EPERM ? create_with_policy(t, fn, arg, SCHED_OTHER, 0) :
			      rc;
}

void rmt_backend_log(const struct rmt_backend *b, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (b->opts.log)
		b->opts.log(b->opts.log_arg, line);
	else
		fprintf(stderr, "rmt backend: %s\n", line);
}

static int open_cuda(struct rmt_backend *b, char *why, size_t why_size)
{
#ifdef RMT_HAVE_CUDA
	return rmt_backend_cuda_open(b, why, why_size);
#else
	snprintf(why, why_size,
		 "built without the CUDA toolkit (no cuda.h and nvcc)");
	return -EOPNOTSUPP;
#endif
}

static int open_dpdk(struct rmt_backend *b, char *why, size_t why_size)
{
#ifdef RMT_HAVE_DPDK
	return rmt_backend_dpdk_open(b, why, why_size);
#else
	snprintf(why, why_size, "built without DPDK (no libdpdk)");
	return -EOPNOTSUPP;
#endif
}

/* "auto": the GPU, then DPDK cores if EAL arguments say there are some. */
static int open_auto(struct rmt_backend *b)
{
	char cuda[WHY_LEN], dpdk[WHY_LEN];
	int rc;

	if (!open_cuda(b, cuda, sizeof(cuda))) {
		snprintf(b->info.why, sizeof(b->info.why),
			 "auto: a usable CUDA device");
		return 0;
	}
	if (!b->opts.dpdk_eal)
		snprintf(dpdk, sizeof(dpdk), "no EAL arguments given");
	else if (!open_dpdk(b, dpdk, sizeof(dpdk))) {
		snprintf(b->info.why, sizeof(b->info.why),
			 "auto: no CUDA (%s); DPDK with the given EAL "
			 "arguments",
			 cuda);
		return 0;
	}
	rc = rmt_backend_cpu_open(b);
	snprintf(b->info.why, sizeof(b->info.why), "auto: cuda: %s; dpdk: %s",
		 cuda, dpdk);
	return rc;
}

static int open_kind(struct rmt_backend *b, const char *kind)
{
	char why[WHY_LEN];
	int rc;

	if (!strcmp(kind, "auto"))
		return open_auto(b);
	if (!strcmp(kind, "cpu")) {
		snprintf(b->info.why, sizeof(b->info.why), "asked for");
		return rmt_backend_cpu_open(b);
	}
	rc = !strcmp(kind, "cuda") ? open_cuda(b, why, sizeof(why)) :
				     open_dpdk(b, why, sizeof(why));
	if (!rc) {
		snprintf(b->info.why, sizeof(b->info.why), "asked for");
		return 0;
	}
	snprintf(b->info.why, sizeof(b->info.why), "%s unavailable: %s", kind,
		 why);
	return rmt_backend_cpu_open(b);
}

int rmt_backend_check_kind(const char *kind, char *err, size_t err_size)
{
	if (kind && (!strcmp(kind, "auto") || !strcmp(kind, "cpu") ||
		     !strcmp(kind, "cuda") || !strcmp(kind, "dpdk")))
		return 0;
	snprintf(err, err_size,
		 "unknown backend '%s': use auto, cpu, cuda or dpdk",
		 kind ? kind : "(null)");
	return -EINVAL;
}

int rmt_backend_open(const char *kind, const struct rmt_backend_opts *opts,
		     struct rmt_backend **out, char *err, size_t err_size)
{
	struct rmt_backend *b;
	int rc;

	*out = NULL;
	rc = rmt_backend_check_kind(kind, err, err_size);
	if (rc)
		return rc;
	if (opts && opts->cpu_threads > 256) {
		snprintf(err, err_size, "%u CPU threads: at most 256",
			 opts->cpu_threads);
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if (opts)
		b->opts = *opts;
	pthread_mutex_init(&b->stats_mu, NULL);
	rc = open_kind(b, kind);
	if (rc) {
		snprintf(err, err_size, "cannot start the CPU backend: %s",
			 strerror(-rc));
		pthread_mutex_destroy(&b->stats_mu);
		free(b);
		return rc;
	}
	if (b->info.kind == RMT_BACKEND_CPU && strcmp(kind, "cpu"))
		rmt_backend_log(b, "backend %s: training on the CPU (%s)", kind,
				b->info.why);
	else
		rmt_backend_log(b, "backend %s: %s on %s (%s)", kind,
				b->info.name, b->info.device, b->info.why);
	*out = b;
	return 0;
}

void rmt_backend_close(struct rmt_backend *b)
{
	if (!b)
		return;
	b->ops->close(b);
	pthread_mutex_destroy(&b->stats_mu);
	free(b);
}

const struct rmt_backend_info *rmt_backend_info(const struct rmt_backend *b)
{
	return &b->info;
}

void rmt_backend_stats(struct rmt_backend *b, struct rmt_backend_stats *out)
{
	pthread_mutex_lock(&b->stats_mu);
	*out = b->stats;
	pthread_mutex_unlock(&b->stats_mu);
}

void rmt_backend_count_fallback(struct rmt_backend *b)
{
	pthread_mutex_lock(&b->stats_mu);
	b->stats.device_fallbacks++;
	pthread_mutex_unlock(&b->stats_mu);
}

/* Called before a job completes, so close has counted all of its jobs. */
static void count_done(struct rmt_backend *b, const struct rmt_train_result *r)
{
	pthread_mutex_lock(&b->stats_mu);
	if (!r->status)
		b->stats.succeeded++;
	else if (r->status == -ECANCELED || r->status == -EPIPE)
		b->stats.cancelled++;
	else
		b->stats.failed++;
	b->stats.train_ns += r->train_ns;
	pthread_mutex_unlock(&b->stats_mu);
}

static void job_put(struct rmt_job *j)
{
	int refs;

	pthread_mutex_lock(&j->mu);
	refs = --j->refs;
	pthread_mutex_unlock(&j->mu);
	if (refs)
		return;
	rmt_train_result_free(&j->res);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j);
}

int rmt_backend_submit(struct rmt_backend *b, const struct rmt_train_job *job,
		       struct rmt_job **out, char *err, size_t err_size)
{
	struct rmt_job *j;
	int rc;

	*out = NULL;
	rc = rmt_train_check(job, err, err_size);
	if (rc)
		return rc;
	j = calloc(1, sizeof(*j));
	if (!j) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	j->be = b;
	j->job = *job;
	j->refs = 2;
	j->submit_ns = rmt_train_now_ns();
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	/* Counted first: the job may complete before submit returns. */
	pthread_mutex_lock(&b->stats_mu);
	b->stats.submitted++;
	pthread_mutex_unlock(&b->stats_mu);
	rc = b->ops->submit(b, j);
	if (rc) {
		pthread_mutex_lock(&b->stats_mu);
		b->stats.submitted--;
		pthread_mutex_unlock(&b->stats_mu);
		snprintf(err, err_size, "%s backend: %s", b->info.name,
			 rc == -ENOBUFS ? "job queue full" : strerror(-rc));
		j->refs = 1;
		job_put(j);
		return rc;
	}
	*out = j;
	return 0;
}

void rmt_job_started(struct rmt_job *j)
{
	j->start_ns = rmt_train_now_ns();
}

void rmt_job_complete(struct rmt_job *j)
{
	u64 now = rmt_train_now_ns();

	if (!j->start_ns)
		j->start_ns = now;
	j->res.queue_ns = j->start_ns - j->submit_ns;
	j->res.total_ns = now - j->submit_ns;
	count_done(j->be, &j->res);
	pthread_mutex_lock(&j->mu);
	j->done = true;
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	job_put(j);
}

void rmt_job_cancel(struct rmt_job *j, int status, const char *why)
{
	memset(&j->res, 0, sizeof(j->res));
	j->res.algo = j->job.algo;
	j->res.status = status;
	snprintf(j->res.err, sizeof(j->res.err), "%s", why);
	rmt_job_complete(j);
}

static bool is_done(struct rmt_job *j)
{
	bool done;

	pthread_mutex_lock(&j->mu);
	done = j->done;
	pthread_mutex_unlock(&j->mu);
	return done;
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/* Backends whose results arrive on a ring: poll it until done. */
static int wait_polling(struct rmt_job *j, int timeout_ms)
{
	u64 end = rmt_train_now_ns() + (u64)timeout_ms * 1000000u;
	struct timespec nap = { 0, 20000 };

	for (;;) {
		j->be->ops->poll(j->be);
		if (is_done(j))
			return 0;
		if (timeout_ms >= 0 && rmt_train_now_ns() >= end)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
	}
}

int rmt_job_wait(struct rmt_job *j, int timeout_ms)
{
	struct timespec ts;
	int rc = 0;

	if (is_done(j))
		return 0;
	if (j->be->ops->poll)
		return wait_polling(j, timeout_ms);
	if (timeout_ms >= 0)
		deadline_in(&ts, timeout_ms);
	pthread_mutex_lock(&j->mu);
	while (!j->done && rc != ETIMEDOUT)
		rc = timeout_ms < 0 ?
			     pthread_cond_wait(&j->cv, &j->mu) :
			     pthread_cond_timedwait(&j->cv, &j->mu, &ts);
	rc = j->done ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&j->mu);
	return rc;
}

const struct rmt_train_result *rmt_job_result(const struct rmt_job *j)
{
	return is_done((struct rmt_job *)j) ? &j->res : NULL;
}

int rmt_job_take(struct rmt_job *j, struct rmt_train_result *out)
{
	if (!is_done(j))
		return -EBUSY;
	*out = j->res;
	memset(&j->res.tree, 0, sizeof(j->res.tree));
	memset(&j->res.mlp, 0, sizeof(j->res.mlp));
	return 0;
}

void rmt_job_release(struct rmt_job *j)
{
	if (j)
		job_put(j);
}
