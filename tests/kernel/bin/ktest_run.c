// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ktest_run.c - run a workload in a cgroup with the swap_fault hook
 * attached to that cgroup, and either drain and check every fault event
 * (--events), or scribble over both mapped rings while the kernel
 * produces (--hostile); or keep hooks attached for a while (hold), for
 * the load/unload test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "proto/msg.h"
#include "kmod/user/rmt_prog_image.h"
#include "tests/kernel/bin/ktest.h"

#define KT_EVENT_RING (1u << 20)
#define KT_BURST 64

struct kt_opts {
	const char *cgroup;
	unsigned long long cg_id;
	bool events, hostile, wakeup, stride_tree;
	unsigned int pf_pages, pf_stride;
	long ms;
	const char *program; /* an .rmt file the attachment runs */
	char **prog;
};

struct kt_tally {
	unsigned long long faults, stats, bad, majors, hits;
};

static int kt_parse(int argc, char **argv, struct kt_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--cgroup") && i + 1 < argc) {
			o->cgroup = argv[++i];
		} else if (!strcmp(argv[i], "--events")) {
			o->events = true;
		} else if (!strcmp(argv[i], "--hostile")) {
			o->hostile = true;
		} else if (!strcmp(argv[i], "--wakeup")) {
			o->wakeup = true;
		} else if (!strcmp(argv[i], "--program") && i + 1 < argc) {
			o->program = argv[++i];
		} else if (!strcmp(argv[i], "--stride-tree")) {
			o->stride_tree = true;
		} else if (!strcmp(argv[i], "--ms") && i + 1 < argc) {
			o->ms = strtol(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--prefetch") && i + 1 < argc) {
			if (sscanf(argv[++i], "%u,%u", &o->pf_pages,
				   &o->pf_stride) != 2)
				return 2;
		} else if (!strcmp(argv[i], "--") && i + 1 < argc) {
			o->prog = argv + i + 1;
			break;
		} else {
			return 2;
		}
	}
	if (!o->cgroup || (o->stride_tree && !o->program))
		return 2;
	if (kt_cgroup_id(o->cgroup, &o->cg_id)) {
		printf("ktest: cgroup %s: %s\n", o->cgroup, strerror(errno));
		return 1;
	}
	return 0;
}

/* learned.rmt's model: the stride tree, in slot 0. */
static int kt_setup_tree(struct rmt_dev *d, __u32 prog_id)
{
	__u32 installed = 0;
	size_t len;
	u8 *blob;
	int r = kt_stride_tree(15, &blob, &len);

	if (r)
		return r;
	r = kt_send_model(d, prog_id, 0, 1, blob, len, &installed);
	free(blob);
	if (!r && !installed)
		r = -EPROTO;
	if (r)
		printf("ktest: installing the stride tree: %s\n", strerror(-r));
	return r;
}

/* Load o->program and run it at the attachment; its id in *prog_id. */
static int kt_setup_program(struct rmt_dev *d, const struct kt_opts *o,
			    __u32 id, __u32 *prog_id)
{
	struct rmt_ioc_prog_attach pa = { .attach_id = id };
	char err[512];
	int r = rmt_dev_load_program(d, o->program, prog_id, err, sizeof(err));

	if (r) {
		printf("ktest: loading %s: %s\n", o->program, err);
		return r;
	}
	if (o->stride_tree) {
		r = kt_setup_tree(d, *prog_id);
		if (r)
			return r;
	}
	pa.prog_id = *prog_id;
	return rmt_dev_call(d, RMT_IOC_PROG_ATTACH, &pa, sizeof(pa));
}

static int kt_setup(struct rmt_dev *d, const struct kt_opts *o, __u32 *id,
		    __u32 *prog_id)
{
	struct rmt_ioc_attach a = { .hook = RMT_HOOK_SWAP_FAULT,
				    .filter = RMT_FILTER_CGROUP,
				    .filter_value = o->cg_id };
	__u32 flags = RMT_ATTACH_EVENTS;
	int err = rmt_dev_open(d, NULL);

	err = err ?: rmt_dev_rings(d, KT_EVENT_RING, 4096);
	if (o->pf_pages) {
		flags |= RMT_ATTACH_TEST_PREFETCH;
		a.pf_pages = o->pf_pages;
		a.pf_stride = o->pf_stride;
	}
	a.vf = RMT_IOC_VF(0, flags);
	err = err ?: rmt_dev_call(d, RMT_IOC_ATTACH, &a, sizeof(a));
	*id = a.attach_id;
	*prog_id = 0;
	if (!err && o->program)
		err = kt_setup_program(d, o, *id, prog_id);
	if (!err && o->wakeup) {
		a.hook = RMT_HOOK_SCHED_WAKEUP;
		a.vf = 0;
		a.pf_pages = a.pf_stride = 0;
		err = rmt_dev_call(d, RMT_IOC_ATTACH, &a, sizeof(a));
	}
	if (err)
		printf("ktest: setting up /dev/rmt: %s\n", strerror(-err));
	return err;
}

/* Drain the event ring, checking every record; how many were read. */
static unsigned int kt_drain(struct rmt_dev *d, const struct kt_opts *o,
			     pid_t child, struct kt_tally *t)
{
	struct rmt_rec recs[KT_BURST];
	const struct rmt_msg_fault *f;
	int n, i;

	n = rmt_ring_peek_burst(&d->ev, recs, KT_BURST);
	if (n < 0) {
		t->bad++;
		rmt_ring_cons_resync(&d->ev);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (rmt_msg_check(recs[i].type, recs[i].data, recs[i].len)) {
			t->bad++;
			continue;
		}
		if (recs[i].type == RMT_MSG_STATS) {
			t->stats++;
			continue;
		}
		f = recs[i].data;
		t->faults++;
		t->majors += !!(f->flags & RMT_FAULT_MAJOR);
		t->hits += !!(f->flags & RMT_FAULT_PREFETCH_HIT);
		kt_expect(recs[i].type == RMT_MSG_FAULT &&
				  f->addr % 4096 == 0 &&
				  f->addr >= f->vma_start &&
				  f->addr < f->vma_end &&
				  f->cgroup_id == o->cg_id &&
				  f->tgid == (__u32)child &&
				  f->hook_id == RMT_HOOK_SWAP_FAULT,
			  "fault record type %u addr %llx cgroup %llu tgid %u",
			  recs[i].type, (unsigned long long)f->addr,
			  (unsigned long long)f->cgroup_id, f->tgid);
	}
	if (n)
		rmt_ring_release(&d->ev);
	return (unsigned int)n;
}

static unsigned long long kt_rand(void)
{
	static unsigned long long x = 0x1234567;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/* One act of hostility against the rings the kernel uses. */
static void kt_scribble(struct rmt_dev *d)
{
	struct rmt_ring_shared *ev = d->ev_mem, *cmd = d->cmd_mem;
	struct rmt_ioc_cmd_poll p = { 0 };
	unsigned long long r = kt_rand();
	__u8 *data;
	size_t i;

	switch (r % 6) {
	case 0:
		ev->cons_pos = kt_rand() & ~7ull;
		break;
	case 1:
		ev->cons_pos = kt_rand();
		ev->magic = (__u32)kt_rand();
		ev->data_size = (__u32)kt_rand();
		break;
	case 2:
		ev->cons_pos = ev->prod_pos; /* looks sane: drains all */
		break;
	case 3:
		data = (__u8 *)d->ev_mem + RMT_RING_HDR_SIZE;
		for (i = 0; i < 64; i++)
			data[kt_rand() % (d->ev_len - RMT_RING_HDR_SIZE)] =
				(__u8)kt_rand();
		break;
	case 4:
		data = (__u8 *)d->cmd_mem + RMT_RING_HDR_SIZE;
		for (i = 0; i < 4096; i += 8)
			*(__u64 *)(data + i) = kt_rand();
		cmd->prod_pos = cmd->cons_pos + (kt_rand() % 8192);
		break;
	case 5:
		cmd->prod_pos = kt_rand();
		cmd->cons_pos = kt_rand();
		break;
	}
	p.vf = 0;
	rmt_dev_call(d, RMT_IOC_CMD_POLL, &p, sizeof(p));
}

static pid_t kt_spawn(const struct kt_opts *o)
{
	char path[512];
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	snprintf(path, sizeof(path), "%s/cgroup.procs", o->cgroup);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "0\n", 2) != 2) {
		printf("ktest: joining %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(fd);
	execv(o->prog[0], o->prog);
	printf("ktest: exec %s: %s\n", o->prog[0], strerror(errno));
	_exit(127);
}

static void kt_nap(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

/* Ask for the attachment's statistics over the command ring. */
static void kt_stats_cmd(struct rmt_dev *d, __u32 id)
{
	struct rmt_msg_command c = { .seq = 1,
				     .op = RMT_CMD_GET_STATS,
				     .arg0 = id };
	struct rmt_ioc_cmd_poll p = { 0 };

	kt_expect(rmt_ring_produce(&d->cmd, RMT_MSG_COMMAND, &c, sizeof(c)) ==
				  0 &&
			  rmt_dev_call(d, RMT_IOC_CMD_POLL, &p, sizeof(p)) ==
				  0 &&
			  p.processed == 1,
		  "stats command");
}

/* The handlers' own time per fault, from the TSC the module reads. */
static void kt_print_hook_cost(struct rmt_dev *d, const struct rmt_counters *c)
{
	struct rmt_ioc_info info = { 0 };

	if (rmt_dev_call(d, RMT_IOC_INFO, &info, sizeof(info)) ||
	    !info.cycle_khz || !c->faults)
		return;
	printf("RMT-HOOKCOST handler_ns_per_fault=%llu\n",
	       c->hook_cycles * 1000000ull / info.cycle_khz / c->faults);
}

/* What the program did: runs, and pages asked for, queued or not. */
static void kt_print_prog(struct rmt_dev *d, __u32 prog_id)
{
	struct rmt_ioc_prog_stats ps = { .prog_id = prog_id };
	struct rmt_ioc_info info = { 0 };
	unsigned long long run_ns = 0;

	kt_expect(rmt_dev_call(d, RMT_IOC_PROG_STATS, &ps, sizeof(ps)) == 0,
		  "program stats");
	if (!rmt_dev_call(d, RMT_IOC_INFO, &info, sizeof(info)) &&
	    info.cycle_khz && ps.runs)
		run_ns = ps.run_cycles * 1000000ull / info.cycle_khz / ps.runs;
	printf("RMT-PROG prog_runs=%llu prog_stops=%llu prog_faults=%llu "
	       "prog_pages=%llu prog_refused=%llu prog_run_ns=%llu "
	       "model_runs=%llu prog_insns_per_run=%llu\n",
	       (unsigned long long)ps.runs, (unsigned long long)ps.stops,
	       (unsigned long long)ps.faults, (unsigned long long)ps.pages,
	       (unsigned long long)ps.refused, run_ns,
	       (unsigned long long)ps.model_runs,
	       ps.runs ? (unsigned long long)(ps.insns / ps.runs) : 0ull);
	kt_expect(ps.runs > 0, "the program never ran");
}

int kt_run(int argc, char **argv)
{
	struct kt_tally t = { 0 };
	struct rmt_ioc_stats st = { 0 };
	struct kt_opts o;
	struct rmt_dev d;
	int rc, status;
	pid_t child;
	__u32 id, prog_id;

	rc = kt_parse(argc, argv, &o);
	if (rc || !o.prog)
		return rc ? rc : 2;
	if (kt_setup(&d, &o, &id, &prog_id))
		return 1;
	child = kt_spawn(&o);
	/* Counting only: nothing to drain, stay out of the workload's way. */
	if (!o.events && !o.hostile)
		waitpid(child, &status, 0);
	while (o.events || o.hostile) {
		if (waitpid(child, &status, WNOHANG) == child)
			break;
		if (o.hostile)
			kt_scribble(&d);
		else if (kt_drain(&d, &o, child, &t) == 0)
			kt_nap(2000);
	}
	kt_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "workload exit status %#x", status);
	if (o.hostile) {
		/* The kernel still answers; then start over on fresh rings. */
		st.attach_id = id;
		kt_expect(rmt_dev_call(&d, RMT_IOC_STATS, &st, sizeof(st)) == 0,
			  "stats after scribbling");
		kt_expect(st.c.faults > 0, "no faults seen while scribbling");
		kt_print_counters("RMT-HOSTILE", &st.c);
		rmt_dev_close(&d);
		if (kt_setup(&d, &o, &id, &prog_id))
			return 1;
	}
	kt_stats_cmd(&d, id);
	while (kt_drain(&d, &o, child, &t))
		;
	st.attach_id = id;
	kt_expect(rmt_dev_call(&d, RMT_IOC_STATS, &st, sizeof(st)) == 0,
		  "stats");
	kt_print_counters("RMT-STATS", &st.c);
	kt_print_hook_cost(&d, &st.c);
	if (prog_id)
		kt_print_prog(&d, prog_id);
	if (o.events) {
		printf("RMT-EVENTS read=%llu majors=%llu hits=%llu stats=%llu "
		       "bad=%llu\n",
		       t.faults, t.majors, t.hits, t.stats, t.bad);
		kt_expect(t.bad == 0, "%llu bad records", t.bad);
		kt_expect(t.stats == 1, "one stats record, got %llu", t.stats);
		kt_expect(t.faults + t.stats == st.c.events,
			  "read %llu records, the kernel wrote %llu",
			  t.faults + t.stats, st.c.events);
		/*
		 * One record per major fault (the hook's dispatch point),
		 * and one per prefetch hit a program heard of.
		 */
		kt_expect(t.faults == t.majors + t.hits,
			  "%llu records: %llu majors, %llu hits", t.faults,
			  t.majors, t.hits);
		kt_expect(prog_id || !t.hits, "%llu hit records, no program",
			  t.hits);
		/*
		 * Hit records come from the executor's kworker while the
		 * hook emits on the other CPU: a busy ring lock drops a
		 * record and counts it.  Every major fault was read or
		 * counted as dropped; with the hook the only producer, none
		 * may be missing.
		 */
		kt_expect(t.majors <= st.c.major &&
				  t.majors + st.c.events_dropped >= st.c.major,
			  "%llu major records + %llu dropped, %llu counted",
			  t.majors, st.c.events_dropped, st.c.major);
		kt_expect(prog_id || t.majors == st.c.major,
			  "%llu major records, %llu counted", t.majors,
			  st.c.major);
		kt_expect(st.c.faults > 0, "no faults seen");
	}
	rmt_dev_close(&d);
	return 0;
}

int kt_hold(int argc, char **argv)
{
	struct rmt_rec recs[KT_BURST];
	struct kt_opts o;
	struct rmt_dev d;
	struct timespec t0, t1;
	__u32 id, prog_id;
	int rc = kt_parse(argc, argv, &o);

	if (rc || o.ms <= 0)
		return rc ? rc : 2;
	o.wakeup = true;
	if (kt_setup(&d, &o, &id, &prog_id))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		while (rmt_ring_peek_burst(&d.ev, recs, KT_BURST) > 0)
			rmt_ring_release(&d.ev);
		kt_nap(1000);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while ((t1.tv_sec - t0.tv_sec) * 1000 +
			 (t1.tv_nsec - t0.tv_nsec) / 1000000 <
		 o.ms);
	return 0;
}
