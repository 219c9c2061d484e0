#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Transport B probe: K blocking NFs (K/2 tenants x 2), one size, a list of offered rates:
# throughput, latency, wake-ups/s, NF-core busy, switch cycles/hop, drops. usage: b_load.py K SIZE RATES [SEC] [SWITCH-OPTS]
import json, os, subprocess, sys, time, tempfile, signal
B = os.environ.get('MYRIAD_BUILD', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build'))
K = int(sys.argv[1]); size = int(sys.argv[2]); rates = [float(r) for r in sys.argv[3].split(',')]
dur = float(sys.argv[4]) if len(sys.argv) > 4 else 3
extra = sys.argv[5].split() if len(sys.argv) > 5 else []
T = K // 2
d = tempfile.mkdtemp(); sock = d + '/s.sock'; pre = 'bt%d' % os.getpid()
sw = subprocess.Popen([B + '/switch/myriad-switch', '--no-pci', '--file-prefix', pre, '-l', '0', '--log-level=error', '--',
                       '--socket', sock, '--wire', '2', '--max-nfs', str(K + 8)] + extra, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
subprocess.run([B + '/ctl/myriadctl', '-s', sock, '-f', d + '/b.txt'], capture_output=True)
while json.loads(ctl('status'))['nfs_up'] != K: time.sleep(0.2)
time.sleep(1)
def cpu():
    l = open('/proc/stat').read().split('\n')
    return {x.split()[0]: list(map(int, x.split()[1:])) for x in l if x.startswith('cpu1') or x.startswith('cpu0')}
for r in rates:
    s0 = json.loads(ctl('stats')); c0 = cpu(); t0 = time.time()
    g = subprocess.run([B + '/gen/myriad-gen', '--file-prefix', pre, '--proc-type=secondary', '--no-pci', '-l', '1', '--log-level=error', '--',
                        '--quiet', '--json', '--tx-port', '0', '--rx-port', '1', '--size', str(size), '--rate', str(int(r)),
                        '--duration', str(dur), '--dst-mac-range', '%s,%d' % (mac(1), T)], capture_output=True, text=True)
    c1 = cpu(); s1 = json.loads(ctl('stats'))
    j = json.loads(g.stdout)
    busy1 = lambda c: (sum(c['cpu1']) - c['cpu1'][3] - c['cpu1'][4])
    b1 = (busy1(c1) - busy1(c0)) / (sum(c1['cpu1']) - sum(c0['cpu1']))
    dd = {k: s1['drops'][k] - s0['drops'][k] for k in s1['drops'] if s1['drops'][k] - s0['drops'][k]}
    wk = s1['datapath']['wakeups'] - s0['datapath']['wakeups']
    hops = s1['datapath']['hops'] - s0['datapath']['hops']; bc = s1['datapath']['busy_cycles'] - s0['datapath']['busy_cycles']
    print('K=%d size=%d rate=%.0f: rx %.3f Mpps %.2f Gbps loss %.2f%% lat mean %.0f p50 %.0f p99 %.0f max %.0f us | wakes/s %.0f | cpu1 %.0f%% | cyc/hop %.0f | gen cyc/pkt %.0f | drops %s' % (
        K, size, r, j['rx_mpps'], j['rx_gbps'], 100 * (1 - j['rx_packets'] / max(1, j['tx_packets'])), j['latency_us']['mean'], j['latency_us']['p50'], j['latency_us']['p99'], j['latency_us']['max'],
        wk / dur, 100 * b1, bc / max(1, hops), j['gen_cycles_per_pkt'], dd), flush=True)
sw.send_signal(signal.SIGTERM); sw.wait(timeout=60)
subprocess.run(['rm', '-rf', d, '/var/run/dpdk/' + pre]); os.system('rm -f /dev/hugepages/%smap_*' % pre)
