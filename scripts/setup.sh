#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One-time (idempotent) machine setup and build: Debian packages, hugepages, meson build.
# Every README command runs it first, so a fresh Debian 12 machine needs nothing else.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${MYRIAD_BUILD:-$top/build}
# 2 MB pages: 2 GB for the switch's EAL memory (its ports' pool, ~150 MB, and room for
# tests that run a second DPDK process, testpmd, beside it), and 2 MB for each tenant pool of up to 2000 tenants
# (a tenant pool without a free hugepage falls back to small pages, with a log line)
pages=${MYRIAD_HUGEPAGES:-3072}

pkgs=(build-essential pkg-config meson ninja-build libdpdk-dev dpdk dpdk-dev libcmocka-dev
      jq python3 python3-matplotlib procps psmisc iproute2
      clang) # clang: the in-switch NFs' eBPF programs (nfs/*/*.bpf.c, tests/bpf/)

if [ "$(id -u)" -ne 0 ]; then
	echo "setup: run as root (hugepages and DPDK need it): sudo $0" >&2
	exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null
fi

have=$(cat /proc/sys/vm/nr_hugepages)
if [ "$have" -lt "$pages" ]; then
	echo "$pages" > /proc/sys/vm/nr_hugepages
	have=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$have" -lt "$pages" ]; then
		echo "setup: only $have of $pages hugepages could be reserved" >&2
	fi
fi
mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" "$top" -Dwerror=${MYRIAD_WERROR:-false} >/dev/null
fi
ninja -C "$build" >/dev/null
