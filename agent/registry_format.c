// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * registry_format.c - key names, and the metadata and state files of the
 * model registry: writers and strict parsers (see registry_format.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "agent/registry_format.h"

static const char meta_magic[] = "rmt-model-meta 1";
static const char state_magic[] = "rmt-registry-state 1";

static bool printable(char c)
{
	return c >= 0x20 && c <= 0x7e;
}

static bool plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

int rmt_reg_key_check(const char *key, char *err, size_t err_size)
{
	size_t i, n = strnlen(key, RMT_REG_KEY_MAX + 1), enc = 0;

	if (!n) {
		snprintf(err, err_size, "empty key");
		return -EINVAL;
	}
	if (n > RMT_REG_KEY_MAX) {
		snprintf(err, err_size, "key longer than %u bytes",
			 RMT_REG_KEY_MAX);
		return -ENAMETOOLONG;
	}
	for (i = 0; i < n; i++) {
		if (!printable(key[i])) {
			snprintf(err, err_size,
				 "key has a control character (0x%02x) at %zu",
				 (unsigned char)key[i], i);
			return -EINVAL;
		}
		enc += plain(key[i]) && !(i == 0 && key[i] == '.') ? 1 : 3;
	}
	if (enc > RMT_REG_ENC_MAX) {
		snprintf(err, err_size,
			 "key too long: its file name would take %zu bytes, "
			 "more than %u",
			 enc, RMT_REG_ENC_MAX);
		return -ENAMETOOLONG;
	}
	return 0;
}

void rmt_reg_key_encode(const char *key, char name[RMT_REG_NAME_MAX])
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; key[i] && i < RMT_REG_KEY_MAX; i++) {
		unsigned char c = (unsigned char)key[i];

		if (plain((char)c) && !(i == 0 && c == '.')) {
			name[o++] = (char)c;
			continue;
		}
		name[o++] = '%';
		name[o++] = hex[c >> 4];
		name[o++] = hex[c & 15];
	}
	name[o] = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rmt_reg_key_decode(const char *name, char key[RMT_REG_KEY_MAX + 1])
{
	const char *s = name;
	char again[RMT_REG_NAME_MAX];
	size_t o = 0;

	while (*s) {
		int hi, lo;

		if (o == RMT_REG_KEY_MAX)
			return -EINVAL;
		if (*s != '%') {
			key[o++] = *s++;
			continue;
		}
		hi = hexval(s[1]);
		lo = hi < 0 ? -1 : hexval(s[2]);
		if (lo < 0)
			return -EINVAL;
		key[o++] = (char)(hi << 4 | lo);
		s += 3;
	}
	key[o] = 0;
	/* Only the one spelling encode() makes is a key's directory. */
	if (rmt_reg_key_check(key, again, sizeof(again)))
		return -EINVAL;
	rmt_reg_key_encode(key, again);
	return strcmp(again, name) ? -EINVAL : 0;
}

enum ftype {
	F_NUM,
	F_PPM,
	F_VERSION,
	F_STR
};

struct field {
	const char *name;
	enum ftype type;
	size_t off, size;
};

#define OFF(f) offsetof(struct rmt_reg_meta, f)
#define SIZE(f) sizeof(((struct rmt_reg_meta *)0)->f)

/* In the order written; key comes first and is not a member. */
static const struct field meta_fields[] = {
	{ "version", F_VERSION, OFF(version), SIZE(version) },
	{ "model_id", F_NUM, OFF(model_id), SIZE(model_id) },
	{ "time_ns", F_NUM, OFF(time_ns), SIZE(time_ns) },
	{ "first_event_ns", F_NUM, OFF(first_event_ns), SIZE(first_event_ns) },
	{ "last_event_ns", F_NUM, OFF(last_event_ns), SIZE(last_event_ns) },
	{ "train_samples", F_NUM, OFF(train_samples), SIZE(train_samples) },
	{ "heldout_samples", F_NUM, OFF(heldout_samples),
	  SIZE(heldout_samples) },
	{ "candidate_ppm", F_PPM, OFF(candidate_ppm), SIZE(candidate_ppm) },
	{ "installed_ppm", F_PPM, OFF(installed_ppm), SIZE(installed_ppm) },
	{ "heuristic_ppm", F_PPM, OFF(heuristic_ppm), SIZE(heuristic_ppm) },
	{ "model_bytes", F_NUM, OFF(model_bytes), SIZE(model_bytes) },
	{ "backend", F_STR, OFF(backend), SIZE(backend) },
	{ "device", F_STR, OFF(device), SIZE(device) },
	{ "reason", F_STR, OFF(reason), SIZE(reason) },
};

#define N_META (sizeof(meta_fields) / sizeof(meta_fields[0]))

static size_t put_str(char *o, const char *s, size_t max)
{
	size_t i, n = strnlen(s, max);

	for (i = 0; i < n; i++)
		o[i] = printable(s[i]) ? s[i] : '?';
	return n;
}

size_t rmt_reg_meta_format(const char *key, const struct rmt_reg_meta *m,
			   char *buf)
{
	const char *base = (const char *)m;
	size_t i, n;

	n = (size_t)snprintf(buf, RMT_REG_TEXT_MAX, "%s\nkey ", meta_magic);
	n += put_str(buf + n, key, RMT_REG_KEY_MAX);
	buf[n++] = '\n';
	for (i = 0; i < N_META; i++) {
		const struct field *f = &meta_fields[i];
		unsigned long long v = 0;

		n += (size_t)snprintf(buf + n, RMT_REG_TEXT_MAX - n, "%s ",
				      f->name);
		if (f->type == F_STR) {
			n += put_str(buf + n, base + f->off, f->size - 1);
			buf[n++] = '\n';
			continue;
		}
		if (f->size == sizeof(u64))
			v = *(const u64 *)(base + f->off);
		else
			v = *(const u32 *)(base + f->off);
		n += (size_t)snprintf(buf + n, RMT_REG_TEXT_MAX - n, "%llu\n",
				      v);
	}
	buf[n] = 0;
	return n;
}

size_t rmt_reg_state_format(const struct rmt_reg_state *st, char *buf)
{
	size_t n;
	u32 i;

	n = (size_t)snprintf(buf, RMT_REG_TEXT_MAX,
			     "%s\nserial %llu\npinned %u\nhistory", state_magic,
			     (unsigned long long)st->serial, st->pinned);
	for (i = 0; i < st->n_history && i < RMT_REG_HISTORY; i++)
		n += (size_t)snprintf(buf + n, RMT_REG_TEXT_MAX - n, " %u",
				      st->history[i]);
	buf[n++] = '\n';
	buf[n] = 0;
	return n;
}

/* A cursor over the lines of a text file. */
struct lines {
	const char *p, *end;
	u32 no;
	const char *name, *val;
	size_t name_len, val_len;
};

/* The next line split at its first blank: 1, 0 at the end, or -EINVAL. */
static int next_line(struct lines *l, char *err, size_t es)
{
	const char *s = l->p, *nl, *sp;

	if (s == l->end)
		return 0;
	l->no++;
	nl = memchr(s, '\n', (size_t)(l->end - s));
	if (!nl) {
		snprintf(err, es, "line %u: no newline at the end (truncated?)",
			 l->no);
		return -EINVAL;
	}
	for (sp = s; sp < nl; sp++) {
		if (!printable(*sp)) {
			snprintf(err, es, "line %u: bad character 0x%02x",
				 l->no, (unsigned char)*sp);
			return -EINVAL;
		}
	}
	sp = memchr(s, ' ', (size_t)(nl - s));
	l->name = s;
	l->name_len = (size_t)((sp ? sp : nl) - s);
	l->val = sp ? sp + 1 : nl;
	l->val_len = (size_t)(nl - l->val);
	l->p = nl + 1;
	return 1;
}

static bool is_name(const struct lines *l, const char *name)
{
	return strlen(name) == l->name_len &&
	       !memcmp(l->name, name, l->name_len);
}

static int first_line(struct lines *l, const char *magic, char *err, size_t es)
{
	int r = next_line(l, err, es);

	if (r < 0)
		return r;
	if (!r || (size_t)(l->p - 1 - l->name) != strlen(magic) ||
	    memcmp(l->name, magic, strlen(magic))) {
		snprintf(err, es, "line 1: expected '%s'", magic);
		return -EINVAL;
	}
	return 0;
}

/* A decimal number in [0, max] from s[0..len). */
static int parse_num(const char *s, size_t len, u64 max, u64 *out)
{
	u64 v = 0;
	size_t i;

	if (!len || len > 20)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		u64 d = (u64)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int parse_field(const struct field *f, const struct lines *l, char *base,
		       char *err, size_t es)
{
	u64 max = f->size == sizeof(u64) ? ~0ull : 0xffffffffull, v;

	if (f->type == F_STR) {
		if (l->val_len >= f->size) {
			snprintf(err, es,
				 "line %u: %s longer than %zu characters",
				 l->no, f->name, f->size - 1);
			return -EINVAL;
		}
		memcpy(base + f->off, l->val, l->val_len);
		base[f->off + l->val_len] = 0;
		return 0;
	}
	if (f->type == F_PPM)
		max = 1000000;
	else if (f->type == F_VERSION)
		max = RMT_REG_VERSION_MAX;
	if (parse_num(l->val, l->val_len, max, &v) ||
	    (f->type == F_VERSION && !v)) {
		snprintf(err, es, "line %u: %s '%.*s' is not a number %s %llu",
			 l->no, f->name,
			 (int)(l->val_len > 24 ? 24 : l->val_len), l->val,
			 f->type == F_VERSION ? "from 1 to" : "up to",
			 (unsigned long long)max);
		return -EINVAL;
	}
	if (f->size == sizeof(u64))
		*(u64 *)(base + f->off) = v;
	else
		*(u32 *)(base + f->off) = (u32)v;
	return 0;
}

int rmt_reg_meta_parse(const char *buf, size_t len,
		       char key[RMT_REG_KEY_MAX + 1], struct rmt_reg_meta *m,
		       char *err, size_t err_size)
{
	struct lines l = { .p = buf, .end = buf + len };
	bool seen[N_META] = { false }, seen_key = false;
	char kerr[96];
	size_t i;
	int r;

	memset(m, 0, sizeof(*m));
	if (len > RMT_REG_TEXT_MAX) {
		snprintf(err, err_size, "larger than %u bytes",
			 RMT_REG_TEXT_MAX);
		return -EINVAL;
	}
	r = first_line(&l, meta_magic, err, err_size);
	while (!r && (r = next_line(&l, err, err_size)) > 0) {
		r = 0;
		if (is_name(&l, "key")) {
			if (seen_key)
				goto dup;
			seen_key = true;
			if (l.val_len > RMT_REG_KEY_MAX) {
				snprintf(err, err_size,
					 "line %u: key longer than %u bytes",
					 l.no, RMT_REG_KEY_MAX);
				return -EINVAL;
			}
			memcpy(key, l.val, l.val_len);
			key[l.val_len] = 0;
			r = rmt_reg_key_check(key, kerr, sizeof(kerr));
			if (r)
				snprintf(err, err_size, "line %u: %s", l.no,
					 kerr);
			continue;
		}
		for (i = 0; i < N_META && !is_name(&l, meta_fields[i].name);
		     i++)
			;
		if (i == N_META) {
			snprintf(err, err_size, "line %u: unknown field '%.*s'",
				 l.no, (int)(l.name_len > 32 ? 32 : l.name_len),
				 l.name);
			return -EINVAL;
		}
		if (seen[i])
			goto dup;
		seen[i] = true;
		r = parse_field(&meta_fields[i], &l, (char *)m, err, err_size);
	}
	if (r < 0)
		return r;
	if (!seen_key) {
		snprintf(err, err_size, "no key");
		return -EINVAL;
	}
	for (i = 0; i < N_META; i++) {
		if (!seen[i]) {
			snprintf(err, err_size, "no %s", meta_fields[i].name);
			return -EINVAL;
		}
	}
	return 0;
dup:
	snprintf(err, err_size, "line %u: second '%.*s'", l.no, (int)l.name_len,
		 l.name);
	return -EINVAL;
}

/* "history 3 5 6": distinct versions, oldest first. */
static int parse_history(const struct lines *l, struct rmt_reg_state *st,
			 char *err, size_t es)
{
	const char *s = l->val, *end = l->val + l->val_len;
	u32 i;

	while (s < end) {
		const char *sp = memchr(s, ' ', (size_t)(end - s));
		size_t n = (size_t)((sp ? sp : end) - s);
		u64 v;

		if (parse_num(s, n, RMT_REG_VERSION_MAX, &v) || !v) {
			snprintf(err, es,
				 "line %u: history holds '%.*s', not a version",
				 l->no, (int)(n > 24 ? 24 : n), s);
			return -EINVAL;
		}
		if (st->n_history == RMT_REG_HISTORY) {
			snprintf(err, es, "line %u: history longer than %u",
				 l->no, RMT_REG_HISTORY);
			return -EINVAL;
		}
		for (i = 0; i < st->n_history; i++) {
			if (st->history[i] == v) {
				snprintf(err, es,
					 "line %u: version %u twice in history",
					 l->no, (u32)v);
				return -EINVAL;
			}
		}
		st->history[st->n_history++] = (u32)v;
		s = sp ? sp + 1 : end;
	}
	return 0;
}

int rmt_reg_state_parse(const char *buf, size_t len, struct rmt_reg_state *st,
			char *err, size_t err_size)
{
	struct lines l = { .p = buf, .end = buf + len };
	u32 seen = 0, bit;
	u64 v;
	int r;

	memset(st, 0, sizeof(*st));
	if (len > RMT_REG_TEXT_MAX) {
		snprintf(err, err_size, "larger than %u bytes",
			 RMT_REG_TEXT_MAX);
		return -EINVAL;
	}
	r = first_line(&l, state_magic, err, err_size);
	while (!r && (r = next_line(&l, err, err_size)) > 0) {
		r = 0;
		bit = is_name(&l, "serial")  ? 1 :
		      is_name(&l, "pinned")  ? 2 :
		      is_name(&l, "history") ? 4 :
					       0;
		if (!bit) {
			snprintf(err, err_size, "line %u: unknown field '%.*s'",
				 l.no, (int)(l.name_len > 32 ? 32 : l.name_len),
				 l.name);
			return -EINVAL;
		}
		if (seen & bit) {
			snprintf(err, err_size, "line %u: second '%.*s'", l.no,
				 (int)l.name_len, l.name);
			return -EINVAL;
		}
		seen |= bit;
		if (bit == 4) {
			r = parse_history(&l, st, err, err_size);
		} else if (parse_num(l.val, l.val_len,
				     bit == 1 ? ~0ull : RMT_REG_VERSION_MAX,
				     &v)) {
			snprintf(err, err_size, "line %u: bad number for %s",
				 l.no, bit == 1 ? "serial" : "pinned");
			r = -EINVAL;
		} else if (bit == 1) {
			st->serial = v;
		} else {
			st->pinned = (u32)v;
		}
	}
	if (r < 0)
		return r;
	if (seen != 7) {
		snprintf(err, err_size, "no %s",
			 !(seen & 1) ? "serial" :
			 !(seen & 2) ? "pinned" :
				       "history");
		return -EINVAL;
	}
	if (st->n_history)
		st->current = st->history[st->n_history - 1];
	if (st->n_history > 1)
		st->previous = st->history[st->n_history - 2];
	if (st->pinned && st->pinned != st->current) {
		snprintf(err, err_size,
			 "pinned version %u is not the current one (%u)",
			 st->pinned, st->current);
		return -EINVAL;
	}
	return 0;
}
