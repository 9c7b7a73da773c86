// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * video_resize.c - scales frames of raw planar YUV 4:2:0 video by 2/3 with
 * bilinear interpolation (16.16 fixed point), the way a transcoder's
 * scaler walks its input: two source rows per output row, plane by plane.
 * The whole clip is generated first, then resized, so under a memory
 * limit the source frames come back from far memory in order.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/wl.h"

struct plane {
	uint8_t *p;
	uint32_t w, h;
};

static void fill_frame(uint8_t *f, uint32_t w, uint32_t h, uint32_t n,
		       uint64_t *seed)
{
	size_t luma = (size_t)w * h, all = luma + luma / 2, i;
	uint32_t x, y;

	/* A moving gradient, plus noise so that no page compresses away. */
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			f[(size_t)y * w + x] = (uint8_t)(x + 2 * y + 7 * n);
	for (i = luma; i < all; i++)
		f[i] = (uint8_t)(128 + (i & 31) + n);
	for (i = 0; i + 8 <= all; i += 64) {
		uint64_t r = rmt_wl_rand(seed);

		f[i] ^= (uint8_t)(r & 15);
		f[i + 7] ^= (uint8_t)((r >> 8) & 15);
	}
}

static void scale_plane(const struct plane *src, struct plane *dst)
{
	uint32_t fx = (uint32_t)(((uint64_t)src->w << 16) / dst->w);
	uint32_t fy = (uint32_t)(((uint64_t)src->h << 16) / dst->h);
	uint32_t x, y;

	for (y = 0; y < dst->h; y++) {
		int64_t sy = (int64_t)y * fy + fy / 2 - 0x8000;
		uint32_t y0, y1, wy;
		const uint8_t *r0, *r1;

		if (sy < 0)
			sy = 0;
		y0 = (uint32_t)(sy >> 16);
		wy = (uint32_t)(sy & 0xffff) >> 8;
		y1 = y0 + 1 < src->h ? y0 + 1 : y0;
		r0 = src->p + (size_t)y0 * src->w;
		r1 = src->p + (size_t)y1 * src->w;
		for (x = 0; x < dst->w; x++) {
			int64_t sx = (int64_t)x * fx + fx / 2 - 0x8000;
			uint32_t x0, x1, wx, top, bot;

			if (sx < 0)
				sx = 0;
			x0 = (uint32_t)(sx >> 16);
			wx = (uint32_t)(sx & 0xffff) >> 8;
			x1 = x0 + 1 < src->w ? x0 + 1 : x0;
			top = r0[x0] * (256 - wx) + r0[x1] * wx;
			bot = r1[x0] * (256 - wx) + r1[x1] * wx;
			dst->p[(size_t)y * dst->w + x] =
				(uint8_t)((top * (256 - wy) + bot * wy +
					   (1u << 15)) >>
					  16);
		}
	}
}

static void scale_frame(uint8_t *in, uint32_t w, uint32_t h, uint8_t *out,
			uint32_t ow, uint32_t oh)
{
	struct plane s = { in, w, h }, d = { out, ow, oh };

	scale_plane(&s, &d);
	s = (struct plane){ in + (size_t)w * h, w / 2, h / 2 };
	d = (struct plane){ out + (size_t)ow * oh, ow / 2, oh / 2 };
	scale_plane(&s, &d);
	s.p += (size_t)(w / 2) * (h / 2);
	d.p += (size_t)(ow / 2) * (oh / 2);
	scale_plane(&s, &d);
}

int main(int argc, char **argv)
{
	static const struct rmt_wl_info info = {
		"video-resize",
		"Bilinear 2/3 downscale of raw YUV 4:2:0 frames.", false
	};
	struct rmt_wl_opts o;
	uint32_t w, h, ow, oh, n, frames;
	size_t in_sz, out_sz;
	uint8_t *in, *out;
	uint64_t seed = 1, sum = RMT_WL_HASH_INIT;

	rmt_wl_parse(argc, argv, &info, &o);
	/* 1080p at real sizes; a quarter of that for the quick size. */
	w = o.bytes >= (16u << 20) ? 1920 : 480;
	h = w == 1920 ? 1080 : 270;
	ow = w * 2 / 3;
	oh = h * 2 / 3;
	in_sz = (size_t)w * h * 3 / 2;
	out_sz = (size_t)ow * oh * 3 / 2;
	frames = (uint32_t)(o.bytes / (in_sz + out_sz));
	if (frames < 2)
		frames = 2;
	in = rmt_wl_alloc(in_sz * frames, "source frames");
	out = rmt_wl_alloc(out_sz * frames, "scaled frames");
	for (n = 0; n < frames; n++)
		fill_frame(in + in_sz * n, w, h, n, &seed);
	for (n = 0; n < frames; n++)
		scale_frame(in + in_sz * n, w, h, out + out_sz * n, ow, oh);
	sum = rmt_wl_hash(sum, out, out_sz * frames);
	rmt_wl_print(sum);
	free(in);
	free(out);
	return 0;
}
