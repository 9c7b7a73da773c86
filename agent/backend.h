/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * backend.h - where the agent trains its models: a backend takes training
 * jobs (offload/train/job.h: algorithm, hyper-parameters, data set),
 * runs them in the background and hands back models in mlib's in-memory
 * form, with what they ran on and how long they took.
 *
 * Backends: "cpu" (a pool of threads), "cuda" (a GPU through the driver
 * API, loaded at run time), "dpdk" (worker lcores standing for SmartNIC
 * cores, jobs over rte_rings), and "auto": the GPU when one is usable, the
 * DPDK cores when EAL arguments were given, else the CPU.  An accelerator
 * that cannot be used is never fatal: one log line says why and the CPU
 * backend takes over.
 *
 * Typical use:
 *	rmt_backend_open("auto", NULL, &be, err, sizeof(err));
 *	rmt_backend_submit(be, &job, &j, err, sizeof(err));
 *	if (!rmt_job_wait(j, 5000) && !rmt_job_result(j)->status)
 *		... rmt_job_result(j)->tree ...
 *	rmt_job_release(j);
 *	rmt_backend_close(be);
 */
#ifndef RMT_AGENT_BACKEND_H
#define RMT_AGENT_BACKEND_H

#include <pthread.h>

#include "offload/train/job.h"

enum rmt_backend_kind {
	RMT_BACKEND_CPU,
	RMT_BACKEND_CUDA,
	RMT_BACKEND_DPDK,
};

struct rmt_backend_opts {
	u32 cpu_threads; /* 0: 2 */
	/*
	 * Nice value the CPU workers add to their own (0: unchanged), so
	 * that training beside the workload it learns from yields to it.
	 */
	int cpu_nice;
	/*
	 * The workload's real-time priority (SCHED_FIFO or SCHED_RR; 0: it
	 * has none).  Above 1, threads that yield (cpu_nice set) run
	 * SCHED_FIFO one below it: never ahead of the workload, and, being
	 * real-time, started on a CPU where they can run at once.
	 */
	int workload_rt_priority;
	const char *cuda_driver; /* NULL: "libcuda.so.1" */
	u32 cuda_device; /* ordinal */
	/*
	 * EAL arguments, blank-separated; NULL: "-l 0-1 --no-huge --no-pci
	 * -m 64 --no-shconf --no-telemetry --iova-mode=va".  "auto" only
	 * considers DPDK when this is set.
	 */
	const char *dpdk_eal;
	u32 dpdk_ring_size; /* jobs in flight to the workers; 0: 64 */
	/* Where the backend's log lines go; NULL: stderr. */
	void (*log)(void *arg, const char *line);
	void *log_arg;
};

struct rmt_backend_info {
	enum rmt_backend_kind kind;
	const char *name; /* "cpu", "cuda", "dpdk" */
	char device[160]; /* what it runs on: threads, GPU, lcores */
	char why[320]; /* why this backend: asked for, or the fallback */
};

/* Counters since open, for the agent's stats. */
struct rmt_backend_stats {
	u64 submitted; /* accepted by submit */
	u64 succeeded;
	u64 failed; /* completed with an error other than -ECANCELED */
	u64 cancelled; /* closed before they ran, or workers gone */
	u64 device_fallbacks; /* trained on the CPU after a device error */
	u64 train_ns; /* engine time of the completed jobs */
};

struct rmt_backend;
struct rmt_job;

/*
 * kind: "auto", "cpu", "cuda" or "dpdk"; opts may be NULL.  Fails only
 * on an unknown kind, bad options or when no thread can be started.
 */
int rmt_backend_open(const char *kind, const struct rmt_backend_opts *opts,
		     struct rmt_backend **out, char *err, size_t err_size);
/* 0 for a kind rmt_backend_open knows, else -EINVAL and why. */
int rmt_backend_check_kind(const char *kind, char *err, size_t err_size);
/* Stops the backend; jobs not started yet complete with -ECANCELED. */
void rmt_backend_close(struct rmt_backend *b);
const struct rmt_backend_info *rmt_backend_info(const struct rmt_backend *b);
void rmt_backend_stats(struct rmt_backend *b, struct rmt_backend_stats *out);

/*
 * Queue a job.  The job is copied, the data it points at is not: keep it
 * until the job is done.  -EINVAL: a bad job (err says why); -ENOBUFS:
 * the queue or ring is full, try again later; -ESHUTDOWN: closed.
 */
int rmt_backend_submit(struct rmt_backend *b, const struct rmt_train_job *job,
		       struct rmt_job **out, char *err, size_t err_size);

/* 0 when done (or already done), -ETIMEDOUT; timeout_ms < 0: no limit. */
int rmt_job_wait(struct rmt_job *j, int timeout_ms);
/* The result once done (status says whether it trained), else NULL. */
const struct rmt_train_result *rmt_job_result(const struct rmt_job *j);
/*
 * Move the result out (the caller frees it with rmt_train_result_free);
 * -EBUSY while the job runs.
 */
int rmt_job_take(struct rmt_job *j, struct rmt_train_result *out);
/* Drop the handle; a running job finishes and is freed then. */
void rmt_job_release(struct rmt_job *j);

/*
 * pthread_create() for a thread that works beside the workload (training,
 * judging).  With o->cpu_nice set it yields to it: it runs SCHED_FIFO one
 * below o->workload_rt_priority, else SCHED_OTHER at nice o->cpu_nice
 * (added by rmt_backend_yield_cpu() on the thread), never with the
 * creator's real-time policy, which would preempt the workload (a nice
 * value does not lower a real-time thread).  The policy is set at
 * creation: a thread lowered to SCHED_OTHER after starting real-time sat
 * on the workload's CPU, behind it, until a load balance moved it (up to
 * 150 ms before the agent's first model, session 6).  0 or -errno.
 */
int rmt_backend_thread(pthread_t *t, void *(*fn)(void *), void *arg,
		       const struct rmt_backend_opts *o);
/* Adds nice to the calling thread's nice value; best effort. */
void rmt_backend_yield_cpu(int nice);

#endif /* RMT_AGENT_BACKEND_H */
