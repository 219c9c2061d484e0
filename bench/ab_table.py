#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""One table of a bench/ab run: each point's median over the rounds of A and of B."""
import glob
import json
import os
import statistics
import sys

COLS = [("rx_mpps", "Mpps", "%.4f"), ("cycles_per_hop_busy", "cyc/hop", "%.0f"),
        ("lat_mean", "lat_mean_us", "%.0f"), ("lat_p99", "lat_p99_us", "%.0f")]


def key(s):
    return (s["transport"], s["nfs"], str(s["size"]), str(s["load"]))


def main(out):
    sides, meta = {}, {}
    for path in sorted(glob.glob(os.path.join(out, "*", "*.json"))):
        side = os.path.basename(os.path.dirname(path))[0]
        d = json.load(open(path))
        meta.setdefault(side, (d["commit"], d["date"], d["machine"]))
        for s in d["summary"]:
            sides.setdefault(side, {}).setdefault(key(s), []).append(s)
    for side, (commit, date, machine) in sorted(meta.items()):
        print("# %s: commit %s, %s, %s %s x%d, kernel %s, DPDK %s" % (
            side, commit, date, machine["model"], machine.get("mhz", ""), machine["nproc"],
            machine["kernel"], machine["dpdk"]))
    print("# medians over the rounds (A and B alternated); lat up to the switch's tx stamp")
    head = "%-6s %5s %5s %12s" % ("tr", "nfs", "size", "load")
    for _, name, _ in COLS:
        head += " %13s %13s" % (name + " A", name + " B")
    print(head)
    for k in sorted(sides.get("A", {})):
        line = "%-6s %5s %5s %12s" % k
        for col, _, fmt in COLS:
            for side in "AB":
                vals = [s.get(col) for s in sides.get(side, {}).get(k, [])
                        if s.get(col) is not None]
                line += " %13s" % (fmt % statistics.median(vals) if vals else "-")
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
