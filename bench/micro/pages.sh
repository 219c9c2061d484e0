#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Pages a blocking NF touches per wake-up, read from the kernel's own accounting: clear
# the NF's referenced bits (/proc/PID/clear_refs), let the switch wake it for one
# packet or one batch, then read how much of its memory is referenced again
# (/proc/PID/smaps, per mapping). Nothing here is timed; the numbers repeat.
# usage: MYRIAD_BUILD=build bench/micro/pages.sh [TRIALS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export MYRIAD_BUILD=${MYRIAD_BUILD:-$here/../../build}
. "$here/../../tests/system/lib.sh"
trials=${1:-5}
require_hugepages
start_switch --wire 2 --max-nfs 4 --ring-size 1024
ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add a --tenant t1 --transport block --exec "$NF_SIG" >/dev/null
wait_nfs_up 1
pid=$(jctl nf list | jq '.[0].pid')

# referenced kB of the NF, by kind of mapping: hugepages (packets, channel), the
# program and its libraries, the stack, and the rest (heap, anonymous)
referenced() {
	awk '
		/^[0-9a-f]+-[0-9a-f]+ / { name = $6; kind = "anon"
			if (name ~ /hugepages|rtemap|^\/dev\/zero|memfd/) kind = "huge"
			else if (name ~ /\[stack\]/) kind = "stack"
			else if (name ~ /^\//) kind = "file" }
		/^Referenced:/ { ref[kind] += $2 }
		END { printf "huge_kB %d file_kB %d stack_kB %d anon_kB %d\n", ref["huge"], ref["file"], ref["stack"], ref["anon"] }
	' "/proc/$pid/smaps"
}

echo "# NF myriad-nf-signature (block), pid $pid; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); commit $(git -C "$here" describe --always --dirty); $(date -u +%FT%TZ)"
for count in 1 32; do
	for t in $(seq "$trials"); do
		sleep 0.3 # the NF is asleep again
		w0=$(jctl nf list | jq '.[0].wakeups')
		echo 1 >"/proc/$pid/clear_refs"
		gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01 --size 64 --count "$count" \
			--burst 32 --rate 1000000 >/dev/null
		sleep 0.3
		w1=$(jctl nf list | jq '.[0].wakeups')
		echo "packets $count wakeups $((w1 - w0)) $(referenced)"
	done
done
echo "# the mappings referenced in the last trial (kB):"
awk '/^[0-9a-f]+-[0-9a-f]+ / { name = $6 ? $6 : "[anon]" } /^Referenced:/ && $2 > 0 { ref[name] += $2 }
	END { for (n in ref) printf "%8d %s\n", ref[n], n }' "/proc/$pid/smaps" | sort -rn | head -15
