/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * pager.h - the user-space far-memory pager.  Far-memory allocations come
 * from one arena registered with userfaultfd (missing and write-protect
 * modes); every fault is served, by the faulting thread in a SIGBUS
 * handler or by a fault thread: zero pages on first touch, pages from the
 * backing store (far memory) after the modelled latency, prefetched
 * pages from the staging area.  The pager keeps resident pages under
 * the memory limit with the segmented-FIFO policy of lru.h, runs the
 * swap_fault hook (hook.h) and emits each far fault to a ring.
 *
 * This is also the small library API for programs that allocate far
 * memory explicitly: rmt_pager_create(), rmt_pager_alloc(),
 * rmt_pager_free(), rmt_pager_destroy().
 */
#ifndef RMT_US_PAGER_H
#define RMT_US_PAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uspace/hook.h"
#include "uspace/stats.h"

#define RMT_US_PAGE 4096u
#define RMT_US_DEFAULT_LATENCY_NS 5000u
#define RMT_US_DEFAULT_DEPTH 8u
#define RMT_US_DEFAULT_ARENA (16ull << 30)
#define RMT_US_MIN_LIMIT_PAGES 16u
/* How long the fault thread polls for the next fault before sleeping. */
#define RMT_US_DEFAULT_SPIN_NS 0u
#define RMT_US_DEFAULT_SPIN "0us"
#define RMT_US_MAX_SPIN_NS 10000000u

/*
 * Zeroed memory straight from the mmap system call, neither malloc nor
 * the mmap symbol: code inside the LD_PRELOAD interposer must not have
 * its own memory put in far memory.  NULL on failure.
 */
void *rmt_us_raw_mmap(size_t len);
void rmt_us_raw_munmap(void *addr, size_t len); /* NULL: nothing */

/*
 * Who serves a fault: the faulting thread itself, in a SIGBUS handler
 * (userfaultfd's SIGBUS mode, as the kernel serves a swap-in in the
 * faulting task), or a fault thread woken through the descriptor (two
 * wake-ups per fault).  See docs/uspace.md, "Who serves a fault".
 */
enum rmt_us_fault_mode {
	RMT_US_FAULT_SIGNAL,
	RMT_US_FAULT_THREAD,
};

/*
 * How a page goes to the backing store and back: moved (UFFDIO_MOVE,
 * where the kernel has it, else as COPY) or copied (write-protected,
 * copied, unmapped).  See docs/uspace.md, "Eviction".
 */
enum rmt_us_evict_mode {
	RMT_US_EVICT_MOVE,
	RMT_US_EVICT_COPY,
};

struct rmt_pager_config {
	uint64_t mem_limit; /* bytes of local memory, or 0 ... */
	uint32_t mem_limit_permille; /* ... this share of far memory */
	uint64_t far_latency_ns;
	uint32_t fetch_depth;
	uint32_t inactive_percent; /* inactive list share of the limit */
	uint64_t arena_bytes; /* virtual space reserved for far memory */
	uint32_t fault_mode; /* enum rmt_us_fault_mode */
	uint32_t evict_mode; /* enum rmt_us_evict_mode */
	uint64_t spin_ns; /* fault thread: busy-poll after a fault this long */
	rmt_us_prefetch_fn prefetch; /* NULL: no prefetching */
	rmt_us_region_fn region; /* NULL: not told about allocations */
	/*
	 * SIGBUS mode: called by the faulting thread after each far fault,
	 * outside the pager's lock (the datapath's other duties); NULL: none.
	 */
	void (*after_fault)(void *priv, uint64_t now_ns);
	void *prefetch_priv; /* for all three */
	struct rmt_us_stats *stats; /* NULL: kept inside the pager */
	void *ring_mem; /* a formatted ring for fault events */
	size_t ring_len;
	/*
	 * Also put evictions, first touches and frees on the ring
	 * (RMT_MSG_PAGE): a trace's replay tells far pages from resident
	 * ones with them, and counts every page that came in.
	 */
	bool emit_page_events;
};

struct rmt_pager;

void rmt_pager_config_default(struct rmt_pager_config *c);
/*
 * 0 if this kernel lets us use userfaultfd with write-protection of
 * anonymous memory; otherwise a negative errno and a reason in why.
 */
int rmt_pager_probe(char *why, size_t why_len);
int rmt_pager_create(const struct rmt_pager_config *c, struct rmt_pager **out);
/*
 * Stops the fault thread (or leaves the SIGBUS handler) and unmaps
 * everything, allocations included.
 */
void rmt_pager_destroy(struct rmt_pager *p);

/* Page-aligned, zero-filled far memory; NULL and errno on failure. */
void *rmt_pager_alloc(struct rmt_pager *p, size_t bytes);
/* Frees the allocation containing addr: 0, or -EINVAL if there is none. */
int rmt_pager_free(struct rmt_pager *p, void *addr);
/* Whether addr lies in this pager's arena (cheap, lock-free). */
int rmt_pager_owns(const struct rmt_pager *p, const void *addr);
/* Bytes from addr to the end of the allocation containing it, 0 if none. */
size_t rmt_pager_size(struct rmt_pager *p, const void *addr);
/* The allocation containing addr: 0, or -EINVAL if there is none. */
int rmt_pager_find(struct rmt_pager *p, const void *addr, void **start,
		   size_t *len);
/* Returns pages of an allocation to zero, as munmap+mmap would. */
int rmt_pager_discard(struct rmt_pager *p, void *addr, size_t len);

struct rmt_us_stats *rmt_pager_stats(struct rmt_pager *p);
struct sigaction;
/*
 * The program's own SIGBUS disposition, kept behind the SIGBUS mode's
 * handler: sets where a SIGBUS outside far memory goes (act may be NULL)
 * and returns the previous one (old may be NULL), as sigaction(2) would.
 * 0, or -ENOENT when no pager serves faults by SIGBUS (the caller then
 * calls sigaction itself).
 */
int rmt_pager_sigbus_chain(const struct sigaction *act, struct sigaction *old);

/*
 * Put one record on the fault ring from a thread other than the fault
 * thread (the ring has one producer: this takes the pager's lock).
 * 0, -ENOSPC/-EMSGSIZE when it was dropped (counted), -ENODEV: no ring.
 */
int rmt_pager_emit(struct rmt_pager *p, uint16_t type, const void *rec,
		   uint32_t len);

#endif /* RMT_US_PAGER_H */
