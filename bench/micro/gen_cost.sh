#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What the traffic generator itself takes of the core it shares with the NFs, at the
# rates the benchmarks offer: a switch (core 0) with one tenant and no NF, so frames
# go port to port, and myriad-gen paced and real-time on core 1 as bench/harness.py
# runs it. Per rate: what it carried, its busy cycles per frame (sending and sinking,
# its own count), that as a share of core 1, and its process CPU time over the run
# (which also counts its start and drain). Serialised with every other benchmark.
# usage: bench/micro/gen_cost.sh [SIZE [RATE...]]    e.g. gen_cost.sh 700 200000 1400000
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${MYRIAD_BUILD:-$top/build}
size=${1:-700}
shift || true
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(200000 700000 1400000)
pre=myr-gencost-$$
dir=$(mktemp -d)
sock=$dir/ctl.sock
sw=
cleanup() {
	if [ -n "$sw" ]; then
		kill -TERM "$sw" 2>/dev/null
		wait "$sw" 2>/dev/null || true
	fi
	rm -rf "$dir" "/var/run/dpdk/$pre" /dev/hugepages/"$pre"map_*
}
trap cleanup EXIT
exec 9>/tmp/myriad-bench.lock
flock 9
"$B/switch/myriad-switch" --no-pci --file-prefix "$pre" -l 0 --log-level='myriad.*:notice' \
	-- --socket "$sock" --wire 2 --max-nfs 8 >"$dir/switch.log" 2>&1 &
sw=$!
for _ in $(seq 100); do "$B/ctl/myriadctl" -s "$sock" status >/dev/null 2>&1 && break; sleep 0.1; done
"$B/ctl/myriadctl" -s "$sock" tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
echo "# myriad-gen alone on core 1, ${size} B, $(date -u +%FT%TZ), commit $(git -C "$top" rev-parse --short HEAD), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for r in "${rates[@]}"; do
	/usr/bin/time -f "%U %S" -o "$dir/time" "$B/gen/myriad-gen" --file-prefix "$pre" \
		--proc-type=secondary --no-pci -l 1 --log-level=error -- --json --quiet --rate "$r" \
		--duration 5 --size "$size" --rt-priority 2 --tx-port 0 --rx-port 1 \
		--dst-mac-range 02:00:00:00:00:01,1 >"$dir/gen.json"
	/usr/bin/python3 - "$dir/gen.json" "$dir/time" "$r" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
user, sys_ = map(float, open(sys.argv[2]).read().split()[-2:])
rate, cyc = int(sys.argv[3]), g["gen_cycles_per_pkt"]
print("offered %8d pps: carried %.3f Mpps, %4.0f busy cycles a frame = %4.1f %% of a core;"
      " process CPU %.2f s over %.1f s" % (rate, g["rx_mpps"], cyc,
                                           100 * cyc * g["rx_mpps"] * 1e6 / g["tsc_hz"],
                                           user + sys_, g["duration_s"]))
PY
done
