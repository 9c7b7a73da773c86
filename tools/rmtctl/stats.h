/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * stats.h - `rmtctl --control SOCKET stats`: the counters of a running
 * user-space datapath (rmt-run --control SOCKET), read through its
 * control socket as a viewer.
 */
#ifndef RMT_TOOLS_RMTCTL_STATS_H
#define RMT_TOOLS_RMTCTL_STATS_H

/* argv holds the arguments after "rmtctl"; the exit status. */
int rmtctl_stats(int argc, char **argv);

#endif /* RMT_TOOLS_RMTCTL_STATS_H */
