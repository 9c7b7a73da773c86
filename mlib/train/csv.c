// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * csv.c - the CSV reader of the training tools.  Every field is checked:
 * the message names the line and column of the first bad one.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlib/model.h"
#include "mlib/train/dataset.h"

struct csv_state {
	const char *name;
	char *err;
	size_t err_size;
	size_t cap;
	u32 line;
	bool past_first; /* a header may only be the first line */
};

static int fail(struct csv_state *st, u32 col, const char *what,
		const char *field, size_t len)
{
	if (col)
		snprintf(st->err, st->err_size,
			 "%s: line %u, column %u: %s "
			 "'%.*s'",
			 st->name, st->line, col, what,
			 (int)(len > 40 ? 40 : len), field);
	else
		snprintf(st->err, st->err_size, "%s: line %u: %s", st->name,
			 st->line, what);
	return -EINVAL;
}

/* Split one line into fields; returns the field count, -1 if too many. */
static int split(const char *line, size_t len, const char **start, size_t *flen,
		 int max)
{
	int n = 0;
	size_t i, s = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || line[i] == ',') {
			if (n == max)
				return -1;
			start[n] = line + s;
			flen[n] = i - s;
			n++;
			s = i + 1;
		}
	}
	return n;
}

static void trim(const char **p, size_t *len)
{
	while (*len && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*len)--;
	}
	while (*len && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t' ||
			(*p)[*len - 1] == '\r'))
		(*len)--;
}

static bool parse_num(const char *p, size_t len, double *out)
{
	char buf[64], *end;

	trim(&p, &len);
	if (!len || len >= sizeof(buf))
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	return *end == '\0' && errno != ERANGE && isfinite(*out);
}

static int grow(struct rmt_dataset *ds, struct csv_state *st)
{
	size_t cap = st->cap ? st->cap * 2 : 1024;
	double *x = realloc(ds->x, cap * ds->n_features * sizeof(*x));
	s32 *y;

	if (!x)
		return -ENOMEM;
	ds->x = x;
	y = realloc(ds->y, cap * sizeof(*y));
	if (!y)
		return -ENOMEM;
	ds->y = y;
	st->cap = cap;
	return 0;
}

#define CSV_MAX_COLS (RMT_MODEL_MAX_FEATURES + 1)

static int parse_line(struct rmt_dataset *ds, struct csv_state *st,
		      const char *line, size_t len)
{
	const char *start[CSV_MAX_COLS];
	size_t flen[CSV_MAX_COLS];
	int n = split(line, len, start, flen, CSV_MAX_COLS), c;
	double v;
	int err;

	if (n < 0)
		return fail(st, 0, "too many columns", NULL, 0);
	if (!ds->n_features) {
		if (n < 2)
			return fail(st, 0,
				    "need at least one feature and a "
				    "label",
				    NULL, 0);
		/* A first line that is not numeric is the header. */
		if (!st->past_first && !parse_num(start[0], flen[0], &v)) {
			st->past_first = true;
			return 1;
		}
		ds->n_features = (u32)n - 1;
	}
	if ((u32)n != ds->n_features + 1) {
		char what[64];

		snprintf(what, sizeof(what), "%d columns, expected %u", n,
			 ds->n_features + 1);
		return fail(st, 0, what, NULL, 0);
	}
	if (ds->n == st->cap && (err = grow(ds, st)))
		return err;
	for (c = 0; c < n - 1; c++) {
		if (!parse_num(start[c], flen[c], &v))
			return fail(st, (u32)c + 1, "not a finite number",
				    start[c], flen[c]);
		ds->x[(size_t)ds->n * ds->n_features + c] = v;
	}
	if (!parse_num(start[c], flen[c], &v) || v != floor(v) || v < 0 ||
	    v >= RMT_MODEL_MAX_CLASSES)
		return fail(st, (u32)c + 1,
			    "label is not a class number "
			    "0..63:",
			    start[c], flen[c]);
	ds->y[ds->n++] = (s32)v;
	if ((u32)v + 1 > ds->n_classes)
		ds->n_classes = (u32)v + 1;
	return 0;
}

int rmt_csv_parse(const char *text, const char *name, struct rmt_dataset *ds,
		  char *err, size_t err_size)
{
	struct csv_state st = { name, err, err_size, 0, 0, false };
	const char *p = text, *eol;
	size_t len;
	int rc = 0;

	memset(ds, 0, sizeof(*ds));
	if (err_size)
		err[0] = '\0';
	while (*p) {
		st.line++;
		eol = strchr(p, '\n');
		len = eol ? (size_t)(eol - p) : strlen(p);
		if (len && p[len - 1] == '\r')
			len--;
		if (len && len != strspn(p, " \t")) {
			rc = parse_line(ds, &st, p, len);
			if (rc < 0)
				break;
			rc = 0;
		}
		if (!eol)
			break;
		p = eol + 1;
	}
	if (!rc && !ds->n)
		rc = fail(&st, 0, "no data rows", NULL, 0);
	if (rc == -ENOMEM)
		snprintf(err, err_size, "%s: out of memory", name);
	if (rc)
		rmt_dataset_free(ds);
	return rc;
}

int rmt_csv_read(const char *path, struct rmt_dataset *ds, char *err,
		 size_t err_size)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long size;
	int rc;

	memset(ds, 0, sizeof(*ds));
	if (!f) {
		rc = -errno;
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(err, err_size, "%s: cannot read its size", path);
		fclose(f);
		return -EIO;
	}
	text = malloc((size_t)size + 1);
	if (!text) {
		fclose(f);
		snprintf(err, err_size, "%s: out of memory", path);
		return -ENOMEM;
	}
	if (fread(text, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, err_size, "%s: read error", path);
		free(text);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	text[size] = '\0';
	if (strlen(text) != (size_t)size) {
		snprintf(err, err_size,
			 "%s: contains a NUL byte (binary "
			 "file?)",
			 path);
		free(text);
		return -EINVAL;
	}
	rc = rmt_csv_parse(text, path, ds, err, err_size);
	free(text);
	return rc;
}
