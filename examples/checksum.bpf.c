// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * checksum.bpf.c - example action: the 16-bit ones' complement checksum
 * (RFC 1071) over the first len bytes of a packet.
 */
#include "examples/actions.h"

__attribute__((section("action/checksum"), used)) int
checksum(const struct rmt_ex_packet *p)
{
	rmt_ex_u32 len = p->len, i, sum = 0;

	if (len > RMT_EX_CSUM_MAX)
		len = RMT_EX_CSUM_MAX;
	for (i = 0; i + 1 < len; i += 2)
		sum += (rmt_ex_u32)p->data[i] << 8 | p->data[i + 1];
	if (len & 1)
		sum += (rmt_ex_u32)p->data[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (int)(~sum & 0xffff);
}
