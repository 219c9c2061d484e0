#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# What each packet of the data path misses in the caches, with N in-switch NFs
# (signature.bpf.o, one-NF chains, consecutive packets to different NFs): callgrind's
# cache simulation of dp_round() only (dp_micro starts it after the setup), so the
# counts repeat exactly whatever else the machine does, where a timing on these guests
# varies 1.5x from one run to the next. Caches default to this machine's L1d and L2
# (lscpu); the simulated last level is the L2, which a core has to itself.
# Slow: 10,000 NFs take ~10 minutes (their setup runs under valgrind too).
# usage: bench/micro/footprint.sh [BUILD_DIR] [ROUNDS] [NFS...]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd) # the program path must be absolute
rounds=${2:-10000}
shift 2 || true
nfs=("$@")
[ ${#nfs[@]} -gt 0 ] || nfs=(2000 10000)
bin=$build/bench/micro/dp_micro
[ -x "$bin" ] || { echo "footprint.sh: $bin not built" >&2; exit 1; }
# lscpu -B prints "98304 (2 instances)": the bytes of one instance
per_core() {
	local v n i
	v=$(lscpu -B | sed -n "s/^$1: *//p")
	n=${v%% *}
	i=$(sed -n 's/.*(\([0-9]*\) instance.*/\1/p' <<<"$v")
	echo $((n / ${i:-1}))
}
d1=${FOOTPRINT_D1:-$(per_core "L1d cache")}
ll=${FOOTPRINT_LL:-$(per_core "L2 cache")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "# D1 $d1 B 12-way, LL (the L2) $ll B 16-way, 64-B lines; $rounds rounds of 32 packets"
printf '%6s %10s %10s %10s\n' nfs instr/pkt D1miss/pkt LLmiss/pkt
for n in "${nfs[@]}"; do
	out=$tmp/cg.$n
	line=$(valgrind --tool=callgrind --instr-atstart=no --cache-sim=yes \
		--D1="$d1",12,64 --LL="$ll",16,64 --toggle-collect=dp_round \
		--callgrind-out-file="$out" "$bin" bpf "$n" "$rounds" \
		"$build/nfs/signature.bpf.o" 2>/dev/null)
	hops=$(sed -n 's/.* hops \([0-9]*\) .*/\1/p' <<<"$line")
	awk -v n="$n" -v h="$hops" '
		/^events:/ { for (i = 2; i <= NF; i++) ev[i] = $i }
		/^summary:/ { for (i = 2; i <= NF; i++) v[ev[i]] = $i }
		END { printf "%6d %10.1f %10.2f %10.2f\n", n, v["Ir"] / h,
			(v["D1mr"] + v["D1mw"]) / h, (v["DLmr"] + v["DLmw"]) / h }' "$out"
done
