# SPDX-License-Identifier: BSD-3-Clause
"""Transport B (blocking NFs): throughput and latency against the number of NFs."""
import harness
import plots

NAME = "block-nfs"
DESCRIPTION = ("transport B (block): NFs 2..2000 (full: 1..2000) in 2-NF chains, 700 B, "
               "max load + latency at %.0f%% of it (full: of the searched non-drop rate)"
               % (100 * harness.LAT_FRACTION))
SWEEPS_NFS = True


def setups(profile):
    nfs = [2, 16, 100, 500, 2000] if profile == "quick" else \
        [1, 2, 4, 8, 16, 32, 64, 100, 200, 500, 1000, 2000]
    # Max load starves the NFs' core when the generator shares it (the sink falls
    # behind), so the full profile takes its latency point from the non-drop rate.
    loads = ["max", harness.LAT_FRACTION] if profile == "quick" else \
        ["max", "ndr", harness.LAT_FRACTION]
    return [{"system": "myriad", "transport": "block", "nfs": n, "sizes": [700],
             "loads": loads} for n in nfs]


def plot(res, path):
    plots.nfs_sweep(res, path, "block", "B")
