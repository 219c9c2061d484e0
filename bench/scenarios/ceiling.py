# SPDX-License-Identifier: BSD-3-Clause
"""The ceiling: dpdk-testpmd io forwarding over the same virtual wire, on core 0."""
import plots

NAME = "ceiling"
DESCRIPTION = ("dpdk-testpmd io forwarding 0->1 over two net_ring ports on core 0, max load "
               "(every run measures it; this scenario also writes its own files)")


def setups(profile):
    return [{"system": "testpmd", "sizes": [64, 700, 1514, "imix"], "loads": ["max"]}]


def plot(res, path):
    plots.ceiling(res, path)
