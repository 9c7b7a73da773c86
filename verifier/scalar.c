// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * scalar.c - ranges and known bits for the verifier (see scalar.h).  The
 * known-bits arithmetic follows the tristate-number algorithms described
 * by Vishwanathan et al., "Sound, Precise, and Fast Abstract Interpretation
 * with Tristate Numbers" (CGO 2022), as used by the Linux BPF verifier.
 */
#include "verifier/scalar.h"
#include "vm/isa.h"

#define RMT_SIGN (1ull << 63)

static u64 rmt_umin(u64 a, u64 b)
{
	return a < b ? a : b;
}

static u64 rmt_umax(u64 a, u64 b)
{
	return a > b ? a : b;
}

static s64 rmt_smin(s64 a, s64 b)
{
	return a < b ? a : b;
}

static s64 rmt_smax(s64 a, s64 b)
{
	return a > b ? a : b;
}

static void rmt_sc_s_unknown(struct rmt_vscalar *s)
{
	s->smin = RMT_S64_MIN;
	s->smax = RMT_S64_MAX;
}

static void rmt_sc_u_unknown(struct rmt_vscalar *s)
{
	s->umin = 0;
	s->umax = RMT_U64_MAX;
}

static void rmt_sc_t_unknown(struct rmt_vscalar *s)
{
	s->tv = 0;
	s->tm = RMT_U64_MAX;
}

void rmt_sc_unknown(struct rmt_vscalar *s)
{
	rmt_sc_u_unknown(s);
	rmt_sc_s_unknown(s);
	rmt_sc_t_unknown(s);
}

void rmt_sc_const(struct rmt_vscalar *s, u64 v)
{
	s->umin = s->umax = v;
	s->smin = s->smax = (s64)v;
	s->tv = v;
	s->tm = 0;
}

void rmt_sc_urange(struct rmt_vscalar *s, u64 lo, u64 hi)
{
	rmt_sc_unknown(s);
	s->umin = lo;
	s->umax = hi;
	rmt_sc_sync(s);
}

bool rmt_sc_is_const(const struct rmt_vscalar *s)
{
	return !s->tm;
}

/* Known bits of every value in [lo, hi]: the common high prefix. */
static void rmt_tn_range(u64 lo, u64 hi, u64 *v, u64 *m)
{
	u64 chi = lo ^ hi;
	int bits = chi ? 64 - __builtin_clzll(chi) : 0;

	if (bits >= 64) {
		*v = 0;
		*m = RMT_U64_MAX;
		return;
	}
	*m = (1ull << bits) - 1;
	*v = lo & ~*m;
}

/* Intersect known bits; false on a conflict. */
static bool rmt_tn_meet(struct rmt_vscalar *s, u64 v, u64 m)
{
	if ((s->tv ^ v) & ~s->tm & ~m)
		return false;
	s->tv |= v;
	s->tm &= m;
	s->tv &= ~s->tm;
	return true;
}

static bool rmt_sc_sync_once(struct rmt_vscalar *s)
{
	u64 v, m, sm = s->tm & RMT_SIGN;

	s->umin = rmt_umax(s->umin, s->tv);
	s->umax = rmt_umin(s->umax, s->tv | s->tm);
	s->smin = rmt_smax(s->smin, (s64)(s->tv | sm));
	s->smax = rmt_smin(s->smax, (s64)((s->tv | s->tm) & ~sm));
	if (s->smin >= 0 || s->smax < 0) {
		s->umin = rmt_umax(s->umin, (u64)s->smin);
		s->umax = rmt_umin(s->umax, (u64)s->smax);
	}
	if ((s64)s->umin >= 0 ? (s64)s->umax >= 0 : (s64)s->umax < 0) {
		s->smin = rmt_smax(s->smin, (s64)s->umin);
		s->smax = rmt_smin(s->smax, (s64)s->umax);
	}
	if (s->umin > s->umax || s->smin > s->smax)
		return false;
	rmt_tn_range(s->umin, s->umax, &v, &m);
	return rmt_tn_meet(s, v, m);
}

bool rmt_sc_sync(struct rmt_vscalar *s)
{
	return rmt_sc_sync_once(s) && rmt_sc_sync_once(s);
}

static void rmt_sc_add(struct rmt_vscalar *d, const struct rmt_vscalar *s)
{
	u64 sm = d->tm + s->tm, sv = d->tv + s->tv;
	u64 mu = ((sm + sv) ^ sv) | d->tm | s->tm;

	if (__builtin_add_overflow(d->umax, s->umax, &d->umax)) {
		rmt_sc_u_unknown(d);
	} else {
		d->umin += s->umin;
	}
	if (__builtin_add_overflow(d->smin, s->smin, &d->smin) ||
	    __builtin_add_overflow(d->smax, s->smax, &d->smax))
		rmt_sc_s_unknown(d);
	d->tv = sv & ~mu;
	d->tm = mu;
}

static void rmt_sc_sub(struct rmt_vscalar *d, const struct rmt_vscalar *s)
{
	u64 dv = d->tv - s->tv;
	u64 mu = ((dv + d->tm) ^ (dv - s->tm)) | d->tm | s->tm;

	if (d->umin < s->umax) {
		rmt_sc_u_unknown(d);
	} else {
		d->umin -= s->umax;
		d->umax -= s->umin;
	}
	if (__builtin_sub_overflow(d->smin, s->smax, &d->smin) ||
	    __builtin_sub_overflow(d->smax, s->smin, &d->smax))
		rmt_sc_s_unknown(d);
	d->tv = dv & ~mu;
	d->tm = mu;
}

static void rmt_sc_shift(struct rmt_vscalar *d, const struct rmt_vscalar *s,
			 u8 op)
{
	u32 k = (u32)(s->tv & 63);

	if (!rmt_sc_is_const(s)) {
		u64 umax = d->umax;

		rmt_sc_unknown(d);
		if (op == RMT_RSH)
			d->umax = umax;
		return;
	}
	if (op == RMT_LSH) {
		if (d->umax > (RMT_U64_MAX >> k)) {
			rmt_sc_u_unknown(d);
		} else {
			d->umin <<= k;
			d->umax <<= k;
		}
		rmt_sc_s_unknown(d);
		d->tv <<= k;
		d->tm <<= k;
	} else if (op == RMT_RSH) {
		d->umin >>= k;
		d->umax >>= k;
		rmt_sc_s_unknown(d);
		d->tv >>= k;
		d->tm >>= k;
	} else {
		d->smin >>= k;
		d->smax >>= k;
		rmt_sc_u_unknown(d);
		d->tv = (u64)((s64)d->tv >> k);
		d->tm = (u64)((s64)d->tm >> k);
	}
}

static void rmt_sc_bits(struct rmt_vscalar *d, const struct rmt_vscalar *s,
			u8 op)
{
	u64 v, m;

	if (op == RMT_AND) {
		v = d->tv & s->tv;
		m = (d->tv | d->tm) & (s->tv | s->tm) & ~v;
		d->umin = 0;
		d->umax = rmt_umin(d->umax, s->umax);
	} else if (op == RMT_OR) {
		v = d->tv | s->tv;
		m = (d->tm | s->tm) & ~v;
		d->umin = rmt_umax(d->umin, s->umin);
		d->umax = RMT_U64_MAX;
	} else {
		m = d->tm | s->tm;
		v = (d->tv ^ s->tv) & ~m;
		rmt_sc_u_unknown(d);
	}
	rmt_sc_s_unknown(d);
	d->tv = v;
	d->tm = m;
}

static void rmt_sc_divmod(struct rmt_vscalar *d, const struct rmt_vscalar *s,
			  u8 op)
{
	u64 umin = d->umin, umax = d->umax, c = s->tv;

	if (rmt_sc_is_const(s) && op == RMT_DIV) {
		if (!c)
			rmt_sc_const(d, 0);
		else
			rmt_sc_urange(d, umin / c, umax / c);
		return;
	}
	if (op == RMT_DIV) {
		rmt_sc_urange(d, 0, umax);
		return;
	}
	/* x % y <= x, and x % y < y when y != 0 */
	if (rmt_sc_is_const(s) && (!c || umax < c))
		return;
	if (s->umin)
		umax = rmt_umin(umax, s->umax - 1);
	rmt_sc_urange(d, 0, umax);
}

void rmt_sc_alu(struct rmt_vscalar *d, const struct rmt_vscalar *s, u8 op)
{
	switch (op) {
	case RMT_ADD:
		rmt_sc_add(d, s);
		break;
	case RMT_SUB:
		rmt_sc_sub(d, s);
		break;
	case RMT_MUL:
		if (d->umax <= RMT_U32_MAX && s->umax <= RMT_U32_MAX) {
			rmt_sc_urange(d, d->umin * s->umin, d->umax * s->umax);
			return;
		}
		rmt_sc_unknown(d);
		return;
	case RMT_DIV:
	case RMT_MOD:
		rmt_sc_divmod(d, s, op);
		return;
	case RMT_AND:
	case RMT_OR:
	case RMT_XOR:
		rmt_sc_bits(d, s, op);
		break;
	case RMT_LSH:
	case RMT_RSH:
	case RMT_ARSH:
		rmt_sc_shift(d, s, op);
		break;
	case RMT_MOV:
		*d = *s;
		return;
	default:
		rmt_sc_unknown(d);
		return;
	}
	if (!rmt_sc_sync(d))
		rmt_sc_unknown(d);
}

void rmt_sc_trunc(struct rmt_vscalar *s, u32 bits)
{
	u64 mask = bits >= 64 ? RMT_U64_MAX : (1ull << bits) - 1;

	if (s->umax <= mask)
		return;
	s->tv &= mask;
	s->tm &= mask;
	s->umin = 0;
	s->umax = mask;
	s->smin = 0;
	s->smax = (s64)mask;
	if (!rmt_sc_sync(s))
		rmt_sc_urange(s, 0, mask);
}

void rmt_sc_sext(struct rmt_vscalar *s, u32 bits)
{
	u64 mask = (1ull << bits) - 1, half = 1ull << (bits - 1);
	u64 v = s->tv & mask, m = s->tm & mask;

	if (s->smin >= -(s64)half && s->smax < (s64)half)
		return;
	if (m & half)
		m |= ~mask;
	else if (v & half)
		v |= ~mask;
	rmt_sc_unknown(s);
	s->smin = -(s64)half;
	s->smax = (s64)half - 1;
	s->tv = v;
	s->tm = m;
	if (!rmt_sc_sync(s)) {
		rmt_sc_unknown(s);
		s->smin = -(s64)half;
		s->smax = (s64)half - 1;
	}
}

/* a OP b where OP is >, >= (unsigned or signed): refine both. */
static bool rmt_sc_greater(struct rmt_vscalar *a, struct rmt_vscalar *b,
			   bool strict, bool sign)
{
	u64 d = strict ? 1 : 0;

	if (!sign) {
		if (strict && (b->umin == RMT_U64_MAX || !a->umax))
			return false;
		a->umin = rmt_umax(a->umin, b->umin + d);
		b->umax = rmt_umin(b->umax, a->umax - d);
		return true;
	}
	if (strict && (b->smin == RMT_S64_MAX || a->smax == RMT_S64_MIN))
		return false;
	a->smin = rmt_smax(a->smin, b->smin + (s64)d);
	b->smax = rmt_smin(b->smax, a->smax - (s64)d);
	return true;
}

static bool rmt_sc_equal(struct rmt_vscalar *a, struct rmt_vscalar *b)
{
	a->umin = rmt_umax(a->umin, b->umin);
	a->umax = rmt_umin(a->umax, b->umax);
	a->smin = rmt_smax(a->smin, b->smin);
	a->smax = rmt_smin(a->smax, b->smax);
	if (!rmt_tn_meet(a, b->tv, b->tm))
		return false;
	*b = *a;
	return true;
}

/* a != b: only a constant on one side can shave the other's ends. */
static void rmt_sc_differ(struct rmt_vscalar *a, const struct rmt_vscalar *b)
{
	u64 c = b->tv;

	if (!rmt_sc_is_const(b))
		return;
	if (a->umin == c && a->umin < a->umax)
		a->umin++;
	else if (a->umax == c && a->umin < a->umax)
		a->umax--;
	if (a->smin == (s64)c && a->smin < a->smax)
		a->smin++;
	else if (a->smax == (s64)c && a->smin < a->smax)
		a->smax--;
}

static bool rmt_sc_jset(struct rmt_vscalar *a, const struct rmt_vscalar *b,
			bool taken)
{
	if (!taken) {
		if (a->tv & b->tv)
			return false;
		if (rmt_sc_is_const(b))
			a->tm &= ~b->tv;
		return true;
	}
	if (!((a->tv | a->tm) & (b->tv | b->tm)))
		return false;
	if (rmt_sc_is_const(b) && RMT_IS_POW2(b->tv))
		return rmt_tn_meet(a, b->tv, ~b->tv);
	return true;
}

/* The jump op with the opposite outcome. */
static u8 rmt_jmp_negate(u8 op)
{
	switch (op) {
	case RMT_JEQ:
		return RMT_JNE;
	case RMT_JNE:
		return RMT_JEQ;
	case RMT_JGT:
		return RMT_JLE;
	case RMT_JLE:
		return RMT_JGT;
	case RMT_JGE:
		return RMT_JLT;
	case RMT_JLT:
		return RMT_JGE;
	case RMT_JSGT:
		return RMT_JSLE;
	case RMT_JSLE:
		return RMT_JSGT;
	case RMT_JSGE:
		return RMT_JSLT;
	default:
		return RMT_JSGE;
	}
}

bool rmt_sc_branch(struct rmt_vscalar *a, struct rmt_vscalar *b, u8 op,
		   bool taken)
{
	bool ok;

	if (op == RMT_JSET) {
		ok = rmt_sc_jset(a, b, taken);
		return ok && rmt_sc_sync(a) && rmt_sc_sync(b);
	}
	if (!taken)
		op = rmt_jmp_negate(op);
	switch (op) {
	case RMT_JEQ:
		ok = rmt_sc_equal(a, b);
		break;
	case RMT_JNE:
		if (rmt_sc_is_const(a) && rmt_sc_is_const(b) && a->tv == b->tv)
			return false;
		rmt_sc_differ(a, b);
		rmt_sc_differ(b, a);
		ok = true;
		break;
	case RMT_JGT:
		ok = rmt_sc_greater(a, b, true, false);
		break;
	case RMT_JGE:
		ok = rmt_sc_greater(a, b, false, false);
		break;
	case RMT_JLT:
		ok = rmt_sc_greater(b, a, true, false);
		break;
	case RMT_JLE:
		ok = rmt_sc_greater(b, a, false, false);
		break;
	case RMT_JSGT:
		ok = rmt_sc_greater(a, b, true, true);
		break;
	case RMT_JSGE:
		ok = rmt_sc_greater(a, b, false, true);
		break;
	case RMT_JSLT:
		ok = rmt_sc_greater(b, a, true, true);
		break;
	default:
		ok = rmt_sc_greater(b, a, false, true);
		break;
	}
	return ok && rmt_sc_sync(a) && rmt_sc_sync(b);
}

void rmt_sc_join(struct rmt_vscalar *a, const struct rmt_vscalar *b)
{
	u64 mu = a->tm | b->tm | (a->tv ^ b->tv);

	a->umin = rmt_umin(a->umin, b->umin);
	a->umax = rmt_umax(a->umax, b->umax);
	a->smin = rmt_smin(a->smin, b->smin);
	a->smax = rmt_smax(a->smax, b->smax);
	a->tv &= ~mu;
	a->tm = mu;
}

bool rmt_sc_covers(const struct rmt_vscalar *a, const struct rmt_vscalar *b)
{
	return a->umin <= b->umin && b->umax <= a->umax && a->smin <= b->smin &&
	       b->smax <= a->smax && !(b->tm & ~a->tm) &&
	       !((a->tv ^ b->tv) & ~a->tm);
}
