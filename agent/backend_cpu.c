// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * backend_cpu.c - the thread pool jobs run on, and the CPU backend: a few
 * threads, each training one job at a time with the CPU engine.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "agent/backend_impl.h"

#define CPU_MAX_QUEUED 1024u

struct rmt_pool {
	const struct rmt_pool_ops *ops;
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct rmt_job *head, *tail;
	u32 queued, max_queued;
	bool stop;
	u32 n_threads, started;
	int init_rc;
	pthread_t *threads;
};

struct worker_arg {
	struct rmt_pool *p;
	u32 i;
};

static struct rmt_job *next_job(struct rmt_pool *p)
{
	struct rmt_job *j;

	pthread_mutex_lock(&p->mu);
	while (!p->head && !p->stop)
		pthread_cond_wait(&p->cv, &p->mu);
	j = p->stop ? NULL : p->head;
	if (j) {
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
	}
	pthread_mutex_unlock(&p->mu);
	return j;
}

static void *worker(void *v)
{
	struct worker_arg *wa = v;
	struct rmt_pool *p = wa->p;
	struct rmt_engine e;
	struct rmt_job *j;
	int rc = p->ops->init(p->arg, wa->i, &e);

	pthread_mutex_lock(&p->mu);
	if (rc && !p->init_rc)
		p->init_rc = rc;
	p->started++;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	free(wa);
	if (rc)
		return NULL;
	while ((j = next_job(p))) {
		rmt_job_started(j);
		if (p->ops->run)
			p->ops->run(p->arg, &e, j);
		else
			rmt_train_run(&j->job, &e, &j->res);
		rmt_job_complete(j);
	}
	p->ops->fini(p->arg, &e);
	return NULL;
}

static void join_all(struct rmt_pool *p, u32 n)
{
	u32 i;

	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < n; i++)
		pthread_join(p->threads[i], NULL);
}

int rmt_pool_start(const struct rmt_pool_ops *ops, void *arg, u32 threads,
		   u32 max_queued, const struct rmt_backend_opts *o,
		   struct rmt_pool **out)
{
	struct rmt_pool *p = calloc(1, sizeof(*p));
	u32 i;
	int rc = 0;

	if (!p || !(p->threads = calloc(threads, sizeof(pthread_t)))) {
		free(p);
		return -ENOMEM;
	}
	p->ops = ops;
	p->arg = arg;
	p->max_queued = max_queued;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (i = 0; i < threads && !rc; i++) {
		struct worker_arg *wa = malloc(sizeof(*wa));

		if (!wa) {
			rc = -ENOMEM;
			break;
		}
		*wa = (struct worker_arg){ p, i };
		rc = rmt_backend_thread(&p->threads[i], worker, wa, o);
		if (rc)
			free(wa);
		else
			p->n_threads++;
	}
	pthread_mutex_lock(&p->mu);
	while (p->started < p->n_threads)
		pthread_cond_wait(&p->cv, &p->mu);
	if (!rc)
		rc = p->init_rc;
	pthread_mutex_unlock(&p->mu);
	if (rc) {
		join_all(p, p->n_threads);
		pthread_mutex_destroy(&p->mu);
		pthread_cond_destroy(&p->cv);
		free(p->threads);
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int rmt_pool_push(struct rmt_pool *p, struct rmt_job *j)
{
	int rc = 0;

	pthread_mutex_lock(&p->mu);
	if (p->stop)
		rc = -ESHUTDOWN;
	else if (p->queued >= p->max_queued)
		rc = -ENOBUFS;
	if (!rc) {
		j->next = NULL;
		if (p->tail)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		p->queued++;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void rmt_pool_stop(struct rmt_pool *p)
{
	struct rmt_job *j, *next;

	join_all(p, p->n_threads);
	for (j = p->head; j; j = next) {
		next = j->next;
		rmt_job_cancel(j, -ECANCELED,
			       "backend closed before the job ran");
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->threads);
	free(p);
}

struct cpu_backend {
	struct rmt_pool *pool;
	u32 threads;
	int nice;
};

static int cpu_init(void *arg, u32 i, struct rmt_engine *e)
{
	struct cpu_backend *cb = arg;
	char name[64];

	if (cb->nice)
		rmt_backend_yield_cpu(cb->nice);
	snprintf(name, sizeof(name), "cpu thread %u of %u", i + 1, cb->threads);
	return rmt_engine_cpu_init(e, name);
}

static void cpu_fini(void *arg, struct rmt_engine *e)
{
	rmt_engine_cpu_fini(e);
}

static const struct rmt_pool_ops cpu_pool_ops = {
	.init = cpu_init,
	.fini = cpu_fini,
};

static int cpu_submit(struct rmt_backend *b, struct rmt_job *j)
{
	struct cpu_backend *cb = b->priv;

	return rmt_pool_push(cb->pool, j);
}

static void cpu_close(struct rmt_backend *b)
{
	struct cpu_backend *cb = b->priv;

	rmt_pool_stop(cb->pool);
	free(cb);
}

static const struct rmt_backend_ops cpu_ops = {
	.submit = cpu_submit,
	.close = cpu_close,
};

int rmt_backend_cpu_open(struct rmt_backend *b)
{
	struct cpu_backend *cb = calloc(1, sizeof(*cb));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rc;

	if (!cb)
		return -ENOMEM;
	cb->threads = b->opts.cpu_threads ? b->opts.cpu_threads : 2;
	cb->nice = b->opts.cpu_nice;
	rc = rmt_pool_start(&cpu_pool_ops, cb, cb->threads, CPU_MAX_QUEUED,
			    &b->opts, &cb->pool);
	if (rc) {
		free(cb);
		return rc;
	}
	b->ops = &cpu_ops;
	b->priv = cb;
	b->info.kind = RMT_BACKEND_CPU;
	b->info.name = "cpu";
	snprintf(b->info.device, sizeof(b->info.device),
		 "%u threads on %ld online CPUs", cb->threads, ncpu);
	return 0;
}
