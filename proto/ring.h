/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * ring.h - single-producer single-consumer ring of variable-length typed
 * records in shared memory, used between the kernel module and user space
 * and between user-space processes.
 *
 * Layout: a 512-byte header (constants, then a producer-owned and a
 * consumer-owned line pair) followed by a power-of-two data area.  Positions
 * are free-running byte counts.  A record is an 8-byte header (length, type,
 * check) and its payload, padded to 8 bytes; a record never straddles the
 * end of the data area, a pad record fills the tail instead.
 *
 * Trust: each side keeps private copies of the constants and of its own
 * position and re-validates every word the peer wrote (the peer's position
 * and every record header) against its private copies before use, reading
 * each shared word once.  A full ring drops the record and counts it.
 *
 * The hot-path calls are inline so that a constant payload size lets the
 * compiler inline the copy, as DPDK's rte_ring does.
 */
#ifndef RMT_PROTO_RING_H
#define RMT_PROTO_RING_H

#include "port/rmt_port.h"

#define RMT_RING_MAGIC 0x52544d52u /* "RMTR" */
#define RMT_RING_VERSION 1u
#define RMT_RING_HDR_SIZE 512u
#define RMT_RING_MIN_SIZE 64u
#define RMT_RING_MAX_SIZE (1u << 30)
#define RMT_REC_HDR_SIZE 8u
#define RMT_REC_ALIGN 8u
#define RMT_REC_TYPE_PAD 0u
#define RMT_REC_CHECK_SEED 0xa5c3u

struct rmt_ring_shared {
	/* Written once by rmt_ring_format(); never trusted afterwards. */
	u32 magic;
	u32 version;
	u32 hdr_size;
	u32 data_size;
	u32 max_payload;
	u32 reserved0;
	u8 pad0[RMT_FALSE_SHARING_SPAN - 24];
	/* Producer-owned. */
	u64 prod_pos;
	u64 dropped;
	u64 prod_errors;
	u8 pad1[RMT_FALSE_SHARING_SPAN - 24];
	/* Consumer-owned. */
	u64 cons_pos;
	u64 cons_errors;
	u8 pad2[RMT_FALSE_SHARING_SPAN - 16];
	u8 reserved1[RMT_FALSE_SHARING_SPAN];
};

_Static_assert(sizeof(struct rmt_ring_shared) == RMT_RING_HDR_SIZE,
	       "ring header size is ABI");
_Static_assert(__builtin_offsetof(struct rmt_ring_shared, prod_pos) == 128,
	       "producer line offset is ABI");
_Static_assert(__builtin_offsetof(struct rmt_ring_shared, cons_pos) == 256,
	       "consumer line offset is ABI");

struct rmt_rec_hdr {
	u32 len;
	u16 type;
	u16 check;
};

_Static_assert(sizeof(struct rmt_rec_hdr) == RMT_REC_HDR_SIZE,
	       "record header size is ABI");

/* A record as the consumer sees it: data points into the ring. */
struct rmt_rec {
	const void *data;
	u32 len;
	u16 type;
};

struct rmt_ring_prod {
	struct rmt_ring_shared *sh;
	u8 *data;
	u32 size;
	u32 mask;
	u32 max_payload;
	u64 head; /* next byte to write, reservations included */
	u64 committed; /* last position published */
	u64 cons_seen; /* last validated consumer position */
	u64 dropped;
	u64 errors;
};

struct rmt_ring_cons {
	struct rmt_ring_shared *sh;
	const u8 *data;
	u32 size;
	u32 mask;
	u32 max_payload;
	bool broken; /* sticky after corruption, until resync */
	u64 tail; /* next byte to read */
	u64 prod_seen; /* last validated producer position */
	u64 errors;
};

/* Bytes of shared memory a ring with data_size bytes of data needs. */
static inline size_t rmt_ring_mem_size(u32 data_size)
{
	return (size_t)RMT_RING_HDR_SIZE + data_size;
}

int rmt_ring_format(void *mem, size_t mem_size, u32 data_size, u32 max_payload);
int rmt_ring_prod_attach(struct rmt_ring_prod *p, void *mem, size_t mem_size);
int rmt_ring_cons_attach(struct rmt_ring_cons *c, void *mem, size_t mem_size);
void rmt_ring_cons_resync(struct rmt_ring_cons *c);
int rmt_ring_prod_refresh(struct rmt_ring_prod *p);

static inline u16 rmt_rec_check(u32 len, u16 type)
{
	return (u16)(len ^ (len >> 16) ^ type ^ RMT_REC_CHECK_SEED);
}

static inline u32 rmt_rec_footprint(u32 len)
{
	return RMT_ALIGN_UP(len + RMT_REC_HDR_SIZE, RMT_REC_ALIGN);
}

static inline void rmt_rec_put_hdr(u8 *at, u32 len, u16 type)
{
	struct rmt_rec_hdr h = { len, type, rmt_rec_check(len, type) };

	memcpy(at, &h, sizeof(h));
}

/* The 8 header bytes of a record as one word, for one-compare checks. */
static inline u64 rmt_rec_word(u32 len, u16 type)
{
	struct rmt_rec_hdr h = { len, type, rmt_rec_check(len, type) };
	u64 w;

	memcpy(&w, &h, sizeof(w));
	return w;
}

/*
 * Copy a payload.  Record-sized copies of a size known only at run time
 * would become a library call or a `rep movs` per record, whose start-up
 * cost dwarfs a 16-byte copy; the common sizes get fixed-size copies.
 */
static inline void rmt_ring_copy(void *dst, const void *src, u32 len)
{
	switch (len) {
	case 8:
		memcpy(dst, src, 8);
		break;
	case 16:
		memcpy(dst, src, 16);
		break;
	case 24:
		memcpy(dst, src, 24);
		break;
	case 32:
		memcpy(dst, src, 32);
		break;
	case 64:
		memcpy(dst, src, 64);
		break;
	default:
		memcpy(dst, src, len);
		break;
	}
}

static inline void rmt_ring_count_drop(struct rmt_ring_prod *p, u64 n)
{
	p->dropped += n;
	RMT_WRITE_ONCE(p->sh->dropped, p->dropped);
}

/* Free bytes as far as the producer can prove; refreshes from the peer. */
static inline u64 rmt_ring_prod_room(struct rmt_ring_prod *p, u64 need)
{
	u64 room = p->size - (p->head - p->cons_seen);

	if (room >= need || rmt_ring_prod_refresh(p) < 0)
		return room;
	return p->size - (p->head - p->cons_seen);
}

/*
 * Reserve room for one record of len bytes and return where its payload
 * goes in *payload.  Nothing is visible to the consumer before
 * rmt_ring_commit().  On -ENOSPC and -EMSGSIZE the record is counted as
 * dropped.
 */
static inline int rmt_ring_reserve(struct rmt_ring_prod *p, u16 type, u32 len,
				   void **payload)
{
	u32 need, off, tail_room, pad;

	if (rmt_unlikely(len > p->max_payload || type == RMT_REC_TYPE_PAD)) {
		rmt_ring_count_drop(p, 1);
		return -EMSGSIZE;
	}
	need = rmt_rec_footprint(len);
	off = (u32)p->head & p->mask;
	tail_room = p->size - off;
	pad = need > tail_room ? tail_room : 0;
	if (rmt_unlikely(rmt_ring_prod_room(p, (u64)need + pad) <
			 (u64)need + pad)) {
		rmt_ring_count_drop(p, 1);
		return -ENOSPC;
	}
	if (pad) {
		rmt_rec_put_hdr(p->data + off, pad - RMT_REC_HDR_SIZE,
				RMT_REC_TYPE_PAD);
		p->head += pad;
		off = 0;
	}
	rmt_rec_put_hdr(p->data + off, len, type);
	p->head += need;
	*payload = p->data + off + RMT_REC_HDR_SIZE;
	return 0;
}

/* Publish every record reserved so far. */
static inline void rmt_ring_commit(struct rmt_ring_prod *p)
{
	p->committed = p->head;
	rmt_store_release(&p->sh->prod_pos, p->head);
}

/* Withdraw reservations made since the last commit; they are not drops. */
static inline void rmt_ring_abort(struct rmt_ring_prod *p)
{
	p->head = p->committed;
}

/* Copy one record in and publish it. */
static inline int rmt_ring_produce(struct rmt_ring_prod *p, u16 type,
				   const void *src, u32 len)
{
	void *dst;
	int err = rmt_ring_reserve(p, type, len, &dst);

	if (err)
		return err;
	memcpy(dst, src, len);
	rmt_ring_commit(p);
	return 0;
}

/*
 * Copy n records of elem_len bytes each from elems and publish them with
 * one release store.  Returns how many were written; the rest are counted
 * as dropped.  Works on local copies of the positions: this is the path
 * that must keep up with a fault storm.
 */
static inline unsigned int rmt_ring_produce_burst(struct rmt_ring_prod *p,
						  u16 type, const void *elems,
						  u32 elem_len, unsigned int n)
{
	const u8 *src = (const u8 *)elems;
	u32 foot = rmt_rec_footprint(elem_len);
	u32 off = (u32)p->head & p->mask;
	u32 before_end = (p->size - off) / foot;
	u64 need, room, head = p->head, word = rmt_rec_word(elem_len, type);
	unsigned int i, m = n;

	if (rmt_unlikely(elem_len > p->max_payload ||
			 type == RMT_REC_TYPE_PAD)) {
		rmt_ring_count_drop(p, n);
		return 0;
	}
	/* Bytes for m records, with a pad if they reach past the end. */
	need = (u64)m * foot +
	       (m > before_end ? p->size - off - before_end * foot : 0);
	room = rmt_ring_prod_room(p, need);
	while (m && need > room) {
		m--;
		need = (u64)m * foot +
		       (m > before_end ? p->size - off - before_end * foot : 0);
	}
	/* Contiguous runs of records, with a pad where one meets the end. */
	for (i = 0; i < m;) {
		u32 run = (p->size - off) / foot, k;
		u8 *dst = p->data + off;

		if (run > m - i)
			run = m - i;
		if (!run) {
			rmt_rec_put_hdr(dst, p->size - off - RMT_REC_HDR_SIZE,
					RMT_REC_TYPE_PAD);
			head += p->size - off;
			off = 0;
			continue;
		}
		for (k = 0; k < run; k++, dst += foot) {
			memcpy(dst, &word, sizeof(word));
			rmt_ring_copy(dst + RMT_REC_HDR_SIZE, src, elem_len);
			src += elem_len;
		}
		i += run;
		head += (u64)run * foot;
		off = (off + run * foot) & p->mask;
	}
	p->head = head;
	if (m)
		rmt_ring_commit(p);
	if (m < n)
		rmt_ring_count_drop(p, n - m);
	return m;
}

void rmt_ring_cons_fail(struct rmt_ring_cons *c);
int rmt_ring_cons_refresh(struct rmt_ring_cons *c);

/*
 * Take up to n records without releasing their space: how many (0 when
 * the ring is empty), or -EBADMSG when the first one is inconsistent
 * (counted; sticky until rmt_ring_cons_resync()).  Corruption after the
 * first ends the burst early and shows on the next call.  recs[].data
 * stays valid until rmt_ring_release(); the producer may still scribble
 * on it, so callers that need a stable value copy it first.
 */
static inline int rmt_ring_peek_burst(struct rmt_ring_cons *c,
				      struct rmt_rec *recs, unsigned int n)
{
	u64 tail = c->tail, prod = c->prod_seen;
	unsigned int got = 0;
	struct rmt_rec_hdr h;
	u32 off, foot;

	if (rmt_unlikely(c->broken))
		return -EBADMSG;
	while (got < n) {
		if (tail == prod) {
			int err;

			c->tail = tail;
			err = rmt_ring_cons_refresh(c);
			if (err < 0 && got == 0)
				return err;
			if (err <= 0)
				break;
			prod = c->prod_seen;
		}
		off = (u32)tail & c->mask;
		memcpy(&h, c->data + off, sizeof(h));
		if (rmt_unlikely(h.check != rmt_rec_check(h.len, h.type)))
			goto bad;
		if (rmt_unlikely(h.type == RMT_REC_TYPE_PAD)) {
			/* A pad runs exactly to the end, from inside the area. */
			if (off == 0 ||
			    h.len != c->size - off - RMT_REC_HDR_SIZE ||
			    prod - tail <= (u64)c->size - off)
				goto bad;
			tail += c->size - off;
			off = 0;
			memcpy(&h, c->data, sizeof(h));
			if (h.check != rmt_rec_check(h.len, h.type) ||
			    h.type == RMT_REC_TYPE_PAD)
				goto bad;
		}
		foot = rmt_rec_footprint(h.len);
		if (rmt_unlikely(h.len > c->max_payload || foot > prod - tail ||
				 off + foot > c->size))
			goto bad;
		recs[got].data = c->data + off + RMT_REC_HDR_SIZE;
		recs[got].len = h.len;
		recs[got].type = h.type;
		tail += foot;
		got++;
	}
	c->tail = tail;
	return (int)got;
bad:
	rmt_ring_cons_fail(c);
	if (got) {
		/* Hand out what was good; the error shows on the next call. */
		c->tail = tail;
		return (int)got;
	}
	return -EBADMSG;
}

/* Take the next record: 1 and *rec filled, 0 if empty, or -EBADMSG. */
static inline int rmt_ring_peek(struct rmt_ring_cons *c, struct rmt_rec *rec)
{
	return rmt_ring_peek_burst(c, rec, 1);
}

/* Give the space of every record taken so far back to the producer. */
static inline void rmt_ring_release(struct rmt_ring_cons *c)
{
	rmt_store_release(&c->sh->cons_pos, c->tail);
}

/*
 * Copy out up to n records that all have elem_len bytes and the given
 * type into out[] and release their space: how many, or -EBADMSG when the
 * first record is inconsistent.  The burst stops early at a record of
 * another length or type, left for rmt_ring_peek().  The common record is
 * recognised by comparing its header as one word.
 */
static inline int rmt_ring_consume_burst(struct rmt_ring_cons *c, u16 type,
					 void *out, u32 elem_len,
					 unsigned int n)
{
	u64 tail = c->tail, prod = c->prod_seen;
	u64 want = rmt_rec_word(elem_len, type), w;
	u32 foot = rmt_rec_footprint(elem_len), off, run, k;
	u8 *dst = (u8 *)out;
	unsigned int got = 0;
	const u8 *src;
	struct rmt_rec rec = { 0 };
	int r;

	if (rmt_unlikely(c->broken))
		return -EBADMSG;
	while (got < n) {
		if (tail == prod) {
			c->tail = tail;
			r = rmt_ring_cons_refresh(c);
			if (r <= 0) {
				if (got)
					break;
				return r;
			}
			prod = c->prod_seen;
		}
		/* A run of whole records before the end and the producer. */
		off = (u32)tail & c->mask;
		run = (c->size - off) / foot;
		if (run > (prod - tail) / foot)
			run = (u32)((prod - tail) / foot);
		if (run > n - got)
			run = n - got;
		src = c->data + off;
		for (k = 0; k < run; k++, src += foot) {
			memcpy(&w, src, sizeof(w));
			if (rmt_unlikely(w != want))
				break;
			rmt_ring_copy(dst, src + RMT_REC_HDR_SIZE, elem_len);
			dst += elem_len;
		}
		got += k;
		tail += (u64)k * foot;
		if (k == run && run)
			continue;
		/* A pad, another record, or corruption: the slow path. */
		c->tail = tail;
		r = rmt_ring_peek(c, &rec);
		if (r < 0 && got == 0)
			return r;
		if (r <= 0 || rec.len != elem_len || rec.type != type) {
			c->tail = tail; /* leave it for the next call */
			break;
		}
		memcpy(dst, rec.data, elem_len);
		dst += elem_len;
		tail = c->tail;
		prod = c->prod_seen;
		got++;
	}
	c->tail = tail;
	if (got)
		rmt_ring_release(c);
	return (int)got;
}

/*
 * Copy the next record out: its length, or 0 when empty, -EBADMSG on
 * corruption, -EMSGSIZE when it does not fit in cap (the record stays).
 */
static inline int rmt_ring_consume(struct rmt_ring_cons *c, u16 *type,
				   void *buf, u32 cap)
{
	struct rmt_rec rec = { 0 };
	u64 saved = c->tail;
	int r = rmt_ring_peek(c, &rec);

	if (r <= 0)
		return r;
	if (rec.len > cap) {
		c->tail = saved;
		return -EMSGSIZE;
	}
	memcpy(buf, rec.data, rec.len);
	*type = rec.type;
	rmt_ring_release(c);
	return (int)rec.len;
}

#endif /* RMT_PROTO_RING_H */
