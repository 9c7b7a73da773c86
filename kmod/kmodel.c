// SPDX-License-Identifier: GPL-2.0
/*
 * kmodel.c - a program's model slots: blobs arrive in RMT_MSG_MODEL_BLOB
 * chunks (proto/msg.h) at increasing offsets, are reassembled, checked
 * against the CRC32C of the whole blob, parsed (mlib), admitted by the
 * model verifier within the cost the verifier charged the model helper,
 * checked against the slot's declaration in the program (its input
 * count), and published into the slot under RCU.  The pipeline's model
 * helper runs whatever the slot holds at that moment.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "kmod/rmt.h"
#include "kmod/rmt_prog_image.h"
#include "mlib/format.h"
#include "mlib/slot.h"
#include "proto/crc32c.h"
#include "verifier/model.h"
#include "vm/pipeline.h"

/* What the model helper is charged (vm/helpers.c): the model's bound. */
#define RMT_KMODEL_COST 256u
#define RMT_KMODEL_LOG 256u

static int rmt_kmodel_run(void *arg, const s32 *in, u32 n_in, s32 *out)
{
	struct rmt_kmodel_slot *ms = arg;
	const struct rmt_model *m = rmt_slot_get(&ms->kp->slots, ms->slot);
	struct rmt_infer_out o;
	int err;

	/* Empty until the agent installs a model: the program falls back. */
	if (!m)
		return -ENOENT;
	if (n_in < m->n_features)
		return -EINVAL;
	err = rmt_model_infer(m, in, &o);
	if (err)
		return err;
	*out = o.value;
	atomic64_inc(&ms->kp->model_runs);
	return 0;
}

/* The program's model declarations: a slot once, inputs in range. */
static int rmt_kmodel_decls(struct rmt_kprog *kp,
			    const struct rmt_img_model *decl, u32 n, char *log,
			    size_t log_size)
{
	const struct rmt_img_model *d;
	u32 i;

	for (i = 0; i < n; i++) {
		d = &decl[i];
		if (!d->name[0] ||
		    strnlen(d->name, RMT_IMG_NAME_LEN) == RMT_IMG_NAME_LEN ||
		    d->slot >= RMT_MODEL_SLOTS || !d->n_in ||
		    d->n_in > RMT_MODEL_MAX_INPUTS) {
			snprintf(
				log, log_size,
				"model %u: bad name, slot (0..%u) or inputs (1..%u)",
				i, RMT_MODEL_SLOTS - 1, RMT_MODEL_MAX_INPUTS);
			return -EINVAL;
		}
		if (kp->model_in[d->slot]) {
			snprintf(log, log_size, "model slot %u declared twice",
				 d->slot);
			return -EINVAL;
		}
		kp->model_in[d->slot] = d->n_in;
	}
	return 0;
}

int rmt_kmodel_init(struct rmt_kprog *kp, const struct rmt_img_model *decl,
		    u32 n, char *log, size_t log_size)
{
	int err = rmt_kmodel_decls(kp, decl, n, log, log_size);
	u32 i;

	if (err)
		return err;
	err = rmt_slots_init(&kp->slots, RMT_MODEL_SLOTS);
	if (err) {
		snprintf(log, log_size, "no model slots: %d", err);
		return err;
	}
	/*
	 * Set before the program is published and never changed: a run
	 * reads the slot's model under RCU and nothing else can tear.  The
	 * helper refuses calls with another input count than declared, and
	 * undeclared slots (no runner) answer -ENOENT, as in user space.
	 */
	for (i = 0; i < RMT_MODEL_SLOTS; i++) {
		struct rmt_model_slot ms = { .fn = rmt_kmodel_run,
					     .model = &kp->mslot[i],
					     .n_in = kp->model_in[i] };

		kp->mslot[i].kp = kp;
		kp->mslot[i].slot = i;
		if (ms.n_in)
			rmt_pipeline_set_model(kp->pipe, i, &ms);
	}
	return 0;
}

void rmt_kmodel_exit(struct rmt_kprog *kp)
{
	if (kp->slots.models)
		rmt_slots_destroy(&kp->slots);
	kvfree(kp->blob);
}

static const struct rmt_verify_model_env rmt_kmodel_env = {
	.hook = "swap_fault",
	.types = (1u << RMT_MODEL_TREE) | (1u << RMT_MODEL_FOREST) |
		 (1u << RMT_MODEL_MLP),
	.n_features = RMT_MODEL_MAX_INPUTS,
	.max_depth = 32,
	.max_node_visits = RMT_KMODEL_COST,
	.max_macs = RMT_KMODEL_COST,
	.out_min = S32_MIN,
	.out_max = S32_MAX,
};

/* The whole blob is here: check, parse, verify, publish. */
static int rmt_kmodel_finish(struct rmt_kprog *kp, char *log)
{
	u32 n_in = kp->model_in[kp->blob_slot];
	struct rmt_model *m;
	int err;

	if (rmt_crc32c(0, kp->blob, kp->blob_len) != kp->blob_crc) {
		snprintf(log, RMT_KMODEL_LOG, "CRC32C mismatch");
		return -EBADMSG;
	}
	err = rmt_model_parse(kp->blob, kp->blob_len, &m, log, RMT_KMODEL_LOG);
	if (err)
		return err;
	err = rmt_verify_model(m, &rmt_kmodel_env, log, RMT_KMODEL_LOG);
	if (err) {
		rmt_model_free(m);
		return err;
	}
	if (m->n_features != n_in) {
		snprintf(log, RMT_KMODEL_LOG,
			 "the model reads %u features, slot %u takes %u",
			 m->n_features, kp->blob_slot, n_in);
		rmt_model_free(m);
		return -EINVAL;
	}
	return rmt_slot_install(&kp->slots, kp->blob_slot, m);
}

static void rmt_kmodel_reset(struct rmt_kprog *kp)
{
	kvfree(kp->blob);
	kp->blob = NULL;
	kp->blob_got = 0;
}

/* One chunk; a chunk that does not continue the blob starts over. */
static int rmt_kmodel_chunk(struct rmt_kprog *kp,
			    const struct rmt_msg_model_blob *b, char *log)
{
	if (b->slot >= RMT_MODEL_SLOTS) {
		snprintf(log, RMT_KMODEL_LOG, "slot %u out of range (0..%u)",
			 b->slot, RMT_MODEL_SLOTS - 1);
		return -EINVAL;
	}
	if (!kp->model_in[b->slot]) {
		snprintf(log, RMT_KMODEL_LOG,
			 "slot %u: the program declares no model there",
			 b->slot);
		return -EINVAL;
	}
	if (b->offset == 0) {
		rmt_kmodel_reset(kp);
		kp->blob = kvmalloc(b->total_len, GFP_KERNEL);
		if (!kp->blob)
			return -ENOMEM;
		kp->blob_len = b->total_len;
		kp->blob_crc = b->crc32c;
		kp->blob_slot = b->slot;
		kp->blob_id = b->model_id;
	} else if (!kp->blob || b->offset != kp->blob_got ||
		   b->total_len != kp->blob_len || b->crc32c != kp->blob_crc ||
		   b->slot != kp->blob_slot || b->model_id != kp->blob_id) {
		rmt_kmodel_reset(kp);
		snprintf(log, RMT_KMODEL_LOG,
			 "chunk at %u does not continue a blob", b->offset);
		return -EINVAL;
	}
	memcpy(kp->blob + b->offset, b->data, b->chunk_len);
	kp->blob_got += b->chunk_len;
	return kp->blob_got == kp->blob_len ? 1 : 0;
}

int rmt_kprog_model(struct rmt_session *s, struct rmt_ioc_model *arg)
{
	struct rmt_kprog *kp = rmt_kprog_get(s, arg->prog_id);
	struct rmt_msg_model_blob *b;
	char log[RMT_KMODEL_LOG] = "";
	int err;

	if (!kp) {
		rmt_warn("model: no program %u on this file\n", arg->prog_id);
		return -ENOENT;
	}
	if (arg->len < sizeof(*b) ||
	    arg->len > sizeof(*b) + RMT_MODEL_CHUNK_MAX) {
		rmt_kprog_put(kp);
		rmt_warn("model: chunk of %u bytes\n", arg->len);
		return -EINVAL;
	}
	b = memdup_user(u64_to_user_ptr(arg->chunk), arg->len);
	if (IS_ERR(b)) {
		rmt_kprog_put(kp);
		rmt_warn("model: bad chunk pointer\n");
		return PTR_ERR(b);
	}
	mutex_lock(&kp->lock);
	err = rmt_msg_check(RMT_MSG_MODEL_BLOB, b, arg->len);
	if (err)
		snprintf(log, sizeof(log), "malformed chunk");
	else
		err = rmt_kmodel_chunk(kp, b, log);
	if (err == 1) {
		err = rmt_kmodel_finish(kp, log);
		rmt_kmodel_reset(kp);
		arg->installed = !err;
	}
	mutex_unlock(&kp->lock);
	if (err)
		rmt_warn("model: program %u: %s (%d)\n", arg->prog_id, log,
			 err);
	kfree(b);
	rmt_kprog_put(kp);
	return err;
}

int rmt_kprog_clear_model(struct rmt_session *s, u32 prog_id, u32 slot)
{
	struct rmt_kprog *kp = rmt_kprog_get(s, prog_id);
	int err;

	if (!kp) {
		rmt_warn("clear model: no program %u on this file\n", prog_id);
		return -ENOENT;
	}
	if (slot >= RMT_MODEL_SLOTS || !kp->model_in[slot]) {
		rmt_warn("clear model: program %u declares no model slot %u\n",
			 prog_id, slot);
		rmt_kprog_put(kp);
		return -EINVAL;
	}
	mutex_lock(&kp->lock);
	err = rmt_slot_install(&kp->slots, slot, NULL);
	mutex_unlock(&kp->lock);
	rmt_kprog_put(kp);
	return err;
}
