#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# 10,000 in-switch NFs at once: 5000 tenants x 2 programs, added from one batch, every
# chain crossed by traffic, then every tenant removed: all slots free and the pool
# back to full. Prints the time to attach and the switch's memory per NF (bench/ has
# the throughput).
. "$(dirname "$0")/lib.sh"
require_hugepages
[ -f "$B/nfs/signature.bpf.o" ] || { echo "SKIP: the eBPF examples are not built (clang)"; exit 77; }
N=${MYRIAD_SCALE_TENANTS:-5000}
start_switch --wire 2 --max-nfs $((2 * N + 8)) --ring-size 64
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SW_PID/status"; }

mac() { printf '02:00:00:00:%02x:%02x' $(($1 / 256)) $(($1 % 256)); }
for i in $(seq "$N"); do
	echo "tenant add t$i --mac $(mac "$i") --port 1"
done >"$T/tenants.txt"
for i in $(seq "$N"); do
	echo "nf add t$i-a --tenant t$i --bpf $B/nfs/signature.bpf.o"
	echo "nf add t$i-b --tenant t$i --bpf $B/nfs/firewall.bpf.o"
done >"$T/nfs.txt"
ctl -f "$T/tenants.txt" >/dev/null || fail "tenants batch"
kb0=$(rss)
t0=$(date +%s%N)
ctl -f "$T/nfs.txt" >/dev/null || fail "NFs batch"
t1=$(date +%s%N)
kb1=$(rss)
echo "scale_bpf: $((2 * N)) NFs attached in $(((t1 - t0) / 1000000)) ms" \
	"($(((t1 - t0) / 2000 / N)) us each), switch RSS +$(((kb1 - kb0) / 1024)) MB" \
	"($(((kb1 - kb0) * 1024 / (2 * N))) B each)"
st=$(jctl status)
assert_jq ".nfs == $((2 * N)) and .nfs_up == $((2 * N)) and .tenants == $N" "$st" \
	"all $((2 * N)) in-switch NFs up"
assert_jq '.bpf_programs == 2' "$st" "the NFs that load the same code share its program"

# a packet for every tenant, 3 rounds: every program runs on exactly 3 packets
for round in 1 2 3; do
	gen --tx-port 0 --rx-port 1 --size 64 --rate 50000 --count "$N" \
		--dst-mac-range "$(mac 1),$N" --drain 1000 >/dev/null
	wait_quiet >/dev/null
done
s=$(wait_quiet)
assert_accounted "$s"
assert_jq ".rx == $((3 * N)) and .tx == $((3 * N))" "$s" "every packet crossed its chain"
assert_jq "[.nfs[] | select(.to_nf == 3 and .from_nf == 3)] | length == $((2 * N))" "$s" \
	"every program ran on exactly its 3 packets"

for i in $(seq "$N"); do echo "tenant del t$i"; done >"$T/del.txt"
ctl -f "$T/del.txt" >/dev/null || fail "removal batch"
st=$(jctl status)
assert_jq '.nfs == 0 and .nfs_up == 0 and .tenants == 0 and .bpf_programs == 0' "$st" \
	"every NF, tenant and program gone"
s=$(stats)
assert_accounted "$s"
echo "scale_bpf: ok"
