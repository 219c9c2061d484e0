#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# myriad-gen driving ethdev ports as a DPDK primary of its own (--eth), the way it
# drives a NIC cabled to a switch on another machine: first a ring port looped back
# to itself, then the real switch on the far end of a veth pair, with the af_packet
# PMD on both ends. The veth pair lives in a network namespace this test creates and
# deletes; no other network device is touched.
. "$(dirname "$0")/lib.sh"
require_hugepages

# --in-memory: no hugepage files; its runtime directory goes with the test's
GEN_PREFIX=${PREFIX}g
egen() {
	"${GEN_WRAP[@]}" "$B/gen/myriad-gen" --in-memory --file-prefix "$GEN_PREFIX" --no-pci -l 1 \
		--log-level=error "$@"
}
GEN_WRAP=()
trap 'cleanup; rm -rf "/var/run/dpdk/$GEN_PREFIX"' EXIT

# 1. a ring port sends to itself: every frame back, in order, timed at the sink
out=$(egen --vdev net_ring0 -- --eth 0 --dst-macs 02:00:00:00:00:01 --count 2000 \
	--rate 50000 --lossless --quiet --json)
assert_jq '.tx_packets == 2000 and .rx_packets == 2000 and .lost == 0 and .reordered == 0' \
	"$out" "looped back through an ethdev ring port"
assert_jq '.latency_at == "sink" and .latency_us.samples == 2000' "$out" \
	"no switch stamps: latency at the sink"
bad=$(egen --vdev net_ring0 -- --eth 3 --count 1 2>&1 || true)
echo "$bad" | grep -q "no port 3" || fail "a missing port is not reported: $bad"

# 2. through the switch over a veth pair: gen (vgen) <-> (vsw) switch -> t1's chain
NS=myrgen$$
ip netns add "$NS" || fail "cannot create a network namespace"
trap 'cleanup; rm -rf "/var/run/dpdk/$GEN_PREFIX"; ip netns del "$NS" 2>/dev/null || true' EXIT
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	net.ipv6.conf.default.disable_ipv6=1 # no neighbour discovery frames on the wire
ip -n "$NS" link add vsw type veth peer name vgen
ip -n "$NS" link set vsw up
ip -n "$NS" link set vgen up
SW_WRAP=(ip netns exec "$NS")
SW_EAL=(--vdev "net_af_packet0,iface=vsw,qdisc_bypass=1,framecnt=4096")
start_switch --wire 0 --max-nfs 16 --ring-size 4096 # 4000 frames per NF
GEN_WRAP=(ip netns exec "$NS")

ctl tenant add t1 --mac 02:00:00:00:00:01 --port 0 >/dev/null
ctl nf add t1-sig --tenant t1 --exec "$NF_SIG" >/dev/null
ctl nf add t1-rw --tenant t1 --transport block --exec "$NF_RW --src-mac 02:00:00:00:aa:01" \
	>/dev/null
wait_nfs_up 2
assert_jq '.[0].name == "net_af_packet0"' "$(jctl port list)" "the af_packet port is port 0"

# the generator's af_packet ring holds all 4000 frames: a late sink loses none
out=$(egen --vdev "net_af_packet1,iface=vgen,qdisc_bypass=1,framecnt=4096" -- --eth 0 \
	--dst-macs 02:00:00:00:00:01 --sizes 64:3,700:1 --count 4000 --rate 20000 --quiet --json)
assert_jq '.tx_packets == 4000 and .rx_packets == 4000 and .lost == 0 and .reordered == 0 and
	.rx_foreign == 0' "$out" "every frame through the chain and back over the veth pair"
assert_jq '.src_macs["02:00:00:00:aa:01"] == 4000' "$out" "rewritten by t1's second NF"
assert_jq '.rx_bytes == 3000 * 64 + 1000 * 700' "$out" "with their sizes"
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.rx == 4000 and .tx == 4000 and .dropped == 0' "$s" \
	"the switch saw exactly the generator's frames, nothing dropped"
echo "gen_eth: ok"
