// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * datapath.c - the agent's handle on a datapath (see datapath.h): the
 * kernel's is in datapath_kmod.c, each call here hands it over; the rest
 * is the user-space datapath: the event ring (consumer), the command ring
 * (producer) and the statistics area of a pager, from memfds handed over
 * by rmt-run, in-process or over its control socket.  Fault events that arrive while
 * the handle waits for a reply are kept and handed out by the next poll,
 * so waiting never loses one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent/datapath.h"
#include "agent/datapath_kmod.h"
#include "proto/crc32c.h"
#include "proto/ring.h"
#include "proto/user/ring_mem.h"
#include "uspace/control.h"
#include "uspace/ctl_socket.h"
#include "uspace/stats.h"

#define BURST 256u
#define PENDING_MAX (1u << 22) /* events kept while waiting: 256 MiB */

struct rmt_dp {
	struct rmt_dpk *k; /* the kernel datapath; NULL: user space */
	struct rmt_ring_map ev_map, cmd_map;
	struct rmt_ring_cons ev;
	struct rmt_ring_prod cmd;
	struct rmt_us_stats *st;
	int sock; /* the control socket, held while attached; -1: none */
	u32 seq;
	/* Fault events read while waiting for a reply, oldest first. */
	struct rmt_msg_fault *pending;
	u32 pend_head, pend_len, pend_cap;
	u64 lost; /* events past PENDING_MAX */
	u64 ring_errors;
	/* The reply being waited for. */
	u32 want_seq;
	bool have_reply;
	struct rmt_msg_reply reply;
	u64 rec[RMT_US_CMD_MAX_PAYLOAD / 8];
};

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static void keep(struct rmt_dp *dp, const struct rmt_msg_fault *ev,
		 unsigned int n)
{
	u32 room;

	if (dp->pend_head && dp->pend_head == dp->pend_len) {
		dp->pend_head = 0;
		dp->pend_len = 0;
	}
	if (dp->pend_len + n > dp->pend_cap && dp->pend_cap < PENDING_MAX) {
		u32 cap = dp->pend_cap ? dp->pend_cap * 2 : 4096;
		struct rmt_msg_fault *p;

		while (cap < dp->pend_len + n && cap < PENDING_MAX)
			cap *= 2;
		p = realloc(dp->pending, (size_t)cap * sizeof(*p));
		if (p) {
			dp->pending = p;
			dp->pend_cap = cap;
		}
	}
	room = dp->pend_cap - dp->pend_len;
	if (n > room) {
		dp->lost += n - room;
		n = room;
	}
	memcpy(dp->pending + dp->pend_len, ev, n * sizeof(*ev));
	dp->pend_len += n;
}

static void other_record(struct rmt_dp *dp, u16 type, u32 len)
{
	const struct rmt_msg_reply *r = (const void *)dp->rec;

	if (type != RMT_MSG_REPLY || rmt_msg_check(type, dp->rec, len))
		return;
	/* Replies to commands given up on (a timeout) are stale: dropped. */
	if (dp->want_seq && r->seq == dp->want_seq) {
		dp->reply = *r;
		dp->have_reply = true;
	}
}

/*
 * Reads up to max fault events from the ring into ev, handling the other
 * records met on the way; stops early when the ring is empty.
 */
static int pump(struct rmt_dp *dp, struct rmt_msg_fault *ev, unsigned int max)
{
	unsigned int n = 0;
	int r;
	u16 type;

	while (n < max) {
		r = rmt_ring_consume_burst(&dp->ev, RMT_MSG_FAULT, ev + n,
					   sizeof(*ev), max - n);
		if (r > 0) {
			n += (unsigned int)r;
			continue;
		}
		if (r == 0)
			r = rmt_ring_consume(&dp->ev, &type, dp->rec,
					     sizeof(dp->rec));
		if (r == -EBADMSG || r == -EMSGSIZE) {
			dp->ring_errors++;
			rmt_ring_cons_resync(&dp->ev);
			continue;
		}
		if (r <= 0)
			break;
		/* Published after the burst found the ring empty. */
		if (type == RMT_MSG_FAULT && r == (int)sizeof(*ev)) {
			memcpy(ev + n++, dp->rec, sizeof(*ev));
			continue;
		}
		other_record(dp, type, (u32)r);
	}
	return (int)n;
}

int rmt_dp_poll_faults(struct rmt_dp *dp, struct rmt_msg_fault *ev,
		       unsigned int max)
{
	u32 have = dp->pend_len - dp->pend_head;

	if (dp->k)
		return rmt_dpk_poll_faults(dp->k, ev, max);
	if (have) {
		if (have > max)
			have = max;
		memcpy(ev, dp->pending + dp->pend_head, have * sizeof(*ev));
		dp->pend_head += have;
		return (int)have;
	}
	return pump(dp, ev, max);
}

u64 rmt_dp_dropped(const struct rmt_dp *dp)
{
	if (dp->k)
		return rmt_dpk_dropped(dp->k);
	return RMT_READ_ONCE(dp->ev.sh->dropped) + dp->lost;
}

/* Keeps draining events while waiting for room or a reply. */
static void wait_a_little(struct rmt_dp *dp)
{
	struct rmt_msg_fault ev[BURST];
	int n = pump(dp, ev, BURST);

	if (n > 0)
		keep(dp, ev, (unsigned int)n);
	else
		usleep(200);
}

static int send_rec(struct rmt_dp *dp, u16 type, const void *hdr, u32 hdr_len,
		    const void *data, u32 data_len, u64 deadline)
{
	u32 len = hdr_len + data_len;
	void *dst;

	/* Twice the record: room for it and a pad where the ring wraps. */
	while (rmt_ring_prod_room(&dp->cmd, rmt_rec_footprint(len) * 2ull) <
	       rmt_rec_footprint(len) * 2ull) {
		if (now_ns() > deadline)
			return -ETIMEDOUT;
		wait_a_little(dp);
	}
	if (rmt_ring_reserve(&dp->cmd, type, len, &dst))
		return -EMSGSIZE;
	memcpy(dst, hdr, hdr_len);
	if (data_len)
		memcpy((u8 *)dst + hdr_len, data, data_len);
	rmt_ring_commit(&dp->cmd);
	return 0;
}

static int wait_reply(struct rmt_dp *dp, u32 seq, u64 deadline, char *err,
		      size_t err_size)
{
	while (!dp->have_reply) {
		if (now_ns() > deadline) {
			snprintf(err, err_size,
				 "no reply from the datapath to request %u",
				 seq);
			dp->want_seq = 0;
			return -ETIMEDOUT;
		}
		wait_a_little(dp);
	}
	dp->want_seq = 0;
	dp->have_reply = false;
	snprintf(err, err_size, "%s", dp->reply.reason);
	return dp->reply.status;
}

static u32 next_seq(struct rmt_dp *dp)
{
	if (!++dp->seq)
		dp->seq = 1;
	dp->want_seq = dp->seq;
	dp->have_reply = false;
	return dp->seq;
}

int rmt_dp_install_model(struct rmt_dp *dp, u16 hook_id, u32 slot, u64 model_id,
			 const void *blob, size_t len, unsigned int timeout_ms,
			 char *err, size_t err_size)
{
	u64 deadline = now_ns() + timeout_ms * 1000000ull;
	struct rmt_msg_model_blob h = { 0 };
	u32 off = 0, n;
	int r;

	if (dp->k)
		return rmt_dpk_install_model(dp->k, hook_id, slot, model_id,
					     blob, len, err, err_size);
	if (!len || len > RMT_MSG_MAX_MODEL_LEN || hook_id != 1) {
		snprintf(err, err_size,
			 hook_id != 1 ? "the user-space datapath has only "
					"hook 1 (swap_fault)" :
					"model blob of %zu bytes (1 to %u)",
			 len, RMT_MSG_MAX_MODEL_LEN);
		return -EINVAL;
	}
	h.model_id = model_id;
	h.seq = next_seq(dp);
	h.slot = slot;
	/* The version the blob itself claims (mlib/format.h, offset 4). */
	h.format_version =
		len >= 6 ? ((const u8 *)blob)[4] | ((const u8 *)blob)[5] << 8 :
			   0;
	h.total_len = (u32)len;
	h.crc32c = rmt_crc32c(0, blob, len);
	do {
		n = (u32)len - off;
		if (n > RMT_US_BLOB_CHUNK)
			n = RMT_US_BLOB_CHUNK;
		h.offset = off;
		h.chunk_len = n;
		r = send_rec(dp, RMT_MSG_MODEL_BLOB, &h, sizeof(h),
			     (const u8 *)blob + off, n, deadline);
		if (r) {
			snprintf(err, err_size,
				 "command ring stayed full for %u ms",
				 timeout_ms);
			dp->want_seq = 0;
			return r;
		}
		off += n;
	} while (off < len);
	return wait_reply(dp, h.seq, deadline, err, err_size);
}

int rmt_dp_command(struct rmt_dp *dp, u32 op, u16 hook_id, u32 arg0,
		   unsigned int timeout_ms, char *err, size_t err_size)
{
	u64 deadline = now_ns() + timeout_ms * 1000000ull;
	struct rmt_msg_command c = { 0 };
	int r;

	if (dp->k)
		return rmt_dpk_command(dp->k, op, hook_id, arg0, err, err_size);
	c.seq = next_seq(dp);
	c.op = op;
	c.hook_id = hook_id;
	c.arg0 = arg0;
	r = send_rec(dp, RMT_MSG_COMMAND, &c, sizeof(c), NULL, 0, deadline);
	if (r) {
		snprintf(err, err_size, "command ring stayed full for %u ms",
			 timeout_ms);
		dp->want_seq = 0;
		return r;
	}
	return wait_reply(dp, c.seq, deadline, err, err_size);
}

int rmt_dp_clear_model(struct rmt_dp *dp, u16 hook_id, u32 slot,
		       unsigned int timeout_ms, char *err, size_t err_size)
{
	return rmt_dp_command(dp, RMT_CMD_RESET_DEFAULT, hook_id, slot,
			      timeout_ms, err, err_size);
}

int rmt_dp_stats(struct rmt_dp *dp, struct rmt_dp_stats *out)
{
	const struct rmt_us_stats *s = dp->st;
	struct rmt_us_summary m;

	if (dp->k)
		return rmt_dpk_stats(dp->k, out);
	rmt_us_stats_summary(s, &m);
	out->faults = m.faults;
	out->hits = m.hits;
	out->misses = m.misses;
	out->prefetched = m.prefetched;
	out->unused = m.unused;
	out->models_installed = RMT_READ_ONCE(s->models_installed);
	out->models_rejected = RMT_READ_ONCE(s->models_rejected);
	out->model_id = RMT_READ_ONCE(s->model_id);
	out->events_dropped = rmt_dp_dropped(dp);
	out->events_corrupt = dp->ring_errors;
	return 0;
}

int rmt_dp_check(struct rmt_dp *dp)
{
	struct pollfd p = { dp->sock, POLLIN, 0 };
	char byte;

	if (dp->k)
		return rmt_dpk_check(dp->k);
	if (dp->sock < 0 || poll(&p, 1, 0) <= 0)
		return 0;
	if (recv(dp->sock, &byte, 1, MSG_DONTWAIT | MSG_PEEK) == 0 ||
	    (p.revents & (POLLHUP | POLLERR)))
		return -ENOTCONN;
	return 0;
}

void rmt_dp_detach(struct rmt_dp *dp)
{
	if (!dp)
		return;
	if (dp->k) {
		rmt_dpk_close(dp->k);
		free(dp);
		return;
	}
	rmt_ring_unmap(&dp->ev_map);
	rmt_ring_unmap(&dp->cmd_map);
	if (dp->st)
		munmap(dp->st, sizeof(*dp->st));
	if (dp->sock >= 0)
		close(dp->sock);
	free(dp->pending);
	free(dp);
}

/* Takes fds (closes them on error). */
static int from_owned_fds(int ev_fd, int cmd_fd, int st_fd, struct rmt_dp **out,
			  char *err, size_t err_size)
{
	struct rmt_dp *dp = calloc(1, sizeof(*dp));
	struct stat sb;
	int r;

	if (!dp) {
		close(ev_fd);
		close(cmd_fd);
		close(st_fd);
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	dp->sock = -1;
	dp->seq = (u32)(now_ns() / 1000) ^ ((u32)getpid() << 16);
	r = rmt_ring_map_fd(ev_fd, &dp->ev_map);
	if (r) {
		close(cmd_fd);
		close(st_fd);
		snprintf(err, err_size, "cannot map the event ring: %s",
			 strerror(-r));
		goto fail;
	}
	r = rmt_ring_map_fd(cmd_fd, &dp->cmd_map);
	if (r) {
		close(st_fd);
		snprintf(err, err_size, "cannot map the command ring: %s",
			 strerror(-r));
		goto fail;
	}
	if (fstat(st_fd, &sb) || (size_t)sb.st_size < sizeof(*dp->st)) {
		close(st_fd);
		snprintf(err, err_size,
			 "statistics area too small (a different build?)");
		r = -EBADMSG;
		goto fail;
	}
	dp->st = mmap(NULL, sizeof(*dp->st), PROT_READ, MAP_SHARED, st_fd, 0);
	close(st_fd);
	if (dp->st == MAP_FAILED) {
		dp->st = NULL;
		r = -errno;
		snprintf(err, err_size, "cannot map the statistics: %s",
			 strerror(-r));
		goto fail;
	}
	if (dp->st->magic != RMT_US_STATS_MAGIC) {
		snprintf(err, err_size, "not an rmt statistics area");
		r = -EBADMSG;
		goto fail;
	}
	r = rmt_ring_cons_attach(&dp->ev, dp->ev_map.mem, dp->ev_map.len);
	if (!r)
		r = rmt_ring_prod_attach(&dp->cmd, dp->cmd_map.mem,
					 dp->cmd_map.len);
	if (r) {
		snprintf(err, err_size, "bad ring header: %s", strerror(-r));
		goto fail;
	}
	*out = dp;
	return 0;
fail:
	rmt_dp_detach(dp);
	return r;
}

static int dup_fd(int fd)
{
	return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

int rmt_dp_from_fds(int event_fd, int command_fd, int stats_fd,
		    struct rmt_dp **out, char *err, size_t err_size)
{
	int e = dup_fd(event_fd), c = dup_fd(command_fd), s = dup_fd(stats_fd);

	if (e < 0 || c < 0 || s < 0) {
		snprintf(err, err_size, "cannot duplicate descriptors: %s",
			 strerror(errno));
		if (e >= 0)
			close(e);
		if (c >= 0)
			close(c);
		if (s >= 0)
			close(s);
		return -EBADF;
	}
	return from_owned_fds(e, c, s, out, err, err_size);
}

int rmt_dp_attach(const char *where, struct rmt_dp **out, char *err,
		  size_t err_size)
{
	const char *path = strncmp(where, "unix:", 5) ? where : where + 5;
	struct stat sb;
	int fds[3], sock, r;

	if (!stat(path, &sb) && S_ISCHR(sb.st_mode)) {
		snprintf(err, err_size,
			 "%s: the kernel datapath needs a cgroup or a process "
			 "to watch (rmt-agent --attach %s --cgroup PATH|--pid "
			 "N)",
			 path, path);
		return -EINVAL;
	}
	r = rmt_us_ctl_connect(path, true, fds, &sock, err, err_size);
	if (r)
		return r;
	r = from_owned_fds(fds[0], fds[1], fds[2], out, err, err_size);
	if (r) {
		close(sock);
		return r;
	}
	(*out)->sock = sock;
	return 0;
}

int rmt_dp_attach_kernel(const struct rmt_dp_kernel_opts *o,
			 struct rmt_dp **out, char *err, size_t err_size)
{
	struct rmt_dp *dp = calloc(1, sizeof(*dp));
	int r;

	if (!dp) {
		snprintf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	dp->sock = -1;
	r = rmt_dpk_open(o, &dp->k, err, err_size);
	if (r) {
		free(dp);
		return r;
	}
	*out = dp;
	return 0;
}
