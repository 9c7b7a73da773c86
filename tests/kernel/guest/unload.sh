#!/bin/sh
# Guest side of the kernel tests, second boot (2 vCPUs): rmt.ko loaded and
# unloaded 30 times with hooks attached, the test prefetch policy or the
# readahead program deciding and a workload faulting on the other vCPU
# while the swap_fault hook's ftrace sites are patched (docs/kmod.md,
# "Hooking without kprobes").
. /bin/rmt-guest-lib.sh

# Unload at any moment: hooks attached, prefetching, workload running.
t_load_unload() {
	rm -f /tmp/stop
	(echo 0 >$CG/cgroup.procs
	 while [ ! -e /tmp/stop ]; do $WORK --mb $MB --stride 3; done) \
		>/tmp/bg.out 2>&1 &
	bg=$!
	i=0 ok=0 faults=0 majors=0
	while [ $i -lt $CYCLES ]; do
		[ -c /dev/rmt ] || insmod /modules/rmt.ko || break
		# Every third cycle the readahead program decides instead.
		if [ $((i % 3)) -eq 2 ]; then
			pol="--program /bin/readahead.rmt"
		else
			pol="--prefetch 8,1"
		fi
		$KTEST hold --cgroup $CG --ms 400 $pol &
		h=$!
		usleep $((50000 + i * 10000))
		[ $((i % 2)) -eq 1 ] && kill -9 $h
		wait $h
		# Module-wide totals: the hook saw faults in this cycle.
		st=$($KTEST stats)
		faults=$((faults + $(field faults "$st")))
		majors=$((majors + $(field major "$st")))
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
	echo "load/unload: $ok of $CYCLES cycles, hooked $faults swap faults" \
		"($majors major)"
	echo "RMT-METRIC unload_cycles=$ok unload_hooked_faults=$faults"
	[ $ok -eq $CYCLES ] && [ $majors -gt 0 ] && grep -q checksum /tmp/bg.out
}

CYCLES=30
rm -f /tmp/checksums
t_swap_setup; report swap-setup $?
t_load_unload; report load-unload-30 $?
t_checksums; report checksums-identical $?
exit 0
