// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * rmt-verify - check a program against a hook's policy with the verifier
 * and print its log (see verify_cmd.c; also `rmtctl verify`).
 */
#include "tools/rmt-verify/verify_cmd.h"

int main(int argc, char **argv)
{
	return rmt_verify_cmd("rmt-verify", argc, argv);
}
