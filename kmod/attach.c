// SPDX-License-Identifier: GPL-2.0
/*
 * attach.c - the registry of attachments: a fixed array of slots read
 * under RCU by the hooks, changed under a mutex.  A hook's probe is
 * registered with its first attachment and unregistered with its last, so
 * an idle module costs the kernel nothing.
 */
#include <linux/cgroup.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "kmod/rmt.h"

struct rmt_kcounters rmt_global;
struct rmt_attach __rcu *rmt_slots[RMT_MAX_ATTACH];
static DEFINE_MUTEX(rmt_attach_lock);
static unsigned int rmt_hook_users[RMT_HOOK_MAX + 1];
static u32 rmt_next_id = 1;

_Static_assert(sizeof(struct rmt_counters) == RMT_C_COUNT * sizeof(__u64),
	       "one counter index per field");

void rmt_counters_read(const struct rmt_kcounters *k, struct rmt_counters *c)
{
	__u64 *out = (__u64 *)c;
	int i;

	for (i = 0; i < RMT_C_COUNT; i++)
		out[i] = atomic64_read(&k->v[i]);
	/* A hook attached between the two probes sees a major alone. */
	c->minor = c->faults > c->major ? c->faults - c->major : 0;
}

/* Caller holds rcu_read_lock(); t is current or a task being woken. */
bool rmt_task_matches(const struct rmt_attach *a, struct task_struct *t)
{
	struct cgroup *cg;

	if (a->filter == RMT_FILTER_PID)
		return t->tgid == a->filter_value;
	for (cg = task_dfl_cgroup(t); cg; cg = cgroup_parent(cg))
		if (cgroup_id(cg) == a->filter_value)
			return true;
	return false;
}

struct rmt_attach *rmt_attach_find_rcu(u32 id)
{
	struct rmt_attach *a;
	unsigned int i;

	for (i = 0; i < RMT_MAX_ATTACH; i++) {
		a = rcu_dereference(rmt_slots[i]);
		if (a && a->id == id)
			return a;
	}
	return NULL;
}

static int rmt_hook_get(u32 hook)
{
	int err = 0;

	if (rmt_hook_users[hook] == 0)
		err = hook == RMT_HOOK_SWAP_FAULT ? rmt_swap_hook_register() :
						    rmt_wakeup_hook_register();
	if (!err)
		rmt_hook_users[hook]++;
	return err;
}

static void rmt_hook_put(u32 hook)
{
	if (--rmt_hook_users[hook])
		return;
	if (hook == RMT_HOOK_SWAP_FAULT)
		rmt_swap_hook_unregister();
	else
		rmt_wakeup_hook_unregister();
}

static int rmt_attach_check(const struct rmt_ioc_attach *arg, u32 flags)
{
	if (arg->hook < 1 || arg->hook > RMT_HOOK_MAX) {
		rmt_warn("attach: unknown hook %u\n", arg->hook);
		return -EINVAL;
	}
	if (arg->filter != RMT_FILTER_CGROUP && arg->filter != RMT_FILTER_PID) {
		rmt_warn("attach: unknown filter kind %u\n", arg->filter);
		return -EINVAL;
	}
	if (arg->filter == RMT_FILTER_PID &&
	    (arg->filter_value == 0 || arg->filter_value > PID_MAX_LIMIT)) {
		rmt_warn("attach: pid %llu out of range\n", arg->filter_value);
		return -EINVAL;
	}
	if (flags & RMT_ATTACH_TEST_PREFETCH) {
		if (arg->hook != RMT_HOOK_SWAP_FAULT || arg->pf_pages < 1 ||
		    arg->pf_pages > RMT_PF_MAX_PAGES || arg->pf_stride < 1 ||
		    arg->pf_stride > 1024) {
			rmt_warn(
				"attach: test prefetch needs swap_fault, 1..%u pages, stride 1..1024\n",
				RMT_PF_MAX_PAGES);
			return -EINVAL;
		}
	} else if (arg->pf_pages || arg->pf_stride) {
		rmt_warn(
			"attach: prefetch parameters without the test policy\n");
		return -EINVAL;
	}
	if (arg->reserved) {
		rmt_warn("attach: reserved field is not zero\n");
		return -EINVAL;
	}
	return 0;
}

int rmt_attach(struct rmt_session *s, struct rmt_ioc_attach *arg)
{
	u32 flags = arg->vf >> 16;
	struct rmt_attach *a;
	unsigned int i;
	int err;

	err = rmt_attach_check(arg, flags);
	if (err)
		return err;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	a->hook = arg->hook;
	a->filter = arg->filter;
	a->filter_value = arg->filter_value;
	a->flags = flags;
	a->pf_pages = arg->pf_pages;
	a->pf_stride = arg->pf_stride;
	a->sess = s;
	if (a->hook == RMT_HOOK_SWAP_FAULT && rmt_kstream_alloc(a)) {
		kfree(a);
		return -ENOMEM;
	}
	mutex_lock(&rmt_attach_lock);
	for (i = 0; i < RMT_MAX_ATTACH; i++)
		if (!rcu_access_pointer(rmt_slots[i]))
			break;
	if (i == RMT_MAX_ATTACH) {
		err = -ENOSPC;
		rmt_warn("attach: all %u slots are in use\n", RMT_MAX_ATTACH);
		goto fail;
	}
	err = rmt_hook_get(a->hook);
	if (err) {
		rmt_warn("attach: registering hook %u failed: %d\n", a->hook,
			 err);
		goto fail;
	}
	a->id = rmt_next_id++;
	if (!rmt_next_id)
		rmt_next_id = 1;
	kref_get(&s->ref);
	rcu_assign_pointer(rmt_slots[i], a);
	mutex_unlock(&rmt_attach_lock);
	arg->attach_id = a->id;
	return 0;
fail:
	mutex_unlock(&rmt_attach_lock);
	rmt_kstream_free(a);
	kfree(a);
	return err;
}

/* Under the mutex: unpublish, wait for every hook to leave, free. */
static void rmt_slot_clear(unsigned int i)
{
	struct rmt_attach *a = rcu_dereference_protected(
		rmt_slots[i], lockdep_is_held(&rmt_attach_lock));

	RCU_INIT_POINTER(rmt_slots[i], NULL);
	rmt_hook_put(a->hook);
	synchronize_rcu();
	rmt_kprog_put(rcu_dereference_protected(a->prog, true));
	rmt_session_put(a->sess);
	rmt_kstream_free(a);
	kfree(a);
}

int rmt_detach(struct rmt_session *s, u32 id)
{
	struct rmt_attach *a;
	unsigned int i;

	mutex_lock(&rmt_attach_lock);
	for (i = 0; i < RMT_MAX_ATTACH; i++) {
		a = rcu_dereference_protected(
			rmt_slots[i], lockdep_is_held(&rmt_attach_lock));
		if (a && a->id == id && a->sess == s) {
			rmt_slot_clear(i);
			mutex_unlock(&rmt_attach_lock);
			return 0;
		}
	}
	mutex_unlock(&rmt_attach_lock);
	rmt_warn("detach: no attachment %u on this file\n", id);
	return -ENOENT;
}

/* s == NULL: every attachment (module unload). */
void rmt_detach_session(struct rmt_session *s)
{
	struct rmt_attach *a;
	unsigned int i;

	mutex_lock(&rmt_attach_lock);
	for (i = 0; i < RMT_MAX_ATTACH; i++) {
		a = rcu_dereference_protected(
			rmt_slots[i], lockdep_is_held(&rmt_attach_lock));
		if (a && (!s || a->sess == s))
			rmt_slot_clear(i);
	}
	mutex_unlock(&rmt_attach_lock);
}

/* Swap the program an attachment runs; the old one outlives the hooks. */
int rmt_attach_prog(struct rmt_session *s, struct rmt_ioc_prog_attach *arg)
{
	struct rmt_kprog *kp = NULL, *old;
	struct rmt_attach *a = NULL;
	unsigned int i;

	if (arg->prog_id) {
		kp = rmt_kprog_get(s, arg->prog_id);
		if (!kp) {
			rmt_warn("prog_attach: no program %u on this file\n",
				 arg->prog_id);
			return -ENOENT;
		}
	}
	mutex_lock(&rmt_attach_lock);
	for (i = 0; i < RMT_MAX_ATTACH && !a; i++) {
		a = rcu_dereference_protected(
			rmt_slots[i], lockdep_is_held(&rmt_attach_lock));
		if (a && (a->id != arg->attach_id || a->sess != s))
			a = NULL;
	}
	if (!a || a->hook != RMT_HOOK_SWAP_FAULT) {
		mutex_unlock(&rmt_attach_lock);
		rmt_kprog_put(kp);
		rmt_warn(
			"prog_attach: no swap_fault attachment %u on this file\n",
			arg->attach_id);
		return -ENOENT;
	}
	old = rcu_dereference_protected(a->prog,
					lockdep_is_held(&rmt_attach_lock));
	rcu_assign_pointer(a->prog, kp);
	rmt_kstream_reset(a);
	mutex_unlock(&rmt_attach_lock);
	if (old) {
		synchronize_rcu();
		rmt_kprog_put(old);
	}
	return 0;
}

int rmt_stats(u32 id, struct rmt_counters *c)
{
	struct rmt_attach *a;

	if (id == 0) {
		rmt_counters_read(&rmt_global, c);
		return 0;
	}
	rcu_read_lock();
	a = rmt_attach_find_rcu(id);
	if (a)
		rmt_counters_read(&a->ctr, c);
	rcu_read_unlock();
	if (!a) {
		rmt_warn("stats: no attachment %u\n", id);
		return -ENOENT;
	}
	return 0;
}
