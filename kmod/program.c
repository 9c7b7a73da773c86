// SPDX-License-Identifier: GPL-2.0
/*
 * program.c - programs loaded into the module: a pipeline built from a
 * program image (kmod/rmt_prog_image.h), every action proven safe by the
 * in-kernel verifier before the program is accepted, its table entries
 * changed by RMT_MSG_TABLE_ENTRY records and its model slots filled by
 * model blobs (kmodel.c).  A program belongs to the file that loaded it;
 * attachments hold references, and the last one frees it after the hooks
 * have left (the holder waits for a grace period first).
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/ktime.h>
#include "kmod/rmt.h"
#include "kmod/rmt_prog_image.h"
#include "vm/pipeline_impl.h"
#include "verifier/hook_env.h"

/* Lookup probes a table commit may reach (the image may ask for fewer). */
#define RMT_KPROG_MAX_COST 4096u
#define RMT_KPROG_MAX 16u
#define RMT_KPROG_LOG 512u

_Static_assert(RMT_IMG_MAX_MODELS == RMT_MODEL_SLOTS, "a model per slot");
_Static_assert(RMT_ENTRY_REC_MAX ==
		       sizeof(struct rmt_msg_table_entry) +
			       RMT_MSG_MAX_KEY_FIELDS *
				       sizeof(struct rmt_msg_key_field) +
			       RMT_MSG_MAX_PARAM_LEN,
	       "the largest entry record");

static DEFINE_MUTEX(rmt_prog_lock); /* the registry */
static struct rmt_kprog *rmt_progs[RMT_KPROG_MAX];
static u32 rmt_next_prog_id = 1;

static u64 rmt_kprog_clock(void *arg)
{
	return ktime_get_ns();
}

static void rmt_kprog_release(struct kref *ref)
{
	struct rmt_kprog *kp = container_of(ref, struct rmt_kprog, ref);

	rmt_kmodel_exit(kp);
	rmt_pipeline_destroy(kp->pipe);
	kfree(kp);
}

/* Only after a grace period since the last hook could see it. */
void rmt_kprog_put(struct rmt_kprog *kp)
{
	if (kp)
		kref_put(&kp->ref, rmt_kprog_release);
}

/* The program id of this file, with a reference; NULL if none. */
struct rmt_kprog *rmt_kprog_get(struct rmt_session *s, u32 id)
{
	struct rmt_kprog *kp = NULL;
	unsigned int i;

	mutex_lock(&rmt_prog_lock);
	for (i = 0; i < RMT_KPROG_MAX; i++)
		if (rmt_progs[i] && rmt_progs[i]->id == id &&
		    rmt_progs[i]->owner == s) {
			kp = rmt_progs[i];
			kref_get(&kp->ref);
			break;
		}
	mutex_unlock(&rmt_prog_lock);
	return kp;
}

/* Bounds-checked reader over the image. */
struct rmt_img_rd {
	const u8 *p;
	u32 len;
	u32 at;
};

static const void *rmt_img_take(struct rmt_img_rd *r, u32 n)
{
	const void *p;

	n = ALIGN(n, 8);
	if (n > r->len - r->at)
		return NULL;
	p = r->p + r->at;
	r->at += n;
	return p;
}

static bool rmt_img_name_ok(const char *name)
{
	return name[0] && strnlen(name, RMT_IMG_NAME_LEN) < RMT_IMG_NAME_LEN;
}

static int rmt_img_actions(struct rmt_kprog *kp, struct rmt_img_rd *r, u32 n,
			   char *log)
{
	const struct rmt_img_action *ia;
	const struct rmt_insn *code;
	u32 i, id;
	int err;

	for (i = 0; i < n; i++) {
		ia = rmt_img_take(r, sizeof(*ia));
		if (!ia) {
			snprintf(log, RMT_KPROG_LOG, "action %u: truncated", i);
			return -EINVAL;
		}
		if (!rmt_img_name_ok(ia->name) ||
		    ia->n_insns > RMT_IMG_MAX_INSNS ||
		    ia->param_len > RMT_IMG_MAX_PARAM) {
			snprintf(log, RMT_KPROG_LOG,
				 "action %u: bad name, length or parameters",
				 i);
			return -EINVAL;
		}
		code = rmt_img_take(r, ia->n_insns * sizeof(*code));
		if (!code) {
			snprintf(log, RMT_KPROG_LOG, "action %s: truncated",
				 ia->name);
			return -EINVAL;
		}
		err = rmt_pipeline_add_action(
			kp->pipe, ia->name, ia->n_insns ? code : NULL,
			ia->n_insns, ia->param_len, &id, log, RMT_KPROG_LOG);
		if (err)
			return err;
	}
	return 0;
}

static int rmt_img_stages(struct rmt_kprog *kp, struct rmt_img_rd *r, u32 n,
			  char *log)
{
	struct rmt_table_config *c;
	const struct rmt_img_stage *is;
	struct rmt_table *t;
	u32 i, k, a;
	int err = 0;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		is = rmt_img_take(r, sizeof(*is));
		err = -EINVAL;
		if (!is) {
			snprintf(log, RMT_KPROG_LOG, "table %u: truncated", i);
			break;
		}
		if (!rmt_img_name_ok(is->name) || !is->n_fields ||
		    is->n_fields > RMT_IMG_MAX_FIELDS || !is->n_actions ||
		    is->n_actions > RMT_IMG_MAX_STAGE_ACTIONS ||
		    is->default_action >= rmt_pipeline_n_actions(kp->pipe) ||
		    is->default_param_len > RMT_IMG_MAX_PARAM || is->reserved) {
			snprintf(log, RMT_KPROG_LOG,
				 "table %u: bad name, keys, actions or default",
				 i);
			break;
		}
		memset(c, 0, sizeof(*c));
		c->n_fields = is->n_fields;
		for (k = 0; k < is->n_fields; k++) {
			c->fields[k].field_id = is->fields[k].field_id;
			c->fields[k].kind = is->fields[k].kind;
		}
		c->n_actions = is->n_actions;
		for (k = 0; k < is->n_actions; k++) {
			a = is->actions[k];
			if (a >= rmt_pipeline_n_actions(kp->pipe))
				break;
			c->actions[k].id = a;
			c->actions[k].param_len =
				kp->pipe->actions[a].param_len;
		}
		if (k < is->n_actions) {
			snprintf(log, RMT_KPROG_LOG, "table %s: unknown action",
				 is->name);
			break;
		}
		c->capacity = is->capacity;
		c->state_size = is->state_size;
		c->default_action = is->default_action;
		c->default_param_len = is->default_param_len;
		c->default_params = is->default_params;
		c->algo = is->algo;
		c->max_cost =
			is->max_cost && is->max_cost < RMT_KPROG_MAX_COST ?
				is->max_cost :
				RMT_KPROG_MAX_COST;
		err = rmt_pipeline_add_stage(kp->pipe, is->name, c, &t, log,
					     RMT_KPROG_LOG);
	}
	kfree(c);
	return err;
}

static int rmt_img_entries(struct rmt_kprog *kp, struct rmt_img_rd *r, u32 n,
			   char *log)
{
	const struct rmt_img_entry *ie;
	enum rmt_table_code code;
	const void *rec;
	u32 i;
	int err;

	for (i = 0; i < n; i++) {
		ie = rmt_img_take(r, sizeof(*ie));
		rec = ie && !ie->reserved ? rmt_img_take(r, ie->len) : NULL;
		if (!rec) {
			snprintf(log, RMT_KPROG_LOG, "entry %u: truncated", i);
			return -EINVAL;
		}
		err = rmt_pipeline_apply_msg(kp->pipe, rec, ie->len, false,
					     &code);
		if (err) {
			snprintf(log, RMT_KPROG_LOG, "entry %u: refused: %s", i,
				 rmt_table_code_str(code));
			return err;
		}
	}
	err = rmt_pipeline_commit(kp->pipe, &code);
	if (err)
		snprintf(log, RMT_KPROG_LOG, "tables: %s",
			 rmt_table_code_str(code));
	return err;
}

/* Verify one use of an action: its parameters and the state it gets. */
static int rmt_kprog_verify_use(struct rmt_kprog *kp, u32 id, u32 state_size,
				struct rmt_verify_hook_env *env, char *log)
{
	struct rmt_action_def *ad = &kp->pipe->actions[id];
	struct rmt_verify_action va = {
		.param_len = ad->param_len,
		.state_size = state_size,
		.max_emits = 1,
		.emit_rate = 1000,
	};
	int err;

	if (!ad->has_prog)
		return 0;
	err = rmt_verify_env_from_hook(kp->pipe->hook, &va, env);
	if (err) {
		snprintf(log, RMT_KPROG_LOG, "hook %s: bad description",
			 kp->pipe->hook->name);
		return err;
	}
	err = rmt_verify_prog(&ad->prog, &env->env, log, RMT_KPROG_LOG);
	if (err) {
		/* The verifier names the instruction; say which action. */
		char *why = kstrdup(log, GFP_KERNEL);

		snprintf(log, RMT_KPROG_LOG, "action %s: %s", ad->name,
			 why ? why : "rejected");
		kfree(why);
	}
	return err;
}

/* Every action as each table may run it: entries and the default. */
static int rmt_kprog_verify(struct rmt_kprog *kp, char *log)
{
	const struct rmt_table_config *c;
	struct rmt_verify_hook_env *env;
	u32 s, k, n = rmt_pipeline_n_stages(kp->pipe);
	int err = 0;

	env = kzalloc(sizeof(*env), GFP_KERNEL);
	if (!env)
		return -ENOMEM;
	for (s = 0; s < n && !err; s++) {
		c = rmt_table_config(rmt_pipeline_stage(kp->pipe, s, NULL));
		for (k = 0; k < c->n_actions && !err; k++)
			err = rmt_kprog_verify_use(kp, c->actions[k].id,
						   c->state_size, env, log);
		if (!err)
			err = rmt_kprog_verify_use(kp, c->default_action, 0,
						   env, log);
	}
	kfree(env);
	for (k = 0; !err && k < rmt_pipeline_n_actions(kp->pipe); k++)
		kp->pipe->actions[k].prog.verified = true;
	return err;
}

static int rmt_kprog_build(struct rmt_kprog *kp, const void *img, u32 len,
			   char *log)
{
	const struct rmt_img_hdr *h = img;
	const struct rmt_img_model *models = NULL;
	const struct rmt_hook_desc *hook;
	struct rmt_img_rd r = { .p = img, .len = len, .at = sizeof(*h) };
	int err;

	if (len < sizeof(*h) || h->magic != RMT_IMG_MAGIC ||
	    h->version != RMT_IMG_VERSION || h->total_len != len) {
		snprintf(log, RMT_KPROG_LOG,
			 "not a version %u program image of %u bytes",
			 RMT_IMG_VERSION, len);
		return -EINVAL;
	}
	hook = rmt_hook_by_id(h->hook_id);
	if (!hook || h->hook_id != RMT_HOOK_SWAP_FAULT) {
		snprintf(log, RMT_KPROG_LOG, "hook %u: only swap_fault (%u)",
			 h->hook_id, RMT_HOOK_SWAP_FAULT);
		return -EINVAL;
	}
	if (!h->n_actions || h->n_actions > RMT_IMG_MAX_ACTIONS ||
	    !h->n_stages || h->n_stages > RMT_IMG_MAX_STAGES ||
	    h->n_entries > RMT_IMG_MAX_ENTRIES ||
	    h->n_models > RMT_IMG_MAX_MODELS) {
		snprintf(
			log, RMT_KPROG_LOG,
			"%u actions, %u tables, %u entries, %u models: out of range",
			h->n_actions, h->n_stages, h->n_entries, h->n_models);
		return -EINVAL;
	}
	if (h->n_models) {
		models = rmt_img_take(&r, h->n_models * sizeof(*models));
		if (!models) {
			snprintf(log, RMT_KPROG_LOG, "models: truncated");
			return -EINVAL;
		}
	}
	err = rmt_pipeline_create(hook, &kp->pipe);
	if (err) {
		snprintf(log, RMT_KPROG_LOG, "no pipeline: %d", err);
		return err;
	}
	rmt_pipeline_set_clock(kp->pipe, rmt_kprog_clock, NULL);
	err = rmt_img_actions(kp, &r, h->n_actions, log);
	if (!err)
		err = rmt_img_stages(kp, &r, h->n_stages, log);
	if (!err)
		err = rmt_img_entries(kp, &r, h->n_entries, log);
	if (!err && r.at != len) {
		snprintf(log, RMT_KPROG_LOG, "%u bytes after the last entry",
			 len - r.at);
		err = -EINVAL;
	}
	if (!err)
		err = rmt_kprog_verify(kp, log);
	if (!err)
		err = rmt_kmodel_init(kp, models, h->n_models, log,
				      RMT_KPROG_LOG);
	return err;
}

static int rmt_kprog_publish(struct rmt_session *s, struct rmt_kprog *kp)
{
	unsigned int i;

	mutex_lock(&rmt_prog_lock);
	for (i = 0; i < RMT_KPROG_MAX; i++)
		if (!rmt_progs[i])
			break;
	if (i < RMT_KPROG_MAX) {
		kp->id = rmt_next_prog_id++;
		if (!rmt_next_prog_id)
			rmt_next_prog_id = 1;
		kp->owner = s;
		rmt_progs[i] = kp;
	}
	mutex_unlock(&rmt_prog_lock);
	return i < RMT_KPROG_MAX ? 0 : -ENOSPC;
}

int rmt_kprog_load(struct rmt_session *s, struct rmt_ioc_prog_load *arg)
{
	struct rmt_kprog *kp = NULL;
	void *img = NULL;
	char *log;
	int err;

	if (arg->image_len < sizeof(struct rmt_img_hdr) ||
	    arg->image_len > RMT_IMG_MAX_LEN || arg->reserved) {
		rmt_warn("prog_load: image of %u bytes, or reserved set\n",
			 arg->image_len);
		return -EINVAL;
	}
	log = kzalloc(RMT_KPROG_LOG, GFP_KERNEL);
	if (!log)
		return -ENOMEM;
	img = kvmalloc(arg->image_len, GFP_KERNEL);
	kp = kzalloc(sizeof(*kp), GFP_KERNEL);
	err = -ENOMEM;
	if (!img || !kp)
		goto out;
	err = -EFAULT;
	if (copy_from_user(img, u64_to_user_ptr(arg->image), arg->image_len)) {
		snprintf(log, RMT_KPROG_LOG, "bad image pointer");
		goto out;
	}
	kref_init(&kp->ref);
	mutex_init(&kp->lock);
	err = rmt_kprog_build(kp, img, arg->image_len, log);
	if (!err) {
		err = rmt_kprog_publish(s, kp);
		if (err)
			snprintf(log, RMT_KPROG_LOG, "all %u programs loaded",
				 RMT_KPROG_MAX);
	}
	if (!err) {
		arg->prog_id = kp->id;
		kp = NULL;
	}
out:
	if (err) {
		rmt_warn("prog_load: %s (%d)\n", log, err);
		if (arg->log_len &&
		    copy_to_user(u64_to_user_ptr(arg->log), log,
				 min_t(u32, arg->log_len, RMT_KPROG_LOG)))
			err = -EFAULT;
	}
	if (kp && kp->pipe)
		rmt_kprog_put(kp);
	else
		kfree(kp);
	kvfree(img);
	kfree(log);
	return err;
}

/* An entry change, staged and committed; the hooks keep running. */
int rmt_kprog_entry(struct rmt_session *s, struct rmt_ioc_entry *arg)
{
	struct rmt_kprog *kp = rmt_kprog_get(s, arg->prog_id);
	enum rmt_table_code code = RMT_TC_OK;
	void *rec;
	int err;

	if (!kp) {
		rmt_warn("entry: no program %u on this file\n", arg->prog_id);
		return -ENOENT;
	}
	if (arg->len < sizeof(struct rmt_msg_table_entry) ||
	    arg->len > RMT_ENTRY_REC_MAX) {
		rmt_kprog_put(kp);
		rmt_warn("entry: record of %u bytes\n", arg->len);
		return -EINVAL;
	}
	rec = memdup_user(u64_to_user_ptr(arg->rec), arg->len);
	if (IS_ERR(rec)) {
		rmt_kprog_put(kp);
		rmt_warn("entry: bad record pointer\n");
		return PTR_ERR(rec);
	}
	mutex_lock(&kp->lock);
	err = rmt_pipeline_apply_msg(kp->pipe, rec, arg->len, true, &code);
	mutex_unlock(&kp->lock);
	if (err)
		rmt_warn("entry: refused (%d): %s\n", err,
			 err == -EBADMSG ? "malformed record" :
					   rmt_table_code_str(code));
	arg->code = code;
	kfree(rec);
	rmt_kprog_put(kp);
	return err;
}

/* The file is closed: its attachments are gone, drop its programs. */
void rmt_kprog_release_session(struct rmt_session *s)
{
	struct rmt_kprog *drop[RMT_KPROG_MAX];
	unsigned int i, n = 0;

	mutex_lock(&rmt_prog_lock);
	for (i = 0; i < RMT_KPROG_MAX; i++)
		if (rmt_progs[i] && (!s || rmt_progs[i]->owner == s)) {
			drop[n++] = rmt_progs[i];
			rmt_progs[i] = NULL;
		}
	mutex_unlock(&rmt_prog_lock);
	for (i = 0; i < n; i++)
		rmt_kprog_put(drop[i]);
}

int rmt_kprog_stats(struct rmt_session *s, struct rmt_ioc_prog_stats *arg)
{
	struct rmt_kprog *kp = rmt_kprog_get(s, arg->prog_id);
	struct rmt_pipeline_stats st;

	if (!kp) {
		rmt_warn("prog_stats: no program %u on this file\n",
			 arg->prog_id);
		return -ENOENT;
	}
	rmt_pipeline_get_stats(kp->pipe, &st);
	arg->runs = st.runs;
	arg->stops = st.stops;
	arg->faults = st.faults;
	arg->pages = atomic64_read(&kp->pages);
	arg->refused = atomic64_read(&kp->refused);
	arg->run_cycles = atomic64_read(&kp->run_cycles);
	arg->model_runs = atomic64_read(&kp->model_runs);
	arg->insns = atomic64_read(&kp->insns);
	rmt_kprog_put(kp);
	return 0;
}
