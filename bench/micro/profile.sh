#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Where both cores' time goes under one load of a harness scenario: bench/run runs the
# point (one repetition, long), and once the generator has been sending at that rate for
# a second, perf samples the switch's core (0) and the NFs' core (1) by the software
# clock (these guests have no PMU) for SECONDS. Prints each core's top symbols with the
# command that ran them. The generator is found by its --rate, not by name alone: the
# harness runs others (the wire check, the NDR search) before the point.
# Serialised with every other benchmark.
# usage: bench/micro/profile.sh NFS RATE [SECONDS [harness options...]]
#   e.g. bench/micro/profile.sh 2000 1400000 6 --switch-args '--idle-poll 1'
# MYRIAD_PROFILE_KEEP=DIR keeps the samples there (core0.data, core1.data) for
# perf annotate.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
B=${MYRIAD_BUILD:-$top/build}
nfs=$1 rate=$2 secs=${3:-6}
shift 2
[ $# -gt 0 ] && shift
out=$(mktemp -d)
exec 9>/tmp/myriad-bench.lock
flock 9
bench=
cleanup() {
	[ -n "$bench" ] && kill -TERM "$bench" 2>/dev/null && wait "$bench" 2>/dev/null
	[ -n "${MYRIAD_PROFILE_KEEP:-}" ] && mkdir -p "$MYRIAD_PROFILE_KEEP" &&
		cp "$out"/core*.data "$MYRIAD_PROFILE_KEEP"/ 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
# the harness takes the lock itself only in bench/ab; bench/run runs under ours
"$top/bench/run" latency-load --build "$B" --no-ceiling --nfs "$nfs" --loads "pps:$rate" \
	--reps 1 --duration $((secs + 12)) --out "$out/run" "$@" >"$out/bench.log" 2>&1 &
bench=$!
gen=
for _ in $(seq 600); do
	gen=$(pgrep -f "myriad-gen.* --rate $rate( |$)" | head -1 || true)
	[ -n "$gen" ] && break
	kill -0 "$bench" 2>/dev/null || { cat "$out/bench.log"; exit 1; }
	sleep 0.5
done
[ -n "$gen" ] || { echo "profile: the generator at $rate never started" >&2; exit 1; }
sleep 1.5 # past the warm-up into the measured repetition
perf record -q -e cpu-clock -F 2000 -a -C 0 -o "$out/core0.data" -- sleep "$secs" &
p0=$!
perf record -q -e cpu-clock -F 2000 -a -C 1 -o "$out/core1.data" -- sleep "$secs" &
p1=$!
wait $p0 $p1
wait "$bench" || true
bench=
for c in 0 1; do
	echo "## core $c: $nfs NFs, $rate pps offered ($(date -u +%FT%TZ), $(git -C "$top" describe --always --dirty))"
	perf report -q -i "$out/core$c.data" --no-children --sort comm,dso,sym --percent-limit 0.8 \
		2>/dev/null | sed 's/ *$//' | head -40
done
echo "## the run"
grep -v '^\[' "$out/bench.log" | tail -4
