#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Overload: one tenant is flooded far beyond what its NF can take while another
# sends a trickle. The flood is dropped at the switch under nf_ring_full (before it is
# queued), the switch keeps forwarding, and the quiet tenant loses nothing.
. "$(dirname "$0")/lib.sh"
require_hugepages
start_switch --wire 3 --max-nfs 16 --ring-size 4096 --tenant-buffers 4096 # the quiet NF gets 4000

ctl tenant add busy --mac 02:00:00:00:00:01 --port 2 >/dev/null
ctl nf add busy-nf --tenant busy --transport block --exec "$NF_SIG" >/dev/null
ctl tenant add quiet --mac 02:00:00:00:00:02 --port 1 >/dev/null
ctl nf add quiet-nf --tenant quiet --transport block --exec "$NF_SIG" >/dev/null
wait_nfs_up 2

# the flood: as fast as the generator can, on wire 0, sunk from wire 2
"$B/gen/myriad-gen" --file-prefix "$PREFIX" --proc-type=secondary --no-pci -l 1 \
	--log-level=error -- --quiet --json --tx-port 0 --rx-port 2 \
	--dst-macs 02:00:00:00:00:01 --size 64 --rate 0 --duration 4 >"$T/flood.json" &
flood=$!
EXTRA_PIDS+=("$flood")
sleep 0.5
# the trickle, on wire 1, while the flood runs
out=$(gen --tx-port 1 --rx-port 1 --dst-macs 02:00:00:00:00:02 --size 64 --rate 2000 \
	--count 4000)
wait "$flood" || fail "flood generator failed"
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.rx_packets == 4000 and .lost == 0 and .reordered == 0' "$out" \
	"the quiet tenant lost nothing under the other's flood"
# (its ring full, or with --nf-memory isolated its tenant's pool empty)
assert_jq '.drops.nf_ring_full + .drops.tenant_pool_empty > 0' "$s" \
	"the flood was dropped as nf_ring_full or tenant_pool_empty"
assert_jq '.drops.nf_ring_full == ([.nfs[] | select(.name == "busy-nf") | .ring_full] | add)' \
	"$s" "only the flooded tenant's NF overflowed"
assert_jq '.tx > 4000' "$s" "the switch kept forwarding the flood as well"
echo "overload: ok"
