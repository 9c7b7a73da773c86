/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * models.h - `rmtctl models list|show|rollback|pin|unpin`, on a model
 * registry directory (agent/registry.h).
 */
#ifndef RMT_TOOLS_RMTCTL_MODELS_H
#define RMT_TOOLS_RMTCTL_MODELS_H

/* argv[0] is "models"; returns the exit status (0, 1 failed, 2 usage). */
int rmtctl_models(int argc, char **argv);

#endif /* RMT_TOOLS_RMTCTL_MODELS_H */
