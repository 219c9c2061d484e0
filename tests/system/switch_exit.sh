#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The switch going away: on SIGTERM it stops its NFs and leaves no runtime or
# hugepage file; killed with SIGKILL, its NFs notice and exit by themselves (none
# is left spinning).
. "$(dirname "$0")/lib.sh"
require_hugepages

nf_pids() { pgrep -f -- "--switch $SOCK" || true; }

# 1. clean stop
start_switch --wire 2
ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add t1-a --tenant t1 --exec "$NF_SIG" >/dev/null
"$NF_FW" --switch "$SOCK" --name t1-b --tenant t1 --drop-ethertype 0x0806 &
EXTRA_PIDS+=($!)
wait_nfs_up 2
pids=$(jctl nf list | jq -r '.[].pid')
gen --tx-port 0 --rx-port 1 --size 64 --rate 20000 --count 1000 \
	--dst-macs 02:00:00:00:00:01 >/dev/null
stop_switch
for p in $pids; do
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$p" 2>/dev/null && fail "NF pid $p survived the switch's SIGTERM"
done
[ ! -e "/var/run/dpdk/$PREFIX" ] || fail "runtime dir left: $(ls "/var/run/dpdk/$PREFIX")"
ls /dev/hugepages/"$PREFIX"map_* >/dev/null 2>&1 && fail "hugepage files left"
[ ! -e "$SOCK" ] || fail "control socket left"
grep -q "shutting down" "$T/switch.log" || fail "no shutdown message"

# 2. the switch is killed: NFs it spawned and NFs started by hand, polling or
# asleep (blocking), all exit
start_switch --wire 2
ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add t1-a --tenant t1 --exec "$NF_SIG" >/dev/null
"$NF_RW" --switch "$SOCK" --name t1-b --tenant t1 --src-mac 02:00:00:00:aa:01 &
EXTRA_PIDS+=($!)
ctl nf add t1-c --tenant t1 --transport block --exec "$NF_SIG" >/dev/null
"$NF_FW" --switch "$SOCK" --name t1-d --tenant t1 --transport block &
EXTRA_PIDS+=($!)
wait_nfs_up 4
sleep 0.5 # let the blocking NFs fall asleep
pids=$(jctl nf list | jq -r '.[].pid')
kill -KILL "$SW_PID"
wait "$SW_PID" 2>/dev/null || true
SW_PID=
for p in $pids; do
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$p" 2>/dev/null && fail "NF pid $p still running 10 s after the switch died"
done
echo "switch_exit: ok"
