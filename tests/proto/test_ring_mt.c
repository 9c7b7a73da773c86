// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_ring_mt.c - 10^7 records of varying sizes between two threads and
 * between two processes (a memfd inherited across fork, and one passed
 * over a unix socket).  Every record carries its sequence number and
 * content derived from it: nothing may be lost beyond the counted drops,
 * duplicated, reordered or corrupted.
 */
#define _GNU_SOURCE
#include "ring_testlib.h"
#include "proto/user/ring_mem.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NRECS /* the TSan build (tests/tsan/) runs fewer */
#define NRECS 10000000ull
#endif
#define MAX_LEN 64u
#define DATA_SIZE (1u << 16)

struct side {
	void *mem;
	size_t len;
	u64 n;
};

/*
 * A full ring: publish the batch and give the consumer a few turns before
 * the record is dropped, so that drops stay the exception however the
 * two threads are scheduled (ThreadSanitizer slows the consumer most).
 */
static void wait_for_room(struct rmt_ring_prod *p, u32 len)
{
	u64 need = rmt_rec_footprint(len);
	int tries;

	for (tries = 0; tries < 64 && rmt_ring_prod_room(p, need) < need;
	     tries++) {
		rmt_ring_commit(p);
		sched_yield();
	}
}

/* Producer: single records and bursts of up to 8. */
static void *produce(void *arg)
{
	struct side *s = arg;
	struct rmt_ring_prod p;
	u64 i = 0;

	if (rmt_ring_prod_attach(&p, s->mem, s->len))
		return (void *)1;
	while (i < s->n) {
		unsigned int burst = 1 + (unsigned int)(i % 8), k;

		for (k = 0; k < burst && i < s->n; k++, i++) {
			u32 len = stream_len(i, MAX_LEN);
			void *dst;

			wait_for_room(&p, len);
			if (rmt_ring_reserve(&p, 1, len, &dst))
				continue; /* record i is a counted drop */
			stream_fill(i, dst, len);
		}
		rmt_ring_commit(&p);
	}
	return NULL;
}

/* Consumer: returns 0 if the stream arrived whole up to counted drops. */
static int consume(struct side *s, u64 *received)
{
	struct rmt_ring_cons c;
	struct rmt_rec recs[32];
	u64 expect = 0, gaps = 0, got = 0, spins = 0;
	int n, k;

	if (rmt_ring_cons_attach(&c, s->mem, s->len))
		return -1;
	while (expect < s->n) {
		n = rmt_ring_peek_burst(&c, recs, 32);
		if (n < 0)
			return -2;
		if (n == 0) {
			/* Every record is either received or counted as dropped. */
			if (got + RMT_READ_ONCE(c.sh->dropped) >= s->n)
				break;
			if (++spins % 64 == 0)
				sched_yield();
			continue;
		}
		for (k = 0; k < n; k++) {
			u64 seq;

			memcpy(&seq, recs[k].data, 8);
			if (seq < expect || seq >= s->n)
				return -3; /* duplicate, reordered or bogus */
			gaps += seq - expect;
			if (stream_check(seq, recs[k].data, recs[k].len,
					 MAX_LEN))
				return -4;
			expect = seq + 1;
			got++;
		}
		rmt_ring_release(&c);
	}
	gaps += s->n - expect;
	*received = got;
	if (gaps != RMT_READ_ONCE(c.sh->dropped))
		return -5;
	return c.errors ? -6 : 0;
}

Test(ring_mt, two_threads, .timeout = 300)
{
	struct test_ring t;
	struct side s;
	pthread_t th;
	u64 got = 0;
	void *ret;

	test_ring_new(&t, DATA_SIZE, 1024);
	s.mem = t.mem;
	s.len = t.len;
	s.n = NRECS;
	cr_assert_eq(pthread_create(&th, NULL, produce, &s), 0);
	cr_assert_eq(consume(&s, &got), 0);
	pthread_join(th, &ret);
	cr_assert_null(ret);
	cr_assert_gt(got, NRECS / 2, "got only %llu", (unsigned long long)got);
	test_ring_free(&t);
}

static void run_child_consumer(struct side *s)
{
	u64 got = 0;

	_exit(consume(s, &got) == 0 ? 0 : 1);
}

Test(ring_mt, two_processes_fork, .timeout = 300)
{
	struct rmt_ring_map m;
	struct side s;
	int status;
	pid_t pid;

	cr_assert_eq(rmt_ring_memfd_create("rmt-test", DATA_SIZE, 1024, &m), 0);
	s.mem = m.mem;
	s.len = m.len;
	s.n = NRECS;
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		run_child_consumer(&s);
	cr_assert_null(produce(&s));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "consumer process saw a broken stream");
	rmt_ring_unmap(&m);
}

Test(ring_mt, two_processes_fd_passing, .timeout = 300)
{
	struct rmt_ring_map m, cm;
	struct side s;
	int sv[2], status, fd;
	pid_t pid;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		fd = rmt_fd_recv(sv[1]);
		if (fd < 0 || rmt_ring_map_fd(fd, &cm))
			_exit(2);
		s.mem = cm.mem;
		s.len = cm.len;
		s.n = NRECS / 4;
		run_child_consumer(&s);
	}
	close(sv[1]);
	cr_assert_eq(rmt_ring_memfd_create("rmt-test", DATA_SIZE, 1024, &m), 0);
	cr_assert_eq(rmt_fd_send(sv[0], m.fd), 0);
	s.mem = m.mem;
	s.len = m.len;
	s.n = NRECS / 4;
	cr_assert_null(produce(&s));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "consumer process failed (status %d)", status);
	rmt_ring_unmap(&m);
	close(sv[0]);
}

Test(ring_mt, fd_recv_without_descriptor_is_an_error)
{
	int sv[2];
	char byte = 'x';

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	cr_assert_eq(write(sv[0], &byte, 1), 1);
	cr_assert_eq(rmt_fd_recv(sv[1]), -EBADMSG);
	close(sv[0]);
	cr_assert_eq(rmt_fd_recv(sv[1]), -ECONNRESET);
	close(sv[1]);
}

Test(ring_mt, map_rejects_files_that_are_not_rings)
{
	struct rmt_ring_map m;
	int fd = memfd_create("not-a-ring", MFD_CLOEXEC);

	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, 100), 0);
	cr_assert_eq(rmt_ring_map_fd(fd, &m), -EBADMSG);
	close(fd);
}
