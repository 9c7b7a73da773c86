/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * registry_format.h - the registry's small text files and names, apart
 * from the file system so the parsers can be fuzzed: a key's directory
 * name, a version's metadata file and a key's state file.
 *
 * Metadata (one "name value" per line, every line ends in a newline):
 *	rmt-model-meta 1
 *	key swap_fault/tgid-1234
 *	version 7
 *	model_id 12
 *	time_ns ...  first_event_ns ...  last_event_ns ...
 *	train_samples ...  heldout_samples ...
 *	candidate_ppm ...  installed_ppm ...  heuristic_ppm ...
 *	model_bytes ...
 *	backend cpu
 *	device 2 threads
 *	reason promoted: ...
 * State:
 *	rmt-registry-state 1
 *	serial 4
 *	pinned 0
 *	history 3 5 6
 */
#ifndef RMT_AGENT_REGISTRY_FORMAT_H
#define RMT_AGENT_REGISTRY_FORMAT_H

#include "agent/registry.h"

#define RMT_REG_TEXT_MAX 4096u /* largest metadata or state file */
/* An encoded key: every byte may become three. */
#define RMT_REG_NAME_MAX (3u * RMT_REG_KEY_MAX + 1u)
/* What a file name may take (NAME_MAX); a key whose name is longer is
 * refused. */
#define RMT_REG_ENC_MAX 255u

/*
 * A key as a file name: bytes other than [A-Za-z0-9_-.] become %XX, and
 * so does a leading '.', so "/" and ".." cannot occur.  Keys are 1 to
 * RMT_REG_KEY_MAX printable ASCII characters whose name takes at most
 * RMT_REG_ENC_MAX bytes.
 */
int rmt_reg_key_check(const char *key, char *err, size_t err_size);
void rmt_reg_key_encode(const char *key, char name[RMT_REG_NAME_MAX]);
/* The inverse; -EINVAL for a name encode() cannot have made. */
int rmt_reg_key_decode(const char *name, char key[RMT_REG_KEY_MAX + 1]);

/*
 * Text of a metadata or state file into buf[RMT_REG_TEXT_MAX]; returns
 * its length.  Characters of strings that are not printable become '?'.
 */
size_t rmt_reg_meta_format(const char *key, const struct rmt_reg_meta *m,
			   char *buf);
size_t rmt_reg_state_format(const struct rmt_reg_state *st, char *buf);

/* Strict parsers: the first problem is returned with its line number. */
int rmt_reg_meta_parse(const char *buf, size_t len,
		       char key[RMT_REG_KEY_MAX + 1], struct rmt_reg_meta *m,
		       char *err, size_t err_size);
int rmt_reg_state_parse(const char *buf, size_t len, struct rmt_reg_state *st,
			char *err, size_t err_size);

#endif /* RMT_AGENT_REGISTRY_FORMAT_H */
