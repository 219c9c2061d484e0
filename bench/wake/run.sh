#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds and runs the wake-up primitive benchmark (bench/wake/wake.c) for 1, 10, 100
# and 1000 sleepers, waker on core 0 and sleepers on core 1 (as the switch and its
# NFs), and once with both on core 1; writes bench/results/wake-<date>.jsonl.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/bench/results/wake-$(date -u +%Y%m%d-%H%M%S).jsonl
bin=$(mktemp -d)/wake
gcc -O2 -o "$bin" "$top/bench/wake/wake.c"
{
	for k in 1 10 100 1000; do "$bin" -k "$k" -n 20000 eventfd futex sem pipe; done
	"$bin" -k 1000 -n 20000 -w 1 -s 1 eventfd futex
} | tee "$out"
echo "{\"commit\":\"$(git -C "$top" rev-parse --short HEAD)\",\"date\":\"$(date -u +%FT%TZ)\",\"cpu\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\",\"nproc\":$(nproc),\"kernel\":\"$(uname -r)\"}" >>"$out"
rm -rf "$(dirname "$bin")"
echo "wrote $out"
