#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# 2000 NFs on this 2-core machine: 1000 tenants x 2 NFs, polling or blocking
# (MYRIAD_SCALE_TRANSPORT). Half are spawned by
# the switch, half start on their own, all at once, and register themselves. Then
# traffic crosses every chain, some NFs are killed, every tenant is detached, and
# every packet and buffer is accounted for.
. "$(dirname "$0")/lib.sh"
require_hugepages
N=${MYRIAD_SCALE_TENANTS:-1000}
TR=${MYRIAD_SCALE_TRANSPORT:-poll}
start_switch --wire 2 --max-nfs $((2 * N + 8)) --ring-size 64

# consecutive in the low bytes, as myriad-gen's --dst-mac-range counts
mac() { printf '02:00:00:00:%02x:%02x' $(($1 / 256)) $(($1 % 256)); }
for i in $(seq "$N"); do
	echo "tenant add t$i --mac $(mac "$i") --port 1"
	echo "nf add t$i-a --tenant t$i --transport $TR --exec $NF_SIG --no-wait"
done >"$T/setup.txt"
ctl -f "$T/setup.txt" >/dev/null || fail "setup batch"
echo "scale: $(date +%T) switch-spawned NFs requested"
# the second NF of each chain starts by itself and joins its tenant
for i in $(seq "$N"); do
	"$NF_SIG" --switch "$SOCK" --name "t$i-b" --tenant "t$i" --transport "$TR" &
	EXTRA_PIDS+=($!)
	disown $! # killed by the test: no job report
done
wait_nfs_up $((2 * N)) 300
echo "scale: $(date +%T) all NFs up"
st=$(jctl status)
assert_jq ".nfs == $((2 * N)) and .tenants == $N" "$st" "all NFs attached"
assert_jq "[.[] | select(.chain | length == 2)] | length == $N" "$(jctl tenant list)" \
	"every chain has its two NFs"

# one packet for each of the 1000 tenants, 5 rounds: consecutive packets go to
# different NFs. A round (N packets) fits in the wire rings (1024), so that however
# slowly the machine runs, nothing is dropped for want of CPU.
# The switch's counters are the truth here; the sink may give up on a straggler
# that 2000 time-sliced NFs release after its drain time.
sent=0
for round in 1 2 3 4 5; do
	out=$(gen --tx-port 0 --rx-port 1 --size 64 --rate 20000 --count "$N" \
		--dst-mac-range "$(mac 1),$N" --drain 1000)
	sent=$((sent + $(echo "$out" | jq .tx_packets)))
	wait_quiet >/dev/null
done
s=$(wait_quiet)
assert_accounted "$s"
[ "$sent" -eq $((5 * N)) ] || fail "generator sent $sent of $((5 * N))"
assert_jq ".rx == $((5 * N)) and .tx == $((5 * N))" "$s" "every packet crossed its chain"
assert_jq "[.nfs[] | select(.to_nf == 5)] | length == $((2 * N))" "$s" \
	"every NF saw exactly its 5 packets"
echo "scale: $(date +%T) traffic checked"
# kill 50 NFs at once, both kinds: all reclaimed, the rest unaffected
victims=$(jctl nf list | jq -r '.[] | select(.name | test("^t[0-9]*[05]-[ab]$")) | .pid' |
	head -50)
# shellcheck disable=SC2086
kill -KILL $victims
for _ in $(seq 100); do
	jctl status | jq -e ".nfs_up == $((2 * N - 50))" >/dev/null && break
	sleep 0.1
done
assert_jq ".nfs_up == $((2 * N - 50))" "$(jctl status)" "50 NFs seen down"
s=$(wait_quiet)
assert_accounted "$s"

echo "scale: $(date +%T) kills checked"
# detach every tenant: all NFs stop, all slots and buffers return
for i in $(seq "$N"); do echo "tenant del t$i"; done >"$T/teardown.txt"
ctl -f "$T/teardown.txt" >/dev/null || fail "teardown batch"
for _ in $(seq 300); do
	jctl status | jq -e '.nfs_up == 0 and .nfs == 0' >/dev/null && break
	sleep 0.1
done
st=$(jctl status)
assert_jq '.nfs == 0 and .nfs_up == 0 and .tenants == 0' "$st" "everything detached"
assert_jq '.pool_avail == .pool_size' "$st" "pool full"
# every NF process has exited
for _ in $(seq 100); do
	alive=0
	for p in "${EXTRA_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
	[ "$alive" -eq 0 ] && break
	sleep 0.1
done
[ "$alive" -eq 0 ] || fail "$alive self-started NFs still running after detach"
echo "scale: ok ($((2 * N)) $TR NFs)"
