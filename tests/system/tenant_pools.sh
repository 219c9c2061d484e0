#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Tenants isolated by their packet pools (--nf-memory isolated, the default): four
# tenants whose NFs are stopped (SIGSTOP) while traffic flows to them exhaust their own
# pools only (tenant_pool_empty); the ports' pool keeps every buffer, and a working
# tenant gets all of its packets through. The four pools (4 x 1260) hold more than the
# ports' pool (2048): with one shared pool the stuck tenants would drain it.
# Killed, the stuck NFs' buffers come back to their pools; every packet is accounted.
. "$(dirname "$0")/lib.sh"
require_hugepages
start_switch --wire 2 --wire-size 4096 --pool-size 2048 --ring-size 4096 \
	--tenant-buffers 1024 --nf-memory isolated

for i in 1 2 3 4; do
	ctl tenant add s$i --mac 02:00:00:00:01:0$i --port 1 >/dev/null
	ctl nf add s$i-nf --tenant s$i --transport block --exec "$NF_SIG" >/dev/null
done
ctl tenant add ok --mac 02:00:00:00:02:01 --port 1 >/dev/null
ctl nf add ok-nf --tenant ok --transport block --exec "$NF_SIG" >/dev/null
wait_nfs_up 5

stuck=$(jctl nf list | jq -r '.[] | select(.name | startswith("s")) | .pid')
for p in $stuck; do kill -STOP "$p"; done
"$B/gen/myriad-gen" --file-prefix "$PREFIX" --proc-type=secondary --no-pci -l 1 \
	--log-level=error -- --quiet --json --tx-port 0 --rx-port 1 \
	--dst-mac-range 02:00:00:00:01:01,4 --size 64 --rate 100000 --count 20000 \
	--drain 200 >"$T/stuck.json" || fail "generator failed"
s=$(jctl stats)
t=$(jctl tenant list)
assert_jq '.drops.tenant_pool_empty > 0' "$s" "the stuck tenants ran out of buffers"
assert_jq '[.[] | select(.name | startswith("s")) | .pool.avail] == [0, 0, 0, 0]' "$t" \
	"each stuck tenant used up its own pool"
assert_jq '([.[] | .pool.empty_drops] | add) == '"$(echo "$s" | jq .drops.tenant_pool_empty)" \
	"$t" "tenant_pool_empty counted per tenant"
assert_jq '[.[] | select(.name == "ok") | .pool.avail == .pool.size] == [true]' "$t" \
	"the working tenant's pool is untouched"
assert_jq '.pool.avail == .pool.size' "$s" "the ports' pool kept every buffer"

out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:02:01 --size 64 --rate 5000 \
	--count 2000)
assert_jq '.rx_packets == 2000 and .lost == 0 and .tx_nombuf == 0' "$out" \
	"a working tenant gets every packet through while the others are stuck"

held=$(jctl stats | jq "$HELD")
dead0=$(jctl stats | jq .drops.nf_dead)
for p in $stuck; do kill -KILL "$p"; done
s=$(wait_quiet)
assert_accounted "$s"
assert_jq ".drops.nf_dead - $dead0 == $held" "$s" "what the stuck NFs held came back once"
echo "tenant_pools: ok"
