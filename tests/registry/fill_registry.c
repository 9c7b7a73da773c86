// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fill_registry.c - registry-fill DIR KEY N [hold]: saves N versions of
 * a small tree model under KEY as an agent would (the last one current),
 * for the rmtctl models test; with "hold" it then keeps the agent's lock
 * until its standard input closes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/registry.h"
#include "tests/registry/helpers.h"

int main(int argc, char **argv)
{
	struct rmt_registry *r;
	struct rmt_reg_meta m;
	char err[600];
	int i, n;

	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "hold"))) {
		fprintf(stderr, "usage: registry-fill DIR KEY N [hold]\n");
		return 2;
	}
	n = atoi(argv[3]);
	if (rmt_registry_open(argv[1], RMT_REG_CREATE | RMT_REG_AGENT, &r, err,
			      sizeof(err))) {
		fprintf(stderr, "registry-fill: %s\n", err);
		return 1;
	}
	for (i = 0; i < n; i++) {
		size_t len;
		u8 *blob = test_model(i, &len);
		u32 v;

		memset(&m, 0, sizeof(m));
		m.model_id = (u64)i + 1;
		m.first_event_ns = 1000000u * (u64)i;
		m.last_event_ns = m.first_event_ns + 999999u;
		m.train_samples = 4000;
		m.heldout_samples = 1000;
		m.candidate_ppm = 800000 + 10000 * (u32)(i % 20);
		m.installed_ppm = 790000;
		m.heuristic_ppm = 700000;
		snprintf(m.backend, sizeof(m.backend), "cpu");
		snprintf(m.device, sizeof(m.device), "2 threads");
		snprintf(m.reason, sizeof(m.reason), "promoted: round %d", i);
		if (rmt_registry_save(r, argv[2], blob, len, &m, &v, err,
				      sizeof(err)) ||
		    rmt_registry_set_current(r, argv[2], v, err, sizeof(err))) {
			fprintf(stderr, "registry-fill: %s\n", err);
			return 1;
		}
		free(blob);
	}
	if (argc == 5) {
		printf("holding\n");
		fflush(stdout);
		while (getchar() != EOF)
			;
	}
	rmt_registry_close(r);
	return 0;
}
