#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An NF killed with SIGKILL under traffic costs only its own tenant's packets: the
# switch notices, takes back every buffer it held (the pool returns to full), drops
# its tenant's packets as nf_down until it is replaced, and the other tenant loses
# nothing. Then the same NF is started again and its tenant's traffic flows.
# Rings of 16384 hold all of an NF's 15000 frames (and the pool's share per NF at 4
# NFs, 3/4 x 131071 / 5, too): no NF misses a packet for want of CPU, even on a
# loaded machine; only the killed NF's tenant loses any.
. "$(dirname "$0")/lib.sh"
require_hugepages
start_switch --wire 2 --max-nfs 16 --ring-size 16384 --pool-size 131071

for i in 1 2; do
	ctl tenant add "t$i" --mac "02:00:00:00:00:0$i" --port 1 >/dev/null
	ctl nf add "t$i-sig" --tenant "t$i" --exec "$NF_SIG" >/dev/null
	ctl nf add "t$i-rw" --tenant "t$i" --exec "$NF_RW --src-mac 02:00:00:00:aa:0$i" >/dev/null
done
wait_nfs_up 4

gen --tx-port 0 --rx-port 1 --size 64 --rate 10000 --duration 3 \
	--dst-macs 02:00:00:00:00:01,02:00:00:00:00:02 >"$T/gen.json" &
gen_pid=$!
EXTRA_PIDS+=("$gen_pid")
sleep 1
victim=$(jctl nf list | jq -r '.[] | select(.name == "t1-sig") | .pid')
[ "$victim" -gt 0 ] || fail "no pid for t1-sig"
kill -KILL "$victim"
for _ in $(seq 50); do
	jctl nf list | jq -e '.[] | select(.name == "t1-sig") | .state == "down"' >/dev/null && break
	sleep 0.1
done
assert_jq '.[] | select(.name == "t1-sig") | .state == "down"' "$(jctl nf list)" \
	"the killed NF is seen down"
wait "$gen_pid" || fail "gen failed"
out=$(cat "$T/gen.json")
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.drops.nf_down > 0' "$s" "tenant t1's packets dropped as nf_down after the kill"
assert_jq '.drops.nf_ring_full == 0 and .drops.port_tx_full == 0' "$s" "no overload drops"
assert_jq '.flows[1].tx == .flows[1].rx and .flows[1].lost == 0' "$out" \
	"tenant t2 lost nothing"
assert_jq '.flows[0].rx < .flows[0].tx' "$out" "tenant t1 lost packets"
assert_jq '(.tx + .drops.nf_down + .drops.nf_dead) == .rx' "$s" \
	"t1's losses are exactly nf_down + nf_dead"

# the same NF comes back and carries traffic again
ctl nf start t1-sig >/dev/null
wait_nfs_up 4
assert_jq '.[] | select(.name == "t1-sig") | .starts == 2' "$(jctl nf list)" "restarted once"
out=$(gen --tx-port 0 --rx-port 1 --size 64 --rate 20000 --count 2000 \
	--dst-macs 02:00:00:00:00:01,02:00:00:00:00:02)
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.rx_packets == 2000 and .src_macs["02:00:00:00:aa:01"] == 1000' "$out" \
	"t1 delivered through its chain after the restart"

# killed while holding packets: stop the NF (SIGSTOP) so that it sits on a full ring,
# then kill it; everything it held comes back
victim=$(jctl nf list | jq -r '.[] | select(.name == "t2-rw") | .pid')
kill -STOP "$victim"
gen --tx-port 0 --rx-port 1 --size 64 --rate 20000 --count 2000 \
	--dst-macs 02:00:00:00:00:02 >/dev/null
s=$(jctl stats)
assert_jq "$HELD > 0" "$s" "the stopped NF holds buffers"
kill -KILL "$victim"
s=$(wait_quiet)
assert_accounted "$s"
echo "crash: ok"
