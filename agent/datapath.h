/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * datapath.h - an agent's handle on one datapath, whichever it is: the
 * user-space pager (its rings are memfds, handed over a unix socket by
 * `rmt-run --control SOCKET`, or directly when rmt-run runs the agent
 * in-process) or the kernel module (/dev/rmt: ioctls and mmap).
 *
 * Rings: events flow datapath -> agent (proto/msg.h: RMT_MSG_FAULT,
 * RMT_MSG_STATS, RMT_MSG_GUARDRAIL, and the datapath's replies to
 * commands); commands, table entries and model blobs flow agent ->
 * datapath.  The datapath checks everything it receives and answers each
 * command or blob with its sequence number and a status (0 or a negative
 * errno, with a reason), so a rejected model is never applied and the
 * agent learns why.
 *
 * One thread uses a handle at a time (the agent's loop); the handle owns
 * the consumer side of the event ring and the producer side of the
 * command ring.
 */
#ifndef RMT_AGENT_DATAPATH_H
#define RMT_AGENT_DATAPATH_H

#include <stddef.h>

#include "proto/msg.h"

struct rmt_dp;

/*
 * "unix:PATH" or a socket path.  A character device (the kernel's
 * /dev/rmt) needs to know what to watch: rmt_dp_attach_kernel().
 */
int rmt_dp_attach(const char *where, struct rmt_dp **out, char *err,
		  size_t err_size);

/* The kernel datapath: what rmt_dp_attach_kernel() sets up. */
struct rmt_dp_kernel_opts {
	const char *device; /* NULL: /dev/rmt */
	const char *
		program; /* run at swap_fault (rmt_us_program_open); NULL: learned */
	const char *cgroup; /* a cgroup v2 directory to watch, or */
	u32 pid; /* a process (thread group); exactly one of the two */
	u32 event_ring; /* data bytes, a power of two; 0: 1 MiB */
};
/*
 * Opens the device, checks its ABI, maps its rings, loads and verifies
 * the program in the kernel and attaches it to swap_fault for the cgroup
 * or process, with fault events.  rmt_dp_check() answers -ENOTCONN once
 * the process or cgroup has gone; commands the kernel lacks (clearing a
 * model slot) answer -EOPNOTSUPP.
 */
int rmt_dp_attach_kernel(const struct rmt_dp_kernel_opts *o,
			 struct rmt_dp **out, char *err, size_t err_size);
/*
 * In-process use (rmt-run): the same rings, from descriptors of the
 * memfds the pager was given.  The fds are duplicated; the caller keeps
 * its own.
 */
int rmt_dp_from_fds(int event_fd, int command_fd, int stats_fd,
		    struct rmt_dp **out, char *err, size_t err_size);
void rmt_dp_detach(struct rmt_dp *dp);
/*
 * 0 while the datapath is there; -ENOTCONN once it has gone (the run
 * ended: its control socket closed).  In-process handles always answer 0.
 */
int rmt_dp_check(struct rmt_dp *dp);

/*
 * Up to max fault events, oldest first; 0 when the ring is empty.
 * Records of other types met on the way are handled inside (replies are
 * matched to pending commands, guardrail events are queued for
 * rmt_dp_next_guardrail()).
 */
int rmt_dp_poll_faults(struct rmt_dp *dp, struct rmt_msg_fault *ev,
		       unsigned int max);
/* Events the datapath dropped because the ring was full, since attach. */
u64 rmt_dp_dropped(const struct rmt_dp *dp);

/*
 * Sends blob (an mlib model file image) for slot of the hook; the
 * datapath reassembles, checks the CRC, parses, verifies against the
 * hook's policy and installs it atomically.  Waits up to timeout_ms for
 * the reply: 0 when installed, the datapath's negative errno and reason
 * (in err) when it refused, -ETIMEDOUT without a reply.
 */
int rmt_dp_install_model(struct rmt_dp *dp, u16 hook_id, u32 slot, u64 model_id,
			 const void *blob, size_t len, unsigned int timeout_ms,
			 char *err, size_t err_size);
/*
 * One command (proto/msg.h enum rmt_cmd_op, arg0 its argument: the slot
 * for RMT_CMD_RESET_DEFAULT); the reply's status, its reason in err.
 */
int rmt_dp_command(struct rmt_dp *dp, u32 op, u16 hook_id, u32 arg0,
		   unsigned int timeout_ms, char *err, size_t err_size);
/* Empties the slot: the action falls back to its default heuristic. */
int rmt_dp_clear_model(struct rmt_dp *dp, u16 hook_id, u32 slot,
		       unsigned int timeout_ms, char *err, size_t err_size);

/* The datapath's counters, as the statistics area holds them now. */
struct rmt_dp_stats {
	u64 faults, hits, misses, prefetched, unused;
	u64 models_installed; /* accepted blobs since start */
	u64 models_rejected;
	u64 model_id; /* of the model in use, 0 for none */
	u64 events_dropped;
	u64 events_corrupt; /* records that failed their checks, skipped */
};
int rmt_dp_stats(struct rmt_dp *dp, struct rmt_dp_stats *out);

#endif /* RMT_AGENT_DATAPATH_H */
