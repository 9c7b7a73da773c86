// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * transpose.c - out-of-place transpose of a rows x 2048 uint32 matrix in
 * square tiles (up to 256 x 256), as a cache-blocked transpose is written.  Inside a tile
 * the source is read down its columns: rows are two pages long, so the
 * first touches of a tile walk the source with a stride of two pages, a
 * pattern sequential readahead cannot follow.
 */
#include <stdint.h>
#include <stdlib.h>

#include "workloads/wl.h"

#define COLS 2048u
#define MAX_TILE 256u

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"transpose",
		"Column walk: tiled transpose of a rows x 2048 matrix.", false
	};
	struct rmt_wl_opts o;
	uint32_t *a, *t;
	uint64_t seed = 4, sum = RMT_WL_HASH_INIT;
	size_t rows, tile, i, j, ti, tj;

	rmt_wl_parse(argc, argv, &info, &o);
	rows = o.bytes / (2 * COLS * sizeof(uint32_t)) / MAX_TILE * MAX_TILE;
	if (rows < MAX_TILE)
		rows = MAX_TILE;
	/* A tile's pages (one per row, both sides) fit a quarter of memory. */
	tile = rows / 4 < MAX_TILE ? rows / 4 : MAX_TILE;
	a = rmt_wl_alloc(rows * COLS * sizeof(*a), "matrix");
	t = rmt_wl_alloc(rows * COLS * sizeof(*t), "transpose");
	for (i = 0; i < rows * COLS; i++)
		a[i] = (uint32_t)rmt_wl_rand(&seed);
	for (ti = 0; ti < rows; ti += tile)
		for (tj = 0; tj < COLS; tj += tile)
			for (j = tj; j < tj + tile; j++)
				for (i = ti; i < ti + tile; i++)
					t[j * rows + i] = a[i * COLS + j];
	sum = rmt_wl_hash(sum, t, rows * COLS * sizeof(*t));
	rmt_wl_print(sum);
	free(a);
	free(t);
	return 0;
}
