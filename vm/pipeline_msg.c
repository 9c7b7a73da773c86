// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pipeline_msg.c - the control API's entry point for table updates that
 * arrive as RMT_MSG_TABLE_ENTRY records (from an agent over a ring, or an
 * ioctl): copied out of shared memory, checked, applied, committed.
 */
#include "proto/msg.h"
#include "vm/pipeline_impl.h"

#define RMT_ENTRY_MSG_MAX                                            \
	(sizeof(struct rmt_msg_table_entry) +                        \
	 RMT_MSG_MAX_KEY_FIELDS * sizeof(struct rmt_msg_key_field) + \
	 RMT_MSG_MAX_PARAM_LEN)

int rmt_pipeline_apply_msg(struct rmt_pipeline *p, const void *payload, u32 len,
			   enum rmt_table_code *code)
{
	u8 rec[RMT_ENTRY_MSG_MAX];
	struct rmt_msg_table_entry hdr;
	struct rmt_table_entry e;
	struct rmt_table *t;
	u32 fields_len;
	int err;

	if (code)
		*code = RMT_TC_OK;
	/* The peer may still write the record: check a private copy. */
	if (len < sizeof(hdr) || len > sizeof(rec))
		return -EBADMSG;
	memcpy(rec, payload, len);
	if (rmt_msg_check(RMT_MSG_TABLE_ENTRY, rec, len))
		return -EBADMSG;
	memcpy(&hdr, rec, sizeof(hdr));
	if (hdr.hook_id != p->hook->id)
		return -EINVAL;
	if (hdr.table_id >= p->n_stages)
		return -ENOENT;
	t = p->stages[hdr.table_id].table;
	fields_len = hdr.n_fields * (u32)sizeof(struct rmt_msg_key_field);
	memset(&e, 0, sizeof(e));
	memcpy(e.fields, rec + sizeof(hdr), fields_len);
	e.n_fields = hdr.n_fields;
	e.priority = hdr.priority;
	e.action_id = hdr.action_id;
	e.param_len = hdr.param_len;
	e.params = rec + sizeof(hdr) + fields_len;
	switch (hdr.op) {
	case RMT_ENTRY_ADD:
		err = rmt_table_add(t, &e, NULL, code);
		break;
	case RMT_ENTRY_DELETE:
		err = rmt_table_delete(t, &e, code);
		break;
	case RMT_ENTRY_MODIFY:
		err = rmt_table_modify(t, &e, code);
		break;
	default: /* RMT_ENTRY_SET_DEFAULT; rmt_msg_check bounds op */
		err = rmt_table_set_default(t, hdr.action_id, e.params,
					    hdr.param_len, code);
		break;
	}
	if (err)
		return err;
	return rmt_table_commit(t, code);
}
