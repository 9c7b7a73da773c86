// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * stats.c - derived metrics (coverage, accuracy, percentiles) and the
 * report formats of the pager's statistics, as defined in
 * PREFETCH_BASELINES.md: coverage = H / (H + M), accuracy = H / P,
 * unused = P - H left unused (evicted, or still staged at the end).
 */
#include <string.h>

#include "uspace/stats.h"

static const char *const kind_names[RMT_US_KINDS] = { "first_touch", "miss",
						      "hit", "ref" };

void rmt_us_stats_init(struct rmt_us_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->magic = RMT_US_STATS_MAGIC;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

void rmt_us_stats_summary(const struct rmt_us_stats *s,
			  struct rmt_us_summary *out)
{
	out->hits = s->hits;
	out->misses = s->misses;
	out->faults = s->hits + s->misses;
	out->prefetched = s->prefetched;
	out->unused = s->unused_evicted + s->staged_now;
	out->coverage = ratio(s->hits, s->hits + s->misses);
	out->accuracy = ratio(s->hits, s->prefetched);
	out->timeliness = ratio(s->hits - s->late_hits, s->hits);
	out->fault_p50_us = rmt_us_hist_percentile(&s->fault_lat, 500) / 1e3;
	out->fault_p99_us = rmt_us_hist_percentile(&s->fault_lat, 990) / 1e3;
}

void rmt_us_stats_print(FILE *f, const struct rmt_us_stats *s, double wall_s,
			unsigned int models_installed)
{
	struct rmt_us_summary m;
	int k;

	rmt_us_stats_summary(s, &m);
	fprintf(f,
		"rmt: far memory %.1f MiB, limit %.1f MiB, peak resident "
		"%.1f MiB\n",
		s->far_bytes / 1048576.0, s->limit_pages * 4096 / 1048576.0,
		s->peak_resident * 4096 / 1048576.0);
	fprintf(f,
		"rmt: first-touch %llu, reference faults %llu, evictions "
		"%llu, late hits %llu (timeliness %.3f), hook errors %llu, "
		"ring drops %llu\n",
		(unsigned long long)s->first_touch,
		(unsigned long long)s->ref_faults,
		(unsigned long long)s->evictions,
		(unsigned long long)s->late_hits, m.timeliness,
		(unsigned long long)s->hook_errors,
		(unsigned long long)s->ring_dropped);
	for (k = 0; k < RMT_US_KINDS; k++)
		if (s->kind_count[k])
			fprintf(f,
				"rmt: %s faults %llu, %.2f us each in the "
				"pager\n",
				kind_names[k],
				(unsigned long long)s->kind_count[k],
				(double)s->kind_ns[k] / s->kind_count[k] / 1e3);
	if (s->deactivations)
		fprintf(f,
			"rmt: %llu deactivations, %.2f us per page: %llu moved "
			"to far memory, %llu write-protected, copied and "
			"unmapped (pages %s)\n",
			(unsigned long long)s->deactivations,
			(double)s->evict_ns / s->deactivations / 1e3,
			(unsigned long long)s->moved_out,
			(unsigned long long)(s->deactivations - s->moved_out),
			s->evict_moves ? "move" : "are copied");
	if (s->gone_at_eviction)
		fprintf(f,
			"rmt: %llu pages had left local memory before their "
			"eviction: moved by a UFFDIO_MOVE that reported "
			"otherwise, or discarded by the program\n",
			(unsigned long long)s->gone_at_eviction);
	if (s->setup_ns)
		fprintf(f,
			"rmt: datapath setup %.1f ms (pager, programs verified "
			"and compiled) before the program started, not in "
			"wall_s\n",
			(double)s->setup_ns / 1e6);
	if (s->first_model_ns)
		fprintf(f, "rmt: first model installed %.1f ms into the run\n",
			(double)s->first_model_ns / 1e6);
	if (s->program_cpu_ns || s->runner_cpu_ns)
		fprintf(f,
			"rmt: CPU time: the program %.1f ms (preempted %llu "
			"times); beside it, rmt-run's agent or fault-ring "
			"drainer %.1f ms\n",
			(double)s->program_cpu_ns / 1e6,
			(unsigned long long)s->program_preempted,
			(double)s->runner_cpu_ns / 1e6);
	if (s->hook_calls)
		fprintf(f,
			"rmt: swap_fault hook %llu calls, %.2f us each; "
			"staging its prefetches %.2f us per page\n",
			(unsigned long long)s->hook_calls,
			(double)s->hook_ns / s->hook_calls / 1e3,
			s->prefetched ?
				(double)s->prefetch_ns / s->prefetched / 1e3 :
				0.0);
	fprintf(f,
		"RESULT faults=%llu hits=%llu misses=%llu prefetched=%llu "
		"unused=%llu coverage=%.4f accuracy=%.4f fault_p50_us=%.2f "
		"fault_p99_us=%.2f wall_s=%.3f models_installed=%u\n",
		(unsigned long long)m.faults, (unsigned long long)m.hits,
		(unsigned long long)m.misses, (unsigned long long)m.prefetched,
		(unsigned long long)m.unused, m.coverage, m.accuracy,
		m.fault_p50_us, m.fault_p99_us, wall_s, models_installed);
}

void rmt_us_stats_json(FILE *f, const struct rmt_us_stats *s, double wall_s,
		       unsigned int models_installed)
{
	struct rmt_us_summary m;
	int k;

	rmt_us_stats_summary(s, &m);
	fprintf(f,
		"{\"faults\": %llu, \"hits\": %llu, \"misses\": %llu, "
		"\"prefetched\": %llu, \"unused\": %llu, \"coverage\": %.6f, "
		"\"accuracy\": %.6f, \"timeliness\": %.6f, "
		"\"fault_p50_us\": %.3f, \"fault_p99_us\": %.3f, "
		"\"wall_s\": %.6f, \"models_installed\": %u, ",
		(unsigned long long)m.faults, (unsigned long long)m.hits,
		(unsigned long long)m.misses, (unsigned long long)m.prefetched,
		(unsigned long long)m.unused, m.coverage, m.accuracy,
		m.timeliness, m.fault_p50_us, m.fault_p99_us, wall_s,
		models_installed);
	fprintf(f,
		"\"late_hits\": %llu, \"first_touch\": %llu, "
		"\"ref_faults\": %llu, \"evictions\": %llu, "
		"\"deactivations\": %llu, \"moved_out\": %llu, "
		"\"gone_at_eviction\": %llu, \"evict_moves\": %llu, "
		"\"hook_calls\": %llu, \"hook_errors\": %llu, "
		"\"prefetch_skipped\": %llu, \"wp_faults\": %llu, "
		"\"ring_dropped\": %llu, \"first_model_ms\": %.3f, "
		"\"program_cpu_ms\": %.3f, \"runner_cpu_ms\": %.3f, "
		"\"program_preempted\": %llu, "
		"\"limit_pages\": %llu, \"peak_resident_pages\": %llu, "
		"\"far_bytes\": %llu, \"pager_ns\": {",
		(unsigned long long)s->late_hits,
		(unsigned long long)s->first_touch,
		(unsigned long long)s->ref_faults,
		(unsigned long long)s->evictions,
		(unsigned long long)s->deactivations,
		(unsigned long long)s->moved_out,
		(unsigned long long)s->gone_at_eviction,
		(unsigned long long)s->evict_moves,
		(unsigned long long)s->hook_calls,
		(unsigned long long)s->hook_errors,
		(unsigned long long)s->prefetch_skipped,
		(unsigned long long)s->wp_faults,
		(unsigned long long)s->ring_dropped,
		(double)s->first_model_ns / 1e6,
		(double)s->program_cpu_ns / 1e6, (double)s->runner_cpu_ns / 1e6,
		(unsigned long long)s->program_preempted,
		(unsigned long long)s->limit_pages,
		(unsigned long long)s->peak_resident,
		(unsigned long long)s->far_bytes);
	for (k = 0; k < RMT_US_KINDS; k++)
		fprintf(f, "%s\"%s\": [%llu, %llu]", k ? ", " : "",
			kind_names[k], (unsigned long long)s->kind_count[k],
			(unsigned long long)s->kind_ns[k]);
	fprintf(f,
		"}, \"evict_ns\": %llu, \"hook_ns\": %llu, "
		"\"prefetch_ns\": %llu, \"setup_ns\": %llu}\n",
		(unsigned long long)s->evict_ns, (unsigned long long)s->hook_ns,
		(unsigned long long)s->prefetch_ns,
		(unsigned long long)s->setup_ns);
}
