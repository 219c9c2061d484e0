#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# The benchmark harness: named scenarios (bench/scenarios/*.py) that sweep the number of
# NFs, packet sizes, transports and offered load over myriad on the virtual wire, with
# dpdk-testpmd io forwarding on the same wire and core as the ceiling. Writes CSV, JSON
# and PNG files to bench/results/. Run it with bench/run; see doc/results.md.
"""myriad benchmark harness (run it with bench/run)."""

import argparse
import csv
import datetime
import glob
import importlib.util
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(BENCH)
CLK_TCK = os.sysconf("SC_CLK_TCK")

PROFILES = {
    # warm-up s, repetitions, s per repetition; "quick" is what `make bench` runs
    "quick": dict(warmup=0.5, reps=1, dur=2.0, probe=1.0),
    "full": dict(warmup=1.0, reps=3, dur=5.0, probe=2.0),
}
LAT_FRACTION = 0.5      # the latency points offer this fraction of the reference load
ONCPU_MIN = 0.90        # a run is flagged when the data-path thread was on CPU less than this
FOREIGN_MAX = 0.20      # ... or when a process not ours used more than this much of a CPU
WIRE_OVERHEAD = 24      # bytes per frame on the wire beyond the frame (as myriad-gen counts)
# The "ndr" load (non-drop rate, RFC 2544's throughput): the highest offered rate carried
# with at most this share of the offered frames lost, found by a search of short runs...
NDR_LOSS = 0.001
# ... and with queues that do not grow: the last frame must arrive within this share of
# the probe after the generator stopped. Thousands of NF rings hold a million frames:
# without it a rate the NFs cannot sustain looks lossless for a probe's few seconds.
NDR_TAIL = 0.1
# A paced generator runs SCHED_FIFO at this priority (above the switch's control thread,
# 1): it then offers its load on time, as a hardware tester would, instead of waiting
# behind hundreds of runnable NFs on the core they share; its cycles are still counted.
GEN_RT_PRIORITY = 2
GEN_BEHIND = 0.97       # a paced run is flagged when it offered less than this share
NDR_STEPS = 7           # bisection steps after the bracket is found (~1% resolution)

# The paper's published points (PAPER.md, "What they found"). latency_ms is an average.
PAPER = {
    "A": {"latency_ms": [(100, 24.44)]},
    "B": {"latency_ms": [(40, 1.89), (100, 4.83), (2000, 160.0)],
          "gbps_700": [(2000, 8.0)]},
    "D": {"gbps_64": [(4, 6.05)]},
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def fmt_s(s):
    s = int(max(0, s))
    return "%d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60) if s >= 3600 else \
        "%d:%02d" % (s // 60, s % 60)


# ---- the machine and /proc ----------------------------------------------------------

def machine():
    info = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            k, _, v = line.partition(":")
            k = k.strip()
            if k in ("model name", "cpu MHz") and k not in info:
                info[k] = v.strip()

    def sh(*c):
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return None
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "model": info.get("model name"), "nproc": os.cpu_count(),
        "mhz": float(info["cpu MHz"]) if "cpu MHz" in info else None,
        "mem_gb": round(mem_kb / 1048576, 1), "kernel": os.uname().release,
        "dpdk": sh("pkg-config", "--modversion", "libdpdk"),
        "os": sh("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
        "hypervisor": sh("systemd-detect-virt"),
        "nic": "none: virtual wire (rte_ring ports), every DPDK process --no-pci",
    }


def git_meta():
    def git(*a):
        return subprocess.run(["git", "-C", TOP] + list(a), capture_output=True,
                              text=True).stdout
    commit = git("rev-parse", "--short", "HEAD").strip()
    dirty = git("status", "--porcelain", "--untracked-files=no").rstrip()
    return {"commit": commit + ("-dirty" if dirty else ""),
            "modified_files": [l[3:] for l in dirty.splitlines()]}


def cpu_times():
    """{"cpu0": (busy jiffies, total jiffies), ...} from /proc/stat."""
    out = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *v = line.split()
                v = [int(x) for x in v[:8]]
                out[name] = (sum(v) - v[3] - v[4], sum(v))
    return out


def cpu_shares(a, b):
    return {c: round((b[c][0] - a[c][0]) / (b[c][1] - a[c][1]), 4)
            if b[c][1] > a[c][1] else None for c in b if c in a}


def proc_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        fields = s[s.rindex(")") + 2:].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, ValueError):
        return 0


def proc_cpu_ns(pid):
    """Nanoseconds on CPU of a single-threaded process (schedstat: exact, where
    utime+stime are whole clock ticks, so 2000 NFs each below 10 ms sum to 0)."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def proc_snapshot():
    """{pid: (utime+stime ticks, ppid, last cpu, comm)} of every process."""
    out = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/stat" % pid) as f:
                    st = f.read()
                v = st[st.rindex(")") + 2:].split()
                out[int(pid)] = (int(v[11]) + int(v[12]), int(v[1]), int(v[36]),
                                 st[st.index("(") + 1:st.rindex(")")])
            except (OSError, ValueError, IndexError):
                pass
    return out


def cmdline(pid, default=""):
    try:
        with open("/proc/%d/cmdline" % pid) as f:
            return f.read().replace("\0", " ").strip()[:120] or default
    except OSError:
        return default


def busy_between(a, b, seconds, ours=(), min_share=0.1):
    """Processes that used more than min_share of a CPU between two snapshots, other
    than those in `ours` and their children."""
    ours = set(ours) | {os.getpid()}
    res = []
    for pid, (t, ppid, cpu, name) in b.items():
        if pid in ours or ppid in ours:
            continue
        share = (t - a.get(pid, (t,))[0]) / CLK_TCK / seconds
        if share > min_share:
            res.append({"pid": pid, "ppid": ppid, "cpu_share": round(share, 2),
                        "last_cpu": cpu, "cmd": cmdline(pid, name)})
    return res


def busy_neighbours(seconds=1.0, ours=()):
    a = proc_snapshot()
    time.sleep(seconds)
    return busy_between(a, proc_snapshot(), seconds, ours)


def sched(pid):
    """Per thread: (ns on CPU, ns runnable but waiting, involuntary switches)."""
    out = {}
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                run, wait = [int(x) for x in f.read().split()[:2]]
            nv = 0
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("nonvoluntary_ctxt_switches"):
                        nv = int(line.split()[1])
            out[tid] = (run, wait, nv)
    except OSError:
        pass
    return out


def busiest_thread(s0, s1, wall):
    """On-CPU share, run-queue wait share and involuntary switches of the thread that
    ran most between two sched() snapshots: the forwarding thread."""
    if not s1:
        return None, None, None
    tid = max(s1, key=lambda t: s1[t][0] - s0.get(t, (0, 0, 0))[0])
    d = [x - y for x, y in zip(s1[tid], s0.get(tid, (0, 0, 0)))]
    return d[0] / 1e9 / wall, d[1] / 1e9 / wall, d[2]


FOREIGN_PATTERN = "transport_a.py|myriad-switch|dpdk-testpmd|bench/harness.py|myriad-gen"


def foreign_dpdk():
    r = subprocess.run(["pgrep", "-af", FOREIGN_PATTERN], capture_output=True, text=True)
    me = os.getpid()
    out = []
    for line in r.stdout.splitlines():
        pid = int(line.split()[0])
        if pid != me and pid != os.getppid() and "pgrep" not in line and \
                "bench%s%d_" % ("", me) not in line.replace("benchsw", "bench").replace(
                    "benchtp", "bench"):
            out.append(line)
    return out


def wait_idle(limit):
    """Wait (up to `limit` s) until no other benchmark, switch or testpmd runs: on a
    2-core machine a second data path makes every number garbage."""
    t0 = time.time()
    while True:
        busy = foreign_dpdk()
        if not busy:
            return []
        if time.time() - t0 >= limit:
            log("warning: still running after %d s, measuring anyway:\n  %s"
                % (limit, "\n  ".join(busy)))
            return busy
        log("waiting for other DPDK/benchmark processes to finish (%s):\n  %s"
            % (fmt_s(time.time() - t0), "\n  ".join(busy)))
        time.sleep(10)


# ---- processes ----------------------------------------------------------------------

class Procs:
    """Every process and DPDK file prefix this run creates; cleanup() removes all."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="myriad-bench-")
        self.live = []
        self.prefixes = []
        self.extra_pids = set()

    def prefix(self, what):
        p = "bench%s%d_%d" % (what, os.getpid(), len(self.prefixes))
        self.prefixes.append(p)
        return p

    def start(self, cmd, log_path, **kw):
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=open(log_path, "w"),
                                stderr=subprocess.STDOUT, **kw)
        self.live.append(proc)
        return proc

    def run_timed(self, cmd, out_path, timeout):
        """Run cmd with stdout to out_path, killed after timeout s; returns the Popen
        (returncode -9 when killed) and its rusage, which wait4 alone gives."""
        with open(out_path, "w") as f:
            proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        self.live.append(proc)
        deadline = time.time() + timeout
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid != 0:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.time() > deadline:
                proc.kill()
                pid, status, ru = os.wait4(proc.pid, 0)
                proc.returncode = -9
                break
            time.sleep(0.02)
        self.live.remove(proc)
        return proc, ru

    def stop(self, proc, timeout=10):
        """SIGTERM, then SIGKILL after `timeout` s (a spinning testpmd ignores TERM)."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc in self.live:
            self.live.remove(proc)

    def kill_pids(self, pids):
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.extra_pids.discard(pid)

    def remove_files(self, prefix):
        shutil.rmtree("/var/run/dpdk/" + prefix, ignore_errors=True)
        for f in glob.glob("/dev/hugepages/%s*" % prefix):
            try:
                os.unlink(f)
            except OSError:
                pass

    def cleanup(self):
        for proc in reversed(list(self.live)):
            self.stop(proc)
        self.kill_pids(list(self.extra_pids))
        for p in self.prefixes:
            self.remove_files(p)
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---- what the generator drives: testpmd or the switch -------------------------------

class Testpmd:
    """dpdk-testpmd io forwarding 0 -> 1 on core 0 over two net_ring ports: the ceiling.
    A net_ring port's one ring is both its Rx and its Tx, so port 1's Rx queue is left
    stopped (deferred start): the generator is then the only consumer of its ring."""
    system = "testpmd"
    transport = "io"
    nfs = 0

    def __init__(self, procs):
        self.procs = procs
        self.pre = procs.prefix("tp")
        self.gen_args = ["--pool", "mb_pool_0", "--tx-ring", "ETH_RXTX0_net_ring0",
                         "--rx-ring", "ETH_RXTX0_net_ring1"]

    def start(self):
        cmds = os.path.join(self.procs.tmp, self.pre + ".cmds")
        with open(cmds, "w") as f:
            f.write("port stop 1\nport 1 rxq 0 deferred_start on\nport start 1\n")
        self.log = os.path.join(self.procs.tmp, self.pre + ".log")
        self.proc = self.procs.start(
            ["dpdk-testpmd", "--no-pci", "--file-prefix", self.pre, "-l", "0,1",
             "--main-lcore", "1", "--vdev=net_ring0", "--vdev=net_ring1", "--log-level=error",
             "--", "--forward-mode=io", "--nb-cores=1", "--mbcache=0", "--stats-period=3600",
             "--total-num-mbufs=65535", "--cmdline-file=" + cmds], self.log)
        for _ in range(300):
            with open(self.log) as f:
                if "start packet forwarding" in f.read():
                    break
            if self.proc.poll() is not None:
                raise RuntimeError("dpdk-testpmd exited at start: " + open(self.log).read()[-800:])
            time.sleep(0.1)
        time.sleep(0.5)

    def ours(self):
        return [self.proc.pid]

    def before(self):
        return {"sched": sched(self.proc.pid)}

    def after(self, a, g, wall):
        on, wait, nv = busiest_thread(a["sched"], sched(self.proc.pid), wall)
        return {"hops_per_pkt": 1, "dp_oncpu_share": on, "dp_runqueue_wait_share": wait,
                "dp_involuntary_switches": nv}

    def stop(self):
        self.procs.stop(self.proc)
        self.procs.remove_files(self.pre)


class Switch:
    """myriad-switch on core 0 with NFS signature NFs of one transport: NFS/2 tenants
    with 2-NF chains (the paper's layout), or one tenant with one NF when NFS is 1.
    Tenant i has MAC 02:00:00:00:HH:LL = i, so --dst-mac-range spreads consecutive
    packets over consecutive tenants."""
    system = "myriad"

    def __init__(self, procs, build, transport, nfs, switch_args=()):
        self.procs, self.B = procs, build
        self.transport, self.nfs = transport, nfs
        self.chain = 2 if nfs >= 2 else 1
        self.tenants = max(1, nfs // self.chain)
        self.switch_args = list(switch_args)
        self.pre = procs.prefix("sw")
        self.sock = os.path.join(procs.tmp, self.pre + ".sock")
        self.gen_args = ["--tx-port", "0", "--rx-port", "1",
                         "--dst-mac-range", "%s,%d" % (self.mac(1), self.tenants)]
        self.nf_pids = []

    @staticmethod
    def mac(i):
        return "02:00:00:00:%02x:%02x" % (i // 256, i % 256)

    def ctl(self, *a, timeout=60):
        r = subprocess.run([self.B + "/ctl/myriadctl", "-s", self.sock, "--json"] + list(a),
                           capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError("myriadctl %s: %s" % (" ".join(a), r.stderr or r.stdout))
        return json.loads(r.stdout) if r.stdout.strip().startswith(("{", "[")) else r.stdout

    def start(self):
        t0 = time.time()
        self.log = os.path.join(self.procs.tmp, self.pre + ".log")
        self.proc = self.procs.start(
            [self.B + "/switch/myriad-switch", "--no-pci", "--file-prefix", self.pre, "-l", "0",
             "--log-level=myriad.*:notice", "--", "--socket", self.sock, "--wire", "2",
             "--max-nfs", str(self.nfs + 8)] +
            (["--ring-size", "64"] if self.transport == "bpf" else []) +  # no ring is used
            self.switch_args, self.log)
        for _ in range(100):
            try:
                self.ctl("status")
                break
            except (RuntimeError, json.JSONDecodeError):
                if self.proc.poll() is not None:
                    raise RuntimeError("myriad-switch exited at start: " +
                                       open(self.log).read()[-800:])
                time.sleep(0.1)
        lines = []
        for t in range(1, self.tenants + 1):
            lines.append("tenant add t%d --mac %s --port 1" % (t, self.mac(t)))
            for k in range(1, self.chain + 1):
                if self.transport == "bpf":  # the same workload, run by the switch
                    lines.append("nf add t%d-%d --tenant t%d --bpf %s/nfs/signature.bpf.o"
                                 % (t, k, t, self.B))
                else:
                    lines.append("nf add t%d-%d --tenant t%d --transport %s --exec %s/nfs/"
                                 "myriad-nf-signature --no-wait" % (t, k, t, self.transport,
                                                                    self.B))
        batch = os.path.join(self.procs.tmp, self.pre + ".setup")
        with open(batch, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = subprocess.run([self.B + "/ctl/myriadctl", "-s", self.sock, "-f", batch],
                           capture_output=True, text=True, timeout=120 + self.nfs * 0.2)
        if r.returncode != 0:
            raise RuntimeError("setup batch failed: " + (r.stderr or r.stdout)[-800:])
        deadline = time.time() + 30 + self.nfs * 0.1
        while True:
            up = self.ctl("status")["nfs_up"]
            if up == self.nfs:
                break
            if time.time() > deadline:
                raise RuntimeError("only %d of %d NFs came up" % (up, self.nfs))
            time.sleep(0.2)
        self.nf_pids = [n["pid"] for n in self.ctl("stats", "--nfs")["nfs"] if n["pid"] > 0]
        self.procs.extra_pids.update(self.nf_pids)
        self.attach_s = time.time() - t0

    def ours(self):
        return [self.proc.pid] + self.nf_pids

    def before(self):
        return {"stats": self.ctl("stats", "--nfs"), "sched": sched(self.proc.pid),
                "nf_ns": sum(proc_cpu_ns(p) for p in self.nf_pids)}

    def after(self, a, g, wall):
        s1 = sched(self.proc.pid)
        nf_ns = sum(proc_cpu_ns(p) for p in self.nf_pids)
        b = self.ctl("stats", "--nfs")
        for _ in range(300):  # let every packet leave (or be dropped) before the next run
            if b["in_flight"] == 0:
                break
            time.sleep(0.1)
            b = self.ctl("stats", "--nfs")
        sa = a["stats"]
        da, db = sa["datapath"], b["datapath"]
        hops = db["hops"] - da["hops"]
        rx = b["rx"] - sa["rx"]
        hz = db["tsc_hz"]
        window = g["rx_duration_s"] if g["rx_duration_s"] > 0 else g["duration_s"]
        on, wait, nv = busiest_thread(a["sched"], s1, wall)
        nfa = {n["name"]: n for n in sa.get("nfs", [])}
        # wake-ups and sleeps are counters of blocking NFs only (absent for the others)
        woken = [n.get("wakeups", 0) - nfa[n["name"]].get("wakeups", 0)
                 for n in b.get("nfs", []) if n["name"] in nfa]
        sleeps = sum(n.get("sleeps", 0) - nfa[n["name"]].get("sleeps", 0)
                     for n in b.get("nfs", []) if n["name"] in nfa)
        wakeups = db.get("wakeups", 0) - da.get("wakeups", 0)
        busy = db["busy_cycles"] - da["busy_cycles"]
        r = {
            "switch_rx": rx, "switch_tx": b["tx"] - sa["tx"],
            "switch_dropped": b["dropped"] - sa["dropped"],
            "drops": {k: v - sa["drops"].get(k, 0) for k, v in b["drops"].items()
                      if v - sa["drops"].get(k, 0)},
            "hops": hops, "hops_per_pkt": hops / rx if rx else None,
            "busy_cycles": busy, "rounds": db["rounds"] - da["rounds"],
            "busy_rounds": db["busy_rounds"] - da["busy_rounds"],
            "cycles_per_hop_busy": busy / hops if hops else None,
            "cycles_per_hop_total": hz * window / hops if hops else None,
            "core0_busy_share": busy / (hz * window) if window else None,
            "dp_oncpu_share": on, "dp_runqueue_wait_share": wait,
            "dp_involuntary_switches": nv,
            "wakeups": wakeups, "wakeups_per_s": wakeups / window if window else None,
            "wakeups_per_pkt": wakeups / rx if rx else None,
            "nfs_woken": sum(1 for w in woken if w > 0), "sleeps": sleeps,
            "active_nfs_after": db.get("active_nfs"),
            "pool_avail_after": b["pool"]["avail"], "pool_size": b["pool"]["size"],
            "nf_cpu_share": (nf_ns - a["nf_ns"]) / 1e9 / wall,
            "switch_other_threads_cpu_share": sum(
                v[0] - a["sched"].get(t, (0,))[0] for t, v in s1.items()) / 1e9 / wall - (on or 0),
        }
        if r["cycles_per_hop_total"] and on:
            r["cycles_per_hop_oncpu"] = r["cycles_per_hop_total"] * on
        return r

    def stop(self):
        self.procs.stop(self.proc, timeout=30)
        self.procs.kill_pids(self.nf_pids)  # normally gone already: they exit with the switch
        self.nf_pids = []
        self.procs.remove_files(self.pre)


# ---- running points ------------------------------------------------------------------

class Progress:
    """Progress and time left of the whole invocation, on stderr. The estimate starts
    from a cost model and is rescaled by how long the finished part really took."""

    def __init__(self, total_est):
        self.total_est = max(total_est, 1.0)
        self.done_est = 0.0
        self.t0 = time.time()
        self.n = 0

    def advance(self, est):
        self.done_est += est

    def line(self, what):
        el = time.time() - self.t0
        frac = min(self.done_est / self.total_est, 0.999)
        left = (self.total_est - self.done_est) * (el / self.done_est if self.done_est > 5
                                                   else 1.0)
        return "[%3d%% %s elapsed, ~%s left] %s" % (100 * frac, fmt_s(el), fmt_s(left), what)


def est_setup(s, prof):
    """Seconds a setup should take, for the ETA: start, attach, points, teardown."""
    per_nf = {"poll": 0.03, "block": 0.008, "bpf": 0.002}.get(s.get("transport"), 0)
    t = 4.0 + s.get("nfs", 0) * per_nf
    for _ in s["sizes"]:
        for load in s["loads"]:
            t += prof["warmup"] + 1.2 + prof["reps"] * (prof["dur"] + 1.2)
            if load == "ndr":
                t += (NDR_STEPS + 3) * (prof["probe"] + 1.5)
    return t


def offered(g):
    """Frames the generator offered: sent, or found the wire ring full or the pool empty."""
    return g["tx_packets"] + (g.get("tx_full") or 0) + (g.get("tx_nombuf") or 0)


def offered_share(g, rate):
    """Of the frames --rate made due over the sending time, the share offered; None when
    not paced."""
    if not rate or not g["duration_s"]:
        return None
    return offered(g) / (rate * g["duration_s"])


def offered_loss(g):
    n = offered(g)
    return (n - g["rx_packets"]) / n if n else None


class Runner:
    def __init__(self, args, procs, prof):
        self.B = os.path.abspath(args.build)
        self.procs, self.p = procs, prof
        self.strict = args.strict
        self.gen_core = args.gen_core
        self.wait_limit = args.wait_idle
        self.runs = []

    def gen(self, target, size, rate, duration):
        out = os.path.join(self.procs.tmp, "gen.json")
        cmd = [self.B + "/gen/myriad-gen", "--file-prefix", target.pre,
               "--proc-type=secondary", "--no-pci", "-l", str(self.gen_core),
               "--log-level=error", "--", "--json", "--quiet", "--rate", str(int(rate)),
               "--duration", str(duration)] + \
            (["--imix"] if size == "imix" else ["--size", str(size)]) + \
            (["--rt-priority", str(GEN_RT_PRIORITY)] if rate else []) + target.gen_args
        proc, ru = self.procs.run_timed(cmd, out, duration + 60)
        with open(out) as f:
            text = f.read()
        if proc.returncode != 0 or not text.strip():
            raise RuntimeError("myriad-gen failed (%s): %s" % (proc.returncode, " ".join(cmd)))
        g = json.loads(text)
        g.pop("flows", None)
        g["gen_cpu_s"] = ru.ru_utime + ru.ru_stime
        g["gen_pid"] = proc.pid
        return g

    def run(self, target, meta, size, rate, dur, kind, rep, retried=False):
        """One generator run against a started target, with every measurement around it."""
        c0, p0, t0 = cpu_times(), proc_snapshot(), time.time()
        a = target.before()
        g = self.gen(target, size, rate, dur)
        wall = time.time() - t0
        c1, p1 = cpu_times(), proc_snapshot()
        x = target.after(a, g, wall)
        hz = g["tsc_hz"]
        window = g["rx_duration_s"] if g["rx_duration_s"] > 0 else g["duration_s"]
        r = dict(meta)
        r.update({
            "size": size, "kind": kind, "rep": rep, "rate_target_pps": rate,
            "tx_packets": g["tx_packets"], "rx_packets": g["rx_packets"],
            "tx_nombuf": g.get("tx_nombuf"), "tx_full": g.get("tx_full"),
            "tx_mpps": g["tx_mpps"], "rx_mpps": g["rx_mpps"], "rx_gbps": g["rx_gbps"],
            "loss": (g["tx_packets"] - g["rx_packets"]) / g["tx_packets"]
            if g["tx_packets"] else None,
            # what was due but never left the generator (wire ring full, pool empty) is
            # lost too, from the offered load's point of view
            "offered_loss": offered_loss(g),
            "offered_share": offered_share(g, rate),
            "lost_seq": g["lost"], "reordered": g["reordered"],
            "latency_us": g["latency_us"],
            "core0_cycles_per_pkt": hz * window / g["rx_packets"] if g["rx_packets"] else None,
            "gen_cycles_per_pkt": g["gen_cycles_per_pkt"], "gen_sleeps": g.get("sleeps"),
            "gen_cpu_share": g["gen_cpu_s"] / wall,
            "cpu": cpu_shares(c0, c1),
            "duration_s": g["duration_s"], "rx_duration_s": g["rx_duration_s"],
            "wall_s": round(wall, 3), "tsc_hz": hz, "stopped_by": g["stopped_by"],
        })
        r.update(x)
        with open("/proc/loadavg") as f:
            r["loadavg_1m"] = float(f.read().split()[0])
        r["foreign"] = busy_between(p0, p1, wall, target.ours() + [g["gen_pid"]])
        flags, retry = [], False
        if r["offered_share"] is not None and r["offered_share"] < GEN_BEHIND:
            flags.append("gen offered %.0f%%" % (100 * r["offered_share"]))
        if r.get("dp_oncpu_share") is not None and r["dp_oncpu_share"] < ONCPU_MIN:
            flags.append("dp_oncpu=%.2f" % r["dp_oncpu_share"])
        for n in r["foreign"]:
            if n["cpu_share"] > FOREIGN_MAX:
                flags.append("foreign %s %.0f%%" % (n["cmd"][:40], 100 * n["cpu_share"]))
                # a user process (a build, another test) usually passes: measure again;
                # a kernel thread (kdamond with 2000 NFs) comes with the load itself
                retry |= n["ppid"] != 2 and n["pid"] != 2
        r["flags"] = flags
        if kind != "warmup" and retry and not retried:
            r["kind"] = "discarded"
            self.runs.append(r)
            log("  busy neighbour (%s): repeating the run in 5 s" % "; ".join(flags))
            time.sleep(5)
            return self.run(target, meta, size, rate, dur, kind, rep, retried=True)
        self.runs.append(r)
        if flags and kind != "warmup":
            log("  FLAGGED: " + "; ".join(flags))
            if self.strict:
                raise RuntimeError("--strict: run flagged: " + "; ".join(flags))
        return r

    def search_ndr(self, target, meta, size, start_pps):
        """The non-drop rate: the highest offered rate whose offered loss is at most
        NDR_LOSS and whose last frame came within NDR_TAIL x the probe, by short runs: from start_pps, double (or halve) until the
        answer changes, then bisect NDR_STEPS times. Probes are kept as kind "probe"."""
        m = dict(meta, load="probe", fraction=None)
        dur = self.p["probe"]

        def ok(rate):
            r = self.run(target, m, size, rate, dur, "probe", 0)
            tail = r["rx_duration_s"] - r["duration_s"]
            good = r["offered_loss"] is not None and r["offered_loss"] <= NDR_LOSS and \
                tail <= NDR_TAIL * dur
            log("  ndr probe %.0f pps: loss %.3f%%, last frame %.0f ms after the end: %s" % (
                rate, 100 * (r["offered_loss"] or 0), 1e3 * tail,
                "ok" if good else "too much"))
            return good

        rate = max(1000.0, start_pps)
        if ok(rate):
            lo, hi = rate, None
            while hi is None and lo < 5e7:
                if ok(lo * 2):
                    lo *= 2
                else:
                    hi = lo * 2
            if hi is None:
                return lo
        else:
            lo, hi = None, rate
            while lo is None and hi > 500:
                if ok(hi / 2):
                    lo = hi / 2
                else:
                    hi /= 2
            if lo is None:
                return hi / 2  # nothing is carried without loss: report the floor tried
        for _ in range(NDR_STEPS):
            mid = (lo + hi) / 2
            if ok(mid):
                lo = mid
            else:
                hi = mid
        return lo

    def setup(self, s, progress, scenario):
        """Start one target, measure all its points, stop it. A point is a size and a
        load: "max" (--rate 0), "ndr" (the non-drop rate, searched), "pps:N" (N packets
        per second), or a float f: f x the reference rate, which is the NDR when the setup measures it (the load a
        user can offer without loss), else the rate delivered at max load."""
        prof = self.p
        wait_idle(self.wait_limit)  # a switch or testpmd started meanwhile: let it end
        if s["system"] == "testpmd":
            target = Testpmd(self.procs)
            what = "testpmd io"
        else:
            target = Switch(self.procs, self.B, s["transport"], s["nfs"], s.get("switch_args", ()))
            what = "%s %d NFs" % (s["transport"], s["nfs"])
        log(progress.line("%s: starting %s" % (scenario, what)))
        target.start()
        if s["system"] != "testpmd":
            log("  %d NFs attached in %.1f s" % (s["nfs"], target.attach_s))
        meta = {"scenario": scenario, "system": target.system, "transport": target.transport,
                "nfs": target.nfs, "tenants": getattr(target, "tenants", 0),
                "chain": getattr(target, "chain", 0),
                "switch_args": " ".join(s.get("switch_args", ()))}
        overhead = 4.0 + s.get("nfs", 0) * {"poll": 0.03, "block": 0.008, "bpf": 0.002}.get(
            s.get("transport"), 0)
        progress.advance(overhead)
        try:
            for size in s["sizes"]:
                max_mpps = ndr_pps = None
                for load in s["loads"]:
                    est = prof["warmup"] + 1.2 + prof["reps"] * (prof["dur"] + 1.2)
                    if load == "max":
                        rate, label = 0, "max"
                    elif load == "ndr":
                        t0 = time.time()
                        ndr_pps = self.search_ndr(target, meta, size,
                                                  (max_mpps or 0.01) * 1e6)
                        log("  ndr %.0f pps, found in %.0f s" % (ndr_pps, time.time() - t0))
                        rate, label = ndr_pps, "ndr"
                        est += (NDR_STEPS + 3) * (prof["probe"] + 1.5)
                    elif isinstance(load, str) and load.startswith("pps:"):
                        rate = float(load[4:])  # an absolute rate, e.g. a target's
                        label = "%.0fkpps" % (rate / 1e3)
                    else:
                        ref = ndr_pps or (max_mpps * 1e6 if max_mpps else None)
                        if not ref:
                            continue
                        rate, label = max(100, load * ref), "f%.2f" % load
                    m = dict(meta, load=label, fraction=load if isinstance(load, float) else None,
                             reference="ndr" if ndr_pps and isinstance(load, float) else
                             "max" if isinstance(load, float) else None)
                    self.run(target, m, size, rate, prof["warmup"], "warmup", 0)
                    reps = [self.run(target, m, size, rate, prof["dur"], "rep", i)
                            for i in range(prof["reps"])]
                    if load == "max":
                        max_mpps = statistics.mean(r["rx_mpps"] for r in reps)
                    progress.advance(est)
                    r = reps[-1]
                    log(progress.line(
                        "%s %s %sB %s%s: %.4f Mpps %.3f Gbps loss %.2f%% lat mean/p99 "
                        "%.0f/%.0f us%s%s" % (
                            scenario, what, size, label,
                            " (%.0f pps)" % rate if rate else "",
                            statistics.mean(x["rx_mpps"] for x in reps),
                            statistics.mean(x["rx_gbps"] for x in reps),
                            100 * statistics.mean(x["offered_loss"] or 0 for x in reps),
                            r["latency_us"]["mean"], r["latency_us"]["p99"],
                            " wakeups/pkt %.2f" % r["wakeups_per_pkt"]
                            if r.get("wakeups_per_pkt") is not None and
                            target.transport == "block" else "",
                            " dp on-CPU %.0f%%" % (100 * r["dp_oncpu_share"])
                            if r.get("dp_oncpu_share") is not None else "")))
        finally:
            target.stop()


# ---- summaries and files -----------------------------------------------------------

NUM = ["rx_mpps", "rx_gbps", "tx_mpps", "loss", "offered_loss", "offered_share", "core0_cycles_per_pkt",
       "cycles_per_hop_busy", "cycles_per_hop_total", "cycles_per_hop_oncpu",
       "core0_busy_share", "hops_per_pkt", "wakeups", "wakeups_per_s", "wakeups_per_pkt",
       "nfs_woken", "sleeps", "nf_cpu_share", "switch_other_threads_cpu_share",
       "gen_cpu_share", "gen_cycles_per_pkt",
       "dp_oncpu_share", "dp_runqueue_wait_share", "loadavg_1m", "switch_dropped",
       "tx_nombuf", "rate_target_pps"]
LAT = ["mean", "p50", "p90", "p99", "p999", "max"]
KEY = ("scenario", "system", "transport", "nfs", "size", "load")


def summarize(runs):
    groups = {}
    for r in runs:
        if r["kind"] == "rep":
            groups.setdefault(tuple(r[k] for k in KEY), []).append(r)
    out = []
    for key, rs in groups.items():
        s = dict(zip(KEY, key))
        s.update({"tenants": rs[0]["tenants"], "chain": rs[0]["chain"],
                  "fraction": rs[0].get("fraction"), "reference": rs[0].get("reference"),
                  "reps": len(rs)})
        cols = [(k, [r.get(k) for r in rs]) for k in NUM]
        cols += [("lat_" + q, [r["latency_us"][q] for r in rs]) for q in LAT]
        cpus = sorted({c for r in rs for c in r["cpu"]}, key=lambda c: int(c[3:]))
        cols += [(c + "_busy", [r["cpu"].get(c) for r in rs]) for c in cpus]
        for k, vals in cols:
            vals = [v for v in vals if v is not None]
            if vals:
                s[k] = statistics.mean(vals)
                s[k + "_min"], s[k + "_max"] = min(vals), max(vals)
        reasons = sorted({d for r in rs for d in r.get("drops", {})})
        s["drops"] = {d: statistics.mean(r.get("drops", {}).get(d, 0) for r in rs)
                      for d in reasons}
        s["flags"] = sorted({f for r in rs for f in r["flags"]})
        s["flagged_reps"] = sum(1 for r in rs if r["flags"])
        out.append(s)
    return out


def add_ceiling(summary, ceiling):
    """Each myriad row gets the testpmd ceiling at its size, and its fraction of it."""
    ceil = {s["size"]: s for s in ceiling if s["load"] == "max"}
    for s in summary:
        c = ceil.get(s["size"])
        if c and s["system"] != "testpmd":
            s["ceiling_mpps"] = c["rx_mpps"]
            s["ceiling_gbps"] = c["rx_gbps"]
            s["frac_of_ceiling"] = s["rx_mpps"] / c["rx_mpps"] if c["rx_mpps"] else None


CSV_HEAD = ["commit", "date", "profile", "model", "nproc", "mhz", "kernel", "dpdk"]
CSV_COLS = ["scenario", "system", "transport", "nfs", "tenants", "chain", "size", "load",
            "fraction", "reference", "reps", "rate_target_pps"]
CSV_STATS = ["rx_mpps", "rx_gbps", "tx_mpps", "loss", "offered_loss", "lat_mean", "lat_p50", "lat_p90",
             "lat_p99", "lat_p999", "lat_max", "ceiling_mpps", "ceiling_gbps",
             "frac_of_ceiling", "cycles_per_hop_busy", "cycles_per_hop_total",
             "cycles_per_hop_oncpu", "hops_per_pkt", "core0_cycles_per_pkt", "wakeups_per_s",
             "wakeups_per_pkt", "nfs_woken", "nf_cpu_share", "gen_cpu_share",
             "switch_other_threads_cpu_share",
             "dp_oncpu_share", "dp_runqueue_wait_share", "cpu0_busy", "cpu1_busy",
             "switch_dropped", "tx_nombuf"]


def write_files(stem, meta, summary, runs, ceiling):
    with open(stem + ".json", "w") as f:
        json.dump({**meta, "ceiling": ceiling, "summary": summary, "runs": runs}, f, indent=1)
    reasons = sorted({d for s in summary for d in s.get("drops", {})})
    with open(stem + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(CSV_HEAD + CSV_COLS + CSV_STATS +
                   [k + "_min" for k in ("rx_mpps", "lat_mean", "lat_p99")] +
                   [k + "_max" for k in ("rx_mpps", "lat_mean", "lat_p99")] +
                   ["drop_" + d for d in reasons] + ["flags"])
        m = meta["machine"]
        for s in ceiling + summary:
            w.writerow([meta["commit"], meta["date"], meta["profile"], m["model"], m["nproc"],
                        m["mhz"], m["kernel"], m["dpdk"]] +
                       [s.get(k) for k in CSV_COLS + CSV_STATS] +
                       [s.get(k + "_min") for k in ("rx_mpps", "lat_mean", "lat_p99")] +
                       [s.get(k + "_max") for k in ("rx_mpps", "lat_mean", "lat_p99")] +
                       [s.get("drops", {}).get(d) for d in reasons] +
                       ["; ".join(s.get("flags", []))])


def latest(out_dir, scenario):
    files = sorted(glob.glob(os.path.join(out_dir, scenario + "-2*.json")))
    if not files:
        return None
    with open(files[-1]) as f:
        return json.load(f)


# ---- scenarios -----------------------------------------------------------------------

def load_scenarios():
    """Every bench/scenarios/*.py with NAME, DESCRIPTION, setups(profile) and plot()."""
    out = {}
    for path in sorted(glob.glob(os.path.join(BENCH, "scenarios", "*.py"))):
        if os.path.basename(path).startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(
            "scenario_" + os.path.basename(path)[:-3].replace("-", "_"), path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        out[mod.NAME] = mod
    return out


def sizes_of(setups):
    out = []
    for s in setups:
        for z in s["sizes"]:
            if z not in out:
                out.append(z)
    return out


def size_key(z):
    return 10 ** 6 if z == "imix" else z


def main():
    sys.path.insert(0, BENCH)
    import plots
    scen = load_scenarios()
    order = ["ceiling", "sizes", "poll-nfs", "block-nfs", "latency-load"]
    default = [n for n in order if n in scen] + sorted(set(scen) - set(order))
    ap = argparse.ArgumentParser(
        prog="bench/run", description="myriad benchmark scenarios; writes "
        "bench/results/<scenario>-<date>.{csv,json,png}. Default: --quick, all scenarios.")
    ap.add_argument("scenarios", nargs="*", metavar="SCENARIO")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_const", dest="profile", const="quick",
                   help="few points, 1 x 2 s each (the default; ~4-5 minutes for all)")
    g.add_argument("--full", action="store_const", dest="profile", const="full",
                   help="every point, warm-up 1 s + 3 x 5 s (see doc/results.md)")
    ap.add_argument("--list", action="store_true", help="list the scenarios and exit")
    ap.add_argument("--dry-run", action="store_true", help="print the plan and the estimate")
    ap.add_argument("--nfs", help="override the NF counts of the sweeps, e.g. 2,100,2000")
    ap.add_argument("--reps", type=int, help="override the repetitions per point")
    ap.add_argument("--duration", type=float, help="override the seconds per repetition")
    ap.add_argument("--loads", metavar="LOADS",
                    help="override every setup's loads, e.g. max,ndr,0.5,pps:20000")
    ap.add_argument("--switch-args", default="", metavar="ARGS",
                    help="extra myriad-switch options for every setup, e.g. "
                    "'--wake-budget 40000' (recorded in the results)")
    ap.add_argument("--gen-core", type=int, default=1, metavar="CPU",
                    help="core of myriad-gen (default 1, with the NFs; 0 puts it on the "
                    "switch's core)")
    ap.add_argument("--no-ceiling", action="store_true",
                    help="skip the testpmd ceiling that every run measures by default")
    ap.add_argument("--strict", action="store_true",
                    help="abort when a run is flagged (data path off CPU, busy neighbour)")
    ap.add_argument("--wait-idle", type=float, default=900, metavar="SEC",
                    help="wait up to SEC s for other switches/testpmd/benchmarks to end (900)")
    ap.add_argument("--replot", action="store_true",
                    help="only redraw the PNGs of the newest results of the scenarios")
    ap.add_argument("--build", default=os.environ.get("MYRIAD_BUILD", TOP + "/build"))
    ap.add_argument("--out", default=os.path.join(BENCH, "results"))
    args = ap.parse_args()
    args.profile = args.profile or "quick"
    if args.list:
        for n in default:
            print("%-13s %s" % (n, scen[n].DESCRIPTION))
        return 0
    names = args.scenarios or default
    for n in names:
        if n not in scen:
            ap.error("unknown scenario %s (bench/run --list)" % n)
    if args.replot:
        for n in names:
            res = latest(args.out, n)
            if res:
                stem = os.path.join(args.out, "%s-%s" % (n, res["stamp"]))
                scen[n].plot(res, stem + ".png")
                log("wrote " + stem + ".png")
        plots.overlay(args.out)
        return 0

    prof = dict(PROFILES[args.profile])
    if args.reps:
        prof["reps"] = args.reps
    if args.duration:
        prof["dur"] = args.duration
    nfs_override = [int(x) for x in args.nfs.split(",")] if args.nfs else None
    plan = {}
    for n in names:
        setups = scen[n].setups(args.profile)
        if nfs_override and getattr(scen[n], "SWEEPS_NFS", False):
            tmpl = setups[0]
            setups = [dict(tmpl, nfs=k) for k in nfs_override]
        for st in setups:
            if args.loads:
                st["loads"] = [x if x in ("max", "ndr") or x.startswith("pps:") else float(x)
                               for x in args.loads.split(",")]
            if st["system"] == "myriad" and args.switch_args:
                st["switch_args"] = list(st.get("switch_args", ())) + args.switch_args.split()
        plan[n] = setups
    ceiling_sizes = sorted(set(
        sizes_of([s for n in names if n != "ceiling" for s in plan[n]]) +
        (sizes_of(plan["ceiling"]) if "ceiling" in plan else [])), key=size_key)
    ceiling_setup = None if args.no_ceiling and "ceiling" not in names else \
        {"system": "testpmd", "sizes": ceiling_sizes, "loads": ["max"]}
    plan.pop("ceiling", None)
    total = (est_setup(ceiling_setup, prof) if ceiling_setup else 0) + \
        sum(est_setup(s, prof) for n in plan for s in plan[n])
    log("bench: profile %s (warm-up %.1f s, %d x %.1f s per point), scenarios %s; "
        "estimated %s" % (args.profile, prof["warmup"], prof["reps"], prof["dur"],
                          " ".join(names), fmt_s(total)))
    if args.dry_run:
        if ceiling_setup:
            print("ceiling: testpmd io, sizes %s" % ceiling_setup["sizes"])
        for n in plan:
            for s in plan[n]:
                print("%s: %s %s, %s NFs, sizes %s, loads %s%s (~%s)" % (
                    n, s["system"], s.get("transport"), s.get("nfs", ""), s["sizes"], s["loads"],
                    " switch %s" % " ".join(s["switch_args"]) if s.get("switch_args") else "",
                    fmt_s(est_setup(s, prof))))
        return 0
    if os.geteuid() != 0:
        ap.error("run as root (hugepages, DPDK multi-process)")

    waited = wait_idle(args.wait_idle)
    now = datetime.datetime.now(datetime.timezone.utc)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    meta = {**git_meta(), "date": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "stamp": stamp,
            "machine": machine(), "profile": args.profile, "settings": prof,
            "lat_fraction": LAT_FRACTION, "oncpu_min": ONCPU_MIN, "gen_core": args.gen_core,
            "gen_rt_priority": GEN_RT_PRIORITY, "ndr_loss": NDR_LOSS,
            "ndr_tail": NDR_TAIL,
            "foreign_dpdk_at_start": waited, "command": " ".join(sys.argv)}
    with open("/proc/loadavg") as f:
        meta["loadavg_at_start"] = f.read().strip()
    meta["busy_neighbours_at_start"] = busy_neighbours()
    for nb in meta["busy_neighbours_at_start"]:
        log("warning: another process is busy (%.0f%% of a CPU, last on cpu%d): %s" % (
            100 * nb["cpu_share"], nb["last_cpu"], nb["cmd"]))

    procs = Procs()
    runner = Runner(args, procs, prof)
    progress = Progress(total)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(130))
    os.makedirs(args.out, exist_ok=True)
    written = []
    t_all = time.time()
    try:
        ceiling = []
        if ceiling_setup:
            t0 = time.time()
            runner.setup(ceiling_setup, progress, "ceiling")
            ceiling = summarize(runner.runs)
            if "ceiling" in names:
                stem = os.path.join(args.out, "ceiling-" + stamp)
                res = {**meta, "scenario": "ceiling", "elapsed_s": round(time.time() - t0, 1)}
                write_files(stem, res, [], list(runner.runs), ceiling)
                scen["ceiling"].plot({**res, "ceiling": ceiling, "summary": []}, stem + ".png")
                written.append(stem)
        ceiling_runs = list(runner.runs)
        for n in plan:
            t0 = time.time()
            runner.runs = []
            for s in plan[n]:
                runner.setup(s, progress, n)
            summary = summarize(runner.runs)
            add_ceiling(summary, ceiling)
            stem = os.path.join(args.out, "%s-%s" % (n, stamp))
            res = {**meta, "scenario": n, "description": scen[n].DESCRIPTION,
                   "elapsed_s": round(time.time() - t0, 1),
                   "busy_neighbours_at_end": None}
            write_files(stem, res, summary, runner.runs + ceiling_runs, ceiling)
            scen[n].plot({**res, "ceiling": ceiling, "summary": summary}, stem + ".png")
            written.append(stem)
            log("wrote %s.{csv,json,png}" % stem)
    finally:
        procs.cleanup()
    end_nb = busy_neighbours()
    for stem in written:  # record who was busy at the end too
        with open(stem + ".json") as f:
            res = json.load(f)
        res["busy_neighbours_at_end"] = end_nb
        with open(stem + ".json", "w") as f:
            json.dump(res, f, indent=1)
    if any(n in plan for n in ("poll-nfs", "block-nfs")):
        p = plots.overlay(args.out)
        if p:
            log("wrote " + p)
    log("bench: done in %s (estimated %s)" % (fmt_s(time.time() - t_all), fmt_s(total)))
    print_table(written)
    return 0


def print_table(stems):
    print("%-12s %-8s %-5s %5s %5s %-6s %9s %8s %7s %10s %10s %9s %8s %s" % (
        "scenario", "system", "tr", "NFs", "size", "load", "Mpps", "Gbps", "loss%",
        "lat mean", "lat p99", "cyc/hop", "wk/pkt", "flags"))
    for stem in stems:
        with open(stem + ".json") as f:
            res = json.load(f)
        rows = res["ceiling"] if res["scenario"] == "ceiling" else res["summary"]
        for s in rows:
            def g(k, fmt):
                return fmt % s[k] if s.get(k) is not None else "-"
            print("%-12s %-8s %-5s %5s %5s %-6s %9s %8s %7s %10s %10s %9s %8s %s" % (
                res["scenario"], s["system"], s["transport"], s["nfs"], s["size"], s["load"],
                g("rx_mpps", "%.4f"), g("rx_gbps", "%.3f"),
                "%.2f" % (100 * s["offered_loss"]) if s.get("offered_loss") is not None
                else "-",
                g("lat_mean", "%.0f"), g("lat_p99", "%.0f"),
                g("cycles_per_hop_oncpu", "%.0f"), g("wakeups_per_pkt", "%.3f"),
                ",".join(s.get("flags", []))[:40]))


if __name__ == "__main__":
    sys.exit(main())
