#!/usr/bin/env bash
# Build proto/ into a small test module against a kernel build tree, to
# prove the freestanding ring and message code compiles in the kernel.
# Loading it waits for the kernel tests under qemu (tests/kernel/).
# Usage: build.sh KERNEL_BUILD_DIR SOURCE_ROOT OUT_DIR
set -euo pipefail
kdir=$1 src=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$kdir/Makefile" ]; then
	echo "skipped: no kernel build tree at $kdir"
	exit 77
fi
rm -rf "$out"
mkdir -p "$out"
for f in "$src"/proto/ring.c "$src"/proto/msg.c "$src"/proto/crc32c_table.c \
	"$here"/proto_check.c; do
	ln -s "$f" "$out/$(basename "$f")"
done
cat >"$out/Kbuild" <<KBUILD
obj-m := rmt_proto_check.o
rmt_proto_check-y := proto_check.o ring.o msg.o crc32c_table.o
ccflags-y := -I$src -Werror
KBUILD
make -s -C "$kdir" M="$out" modules
test -f "$out/rmt_proto_check.ko"
echo "proto/ builds as a kernel module against $(basename "$kdir"): $out/rmt_proto_check.ko"
