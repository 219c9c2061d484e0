# SPDX-License-Identifier: BSD-3-Clause
"""Packet sizes for a fixed number of NFs, both transports."""
import harness
import plots

NAME = "sizes"
DESCRIPTION = ("64/700/1514 B and IMIX (7:4:1 of 64/576/1500, one mixed stream) with 4 NFs "
               "(2 tenants x 2), transports A and B, max load (full: + latency point)")
NFS = 4  # the paper's transport D point: 6.05 Gbps at 64 B with 4 NFs


def setups(profile):
    loads = ["max"] if profile == "quick" else ["max", harness.LAT_FRACTION]
    return [{"system": "myriad", "transport": t, "nfs": NFS,
             "sizes": [64, 700, 1514, "imix"], "loads": loads} for t in ("poll", "block")]


def plot(res, path):
    plots.sizes(res, path)
