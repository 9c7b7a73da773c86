// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_dp_kmod.c - the agent's kernel datapath (agent/datapath_kmod.c)
 * where no kernel module is needed: bad devices, paths and filters get
 * clear errors, a module of another ABI is refused, and an event ring
 * in ordinary memory, written by a test producer and then scribbled on,
 * yields only well-formed fault records, counting what it skipped.  The
 * guest's kernel tests (tests/kernel/guest/rmt.sh) cover the real module.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/datapath_kmod.h"
#include "proto/msg.h"

#define DATA_SIZE 8192u

static int attach_err(const char *dev, const char *cgroup, u32 pid, char *err,
		      size_t n)
{
	struct rmt_dp_kernel_opts o = { .device = dev,
					.cgroup = cgroup,
					.pid = pid };
	struct rmt_dp *dp = NULL;
	int r = rmt_dp_attach_kernel(&o, &dp, err, n);

	cr_assert_null(dp, "no handle on failure");
	return r;
}

Test(dp_kmod, bad_devices_and_filters_are_named)
{
	char err[512], tmpl[] = "/tmp/dpkXXXXXX";
	int fd = mkstemp(tmpl);
	u32 me = (u32)getpid();

	cr_assert_geq(fd, 0);
	cr_assert_eq(attach_err("/dev/null", NULL, 0, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "exactly one"), "%s", err);
	cr_assert_eq(attach_err("/dev/null", "/tmp", me, err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(attach_err("/dev/null", NULL, me, err, sizeof(err)),
		     -ENODEV);
	cr_assert(strstr(err, "/dev/null: not an rmt device"), "%s", err);
	cr_assert_eq(attach_err("/no/such/rmt", NULL, me, err, sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "is rmt.ko loaded?"), "%s", err);
	cr_assert_eq(attach_err(tmpl, NULL, me, err, sizeof(err)), -ENODEV);
	cr_assert(strstr(err, "not a character device"), "%s", err);
	/* A process that cannot exist (above the kernel's pid_max). */
	cr_assert_eq(attach_err("/dev/null", NULL, 1u << 30, err, sizeof(err)),
		     -ESRCH);
	cr_assert(strstr(err, "no process"), "%s", err);
	close(fd);
	unlink(tmpl);
}

Test(dp_kmod, a_char_device_needs_the_kernel_attach)
{
	struct rmt_dp *dp = NULL;
	char err[512];

	cr_assert_eq(rmt_dp_attach("/dev/null", &dp, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "--cgroup PATH|--pid N"), "%s", err);
	cr_assert_null(dp);
}

Test(dp_kmod, other_abi_versions_are_refused)
{
	struct rmt_ioc_info good = { .abi_version = RMT_ABI_VERSION,
				     .proto_version = RMT_PROTO_VERSION,
				     .ring_version = RMT_RING_VERSION,
				     .hooks = 1u << RMT_HOOK_SWAP_FAULT };
	struct rmt_ioc_info i;
	char err[256];

	cr_assert_eq(rmt_dpk_check_info(&good, err, sizeof(err)), 0);
	i = good;
	i.abi_version++;
	cr_assert_eq(rmt_dpk_check_info(&i, err, sizeof(err)), -EPROTO);
	cr_assert(strstr(err, "ABI version"), "%s", err);
	i = good;
	i.proto_version = 0;
	cr_assert_eq(rmt_dpk_check_info(&i, err, sizeof(err)), -EPROTO);
	cr_assert(strstr(err, "records are version 0"), "%s", err);
	i = good;
	i.ring_version = 7;
	cr_assert_eq(rmt_dpk_check_info(&i, err, sizeof(err)), -EPROTO);
	cr_assert(strstr(err, "rings are version 7"), "%s", err);
	i = good;
	i.hooks = 1u << RMT_HOOK_SCHED_WAKEUP;
	cr_assert_eq(rmt_dpk_check_info(&i, err, sizeof(err)), -EPROTO);
	cr_assert(strstr(err, "no swap_fault hook"), "%s", err);
}

struct ring {
	void *mem;
	struct rmt_ring_prod p;
	struct rmt_ring_cons c;
};

static void ring_init(struct ring *r)
{
	size_t len = rmt_ring_mem_size(DATA_SIZE);

	r->mem = calloc(1, len);
	cr_assert_not_null(r->mem);
	cr_assert_eq(rmt_ring_format(r->mem, len, DATA_SIZE, 1024), 0);
	cr_assert_eq(rmt_ring_prod_attach(&r->p, r->mem, len), 0);
	cr_assert_eq(rmt_ring_cons_attach(&r->c, r->mem, len), 0);
}

static struct rmt_msg_fault fault(u64 page)
{
	struct rmt_msg_fault f = { .addr = page << 12,
				   .vma_start = 0,
				   .vma_end = 1ull << 40,
				   .time_ns = page,
				   .cgroup_id = 9,
				   .pid = 7,
				   .tgid = 7,
				   .hook_id = RMT_HOOK_SWAP_FAULT,
				   .flags = RMT_FAULT_MAJOR };

	return f;
}

static void put(struct ring *r, u16 type, const void *rec, u32 len)
{
	cr_assert_eq(rmt_ring_produce(&r->p, type, rec, len), 0);
}

Test(dp_kmod, malformed_records_are_skipped_and_counted)
{
	struct rmt_msg_fault f, out[16];
	struct rmt_msg_stats st = { 0 };
	struct ring r;
	u64 corrupt = 0;
	int n;

	ring_init(&r);
	f = fault(1);
	put(&r, RMT_MSG_FAULT, &f, sizeof(f));
	f = fault(2);
	f.flags = 0x80; /* no such flag */
	put(&r, RMT_MSG_FAULT, &f, sizeof(f));
	put(&r, RMT_MSG_STATS, &st, sizeof(st)); /* the kernel's: skipped */
	f = fault(3);
	put(&r, RMT_MSG_FAULT, &f, sizeof(f) - 8); /* short */
	f = fault(4);
	f.hook_id = RMT_HOOK_SCHED_WAKEUP; /* not the hook attached */
	put(&r, RMT_MSG_FAULT, &f, sizeof(f));
	put(&r, RMT_MSG_REPLY, &st, sizeof(st)); /* no replies from it */
	f = fault(5);
	put(&r, RMT_MSG_FAULT, &f, sizeof(f));
	n = rmt_dpk_drain(&r.c, out, 16, &corrupt);
	cr_assert_eq(n, 2);
	cr_assert_eq(out[0].addr, 1ull << 12);
	cr_assert_eq(out[1].addr, 5ull << 12);
	cr_assert_eq(corrupt, 4);
	cr_assert_eq(rmt_dpk_drain(&r.c, out, 16, &corrupt), 0);
	free(r.mem);
}

Test(dp_kmod, max_bounds_the_records_taken)
{
	struct rmt_msg_fault f, out[4];
	struct ring r;
	u64 corrupt = 0, i;

	ring_init(&r);
	for (i = 0; i < 10; i++) {
		f = fault(i);
		put(&r, RMT_MSG_FAULT, &f, sizeof(f));
	}
	cr_assert_eq(rmt_dpk_drain(&r.c, out, 4, &corrupt), 4);
	cr_assert_eq(out[3].addr, 3ull << 12);
	cr_assert_eq(rmt_dpk_drain(&r.c, out, 4, &corrupt), 4);
	cr_assert_eq(rmt_dpk_drain(&r.c, out, 4, &corrupt), 2);
	cr_assert_eq(out[1].addr, 9ull << 12);
	cr_assert_eq(corrupt, 0);
	free(r.mem);
}

static u64 rnd(u64 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * A hostile co-mapper scribbles on the records and the positions while
 * the producer keeps writing: every record handed out is a well-formed
 * fault, the damage is counted, and faults written after a resync come
 * through again.
 */
Test(dp_kmod, a_scribbled_ring_never_yields_garbage)
{
	struct rmt_ring_shared *sh;
	struct rmt_msg_fault f, out[32];
	struct ring r;
	u64 x = 0x9e3779b97f4a7c15ull, corrupt = 0, got = 0, page = 0;
	u8 *data;
	int i, k, n;

	ring_init(&r);
	sh = r.mem;
	data = (u8 *)r.mem + RMT_RING_HDR_SIZE;
	for (i = 0; i < 4000; i++) {
		for (k = 0; k < 8; k++) {
			f = fault(++page);
			if (rmt_ring_produce(&r.p, RMT_MSG_FAULT, &f,
					     sizeof(f)))
				break;
		}
		switch (rnd(&x) % 5) {
		case 0:
			data[rnd(&x) % DATA_SIZE] = (u8)rnd(&x);
			break;
		case 1:
			sh->prod_pos = rnd(&x);
			break;
		case 2:
			sh->prod_pos += 8;
			break;
		default:
			break;
		}
		n = rmt_dpk_drain(&r.c, out, 32, &corrupt);
		cr_assert_leq(n, 32);
		for (k = 0; k < n; k++) {
			cr_assert_eq(rmt_msg_check(RMT_MSG_FAULT, &out[k],
						   sizeof(out[k])),
				     0);
			cr_assert_eq(out[k].hook_id, RMT_HOOK_SWAP_FAULT);
		}
		got += (u64)n;
		/* The producer's own view, as a kernel keeps it privately. */
		sh->prod_pos = r.p.committed;
		rmt_ring_prod_refresh(&r.p);
	}
	cr_assert_gt(corrupt, 0, "the scribbling was noticed");
	cr_assert_gt(got, page / 4, "%llu of %llu faults came through",
		     (unsigned long long)got, (unsigned long long)page);
	free(r.mem);
}
