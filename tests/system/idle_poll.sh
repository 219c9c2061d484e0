#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --idle-poll: a lowest-class thread spins on each named core, pinned there, and goes
# with the switch; blocking NFs on that core are served as ever; a core that runs the
# data path, a CPU the machine lacks and a malformed list are refused at start.
. "$(dirname "$0")/lib.sh"
require_hugepages

# the switch refuses bad lists before it serves anything
switch_refuses "runs the data path" --idle-poll 0
switch_refuses "runs the data path" --idle-poll 0-1
switch_refuses "no CPU 1000" --idle-poll 1000
switch_refuses "a list of CPUs" --idle-poll 1-0
switch_refuses "a list of CPUs" --idle-poll 1,
switch_refuses "a list of CPUs" --idle-poll one
switch_refuses "a list of CPUs" --idle-poll 99999

start_switch --wire 2 --idle-poll 1
tid=
for t in /proc/"$SW_PID"/task/*; do
	[ "$(cat "$t/comm")" = myr-idle-1 ] && tid=${t##*/}
done
[ -n "$tid" ] || fail "no myr-idle-1 thread"
chrt -p "$tid" | grep -q SCHED_IDLE || fail "myr-idle-1 is not SCHED_IDLE: $(chrt -p "$tid")"
[ "$(taskset -pc "$tid" | sed 's/.*: //')" = 1 ] || fail "myr-idle-1 not on CPU 1: $(taskset -pc "$tid")"

ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add t1-a --tenant t1 --transport block --exec "$NF_SIG" >/dev/null
ctl nf add t1-b --tenant t1 --transport block --exec "$NF_SIG" >/dev/null
wait_nfs_up 2
out=$(gen --tx-port 0 --rx-port 1 --size 700 --rate 20000 --count 2000 --dst-macs 02:00:00:00:00:01)
assert_jq '.rx_packets == 2000 and .lost == 0' "$out" "through two blocking NFs beside the spinner"
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.nfs | all(.wakeups > 0)' "$s" "the NFs slept and were woken"
pid=$SW_PID
stop_switch
[ ! -e "/proc/$pid/task/$tid" ] || fail "myr-idle-1 outlived the switch"
echo "idle_poll: ok"
