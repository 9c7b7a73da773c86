// SPDX-License-Identifier: GPL-2.0 OR MIT
/* test_csv.c - the CSV reader on good input and on garbage. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>

#include "mlib/train/dataset.h"

static void expect_error(const char *text, const char *msg)
{
	struct rmt_dataset ds;
	char err[256];

	cr_assert_eq(rmt_csv_parse(text, "t.csv", &ds, err, sizeof(err)),
		     -EINVAL, "accepted '%s'", text);
	cr_assert(strstr(err, msg), "error '%s' lacks '%s'", err, msg);
	cr_assert_null(ds.x);
}

Test(mlib_csv, reads_header_crlf_and_blank_lines)
{
	struct rmt_dataset ds;
	char err[256];

	cr_assert_eq(rmt_csv_parse("a,b,label\r\n1.5, -2,0\r\n\n 3e2,4,2\n",
				   "t.csv", &ds, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(ds.n, 2);
	cr_assert_eq(ds.n_features, 2);
	cr_assert_eq(ds.n_classes, 3);
	cr_assert_float_eq(ds.x[0], 1.5, 1e-12);
	cr_assert_float_eq(ds.x[1], -2, 1e-12);
	cr_assert_float_eq(ds.x[2], 300, 1e-12);
	cr_assert_eq(ds.y[1], 2);
	rmt_dataset_free(&ds);
	/* A header after blank lines is still the header. */
	cr_assert_eq(rmt_csv_parse("\n\nx,label\n4,1\n", "t.csv", &ds, err,
				   sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(ds.n, 1);
	rmt_dataset_free(&ds);
}

Test(mlib_csv, garbage_names_line_and_column)
{
	expect_error("1,2,0\n3,x4,1\n", "line 2, column 2: not a finite "
					"number 'x4'");
	expect_error("1,2,0\n3,4\n", "line 2: 2 columns, expected 3");
	expect_error("1,2,0\n3,4,1,5\n", "line 2: 4 columns, expected 3");
	expect_error("1,2,0\n3,4,1.5\n", "line 2, column 3: label");
	expect_error("1,2,-1\n", "line 1, column 3: label");
	expect_error("1,2,64\n", "label is not a class number 0..63");
	expect_error("1,nan,0\n", "line 1, column 2");
	expect_error("1,inf,0\n", "line 1, column 2");
	expect_error("1,1e999,0\n", "line 1, column 2");
	expect_error("a,b,c\n", "no data rows");
	expect_error("", "no data rows");
	expect_error("1\n", "at least one feature");
	expect_error("a,b,c\n1,,0\n", "line 2, column 2");
	expect_error("h1,h2,l\n1,2,0\nh1,h2,l\n", "line 3, column 1");
	expect_error("h1,h2,l\nh1,h2,l\n1,2,0\n", "line 2, column 1");
}

Test(mlib_csv, files)
{
	struct rmt_dataset ds;
	char path[] = "/tmp/rmt-csv-XXXXXX", err[256];
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "1,2,0\n\0\0garbage", 15), 15);
	close(fd);
	cr_assert_eq(rmt_csv_read(path, &ds, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "NUL byte"), "%s", err);
	unlink(path);
	cr_assert_eq(rmt_csv_read(path, &ds, err, sizeof(err)), -ENOENT);
	cr_assert(strstr(err, path), "%s", err);
}

Test(mlib_csv, quantize_input_rounds_half_up_and_saturates)
{
	cr_assert_eq(rmt_train_quantize_input(0.5, 0), 1);
	cr_assert_eq(rmt_train_quantize_input(-0.5, 0), 0);
	cr_assert_eq(rmt_train_quantize_input(-0.50001, 0), -1);
	cr_assert_eq(rmt_train_quantize_input(0.49999999999999994, 0), 0);
	cr_assert_eq(rmt_train_quantize_input(1.25, 2), 5);
	cr_assert_eq(rmt_train_quantize_input(1e12, 0), INT32_MAX);
	cr_assert_eq(rmt_train_quantize_input(-1e12, 0), INT32_MIN);
}
