// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_registry_text.c - libFuzzer target fuzz-registry-text: the model
 * registry's parsers on raw bytes (the first byte picks the metadata
 * parser, the state parser or the key name decoder).  Whatever parses
 * must write back into text that parses to the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/registry_format.h"

static void meta(const char *data, size_t size)
{
	char key[RMT_REG_KEY_MAX + 1], key2[RMT_REG_KEY_MAX + 1], err[200];
	char text[RMT_REG_TEXT_MAX];
	struct rmt_reg_meta m, m2;
	size_t n;

	if (rmt_reg_meta_parse(data, size, key, &m, err, sizeof(err)))
		return;
	n = rmt_reg_meta_format(key, &m, text);
	if (rmt_reg_meta_parse(text, n, key2, &m2, err, sizeof(err)) ||
	    strcmp(key, key2) || memcmp(&m, &m2, sizeof(m)))
		abort();
}

static void state(const char *data, size_t size)
{
	char text[RMT_REG_TEXT_MAX], err[200];
	struct rmt_reg_state st, st2;
	size_t n;

	if (rmt_reg_state_parse(data, size, &st, err, sizeof(err)))
		return;
	n = rmt_reg_state_format(&st, text);
	if (rmt_reg_state_parse(text, n, &st2, err, sizeof(err)) ||
	    memcmp(&st, &st2, sizeof(st)))
		abort();
}

static void name(const char *data, size_t size)
{
	char s[RMT_REG_NAME_MAX], key[RMT_REG_KEY_MAX + 1];
	char again[RMT_REG_NAME_MAX];

	if (size >= sizeof(s))
		return;
	memcpy(s, data, size);
	s[size] = 0;
	if (rmt_reg_key_decode(s, key))
		return;
	rmt_reg_key_encode(key, again);
	if (strcmp(again, s))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy;

	if (!size)
		return 0;
	/* An exact-size copy, so reading past the end is caught. */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		meta(copy, size - 1);
		break;
	case 1:
		state(copy, size - 1);
		break;
	default:
		name(copy, size - 1);
		break;
	}
	free(copy);
	return 0;
}
