#!/bin/sh
# Guest side of kernel-proto: load and unload the proto/ test module 20
# times; each load pushes 1000 records through a ring in the kernel and
# validates them, and fails the load if anything is wrong.
set -e
n=20
i=0
while [ $i -lt $n ]; do
	insmod /modules/rmt_proto_check.ko
	rmmod rmt_proto_check
	i=$((i + 1))
done
loads=$(dmesg | grep -c 'rmt_proto_check: 1000 records through a kernel ring')
echo "proto module: $loads of $n loads passed their ring self-test"
[ "$loads" -eq $n ]
