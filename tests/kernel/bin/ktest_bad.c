// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ktest_bad.c - every ioctl and mmap of /dev/rmt with bad input: wrong
 * sizes, versions and flags, bad user pointers, out-of-range values and
 * ids, garbage on the command ring.  Each must fail with the documented
 * error code (the kernel log gets a line; the host judges the kernel log).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include "tests/kernel/bin/ktest.h"

struct kt_cmd {
	unsigned long cmd;
	unsigned int size;
	const char *name;
};

static const struct kt_cmd kt_cmds[] = {
	{ RMT_IOC_INFO, sizeof(struct rmt_ioc_info), "info" },
	{ RMT_IOC_RINGS, sizeof(struct rmt_ioc_rings), "rings" },
	{ RMT_IOC_ATTACH, sizeof(struct rmt_ioc_attach), "attach" },
	{ RMT_IOC_DETACH, sizeof(struct rmt_ioc_detach), "detach" },
	{ RMT_IOC_STATS, sizeof(struct rmt_ioc_stats), "stats" },
	{ RMT_IOC_CMD_POLL, sizeof(struct rmt_ioc_cmd_poll), "cmd_poll" },
	{ RMT_IOC_PROG_LOAD, sizeof(struct rmt_ioc_prog_load), "prog_load" },
	{ RMT_IOC_PROG_ATTACH, sizeof(struct rmt_ioc_prog_attach),
	  "prog_attach" },
	{ RMT_IOC_ENTRY, sizeof(struct rmt_ioc_entry), "entry" },
	{ RMT_IOC_MODEL, sizeof(struct rmt_ioc_model), "model" },
	{ RMT_IOC_PROG_STATS, sizeof(struct rmt_ioc_prog_stats), "prog_stats" },
};

static int raw(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/* Headers that are wrong in one word each, and pointers that are bad. */
static void kt_bad_headers(int fd)
{
	__u32 buf[64];
	unsigned int i, j;
	const __u32 sizes[] = { 0, 4, 7, 0xffffffffu };
	char *page;

	page = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	kt_expect(page != MAP_FAILED, "mmap scratch");
	munmap(page + 4096, 4096);
	for (i = 0; i < sizeof(kt_cmds) / sizeof(kt_cmds[0]); i++) {
		const struct kt_cmd *c = &kt_cmds[i];
		__u32 *tail = (__u32 *)(page + 4096 - 8);

		kt_expect(raw(fd, c->cmd, NULL) == -EFAULT, "%s NULL", c->name);
		kt_expect(raw(fd, c->cmd, (void *)8) == -EFAULT, "%s at 8",
			  c->name);
		kt_expect(raw(fd, c->cmd, page + 4096) == -EFAULT,
			  "%s unmapped", c->name);
		/* Size and version readable, the rest of the struct not. */
		tail[0] = c->size;
		tail[1] = RMT_ABI_VERSION;
		kt_expect(raw(fd, c->cmd, tail) == -EFAULT, "%s truncated",
			  c->name);
		for (j = 0; j < sizeof(sizes) / sizeof(sizes[0]); j++) {
			memset(buf, 0, sizeof(buf));
			buf[0] = sizes[j];
			buf[1] = RMT_ABI_VERSION;
			kt_expect(raw(fd, c->cmd, buf) == -EINVAL, "%s size %u",
				  c->name, sizes[j]);
		}
		memset(buf, 0, sizeof(buf));
		buf[0] = c->size + 8;
		buf[1] = RMT_ABI_VERSION;
		kt_expect(raw(fd, c->cmd, buf) == -EINVAL, "%s size+8",
			  c->name);
		buf[0] = c->size;
		buf[1] = 0;
		kt_expect(raw(fd, c->cmd, buf) == -EINVAL, "%s version 0",
			  c->name);
		buf[1] = RMT_ABI_VERSION + 1;
		kt_expect(raw(fd, c->cmd, buf) == -EINVAL, "%s version 2",
			  c->name);
		buf[1] = RMT_IOC_VF(RMT_ABI_VERSION, 0x8000);
		kt_expect(raw(fd, c->cmd, buf) == -EINVAL, "%s flag 0x8000",
			  c->name);
	}
	/* Unknown commands, and a known number with another size. */
	kt_expect(raw(fd, _IOWR(RMT_IOC_MAGIC, 99, struct rmt_ioc_info), buf) ==
			  -ENOTTY,
		  "unknown nr");
	kt_expect(raw(fd, _IOWR(RMT_IOC_MAGIC, 1, __u64), buf) == -ENOTTY,
		  "info with another size");
	kt_expect(raw(fd, 0x1234, NULL) == -ENOTTY, "foreign ioctl");
	/* The result cannot be written back: a read-only argument. */
	memset(page, 0, 64);
	((__u32 *)page)[0] = sizeof(struct rmt_ioc_info);
	((__u32 *)page)[1] = RMT_ABI_VERSION;
	mprotect(page, 4096, PROT_READ);
	kt_expect(raw(fd, RMT_IOC_INFO, page) == -EFAULT, "info read-only");
	munmap(page, 4096);
}

static void kt_bad_rings(struct rmt_dev *d)
{
	const __u32 bad[][2] = { { 0, 0 },	     { 4095, 4096 },
				 { 4096, 3000 },     { 2048, 4096 },
				 { 1u << 25, 4096 }, { 4096, 0x80000000u } };
	struct rmt_ioc_rings r;
	unsigned int i;
	void *p;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.event_data = bad[i][0];
		r.cmd_data = bad[i][1];
		kt_expect(rmt_dev_call(d, RMT_IOC_RINGS, &r, sizeof(r)) ==
				  -EINVAL,
			  "rings %u/%u", bad[i][0], bad[i][1]);
	}
	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, d->fd, 0);
	kt_expect(p == MAP_FAILED && errno == EINVAL, "mmap before rings");
	kt_expect(rmt_dev_rings(d, 4096, 4096) == 0, "rings");
	memset(&r, 0, sizeof(r));
	r.event_data = r.cmd_data = 4096;
	kt_expect(rmt_dev_call(d, RMT_IOC_RINGS, &r, sizeof(r)) == -EBUSY,
		  "rings twice");
	p = mmap(NULL, d->ev_len, PROT_READ, MAP_SHARED, d->fd, 4096);
	kt_expect(p == MAP_FAILED && errno == EINVAL, "mmap offset 4096");
	p = mmap(NULL, d->ev_len + 4096, PROT_READ, MAP_SHARED, d->fd, 0);
	kt_expect(p == MAP_FAILED && errno == EINVAL, "mmap too long");
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, d->fd, 0);
	kt_expect(p == MAP_FAILED && errno == EINVAL, "mmap too short");
}

static int kt_attach(struct rmt_dev *d, struct rmt_ioc_attach *a)
{
	return rmt_dev_call(d, RMT_IOC_ATTACH, a, sizeof(*a));
}

static void kt_bad_attach(struct rmt_dev *d, struct rmt_dev *other)
{
	struct rmt_ioc_attach ok = { .hook = RMT_HOOK_SWAP_FAULT,
				     .filter = RMT_FILTER_PID,
				     .filter_value = (__u64)getpid() };
	struct rmt_ioc_attach a;
	struct rmt_ioc_detach det = { 0 };
	struct rmt_ioc_stats st = { 0 };
	__u32 ids[RMT_MAX_ATTACH + 1], other_id;
	unsigned int n;

#define KT_BAD_ATTACH(field, val, flags)                                 \
	do {                                                             \
		a = ok;                                                  \
		a.field = (val);                                         \
		a.vf = RMT_IOC_VF(0, flags);                             \
		kt_expect(kt_attach(d, &a) == -EINVAL, "attach %s=%llu", \
			  #field, (unsigned long long)(val));            \
	} while (0)
	KT_BAD_ATTACH(hook, 0, 0);
	KT_BAD_ATTACH(hook, 3, 0);
	KT_BAD_ATTACH(hook, 0xffffffffu, 0);
	KT_BAD_ATTACH(filter, 0, 0);
	KT_BAD_ATTACH(filter, 3, 0);
	KT_BAD_ATTACH(filter_value, 0, 0);
	KT_BAD_ATTACH(filter_value, 1ull << 40, 0);
	KT_BAD_ATTACH(pf_pages, 4, 0);
	KT_BAD_ATTACH(pf_stride, 1, 0);
	KT_BAD_ATTACH(reserved, 1, 0);
	KT_BAD_ATTACH(pf_pages, 0, RMT_ATTACH_TEST_PREFETCH);
	KT_BAD_ATTACH(pf_pages, RMT_PF_MAX_PAGES + 1, RMT_ATTACH_TEST_PREFETCH);
	KT_BAD_ATTACH(hook, RMT_HOOK_SCHED_WAKEUP, RMT_ATTACH_TEST_PREFETCH);
	a = ok;
	a.vf = RMT_IOC_VF(0, RMT_ATTACH_TEST_PREFETCH);
	a.pf_pages = 4;
	a.pf_stride = 1025;
	kt_expect(kt_attach(d, &a) == -EINVAL, "attach stride 1025");
	a.pf_stride = 0;
	kt_expect(kt_attach(d, &a) == -EINVAL, "attach stride 0");

	/* Every slot, then one more. */
	a = ok;
	kt_expect(kt_attach(other, &a) == 0, "attach on the other file");
	other_id = a.attach_id;
	for (n = 0; n <= RMT_MAX_ATTACH; n++) {
		a = ok;
		a.hook = n % 2 ? RMT_HOOK_SCHED_WAKEUP : RMT_HOOK_SWAP_FAULT;
		if (kt_attach(d, &a))
			break;
		ids[n] = a.attach_id;
	}
	kt_expect(n == RMT_MAX_ATTACH - 1, "%u attachments fit, expected %u", n,
		  RMT_MAX_ATTACH - 1);
	a = ok;
	kt_expect(kt_attach(d, &a) == -ENOSPC, "attach beyond the slots");

	det.attach_id = other_id;
	kt_expect(rmt_dev_call(d, RMT_IOC_DETACH, &det, sizeof(det)) == -ENOENT,
		  "detach another file's attachment");
	det.attach_id = 0;
	kt_expect(rmt_dev_call(d, RMT_IOC_DETACH, &det, sizeof(det)) == -ENOENT,
		  "detach 0");
	det.attach_id = ids[0];
	det.reserved = 1;
	kt_expect(rmt_dev_call(d, RMT_IOC_DETACH, &det, sizeof(det)) == -EINVAL,
		  "detach reserved");
	det.reserved = 0;
	kt_expect(rmt_dev_call(d, RMT_IOC_DETACH, &det, sizeof(det)) == 0,
		  "detach");
	kt_expect(rmt_dev_call(d, RMT_IOC_DETACH, &det, sizeof(det)) == -ENOENT,
		  "detach twice");
	st.attach_id = ids[0];
	kt_expect(rmt_dev_call(d, RMT_IOC_STATS, &st, sizeof(st)) == -ENOENT,
		  "stats of a detached id");
	st.attach_id = ids[1];
	st.reserved = 7;
	kt_expect(rmt_dev_call(d, RMT_IOC_STATS, &st, sizeof(st)) == -EINVAL,
		  "stats reserved");
	st.reserved = 0;
	kt_expect(rmt_dev_call(d, RMT_IOC_STATS, &st, sizeof(st)) == 0,
		  "stats");
	while (n-- > 1) {
		det.attach_id = ids[n];
		kt_expect(rmt_dev_call(d, RMT_IOC_DETACH, &det, sizeof(det)) ==
				  0,
			  "detach %u", ids[n]);
	}
}

static int kt_poll(struct rmt_dev *d, struct rmt_ioc_cmd_poll *p)
{
	memset(p, 0, sizeof(*p));
	return rmt_dev_call(d, RMT_IOC_CMD_POLL, p, sizeof(*p));
}

/* Garbage on the command ring is counted and skipped. */
static void kt_bad_commands(struct rmt_dev *d)
{
	struct rmt_ioc_attach a = { .hook = RMT_HOOK_SWAP_FAULT,
				    .filter = RMT_FILTER_PID,
				    .filter_value = (__u64)getpid() };
	struct rmt_msg_command c = { .op = RMT_CMD_GET_STATS };
	struct rmt_msg_stats stats;
	struct rmt_ring_shared *sh = d->cmd_mem;
	struct rmt_ioc_cmd_poll p;
	__u64 saved;
	__u8 junk[40] = { 1, 2, 3 };
	__u16 type = 0;
	int r;

	kt_expect(kt_attach(d, &a) == 0, "attach");
	c.arg0 = a.attach_id;
	rmt_ring_produce(&d->cmd, RMT_MSG_FAULT, junk, 40); /* wrong type */
	rmt_ring_produce(&d->cmd, RMT_MSG_COMMAND, junk, 20); /* short */
	c.op = 99;
	rmt_ring_produce(&d->cmd, RMT_MSG_COMMAND, &c, sizeof(c));
	c.op = RMT_CMD_ATTACH; /* not supported by this module */
	rmt_ring_produce(&d->cmd, RMT_MSG_COMMAND, &c, sizeof(c));
	c.op = RMT_CMD_GET_STATS;
	rmt_ring_produce(&d->cmd, RMT_MSG_COMMAND, &c, sizeof(c));
	r = kt_poll(d, &p);
	kt_expect(r == 0 && p.processed == 1 && p.errors == 4,
		  "poll: %d processed %u errors %u", r, p.processed, p.errors);
	r = rmt_ring_consume(&d->ev, &type, &stats, sizeof(stats));
	kt_expect(r == sizeof(stats) && type == RMT_MSG_STATS &&
			  stats.hook_id == RMT_HOOK_SWAP_FAULT,
		  "stats record: %d type %u", r, type);

	/* An unaligned producer position: the kernel resyncs. */
	saved = sh->prod_pos;
	sh->prod_pos = saved + 4;
	kt_expect(kt_poll(d, &p) == -EBADMSG, "poll on a corrupt ring");
	sh->prod_pos = saved;
	kt_expect(rmt_ring_prod_attach(&d->cmd, d->cmd_mem, d->cmd_len) == 0,
		  "producer reattach");
	c.op = RMT_CMD_DETACH;
	rmt_ring_produce(&d->cmd, RMT_MSG_COMMAND, &c, sizeof(c));
	r = kt_poll(d, &p);
	kt_expect(r == 0 && p.processed == 1 && p.errors == 0,
		  "detach by command: %d processed %u errors %u", r,
		  p.processed, p.errors);
}

int kt_bad(int argc, char **argv)
{
	struct rmt_dev d, other;
	struct rmt_ioc_info info = { 0 };
	struct rmt_ioc_cmd_poll p;

	if (argc != 1)
		return 2;
	if (rmt_dev_open(&d, NULL) || rmt_dev_open(&other, NULL)) {
		printf("ktest: cannot open /dev/rmt: %s\n", strerror(errno));
		return 1;
	}
	kt_expect(rmt_dev_call(&d, RMT_IOC_INFO, &info, sizeof(info)) == 0 &&
			  info.abi_version == RMT_ABI_VERSION &&
			  info.max_attach == RMT_MAX_ATTACH,
		  "info");
	kt_bad_headers(d.fd);
	kt_expect(kt_poll(&d, &p) == -EINVAL, "poll without rings");
	kt_bad_rings(&d);
	kt_bad_attach(&d, &other);
	kt_bad_commands(&d);
	kt_bad_programs(&d, &other);
	rmt_dev_close(&other);
	rmt_dev_close(&d);
	printf("ktest: bad: done, %d failure(s)\n", kt_failures);
	return 0;
}
