// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * dev_cmd.c - `rmtctl --dev PATH load|run PROGRAM.rmt ...`: load a
 * program into rmt.ko through /dev/rmt, where the kernel verifies it, and
 * optionally run it at the swap_fault hook for a cgroup or a process.  A
 * program lives as long as the file that loaded it, so `run` holds the
 * device open until its time is up or it is interrupted, then prints the
 * attachment's and the program's counters.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "kmod/user/rmt_prog_image.h"
#include "tools/rmtctl/dev_cmd.h"

static const char dev_usage[] =
	"usage: rmtctl --dev PATH load PROGRAM.rmt\n"
	"       rmtctl --dev PATH run PROGRAM.rmt (--cgroup DIR | --pid N)\n"
	"              [--seconds N]\n"
	"load: parse PROGRAM.rmt, send it to the kernel module at PATH (e.g.\n"
	"      /dev/rmt), which verifies it; print its id or the kernel's reason.\n"
	"run:  load it and run it at the swap_fault hook for the tasks of a\n"
	"      cgroup v2 directory or a process, until N seconds have passed\n"
	"      (default: until interrupted); then print the counters.\n";

static volatile sig_atomic_t rmt_dev_stop;

static void rmt_dev_on_signal(int sig)
{
	(void)sig;
	rmt_dev_stop = 1;
}

static int rmt_dev_usage(const char *why)
{
	if (why)
		fprintf(stderr, "rmtctl: %s\n", why);
	fputs(dev_usage, stderr);
	return 2;
}

static int rmt_dev_attach(struct rmt_dev *d, const char *cgroup, long pid,
			  __u32 prog_id, __u32 *attach_id)
{
	struct rmt_ioc_attach a = { .hook = RMT_HOOK_SWAP_FAULT };
	struct rmt_ioc_prog_attach pa = { .prog_id = prog_id };
	struct stat st;
	int r;

	if (cgroup) {
		if (stat(cgroup, &st)) {
			fprintf(stderr, "rmtctl: %s: %s\n", cgroup,
				strerror(errno));
			return -errno;
		}
		a.filter = RMT_FILTER_CGROUP;
		a.filter_value = st.st_ino;
	} else {
		a.filter = RMT_FILTER_PID;
		a.filter_value = (__u64)pid;
	}
	r = rmt_dev_call(d, RMT_IOC_ATTACH, &a, sizeof(a));
	pa.attach_id = a.attach_id;
	if (!r)
		r = rmt_dev_call(d, RMT_IOC_PROG_ATTACH, &pa, sizeof(pa));
	if (r)
		fprintf(stderr, "rmtctl: attaching: %s (see the kernel log)\n",
			strerror(-r));
	*attach_id = a.attach_id;
	return r;
}

static void rmt_dev_report(struct rmt_dev *d, __u32 attach_id, __u32 prog_id)
{
	struct rmt_ioc_stats st = { .attach_id = attach_id };
	struct rmt_ioc_prog_stats ps = { .prog_id = prog_id };
	const struct rmt_counters *c = &st.c;

	if (!rmt_dev_call(d, RMT_IOC_STATS, &st, sizeof(st)))
		printf("faults=%llu major=%llu pf_pages=%llu pf_hits=%llu "
		       "pf_unused=%llu pf_queue_full=%llu\n",
		       (unsigned long long)c->faults,
		       (unsigned long long)c->major,
		       (unsigned long long)c->pf_pages,
		       (unsigned long long)c->pf_hits,
		       (unsigned long long)c->pf_unused,
		       (unsigned long long)c->pf_queue_full);
	if (!rmt_dev_call(d, RMT_IOC_PROG_STATS, &ps, sizeof(ps)))
		printf("prog_runs=%llu prog_faults=%llu prog_pages=%llu\n",
		       (unsigned long long)ps.runs,
		       (unsigned long long)ps.faults,
		       (unsigned long long)ps.pages);
}

int rmt_dev_cmd(int argc, char **argv)
{
	const char *path, *verb, *file, *cgroup = NULL;
	long pid = 0, seconds = -1;
	__u32 prog_id = 0, attach_id = 0;
	struct rmt_dev d;
	char err[512], *end;
	time_t until;
	int i, r;

	if (argc < 4)
		return rmt_dev_usage(NULL);
	path = argv[1];
	verb = argv[2];
	file = argv[3];
	if (strcmp(verb, "load") && strcmp(verb, "run"))
		return rmt_dev_usage("the command is load or run");
	for (i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--cgroup") && i + 1 < argc) {
			cgroup = argv[++i];
		} else if (!strcmp(argv[i], "--pid") && i + 1 < argc) {
			pid = strtol(argv[++i], &end, 10);
			if (*end || pid <= 0)
				return rmt_dev_usage(
					"--pid needs a process id");
		} else if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = strtol(argv[++i], &end, 10);
			if (*end || seconds < 0)
				return rmt_dev_usage(
					"--seconds needs a number");
		} else {
			fprintf(stderr, "rmtctl: unexpected argument '%s'\n",
				argv[i]);
			return rmt_dev_usage(NULL);
		}
	}
	if (!strcmp(verb, "run") && !cgroup == !pid)
		return rmt_dev_usage("run needs one of --cgroup and --pid");
	if (!strcmp(verb, "load") && (cgroup || pid || seconds >= 0))
		return rmt_dev_usage("load takes no options");
	if (rmt_dev_open(&d, path)) {
		fprintf(stderr, "rmtctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	r = rmt_dev_load_program(&d, file, &prog_id, err, sizeof(err));
	if (r) {
		fprintf(stderr, "rmtctl: %s: %s\n", file, err);
		rmt_dev_close(&d);
		return 1;
	}
	printf("%s: verified and loaded by the kernel as program %u\n", file,
	       prog_id);
	if (!strcmp(verb, "run")) {
		r = rmt_dev_attach(&d, cgroup, pid, prog_id, &attach_id);
		if (!r) {
			signal(SIGINT, rmt_dev_on_signal);
			signal(SIGTERM, rmt_dev_on_signal);
			until = time(NULL) + seconds;
			while (!rmt_dev_stop &&
			       (seconds < 0 || time(NULL) < until))
				sleep(1);
			rmt_dev_report(&d, attach_id, prog_id);
		}
	}
	rmt_dev_close(&d);
	return r ? 1 : 0;
}
