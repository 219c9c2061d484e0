#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Writes the seed corpus of tests/fuzz/fuzz_proto.c: control-protocol byte streams.
"""Usage: mkcorpus.py [OUTDIR]  (default: corpus/proto next to this script)

Layouts follow include/myriad/proto.h, in host byte order (little-endian here).
The found_* files next to the seeds are inputs libFuzzer found; this script keeps them.
"""
import os
import re
import struct
import sys

MAGIC = 0x4C43594D
VERSION = 1
CMD, REPLY, HELLO, WELCOME = 1, 2, 3, 4
# the layout version of include/myriad/shm.h, so that valid HELLOs stay valid
SHM_VERSION = int(re.search(r"#define MYR_SHM_VERSION\s+(\d+)", open(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "include", "myriad",
    "shm.h")).read()).group(1))
NAME_MAX = 32
T_POLL, T_BLOCK = 0, 1


def hdr(mtype, length, seq=1, magic=MAGIC, version=VERSION):
    return struct.pack("<IHHII", magic, version, mtype, length, seq)


def msg(mtype, payload, seq=1):
    return hdr(mtype, len(payload), seq) + payload


def cmd_payload(*argv):
    return struct.pack("<I", len(argv)) + b"".join(a.encode() + b"\0" for a in argv)


def hello_payload(name, tenant=b"", transport=T_POLL, shm_version=SHM_VERSION, flags=0,
                  pid=4242):
    # DPDK 22.11.0, 128-byte rte_mbuf, 384-byte rte_ring: the codec does not look
    p = struct.pack("<IIIIIHH32s32s", shm_version, transport, pid, flags, 0x160b0000, 128,
                    384, name, tenant)
    assert len(p) == 88  # sizeof(struct myr_hello)
    return p


SEEDS = {
    "cmd_stats": msg(CMD, cmd_payload("stats")),
    "cmd_json_stats": msg(CMD, cmd_payload("--json", "stats")),
    "cmd_tenant_add": msg(CMD, cmd_payload("tenant", "add", "t1", "--mac",
                                           "02:00:00:00:00:01", "--port", "1")),
    "cmd_two": msg(CMD, cmd_payload("help"), 1) + msg(CMD, cmd_payload("nf", "list"), 2),
    "cmd_argc0": msg(CMD, struct.pack("<I", 0)),
    "cmd_argc_big": msg(CMD, struct.pack("<I", 65) + b"a\0" * 65),
    "cmd_no_nul": msg(CMD, struct.pack("<I", 1) + b"stats"),
    "cmd_trailing": msg(CMD, cmd_payload("stats") + b"xx"),
    "cmd_truncated": msg(CMD, cmd_payload("tenant", "del", "t1"))[:20],
    "cmd_oversized": hdr(CMD, 8193) + b"\1\0\0\0",
    "hello_poll": msg(HELLO, hello_payload(b"fw1", b"t1")),
    "hello_then_cmd": msg(HELLO, hello_payload(b"nat-0", b"", T_BLOCK)) +
    msg(CMD, cmd_payload("stats"), 2),
    "hello_shm_other": msg(HELLO, hello_payload(b"fw1", shm_version=SHM_VERSION + 1)),
    "hello_unterminated": msg(HELLO, hello_payload(b"n" * NAME_MAX, b"t1")),
    "hello_short": hdr(HELLO, 87) + hello_payload(b"fw1")[:87],
    "hello_v2": msg(HELLO, struct.pack("<IIII32s32s", SHM_VERSION - 1, T_POLL, 1, 0, b"old",
                                       b"t1")),
    "reply": msg(REPLY, struct.pack("<i", -2) + b"no such tenant"),
    "bad_magic": hdr(CMD, 10, magic=0x4D59434C) + cmd_payload("stats"),
    "bad_version": hdr(CMD, 10, version=2) + cmd_payload("stats"),
    "bad_type": msg(9, b"\0" * 8),
    "name_ok": b"tenant_1.fw:0-A",
}


# tests/fuzz/fuzz_cmd.c: one command's payload, run on a registry holding tenant t1
# (two MACs) with NFs n1 (poll) and n2 (block)
CMD_SEEDS = {
    "help": cmd_payload("help"),
    "status": cmd_payload("--json", "status"),
    "stats": cmd_payload("stats", "--nfs"),
    "stats_json": cmd_payload("--json", "stats", "--nfs"),
    "tenant_add": cmd_payload("tenant", "add", "t2", "--mac",
                              "02:00:00:00:00:03,02:00:00:00:00:04", "--port", "port0"),
    "tenant_add_taken": cmd_payload("tenant", "add", "t2", "--mac", "02:00:00:00:00:01"),
    "tenant_add_badmac": cmd_payload("tenant", "add", "t2", "--mac", "02:00:00:00:00:-1"),
    "tenant_del": cmd_payload("tenant", "del", "t1"),
    "tenant_list": cmd_payload("--json", "tenant", "list", "t1"),
    "nf_add": cmd_payload("nf", "add", "n3", "--tenant", "t1", "--pos", "1", "--transport",
                          "block"),
    "nf_add_exec": cmd_payload("nf", "add", "n3", "--tenant", "t1", "--exec", "/bin/true -x"),
    "nf_add_full": cmd_payload("nf", "add", "n3", "--tenant", "t1", "--pos", "16"),
    "nf_del": cmd_payload("nf", "del", "n1"),
    "nf_set": cmd_payload("nf", "set", "n2", "--wake-batch", "8", "--wake-timeout", "50"),
    "nf_set_poll": cmd_payload("nf", "set", "n1", "--wake-batch", "8"),
    "nf_set_half": cmd_payload("nf", "set", "n2", "--wake-batch"),
    "nf_start": cmd_payload("nf", "start", "n1"),
    "nf_list": cmd_payload("nf", "list", "--tenant", "t1"),
    "port_list": cmd_payload("--json", "port", "list"),
    "log": cmd_payload("log", "level", "debug", "myriad.*"),
    "unknown": cmd_payload("frobnicate", "--json"),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "proto")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    out = os.path.join(here, "corpus", "cmd")
    os.makedirs(out, exist_ok=True)
    for name, data in CMD_SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    # tests/fuzz/fuzz_conn.c: a piece size (first byte), then what the peer writes
    out = os.path.join(here, "corpus", "conn")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        if name == "name_ok":
            continue
        for piece in (0, 1, 63):
            with open(os.path.join(out, "%s_%d" % (name, piece)), "wb") as f:
                f.write(bytes([piece]) + data)
    pipelined = b"".join(msg(CMD, cmd_payload(*c), i + 1) for i, c in enumerate(
        [("--json", "stats", "--nfs"), ("nf", "del", "n1"), ("tenant", "del", "t1"),
         ("status",)] * 8))
    for piece in (0, 5, 63):
        with open(os.path.join(out, "pipelined_%d" % piece), "wb") as f:
            f.write(bytes([piece]) + pipelined)
    with open(os.path.join(out, "hello_n1_then_cmd"), "wb") as f:
        f.write(bytes([63]) + msg(HELLO, hello_payload(b"n1")) + msg(CMD, cmd_payload("stats"), 2))
    with open(os.path.join(out, "hello_join_t1"), "wb") as f:
        f.write(bytes([63]) + msg(HELLO, hello_payload(b"intruder", b"t1")))


if __name__ == "__main__":
    main()
