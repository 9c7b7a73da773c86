// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * datapath_kmod.c - the agent's handle on the kernel datapath (see
 * datapath_kmod.h): /dev/rmt opened, its ABI checked, both rings mapped,
 * a program loaded (the kernel verifies it) and attached to swap_fault
 * for one cgroup or process.  The kernel's ioctls answer synchronously,
 * so unlike the user-space datapath nothing waits for a reply on the
 * event ring: a model's last RMT_IOC_MODEL chunk returns whether the
 * kernel installed it.  The event ring is memory the kernel writes and
 * any process with the file may scribble on, so every record is copied
 * out once and checked before the agent sees it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "agent/datapath_kmod.h"
#include "kmod/user/rmt_prog_image.h"
#include "proto/crc32c.h"
#include "proto/msg.h"
#include "uspace/rmt_prefetch.h"

#define DEFAULT_PROGRAM "learned" /* built in (uspace/rmt_prefetch.h) */
#define DEFAULT_EVENT_RING (1u << 20)
#define CMD_RING 4096u
#define BURST 64u
#define STATS_EVERY_NS 20000000ull /* the loop asks far more often */

struct rmt_dpk {
	struct rmt_dev d;
	char device[256];
	char cgroup[512]; /* "" with a pid filter */
	u32 pid;
	u32 attach_id, prog_id;
	u64 corrupt;
	u64 installed, rejected, model_id;
	struct rmt_counters c; /* as read last */
	u64 c_read_ns;
	u8 chunk[sizeof(struct rmt_msg_model_blob) + RMT_MODEL_CHUNK_MAX];
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

int rmt_dpk_check_info(const struct rmt_ioc_info *info, char *err,
		       size_t err_size)
{
	if (info->abi_version != RMT_ABI_VERSION)
		snprintf(err, err_size,
			 "the module speaks ABI version %u, this agent %u",
			 info->abi_version, RMT_ABI_VERSION);
	else if (info->proto_version != RMT_PROTO_VERSION)
		snprintf(err, err_size,
			 "the module's records are version %u, this agent's %u",
			 info->proto_version, RMT_PROTO_VERSION);
	else if (info->ring_version != RMT_RING_VERSION)
		snprintf(err, err_size,
			 "the module's rings are version %u, this agent's %u",
			 info->ring_version, RMT_RING_VERSION);
	else if (!(info->hooks & (1u << RMT_HOOK_SWAP_FAULT)))
		snprintf(err, err_size, "the module has no swap_fault hook");
	else
		return 0;
	return -EPROTO;
}

int rmt_dpk_drain(struct rmt_ring_cons *ev, struct rmt_msg_fault *out,
		  unsigned int max, u64 *corrupt)
{
	struct rmt_rec recs[BURST];
	unsigned int n = 0, want;
	int got, i;

	while (n < max) {
		want = max - n < BURST ? max - n : BURST;
		got = rmt_ring_peek_burst(ev, recs, want);
		if (got < 0) {
			/* The next poll goes on: a scribbler cannot hold us. */
			(*corrupt)++;
			rmt_ring_cons_resync(ev);
			break;
		}
		if (got == 0)
			break;
		for (i = 0; i < got; i++) {
			/* One copy; only the copy is checked and used. */
			if (recs[i].type != RMT_MSG_FAULT ||
			    recs[i].len != sizeof(*out)) {
				*corrupt += recs[i].type != RMT_MSG_STATS;
				continue;
			}
			memcpy(&out[n], recs[i].data, sizeof(*out));
			if (rmt_msg_check(RMT_MSG_FAULT, &out[n],
					  sizeof(*out)) ||
			    out[n].hook_id != RMT_HOOK_SWAP_FAULT) {
				(*corrupt)++;
				continue;
			}
			n++;
		}
		rmt_ring_release(ev);
	}
	return (int)n;
}

int rmt_dpk_poll_faults(struct rmt_dpk *k, struct rmt_msg_fault *ev,
			unsigned int max)
{
	return rmt_dpk_drain(&k->d.ev, ev, max, &k->corrupt);
}

static int read_counters(struct rmt_dpk *k)
{
	struct rmt_ioc_stats s = { .attach_id = k->attach_id };
	int r = rmt_dev_call(&k->d, RMT_IOC_STATS, &s, sizeof(s));

	if (!r) {
		k->c = s.c;
		k->c_read_ns = now_ns();
	}
	return r;
}

u64 rmt_dpk_dropped(const struct rmt_dpk *k)
{
	return k->c.events_dropped;
}

int rmt_dpk_stats(struct rmt_dpk *k, struct rmt_dp_stats *out)
{
	int r = 0;

	if (now_ns() - k->c_read_ns >= STATS_EVERY_NS)
		r = read_counters(k);
	/* Coverage as the kernel tests count it: used / (used + majors). */
	out->faults = k->c.faults;
	out->hits = k->c.pf_hits;
	out->misses = k->c.major;
	out->prefetched = k->c.pf_pages;
	out->unused = k->c.pf_unused;
	out->models_installed = k->installed;
	out->models_rejected = k->rejected;
	out->model_id = k->model_id;
	out->events_dropped = k->c.events_dropped;
	out->events_corrupt = k->corrupt;
	return r;
}

/* The kernel's log has the verifier's reason; errno says which stage. */
static void model_refused(int r, u32 prog_id, char *err, size_t err_size)
{
	const char *why;

	switch (r) {
	case -EBADMSG:
		why = "the blob is corrupt (CRC32C or record check)";
		break;
	case -EINVAL:
		why = "malformed model or chunk";
		break;
	case -EACCES:
	case -E2BIG:
		why = "the model verifier refused it (cost, shape or depth)";
		break;
	case -ENOENT:
		why = "no such program on this file";
		break;
	case -ENOMEM:
		why = "the kernel is out of memory";
		break;
	default:
		why = strerror(-r);
	}
	snprintf(err, err_size,
		 "the kernel refused the model for program %u: %s (%d); "
		 "its reason is in the kernel log (dmesg | grep 'rmt: model')",
		 prog_id, why, r);
}

int rmt_dpk_install_model(struct rmt_dpk *k, u16 hook_id, u32 slot,
			  u64 model_id, const void *blob, size_t len, char *err,
			  size_t err_size)
{
	struct rmt_msg_model_blob *h = (void *)k->chunk;
	struct rmt_ioc_model m = { .prog_id = k->prog_id };
	u32 off = 0, n;
	int r;

	if (!len || len > RMT_MSG_MAX_MODEL_LEN ||
	    hook_id != RMT_HOOK_SWAP_FAULT) {
		snprintf(err, err_size,
			 hook_id != RMT_HOOK_SWAP_FAULT ?
				 "the agent's kernel attachment is at hook 1 "
				 "(swap_fault) only" :
				 "model blob of %zu bytes (1 to %u)",
			 len, RMT_MSG_MAX_MODEL_LEN);
		return -EINVAL;
	}
	memset(h, 0, sizeof(*h));
	h->model_id = model_id;
	h->slot = slot;
	h->format_version =
		len >= 6 ? ((const u8 *)blob)[4] | ((const u8 *)blob)[5] << 8 :
			   0;
	h->total_len = (u32)len;
	h->crc32c = rmt_crc32c(0, blob, len);
	do {
		n = (u32)len - off;
		if (n > RMT_MODEL_CHUNK_MAX)
			n = RMT_MODEL_CHUNK_MAX;
		h->seq++;
		h->offset = off;
		h->chunk_len = n;
		memcpy(h->data, (const u8 *)blob + off, n);
		m.chunk = (__u64)(unsigned long)h;
		m.len = (u32)sizeof(*h) + n;
		m.installed = 0;
		r = rmt_dev_call(&k->d, RMT_IOC_MODEL, &m, sizeof(m));
		off += n;
	} while (!r && off < len);
	if (!r && !m.installed)
		r = -EPROTO; /* the whole blob went, yet nothing installed */
	if (r) {
		k->rejected++;
		model_refused(r, k->prog_id, err, err_size);
		return r;
	}
	k->installed++;
	k->model_id = model_id;
	err[0] = '\0';
	return 0;
}

/*
 * The module's command ring takes statistics (arg0: the attachment) and
 * clearing a model slot (arg0: the slot, arg1: the program).
 */
int rmt_dpk_command(struct rmt_dpk *k, u32 op, u16 hook_id, u32 arg0, char *err,
		    size_t err_size)
{
	struct rmt_msg_command c = { .op = op, .hook_id = hook_id };
	struct rmt_ioc_cmd_poll p = { 0 };
	int r;

	if (op != RMT_CMD_GET_STATS && op != RMT_CMD_RESET_STATS &&
	    op != RMT_CMD_RESET_DEFAULT) {
		snprintf(err, err_size,
			 "the kernel datapath has no command %u (it takes "
			 "get-stats, reset-stats and clearing a model slot)",
			 op);
		return -EOPNOTSUPP;
	}
	c.seq = 1;
	if (op == RMT_CMD_RESET_DEFAULT) {
		c.arg0 = arg0;
		c.arg1 = k->prog_id;
	} else {
		c.arg0 = k->attach_id;
	}
	r = rmt_ring_produce(&k->d.cmd, RMT_MSG_COMMAND, &c, sizeof(c));
	if (!r)
		r = rmt_dev_call(&k->d, RMT_IOC_CMD_POLL, &p, sizeof(p));
	if (!r && p.errors)
		r = -EINVAL;
	if (r)
		snprintf(err, err_size, "command %u: %s", op, strerror(-r));
	else
		err[0] = '\0';
	return r;
}

int rmt_dpk_check(struct rmt_dpk *k)
{
	struct stat sb;

	if (k->pid)
		return kill((pid_t)k->pid, 0) && errno == ESRCH ? -ENOTCONN : 0;
	return stat(k->cgroup, &sb) ? -ENOTCONN : 0;
}

void rmt_dpk_close(struct rmt_dpk *k)
{
	if (!k)
		return;
	/* Closing the file detaches and frees the program in the kernel. */
	rmt_dev_close(&k->d);
	free(k);
}

static int open_device(struct rmt_dpk *k, u32 ring, char *err, size_t err_size)
{
	struct rmt_ioc_info info = { 0 };
	struct stat sb;
	int r;

	r = rmt_dev_open(&k->d, k->device);
	if (r) {
		snprintf(err, err_size, "%s: %s%s", k->device, strerror(-r),
			 r == -ENOENT ? " (is rmt.ko loaded?)" : "");
		return r;
	}
	if (fstat(k->d.fd, &sb) || !S_ISCHR(sb.st_mode)) {
		snprintf(err, err_size, "%s: not a character device",
			 k->device);
		return -ENODEV;
	}
	r = rmt_dev_call(&k->d, RMT_IOC_INFO, &info, sizeof(info));
	if (r) {
		snprintf(err, err_size, "%s: not an rmt device (%s)", k->device,
			 strerror(-r));
		return r == -ENOTTY || r == -EINVAL ? -ENODEV : r;
	}
	r = rmt_dpk_check_info(&info, err, err_size);
	if (r)
		return r;
	if (ring < info.ring_min_data || ring > info.ring_max_data ||
	    (ring & (ring - 1))) {
		snprintf(err, err_size,
			 "event ring of %u bytes: a power of two from %u "
			 "to %u",
			 ring, info.ring_min_data, info.ring_max_data);
		return -EINVAL;
	}
	r = rmt_dev_rings(&k->d, ring, CMD_RING);
	if (r)
		snprintf(err, err_size, "%s: cannot map the rings: %s",
			 k->device, strerror(-r));
	return r;
}

static int attach(struct rmt_dpk *k, const char *program, char *err,
		  size_t err_size)
{
	struct rmt_ioc_attach a = { .vf = RMT_IOC_VF(0, RMT_ATTACH_EVENTS),
				    .hook = RMT_HOOK_SWAP_FAULT };
	struct rmt_ioc_prog_attach pa = { 0 };
	struct rmt_program prog;
	char why[512] = "";
	struct stat sb;
	int r;

	if (k->pid) {
		a.filter = RMT_FILTER_PID;
		a.filter_value = k->pid;
	} else {
		if (stat(k->cgroup, &sb)) {
			r = -errno;
			snprintf(err, err_size, "cgroup %s: %s", k->cgroup,
				 strerror(-r));
			return r;
		}
		if (!S_ISDIR(sb.st_mode)) {
			snprintf(err, err_size,
				 "cgroup %s: not a directory (a cgroup v2 "
				 "directory, as under /sys/fs/cgroup)",
				 k->cgroup);
			return -ENOTDIR;
		}
		/* A cgroup v2 id is its directory's inode number. */
		a.filter = RMT_FILTER_CGROUP;
		a.filter_value = sb.st_ino;
	}
	r = rmt_us_program_open(program, &prog, why, sizeof(why));
	if (!r) {
		r = rmt_dev_load_parsed(&k->d, &prog, &k->prog_id, why,
					sizeof(why));
		rmt_program_free(&prog);
	}
	if (r) {
		snprintf(err, err_size, "program %s: %s", program, why);
		return r;
	}
	r = rmt_dev_call(&k->d, RMT_IOC_ATTACH, &a, sizeof(a));
	if (r) {
		snprintf(err, err_size, "attaching swap_fault to %s %s: %s",
			 k->pid ? "process" : "cgroup", k->pid ? "" : k->cgroup,
			 strerror(-r));
		return r;
	}
	k->attach_id = a.attach_id;
	pa.attach_id = a.attach_id;
	pa.prog_id = k->prog_id;
	r = rmt_dev_call(&k->d, RMT_IOC_PROG_ATTACH, &pa, sizeof(pa));
	if (r) {
		snprintf(err, err_size, "running program %u at swap_fault: %s",
			 k->prog_id, strerror(-r));
		return r;
	}
	r = read_counters(k);
	if (r)
		snprintf(err, err_size,
			 "reading the attachment's statistics: %s",
			 strerror(-r));
	return r;
}

int rmt_dpk_open(const struct rmt_dp_kernel_opts *o, struct rmt_dpk **out,
		 char *err, size_t err_size)
{
	struct rmt_dpk *k;
	int r;

	if (!!o->cgroup == !!o->pid) {
		snprintf(err, err_size,
			 "the kernel datapath watches a cgroup or a process: "
			 "give exactly one");
		return -EINVAL;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	k->d.fd = -1;
	snprintf(k->device, sizeof(k->device), "%s",
		 o->device ? o->device : "/dev/" RMT_DEV_NAME);
	if (o->cgroup)
		snprintf(k->cgroup, sizeof(k->cgroup), "%s", o->cgroup);
	k->pid = o->pid;
	if (k->pid && kill((pid_t)k->pid, 0) && errno == ESRCH) {
		snprintf(err, err_size, "no process %u", k->pid);
		r = -ESRCH;
		goto fail;
	}
	r = open_device(k, o->event_ring ? o->event_ring : DEFAULT_EVENT_RING,
			err, err_size);
	if (!r)
		r = attach(k, o->program ? o->program : DEFAULT_PROGRAM, err,
			   err_size);
	if (r)
		goto fail;
	*out = k;
	return 0;
fail:
	rmt_dpk_close(k);
	return r;
}
