#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Blocking NFs (transport B): an idle NF does not run; one packet is delivered by the
# aging timeout; a batch of N packets wakes the NF at once; nothing is lost or
# reordered across sleeps; an NF killed asleep or while being woken is reclaimed;
# an NF that forges its sleep state cannot make the switch wake it at will; a tenant
# can mix polling and blocking NFs. MYRIAD_BLOCK_WAKER=thread runs it all
# with the FUTEX_WAKE calls made by the waker thread (--waker thread).
. "$(dirname "$0")/lib.sh"
require_hugepages
WAKER=${MYRIAD_BLOCK_WAKER:-inline}
start_switch --wire 2 --max-nfs 16 --ring-size 8192 --waker "$WAKER" # 5000 frames per NF

ns_on_cpu() { awk '{print $1}' "/proc/$1/schedstat"; }
nf_json() { jctl nf list | jq -c ".[] | select(.name == \"$1\")"; }

ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add t1-a --tenant t1 --transport block --exec "$NF_SIG" >/dev/null
ctl nf add t1-b --tenant t1 --transport poll --exec "$NF_RW --src-mac 02:00:00:00:aa:01" >/dev/null
ctl tenant add t2 --mac 02:00:00:00:00:02 --port 1 >/dev/null
ctl nf add t2-a --tenant t2 --transport block --exec "$NF_SIG" >/dev/null
ctl nf add t2-b --tenant t2 --transport block --exec "$NF_RW --src-mac 02:00:00:00:aa:02" >/dev/null
wait_nfs_up 4
assert_jq '.transport == "block"' "$(nf_json t1-a)" "transport shown"
assert_jq '.transport == "poll"' "$(nf_json t1-b)" "mixed chain"

# 1. idle: a sleeping NF does not run and is not woken
pid=$(nf_json t2-a | jq .pid)
sleep 0.5
cpu0=$(ns_on_cpu "$pid")
w0=$(nf_json t2-a | jq .wakeups)
sleep 2
cpu1=$(ns_on_cpu "$pid")
[ $((cpu1 - cpu0)) -lt 1000000 ] || fail "idle blocking NF ran $(((cpu1 - cpu0) / 1000)) us in 2 s"
assert_jq ".wakeups == $w0 and .sleeps >= 1" "$(nf_json t2-a)" "no wake-up while idle"

# 2. one packet: not enough for a batch, delivered by the aging timeout
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:02 --size 64 --count 1 --rate 10)
assert_jq '.rx_packets == 1' "$out" "single packet delivered"
assert_jq '.wakeups >= 1' "$(nf_json t2-a)" "woken by the timeout"

# 3. a batch: with a 10 s timeout, 32 packets in one burst must wake the NFs at once
# (the generator gives up 3 s after its last packet)
ctl nf set t2-a --wake-batch 32 --wake-timeout 10000000 >/dev/null
ctl nf set t2-b --wake-batch 32 --wake-timeout 10000000 >/dev/null
assert_jq '.wake_batch == 32 and .wake_timeout_us == 10000000' "$(nf_json t2-a)" "nf set"
w0=$(nf_json t2-a | jq .wakeups)
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:02 --size 64 --count 32 \
	--burst 32 --drain 3000)
assert_jq '.rx_packets == 32' "$out" "a full batch woke the chain"
assert_jq ".wakeups == $((w0 + 1))" "$(nf_json t2-a)" "exactly one wake-up for the batch"
ctl nf set t2-a --wake-timeout 200 >/dev/null
ctl nf set t2-b --wake-timeout 200 >/dev/null

# 4. many sleeps and wakes: nothing lost or reordered, exact accounting
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01,02:00:00:00:00:02 --size 128 \
	--rate 5000 --count 10000)
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.rx_packets == 10000 and .lost == 0 and .reordered == 0 and .duplicates == 0' \
	"$out" "no loss or reordering across sleep and wake"
assert_jq '.src_macs["02:00:00:00:aa:01"] == 5000 and .src_macs["02:00:00:00:aa:02"] == 5000' \
	"$out" "both chains (mixed and blocking) delivered"
assert_jq '.datapath.wakeups > 0 and .datapath.wake_errors == 0' "$s" "wake-ups counted, none failed"
if [ "$WAKER" = thread ]; then
	# the calls were the waker's: it slept between rounds and was woken for them
	assert_jq '.datapath.waker_kicks > 0 and .datapath.waker_kicks <= .datapath.wakeups' "$s" \
		"the waker thread made the calls"
	grep -qx myr-waker /proc/"$SW_PID"/task/*/comm || fail "no myr-waker thread"
else
	assert_jq '.datapath.waker_kicks == 0' "$s" "no waker thread inline"
fi

# 5a. killed while asleep: reclaimed, the slot and buffers come back
pid=$(nf_json t2-b | jq .pid)
kill -KILL "$pid"
for _ in $(seq 50); do nf_json t2-b | jq -e '.state == "down"' >/dev/null && break; sleep 0.1; done
assert_jq '.state == "down"' "$(nf_json t2-b)" "killed sleeping NF seen down"
ctl nf start t2-b >/dev/null
wait_nfs_up 4

# 5b. killed while being woken: stop it (SIGSTOP), let packets queue and the switch
# wake it, then kill it; everything it held or had queued is reclaimed
pid=$(nf_json t2-a | jq .pid)
kill -STOP "$pid"
gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:02 --size 64 --count 100 --rate 10000 \
	--drain 200 >/dev/null
assert_jq "$HELD > 0" "$(jctl stats)" "the stopped NF has packets queued"
kill -KILL "$pid"
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.drops.nf_dead >= 100' "$s" "queued packets reclaimed as nf_dead"

# 6. an NF that forges its sleep word (a new "sleep" every 50 us, never taking a packet)
# to be woken for every delivery: after a wake-up it answered with nothing, the next
# one waits its timeout x 2^n, so in 2 s it gets a handful, not one per burst
ctl tenant add t3 --mac 02:00:00:00:00:03 --port 1 >/dev/null
ctl nf add t3-h --tenant t3 --transport block --exec "$B/tests/myriad-nf-hostile --attack wake-forge" >/dev/null
wait_nfs_up 4 # t2-a, killed above, is restarted below
gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:03 --size 64 --count 4000 --rate 2000 \
	--burst 32 --drain 200 >/dev/null
h=$(nf_json t3-h)
assert_jq '.wasted_wakeups >= 3 and .wakeups < 40' "$h" "forged sleeps held back"
ctl tenant del t3 >/dev/null
wait_nfs_up 3

# the other tenant was never affected, and t2 works again after a restart
ctl nf start t2-a >/dev/null
wait_nfs_up 4
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01,02:00:00:00:00:02 --size 64 \
	--rate 5000 --count 2000)
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.rx_packets == 2000' "$out" "both tenants delivered after the restarts"
echo "block: ok"
