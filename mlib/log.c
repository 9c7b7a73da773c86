// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * log.c - the mlib log formatter.  The core has no libc, so this is a
 * small printf subset over the compiler's variadic builtins.
 */
#include "mlib/log.h"

static void put_char(struct rmt_mlog *log, char c)
{
	if (!log->buf || log->len + 1 >= log->size)
		return;
	log->buf[log->len++] = c;
	log->buf[log->len] = '\0';
}

static void put_str(struct rmt_mlog *log, const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		put_char(log, *s++);
}

static void put_u64(struct rmt_mlog *log, u64 v, u32 base)
{
	char tmp[24];
	int n = 0;

	do {
		u32 d = (u32)(v % base);

		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v && n < (int)sizeof(tmp));
	while (n > 0)
		put_char(log, tmp[--n]);
}

static void put_s64(struct rmt_mlog *log, s64 v)
{
	if (v < 0) {
		put_char(log, '-');
		put_u64(log, (u64)0 - (u64)v, 10);
	} else {
		put_u64(log, (u64)v, 10);
	}
}

void rmt_mlog_printf(struct rmt_mlog *log, const char *fmt, ...)
{
	__builtin_va_list ap;
	int longs;

	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put_char(log, *fmt);
			continue;
		}
		fmt++;
		longs = 0;
		while (*fmt == 'l' && longs < 2) {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			put_str(log, __builtin_va_arg(ap, const char *));
			break;
		case 'c':
			put_char(log, (char)__builtin_va_arg(ap, int));
			break;
		case 'd':
			if (longs == 2)
				put_s64(log, __builtin_va_arg(ap, long long));
			else if (longs == 1)
				put_s64(log, __builtin_va_arg(ap, long));
			else
				put_s64(log, __builtin_va_arg(ap, int));
			break;
		case 'u':
		case 'x':
			if (longs == 2)
				put_u64(log,
					__builtin_va_arg(ap,
							 unsigned long long),
					*fmt == 'x' ? 16 : 10);
			else if (longs == 1)
				put_u64(log,
					__builtin_va_arg(ap, unsigned long),
					*fmt == 'x' ? 16 : 10);
			else
				put_u64(log, __builtin_va_arg(ap, unsigned int),
					*fmt == 'x' ? 16 : 10);
			break;
		case '%':
			put_char(log, '%');
			break;
		case '\0':
			__builtin_va_end(ap);
			return;
		default:
			put_char(log, '?');
			break;
		}
	}
	__builtin_va_end(ap);
}
