#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The whole suite N times in a row, to show that no verdict depends on timing: idle, or
# with a busy loop on the NFs' core (--busy: core 1, where the NFs and the generator run).
# Each run's summary line and any failure's log go to LOG; the last line counts the runs.
# usage: tests/repeat.sh [--busy] N LOG       (MYRIAD_SOAK_SECONDS shortens the soak test)
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
busy=0
if [ "${1:-}" = --busy ]; then
	busy=1
	shift
fi
n=${1:?usage: repeat.sh [--busy] N LOG}
log=${2:?usage: repeat.sh [--busy] N LOG}
hog=
stop_hog() { [ -n "$hog" ] && kill "$hog" 2>/dev/null; hog=; }
trap stop_hog EXIT
if [ "$busy" = 1 ]; then
	taskset -c 1 bash -c 'while :; do :; done' &
	hog=$!
fi
{
	echo "# tests/repeat.sh: $n runs, busy=$busy, soak ${MYRIAD_SOAK_SECONDS:-120} s"
	echo "# commit $(git -C "$top" rev-parse --short HEAD)$(git -C "$top" diff --quiet || echo -dirty)," \
		"$(date -u +%FT%TZ), $(nproc) cpus, $(uname -r)"
} >>"$log"
ok=0
for i in $(seq 1 "$n"); do
	t0=$SECONDS
	out=$("$top/tests/run" 2>&1)
	rc=$?
	line=$(tail -n 1 <<<"$out")
	echo "run $i: $line ($((SECONDS - t0)) s)" >>"$log"
	if [ "$rc" -eq 0 ]; then
		ok=$((ok + 1))
	else
		grep -vE ' OK +[0-9.]+s$' <<<"$out" | tail -n 200 >>"$log"
	fi
done
echo "$ok of $n runs passed" >>"$log"
[ "$ok" -eq "$n" ]
