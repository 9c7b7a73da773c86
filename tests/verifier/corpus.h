/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * corpus.h - the verifier's table-driven corpus: for every check, programs
 * (conformance assembly syntax) that must be rejected with a given message
 * and close variants that must be accepted.  Shared by the corpus test and
 * the fuzzers (as seeds).
 */
#ifndef RMT_TESTS_VERIFIER_CORPUS_H
#define RMT_TESTS_VERIFIER_CORPUS_H

#include <stddef.h>

struct rmt_vcase {
	const char *name;
	const char *hook;
	const char *text;
	const char *reject; /* expected log substring; NULL: accepted */
};

extern const struct rmt_vcase rmt_vcorpus[];
extern const size_t rmt_vcorpus_len;

#endif /* RMT_TESTS_VERIFIER_CORPUS_H */
