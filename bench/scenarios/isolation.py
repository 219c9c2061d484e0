# SPDX-License-Identifier: BSD-3-Clause
"""The cost of tenant isolation: run it twice, --nf-memory isolated and shared (bench/ab
with AB_SWITCH_A/AB_SWITCH_B), and compare the rows."""
import harness
import plots

NAME = "isolation"
DESCRIPTION = ("4 NFs (poll and block) and 100 NFs (block), 2-NF chains, 64/700/1514 B, "
               "max load: the copy in and out of the tenants' pools against none")
SWEEPS_NFS = True


def setups(profile):
    out = [{"system": "myriad", "transport": t, "nfs": 4, "sizes": [64, 700, 1514],
            "loads": ["max"]} for t in ("poll", "block")]
    out.append({"system": "myriad", "transport": "block", "nfs": 100,
                "sizes": [64, 700, 1514], "loads": ["max"]})
    return out


def plot(res, path):
    plots.sizes(res, path)
