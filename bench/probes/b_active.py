#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Transport B probe: attach time and idle cost of K blocking NFs, and max-load throughput of
# 2 active tenants (4 NFs) among K attached. usage: b_active.py K SIZE [SEC]
import json, os, subprocess, sys, time, tempfile, signal, glob
B = os.environ.get('MYRIAD_BUILD', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build'))
K = int(sys.argv[1]); size = int(sys.argv[2]); dur = float(sys.argv[3]) if len(sys.argv) > 3 else 3
T = K // 2
d = tempfile.mkdtemp(); sock = d + '/s.sock'; pre = 'b4%d' % os.getpid()
sw = subprocess.Popen([B + '/switch/myriad-switch', '--no-pci', '--file-prefix', pre, '-l', '0', '--log-level=error', '--',
                       '--socket', sock, '--wire', '2', '--max-nfs', str(K + 8)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def ctl(*a):
    return subprocess.run([B + '/ctl/myriadctl', '-s', sock, '--json'] + list(a), capture_output=True, text=True).stdout
for _ in range(100):
    if ctl('status'): break
    time.sleep(0.1)
mac = lambda i: '02:00:00:00:%02x:%02x' % (i // 256, i % 256)
with open(d + '/b.txt', 'w') as f:
    for i in range(1, T + 1):
        f.write('tenant add t%d --mac %s --port 1\n' % (i, mac(i)))
        for n in 'ab':
            f.write('nf add t%d%s --tenant t%d --transport block --exec %s/nfs/myriad-nf-signature\n' % (i, n, i, B))
t0 = time.time()
subprocess.run([B + '/ctl/myriadctl', '-s', sock, '-f', d + '/b.txt'], capture_output=True)
while json.loads(ctl('status'))['nfs_up'] != K: time.sleep(0.2)
print('K=%d: all attached in %.1f s (%.1f ms per NF incl. tenant setup)' % (K, time.time() - t0, 1000 * (time.time() - t0) / K), flush=True)
time.sleep(2)
pids = [n['pid'] for n in json.loads(ctl('nf', 'list'))]
def nfcpu():
    t = 0
    for p in pids:
        try: t += int(open('/proc/%d/schedstat' % p).read().split()[0])
        except OSError: pass
    return t
def cpu1():
    for x in open('/proc/stat'):
        if x.startswith('cpu1 '):
            v = list(map(int, x.split()[1:])); return sum(v) - v[3] - v[4], sum(v)
c0 = nfcpu(); a0 = cpu1(); time.sleep(5); c1 = nfcpu(); a1 = cpu1()
print('K=%d idle 5 s: NFs on CPU %.3f%% of a core; core 1 busy %.2f%%' % (K, 100 * (c1 - c0) / 5e9, 100 * (a1[0] - a0[0]) / (a1[1] - a0[1])), flush=True)
for rate in [0]:
    s0 = json.loads(ctl('stats'))
    g = subprocess.run([B + '/gen/myriad-gen', '--file-prefix', pre, '--proc-type=secondary', '--no-pci', '-l', '1', '--log-level=error', '--',
                        '--quiet', '--json', '--tx-port', '0', '--rx-port', '1', '--size', str(size), '--rate', str(rate),
                        '--duration', str(dur), '--dst-macs', '%s,%s' % (mac(1), mac(2))], capture_output=True, text=True)
    s1 = json.loads(ctl('stats'))
    j = json.loads(g.stdout)
    hops = s1['datapath']['hops'] - s0['datapath']['hops']; bc = s1['datapath']['busy_cycles'] - s0['datapath']['busy_cycles']
    print('K=%d, 2 tenants (4 NFs) active, %d B max load: rx %.3f Mpps %.2f Gbps, loss %.1f%%, lat p50 %.0f us, wakeups %d, cyc/hop %.0f' % (
        K, size, j['rx_mpps'], j['rx_gbps'], 100 * (1 - j['rx_packets'] / max(1, j['tx_packets'])), j['latency_us']['p50'],
        s1['datapath']['wakeups'] - s0['datapath']['wakeups'], bc / max(1, hops)), flush=True)
sw.send_signal(signal.SIGTERM); sw.wait(timeout=60)
subprocess.run(['rm', '-rf', d, '/var/run/dpdk/' + pre]); os.system('rm -f /dev/hugepages/%smap_*' % pre)
