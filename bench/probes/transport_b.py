#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Transport B probes on K blocking signature NFs in K/2 two-NF chains (switch on core 0,
# NFs and myriad-gen on core 1); quick answers the harness does not give directly.
#   transport_b.py load K SIZE RATES [SEC] [SWITCH-OPTS]: throughput, latency, wake-ups/s,
#       NF-core busy, switch cycles/hop and drops at each offered rate (comma-separated);
#   transport_b.py active K SIZE [SEC]: attach time, idle cost of the K NFs, and max-load
#       throughput of 2 active tenants (4 NFs) among them.
import json, os, signal, subprocess, sys, tempfile, time

B = os.environ.get("MYRIAD_BUILD",
                   os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build"))


def mac(i):
    return "02:00:00:00:%02x:%02x" % (i // 256, i % 256)


class Switch:
    """A switch with K blocking NFs attached; stop() leaves nothing behind."""

    def __init__(self, k, extra=()):
        self.dir = tempfile.mkdtemp()
        self.sock = self.dir + "/s.sock"
        self.pre = "probe%d" % os.getpid()
        self.proc = subprocess.Popen(
            [B + "/switch/myriad-switch", "--no-pci", "--file-prefix", self.pre, "-l", "0",
             "--log-level=error", "--", "--socket", self.sock, "--wire", "2",
             "--max-nfs", str(k + 8)] + list(extra),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if self.ctl("status"):
                break
            time.sleep(0.1)
        with open(self.dir + "/setup", "w") as f:
            for i in range(1, k // 2 + 1):
                f.write("tenant add t%d --mac %s --port 1\n" % (i, mac(i)))
                for n in "ab":
                    f.write("nf add t%d%s --tenant t%d --transport block --exec "
                            "%s/nfs/myriad-nf-signature --no-wait\n" % (i, n, i, B))
        t0 = time.time()
        subprocess.run([B + "/ctl/myriadctl", "-s", self.sock, "-f", self.dir + "/setup"],
                       capture_output=True)
        while json.loads(self.ctl("status"))["nfs_up"] != k:
            time.sleep(0.2)
        self.attach_s = time.time() - t0

    def ctl(self, *a):
        return subprocess.run([B + "/ctl/myriadctl", "-s", self.sock, "--json"] + list(a),
                              capture_output=True, text=True).stdout

    def stats(self):
        return json.loads(self.ctl("stats"))

    def gen(self, *args):
        g = subprocess.run([B + "/gen/myriad-gen", "--file-prefix", self.pre,
                            "--proc-type=secondary", "--no-pci", "-l", "1", "--log-level=error",
                            "--", "--quiet", "--json", "--tx-port", "0", "--rx-port", "1"]
                           + [str(x) for x in args], capture_output=True, text=True)
        return json.loads(g.stdout)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        subprocess.run(["rm", "-rf", self.dir, "/var/run/dpdk/" + self.pre])
        os.system("rm -f /dev/hugepages/%smap_*" % self.pre)


def cpu1():
    """(busy, total) jiffies of cpu1."""
    for line in open("/proc/stat"):
        if line.startswith("cpu1 "):
            v = list(map(int, line.split()[1:]))
            return sum(v) - v[3] - v[4], sum(v)


def dp_delta(s0, s1):
    hops = s1["datapath"]["hops"] - s0["datapath"]["hops"]
    busy = s1["datapath"]["busy_cycles"] - s0["datapath"]["busy_cycles"]
    return (s1["datapath"]["wakeups"] - s0["datapath"]["wakeups"]), busy / max(1, hops)


def load(k, size, rates, dur=3.0, extra=""):
    sw = Switch(k, extra.split())
    time.sleep(1)
    try:
        for r in rates:
            s0, c0 = sw.stats(), cpu1()
            j = sw.gen("--size", size, "--rate", int(r), "--duration", dur,
                       "--dst-mac-range", "%s,%d" % (mac(1), k // 2))
            s1, c1 = sw.stats(), cpu1()
            wakes, cph = dp_delta(s0, s1)
            drops = {d: s1["drops"][d] - s0["drops"][d] for d in s1["drops"]
                     if s1["drops"][d] != s0["drops"][d]}
            lat = j["latency_us"]
            print("K=%d size=%d rate=%.0f: rx %.3f Mpps %.2f Gbps loss %.2f%% lat mean %.0f "
                  "p50 %.0f p99 %.0f max %.0f us | wakes/s %.0f | cpu1 %.0f%% | cyc/hop %.0f | "
                  "gen cyc/pkt %.0f | drops %s" % (
                      k, size, r, j["rx_mpps"], j["rx_gbps"],
                      100 * (1 - j["rx_packets"] / max(1, j["tx_packets"])), lat["mean"],
                      lat["p50"], lat["p99"], lat["max"], wakes / dur,
                      100 * (c1[0] - c0[0]) / (c1[1] - c0[1]), cph, j["gen_cycles_per_pkt"],
                      drops), flush=True)
    finally:
        sw.stop()


def active(k, size, dur=3.0):
    sw = Switch(k)
    try:
        print("K=%d: all attached in %.1f s (%.1f ms per NF incl. tenant setup)" % (
            k, sw.attach_s, 1000 * sw.attach_s / k), flush=True)
        time.sleep(2)
        pids = [n["pid"] for n in json.loads(sw.ctl("nf", "list"))]

        def nf_ns():
            t = 0
            for p in pids:
                try:
                    t += int(open("/proc/%d/schedstat" % p).read().split()[0])
                except OSError:
                    pass
            return t
        n0, c0 = nf_ns(), cpu1()
        time.sleep(5)
        n1, c1 = nf_ns(), cpu1()
        print("K=%d idle 5 s: NFs on CPU %.3f%% of a core; core 1 busy %.2f%%" % (
            k, 100 * (n1 - n0) / 5e9, 100 * (c1[0] - c0[0]) / (c1[1] - c0[1])), flush=True)
        s0 = sw.stats()
        j = sw.gen("--size", size, "--rate", 0, "--duration", dur,
                   "--dst-macs", "%s,%s" % (mac(1), mac(2)))
        wakes, cph = dp_delta(s0, sw.stats())
        print("K=%d, 2 tenants (4 NFs) active, %d B max load: rx %.3f Mpps %.2f Gbps, loss "
              "%.1f%%, lat p50 %.0f us, wakeups %d, cyc/hop %.0f" % (
                  k, size, j["rx_mpps"], j["rx_gbps"],
                  100 * (1 - j["rx_packets"] / max(1, j["tx_packets"])),
                  j["latency_us"]["p50"], wakes, cph), flush=True)
    finally:
        sw.stop()


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "load":
        load(int(a[1]), int(a[2]), [float(r) for r in a[3].split(",")],
             float(a[4]) if len(a) > 4 else 3.0, a[5] if len(a) > 5 else "")
    elif len(a) >= 3 and a[0] == "active":
        active(int(a[1]), int(a[2]), float(a[3]) if len(a) > 3 else 3.0)
    else:
        sys.exit(__doc__ or "usage: transport_b.py load K SIZE RATES [SEC] [OPTS] | "
                 "active K SIZE [SEC]")
