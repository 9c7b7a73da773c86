// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * loop.c - the agent's learning loop (see loop.h).  Two threads: the
 * drainer owns the datapath handle (draining the event ring, feeding the
 * learners, installing and rolling back models) and never trains; the
 * trainer runs the learners' training rounds, one at a time, so that a
 * round of any length never delays draining.
 *
 * The monitor compares the datapath's coverage (hits / (hits + misses))
 * and accuracy (hits / prefetched), from its statistics area, over the
 * window of faults before an install with the same window after it; a
 * model that loses more than ROLLBACK_MARGIN_PPM of coverage or
 * ACCURACY_MARGIN_PPM of accuracy is rolled back to the model it
 * replaced, or the slot is cleared when there was none.
 *
 * With a registry (agent/registry.h) every installed model is saved as
 * its key's next version and made current, a rollback rolls the key back
 * too, a workload seen for the first time resumes from its key's current
 * version (adopted when the datapath still runs it, as after the agent
 * was killed, else installed), and a change of the current version by
 * someone else (rmtctl models rollback|pin) is installed within a second.
 *
 * An accelerator takes a while to start (a CUDA context or DPDK's EAL:
 * 0.2-0.3 s), longer than the first model takes on the CPU.  So any
 * backend but "cpu" is opened on a thread of its own while the CPU
 * backend trains; the drainer switches to it between rounds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/backend.h"
#include "agent/datapath.h"
#include "agent/loop.h"
#include "agent/registry.h"

#define BURST 512u
#define MAX_KEYS 64u
#define SLOT 0u
#define HOOK_SWAP_FAULT 1u
#define INSTALL_TIMEOUT_MS 5000u
#define MONITOR_FAULTS 2000u /* faults judged before and after a model */
#define ROLLBACK_MARGIN_PPM 50000u
#define ACCURACY_MARGIN_PPM 100000u
#define ACCURACY_MIN_PREFETCHED 100u /* fewer: accuracy is not judged */
#define REGISTRY_POLL_NS 1000000000ull
#define REGISTRY_KEEP 32u

struct model {
	u64 id;
	u8 *blob;
	size_t len;
};

struct key {
	bool used;
	u16 hook;
	u64 id; /* cgroup, else process */
	struct rmt_learner *l;
	char name[64]; /* the registry's key: "swap_fault/tgid-N" */
	u32 version; /* in the registry, of the model installed for it */
	u64 events;
	bool training; /* a round is queued or running */
	/* Filled by the trainer, taken by the drainer. */
	bool done;
	int train_err;
	struct rmt_learner_result res;
};

/* The datapath's counters at the start of a window. */
struct counters {
	u64 hits, faults, prefetched;
};

/* Coverage and accuracy of a window, ppm; accuracy 0: too few prefetches. */
struct quality {
	u32 cov, acc;
};

/* What the monitor watches: the model installed last. */
struct watch {
	bool active;
	struct key *k;
	struct counters at; /* at the install */
	struct quality before; /* over the window before it */
};

/* The backend asked for, opening beside the CPU backend (see above). */
struct accel {
	pthread_t thread;
	bool pending; /* the thread runs, or ran and was not joined */
	struct rmt_backend_opts opts;
	/* Under the agent's lock: */
	bool done;
	struct rmt_backend *b; /* NULL: the open failed (err) */
	char err[256];
};

struct rmt_agent {
	struct rmt_dp *dp;
	struct rmt_agent_config c;
	struct rmt_backend *backend;
	struct accel accel;
	struct rmt_registry *reg;
	u64 reg_polled_ns;
	struct key keys[MAX_KEYS];
	u64 unkeyed; /* events of workloads past MAX_KEYS */
	struct model cur, prev; /* in the datapath's slot, and before it */
	struct watch watch;
	struct counters win; /* at the start of the current window */
	struct quality last; /* of the last whole window */
	bool have_window;
	u64 t0;
	/* Trainer queue: keys waiting for a round, under lock. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct key *queue[MAX_KEYS];
	unsigned int q_head, q_len;
	struct rmt_agent_stats st; /* the drainer's */
	struct rmt_agent_stats pub; /* a copy for rmt_agent_stats(), locked */
	pthread_t drainer, trainer;
	int stop; /* RMT_READ_ONCE / RMT_WRITE_ONCE */
	struct rmt_msg_fault ev[BURST];
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static void logf_(struct rmt_agent *a, const char *fmt, ...)
{
	char line[512];
	int n;
	va_list ap;

	n = snprintf(line, sizeof(line), "agent t_ms=%llu ",
		     (unsigned long long)((now_ns() - a->t0) / 1000000));
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (a->c.log)
		a->c.log(a->c.log_arg, line);
	else
		fprintf(stderr, "%s\n", line);
}

static void model_free(struct model *m)
{
	free(m->blob);
	memset(m, 0, sizeof(*m));
}

/*
 * Puts the key's registry version v (0: none, the slot is cleared) into
 * the datapath; on resume, a model the datapath still runs is adopted
 * instead.  What ran before is kept for a rollback.
 */
static int install_version(struct rmt_agent *a, struct key *k, u32 v,
			   bool resume)
{
	const char *event = resume ? "resume" : "registry_switch";
	bool adopted = false;
	struct rmt_reg_meta meta;
	struct rmt_dp_stats s;
	char err[512] = "";
	u8 *blob = NULL;
	size_t len = 0;
	int e;

	if (!v) {
		e = rmt_dp_clear_model(a->dp, HOOK_SWAP_FAULT, SLOT,
				       INSTALL_TIMEOUT_MS, err, sizeof(err));
		if (!e) {
			model_free(&a->prev);
			a->prev = a->cur;
			memset(&a->cur, 0, sizeof(a->cur));
			k->version = 0;
		}
		logf_(a, "event=%s key=%llu version=0 err=%d why=\"%s\"", event,
		      (unsigned long long)k->id, e,
		      e ? err : "no current version: slot cleared");
		return e;
	}
	e = rmt_registry_load(a->reg, k->name, v, &blob, &len, &meta, err,
			      sizeof(err));
	if (!e) {
		rmt_dp_stats(a->dp, &s);
		adopted = resume && s.model_id == meta.model_id;
		if (!adopted)
			e = rmt_dp_install_model(a->dp, HOOK_SWAP_FAULT, SLOT,
						 meta.model_id, blob, len,
						 INSTALL_TIMEOUT_MS, err,
						 sizeof(err));
	}
	logf_(a, "event=%s key=%llu version=%u model=%llu err=%d why=\"%s\"",
	      event, (unsigned long long)k->id, v,
	      (unsigned long long)(e ? 0 : meta.model_id), e,
	      e	      ? err :
	      adopted ? "adopted" :
			"installed");
	if (e) {
		free(blob);
		return e;
	}
	if (!adopted)
		a->st.models_installed++;
	model_free(&a->prev);
	a->prev = a->cur;
	a->cur = (struct model){ meta.model_id, blob, len };
	k->version = v;
	return 0;
}

/* A workload seen for the first time: its current registry version. */
static void resume(struct rmt_agent *a, struct key *k)
{
	struct rmt_reg_state st;
	char err[512];

	if (!a->reg)
		return;
	if (rmt_registry_state(a->reg, k->name, &st, err, sizeof(err))) {
		logf_(a, "event=registry_error key=%llu why=\"%s\"",
		      (unsigned long long)k->id, err);
		return;
	}
	if (st.current)
		install_version(a, k, st.current, true);
}

/* Versions made current by someone else (rmtctl) go into the datapath. */
static void follow_registry(struct rmt_agent *a)
{
	struct rmt_reg_state st;
	char err[512];
	unsigned int i;
	u64 now = now_ns();

	if (!a->reg || now - a->reg_polled_ns < REGISTRY_POLL_NS)
		return;
	a->reg_polled_ns = now;
	for (i = 0; i < MAX_KEYS; i++) {
		struct key *k = &a->keys[i];

		if (!k->used ||
		    rmt_registry_state(a->reg, k->name, &st, err, sizeof(err)))
			continue;
		if (st.current != k->version)
			install_version(a, k, st.current, false);
	}
}

/* Saves an installed model as the key's next version, made current. */
static void save(struct rmt_agent *a, struct key *k,
		 const struct rmt_learner_result *r)
{
	const struct rmt_backend_info *bi = rmt_backend_info(a->backend);
	struct rmt_reg_meta m = { 0 };
	char err[512] = "";
	u32 v = 0;
	int e;

	if (!a->reg)
		return;
	m.model_id = r->model_id;
	m.first_event_ns = a->st.first_event_ns;
	m.last_event_ns = now_ns();
	m.train_samples = r->train_samples;
	m.heldout_samples = r->heldout_samples;
	m.candidate_ppm = r->candidate_ppm;
	m.installed_ppm = r->installed_ppm;
	m.heuristic_ppm = r->heuristic_ppm;
	snprintf(m.backend, sizeof(m.backend), "%s", bi->name);
	snprintf(m.device, sizeof(m.device), "%s", bi->device);
	snprintf(m.reason, sizeof(m.reason), "%s", r->why);
	e = rmt_registry_save(a->reg, k->name, r->blob, r->blob_len, &m, &v,
			      err, sizeof(err));
	if (!e)
		e = rmt_registry_set_current(a->reg, k->name, v, err,
					     sizeof(err));
	if (!e) {
		k->version = v;
		rmt_registry_prune(a->reg, k->name, REGISTRY_KEEP, NULL, err,
				   sizeof(err));
	}
	logf_(a, "event=saved key=%llu version=%u err=%d why=\"%s\"",
	      (unsigned long long)k->id, v, e, e ? err : k->name);
}

static struct key *find_key(struct rmt_agent *a, const struct rmt_msg_fault *e)
{
	u64 id = e->cgroup_id ? e->cgroup_id : e->tgid;
	unsigned int i, h = (unsigned int)((id * 0x9e3779b97f4a7c15ull) >> 58);
	struct rmt_learner_config lc = a->c.learn;

	for (i = 0; i < MAX_KEYS; i++) {
		struct key *k = &a->keys[(h + i) % MAX_KEYS];

		if (k->used && k->hook == e->hook_id && k->id == id)
			return k;
		if (k->used)
			continue;
		lc.backend = a->backend;
		if (rmt_learner_create(&lc, &k->l))
			return NULL;
		k->used = true;
		k->hook = e->hook_id;
		k->id = id;
		snprintf(k->name, sizeof(k->name), "%s/%s-%llu",
			 e->hook_id == HOOK_SWAP_FAULT ? "swap_fault" : "hook",
			 e->cgroup_id ? "cgroup" : "tgid",
			 (unsigned long long)id);
		logf_(a, "event=new_workload hook=%u key=%llu", e->hook_id,
		      (unsigned long long)id);
		resume(a, k);
		return k;
	}
	return NULL;
}

static void ingest(struct rmt_agent *a, unsigned int n)
{
	unsigned int i = 0, j;

	if (!a->st.first_event_ns)
		a->st.first_event_ns = now_ns();
	while (i < n) {
		struct key *k = find_key(a, &a->ev[i]);

		/* A run of events of one workload goes in one call. */
		for (j = i + 1; j < n && a->ev[j].hook_id == a->ev[i].hook_id &&
				a->ev[j].cgroup_id == a->ev[i].cgroup_id &&
				a->ev[j].tgid == a->ev[i].tgid;
		     j++)
			;
		if (k) {
			rmt_learner_ingest(k->l, a->ev + i, j - i);
			k->events += j - i;
		} else {
			a->unkeyed += j - i;
		}
		i = j;
	}
	a->st.events += n;
}

static void queue_rounds(struct rmt_agent *a)
{
	unsigned int i;

	for (i = 0; i < MAX_KEYS; i++) {
		struct key *k = &a->keys[i];

		if (!k->used || k->training || !rmt_learner_due(k->l))
			continue;
		k->training = true;
		pthread_mutex_lock(&a->lock);
		a->queue[(a->q_head + a->q_len++) % MAX_KEYS] = k;
		pthread_cond_signal(&a->cond);
		pthread_mutex_unlock(&a->lock);
	}
}

static void *trainer(void *arg)
{
	struct rmt_agent *a = arg;
	struct key *k;

	/* Judging candidates yields to the workload as training does. */
	if (a->c.backend_opts && a->c.backend_opts->cpu_nice)
		rmt_backend_yield_cpu(a->c.backend_opts->cpu_nice);
	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (!a->q_len && !RMT_READ_ONCE(a->stop))
			pthread_cond_wait(&a->cond, &a->lock);
		if (!a->q_len)
			break;
		k = a->queue[a->q_head];
		a->q_head = (a->q_head + 1) % MAX_KEYS;
		a->q_len--;
		pthread_mutex_unlock(&a->lock);
		memset(&k->res, 0, sizeof(k->res));
		k->train_err = rmt_learner_train(k->l, &k->res);
		pthread_mutex_lock(&a->lock);
		k->done = true;
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static u32 ppm(u64 a, u64 b)
{
	return b ? (u32)(a * 1000000ull / b) : 0;
}

static struct counters counters(struct rmt_agent *a)
{
	struct rmt_dp_stats s;

	rmt_dp_stats(a->dp, &s);
	return (struct counters){ s.hits, s.hits + s.misses, s.prefetched };
}

static struct quality quality(struct counters from, struct counters to)
{
	u64 pref = to.prefetched - from.prefetched;

	return (struct quality){
		ppm(to.hits - from.hits, to.faults - from.faults),
		pref >= ACCURACY_MIN_PREFETCHED ?
			ppm(to.hits - from.hits, pref) :
			0,
	};
}

static void start_watch(struct rmt_agent *a, struct key *k)
{
	a->watch.active = true;
	a->watch.k = k;
	a->watch.at = counters(a);
	a->watch.before = a->have_window ? a->last : (struct quality){ 0, 0 };
}

static void install(struct rmt_agent *a, struct key *k)
{
	struct rmt_learner_result *r = &k->res;
	char err[320] = "";
	u64 t0 = now_ns(), took;
	int e;

	e = rmt_dp_install_model(a->dp, HOOK_SWAP_FAULT, SLOT, r->model_id,
				 r->blob, r->blob_len, INSTALL_TIMEOUT_MS, err,
				 sizeof(err));
	took = now_ns() - t0;
	if (e) {
		a->st.rejected++;
		rmt_learner_installed(k->l, r->model_id, false);
		logf_(a,
		      "event=install_refused key=%llu model=%llu err=%d "
		      "install_ms=%.2f why=\"%s\"",
		      (unsigned long long)k->id,
		      (unsigned long long)r->model_id, e, took / 1e6, err);
		free(r->blob);
		r->blob = NULL;
		return;
	}
	a->st.models_installed++;
	if (!a->st.first_install_ns)
		a->st.first_install_ns = now_ns();
	rmt_learner_installed(k->l, r->model_id, true);
	save(a, k, r);
	model_free(&a->prev);
	a->prev = a->cur;
	a->cur = (struct model){ r->model_id, r->blob, r->blob_len };
	r->blob = NULL;
	logf_(a, "event=install key=%llu model=%llu bytes=%zu install_ms=%.2f",
	      (unsigned long long)k->id, (unsigned long long)a->cur.id,
	      a->cur.len, took / 1e6);
	start_watch(a, k);
}

static void take_result(struct rmt_agent *a, struct key *k)
{
	struct rmt_learner_result *r = &k->res;

	a->st.rounds++;
	if (k->train_err) {
		a->st.rejected++;
		logf_(a, "event=train_failed key=%llu err=%d",
		      (unsigned long long)k->id, k->train_err);
		return;
	}
	logf_(a,
	      "event=%s key=%llu model=%llu train_samples=%u "
	      "heldout_samples=%u candidate_ppm=%u installed_ppm=%u "
	      "heuristic_ppm=%u train_ms=%.1f ran_on=\"%s\" why=\"%s\"",
	      r->promote ? "promote" : "reject", (unsigned long long)k->id,
	      (unsigned long long)r->model_id, r->train_samples,
	      r->heldout_samples, r->candidate_ppm, r->installed_ppm,
	      r->heuristic_ppm, r->train_ns / 1e6, r->ran_on, r->why);
	if (!r->promote) {
		a->st.rejected++;
		free(r->blob);
		r->blob = NULL;
		return;
	}
	a->st.promoted++;
	install(a, k);
}

static void collect(struct rmt_agent *a)
{
	unsigned int i;
	bool done;

	for (i = 0; i < MAX_KEYS; i++) {
		struct key *k = &a->keys[i];

		if (!k->used || !k->training)
			continue;
		pthread_mutex_lock(&a->lock);
		done = k->done;
		k->done = false;
		pthread_mutex_unlock(&a->lock);
		if (!done)
			continue;
		take_result(a, k);
		k->training = false;
	}
}

static void rollback(struct rmt_agent *a, struct quality after)
{
	struct key *k = a->watch.k;
	char err[320] = "";
	u64 bad = a->cur.id;
	int e;

	if (a->prev.blob)
		e = rmt_dp_install_model(a->dp, HOOK_SWAP_FAULT, SLOT,
					 a->prev.id, a->prev.blob, a->prev.len,
					 INSTALL_TIMEOUT_MS, err, sizeof(err));
	else
		e = rmt_dp_clear_model(a->dp, HOOK_SWAP_FAULT, SLOT,
				       INSTALL_TIMEOUT_MS, err, sizeof(err));
	logf_(a,
	      "event=rollback key=%llu model=%llu to=%llu coverage_before_ppm=%u "
	      "coverage_after_ppm=%u accuracy_before_ppm=%u "
	      "accuracy_after_ppm=%u err=%d why=\"%s\"",
	      (unsigned long long)k->id, (unsigned long long)bad,
	      (unsigned long long)a->prev.id, a->watch.before.cov, after.cov,
	      a->watch.before.acc, after.acc, e,
	      e ? err : "live coverage or accuracy fell");
	if (e)
		return;
	a->st.rolled_back++;
	rmt_learner_installed(k->l, bad, false);
	if (a->reg && k->version &&
	    rmt_registry_rollback(a->reg, k->name, &k->version, err,
				  sizeof(err)))
		k->version = 0;
	model_free(&a->cur);
	a->cur = a->prev;
	memset(&a->prev, 0, sizeof(a->prev));
}

/* Live quality per window of faults; judges the model installed last. */
static void monitor(struct rmt_agent *a)
{
	struct counters now = counters(a);
	struct quality after, before = a->watch.before;

	if (now.faults - a->win.faults >= MONITOR_FAULTS) {
		a->last = quality(a->win, now);
		a->have_window = true;
		a->win = now;
	}
	if (!a->watch.active ||
	    now.faults - a->watch.at.faults < MONITOR_FAULTS)
		return;
	a->watch.active = false;
	after = quality(a->watch.at, now);
	logf_(a,
	      "event=judge model=%llu coverage_before_ppm=%u "
	      "coverage_after_ppm=%u accuracy_before_ppm=%u "
	      "accuracy_after_ppm=%u",
	      (unsigned long long)a->cur.id, before.cov, after.cov, before.acc,
	      after.acc);
	if ((before.cov && after.cov + ROLLBACK_MARGIN_PPM < before.cov) ||
	    (before.acc && after.acc &&
	     after.acc + ACCURACY_MARGIN_PPM < before.acc))
		rollback(a, after);
}

static void note_backend(struct rmt_agent *a)
{
	const struct rmt_backend_info *bi = rmt_backend_info(a->backend);

	snprintf(a->st.backend, sizeof(a->st.backend), "%s", bi->name);
	snprintf(a->st.device, sizeof(a->st.device), "%s", bi->device);
}

static void *open_accel(void *arg)
{
	struct rmt_agent *a = arg;
	struct rmt_backend *b = NULL;
	char err[256] = "";

	rmt_backend_open(a->c.backend, &a->accel.opts, &b, err, sizeof(err));
	pthread_mutex_lock(&a->lock);
	a->accel.b = b;
	snprintf(a->accel.err, sizeof(a->accel.err), "%s", err);
	a->accel.done = true;
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* Waits for the opener and closes what it opened (the agent stops). */
static void drop_accel(struct rmt_agent *a)
{
	if (!a->accel.pending)
		return;
	pthread_join(a->accel.thread, NULL);
	a->accel.pending = false;
	rmt_backend_close(a->accel.b);
	a->accel.b = NULL;
}

/* Once the accelerator is open and no round runs, train there. */
static void switch_backend(struct rmt_agent *a)
{
	const struct rmt_backend_info *bi;
	struct rmt_backend *b;
	unsigned int i;
	bool done;

	if (!a->accel.pending)
		return;
	pthread_mutex_lock(&a->lock);
	done = a->accel.done;
	b = a->accel.b;
	pthread_mutex_unlock(&a->lock);
	if (!done)
		return;
	for (i = 0; i < MAX_KEYS; i++)
		if (a->keys[i].used && a->keys[i].training)
			return;
	pthread_join(a->accel.thread, NULL);
	a->accel.pending = false;
	if (!b || rmt_backend_info(b)->kind == RMT_BACKEND_CPU) {
		logf_(a, "event=backend backend=cpu device=\"%s\" why=\"%s\"",
		      rmt_backend_info(a->backend)->device,
		      b ? rmt_backend_info(b)->why : a->accel.err);
		rmt_backend_close(b);
		return;
	}
	for (i = 0; i < MAX_KEYS; i++)
		if (a->keys[i].used)
			rmt_learner_set_backend(a->keys[i].l, b);
	rmt_backend_close(a->backend);
	a->backend = b;
	note_backend(a);
	bi = rmt_backend_info(b);
	logf_(a, "event=backend backend=%s device=\"%s\" why=\"%s\"", bi->name,
	      bi->device, bi->why);
}

static void *drainer(void *arg)
{
	struct rmt_agent *a = arg;
	int n;

	for (;;) {
		int stop = RMT_READ_ONCE(a->stop);

		n = rmt_dp_poll_faults(a->dp, a->ev, BURST);
		if (n > 0)
			ingest(a, (unsigned int)n);
		/*
		 * Once stopping, only drain: the datapath may be gone (the
		 * run ended), and an install would wait for its timeout.
		 */
		if (!stop) {
			collect(a);
			switch_backend(a);
			queue_rounds(a);
			monitor(a);
			follow_registry(a);
		}
		a->st.dropped = rmt_dp_dropped(a->dp) + a->unkeyed;
		pthread_mutex_lock(&a->lock);
		a->pub = a->st;
		pthread_mutex_unlock(&a->lock);
		if (n < (int)BURST) {
			if (stop && n <= 0)
				break;
			/*
			 * This thread runs one priority above a real-time
			 * program: each wake-up can preempt it.  Once a
			 * millisecond is soon enough for training, and the
			 * event ring holds far more than a millisecond of
			 * faults (rmt-run's: about 58,000 events).
			 */
			usleep(1000);
		}
	}
	return NULL;
}

int rmt_agent_start(struct rmt_dp *dp, const struct rmt_agent_config *c,
		    struct rmt_agent **out, char *err, size_t err_size)
{
	struct rmt_backend_opts bo = { 0 };
	const char *bad = rmt_learner_config_error(&c->learn);
	struct rmt_agent *a;
	int r;

	if (bad) {
		snprintf(err, err_size, "learner: %s", bad);
		return -EINVAL;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if (c->backend_opts)
		bo = *c->backend_opts;
	bo.log = c->log;
	bo.log_arg = c->log_arg;
	a->dp = dp;
	a->c = *c;
	a->t0 = now_ns();
	if (c->registry) {
		r = rmt_registry_open(c->registry,
				      RMT_REG_CREATE | RMT_REG_AGENT, &a->reg,
				      err, err_size);
		if (r) {
			free(a);
			return r;
		}
	}
	if (!a->c.backend)
		a->c.backend = "cpu";
	a->accel.pending = strcmp(a->c.backend, "cpu") != 0;
	/* A kind that does not exist fails here, not on the thread. */
	r = rmt_backend_check_kind(a->c.backend, err, err_size);
	if (!r)
		r = rmt_backend_open(a->accel.pending ? "cpu" : a->c.backend,
				     &bo, &a->backend, err, err_size);
	if (r) {
		rmt_registry_close(a->reg);
		free(a);
		return r;
	}
	if (a->accel.pending)
		logf_(a,
		      "event=start backend=cpu device=\"%s\" why=\"%s "
		      "starting: the CPU trains meanwhile\"",
		      rmt_backend_info(a->backend)->device, a->c.backend);
	else
		logf_(a, "event=start backend=%s device=\"%s\" why=\"%s\"",
		      rmt_backend_info(a->backend)->name,
		      rmt_backend_info(a->backend)->device,
		      rmt_backend_info(a->backend)->why);
	note_backend(a);
	a->pub = a->st;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	a->accel.opts = bo;
	if (a->accel.pending &&
	    pthread_create(&a->accel.thread, NULL, open_accel, a)) {
		a->accel.pending = false;
		logf_(a,
		      "event=backend backend=cpu why=\"no thread to open %s\"",
		      a->c.backend);
	}
	r = rmt_backend_thread(&a->trainer, trainer, a, c->backend_opts);
	if (!r) {
		r = -pthread_create(&a->drainer, NULL, drainer, a);
		if (r) {
			RMT_WRITE_ONCE(a->stop, 1);
			pthread_cond_signal(&a->cond);
			pthread_join(a->trainer, NULL);
		}
	}
	if (r) {
		snprintf(err, err_size, "cannot start threads: %s",
			 strerror(-r));
		drop_accel(a);
		rmt_backend_close(a->backend);
		rmt_registry_close(a->reg);
		free(a);
		return r;
	}
	*out = a;
	return 0;
}

void rmt_agent_stop(struct rmt_agent *a)
{
	unsigned int i;

	if (!a)
		return;
	RMT_WRITE_ONCE(a->stop, 1);
	pthread_join(a->drainer, NULL);
	pthread_mutex_lock(&a->lock);
	a->q_len = 0; /* rounds not started are dropped */
	pthread_cond_signal(&a->cond);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->trainer, NULL);
	for (i = 0; i < MAX_KEYS; i++) {
		if (!a->keys[i].used)
			continue;
		free(a->keys[i].res.blob);
		rmt_learner_destroy(a->keys[i].l);
	}
	logf_(a,
	      "event=stop events=%llu dropped=%llu rounds=%llu promoted=%llu "
	      "rejected=%llu rolled_back=%llu installed=%llu",
	      (unsigned long long)a->st.events,
	      (unsigned long long)a->st.dropped,
	      (unsigned long long)a->st.rounds,
	      (unsigned long long)a->st.promoted,
	      (unsigned long long)a->st.rejected,
	      (unsigned long long)a->st.rolled_back,
	      (unsigned long long)a->st.models_installed);
	drop_accel(a);
	rmt_backend_close(a->backend);
	rmt_registry_close(a->reg);
	model_free(&a->cur);
	model_free(&a->prev);
	free(a);
}

void rmt_agent_stats(struct rmt_agent *a, struct rmt_agent_stats *out)
{
	pthread_mutex_lock(&a->lock);
	*out = a->pub;
	pthread_mutex_unlock(&a->lock);
}
