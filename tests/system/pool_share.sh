#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# NFs that stop draining must not take the whole packet pool: eight stuck NFs whose
# rings (8 x 512) could hold twice the pool (2048) are held to their share under
# nf_over_share, a working tenant still gets every packet through, and once the
# stuck NFs resume everything is accounted for.
# When they resume, what they held (up to 3/4 of the pool, 1536 frames) leaves in one
# burst toward wire port 1: its rings (--wire-size 4096) hold all of it, so that
# delivery does not depend on how soon the sink gets the CPU.
. "$(dirname "$0")/lib.sh"
require_hugepages
# The share is of the one pool NFs use with --nf-memory shared; isolated, each tenant
# has a pool of its own instead (tests/system/tenant_pools.sh).
start_switch --wire 2 --wire-size 4096 --pool-size 2048 --ring-size 512 --nf-memory shared

for i in 1 2 3 4 5 6 7 8; do
	ctl tenant add b$i --mac 02:00:00:00:01:0$i --port 1 >/dev/null
	ctl nf add b$i-nf --tenant b$i --transport block --exec "$NF_SIG" >/dev/null
done
ctl tenant add ok --mac 02:00:00:00:02:01 --port 1 >/dev/null
ctl nf add ok-nf --tenant ok --transport block --exec "$NF_SIG" >/dev/null
wait_nfs_up 9

stuck=$(jctl nf list | jq -r '.[] | select(.name | startswith("b")) | .pid')
for p in $stuck; do kill -STOP "$p"; done
# (the generator holds no grudge: no --lossless, what finds no room is counted)
"$B/gen/myriad-gen" --file-prefix "$PREFIX" --proc-type=secondary --no-pci -l 1 \
	--log-level=error -- --quiet --json --tx-port 0 --rx-port 1 \
	--dst-mac-range 02:00:00:00:01:01,8 --size 64 --rate 100000 --count 20000 \
	--drain 200 >"$T/stuck.json" || fail "generator failed"
s=$(stats)
assert_jq '.drops.nf_over_share > 0' "$s" "the stuck NFs were held to their share"
assert_jq '.pool.avail >= .pool.size / 4 - 64' "$s" "a quarter of the pool stayed free"
assert_jq '([.nfs[] | select(.name | startswith("b")) | .over_share] | add) ==
	.drops.nf_over_share' "$s" "counted on the stuck NFs only"

# its share of the pool is 3/4 x 2048 / 10 = 153 buffers: 150 frames get through however
# late its NF runs (a pool drained by the stuck NFs would leave none for them)
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:02:01 --size 64 --rate 5000 \
	--count 150)
assert_jq '.rx_packets == 150 and .lost == 0 and .tx_nombuf == 0' "$out" \
	"a working tenant gets every packet through while the others are stuck"

# resume them, with a sink for what they still hold
held=$(stats | jq .in_flight)
[ "$held" -gt 0 ] || fail "the stuck NFs held nothing"
"$B/gen/myriad-gen" --file-prefix "$PREFIX" --proc-type=secondary --no-pci -l 1 \
	--log-level=error -- --quiet --json --no-tx --rx-port 1 --count "$held" \
	>"$T/sink.json" &
sink=$!
EXTRA_PIDS+=("$sink")
sleep 0.5
for p in $stuck; do kill -CONT "$p"; done
wait "$sink" || fail "sink failed"
assert_jq ".rx_packets == $held" "$(cat "$T/sink.json")" "what they held came out"
s=$(wait_quiet)
assert_accounted "$s"
echo "pool_share: ok"
