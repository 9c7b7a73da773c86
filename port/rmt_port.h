/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * rmt_port.h - the only "libc" the freestanding core (proto/, vm/, mlib/
 * inference, verifier/) may use.  One header, two implementations: the Linux
 * kernel's primitives under __KERNEL__, the C library and compiler builtins
 * in user space.  Shared-memory structures are plain integers (not _Atomic)
 * because the kernel reads the same layout; ordering goes through the
 * acquire/release helpers below.
 */
#ifndef RMT_PORT_H
#define RMT_PORT_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/string.h>
#include <linux/compiler.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <asm/barrier.h>

#define rmt_load_acquire(p) smp_load_acquire(p)
#define rmt_store_release(p, v) smp_store_release(p, v)
#define rmt_smp_mb() smp_mb()
#define RMT_READ_ONCE(x) READ_ONCE(x)
#define RMT_WRITE_ONCE(x, v) WRITE_ONCE(x, v)
#define rmt_likely(x) likely(x)
#define rmt_unlikely(x) unlikely(x)
#define rmt_cpu_relax() cpu_relax()

/* The core allocates only on load and control paths, never in a hook. */
static inline void *rmt_alloc(size_t size)
{
	return kvzalloc(size, GFP_KERNEL);
}

static inline void rmt_free(void *p)
{
	kvfree(p);
}

#else /* user space */

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <errno.h>
#include <stdlib.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define rmt_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define rmt_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define rmt_smp_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define RMT_READ_ONCE(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define RMT_WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define rmt_likely(x) __builtin_expect(!!(x), 1)
#define rmt_unlikely(x) __builtin_expect(!!(x), 0)

#if defined(__x86_64__) || defined(__i386__)
#define rmt_cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define rmt_cpu_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define rmt_cpu_relax() __asm__ __volatile__("" ::: "memory")
#endif

/* Zeroed, like the kernel side, so no caller depends on garbage. */
static inline void *rmt_alloc(size_t size)
{
	return calloc(1, size);
}

static inline void rmt_free(void *p)
{
	free(p);
}

#endif /* __KERNEL__ */

#define RMT_CACHELINE 64
/* Two lines: adjacent-line prefetchers pull 128-byte pairs on x86. */
#define RMT_FALSE_SHARING_SPAN 128

#define RMT_ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define RMT_IS_POW2(x) ((x) != 0 && ((x) & ((x)-1)) == 0)
#define RMT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The kernel defines noinline as a macro, so the attribute is spelled out. */
#define rmt_noinline __attribute__((__noinline__))
/* The kernel builds with -Wimplicit-fallthrough=5: comments do not count. */
#define rmt_fallthrough __attribute__((__fallthrough__))

/*
 * Set bits of x.  Not __builtin_popcountll: without -mpopcnt GCC lowers
 * it to a libgcc call, which a kernel module cannot link.
 */
static inline u32 rmt_popcount64(u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (u32)((x * 0x0101010101010101ull) >> 56);
}

#endif /* RMT_PORT_H */
