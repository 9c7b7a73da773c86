/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * dev_cmd.h - `rmtctl --dev PATH ...`: programs in the kernel module.
 */
#ifndef RMT_TOOLS_RMTCTL_DEV_CMD_H
#define RMT_TOOLS_RMTCTL_DEV_CMD_H

/* argv[0] is "--dev"; returns the exit status. */
int rmt_dev_cmd(int argc, char **argv);

#endif /* RMT_TOOLS_RMTCTL_DEV_CMD_H */
