#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One command for the transport A benchmark: builds, then runs bench/transport_a.py, which
# measures myriad and dpdk-testpmd on the virtual wire and writes bench/results/.
# usage: bench/transport_a.sh [--quick]   (default ~5 minutes, --quick ~1 minute; as root)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
B=${MYRIAD_BUILD:-$top/build}
[ "$(id -u)" -eq 0 ] || { echo "$0: run as root (hugepages, DPDK multi-process)" >&2; exit 1; }
if [ ! -x "$B/switch/myriad-switch" ]; then
	"$top/scripts/setup.sh"
else
	ninja -C "$B" >/dev/null
fi
command -v dpdk-testpmd >/dev/null || apt-get install -y dpdk >/dev/null
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || apt-get install -y python3-matplotlib >/dev/null
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
[ "${free:-0}" -ge 400 ] || { echo "$0: needs 400 free 2 MB hugepages (have ${free:-0}): run scripts/setup.sh" >&2; exit 1; }
export MYRIAD_BUILD=$B
exec /usr/bin/python3 "$top/bench/transport_a.py" "$@"
