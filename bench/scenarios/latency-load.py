# SPDX-License-Identifier: BSD-3-Clause
"""Transport B: latency against offered load for 100, 1000 and 2000 NFs."""
import plots

NAME = "latency-load"
DESCRIPTION = ("transport B: latency, throughput and wakeups against offered load "
               "(fractions of the non-drop rate, searched) for 100/2000 "
               "(full: 100/1000/2000) NFs, 700 B")
SWEEPS_NFS = True


def setups(profile):
    if profile == "quick":
        nfs, fr = [100, 2000], [0.1, 0.5, 2.0]
    else:
        nfs, fr = [100, 1000, 2000], [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1.5, 3.0]
    # past the NDR (fractions > 1) the curve shows what overload does to latency and loss
    # 2000 NFs also at 1.4 Mpps: what the paper carried with them (issue 4's target)
    return [{"system": "myriad", "transport": "block", "nfs": n, "sizes": [700],
             "loads": ["max", "ndr"] + fr + (["pps:1400000"] if n == 2000 else [])}
            for n in nfs]


def plot(res, path):
    plots.latency_load(res, path)
