#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Checks the README's promise on a minimal Debian 12: in a pristine `debootstrap
# --variant=minbase bookworm` chroot holding the committed tree (git archive HEAD),
# as root, `./scripts/demo.sh && ./tests/run` must work with nothing installed first.
set -euo pipefail

# Overrides: MYRIAD_MINIMAL_MIRROR, MYRIAD_MINIMAL_SECURITY (apt mirrors),
# MYRIAD_MINIMAL_DIR (the chroot: must not exist; default /var/tmp/myriad-minimal.XXXXXX),
# MYRIAD_MINIMAL_CACHE (folder of the pristine minbase tarball; empty = no cache),
# MYRIAD_MINIMAL_REFRESH=1 (debootstrap again even if the cached tarball is recent).
MIRROR=${MYRIAD_MINIMAL_MIRROR:-http://deb.debian.org/debian}
SECURITY=${MYRIAD_MINIMAL_SECURITY:-http://deb.debian.org/debian-security}
CACHE=${MYRIAD_MINIMAL_CACHE-/var/cache/myriad-minimal}
CACHE_DAYS=7
SUITE=bookworm
PATH_IN=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

SELF=$(readlink -f "${BASH_SOURCE[0]}")
TOP=$(cd "$(dirname "$SELF")/.." && pwd)

now() { date +%s; }
say() { echo "== [$(date -u +%H:%M:%S)] $*"; }

# PIDs of the processes whose root is DIR (or below it), or, with NS, that are in
# that mount namespace; never this shell or its subshells.
chroot_pids() {
	local d=$1 ns=${2:-} p r
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[ "$p" = "$$" ] || [ "$p" = "$BASHPID" ] && continue
		r=$(readlink "/proc/$p/root" 2>/dev/null) || continue
		if [ "$r" = "$d" ] || [[ $r == "$d"/* ]]; then
			echo "$p"
		elif [ -n "$ns" ] && [ "$(readlink "/proc/$p/ns/mnt" 2>/dev/null)" = "$ns" ]; then
			echo "$p"
		fi
	done
}

# Stop them: TERM, up to 5 s, then KILL. Says which were still there.
stop_chroot_procs() {
	local d=$1 ns=${2:-} pids p
	pids=$(chroot_pids "$d" "$ns" | tr '\n' ' ')
	[ -n "${pids// /}" ] || return 0
	local n=0
	echo "minimal: processes still running in the chroot, stopping them:"
	for p in $pids; do
		n=$((n + 1))
		[ "$n" -le 8 ] && echo "   $p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | head -c 160)"
	done
	[ "$n" -gt 8 ] && echo "   ... $((n - 8)) more"
	# shellcheck disable=SC2086
	kill -TERM $pids 2>/dev/null || true
	for _ in $(seq 50); do
		pids=$(chroot_pids "$d" "$ns" | tr '\n' ' ')
		[ -n "${pids// /}" ] || return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null || true
	for _ in $(seq 50); do
		[ -z "$(chroot_pids "$d" "$ns")" ] && return 0
		sleep 0.1
	done
	echo "minimal: processes that survived SIGKILL: $(chroot_pids "$d" "$ns" | tr '\n' ' ')" >&2
	return 1
}

# ---------------------------------------------------------------------------
# Inside the private mount namespace (not yet chrooted): the mounts a booted system
# has, the two README commands in the chroot, then everything stopped and unmounted.
# Every mount here vanishes with the namespace, whatever happens.
inner() {
	local dir=$1 work=$2
	readlink /proc/self/ns/mnt >"$work/mntns"
	# shellcheck disable=SC2064 # the paths now: the locals are gone when it runs
	trap "inner_cleanup $(printf '%q %q' "$dir" "$work")" EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	# the chroot's / must be a mount point: `ip netns exec` (gen_eth) does
	# `mount --make-rslave /` there
	mount --bind "$dir" "$dir"
	mount -t proc proc "$dir/proc"
	mount -t sysfs sysfs "$dir/sys"
	# a /dev of its own (not the host's devtmpfs: nothing written there may leak), with
	# the usual nodes; no /dev/hugepages: scripts/setup.sh must create and mount it
	mount -t tmpfs -o mode=755,nosuid,size=16m tmpfs "$dir/dev"
	mknod -m 666 "$dir/dev/null" c 1 3
	mknod -m 666 "$dir/dev/zero" c 1 5
	mknod -m 666 "$dir/dev/full" c 1 7
	mknod -m 666 "$dir/dev/random" c 1 8
	mknod -m 666 "$dir/dev/urandom" c 1 9
	mknod -m 666 "$dir/dev/tty" c 5 0
	ln -s /proc/self/fd "$dir/dev/fd"
	ln -s /proc/self/fd/0 "$dir/dev/stdin"
	ln -s /proc/self/fd/1 "$dir/dev/stdout"
	ln -s /proc/self/fd/2 "$dir/dev/stderr"
	mkdir "$dir/dev/pts" "$dir/dev/shm"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$dir/dev/pts"
	ln -s pts/ptmx "$dir/dev/ptmx"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$dir/dev/shm"
	mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$dir/run"
	mkdir -m 1777 "$dir/run/lock"

	local t0 t1 t2 rc
	run_in() {
		chroot "$dir" /usr/bin/env -i HOME=/root PATH="$PATH_IN" TERM=dumb \
			/bin/bash -c "cd /root/myriad && $1" </dev/null 2>&1
	}
	t0=$(now)
	say "demo: ./scripts/demo.sh (setup.sh first: Debian packages, hugepages, build)"
	set +e
	run_in ./scripts/demo.sh | while IFS= read -r line; do
		# the demo's first own line: setup.sh is done
		[[ $line == "== myriad demo"* ]] && [ ! -s "$work/setup.end" ] && now >"$work/setup.end"
		printf '%s\n' "$line"
		printf '%s\n' "$line" >>"$work/demo.out"
	done
	rc=${PIPESTATUS[0]}
	set -e
	t1=$(now)
	printf 'demo (scripts/demo.sh)\t%s\n' $((t1 - t0)) >>"$work/times"
	if [ -s "$work/setup.end" ]; then
		printf '  of which setup.sh (packages, build)\t%s\n' \
			$(($(cat "$work/setup.end") - t0)) >>"$work/times"
	fi
	echo "$rc" >"$work/demo.rc"
	say "demo exited $rc after $((t1 - t0)) s"
	[ "$rc" -eq 0 ] || return 1

	say "tests: ./tests/run"
	set +e
	run_in ./tests/run | tee "$work/tests.out"
	rc=${PIPESTATUS[0]}
	set -e
	t2=$(now)
	printf 'tests (tests/run)\t%s\n' $((t2 - t1)) >>"$work/times"
	echo "$rc" >"$work/tests.rc"
	say "tests exited $rc after $((t2 - t1)) s"
}

inner_cleanup() {
	local rc=$? dir=$1 work=$2 f left=''
	trap - EXIT INT TERM
	set +e
	stop_chroot_procs "$dir"
	# network namespaces the tests made (gen_eth: myrgen*) live in the chroot's /run
	for f in "$dir"/run/netns/*; do
		[ -e "$f" ] || continue
		echo "minimal: removing network namespace ${f##*/} left in the chroot"
		umount "$f" && rm -f "$f"
	done
	# what the run left behind (the switch removes its files when it stops)
	for f in "$dir"/run/dpdk/* "$dir"/dev/hugepages/* "$dir"/tmp/myriad-*; do
		[ -e "$f" ] || continue
		left="$left ${f#"$dir"}"
	done
	if [ -n "$left" ]; then
		echo "minimal: left behind in the chroot by the run (removed now):$left"
		echo "${left# }" >"$work/leftovers"
	fi
	rm -f "$dir"/dev/hugepages/* 2>/dev/null
	umount -R "$dir" 2>/dev/null || umount -R -l "$dir"
	exit "$rc"
}

# ---------------------------------------------------------------------------
DIR='' WORK='' INNER='' HP_BEFORE='' T_START='' RESULT="did not finish" STATUS=1

hp_free() { awk '/^HugePages_Free/ {print $2}' /proc/meminfo; }

# PIDs outside the chroot that map hugepages (to tell a leak from another user)
host_hugepage_users() {
	grep -l '^KernelPageSize: *2048 kB' /proc/[0-9]*/smaps 2>/dev/null |
		sed 's|/proc/\([0-9]*\)/smaps|\1|' | tr '\n' ' '
}

cleanup() {
	local rc=$? t ns='' free pids
	trap - EXIT INT TERM
	set +e
	t=$(now)
	say "cleanup"
	if [ -n "$INNER" ] && kill -0 "$INNER" 2>/dev/null; then
		# interrupted: the namespace's shell cleans up once the chroot's processes end
		echo "minimal: stopping the chroot run"
		kill -TERM "$INNER"
		stop_chroot_procs "$DIR"
		for _ in $(seq 300); do
			kill -0 "$INNER" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$INNER" 2>/dev/null
		wait "$INNER" 2>/dev/null
	fi
	if [ -n "$DIR" ] && [ -d "$DIR" ]; then
		[ -s "$WORK/mntns" ] && ns=$(cat "$WORK/mntns")
		stop_chroot_procs "$DIR" "$ns"
		# the namespace's mounts went with it; any on the host's side (none expected)
		if findmnt -rn -o TARGET | grep -q "^$DIR\(/\|$\)"; then
			echo "minimal: unmounting what is mounted under $DIR on the host"
			umount -R "$DIR" || umount -R -l "$DIR"
		fi
		local t_rm
		t_rm=$(now)
		rm -rf --one-file-system "$DIR"
		if [ -e "$DIR" ]; then
			echo "minimal: could not remove $DIR" >&2
		else
			echo "minimal: removed $DIR in $(($(now) - t_rm)) s"
		fi
	fi
	if [ -n "$HP_BEFORE" ]; then
		for _ in $(seq 100); do
			free=$(hp_free)
			[ "$free" -ge "$HP_BEFORE" ] && break
			sleep 0.1
		done
		if [ "$free" -ge "$HP_BEFORE" ]; then
			echo "minimal: hugepages free: $HP_BEFORE before, $free after"
		else
			pids=$(host_hugepage_users)
			if [ -n "$pids" ]; then
				echo "minimal: hugepages free: $HP_BEFORE before, $free after;" \
					"held by processes outside the chroot (PIDs $pids), not by this run"
			else
				echo "minimal: hugepages free: $HP_BEFORE before, $free after, and no process" \
					"holds them: the run leaked hugepages" >&2
				[ "$rc" -eq 0 ] && rc=1 && RESULT="hugepages leaked"
			fi
		fi
	fi
	if [ -n "$WORK" ] && [ -f "$WORK/times" ]; then
		printf 'cleanup\t%s\n' $(($(now) - t)) >>"$WORK/times"
		echo
		echo "== times (s)"
		printf 'total\t%s\n' $(($(now) - T_START)) >>"$WORK/times"
		awk -F'\t' '{ printf "   %-38s %5d\n", $1, $2 }' "$WORK/times"
	fi
	[ -n "$WORK" ] && rm -rf "$WORK"
	echo
	if [ "$rc" -eq 0 ] && [ "$STATUS" -eq 0 ]; then
		echo "minimal: OK: $RESULT"
	else
		echo "minimal: FAILED: $RESULT" >&2
		[ "$rc" -eq 0 ] && rc=1
	fi
	exit "$rc"
}

phase_end() { # NAME START
	printf '%s\t%s\n' "$1" $(($(now) - $2)) >>"$WORK/times"
}

main() {
	local t log tarball arch rc demo_last tests_last
	if [ "$(id -u)" -ne 0 ]; then
		echo "minimal: run as root (debootstrap, chroot, mounts): sudo $0" >&2
		exit 1
	fi
	T_START=$(now)
	WORK=$(mktemp -d /tmp/myriad-minimal-work.XXXXXX)
	trap cleanup EXIT
	trap 'RESULT="interrupted (SIGINT)"; exit 130' INT
	trap 'RESULT="interrupted (SIGTERM)"; exit 143' TERM

	t=$(now)
	say "prepare: debootstrap and git on the host"
	local need=()
	command -v debootstrap >/dev/null || need+=(debootstrap)
	command -v git >/dev/null || need+=(git)
	if [ ${#need[@]} -gt 0 ]; then
		echo "minimal: installing ${need[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" \
			>/dev/null ||
			{ apt-get update -q >/dev/null &&
				DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
					"${need[@]}" >/dev/null; }
	fi
	git -C "$TOP" rev-parse --verify -q HEAD >/dev/null ||
		{ RESULT="$TOP is not a git checkout with a commit"; exit 1; }
	HP_BEFORE=$(hp_free)
	echo "minimal: tree $(git -C "$TOP" log -1 --format='%h %s' HEAD | head -c 100)"
	if [ -n "$(git -C "$TOP" status --porcelain --untracked-files=no)" ]; then
		echo "minimal: note: uncommitted changes in $TOP are not part of this check"
	fi
	echo "minimal: hugepages free before: $HP_BEFORE"
	phase_end "prepare (host)" "$t"

	if [ -n "${MYRIAD_MINIMAL_DIR:-}" ]; then
		DIR=$(readlink -m "$MYRIAD_MINIMAL_DIR")
		[ ! -e "$DIR" ] || { RESULT="MYRIAD_MINIMAL_DIR=$DIR exists"; DIR=; exit 1; }
		mkdir -p "$DIR"
	else
		DIR=$(mktemp -d /var/tmp/myriad-minimal.XXXXXX)
	fi
	chmod 755 "$DIR"

	t=$(now)
	arch=$(dpkg --print-architecture)
	tarball=${CACHE:+$CACHE/$SUITE-minbase-$arch.tar}
	if [ -n "$tarball" ] && [ -f "$tarball" ] && [ "${MYRIAD_MINIMAL_REFRESH:-0}" != 1 ] &&
		[ -n "$(find "$tarball" -mtime -"$CACHE_DAYS")" ]; then
		say "minbase: pristine $SUITE minbase from $tarball ($(date -u -r "$tarball" +%F))"
		tar -C "$DIR" --numeric-owner --xattrs -xpf "$tarball"
	else
		say "minbase: debootstrap --variant=minbase $SUITE $DIR $MIRROR"
		log=$WORK/debootstrap.log
		# its own mount namespace too: the proc and sys it mounts go if it is killed
		if ! unshare --mount --propagation private -- \
			debootstrap --variant=minbase "$SUITE" "$DIR" "$MIRROR" >"$log" 2>&1; then
			tail -30 "$log"
			RESULT="debootstrap failed"
			exit 1
		fi
		echo "minimal: debootstrap: $(grep -c '^I: Retrieving' "$log") files retrieved," \
			"$(grep -c '^I: Unpacking' "$log") packages unpacked; $(tail -1 "$log")"
		if [ -n "$tarball" ]; then
			mkdir -p "$CACHE"
			tar -C "$DIR" --numeric-owner --xattrs -cpf "$tarball.tmp.$$" . &&
				mv "$tarball.tmp.$$" "$tarball" && echo "minimal: cached as $tarball"
		fi
	fi
	echo "minimal: $(chroot "$DIR" dpkg-query -W | wc -l) packages in the minbase system," \
		"$(du -sm "$DIR" | cut -f1) MB"
	phase_end "minbase (debootstrap or cache)" "$t"

	t=$(now)
	say "copy: git archive HEAD into $DIR/root/myriad; apt sources; resolv.conf"
	mkdir -p "$DIR/root/myriad"
	git -C "$TOP" archive HEAD | tar -x -C "$DIR/root/myriad"
	# what the installer writes for a bookworm system with a network mirror
	cat >"$DIR/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $SECURITY $SUITE-security main
deb $MIRROR $SUITE-updates main
EOF
	# the chroot shares the host's network
	cp -L /etc/resolv.conf "$DIR/etc/resolv.conf"
	# a chroot has no init: packages may not start services from it (dpdk's)
	printf '#!/bin/sh\nexit 101\n' >"$DIR/usr/sbin/policy-rc.d"
	chmod 755 "$DIR/usr/sbin/policy-rc.d"
	phase_end "copy (git archive, apt sources)" "$t"

	say "run: unshare --mount --propagation private; chroot $DIR"
	# in the background, so that a signal to this script stops it (see cleanup)
	set +e
	unshare --mount --propagation private -- bash "$SELF" --inner "$DIR" "$WORK" &
	INNER=$!
	wait "$INNER"
	rc=$?
	INNER=''
	set -e
	echo "minimal: the chroot run exited $rc"

	demo_last=$(tail -n 1 "$WORK/demo.out" 2>/dev/null || true)
	tests_last=$(tail -n 1 "$WORK/tests.out" 2>/dev/null || true)
	echo "minimal: demo's last line:  ${demo_last:-(none)}"
	echo "minimal: tests' last line:  ${tests_last:-(none)}"
	if [ "$demo_last" != "every packet accounted for." ]; then
		RESULT="the demo did not end with 'every packet accounted for.'"
		RESULT="$RESULT (exit $(cat "$WORK/demo.rc" 2>/dev/null || echo '?'))"
		exit 1
	fi
	if ! [[ $tests_last =~ ^[0-9]+\ passed,\ 0\ failed,\ [0-9]+\ skipped$ ]]; then
		RESULT="the tests did not end with 'N passed, 0 failed, N skipped'"
		RESULT="$RESULT (exit $(cat "$WORK/tests.rc" 2>/dev/null || echo '?'))"
		exit 1
	fi
	if [ "$rc" -ne 0 ]; then
		RESULT="the chroot run exited $rc"
		exit 1
	fi
	RESULT="demo: $demo_last tests: $tests_last"
	if [ -s "$WORK/leftovers" ]; then
		RESULT="$RESULT (left behind in the chroot: $(cat "$WORK/leftovers"))"
	fi
	STATUS=0
}

if [ "${1:-}" = --inner ]; then
	inner "$2" "$3"
else
	main "$@"
fi
