// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * asm.c - the assembler: text in the conformance-suite syntax to
 * instruction slots, mnemonics and operand forms taken from the ISA table.
 * Two passes: encode line by line, then patch label references.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/asm.h"
#include "vm/isa_desc.h"

#define RMT_ASM_NAME_MAX 64
#define RMT_ASM_MAX_OPS 3

enum rmt_opnd_kind {
	RMT_OPND_REG,
	RMT_OPND_MEM,
	RMT_OPND_NUM,
	RMT_OPND_LABEL
};

struct rmt_opnd {
	enum rmt_opnd_kind kind;
	const char *text;
	u8 reg;
	s64 num; /* value of a number, offset of a memory operand */
};

struct rmt_asm_label {
	char name[RMT_ASM_NAME_MAX];
	u32 slot;
};

struct rmt_asm_fixup {
	char name[RMT_ASM_NAME_MAX];
	u32 slot;
	u32 line;
};

struct rmt_asm_state {
	struct rmt_insn *code;
	u32 n, cap;
	struct rmt_asm_label *labels;
	u32 n_labels, cap_labels;
	struct rmt_asm_fixup *fixups;
	u32 n_fixups, cap_fixups;
	s64 first_exit;
	u32 line;
	char *err;
	size_t err_size;
};

static int __attribute__((format(printf, 2, 3)))
rmt_asm_error(struct rmt_asm_state *st, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (!st->err || !st->err_size)
		return -EINVAL;
	len = snprintf(st->err, st->err_size, "line %u: ", st->line);
	if (len >= 0 && (size_t)len < st->err_size) {
		va_start(ap, fmt);
		vsnprintf(st->err + len, st->err_size - len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int rmt_grow(void **arr, u32 *cap, u32 need, size_t elem)
{
	void *p;
	u32 ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static char *rmt_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static bool rmt_is_ident(const char *s)
{
	if (!*s || strlen(s) >= RMT_ASM_NAME_MAX ||
	    !(*s == '_' || *s == '.' || (*s >= 'a' && *s <= 'z') ||
	      (*s >= 'A' && *s <= 'Z')))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || *s == '.' || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* An integer: optional sign, then decimal or 0x hex; magnitude <= 2^64-1. */
static bool rmt_parse_int(const char *s, bool *neg, u64 *mag)
{
	unsigned int base = 10, d;
	u64 v = 0;

	*neg = false;
	if (*s == '+' || *s == '-')
		*neg = *s++ == '-';
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return false;
		if (v > (~0ull - d) / base)
			return false;
		v = v * base + d;
	}
	*mag = v;
	return true;
}

/* A number in [min, max] (max may exceed S64_MAX only as u64 wrap). */
static int rmt_number(struct rmt_asm_state *st, const char *s, s64 min, u64 max,
		      const char *what, s64 *out)
{
	bool neg;
	u64 mag;

	if (!rmt_parse_int(s, &neg, &mag))
		return rmt_asm_error(st, "bad number '%s'", s);
	if (neg ? mag > (u64)0 - (u64)min : mag > max)
		return rmt_asm_error(st, "%s '%s' out of range", what, s);
	*out = neg ? (s64)((u64)0 - mag) : (s64)mag;
	return 0;
}

static int rmt_register(struct rmt_asm_state *st, const char *s, u8 *reg)
{
	const char *p = s;
	unsigned int v = 0;

	if (*p == '%')
		p++;
	if (*p++ != 'r' || !*p)
		return rmt_asm_error(st, "bad register '%s'", s);
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100)
			return rmt_asm_error(st, "bad register '%s'", s);
		v = v * 10 + (*p - '0');
	}
	if (v >= RMT_NR_REGS)
		return rmt_asm_error(st, "bad register '%s' (r0..r10)", s);
	*reg = (u8)v;
	return 0;
}

/* [%rN], [%rN+off] or [%rN-off], spaces allowed inside. */
static int rmt_memory(struct rmt_asm_state *st, char *s, struct rmt_opnd *o)
{
	char buf[64], *w = buf, *sign;
	size_t len = strlen(s);
	int err;

	if (len < 3 || s[len - 1] != ']' || len >= sizeof(buf))
		return rmt_asm_error(st, "bad memory operand '%s'", s);
	for (s++; *s != ']'; s++)
		if (*s != ' ' && *s != '\t')
			*w++ = *s;
	*w = '\0';
	sign = strpbrk(buf, "+-");
	o->num = 0;
	if (sign) {
		err = rmt_number(st, sign, -32768, 32767, "offset", &o->num);
		if (err)
			return err;
		*sign = '\0';
	}
	return rmt_register(st, buf, &o->reg);
}

static int rmt_operand(struct rmt_asm_state *st, char *s, struct rmt_opnd *o)
{
	o->text = s;
	if (!*s)
		return rmt_asm_error(st, "empty operand");
	if (*s == '%' || (s[0] == 'r' && s[1] >= '0' && s[1] <= '9')) {
		o->kind = RMT_OPND_REG;
		return rmt_register(st, s, &o->reg);
	}
	if (*s == '[') {
		o->kind = RMT_OPND_MEM;
		return rmt_memory(st, s, o);
	}
	if (*s == '+' || *s == '-' || (*s >= '0' && *s <= '9')) {
		o->kind = RMT_OPND_NUM;
		return 0; /* its range depends on the field */
	}
	if (!rmt_is_ident(s))
		return rmt_asm_error(st, "bad operand '%s'", s);
	o->kind = RMT_OPND_LABEL;
	return 0;
}

/* Operand kinds each form takes; T is a jump target (number or label). */
static const char *const rmt_form_sig[RMT_FORM_COUNT] = {
	[RMT_FORM_ALU_K] = "RN",  [RMT_FORM_ALU_X] = "RR",
	[RMT_FORM_NEG] = "R",	  [RMT_FORM_END] = "R",
	[RMT_FORM_LDDW] = "RN",	  [RMT_FORM_LDX] = "RM",
	[RMT_FORM_ST] = "MN",	  [RMT_FORM_STX] = "MR",
	[RMT_FORM_ATOMIC] = "MR", [RMT_FORM_JA] = "T",
	[RMT_FORM_JA32] = "T",	  [RMT_FORM_JMP_K] = "RNT",
	[RMT_FORM_JMP_X] = "RRT", [RMT_FORM_CALL] = "N",
	[RMT_FORM_CALLX] = "R",	  [RMT_FORM_EXIT] = "",
};

static bool rmt_sig_match(int op, const struct rmt_opnd *o, int n)
{
	const char *sig = rmt_form_sig[rmt_isa[op].form];
	int i;

	if (op == RMT_OP_CALL_LOCAL)
		sig = "T";
	if ((int)strlen(sig) != n)
		return false;
	for (i = 0; i < n; i++) {
		switch (sig[i]) {
		case 'R':
			if (o[i].kind != RMT_OPND_REG)
				return false;
			break;
		case 'M':
			if (o[i].kind != RMT_OPND_MEM)
				return false;
			break;
		case 'N':
			if (o[i].kind != RMT_OPND_NUM)
				return false;
			break;
		default:
			if (o[i].kind != RMT_OPND_NUM &&
			    o[i].kind != RMT_OPND_LABEL)
				return false;
			break;
		}
	}
	return true;
}

static int rmt_add_fixup(struct rmt_asm_state *st, const char *name)
{
	struct rmt_asm_fixup *f;

	if (rmt_grow((void **)&st->fixups, &st->cap_fixups, st->n_fixups + 1,
		     sizeof(*st->fixups)))
		return -ENOMEM;
	f = &st->fixups[st->n_fixups++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->slot = st->n;
	f->line = st->line;
	return 0;
}

/* A jump target: a +/- offset now, or a label patched later. */
static int rmt_target(struct rmt_asm_state *st, const struct rmt_opnd *o,
		      bool wide, s64 *val)
{
	*val = 0;
	if (o->kind == RMT_OPND_LABEL)
		return rmt_add_fixup(st, o->text);
	if (wide)
		return rmt_number(st, o->text, -2147483648ll, 2147483647u,
				  "jump offset", val);
	return rmt_number(st, o->text, -32768, 32767, "jump offset", val);
}

static int rmt_encode(struct rmt_asm_state *st, int op,
		      const struct rmt_opnd *o)
{
	const struct rmt_isa_entry *e = &rmt_isa[op];
	struct rmt_insn in[2] = { { 0 } };
	s64 v = 0;
	int err = 0, slots = 1;

	in[0].code = e->code;
	switch (e->sel) {
	case RMT_SEL_OFF:
		in[0].off = (s16)e->selval;
		break;
	case RMT_SEL_IMM:
		in[0].imm = e->selval;
		break;
	case RMT_SEL_SRC:
		in[0].regs = (u8)(e->selval << 4);
		break;
	}
	switch (e->form) {
	case RMT_FORM_ALU_K:
		err = rmt_number(st, o[1].text, -2147483648ll, 0xffffffffu,
				 "immediate", &v);
		in[0].regs |= o[0].reg;
		in[0].imm = (s32)(u32)v;
		break;
	case RMT_FORM_ALU_X:
		in[0].regs |= o[0].reg | o[1].reg << 4;
		break;
	case RMT_FORM_NEG:
	case RMT_FORM_END:
	case RMT_FORM_CALLX:
		in[0].regs |= o[0].reg;
		break;
	case RMT_FORM_LDDW:
		err = rmt_number(st, o[1].text, (s64)(1ull << 63), ~0ull,
				 "immediate", &v);
		in[0].regs |= o[0].reg;
		in[0].imm = (s32)(u32)(u64)v;
		in[1].imm = (s32)(u32)((u64)v >> 32);
		slots = 2;
		break;
	case RMT_FORM_LDX:
		in[0].regs |= o[0].reg | o[1].reg << 4;
		in[0].off = (s16)o[1].num;
		break;
	case RMT_FORM_ST:
		err = rmt_number(st, o[1].text, -2147483648ll, 0xffffffffu,
				 "immediate", &v);
		in[0].regs |= o[0].reg;
		in[0].off = (s16)o[0].num;
		in[0].imm = (s32)(u32)v;
		break;
	case RMT_FORM_STX:
	case RMT_FORM_ATOMIC:
		in[0].regs |= o[0].reg | o[1].reg << 4;
		in[0].off = (s16)o[0].num;
		break;
	case RMT_FORM_JA:
		err = rmt_target(st, &o[0], false, &v);
		in[0].off = (s16)v;
		break;
	case RMT_FORM_JA32:
		err = rmt_target(st, &o[0], true, &v);
		in[0].imm = (s32)v;
		break;
	case RMT_FORM_JMP_K:
	case RMT_FORM_JMP_X:
		if (e->form == RMT_FORM_JMP_K)
			err = rmt_number(st, o[1].text, -2147483648ll,
					 0xffffffffu, "immediate", &v);
		else
			in[0].regs |= o[1].reg << 4;
		in[0].regs |= o[0].reg;
		in[0].imm = (s32)(u32)v;
		if (!err)
			err = rmt_target(st, &o[2], false, &v);
		in[0].off = (s16)v;
		break;
	case RMT_FORM_CALL:
		if (op == RMT_OP_CALL_LOCAL)
			err = rmt_target(st, &o[0], true, &v);
		else
			err = rmt_number(st, o[0].text, 0, 0xffffffffu,
					 "helper id", &v);
		in[0].imm = (s32)(u32)v;
		break;
	default:
		break;
	}
	if (err)
		return err;
	if (op == RMT_OP_EXIT && st->first_exit < 0)
		st->first_exit = st->n;
	if (rmt_grow((void **)&st->code, &st->cap, st->n + slots,
		     sizeof(*st->code)))
		return -ENOMEM;
	memcpy(&st->code[st->n], in, slots * sizeof(in[0]));
	st->n += slots;
	if (st->n > RMT_MAX_INSNS)
		return rmt_asm_error(st,
				     "program too long (more than %u slots)",
				     RMT_MAX_INSNS);
	return 0;
}

static char *rmt_word(char **s)
{
	char *w = *s, *e;

	e = w + strcspn(w, " \t");
	if (*e)
		*e++ = '\0';
	*s = rmt_trim(e);
	return w;
}

static int rmt_label(struct rmt_asm_state *st, const char *name)
{
	u32 i;

	if (!rmt_is_ident(name))
		return rmt_asm_error(st, "bad label '%s'", name);
	for (i = 0; i < st->n_labels; i++)
		if (!strcmp(st->labels[i].name, name))
			return rmt_asm_error(st, "duplicate label '%s'", name);
	if (rmt_grow((void **)&st->labels, &st->cap_labels, st->n_labels + 1,
		     sizeof(*st->labels)))
		return -ENOMEM;
	snprintf(st->labels[st->n_labels].name, RMT_ASM_NAME_MAX, "%s", name);
	st->labels[st->n_labels++].slot = st->n;
	return 0;
}

static int rmt_asm_line(struct rmt_asm_state *st, char *line)
{
	struct rmt_opnd o[RMT_ASM_MAX_OPS];
	char mnem[RMT_ASM_NAME_MAX], *p, *colon, *w;
	int n = 0, op, err, named = 0;

	p = strchr(line, '#');
	if (p)
		*p = '\0';
	p = rmt_trim(line);
	colon = strchr(p, ':');
	if (colon) {
		*colon = '\0';
		err = rmt_label(st, rmt_trim(p));
		if (err)
			return err;
		p = rmt_trim(colon + 1);
	}
	if (!*p)
		return 0;
	w = rmt_word(&p);
	snprintf(mnem, sizeof(mnem), "%s", w);
	if (!strcmp(w, "lock")) {
		w = rmt_word(&p);
		if (!strcmp(w, "fetch")) {
			w = rmt_word(&p);
			snprintf(mnem, sizeof(mnem), "lock fetch %.40s", w);
		} else {
			snprintf(mnem, sizeof(mnem), "lock %.40s", w);
		}
	} else if (!strcmp(w, "call") && !strncmp(p, "local", 5) &&
		   (p[5] == ' ' || p[5] == '\t')) {
		rmt_word(&p);
		snprintf(mnem, sizeof(mnem), "call local");
	} else if (!strcmp(w, "call") && !strncmp(p, "helper", 6) &&
		   (p[6] == ' ' || p[6] == '\t')) {
		rmt_word(&p);
	} else if (!strncmp(w, "swap", 4)) {
		snprintf(mnem, sizeof(mnem), "b%.40s", w);
	}
	while (*p) {
		char *comma = strchr(p, ',');

		if (n == RMT_ASM_MAX_OPS)
			return rmt_asm_error(st, "too many operands");
		if (comma)
			*comma = '\0';
		err = rmt_operand(st, rmt_trim(p), &o[n++]);
		if (err)
			return err;
		if (!comma)
			break;
		p = comma + 1;
		if (!*rmt_trim(p))
			return rmt_asm_error(st, "empty operand");
	}
	if (!strcmp(mnem, "call") && n == 1 && o[0].kind == RMT_OPND_REG)
		snprintf(mnem, sizeof(mnem), "callx");
	for (op = 0; op < RMT_OP_COUNT; op++) {
		if (strcmp(rmt_isa[op].name, mnem))
			continue;
		named++;
		if (rmt_sig_match(op, o, n))
			return rmt_encode(st, op, o);
	}
	if (!named)
		return rmt_asm_error(st, "unknown mnemonic '%s'", mnem);
	return rmt_asm_error(st, "bad operands for '%s'", mnem);
}

static int rmt_asm_fixups(struct rmt_asm_state *st)
{
	u32 i, j;
	s64 target, rel;

	for (i = 0; i < st->n_fixups; i++) {
		struct rmt_asm_fixup *f = &st->fixups[i];
		struct rmt_insn *in = &st->code[f->slot];

		target = -1;
		for (j = 0; j < st->n_labels; j++)
			if (!strcmp(st->labels[j].name, f->name))
				target = st->labels[j].slot;
		/* The suite's convention: `exit` names the first exit. */
		if (target < 0 && !strcmp(f->name, "exit"))
			target = st->first_exit;
		st->line = f->line;
		if (target < 0)
			return rmt_asm_error(st, "unknown label '%s'", f->name);
		rel = target - (s64)f->slot - 1;
		if (in->code == rmt_isa[RMT_OP_JA32].code ||
		    in->code == rmt_isa[RMT_OP_CALL_LOCAL].code) {
			in->imm = (s32)rel;
		} else {
			if (rel < -32768 || rel > 32767)
				return rmt_asm_error(
					st,
					"label '%s' too far for a 16-bit offset",
					f->name);
			in->off = (s16)rel;
		}
	}
	return 0;
}

int rmt_asm(const char *text, struct rmt_insn **out, u32 *n_out, char *err,
	    size_t err_size)
{
	struct rmt_asm_state st = { .first_exit = -1,
				    .err = err,
				    .err_size = err_size };
	char *copy, *line, *next;
	int ret = 0;

	*out = NULL;
	*n_out = 0;
	if (err && err_size)
		err[0] = '\0';
	copy = strdup(text ? text : "");
	if (!copy)
		return -ENOMEM;
	for (line = copy; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		st.line++;
		ret = rmt_asm_line(&st, line);
	}
	if (!ret)
		ret = rmt_asm_fixups(&st);
	if (!ret && !st.n) {
		st.line = 0;
		ret = rmt_asm_error(&st, "no instructions");
	}
	free(copy);
	free(st.labels);
	free(st.fixups);
	if (ret) {
		free(st.code);
		return ret;
	}
	*out = st.code;
	*n_out = st.n;
	return 0;
}
