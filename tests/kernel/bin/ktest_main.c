// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ktest_main.c - rmt-ktest: runs one of the guest-side kernel tests
 * against /dev/rmt and exits non-zero if any expectation failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "tests/kernel/bin/ktest.h"

int kt_failures;

static int usage(FILE *out, int rc)
{
	fprintf(out,
		"usage: rmt-ktest COMMAND [ARGS]\n"
		"  bad                      every ioctl and mmap with bad input\n"
		"  run --cgroup DIR [--events] [--hostile] [--wakeup]\n"
		"      [--prefetch PAGES,STRIDE] [--program FILE.rmt]\n"
		"      [--stride-tree]\n"
		"      -- PROGRAM [ARGS]    run PROGRAM in cgroup DIR with the\n"
		"                           swap_fault hook attached to it\n"
		"                           (running FILE.rmt in the kernel,\n"
		"                           with a stride tree in model slot 0)\n"
		"  hold --cgroup DIR --ms N [--prefetch PAGES,STRIDE]\n"
		"      [--program FILE.rmt]\n"
		"                           keep hooks attached for N ms\n"
		"  models LEARNED.rmt       load the learned program; refused\n"
		"                           and installed models\n"
		"  stats                    print the module-wide counters\n");
	return rc;
}

void kt_print_counters(const char *tag, const struct rmt_counters *c)
{
	printf("%s faults=%llu major=%llu minor=%llu retry=%llu wakeups=%llu "
	       "events=%llu events_dropped=%llu pf_queued=%llu "
	       "pf_queue_full=%llu pf_pages=%llu pf_not_swap=%llu "
	       "pf_failed=%llu pf_hits=%llu pf_unused=%llu "
	       "kretprobe_missed=%llu cmds=%llu cmd_errors=%llu "
	       "hook_cycles=%llu stream_busy=%llu\n",
	       tag, c->faults, c->major, c->minor, c->retry, c->wakeups,
	       c->events, c->events_dropped, c->pf_queued, c->pf_queue_full,
	       c->pf_pages, c->pf_not_swap, c->pf_failed, c->pf_hits,
	       c->pf_unused, c->kretprobe_missed, c->cmds, c->cmd_errors,
	       c->hook_cycles, c->stream_busy);
}

/* A cgroup v2 id is the inode number of its directory. */
int kt_cgroup_id(const char *path, unsigned long long *id)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	*id = st.st_ino;
	return 0;
}

static int kt_stats(void)
{
	struct rmt_ioc_stats s = { 0 };
	struct rmt_dev d;
	int err = rmt_dev_open(&d, NULL);

	if (!err)
		err = rmt_dev_call(&d, RMT_IOC_STATS, &s, sizeof(s));
	if (err) {
		printf("ktest: stats: %s\n", strerror(-err));
		return 1;
	}
	kt_print_counters("RMT-STATS", &s.c);
	rmt_dev_close(&d);
	return 0;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2)
		return usage(stderr, 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout, 0);
	if (!strcmp(argv[1], "bad"))
		rc = kt_bad(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "run"))
		rc = kt_run(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "hold"))
		rc = kt_hold(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "models"))
		rc = kt_models(argc - 1, argv + 1);
	else if (!strcmp(argv[1], "stats"))
		rc = kt_stats();
	else
		return usage(stderr, 2);
	if (rc == 2)
		return usage(stderr, 2);
	if (kt_failures)
		printf("ktest: %s: %d expectation(s) failed\n", argv[1],
		       kt_failures);
	return rc || kt_failures ? 1 : 0;
}
