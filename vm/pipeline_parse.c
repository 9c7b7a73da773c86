// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pipeline_parse.c - parser of the RMT program text format (see
 * pipeline_parse.h and docs/tables.md).  Line-oriented: statements at the
 * top level, table blocks and action bodies between braces.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm/asm.h"
#include "vm/elf.h"
#include "vm/pipeline_parse.h"

#define RMT_LINE_MAX 1024
#define RMT_BODY_MAX (256 * 1024)
#define RMT_ENTRY_MAX 4096 /* initial entries of one table */

struct rmt_pline {
	u32 line;
	char *text;
};

struct rmt_pstate {
	struct rmt_program *prog;
	const char *dir;
	char *err;
	size_t err_size;
	u32 line;
	/* table block in progress */
	bool in_table;
	char tname[RMT_NAME_LEN];
	u32 tline;
	struct rmt_table_config cfg;
	bool has_default;
	char def_call[RMT_LINE_MAX];
	u32 def_line;
	u32 n_entries;
	struct rmt_pline *entries;
	/* action body in progress */
	bool in_body;
	u32 aid_decl;
	char aname[RMT_NAME_LEN];
	u32 aline;
	char *body;
	size_t body_len;
};

static int rmt_perr(char *err, size_t size, u32 line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int rmt_perr(char *err, size_t size, u32 line, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (!err || !size)
		return -EINVAL;
	if (line)
		n = snprintf(err, size, "line %u: ", line);
	if (n < 0 || (size_t)n >= size)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, size - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static char *rmt_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static bool rmt_ident(const char *s)
{
	size_t i;

	if (!*s || strlen(s) >= RMT_NAME_LEN ||
	    !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (i = 1; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* A number in C syntax (decimal, 0x, 0b not), optionally negative. */
static int rmt_num(const char *s, u64 *v, bool *neg)
{
	char *end;

	*neg = *s == '-';
	if (*neg)
		s++;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	return 0;
}

static int rmt_uint(const char *s, u64 max, u64 *v)
{
	bool neg;

	if (rmt_num(s, v, &neg) || neg || *v > max)
		return -EINVAL;
	return 0;
}

static const char *rmt_type_names[] = { "u8", "u16", "u32", "u64",
					"s8", "s16", "s32", "s64" };

/* "(u64 a, s32 b)" -> decl; empty or absent means no parameters. */
static int rmt_parse_params(char *s, struct rmt_param_decl *d, char *err,
			    size_t es, u32 line)
{
	char *tok, *save = NULL;
	u32 off = 0;

	memset(d, 0, sizeof(*d));
	if (!*rmt_trim(s))
		return 0;
	for (tok = strtok_r(s, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char type[8], name[RMT_NAME_LEN + 1], extra;
		u32 t, size;

		if (d->n >= RMT_PROG_MAX_PARAMS)
			return rmt_perr(err, es, line,
					"more than %u parameters",
					RMT_PROG_MAX_PARAMS);
		if (sscanf(tok, " %7s %32s %c", type, name, &extra) != 2)
			return rmt_perr(err, es, line,
					"parameter '%s' is not 'TYPE NAME'",
					rmt_trim(tok));
		for (t = 0; t < 8; t++)
			if (!strcmp(type, rmt_type_names[t]))
				break;
		if (t == 8)
			return rmt_perr(err, es, line,
					"unknown parameter type '%s'", type);
		if (!rmt_ident(name))
			return rmt_perr(err, es, line,
					"bad parameter name '%s'", name);
		size = 1u << (t % 4);
		off = (off + size - 1) & ~(size - 1);
		strcpy(d->name[d->n], name);
		d->size[d->n] = (u8)size;
		d->is_signed[d->n] = t >= 4;
		d->offset[d->n] = (u16)off;
		off += size;
		d->n++;
	}
	if (off > RMT_TABLE_MAX_PARAM)
		return rmt_perr(err, es, line, "parameters over %u bytes",
				RMT_TABLE_MAX_PARAM);
	d->len = off;
	return 0;
}

int rmt_program_parse_call(const struct rmt_program *prog, const char *text,
			   u32 *action, u8 *params, u32 *param_len, char *err,
			   size_t es)
{
	char buf[RMT_LINE_MAX], *open, *close, *args, *tok, *save = NULL;
	const struct rmt_param_decl *d;
	u32 n = 0;

	if (strlen(text) >= sizeof(buf))
		return rmt_perr(err, es, 0, "action call too long");
	strcpy(buf, text);
	open = strchr(buf, '(');
	if (open) {
		close = strrchr(open, ')');
		if (!close || *rmt_trim(close + 1))
			return rmt_perr(err, es, 0, "'%s': expected NAME(ARGS)",
					text);
		*open = 0;
		*close = 0;
		args = open + 1;
	} else {
		args = NULL;
	}
	if (rmt_pipeline_action_id(prog->pipe, rmt_trim(buf), action))
		return rmt_perr(err, es, 0, "unknown action '%s'",
				rmt_trim(buf));
	d = &prog->params[*action];
	memset(params, 0, RMT_TABLE_MAX_PARAM);
	if (args && *rmt_trim(args)) {
		for (tok = strtok_r(args, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			u64 v, lim;
			bool neg;

			if (n >= d->n)
				return rmt_perr(err, es, 0,
						"action %s takes %u arguments",
						rmt_trim(buf), d->n);
			if (rmt_num(rmt_trim(tok), &v, &neg))
				return rmt_perr(err, es, 0, "bad number '%s'",
						rmt_trim(tok));
			lim = d->size[n] == 8 ? ~0ull :
						(1ull << (8 * d->size[n])) - 1;
			if (d->is_signed[n]) {
				u64 half = lim / 2;

				if (neg ? v > half + 1 : v > half)
					return rmt_perr(err, es, 0,
							"%s out of range",
							rmt_trim(tok));
				v = neg ? (~v + 1) & lim : v;
			} else if (neg || v > lim) {
				return rmt_perr(err, es, 0, "%s out of range",
						rmt_trim(tok));
			}
			memcpy(params + d->offset[n], &v, d->size[n]);
			n++;
		}
	}
	if (n != d->n)
		return rmt_perr(err, es, 0, "action %s takes %u arguments",
				rmt_trim(buf), d->n);
	*param_len = d->len;
	return 0;
}

static int rmt_field_id(const struct rmt_program *prog, const char *name,
			u32 *id)
{
	const struct rmt_ctx_field *f;

	if (!strncmp(name, "meta", 4) && name[4] >= '0' &&
	    name[4] < '0' + RMT_META_WORDS && !name[5]) {
		*id = RMT_META_FIELD(name[4] - '0');
		return 0;
	}
	f = rmt_hook_field_by_name(rmt_pipeline_hook(prog->pipe), name);
	if (!f)
		return -ENOENT;
	*id = f->id;
	return 0;
}

const char *rmt_program_field_name(const struct rmt_program *prog, u32 id,
				   char *buf, size_t size)
{
	const struct rmt_ctx_field *f;

	if (id >= RMT_META_FIELD(0) && id < RMT_META_FIELD(RMT_META_WORDS)) {
		snprintf(buf, size, "meta%u", id - RMT_META_FIELD(0));
		return buf;
	}
	f = rmt_hook_field(rmt_pipeline_hook(prog->pipe), id);
	snprintf(buf, size, "%s", f ? f->name : "?");
	return buf;
}

static int rmt_parse_match(const struct rmt_table_field *f, char *m,
			   struct rmt_msg_key_field *k, char *err, size_t es)
{
	u64 wm = f->width == 64 ? ~0ull : (1ull << f->width) - 1, a, b;
	char *sep;
	bool neg;

	k->field_id = f->field_id;
	k->kind = f->kind;
	if (!strcmp(m, "*")) {
		if (f->kind == RMT_MATCH_EXACT)
			return rmt_perr(err, es, 0,
					"exact fields take a value");
		k->mask_or_high = f->kind == RMT_MATCH_RANGE ? wm : 0;
		return 0;
	}
	sep = f->kind == RMT_MATCH_TERNARY ? strstr(m, "&&&") :
	      f->kind == RMT_MATCH_LPM	   ? strchr(m, '/') :
	      f->kind == RMT_MATCH_RANGE   ? strstr(m, "..") :
					     NULL;
	if (sep)
		*sep = 0;
	if (rmt_num(m, &a, &neg))
		return rmt_perr(err, es, 0, "bad number '%s'", m);
	if (neg)
		a = (~a + 1) & wm;
	k->value = a;
	switch (f->kind) {
	case RMT_MATCH_TERNARY:
		k->mask_or_high = wm;
		if (sep && (rmt_num(sep + 3, &b, &neg) || neg))
			return rmt_perr(err, es, 0, "bad mask '%s'", sep + 3);
		if (sep)
			k->mask_or_high = b;
		break;
	case RMT_MATCH_LPM:
		k->prefix_len = f->width;
		if (sep && rmt_uint(sep + 1, 64, &b))
			return rmt_perr(err, es, 0, "bad prefix length '%s'",
					sep + 1);
		if (sep)
			k->prefix_len = (u8)b;
		break;
	case RMT_MATCH_RANGE:
		k->mask_or_high = a;
		if (sep && rmt_num(sep + 2, &b, &neg))
			return rmt_perr(err, es, 0, "bad range end '%s'",
					sep + 2);
		if (sep)
			k->mask_or_high = neg ? (~b + 1) & wm : b;
		break;
	default:
		break;
	}
	return 0;
}

int rmt_program_parse_entry(const struct rmt_program *prog, struct rmt_table *t,
			    const char *text, bool want_action,
			    struct rmt_table_entry *e, u8 *params, char *err,
			    size_t es)
{
	const struct rmt_table_config *c = rmt_table_config(t);
	char buf[RMT_LINE_MAX], *arrow, *tok, *save = NULL;
	u32 i, id;
	u64 v;
	int r;

	if (strlen(text) >= sizeof(buf))
		return rmt_perr(err, es, 0, "entry too long");
	strcpy(buf, text);
	memset(e, 0, sizeof(*e));
	arrow = strstr(buf, "->");
	if (arrow)
		*arrow = 0;
	if (want_action != !!arrow)
		return rmt_perr(err, es, 0,
				want_action ? "expected '-> ACTION(ARGS)'" :
					      "unexpected '->'");
	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *eq;

		if (!strcmp(tok, "priority")) {
			tok = strtok_r(NULL, " \t", &save);
			if (!tok || rmt_uint(tok, 0x7fffffff, &v))
				return rmt_perr(err, es, 0,
						"priority needs a number "
						"0..2147483647");
			e->priority = (s32)v;
			continue;
		}
		eq = strchr(tok, '=');
		if (!eq)
			return rmt_perr(err, es, 0,
					"'%s': expected FIELD=MATCH", tok);
		*eq = 0;
		if (rmt_field_id(prog, tok, &id))
			return rmt_perr(err, es, 0, "unknown field '%s'", tok);
		for (i = 0; i < c->n_fields; i++)
			if (c->fields[i].field_id == id)
				break;
		if (i == c->n_fields)
			return rmt_perr(err, es, 0,
					"'%s' is no key of the table", tok);
		if (e->n_fields >= RMT_TABLE_MAX_FIELDS)
			return rmt_perr(err, es, 0, "too many fields");
		r = rmt_parse_match(&c->fields[i], eq + 1,
				    &e->fields[e->n_fields], err, es);
		if (r)
			return r;
		e->n_fields++;
	}
	if (!want_action)
		return 0;
	r = rmt_program_parse_call(prog, rmt_trim(arrow + 2), &e->action_id,
				   params, &e->param_len, err, es);
	e->params = params;
	return r;
}

void rmt_program_format_entry(const struct rmt_program *prog,
			      const struct rmt_table *t,
			      const struct rmt_table_entry *e, char *buf,
			      size_t size)
{
	const struct rmt_param_decl *d = &prog->params[e->action_id];
	char name[RMT_NAME_LEN];
	size_t n = 0;
	u32 i;

	(void)t;
	buf[0] = 0;
#define PUT(...)                                                               \
	do {                                                                   \
		if (n < size)                                                  \
			n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); \
	} while (0)
	if (e->priority)
		PUT("priority %d ", e->priority);
	for (i = 0; i < e->n_fields; i++) {
		const struct rmt_msg_key_field *k = &e->fields[i];
		unsigned long long v = k->value, m = k->mask_or_high;

		rmt_program_field_name(prog, k->field_id, name, sizeof(name));
		if (k->kind == RMT_MATCH_TERNARY)
			PUT("%s=0x%llx&&&0x%llx ", name, v, m);
		else if (k->kind == RMT_MATCH_LPM)
			PUT("%s=0x%llx/%u ", name, v, k->prefix_len);
		else if (k->kind == RMT_MATCH_RANGE)
			PUT("%s=%llu..%llu ", name, v, m);
		else
			PUT("%s=0x%llx ", name, v);
	}
	PUT("-> %s(", rmt_pipeline_action_name(prog->pipe, e->action_id));
	for (i = 0; i < d->n && e->params; i++) {
		u64 v = 0;

		memcpy(&v, e->params + d->offset[i], d->size[i]);
		if (d->is_signed[i] && d->size[i] < 8 &&
		    (v >> (8 * d->size[i] - 1)))
			v |= ~0ull << (8 * d->size[i]);
		if (d->is_signed[i])
			PUT("%s%lld", i ? ", " : "", (long long)v);
		else
			PUT("%s%llu", i ? ", " : "", (unsigned long long)v);
	}
	PUT(")");
#undef PUT
}

/* ---- statements ---- */

static int rmt_stmt_hook(struct rmt_pstate *ps, char *arg)
{
	const struct rmt_hook_desc *h;

	if (ps->prog->pipe)
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"a second hook statement");
	h = rmt_hook_find(arg);
	if (!h)
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"unknown hook '%s' (swap_fault, sched_wakeup, "
				"mem_place)",
				arg);
	if (rmt_pipeline_create(h, &ps->prog->pipe))
		return -ENOMEM;
	return 0;
}

static int rmt_add_action(struct rmt_pstate *ps, const struct rmt_insn *code,
			  u32 n, u32 line)
{
	char log[256] = "";
	int r = rmt_pipeline_add_action(ps->prog->pipe, ps->aname, code, n,
					ps->prog->params[ps->aid_decl].len,
					NULL, log, sizeof(log));

	if (r)
		return rmt_perr(ps->err, ps->err_size, line, "action %s: %s",
				ps->aname, log);
	return 0;
}

static int rmt_load_object(struct rmt_pstate *ps, char *spec)
{
	char file[RMT_LINE_MAX], sec[RMT_LINE_MAX] = "", path[2 * RMT_LINE_MAX];
	char elog[256] = "";
	struct rmt_elf elf = { 0 };
	const struct rmt_elf_prog *ep;
	int r, n;

	n = sscanf(spec, "\"%1023[^\"]\" section %1023s", file, sec);
	if (n < 1 || (n == 1 && *rmt_trim(strchr(spec + 1, '"') + 1)))
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"expected object \"FILE\" [section NAME]");
	if (!ps->dir)
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"objects are not allowed here");
	if (strstr(file, ".."))
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"object path may not contain '..'");
	snprintf(path, sizeof(path), "%s/%s", ps->dir, file);
	r = rmt_elf_load_file(path, sec, &elf, &ep, elog, sizeof(elog));
	if (r)
		return rmt_perr(ps->err, ps->err_size, ps->line, "%s: %s", file,
				elog);
	r = rmt_add_action(ps, ep->insns, ep->len, ps->line);
	rmt_elf_free(&elf);
	return r;
}

/* action NAME[(PARAMS)] [{ | object "FILE" [section NAME]] */
static int rmt_stmt_action(struct rmt_pstate *ps, char *arg)
{
	size_t len = strspn(arg, "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	char *rest = arg + len, *close;
	u32 n = rmt_pipeline_n_actions(ps->prog->pipe);
	int r;

	if (len >= RMT_NAME_LEN)
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"action name too long");
	memcpy(ps->aname, arg, len);
	ps->aname[len] = 0;
	if (!rmt_ident(ps->aname))
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"bad action name");
	if (n >= RMT_PIPELINE_MAX_ACTIONS)
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"more than %u actions",
				RMT_PIPELINE_MAX_ACTIONS);
	ps->aid_decl = n;
	memset(&ps->prog->params[n], 0, sizeof(ps->prog->params[n]));
	if (*rest == '(') {
		close = strchr(rest, ')');
		if (!close)
			return rmt_perr(ps->err, ps->err_size, ps->line,
					"missing ')'");
		*close = 0;
		r = rmt_parse_params(rest + 1, &ps->prog->params[n], ps->err,
				     ps->err_size, ps->line);
		if (r)
			return r;
		rest = close + 1;
	}
	rest = rmt_trim(rest);
	if (!*rest)
		return rmt_add_action(ps, NULL, 0, ps->line);
	if (!strcmp(rest, "{")) {
		ps->in_body = true;
		ps->aline = ps->line;
		ps->body_len = 0;
		ps->body[0] = 0;
		return 0;
	}
	if (!strncmp(rest, "object", 6) && isspace((unsigned char)rest[6]))
		return rmt_load_object(ps, rmt_trim(rest + 6));
	return rmt_perr(ps->err, ps->err_size, ps->line,
			"expected '{', 'object' or nothing after the action");
}

static int rmt_body_end(struct rmt_pstate *ps)
{
	struct rmt_insn *code = NULL;
	char log[256] = "";
	u32 n = 0, at;
	int r;

	ps->in_body = false;
	r = rmt_asm(ps->body, &code, &n, log, sizeof(log));
	if (r) {
		/* The assembler counts lines from the body's first line. */
		if (sscanf(log, "line %u:", &at) == 1)
			return rmt_perr(ps->err, ps->err_size, ps->aline + at,
					"action %s: %s", ps->aname,
					strchr(log, ':') + 2);
		return rmt_perr(ps->err, ps->err_size, ps->aline,
				"action %s: %s", ps->aname, log);
	}
	r = rmt_add_action(ps, code, n, ps->aline);
	free(code);
	return r;
}

static int rmt_table_begin(struct rmt_pstate *ps, char *arg)
{
	char *brace = strchr(arg, '{');

	if (!brace || *rmt_trim(brace + 1))
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"expected 'table NAME {'");
	*brace = 0;
	arg = rmt_trim(arg);
	if (!rmt_ident(arg))
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"bad table name '%s'", arg);
	strcpy(ps->tname, arg);
	memset(&ps->cfg, 0, sizeof(ps->cfg));
	ps->cfg.id = rmt_pipeline_n_stages(ps->prog->pipe);
	ps->cfg.capacity = 1024;
	ps->has_default = false;
	while (ps->n_entries)
		free(ps->entries[--ps->n_entries].text);
	ps->in_table = true;
	ps->tline = ps->line;
	return 0;
}

static const char *rmt_kind_names[] = { "exact", "ternary", "lpm", "range" };

static int rmt_table_stmt(struct rmt_pstate *ps, char *kw, char *arg)
{
	struct rmt_table_config *c = &ps->cfg;
	char *tok, *save = NULL;
	u64 v;
	u32 id, k;

	if (!strcmp(kw, "key")) {
		char f[RMT_LINE_MAX], kind[RMT_LINE_MAX], extra;

		if (sscanf(arg, "%1023s %1023s %c", f, kind, &extra) != 2)
			return rmt_perr(ps->err, ps->err_size, ps->line,
					"expected 'key FIELD KIND'");
		if (rmt_field_id(ps->prog, f, &id))
			return rmt_perr(ps->err, ps->err_size, ps->line,
					"hook %s has no field '%s'",
					rmt_pipeline_hook(ps->prog->pipe)->name,
					f);
		for (k = 0; k < 4; k++)
			if (!strcmp(kind, rmt_kind_names[k]))
				break;
		if (k == 4)
			return rmt_perr(ps->err, ps->err_size, ps->line,
					"unknown match kind '%s'", kind);
		if (c->n_fields >= RMT_TABLE_MAX_FIELDS)
			return rmt_perr(ps->err, ps->err_size, ps->line,
					"more than %u keys",
					RMT_TABLE_MAX_FIELDS);
		c->fields[c->n_fields].field_id = (u16)id;
		c->fields[c->n_fields].kind = (u8)k;
		c->n_fields++;
		return 0;
	}
	if (!strcmp(kw, "actions")) {
		for (tok = strtok_r(arg, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save)) {
			if (rmt_pipeline_action_id(ps->prog->pipe, tok, &id))
				return rmt_perr(ps->err, ps->err_size, ps->line,
						"unknown action '%s'", tok);
			if (c->n_actions >= RMT_TABLE_MAX_ACTIONS)
				return rmt_perr(ps->err, ps->err_size, ps->line,
						"more than %u actions",
						RMT_TABLE_MAX_ACTIONS);
			c->actions[c->n_actions].id = id;
			c->actions[c->n_actions].param_len =
				ps->prog->params[id].len;
			c->n_actions++;
		}
		return 0;
	}
	if (!strcmp(kw, "default")) {
		snprintf(ps->def_call, sizeof(ps->def_call), "%s", arg);
		ps->def_line = ps->line;
		ps->has_default = true;
		return 0;
	}
	if (!strcmp(kw, "capacity") || !strcmp(kw, "state") ||
	    !strcmp(kw, "max_cost")) {
		if (rmt_uint(arg, kw[0] == 'm' ? ~0ull : RMT_TABLE_MAX_CAPACITY,
			     &v))
			return rmt_perr(ps->err, ps->err_size, ps->line,
					"%s needs a number in range", kw);
		if (kw[0] == 'c')
			c->capacity = (u32)v;
		else if (kw[0] == 's')
			c->state_size = (u32)v;
		else
			c->max_cost = v;
		return 0;
	}
	if (!strcmp(kw, "algo")) {
		static const char *const names[] = { "auto", "tuples", "tree",
						     "merged" };
		u32 i;

		for (i = 0; i < 4; i++)
			if (!strcmp(arg, names[i]))
				break;
		if (i == 4)
			return rmt_perr(ps->err, ps->err_size, ps->line,
					"algo is auto, tuples, tree or merged");
		c->algo = i;
		return 0;
	}
	if (!strcmp(kw, "entry")) {
		if (ps->n_entries >= RMT_ENTRY_MAX)
			return rmt_perr(ps->err, ps->err_size, ps->line,
					"more than %u initial entries",
					RMT_ENTRY_MAX);
		ps->entries[ps->n_entries].line = ps->line;
		ps->entries[ps->n_entries].text = strdup(arg);
		if (!ps->entries[ps->n_entries].text)
			return -ENOMEM;
		ps->n_entries++;
		return 0;
	}
	return rmt_perr(ps->err, ps->err_size, ps->line,
			"unknown table statement '%s'", kw);
}

static int rmt_table_end(struct rmt_pstate *ps)
{
	struct rmt_table_config *c = &ps->cfg;
	u8 params[RMT_TABLE_MAX_PARAM], dparams[RMT_TABLE_MAX_PARAM];
	struct rmt_table_entry e;
	struct rmt_table *t;
	enum rmt_table_code code;
	char log[256] = "", sub[256];
	u32 i, def_len = 0, def_id = 0;
	int r;

	ps->in_table = false;
	if (!c->n_fields || !c->n_actions)
		return rmt_perr(ps->err, ps->err_size, ps->tline,
				"table %s needs keys and actions", ps->tname);
	if (ps->has_default) {
		r = rmt_program_parse_call(ps->prog, ps->def_call, &def_id,
					   dparams, &def_len, sub, sizeof(sub));
		if (r)
			return rmt_perr(ps->err, ps->err_size, ps->def_line,
					"%s", sub);
	} else {
		def_id = c->actions[0].id;
		def_len = ps->prog->params[def_id].len;
		memset(dparams, 0, sizeof(dparams));
	}
	c->default_action = def_id;
	c->default_param_len = def_len;
	c->default_params = dparams;
	r = rmt_pipeline_add_stage(ps->prog->pipe, ps->tname, c, &t, log,
				   sizeof(log));
	if (r)
		return rmt_perr(ps->err, ps->err_size, ps->tline, "%s", log);
	for (i = 0; i < ps->n_entries; i++) {
		u32 line = ps->entries[i].line;

		r = rmt_program_parse_entry(ps->prog, t, ps->entries[i].text,
					    true, &e, params, sub, sizeof(sub));
		if (r)
			return rmt_perr(ps->err, ps->err_size, line, "%s", sub);
		r = rmt_table_add(t, &e, NULL, &code);
		if (r)
			return rmt_perr(ps->err, ps->err_size, line,
					"entry refused: %s",
					rmt_table_code_str(code));
	}
	r = rmt_table_commit(t, &code);
	if (r)
		return rmt_perr(ps->err, ps->err_size, ps->tline,
				"table %s: %s", ps->tname,
				rmt_table_code_str(code));
	return 0;
}

static int rmt_stmt_model(struct rmt_pstate *ps, char *arg)
{
	char name[RMT_LINE_MAX], kw[16], extra;
	unsigned int slot, n_in;
	u32 i;

	if (sscanf(arg, "%u %1023s %15s %u %c", &slot, name, kw, &n_in,
		   &extra) != 4 ||
	    strcmp(kw, "inputs"))
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"expected 'model SLOT NAME inputs N'");
	if (slot >= RMT_MODEL_SLOTS || n_in > RMT_MODEL_MAX_INPUTS ||
	    !rmt_ident(name))
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"model slot 0..%u, inputs up to %u, a name",
				RMT_MODEL_SLOTS - 1, RMT_MODEL_MAX_INPUTS);
	for (i = 0; i < ps->prog->n_models; i++)
		if (ps->prog->models[i].slot == slot)
			return rmt_perr(ps->err, ps->err_size, ps->line,
					"model slot %u declared twice", slot);
	ps->prog->models[ps->prog->n_models].slot = slot;
	ps->prog->models[ps->prog->n_models].n_in = n_in;
	strcpy(ps->prog->models[ps->prog->n_models].name, name);
	ps->prog->n_models++;
	return 0;
}

static int rmt_body_line(struct rmt_pstate *ps, const char *raw)
{
	size_t n = strlen(raw);

	if (ps->body_len + n + 2 > RMT_BODY_MAX)
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"action body over %u bytes", RMT_BODY_MAX);
	memcpy(ps->body + ps->body_len, raw, n);
	ps->body_len += n;
	ps->body[ps->body_len++] = '\n';
	ps->body[ps->body_len] = 0;
	return 0;
}

static int rmt_line(struct rmt_pstate *ps, char *raw)
{
	char kw[16], tmp[RMT_LINE_MAX + 1], *s, *hash, *arg;
	size_t n;

	if (ps->in_body) {
		strcpy(tmp, raw);
		if (!strcmp(rmt_trim(tmp), "}"))
			return rmt_body_end(ps);
		return rmt_body_line(ps, raw);
	}
	hash = strchr(raw, '#');
	if (hash)
		*hash = 0;
	s = rmt_trim(raw);
	if (!*s)
		return 0;
	n = strcspn(s, " \t{");
	if (!n || n >= sizeof(kw))
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"unknown statement '%.20s'", s);
	memcpy(kw, s, n);
	kw[n] = 0;
	arg = rmt_trim(s + n);
	if (ps->in_table) {
		if (!strcmp(kw, "}") && !*arg)
			return rmt_table_end(ps);
		return rmt_table_stmt(ps, kw, arg);
	}
	if (!ps->prog->pipe && strcmp(kw, "hook"))
		return rmt_perr(ps->err, ps->err_size, ps->line,
				"the program must start with 'hook NAME'");
	if (!strcmp(kw, "hook"))
		return rmt_stmt_hook(ps, arg);
	if (!strcmp(kw, "action"))
		return rmt_stmt_action(ps, arg);
	if (!strcmp(kw, "table"))
		return rmt_table_begin(ps, arg);
	if (!strcmp(kw, "model"))
		return rmt_stmt_model(ps, arg);
	return rmt_perr(ps->err, ps->err_size, ps->line,
			"unknown statement '%s'", kw);
}

int rmt_program_parse(const char *text, const char *dir,
		      struct rmt_program *prog, char *err, size_t es)
{
	struct rmt_pstate ps = { 0 };
	char line[RMT_LINE_MAX + 1];
	const char *p = text, *nl;
	u32 i;
	int r = 0;

	memset(prog, 0, sizeof(*prog));
	ps.prog = prog;
	ps.dir = dir;
	ps.err = err;
	ps.err_size = es;
	ps.body = malloc(RMT_BODY_MAX + RMT_LINE_MAX + 2);
	ps.entries = calloc(RMT_ENTRY_MAX, sizeof(*ps.entries));
	if (!ps.body || !ps.entries) {
		r = -ENOMEM;
		goto out;
	}
	while (*p && !r) {
		size_t len;

		ps.line++;
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > RMT_LINE_MAX) {
			r = rmt_perr(err, es, ps.line, "line over %u bytes",
				     RMT_LINE_MAX);
			break;
		}
		memcpy(line, p, len);
		line[len] = 0;
		if (memchr(line, 0, len) || strchr(line, '\r'))
			r = rmt_perr(err, es, ps.line,
				     "control characters in the line");
		else
			r = rmt_line(&ps, line);
		p = nl ? nl + 1 : p + len;
	}
	if (!r && ps.in_body)
		r = rmt_perr(err, es, ps.aline, "action %s has no closing '}'",
			     ps.aname);
	if (!r && ps.in_table)
		r = rmt_perr(err, es, ps.tline, "table %s has no closing '}'",
			     ps.tname);
	if (!r && !prog->pipe)
		r = rmt_perr(err, es, 0, "empty program: no hook");
	if (!r && !rmt_pipeline_n_stages(prog->pipe))
		r = rmt_perr(err, es, 0, "the program has no table");
out:
	for (i = 0; i < ps.n_entries; i++)
		free(ps.entries[i].text);
	free(ps.entries);
	free(ps.body);
	if (r)
		rmt_program_free(prog);
	return r;
}

int rmt_program_load(const char *path, struct rmt_program *prog, char *err,
		     size_t es)
{
	char *text = NULL, *dir, *slash;
	size_t cap = 0, len = 0, n;
	FILE *fp = fopen(path, "rb");
	int r;

	memset(prog, 0, sizeof(*prog));
	if (!fp)
		return rmt_perr(err, es, 0, "%s: %s", path, strerror(errno));
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nt;

			cap = cap ? cap * 2 : 8192;
			if (cap > (8u << 20)) {
				fclose(fp);
				free(text);
				return rmt_perr(err, es, 0, "%s: over 8 MiB",
						path);
			}
			nt = realloc(text, cap);
			if (!nt) {
				fclose(fp);
				free(text);
				return -ENOMEM;
			}
			text = nt;
		}
		n = fread(text + len, 1, 4096, fp);
		len += n;
		if (n < 4096)
			break;
	}
	fclose(fp);
	text[len] = 0;
	if (strlen(text) != len) {
		free(text);
		return rmt_perr(err, es, 0, "%s: NUL bytes in the file", path);
	}
	dir = strdup(path);
	if (!dir) {
		free(text);
		return -ENOMEM;
	}
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	r = rmt_program_parse(text, dir, prog, err, es);
	free(dir);
	free(text);
	return r;
}

void rmt_program_free(struct rmt_program *prog)
{
	rmt_pipeline_destroy(prog->pipe);
	memset(prog, 0, sizeof(*prog));
}
