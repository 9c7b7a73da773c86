// SPDX-License-Identifier: GPL-2.0
/*
 * proto_check.c - a test module that links proto/ into the kernel and, on
 * load, pushes records through a ring in vmalloc memory and validates
 * them.  Built by build.sh; loaded by the kernel tests under qemu.
 */
#include <linux/module.h>
#include "proto/ring.h"
#include "proto/msg.h"
#include "proto/crc32c.h"

static int __init rmt_proto_check_init(void)
{
	const u32 size = 4096;
	size_t len = rmt_ring_mem_size(size);
	struct rmt_ring_prod p;
	struct rmt_ring_cons c;
	struct rmt_msg_fault f = { .addr = 0x1000, .flags = RMT_FAULT_MAJOR };
	struct rmt_rec rec;
	void *mem = vzalloc(len);
	int i, err = -EINVAL;

	if (!mem)
		return -ENOMEM;
	if (rmt_ring_format(mem, len, size, size / 4) ||
	    rmt_ring_prod_attach(&p, mem, len) ||
	    rmt_ring_cons_attach(&c, mem, len))
		goto out;
	for (i = 0; i < 1000; i++) {
		f.time_ns = i;
		if (rmt_ring_produce(&p, RMT_MSG_FAULT, &f, sizeof(f)) ||
		    rmt_ring_peek(&c, &rec) != 1 ||
		    rmt_msg_check(rec.type, rec.data, rec.len))
			goto out;
		rmt_ring_release(&c);
	}
	if (rmt_crc32c(0, "123456789", 9) != 0xe3069283u)
		goto out;
	pr_info("rmt_proto_check: 1000 records through a kernel ring\n");
	err = 0;
out:
	vfree(mem);
	return err;
}

static void __exit rmt_proto_check_exit(void)
{
}

module_init(rmt_proto_check_init);
module_exit(rmt_proto_check_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rmt: proto/ compiled into the kernel");
