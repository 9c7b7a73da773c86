/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * kernels.h - the kernel images nvcc built from kernels/ (fatbins with
 * SASS for sm_80 and sm_90 and PTX for newer GPUs), embedded at build
 * time by embed.cmake.
 */
#ifndef RMT_OFFLOAD_CUDA_KERNELS_H
#define RMT_OFFLOAD_CUDA_KERNELS_H

#include <stddef.h>

extern const unsigned char rmt_cuda_hist_fatbin[];
extern const size_t rmt_cuda_hist_fatbin_len;
extern const unsigned char rmt_cuda_mlp_fatbin[];
extern const size_t rmt_cuda_mlp_fatbin_len;

#endif /* RMT_OFFLOAD_CUDA_KERNELS_H */
