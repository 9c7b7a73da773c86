// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * conv2d.c - 2-D convolution of a large integer matrix with a K x K kernel
 * (3, 5 or 7): each output row reads K input rows, so the input streams
 * past in a window of K rows, as in an image filter or a CNN layer.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "workloads/wl.h"

static void convolve(const int32_t *in, int32_t *out, size_t n,
		     const int32_t *k, unsigned int ks)
{
	size_t r = ks / 2, y, x;
	unsigned int i, j;

	for (y = 0; y < n; y++) {
		int32_t *o = out + y * n;

		if (y < r || y + r >= n) {
			for (x = 0; x < n; x++)
				o[x] = 0;
			continue;
		}
		for (x = 0; x < r; x++)
			o[x] = o[n - 1 - x] = 0;
		for (x = r; x + r < n; x++) {
			int64_t acc = 0;

			for (i = 0; i < ks; i++) {
				const int32_t *row =
					in + (y + i - r) * n + x - r;

				for (j = 0; j < ks; j++)
					acc += (int64_t)row[j] * k[i * ks + j];
			}
			o[x] = (int32_t)(acc >> 6);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"conv2d", "2-D convolution of an N x N int32 matrix.", true
	};
	struct rmt_wl_opts o;
	int32_t *in, *out, k[49];
	uint64_t seed = 2, sum = RMT_WL_HASH_INIT;
	size_t n, i;

	rmt_wl_parse(argc, argv, &info, &o);
	n = (size_t)sqrt((double)o.bytes / (2 * sizeof(int32_t)));
	in = rmt_wl_alloc(n * n * sizeof(*in), "input matrix");
	out = rmt_wl_alloc(n * n * sizeof(*out), "output matrix");
	for (i = 0; i < n * n; i++)
		in[i] = (int32_t)(rmt_wl_rand(&seed) & 0xffff) - 0x8000;
	for (i = 0; i < o.kernel * o.kernel; i++)
		k[i] = (int32_t)(rmt_wl_rand(&seed) % 17) - 8;
	convolve(in, out, n, k, o.kernel);
	sum = rmt_wl_hash(sum, out, n * n * sizeof(*out));
	rmt_wl_print(sum);
	free(in);
	free(out);
	return 0;
}
