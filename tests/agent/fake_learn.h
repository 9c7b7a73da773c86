/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* fake_learn.h - knobs of the test learner (fake_learn.c). */
#ifndef RMT_TESTS_AGENT_FAKE_LEARN_H
#define RMT_TESTS_AGENT_FAKE_LEARN_H

extern volatile int fake_learn_class;
extern volatile int fake_learn_promote;

#endif /* RMT_TESTS_AGENT_FAKE_LEARN_H */
