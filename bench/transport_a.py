#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Transport A benchmark: myriad's polling NF chains next to dpdk-testpmd io forwarding
# on the same virtual wire, measured in one run; writes JSON, CSV and a PNG plot.
"""Run by bench/transport_a.sh; see doc/bench-transport-a.md for the method."""

import argparse
import csv
import datetime
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time

from harness import Procs, busy_neighbours, machine, proc_ticks, sched  # shared machinery

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
LOSS_FREE = 0.001  # < 0.1 % of the packets sent

PROFILES = {
    # warm-up s, repetitions, s per repetition, search steps, s per search step
    "default": dict(warmup=1.0, reps=3, dur=5.0, steps=4, step_dur=2.0, perf=True),
    "quick": dict(warmup=0.5, reps=1, dur=2.0, steps=3, step_dur=1.0, perf=False),
}


class Bench:
    def __init__(self, args):
        self.args = args
        self.p = PROFILES["quick" if args.quick else "default"]
        self.B = os.path.abspath(args.build)
        # processes, DPDK prefixes and temp files: the harness's bookkeeping
        self.pr = Procs()
        self.tmp = self.pr.tmp
        self.runs = []

    def prefix(self, what):
        return self.pr.prefix(what)

    def stop(self, proc, timeout=10):
        """Stop a process we started and forget it."""
        self.pr.stop(proc, timeout)

    def cleanup(self):
        self.pr.cleanup()

    def log(self, msg):
        print(msg, file=sys.stderr, flush=True)

    # ---- measurements ----------------------------------------------------------
    @staticmethod
    def cpu1():
        with open("/proc/stat") as f:
            for line in f:
                if line.startswith("cpu1 "):
                    v = [int(x) for x in line.split()[1:]]
                    idle = v[3] + v[4]
                    return sum(v[:8]) - idle, sum(v[:8])
        return 0, 0

    def gen(self, eal_prefix, gen_args, size, rate, duration):
        """One myriad-gen run; returns its JSON plus CPU figures of core 1."""
        out = os.path.join(self.tmp, "gen.json")
        cmd = [self.B + "/gen/myriad-gen", "--file-prefix", eal_prefix,
               "--proc-type=secondary", "--no-pci", "-l", "1", "--log-level=error", "--",
               "--json", "--quiet", "--size", str(size), "--rate", str(int(rate)),
               "--duration", str(duration)] + gen_args
        c0, t0 = self.cpu1(), time.time()
        nf0 = {pid: proc_ticks(pid) for pid in self.nf_pids}
        proc, ru = self.pr.run_timed(cmd, out, duration + 30)
        wall = time.time() - t0
        c1 = self.cpu1()
        with open(out) as f:
            text = f.read()
        if proc.returncode != 0 or not text.strip():
            raise RuntimeError("myriad-gen failed (%s): %s" % (proc.returncode, " ".join(cmd)))
        g = json.loads(text)
        g.pop("flows", None)
        busy, total = c1[0] - c0[0], c1[1] - c0[1]
        g["cpu1_busy"] = busy / total if total else None
        g["gen_cpu_s"] = ru.ru_utime + ru.ru_stime
        g["gen_cpu_share"] = g["gen_cpu_s"] / wall
        g["wall_s"] = wall
        g["nf_cpu_share"] = (sum(proc_ticks(p) - t for p, t in nf0.items()) / CLK_TCK / wall
                             if nf0 else None)
        with open("/proc/loadavg") as f:
            g["loadavg_1m"] = float(f.read().split()[0])
        return g

    # ---- myriad -----------------------------------------------------------------
    def ctl(self, *a):
        r = subprocess.run([self.B + "/ctl/myriadctl", "-s", self.sock, "--json"] + list(a),
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("myriadctl %s: %s" % (" ".join(a), r.stderr or r.stdout))
        return json.loads(r.stdout) if r.stdout.strip().startswith(("{", "[")) else r.stdout

    def start_switch(self, tenants, chain):
        pre = self.prefix("sw")
        self.sock = os.path.join(self.tmp, pre + ".sock")
        log = open(os.path.join(self.tmp, pre + ".log"), "w")
        proc = subprocess.Popen(
            [self.B + "/switch/myriad-switch", "--no-pci", "--file-prefix", pre, "-l", "0",
             "--log-level=myriad.*:notice", "--", "--socket", self.sock, "--wire", "2",
             "--max-nfs", str(tenants * chain + 16)], stdout=log, stderr=subprocess.STDOUT)
        self.pr.live.append(proc)
        self.sw_pid = proc.pid
        for _ in range(100):
            try:
                self.ctl("status")
                break
            except (RuntimeError, json.JSONDecodeError):
                if proc.poll() is not None:
                    raise RuntimeError("myriad-switch exited at start")
                time.sleep(0.1)
        macs, lines = [], []
        for t in range(1, tenants + 1):
            mac = "02:00:00:00:%02x:%02x" % (t // 256, t % 256)
            macs.append(mac)
            lines.append("tenant add t%d --mac %s --port 1" % (t, mac))
            for k in range(1, chain + 1):
                lines.append("nf add t%d-sig%d --tenant t%d --exec %s/nfs/myriad-nf-signature"
                             " --no-wait" % (t, k, t, self.B))
        batch = os.path.join(self.tmp, pre + ".setup")
        with open(batch, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run([self.B + "/ctl/myriadctl", "-s", self.sock, "-f", batch],
                       capture_output=True, check=True, timeout=60)
        for _ in range(300):
            if self.ctl("status")["nfs_up"] == tenants * chain:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("NFs did not come up")
        self.nf_pids = [n["pid"] for n in self.ctl("stats", "--nfs")["nfs"]]
        self.pr.extra_pids.update(self.nf_pids)
        return proc, pre, macs

    def myriad_run(self, pre, macs, size, rate, duration, layout, load, rep):
        s0, t0 = sched(self.sw_pid), time.time()
        a = self.ctl("stats")
        g = self.gen(pre, ["--tx-port", "0", "--rx-port", "1", "--dst-macs", ",".join(macs)],
                     size, rate, duration)
        b = self.ctl("stats")
        s1, wall = sched(self.sw_pid), time.time() - t0
        # the data-path thread is the one that ran most
        tid = max(s1, key=lambda t: s1[t][0] - s0.get(t, (0, 0, 0))[0])
        d = [x - y for x, y in zip(s1[tid], s0.get(tid, (0, 0, 0)))]
        for _ in range(50):  # let every packet leave before the next run
            if b["in_flight"] == 0:
                break
            time.sleep(0.1)
            b = self.ctl("stats")
        da, db = a["datapath"], b["datapath"]
        hops = db["hops"] - da["hops"]
        hz = db["tsc_hz"]
        window = g["rx_duration_s"] if g["rx_duration_s"] > 0 else g["duration_s"]
        r = self.record("myriad", layout, size, load, rate, rep, g)
        r.update({
            "switch_rx": b["rx"] - a["rx"], "switch_tx": b["tx"] - a["tx"],
            "switch_dropped": b["dropped"] - a["dropped"],
            "drops": {k: v - a["drops"].get(k, 0) for k, v in b["drops"].items()
                      if v - a["drops"].get(k, 0)},
            "hops": hops,
            "hops_per_pkt": hops / (b["rx"] - a["rx"]) if b["rx"] != a["rx"] else None,
            "busy_cycles": db["busy_cycles"] - da["busy_cycles"],
            "rounds": db["rounds"] - da["rounds"],
            "busy_rounds": db["busy_rounds"] - da["busy_rounds"],
            "cycles_per_hop_busy": (db["busy_cycles"] - da["busy_cycles"]) / hops if hops else None,
            "cycles_per_hop_total": hz * window / hops if hops else None,
            "core0_busy_share": (db["busy_cycles"] - da["busy_cycles"]) / (hz * window),
            "dp_oncpu_share": d[0] / 1e9 / wall, "dp_runqueue_wait_share": d[1] / 1e9 / wall,
            "dp_involuntary_switches": d[2],
        })
        return r

    def record(self, system, layout, size, load, rate, rep, g):
        hz = g["tsc_hz"]
        window = g["rx_duration_s"] if g["rx_duration_s"] > 0 else g["duration_s"]
        r = {
            "system": system, "layout": layout, "size": size, "load": load,
            "rate_target_pps": rate, "rep": rep,
            "tx_packets": g["tx_packets"], "rx_packets": g["rx_packets"],
            "tx_mpps": g["tx_mpps"], "rx_mpps": g["rx_mpps"], "rx_gbps": g["rx_gbps"],
            "loss": (g["tx_packets"] - g["rx_packets"]) / g["tx_packets"] if g["tx_packets"] else None,
            "lost_seq": g["lost"], "reordered": g["reordered"],
            "latency_us": g["latency_us"],
            "core0_cycles_per_pkt": hz * window / g["rx_packets"] if g["rx_packets"] else None,
            "gen_cycles_per_pkt": g["gen_cycles_per_pkt"],
            "gen_cpu_share": g["gen_cpu_share"], "cpu1_busy": g["cpu1_busy"],
            "nf_cpu_share": g["nf_cpu_share"], "loadavg_1m": g["loadavg_1m"],
            "duration_s": g["duration_s"], "rx_duration_s": g["rx_duration_s"],
            "tsc_hz": hz, "stopped_by": g["stopped_by"],
        }
        return r

    def search(self, run, max_reps, label):
        """Coarse search for the highest offered rate losing < 0.1 %; returns it."""
        # Start just under what got through at maximum load, then halve or bisect.
        lo, hi, best = 0.0, statistics.mean(r["tx_mpps"] for r in max_reps) * 1e6, None
        rate = max(1000.0, 0.9 * statistics.mean(r["rx_mpps"] for r in max_reps) * 1e6)
        for step in range(self.p["steps"]):
            r = run(rate, self.p["step_dur"], "search", step)
            ok = r["loss"] is not None and r["loss"] < LOSS_FREE and r["rx_packets"] > 0
            self.log("  %s search %d: %.0f pps -> rx %.4f Mpps, loss %.4f%% %s" % (
                label, step, rate, r["rx_mpps"], 100 * (r["loss"] or 0), "ok" if ok else "lossy"))
            if ok:
                if best is None or r["rx_mpps"] > best[1]:
                    best = (rate, r["rx_mpps"])
                lo = rate
            else:
                hi = rate
            rate = (lo + hi) / 2 if lo > 0 else rate / 2
            if rate < 1000:
                break
        return best[0] if best else 1000.0

    def point(self, run, label):
        """Warm-up, max-rate repetitions, search, loss-free repetitions."""
        p = self.p
        run(0, p["warmup"], "warmup", 0)
        maxr = [run(0, p["dur"], "max", i) for i in range(p["reps"])]
        self.log("  %s max: rx %s Mpps, loss %s" % (
            label, " ".join("%.4f" % r["rx_mpps"] for r in maxr),
            " ".join("%.4f%%" % (100 * r["loss"]) for r in maxr)))
        out = maxr
        if max(r["loss"] for r in maxr) >= LOSS_FREE:
            rate = self.search(run, maxr, label)
            lf = [run(rate, p["dur"], "loss_free", i) for i in range(p["reps"])]
            self.log("  %s loss-free @%.0f pps: rx %s Mpps, loss %s" % (
                label, rate, " ".join("%.4f" % r["rx_mpps"] for r in lf),
                " ".join("%.4f%%" % (100 * r["loss"]) for r in lf)))
            out = out + lf
        return out

    def bench_myriad(self, tenants, chain):
        layout = "%dx%d" % (tenants, chain)
        self.log("== myriad %s (%d tenant(s) x %d signature NFs, transport A)" % (
            layout, tenants, chain))
        proc, pre, macs = self.start_switch(tenants, chain)
        try:
            for size in (64, 1514):
                def run(rate, dur, load, rep, size=size):
                    r = self.myriad_run(pre, macs, size, rate, dur, layout, load, rep)
                    self.runs.append(r)
                    return r
                self.point(run, "%s %dB" % (layout, size))
            if self.p["perf"] and layout == "1x2" and shutil.which("perf"):
                self.profile = self.perf_switch(proc.pid, pre, macs)
        finally:
            self.stop(proc)
            self.pr.kill_pids(self.nf_pids)
            self.nf_pids = []

    def perf_switch(self, pid, pre, macs):
        """Where the switch's core goes at 64 B, maximum offered load (software clock)."""
        data = os.path.join(self.tmp, "perf.data")
        cmd = [self.B + "/gen/myriad-gen", "--file-prefix", pre, "--proc-type=secondary",
               "--no-pci", "-l", "1", "--log-level=error", "--", "--json", "--quiet",
               "--tx-port", "0", "--rx-port", "1", "--dst-macs", ",".join(macs),
               "--size", "64", "--rate", "0", "--duration", "5"]
        g = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.pr.live.append(g)
        time.sleep(1)
        subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "2000", "-p", str(pid),
                        "-o", data, "--", "sleep", "3"], capture_output=True, timeout=30)
        g.wait(timeout=30)
        self.pr.live.remove(g)
        prof = {}
        for key in ("dso", "symbol"):
            r = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", key,
                                "--stdio", "-q"], capture_output=True, text=True, timeout=60)
            rows = []
            for line in r.stdout.splitlines():
                parts = line.split()
                if len(parts) >= 2 and parts[0].endswith("%"):
                    name = " ".join(x for x in parts[1:] if x not in ("[.]", "[k]", "-"))
                    rows.append([name, float(parts[0][:-1])])
            prof[key] = rows[:12]
        return prof

    # ---- testpmd ----------------------------------------------------------------
    def bench_testpmd(self):
        self.log("== dpdk-testpmd io forwarding, 2 net_ring ports, forwarding on core 0")
        pre = self.prefix("tp")
        cmds = os.path.join(self.tmp, "testpmd.cmds")
        with open(cmds, "w") as f:
            # Forward port 0 -> 1 only: port 1's Rx queue stays stopped, so the generator
            # is the only consumer of port 1's ring (net_ring ports loop Tx to their own Rx).
            f.write("port stop 1\nport 1 rxq 0 deferred_start on\nport start 1\n")
        log = os.path.join(self.tmp, "testpmd.log")
        proc = subprocess.Popen(
            ["dpdk-testpmd", "--no-pci", "--file-prefix", pre, "-l", "0,1", "--main-lcore", "1",
             "--vdev=net_ring0", "--vdev=net_ring1", "--log-level=error", "--",
             "--forward-mode=io", "--nb-cores=1", "--mbcache=0", "--stats-period=3600",
             "--total-num-mbufs=65535", "--cmdline-file=" + cmds],
            stdin=subprocess.DEVNULL, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        self.pr.live.append(proc)
        self.nf_pids = []
        for _ in range(200):
            with open(log) as f:
                if "start packet forwarding" in f.read():
                    break
            if proc.poll() is not None:
                raise RuntimeError("dpdk-testpmd exited at start, see " + log)
            time.sleep(0.1)
        time.sleep(0.5)
        gargs = ["--pool", "mb_pool_0", "--tx-ring", "ETH_RXTX0_net_ring0",
                 "--rx-ring", "ETH_RXTX0_net_ring1"]
        try:
            for size in (64, 1514):
                def run(rate, dur, load, rep, size=size):
                    g = self.gen(pre, gargs, size, rate, dur)
                    r = self.record("testpmd", "io", size, load, rate, rep, g)
                    r["hops_per_pkt"] = 1
                    self.runs.append(r)
                    return r
                self.point(run, "testpmd %dB" % size)
        finally:
            self.stop(proc)
        with open(log) as f:
            self.testpmd_log_tail = f.read()[-3000:]


def summarize(runs):
    keys = ["rx_mpps", "rx_gbps", "tx_mpps", "loss", "core0_cycles_per_pkt",
            "cycles_per_hop_busy", "cycles_per_hop_total", "core0_busy_share",
            "gen_cycles_per_pkt", "gen_cpu_share", "cpu1_busy", "nf_cpu_share", "loadavg_1m",
            "dp_oncpu_share", "dp_runqueue_wait_share", "dp_involuntary_switches"]
    lat = ["p50", "p99", "p999", "max"]
    groups = {}
    for r in runs:
        if r["load"] in ("max", "loss_free"):
            groups.setdefault((r["system"], r["layout"], r["size"], r["load"]), []).append(r)
    out = []
    for (system, layout, size, load), rs in groups.items():
        s = {"system": system, "layout": layout, "size": size, "load": load,
             "rate_target_pps": rs[0]["rate_target_pps"], "reps": len(rs)}
        for k in keys + ["lat_" + q for q in lat]:
            vals = [(r["latency_us"][k[4:]] if k.startswith("lat_") else r.get(k)) for r in rs]
            vals = [v for v in vals if v is not None]
            if not vals:
                continue
            s[k] = statistics.mean(vals)
            s[k + "_min"] = min(vals)
            s[k + "_max"] = max(vals)
        hops = [r["hops_per_pkt"] for r in rs if r.get("hops_per_pkt")]
        s["hops_per_pkt"] = statistics.mean(hops) if hops else None
        out.append(s)
    return out


def plot(summary, path, meta):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = [("testpmd", "io", "max"), ("myriad", "1x2", "max"), ("myriad", "1x2", "loss_free"),
             ("myriad", "4x2", "max"), ("myriad", "4x2", "loss_free")]
    names = ["testpmd io\nmax", "myriad 1x2\nmax", "myriad 1x2\n<0.1% loss",
             "myriad 4x2\nmax", "myriad 4x2\n<0.1% loss"]
    fig, axes = plt.subplots(1, 3, figsize=(16, 5))
    for ax, size in zip(axes[:2], (64, 1514)):
        vals, lo, hi, labels = [], [], [], []
        for key, name in zip(order, names):
            s = next((x for x in summary if (x["system"], x["layout"], x["load"]) == key
                      and x["size"] == size), None)
            if s is None and key[2] == "loss_free":  # max already lost < 0.1 %
                s = next((x for x in summary if (x["system"], x["layout"], x["load"]) ==
                          key[:2] + ("max",) and x["size"] == size), None)
            if s is None:
                continue
            vals.append(s["rx_mpps"])
            lo.append(s["rx_mpps"] - s["rx_mpps_min"])
            hi.append(s["rx_mpps_max"] - s["rx_mpps"])
            labels.append(name)
        bars = ax.bar(range(len(vals)), vals, yerr=[lo, hi], capsize=4,
                      color=["#777"] + ["#1f77b4", "#9ecae1", "#d62728", "#fcae91"][:len(vals) - 1])
        for b, v in zip(bars, vals):
            ax.text(b.get_x() + b.get_width() / 2, v * 1.15, "%.3g" % v, ha="center", fontsize=8)
        ax.set_yscale("log")
        ax.set_xticks(range(len(vals)))
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_ylabel("delivered Mpps (log; bars = mean, whiskers = min..max)")
        ax.set_title("%d B frames" % size)
    ax = axes[2]
    busy, total, labels = [], [], []
    for s in summary:
        if s["system"] == "myriad" and s.get("cycles_per_hop_busy"):
            labels.append("%s %dB\n%s" % (s["layout"], s["size"],
                                          "max" if s["load"] == "max" else "<0.1%"))
            busy.append(s["cycles_per_hop_busy"])
            total.append(s["cycles_per_hop_total"])
    x = range(len(labels))
    ax.bar([i - 0.2 for i in x], busy, 0.4, label="busy rounds / hops")
    ax.bar([i + 0.2 for i in x], total, 0.4, label="all core-0 cycles / hops")
    tp = [s["core0_cycles_per_pkt"] for s in summary if s["system"] == "testpmd"
          and s["load"] == "max" and s["size"] == 64]
    if tp:
        ax.axhline(tp[0], color="#777", ls="--", label="testpmd io 64 B: cycles per packet")
    ax.set_yscale("log")
    ax.set_xticks(list(x))
    ax.set_xticklabels(labels, fontsize=7)
    ax.set_ylabel("switch core cycles per packet per hop (log)")
    ax.set_title("myriad switch: cycles per hop")
    ax.legend(fontsize=7)
    m = meta["machine"]
    fig.suptitle("transport A, 2 signature NFs per chain, virtual wire; %s, %d vCPU, DPDK %s; "
                 "commit %s, %s" % (m["model"], m["nproc"], m["dpdk"], meta["commit"],
                                    meta["date"]), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="~1 minute: 1 repetition of 2 s")
    ap.add_argument("--build", default=os.environ.get("MYRIAD_BUILD", TOP + "/build"))
    ap.add_argument("--out", default=TOP + "/bench/results")
    args = ap.parse_args()

    b = Bench(args)
    b.nf_pids = []
    b.profile = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    now = datetime.datetime.now(datetime.timezone.utc)
    commit = subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", TOP, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.rstrip()
    meta = {"commit": commit + ("-dirty" if dirty else ""),
            "modified_files": [l[3:] for l in dirty.splitlines()], "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": machine(), "profile": "quick" if args.quick else "default",
            "settings": b.p, "loss_free_threshold": LOSS_FREE}
    with open("/proc/loadavg") as f:
        meta["loadavg_at_start"] = f.read().strip()
    meta["busy_neighbours_at_start"] = busy_neighbours()
    for n in meta["busy_neighbours_at_start"]:
        print("warning: another process is busy (%.0f%% of a CPU, last on cpu%d): %s" % (
            100 * n["cpu_share"], n["last_cpu"], n["cmd"]), file=sys.stderr)
    t0 = time.time()
    try:
        b.bench_testpmd()
        b.bench_myriad(1, 2)
        b.bench_myriad(4, 2)
    finally:
        b.cleanup()
    meta["elapsed_s"] = round(time.time() - t0, 1)
    meta["busy_neighbours_at_end"] = busy_neighbours()
    summary = summarize(b.runs)
    os.makedirs(args.out, exist_ok=True)
    stem = os.path.join(args.out, "transport_a-" + now.strftime("%Y%m%d-%H%M%S"))
    with open(stem + ".json", "w") as f:
        json.dump({**meta, "summary": summary, "runs": b.runs, "perf_switch": b.profile}, f,
                  indent=1)
    cols = ["commit", "date", "model", "nproc", "mhz", "kernel", "dpdk", "system", "layout",
            "size", "load", "rate_target_pps", "reps", "hops_per_pkt"]
    stats = ["rx_mpps", "rx_gbps", "tx_mpps", "loss", "lat_p50", "lat_p99", "lat_p999",
             "lat_max", "core0_cycles_per_pkt", "cycles_per_hop_busy", "cycles_per_hop_total",
             "core0_busy_share", "gen_cycles_per_pkt", "gen_cpu_share", "cpu1_busy",
             "nf_cpu_share", "loadavg_1m", "dp_oncpu_share", "dp_runqueue_wait_share"]
    with open(stem + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols + [x for k in stats for x in (k, k + "_min", k + "_max")])
        m = meta["machine"]
        for s in summary:
            w.writerow([meta["commit"], meta["date"], m["model"], m["nproc"], m["mhz"],
                        m["kernel"], m["dpdk"]] + [s.get(k) for k in cols[7:]] +
                       [s.get(x) for k in stats for x in (k, k + "_min", k + "_max")])
    plot(summary, stem + ".png", meta)
    print("\n%-8s %-5s %5s %-9s %9s %9s %8s %9s %9s %9s %9s %9s" % (
        "system", "lay", "size", "load", "rx Mpps", "Gbps", "loss%", "p50 us", "p99 us",
        "cyc/pkt", "cyc/hop b", "cyc/hop t"))
    for s in sorted(summary, key=lambda s: (s["size"], s["system"] != "testpmd", s["layout"], s["load"])):
        print("%-8s %-5s %5d %-9s %9.4f %9.4f %8.4f %9.1f %9.1f %9.1f %9s %9s" % (
            s["system"], s["layout"], s["size"], s["load"], s["rx_mpps"], s["rx_gbps"],
            100 * s["loss"], s["lat_p50"], s["lat_p99"], s["core0_cycles_per_pkt"],
            "%.1f" % s["cycles_per_hop_busy"] if s.get("cycles_per_hop_busy") else "-",
            "%.1f" % s["cycles_per_hop_total"] if s.get("cycles_per_hop_total") else "-"))
    print("\nwrote %s.{json,csv,png} in %.0f s" % (stem, meta["elapsed_s"]))


if __name__ == "__main__":
    main()
