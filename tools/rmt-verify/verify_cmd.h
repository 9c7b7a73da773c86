/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * verify_cmd.h - the verify command shared by rmt-verify and rmtctl.
 */
#ifndef RMT_TOOLS_VERIFY_CMD_H
#define RMT_TOOLS_VERIFY_CMD_H

/*
 * Run `NAME --hook HOOK [options] FILE` (argv[0] is the command itself);
 * name prefixes messages.  Returns the exit status: 0 accepted, 1
 * rejected, 2 usage or I/O error.
 */
int rmt_verify_cmd(const char *name, int argc, char **argv);

#endif /* RMT_TOOLS_VERIFY_CMD_H */
