// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * conf_data.c - the conformance test-file parser (see conf_data.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/asm.h"
#include "vm/conf_data.h"

enum rmt_conf_section {
	RMT_SEC_NONE,
	RMT_SEC_ASM,
	RMT_SEC_MEM,
	RMT_SEC_RESULT,
	RMT_SEC_RAW,
	RMT_SEC_ERROR,
	RMT_SEC_IGNORED, /* `-- c`, `-- no register offset`: notes */
};

struct rmt_strbuf {
	char *s;
	size_t len, cap;
};

static int rmt_strbuf_add(struct rmt_strbuf *b, const char *s, size_t n)
{
	char *p;

	if (b->len + n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;

		while (cap < b->len + n + 2)
			cap *= 2;
		p = realloc(b->s, cap);
		if (!p)
			return -ENOMEM;
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len++] = '\n';
	b->s[b->len] = '\0';
	return 0;
}

static int rmt_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rmt_hex_bytes(const char *s, u8 **out, size_t *len)
{
	size_t n = 0, cap = strlen(s) / 2 + 1;
	u8 *buf = malloc(cap);
	int hi, lo;

	if (!buf)
		return -ENOMEM;
	while (*s) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			s++;
			continue;
		}
		hi = rmt_hex_digit(s[0]);
		lo = hi < 0 ? -1 : rmt_hex_digit(s[1]);
		if (lo < 0) {
			free(buf);
			return -EINVAL;
		}
		buf[n++] = (u8)(hi << 4 | lo);
		s += 2;
	}
	*out = buf;
	*len = n;
	return 0;
}

static bool rmt_parse_u64(const char *s, u64 *v)
{
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

static enum rmt_conf_section rmt_section(const char *name)
{
	static const struct {
		const char *name;
		enum rmt_conf_section sec;
	} map[] = {
		{ "asm", RMT_SEC_ASM },
		{ "mem", RMT_SEC_MEM },
		{ "result", RMT_SEC_RESULT },
		{ "raw", RMT_SEC_RAW },
		{ "error", RMT_SEC_ERROR },
		{ "c", RMT_SEC_IGNORED },
		{ "no register offset", RMT_SEC_IGNORED },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].name))
			return map[i].sec;
	return RMT_SEC_NONE;
}

static char *rmt_strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		*--e = '\0';
	return s;
}

struct rmt_conf_state {
	struct rmt_conf_test *t;
	struct rmt_strbuf asm_text, mem, err_text;
	u32 line;
	char *err;
	size_t err_size;
};

static int rmt_conf_line(struct rmt_conf_state *st, enum rmt_conf_section sec,
			 char *line)
{
	struct rmt_conf_test *t = st->t;
	char *hash, *p;
	u64 v;
	void *np;

	if (sec == RMT_SEC_ASM) {
		if (!st->asm_text.len)
			t->asm_line = st->line;
		return rmt_strbuf_add(&st->asm_text, line, strlen(line));
	}
	if (sec == RMT_SEC_ERROR)
		return rmt_strbuf_add(&st->err_text, line, strlen(line));
	hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	p = rmt_strip(line);
	if (!*p || sec == RMT_SEC_IGNORED)
		return 0;
	switch (sec) {
	case RMT_SEC_MEM:
		return rmt_strbuf_add(&st->mem, p, strlen(p));
	case RMT_SEC_RESULT:
		if (t->has_result || !rmt_parse_u64(p, &v)) {
			snprintf(st->err, st->err_size,
				 "line %u: bad result '%s'", st->line, p);
			return -EINVAL;
		}
		t->has_result = true;
		t->result = v;
		return 0;
	case RMT_SEC_RAW:
		if (!rmt_parse_u64(p, &v)) {
			snprintf(st->err, st->err_size,
				 "line %u: bad raw word '%s'", st->line, p);
			return -EINVAL;
		}
		np = realloc(t->raw, (t->n_raw + 1) * sizeof(*t->raw));
		if (!np)
			return -ENOMEM;
		t->raw = np;
		t->raw[t->n_raw++] = v;
		return 0;
	default:
		snprintf(st->err, st->err_size,
			 "line %u: text outside a section: '%s'", st->line, p);
		return -EINVAL;
	}
}

static int rmt_conf_finish(struct rmt_conf_state *st)
{
	struct rmt_conf_test *t = st->t;
	int ret;

	if (st->mem.len) {
		ret = rmt_hex_bytes(st->mem.s, &t->mem, &t->mem_len);
		if (ret) {
			snprintf(st->err, st->err_size,
				 "bad hex bytes in the mem section");
			return ret;
		}
	}
	if (t->has_error) {
		t->error =
			strdup(st->err_text.s ? rmt_strip(st->err_text.s) : "");
		if (!t->error)
			return -ENOMEM;
	}
	if (!st->asm_text.len && !t->raw) {
		snprintf(st->err, st->err_size, "no asm or raw section");
		return -EINVAL;
	}
	t->asm_text = st->asm_text.s;
	st->asm_text.s = NULL;
	return 0;
}

int rmt_conf_parse(const char *text, struct rmt_conf_test *t, char *err,
		   size_t err_size)
{
	struct rmt_conf_state st = { .t = t, .err = err, .err_size = err_size };
	enum rmt_conf_section sec = RMT_SEC_NONE;
	char *copy, *line, *next;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	if (err && err_size)
		err[0] = '\0';
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	for (line = copy; line && !ret; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		st.line++;
		if (!strncmp(line, "--", 2)) {
			sec = rmt_section(rmt_strip(line + 2));
			if (sec == RMT_SEC_NONE) {
				snprintf(err, err_size,
					 "line %u: unknown section '%s'",
					 st.line, rmt_strip(line + 2));
				ret = -EINVAL;
			}
			if (sec == RMT_SEC_ERROR)
				t->has_error = true;
			continue;
		}
		if (sec == RMT_SEC_NONE) {
			/* Header comments before the first section. */
			char *p = strchr(line, '#');

			if (p)
				*p = '\0';
			if (!*rmt_strip(line))
				continue;
		}
		ret = rmt_conf_line(&st, sec, line);
	}
	if (!ret)
		ret = rmt_conf_finish(&st);
	free(copy);
	free(st.asm_text.s);
	free(st.mem.s);
	free(st.err_text.s);
	if (ret)
		rmt_conf_free(t);
	return ret;
}

void rmt_conf_free(struct rmt_conf_test *t)
{
	free(t->asm_text);
	free(t->mem);
	free(t->raw);
	free(t->error);
	memset(t, 0, sizeof(*t));
}

int rmt_conf_program(const struct rmt_conf_test *t, struct rmt_insn **code,
		     u32 *n, char *err, size_t err_size)
{
	if (t->raw) {
		*code = calloc(t->n_raw, sizeof(**code));
		if (!*code) {
			snprintf(err, err_size, "out of memory");
			return -ENOMEM;
		}
		memcpy(*code, t->raw, t->n_raw * sizeof(u64));
		*n = (u32)t->n_raw;
		return 0;
	}
	return rmt_asm(t->asm_text, code, n, err, err_size);
}
