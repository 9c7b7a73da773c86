/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * control.h - the user-space datapath's control channel: a thread in the
 * pager's process, or the faulting threads themselves between faults
 * (rmt_us_ctl_service), read the agent -> datapath command ring (model
 * blobs in chunks, commands), checks everything it reads and answers each
 * command and each whole blob with an RMT_MSG_REPLY on the datapath ->
 * agent event ring.  A model blob is reassembled, its CRC32C checked,
 * parsed by mlib, verified against the swap_fault hook's model policy
 * (below) and installed into the prefetcher's model slot; anything
 * malformed is answered with an error and a reason and never applied.
 */
#ifndef RMT_US_CONTROL_H
#define RMT_US_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlib/model.h"
#include "uspace/stats.h"

/* The command ring: 1 MiB of data, chunks of up to 16 KiB of blob. */
#define RMT_US_CMD_RING_DATA (1u << 20)
#define RMT_US_CMD_MAX_PAYLOAD (32u << 10)
#define RMT_US_BLOB_CHUNK (16u << 10)
/* How often the program's counters are copied for viewers. */
#define RMT_US_SNAP_INTERVAL_NS 200000000ull

/* The swap_fault hook's model policy, what the verifier admits. */
#define RMT_US_MODEL_MAX_DEPTH 24u
#define RMT_US_MODEL_MAX_VISITS 1024u
#define RMT_US_MODEL_MAX_CLASSES 64

/* Where models go: the running prefetcher's model slots. */
struct rmt_us_ctl_target {
	void *priv;
	/* 0 and the inputs a model in slot must read, -ENOENT: no slot */
	int (*slot_inputs)(void *priv, uint32_t slot, uint32_t *n_in);
	/* Install m (NULL: empty) and free the old one after a grace. */
	int (*set_model)(void *priv, uint32_t slot, struct rmt_model *m);
	/* Copy the running program's counters (NULL: none to show). */
	void (*snapshot)(void *priv, struct rmt_us_pipe_snap *snap);
};

struct rmt_us_ctl_config {
	void *cmd_mem; /* the command ring, consumed here */
	size_t cmd_len;
	/* Puts a reply on the event ring (the pager's producer). */
	int (*reply)(void *arg, const void *rec, uint32_t len);
	void *reply_arg;
	struct rmt_us_stats *stats;
	struct rmt_us_ctl_target target; /* functions NULL: no slots */
	const char *prefetcher; /* its name, for replies */
};

struct rmt_us_ctl;

/* Attaches to the ring; a thread when start is true (else poll by hand). */
int rmt_us_ctl_create(const struct rmt_us_ctl_config *c, bool start,
		      struct rmt_us_ctl **out);
/* Stops the thread; a blob half received is dropped. */
void rmt_us_ctl_destroy(struct rmt_us_ctl *ctl);
/* Handle every record in the ring now: how many, or a negative errno. */
int rmt_us_ctl_poll(struct rmt_us_ctl *ctl);
/*
 * The same from a faulting thread, after its fault (now: its time): at
 * most every half millisecond, by one thread at a time (others return 0
 * at once), with the viewers' snapshot.  It takes no lock that the
 * interrupted code could hold and touches no far memory, so it may run
 * in the pager's SIGBUS handler; a model blob's buffer comes from malloc,
 * which the program's far-memory accesses never interrupt.
 */
int rmt_us_ctl_service(struct rmt_us_ctl *ctl, uint64_t now);

#endif /* RMT_US_CONTROL_H */
