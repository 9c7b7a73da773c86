/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rmt_ioctl.h - the control ABI of /dev/rmt, shared by the kernel module and
 * user space.  Every argument is a struct whose first word is its size in
 * bytes and whose second word holds an ABI version (low 16 bits) and flags
 * (high 16 bits); the module rejects a size, version or flag it does not
 * know with -EINVAL, and an unknown command with -ENOTTY.
 *
 * Rings: RMT_IOC_RINGS creates an event ring (kernel -> agent) and a command
 * ring (agent -> kernel), both in the proto/ring.h format, mapped with mmap
 * at the offsets the call returns.  RMT_IOC_CMD_POLL makes the kernel
 * consume the command ring.
 */
#ifndef RMT_KMOD_IOCTL_H
#define RMT_KMOD_IOCTL_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include "vm/hook.h" /* the hook ids, enum rmt_hook_id */

#define RMT_ABI_VERSION 1u
#define RMT_DEV_NAME "rmt"

/* Second word of every argument: version in the low half, flags above. */
#define RMT_IOC_VF(version, flags) ((__u32)(version) | ((__u32)(flags) << 16))

/* The hooks of enum rmt_hook_id that this module attaches: 1..max. */
#define RMT_HOOK_MAX 2u

/* Which tasks an attachment sees. */
#define RMT_FILTER_CGROUP 1u /* a cgroup v2 id (inode number) and below */
#define RMT_FILTER_PID 2u /* a process (thread group) id */

/* struct rmt_ioc_attach flags. */
#define RMT_ATTACH_EVENTS 0x1u /* emit records into the event ring */
/*
 * The built-in test decision source: on every swap fault, queue the next
 * pf_pages pages at a distance of pf_stride pages for the prefetch
 * executor.  It exists to exercise the executor until programs can be
 * loaded; it is not a prefetch policy.
 */
#define RMT_ATTACH_TEST_PREFETCH 0x2u
#define RMT_ATTACH_FLAGS_ALL 0x3u

#define RMT_MAX_ATTACH 16u
#define RMT_PF_MAX_PAGES 16u
#define RMT_RING_MIN_DATA 4096u
#define RMT_RING_MAX_DATA (16u << 20)
#define RMT_MMAP_EVENT_OFF 0ull
#define RMT_MMAP_CMD_OFF (1ull << 30)

struct rmt_ioc_info {
	__u32 size;
	__u32 vf;
	/* out */
	__u32 abi_version;
	__u32 proto_version;
	__u32 ring_version;
	__u32 hooks; /* bit n set: hook n is available */
	__u32 max_attach;
	__u32 pf_max_pages;
	__u32 ring_min_data;
	__u32 ring_max_data;
	__u32 cycle_khz; /* rate of hook_cycles (the TSC), 0 if unknown */
	__u32 reserved;
};

struct rmt_ioc_rings {
	__u32 size;
	__u32 vf;
	/* in: data area sizes, powers of two in [RMT_RING_MIN_DATA, MAX] */
	__u32 event_data;
	__u32 cmd_data;
	/* out: what to pass to mmap */
	__u64 event_off;
	__u64 event_len;
	__u64 cmd_off;
	__u64 cmd_len;
};

struct rmt_ioc_attach {
	__u32 size;
	__u32 vf; /* flags: RMT_ATTACH_* */
	__u32 hook; /* RMT_HOOK_* */
	__u32 filter; /* RMT_FILTER_* */
	__u64 filter_value;
	__u32 pf_pages; /* RMT_ATTACH_TEST_PREFETCH: 1..RMT_PF_MAX_PAGES */
	__u32 pf_stride; /* RMT_ATTACH_TEST_PREFETCH: pages, 1..1024 */
	/* out */
	__u32 attach_id;
	__u32 reserved;
};

struct rmt_ioc_detach {
	__u32 size;
	__u32 vf;
	__u32 attach_id;
	__u32 reserved;
};

/* Counters of one attachment, or of the whole module (attach_id 0). */
struct rmt_counters {
	__u64 faults; /* do_swap_page calls seen by the hook (filtered) */
	__u64 major; /* ... that went to swapin_readahead (not cached) */
	__u64 minor; /* faults - major: swap-cache hits and retried faults */
	__u64 retry; /* 0: retries are not told apart (ftrace hook) */
	__u64 wakeups;
	__u64 events; /* records written to the event ring */
	__u64 events_dropped; /* ring full or busy */
	__u64 pf_queued; /* decisions queued for the executor */
	__u64 pf_queue_full; /* decisions dropped: queue full */
	__u64 pf_pages; /* pages brought in */
	__u64 pf_not_swap; /* addresses skipped: PTE held no swap entry */
	__u64 pf_failed; /* handle_mm_fault failed, or the mm was gone */
	__u64 pf_hits; /* prefetched pages found accessed */
	__u64 pf_unused; /* prefetched pages found unused or gone */
	__u64 kretprobe_missed; /* 0: the hook is no kretprobe any more */
	__u64 cmds; /* command records processed */
	__u64 cmd_errors; /* command records rejected */
	__u64 hook_cycles; /* time in the swap_fault handlers, cycle_khz */
	__u64 stream_busy; /* program runs without history: state busy */
};

struct rmt_ioc_stats {
	__u32 size;
	__u32 vf;
	__u32 attach_id; /* 0: module-wide totals */
	__u32 reserved;
	struct rmt_counters c; /* out */
};

struct rmt_ioc_cmd_poll {
	__u32 size;
	__u32 vf;
	/* out */
	__u32 processed;
	__u32 errors;
};

/*
 * Programs.  RMT_IOC_PROG_LOAD takes a program image (rmt_prog_image.h);
 * the kernel verifies it and returns its id, or an errno with the reason
 * in the log buffer (and the kernel log).  A program belongs to the file
 * that loaded it.
 */
struct rmt_ioc_prog_load {
	__u32 size;
	__u32 vf;
	__u64 image; /* user pointer */
	__u32 image_len;
	__u32 log_len; /* bytes at log; 0: no log wanted */
	__u64 log; /* user pointer, NUL-terminated reason on failure */
	/* out */
	__u32 prog_id;
	__u32 reserved;
};

/* Run a program at a swap_fault attachment of this file (prog_id 0: none). */
struct rmt_ioc_prog_attach {
	__u32 size;
	__u32 vf;
	__u32 attach_id;
	__u32 prog_id;
};

/* An entry record's header, 8 key fields and 256 parameter bytes. */
#define RMT_ENTRY_REC_MAX 472u

/* One RMT_MSG_TABLE_ENTRY payload (proto/msg.h), applied and committed. */
struct rmt_ioc_entry {
	__u32 size;
	__u32 vf;
	__u32 prog_id;
	__u32 len; /* bytes at rec, at most RMT_ENTRY_REC_MAX */
	__u64 rec; /* user pointer */
	/* out */
	__u32 code; /* vm/table.h enum rmt_table_code on refusal */
	__u32 reserved;
};

#define RMT_MODEL_CHUNK_MAX (64u << 10)

/*
 * One RMT_MSG_MODEL_BLOB chunk (proto/msg.h) of at most
 * RMT_MODEL_CHUNK_MAX data bytes; the last one installs the model
 * (installed = 1) once its CRC32C, format and cost are checked.
 */
struct rmt_ioc_model {
	__u32 size;
	__u32 vf;
	__u32 prog_id;
	__u32 len; /* bytes at chunk: header and data */
	__u64 chunk; /* user pointer */
	/* out */
	__u32 installed;
	__u32 reserved;
};

struct rmt_ioc_prog_stats {
	__u32 size;
	__u32 vf;
	__u32 prog_id;
	__u32 reserved;
	/* out */
	__u64 runs; /* pipeline runs */
	__u64 stops;
	__u64 faults; /* action errors (the run stopped there) */
	__u64 pages; /* pages the program asked for, queued or not */
	__u64 refused; /* page requests the prefetch helper refused */
	__u64 run_cycles; /* time in pipeline runs, RMT_IOC_INFO cycle_khz */
	__u64 model_runs; /* model helper calls an installed model answered */
	__u64 insns; /* instructions the runs executed */
};

#define RMT_IOC_MAGIC 0xb7
#define RMT_IOC_INFO _IOWR(RMT_IOC_MAGIC, 1, struct rmt_ioc_info)
#define RMT_IOC_RINGS _IOWR(RMT_IOC_MAGIC, 2, struct rmt_ioc_rings)
#define RMT_IOC_ATTACH _IOWR(RMT_IOC_MAGIC, 3, struct rmt_ioc_attach)
#define RMT_IOC_DETACH _IOW(RMT_IOC_MAGIC, 4, struct rmt_ioc_detach)
#define RMT_IOC_STATS _IOWR(RMT_IOC_MAGIC, 5, struct rmt_ioc_stats)
#define RMT_IOC_CMD_POLL _IOWR(RMT_IOC_MAGIC, 6, struct rmt_ioc_cmd_poll)
#define RMT_IOC_PROG_LOAD _IOWR(RMT_IOC_MAGIC, 7, struct rmt_ioc_prog_load)
#define RMT_IOC_PROG_ATTACH _IOW(RMT_IOC_MAGIC, 8, struct rmt_ioc_prog_attach)
#define RMT_IOC_ENTRY _IOWR(RMT_IOC_MAGIC, 9, struct rmt_ioc_entry)
#define RMT_IOC_MODEL _IOWR(RMT_IOC_MAGIC, 10, struct rmt_ioc_model)
#define RMT_IOC_PROG_STATS _IOWR(RMT_IOC_MAGIC, 11, struct rmt_ioc_prog_stats)

#endif /* RMT_KMOD_IOCTL_H */
