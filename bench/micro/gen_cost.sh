#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What the traffic generator itself takes of the core it shares with the NFs, at the
# rates the benchmarks offer: a switch (core 0) with one tenant and no NF, so frames
# go port to port, and myriad-gen paced and real-time on core 1 as bench/harness.py
# runs it. Per rate: what it carried, its busy cycles per frame (sending and sinking,
# its own count), that as a share of core 1, and its process CPU time over the run
# (which also counts its start and drain), and what it takes from the core's other
# work: a soaker (a counting loop at nice 19, as an NF in the kernel's eyes) runs on
# core 1 alone for 5 s, then beside each run; "taken" is the share of the soaker's
# count that the generator cost, its exits, cache misses and context switches
# included, which process CPU time does not see. Serialised with every other benchmark.
# usage: bench/micro/gen_cost.sh [SIZE [RATE...]]    e.g. gen_cost.sh 700 200000 1400000
# MYRIAD_GEN_ARGS: extra myriad-gen options (e.g. --pace-us 0)
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
sw= soak=
cleanup() {
	for p in $soak $sw; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$dir" "/var/run/dpdk/$pre" /dev/hugepages/"$pre"map_*
}
trap cleanup EXIT
exec 9>/tmp/myriad-bench.lock
flock 9
# the soaker: counts loop turns until SIGTERM, then prints them
gcc -O2 -x c -o "$dir/soak" - <<'C'
#include <signal.h>
#include <stdio.h>
static volatile sig_atomic_t stop;
static void on(int s) { (void)s; stop = 1; }
int main(void)
{
	unsigned long n = 0;
	signal(SIGTERM, on);
	while (!stop)
		for (int i = 0; i < 1000; i++) {
			__asm__ volatile("" ::: "memory");
			n++;
		}
	printf("%lu\n", n);
	return 0;
}
C
soak_for() { # SECONDS: the soaker's count over that long, on core 1
	taskset -c 1 nice -n 19 "$dir/soak" >"$dir/soak.out" &
	soak=$!
	sleep "$1"
	kill -TERM "$soak"
	wait "$soak" || true
	soak=
	cat "$dir/soak.out"
}
"$B/switch/myriad-switch" --no-pci --file-prefix "$pre" -l 0 --log-level='myriad.*:notice' \
	-- --socket "$sock" --wire 2 --max-nfs 8 >"$dir/switch.log" 2>&1 &
sw=$!
for _ in $(seq 100); do "$B/ctl/myriadctl" -s "$sock" status >/dev/null 2>&1 && break; sleep 0.1; done
"$B/ctl/myriadctl" -s "$sock" tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
alone=$(soak_for 5)
echo "# myriad-gen alone on core 1, ${size} B, $(date -u +%FT%TZ), commit $(git -C "$top" rev-parse --short HEAD), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for r in "${rates[@]}"; do
	taskset -c 1 nice -n 19 "$dir/soak" >"$dir/soak.out" &
	soak=$!
	/usr/bin/time -f "%e %U %S" -o "$dir/time" "$B/gen/myriad-gen" --file-prefix "$pre" \
		--proc-type=secondary --no-pci -l 1 --log-level=error -- --json --quiet --rate "$r" \
		--duration 5 --size "$size" --rt-priority 2 --tx-port 0 --rx-port 1 \
		--dst-mac-range 02:00:00:00:00:01,1 ${MYRIAD_GEN_ARGS:-} >"$dir/gen.json"
	kill -TERM "$soak"
	wait "$soak" || true
	soak=
	/usr/bin/python3 - "$dir/gen.json" "$dir/time" "$r" "$(cat "$dir/soak.out")" "$alone" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
wall, user, sys_ = map(float, open(sys.argv[2]).read().split()[-3:])
rate, cyc = int(sys.argv[3]), g["gen_cycles_per_pkt"]
# the soaker ran over the generator's whole life (its start and drain too)
taken = 1 - float(sys.argv[4]) / wall / (float(sys.argv[5]) / 5)
print("offered %8d pps: carried %.3f Mpps, %4.0f busy cycles a frame = %4.1f %% of a core;"
      " process CPU %.2f s over %.1f s; taken from the soaker %.1f %%" % (
          rate, g["rx_mpps"], cyc, 100 * cyc * g["rx_mpps"] * 1e6 / g["tsc_hz"],
          user + sys_, wall, 100 * taken))
PY
done
