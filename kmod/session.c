// SPDX-License-Identifier: GPL-2.0
/*
 * session.c - one open of /dev/rmt: its event ring (the kernel produces,
 * from hooks, never blocking) and its command ring (the kernel consumes on
 * RMT_IOC_CMD_POLL), both in vmalloc memory mapped into the agent.  The
 * kernel side keeps private copies of its positions (proto/ring.h) and
 * copies every command out of shared memory once before checking it.
 */
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/mm.h>
#include <linux/ktime.h>
#include "kmod/rmt.h"

#define RMT_CMD_POLL_MAX 256u

struct rmt_session *rmt_session_new(void)
{
	struct rmt_session *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	kref_init(&s->ref);
	mutex_init(&s->lock);
	spin_lock_init(&s->ev_lock);
	return s;
}

static void rmt_session_free(struct kref *ref)
{
	struct rmt_session *s = container_of(ref, struct rmt_session, ref);

	vfree(s->ev_mem);
	vfree(s->cmd_mem);
	kfree(s);
}

void rmt_session_put(struct rmt_session *s)
{
	kref_put(&s->ref, rmt_session_free);
}

static bool rmt_ring_size_ok(u32 n)
{
	return is_power_of_2(n) && n >= RMT_RING_MIN_DATA &&
	       n <= RMT_RING_MAX_DATA;
}

static void *rmt_ring_alloc(u32 data, size_t *len)
{
	void *mem;

	*len = PAGE_ALIGN(rmt_ring_mem_size(data));
	mem = vmalloc_user(*len);
	if (mem && rmt_ring_format(mem, *len, data, min(data / 4, 4096u))) {
		vfree(mem);
		return NULL;
	}
	return mem;
}

int rmt_session_rings(struct rmt_session *s, struct rmt_ioc_rings *r)
{
	void *ev, *cmd;
	size_t ev_len, cmd_len;
	int err;

	if (!rmt_ring_size_ok(r->event_data) ||
	    !rmt_ring_size_ok(r->cmd_data)) {
		rmt_warn(
			"rings: sizes %u/%u must be powers of two in [%u, %u]\n",
			r->event_data, r->cmd_data, RMT_RING_MIN_DATA,
			RMT_RING_MAX_DATA);
		return -EINVAL;
	}
	ev = rmt_ring_alloc(r->event_data, &ev_len);
	cmd = rmt_ring_alloc(r->cmd_data, &cmd_len);
	if (!ev || !cmd) {
		err = -ENOMEM;
		goto fail;
	}
	mutex_lock(&s->lock);
	if (s->ev_mem) {
		mutex_unlock(&s->lock);
		rmt_warn("rings: this file already has rings\n");
		err = -EBUSY;
		goto fail;
	}
	/* Nobody else can see the memory yet: these cannot fail. */
	err = rmt_ring_prod_attach(&s->ev, ev, ev_len);
	err = err ?: rmt_ring_cons_attach(&s->cmd, cmd, cmd_len);
	if (err) {
		mutex_unlock(&s->lock);
		goto fail;
	}
	s->ev_mem = ev;
	s->ev_len = ev_len;
	s->cmd_mem = cmd;
	s->cmd_len = cmd_len;
	smp_store_release(&s->rings_ready, true);
	mutex_unlock(&s->lock);
	r->event_off = RMT_MMAP_EVENT_OFF;
	r->event_len = ev_len;
	r->cmd_off = RMT_MMAP_CMD_OFF;
	r->cmd_len = cmd_len;
	return 0;
fail:
	vfree(ev);
	vfree(cmd);
	return err;
}

int rmt_session_mmap(struct rmt_session *s, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	size_t len = vma->vm_end - vma->vm_start;
	void *mem = NULL;
	size_t want = 0;
	int err;

	mutex_lock(&s->lock);
	if (off == RMT_MMAP_EVENT_OFF) {
		mem = s->ev_mem;
		want = s->ev_len;
	} else if (off == RMT_MMAP_CMD_OFF) {
		mem = s->cmd_mem;
		want = s->cmd_len;
	}
	if (!mem || len != want) {
		mutex_unlock(&s->lock);
		rmt_warn("mmap: offset %llx length %zu is not a ring\n", off,
			 len);
		return -EINVAL;
	}
	vma->vm_pgoff = 0;
	err = remap_vmalloc_range(vma, mem, 0);
	mutex_unlock(&s->lock);
	return err;
}

/*
 * From hooks, any context: a busy or full ring drops the record and counts
 * it; the hook never waits.
 */
void rmt_emit(struct rmt_attach *a, u16 type, const void *rec, u32 len)
{
	struct rmt_session *s = a->sess;
	unsigned long flags;
	int err;

	if (!smp_load_acquire(&s->rings_ready))
		return;
	if (!spin_trylock_irqsave(&s->ev_lock, flags)) {
		rmt_count(a, RMT_C_EVENTS_DROPPED, 1);
		return;
	}
	err = rmt_ring_produce(&s->ev, type, rec, len);
	spin_unlock_irqrestore(&s->ev_lock, flags);
	rmt_count(a, err ? RMT_C_EVENTS_DROPPED : RMT_C_EVENTS, 1);
}

static void rmt_cmd_stats(struct rmt_session *s,
			  const struct rmt_msg_command *c)
{
	struct rmt_msg_stats m = {
		.time_ns = ktime_get_ns(),
		.table_id = RMT_STATS_ALL_TABLES,
		.entry_id = RMT_STATS_ALL_ENTRIES,
	};
	struct rmt_counters k;
	struct rmt_attach *a;

	rcu_read_lock();
	a = rmt_attach_find_rcu(c->arg0);
	if (a && a->sess == s) {
		m.hook_id = a->hook;
		rmt_counters_read(&a->ctr, &k);
		m.lookups = k.faults + k.wakeups;
		m.hits = k.minor;
		m.misses = k.major;
		m.prefetched = k.pf_pages;
		m.prefetch_hits = k.pf_hits;
		m.dropped = k.events_dropped + k.pf_queue_full;
		rmt_emit(a, RMT_MSG_STATS, &m, sizeof(m));
	}
	rcu_read_unlock();
}

static void rmt_cmd_reset(struct rmt_session *s, u32 id)
{
	struct rmt_attach *a;
	int i;

	rcu_read_lock();
	a = rmt_attach_find_rcu(id);
	if (a && a->sess == s)
		for (i = 0; i < RMT_C_COUNT; i++)
			atomic64_set(&a->ctr.v[i], 0);
	rcu_read_unlock();
}

/* One command, already copied out of shared memory and checked. */
static int rmt_cmd_run(struct rmt_session *s, const struct rmt_msg_command *c)
{
	switch (c->op) {
	case RMT_CMD_DETACH:
		return rmt_detach(s, c->arg0);
	case RMT_CMD_GET_STATS:
		rmt_cmd_stats(s, c);
		return 0;
	case RMT_CMD_RESET_STATS:
		rmt_cmd_reset(s, c->arg0);
		return 0;
	case RMT_CMD_RESET_DEFAULT:
		/* arg0: the model slot, arg1: the program's id. */
		if (c->arg1 > U32_MAX)
			return -EINVAL;
		return rmt_kprog_clear_model(s, (u32)c->arg1, c->arg0);
	default:
		rmt_warn(
			"command %u (seq %u) is not supported by this module\n",
			c->op, c->seq);
		return -EOPNOTSUPP;
	}
}

int rmt_session_cmd_poll(struct rmt_session *s, struct rmt_ioc_cmd_poll *p)
{
	struct rmt_msg_command c;
	struct rmt_rec rec;
	u32 n, len;
	u16 type;
	int r, err = 0;

	p->processed = 0;
	p->errors = 0;
	mutex_lock(&s->lock);
	if (!s->cmd_mem) {
		mutex_unlock(&s->lock);
		rmt_warn("cmd poll: this file has no rings\n");
		return -EINVAL;
	}
	for (n = 0; n < RMT_CMD_POLL_MAX; n++) {
		r = rmt_ring_peek(&s->cmd, &rec);
		if (r == 0)
			break;
		if (r < 0) {
			rmt_warn(
				"command ring is corrupt; skipping to the producer\n");
			rmt_ring_cons_resync(&s->cmd);
			p->errors++;
			err = -EBADMSG;
			break;
		}
		/* One copy out of shared memory; only the copy is trusted. */
		type = rec.type;
		len = rec.len;
		memset(&c, 0, sizeof(c));
		if (len == sizeof(c))
			memcpy(&c, rec.data, sizeof(c));
		rmt_ring_release(&s->cmd);
		if (type != RMT_MSG_COMMAND || len != sizeof(c) ||
		    rmt_msg_check(type, &c, len)) {
			rmt_warn("command record type %u length %u rejected\n",
				 type, len);
			p->errors++;
			continue;
		}
		if (rmt_cmd_run(s, &c))
			p->errors++;
		else
			p->processed++;
	}
	mutex_unlock(&s->lock);
	rmt_count(NULL, RMT_C_CMDS, p->processed);
	rmt_count(NULL, RMT_C_CMD_ERRORS, p->errors);
	return err;
}
