# SPDX-License-Identifier: BSD-3-Clause
"""In-switch NFs: 2000 against 10,000, the same points, for issue 12's 20 % target."""
import harness
import plots

NAME = "bpf-scale"
DESCRIPTION = ("in-switch eBPF NFs, 2000 and 10000 in 2-NF chains, 700 B: max load and NDR "
               "(run it with --full for 3 repetitions a point, and twice for the order)")
SWEEPS_NFS = True


def setups(profile):
    return [{"system": "myriad", "transport": "bpf", "nfs": n, "sizes": [700],
             "loads": ["max", "ndr", harness.LAT_FRACTION]} for n in (2000, 10000)]


def plot(res, path):
    plots.bpf_sweep(res, path)
