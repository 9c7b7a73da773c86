// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * parse.c - strict parsing of sizes, durations and counts (see parse.h).
 */
#include <errno.h>
#include <string.h>

#include "uspace/pager.h"
#include "uspace/parse.h"

/* Digits with an optional fraction, scaled by 1000 (fixed point). */
static int parse_milli(const char **sp, uint64_t *milli)
{
	const char *s = *sp;
	uint64_t v = 0, frac = 0, scale = 1000;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX / 1000 - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*s - '0') * scale;
			}
		}
	}
	*milli = v * 1000 + frac;
	*sp = s;
	return 0;
}

static int scaled(uint64_t milli, uint64_t unit, uint64_t *out)
{
	if (milli > UINT64_MAX / unit)
		return -EINVAL;
	*out = milli * unit / 1000;
	return 0;
}

int rmt_us_parse_size(const char *s, uint64_t *bytes, uint32_t *permille)
{
	static const struct {
		const char *suffix;
		uint64_t unit;
	} units[] = { { "", 1 },
		      { "K", 1ull << 10 },
		      { "KB", 1ull << 10 },
		      { "KiB", 1ull << 10 },
		      { "M", 1ull << 20 },
		      { "MB", 1ull << 20 },
		      { "MiB", 1ull << 20 },
		      { "G", 1ull << 30 },
		      { "GB", 1ull << 30 },
		      { "GiB", 1ull << 30 } };
	uint64_t milli;
	unsigned int i;

	if (!s || parse_milli(&s, &milli))
		return -EINVAL;
	*bytes = 0;
	*permille = 0;
	if (!strcmp(s, "%")) {
		if (milli == 0 || milli > 100000)
			return -EINVAL;
		*permille = (uint32_t)(milli / 100);
		return *permille ? 0 : -EINVAL;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(s, units[i].suffix))
			return scaled(milli, units[i].unit, bytes);
	return -EINVAL;
}

int rmt_us_parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *suffix;
		uint64_t unit;
	} units[] = { { "ns", 1 },
		      { "us", 1000 },
		      { "ms", 1000000 },
		      { "s", 1000000000 } };
	uint64_t milli;
	unsigned int i;

	if (!s || parse_milli(&s, &milli))
		return -EINVAL;
	if (!*s && milli == 0) {
		*ns = 0;
		return 0;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(s, units[i].suffix))
			return scaled(milli, units[i].unit, ns);
	return -EINVAL;
}

int rmt_us_parse_count(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* s as one of names: its index in *out. */
static int parse_choice(const char *s, const char *const *names, uint32_t n,
			uint32_t *out)
{
	uint32_t i;

	for (i = 0; s && i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

int rmt_us_parse_fault_mode(const char *s, uint32_t *mode)
{
	static const char *const names[] = {
		[RMT_US_FAULT_SIGNAL] = "signal",
		[RMT_US_FAULT_THREAD] = "thread",
	};

	return parse_choice(s, names, sizeof(names) / sizeof(names[0]), mode);
}

int rmt_us_parse_evict_mode(const char *s, uint32_t *mode)
{
	static const char *const names[] = {
		[RMT_US_EVICT_MOVE] = "move",
		[RMT_US_EVICT_COPY] = "copy",
	};

	return parse_choice(s, names, sizeof(names) / sizeof(names[0]), mode);
}
