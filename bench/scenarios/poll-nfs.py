# SPDX-License-Identifier: BSD-3-Clause
"""Transport A (polling NFs): throughput and latency against the number of NFs."""
import harness
import plots

NAME = "poll-nfs"
DESCRIPTION = ("transport A (poll): NFs 2..64 (full: 1..100) in 2-NF chains, 700 B, max "
               "load + latency at %.0f%% of it" % (100 * harness.LAT_FRACTION))
SWEEPS_NFS = True


def setups(profile):
    # Polling NFs share core 1 by time slices: above ~64 a point takes minutes of
    # attach time and the results are rotations of the run queue.
    nfs = [2, 8, 32] if profile == "quick" else [1, 2, 4, 8, 16, 32, 64, 100]
    return [{"system": "myriad", "transport": "poll", "nfs": n, "sizes": [700],
             "loads": ["max", harness.LAT_FRACTION]} for n in nfs]


def plot(res, path):
    plots.nfs_sweep(res, path, "poll", "A")
