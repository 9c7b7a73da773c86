// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fake_learn.c - a stand-in for agent/learn.h in the loop's tests: it
 * counts the events it is fed, is due every first_model_faults events,
 * and "trains" a one-leaf tree over slot.rmt's two features whose class
 * (pages to prefetch) is fake_learn_class; it promotes while
 * fake_learn_promote is set, and says it ran on its backend's kind.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backend.h"
#include "agent/learn.h"
#include "mlib/train/writer.h"
#include "tests/agent/fake_learn.h"

volatile int fake_learn_class = 3;
volatile int fake_learn_promote = 1;

struct rmt_learner {
	struct rmt_learner_config c;
	pthread_mutex_t lock;
	u64 events, trained_at, next_id, installed;
};

void rmt_learner_set_backend(struct rmt_learner *l, struct rmt_backend *b)
{
	l->c.backend = b;
}

const char *rmt_learner_config_error(const struct rmt_learner_config *c)
{
	return c->retrain_max_faults == 1 ? "a fake refusal" : NULL;
}

int rmt_learner_create(const struct rmt_learner_config *c,
		       struct rmt_learner **out)
{
	struct rmt_learner *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->c = *c;
	if (!l->c.first_model_faults)
		l->c.first_model_faults = 500;
	pthread_mutex_init(&l->lock, NULL);
	*out = l;
	return 0;
}

void rmt_learner_destroy(struct rmt_learner *l)
{
	free(l);
}

void rmt_learner_ingest(struct rmt_learner *l, const struct rmt_msg_fault *ev,
			unsigned int n)
{
	pthread_mutex_lock(&l->lock);
	l->events += n;
	pthread_mutex_unlock(&l->lock);
}

bool rmt_learner_due(const struct rmt_learner *l)
{
	struct rmt_learner *m = (struct rmt_learner *)l;
	bool due;

	pthread_mutex_lock(&m->lock);
	due = l->events - l->trained_at >= l->c.first_model_faults;
	pthread_mutex_unlock(&m->lock);
	return due;
}

int rmt_learner_train(struct rmt_learner *l, struct rmt_learner_result *res)
{
	struct rmt_tree_node leaf = { RMT_TREE_LEAF, 65535, fake_learn_class, 0,
				      0 };
	struct rmt_tree t = { 1, 0, &leaf };
	struct rmt_model m;
	int err;

	memset(&m, 0, sizeof(m));
	m.type = RMT_MODEL_TREE;
	m.n_features = 2;
	m.n_classes = 16;
	m.n_trees = 1;
	m.trees = &t;
	pthread_mutex_lock(&l->lock);
	l->trained_at = l->events;
	res->model_id = ++l->next_id;
	pthread_mutex_unlock(&l->lock);
	err = rmt_model_write(&m, &res->blob, &res->blob_len);
	if (err)
		return err;
	snprintf(res->ran_on, sizeof(res->ran_on), "%s",
		 l->c.backend ? rmt_backend_info(l->c.backend)->name :
				"the trainer's thread");
	res->promote = fake_learn_promote;
	res->candidate_ppm = 900000;
	strcpy(res->why,
	       fake_learn_promote ? "promoted: fake" : "rejected: fake");
	return 0;
}

void rmt_learner_installed(struct rmt_learner *l, u64 model_id, bool installed)
{
	pthread_mutex_lock(&l->lock);
	l->installed = installed ? model_id : 0;
	pthread_mutex_unlock(&l->lock);
}
