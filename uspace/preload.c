// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * preload.c - librmt-preload.so, the LD_PRELOAD interposer rmt-run loads
 * into an unmodified program: allocations of at least RMT_THRESHOLD bytes
 * through malloc, calloc, realloc, reallocarray, posix_memalign,
 * aligned_alloc, memalign and private anonymous mmap are served from the
 * pager's far memory (malloc_usable_size answers for them); everything
 * smaller goes to glibc.  Configured by environment variables that rmt-run
 * sets (RMT_MEM_LIMIT, RMT_FAR_LATENCY, RMT_FETCH_DEPTH, RMT_SPIN,
 * RMT_INACTIVE, RMT_THRESHOLD, RMT_PREFETCHER, RMT_STATS_FD, RMT_RING_FD,
 * RMT_PAGE_EVENTS, RMT_CMD_FD), all removed at start so that child
 * processes run plain.  With a command ring (RMT_CMD_FD) a control thread
 * (control.h) takes model blobs and commands from an agent.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proto/msg.h"
#include "proto/user/ring_mem.h"
#include "uspace/control.h"
#include "uspace/fetch.h"
#include "uspace/oracle.h"
#include "uspace/pager.h"
#include "uspace/parse.h"
#include "uspace/rmt_prefetch.h"

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t n);

static struct rmt_pager *pager;
static struct rmt_us_ctl *ctl;
static struct rmt_us_rmt_pf *prefetcher;
/*
 * With a command ring and a prefetcher without model slot 0 (none,
 * readahead, leap), the learned program waits beside it: an agent's model
 * goes into its slot and switches the hook over to it; clearing the slot
 * switches back.  The fault thread reads `active` once per fault.
 */
static struct rmt_us_rmt_pf *standby;
static struct rmt_us_rmt_pf *active;
static const char *prefetcher_name = "none";
static struct rmt_ring_map cmd_ring = { -1, NULL, 0 };
static size_t (*real_usable_size)(void *);
static size_t threshold = 1u << 20;
static bool report_at_exit;
static struct rmt_us_oracle *oracle; /* --prefetcher oracle:TRACE */
static uint64_t start_ns;

static void die(const char *what, const char *value)
{
	fprintf(stderr, "rmt-preload: bad %s '%s'\n", what, value);
	_exit(2);
}

static const char *take_env(const char *name)
{
	const char *v = getenv(name);

	unsetenv(name);
	return v;
}

static void *map_fd(const char *v, size_t len)
{
	uint64_t fd;
	void *m;

	if (rmt_us_parse_count(v, 0, 1 << 20, &fd))
		die("descriptor", v);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
	if (m == MAP_FAILED) {
		fprintf(stderr, "rmt-preload: cannot map descriptor %s: %s\n",
			v, strerror(errno));
		_exit(1);
	}
	close((int)fd);
	return m;
}

static int run_active(void *priv, const struct rmt_us_fault_ctx *ctx,
		      uint64_t *pages, unsigned int max)
{
	struct rmt_us_rmt_pf *pf = __atomic_load_n(&active, __ATOMIC_ACQUIRE);

	return pf ? rmt_us_rmt_pf_run(pf, ctx, pages, max) : 0;
}

static void region_all(void *priv, uint64_t start, uint64_t end, bool added)
{
	if (prefetcher)
		rmt_us_rmt_pf_region(prefetcher, start, end, added);
	if (standby)
		rmt_us_rmt_pf_region(standby, start, end, added);
}

/*
 * In the SIGBUS mode the faulting thread reads the command ring between
 * faults: a control thread in the program's address space would make
 * every eviction's TLB flush reach its CPU (docs/uspace.md).
 */
static void serve_control(void *priv, uint64_t now)
{
	struct rmt_us_ctl *c = __atomic_load_n(&ctl, __ATOMIC_ACQUIRE);

	if (c)
		rmt_us_ctl_service(c, now);
}

static void setup_prefetch(struct rmt_pager_config *c)
{
	char err[256] = "";
	uint32_t n_in;

	if (cmd_ring.mem &&
	    (!prefetcher || rmt_us_rmt_pf_slot_inputs(prefetcher, 0, &n_in)) &&
	    rmt_us_rmt_pf_open("learned", &standby, err, sizeof(err))) {
		fprintf(stderr, "rmt-preload: the learned program: %s\n", err);
		_exit(1);
	}
	active = prefetcher;
	if (prefetcher || standby) {
		c->prefetch = run_active;
		c->region = region_all;
	}
}

/* The counters of the program running now. */
static void snapshot_active(void *priv, struct rmt_us_pipe_snap *snap)
{
	struct rmt_us_rmt_pf *pf = __atomic_load_n(&active, __ATOMIC_ACQUIRE);

	if (pf)
		rmt_us_rmt_pf_snapshot(
			pf, pf == standby ? "learned" : prefetcher_name, snap);
}

/* Installs into the standby's slot and switches over to it, or back. */
static int install_switch(void *priv, uint32_t slot, struct rmt_model *m)
{
	int err = rmt_us_rmt_pf_install_model(standby, slot, m);

	if (!err)
		__atomic_store_n(&active, m ? standby : prefetcher,
				 __ATOMIC_RELEASE);
	return err;
}

static void configure(struct rmt_pager_config *c)
{
	struct rmt_ring_map ring;
	uint64_t v;
	const char *s;
	uint64_t fd;

	rmt_pager_config_default(c);
	if ((s = take_env("RMT_MEM_LIMIT")) &&
	    (rmt_us_parse_size(s, &c->mem_limit, &c->mem_limit_permille) ||
	     (!c->mem_limit && !c->mem_limit_permille)))
		die("memory limit", s);
	if ((s = take_env("RMT_FAR_LATENCY")) &&
	    rmt_us_parse_duration(s, &c->far_latency_ns))
		die("far latency", s);
	if ((s = take_env("RMT_FETCH_DEPTH"))) {
		if (rmt_us_parse_count(s, 1, RMT_US_MAX_DEPTH, &v))
			die("fetch depth", s);
		c->fetch_depth = (uint32_t)v;
	}
	if ((s = take_env("RMT_FAULT_HANDLER")) &&
	    rmt_us_parse_fault_mode(s, &c->fault_mode))
		die("fault handler", s);
	if ((s = take_env("RMT_EVICT")) &&
	    rmt_us_parse_evict_mode(s, &c->evict_mode))
		die("eviction mode", s);
	if ((s = take_env("RMT_SPIN")) &&
	    (rmt_us_parse_duration(s, &c->spin_ns) ||
	     c->spin_ns > RMT_US_MAX_SPIN_NS))
		die("spin time", s);
	if ((s = take_env("RMT_INACTIVE"))) {
		if (rmt_us_parse_count(s, 0, 90, &v))
			die("inactive share", s);
		c->inactive_percent = (uint32_t)v;
	}
	if ((s = take_env("RMT_THRESHOLD"))) {
		uint32_t pm;

		if (rmt_us_parse_size(s, &v, &pm) || pm || !v)
			die("threshold", s);
		threshold = (size_t)v;
	}
	if ((s = take_env("RMT_PREFETCHER")) && rmt_us_oracle_trace(s)) {
		struct rmt_us_oracle *o;
		char err[256] = "";

		if (rmt_us_oracle_open(rmt_us_oracle_trace(s), &o, err,
				       sizeof(err))) {
			fprintf(stderr, "rmt-preload: oracle: %s\n", err);
			_exit(2);
		}
		c->prefetch = rmt_us_oracle_run;
		c->prefetch_priv = o;
		oracle = o;
		prefetcher_name = s;
	} else if (s) {
		struct rmt_us_rmt_pf *pf;
		char err[256] = "";

		if (rmt_us_rmt_pf_open(s, &pf, err, sizeof(err))) {
			fprintf(stderr, "rmt-preload: prefetcher %s: %s\n", s,
				err);
			_exit(2);
		}
		prefetcher = pf;
		prefetcher_name = s;
	}
	if ((s = take_env("RMT_STATS_FD")))
		c->stats = map_fd(s, sizeof(struct rmt_us_stats));
	else
		report_at_exit = true;
	if ((s = take_env("RMT_RING_FD"))) {
		if (rmt_us_parse_count(s, 0, 1 << 20, &fd))
			die("descriptor", s);
		if (rmt_ring_map_fd((int)fd, &ring)) {
			fprintf(stderr, "rmt-preload: cannot map the fault "
					"ring\n");
			_exit(1);
		}
		c->ring_mem = ring.mem;
		c->ring_len = ring.len;
	}
	if ((s = take_env("RMT_PAGE_EVENTS"))) {
		if (strcmp(s, "0") && strcmp(s, "1"))
			die("RMT_PAGE_EVENTS (0 or 1)", s);
		c->emit_page_events = !strcmp(s, "1");
	}
	if ((s = take_env("RMT_CMD_FD"))) {
		if (rmt_us_parse_count(s, 0, 1 << 20, &fd))
			die("descriptor", s);
		if (rmt_ring_map_fd((int)fd, &cmd_ring)) {
			fprintf(stderr, "rmt-preload: cannot map the command "
					"ring\n");
			_exit(1);
		}
	}
	setup_prefetch(c);
	if (cmd_ring.mem && c->fault_mode == RMT_US_FAULT_SIGNAL)
		c->after_fault = serve_control;
}

static int emit_reply(void *arg, const void *rec, uint32_t len)
{
	return rmt_pager_emit(arg, RMT_MSG_REPLY, rec, len);
}

/*
 * The control channel, when rmt-run gave us a command ring: served by
 * the faulting threads (SIGBUS mode) or by a thread of its own.
 */
static void start_control(bool by_faults)
{
	struct rmt_us_ctl_config cc = {
		.cmd_mem = cmd_ring.mem,
		.cmd_len = cmd_ring.len,
		.reply = emit_reply,
		.reply_arg = pager,
		.stats = rmt_pager_stats(pager),
		.prefetcher = prefetcher_name,
	};
	struct rmt_us_ctl *c;
	int err;

	if (!cmd_ring.mem)
		return;
	cc.target.snapshot = snapshot_active;
	if (standby) {
		cc.target.priv = standby;
		cc.target.slot_inputs = rmt_us_rmt_pf_slot_inputs;
		cc.target.set_model = install_switch;
	} else if (prefetcher) {
		cc.target.priv = prefetcher;
		cc.target.slot_inputs = rmt_us_rmt_pf_slot_inputs;
		cc.target.set_model = rmt_us_rmt_pf_install_model;
	}
	err = rmt_us_ctl_create(&cc, !by_faults, &c);
	if (!err)
		__atomic_store_n(&ctl, c, __ATOMIC_RELEASE);
	if (err) {
		fprintf(stderr,
			"rmt-preload: cannot start the control "
			"thread: %s\n",
			strerror(-err));
		_exit(1);
	}
}

static void warn_fork(void)
{
	static const char msg[] = "rmt-preload: warning: fork() in a paged "
				  "program; the child's far memory is not "
				  "paged\n";

	if (write(2, msg, sizeof(msg) - 1) < 0)
		return;
}

static void report(void)
{
	if (oracle)
		fprintf(stderr,
			"rmt-preload: oracle: %llu faults were not where the "
			"trace had them\n",
			(unsigned long long)rmt_us_oracle_misfits(oracle));
	if (pager && report_at_exit)
		rmt_us_stats_print(stderr, rmt_pager_stats(pager),
				   (rmt_us_now_ns() - start_ns) / 1e9, 0);
}

__attribute__((constructor)) static void preload_init(void)
{
	struct rmt_pager_config c;
	uint64_t ready;
	int err;

	unsetenv("LD_PRELOAD");
	start_ns = rmt_us_now_ns();
	real_usable_size =
		(size_t(*)(void *))dlsym(RTLD_NEXT, "malloc_usable_size");
	if (!real_usable_size) {
		fprintf(stderr, "rmt-preload: no malloc_usable_size in libc\n");
		_exit(1);
	}
	configure(&c);
	err = rmt_pager_create(&c, &pager);
	if (err) {
		char why[256] = "";

		rmt_pager_probe(why, sizeof(why));
		fprintf(stderr, "rmt-preload: cannot start the pager: %s%s%s\n",
			strerror(-err), why[0] ? ": " : "", why);
		_exit(1);
	}
	start_control(c.after_fault != NULL);
	pthread_atfork(NULL, NULL, warn_fork);
	atexit(report);
	/*
	 * The run is timed from here: the datapath is set up, as a kernel
	 * hook's programs are attached before the workload starts.
	 */
	ready = rmt_us_now_ns();
	rmt_pager_stats(pager)->setup_ns = ready - start_ns;
	__atomic_store_n(&rmt_pager_stats(pager)->ready_ns, ready,
			 __ATOMIC_RELEASE);
	start_ns = ready;
}

/*
 * A program that sets its own SIGBUS handler keeps the pager's in front
 * of it: the pager serves far memory and passes every other SIGBUS on.
 */
int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	static int (*real)(int, const struct sigaction *, struct sigaction *);

	if (sig == SIGBUS && !rmt_pager_sigbus_chain(act, old))
		return 0;
	if (!real)
		real = (int (*)(int, const struct sigaction *,
				struct sigaction *))dlsym(RTLD_NEXT,
							  "sigaction");
	return real(sig, act, old);
}

sighandler_t signal(int sig, sighandler_t handler)
{
	static sighandler_t (*real)(int, sighandler_t);
	struct sigaction sa = { .sa_handler = handler, .sa_flags = SA_RESTART },
			 was;

	if (sig != SIGBUS) {
		if (!real)
			real = (sighandler_t(*)(int, sighandler_t))dlsym(
				RTLD_NEXT, "signal");
		return real(sig, handler);
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &was))
		return SIG_ERR;
	return was.sa_handler;
}

static void *far_alloc(size_t n)
{
	return pager && n >= threshold ? rmt_pager_alloc(pager, n) : NULL;
}

static bool is_far(const void *p)
{
	return pager && p && rmt_pager_owns(pager, p);
}

void *malloc(size_t n)
{
	void *p = far_alloc(n);

	return p ? p : __libc_malloc(n);
}

void free(void *p)
{
	if (is_far(p))
		rmt_pager_free(pager, p);
	else
		__libc_free(p);
}

void *calloc(size_t n, size_t m)
{
	void *p;

	if (m && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	p = far_alloc(n * m);
	return p ? p : __libc_calloc(n, m);
}

void *realloc(void *old, size_t n)
{
	size_t have;
	void *p;

	if (!old)
		return malloc(n);
	if (is_far(old)) {
		have = rmt_pager_size(pager, old);
		if (n <= have && n)
			return old;
		if (!n) {
			free(old);
			return NULL;
		}
		p = malloc(n);
		if (p) {
			memcpy(p, old, have);
			free(old);
		}
		return p;
	}
	p = far_alloc(n);
	if (!p)
		return __libc_realloc(old, n);
	have = malloc_usable_size(old);
	memcpy(p, old, have < n ? have : n);
	__libc_free(old);
	return p;
}

void *reallocarray(void *old, size_t n, size_t m)
{
	if (m && n > SIZE_MAX / m) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(old, n * m);
}

size_t malloc_usable_size(void *p)
{
	return is_far(p) ? rmt_pager_size(pager, p) : real_usable_size(p);
}

static void *aligned(size_t align, size_t n)
{
	void *p = align <= RMT_US_PAGE ? far_alloc(n) : NULL;

	return p ? p : __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (!align || align % sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	p = aligned(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
	return aligned(align, n);
}

void *memalign(size_t align, size_t n)
{
	return aligned(align, n);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = NULL;

	if (!addr && fd == -1 && prot == (PROT_READ | PROT_WRITE) &&
	    (flags & ~MAP_NORESERVE) == (MAP_PRIVATE | MAP_ANONYMOUS))
		p = far_alloc(len);
	if (p)
		return p;
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
	__attribute__((alias("mmap")));

int munmap(void *addr, size_t len)
{
	void *start;
	size_t size;

	if (!is_far(addr))
		return (int)syscall(SYS_munmap, addr, len);
	if (rmt_pager_find(pager, addr, &start, &size)) {
		errno = EINVAL;
		return -1;
	}
	/* The whole allocation goes; a part of it reads as zeros again. */
	if (addr == start && len >= size)
		return rmt_pager_free(pager, addr) ? (errno = EINVAL, -1) : 0;
	return rmt_pager_discard(pager, addr, len) ? (errno = EINVAL, -1) : 0;
}
