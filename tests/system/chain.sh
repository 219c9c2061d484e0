#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Packets reach their own tenant's chain, in order, and every one is accounted for:
# three tenants, each with signature -> rewrite (a source MAC of its own), plus
# traffic to a MAC of no tenant.
. "$(dirname "$0")/lib.sh"
require_hugepages
start_switch --wire 2 --max-nfs 16 --ring-size 8192 # 5000 frames per NF

for i in 1 2 3; do
	ctl tenant add "t$i" --mac "02:00:00:00:00:0$i" --port 1 >/dev/null
	ctl nf add "t$i-sig" --tenant "t$i" --exec "$NF_SIG" >/dev/null
	ctl nf add "t$i-rw" --tenant "t$i" --exec "$NF_RW --src-mac 02:00:00:00:aa:0$i" >/dev/null
done
wait_nfs_up 6
t=$(jctl tenant list t2)
assert_jq '.chain == ["t2-sig","t2-rw"] and .port == 1' "$t" "tenant t2's chain"

# 4 flows round-robin: consecutive packets go to different tenants (and one unknown)
out=$(gen --tx-port 0 --rx-port 1 --size 128 --rate 20000 --count 20000 \
	--dst-macs 02:00:00:00:00:01,02:00:00:00:00:02,02:00:00:00:00:03,02:00:00:00:00:99)
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.rx == 20000 and .drops.unknown_mac == 5000' "$s" "20000 in, 5000 of no tenant"
assert_jq '.tx == 15000 and .dropped == 5000' "$s" "every tenant packet delivered"
assert_jq '.rx_packets == 15000 and .reordered == 0 and .duplicates == 0' "$out" \
	"sink saw every tenant packet, in order"
for i in 1 2 3; do
	# the packets of flow i all carry tenant i's rewrite MAC: they went through its chain
	assert_jq ".flows[$((i - 1))].rx == 5000 and .src_macs[\"02:00:00:00:aa:0$i\"] == 5000" \
		"$out" "flow $i delivered through tenant t$i's chain"
	assert_jq "[.nfs[] | select(.tenant == \"t$i\") | .to_nf] == [5000, 5000]" "$s" \
		"each NF of t$i saw its 5000 packets"
done
assert_jq '.flows[3].rx == 0' "$out" "nothing delivered for the unknown MAC"

# the same NF can be deleted and added again while the others keep working
ctl nf del t2-rw >/dev/null
ctl nf add t2-rw --tenant t2 --exec "$NF_RW --src-mac 02:00:00:00:bb:02" >/dev/null
wait_nfs_up 6
out=$(gen --tx-port 0 --rx-port 1 --size 64 --rate 20000 --count 3000 \
	--dst-macs 02:00:00:00:00:01,02:00:00:00:00:02,02:00:00:00:00:03)
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.rx_packets == 3000 and .src_macs["02:00:00:00:bb:02"] == 1000' "$out" \
	"replaced NF is in the chain"
echo "chain: ok"
