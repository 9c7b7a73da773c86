// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_loop.c - the agent loop (agent/loop.h) on the in-process datapath
 * of rig.c with the test learner of fake_learn.c: events are drained
 * and fed to a learner, a promoted model is installed and counted by the
 * datapath, a rejected one is not, and a model after which live coverage
 * falls is rolled back (the slot cleared) with a log line saying why;
 * a backend other than the CPU opens beside it and takes over between
 * rounds.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/loop.h"
#include "tests/agent/fake_learn.h"
#include "tests/agent/rig.h"

static char logbuf[1 << 16];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void log_line(void *arg, const char *line)
{
	pthread_mutex_lock(&log_lock);
	if (strlen(logbuf) + strlen(line) + 2 < sizeof(logbuf)) {
		strcat(logbuf, line);
		strcat(logbuf, "\n");
	}
	pthread_mutex_unlock(&log_lock);
}

static bool logged(const char *what)
{
	bool yes;

	pthread_mutex_lock(&log_lock);
	yes = strstr(logbuf, what) != NULL;
	pthread_mutex_unlock(&log_lock);
	return yes;
}

static struct rmt_agent *start_on(const char *backend,
				  const struct rmt_backend_opts *o)
{
	struct rmt_agent_config c = { .backend = backend,
				      .backend_opts = o,
				      .log = log_line };
	struct rmt_agent *a;
	char err[256] = "";

	logbuf[0] = 0;
	c.learn.first_model_faults = 500;
	cr_assert_eq(rmt_agent_start(R.dp, &c, &a, err, sizeof(err)), 0, "%s",
		     err);
	return a;
}

static struct rmt_agent *start(void)
{
	return start_on("cpu", NULL);
}

static void faults(unsigned int n, u32 tgid)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct rmt_msg_fault f = { .addr = (u64)i << 12,
					   .hook_id = 1,
					   .tgid = tgid };

		pthread_mutex_lock(&R.lock);
		cr_assert_eq(rmt_ring_produce(&R.ev_prod, RMT_MSG_FAULT, &f,
					      sizeof(f)),
			     0);
		pthread_mutex_unlock(&R.lock);
	}
}

/* Waits up to 5 s for cond; false if it never held. */
#define eventually(cond)                                  \
	({                                                \
		int i_;                                   \
		for (i_ = 0; i_ < 20000 && !(cond); i_++) \
			usleep(1000);                     \
		(bool)(cond);                             \
	})

TestSuite(loop, .init = rig_with_thread, .fini = rig_teardown);

Test(loop, promoted_models_are_installed)
{
	struct rmt_agent_stats s;
	struct rmt_agent *a;

	fake_learn_class = 3;
	fake_learn_promote = 1;
	a = start();
	faults(499, 42);
	usleep(50000);
	cr_assert_eq(RMT_READ_ONCE(R.st->models_installed), 0,
		     "not due before 500 faults");
	faults(1, 42);
	cr_assert(eventually(RMT_READ_ONCE(R.st->models_installed) == 1));
	cr_assert_eq(rig_decide(), 3, "the pipeline runs the agent's model");
	cr_assert(
		eventually((rmt_agent_stats(a, &s), s.models_installed == 1)));
	cr_assert_eq(s.events, 500);
	cr_assert_eq(s.promoted, 1);
	cr_assert_eq(s.models_installed, 1);
	cr_assert_eq(s.dropped, 0);
	cr_assert(s.first_event_ns && s.first_install_ns >= s.first_event_ns);
	cr_assert(logged("event=promote key=42"), "%s", logbuf);
	cr_assert(logged("event=install key=42 model=1"), "%s", logbuf);
	rmt_agent_stop(a);
	cr_assert(logged("event=stop events=500"), "%s", logbuf);
}

Test(loop, one_learner_per_workload_and_rejections_are_not_installed)
{
	struct rmt_agent_stats s;
	struct rmt_agent *a;

	fake_learn_promote = 0;
	a = start();
	faults(500, 7);
	faults(500, 8);
	cr_assert(eventually((rmt_agent_stats(a, &s), s.rounds == 2)));
	cr_assert(logged("event=new_workload hook=1 key=7"));
	cr_assert(logged("event=new_workload hook=1 key=8"));
	cr_assert(logged("event=reject key=8"), "%s", logbuf);
	cr_assert_eq(s.promoted, 0);
	cr_assert_eq(RMT_READ_ONCE(R.st->models_installed), 0);
	rmt_agent_stop(a);
}

Test(loop, a_model_that_loses_coverage_is_rolled_back)
{
	struct rmt_agent_stats s;
	struct rmt_agent *a;

	fake_learn_class = 5;
	fake_learn_promote = 1;
	a = start();
	/* A window of 2000 faults at 90% coverage before the model. */
	RMT_WRITE_ONCE(R.st->hits, 1800);
	RMT_WRITE_ONCE(R.st->misses, 200);
	usleep(20000);
	faults(500, 42);
	/* The agent has taken its "before" figures once it counts it. */
	cr_assert(
		eventually((rmt_agent_stats(a, &s), s.models_installed == 1)));
	cr_assert_eq(rig_decide(), 5);
	/* The next 2000 faults at 10%. */
	RMT_WRITE_ONCE(R.st->hits, R.st->hits + 200);
	RMT_WRITE_ONCE(R.st->misses, R.st->misses + 1800);
	cr_assert(eventually((rmt_agent_stats(a, &s), s.rolled_back == 1)),
		  "%s", logbuf);
	cr_assert_eq(rig_decide(), 0, "the slot is empty again");
	cr_assert_eq(RMT_READ_ONCE(R.st->model_id), 0);
	cr_assert(logged("event=rollback key=42 model=1 to=0"), "%s", logbuf);
	cr_assert(
		logged("coverage_before_ppm=900000 coverage_after_ppm=100000"),
		"%s", logbuf);
	rmt_agent_stop(a);
}

Test(loop, a_model_that_wastes_prefetches_is_rolled_back)
{
	struct rmt_agent_stats s;
	struct rmt_agent *a;

	fake_learn_class = 6;
	fake_learn_promote = 1;
	a = start();
	/* Before: coverage 0.90, accuracy 0.90. */
	RMT_WRITE_ONCE(R.st->hits, 1800);
	RMT_WRITE_ONCE(R.st->misses, 200);
	RMT_WRITE_ONCE(R.st->prefetched, 2000);
	usleep(20000);
	faults(500, 42);
	cr_assert(
		eventually((rmt_agent_stats(a, &s), s.models_installed == 1)));
	/* After: the same coverage, but half of the prefetches wasted. */
	RMT_WRITE_ONCE(R.st->hits, R.st->hits + 1800);
	RMT_WRITE_ONCE(R.st->misses, R.st->misses + 200);
	RMT_WRITE_ONCE(R.st->prefetched, R.st->prefetched + 3600);
	cr_assert(eventually((rmt_agent_stats(a, &s), s.rolled_back == 1)),
		  "%s", logbuf);
	cr_assert(
		logged("accuracy_before_ppm=900000 accuracy_after_ppm=500000"),
		"%s", logbuf);
	cr_assert_eq(rig_decide(), 0);
	rmt_agent_stop(a);
}

/*
 * "auto" with EAL arguments: a GPU, else DPDK cores, else the CPU.  The
 * first round runs on the CPU backend while that one opens; the next on
 * whatever it turned out to be.
 */
Test(loop, the_backend_asked_for_takes_over_between_rounds)
{
	struct rmt_backend_opts o = {
		.dpdk_eal = "-l 0-1 --no-huge --no-pci -m 64 --no-shconf "
			    "--no-telemetry --iova-mode=va"
	};
	char kind[32] = "", want[64];
	struct rmt_agent_stats s;
	struct rmt_agent *a;
	const char *at;

	fake_learn_promote = 0;
	a = start_on("auto", &o);
	rmt_agent_stats(a, &s);
	cr_assert(!strcmp(s.backend, "cpu"), "%s", s.backend);
	cr_assert(logged("event=start backend=cpu"), "%s", logbuf);
	cr_assert(logged("auto starting: the CPU trains meanwhile"), "%s",
		  logbuf);
	faults(500, 5);
	cr_assert(eventually((rmt_agent_stats(a, &s), s.rounds == 1)));
	cr_assert(logged("ran_on=\"cpu\""), "%s", logbuf);
	cr_assert(eventually(logged("event=backend backend=")), "%s", logbuf);
	pthread_mutex_lock(&log_lock);
	at = strstr(logbuf, "event=backend backend=");
	sscanf(at, "event=backend backend=%31s", kind);
	pthread_mutex_unlock(&log_lock);
	/* The stats name what trains now. */
	cr_assert(
		eventually((rmt_agent_stats(a, &s), !strcmp(s.backend, kind))),
		"stats say %s, the log %s", s.backend, kind);
	faults(500, 5);
	cr_assert(eventually((rmt_agent_stats(a, &s), s.rounds == 2)));
	snprintf(want, sizeof(want),
		 "model=2 train_samples=0 "
		 "heldout_samples=0 candidate_ppm=900000");
	cr_assert(logged(want), "%s", logbuf);
	snprintf(want, sizeof(want), "ran_on=\"%s\"", kind);
	pthread_mutex_lock(&log_lock);
	at = strstr(logbuf, "model=2 ");
	cr_assert(at && strstr(at, want), "round 2 not on %s:\n%s", kind,
		  logbuf);
	pthread_mutex_unlock(&log_lock);
	rmt_agent_stop(a);
}

/* A kind no backend has is refused at once, not on the opener thread. */
Test(loop, an_unknown_backend_is_refused_at_start)
{
	struct rmt_agent_config c = { .backend = "gpu", .log = log_line };
	struct rmt_agent *a = NULL;
	char err[256] = "";

	cr_assert_eq(rmt_agent_start(R.dp, &c, &a, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "unknown backend 'gpu'"), "%s", err);
	cr_assert_null(a);
}

/* A learner configuration the learner refuses is refused at start. */
Test(loop, a_bad_learner_config_is_refused_at_start)
{
	struct rmt_agent_config c = { .log = log_line };
	struct rmt_agent *a = NULL;
	char err[256] = "";

	c.learn.retrain_max_faults = 1; /* fake_learn.c refuses it */
	cr_assert_eq(rmt_agent_start(R.dp, &c, &a, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "learner: a fake refusal"), "%s", err);
	cr_assert_null(a);
}
