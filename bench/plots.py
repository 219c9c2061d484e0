# SPDX-License-Identifier: BSD-3-Clause
# Figures of the benchmark harness, drawn to read like the paper's: throughput against
# the number of NFs as bars (Mpps) with a line (Gbps), latency against the number of
# NFs, and an overlay of the transports with the paper's published points.
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import harness  # noqa: E402

COLORS = {"poll": "#1f77b4", "block": "#d62728", "bpf": "#2ca02c", "io": "#777777"}
NAMES = {"poll": "A (poll)", "block": "B (block)", "bpf": "in-switch eBPF", "io": "testpmd io"}


def footer(fig, res):
    m = res["machine"]
    fig.text(0.01, 0.005, "%s, %d vCPU, %s, DPDK %s, no NIC (virtual wire); commit %s, %s, "
             "profile %s (%d x %.0f s per point)" % (
                 m["model"], m["nproc"], m["hypervisor"], m["dpdk"], res["commit"],
                 res["date"], res["profile"], res["settings"]["reps"],
                 res["settings"]["dur"]), fontsize=7, color="#555")


def rows(res, **kw):
    return [s for s in res["summary"] if all(s.get(k) == v for k, v in kw.items())]


def latency_rows(res, transport):
    """The latency points of a sweep: LAT_FRACTION of the reference rate, 700 B."""
    return [s for s in rows(res, transport=transport, size=700)
            if s.get("fraction") == harness.LAT_FRACTION]


def ref_label(s):
    return "%.0f%% of the %s" % (100 * s["fraction"], "non-drop rate" if s.get("reference")
                                 == "ndr" else "max-load rate")


def ceiling_at(res, size):
    for c in res.get("ceiling", []):
        if c["size"] == size and c["load"] == "max":
            return c
    return None


def flagged(s):
    return bool(s.get("flags"))


def lat_ms(s, q):
    v = s.get("lat_" + q)
    return v / 1000 if v is not None else None


def nfs_sweep(res, path, transport, letter):
    mx = sorted(rows(res, transport=transport, load="max", size=700), key=lambda s: s["nfs"])
    lat = sorted(latency_rows(res, transport), key=lambda s: s["nfs"])
    ndr = {s["nfs"]: s for s in rows(res, transport=transport, load="ndr", size=700)}
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(14, 5.2))
    x = list(range(len(mx)))
    mpps = [s["rx_mpps"] for s in mx]
    err = [[s["rx_mpps"] - s.get("rx_mpps_min", s["rx_mpps"]) for s in mx],
           [s.get("rx_mpps_max", s["rx_mpps"]) - s["rx_mpps"] for s in mx]]
    bars = ax.bar(x, mpps, yerr=err, capsize=3, color=COLORS[transport], alpha=0.8,
                  label="Mpps (bars)")
    for b, s in zip(bars, mx):
        if flagged(s):
            b.set_hatch("//")
            b.set_alpha(0.4)
        txt = "%.3g" % s["rx_mpps"]
        if s.get("frac_of_ceiling") is not None:
            txt += "\n%.1f%%" % (100 * s["frac_of_ceiling"])
        ax.text(b.get_x() + b.get_width() / 2, b.get_height(), txt, ha="center",
                va="bottom", fontsize=7)
    if ndr:
        xs = [i for i, s in enumerate(mx) if s["nfs"] in ndr]
        ax.plot(xs, [ndr[mx[i]["nfs"]]["rx_mpps"] for i in xs], "D", color="k", ms=6,
                label="non-drop rate, Mpps (loss <= %.1f%%)" % (100 * harness.NDR_LOSS))
    ax.set_xticks(x)
    ax.set_xticklabels([str(s["nfs"]) for s in mx])
    ax.set_xlabel("number of NFs (2-NF chains; consecutive packets to different tenants)")
    ax.set_ylabel("throughput, Mpps (bars; label: % of the testpmd ceiling)")
    ax.set_ylim(0, max(mpps + [1e-6]) * 1.3)
    axg = ax.twinx()
    axg.plot(x, [s["rx_gbps"] for s in mx], "o-", color="k", label="Gbps (line)")
    axg.set_ylabel("throughput, Gbps (line)")
    axg.set_ylim(0, max([s["rx_gbps"] for s in mx] + [1e-6]) * 1.3)
    c = ceiling_at(res, 700)
    ctext = (" ceiling (testpmd io, 700 B): %.2f Mpps / %.1f Gbps" % (c["rx_mpps"], c["rx_gbps"])
             if c else "")
    ax.set_title("transport %s, 700 B, max offered load.%s" % (letter, ctext), fontsize=9)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = axg.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper right")

    for series, style, label in ((lat, "-", "at %s"), (mx, ":", "at max load")):
        if not series:
            continue
        xs = [s["nfs"] for s in series]
        lab = label % ref_label(series[0]) if "%s" in label else label
        ax2.plot(xs, [lat_ms(s, "mean") for s in series], "o" + style, color=COLORS[transport],
                 label="mean, " + lab)
        ax2.fill_between(xs, [lat_ms(s, "p50") for s in series],
                         [lat_ms(s, "p99") for s in series], color=COLORS[transport],
                         alpha=0.15 if style == "-" else 0.07,
                         label="p50..p99, " + lab)
        for s in series:
            if flagged(s):
                ax2.plot([s["nfs"]], [lat_ms(s, "mean")], "x", color="k", ms=9)
    for n, ms in harness.PAPER.get(letter, {}).get("latency_ms", []):
        ax2.plot([n], [ms], "*", color="#ff7f0e", ms=13)
    if harness.PAPER.get(letter, {}).get("latency_ms"):
        ax2.plot([], [], "*", color="#ff7f0e", ms=13, label="paper, transport %s (mean)" % letter)
    ax2.plot([], [], "x", color="k", label="flagged run (data path off CPU / busy neighbour)")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("number of NFs")
    ax2.set_ylabel("latency inside the switch + NFs, ms (log)")
    ax2.set_title("transport %s latency, 700 B" % letter, fontsize=9)
    ax2.grid(True, which="both", alpha=0.3)
    ax2.legend(fontsize=7)
    footer(fig, res)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def size_order(z):
    return 10 ** 6 if z == "imix" else z


def sizes(res, path):
    sz = sorted({s["size"] for s in res["summary"]} |
                {c["size"] for c in res.get("ceiling", [])}, key=size_order)
    systems = [("io", None)] + [(t, t) for t in ("poll", "block")
                                if rows(res, transport=t)]
    fig, axes = plt.subplots(1, 2, figsize=(14, 5.2))
    w = 0.8 / len(systems)
    for ax, key, unit in ((axes[0], "rx_mpps", "Mpps"), (axes[1], "rx_gbps", "Gbps")):
        for i, (name, t) in enumerate(systems):
            vals = []
            for z in sz:
                if t is None:
                    s = next((c for c in res.get("ceiling", []) if c["size"] == z), None)
                else:
                    s = next((r for r in rows(res, transport=t, size=z, load="max")), None)
                vals.append(s.get(key) if s and s.get(key) else 0)
            xs = [j + (i - (len(systems) - 1) / 2) * w for j in range(len(sz))]
            bars = ax.bar(xs, vals, w, color=COLORS[name], label=NAMES[name])
            for b, v in zip(bars, vals):
                if v:
                    ax.text(b.get_x() + b.get_width() / 2, v * 1.1, "%.3g" % v, ha="center",
                            fontsize=6, rotation=90)
        if unit == "Gbps":
            for n, g in harness.PAPER["D"]["gbps_64"]:
                if 64 in sz:
                    ax.plot([sz.index(64)], [g], "*", color="#ff7f0e", ms=13,
                            label="paper D (NIC queues), %d NFs, 64 B" % n)
        ax.set_yscale("log")
        ax.set_xticks(range(len(sz)))
        ax.set_xticklabels(["IMIX" if z == "imix" else "%d B" % z for z in sz])
        ax.set_ylabel("%s at max offered load (log)" % unit)
        ax.set_title("%s by frame size, %d NFs (2 tenants x 2)" % (
            unit, res["summary"][0]["nfs"] if res["summary"] else 0), fontsize=9)
        ax.legend(fontsize=7)
    fig.text(0.5, 0.04, "IMIX = 7:4:1 of 64/576/1500 B frames, interleaved in one stream "
             "(myriad-gen --imix)", ha="center", fontsize=7)
    footer(fig, res)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency_load(res, path):
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    nfs = sorted({s["nfs"] for s in res["summary"]})
    cmap = plt.get_cmap("viridis")
    for i, n in enumerate(nfs):
        # paced points only: at max load the generator is not pacing, it is
        # competing with the NFs for their core (the nfs sweeps show that regime)
        ss = sorted([s for s in rows(res, nfs=n, size=700) if s.get("rate_target_pps")],
                    key=lambda s: s["rate_target_pps"])
        col = cmap(i / max(1, len(nfs) - 1) * 0.85)
        off = [s["rate_target_pps"] / 1e3 for s in ss]
        axes[0].plot(off, [lat_ms(s, "mean") for s in ss], "o-", color=col,
                     label="%d NFs, mean" % n)
        axes[0].plot(off, [lat_ms(s, "p99") for s in ss], "^:", color=col,
                     label="%d NFs, p99" % n)
        axes[1].plot(off, [s["rx_mpps"] * 1e3 for s in ss], "o-", color=col,
                     label="%d NFs" % n)
        axes[2].plot(off, [s.get("wakeups_per_pkt") for s in ss], "o-", color=col,
                     label="%d NFs" % n)
        for s in ss:
            if flagged(s):
                axes[0].plot([s["rate_target_pps"] / 1e3], [lat_ms(s, "mean")], "x",
                             color="k", ms=9)
        for pn, ms in harness.PAPER["B"]["latency_ms"]:
            if pn == n:
                axes[0].axhline(ms, color=col, ls="--", lw=0.8,
                                label="paper B, %d NFs: %.3g ms" % (pn, ms))
    offs = [s["rate_target_pps"] / 1e3 for s in res["summary"] if s.get("rate_target_pps")] or [1]
    lo, hi = min(offs), max(offs)
    axes[1].plot([lo, hi], [lo, hi], color="#aaa", lw=0.8, label="delivered = offered")
    axes[1].set_yscale("log")
    axes[0].set_yscale("log")
    axes[0].set_ylabel("latency, ms (log)")
    axes[0].set_title("latency against offered load (transport B, 700 B)", fontsize=9)
    axes[1].set_ylabel("delivered, kpps (log)")
    axes[1].set_title("delivered against offered", fontsize=9)
    axes[2].set_ylabel("NF wakeups per packet (2 hops per packet)")
    axes[2].set_title("wakeups per packet: the price of low latency", fontsize=9)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("offered load, kpps (the paced generator's rate; log)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=6)
    footer(fig, res)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ceiling(res, path):
    cs = sorted(res["ceiling"], key=lambda s: size_order(s["size"]))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    x = range(len(cs))
    bars = ax.bar(x, [c["rx_mpps"] for c in cs], color=COLORS["io"], label="Mpps (bars)")
    for b, c in zip(bars, cs):
        ax.text(b.get_x() + b.get_width() / 2, b.get_height(), "%.2f" % c["rx_mpps"],
                ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(x))
    ax.set_xticklabels(["%s B" % c["size"] for c in cs])
    ax.set_ylabel("Mpps")
    axg = ax.twinx()
    axg.plot(list(x), [c["rx_gbps"] for c in cs], "o-", color="k", label="Gbps (line)")
    axg.set_ylabel("Gbps")
    ax.set_title("ceiling: dpdk-testpmd io forwarding on core 0 over the virtual wire",
                 fontsize=9)
    footer(fig, res)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def overlay(out_dir):
    """Both transports' sweeps (newest results) with the paper's published points."""
    res = {t: harness.latest(out_dir, n) for t, n in (("poll", "poll-nfs"),
                                                       ("block", "block-nfs"))}
    res = {t: r for t, r in res.items() if r}
    if not res:
        return None
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(14, 5.2))
    ceil = None
    for t, r in res.items():
        mx = sorted(rows(r, transport=t, load="max", size=700), key=lambda s: s["nfs"])
        lat = sorted(latency_rows(r, t), key=lambda s: s["nfs"])
        ax.plot([s["nfs"] for s in mx], [s["rx_gbps"] for s in mx], "o-", color=COLORS[t],
                label="ours, %s, 700 B, max load (%s)" % (NAMES[t], r["date"][:10]))
        if lat:
            ax2.plot([s["nfs"] for s in lat], [lat_ms(s, "mean") for s in lat], "o-",
                     color=COLORS[t], label="ours, %s, mean at %s" % (NAMES[t],
                                                                     ref_label(lat[0])))
        ax2.plot([s["nfs"] for s in mx], [lat_ms(s, "mean") for s in mx], "o:",
                 color=COLORS[t], alpha=0.6, label="ours, %s, mean at max load" % NAMES[t])
        ceil = ceil or ceiling_at(r, 700)
    if ceil:
        ax.axhline(ceil["rx_gbps"], color=COLORS["io"], ls="--",
                   label="ours, ceiling: testpmd io, 700 B (%.1f Gbps)" % ceil["rx_gbps"])
    for n, g in harness.PAPER["B"]["gbps_700"]:
        ax.plot([n], [g], "*", color=COLORS["block"], ms=15, mec="k",
                label="paper B: %g Gbps, 700 B, %d NFs" % (g, n))
    for n, g in harness.PAPER["D"]["gbps_64"]:
        ax.plot([n], [g], "D", color="#2ca02c", ms=9, mec="k",
                label="paper D (NIC queues): %g Gbps, 64 B, %d NFs" % (g, n))
    for letter, t, mk in (("A", "poll", "*"), ("B", "block", "*")):
        pts = harness.PAPER[letter]["latency_ms"]
        ax2.plot([p[0] for p in pts], [p[1] for p in pts], mk + "--", color=COLORS[t], ms=15,
                 mec="k", lw=0.8, label="paper %s: mean latency" % letter)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of NFs")
    ax.set_ylabel("throughput, Gbps (log)")
    ax.set_title("throughput: transports and the paper (paper: 10 GbE NIC, 8 NF cores; "
                 "ours: virtual wire, 1 NF core)", fontsize=8)
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("number of NFs")
    ax2.set_ylabel("mean latency, ms (log)")
    ax2.set_title("latency: transports and the paper", fontsize=9)
    for a in (ax, ax2):
        a.grid(True, which="both", alpha=0.3)
        a.legend(fontsize=7)
    any_res = next(iter(res.values()))
    footer(fig, any_res)
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    stamp = max(r["stamp"] for r in res.values())
    path = os.path.join(out_dir, "overlay-%s.png" % stamp)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def bpf_sweep(res, path):
    """bpf-nfs: non-drop rate and latency against NFs, in-switch eBPF beside B."""
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(14, 5.2))
    for tr in ("bpf", "block"):
        for size, style in ((64, "o--"), (700, "o-")):
            ndr = sorted(rows(res, transport=tr, load="ndr", size=size), key=lambda s: s["nfs"])
            lat = sorted([s for s in rows(res, transport=tr, size=size)
                          if s.get("fraction") == harness.LAT_FRACTION], key=lambda s: s["nfs"])
            lab = "%s, %d B" % (NAMES[tr], size)
            if ndr:
                ax.plot([s["nfs"] for s in ndr], [s["rx_mpps"] for s in ndr], style,
                        color=COLORS[tr], label=lab)
            if lat:
                ax2.plot([s["nfs"] for s in lat], [1000 * lat_ms(s, "mean") for s in lat], style,
                         color=COLORS[tr], label=lab + " (mean)")
    for size, style in ((64, "--"), (700, "-")):
        c = ceiling_at(res, size)
        if c:
            ax.axhline(c["rx_mpps"], ls=style, color=COLORS["io"], lw=1,
                       label="testpmd io ceiling, %d B: %.2f Mpps" % (size, c["rx_mpps"]))
    ax.axhline(1.4, ls=":", color="k", lw=1, label="the paper: 1.4 Mpps, 2000 NFs, 7 cores")
    for a in (ax, ax2):
        a.set_xscale("log")
        a.set_xlabel("number of NFs (2-NF chains; consecutive packets to different tenants)")
        a.grid(True, which="both", alpha=0.3)
        a.legend(fontsize=8)
    ax.set_ylabel("non-drop rate, Mpps (loss <= %.1f%%)" % (100 * harness.NDR_LOSS))
    ax.set_ylim(0, None)
    ax2.set_yscale("log")
    ax2.set_ylabel("mean latency at %.0f%% of the NDR, us (log)" % (100 * harness.LAT_FRACTION))
    ax.set_title("one core for the switch; bpf NFs run on it, B's on core 1 with the generator",
                 fontsize=9)
    ax2.set_title("latency up to the switch's output stamp", fontsize=9)
    footer(fig, res)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
