// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_table_msg.c - libFuzzer target for table updates from the wire:
 * the input is a series of records (a 2-byte length, then that many
 * bytes) applied with rmt_pipeline_apply_msg() to a swap_fault pipeline
 * with a table of each match kind and a mixed one, until a zero length;
 * then the pipeline runs on contexts made of the remaining bytes.
 * Nothing may crash, leak or hang.
 */
#include <stdlib.h>
#include <string.h>

#include "vm/pipeline.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Stage i keys on field[i] (and on cpu too for the mixed stage 4). */
static const char *const names[] = { "exact", "ternary", "lpm", "range",
				     "mixed" };
static const u16 fields[] = { 1, 6, 5, 8, 7 };
static const u8 kinds[] = { RMT_MATCH_EXACT, RMT_MATCH_TERNARY, RMT_MATCH_LPM,
			    RMT_MATCH_RANGE, RMT_MATCH_TERNARY };

static struct rmt_pipeline *make(void)
{
	struct rmt_pipeline *p;
	u32 i;

	if (rmt_pipeline_create(rmt_hook_find("swap_fault"), &p))
		return NULL;
	if (rmt_pipeline_add_action(p, "noop", NULL, 0, 0, NULL, NULL, 0))
		goto fail;
	for (i = 0; i < 5; i++) {
		struct rmt_table_config c = { 0 };

		c.n_fields = 1;
		c.fields[0].field_id = fields[i];
		c.fields[0].kind = kinds[i];
		if (i == 4) {
			c.n_fields = 2;
			c.fields[1].field_id = 8; /* cpu */
			c.fields[1].kind = RMT_MATCH_RANGE;
		}
		c.n_actions = 1;
		c.capacity = 64;
		c.state_size = 8;
		if (rmt_pipeline_add_stage(p, names[i], &c, NULL, NULL, 0))
			goto fail;
	}
	return p;
fail:
	rmt_pipeline_destroy(p);
	return NULL;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct rmt_hook_scratch scr;
	struct rmt_pipeline *p = make();
	struct rmt_ctx_swap_fault c;
	struct rmt_decision d;
	enum rmt_table_code code;
	size_t at = 0;

	if (!p)
		abort();
	while (at + 2 <= size) {
		u32 len = data[at] | (u32)data[at + 1] << 8;

		at += 2;
		if (!len || at + len > size)
			break;
		rmt_pipeline_apply_msg(p, data + at, len, len & 1, &code);
		at += len;
	}
	rmt_pipeline_commit(p, &code);
	while (at + sizeof(c) <= size) {
		memcpy(&c, data + at, sizeof(c));
		rmt_pipeline_run(p, &c, sizeof(c), &scr, &d);
		at += sizeof(c);
	}
	rmt_pipeline_destroy(p);
	return 0;
}
