#!/bin/sh
# Guest side of the kernel tests, first boot (2 vCPUs): everything but the
# load/unload cycles (guest/unload.sh).  Each test
# prints "RMT-TEST name PASS|FAIL"; figures go out as "RMT-METRIC k=v".
# The swap tests run a workload in a cgroup v2 with a memory limit and
# swap on the virtio disk (/dev/vda), so that swap-in goes through the
# swap cache and readahead (a RAM disk would bypass both).
. /bin/rmt-guest-lib.sh

t_proto() {
	i=0
	while [ $i -lt 20 ]; do
		insmod /modules/rmt_proto_check.ko || return 1
		rmmod rmt_proto_check || return 1
		i=$((i + 1))
	done
	[ "$(dmesg | grep -c 'rmt_proto_check: 1000 records through a kernel ring')" -eq 20 ]
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
	s_ra=$ra s_hit=$hit seq_out=$out
	run_events stride 16 --events || return 1
	echo "RMT-METRIC swap_ra=$((s_ra + ra)) swap_ra_hit=$((s_hit + hit))" \
		"kernel_seq_coverage=$(coverage "$s_hit" "$(field major "$seq_out")")"
}

t_executor() {
	run_events pf_stride 16 --events --prefetch 4,16 || return 1
	[ "$(field pf_pages "$out")" -gt 0 ] && [ "$(field pf_hits "$out")" -gt 0 ]
}

# Coverage: the share of the workload's would-be major faults that rmt's
# prefetches served (pages found used / (those + major faults left)).
coverage() { # hits, majors
	awk -v h="$1" -v m="$2" 'BEGIN { printf "%.3f", (h + m) ? h / (h + m) : 0 }'
}

# A program from programs/ runs in the kernel at every major fault of the
# sequential workload, with the kernel's own readahead off (page-cluster
# 0: a window of one page), so that rmt's program is the readahead.
run_program() { # name, file, stride, extra ktest options...
	name=$1 file=$2 stride=$3
	shift 3
	echo 0 >/proc/sys/vm/page-cluster
	run_events "$name" "$stride" --program "$file" "$@"
	rc=$?
	echo 3 >/proc/sys/vm/page-cluster
	[ $rc -eq 0 ] || return 1
	echo "RMT-METRIC rmt_${name}_coverage=$(coverage "$(field pf_hits "$out")" \
		"$(field major "$out")") ${name}_prog_runs=$(field prog_runs "$out")" \
		"${name}_prog_pages=$(field prog_pages "$out")" \
		"${name}_handler_ns_per_fault=$(field handler_ns_per_fault "$out")" \
		"${name}_prog_run_ns=$(field prog_run_ns "$out")" \
		"${name}_prog_insns_per_run=$(field prog_insns_per_run "$out")" \
		"${name}_model_runs=$(field model_runs "$out")" \
		"${name}_stream_busy=$(field stream_busy "$out")"
	[ "$(field prog_runs "$out")" -gt 0 ] &&
		[ "$(field pf_pages "$out")" -gt 0 ] &&
		[ "$(field pf_hits "$out")" -gt 0 ]
}

t_readahead_prog() { run_program readahead /bin/readahead.rmt 1; }
t_leap_prog() { run_program leap /bin/leap.rmt 1; }

# programs/learned.rmt: it loads with its model slot, refuses models that
# are garbage or do not fit the slot, and takes a tree that fits.
t_learned_models() { $KTEST models /bin/learned.rmt; }

# With no model in its slot it is readahead: it prefetches, and no model
# ever ran.
t_learned_nomodel() {
	run_program learned_nomodel /bin/learned.rmt 1 || return 1
	[ "$(field model_runs "$out")" -eq 0 ]
}

# With a stride tree in its slot the tree decides (the model ran), and the
# workload computes the same checksum (run_events keeps it).  The event
# ring, drained and checked, carries the prefetch hits the program heard
# of besides the major faults, as user space's does.
t_learned_tree() {
	run_program learned_tree /bin/learned.rmt 1 --stride-tree --events ||
		return 1
	[ "$(field model_runs "$out")" -gt 0 ] && [ "$(field hits "$out")" -gt 0 ]
}

# The agent attached to the kernel: `rmt-agent --attach /dev/rmt` loads
# learned.rmt (verified in the kernel) and runs it at the cgroup's major
# faults and prefetch hits, drains their events, trains a model after
# about 500 of them and installs it in the kernel, while the sequential workload runs AGENT_RUNS
# times in the cgroup (page-cluster 0, as for the other programs).
# Coverage as for them, over all runs, from the counters the agent read
# last.
AGENT=/bin/rmt-agent
AGENT_RUNS=2
t_learned_agent() {
	log=/tmp/agent.log
	echo 0 >/proc/sys/vm/page-cluster
	# The built-in learned program (no --program), as a user runs it.
	$AGENT --attach /dev/rmt --cgroup $CG --backend cpu --threads 1 \
		--log $log 2>/tmp/agent.err &
	apid=$!
	n=0
	while ! grep -q 'event=start' $log 2>/dev/null; do
		kill -0 $apid 2>/dev/null && [ $n -lt 300 ] || break
		usleep 100000
		n=$((n + 1))
	done
	i=0 rc=0
	while [ $i -lt $AGENT_RUNS ] && grep -q 'event=start' $log; do
		o=$(sh -c "echo 0 >$CG/cgroup.procs; exec $WORK --mb $MB") || rc=1
		echo "$o"
		field checksum "$o" >>/tmp/checksums
		i=$((i + 1))
	done
	kill -TERM $apid
	wait $apid || rc=1
	echo 3 >/proc/sys/vm/page-cluster
	cat $log /tmp/agent.err
	e=$(cat /tmp/agent.err)
	inst=$(grep -c 'event=install ' $log)
	echo "RMT-METRIC rmt_learned_coverage=$(coverage "$(field hits "$e")" \
		"$(field misses "$e")") learned_models_installed=$inst" \
		"learned_models_refused=$(grep -c 'event=install_refused' $log)" \
		"learned_events=$(sed -n 's/.*events \([0-9]*\),.*/\1/p' /tmp/agent.err)" \
		"learned_major=$(field misses "$e") learned_pf_pages=$(field prefetched "$e")" \
		"learned_pf_hits=$(field hits "$e") learned_pf_unused=$(field unused "$e")" \
		"learned_events_dropped=$(field events_dropped "$e")" \
		"learned_events_corrupt=$(field events_corrupt "$e")"
	[ $rc -eq 0 ] && [ $i -eq $AGENT_RUNS ] && [ "$inst" -ge 1 ] &&
		[ "$(field events_corrupt "$e")" -eq 0 ]
}

# rmt-agent's garbage: each refused with exit 1 and a line naming what
# is wrong, and /dev/rmt answers afterwards.
agent_refuses() { # pattern, rmt-agent arguments...
	p=$1
	shift
	o=$($AGENT "$@" 2>&1)
	rc=$?
	echo "$o" | grep -q -- "$p" && [ $rc -eq 1 ] && return 0
	echo "rmt-agent $*: exit $rc, wanted 1 and '$p': $o"
	return 1
}

t_agent_bad() {
	agent_refuses 'not an rmt device' --attach /dev/null --cgroup $CG &&
		agent_refuses 'cgroup /sys/none: No such file' \
			--attach /dev/rmt --cgroup /sys/none &&
		agent_refuses 'not a directory' --attach /dev/rmt \
			--cgroup $CG/memory.max &&
		agent_refuses 'no process' --attach /dev/rmt --pid 4000000 &&
		agent_refuses 'program /none.rmt' --attach /dev/rmt \
			--cgroup $CG --program /none.rmt &&
		agent_refuses 'program /bin/rmt-guest-lib.sh' \
			--attach /dev/rmt --cgroup $CG \
			--program /bin/rmt-guest-lib.sh &&
		$KTEST stats >/dev/null
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

# Median of some numbers.
median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

# Time per fault without the hook, with it counting, and with it emitting
# events that rmt-ktest drains: the sequential workload, whose faults are
# mostly swap-cache hits, so that I/O adds little noise; five rounds, the
# three kinds of run alternating.  The handlers' own time comes from the
# module's TSC-based hook_cycles counter.
t_overhead() {
	offs='' cnts='' evs='' hns='' i=0
	while [ $i -lt 5 ]; do
		o=$(sh -c "echo 0 >$CG/cgroup.procs; exec $WORK --mb $MB") || return 1
		offs="$offs $(field touch_ns "$o")"
		field checksum "$o" >>/tmp/checksums
		run_events count 1 >/dev/null || return 1
		cnts="$cnts $(field touch_ns "$out")"
		hns="$hns $(field handler_ns_per_fault "$out")"
		faults=$(field faults "$out")
		run_events events 1 --events >/dev/null || return 1
		evs="$evs $(field touch_ns "$out")"
		i=$((i + 1))
	done
	off=$(median $offs) cnt=$(median $cnts) ev=$(median $evs)
	echo "overhead: off$offs count$cnts events$evs handler_ns$hns faults $faults"
	echo "RMT-METRIC touch_ns_off=$off touch_ns_count=$cnt" \
		"touch_ns_events=$ev hook_faults=$faults" \
		"hook_count_ns_per_fault=$(((cnt - off) / faults))" \
		"hook_events_ns_per_fault=$(((ev - off) / faults))" \
		"handler_ns_per_fault=$(median $hns)"
	[ -n "$(median $hns)" ]
}

# The same baseline with VMA readahead (a non-rotational swap device).
t_vma_ra() {
	swapoff /dev/vda && echo 0 >/sys/block/vda/queue/rotational &&
		swapon /dev/vda || return 1
	run_events vma_seq 1 --events || return 1
	s_ra=$ra s_hit=$hit
	run_events vma_stride 16 --events || return 1
	echo "RMT-METRIC vma_swap_ra=$((s_ra + ra)) vma_swap_ra_hit=$((s_hit + hit))"
}

# The user-space pager on this kernel (no UFFDIO_MOVE before 6.8): it
# copies pages instead of moving them, and loses none.
t_uspace_pager() {
	out=$(/bin/rmt-pager-guest)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] || return 1
	case $(uname -r) in
	[0-5].* | 6.[0-7].*)
		[ "$(field evict_moves "$out")" = 0 ] &&
			[ "$(field moved_out "$out")" = 0 ] ;;
	esac
}

rm -f /tmp/checksums
t_proto; report proto-module $?
t_swap_setup; report swap-setup $?
t_load; report load $?
t_bad; report bad-ioctls $?
t_kernel_ra; report ring-drain-kernel-readahead $?
t_executor; report prefetch-executor $?
t_readahead_prog; report program-readahead $?
t_leap_prog; report program-leap $?
t_learned_models; report learned-models $?
t_learned_nomodel; report program-learned-nomodel $?
t_learned_tree; report program-learned-tree $?
t_agent_bad; report agent-bad-args $?
t_learned_agent; report agent-learned $?
t_hostile; report hostile-rings $?
t_wakeup; report sched-wakeup $?
t_overhead; report hook-overhead $?
t_vma_ra; report ring-drain-vma-readahead $?
rmmod rmt; report unload $?
t_checksums; report checksums-identical $?
t_uspace_pager; report uspace-pager-copies $?
exit 0
