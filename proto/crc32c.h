/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of model and table blobs.
 * Freestanding; standard initial value and final xor (check value of
 * "123456789" is 0xe3069283).
 */
#ifndef RMT_PROTO_CRC32C_H
#define RMT_PROTO_CRC32C_H

#include "port/rmt_port.h"

extern const u32 rmt_crc32c_table[256];

/* Continue a CRC: start with crc = 0 for a fresh buffer. */
static inline u32 rmt_crc32c(u32 crc, const void *buf, size_t len)
{
	const u8 *p = (const u8 *)buf;

	crc = ~crc;
	while (len--)
		crc = rmt_crc32c_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#endif /* RMT_PROTO_CRC32C_H */
