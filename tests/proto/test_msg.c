// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_msg.c - message validation accepts each well-formed record and
 * refuses each kind of malformed one; CRC-32C matches the standard check
 * value and is chainable.
 */
#include "proto/msg.h"
#include "proto/crc32c.h"

#include <criterion/criterion.h>

static u64 buf[512]; /* 8-byte aligned, as ring payloads are */

Test(crc32c, check_value_and_chaining)
{
	const char *s = "123456789";

	cr_assert_eq(rmt_crc32c(0, s, 9), 0xe3069283u);
	cr_assert_eq(rmt_crc32c(rmt_crc32c(0, s, 4), s + 4, 5), 0xe3069283u);
	cr_assert_eq(rmt_crc32c(0, s, 0), 0);
}

Test(msg, fault_events)
{
	struct rmt_msg_fault *f = (void *)buf;

	memset(buf, 0, sizeof(buf));
	f->flags = RMT_FAULT_MAJOR | RMT_FAULT_WRITE;
	cr_assert_eq(rmt_msg_check(RMT_MSG_FAULT, f, sizeof(*f)), 0);
	cr_assert_eq(rmt_msg_check(RMT_MSG_FAULT, f, sizeof(*f) - 1), -EBADMSG);
	cr_assert_eq(rmt_msg_check(RMT_MSG_FAULT, f, 0), -EBADMSG);
	f->flags = 0x80;
	cr_assert_eq(rmt_msg_check(RMT_MSG_FAULT, f, sizeof(*f)), -EBADMSG);
}

Test(msg, samples_have_exactly_their_features)
{
	struct rmt_msg_sample *s = (void *)buf;

	memset(buf, 0, sizeof(buf));
	s->n_features = 10;
	cr_assert_eq(rmt_msg_check(RMT_MSG_SAMPLE, s, 16 + 40), 0);
	cr_assert_eq(rmt_msg_check(RMT_MSG_SAMPLE, s, 16 + 36), -EBADMSG);
	cr_assert_eq(rmt_msg_check(RMT_MSG_SAMPLE, s, 16 + 44), -EBADMSG);
	s->n_features = RMT_MSG_MAX_FEATURES + 1;
	cr_assert_eq(rmt_msg_check(RMT_MSG_SAMPLE, s,
				   16 + 4 * (RMT_MSG_MAX_FEATURES + 1)),
		     -EBADMSG);
	cr_assert_eq(rmt_msg_check(RMT_MSG_SAMPLE, s, 8), -EBADMSG);
}

Test(msg, commands)
{
	struct rmt_msg_command *c = (void *)buf;

	memset(buf, 0, sizeof(buf));
	c->op = RMT_CMD_ATTACH;
	cr_assert_eq(rmt_msg_check(RMT_MSG_COMMAND, c, sizeof(*c)), 0);
	c->op = 0;
	cr_assert_eq(rmt_msg_check(RMT_MSG_COMMAND, c, sizeof(*c)), -EBADMSG);
	c->op = RMT_CMD_OP_MAX + 1;
	cr_assert_eq(rmt_msg_check(RMT_MSG_COMMAND, c, sizeof(*c)), -EBADMSG);
}

Test(msg, table_entries)
{
	struct rmt_msg_table_entry *e = (void *)buf;
	u32 len = sizeof(*e) + 2 * sizeof(e->fields[0]) + 12;

	memset(buf, 0, sizeof(buf));
	e->op = RMT_ENTRY_ADD;
	e->n_fields = 2;
	e->param_len = 12;
	e->fields[0].kind = RMT_MATCH_LPM;
	e->fields[0].prefix_len = 24;
	e->fields[1].kind = RMT_MATCH_RANGE;
	cr_assert_eq(rmt_msg_check(RMT_MSG_TABLE_ENTRY, e, len), 0);
	cr_assert_eq(rmt_msg_check(RMT_MSG_TABLE_ENTRY, e, len + 8), -EBADMSG);
	e->fields[1].prefix_len = 3; /* only lpm fields have one */
	cr_assert_eq(rmt_msg_check(RMT_MSG_TABLE_ENTRY, e, len), -EBADMSG);
	e->fields[1].prefix_len = 0;
	e->fields[0].prefix_len = 65;
	cr_assert_eq(rmt_msg_check(RMT_MSG_TABLE_ENTRY, e, len), -EBADMSG);
	e->fields[0].prefix_len = 24;
	e->fields[0].kind = 9;
	cr_assert_eq(rmt_msg_check(RMT_MSG_TABLE_ENTRY, e, len), -EBADMSG);
	e->fields[0].kind = RMT_MATCH_EXACT;
	e->fields[0].prefix_len = 0;
	e->n_fields = RMT_MSG_MAX_KEY_FIELDS + 1;
	cr_assert_eq(rmt_msg_check(RMT_MSG_TABLE_ENTRY, e, len), -EBADMSG);
	e->n_fields = 2;
	e->op = 77;
	cr_assert_eq(rmt_msg_check(RMT_MSG_TABLE_ENTRY, e, len), -EBADMSG);
}

Test(msg, model_blob_chunks)
{
	struct rmt_msg_model_blob *b = (void *)buf;

	memset(buf, 0, sizeof(buf));
	b->total_len = 1000;
	b->offset = 900;
	b->chunk_len = 100;
	cr_assert_eq(rmt_msg_check(RMT_MSG_MODEL_BLOB, b, sizeof(*b) + 100), 0);
	b->offset = 901; /* runs past the blob */
	cr_assert_eq(rmt_msg_check(RMT_MSG_MODEL_BLOB, b, sizeof(*b) + 100),
		     -EBADMSG);
	b->offset = 0xffffff00u; /* would wrap a 32-bit sum */
	cr_assert_eq(rmt_msg_check(RMT_MSG_MODEL_BLOB, b, sizeof(*b) + 100),
		     -EBADMSG);
	b->offset = 0;
	b->total_len = RMT_MSG_MAX_MODEL_LEN + 1;
	cr_assert_eq(rmt_msg_check(RMT_MSG_MODEL_BLOB, b, sizeof(*b) + 100),
		     -EBADMSG);
	b->total_len = 1000;
	cr_assert_eq(rmt_msg_check(RMT_MSG_MODEL_BLOB, b, sizeof(*b) + 99),
		     -EBADMSG);
	b->flags = 1;
	cr_assert_eq(rmt_msg_check(RMT_MSG_MODEL_BLOB, b, sizeof(*b) + 100),
		     -EBADMSG);
}

Test(msg, unknown_types)
{
	memset(buf, 0, sizeof(buf));
	cr_assert_eq(rmt_msg_check(0, buf, 8), -ENOMSG);
	cr_assert_eq(rmt_msg_check(99, buf, 8), -ENOMSG);
	cr_assert_eq(
		rmt_msg_check(RMT_MSG_STATS, buf, sizeof(struct rmt_msg_stats)),
		0);
	cr_assert_eq(rmt_msg_check(RMT_MSG_GUARDRAIL, buf, 31), -EBADMSG);
}

Test(msg, replies_carry_a_terminated_reason)
{
	struct rmt_msg_reply *r = (void *)buf;

	memset(buf, 0, sizeof(buf));
	r->status = -EINVAL;
	strcpy(r->reason, "bad crc");
	cr_assert_eq(rmt_msg_check(RMT_MSG_REPLY, r, sizeof(*r)), 0);
	cr_assert_eq(rmt_msg_check(RMT_MSG_REPLY, r, sizeof(*r) - 8), -EBADMSG);
	r->status = 1;
	cr_assert_eq(rmt_msg_check(RMT_MSG_REPLY, r, sizeof(*r)), -EBADMSG);
	r->status = 0;
	memset(r->reason, 'x', sizeof(r->reason));
	cr_assert_eq(rmt_msg_check(RMT_MSG_REPLY, r, sizeof(*r)), -EBADMSG);
}

Test(msg, page_events_name_whole_pages_and_a_known_event)
{
	struct rmt_msg_page *e = (void *)buf;
	u32 ev;

	memset(buf, 0, sizeof(buf));
	e->addr = 0x7f0000001000ull;
	e->npages = 1;
	for (ev = RMT_PAGE_EVICTED; ev <= RMT_PAGE_EVENT_MAX; ev++) {
		e->event = ev;
		cr_assert_eq(rmt_msg_check(RMT_MSG_PAGE, e, sizeof(*e)), 0);
	}
	cr_assert_eq(rmt_msg_check(RMT_MSG_PAGE, e, sizeof(*e) + 8), -EBADMSG);
	e->event = 0;
	cr_assert_eq(rmt_msg_check(RMT_MSG_PAGE, e, sizeof(*e)), -EBADMSG);
	e->event = RMT_PAGE_EVENT_MAX + 1;
	cr_assert_eq(rmt_msg_check(RMT_MSG_PAGE, e, sizeof(*e)), -EBADMSG);
	e->event = RMT_PAGE_EVICTED;
	e->npages = 0;
	cr_assert_eq(rmt_msg_check(RMT_MSG_PAGE, e, sizeof(*e)), -EBADMSG);
	e->npages = 1;
	e->addr += 8;
	cr_assert_eq(rmt_msg_check(RMT_MSG_PAGE, e, sizeof(*e)), -EBADMSG);
}
