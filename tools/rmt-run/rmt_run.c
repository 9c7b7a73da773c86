// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmt_run.c - rmt-run: runs an unmodified, dynamically linked program with
 * its large anonymous allocations in far memory paged by the user-space
 * pager (librmt-preload.so), drains the fault events it emits to a ring,
 * and reports the pager's statistics on standard error, ending with one
 * RESULT line.  The program's standard output and exit status are left
 * as they are (a program killed by a signal kills rmt-run with it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/datapath.h"
#include "agent/learn.h"
#include "agent/loop.h"
#include "proto/msg.h"
#include "proto/ring.h"
#include "proto/user/ring_mem.h"
#include "uspace/control.h"
#include "uspace/ctl_socket.h"
#include "uspace/fetch.h"
#include "uspace/oracle.h"
#include "uspace/pager.h"
#include "uspace/parse.h"
#include "uspace/rmt_prefetch.h"
#include "uspace/stats.h"
#include "uspace/trace.h"

#define RING_DATA (4u << 20)

struct opts {
	const char *mem_limit;
	const char *far_latency;
	const char *fetch_depth;
	const char *spin;
	const char *fault_handler;
	const char *evict;
	const char *prefetcher;
	const char *threshold;
	const char *inactive;
	const char *json;
	const char *trace;
	const char *control;
	const char *agent_log;
	uint32_t first_model, retrain, retrain_max;
	char **argv;
};

struct drain {
	struct rmt_ring_cons cons;
	FILE *trace;
	uint64_t events;
	volatile int stop;
};

static volatile pid_t child;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rmt-run [options] -- PROGRAM [ARGS...]\n"
		"Runs PROGRAM with its large anonymous allocations in far memory paged by\n"
		"the rmt user-space pager, then prints statistics on standard error.\n"
		"  --mem-limit SIZE     local memory: bytes with K/M/G, or a percentage of\n"
		"                       the far memory allocated (default 50%%)\n"
		"  --far-latency TIME   latency of one page fetch, e.g. 5us, 80us (5us)\n"
		"  --fetch-depth N      page fetches in flight, 1..%u (8)\n"
		"  --fault-handler WHO  who serves a fault: signal (default: the\n"
		"                       faulting thread, in a SIGBUS handler) or thread\n"
		"                       (a fault thread, woken through userfaultfd)\n"
		"  --evict HOW          how pages go to far memory and back: move (default:\n"
		"                       the pages themselves move, with UFFDIO_MOVE, where\n"
		"                       the kernel has it, Linux 6.8 on; else copy) or copy\n"
		"                       (write-protected, copied, unmapped; fetched copies)\n"
		"  --spin TIME          with --fault-handler thread: the fault thread\n"
		"                       polls for the next fault this long after each\n"
		"                       one before it sleeps (%s)\n"
		"  --prefetcher NAME    none (default), readahead (Linux swap readahead),\n"
		"                       leap (Leap), learned (a decision tree trained\n"
		"                       during the run by the agent, in this process),\n"
		"                       or FILE.rmt: an RMT program of the swap_fault\n"
		"                       hook, run on every far fault; or oracle:TRACE,\n"
		"                       which asks for the pages the run of TRACE (from\n"
		"                       --trace) faulted on next: a perfect prefetcher\n"
		"  --threshold SIZE     smallest allocation put in far memory (1M)\n"
		"  --inactive PCT       share of the limit kept on the inactive list (25)\n"
		"  --first-model N      learned: faults before the first model (500)\n"
		"  --retrain N          learned: faults between rounds (4000)\n"
		"  --retrain-max N      learned: rounds that change nothing double the\n"
		"                       wait up to N faults (8x --retrain)\n"
		"  --agent-log FILE     learned: the agent's decision log (standard\n"
		"                       error by default)\n"
		"  --json FILE          write the statistics as JSON\n"
		"  --trace FILE         write the fault trace (one line per far fault)\n"
		"  --control SOCKET     let an agent attach (rmt-agent --attach SOCKET):\n"
		"                       it drains the fault events and installs models;\n"
		"                       a prefetcher without a model slot runs until the\n"
		"                       first model arrives (the learned program then)\n"
		"  --help               this text\n"
		"Exit status: the program's; 2 for a usage error, 1 when the pager\n"
		"cannot run here, 127 when PROGRAM cannot be executed.\n",
		RMT_US_MAX_DEPTH, RMT_US_DEFAULT_SPIN);
}

static void bad(const char *what, const char *value)
{
	fprintf(stderr, "rmt-run: bad %s '%s' (see rmt-run --help)\n", what,
		value);
	exit(2);
}

/* Loads the prefetcher once here, so that a bad one is a usage error. */
static void check_prefetcher(const char *name)
{
	const char *trace = rmt_us_oracle_trace(name);
	struct rmt_us_rmt_pf *pf;
	struct rmt_us_oracle *o;
	char err[256] = "";

	if (trace) {
		if (rmt_us_oracle_open(trace, &o, err, sizeof(err))) {
			fprintf(stderr, "rmt-run: bad --prefetcher: %s\n", err);
			exit(2);
		}
		rmt_us_oracle_close(o);
		return;
	}
	if (rmt_us_rmt_pf_open(name, &pf, err, sizeof(err))) {
		fprintf(stderr, "rmt-run: bad --prefetcher: %s\n", err);
		exit(2);
	}
	rmt_us_rmt_pf_close(pf);
}

/* The learner's schedule from --first-model, --retrain and --retrain-max. */
static struct rmt_learner_config learner_config(const struct opts *o)
{
	struct rmt_learner_config lc = {
		.first_model_faults = o->first_model,
		.retrain_faults = o->retrain,
		.retrain_max_faults = o->retrain_max,
	};

	return lc;
}

static void check_learner(const struct opts *o)
{
	struct rmt_learner_config lc = learner_config(o);
	const char *why = rmt_learner_config_error(&lc);

	if (why) {
		fprintf(stderr, "rmt-run: --retrain-max: %s\n", why);
		exit(2);
	}
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "mem-limit", required_argument, NULL, 'm' },
		{ "far-latency", required_argument, NULL, 'l' },
		{ "fetch-depth", required_argument, NULL, 'd' },
		{ "spin", required_argument, NULL, 's' },
		{ "fault-handler", required_argument, NULL, 'H' },
		{ "evict", required_argument, NULL, 'E' },
		{ "prefetcher", required_argument, NULL, 'p' },
		{ "threshold", required_argument, NULL, 't' },
		{ "inactive", required_argument, NULL, 'i' },
		{ "json", required_argument, NULL, 'j' },
		{ "trace", required_argument, NULL, 'T' },
		{ "control", required_argument, NULL, 'C' },
		{ "first-model", required_argument, NULL, 'F' },
		{ "retrain", required_argument, NULL, 'R' },
		{ "retrain-max", required_argument, NULL, 'M' },
		{ "agent-log", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v, spin_ns;
	uint32_t pm, mode;
	int c;

	memset(o, 0, sizeof(*o));
	o->mem_limit = "50%";
	o->far_latency = "5us";
	o->fetch_depth = "8";
	o->spin = RMT_US_DEFAULT_SPIN;
	o->fault_handler = "signal";
	o->evict = "move";
	o->prefetcher = "none";
	o->threshold = "1M";
	o->inactive = "25";
	while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->mem_limit = optarg;
			break;
		case 'l':
			o->far_latency = optarg;
			break;
		case 'd':
			o->fetch_depth = optarg;
			break;
		case 's':
			o->spin = optarg;
			break;
		case 'H':
			o->fault_handler = optarg;
			break;
		case 'E':
			o->evict = optarg;
			break;
		case 'p':
			o->prefetcher = optarg;
			break;
		case 't':
			o->threshold = optarg;
			break;
		case 'i':
			o->inactive = optarg;
			break;
		case 'j':
			o->json = optarg;
			break;
		case 'T':
			o->trace = optarg;
			break;
		case 'C':
			o->control = optarg;
			break;
		case 'F':
		case 'R':
			if (rmt_us_parse_count(optarg, 1, 1u << 30, &v))
				bad(c == 'F' ? "--first-model" : "--retrain",
				    optarg);
			*(c == 'F' ? &o->first_model : &o->retrain) =
				(uint32_t)v;
			break;
		case 'M':
			if (rmt_us_parse_count(optarg, 1, 1u << 30, &v))
				bad("--retrain-max", optarg);
			o->retrain_max = (uint32_t)v;
			break;
		case 'A':
			o->agent_log = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (rmt_us_parse_size(o->mem_limit, &v, &pm) || (!v && !pm))
		bad("--mem-limit (want e.g. 24M or 25%; not 0)", o->mem_limit);
	if (v && v < RMT_US_MIN_LIMIT_PAGES * RMT_US_PAGE)
		bad("--mem-limit (at least 64K)", o->mem_limit);
	if (rmt_us_parse_duration(o->far_latency, &v) || v > 1000000000ull)
		bad("--far-latency (want e.g. 5us, 80us, 1ms; at most 1s)",
		    o->far_latency);
	if (rmt_us_parse_count(o->fetch_depth, 1, RMT_US_MAX_DEPTH, &v))
		bad("--fetch-depth (want 1..256)", o->fetch_depth);
	if (rmt_us_parse_duration(o->spin, &spin_ns) ||
	    spin_ns > RMT_US_MAX_SPIN_NS)
		bad("--spin (want e.g. 0, 50us; at most 10ms)", o->spin);
	if (rmt_us_parse_evict_mode(o->evict, &mode))
		bad("--evict (want move or copy)", o->evict);
	if (rmt_us_parse_fault_mode(o->fault_handler, &mode))
		bad("--fault-handler (want signal or thread)",
		    o->fault_handler);
	if (spin_ns && mode != RMT_US_FAULT_THREAD)
		bad("--spin (polls with a fault thread only: add "
		    "--fault-handler thread)",
		    o->spin);
	check_prefetcher(o->prefetcher);
	check_learner(o);
	if (rmt_us_parse_size(o->threshold, &v, &pm) || pm || !v)
		bad("--threshold", o->threshold);
	if (rmt_us_parse_count(o->inactive, 0, 90, &v))
		bad("--inactive (want 0..90)", o->inactive);
	if ((o->control || !strcmp(o->prefetcher, "learned")) && o->trace) {
		fprintf(stderr,
			"rmt-run: --trace goes with neither --control "
			"nor --prefetcher learned (the agent drains the "
			"fault events)\n");
		exit(2);
	}
	if (o->control && rmt_us_oracle_trace(o->prefetcher)) {
		fprintf(stderr, "rmt-run: --prefetcher oracle:TRACE goes "
				"without --control (an agent would replace "
				"it)\n");
		exit(2);
	}
	if (optind >= argc) {
		fprintf(stderr, "rmt-run: no program given (usage: rmt-run "
				"[options] -- PROGRAM [ARGS...])\n");
		exit(2);
	}
	o->argv = argv + optind;
}

/* librmt-preload.so from RMT_PRELOAD, else ../lib beside this program. */
static int find_preload(char *out, size_t len)
{
	const char *env = getenv("RMT_PRELOAD");
	char exe[PATH_MAX - 32];
	ssize_t n;
	char *slash;

	if (env) {
		snprintf(out, len, "%s", env);
		return access(out, R_OK) ? -errno : 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -errno;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	if (snprintf(out, len, "%s/../lib/librmt-preload.so", exe) >= (int)len)
		return -ENAMETOOLONG;
	return access(out, R_OK) ? -errno : 0;
}

/* Far faults go to the trace as a line each. */
static void drain_faults(struct drain *d, const struct rmt_msg_fault *ev, int n)
{
	int i;

	for (i = 0; i < n && d->trace; i++) {
		struct rmt_us_trace_rec r = {
			.time_ns = ev[i].time_ns,
			.tid = ev[i].pid,
			.addr = ev[i].addr,
			.region_start = ev[i].vma_start,
			.region_end = ev[i].vma_end,
			.flags = ev[i].flags,
			.latency_ns = ev[i].latency_ns,
		};

		rmt_us_trace_write(d->trace, &r);
	}
	d->events += (uint64_t)n;
}

/*
 * A record taken alone, after a burst of faults stopped at it: page
 * events go to the trace, a free as one drop line, evictions and first
 * touches as a line per page.  It is a fault too where the burst found
 * the ring empty and the fault came just after.
 */
static void drain_record(struct drain *d, uint16_t type, const void *rec,
			 uint32_t len)
{
	const struct rmt_msg_page *e = rec;
	struct rmt_us_trace_rec r = { 0 };
	uint32_t i;

	if (rmt_msg_check(type, rec, len))
		return;
	if (type == RMT_MSG_FAULT) {
		drain_faults(d, rec, 1);
		return;
	}
	if (!d->trace || type != RMT_MSG_PAGE)
		return;
	r.time_ns = e->time_ns;
	r.addr = e->addr;
	r.npages = e->npages;
	if (e->event == RMT_PAGE_DROPPED) {
		r.kind = RMT_US_TRACE_DROP;
		rmt_us_trace_write(d->trace, &r);
		return;
	}
	r.kind = e->event == RMT_PAGE_TOUCHED ? RMT_US_TRACE_TOUCH :
						RMT_US_TRACE_EVICT;
	r.npages = 1;
	for (i = 0; i < e->npages; i++, r.addr += RMT_US_PAGE)
		rmt_us_trace_write(d->trace, &r);
}

static void *drain_thread(void *arg)
{
	struct drain *d = arg;
	struct rmt_msg_fault ev[64];
	uint64_t rec[32]; /* the ring's largest payload, 256 bytes */
	uint16_t type;
	int n;

	for (;;) {
		int stop = d->stop;

		n = rmt_ring_consume_burst(&d->cons, RMT_MSG_FAULT, ev,
					   sizeof(ev[0]), 64);
		/* Not a fault (an eviction, say), or the ring was empty. */
		if (n == 0) {
			n = rmt_ring_consume(&d->cons, &type, rec, sizeof(rec));
			if (n > 0) {
				drain_record(d, type, rec, (uint32_t)n);
				continue;
			}
		}
		if (n < 0) {
			rmt_ring_cons_resync(&d->cons);
			continue;
		}
		drain_faults(d, ev, n);
		if (!n) {
			if (stop)
				return NULL;
			usleep(1000);
		}
	}
}

static struct rmt_dp *agent_dp;
static FILE *agent_log;

/* --prefetcher learned: the agent's loop on this process's rings. */
static void log_line(void *arg, const char *line)
{
	fprintf(arg, "%s\n", line);
	fflush(arg);
}

static struct rmt_agent *start_agent(const struct opts *o, int ev_fd,
				     int cmd_fd, int stats_fd, int program_rt)
{
	/*
	 * The agent shares the machine with the program it learns from:
	 * its training threads run below the program (one real-time
	 * priority below a real-time one), so they take idle time first.
	 */
	static struct rmt_backend_opts bo = { .cpu_nice = 10 };
	struct rmt_agent_config c = { .backend = "cpu", .backend_opts = &bo };
	struct rmt_agent *a;
	char err[256];

	bo.workload_rt_priority = program_rt;
	c.learn = learner_config(o);
	if (o->agent_log) {
		/* Not the program's: the agent starts before the exec. */
		FILE *f = fopen(o->agent_log, "ae");

		if (!f) {
			fprintf(stderr, "rmt-run: cannot write %s: %s\n",
				o->agent_log, strerror(errno));
			exit(2);
		}
		c.log = log_line;
		c.log_arg = f;
		agent_log = f;
	}
	if (rmt_dp_from_fds(ev_fd, cmd_fd, stats_fd, &agent_dp, err,
			    sizeof(err)) ||
	    rmt_agent_start(agent_dp, &c, &a, err, sizeof(err))) {
		fprintf(stderr, "rmt-run: cannot start the agent: %s\n", err);
		exit(1);
	}
	return a;
}

static void stop_agent(struct rmt_agent *a)
{
	rmt_agent_stop(a);
	rmt_dp_detach(agent_dp);
	if (agent_log)
		fclose(agent_log);
}

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static int shared_fd(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags < 0 ? -1 : fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

static void run_child(const struct opts *o, const char *preload, int stats_fd,
		      int ring_fd, int cmd_fd, int err_pipe)
{
	char num[32];
	const char *old = getenv("LD_PRELOAD");
	char *pre;
	int e;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (shared_fd(stats_fd) || shared_fd(ring_fd) ||
	    (cmd_fd >= 0 && shared_fd(cmd_fd)))
		goto fail;
	if (asprintf(&pre, "%s%s%s", preload, old ? ":" : "", old ? old : "") <
	    0)
		goto fail;
	setenv("LD_PRELOAD", pre, 1);
	setenv("RMT_MEM_LIMIT", o->mem_limit, 1);
	setenv("RMT_FAR_LATENCY", o->far_latency, 1);
	setenv("RMT_FETCH_DEPTH", o->fetch_depth, 1);
	setenv("RMT_SPIN", o->spin, 1);
	setenv("RMT_FAULT_HANDLER", o->fault_handler, 1);
	setenv("RMT_EVICT", o->evict, 1);
	setenv("RMT_THRESHOLD", o->threshold, 1);
	setenv("RMT_INACTIVE", o->inactive, 1);
	setenv("RMT_PREFETCHER", o->prefetcher, 1);
	snprintf(num, sizeof(num), "%d", stats_fd);
	setenv("RMT_STATS_FD", num, 1);
	snprintf(num, sizeof(num), "%d", ring_fd);
	setenv("RMT_RING_FD", num, 1);
	/* What the replay of a trace needs to tell far pages from local. */
	setenv("RMT_PAGE_EVENTS", o->trace ? "1" : "0", 1);
	if (cmd_fd >= 0) {
		snprintf(num, sizeof(num), "%d", cmd_fd);
		setenv("RMT_CMD_FD", num, 1);
	}
	execvp(o->argv[0], o->argv);
fail:
	e = errno;
	if (write(err_pipe, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void write_json(const struct opts *o, const struct rmt_us_stats *st,
		       double wall, int status)
{
	FILE *f = fopen(o->json, "w");

	if (!f) {
		fprintf(stderr, "rmt-run: cannot write %s: %s\n", o->json,
			strerror(errno));
		return;
	}
	fprintf(f, "{\"program\": ");
	json_str(f, o->argv[0]);
	fprintf(f, ", \"mem_limit\": ");
	json_str(f, o->mem_limit);
	fprintf(f, ", \"far_latency\": ");
	json_str(f, o->far_latency);
	fprintf(f,
		", \"fetch_depth\": %s, \"fault_handler\": ", o->fetch_depth);
	json_str(f, o->fault_handler);
	fprintf(f, ", \"evict\": ");
	json_str(f, o->evict);
	fprintf(f, ", \"spin\": ");
	json_str(f, o->spin);
	fprintf(f, ", \"prefetcher\": ");
	json_str(f, o->prefetcher);
	fprintf(f, ", \"exit_status\": %d, \"stats\": ", status);
	rmt_us_stats_json(f, st, wall, (unsigned int)st->models_installed);
	fprintf(f, "}\n");
	fclose(f);
}

static void exit_like(int status)
{
	struct rlimit none = { 0, 0 };
	int sig;

	if (WIFEXITED(status))
		exit(WEXITSTATUS(status));
	sig = WTERMSIG(status);
	/* Die the same way, without leaving a core file behind. */
	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	raise(sig);
	exit(128 + sig);
}

static int program_policy;
static struct sched_param program_param;

/* Raises this process one real-time priority above its own, if it has one. */
static bool raise_above_program(void)
{
	struct sched_param sp;

	program_policy = sched_getscheduler(0);
	if ((program_policy != SCHED_FIFO && program_policy != SCHED_RR) ||
	    sched_getparam(0, &program_param) ||
	    program_param.sched_priority >=
		    sched_get_priority_max(program_policy))
		return false;
	sp.sched_priority = program_param.sched_priority + 1;
	return !sched_setscheduler(0, program_policy, &sp);
}

static uint64_t cpu_ns(const struct rusage *ru)
{
	return (uint64_t)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) *
		       1000000000ull +
	       (uint64_t)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) *
		       1000ull;
}

/* The program's real-time priority, 0 when it has none. */
static int program_rt_priority(void)
{
	return program_policy == SCHED_FIFO || program_policy == SCHED_RR ?
		       program_param.sched_priority :
		       0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct rmt_ring_map ring, cmd = { -1, NULL, 0 };
	struct rmt_us_ctl_server *server = NULL;
	struct rmt_agent *agent = NULL;
	bool learned;
	struct rmt_us_stats *st;
	struct drain d = { 0 };
	struct rusage ru_start, ru_self, ru_program;
	char preload[PATH_MAX], why[256] = "";
	int stats_fd, pipefd[2], status, e, err;
	bool raised;
	uint64_t t0, t1, ready;
	pthread_t drainer;
	ssize_t got;

	parse(argc, argv, &o);
	err = rmt_pager_probe(why, sizeof(why));
	if (err) {
		fprintf(stderr, "rmt-run: the pager cannot run here: %s\n",
			why);
		return 1;
	}
	if (find_preload(preload, sizeof(preload))) {
		fprintf(stderr,
			"rmt-run: cannot find librmt-preload.so (set "
			"RMT_PRELOAD): %s\n",
			preload);
		return 1;
	}
	if (o.trace) {
		d.trace = fopen(o.trace, "w");
		if (!d.trace) {
			fprintf(stderr, "rmt-run: cannot write %s: %s\n",
				o.trace, strerror(errno));
			return 2;
		}
		fprintf(d.trace, RMT_US_TRACE_HEADER
			": time_ns tid addr region_start region_end flags "
			"latency_ns | evict time_ns addr | touch time_ns addr | "
			"drop time_ns addr npages\n");
	}
	stats_fd = memfd_create("rmt-stats", MFD_CLOEXEC);
	if (stats_fd < 0 || ftruncate(stats_fd, sizeof(*st)) ||
	    (st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED,
		       stats_fd, 0)) == MAP_FAILED ||
	    rmt_ring_memfd_create("rmt-faults", RING_DATA, 256, &ring) ||
	    rmt_ring_cons_attach(&d.cons, ring.mem, ring.len) ||
	    pipe2(pipefd, O_CLOEXEC)) {
		fprintf(stderr, "rmt-run: cannot set up shared memory: %s\n",
			strerror(errno));
		return 1;
	}
	rmt_us_stats_init(st);
	learned = !o.control && !strcmp(o.prefetcher, "learned");
	if (o.control || learned) {
		if (rmt_ring_memfd_create("rmt-commands", RMT_US_CMD_RING_DATA,
					  RMT_US_CMD_MAX_PAYLOAD, &cmd)) {
			fprintf(stderr,
				"rmt-run: cannot set up the command ring: %s\n",
				strerror(errno));
			return 1;
		}
	}
	if (o.control) {
		int fds[3];
		char cerr[256];

		fds[0] = ring.fd;
		fds[1] = cmd.fd;
		fds[2] = stats_fd;
		if (rmt_us_ctl_server_start(o.control, fds, &server, cerr,
					    sizeof(cerr))) {
			fprintf(stderr, "rmt-run: --control: %s\n", cerr);
			return 2;
		}
	}
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	signal(SIGQUIT, forward);
	/*
	 * Under a real-time policy (run-experiment --realtime) rmt-run, and so
	 * the agent and the drainer it starts, run one priority above the
	 * program, which gets the policy back before it starts: a program
	 * whose faults are served in its own thread never sleeps, so anything
	 * at or below its priority on its CPU waits for the whole run.  Raised
	 * after the fork, rmt-run itself sometimes waited there, behind the
	 * program, until the run was over, and the agent never ran (1 run in
	 * 20).  The agent's threads sleep most of the time and the scheduler
	 * wakes them on the other CPU when it is idle; its training threads
	 * run one priority below the program (rmt_backend_thread).
	 */
	raised = raise_above_program();
	getrusage(RUSAGE_SELF, &ru_start);
	/*
	 * The agent, attached (--control) or in this process (learned), is
	 * the fault ring's only consumer.  The in-process agent starts before
	 * the program: its backend's open waits for its training threads to
	 * start, and they run below a real-time program, which never sleeps
	 * while it faults; started after the fork, they sometimes found no
	 * CPU until the program had finished, and the run never had a model
	 * (4 runs in 64 of an experiment, with the agent's start logged
	 * 416-539 ms in: the whole run).
	 */
	if (learned)
		agent = start_agent(&o, ring.fd, cmd.fd, stats_fd,
				    program_rt_priority());
	t0 = rmt_us_now_ns();
	child = fork();
	if (child < 0) {
		fprintf(stderr, "rmt-run: fork: %s\n", strerror(errno));
		return 1;
	}
	if (child == 0) {
		if (raised)
			sched_setscheduler(0, program_policy, &program_param);
		run_child(&o, preload, stats_fd, ring.fd, cmd.fd, pipefd[1]);
	}
	close(pipefd[1]);
	got = read(pipefd[0], &e, sizeof(e));
	close(pipefd[0]);
	if (got == sizeof(e)) {
		waitpid(child, &status, 0);
		if (agent)
			stop_agent(agent);
		rmt_us_ctl_server_stop(server);
		fprintf(stderr, "rmt-run: cannot execute '%s': %s\n", o.argv[0],
			strerror(e));
		return 127;
	}
	if (!learned && !server)
		pthread_create(&drainer, NULL, drain_thread, &d);
	while (wait4(child, &status, 0, &ru_program) < 0 && errno == EINTR)
		;
	t1 = rmt_us_now_ns();
	/* From the moment the datapath was ready (see preload.c). */
	ready = __atomic_load_n(&st->ready_ns, __ATOMIC_ACQUIRE);
	if (ready > t0 && ready < t1)
		t0 = ready;
	d.stop = 1;
	if (agent)
		stop_agent(agent);
	else if (!server)
		pthread_join(drainer, NULL);
	rmt_us_ctl_server_stop(server);
	if (d.trace) {
		fclose(d.trace);
		if (st->ring_dropped)
			fprintf(stderr,
				"rmt-run: warning: the trace lacks %llu "
				"events: the ring was full\n",
				(unsigned long long)st->ring_dropped);
	}
	getrusage(RUSAGE_SELF, &ru_self);
	st->program_cpu_ns = cpu_ns(&ru_program);
	st->program_preempted = (uint64_t)ru_program.ru_nivcsw;
	st->runner_cpu_ns = cpu_ns(&ru_self) - cpu_ns(&ru_start);
	rmt_us_stats_print(stderr, st, (t1 - t0) / 1e9,
			   (unsigned int)st->models_installed);
	if (o.json)
		write_json(&o, st, (t1 - t0) / 1e9, status);
	exit_like(status);
	return 1;
}
