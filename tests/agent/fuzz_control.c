// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fuzz_control.c - libFuzzer target: the datapath's control thread
 * (uspace/control.h) reading what an agent gone bad writes on the command
 * ring, in front of slot.rmt.  The first byte picks the mode: the rest
 * is a series of records (u8 type, u16 length, payload), or one model
 * blob sent as correct chunks with the right CRC32C (so that the model
 * parser and the verifier see arbitrary models).  Every reply must pass
 * rmt_msg_check; nothing may crash or leak.
 */
#include <stdlib.h>
#include <string.h>

#include "proto/crc32c.h"
#include "proto/msg.h"
#include "proto/ring.h"
#include "uspace/control.h"
#include "uspace/rmt_prefetch.h"

#define RING_DATA (1u << 16)

int LLVMFuzzerTestOneInput(const u8 *in, size_t n);

static struct rmt_us_rmt_pf *pf;
static struct rmt_us_stats st;
static u64 cmd_mem[(RMT_RING_HDR_SIZE + RING_DATA) / 8];
static u64 ev_mem[(RMT_RING_HDR_SIZE + RING_DATA) / 8];
static struct rmt_ring_prod cmd, ev;
static struct rmt_ring_cons ev_cons;

static int put_reply(void *arg, const void *rec, uint32_t len)
{
	return rmt_ring_produce(&ev, RMT_MSG_REPLY, rec, len);
}

static void check_replies(void)
{
	u64 buf[32];
	u16 type;
	int r;

	while ((r = rmt_ring_consume(&ev_cons, &type, buf, sizeof(buf))) > 0)
		if (type != RMT_MSG_REPLY || rmt_msg_check(type, buf, (u32)r))
			abort();
}

static void records(struct rmt_us_ctl *ctl, const u8 *in, size_t n)
{
	static const u16 types[4] = { RMT_MSG_MODEL_BLOB, RMT_MSG_COMMAND,
				      RMT_MSG_TABLE_ENTRY, 99 };
	u8 buf[4096];

	while (n >= 3) {
		u16 type = types[in[0] & 3];
		u32 len = (u32)(in[1] | in[2] << 8) % sizeof(buf);

		in += 3;
		n -= 3;
		if (len > n)
			len = (u32)n;
		memcpy(buf, in, len);
		in += len;
		n -= len;
		if (rmt_ring_produce(&cmd, type, buf, len))
			break;
		rmt_us_ctl_poll(ctl);
		check_replies();
	}
}

static void blob(struct rmt_us_ctl *ctl, const u8 *in, size_t n)
{
	u8 rec[sizeof(struct rmt_msg_model_blob) + 1024];
	struct rmt_msg_model_blob h = { .model_id = 1,
					.seq = 1,
					.format_version = 1,
					.total_len = (u32)n,
					.crc32c = rmt_crc32c(0, in, n) };
	u32 off = 0, k;

	while (off < n) {
		k = (u32)n - off < 1024 ? (u32)n - off : 1024;
		h.offset = off;
		h.chunk_len = k;
		memcpy(rec, &h, sizeof(h));
		memcpy(rec + sizeof(h), in + off, k);
		if (rmt_ring_produce(&cmd, RMT_MSG_MODEL_BLOB, rec,
				     (u32)sizeof(h) + k))
			break;
		off += k;
		rmt_us_ctl_poll(ctl);
		check_replies();
	}
}

int LLVMFuzzerTestOneInput(const u8 *in, size_t n)
{
	struct rmt_us_ctl_config cc = { .reply = put_reply,
					.stats = &st,
					.prefetcher = "slot.rmt" };
	struct rmt_us_ctl *ctl;
	char err[256];

	if (!pf &&
	    rmt_us_rmt_pf_open(RMT_TEST_DIR "/slot.rmt", &pf, err, sizeof(err)))
		abort();
	if (n < 1 || n > 60000)
		return 0;
	rmt_ring_format(cmd_mem, sizeof(cmd_mem), RING_DATA, RING_DATA / 4);
	rmt_ring_format(ev_mem, sizeof(ev_mem), RING_DATA, 256);
	if (rmt_ring_prod_attach(&cmd, cmd_mem, sizeof(cmd_mem)) ||
	    rmt_ring_prod_attach(&ev, ev_mem, sizeof(ev_mem)) ||
	    rmt_ring_cons_attach(&ev_cons, ev_mem, sizeof(ev_mem)))
		abort();
	cc.cmd_mem = cmd_mem;
	cc.cmd_len = sizeof(cmd_mem);
	cc.target.priv = pf;
	cc.target.slot_inputs = rmt_us_rmt_pf_slot_inputs;
	cc.target.set_model = rmt_us_rmt_pf_install_model;
	if (rmt_us_ctl_create(&cc, false, &ctl))
		abort();
	if (in[0] & 1)
		blob(ctl, in + 1, n - 1);
	else
		records(ctl, in + 1, n - 1);
	rmt_us_ctl_destroy(ctl);
	return 0;
}
