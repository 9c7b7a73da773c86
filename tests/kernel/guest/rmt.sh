#!/bin/sh
# Guest side of kernel-qemu: every kernel test in one boot.  Each test
# prints "RMT-TEST name PASS|FAIL"; figures go out as "RMT-METRIC k=v".
# The swap tests run a workload in a cgroup v2 with a memory limit and
# swap on the virtio disk (/dev/vda), so that swap-in goes through the
# swap cache and readahead (a RAM disk would bypass both).
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

t_proto() {
	i=0
	while [ $i -lt 20 ]; do
		insmod /modules/rmt_proto_check.ko || return 1
		rmmod rmt_proto_check || return 1
		i=$((i + 1))
	done
	[ "$(dmesg | grep -c 'rmt_proto_check: 1000 records through a kernel ring')" -eq 20 ]
}

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

t_load() {
	insmod /modules/rmt.ko && [ -c /dev/rmt ]
}

t_bad() {
	before=$(dmesg | grep -c 'rmt: ')
	$KTEST bad || return 1
	after=$(dmesg | grep -c 'rmt: ')
	# Ratelimited, but the first bad calls must have been logged.
	echo "bad ioctls: $((after - before)) log lines"
	[ $((after - before)) -ge 10 ]
}

# A workload run with events drained and checked; sets $out, $ra, $hit.
run_events() { # name, stride, extra ktest options...
	name=$1 stride=$2
	shift 2
	ra0=$(vmstat swap_ra) hit0=$(vmstat swap_ra_hit) in0=$(vmstat pswpin)
	out=$($KTEST run --cgroup $CG "$@" -- $WORK --mb $MB --stride $stride)
	rc=$?
	echo "$out"
	ra=$(($(vmstat swap_ra) - ra0))
	hit=$(($(vmstat swap_ra_hit) - hit0))
	pin=$(($(vmstat pswpin) - in0))
	sum=$(field checksum "$out")
	echo "RMT-METRIC ${name}_swap_ra=$ra ${name}_swap_ra_hit=$hit" \
		"${name}_pswpin=$pin ${name}_faults=$(field faults "$out")" \
		"${name}_major=$(field major "$out") ${name}_minor=$(field minor "$out")" \
		"${name}_pf_pages=$(field pf_pages "$out") ${name}_pf_hits=$(field pf_hits "$out")" \
		"${name}_pf_unused=$(field pf_unused "$out") ${name}_touch_ns=$(field touch_ns "$out")"
	[ -n "$sum" ] && echo "$sum" >>/tmp/checksums
	return $rc
}

t_kernel_ra() {
	run_events seq 1 --events || return 1
	s_ra=$ra s_hit=$hit
	run_events stride 16 --events || return 1
	echo "RMT-METRIC swap_ra=$((s_ra + ra)) swap_ra_hit=$((s_hit + hit))"
}

t_executor() {
	run_events pf_stride 16 --events --prefetch 4,16 || return 1
	[ "$(field pf_pages "$out")" -gt 0 ] && [ "$(field pf_hits "$out")" -gt 0 ]
}

t_hostile() {
	out=$($KTEST run --cgroup $CG --hostile -- $WORK --mb $MB --stride 4)
	rc=$?
	echo "$out"
	field checksum "$out" >>/tmp/checksums
	[ $rc -eq 0 ] && [ -c /dev/rmt ] && $KTEST stats >/dev/null
}

t_wakeup() {
	out=$($KTEST run --cgroup $CG --wakeup -- /bin/sh -c \
		'for i in 1 2 3 4 5 6 7 8; do usleep 5000; done')
	rc=$?
	w=$($KTEST stats)
	echo "$w"
	[ $rc -eq 0 ] && [ "$(field wakeups "$w")" -gt 0 ]
}

# Median of three numbers.
median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

# Time per fault with and without the hook: sequential workload, whose
# faults are mostly swap-cache hits, so that I/O adds little noise.
t_overhead() {
	offs='' ons='' i=0
	while [ $i -lt 3 ]; do
		o=$(sh -c "echo 0 >$CG/cgroup.procs; exec $WORK --mb $MB") || return 1
		offs="$offs $(field touch_ns "$o")"
		field checksum "$o" >>/tmp/checksums
		run_events hook 1 --events >/dev/null || return 1
		ons="$ons $(field touch_ns "$out")"
		faults=$(field faults "$out")
		i=$((i + 1))
	done
	off=$(median3 $offs) on=$(median3 $ons)
	echo "overhead: off$offs on$ons faults $faults"
	echo "RMT-METRIC touch_ns_off=$off touch_ns_on=$on hook_faults=$faults" \
		"hook_ns_per_fault=$(((on - off) / faults))"
}

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

t_checksums() {
	sort /tmp/checksums | uniq -c
	[ -s /tmp/checksums ] && [ "$(sort -u /tmp/checksums | wc -l)" -eq 1 ]
}

rm -f /tmp/checksums
t_proto; report proto-module $?
t_swap_setup; report swap-setup $?
t_load; report load $?
t_bad; report bad-ioctls $?
t_kernel_ra; report ring-drain-kernel-readahead $?
t_executor; report prefetch-executor $?
t_hostile; report hostile-rings $?
t_wakeup; report sched-wakeup $?
t_overhead; report hook-overhead $?
rmmod rmt; report unload $?
t_load_unload; report load-unload-20 $?
t_checksums; report checksums-identical $?
exit 0
