// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_registry.c - the model registry's API on a scratch directory:
 * open and create, save, list, load, the state operations (current,
 * rollback, pin), the agent's lock, what a killed writer leaves behind,
 * damaged files, and keys that try to leave the registry.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/registry.h"
#include "tests/registry/helpers.h"

static char dir[512], reg_dir[600];
static char err[1024];

static void setup(void)
{
	test_tmpdir(dir, sizeof(dir) - 64);
	snprintf(reg_dir, sizeof(reg_dir), "%s/reg", dir);
	err[0] = 0;
}

static void teardown(void)
{
	test_rmtree(dir);
}

TestSuite(registry, .init = setup, .fini = teardown);

static struct rmt_registry *open_agent(void)
{
	struct rmt_registry *r;

	cr_assert_eq(rmt_registry_open(reg_dir, RMT_REG_CREATE | RMT_REG_AGENT,
				       &r, err, sizeof(err)),
		     0, "%s", err);
	return r;
}

static struct rmt_registry *open_reader(void)
{
	struct rmt_registry *r;

	cr_assert_eq(rmt_registry_open(reg_dir, 0, &r, err, sizeof(err)), 0,
		     "%s", err);
	return r;
}

static u32 save(struct rmt_registry *r, const char *key, s32 t)
{
	struct rmt_reg_meta m = { 0 };
	size_t len;
	u8 *blob = test_model(t, &len);
	u32 v = 0;

	m.model_id = (u64)t;
	m.candidate_ppm = 900000 + (u32)t;
	snprintf(m.backend, sizeof(m.backend), "cpu");
	snprintf(m.reason, sizeof(m.reason), "promoted: t=%d", t);
	cr_assert_eq(
		rmt_registry_save(r, key, blob, len, &m, &v, err, sizeof(err)),
		0, "%s", err);
	free(blob);
	return v;
}

static void file_path(char *p, size_t size, const char *key_dir,
		      const char *name)
{
	snprintf(p, size, "%s/keys/%s/%s", reg_dir, key_dir, name);
}

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	cr_assert_not_null(f, "%s", p);
	fputs(text, f);
	fclose(f);
}

Test(registry, open_missing_and_not_a_registry)
{
	struct rmt_registry *r = NULL;

	cr_assert_eq(rmt_registry_open(reg_dir, 0, &r, err, sizeof(err)),
		     -ENOENT);
	cr_assert_null(r);
	cr_assert(strstr(err, "does not exist"), "%s", err);
	cr_assert_eq(rmt_registry_open("", 0, &r, err, sizeof(err)), -EINVAL);
	cr_assert_eq(mkdir(reg_dir, 0755), 0);
	cr_assert_eq(rmt_registry_open(reg_dir, 0, &r, err, sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "not a model registry"), "%s", err);
	/* Only an empty directory becomes one. */
	snprintf(err, sizeof(err), "%s/notes.txt", reg_dir);
	write_file(err, "mine");
	cr_assert_eq(rmt_registry_open(reg_dir, RMT_REG_CREATE | RMT_REG_AGENT,
				       &r, err, sizeof(err)),
		     -EEXIST);
	cr_assert(strstr(err, "not empty (it has notes.txt)"), "%s", err);
	snprintf(err, sizeof(err), "%s/notes.txt", reg_dir);
	cr_assert_eq(unlink(err), 0);
	r = open_agent();
	rmt_registry_close(r);
	r = open_reader();
	rmt_registry_close(r);
	snprintf(err, sizeof(err), "%s/FORMAT", reg_dir);
	write_file(err, "rmt-registry 9\n");
	cr_assert_eq(rmt_registry_open(reg_dir, 0, &r, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "FORMAT"), "%s", err);
}

Test(registry, save_load_and_metadata)
{
	struct rmt_registry *r = open_agent();
	struct rmt_reg_meta m = { 0 }, got;
	size_t len, got_len;
	u8 *blob = test_model(7, &len), *back;
	u32 v;

	m.model_id = 42;
	m.first_event_ns = 1000;
	m.last_event_ns = 2000;
	m.train_samples = 3000;
	m.heldout_samples = 500;
	m.candidate_ppm = 910000;
	m.installed_ppm = 880000;
	m.heuristic_ppm = 850000;
	m.model_bytes = 1; /* save sets it */
	m.version = 77; /* and this */
	snprintf(m.backend, sizeof(m.backend), "cuda");
	snprintf(m.device, sizeof(m.device), "GPU 0: some card");
	snprintf(m.reason, sizeof(m.reason), "promoted:\tby 3.0%%\n");
	cr_assert_eq(rmt_registry_save(r, "swap_fault/tgid-1", blob, len, &m,
				       &v, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(v, 1);
	cr_assert_eq(save(r, "swap_fault/tgid-1", 8), 2);
	cr_assert_eq(rmt_registry_load(r, "swap_fault/tgid-1", 1, &back,
				       &got_len, &got, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(got_len, len);
	cr_assert_eq(memcmp(back, blob, len), 0);
	cr_assert_eq(got.version, 1);
	cr_assert_eq(got.model_id, 42);
	cr_assert_eq(got.first_event_ns, 1000);
	cr_assert_eq(got.last_event_ns, 2000);
	cr_assert_eq(got.train_samples, 3000);
	cr_assert_eq(got.heldout_samples, 500);
	cr_assert_eq(got.candidate_ppm, 910000);
	cr_assert_eq(got.installed_ppm, 880000);
	cr_assert_eq(got.heuristic_ppm, 850000);
	cr_assert_eq(got.model_bytes, len);
	cr_assert_neq(got.time_ns, 0);
	cr_assert_str_eq(got.backend, "cuda");
	cr_assert_str_eq(got.device, "GPU 0: some card");
	/* One line each: control characters do not survive. */
	cr_assert_str_eq(got.reason, "promoted:?by 3.0%?");
	free(back);
	free(blob);
	rmt_registry_close(r);
}

Test(registry, save_checks_blob_and_needs_agent)
{
	struct rmt_registry *r = open_agent(), *rd;
	struct rmt_reg_meta m = { 0 };
	size_t len;
	u8 *blob = test_model(1, &len);
	u32 v = 0;

	blob[len - 1] ^= 1;
	cr_assert_eq(
		rmt_registry_save(r, "k", blob, len, &m, &v, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "model for key 'k' is invalid: checksum"), "%s",
		  err);
	cr_assert_eq(
		rmt_registry_save(r, "k", blob, 10, &m, &v, err, sizeof(err)),
		-EINVAL);
	blob[len - 1] ^= 1;
	/* Metadata a reader would refuse is not written either. */
	m.installed_ppm = 1000001;
	cr_assert_eq(
		rmt_registry_save(r, "k", blob, len, &m, &v, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "metadata for key 'k': line 11: installed_ppm "
			      "'1000001' is not a number up to 1000000"),
		  "%s", err);
	m.installed_ppm = 0;
	cr_assert_eq(
		rmt_registry_save(r, "k", blob, len, &m, &v, err, sizeof(err)),
		0, "%s", err);
	cr_assert_eq(v, 1);
	rd = open_reader();
	cr_assert_eq(
		rmt_registry_save(rd, "k", blob, len, &m, &v, err, sizeof(err)),
		-EPERM);
	cr_assert(strstr(err, "agent"), "%s", err);
	rmt_registry_close(rd);
	free(blob);
	rmt_registry_close(r);
}

Test(registry, load_errors)
{
	struct rmt_registry *r = open_agent();
	struct rmt_reg_meta m;
	size_t len;
	u8 *blob;

	cr_assert_eq(rmt_registry_load(r, "nope", 1, &blob, &len, &m, err,
				       sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "no key 'nope'"), "%s", err);
	save(r, "k", 1);
	cr_assert_eq(
		rmt_registry_load(r, "k", 9, &blob, &len, &m, err, sizeof(err)),
		-ENOENT);
	cr_assert(strstr(err, "key 'k' has no version 9"), "%s", err);
	cr_assert_eq(
		rmt_registry_load(r, "k", 0, &blob, &len, &m, err, sizeof(err)),
		-ENOENT);
	cr_assert(strstr(err, "no current version"), "%s", err);
	cr_assert_null(blob);
	cr_assert_eq(rmt_registry_set_current(r, "k", 1, err, sizeof(err)), 0);
	cr_assert_eq(
		rmt_registry_load(r, "k", 0, &blob, &len, &m, err, sizeof(err)),
		0, "%s", err);
	cr_assert_eq(m.version, 1);
	free(blob);
	rmt_registry_close(r);
}

Test(registry, list_sorted_with_markers)
{
	struct rmt_registry *r = open_agent();
	struct rmt_reg_entry *e;
	size_t n, i;

	cr_assert_eq(rmt_registry_list(r, NULL, &e, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 0);
	cr_assert_null(e);
	for (i = 0; i < 3; i++)
		save(r, "b/2", (s32)i);
	for (i = 0; i < 11; i++)
		save(r, "a/1", (s32)i);
	cr_assert_eq(rmt_registry_set_current(r, "a/1", 3, err, sizeof(err)),
		     0);
	cr_assert_eq(rmt_registry_set_current(r, "a/1", 10, err, sizeof(err)),
		     0);
	cr_assert_eq(rmt_registry_pin(r, "b/2", 2, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_list(r, NULL, &e, &n, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(n, 14);
	for (i = 0; i < 11; i++) {
		cr_assert_str_eq(e[i].key, "a/1");
		cr_assert_eq(e[i].meta.version, i + 1);
		cr_assert_eq(e[i].meta.candidate_ppm, 900000 + i);
		cr_assert_str_eq(e[i].error, "");
		cr_assert_eq(e[i].current, i + 1 == 10);
		cr_assert_eq(e[i].previous, i + 1 == 3);
		cr_assert(!e[i].pinned);
	}
	cr_assert_str_eq(e[12].key, "b/2");
	cr_assert(e[12].pinned && e[12].current && !e[11].current);
	free(e);
	cr_assert_eq(rmt_registry_list(r, "b/2", &e, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 3);
	free(e);
	cr_assert_eq(rmt_registry_list(r, "c", &e, &n, err, sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "no key 'c'"), "%s", err);
	rmt_registry_close(r);
}

Test(registry, current_rollback_history)
{
	struct rmt_registry *r = open_agent();
	struct rmt_reg_state st;
	u32 v, i;

	cr_assert_eq(rmt_registry_state(r, "k", &st, err, sizeof(err)), 0);
	cr_assert_eq(st.current, 0);
	cr_assert_eq(rmt_registry_set_current(r, "k", 1, err, sizeof(err)),
		     -ENOENT);
	for (i = 1; i <= 20; i++)
		save(r, "k", (s32)i);
	cr_assert_eq(rmt_registry_set_current(r, "k", 21, err, sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "no version 21"), "%s", err);
	cr_assert_eq(rmt_registry_rollback(r, "k", &v, err, sizeof(err)),
		     -ENOENT);
	cr_assert(strstr(err, "no previous version"), "%s", err);
	for (i = 1; i <= 20; i++)
		cr_assert_eq(
			rmt_registry_set_current(r, "k", i, err, sizeof(err)),
			0, "%s", err);
	cr_assert_eq(rmt_registry_state(r, "k", &st, err, sizeof(err)), 0);
	cr_assert_eq(st.current, 20);
	cr_assert_eq(st.previous, 19);
	cr_assert_eq(st.n_history, RMT_REG_HISTORY);
	cr_assert_eq(st.history[0], 20 - RMT_REG_HISTORY + 1);
	cr_assert_eq(st.serial, 20);
	/* The same version again changes nothing. */
	cr_assert_eq(rmt_registry_set_current(r, "k", 20, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_state(r, "k", &st, err, sizeof(err)), 0);
	cr_assert_eq(st.serial, 20);
	for (i = 19; i > 20 - RMT_REG_HISTORY; i--) {
		cr_assert_eq(
			rmt_registry_rollback(r, "k", &v, err, sizeof(err)), 0,
			"%s", err);
		cr_assert_eq(v, i);
	}
	cr_assert_eq(rmt_registry_rollback(r, "k", &v, err, sizeof(err)),
		     -ENOENT);
	/* An older version made current again moves to the end. */
	cr_assert_eq(rmt_registry_set_current(r, "k", 7, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_set_current(r, "k", 9, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_set_current(r, "k", 7, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_state(r, "k", &st, err, sizeof(err)), 0);
	cr_assert_eq(st.current, 7);
	cr_assert_eq(st.previous, 9);
	cr_assert_eq(st.n_history, 3);
	cr_assert_eq(rmt_registry_rollback(r, "k", &v, err, sizeof(err)), 0);
	cr_assert_eq(v, 9);
	cr_assert_eq(rmt_registry_rollback(r, "k", &v, err, sizeof(err)), 0);
	cr_assert_eq(v, 20 - RMT_REG_HISTORY + 1);
	rmt_registry_close(r);
}

Test(registry, pin_blocks_promotion_and_rollback)
{
	struct rmt_registry *r = open_agent();
	struct rmt_reg_state st;
	u32 v;

	cr_assert_eq(rmt_registry_pin(r, "nokey", 0, err, sizeof(err)),
		     -ENOENT);
	save(r, "k", 1);
	save(r, "k", 2);
	save(r, "k", 3);
	cr_assert_eq(rmt_registry_pin(r, "k", 0, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, "no current version to pin"), "%s", err);
	cr_assert_eq(rmt_registry_pin(r, "k", 4, err, sizeof(err)), -ENOENT);
	cr_assert_eq(rmt_registry_set_current(r, "k", 1, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_pin(r, "k", 2, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(rmt_registry_state(r, "k", &st, err, sizeof(err)), 0);
	cr_assert_eq(st.pinned, 2);
	cr_assert_eq(st.current, 2);
	cr_assert_eq(st.previous, 1);
	cr_assert_eq(rmt_registry_set_current(r, "k", 3, err, sizeof(err)),
		     -EBUSY);
	cr_assert(strstr(err, "pinned to version 2"), "%s", err);
	cr_assert_eq(rmt_registry_set_current(r, "k", 2, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_rollback(r, "k", &v, err, sizeof(err)),
		     -EBUSY);
	cr_assert(strstr(err, "unpin"), "%s", err);
	cr_assert_eq(rmt_registry_pin(r, "k", 0, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_unpin(r, "k", err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_unpin(r, "k", err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_state(r, "k", &st, err, sizeof(err)), 0);
	cr_assert_eq(st.pinned, 0);
	cr_assert_eq(rmt_registry_set_current(r, "k", 3, err, sizeof(err)), 0);
	rmt_registry_close(r);
}

Test(registry, prune_keeps_newest_and_used)
{
	struct rmt_registry *r = open_agent(), *rd;
	struct rmt_reg_entry *e;
	size_t n, i;
	u32 removed = 99, v;

	cr_assert_eq(rmt_registry_prune(r, "k", 3, &removed, err, sizeof(err)),
		     -ENOENT);
	for (i = 1; i <= 10; i++)
		save(r, "k", (s32)i);
	cr_assert_eq(rmt_registry_set_current(r, "k", 2, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_pin(r, "k", 4, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_prune(r, "k", 0, &removed, err, sizeof(err)),
		     -EINVAL);
	cr_assert_eq(rmt_registry_prune(r, "k", 3, &removed, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(removed, 5);
	cr_assert_eq(rmt_registry_list(r, "k", &e, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 5);
	cr_assert_eq(e[0].meta.version, 2);
	cr_assert_eq(e[1].meta.version, 4);
	for (i = 2; i < 5; i++) {
		cr_assert_eq(e[i].meta.version, 8 + i - 2);
		cr_assert_str_eq(e[i].error, "");
	}
	free(e);
	cr_assert_eq(rmt_registry_prune(r, "k", 3, &removed, err, sizeof(err)),
		     0);
	cr_assert_eq(removed, 0);
	/* Numbers go on from the newest. */
	cr_assert_eq(save(r, "k", 11), 11);
	cr_assert_eq(rmt_registry_unpin(r, "k", err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_rollback(r, "k", &v, err, sizeof(err)), 0);
	cr_assert_eq(v, 2);
	rd = open_reader();
	cr_assert_eq(rmt_registry_prune(rd, "k", 1, &removed, err, sizeof(err)),
		     -EPERM);
	rmt_registry_close(rd);
	rmt_registry_close(r);
}

Test(registry, second_agent_is_refused)
{
	struct rmt_registry *a = open_agent(), *b = NULL, *rd;
	char pid[32];
	u32 v;

	cr_assert_eq(
		rmt_registry_open(reg_dir, RMT_REG_AGENT, &b, err, sizeof(err)),
		-EBUSY);
	cr_assert_null(b);
	snprintf(pid, sizeof(pid), "(pid %d)", (int)getpid());
	cr_assert(strstr(err, "in use by another agent") && strstr(err, pid),
		  "%s", err);
	/* A reader may look and change the state meanwhile. */
	save(a, "k", 1);
	save(a, "k", 2);
	cr_assert_eq(rmt_registry_set_current(a, "k", 1, err, sizeof(err)), 0);
	cr_assert_eq(rmt_registry_set_current(a, "k", 2, err, sizeof(err)), 0);
	rd = open_reader();
	cr_assert_eq(rmt_registry_rollback(rd, "k", &v, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(v, 1);
	rmt_registry_close(rd);
	rmt_registry_close(a);
	b = open_agent();
	rmt_registry_close(b);
}

Test(registry, lock_dies_with_its_process)
{
	struct rmt_registry *r = NULL;
	int ready[2], status;
	pid_t child;
	char c;

	cr_assert_eq(pipe(ready), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (!child) {
		if (rmt_registry_open(reg_dir, RMT_REG_CREATE | RMT_REG_AGENT,
				      &r, err, sizeof(err)))
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	cr_assert_eq(read(ready[0], &c, 1), 1);
	cr_assert_eq(
		rmt_registry_open(reg_dir, RMT_REG_AGENT, &r, err, sizeof(err)),
		-EBUSY);
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	r = open_agent();
	rmt_registry_close(r);
	close(ready[0]);
	close(ready[1]);
}

Test(registry, leftovers_are_ignored_then_removed)
{
	struct rmt_registry *r = open_agent(), *rd;
	struct rmt_reg_entry *e;
	char p[1200];
	struct stat sb;
	size_t n;

	save(r, "k", 1);
	rmt_registry_close(r);
	/* A killed save: its temporary file, a model without metadata. */
	file_path(p, sizeof(p), "k", ".tmp-v000002.meta.99999");
	write_file(p, "rmt-model-meta 1\nkey k\nvers");
	file_path(p, sizeof(p), "k", "v000002.rmtm");
	write_file(p, "RMTM half");
	file_path(p, sizeof(p), "k", ".tmp-STATE.99999");
	write_file(p, "garbage");
	rd = open_reader();
	cr_assert_eq(rmt_registry_list(rd, NULL, &e, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(e[0].error, "");
	free(e);
	rmt_registry_close(rd);
	r = open_agent();
	file_path(p, sizeof(p), "k", "v000002.rmtm");
	cr_assert_neq(stat(p, &sb), 0);
	file_path(p, sizeof(p), "k", ".tmp-v000002.meta.99999");
	cr_assert_neq(stat(p, &sb), 0);
	file_path(p, sizeof(p), "k", ".tmp-STATE.99999");
	cr_assert_neq(stat(p, &sb), 0);
	cr_assert_eq(save(r, "k", 2), 2);
	rmt_registry_close(r);
}

Test(registry, damaged_files_are_reported)
{
	struct rmt_registry *r = open_agent();
	struct rmt_reg_entry *e;
	struct rmt_reg_state st;
	struct rmt_reg_meta m;
	char p[1200];
	size_t n, len;
	u8 *blob;
	int fd;

	save(r, "k", 1);
	save(r, "k", 2);
	save(r, "k", 3);
	file_path(p, sizeof(p), "k", "v000001.rmtm");
	cr_assert_eq(truncate(p, 20), 0);
	file_path(p, sizeof(p), "k", "v000002.rmtm");
	fd = open(p, O_WRONLY);
	cr_assert_eq(pwrite(fd, "\xff", 1, 60), 1);
	close(fd);
	file_path(p, sizeof(p), "k", "v000003.meta");
	write_file(p, "rmt-model-meta 1\nkey k\nversion 3\nbogus 1\n");
	cr_assert_eq(rmt_registry_list(r, "k", &e, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 3);
	cr_assert(strstr(e[0].error, "v000001.rmtm: 20 bytes") &&
			  strstr(e[0].error, "truncated"),
		  "%s", e[0].error);
	/* Same size: only a full load sees it. */
	cr_assert_str_eq(e[1].error, "");
	cr_assert(strstr(e[2].error,
			 "v000003.meta: line 4: unknown field 'bogus'"),
		  "%s", e[2].error);
	cr_assert_eq(e[2].meta.version, 3);
	free(e);
	cr_assert_eq(
		rmt_registry_load(r, "k", 1, &blob, &len, &m, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "v000001.rmtm: 20 bytes"), "%s", err);
	cr_assert_eq(
		rmt_registry_load(r, "k", 2, &blob, &len, &m, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "v000002.rmtm: checksum mismatch"), "%s", err);
	cr_assert_eq(
		rmt_registry_load(r, "k", 3, &blob, &len, &m, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "v000003.meta: line 4"), "%s", err);
	file_path(p, sizeof(p), "k", "v000002.rmtm");
	cr_assert_eq(unlink(p), 0);
	cr_assert_eq(
		rmt_registry_load(r, "k", 2, &blob, &len, &m, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "v000002.rmtm: No such file"), "%s", err);
	/* Metadata copied from another key or version. */
	file_path(p, sizeof(p), "k", "v000003.meta");
	write_file(p, "");
	cr_assert_eq(
		rmt_registry_load(r, "k", 3, &blob, &len, &m, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "line 1: expected 'rmt-model-meta 1'"), "%s",
		  err);
	file_path(p, sizeof(p), "k", "STATE");
	write_file(p,
		   "rmt-registry-state 1\nserial 1\npinned 0\nhistory 1 1\n");
	cr_assert_eq(rmt_registry_state(r, "k", &st, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "STATE: line 4: version 1 twice"), "%s", err);
	cr_assert_eq(rmt_registry_list(r, NULL, &e, &n, err, sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "STATE"), "%s", err);
	rmt_registry_close(r);
}

Test(registry, metadata_of_another_version)
{
	struct rmt_registry *r = open_agent();
	struct rmt_reg_meta m;
	char a[1200], b[1200];
	size_t len;
	u8 *blob;

	save(r, "k", 1);
	save(r, "k", 2);
	save(r, "j", 1);
	file_path(a, sizeof(a), "k", "v000001.meta");
	file_path(b, sizeof(b), "k", "v000002.meta");
	cr_assert_eq(rename(a, b), 0);
	cr_assert_eq(
		rmt_registry_load(r, "k", 2, &blob, &len, &m, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "v000002.meta: says version 1"), "%s", err);
	file_path(a, sizeof(a), "j", "v000001.meta");
	cr_assert_eq(rename(a, b), 0);
	cr_assert_eq(
		rmt_registry_load(r, "k", 2, &blob, &len, &m, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "belongs to key 'j'"), "%s", err);
	rmt_registry_close(r);
}

Test(registry, keys_stay_inside)
{
	static const char *const keys[] = {
		"../x",	     "..",     ".",   "/etc/passwd",
		"a/../../b", "a%2Fb",  "a/b", "/sys/fs/cgroup/user.slice",
		".hidden",   "sp ace",
	};
	struct rmt_registry *r = open_agent();
	struct rmt_reg_entry *e;
	char p[1200], longkey[RMT_REG_KEY_MAX + 2];
	struct rmt_reg_meta m = { 0 };
	struct stat sb;
	size_t i, n, j, len;
	u8 *blob = test_model(1, &len);
	u32 v;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		cr_assert_eq(save(r, keys[i], (s32)i), 1, "%s", keys[i]);
	snprintf(p, sizeof(p), "%s/x", dir);
	cr_assert_neq(stat(p, &sb), 0);
	snprintf(p, sizeof(p), "%s/b", dir);
	cr_assert_neq(stat(p, &sb), 0);
	cr_assert_eq(rmt_registry_list(r, NULL, &e, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, sizeof(keys) / sizeof(keys[0]));
	/* Every key comes back as itself, with its own model. */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		for (j = 0; j < n && strcmp(e[j].key, keys[i]); j++)
			;
		cr_assert_lt(j, n, "%s", keys[i]);
		cr_assert_eq(e[j].meta.candidate_ppm, 900000 + i);
	}
	free(e);
	cr_assert_eq(
		rmt_registry_save(r, "", blob, len, &m, &v, err, sizeof(err)),
		-EINVAL);
	cr_assert(strstr(err, "empty key"), "%s", err);
	cr_assert_eq(rmt_registry_save(r, "a\nb", blob, len, &m, &v, err,
				       sizeof(err)),
		     -EINVAL);
	cr_assert(strstr(err, "control character"), "%s", err);
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = 0;
	cr_assert_eq(rmt_registry_save(r, longkey, blob, len, &m, &v, err,
				       sizeof(err)),
		     -ENAMETOOLONG);
	/* 100 slashes would need a 300-byte file name. */
	memset(longkey, '/', 100);
	longkey[100] = 0;
	cr_assert_eq(rmt_registry_save(r, longkey, blob, len, &m, &v, err,
				       sizeof(err)),
		     -ENAMETOOLONG);
	cr_assert(strstr(err, "file name would take 300 bytes"), "%s", err);
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[RMT_REG_KEY_MAX] = 0;
	cr_assert_eq(rmt_registry_save(r, longkey, blob, len, &m, &v, err,
				       sizeof(err)),
		     0, "%s", err);
	/* Only an encoded key's directory counts as one. */
	snprintf(p, sizeof(p), "%s/keys/stray%%2f", reg_dir);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/keys/file", reg_dir);
	write_file(p, "not a key");
	cr_assert_eq(rmt_registry_list(r, NULL, &e, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, sizeof(keys) / sizeof(keys[0]) + 1);
	free(e);
	free(blob);
	rmt_registry_close(r);
}

struct saver {
	struct rmt_registry *r;
	u32 saved[40];
	char err[600];
	int ret;
};

/* Saves 40 versions, making each current, through a shared handle. */
static void *saver(void *arg)
{
	struct saver *s = arg;
	struct rmt_reg_meta m;
	size_t len;
	u8 *blob = test_model(3, &len);
	int i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < 40 && !s->ret; i++) {
		s->ret =
			rmt_registry_save(s->r, "k", blob, len, &m,
					  &s->saved[i], s->err, sizeof(s->err));
		if (!s->ret)
			s->ret = rmt_registry_set_current(
				s->r, "k", s->saved[i], s->err, sizeof(s->err));
	}
	free(blob);
	return NULL;
}

Test(registry, threads_share_a_handle)
{
	struct rmt_registry *r = open_agent();
	struct saver s[2] = { { .r = r }, { .r = r } };
	struct rmt_reg_state st;
	struct rmt_reg_entry *e;
	pthread_t t[2];
	size_t n, i, j;

	for (i = 0; i < 2; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, saver, &s[i]), 0);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(s[i].ret, 0, "%s", s[i].err);
	}
	/* 80 distinct versions, and not one state change lost. */
	cr_assert_eq(rmt_registry_list(r, "k", &e, &n, err, sizeof(err)), 0);
	cr_assert_eq(n, 80);
	for (i = 0; i < n; i++) {
		cr_assert_eq(e[i].meta.version, i + 1);
		cr_assert_str_eq(e[i].error, "");
	}
	free(e);
	for (i = 0; i < 2; i++)
		for (j = 1; j < 40; j++)
			cr_assert_gt(s[i].saved[j], s[i].saved[j - 1]);
	cr_assert_eq(rmt_registry_state(r, "k", &st, err, sizeof(err)), 0);
	cr_assert_eq(st.serial, 80);
	rmt_registry_close(r);
}

/*
 * An agent killed at random points while it saves and changes state: a
 * new agent opens the registry, and every version it lists loads.  On a
 * loaded machine the writer may not have saved anything by the eighth
 * kill (it had not, once, pinned to a CPU beside busy loops): the kills
 * go on, each later than the last, until it has.
 */
#define KILL_ROUNDS 8
#define MAX_KILL_ROUNDS 50

Test(registry, killed_writer, .timeout = 60)
{
	struct rmt_registry *r;
	struct rmt_reg_entry *e;
	struct rmt_reg_meta m;
	struct rmt_reg_state st;
	size_t n = 0, i, len;
	int round, status;
	u8 *blob;

	for (round = 0; round < KILL_ROUNDS || !n; round++) {
		pid_t child;

		cr_assert_lt(round, MAX_KILL_ROUNDS,
			     "the writer saved nothing before %d kills", round);
		child = fork();
		cr_assert_geq(child, 0);
		if (!child) {
			s32 t;

			r = open_agent();
			for (t = 0;; t++) {
				u32 v = save(r, "k", t);

				rmt_registry_set_current(r, "k", v, err,
							 sizeof(err));
			}
		}
		usleep(2000 + 3000 * (unsigned int)round);
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
		r = open_agent();
		cr_assert_eq(
			rmt_registry_list(r, NULL, &e, &n, err, sizeof(err)), 0,
			"%s", err);
		for (i = 0; i < n; i++) {
			cr_assert_str_eq(e[i].error, "");
			cr_assert_eq(rmt_registry_load(
					     r, "k", e[i].meta.version, &blob,
					     &len, &m, err, sizeof(err)),
				     0, "%s", err);
			free(blob);
		}
		free(e);
		cr_assert_eq(rmt_registry_state(r, "k", &st, err, sizeof(err)),
			     0, "%s", err);
		rmt_registry_close(r);
	}
	/* The writer got somewhere before its last kill. */
	cr_assert_gt(n, 0);
}
