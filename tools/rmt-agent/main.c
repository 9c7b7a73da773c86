// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * main.c - rmt-agent, the user-space agent's daemon: attaches to a
 * datapath (`rmt-run --control SOCKET`, or the kernel's /dev/rmt for a
 * cgroup or a process) and runs the learning loop of agent/loop.h on it
 * until the datapath goes away, the duration ends or a signal asks it to
 * stop; or (--probe) says which backend would train the models and, if
 * an accelerator cannot be used, why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent/backend.h"
#include "agent/datapath.h"
#include "agent/learn.h"
#include "agent/loop.h"

static const char usage[] =
	"usage: rmt-agent --attach SOCKET [OPTIONS]\n"
	"       rmt-agent --attach /dev/rmt --cgroup PATH|--pid N "
	"[--program P]\n"
	"                 [OPTIONS]\n"
	"       rmt-agent --probe [--backend KIND] [OPTIONS]\n"
	"\n"
	"  --attach SOCKET    attach to a datapath: the socket of rmt-run\n"
	"                     --control SOCKET (or unix:SOCKET); drain its\n"
	"                     fault events, train, install and watch models\n"
	"                     until the run ends or SIGINT/SIGTERM\n"
	"  --attach DEVICE    the kernel datapath (/dev/rmt, rmt.ko): load\n"
	"                     the program, run it at swap_fault for the\n"
	"                     cgroup or process, drain its fault events and\n"
	"                     install models in it, until the process or\n"
	"                     cgroup has gone or SIGINT/SIGTERM\n"
	"  --cgroup PATH      kernel: watch this cgroup v2 (and below)\n"
	"  --pid N            kernel: watch this process\n"
	"  --program P        kernel: the program run at swap_fault: readahead,\n"
	"                     leap, learned (built in; the default) or a\n"
	"                     FILE.rmt\n"
	"  --duration S       stop after S seconds (default: no limit)\n"
	"  --backend KIND     where to train: auto (default: a usable GPU,\n"
	"                     DPDK cores if --eal is given, else the CPU),\n"
	"                     cpu, cuda or dpdk; the CPU trains while a GPU\n"
	"                     or the EAL starts (0.2-0.3 s)\n"
	"  --registry DIR     keep installed models in a model registry\n"
	"                     (created if missing; rmtctl models ...): save\n"
	"                     each, resume a workload from its current one,\n"
	"                     follow rollbacks and pins made there\n"
	"  --log FILE         the decision log (one line per decision;\n"
	"                     default standard error)\n"
	"  --first-model N    faults before the first model (500)\n"
	"  --retrain N        faults between training rounds (4000)\n"
	"  --retrain-max N    rounds that change nothing double the wait up\n"
	"                     to N faults (8x --retrain)\n"
	"  --probe            print what the backend runs on, or why it\n"
	"                     falls back to the CPU, and exit\n"
	"  --threads N        CPU backend threads (default 2)\n"
	"  --cuda-device N    CUDA device ordinal (default 0)\n"
	"  --cuda-driver LIB  driver library (default libcuda.so.1)\n"
	"  --eal ARGS         DPDK EAL arguments, blank-separated (default\n"
	"                     \"-l 0-1 --no-huge --no-pci -m 64 --no-shconf\n"
	"                     --no-telemetry --iova-mode=va\")\n"
	"  --help             this text\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static void print_line(void *arg, const char *line)
{
	printf("%s\n", line);
}

static void log_line(void *arg, const char *line)
{
	FILE *f = arg;

	fprintf(f, "%s\n", line);
	fflush(f);
}

static int parse_u32(const char *s, const char *what, u32 max, u32 *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max) {
		fprintf(stderr, "rmt-agent: %s '%s': need 0 to %u\n", what, s,
			max);
		return -EINVAL;
	}
	*out = (u32)v;
	return 0;
}

static int probe(const char *kind, struct rmt_backend_opts *bo)
{
	struct rmt_backend *b;
	char err[256];

	bo->log = print_line;
	if (rmt_backend_open(kind, bo, &b, err, sizeof(err))) {
		fprintf(stderr, "rmt-agent: %s\n", err);
		return 2;
	}
	printf("runs on: %s: %s\n", rmt_backend_info(b)->name,
	       rmt_backend_info(b)->device);
	rmt_backend_close(b);
	return 0;
}

static u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000ull + (u64)ts.tv_nsec / 1000000ull;
}

/* The datapath's counters at the end: the kernel tests' coverage. */
static void print_datapath(struct rmt_dp *dp)
{
	struct rmt_dp_stats d;

	if (rmt_dp_stats(dp, &d))
		return;
	fprintf(stderr,
		"rmt-agent: datapath faults=%llu hits=%llu misses=%llu "
		"prefetched=%llu unused=%llu models_installed=%llu "
		"models_rejected=%llu model_id=%llu events_dropped=%llu "
		"events_corrupt=%llu\n",
		(unsigned long long)d.faults, (unsigned long long)d.hits,
		(unsigned long long)d.misses, (unsigned long long)d.prefetched,
		(unsigned long long)d.unused,
		(unsigned long long)d.models_installed,
		(unsigned long long)d.models_rejected,
		(unsigned long long)d.model_id,
		(unsigned long long)d.events_dropped,
		(unsigned long long)d.events_corrupt);
}

static int attach(const char *where, const struct rmt_dp_kernel_opts *ko,
		  u32 duration_s, struct rmt_agent_config *c)
{
	u64 end = duration_s ? now_ms() + duration_s * 1000ull : 0;
	struct rmt_agent_stats s;
	struct rmt_agent *a;
	struct rmt_dp *dp;
	char err[768];
	int r;

	r = ko ? rmt_dp_attach_kernel(ko, &dp, err, sizeof(err)) :
		 rmt_dp_attach(where, &dp, err, sizeof(err));
	if (r) {
		fprintf(stderr, "rmt-agent: cannot attach: %s\n", err);
		return 1;
	}
	r = rmt_agent_start(dp, c, &a, err, sizeof(err));
	if (r) {
		fprintf(stderr, "rmt-agent: %s\n", err);
		rmt_dp_detach(dp);
		return r == -EINVAL ? 2 : 1;
	}
	while (!stop && !rmt_dp_check(dp) && (!end || now_ms() < end))
		usleep(20000);
	rmt_agent_stats(a, &s);
	rmt_agent_stop(a);
	print_datapath(dp);
	rmt_dp_detach(dp);
	fprintf(stderr,
		"rmt-agent: %s; events %llu, dropped %llu, models "
		"installed %llu, rolled back %llu; trained on %s (%s)\n",
		stop		       ? "stopped by a signal" :
		end && now_ms() >= end ? "the duration is over" :
					 "the datapath has gone",
		(unsigned long long)s.events, (unsigned long long)s.dropped,
		(unsigned long long)s.models_installed,
		(unsigned long long)s.rolled_back, s.backend, s.device);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "attach", required_argument, NULL, 'a' },
		{ "backend", required_argument, NULL, 'b' },
		{ "log", required_argument, NULL, 'L' },
		{ "registry", required_argument, NULL, 'R' },
		{ "first-model", required_argument, NULL, 'f' },
		{ "retrain", required_argument, NULL, 'r' },
		{ "retrain-max", required_argument, NULL, 'm' },
		{ "probe", no_argument, NULL, 'p' },
		{ "cgroup", required_argument, NULL, 'C' },
		{ "pid", required_argument, NULL, 'P' },
		{ "program", required_argument, NULL, 'G' },
		{ "duration", required_argument, NULL, 'D' },
		{ "threads", required_argument, NULL, 't' },
		{ "cuda-device", required_argument, NULL, 'd' },
		{ "cuda-driver", required_argument, NULL, 'l' },
		{ "eal", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rmt_backend_opts bo = { 0 };
	struct rmt_agent_config ac = { 0 };
	struct rmt_dp_kernel_opts ko = { 0 };
	const char *kind = "auto", *where = NULL, *log = NULL, *bad_learner;
	bool do_probe = false, kernel;
	u32 duration = 0;
	struct stat sb;
	FILE *logf = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			where = optarg;
			break;
		case 'b':
			kind = optarg;
			break;
		case 'L':
			log = optarg;
			break;
		case 'R':
			ac.registry = optarg;
			break;
		case 'f':
			if (parse_u32(optarg, "--first-model", 1u << 30,
				      &ac.learn.first_model_faults))
				return 2;
			break;
		case 'r':
			if (parse_u32(optarg, "--retrain", 1u << 30,
				      &ac.learn.retrain_faults))
				return 2;
			break;
		case 'm':
			if (parse_u32(optarg, "--retrain-max", 1u << 30,
				      &ac.learn.retrain_max_faults))
				return 2;
			break;
		case 'p':
			do_probe = true;
			break;
		case 'C':
			ko.cgroup = optarg;
			break;
		case 'P':
			if (parse_u32(optarg, "--pid", 1u << 22, &ko.pid) ||
			    !ko.pid) {
				fprintf(stderr, "rmt-agent: --pid must name a "
						"process (1 or more)\n");
				return 2;
			}
			break;
		case 'G':
			ko.program = optarg;
			break;
		case 'D':
			if (parse_u32(optarg, "--duration", 1u << 24,
				      &duration))
				return 2;
			break;
		case 't':
			if (parse_u32(optarg, "--threads", 256,
				      &bo.cpu_threads))
				return 2;
			break;
		case 'd':
			if (parse_u32(optarg, "--cuda-device", 1024,
				      &bo.cuda_device))
				return 2;
			break;
		case 'l':
			bo.cuda_driver = optarg;
			break;
		case 'e':
			bo.dpdk_eal = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc || do_probe == !!where) {
		fprintf(stderr, "rmt-agent: %s\n%s",
			optind < argc ? "unexpected argument" :
			where ? "--probe and --attach exclude each other" :
				"nothing to do: give --attach or --probe",
			usage);
		return 2;
	}
	if (strcmp(kind, "auto") && strcmp(kind, "cpu") &&
	    strcmp(kind, "cuda") && strcmp(kind, "dpdk")) {
		fprintf(stderr,
			"rmt-agent: unknown --backend '%s' (auto, cpu, "
			"cuda or dpdk)\n",
			kind);
		return 2;
	}
	bad_learner = rmt_learner_config_error(&ac.learn);
	if (bad_learner) {
		fprintf(stderr, "rmt-agent: --retrain-max: %s\n", bad_learner);
		return 2;
	}
	if (do_probe)
		return probe(kind, &bo);
	kernel = ko.cgroup || ko.pid || ko.program ||
		 (!stat(where, &sb) && S_ISCHR(sb.st_mode));
	if (kernel && !!ko.cgroup == !!ko.pid) {
		fprintf(stderr,
			"rmt-agent: the kernel datapath needs what to watch: "
			"exactly one of --cgroup PATH and --pid N\n%s",
			usage);
		return 2;
	}
	ko.device = where;
	if (log) {
		logf = fopen(log, "a");
		if (!logf) {
			fprintf(stderr, "rmt-agent: cannot write %s: %s\n", log,
				strerror(errno));
			return 2;
		}
		ac.log = log_line;
		ac.log_arg = logf;
	}
	ac.backend = kind;
	ac.backend_opts = &bo;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	r = attach(where, kernel ? &ko : NULL, duration, &ac);
	if (logf)
		fclose(logf);
	return r;
}
