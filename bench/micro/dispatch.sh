#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Instructions the data path spends per hop (one packet, one NF, out and back), counted by
# callgrind inside dp_round() only: repeatable to the instruction whatever else runs on
# the machine, so two commits compare exactly (run it on each). Needs valgrind.
# usage: bench/micro/dispatch.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd) # the program path must be absolute
rounds=${2:-2000}
bin=$build/bench/micro/dp_micro
[ -x "$bin" ] || { echo "dispatch.sh: $bin not built" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '# nf memory: %s\n' "${MYRIAD_NF_MEMORY:-shared}"
printf '%-6s %6s %10s %12s %10s\n' kind nfs hops instructions per_hop
# bpf: one in-switch NF (signature.bpf.o) per packet, counted with its program; its hops
# are the port's only (nothing returns from a ring), so per_hop is per packet there
# MYRIAD_NF_MEMORY=isolated: the same with tenant pools (the switch's default)
for kind in poll block bpf; do
	prog=()
	[ "$kind" = bpf ] && prog=("$build/nfs/signature.bpf.o")
	for nfs in 64 2000; do
		out=$tmp/cg.$kind.$nfs
		line=$(valgrind --tool=callgrind --toggle-collect=dp_round \
			--instr-atstart=no --callgrind-out-file="$out" "$bin" "$kind" "$nfs" "$rounds" "${prog[@]}" 2>/dev/null)
		hops=$(sed -n 's/.* hops \([0-9]*\) .*/\1/p' <<<"$line")
		ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out")
		awk -v k="$kind" -v n="$nfs" -v h="$hops" -v i="$ir" \
			'BEGIN { printf "%-6s %6d %10d %12d %10.1f\n", k, n, h, i, i / h }'
	done
done
