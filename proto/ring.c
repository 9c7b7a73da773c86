// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * ring.c - the cold half of the ring: formatting shared memory, attaching
 * either side with its header validated, and validating a peer's position.
 * The hot half is inline in ring.h.
 */
#include "proto/ring.h"

int rmt_ring_format(void *mem, size_t mem_size, u32 data_size, u32 max_payload)
{
	struct rmt_ring_shared *sh = mem;

	if (!mem || !RMT_IS_POW2(data_size) || data_size < RMT_RING_MIN_SIZE ||
	    data_size > RMT_RING_MAX_SIZE)
		return -EINVAL;
	if (mem_size < rmt_ring_mem_size(data_size))
		return -EINVAL;
	if (max_payload == 0 || max_payload > data_size / 4)
		return -EINVAL;
	memset(sh, 0, sizeof(*sh));
	sh->magic = RMT_RING_MAGIC;
	sh->version = RMT_RING_VERSION;
	sh->hdr_size = RMT_RING_HDR_SIZE;
	sh->data_size = data_size;
	sh->max_payload = max_payload;
	return 0;
}

/* Read the constants once and check them against the mapping's size. */
static int ring_read_consts(const struct rmt_ring_shared *sh, size_t mem_size,
			    u32 *size, u32 *max_payload)
{
	u32 magic = RMT_READ_ONCE(sh->magic);
	u32 version = RMT_READ_ONCE(sh->version);
	u32 hdr = RMT_READ_ONCE(sh->hdr_size);

	*size = RMT_READ_ONCE(sh->data_size);
	*max_payload = RMT_READ_ONCE(sh->max_payload);
	if (magic != RMT_RING_MAGIC || hdr != RMT_RING_HDR_SIZE)
		return -EBADMSG;
	if (version != RMT_RING_VERSION)
		return -EPROTONOSUPPORT;
	if (!RMT_IS_POW2(*size) || *size < RMT_RING_MIN_SIZE ||
	    *size > RMT_RING_MAX_SIZE || mem_size < rmt_ring_mem_size(*size))
		return -EBADMSG;
	if (*max_payload == 0 || *max_payload > *size / 4)
		return -EBADMSG;
	return 0;
}

/* A peer's position is sane if aligned and within one ring of ours. */
static bool ring_pos_sane(u64 earlier, u64 later, u32 size)
{
	return (later & (RMT_REC_ALIGN - 1)) == 0 && later - earlier <= size;
}

int rmt_ring_prod_attach(struct rmt_ring_prod *p, void *mem, size_t mem_size)
{
	struct rmt_ring_shared *sh = mem;
	u64 prod, cons;
	int err;

	memset(p, 0, sizeof(*p));
	if (!mem || mem_size < RMT_RING_HDR_SIZE)
		return -EINVAL;
	err = ring_read_consts(sh, mem_size, &p->size, &p->max_payload);
	if (err)
		return err;
	prod = RMT_READ_ONCE(sh->prod_pos);
	cons = rmt_load_acquire(&sh->cons_pos);
	if ((prod & (RMT_REC_ALIGN - 1)) || !ring_pos_sane(cons, prod, p->size))
		return -EBADMSG;
	p->sh = sh;
	p->data = (u8 *)mem + RMT_RING_HDR_SIZE;
	p->mask = p->size - 1;
	p->head = prod;
	p->committed = prod;
	p->cons_seen = cons;
	p->dropped = RMT_READ_ONCE(sh->dropped);
	return 0;
}

int rmt_ring_cons_attach(struct rmt_ring_cons *c, void *mem, size_t mem_size)
{
	struct rmt_ring_shared *sh = mem;
	u64 prod, cons;
	int err;

	memset(c, 0, sizeof(*c));
	if (!mem || mem_size < RMT_RING_HDR_SIZE)
		return -EINVAL;
	err = ring_read_consts(sh, mem_size, &c->size, &c->max_payload);
	if (err)
		return err;
	cons = RMT_READ_ONCE(sh->cons_pos);
	prod = rmt_load_acquire(&sh->prod_pos);
	if ((cons & (RMT_REC_ALIGN - 1)) || !ring_pos_sane(cons, prod, c->size))
		return -EBADMSG;
	c->sh = sh;
	c->data = (const u8 *)mem + RMT_RING_HDR_SIZE;
	c->mask = c->size - 1;
	c->tail = cons;
	c->prod_seen = cons;
	return 0;
}

/* Reload the consumer's position; -EBADMSG if the peer's value is insane. */
int rmt_ring_prod_refresh(struct rmt_ring_prod *p)
{
	u64 cons = rmt_load_acquire(&p->sh->cons_pos);

	/* The consumer can only be behind our head, by at most one ring. */
	if (!ring_pos_sane(cons, p->head, p->size) ||
	    (cons & (RMT_REC_ALIGN - 1)) || cons - p->cons_seen > p->size) {
		p->errors++;
		RMT_WRITE_ONCE(p->sh->prod_errors, p->errors);
		return -EBADMSG;
	}
	p->cons_seen = cons;
	return 0;
}

/* 1 if records are available, 0 if empty, -EBADMSG on an insane peer. */
int rmt_ring_cons_refresh(struct rmt_ring_cons *c)
{
	u64 prod = rmt_load_acquire(&c->sh->prod_pos);

	if (prod == c->tail)
		return 0;
	if (!ring_pos_sane(c->tail, prod, c->size) ||
	    prod - c->prod_seen > c->size) {
		rmt_ring_cons_fail(c);
		return -EBADMSG;
	}
	c->prod_seen = prod;
	return 1;
}

void rmt_ring_cons_fail(struct rmt_ring_cons *c)
{
	c->broken = true;
	c->errors++;
	RMT_WRITE_ONCE(c->sh->cons_errors, c->errors);
}

/*
 * After corruption: abandon whatever lies between our position and the
 * producer's (it cannot be parsed reliably) and continue from the
 * producer's current position.  The abandoned bytes are accounted as one
 * error already; the producer's dropped counter is unaffected.
 */
void rmt_ring_cons_resync(struct rmt_ring_cons *c)
{
	u64 prod = rmt_load_acquire(&c->sh->prod_pos);

	c->tail = prod & ~(u64)(RMT_REC_ALIGN - 1);
	c->prod_seen = c->tail;
	c->broken = false;
	rmt_ring_release(c);
}
