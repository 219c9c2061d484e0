#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# In-switch NFs (kind bpf) with the real switch, real NF processes and real packets:
# a chain of two programs delivers everything with exact accounting; programs and
# process NFs mix in one chain; the eBPF firewall and rewrite drop and rewrite what
# their process versions do on the same traffic; a hostile object is refused with its
# reason and changes nothing; a program replaced under traffic loses no packet.
. "$(dirname "$0")/lib.sh"
require_hugepages
[ -f "$B/nfs/signature.bpf.o" ] || { echo "SKIP: the eBPF examples are not built (clang)"; exit 77; }
start_switch --wire 2 --max-nfs 16 --ring-size 8192
SIG=$B/nfs/signature.bpf.o FW=$B/nfs/firewall.bpf.o RW=$B/nfs/rewrite.bpf.o
nf_json() { jctl nf list | jq -c ".[] | select(.name == \"$1\")"; }
# firewall.bpf.c's rules: drop frames longer than 600 B (bytes 32..35, little-endian)
FW_LEN600=$(printf '%064d%s' 0 58020000)

# 1. two programs: every packet through both, counted at each
ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add t1-sig --tenant t1 --bpf "$SIG" >/dev/null
ctl nf add t1-fw --tenant t1 --bpf "$FW" >/dev/null
wait_nfs_up 2
assert_jq '.transport == "bpf" and .state == "up" and .pid == 0 and .insns > 0 and .jit_bytes > 0' \
	"$(nf_json t1-sig)" "an in-switch NF, compiled"
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01 --size 128 --rate 20000 --count 20000)
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.rx_packets == 20000 and .reordered == 0' "$out" "every packet through two programs, in order"
assert_jq '[.nfs[] | select(.tenant == "t1") | .to_nf, .from_nf] == [20000, 20000, 20000, 20000]' "$s" \
	"each program ran on every packet"

# 2. program -> process (blocking) -> program, beside the same chain of processes
ctl tenant add t2 --mac 02:00:00:00:00:02 --port 1 >/dev/null
ctl nf add t2-fw --tenant t2 --bpf "$FW" --bpf-args "$FW_LEN600" >/dev/null
ctl nf add t2-sig --tenant t2 --transport block --exec "$NF_SIG" >/dev/null
ctl nf add t2-rw --tenant t2 --bpf "$RW" --bpf-args 010002000000aa02 >/dev/null
ctl tenant add t3 --mac 02:00:00:00:00:03 --port 1 >/dev/null
ctl nf add t3-fw --tenant t3 --exec "$NF_FW --drop-len-over 600" >/dev/null
ctl nf add t3-sig --tenant t3 --transport block --exec "$NF_SIG" >/dev/null
ctl nf add t3-rw --tenant t3 --exec "$NF_RW --src-mac 02:00:00:00:aa:03" >/dev/null
wait_nfs_up 8
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:02,02:00:00:00:00:03 \
	--sizes 64:1,700:1,128:1 --rate 20000 --count 12000)
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.drops.nf_verdict_drop == 4000' "$s" "a third of each tenant's frames dropped by its firewall"
assert_jq '.flows[0].rx == 4000 and .flows[1].rx == 4000' "$out" "the rest delivered, for both"
assert_jq '.src_macs["02:00:00:00:aa:02"] == 4000 and .src_macs["02:00:00:00:aa:03"] == 4000' \
	"$out" "rewritten by the program and by the process alike"
assert_jq '[.nfs[] | select(.name == "t2-fw" or .name == "t3-fw") | .verdict_drop] == [2000, 2000]' \
	"$s" "the eBPF firewall drops what the process firewall drops"
assert_jq '[.nfs[] | select(.tenant == "t2") | .to_nf] == [6000, 4000, 4000]' "$s" \
	"each hop of the mixed chain saw its packets"

# 3. hostile objects: refused, with the reason, and nothing changes
before=$(jctl nf list | jq length)
for bad in loop:"loops are not allowed" extern_call:"refers to helper" past_frame:"outside its"; do
	f=${bad%%:*} why=${bad#*:}
	if msg=$(ctl nf add bad --tenant t1 --bpf "$B/switch/$f.bpf.o" 2>&1); then
		fail "$f.bpf.o was loaded"
	fi
	case $msg in *"$why"*) ;; *) fail "$f.bpf.o refused with '$msg', not '$why'" ;; esac
done
msg=$(ctl nf add bad --tenant t1 --bpf /etc/hostname 2>&1) && fail "a text file was loaded"
case $msg in *"not an ELF object"*) ;; *) fail "a text file refused with '$msg'" ;; esac
assert_jq "length == $before" "$(jctl nf list)" "no NF added by a refused load"

# 4. replaced under traffic: every packet runs the old or the new program, none is lost
gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01 --size 64 --rate 20000 --duration 3 \
	>"$T/gen.json" &
gpid=$!
EXTRA_PIDS+=("$gpid")
sleep 0.3
n=0
while kill -0 "$gpid" 2>/dev/null && [ $n -lt 40 ]; do
	ctl nf set t1-sig --bpf "$([ $((n % 2)) = 0 ] && echo "$RW" || echo "$SIG")" >/dev/null
	n=$((n + 1))
done
wait "$gpid"
[ $n -ge 10 ] || fail "only $n replacements while traffic ran"
out=$(cat "$T/gen.json")
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.rx_packets == .tx_packets and .tx_packets > 20000' "$out" \
	"no packet lost across $n replacements"

# 5. removal: the slots come back
ctl tenant del t1 >/dev/null
ctl nf del t2-fw >/dev/null
ctl nf del t2-rw >/dev/null
wait_nfs_up 4
echo "bpf: ok"
