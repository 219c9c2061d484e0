#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The main job: a switch, tenants with chains of NF processes, traffic on the virtual
# wire, a live line per second, and a summary showing every packet accounted for.
set -euo pipefail

tenants=4 chain=2 size=64 duration=10 rate=500000 transport=poll
usage() {
	cat <<USAGE
usage: $0 [--tenants N] [--chain K] [--size BYTES] [--duration SEC] [--rate PPS]
  --tenants N     tenants, each with its own MAC and chain (default $tenants)
  --chain K       signature NFs per chain (default $chain)
  --size BYTES    frame size, 60..1514 (default $size)
  --duration SEC  seconds of traffic (default $duration)
  --rate PPS      offered load, 0 = as fast as possible (default $rate)
  --transport T   poll (A) or block (B) NF processes, or bpf: the same signature as
                  in-switch eBPF programs, run on the switch's core (default $transport)
USAGE
}
while [ $# -gt 0 ]; do
	case $1 in
	--tenants) tenants=$2; shift 2 ;;
	--chain) chain=$2; shift 2 ;;
	--size) size=$2; shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--transport) transport=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
B=${MYRIAD_BUILD:-$top/build}
"$top/scripts/setup.sh"

prefix=myriad-demo-$$
dir=$(mktemp -d /tmp/myriad-demo.XXXXXX)
sock=$dir/ctl.sock
sw_pid= gen_pid=
cleanup() {
	[ -n "$gen_pid" ] && kill "$gen_pid" 2>/dev/null
	if [ -n "$sw_pid" ]; then
		kill -TERM "$sw_pid" 2>/dev/null
		wait "$sw_pid" 2>/dev/null
	fi
	rm -rf "$dir" "/var/run/dpdk/$prefix" /dev/hugepages/"$prefix"map_*
}
trap cleanup EXIT INT TERM
ctl() { "$B/ctl/myriadctl" -s "$sock" "$@"; }

echo "== myriad demo: $tenants tenants x $chain signature NFs ($transport), ${size} B frames, ${duration} s"
echo "   core 0: switch data path.  core 1: NFs, control thread, traffic generator."
"$B/switch/myriad-switch" --no-pci --file-prefix "$prefix" -l 0 --log-level='myriad.*:notice' \
	-- --socket "$sock" --wire 2 --max-nfs $((tenants * chain + 16)) >"$dir/switch.log" 2>&1 &
sw_pid=$!
for _ in $(seq 100); do ctl status >/dev/null 2>&1 && break; sleep 0.1; done
ctl status >/dev/null || { cat "$dir/switch.log"; exit 1; }

macs=
for t in $(seq "$tenants"); do
	mac=$(printf '02:00:00:00:%02x:%02x' $((t / 256)) $((t % 256)))
	macs=${macs:+$macs,}$mac
	echo "tenant add t$t --mac $mac --port 1"
	for k in $(seq "$chain"); do
		if [ "$transport" = bpf ]; then
			echo "nf add t$t-sig$k --tenant t$t --bpf $B/nfs/signature.bpf.o"
		else
			echo "nf add t$t-sig$k --tenant t$t --transport $transport --exec $B/nfs/myriad-nf-signature --no-wait"
		fi
	done
done >"$dir/setup.txt"
ctl -f "$dir/setup.txt" >/dev/null
for _ in $(seq 300); do
	[ "$(ctl --json status | jq .nfs_up)" -eq $((tenants * chain)) ] && break
	sleep 0.1
done
ctl tenant list
echo

# paced, the generator runs real-time (as bench/harness.py runs it): it offers its load
# on time, as a hardware tester would, instead of waiting behind the NFs on its core
rt=()
[ "$rate" != 0 ] && rt=(--rt-priority 2)
"$B/gen/myriad-gen" --file-prefix "$prefix" --proc-type=secondary --no-pci -l 1 \
	--log-level=error -- --quiet --json --tx-port 0 --rx-port 1 --dst-macs "$macs" \
	--size "$size" --rate "$rate" --duration "$duration" "${rt[@]}" >"$dir/gen.json" &
gen_pid=$!

prev=$(ctl --json stats)
printf '%5s %10s %10s %9s %10s  %s\n' time "in Mpps" "out Mpps" "out Gbps" "drops/s" "drops by reason"
t=0
while kill -0 "$gen_pid" 2>/dev/null; do
	sleep 1
	t=$((t + 1))
	cur=$(ctl --json stats)
	jq -rn --argjson a "$prev" --argjson b "$cur" --argjson t "$t" --argjson size "$size" '
		def d(f): ($b | f) - ($a | f);
		[($t | tostring) + "s", (d(.rx) / 1e6), (d(.tx) / 1e6), (d(.tx) * ($size + 24) * 8 / 1e9),
		 d(.dropped),
		 ([$b.drops | to_entries[] | select(.value - $a.drops[.key] > 0) |
		   "\(.key)=\(.value - $a.drops[.key])"] | join(" "))] |
		"\(.[0] | .[0:5] | . + " " * (5 - length)) \(.[1] * 1000 | round / 1000 | tostring | .[0:10])" as $x |
		@text "\(.[0])\t\(.[1] | . * 1000 | round / 1000)\t\(.[2] | . * 1000 | round / 1000)\t\(.[3] | . * 1000 | round / 1000)\t\(.[4])\t\(.[5])"' |
		awk -F'\t' '{ printf "%5s %10s %10s %9s %10s  %s\n", $1, $2, $3, $4, $5, $6 }'
	prev=$cur
done
wait "$gen_pid" || true
gen_pid=

for _ in $(seq 50); do
	s=$(ctl --json stats --nfs)
	[ "$(echo "$s" | jq .in_flight)" -eq 0 ] && break
	sleep 0.1
done
g=$(cat "$dir/gen.json")
echo
echo "== summary"
echo "$s" | jq -r '"packets in \(.rx), out \(.tx), dropped \(.dropped): in == out + drops: \(.rx == .tx + .dropped)",
	"drops by reason: \([.drops | to_entries[] | select(.value > 0) | "\(.key)=\(.value)"] | join(", ") | if . == "" then "none" else . end)",
	"packet pool: \(.pool.avail) of \(.pool.size) buffers free",
	"switch: \(.datapath.cycles_per_hop) cycles per packet per hop (data path busy time)"'
echo "$s" | jq -r '"NFs: " + ([.nfs[] | "\(.name) \(.to_nf)"] | .[0:8] | join(", ")) + (if (.nfs | length) > 8 then ", ..." else "" end)'
echo "$g" | jq -r '"generator: sent \(.tx_packets), received \(.rx_packets) (\(.rx_mpps | . * 1000 | round / 1000) Mpps, \(.rx_gbps | . * 1000 | round / 1000) Gbps), reordered \(.reordered)",
	"latency (us): p50 \(.latency_us.p50 | round) p99 \(.latency_us.p99 | round) max \(.latency_us.max | round); generator cost \(.gen_cycles_per_pkt | round) cycles/packet"'
echo "$s" | jq -e '.rx == .tx + .dropped and .pool.avail == .pool.size' >/dev/null &&
	echo "every packet accounted for."
