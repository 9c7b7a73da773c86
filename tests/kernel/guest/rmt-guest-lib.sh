#!/bin/sh
# Shared by the guest scripts of the kernel tests (sourced): settings,
# reporting, and the swap setup (virtio disk, cgroup v2 with a limit).
CG=/sys/fs/cgroup/w
MB=32 # workload size; the cgroup gets half of it
LIMIT=16M
KTEST=/bin/rmt-ktest
WORK=/bin/rmt-swapwork

report() { # name, status
	if [ "$2" -eq 0 ]; then echo "RMT-TEST $1 PASS"; else echo "RMT-TEST $1 FAIL"; fi
}

vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }

# Pull one key=value out of some output (the last one wins).
field() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | tail -1; }

t_swap_setup() {
	for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
		virtio_pci virtio_blk; do
		insmod /modules/$m.ko || return 1
	done
	n=0
	while [ ! -b /dev/vda ] && [ $n -lt 50 ]; do usleep 100000; n=$((n + 1)); done
	echo never >/sys/kernel/mm/transparent_hugepage/enabled
	mkswap /dev/vda >/dev/null && swapon /dev/vda || return 1
	mkdir -p /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup || return 1
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control && mkdir $CG &&
		echo $LIMIT >$CG/memory.max
}

t_checksums() {
	sort /tmp/checksums | uniq -c
	[ -s /tmp/checksums ] && [ "$(sort -u /tmp/checksums | wc -l)" -eq 1 ]
}

