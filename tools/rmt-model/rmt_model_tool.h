/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* rmt_model_tool.h - the subcommands of rmt-model. */
#ifndef RMT_TOOLS_RMT_MODEL_TOOL_H
#define RMT_TOOLS_RMT_MODEL_TOOL_H

/* Exit codes: 0 done, 1 failed (bad file, bad data), 2 usage error. */
int rmt_model_cmd_train(int argc, char **argv);

#endif /* RMT_TOOLS_RMT_MODEL_TOOL_H */
