// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * msg.c - structural validation of a received record: its length matches
 * its type's layout and every enum and count is in range.  The receiver
 * calls it on a private copy of the payload, before using any field.
 */
#include "proto/msg.h"

static int check_fixed(u32 len, u32 want)
{
	return len == want ? 0 : -EBADMSG;
}

static int check_sample(const struct rmt_msg_sample *s, u32 len)
{
	if (len < sizeof(*s) || s->n_features > RMT_MSG_MAX_FEATURES)
		return -EBADMSG;
	return check_fixed(len, sizeof(*s) + 4u * s->n_features);
}

static int check_reply(const struct rmt_msg_reply *r, u32 len)
{
	u32 i;

	if (len != sizeof(*r) || r->status > 0)
		return -EBADMSG;
	for (i = 0; i < RMT_REPLY_REASON_LEN; i++)
		if (!r->reason[i])
			return 0;
	return -EBADMSG;
}

static int check_page(const struct rmt_msg_page *e, u32 len)
{
	if (len != sizeof(*e) || e->addr % 4096 || !e->npages ||
	    e->event < RMT_PAGE_EVICTED || e->event > RMT_PAGE_EVENT_MAX)
		return -EBADMSG;
	return 0;
}

static int check_command(const struct rmt_msg_command *c, u32 len)
{
	if (len != sizeof(*c))
		return -EBADMSG;
	return c->op >= 1 && c->op <= RMT_CMD_OP_MAX ? 0 : -EBADMSG;
}

static int check_entry(const struct rmt_msg_table_entry *e, u32 len)
{
	u32 i;

	if (len < sizeof(*e) || e->op < 1 || e->op > RMT_ENTRY_OP_MAX ||
	    e->n_fields > RMT_MSG_MAX_KEY_FIELDS ||
	    e->param_len > RMT_MSG_MAX_PARAM_LEN)
		return -EBADMSG;
	if (len !=
	    sizeof(*e) + e->n_fields * sizeof(e->fields[0]) + e->param_len)
		return -EBADMSG;
	for (i = 0; i < e->n_fields; i++) {
		const struct rmt_msg_key_field *f = &e->fields[i];

		if (f->kind > RMT_MATCH_KIND_MAX || f->reserved ||
		    (f->kind == RMT_MATCH_LPM && f->prefix_len > 64) ||
		    (f->kind != RMT_MATCH_LPM && f->prefix_len))
			return -EBADMSG;
	}
	return 0;
}

static int check_blob(const struct rmt_msg_model_blob *b, u32 len)
{
	if (len < sizeof(*b) || len != sizeof(*b) + b->chunk_len)
		return -EBADMSG;
	if (b->total_len == 0 || b->total_len > RMT_MSG_MAX_MODEL_LEN ||
	    b->offset > b->total_len || b->chunk_len > b->total_len - b->offset)
		return -EBADMSG;
	return b->flags ? -EBADMSG : 0;
}

/*
 * 0 if a record of this type and length is well-formed, -EBADMSG if not,
 * -ENOMSG for a type this version does not know.  payload must be 8-byte
 * aligned (ring records are).
 */
int rmt_msg_check(u16 type, const void *payload, u32 len)
{
	switch (type) {
	case RMT_MSG_FAULT: {
		const struct rmt_msg_fault *f = payload;

		if (len != sizeof(*f))
			return -EBADMSG;
		return f->flags & ~RMT_FAULT_FLAGS_ALL ? -EBADMSG : 0;
	}
	case RMT_MSG_SAMPLE:
		return check_sample(payload, len);
	case RMT_MSG_STATS:
		return check_fixed(len, sizeof(struct rmt_msg_stats));
	case RMT_MSG_GUARDRAIL:
		return check_fixed(len, sizeof(struct rmt_msg_guardrail));
	case RMT_MSG_REPLY:
		return check_reply(payload, len);
	case RMT_MSG_PAGE:
		return check_page(payload, len);
	case RMT_MSG_COMMAND:
		return check_command(payload, len);
	case RMT_MSG_TABLE_ENTRY:
		return check_entry(payload, len);
	case RMT_MSG_MODEL_BLOB:
		return check_blob(payload, len);
	default:
		return -ENOMSG;
	}
}
