#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Soak: tenants and NFs of every kind come and go (spawned or started by hand, in the
# switch, deleted, killed, replaced) while traffic flows and hostile clients connect;
# afterwards the switch holds exactly what it held before: fds, memzones, eBPF programs,
# hugepage files, child processes, every packet buffer, and every packet is accounted
# for. MYRIAD_SOAK_SECONDS (default 120) sets the length; bench/soak runs it for an hour.
. "$(dirname "$0")/lib.sh"
require_hugepages
SECS=${MYRIAD_SOAK_SECONDS:-120}
raw() { python3 "$(dirname "$0")/rawclient.py" "$SOCK" "$@"; }

start_switch --wire 2 --max-nfs 64 --ring-size 4096 --client-timeout 500 \
	--nf-start-timeout 3000 --nf-stop-timeout 300
SW_PID=$(pgrep -f -- "--file-prefix $PREFIX " | head -1)
snapshot() {
	local st
	st=$(jctl status)
	echo "fds=$(ls "/proc/$SW_PID/fd" | wc -l)" \
		"memzones=$(echo "$st" | jq .memzones)" \
		"programs=$(echo "$st" | jq .bpf_programs)" \
		"hugefiles=$(ls /dev/hugepages | grep -c "^$PREFIX" || true)" \
		"children=$(pgrep -P "$SW_PID" | wc -l)" \
		"pool=$(echo "$st" | jq .pool_avail)/$(echo "$st" | jq .pool_size)"
}
before=$(snapshot)
echo "soak: before: $before"

# traffic to the MACs the tenants will have (and to some no tenant has), all along
macs=$(for i in $(seq 0 15); do printf '02:00:00:00:03:%02x,' "$i"; done)
"$B/gen/myriad-gen" --file-prefix "$PREFIX" --proc-type=secondary --no-pci -l 1 \
	--log-level=error -- --quiet --json --tx-port 0 --rx-port 1 --dst-macs "${macs%,}" \
	--size 64 --rate 20000 --duration "$SECS" >"$T/gen.json" &
gen_pid=$!
EXTRA_PIDS+=("$gen_pid")

# a hostile client's status, checked as soon as it is done: bash forgets the status of
# old children (an hour makes thousands), and then cannot wait for them at the end
reap() {
	local keep=() p
	for p in "${hostile[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			keep+=("$p")
		else
			wait "$p" || fail "a client that read nothing was not cut off ($(cat "$T"/noread.* 2>/dev/null))"
		fi
	done
	hostile=("${keep[@]}")
}

end=$((SECONDS + SECS))
n=0 kills=0 dels=0
hand=() hostile=()
while [ $SECONDS -lt $end ]; do
	i=$((n % 16))
	t=s$n
	mac=$(printf '02:00:00:00:03:%02x' "$i")
	# the tenant that had this MAC goes first (with its NFs)
	old=$(jctl tenant list | jq -r ".[] | select(.macs[0] == \"$mac\") | .name")
	[ -n "$old" ] && { ctl tenant del "$old" >/dev/null; dels=$((dels + 1)); }
	ctl tenant add "$t" --mac "$mac" --port 1 >/dev/null
	kind=poll
	[ $((n % 2)) -eq 0 ] && kind=block
	ctl nf add "$t-a" --tenant "$t" --transport "$kind" --exec "$NF_SIG" >/dev/null ||
		fail "nf add $t-a"
	if [ $((n % 3)) -eq 0 ]; then
		"$NF_RW" --switch "$SOCK" --name "$t-b" --tenant "$t" --transport "$kind" \
			--src-mac 02:00:00:00:aa:01 2>/dev/null &
		hand+=($!)
		EXTRA_PIDS+=($!)
		disown $!
	elif [ $((n % 3)) -eq 1 ] && [ -f "$B/nfs/firewall.bpf.o" ]; then
		# an in-switch NF, its program replaced under traffic now and then
		ctl nf add "$t-b" --tenant "$t" --bpf "$B/nfs/firewall.bpf.o" >/dev/null ||
			fail "nf add $t-b (bpf)"
		[ $((n % 4)) -eq 0 ] && { ctl nf set "$t-b" --bpf "$B/nfs/signature.bpf.o" \
			>/dev/null || fail "nf set $t-b --bpf"; }
	else
		ctl nf add "$t-b" --tenant "$t" --exec "$NF_FW --drop-len-over 1000" >/dev/null ||
			fail "nf add $t-b"
	fi
	# every few rounds: an NF killed, an NF deleted, hostile clients
	if [ $((n % 4)) -eq 1 ]; then
		pid=$(jctl nf list | jq -r '[.[] | select(.state == "up" and .pid > 0)] | .[0].pid // empty')
		[ -n "$pid" ] && { kill -KILL "$pid" 2>/dev/null || true; kills=$((kills + 1)); }
	fi
	if [ $((n % 5)) -eq 2 ]; then
		victim=$(jctl nf list | jq -r '.[-1].name // empty')
		[ -n "$victim" ] && ctl nf del "$victim" >/dev/null 2>&1 || true
	fi
	case $((n % 6)) in
	0)
		raw pipeline-noread 50 >"$T/noread.$n" 2>&1 &
		hostile+=($!)
		;;
	1) raw hello-cmd-close "x$n" "$t" >/dev/null 2>&1 || true ;;
	2) raw join "$t-a" "$t" "already attached" >/dev/null 2>&1 || true ;;
	3)
		raw hold-conns 20 0.3 >/dev/null 2>&1 &
		hostile+=($!)
		;;
	4) head -c 300 /dev/urandom | timeout 2 python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read())' \
		"$SOCK" 2>/dev/null || true ;;
	esac
	ctl status >/dev/null || fail "switch stopped answering"
	reap
	n=$((n + 1))
done
wait "$gen_pid" || fail "generator failed"
for p in "${hostile[@]}"; do
	wait "$p" || fail "a client that read nothing was not cut off ($(cat "$T"/noread.* 2>/dev/null))"
done
echo "soak: $n rounds, $kills NFs killed, $dels tenants deleted"

# everything goes; then the switch holds what it held before
for t in $(jctl tenant list | jq -r '.[].name'); do ctl tenant del "$t" >/dev/null; done
for _ in $(seq 100); do
	jctl status | jq -e '.nfs == 0 and .nfs_up == 0' >/dev/null && break
	sleep 0.1
done
for p in "${hand[@]}"; do
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$p" 2>/dev/null && fail "NF pid $p outlived its tenant"
done
s=$(wait_quiet)
assert_accounted "$s"
for _ in $(seq 50); do [ "$(snapshot)" = "$before" ] && break; sleep 0.1; done
after=$(snapshot)
echo "soak: after:  $after"
[ "$after" = "$before" ] || fail "the switch holds more than before: $before -> $after"
echo "soak: ok"
