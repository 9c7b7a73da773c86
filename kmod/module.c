// SPDX-License-Identifier: GPL-2.0
/*
 * module.c - rmt.ko: the /dev/rmt misc device, its ioctls (size-prefixed,
 * versioned argument structs, checked before anything else looks at
 * them), mmap of a session's rings, and module load and unload.
 */
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include "kmod/rmt.h"

struct rmt_ioc_desc {
	unsigned int cmd;
	u32 size;
	u32 flags; /* flags the command accepts */
	const char *name;
};

static const struct rmt_ioc_desc rmt_iocs[] = {
	{ RMT_IOC_INFO, sizeof(struct rmt_ioc_info), 0, "info" },
	{ RMT_IOC_RINGS, sizeof(struct rmt_ioc_rings), 0, "rings" },
	{ RMT_IOC_ATTACH, sizeof(struct rmt_ioc_attach), RMT_ATTACH_FLAGS_ALL,
	  "attach" },
	{ RMT_IOC_DETACH, sizeof(struct rmt_ioc_detach), 0, "detach" },
	{ RMT_IOC_STATS, sizeof(struct rmt_ioc_stats), 0, "stats" },
	{ RMT_IOC_CMD_POLL, sizeof(struct rmt_ioc_cmd_poll), 0, "cmd_poll" },
	{ RMT_IOC_PROG_LOAD, sizeof(struct rmt_ioc_prog_load), 0, "prog_load" },
	{ RMT_IOC_PROG_ATTACH, sizeof(struct rmt_ioc_prog_attach), 0,
	  "prog_attach" },
	{ RMT_IOC_ENTRY, sizeof(struct rmt_ioc_entry), 0, "entry" },
	{ RMT_IOC_MODEL, sizeof(struct rmt_ioc_model), 0, "model" },
	{ RMT_IOC_PROG_STATS, sizeof(struct rmt_ioc_prog_stats), 0,
	  "prog_stats" },
};

union rmt_ioc_arg {
	struct {
		u32 size;
		u32 vf;
	} hdr;
	struct rmt_ioc_info info;
	struct rmt_ioc_rings rings;
	struct rmt_ioc_attach attach;
	struct rmt_ioc_detach detach;
	struct rmt_ioc_stats stats;
	struct rmt_ioc_cmd_poll poll;
	struct rmt_ioc_prog_load prog_load;
	struct rmt_ioc_prog_attach prog_attach;
	struct rmt_ioc_entry entry;
	struct rmt_ioc_model model;
	struct rmt_ioc_prog_stats prog_stats;
};

/* Copy in and check the size, version and flags words. */
static int rmt_ioc_get(const struct rmt_ioc_desc *d, void __user *uarg,
		       union rmt_ioc_arg *arg)
{
	u32 size, version, flags;

	if (get_user(size, (u32 __user *)uarg)) {
		rmt_warn("%s: bad argument pointer\n", d->name);
		return -EFAULT;
	}
	if (size != d->size) {
		rmt_warn("%s: argument size %u, expected %u\n", d->name, size,
			 d->size);
		return -EINVAL;
	}
	if (copy_from_user(arg, uarg, d->size)) {
		rmt_warn("%s: bad argument pointer\n", d->name);
		return -EFAULT;
	}
	/* The size word was read twice: trust only the checked copy. */
	arg->hdr.size = d->size;
	version = arg->hdr.vf & 0xffff;
	flags = arg->hdr.vf >> 16;
	if (version != RMT_ABI_VERSION) {
		rmt_warn("%s: ABI version %u, this module speaks %u\n", d->name,
			 version, RMT_ABI_VERSION);
		return -EINVAL;
	}
	if (flags & ~d->flags) {
		rmt_warn("%s: unknown flags %#x\n", d->name, flags & ~d->flags);
		return -EINVAL;
	}
	return 0;
}

static void rmt_info(struct rmt_ioc_info *i)
{
	i->abi_version = RMT_ABI_VERSION;
	i->proto_version = RMT_PROTO_VERSION;
	i->ring_version = RMT_RING_VERSION;
	i->hooks = BIT(RMT_HOOK_SWAP_FAULT) | BIT(RMT_HOOK_SCHED_WAKEUP);
	i->max_attach = RMT_MAX_ATTACH;
	i->pf_max_pages = RMT_PF_MAX_PAGES;
	i->ring_min_data = RMT_RING_MIN_DATA;
	i->ring_max_data = RMT_RING_MAX_DATA;
	i->cycle_khz = tsc_khz;
}

static int rmt_ioc_reserved(u32 reserved, const char *name)
{
	if (!reserved)
		return 0;
	rmt_warn("%s: reserved field is not zero\n", name);
	return -EINVAL;
}

static int rmt_ioc_run(struct rmt_session *s, unsigned int cmd,
		       union rmt_ioc_arg *arg)
{
	switch (cmd) {
	case RMT_IOC_INFO:
		rmt_info(&arg->info);
		return 0;
	case RMT_IOC_RINGS:
		return rmt_session_rings(s, &arg->rings);
	case RMT_IOC_ATTACH:
		return rmt_attach(s, &arg->attach);
	case RMT_IOC_DETACH:
		if (arg->detach.reserved) {
			rmt_warn("detach: reserved field is not zero\n");
			return -EINVAL;
		}
		return rmt_detach(s, arg->detach.attach_id);
	case RMT_IOC_STATS:
		if (arg->stats.reserved) {
			rmt_warn("stats: reserved field is not zero\n");
			return -EINVAL;
		}
		return rmt_stats(arg->stats.attach_id, &arg->stats.c);
	case RMT_IOC_CMD_POLL:
		return rmt_session_cmd_poll(s, &arg->poll);
	case RMT_IOC_PROG_LOAD:
		return rmt_kprog_load(s, &arg->prog_load);
	case RMT_IOC_PROG_ATTACH:
		return rmt_attach_prog(s, &arg->prog_attach);
	case RMT_IOC_ENTRY:
		return rmt_ioc_reserved(arg->entry.reserved, "entry") ?:
			       rmt_kprog_entry(s, &arg->entry);
	case RMT_IOC_MODEL:
		return rmt_ioc_reserved(arg->model.reserved, "model") ?:
			       rmt_kprog_model(s, &arg->model);
	case RMT_IOC_PROG_STATS:
		return rmt_ioc_reserved(arg->prog_stats.reserved, "prog_stats") ?:
			       rmt_kprog_stats(s, &arg->prog_stats);
	}
	return -ENOTTY;
}

static long rmt_ioctl(struct file *f, unsigned int cmd, unsigned long uarg)
{
	const struct rmt_ioc_desc *d = NULL;
	union rmt_ioc_arg arg;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(rmt_iocs); i++)
		if (rmt_iocs[i].cmd == cmd)
			d = &rmt_iocs[i];
	if (!d) {
		rmt_warn("unknown ioctl %#x\n", cmd);
		return -ENOTTY;
	}
	err = rmt_ioc_get(d, (void __user *)uarg, &arg);
	if (err)
		return err;
	err = rmt_ioc_run(f->private_data, cmd, &arg);
	if (err)
		return err;
	if ((_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user((void __user *)uarg, &arg, d->size)) {
		rmt_warn("%s: bad argument pointer for the result\n", d->name);
		return -EFAULT;
	}
	return 0;
}

static int rmt_open(struct inode *inode, struct file *f)
{
	f->private_data = rmt_session_new();
	return f->private_data ? 0 : -ENOMEM;
}

static int rmt_release(struct inode *inode, struct file *f)
{
	struct rmt_session *s = f->private_data;

	rmt_detach_session(s);
	rmt_kprog_release_session(s);
	rmt_session_put(s);
	return 0;
}

static int rmt_mmap(struct file *f, struct vm_area_struct *vma)
{
	return rmt_session_mmap(f->private_data, vma);
}

static const struct file_operations rmt_fops = {
	.owner = THIS_MODULE,
	.open = rmt_open,
	.release = rmt_release,
	.unlocked_ioctl = rmt_ioctl,
	.mmap = rmt_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice rmt_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = RMT_DEV_NAME,
	.fops = &rmt_fops,
	.mode = 0600,
};

static int __init rmt_init(void)
{
	int err = rmt_pf_init();

	if (err)
		return err;
	err = misc_register(&rmt_misc);
	if (err) {
		rmt_pf_exit();
		return err;
	}
	pr_info("rmt: loaded, ABI %u, /dev/%s\n", RMT_ABI_VERSION,
		RMT_DEV_NAME);
	return 0;
}

/*
 * Open files pin the module, so no session is left here; detaching
 * everything anyway keeps unload safe whatever holds an attachment.
 */
static void __exit rmt_exit(void)
{
	misc_deregister(&rmt_misc);
	rmt_detach_session(NULL);
	rmt_kprog_release_session(NULL);
	rmt_pf_exit();
	pr_info("rmt: unloaded\n");
}

module_init(rmt_init);
module_exit(rmt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(
	"rmt: reconfigurable kernel datapath (hooks, rings, prefetch executor)");
