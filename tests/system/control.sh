#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The control plane against hostile clients and NFs (issue 11 of the tracker, each
# numbered as there): who may use the socket and as whom NFs run, a client that does
# not read, fds running out, children that do not register, NFs that do not leave or
# fork, a lifeline signal ignored, a reader of the switch's output that goes away.
. "$(dirname "$0")/lib.sh"
require_hugepages

raw() { python3 "$(dirname "$0")/rawclient.py" "$SOCK" "$@"; }
as_nobody() { setpriv --reuid nobody --regid nogroup --clear-groups "$@"; }
nf_json() { jctl nf list | jq -c ".[] | select(.name == \"$1\")"; }
wait_for() { # SECONDS COMMAND...: until COMMAND succeeds
	local t=$1
	shift
	for _ in $(seq $((t * 10))); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
pub=$(mktemp -d /tmp/myriad-pub.XXXXXX) # a folder the NFs' users may write
chmod 1777 "$pub"
trap 'cleanup; rm -rf "$pub"' EXIT

# 1. the socket is the switch user's and the admin group's only, whatever the umask
(umask 000 && start_switch --wire 2 --max-nfs 16 --nf-start-timeout 2000 \
	--nf-stop-timeout 500 --client-timeout 1000)
SW_PID=$(pgrep -f -- "--file-prefix $PREFIX " | head -1)
[ "$(stat -c %a "$SOCK")" = 660 ] || fail "socket mode $(stat -c %a "$SOCK"), not 660"
if as_nobody "$B/ctl/myriadctl" -s "$SOCK" nf add x --tenant t --exec "/bin/sh -c 'id>$pub/id'" \
	2>/dev/null; then
	fail "user nobody ran a command"
fi
[ ! -e "$pub/id" ] || fail "nobody's command ran: $(cat "$pub/id")"

# ... and spawned NFs run as their tenant's own user, not root
ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
out=$(ctl nf add who --tenant t1 --exec "/bin/sh -c 'id -u >$pub/uid; id -G >>$pub/uid'" 2>&1) &&
	fail "an NF that exited before registering was reported as added"
echo "$out" | grep -q "exited with status 0" || fail "no reason given: $out"
[ "$(head -1 "$pub/uid")" = 200001 ] || fail "NF ran as uid $(head -1 "$pub/uid")"
[ "$(tail -1 "$pub/uid")" = 200001 ] || fail "NF kept groups: $(tail -1 "$pub/uid")"
assert_jq '[.[] | select(.name == "who")] == []' "$(jctl nf list)" "the failed NF is not kept"

# a connection that registered an NF runs no command; a join refused leaves nothing
ctl nf add n1 --tenant t1 >/dev/null
raw hello-then-cmd n1 || fail "raw: hello then command"
assert_jq '.chain == ["n1"]' "$(jctl tenant list t1)" "chain unchanged"

# 13. what a spawned NF holds: its socket and its program, nothing of the switch's
ctl nf add sig --tenant t1 --transport block --exec "$NF_SIG" >/dev/null
pid=$(nf_json sig | jq .pid)
fds=$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')
[ "$fds" = "0 1 2 3 4 " ] || fail "spawned NF holds fds $fds: $(ls -l "/proc/$pid/fd")"

# 2. a registration and a command in one write, then gone before the answer
raw hello-cmd-close n9 t1 || fail "raw: hello, command, close"
ctl status >/dev/null || fail "switch stopped answering"

# 3. a client that pipelines and reads nothing stalls nobody, and is cut off
raw pipeline-noread 400 &
slow=$!
EXTRA_PIDS+=("$slow")
sleep 0.3
timeout 5 "$B/ctl/myriadctl" -s "$SOCK" status >/dev/null || fail "a reader-less client stalled status"
wait "$slow" || fail "the client that read nothing was not disconnected"
grep -q "its reply was not read" "$T/switch.log" || fail "no reason logged"

# 3. connections beyond the cap are refused, and the switch still serves
raw hold-conns 40 2 &
hold=$!
EXTRA_PIDS+=("$hold")
sleep 0.5
timeout 5 "$B/ctl/myriadctl" -s "$SOCK" status >/dev/null ||
	grep -q "connections already" "$T/switch.log" || fail "no room and no word of it"
wait "$hold" || true
ctl status >/dev/null || fail "switch stopped answering after the connection flood"
stop_switch

# 3. out of fds: the switch stops accepting for a moment instead of spinning
SW_WRAP=(prlimit --nofile=96:96)
start_switch --wire 2 --max-nfs 4 --max-conns 1000 --client-timeout 3000
SW_WRAP=()
SW_PID=$(pgrep -f -- "--file-prefix $PREFIX " | head -1)
ctl_tid=$(grep -l "myr-ctl" /proc/"$SW_PID"/task/*/comm | head -1 | xargs dirname)
cpu0=$(awk '{print $14 + $15}' "$ctl_tid/stat")
raw hold-conns 200 2 || true
cpu1=$(awk '{print $14 + $15}' "$ctl_tid/stat")
[ $((cpu1 - cpu0)) -lt 50 ] || fail "control thread spun: $((cpu1 - cpu0)) ticks in 2 s"
grep -q "not accepting" "$T/switch.log" || fail "fd exhaustion not seen"
wait_for 5 ctl status >/dev/null || fail "switch did not recover from fd exhaustion"
stop_switch

# 1. a join refused (no free slot) leaves nothing of the intruder in the chain
start_switch --wire 2 --max-nfs 1
ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add a --tenant t1 --exec "$NF_SIG" >/dev/null
raw join intruder t1 "slots are taken" || fail "raw: a join with no free slot"
assert_jq '.chain == ["a"]' "$(jctl tenant list t1)" "the intruder left nothing"
stop_switch

start_switch --wire 2 --max-nfs 16 --nf-start-timeout 2000 --nf-stop-timeout 500
ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl tenant add t2 --mac 02:00:00:00:00:02 --port 1 >/dev/null

# 4. a spawned program runs SCHED_OTHER, and is killed if it never registers
ctl nf add spin --tenant t1 --exec "/bin/sh -c 'while :; do :; done'" >"$T/spin.out" 2>&1 &
spin=$!
wait_for 3 sh -c "[ \"\$($B/ctl/myriadctl -s $SOCK --json nf list | jq '.[] | select(.name == \"spin\") | .pid')\" -gt 0 ]" ||
	fail "the spawned program is not listed"
pid=$(nf_json spin | jq .pid)
chrt -p "$pid" | grep -q "SCHED_OTHER" || fail "spawned program runs $(chrt -p "$pid")"
ctl status >/dev/null || fail "a busy child froze the control plane"
wait "$spin" && fail "nf add of a program that never registered succeeded"
grep -q "did not register within 2000 ms" "$T/spin.out" || fail "reason: $(cat "$T/spin.out")"
wait_for 3 sh -c "! kill -0 $pid 2>/dev/null" || fail "the program that never registered lives"
assert_jq '[.[] | select(.name == "spin")] == []' "$(jctl nf list)" "the failed NF is not kept"

# 5. nf del of an NF that does not leave (stopped, with packets queued): killed in time
ctl nf add stuck --tenant t2 --transport block --exec "$NF_SIG" >/dev/null
pid=$(nf_json stuck | jq .pid)
kill -STOP "$pid"
gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:02 --size 64 --count 100 --rate 10000 \
	--drain 200 >/dev/null
assert_jq "$HELD > 0" "$(jctl stats)" "the stopped NF holds packets"
ctl nf del stuck >/dev/null
wait_for 5 sh -c "! kill -0 $pid 2>/dev/null" || fail "the deleted NF still runs"
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.slots_used == 0' "$s" "its slot is free"

# 6. an NF that forks and exits: the child cannot return what the parent held
dead0=$(jctl stats | jq .drops.nf_dead)
ctl nf add fork --tenant t1 --exec "$B/tests/myriad-nf-forker" >/dev/null
gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01 --size 64 --count 1 --drain 200 \
	>/dev/null
wait_for 5 sh -c "[ \"\$($B/ctl/myriadctl -s $SOCK --json nf list | jq -r '.[] | select(.name == \"fork\") | .state')\" = down ]" ||
	fail "the forker's exit was not seen"
sleep 3 # the child has tried by now
s=$(wait_quiet)
assert_accounted "$s"
assert_jq "$HELD == 0 and .drops.nf_dead == $dead0 + 1" "$s" \
	"the held packet came back once, as nf_dead"
ctl nf del fork >/dev/null

# 12. the NFs the switch started are killed by pidfd, never by a pid: see proc.c
# 7. an NF with SIGIO ignored by its parent still notices the switch's death
python3 -c 'import os, signal, sys
signal.signal(signal.SIGIO, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$NF_SIG" --switch "$SOCK" --name deaf --tenant t2 \
	--transport block &
deaf=$!
EXTRA_PIDS+=("$deaf")
wait_for 10 sh -c "[ \"\$($B/ctl/myriadctl -s $SOCK --json nf list | jq -r '.[] | select(.name == \"deaf\") | .state')\" = up ]" ||
	fail "deaf did not attach"
sleep 0.5 # asleep
kill -KILL "$SW_PID"
wait "$SW_PID" 2>/dev/null || true
SW_PID=
wait_for 10 sh -c "! kill -0 $deaf 2>/dev/null" || fail "an NF with SIGIO ignored outlived the switch"

# 8. the reader of the switch's output goes away: the switch stays
mkfifo "$T/out"
head -c 1 <"$T/out" >/dev/null &
"$B/switch/myriad-switch" --no-pci --file-prefix "$PREFIX" -l 0 --log-level='myriad.*:info' \
	-- --socket "$SOCK" --wire 2 >"$T/out" 2>&1 &
SW_PID=$!
wait_for 10 ctl status >/dev/null 2>&1 || fail "switch did not start"
sleep 0.2
for i in 1 2 3; do ctl tenant add "p$i" --mac "02:00:00:00:01:0$i" >/dev/null; done
kill -0 "$SW_PID" || fail "SIGPIPE killed the switch"
ctl status >/dev/null || fail "switch stopped answering"
stop_switch
echo "control: ok"
