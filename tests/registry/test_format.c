// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_format.c - the registry's text files and key names without a file
 * system: metadata and state round-trip, every kind of malformed line is
 * rejected with its line number, and key names encode one to one.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "agent/registry_format.h"

/* Filled in place, padding zeroed, so that memcmp compares values. */
static void sample(struct rmt_reg_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->version = 12;
	m->model_id = 1ull << 40;
	m->time_ns = 1764168000123456789ull;
	m->first_event_ns = 5;
	m->last_event_ns = ~0ull;
	m->train_samples = 4000;
	m->heldout_samples = 1000;
	m->candidate_ppm = 1000000;
	m->installed_ppm = 0;
	m->heuristic_ppm = 123456;
	m->model_bytes = 116;
	snprintf(m->backend, sizeof(m->backend), "cpu");
	snprintf(m->device, sizeof(m->device), "2 threads");
	snprintf(m->reason, sizeof(m->reason),
		 "promoted: +2.5%% over installed");
}

Test(format, meta_round_trip)
{
	struct rmt_reg_meta m, got;
	char text[RMT_REG_TEXT_MAX], key[RMT_REG_KEY_MAX + 1], err[200];
	size_t n;

	sample(&m);
	n = rmt_reg_meta_format("swap_fault/cg /a b", &m, text);
	cr_assert_eq(rmt_reg_meta_parse(text, n, key, &got, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(key, "swap_fault/cg /a b");
	cr_assert_eq(memcmp(&m, &got, sizeof(m)), 0);
	/* Empty strings survive too. */
	memset(m.backend, 0, sizeof(m.backend));
	memset(m.device, 0, sizeof(m.device));
	memset(m.reason, 0, sizeof(m.reason));
	n = rmt_reg_meta_format("k", &m, text);
	cr_assert_eq(rmt_reg_meta_parse(text, n, key, &got, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(memcmp(&m, &got, sizeof(m)), 0);
}

/* Replace the line starting with name (or add one) and parse. */
static int parse_with(const char *name, const char *line, char *err, size_t es)
{
	struct rmt_reg_meta m, got;
	char text[RMT_REG_TEXT_MAX], out[RMT_REG_TEXT_MAX];
	char key[RMT_REG_KEY_MAX + 1];
	char *s = text, *nl;
	size_t o = 0;

	sample(&m);
	text[rmt_reg_meta_format("k", &m, text)] = 0;
	for (; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (name && !strncmp(s, name, strlen(name)) &&
		    s[strlen(name)] == ' ') {
			o += (size_t)sprintf(out + o, "%s", line);
			continue;
		}
		memcpy(out + o, s, (size_t)(nl + 1 - s));
		o += (size_t)(nl + 1 - s);
	}
	if (!name)
		o += (size_t)sprintf(out + o, "%s", line);
	return rmt_reg_meta_parse(out, o, key, &got, err, es);
}

Test(format, meta_errors)
{
	static const struct {
		const char *name, *line, *msg;
	} cases[] = {
		{ "version", "version 0\n",
		  "line 3: version '0' is not a number from 1 to" },
		{ "version", "version -1\n", "line 3: version '-1'" },
		{ "version", "version 1000000000\n", "line 3: version" },
		{ "model_id", "model_id 18446744073709551616\n",
		  "line 4: model_id" },
		{ "model_id", "model_id 0x10\n", "line 4: model_id '0x10'" },
		{ "model_id", "model_id\n", "line 4: model_id ''" },
		{ "train_samples", "train_samples 4294967296\n",
		  "line 8: train_samples" },
		{ "candidate_ppm", "candidate_ppm 1000001\n",
		  "line 10: candidate_ppm '1000001' is not a number up to 1000000" },
		{ "backend", "backend 0123456789abcdef\n",
		  "line 14: backend longer than 15 characters" },
		{ "reason", "reason a\tb\n", "line 16: bad character 0x09" },
		{ "device", "device x\n", NULL },
		{ "device", "", "no device" },
		{ "key", "", "no key" },
		{ "key", "key \n", "line 2: empty key" },
		{ NULL, "key j\n", "line 17: second 'key'" },
		{ NULL, "model_id 1\n", "line 17: second 'model_id'" },
		{ NULL, "colour blue\n", "line 17: unknown field 'colour'" },
		{ NULL, "\n", "line 17: unknown field ''" },
		{ NULL, "time_ns 1", "line 17: no newline at the end" },
		{ "rmt-model-meta", "rmt-model-meta 2\n",
		  "line 1: expected 'rmt-model-meta 1'" },
	};
	char err[200];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		err[0] = 0;
		r = parse_with(cases[i].name, cases[i].line, err, sizeof(err));
		if (!cases[i].msg) {
			cr_assert_eq(r, 0, "case %zu: %s", i, err);
			continue;
		}
		cr_assert_eq(r, -EINVAL, "case %zu parsed", i);
		cr_assert(strstr(err, cases[i].msg), "case %zu: '%s'", i, err);
	}
}

Test(format, meta_garbage)
{
	struct rmt_reg_meta m;
	char key[RMT_REG_KEY_MAX + 1], err[200], big[RMT_REG_TEXT_MAX + 1];

	cr_assert_eq(rmt_reg_meta_parse("", 0, key, &m, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "line 1: expected"), "%s", err);
	cr_assert_eq(rmt_reg_meta_parse("rmt-model-meta 1\0\n", 18, key, &m,
					err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "line 1: bad character 0x00"), "%s", err);
	memset(big, 'a', sizeof(big));
	cr_assert_eq(
		rmt_reg_meta_parse(big, sizeof(big), key, &m, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "larger than"), "%s", err);
	cr_assert_eq(rmt_reg_meta_parse("rmt-model-meta 1\n", 17, key, &m, err,
					sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "no key"), "%s", err);
}

Test(format, state_round_trip_and_errors)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "rmt-registry-state 1\nserial 0\npinned 0\nhistory\n", NULL },
		{ "rmt-registry-state 1\nhistory 4 2\npinned 2\nserial 9\n",
		  NULL },
		{ "rmt-registry-state 1\nserial 0\npinned 0\n", "no history" },
		{ "rmt-registry-state 1\nserial 0\nhistory\n", "no pinned" },
		{ "rmt-registry-state 1\npinned 0\nhistory\n", "no serial" },
		{ "rmt-registry-state 1\nserial 0\npinned 3\nhistory 3 4\n",
		  "pinned version 3 is not the current one (4)" },
		{ "rmt-registry-state 1\nserial 0\npinned 0\nhistory 1 0\n",
		  "line 4: history holds '0'" },
		{ "rmt-registry-state 1\nserial 0\npinned 0\nhistory 1  2\n",
		  "line 4: history holds ''" },
		{ "rmt-registry-state 1\nserial 0\npinned 0\nhistory 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
		  "line 4: history longer than 16" },
		{ "rmt-registry-state 1\nserial x\npinned 0\nhistory\n",
		  "line 2: bad number for serial" },
		{ "rmt-registry-state 1\nserial 1\nserial 1\n",
		  "line 3: second 'serial'" },
		{ "rmt-registry-state 1\nstate 1\n",
		  "line 2: unknown field 'state'" },
		{ "rmt-registry-state 1\nserial 1", "line 2: no newline" },
		{ "rmt-registry-state\n",
		  "line 1: expected 'rmt-registry-state 1'" },
	};
	struct rmt_reg_state st, again;
	char err[200], text[RMT_REG_TEXT_MAX];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = rmt_reg_state_parse(cases[i].text,
					    strlen(cases[i].text), &st, err,
					    sizeof(err));

		if (cases[i].msg) {
			cr_assert_eq(r, -EINVAL, "case %zu parsed", i);
			cr_assert(strstr(err, cases[i].msg), "case %zu: '%s'",
				  i, err);
			continue;
		}
		cr_assert_eq(r, 0, "case %zu: %s", i, err);
		n = rmt_reg_state_format(&st, text);
		cr_assert_eq(
			rmt_reg_state_parse(text, n, &again, err, sizeof(err)),
			0, "%s", err);
		cr_assert_eq(memcmp(&st, &again, sizeof(st)), 0);
	}
	cr_assert_eq(rmt_reg_state_parse(cases[1].text, strlen(cases[1].text),
					 &st, err, sizeof(err)),
		     0);
	cr_assert_eq(st.current, 2);
	cr_assert_eq(st.previous, 4);
	cr_assert_eq(st.serial, 9);
}

Test(format, key_names)
{
	static const struct {
		const char *key, *name;
	} cases[] = {
		{ "swap_fault/tgid-1234", "swap_fault%2Ftgid-1234" },
		{ "../x", "%2E.%2Fx" },
		{ "..", "%2E." },
		{ "a.b", "a.b" },
		{ "100%", "100%25" },
		{ "/sys/fs/cgroup/a b", "%2Fsys%2Ffs%2Fcgroup%2Fa%20b" },
	};
	char name[RMT_REG_NAME_MAX], key[RMT_REG_KEY_MAX + 1];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rmt_reg_key_encode(cases[i].key, name);
		cr_assert_str_eq(name, cases[i].name);
		cr_assert_eq(rmt_reg_key_decode(name, key), 0);
		cr_assert_str_eq(key, cases[i].key);
	}
	/* Names encode() never makes. */
	cr_assert_eq(rmt_reg_key_decode("a%2fb", key), -EINVAL);
	cr_assert_eq(rmt_reg_key_decode("a/b", key), -EINVAL);
	cr_assert_eq(rmt_reg_key_decode("..", key), -EINVAL);
	cr_assert_eq(rmt_reg_key_decode("%41", key), -EINVAL);
	cr_assert_eq(rmt_reg_key_decode("x%2", key), -EINVAL);
	cr_assert_eq(rmt_reg_key_decode("%0A", key), -EINVAL);
	cr_assert_eq(rmt_reg_key_decode("", key), -EINVAL);
}
