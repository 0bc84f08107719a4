#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""run-bench.py - `make bench`: pvx's benchmark suite.

Every figure is the median of --reps repetitions and is reported beside a
baseline measured in the same run, as a ratio; targets are checked (PASS /
MISS) but nothing here is a test: the machines are shared and noisy.

How time is taken:
  simulator  guests cannot read the host clock (their TSC is virtual time), so
             a guest is run with n iterations and with 0, and the difference of
             the two wall times (time.perf_counter around the process) is
             divided by n; each repetition pairs one run of each
  QEMU       the guest reads the TSC around its loop (TCG derives it from the
             host's TSC); cycles become ns with the host TSC frequency
  host       the host programs time themselves (clock_gettime)

Writes build/bench/results.json and prints a table. See docs/performance.md.
"""
import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.path.join(TOP, 'build')
SIM = os.path.join(B, 'pvx-sim')
QEMU = os.path.join(TOP, 'scripts', 'pvx-qemu')
HV = os.path.join(B, 'pvx.elf')
FLOOR = os.path.join(B, 'bench', 'uc_floor')
NATIVE = os.path.join(B, 'bench', 'core_native')
BATCHES = (1, 8, 64, 512, 2048)


def guest(name):
    return os.path.join(B, 'guests', 'bench-%s.elf' % name)


class Bench:
    def __init__(self, reps, quick):
        self.reps = reps
        self.scale = 0.25 if quick else 1.0
        self.rows = []
        self.log = []

    def n(self, full):
        return max(1, int(full * self.scale))

    # -- running things -----------------------------------------------------

    def _run(self, argv, what):
        t0 = time.perf_counter()
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        t = time.perf_counter() - t0
        if p.returncode != 0 or (('Test result:' in p.stdout) and
                                 'Test result: SUCCESS' not in p.stdout):
            raise RuntimeError('%s failed (exit %d):\n%s' % (what, p.returncode, p.stdout[-2000:]))
        return t, p.stdout

    @staticmethod
    def _values(out):
        vals = {}
        for line in out.splitlines():
            line = line.strip()
            if line.startswith('bench '):
                line = line[6:]
            elif not re.fullmatch(r'(\w+ [0-9][0-9.]*\s*)+', line):
                continue            # a guest's or the hypervisor's other output
            for m in re.finditer(r'(\w+) ([0-9][0-9.]*)(?=\s|$)', line):
                vals[m.group(1)] = float(m.group(2))
        return vals

    def host(self, argv):
        """A host program printing ns_per_op: the median over the repetitions."""
        res = []
        for _ in range(self.reps):
            _, out = self._run(argv, ' '.join(os.path.basename(a) for a in argv))
            res.append(self._values(out)['ns_per_op'])
        return statistics.median(res), res

    def sim_per_op(self, name, args_n, args_0, ops, opts=()):
        """ns per operation in pvx-sim: (wall(n) - wall(0)) / ops, median of pairs."""
        res = []
        for _ in range(self.reps):
            tn, _ = self._run([SIM, '--max-time=1000s', *opts, '%s=%s' % (guest(name), args_n)], name)
            t0, _ = self._run([SIM, '--max-time=1000s', *opts, '%s=%s' % (guest(name), args_0)], name)
            res.append((tn - t0) * 1e9 / ops)
        return statistics.median(res), res

    def sim_modules(self, mods_n, mods_0, ops, opts=(), reps=None):
        """As sim_per_op, for any module list: [(elf, args), ...] with n and 0."""
        res = []
        for _ in range(reps or self.reps):
            argv = lambda mods: [SIM, '--max-time=1000s', *opts] + ['%s=%s' % m for m in mods]
            tn, _ = self._run(argv(mods_n), os.path.basename(mods_n[0][0]))
            t0, _ = self._run(argv(mods_0), os.path.basename(mods_0[0][0]))
            res.append((tn - t0) * 1e9 / ops)
        return statistics.median(res), res

    def qemu(self, name, args, cmdline='', more=(), opts=()):
        """The guest's own TSC figures on QEMU, one dict per repetition.
        more: further modules [(elf, args)], each under a file name of its own
        (QEMU's loader needs distinct names)."""
        runs = []
        for _ in range(self.reps):
            argv = [QEMU, '--hv', HV, '--timeout', '300', *opts]
            if cmdline:
                argv += ['--cmdline', cmdline]
            mods = ['%s=%s' % (guest(name), args)]
            for i, (elf, margs) in enumerate(more):
                copy = os.path.join(B, 'bench', 'qemu-mod%d-%s' % (i + 1, os.path.basename(elf)))
                if not os.path.exists(copy) or os.path.getmtime(copy) < os.path.getmtime(elf):
                    shutil.copyfile(elf, copy)
                mods.append('%s=%s' % (copy, margs))
            _, out = self._run(argv + mods, name + ' on QEMU')
            runs.append(self._values(out))
        return runs

    # -- rows -----------------------------------------------------------------

    def row(self, section, what, value, unit, base=None, base_what='', ratio=None,
            target=None, status='INFO', note='', samples=None):
        r = dict(section=section, what=what, value=value, unit=unit, baseline=base,
                 baseline_what=base_what, ratio=ratio, target=target, status=status,
                 note=note, samples=samples or [])
        self.rows.append(r)
        print('  %s %s' % (what, fmt_value(value, unit)), flush=True)
        return r

    def ratio_row(self, section, what, value, unit, base, base_what, target=None, **kw):
        ratio = value / base if base else None
        status = 'INFO'
        if target is not None and ratio is not None:
            op, lim = target
            ok = ratio <= lim if op == '<=' else ratio >= lim
            status = 'PASS' if ok else 'MISS'
        return self.row(section, what, value, unit, base, base_what, ratio,
                        '%s %g' % target if target else None, status, **kw)

    def pending(self, section, what, why):
        return self.row(section, what, None, '', status='PENDING', note=why)


def fmt_value(v, unit):
    if v is None:
        return '-'
    if unit == 'insn/s':
        return '%.3g G insn/s' % (v / 1e9)
    if unit == 'B':
        return '%d B' % v
    if unit == 'KiB':
        return '%.2f KiB' % v
    if unit in ('pkt/s', 'rt/s'):
        return '%.0f %s' % (v, unit)
    return '%.1f %s' % (v, unit)


# ---------------------------------------------------------------------------
# 1. The simulator.

def bench_sim(b):
    sec = 'sim'
    print('== simulator', flush=True)
    n = b.n(2_000_000)
    floor, s = b.host([FLOOR, 'int82', str(n)])
    b.row(sec, 'floor: int $0x82, empty UC_HOOK_INTR (bare Unicorn)', floor, 'ns', samples=s)
    frame, s = b.host([FLOOR, 'int82frame', str(n)])
    b.ratio_row(sec, 'floor + reading a 16-register frame, writing eax', frame, 'ns', floor,
                'floor', samples=s,
                note='what the Unicorn register API alone costs a hypercall')
    hc, s = b.sim_per_op('hcall', 'n=%d' % n, 'n=0', n)
    b.ratio_row(sec, 'null hypercall (xen_version) in pvx-sim', hc, 'ns', floor, 'floor',
                target=('<=', 3), samples=s)
    b.ratio_row(sec, 'null hypercall against floor + frame', hc, 'ns', frame, 'floor + frame',
                samples=s, note='the share of pvx itself (hook logic + core)')
    native, s = b.host([NATIVE, 'null', str(n)])
    b.ratio_row(sec, 'null hypercall, core alone (host-native, no trap)', native, 'ns', floor,
                'floor', samples=s)
    k = b.n(1_000_000)
    refl, s1 = b.sim_per_op('syscall', 'n=%d reflect=1' % k, 'n=0 reflect=1', k)
    b.row(sec, 'ring-3 syscall int $0x80, reflected (masking entry)', refl, 'ns', samples=s1,
          note='trap-table flag 4 disables the fast path: #GP, core_trap, bounce frame')
    fast, s2 = b.sim_per_op('syscall', 'n=%d' % k, 'n=0', k)
    b.ratio_row(sec, 'ring-3 syscall int $0x80, fast-path entry (DPL 3)', fast, 'ns', refl,
                'reflected', samples=s2,
                note='delivered by the simulator as a trap gate, without the core; both '
                     'paths pay the engine stop and the ring-1 template (docs/cpu.md)')

    for loop, full, insns in (('tight', 30_000_000, 3), ('mixed', 5_000_000, 11)):
        k = b.n(full)
        extra = ' mixed=1' if loop == 'mixed' else ''
        with_ns, s1 = b.sim_per_op('spin', 'n=%d%s' % (k, extra), 'n=0' + extra, k)
        without_ns, s2 = b.sim_per_op('spin', 'n=%d%s' % (k, extra), 'n=0' + extra, k,
                                      opts=('--no-time',))
        with_ips, without_ips = insns * 1e9 / with_ns, insns * 1e9 / without_ns
        b.row(sec, 'guest insn/s, %s loop, no counting hook (--no-time)' % loop,
              without_ips, 'insn/s', samples=[insns * 1e9 / x for x in s2])
        b.ratio_row(sec, 'guest insn/s, %s loop, with the counting hook' % loop, with_ips,
                    'insn/s', without_ips, 'no hook', target=('>=', 0.8),
                    samples=[insns * 1e9 / x for x in s1],
                    note='%d instructions per block' % insns)
        none, _ = b.host([FLOOR, loop, str(k), 'none'])
        empty, _ = b.host([FLOOR, loop, str(k), 'empty'])
        b.ratio_row(sec, 'bare Unicorn %s loop: empty block hook vs none' % loop,
                    insns * 1e9 / empty, 'insn/s', insns * 1e9 / none, 'no hook',
                    note='the cost of UC_HOOK_BLOCK itself, any callback')


# ---------------------------------------------------------------------------
# 2. The hardware image on QEMU.

def tsc_hz(b):
    _, out = b._run([FLOOR, 'tsc-hz'], 'tsc-hz')
    return b._values(out)['tsc_hz']


def bench_qemu(b, hz):
    sec = 'qemu'
    print('== QEMU (TCG), the hardware image', flush=True)
    n = b.n(200_000)
    runs = b.qemu('hcall', 'n=%d trap=1' % n, 'bench_trap=1')
    hc = statistics.median(r['hcall_tsc'] / n for r in runs) * 1e9 / hz
    tr = statistics.median(r['trap_tsc'] / n for r in runs) * 1e9 / hz
    b.row(sec, 'trap to a ring-0 handler that irets (bench_trap=1)', tr, 'ns',
          samples=[r['trap_tsc'] / n * 1e9 / hz for r in runs])
    b.ratio_row(sec, 'null hypercall (xen_version) on QEMU', hc, 'ns', tr, 'ring-0 trap',
                target=('<=', 1.5), samples=[r['hcall_tsc'] / n * 1e9 / hz for r in runs])
    per = lambda runs: [r['syscall_tsc'] / n * 1e9 / hz for r in runs]
    refl = per(b.qemu('syscall', 'n=%d reflect=1' % n))
    fast = per(b.qemu('syscall', 'n=%d' % n))
    b.row(sec, 'ring-3 syscall int $0x80, reflected (masking entry)', statistics.median(refl),
          'ns', samples=refl, note='#GP to ring 0, core_trap, bounce frame, then the iret')
    b.ratio_row(sec, 'ring-3 syscall int $0x80, fast path (DPL-3 IDT gate)',
                statistics.median(fast), 'ns', statistics.median(refl), 'reflected',
                samples=fast, note='ring 3 -> ring 1 without the hypervisor; the handler irets')


# ---------------------------------------------------------------------------
# The network: packets between the initial domain and the wire (issue 15).

def bench_net(b, hz, machines):
    sec = 'net'
    print('== the network: domain <-> wire (interim NIC path, VFR)', flush=True)
    n = b.n(20_000)
    k = b.n(5_000)
    if 'sim' in machines:
        tx, s1 = b.sim_per_op('net', 'n=%d' % n, 'n=0', n, opts=['--net=user'])
        b.row(sec, 'UDP datagrams domain -> wire, pvx-sim (libslirp)', 1e9 / tx, 'pkt/s',
              samples=[1e9 / x for x in s1], note='64 bytes of payload, broadcast; host time')
        rt, s2 = b.sim_per_op('net', 'n=%d ping=1' % k, 'n=0 ping=1', k, opts=['--net=user'])
        b.row(sec, 'ICMP echo round trips with 10.0.2.2, pvx-sim (libslirp)', 1e9 / rt, 'rt/s',
              samples=[1e9 / x for x in s2], note='host time')
    if 'qemu' in machines:
        tx = [r['n'] / (r['net_tsc'] / hz) for r in b.qemu('net', 'n=%d' % n, opts=['--net=user'])]
        b.row(sec, 'UDP datagrams domain -> wire, QEMU (e1000)', statistics.median(tx), 'pkt/s',
              samples=tx, note='64 bytes of payload, broadcast')
        rt = [r['n'] / (r['net_tsc'] / hz) for r in
              b.qemu('net', 'n=%d ping=1' % k, opts=['--net=user'])]
        b.row(sec, 'ICMP echo round trips with 10.0.2.2, QEMU (e1000)', statistics.median(rt), 'rt/s',
              samples=rt)


# VIFs with rings (issue 15 part 2): domain <-> wire, domain <-> domain, the
# round-robin's fairness, the page flip against a copy.

def bench_vif(b, hz, machines):
    sec = 'vif'
    print('== VIFs with rings: domain <-> wire, domain <-> domain, fairness, flip vs copy', flush=True)
    n = b.n(20_000)
    vif = guest('vif')

    def sim(mods, opts=()):
        _, out = b._run([SIM, '--max-time=1000s', *opts] + ['%s=%s' % (vif, m) for m in mods],
                        'bench-vif')
        return b._values(out)

    if 'sim' in machines:
        # Virtual time: the guests' instructions; the hypervisor's own work is
        # not in it (the host-time figures of the other sections are).
        for size in (1514, 60):
            v = sim(['role=wire n=%d size=%d' % (n, size)], ['--net=user'])
            b.row(sec, 'domain -> wire, %d-byte frames, pvx-sim (virtual time)' % size,
                  v['n'] / (v['vif_ns'] / 1e9), 'pkt/s',
                  note='%.0f Mb/s; the simulated wire is 1 Gb/s' % (v['bytes'] * 8 / v['vif_ns'] * 1e3))
            v = sim(['role=d2d n=%d size=%d' % (n, size), 'role=sink'])
            b.row(sec, 'domain -> domain, %d-byte frames, pvx-sim (virtual time)' % size,
                  v['delivered'] / (v['vif_ns'] / 1e9), 'pkt/s',
                  note='%.0f Mb/s delivered, %d dropped for want of a frame' % (
                      v['delivered'] * size * 8 / v['vif_ns'] * 1e3, v['dropped']))
        v = sim(['role=fair ms=200 size=1514', 'role=send'], ['--net=user'])
        share = v['sent0'] / (v['sent0'] + v['sent1'])
        b.row(sec, 'two senders on a full wire: the first one\'s share, pvx-sim', share, 'x',
              target='0.5 +- 0.025', status='PASS' if abs(share - 0.5) <= 0.025 else 'MISS',
              note='%d and %d packets in 200 ms' % (v['sent0'], v['sent1']))
    # The receive path on the host, flip against copy (the core alone).
    k = b.n(200_000)
    flip, fs = b.host([NATIVE, 'vif', 'flip', str(k)])
    copy, cs = b.host([NATIVE, 'vif', 'copy', str(k)])
    b.row(sec, 'receive a 1514-byte packet by page flip, core on the host', flip, 'ns', samples=fs,
          note='post, interrupt, VFR, exchange, response')
    b.ratio_row(sec, 'the same by copy', copy, 'ns', flip, 'page flip', samples=cs)
    if 'qemu' in machines:
        for role, mods, what in (('wire', [], 'domain -> wire'),
                                 ('d2d', [(vif, 'role=sink')], 'domain -> domain')):
            runs = b.qemu('vif', 'role=%s n=%d size=1514' % (role, n), more=mods, opts=['--net=user'])
            key = 'delivered' if role == 'd2d' else 'n'
            pps = [r[key] / (r['vif_tsc'] / hz) for r in runs]
            b.row(sec, '%s, 1514-byte frames, QEMU (e1000)' % what, statistics.median(pps), 'pkt/s',
                  samples=pps, note='%.0f Mb/s' % (statistics.median(pps) * 1514 * 8 / 1e6))
        runs = b.qemu('vif', 'role=fair ms=200 size=1514', more=[(vif, 'role=send')], opts=['--net=user'])
        shares = [r['sent0'] / (r['sent0'] + r['sent1']) for r in runs]
        share = statistics.median(shares)
        b.row(sec, 'two senders on a full wire: the first one\'s share, QEMU', share, 'x',
              target='0.5 +- 0.025', status='PASS' if abs(share - 0.5) <= 0.025 else 'MISS',
              samples=shares)


# ---------------------------------------------------------------------------
# 3. mmu_update against the batch size, on three machines.

def bench_mmu(b, hz, machines):
    sec = 'mmu'
    print('== mmu_update per entry against batch size', flush=True)
    rounds = b.n(100)
    for machine in machines:
        cost = {}
        for bs in BATCHES:
            if machine == 'native':
                cost[bs], s = b.host([NATIVE, 'mmu', str(bs), str(rounds)])
            elif machine == 'sim':
                cost[bs], s = b.sim_per_op('mmu', 'b=%d r=%d' % (bs, rounds), 'b=%d r=0' % bs,
                                           rounds * 2048)
            else:
                qr = max(1, rounds // 5)
                runs = b.qemu('mmu', 'b=%d r=%d' % (bs, qr))
                s = [r['mmu_tsc'] / r['entries'] * 1e9 / hz for r in runs]
                cost[bs] = statistics.median(s)
            target = ('<=', 0.1) if bs == 2048 and machine != 'native' else None
            label = {'native': 'host-native core (validation alone)', 'sim': 'pvx-sim',
                     'qemu': 'QEMU'}[machine]
            b.ratio_row(sec, 'mmu_update %s, batch %d, per entry' % (label, bs), cost[bs], 'ns',
                        cost[1], 'batch 1', target=target, samples=s)


# ---------------------------------------------------------------------------
# 4, 5. Events between domains; many domains.

def static_per_domain(maxd):
    """The hypervisor's static state per domain, from the 32-bit image itself:
    all of it lives in `struct machine` (core/include/pvx/machine.h), sized for
    MAX_DOMAINS domains of MAX_VIRT_CPUS vCPUs, so its size over MAX_DOMAINS is
    what each domain slot costs (an upper bound: the machine-wide parts are
    shared out too). gdb reads the sizes from pvx.elf's debug information."""
    out = subprocess.run(['timeout', '60', 'gdb', '-nx', '-batch',
                          '-ex', 'print sizeof(machine)', '-ex', 'print sizeof(machine.domains)',
                          '-ex', 'print sizeof(struct domain)', '-ex', 'print sizeof(struct vcpu)',
                          os.path.join(B, 'pvx.elf')], capture_output=True, text=True).stdout
    vals = [int(x) for x in re.findall(r'^\$\d+ = (\d+)$', out, re.M)]
    if len(vals) != 4:
        raise RuntimeError('gdb could not size struct machine in pvx.elf: %r' % out[-300:])
    machine, domains, domain, vcpu = vals
    return {'struct machine / MAX_DOMAINS': machine // maxd,
            'of which struct domain': domain, 'of which struct vcpu (each)': vcpu,
            'machine-wide rest / MAX_DOMAINS': (machine - domains) // maxd}


PINGPONG = os.path.join(B, 'guests', 'pingpong.elf')
INFO_RTT = re.compile(r'^info: (\d+) round trips in (\d+) us of system time', re.M)


def bench_events(b, hz, machines):
    sec = 'evtchn'
    print('== events between domains, domain switch', flush=True)
    if 'sim' in machines:
        k = b.n(200_000)
        rtt, s = b.sim_modules([(PINGPONG, 'n=%d' % k), (PINGPONG, 'name=pong n=%d' % k)],
                               [(PINGPONG, 'n=1'), (PINGPONG, 'name=pong n=1')], k - 1)
        b.row(sec, 'event-channel ping-pong round trip, pvx-sim', rtt, 'ns', samples=s,
              note='guests/pingpong, n against 1 round trips: 2 sends, 1 poll, 1 upcall, '
                   '1 block, 4 domain switches per round trip')
        k = b.n(1_000_000)
        y = guest('yield')
        alone, s1 = b.sim_modules([(y, 'n=%d' % (2 * k))], [(y, 'n=0')], 2 * k)
        b.row(sec, 'SCHEDOP_yield alone (no switch), pvx-sim', alone, 'ns', samples=s1)
        pair, s2 = b.sim_modules([(y, 'n=%d wait=1' % k), (y, 'n=%d' % k)],
                                 [(y, 'n=0 wait=1'), (y, 'n=0')], 2 * k)
        b.ratio_row(sec, 'SCHEDOP_yield between two domains, pvx-sim', pair, 'ns', alone,
                    'yield alone', samples=s2)
        b.row(sec, 'domain switch, pvx-sim (difference of the two)', pair - alone, 'ns',
              note='cr3 (the simulator drops its TLB), trap table, GDT, time info')
    if 'qemu' in machines:
        k = b.n(20_000)
        outs = []
        copy = os.path.join(B, 'bench', 'qemu-pong.elf')    # QEMU needs distinct names
        shutil.copyfile(PINGPONG, copy)
        hangs = 0
        for _ in range(b.reps):
            argv = [QEMU, '--hv', HV, '--timeout', '60', '%s=n=%d' % (PINGPONG, k),
                    '%s=name=pong n=%d' % (copy, k)]
            for attempt in range(3):            # a hung run (60 s) is repeated, and counted
                try:
                    _, out = b._run(argv, 'pingpong on QEMU')
                    break
                except RuntimeError:
                    hangs += 1
                    if attempt == 2:
                        raise
            m = INFO_RTT.search(out)
            if not m:
                raise RuntimeError('pingpong on QEMU: no round-trip line:\n' + out[-2000:])
            outs.append(int(m.group(2)) * 1000.0 / int(m.group(1)))
        b.row(sec, 'event-channel ping-pong round trip, QEMU', statistics.median(outs), 'ns',
              samples=outs, note='the guest\'s system time (TSC calibrated by the PIT); '
                                 '%d run(s) hung and were repeated' % hangs)
        k = b.n(20_000)
        alone = [r['yield_tsc'] / (2 * k) * 1e9 / hz for r in b.qemu('yield', 'n=%d' % (2 * k))]
        pair = [r['yield_tsc'] / (2 * k) * 1e9 / hz for r in
                b.qemu('yield', 'n=%d wait=1' % k, more=[(guest('yield'), 'n=%d' % k)])]
        ma, mp = statistics.median(alone), statistics.median(pair)
        b.row(sec, 'SCHEDOP_yield alone (no switch), QEMU', ma, 'ns', samples=alone)
        b.ratio_row(sec, 'SCHEDOP_yield between two domains, QEMU', mp, 'ns', ma, 'yield alone',
                    samples=pair)
        b.row(sec, 'domain switch, QEMU (difference of the two)', mp - ma, 'ns')


DESTROYED = re.compile(r'domain (\d+) destroyed: (\d+) frames returned')
SCALE_MEM = '4G'            # 1,000 domains of 4 MiB (the guests' least) need it all
SCALE_DOMU_MEM_PAGES = 1024


def bench_scale(b):
    sec = 'scale'
    print('== many domains', flush=True)
    _, out = b._run([NATIVE, 'domain'], 'core_native domain')
    v = b._values(out)
    maxd = int(v['max_domains'])
    per = static_per_domain(maxd)
    tables = ['%s %d B' % kv for kv in per.items()]
    total = per['struct machine / MAX_DOMAINS']
    frames = int(v['frames'])

    # The simulator: N small domains from one module (count=N), each powering
    # off at once; the initial domain waits until all are gone.
    sg = guest('scale')
    opts = ('--mem=%s' % SCALE_MEM, '--cmdline=dom0_mem=4M')
    extra_frames = set()
    for n in (10, 100, 1000):
        mods = [(sg, 'domains=%d' % n), (sg, 'name=s mem=4M count=%d' % n)]
        res = []
        for _ in range(min(b.reps, 3) if n == 1000 else b.reps):
            tn, out = b._run([SIM, '--max-time=1000s', *opts] + ['%s=%s' % m for m in mods],
                             'bench-scale %d' % n)
            t0, _ = b._run([SIM, '--max-time=1000s', *opts, '%s=domains=0' % sg],
                           'bench-scale 0')
            res.append((tn - t0) * 1e9 / n)
            gone = DESTROYED.findall(out)
            if len(gone) != n:
                raise RuntimeError('bench-scale %d: %d domains destroyed' % (n, len(gone)))
            extra_frames |= {int(f) - SCALE_DOMU_MEM_PAGES for _, f in gone}
        b.row(sec, 'boot, run once and reap %d small domains, pvx-sim, per domain' % n,
              statistics.median(res) / 1e6, 'ms', samples=[x / 1e6 for x in res],
              note='one module with count=%d, mem=4M each; --mem=%s; wall time against '
                   'the initial domain alone' % (n, SCALE_MEM))
    if len(extra_frames) != 1 or extra_frames != {frames}:
        print('  note: frames beyond the guest memory per domain: %s (core_native: %d)' % (
            sorted(extra_frames), frames))
    per_dom = (total + max(extra_frames | {frames}) * 4096) / 1024
    b.ratio_row(sec, 'hypervisor memory per domain (static slots + frames)', per_dom, 'KiB',
                16, '16 KiB target', target=('<=', 1),
                note='32-bit image (pvx.elf): %s; frames besides the guest memory: %d from '
                     'domain_create, %s per destroyed domain in pvx-sim (shared_info)' %
                     (', '.join(tables), frames, sorted(extra_frames)))

    # One scheduling decision with N runnable domains: the core on the fake
    # machine, a yield each time (full path) and the policy's pick alone.
    k = b.n(200_000)
    dec, pick = {}, {}
    for n in (10, 100, 1000):
        res, picks = [], []
        kk = max(1000, k * 10 // n)
        for _ in range(b.reps):
            _, out = b._run([NATIVE, 'sched', str(n), str(kk)], 'core_native sched')
            vals = b._values(out)
            res.append(vals['ns_per_op'])
            picks.append(vals['pick_ns'])
        dec[n], pick[n] = statistics.median(res), statistics.median(picks)
        b.ratio_row(sec, 'scheduling decision (yield), %d runnable domains' % n, dec[n], 'ns',
                    dec[10], '10 domains', target=('<=', 2) if n == 1000 else None,
                    samples=res, note='host-native core, fake machine: accounting, BVT pick, '
                                      'switch, reap, timer rearm')
        b.ratio_row(sec, 'BVT pick_next alone, %d runnable domains' % n, pick[n], 'ns',
                    pick[10], '10 domains', samples=picks)


# ---------------------------------------------------------------------------

def print_table(rows):
    # The label column as wide as the longest label: none is cut.
    w = max([len('figure (median)')] + [len(r['what']) for r in rows])
    print()
    print('%-7s %-*s %16s %9s %-14s %s' % ('section', w, 'figure (median)', 'value', 'ratio',
                                           'target', 'status'))
    for r in rows:
        ratio = '%.3f' % r['ratio'] if r['ratio'] is not None else '-'
        print('%-7s %-*s %16s %9s %-14s %s' % (r['section'], w, r['what'],
                                               fmt_value(r['value'], r['unit']), ratio,
                                               r['target'] or '', r['status']))
        if r['status'] in ('PENDING',) and r['note']:
            print('%-7s   (%s)' % ('', r['note']))


# ---------------------------------------------------------------------------
# 6. Virtual block devices (docs/io.md).

def disk_image(sectors):
    path = os.path.join(B, 'bench', 'disk.img')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.truncate(sectors * 512)
    return path


SIM_MODEL = re.compile(r'disk model: (\d+) ops, seek (\d+) ns, rotation (\d+) ns, transfer (\d+) ns')


def bench_disk(b, hz, machines):
    sec = 'disk'
    print('== virtual block devices', flush=True)
    img = disk_image(32768)                     # 16 MiB
    vbd = 'dom0_vbd=xvda,w,0:0+32768'
    n = b.n(400)

    def sim(args, cmdline=vbd):
        _, out = b._run([SIM, '--max-time=1000s', '--disk=' + img, '--cmdline=' + cmdline,
                         '%s=%s' % (guest('disk'), args)], 'bench-disk')
        v = b._values(out)
        m = SIM_MODEL.search(out)
        if m:
            v['model_seek_ns'], v['model_rot_ns'], v['model_xfer_ns'] = map(float, m.groups()[1:])
        return v

    def mbps(v):
        return v['sectors'] * 512 / v['elapsed_ns'] * 1e3   # MB/s (10^6 B)

    # The simulator's time is virtual and deterministic: one run each.
    if 'sim' in machines:
        seq = sim('pattern=seq n=%d depth=16 nsect=88 stats=1' % n)
        rnd = sim('pattern=rand n=%d depth=16 nsect=8 stats=1' % n)
        one = sim('pattern=rand n=%d depth=1 nsect=8 stats=1' % n)
        media = 256 * 512 / 6e6 * 1e3                        # the model's media rate, MB/s
        b.ratio_row(sec, 'sim: sequential reads, 44 KiB x 16 in flight', mbps(seq), 'MB/s',
                    media, "the model's media rate (256 sectors a 6 ms turn)", ('>=', 0.5))
        b.ratio_row(sec, 'sim: random reads, 4 KiB x 16 in flight', mbps(rnd), 'MB/s',
                    mbps(seq), 'sequential reads, same run')
        b.ratio_row(sec, 'sim: random 4 KiB read latency, depth 1', one['lat_ns'] / one['reqs'] / 1e3,
                    'us', one['disk_busy_ns'] / one['disk_ops'] / 1e3,
                    'the disk busy per operation (start to completion)', ('<=', 1.05))
        # The elevator against FIFO on the same random workload.
        fifo = sim('pattern=rand n=%d depth=16 nsect=8 stats=1' % n, vbd + ' elevator=fifo')
        b.ratio_row(sec, 'sim: total seek time, C-LOOK', rnd['model_seek_ns'] / 1e6, 'ms',
                    fifo['model_seek_ns'] / 1e6, 'FIFO, same requests', ('<=', 0.8))
        b.ratio_row(sec, 'sim: seek distance, C-LOOK', rnd['seek_sectors'], 'sectors',
                    fifo['seek_sectors'], 'FIFO, same requests')
        b.ratio_row(sec, 'sim: random 4 KiB reads, C-LOOK', mbps(rnd), 'MB/s', mbps(fifo),
                    'FIFO', ('>=', 1.0))
        # Two domains at once on their own halves: each within 5% of half.
        blk = os.path.join(B, 'guests', 'blk.elf')
        blk2 = os.path.join(B, 'bench', 'blk2.elf')
        shutil.copyfile(blk, blk2)
        _, out = b._run([SIM, '--max-time=100s', '--disk=' + img,
                         '--cmdline=dom0_vbd=xvda,w,0:0+16384',
                         blk + '=test=hammer waitend=1 seed=1 window=2000',
                         blk2 + '=test=hammer seed=2 window=2000 vbd=xvda,w,0:16384+16384'],
                        'blk two domains')
        d0 = int(re.search(r'^info: done (\d+) sectors', out, re.M).group(1))
        d1 = int(re.search(r'^\(d1\) info: done (\d+) sectors', out, re.M).group(1))
        share = d0 / (d0 + d1)
        b.row(sec, 'sim: fairness, two domains: domain 0 share', share * 100, '%',
              status='PASS' if abs(share - 0.5) <= 0.025 else 'MISS',
              note='domain 0 %d, domain 1 %d sectors in 2 s; target 50%% +- 5%% of it' % (d0, d1),
              target='47.5..52.5')
    # QEMU: real time (TCG); the disk is QEMU's, on pc's IDE controller.
    if 'qemu' in machines:
        def qemu(args, machine='pc'):
            runs = []
            for _ in range(b.reps):
                _, out = b._run([QEMU, '--hv', HV, '--timeout', '300', '--machine', machine,
                                 '--disk', img, '--cmdline', vbd,
                                 '%s=%s' % (guest('disk'), args)], 'bench-disk on QEMU')
                runs.append(b._values(out))
            return runs
        for machine, ctl in (('pc', 'IDE'), ('q35', 'AHCI')):
            one = qemu('pattern=rand n=%d depth=1 nsect=8 stats=1' % b.n(2000), machine)
            lat = [r['lat_ns'] / r['reqs'] for r in one]
            busy = [r['disk_busy_ns'] / r['disk_ops'] for r in one]
            over = [l - d for l, d in zip(lat, busy)]
            b.ratio_row(sec, 'qemu %s (%s): 4 KiB read latency, depth 1' % (machine, ctl),
                        statistics.median(lat) / 1e3, 'us', statistics.median(busy) / 1e3,
                        'the bare driver path (arch_disk_start to its interrupt)',
                        samples=[x / 1e3 for x in lat])
            b.row(sec, 'qemu %s (%s): hypervisor and ring overhead per request' % (machine, ctl),
                  statistics.median(over) / 1e3, 'us', samples=[x / 1e3 for x in over],
                  note='latency seen by the guest less the time the device had the operation')
            seq = qemu('pattern=seq n=%d depth=16 nsect=88' % b.n(500), machine)
            rnd = qemu('pattern=rand n=%d depth=16 nsect=8' % b.n(2000), machine)
            s = statistics.median([mbps(r) for r in seq])
            r_ = statistics.median([mbps(r) for r in rnd])
            b.row(sec, 'qemu %s (%s): sequential reads, 44 KiB x 16' % (machine, ctl), s, 'MB/s',
                  samples=[mbps(r) for r in seq])
            b.ratio_row(sec, 'qemu %s (%s): random reads, 4 KiB x 16' % (machine, ctl), r_, 'MB/s',
                        s, 'sequential, same run', samples=[mbps(r) for r in rnd])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--reps', type=int, default=7, help='repetitions per figure (median)')
    ap.add_argument('--quick', action='store_true', help='a quarter of the iterations, 3 reps')
    ap.add_argument('--only', default='sim,qemu,mmu,events,scale,disk,net,vif',
                    help='comma-separated: sim, qemu, mmu, events, scale, disk, net, vif')
    ap.add_argument('--disk-machines', default='sim,qemu')
    ap.add_argument('--net-machines', default='sim,qemu')
    ap.add_argument('--events-machines', default='sim,qemu')
    ap.add_argument('--mmu-machines', default='native,sim,qemu')
    ap.add_argument('--out', default=os.path.join(B, 'bench', 'results.json'))
    a = ap.parse_args()
    if a.quick and a.reps == 7:
        a.reps = 3
    only = set(a.only.split(','))
    b = Bench(a.reps, a.quick)
    start = time.time()
    hz = tsc_hz(b) if only & {'qemu', 'mmu', 'events', 'net', 'vif'} else None
    try:
        if 'sim' in only:
            bench_sim(b)
        if 'qemu' in only:
            bench_qemu(b, hz)
        if 'mmu' in only:
            bench_mmu(b, hz, a.mmu_machines.split(','))
        if 'events' in only:
            bench_events(b, hz, a.events_machines.split(','))
        if 'scale' in only:
            bench_scale(b)
        if 'disk' in only:
            bench_disk(b, hz, a.disk_machines.split(','))
        if 'net' in only:
            bench_net(b, hz, a.net_machines.split(','))
        if 'vif' in only:
            bench_vif(b, hz, a.net_machines.split(','))
    except RuntimeError as e:
        print('run-bench: %s' % e, file=sys.stderr)
        return 2
    print_table(b.rows)
    commit = subprocess.run(['git', '-C', TOP, 'rev-parse', '--short', 'HEAD'],
                            capture_output=True, text=True).stdout.strip()
    res = dict(date=time.strftime('%Y-%m-%dT%H:%M:%S'), commit=commit, host=platform.node(),
               cpus=os.cpu_count(), load=os.getloadavg(), reps=a.reps, quick=a.quick,
               tsc_hz=hz, seconds=round(time.time() - start, 1), rows=b.rows)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, 'w') as f:
        json.dump(res, f, indent=1)
    print('\n%d figures, %d PASS, %d MISS, %d pending; %s (%.0f s, load %.1f)' % (
        len(b.rows), sum(r['status'] == 'PASS' for r in b.rows),
        sum(r['status'] == 'MISS' for r in b.rows),
        sum(r['status'] == 'PENDING' for r in b.rows), os.path.relpath(a.out, TOP),
        time.time() - start, os.getloadavg()[0]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
