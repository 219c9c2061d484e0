#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# myriad-gen end to end through the switch: the sink sees every packet the generator
# sent, with the right sizes (IMIX), and detects loss and reordering when they are
# injected (a firewall dropping the large frames, an NF that swaps packet pairs).
# The switch runs with a default port, which takes the frames of unknown MACs.
. "$(dirname "$0")/lib.sh"
require_hugepages
start_switch --wire 2 --ring-size 4096 --default-port 1

ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add t1-sig --tenant t1 --transport block --exec "$NF_SIG" >/dev/null
ctl nf add t1-rw --tenant t1 --exec "$NF_RW --src-mac 02:00:00:00:aa:01" >/dev/null
ctl tenant add t2 --mac 02:00:00:00:00:02 --port 1 >/dev/null
ctl nf add t2-fw --tenant t2 --exec "$NF_FW --drop-len-over 1000" >/dev/null
ctl tenant add t3 --mac 02:00:00:00:00:03 --port 1 >/dev/null
ctl nf add t3-swap --tenant t3 --exec "$B/tests/myriad-nf-swap" >/dev/null
wait_nfs_up 4

# IMIX 7:4:1 of 64/576/1500 B: 1200 frames are 100 cycles, 425200 bytes
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01 --imix --count 1200 --rate 20000)
assert_jq '.tx_packets == 1200 and .rx_packets == 1200 and .rx_bytes == 425200' "$out" \
	"every IMIX frame arrives with its size"
assert_jq '.lost == 0 and .reordered == 0 and .duplicates == 0 and .rx_foreign == 0' "$out" \
	"nothing lost or reordered"
assert_jq '.src_macs["02:00:00:00:aa:01"] == 1200' "$out" "through t1's chain"
assert_jq '.latency_at == "wire" and .latency_us.samples == 1200' "$out" \
	"latency up to the switch's transmit stamp, one sample a frame"
s=$(wait_quiet)
assert_accounted "$s"

# loss injected: the firewall drops the 1500 B frames, the 7th of every 12
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:02 --imix --count 1200 --rate 20000)
assert_jq '.tx_packets == 1200 and .rx_packets == 1100 and .lost == 100' "$out" \
	"the sink counts the 100 dropped frames as lost"
assert_jq '.rx_bytes == 275200 and .reordered == 0' "$out" "the others, intact"
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.drops.nf_verdict_drop == 100' "$s" "the switch counts the firewall's drops"

# reordering injected: every pair leaves swapped
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:03 --size 64 --count 1000 \
	--rate 20000)
assert_jq '.rx_packets == 1000 and .reordered == 500 and .lost == 0 and .duplicates == 0' \
	"$out" "the sink counts each swapped pair once as reordered"
s=$(wait_quiet)
assert_accounted "$s"
# a MAC of no tenant goes to the default port (--default-port 1), untouched
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:99 --size 64 --count 100 --rate 20000)
assert_jq '.rx_packets == 100 and .src_macs["02:00:00:00:ff:ff"] == 100' "$out" \
	"unknown MACs sent to the default port"
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.drops.unknown_mac == 0' "$s" "not dropped"

# destination patterns: weights 3:1 in a cycle give exact shares; drawn at random they
# give the same shares roughly, and per-flow order still holds
w="--dst-macs 02:00:00:00:00:01=3,02:00:00:00:00:99=1"
out=$(gen --tx-port 0 --rx-port 1 $w --size 64 --count 4000 --rate 20000)
assert_jq '.src_macs["02:00:00:00:aa:01"] == 3000 and .src_macs["02:00:00:00:ff:ff"] == 1000' \
	"$out" "weighted cycle: exact shares"
out=$(gen --tx-port 0 --rx-port 1 $w --pattern random --seed 7 --size 64 --count 4000 \
	--rate 20000)
assert_jq '.pattern == "random" and .rx_packets == 4000 and .lost == 0 and .reordered == 0' \
	"$out" "random pattern: all delivered in order per flow"
assert_jq '.src_macs["02:00:00:00:aa:01"] > 2 * .src_macs["02:00:00:00:ff:ff"] and
	.src_macs["02:00:00:00:ff:ff"] > 500' "$out" "random pattern: weighted shares"
s=$(wait_quiet)
assert_accounted "$s"
# paced, a turn sends every frame due and then sleeps at least --pace-us: at 50 kpps
# and 1 ms a turn, ~50 frames in bursts of 4, and the sink takes what waits, in bursts
# too. A sleep never ends early, so turns cannot outnumber the milliseconds of sending
# (~100, and the drain's few), where a turn a burst (the old way) took 1250. Port to
# port (an unknown MAC, the default port): nothing on the way holds frames, and the
# wire rings hold 20 ms of them, so a slow machine delays turns without losing any.
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:99 --size 64 --count 5000 \
	--rate 50000 --burst 4 --pace-us 1000 --drain 200)
assert_jq '.tx_packets == 5000 and .rx_packets == 5000 and .lost == 0' "$out" \
	"paced turns of many bursts: every frame delivered"
assert_jq '.sleeps < 5000 / 4 / 4' "$out" "a turn sends many bursts, then sleeps"
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:99 --size 64 --count 2000 \
	--rate 50000 --burst 4 --pace-us 0 --drain 200)
assert_jq '.rx_packets == 2000 and .lost == 0' "$out" "--pace-us 0: a burst's due time a turn"
s=$(wait_quiet)
assert_accounted "$s"
bad=$(gen --tx-port 0 --rx-port 1 --pace-us 1001 --count 1 2>&1 || true)
echo "$bad" | grep -q "expected 0..1000 microseconds" || fail "--pace-us 1001 accepted: $bad"
bad=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01=0 --count 1 2>&1 || true)
echo "$bad" | grep -q "a weight is 1..1048576" || fail "a zero weight is not refused: $bad"
echo "gen_e2e: ok"
