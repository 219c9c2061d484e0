# SPDX-License-Identifier: BSD-3-Clause
# Shared fixture of the multi-process tests: a real switch with its own file prefix,
# socket and temp dir, real NF processes, real packets; everything started is
# stopped by PID and its DPDK files removed, whatever the outcome.
set -euo pipefail

B=${MYRIAD_BUILD:?MYRIAD_BUILD must name the build directory}
T=$(mktemp -d /tmp/myriad-test.XXXXXX)
PREFIX=myrtest$$
SOCK=$T/ctl.sock
SW_PID=
EXTRA_PIDS=()
NF_SIG=$B/nfs/myriad-nf-signature
NF_RW=$B/nfs/myriad-nf-rewrite
NF_FW=$B/nfs/myriad-nf-firewall

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T/switch.log" ]; then
		echo "--- switch log (last 30 lines)" >&2
		tail -30 "$T/switch.log" >&2
	fi
	exit 1
}

ctl() { "$B/ctl/myriadctl" -s "$SOCK" "$@"; }
jctl() { "$B/ctl/myriadctl" -s "$SOCK" --json "$@"; }

# assert JQ_EXPR JSON [message]: the expression must be true of the JSON
assert_jq() {
	echo "$2" | jq -e "$1" >/dev/null || fail "${3:-$1} (got: $(echo "$2" | head -c 600))"
}

# SW_WRAP: a command to run the switch under (e.g. ip netns exec NS); SW_EAL: more
# EAL options (e.g. --vdev). ARGS are the switch's own options.
# Timing never decides a test: every ring a test's frames cross is sized to hold all
# of them, so that a process that gets the CPU late delays frames but never loses
# one. The virtual wire's rings hold 32768 frames (more than any test sends); each
# test sizes its NF rings (--ring-size, with a small --max-nfs to keep the channel
# area small) for what one NF receives.
SW_WRAP=()
SW_EAL=()
start_switch() {
	"${SW_WRAP[@]}" "$B/switch/myriad-switch" --no-pci --file-prefix "$PREFIX" -l 0 \
		--log-level='myriad.*:info' "${SW_EAL[@]}" -- --socket "$SOCK" --wire-size 32768 \
		${MYRIAD_NF_MEMORY:+--nf-memory "$MYRIAD_NF_MEMORY"} "$@" \
		>"$T/switch.log" 2>&1 &
	SW_PID=$!
	for _ in $(seq 100); do
		ctl status >/dev/null 2>&1 && return 0
		kill -0 "$SW_PID" 2>/dev/null || fail "switch exited at start"
		sleep 0.1
	done
	fail "switch did not answer within 10 s"
}

# switch_refuses REGEX OPTIONS...: given these options, the switch exits at start,
# before it serves anything, with a message matching REGEX (grep -E -i)
switch_refuses() {
	local re=$1
	shift
	if "$B/switch/myriad-switch" --no-pci --file-prefix "${PREFIX}x" -l 0 --log-level=error \
		-- --socket "$T/x.sock" "$@" >"$T/x.log" 2>&1; then
		fail "switch accepted $*"
	fi
	rm -rf "/var/run/dpdk/${PREFIX}x"
	grep -q -i -E -- "$re" "$T/x.log" || fail "no message /$re/ for $*: $(tail -2 "$T/x.log")"
}

stop_switch() {
	[ -n "$SW_PID" ] || return 0
	kill -TERM "$SW_PID" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$SW_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SW_PID" 2>/dev/null || true
	wait "$SW_PID" 2>/dev/null || true
	SW_PID=
}

# gen ARGS...: the traffic source/sink, a DPDK secondary of the switch on core 1.
# --lossless: on a loaded machine the generator waits for room in the wire ring
# rather than dropping frames itself, so that what the tests count is the switch's.
# --drain 3000: the sink stops as soon as every frame it sent is back; only when some
# are dropped on purpose does it wait for 3 s of silence, long enough for NFs that
# got the CPU late to return what they still hold.
gen() {
	"$B/gen/myriad-gen" --file-prefix "$PREFIX" --proc-type=secondary --no-pci -l 1 \
		--log-level=error -- --quiet --json --lossless --drain 3000 "$@"
}

stats() { jctl stats --nfs; }

# Wait until no packet is inside the switch or an NF, then print the stats.
wait_quiet() {
	local s
	for _ in $(seq 100); do
		s=$(jctl stats --nfs)
		if echo "$s" | jq -e '.in_flight == 0' >/dev/null; then
			echo "$s"
			return 0
		fi
		sleep 0.1
	done
	fail "packets still in flight after 10 s: $(echo "$s" | jq -c '{rx,tx,dropped}')"
}

# Every packet that entered left or was dropped under a reason, and every buffer
# is back in the pool.
assert_accounted() {
	local s=$1
	assert_jq '.rx == .tx + .dropped' "$s" "in == out + drops"
	assert_jq '.dropped == ([.drops[]] | add)' "$s" "drops == sum of reasons"
	assert_jq '.pool.avail == .pool.size' "$s" "pool back to full"
	assert_jq '.tenant_pools.avail == .tenant_pools.size' "$s" "tenant pools back to full"
}

# jq: buffers NFs hold, in the switch's pool (--nf-memory shared) or their tenants'
HELD='((.pool.size - .pool.avail) + (.tenant_pools.size - .tenant_pools.avail))' 

wait_nfs_up() { # N [timeout_s]
	# a deadline in seconds, not a count of looks: with 2000 NFs starting, each look
	# (a client, jq) can take most of a second, and 3000 of them took 20 minutes
	local n=$1 end=$((SECONDS + ${2:-30})) s
	while :; do
		s=$(jctl status)
		echo "$s" | jq -e ".nfs_up == $n" >/dev/null && return 0
		[ "$SECONDS" -lt "$end" ] || break
		sleep 0.1
	done
	fail "expected $n NFs up, status: $s"
}

cleanup() {
	local p
	for p in "${EXTRA_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	stop_switch
	for p in "${EXTRA_PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	# MYRIAD_KEEP_LOGS=DIR keeps the test's switch log and outputs, for debugging
	if [ -n "${MYRIAD_KEEP_LOGS:-}" ]; then
		mkdir -p "$MYRIAD_KEEP_LOGS" && cp -r "$T" "$MYRIAD_KEEP_LOGS/" || true
	fi
	rm -rf "/var/run/dpdk/$PREFIX" /dev/hugepages/"$PREFIX"map_* "$T"
}
trap cleanup EXIT

# Exit code 77 = skipped (meson), only when a requirement is truly absent.
require_hugepages() {
	local free
	free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
	[ "${free:-0}" -ge 200 ] || { echo "SKIP: needs 200 free hugepages (have ${free:-0}): run scripts/setup.sh"; exit 77; }
}
