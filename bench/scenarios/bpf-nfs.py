# SPDX-License-Identifier: BSD-3-Clause
"""In-switch NFs (kind bpf) against blocking NFs (B), same NF counts, same run."""
import harness
import plots

NAME = "bpf-nfs"
DESCRIPTION = ("in-switch eBPF NFs (signature.bpf.o) and transport B side by side: 1, 100, "
               "1000, 2000 (bpf also 10000) NFs in 2-NF chains, 64 and 700 B; max, NDR, "
               "latency at %.0f%% of the NDR; the NFs' core holds only the generator for bpf"
               % (100 * harness.LAT_FRACTION))
SWEEPS_NFS = True


def setups(profile):
    loads = ["max", "ndr", harness.LAT_FRACTION]
    bpf = [{"system": "myriad", "transport": "bpf", "nfs": n, "sizes": [64, 700],
            "loads": loads} for n in (1, 100, 1000, 2000, 10000)]
    block = [{"system": "myriad", "transport": "block", "nfs": n, "sizes": [64, 700],
              "loads": loads} for n in (1, 100, 1000, 2000)]
    return bpf + block


def plot(res, path):
    plots.bpf_sweep(res, path)
