// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * main.c - rmt-agent, the user-space agent's daemon.  For now it answers
 * one question: which backend would train the models (--probe), and if
 * an accelerator cannot be used, why.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/backend.h"

static const char usage[] =
	"usage: rmt-agent --backend auto|cpu|cuda|dpdk --probe [OPTIONS]\n"
	"\n"
	"  --backend KIND     where to train (default auto: a usable GPU,\n"
	"                     DPDK cores if --eal is given, else the CPU)\n"
	"  --probe            print what the backend runs on, or why it\n"
	"                     falls back to the CPU, and exit\n"
	"  --threads N        CPU backend threads (default 2)\n"
	"  --cuda-device N    CUDA device ordinal (default 0)\n"
	"  --cuda-driver LIB  driver library (default libcuda.so.1)\n"
	"  --eal ARGS         DPDK EAL arguments, blank-separated (default\n"
	"                     \"-l 0-1 --no-huge --no-pci -m 64 --no-shconf\n"
	"                     --no-telemetry --iova-mode=va\")\n"
	"  --help             this text\n";

static void print_line(void *arg, const char *line)
{
	printf("%s\n", line);
}

static int parse_u32(const char *s, const char *what, u32 max, u32 *out)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max) {
		fprintf(stderr, "rmt-agent: %s '%s': need 0 to %u\n", what, s,
			max);
		return -EINVAL;
	}
	*out = (u32)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "probe", no_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "cuda-device", required_argument, NULL, 'd' },
		{ "cuda-driver", required_argument, NULL, 'l' },
		{ "eal", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct rmt_backend_opts bo = { .log = print_line };
	const char *kind = "auto";
	struct rmt_backend *b;
	bool probe = false;
	char err[256];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			kind = optarg;
			break;
		case 'p':
			probe = true;
			break;
		case 't':
			if (parse_u32(optarg, "--threads", 256,
				      &bo.cpu_threads))
				return 2;
			break;
		case 'd':
			if (parse_u32(optarg, "--cuda-device", 1024,
				      &bo.cuda_device))
				return 2;
			break;
		case 'l':
			bo.cuda_driver = optarg;
			break;
		case 'e':
			bo.dpdk_eal = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc || !probe) {
		fprintf(stderr, "rmt-agent: %s\n%s",
			optind < argc ? "unexpected argument" :
					"nothing to do: give --probe",
			usage);
		return 2;
	}
	if (rmt_backend_open(kind, &bo, &b, err, sizeof(err))) {
		fprintf(stderr, "rmt-agent: %s\n", err);
		return 2;
	}
	printf("runs on: %s: %s\n", rmt_backend_info(b)->name,
	       rmt_backend_info(b)->device);
	rmt_backend_close(b);
	return 0;
}
