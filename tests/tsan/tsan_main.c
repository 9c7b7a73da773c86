// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * tsan_main.c - the runner of the ThreadSanitizer programs: runs the
 * tests that shim/criterion/criterion.h registered, or only those named
 * on the command line as SUITE::NAME, one after the other in this
 * process.  Exit 0 when all passed, 1 on a failed assertion (TSan exits
 * with 66 after reporting a race), 2 when a name matches no test.
 */
#include <criterion/criterion.h>
#include <stdarg.h>

static struct rmt_tsan_test *tests, **tail = &tests;
static struct rmt_tsan_suite *suites;

void rmt_tsan_register(struct rmt_tsan_test *t)
{
	*tail = t;
	tail = &t->next;
}

void rmt_tsan_register_suite(struct rmt_tsan_suite *s)
{
	s->next = suites;
	suites = s;
}

static const struct rmt_tsan_suite *suite_of(const struct rmt_tsan_test *t)
{
	const struct rmt_tsan_suite *s;

	for (s = suites; s; s = s->next)
		if (!strcmp(s->name, t->suite))
			return s;
	return NULL;
}

void rmt_tsan_check(bool ok, const char *file, int line, const char *expr,
		    const char *fmt, ...)
{
	va_list ap;

	if (ok)
		return;
	fprintf(stderr, "%s:%d: assertion failed: %s", file, line, expr);
	if (*fmt) {
		fputs(": ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	exit(1);
}

static bool wanted(const struct rmt_tsan_test *t, int argc, char **argv)
{
	size_t n = strlen(t->suite);
	int i;

	if (argc < 2)
		return true;
	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], t->suite, n) &&
		    !strncmp(argv[i] + n, "::", 2) &&
		    !strcmp(argv[i] + n + 2, t->name))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const struct rmt_tsan_suite *s;
	const struct rmt_tsan_test *t;
	int ran = 0;

	if (argc > 1 && !strcmp(argv[1], "--help")) {
		printf("usage: %s [SUITE::NAME]...\n"
		       "Runs this program's tests (all, or those named).\n",
		       argv[0]);
		return 0;
	}
	for (t = tests; t; t = t->next) {
		if (!wanted(t, argc, argv))
			continue;
		s = suite_of(t);
		printf("[RUN ] %s::%s\n", t->suite, t->name);
		fflush(stdout);
		if (s && s->init)
			s->init();
		t->fn();
		if (s && s->fini)
			s->fini();
		printf("[PASS] %s::%s\n", t->suite, t->name);
		ran++;
	}
	if (ran < (argc > 1 ? argc - 1 : 1)) {
		fprintf(stderr, "%s: %d test(s) ran, fewer than named\n",
			argv[0], ran);
		return 2;
	}
	return 0;
}
