// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_model.c - libFuzzer target fuzz-model: the model parser on raw
 * bytes, and again with the length and checksum fields made to match, so
 * that mutations reach the structural checks behind the CRC.  Whatever
 * parses must run, report its cost and write back to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "mlib/format.h"
#include "mlib/train/writer.h"
#include "proto/crc32c.h"

static void exercise(const u8 *data, size_t size)
{
	struct rmt_model_cost cost;
	struct rmt_infer_out o;
	struct rmt_model *m;
	s32 x[RMT_MODEL_MAX_FEATURES];
	char log[256];
	size_t len, i;
	u8 *out;

	if (rmt_model_parse(data, size, &m, log, sizeof(log)))
		return;
	for (i = 0; i < RMT_MODEL_MAX_FEATURES; i++)
		x[i] = (s32)(i * 2654435761u) >> (i % 24);
	if (rmt_model_infer(m, x, &o))
		abort();
	memset(x, 0, sizeof(x));
	rmt_model_infer(m, x, &o);
	rmt_model_cost(m, &cost);
	if (rmt_model_write(m, &out, &len))
		abort();
	/* The format is canonical: what parses writes back unchanged. */
	if (len != size || memcmp(out, data, len))
		abort();
	free(out);
	rmt_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 *copy;
	u32 crc;

	exercise(data, size);
	if (size < RMT_MODEL_HDR_SIZE || size > RMT_MODEL_MAX_SIZE)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[12] = (u8)size;
	copy[13] = (u8)(size >> 8);
	copy[14] = (u8)(size >> 16);
	copy[15] = (u8)(size >> 24);
	crc = rmt_crc32c(0, copy + 12, size - 12);
	copy[8] = (u8)crc;
	copy[9] = (u8)(crc >> 8);
	copy[10] = (u8)(crc >> 16);
	copy[11] = (u8)(crc >> 24);
	exercise(copy, size);
	free(copy);
	return 0;
}
