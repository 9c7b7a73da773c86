/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * backend_impl.h - what the backends share inside agent/: the job handle
 * with its completion, the operations a backend provides, and the thread
 * pool the CPU and CUDA backends run jobs on.
 */
#ifndef RMT_AGENT_BACKEND_IMPL_H
#define RMT_AGENT_BACKEND_IMPL_H

#include <pthread.h>

#include "agent/backend.h"

struct rmt_job {
	struct rmt_backend *be;
	struct rmt_train_job job;
	struct rmt_train_result res;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int refs; /* the caller's handle and the backend's */
	u64 submit_ns, start_ns;
	struct rmt_job *next; /* in a queue */
};

struct rmt_backend_ops {
	/* Take the job, or -ENOBUFS / -ESHUTDOWN. */
	int (*submit)(struct rmt_backend *b, struct rmt_job *j);
	/* Move finished jobs along (DPDK polls its ring); may be NULL. */
	void (*poll)(struct rmt_backend *b);
	void (*close)(struct rmt_backend *b);
};

struct rmt_backend {
	const struct rmt_backend_ops *ops;
	struct rmt_backend_info info;
	struct rmt_backend_opts opts;
	void *priv;
	pthread_mutex_t stats_mu;
	struct rmt_backend_stats stats;
};

/* A backend's device failed and the job trained on the CPU instead. */
void rmt_backend_count_fallback(struct rmt_backend *b);

void rmt_backend_log(const struct rmt_backend *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Mark started; finish with a result (res->status set) and drop a ref. */
void rmt_job_started(struct rmt_job *j);
void rmt_job_complete(struct rmt_job *j);
/* Complete a job that never ran. */
void rmt_job_cancel(struct rmt_job *j, int status, const char *why);

/*
 * A pool of threads, each with its own engine, running queued jobs in
 * order.  init builds thread i's engine on that thread (a CUDA context is
 * per thread); run trains one job (NULL: rmt_train_run).
 */
struct rmt_pool_ops {
	int (*init)(void *arg, u32 i, struct rmt_engine *e);
	void (*fini)(void *arg, struct rmt_engine *e);
	void (*run)(void *arg, struct rmt_engine *e, struct rmt_job *j);
};

struct rmt_pool;

/* o: how the threads yield to the workload (rmt_backend_thread()). */
int rmt_pool_start(const struct rmt_pool_ops *ops, void *arg, u32 threads,
		   u32 max_queued, const struct rmt_backend_opts *o,
		   struct rmt_pool **out);
int rmt_pool_push(struct rmt_pool *p, struct rmt_job *j);
void rmt_pool_stop(struct rmt_pool *p);

/* The backends; on failure why says what is missing. */
int rmt_backend_cpu_open(struct rmt_backend *b);
int rmt_backend_cuda_open(struct rmt_backend *b, char *why, size_t why_size);
int rmt_backend_dpdk_open(struct rmt_backend *b, char *why, size_t why_size);

#endif /* RMT_AGENT_BACKEND_IMPL_H */
