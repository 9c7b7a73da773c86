// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * control.c - the datapath's control thread (see control.h): reads the
 * command ring, reassembles and checks model blobs, installs verified
 * models, answers every command and blob.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mlib/format.h"
#include "port/rmt_rcu.h"
#include "proto/crc32c.h"
#include "proto/msg.h"
#include "proto/ring.h"
#include "uspace/control.h"
#include "uspace/fetch.h"
#include "verifier/model.h"

#define HOOK_SWAP_FAULT 1u
/*
 * The control thread polls the command ring every POLL_MIN_US while
 * records come, and ever less often, down to every POLL_MAX_US, while
 * none do; rmt_us_ctl_service() polls at most every POLL_MIN_US.
 */
#define POLL_MIN_US 500u
#define POLL_MAX_US 4000u

/* The blob being reassembled. */
struct blob {
	bool active;
	u32 seq, slot, total_len, crc, version, got;
	u64 model_id;
	u8 *buf;
};

struct rmt_us_ctl {
	struct rmt_us_ctl_config c;
	struct rmt_ring_cons cons;
	struct blob blob;
	/* Chunks of a blob already refused are dropped without a reply. */
	bool have_dead;
	u32 dead_seq;
	u64 rec[RMT_US_CMD_MAX_PAYLOAD / 8]; /* private copy of a record */
	pthread_t thread;
	bool running;
	int stop; /* RMT_READ_ONCE / RMT_WRITE_ONCE */
	/* rmt_us_ctl_service(): one faulting thread at a time, rate-limited. */
	int serving;
	u64 next_service_ns;
};

static void reply(struct rmt_us_ctl *ctl, u16 req_type, u32 seq, u32 slot,
		  u64 model_id, int status, const char *fmt, ...)
{
	struct rmt_msg_reply r;
	va_list ap;

	memset(&r, 0, sizeof(r));
	r.seq = seq;
	r.status = status;
	r.req_type = req_type;
	r.hook_id = HOOK_SWAP_FAULT;
	r.slot = slot;
	r.model_id = model_id;
	va_start(ap, fmt);
	vsnprintf(r.reason, sizeof(r.reason), fmt, ap);
	va_end(ap);
	RMT_WRITE_ONCE(ctl->c.stats->commands, ctl->c.stats->commands + 1);
	ctl->c.reply(ctl->c.reply_arg, &r, sizeof(r));
}

static void blob_reset(struct blob *b)
{
	free(b->buf);
	memset(b, 0, sizeof(*b));
}

/* Refuses blob seq with a reason; its later chunks are dropped. */
static void blob_refuse(struct rmt_us_ctl *ctl, u32 seq, u32 slot, u64 id,
			int status, const char *why)
{
	RMT_WRITE_ONCE(ctl->c.stats->models_rejected,
		       ctl->c.stats->models_rejected + 1);
	ctl->have_dead = true;
	ctl->dead_seq = seq;
	reply(ctl, RMT_MSG_MODEL_BLOB, seq, slot, id, status,
	      "model %llu rejected: %s", (unsigned long long)id, why);
}

/* Parse, verify and install a whole blob; the reason goes in why. */
static int blob_install(struct rmt_us_ctl *ctl, struct blob *b, char *why,
			size_t why_size)
{
	struct rmt_verify_model_env env = {
		.hook = "swap_fault",
		.types = 1u << RMT_MODEL_TREE | 1u << RMT_MODEL_FOREST,
		.max_depth = RMT_US_MODEL_MAX_DEPTH,
		.max_node_visits = RMT_US_MODEL_MAX_VISITS,
		.out_min = 0,
		.out_max = RMT_US_MODEL_MAX_CLASSES - 1,
	};
	struct rmt_model *m = NULL;
	char log[160] = "";
	u32 crc = rmt_crc32c(0, b->buf, b->total_len), n_in;
	int err;

	if (crc != b->crc) {
		snprintf(why, why_size,
			 "crc32c mismatch: blob says %08x, data has %08x",
			 b->crc, crc);
		return -EBADMSG;
	}
	if (b->version != RMT_MODEL_VERSION) {
		snprintf(why, why_size, "model format version %u (know %u)",
			 b->version, RMT_MODEL_VERSION);
		return -EPROTONOSUPPORT;
	}
	if (!ctl->c.target.slot_inputs ||
	    ctl->c.target.slot_inputs(ctl->c.target.priv, b->slot, &n_in)) {
		snprintf(why, why_size, "prefetcher '%s' has no model slot %u",
			 ctl->c.prefetcher, b->slot);
		return -ENOENT;
	}
	err = rmt_model_parse(b->buf, b->total_len, &m, log, sizeof(log));
	if (err) {
		snprintf(why, why_size, "parse: %s", log);
		return err;
	}
	env.n_features = n_in;
	err = rmt_verify_model(m, &env, log, sizeof(log));
	if (!err && m->n_features != n_in) {
		snprintf(log, sizeof(log), "reads %u features, slot %u has %u",
			 m->n_features, b->slot, n_in);
		err = -EINVAL;
	}
	if (err) {
		snprintf(why, why_size, "verifier: %s", log);
		rmt_model_free(m);
		return err;
	}
	err = ctl->c.target.set_model(ctl->c.target.priv, b->slot, m);
	if (err) {
		snprintf(why, why_size, "slot %u refused it", b->slot);
		rmt_model_free(m);
	}
	return err;
}

/*
 * How long the program ran before its first model: a learned run whose
 * model came late is a learned run of readahead, and this tells which.
 */
static void note_first_model(struct rmt_us_stats *st)
{
	uint64_t ready = __atomic_load_n(&st->ready_ns, __ATOMIC_ACQUIRE);
	uint64_t now = rmt_us_now_ns();

	if (!st->models_installed && ready && now > ready)
		RMT_WRITE_ONCE(st->first_model_ns, now - ready);
}

static void on_chunk(struct rmt_us_ctl *ctl, const struct rmt_msg_model_blob *h)
{
	struct blob *b = &ctl->blob;
	char why[RMT_REPLY_REASON_LEN];
	int err;

	if (b->active && h->seq != b->seq) {
		snprintf(why, sizeof(why), "abandoned after %u of %u bytes",
			 b->got, b->total_len);
		blob_refuse(ctl, b->seq, b->slot, b->model_id, -EPROTO, why);
		blob_reset(b);
	}
	if (!b->active) {
		if (ctl->have_dead && h->seq == ctl->dead_seq)
			return;
		if (h->offset) {
			blob_refuse(ctl, h->seq, h->slot, h->model_id, -EPROTO,
				    "first chunk not at offset 0");
			return;
		}
		b->buf = malloc(h->total_len);
		if (!b->buf) {
			blob_refuse(ctl, h->seq, h->slot, h->model_id, -ENOMEM,
				    "out of memory");
			return;
		}
		b->active = true;
		b->seq = h->seq;
		b->slot = h->slot;
		b->model_id = h->model_id;
		b->total_len = h->total_len;
		b->crc = h->crc32c;
		b->version = h->format_version;
	} else if (h->offset != b->got || h->total_len != b->total_len ||
		   h->crc32c != b->crc || h->slot != b->slot ||
		   h->model_id != b->model_id ||
		   h->format_version != b->version) {
		blob_refuse(ctl, b->seq, b->slot, b->model_id, -EPROTO,
			    "chunk does not continue the blob");
		blob_reset(b);
		return;
	}
	memcpy(b->buf + b->got, h->data, h->chunk_len);
	b->got += h->chunk_len;
	if (b->got < b->total_len)
		return;
	err = blob_install(ctl, b, why, sizeof(why));
	if (err) {
		blob_refuse(ctl, b->seq, b->slot, b->model_id, err, why);
	} else {
		note_first_model(ctl->c.stats);
		RMT_WRITE_ONCE(ctl->c.stats->models_installed,
			       ctl->c.stats->models_installed + 1);
		RMT_WRITE_ONCE(ctl->c.stats->model_id, b->model_id);
		reply(ctl, RMT_MSG_MODEL_BLOB, b->seq, b->slot, b->model_id, 0,
		      "model %llu installed in slot %u",
		      (unsigned long long)b->model_id, b->slot);
	}
	blob_reset(b);
}

static void on_command(struct rmt_us_ctl *ctl, const struct rmt_msg_command *c)
{
	struct rmt_us_stats *st = ctl->c.stats;
	int err;

	switch (c->op) {
	case RMT_CMD_ATTACH:
	case RMT_CMD_DETACH:
	case RMT_CMD_GET_STATS:
		reply(ctl, RMT_MSG_COMMAND, c->seq, 0, st->model_id, 0,
		      "prefetcher %s, model %llu, installed %llu, "
		      "rejected %llu",
		      ctl->c.prefetcher, (unsigned long long)st->model_id,
		      (unsigned long long)st->models_installed,
		      (unsigned long long)st->models_rejected);
		return;
	case RMT_CMD_RESET_DEFAULT:
		if (c->hook_id != HOOK_SWAP_FAULT) {
			reply(ctl, RMT_MSG_COMMAND, c->seq, c->arg0, 0, -ENOENT,
			      "no hook %u here (swap_fault is %u)", c->hook_id,
			      HOOK_SWAP_FAULT);
			return;
		}
		err = ctl->c.target.set_model ?
			      ctl->c.target.set_model(ctl->c.target.priv,
						      c->arg0, NULL) :
			      -ENOENT;
		if (err) {
			reply(ctl, RMT_MSG_COMMAND, c->seq, c->arg0,
			      st->model_id, err,
			      "prefetcher '%s' has no model slot %u",
			      ctl->c.prefetcher, c->arg0);
			return;
		}
		RMT_WRITE_ONCE(st->model_id, 0);
		reply(ctl, RMT_MSG_COMMAND, c->seq, c->arg0, 0, 0,
		      "slot %u cleared: default action", c->arg0);
		return;
	default:
		reply(ctl, RMT_MSG_COMMAND, c->seq, c->arg0, st->model_id,
		      -EOPNOTSUPP,
		      "command %u not supported by the user-space datapath",
		      c->op);
	}
}

/* The seq of a record too malformed to trust, where it would be. */
static u32 guess_seq(u16 type, const void *p, u32 len)
{
	u32 seq = 0;

	if (type == RMT_MSG_MODEL_BLOB && len >= 12)
		memcpy(&seq, (const u8 *)p + 8, 4);
	else if (len >= 4)
		memcpy(&seq, p, 4);
	return seq;
}

static void on_record(struct rmt_us_ctl *ctl, u16 type, u32 len)
{
	int err = rmt_msg_check(type, ctl->rec, len);

	if (err) {
		u32 seq = guess_seq(type, ctl->rec, len);

		if (type == RMT_MSG_MODEL_BLOB) {
			blob_refuse(ctl, seq, 0, 0, err,
				    "malformed chunk header");
			if (ctl->blob.active && ctl->blob.seq == seq)
				blob_reset(&ctl->blob);
			return;
		}
		reply(ctl, type, seq, 0, 0, err,
		      err == -ENOMSG ? "unknown record type %u" :
				       "malformed record of type %u (%u bytes)",
		      type, len);
		return;
	}
	if (type == RMT_MSG_MODEL_BLOB)
		on_chunk(ctl, (const void *)ctl->rec);
	else if (type == RMT_MSG_COMMAND)
		on_command(ctl, (const void *)ctl->rec);
	else
		reply(ctl, type, guess_seq(type, ctl->rec, len), 0, 0,
		      -EOPNOTSUPP, "record type %u not taken by the datapath",
		      type);
}

int rmt_us_ctl_poll(struct rmt_us_ctl *ctl)
{
	int n = 0, r;
	u16 type;

	for (;;) {
		r = rmt_ring_consume(&ctl->cons, &type, ctl->rec,
				     sizeof(ctl->rec));
		if (r == -EBADMSG || r == -EMSGSIZE) {
			/* Whatever the agent wrote is skipped, not guessed. */
			rmt_ring_cons_resync(&ctl->cons);
			reply(ctl, 0, 0, 0, 0, -EBADMSG,
			      "corrupt command ring: skipped to its end");
			if (ctl->blob.active)
				blob_reset(&ctl->blob);
			continue;
		}
		if (r <= 0)
			return r < 0 ? r : n;
		on_record(ctl, type, (u32)r);
		n++;
	}
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

/* The program's counters for viewers, under the snapshot's seqlock. */
static void snapshot(struct rmt_us_ctl *ctl)
{
	struct rmt_us_pipe_snap *s = &ctl->c.stats->pipe;
	u64 seq = s->seq, now = now_ns();

	if (!ctl->c.target.snapshot ||
	    now - s->time_ns < RMT_US_SNAP_INTERVAL_NS)
		return;
	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ctl->c.target.snapshot(ctl->c.target.priv, s);
	s->time_ns = now;
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

int rmt_us_ctl_service(struct rmt_us_ctl *ctl, u64 now)
{
	int n = 0;

	if (now < __atomic_load_n(&ctl->next_service_ns, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&ctl->serving, 1, __ATOMIC_ACQUIRE))
		return 0;
	__atomic_store_n(&ctl->next_service_ns, now + POLL_MIN_US * 1000ull,
			 __ATOMIC_RELAXED);
	snapshot(ctl);
	n = rmt_us_ctl_poll(ctl);
	__atomic_store_n(&ctl->serving, 0, __ATOMIC_RELEASE);
	return n;
}

static void *ctl_thread(void *arg)
{
	struct rmt_us_ctl *ctl = arg;
	unsigned int wait_us = POLL_MIN_US;

	while (!RMT_READ_ONCE(ctl->stop)) {
		snapshot(ctl);
		if (rmt_us_ctl_poll(ctl) > 0) {
			wait_us = POLL_MIN_US;
			continue;
		}
		usleep(wait_us);
		if (wait_us < POLL_MAX_US)
			wait_us *= 2;
	}
	rmt_rcu_thread_offline();
	return NULL;
}

int rmt_us_ctl_create(const struct rmt_us_ctl_config *c, bool start,
		      struct rmt_us_ctl **out)
{
	struct rmt_us_ctl *ctl = calloc(1, sizeof(*ctl));
	int err;

	if (!ctl)
		return -ENOMEM;
	ctl->c = *c;
	err = rmt_ring_cons_attach(&ctl->cons, c->cmd_mem, c->cmd_len);
	if (!err && start) {
		err = -pthread_create(&ctl->thread, NULL, ctl_thread, ctl);
		ctl->running = !err;
	}
	if (err) {
		free(ctl);
		return err;
	}
	*out = ctl;
	return 0;
}

void rmt_us_ctl_destroy(struct rmt_us_ctl *ctl)
{
	if (!ctl)
		return;
	RMT_WRITE_ONCE(ctl->stop, 1);
	if (ctl->running)
		pthread_join(ctl->thread, NULL);
	blob_reset(&ctl->blob);
	free(ctl);
}
