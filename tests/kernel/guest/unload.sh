#!/bin/sh
# Guest side of the kernel tests, second boot (1 vCPU): rmt.ko loaded and
# unloaded 20 times with hooks attached, the test prefetch policy on and a
# workload faulting.  One vCPU: see docs/kmod.md ("Known problem") for
# what 2 vCPUs under emulation hit in the kernel's probe patching.
. /bin/rmt-guest-lib.sh

# Unload at any moment: hooks attached, prefetching, workload running.
t_load_unload() {
	rm -f /tmp/stop
	(echo 0 >$CG/cgroup.procs
	 while [ ! -e /tmp/stop ]; do $WORK --mb $MB --stride 3; done) \
		>/tmp/bg.out 2>&1 &
	bg=$!
	i=0 ok=0
	while [ $i -lt 20 ]; do
		[ -c /dev/rmt ] || insmod /modules/rmt.ko || break
		$KTEST hold --cgroup $CG --ms 400 --prefetch 8,1 &
		h=$!
		usleep $((50000 + i * 10000))
		[ $((i % 2)) -eq 1 ] && kill -9 $h
		wait $h
		n=0
		until rmmod rmt 2>/dev/null; do
			n=$((n + 1))
			[ $n -gt 50 ] && break
			usleep 100000
		done
		[ ! -c /dev/rmt ] && ok=$((ok + 1))
		i=$((i + 1))
	done
	touch /tmp/stop
	wait $bg
	cat /tmp/bg.out
	sed -n 's/.*checksum=\([0-9a-f]*\).*/\1/p' /tmp/bg.out >>/tmp/checksums
	echo "load/unload: $ok of 20 cycles"
	[ $ok -eq 20 ] && grep -q checksum /tmp/bg.out
}

rm -f /tmp/checksums
t_swap_setup; report swap-setup $?
t_load_unload; report load-unload-20 $?
t_checksums; report checksums-identical $?
exit 0
