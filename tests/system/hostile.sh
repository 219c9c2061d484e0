#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A tenant's NF attacks the switch with what it returns on its ring (tests/nfs/hostile.c):
# a garbage pointer, an address inside the pool but not an mbuf's, its packet twice,
# another mbuf of the pool, its packet as an external buffer with a free callback of
# its choosing, forged header fields, ring indexes no ring can have, and STOP written
# into any other NF's channel it can find. For each: the switch keeps running, counts
# the violation (nf_bad_buffer, nf_bad_index) or neutralises it, stops an NF that keeps
# at it, takes back every buffer (the pool comes back full, every packet accounted
# for), and the other tenant loses nothing. An NF maps one channel, its own, and (by
# default) its tenant's packet bytes, nothing of the switch's hugepage memory.
. "$(dirname "$0")/lib.sh"
require_hugepages
start_switch --wire 2 --max-nfs 16 --ring-size 4096
HOSTILE=$B/tests/myriad-nf-hostile

nf_json() { jctl nf list | jq -c ".[] | select(.name == \"$1\")"; }
flow_rx() { echo "$1" | jq ".flows[] | select(.dst == \"$2\") | .rx"; }

ctl tenant add victim --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add v1 --tenant victim --exec "$NF_SIG" >/dev/null
ctl tenant add attacker --mac 02:00:00:00:00:02 --port 1 >/dev/null
V=02:00:00:00:00:01 A=02:00:00:00:00:02

# attack EXPECT: bad (violations, the NF stopped), fixed (neutralised: no violation,
# the packets go on), or length (dropped as nf_bad_length)
attack() {
	local how=$1 expect=$2 s0 s out bad0 h
	ctl nf add "a-$how" --tenant attacker --exec "$HOSTILE --attack $how" >/dev/null
	wait_nfs_up 2
	s0=$(jctl stats)
	bad0=$(echo "$s0" | jq '.violations.nf_bad_buffer + .violations.nf_bad_index')
	out=$(gen --tx-port 0 --rx-port 1 --dst-macs $V,$A --size 128 --rate 20000 --count 2000 \
		--drain 500)
	kill -0 "$SW_PID" 2>/dev/null || fail "$how: the switch died"
	[ "$(flow_rx "$out" $V)" = 1000 ] || fail "$how: the victim lost packets: $out"
	case $expect in
	bad)
		# stopped after its repeats (checked every 100 ms), then reclaimed
		for _ in $(seq 50); do
			nf_json "a-$how" | jq -e '.state == "down"' >/dev/null && break
			sleep 0.1
		done
		h=$(nf_json "a-$how")
		assert_jq '.state == "down"' "$h" "$how: the NF was stopped"
		s=$(wait_quiet)
		assert_jq ".violations.nf_bad_buffer + .violations.nf_bad_index >= $bad0 + 32" "$s" \
			"$how: violations counted"
		;;
	fixed)
		s=$(wait_quiet)
		assert_jq ".violations.nf_bad_buffer + .violations.nf_bad_index == $bad0" "$s" \
			"$how: no violation"
		[ "$(flow_rx "$out" $A)" -gt 0 ] || [ "$(echo "$out" | jq .rx_foreign)" -gt 0 ] ||
			fail "$how: the attacker's packets did not go on: $out"
		;;
	length)
		s=$(wait_quiet)
		assert_jq ".drops.nf_bad_length - $(echo "$s0" | jq .drops.nf_bad_length) == 1000" \
			"$s" "$how: every forged packet dropped as nf_bad_length"
		;;
	esac
	assert_accounted "$s"
	ctl nf del "a-$how" >/dev/null
	wait_nfs_up 1
}

attack bad-pointer bad
attack misaligned bad
attack double bad
attack foreign bad
attack external fixed
attack header length
attack ring-index bad
attack peek fixed

# every NF process maps one channel, its own: no other slot's is in its address space;
# and (--nf-memory isolated) its tenant's packet memory, none of the switch's hugepages
for pid in $(jctl nf list | jq '.[] | select(.pid > 0) | .pid'); do
	n=$(grep -c 'memfd:myriad-channel' "/proc/$pid/maps")
	[ "$n" = 1 ] || fail "NF pid $pid maps $n channel objects"
	[ "${MYRIAD_NF_MEMORY:-isolated}" = isolated ] || continue
	! grep -q '/dev/hugepages' "/proc/$pid/maps" || fail "NF pid $pid maps the switch's memory"
	n=$(grep -c 'memfd:myriad-tenant' "/proc/$pid/maps")
	[ "$n" = 1 ] || fail "NF pid $pid maps $n tenant memory objects"
done

# after all of it the victim still gets everything, and so would a new attacker NF
ctl nf add a-plain --tenant attacker --exec "$NF_SIG" >/dev/null
wait_nfs_up 2
out=$(gen --tx-port 0 --rx-port 1 --dst-macs $V,$A --size 128 --rate 20000 --count 2000)
assert_jq '.rx_packets == 2000 and .lost == 0' "$out" "both tenants delivered afterwards"
assert_accounted "$(wait_quiet)"
echo "hostile: ok"
