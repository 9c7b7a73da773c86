// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vm_log.c - the load-time message formatter (see vm_log.h).
 */
#include "vm/vm_log.h"

struct rmt_logbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void rmt_putc(struct rmt_logbuf *b, char c)
{
	if (b->len + 1 < b->size)
		b->buf[b->len++] = c;
}

static void rmt_putu(struct rmt_logbuf *b, u64 v, unsigned int base)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		rmt_putc(b, tmp[--n]);
}

static void rmt_puts(struct rmt_logbuf *b, const char *s)
{
	while (s && *s)
		rmt_putc(b, *s++);
}

static void rmt_puts64(struct rmt_logbuf *b, s64 v)
{
	if (v < 0) {
		rmt_putc(b, '-');
		rmt_putu(b, (u64)0 - (u64)v, 10);
	} else {
		rmt_putu(b, (u64)v, 10);
	}
}

void rmt_vm_logf(char *log, size_t size, const char *fmt, ...)
{
	struct rmt_logbuf b = { .buf = log, .size = size, .len = 0 };
	__builtin_va_list ap;
	bool ll;

	if (!log || !size)
		return;
	__builtin_va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			rmt_putc(&b, *fmt);
			continue;
		}
		fmt++;
		ll = fmt[0] == 'l' && fmt[1] == 'l';
		if (ll)
			fmt += 2;
		switch (*fmt) {
		case 's':
			rmt_puts(&b, __builtin_va_arg(ap, const char *));
			break;
		case 'd':
			rmt_puts64(&b, ll ? __builtin_va_arg(ap, long long) :
					    __builtin_va_arg(ap, int));
			break;
		case 'u':
			rmt_putu(&b,
				 ll ? __builtin_va_arg(ap, unsigned long long) :
				      __builtin_va_arg(ap, unsigned int),
				 10);
			break;
		case 'x':
			rmt_putu(&b,
				 ll ? __builtin_va_arg(ap, unsigned long long) :
				      __builtin_va_arg(ap, unsigned int),
				 16);
			break;
		case '%':
			rmt_putc(&b, '%');
			break;
		default:
			/* An unknown conversion is a bug in our own code. */
			rmt_putc(&b, '?');
			if (!*fmt)
				fmt--;
			break;
		}
	}
	__builtin_va_end(ap);
	b.buf[b.len] = '\0';
}
