#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A hostile client of the control socket, for tests/system/control.sh.

usage: rawclient.py SOCKET MODE [ARGS...]
  hello-then-cmd NAME      register as declared NF NAME, then send a command on that
                           connection: exit 0 if the command is refused
  join NAME TENANT WHY     register as a new NF of TENANT: exit 0 if refused with WHY
  hello-cmd-close NAME T   a registration and a command in one write, then close at once
  pipeline-noread N        send N `--json stats --nfs` and read nothing: exit 0 once the
                           switch has cut the connection (within 10 s)
  hold-conns N SECS        open up to N connections and hold them SECS seconds
"""
import json
import os
import select
import socket
import struct
import sys
import time

MAGIC, VER = 0x4C43594D, 1
CMD, REPLY, HELLO, WELCOME = 1, 2, 3, 4


def hdr(t, n, seq=1):
    return struct.pack("<IHHII", MAGIC, VER, t, n, seq)


def cmd_msg(*argv, seq=1):
    body = struct.pack("<I", len(argv)) + b"".join(a.encode() + b"\0" for a in argv)
    return hdr(CMD, len(body), seq) + body


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s


def recv_msg(s):
    h = b""
    while len(h) < 16:
        chunk = s.recv(16 - len(h))
        if not chunk:
            raise EOFError
        h += chunk
    _, _, t, n, _ = struct.unpack("<IHHII", h)
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        if not chunk:
            raise EOFError
        body += chunk
    return t, body


def abi(path):
    s = connect(path)
    s.sendall(cmd_msg("--json", "status"))
    _, body = recv_msg(s)
    s.close()
    return json.loads(body[4:].decode())["abi"]


def hello(path, name, tenant=""):
    a = abi(path)
    body = struct.pack("<IIIIIHH32s32s", a["shm_version"], 0, os.getpid(), 0,
                       a["dpdk_version"], a["mbuf_size"], 0,
                       name.encode(), tenant.encode())
    return hdr(HELLO, len(body)) + body


def welcome_status(body):
    status = struct.unpack("<i", body[:4])[0]
    return status, body[-128:].split(b"\0")[0].decode()


def main():
    path, mode, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == "hello-then-cmd":
        s = connect(path)
        s.sendall(hello(path, args[0]))
        t, body = recv_msg(s)
        st, msg = welcome_status(body)
        if t != WELCOME or st != 0:
            print("registration refused: %d %s" % (st, msg), file=sys.stderr)
            return 1
        s.sendall(cmd_msg("tenant", "del", "t1", seq=2))
        t, body = recv_msg(s)
        st = struct.unpack("<i", body[:4])[0]
        if t != REPLY or st >= 0 or b"registered an NF" not in body:
            print("command on an NF's connection: %d %r" % (st, body[4:80]), file=sys.stderr)
            return 1
        return 0
    if mode == "join":
        s = connect(path)
        s.sendall(hello(path, args[0], args[1]))
        t, body = recv_msg(s)
        st, msg = welcome_status(body)
        if t != WELCOME or st >= 0 or args[2] not in msg:
            print("join: %d %s" % (st, msg), file=sys.stderr)
            return 1
        return 0
    if mode == "hello-cmd-close":
        s = connect(path)
        s.sendall(hello(path, args[0], args[1]) + cmd_msg("status", seq=2))
        s.close()
        return 0
    if mode == "pipeline-noread":
        s = connect(path)
        s.setblocking(False)
        msg = cmd_msg("--json", "stats", "--nfs")
        for _ in range(int(args[0])):
            try:
                s.send(msg)
            except BlockingIOError:
                break  # the switch reads no more from us: it is our turn to read
        p = select.poll()
        p.register(s, select.POLLRDHUP | select.POLLHUP)
        end = time.time() + 10
        while time.time() < end:
            for _, ev in p.poll(200):
                if ev & (select.POLLRDHUP | select.POLLHUP):
                    return 0
        return 1
    if mode == "hold-conns":
        conns = []
        for _ in range(int(args[0])):
            try:
                conns.append(connect(path))
            except OSError:
                break
        time.sleep(float(args[1]))
        for c in conns:
            c.close()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
