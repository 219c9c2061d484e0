#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad input gets a clear error or a named counter and changes nothing else:
# malformed commands, hostile control-socket bytes, runt and oversize frames,
# bad switch options.
. "$(dirname "$0")/lib.sh"
require_hugepages

# bad switch options: refused before anything is created
for opt in "--ring-size 100" "--max-nfs 0" "--wire 99" "--bogus 1" "--default-port 40" \
	"--wake-batch 65536" "--pool-size 4294967297" "--max-nfs 70000" "--wake-batch 512" \
	"--ring-size 0x100" "--wire -1"; do
	# shellcheck disable=SC2086
	switch_refuses "invalid|range|unrecognized|usage" $opt
done

start_switch --wire 2 --max-frame 200
ctl tenant add t1 --mac 02:00:00:00:00:01 --port 1 >/dev/null
ctl nf add t1-sig --tenant t1 --exec "$NF_SIG" >/dev/null
wait_nfs_up 1
before=$(jctl tenant list)$(jctl nf list | jq -c '[.[] | {name, state, slot}]')

expect_error() { # MESSAGE-REGEX CMD...
	local re=$1 err
	shift
	if ctl "$@" >"$T/out" 2>"$T/err"; then
		fail "accepted: $*"
	fi
	err=$(cat "$T/err")
	echo "$err" | grep -q -E "$re" || fail "'$*' said '$err', expected /$re/"
}
expect_error "unknown command" frobnicate
expect_error "unknown command" tenant
expect_error "exists" tenant add t1 --mac 02:00:00:00:00:09
expect_error "belongs to tenant t1" tenant add t2 --mac 02:00:00:00:00:01
expect_error "invalid MAC" tenant add t2 --mac 02:00:00:00:00
expect_error "invalid MAC" tenant add t2 --mac zz:00:00:00:00:01
expect_error "multicast" tenant add t2 --mac 01:00:5e:00:00:01
expect_error "no port" tenant add t2 --mac 02:00:00:00:00:02 --port 7
expect_error "needs a value" tenant add t2 --mac
expect_error "invalid tenant name" tenant add "bad name" --mac 02:00:00:00:00:02
expect_error "invalid tenant name" tenant add "$(printf 'x%.0s' $(seq 40))" --mac 02:00:00:00:00:02
expect_error "no tenant" tenant del nosuch
expect_error "no tenant" nf add n1 --tenant nosuch
expect_error "exists" nf add t1-sig --tenant t1
expect_error "unknown transport" nf add n1 --tenant t1 --transport teleport
expect_error "cannot start" nf add n1 --tenant t1 --exec /nonexistent/program
expect_error "no NF" nf del nosuch
expect_error "is up" nf start t1-sig
expect_error "unknown level" log level loud
expect_error "unknown option" stats --bogus
# junk MACs, names that look like options, arguments nobody asked for (issue 11: 14, 15)
expect_error "invalid MAC" tenant add t2 --mac 02:00:00:00:00:-1
expect_error "invalid MAC" tenant add t2 --mac 02:00:00:00:00:0x
expect_error "not a host" tenant add t2 --mac 00:00:00:00:00:00
expect_error "invalid tenant name" tenant add --mac 02:00:00:00:00:02
expect_error "past the end" nf add n1 --tenant t1 --pos 9
expect_error "invalid position" nf add n1 --tenant t1 --pos 010x
expect_error "usage" tenant list t1 extra
expect_error "usage" nf set t1-sig
expect_error "has no setting" nf set t1-sig --wake-batch 3
expect_error "exited with status 1" nf add n1 --tenant t1 --exec /bin/false
after=$(jctl tenant list)$(jctl nf list | jq -c '[.[] | {name, state, slot}]')
[ "$before" = "$after" ] || fail "state changed by refused commands: $before -> $after"

# hostile bytes on the control socket: each connection is refused or closed, the
# switch keeps serving, nothing changes
python3 - "$SOCK" "$(jctl status)" <<'PY' || fail "raw protocol checks"
import json, socket, struct, sys
path = sys.argv[1]
MAGIC, VER = 0x4c43594d, 1
# the layout and DPDK the switch speaks, as it says
ABI = json.loads(sys.argv[2])['abi']
SHM_VERSION = ABI['shm_version']
def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s
def hdr(t, n, magic=MAGIC, ver=VER, seq=1):
    return struct.pack('<IHHII', magic, ver, t, n, seq)
def closed(payload):
    s = conn(); s.sendall(payload)
    try:
        data = s.recv(65536)
    except ConnectionResetError:
        data = b''
    assert data == b'', 'switch answered garbage: %r' % data[:40]
def reply(payload):
    s = conn(); s.sendall(payload)
    h = s.recv(16)
    m, v, t, n, seq = struct.unpack('<IHHII', h)
    body = b''
    while len(body) < n:
        body += s.recv(n - len(body))
    return t, body
closed(b'\x00' * 64)                              # not our protocol
closed(hdr(1, 8, magic=0xdeadbeef) + b'\0' * 8)   # bad magic
closed(hdr(1, 8, ver=9) + b'\0' * 8)              # other version
closed(hdr(77, 0))                                # unknown type
closed(hdr(1, 1 << 30))                           # absurd length
closed(hdr(2, 4) + b'\0' * 4)                     # a REPLY sent to the switch
# malformed command payloads: an error reply, not a crash
for body in [struct.pack('<I', 0), struct.pack('<I', 3) + b'a\0', struct.pack('<I', 1) + b'status',
             struct.pack('<I', 1) + b'status\0junk', struct.pack('<I', 1000) + b'x\0']:
    t, b = reply(hdr(1, len(body)) + body)
    st = struct.unpack('<i', b[:4])[0]
    assert t == 2 and st < 0, (body, t, st)
# registrations with bad names, versions and flags are refused with a reason
def hello(name, tenant=b'', ver=SHM_VERSION, transport=0, flags=0, dpdk=None, mbuf=None):
    body = struct.pack('<IIIIIHH32s32s', ver, transport, 0, flags,
                       ABI['dpdk_version'] if dpdk is None else dpdk,
                       ABI['mbuf_size'] if mbuf is None else mbuf, 0,
                       name, tenant)
    t, b = reply(hdr(3, len(body)) + body)
    st = struct.unpack('<i', b[:4])[0]
    return t, st, b[-128:].split(b'\0')[0].decode()
for args, why in [((b'bad name',), 'malformed'), ((b'x' * 32,), 'malformed'),
                  ((b'n1', b't1', SHM_VERSION + 1), 'layout'), ((b'n1', b't1', SHM_VERSION, 9), 'malformed'),
                  ((b'n1', b't1', SHM_VERSION, 0, 1), 'malformed'), ((b'nosuch',), 'unknown NF'),
                  ((b'n1', b'nosuch'), 'no tenant'), ((b't1-sig',), 'already attached'),
                  # built against another DPDK: its rings and mbufs are not ours
                  ((b'n1', b't1', SHM_VERSION, 0, 0, 0x150b0000), 'built against DPDK 21.11'),
                  ((b'n1', b't1', SHM_VERSION, 0, 0, None, 256), 'rte_mbuf 256 B')]:
    t, st, msg = hello(*args)
    assert t == 4 and st < 0 and why in msg, (args, st, msg)
# a connection that sends half a message and goes away
s = conn(); s.sendall(hdr(1, 100)[:10]); s.close()
PY
ctl status >/dev/null || fail "switch stopped answering"
after=$(jctl tenant list)$(jctl nf list | jq -c '[.[] | {name, state, slot}]')
[ "$before" = "$after" ] || fail "state changed by hostile messages: $before -> $after"

# bad frames: runts and oversize frames are dropped under their own names
gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01 --truncate 10 --count 100 \
	--rate 10000 >/dev/null
gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01 --size 300 --count 100 \
	--rate 10000 >/dev/null
out=$(gen --tx-port 0 --rx-port 1 --dst-macs 02:00:00:00:00:01 --size 200 --count 100 \
	--rate 10000)
s=$(wait_quiet)
assert_accounted "$s"
assert_jq '.drops.runt == 100 and .drops.oversize == 100 and .tx == 100' "$s" \
	"100 runts, 100 oversize dropped; 100 good frames (at the limit) delivered"
assert_jq '.rx_packets == 100' "$out" "frames at --max-frame pass"
echo "bad_input: ok"
