// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_control.c - the user-space datapath's control channel end to end
 * in one process: an agent handle (agent/datapath.h) on memfd rings
 * sends model blobs and commands to the control thread (uspace/control.h)
 * in front of a prefetcher with a model slot (slot.rmt); verified models
 * change what the pipeline prefetches, and every malformed or refused
 * blob or command gets an error reply with a reason and changes nothing.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mlib/train/writer.h"
#include "proto/crc32c.h"
#include "tests/agent/rig.h"

/* A chain of depth inner nodes on feature 0, leaves of class 1. */
static u8 *deep_model(u32 depth, size_t *len)
{
	struct rmt_tree_node n[2 * 64 + 1];
	struct rmt_tree t = { 2 * depth + 1, depth, n };
	struct rmt_model m;
	u32 i;
	u8 *buf;

	for (i = 0; i < depth; i++) {
		n[2 * i] =
			(struct rmt_tree_node){ 0, 0, (s32)i, (u16)(2 * i + 1),
						(u16)(2 * i + 2) };
		n[2 * i + 1] =
			(struct rmt_tree_node){ RMT_TREE_LEAF, 65535, 1, 0, 0 };
	}
	n[2 * depth] = (struct rmt_tree_node){ RMT_TREE_LEAF, 65535, 1, 0, 0 };
	memset(&m, 0, sizeof(m));
	m.type = RMT_MODEL_TREE;
	m.n_features = 2;
	m.n_classes = 2;
	m.n_trees = 1;
	m.max_depth = depth;
	m.trees = &t;
	cr_assert_eq(rmt_model_write(&m, &buf, len), 0);
	return buf;
}

static int install(u32 slot, u64 id, const u8 *blob, size_t len, char *err)
{
	return rmt_dp_install_model(R.dp, 1, slot, id, blob, len, 5000, err,
				    160);
}

TestSuite(control, .init = rig_with_thread, .fini = rig_teardown);

Test(control, verified_models_are_installed_replaced_and_cleared)
{
	char err[160];
	size_t len;
	u8 *b;
	struct rmt_dp_stats s;

	cr_assert_eq(rig_decide(), 0,
		     "no model: the fallback prefetches nothing");
	b = rig_const_model(2, 3, &len);
	cr_assert_eq(install(0, 42, b, len, err), 0, "%s", err);
	free(b);
	cr_assert(strstr(err, "installed"), "%s", err);
	cr_assert_eq(rig_decide(), 3);
	rmt_dp_stats(R.dp, &s);
	cr_assert_eq(s.models_installed, 1);
	cr_assert_eq(s.model_id, 42);
	/* A bigger blob, in several chunks: replaces the first model. */
	b = rig_const_model(2, 5, &len);
	cr_assert_eq(install(0, 43, b, len, err), 0, "%s", err);
	free(b);
	cr_assert_eq(rig_decide(), 5);
	cr_assert_eq(rmt_dp_clear_model(R.dp, 1, 0, 5000, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(rig_decide(), 0);
	rmt_dp_stats(R.dp, &s);
	cr_assert_eq(s.model_id, 0);
	cr_assert_eq(s.models_installed, 2);
	cr_assert_eq(s.models_rejected, 0);
}

Test(control, refused_models_change_nothing)
{
	char err[160];
	size_t len;
	u8 garbage[3000], *b;
	struct rmt_dp_stats s;
	unsigned int i;

	b = rig_const_model(2, 4, &len);
	cr_assert_eq(install(0, 1, b, len, err), 0, "%s", err);
	srand(7);
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (u8)rand();
	cr_assert_neq(install(0, 2, garbage, sizeof(garbage), err), 0);
	cr_assert(strstr(err, "rejected"), "%s", err);
	/* Garbage behind a real header: the model parser refuses it. */
	memcpy(garbage, b, 8);
	free(b);
	cr_assert_eq(install(0, 2, garbage, sizeof(garbage), err), -EINVAL);
	cr_assert(strstr(err, "parse"), "%s", err);
	/* The slot reads 2 features; this model reads 3. */
	b = rig_const_model(3, 6, &len);
	cr_assert_eq(install(0, 3, b, len, err), -EINVAL);
	cr_assert(strstr(err, "verifier"), "%s", err);
	free(b);
	/* Deeper than the hook's budget. */
	b = deep_model(RMT_US_MODEL_MAX_DEPTH + 1, &len);
	cr_assert_neq(install(0, 4, b, len, err), 0);
	cr_assert(strstr(err, "verifier"), "%s", err);
	free(b);
	b = rig_const_model(2, 6, &len);
	cr_assert_eq(install(5, 5, b, len, err), -ENOENT);
	cr_assert(strstr(err, "no model slot 5"), "%s", err);
	free(b);
	cr_assert_eq(rig_decide(), 4, "the first model still runs");
	rmt_dp_stats(R.dp, &s);
	cr_assert_eq(s.models_installed, 1);
	cr_assert_eq(s.models_rejected, 5);
	cr_assert_eq(s.model_id, 1);
	cr_assert_eq(rmt_dp_command(R.dp, RMT_CMD_READMIT_MODEL, 1, 0, 5000,
				    err, sizeof(err)),
		     -EOPNOTSUPP);
	cr_assert_eq(rmt_dp_clear_model(R.dp, 9, 0, 5000, err, sizeof(err)),
		     -ENOENT);
}

Test(control, fault_events_wait_while_a_reply_is_awaited)
{
	struct rmt_msg_fault ev[64];
	unsigned int i, got = 0;
	char err[160];
	size_t len;
	u8 *b;
	int n;

	for (i = 0; i < 3000; i++) {
		struct rmt_msg_fault f = { .addr = (u64)i << 12, .hook_id = 1 };

		pthread_mutex_lock(&R.lock);
		cr_assert_eq(rmt_ring_produce(&R.ev_prod, RMT_MSG_FAULT, &f,
					      sizeof(f)),
			     0);
		pthread_mutex_unlock(&R.lock);
	}
	b = rig_const_model(2, 2, &len);
	cr_assert_eq(install(0, 9, b, len, err), 0, "%s", err);
	free(b);
	while ((n = rmt_dp_poll_faults(R.dp, ev, 64)) > 0)
		for (i = 0; i < (unsigned int)n; i++, got++)
			cr_assert_eq(ev[i].addr, (u64)got << 12);
	cr_assert_eq(got, 3000);
	cr_assert_eq(rmt_dp_dropped(R.dp), 0);
}

/* Raw records on the command ring, without the agent's handle. */
struct raw {
	struct rmt_ring_prod cmd;
	struct rmt_ring_cons ev;
};

static void raw_attach(struct raw *w)
{
	cr_assert_eq(rmt_ring_prod_attach(&w->cmd, R.cmd.mem, R.cmd.len), 0);
	cr_assert_eq(rmt_ring_cons_attach(&w->ev, R.ev.mem, R.ev.len), 0);
}

static void raw_send(struct raw *w, u16 type, const void *p, u32 len)
{
	cr_assert_eq(rmt_ring_produce(&w->cmd, type, p, len), 0);
}

/* The one reply the records so far produced. */
static struct rmt_msg_reply raw_reply(struct raw *w)
{
	struct rmt_msg_reply r;
	u16 type;

	cr_assert_eq(rmt_us_ctl_poll(R.ctl) >= 1, 1);
	cr_assert_eq(rmt_ring_consume(&w->ev, &type, &r, sizeof(r)), sizeof(r));
	cr_assert_eq(type, RMT_MSG_REPLY);
	cr_assert_eq(rmt_msg_check(type, &r, sizeof(r)), 0);
	return r;
}

static void chunk(struct raw *w, u32 seq, const u8 *blob, u32 total, u32 off,
		  u32 n, u32 crc)
{
	u8 rec[sizeof(struct rmt_msg_model_blob) + 4096];
	struct rmt_msg_model_blob h = { .model_id = 7,
					.seq = seq,
					.format_version = 1,
					.total_len = total,
					.offset = off,
					.chunk_len = n,
					.crc32c = crc };

	memcpy(rec, &h, sizeof(h));
	memcpy(rec + sizeof(h), blob + off, n);
	raw_send(w, RMT_MSG_MODEL_BLOB, rec, (u32)sizeof(h) + n);
}

Test(control_raw, malformed_records_get_errors_with_reasons,
     .init = rig_without_thread, .fini = rig_teardown)
{
	struct raw w;
	struct rmt_msg_reply r;
	struct rmt_msg_command c = { .seq = 5, .op = 99 };
	size_t len;
	u8 *b = rig_const_model(2, 3, &len), junk[40];
	u32 crc = rmt_crc32c(0, b, len);

	raw_attach(&w);
	/* Bad CRC: reassembled, checked, refused before parsing. */
	chunk(&w, 11, b, (u32)len, 0, (u32)len, crc ^ 1);
	r = raw_reply(&w);
	cr_assert_eq(r.seq, 11);
	cr_assert_eq(r.status, -EBADMSG);
	cr_assert(strstr(r.reason, "crc32c mismatch"), "%s", r.reason);
	/* A blob that does not start at offset 0. */
	chunk(&w, 12, b, (u32)len, 8, 8, crc);
	r = raw_reply(&w);
	cr_assert_eq(r.seq, 12);
	cr_assert_eq(r.status, -EPROTO);
	/* A gap between chunks. */
	chunk(&w, 13, b, (u32)len, 0, 16, crc);
	chunk(&w, 13, b, (u32)len, 32, 16, crc);
	r = raw_reply(&w);
	cr_assert_eq(r.seq, 13);
	cr_assert(strstr(r.reason, "does not continue"), "%s", r.reason);
	/* A chunk header that lies about its length. */
	memset(junk, 0, sizeof(junk));
	raw_send(&w, RMT_MSG_MODEL_BLOB, junk, sizeof(junk) - 8);
	r = raw_reply(&w);
	cr_assert_eq(r.status, -EBADMSG);
	/* An unknown command and an unknown record type. */
	raw_send(&w, RMT_MSG_COMMAND, &c, sizeof(c));
	r = raw_reply(&w);
	cr_assert_eq(r.seq, 5);
	cr_assert_eq(r.status, -EBADMSG);
	raw_send(&w, 77, &c, sizeof(c));
	r = raw_reply(&w);
	cr_assert_eq(r.status, -ENOMSG);
	cr_assert_eq(R.st->models_installed, 0);
	cr_assert_eq(R.st->models_rejected, 4);
	cr_assert_eq(rig_decide(), 0, "nothing was installed");
	/* The same blob, whole and right, is accepted afterwards. */
	chunk(&w, 14, b, (u32)len, 0, (u32)len, crc);
	r = raw_reply(&w);
	cr_assert_eq(r.status, 0, "%s", r.reason);
	cr_assert_eq(rig_decide(), 3);
	free(b);
}

/*
 * From a faulting thread (the pager's SIGBUS mode): the ring is read at
 * most every half millisecond of the caller's clock.
 */
Test(control_raw, faulting_threads_serve_the_ring_rate_limited,
     .init = rig_without_thread, .fini = rig_teardown)
{
	struct rmt_msg_command c = { .seq = 21, .op = 99 };
	struct rmt_msg_reply r;
	struct raw w;
	u16 type;

	raw_attach(&w);
	raw_send(&w, RMT_MSG_COMMAND, &c, sizeof(c));
	cr_assert_eq(rmt_us_ctl_service(R.ctl, 1000000), 1);
	cr_assert_eq(rmt_ring_consume(&w.ev, &type, &r, sizeof(r)), sizeof(r));
	cr_assert_eq(r.seq, 21);
	c.seq = 22;
	raw_send(&w, RMT_MSG_COMMAND, &c, sizeof(c));
	cr_assert_eq(rmt_us_ctl_service(R.ctl, 1000000 + 100000), 0,
		     "read again within half a millisecond");
	cr_assert_eq(rmt_us_ctl_service(R.ctl, 1000000 + 500000), 1);
	cr_assert_eq(rmt_ring_consume(&w.ev, &type, &r, sizeof(r)), sizeof(r));
	cr_assert_eq(r.seq, 22);
}

static void *produce_one_by_one(void *arg)
{
	unsigned int i, n = *(const unsigned int *)arg;

	for (i = 0; i < n; i++) {
		struct rmt_msg_fault f = { .addr = (u64)i << 12, .hook_id = 1 };

		pthread_mutex_lock(&R.lock);
		while (rmt_ring_produce(&R.ev_prod, RMT_MSG_FAULT, &f,
					sizeof(f))) {
			pthread_mutex_unlock(&R.lock);
			sched_yield();
			pthread_mutex_lock(&R.lock);
		}
		pthread_mutex_unlock(&R.lock);
	}
	return NULL;
}

/*
 * Fault events published while the agent's handle polls, one at a time,
 * each arrive once and in order: an event published between the handle
 * finding the ring empty and its look for other records was once taken
 * for one of those and lost (the agent then waited for its 500th event
 * forever, loop::promoted_models_are_installed under load).
 */
Test(control, events_published_during_a_poll_are_not_lost)
{
	struct rmt_msg_fault ev[64];
	unsigned int n = 200000, got = 0, i;
	bool producing = true;
	pthread_t t;
	int r;

	cr_assert_eq(pthread_create(&t, NULL, produce_one_by_one, &n), 0);
	for (;;) {
		/* Once the producer is done, what is left is drained. */
		if (producing && pthread_tryjoin_np(t, NULL) == 0)
			producing = false;
		r = rmt_dp_poll_faults(R.dp, ev, 64);
		cr_assert_geq(r, 0);
		for (i = 0; i < (unsigned int)r; i++, got++)
			cr_assert_eq(ev[i].addr, (u64)got << 12,
				     "event %u lost or out of order", got);
		if (!r && !producing)
			break;
	}
	cr_assert_eq(got, n, "%u of %u events arrived", got, n);
}
