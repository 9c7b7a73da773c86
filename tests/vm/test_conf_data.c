// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * test_conf_data.c - the conformance test-file parser on good and bad
 * files, and the hex-bytes parser.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "vm/conf_data.h"

Test(conf_data, sections)
{
	struct rmt_conf_test t;
	char err[128];

	cr_assert_eq(rmt_conf_parse("# Copyright header\n"
				    "-- asm\n"
				    "mov %r0, 1 # keep\n"
				    "exit\n"
				    "-- mem\n"
				    "00 01 # comment\n"
				    "ff\n"
				    "-- raw\n"
				    "0x00000001000000b7\n"
				    "0x0000000000000095\n"
				    "-- no register offset\n"
				    "anything\n"
				    "-- result\n"
				    "0x10\n"
				    "-- error\n"
				    "  bad thing  \n",
				    &t, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(t.asm_text, "mov %r0, 1 # keep\nexit\n");
	cr_assert_eq(t.asm_line, 3);
	cr_assert_eq(t.mem_len, 3);
	cr_assert_eq(t.mem[2], 0xff);
	cr_assert_eq(t.n_raw, 2);
	cr_assert_eq(t.raw[0], 0x00000001000000b7ull);
	cr_assert(t.has_result);
	cr_assert_eq(t.result, 0x10);
	cr_assert(t.has_error);
	cr_assert_str_eq(t.error, "bad thing");
	rmt_conf_free(&t);
	cr_assert_eq(rmt_conf_parse("-- asm\nexit\n-- result\n0\n", &t, err,
				    sizeof(err)),
		     0);
	cr_assert(t.has_result);
	cr_assert_eq(t.result, 0);
	cr_assert_null(t.mem);
	rmt_conf_free(&t);
}

static void expect_conf_error(const char *text, const char *msg)
{
	struct rmt_conf_test t;
	char err[128];

	cr_assert_eq(rmt_conf_parse(text, &t, err, sizeof(err)), -EINVAL,
		     "'%s' parsed", text);
	cr_assert_str_eq(err, msg);
	cr_assert_null(t.asm_text);
}

Test(conf_data, errors)
{
	expect_conf_error("-- asm\nexit\n-- bogus\n",
			  "line 3: unknown section 'bogus'");
	expect_conf_error("-- asm\nexit\n-- result\nzz\n",
			  "line 4: bad result 'zz'");
	expect_conf_error("-- asm\nexit\n-- result\n1\n2\n",
			  "line 5: bad result '2'");
	expect_conf_error("-- asm\nexit\n-- result\n-1\n",
			  "line 4: bad result '-1'");
	expect_conf_error("-- raw\n0x1q\n", "line 2: bad raw word '0x1q'");
	expect_conf_error("-- asm\nexit\n-- mem\n0g\n",
			  "bad hex bytes in the mem section");
	expect_conf_error("-- result\n1\n", "no asm or raw section");
	expect_conf_error("stray\n-- asm\nexit\n",
			  "line 1: text outside a section: 'stray'");
}

Test(conf_data, hex_bytes)
{
	size_t len;
	u8 *b;

	cr_assert_eq(rmt_hex_bytes("0aFF 10\n", &b, &len), 0);
	cr_assert_eq(len, 3);
	cr_assert_eq(b[0], 0x0a);
	cr_assert_eq(b[1], 0xff);
	cr_assert_eq(b[2], 0x10);
	free(b);
	cr_assert_eq(rmt_hex_bytes("", &b, &len), 0);
	cr_assert_eq(len, 0);
	free(b);
	cr_assert_eq(rmt_hex_bytes("abc", &b, &len), -EINVAL);
	cr_assert_eq(rmt_hex_bytes("a b", &b, &len), -EINVAL);
	cr_assert_eq(rmt_hex_bytes("xy", &b, &len), -EINVAL);
}
