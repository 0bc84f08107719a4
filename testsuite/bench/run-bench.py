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

    def qemu(self, name, args, cmdline=''):
        """The guest's own TSC figures on QEMU, one dict per repetition."""
        runs = []
        for _ in range(self.reps):
            argv = [QEMU, '--hv', HV, '--timeout', '300']
            if cmdline:
                argv += ['--cmdline', cmdline]
            _, out = self._run(argv + ['%s=%s' % (guest(name), args)], name + ' on QEMU')
            runs.append(self._values(out))
        return runs

    # -- rows -----------------------------------------------------------------

    def row(self, section, what, value, unit, base=None, base_what='', ratio=None,
            target=None, status='INFO', note='', samples=None):
        r = dict(section=section, what=what, value=value, unit=unit, baseline=base,
                 baseline_what=base_what, ratio=ratio, target=target, status=status,
                 note=note, samples=samples or [])
        self.rows.append(r)
        print('  %-58s %s' % (what[:58], fmt_value(value, unit)), flush=True)
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
    if syscall_fast_path_available():
        b.pending(sec, 'ring-3 system call: int 0x80 fast path vs reflection',
                  'issue 4 landed; benchmark guest not written yet')
    else:
        b.pending(sec, 'ring-3 system call: int 0x80 fast path vs reflection', 'pending issue 4')

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


def syscall_fast_path_available():
    """Issue 4 (int 0x80 fast path + reflection) counts as landed once committed."""
    try:
        out = subprocess.run(['git', '-C', TOP, 'log', '--oneline', '-n', '50'],
                             capture_output=True, text=True).stdout
    except OSError:
        return False
    return bool(re.search(r'issue 4|int 0x80 fast', out, re.I))


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

def issue5_landed():
    out = subprocess.run(['git', '-C', TOP, 'log', '--oneline', '-n', '50'],
                         capture_output=True, text=True).stdout
    return bool(re.search(r'issue 5|event channel', out, re.I))


def static_per_domain(maxd):
    """core/'s static tables with a row per domain ([MAX_DOMAINS] in their
    declaration), with their sizes per domain from the host objects' symbols."""
    names = set()
    for f in sorted(os.listdir(os.path.join(TOP, 'core'))):
        if f.endswith('.c'):
            with open(os.path.join(TOP, 'core', f)) as src:
                names |= set(re.findall(r'(\w+)\s*\[\s*MAX_DOMAINS\b', src.read()))
    objdir = os.path.join(B, 'host', 'core')
    objs = [os.path.join(objdir, f) for f in sorted(os.listdir(objdir)) if f.endswith('.o')]
    out = subprocess.run(['nm', '-S', *objs], capture_output=True, text=True).stdout
    tables = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] in names and parts[2] in 'bBdD':
            tables[parts[3]] = int(parts[1], 16) // maxd
    return tables


def bench_scale(b):
    sec = 'scale'
    print('== events and scale', flush=True)
    _, out = b._run([NATIVE, 'domain'], 'core_native domain')
    v = b._values(out)
    maxd = int(v['max_domains'])
    per = static_per_domain(maxd)
    tables = ['%s %d B/domain' % kv for kv in sorted(per.items())]
    total = sum(per.values())
    frames = int(v['frames'])
    per_dom = (total + frames * 4096) / 1024
    b.ratio_row(sec, 'hypervisor memory per domain (static slots + frames)', per_dom, 'KiB',
                16, '16 KiB target', target=('<=', 1),
                note='sizeof(struct domain) %d B; per-domain static tables: %s; '
                     'frames from domain_create: %d (shared_info)' %
                     (int(v['sizeof_domain']), ', '.join(tables), frames))
    why = 'pending issue 5 (event channels, multi-domain boot, scheduler)'
    if issue5_landed():
        why = 'issue 5 landed; benchmark not written yet'
    b.pending('evtchn', 'event-channel ping-pong between two domains', why)
    b.pending('evtchn', 'domain switch', why)
    for n in (10, 100, 1000):
        b.pending(sec, 'boot %d small domains in pvx-sim' % n, why)
    b.pending(sec, 'one scheduling decision at 1,000 domains against 10', why)


# ---------------------------------------------------------------------------

def print_table(rows):
    print()
    print('%-7s %-58s %16s %9s %-14s %s' % ('section', 'figure (median)', 'value', 'ratio',
                                            'target', 'status'))
    for r in rows:
        ratio = '%.3f' % r['ratio'] if r['ratio'] is not None else '-'
        print('%-7s %-58s %16s %9s %-14s %s' % (r['section'], r['what'][:58],
                                                fmt_value(r['value'], r['unit']), ratio,
                                                r['target'] or '', r['status']))
        if r['status'] in ('PENDING',) and r['note']:
            print('%-7s   (%s)' % ('', r['note']))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--reps', type=int, default=7, help='repetitions per figure (median)')
    ap.add_argument('--quick', action='store_true', help='a quarter of the iterations, 3 reps')
    ap.add_argument('--only', default='sim,qemu,mmu,scale',
                    help='comma-separated: sim, qemu, mmu, scale')
    ap.add_argument('--mmu-machines', default='native,sim,qemu')
    ap.add_argument('--out', default=os.path.join(B, 'bench', 'results.json'))
    a = ap.parse_args()
    if a.quick and a.reps == 7:
        a.reps = 3
    only = set(a.only.split(','))
    b = Bench(a.reps, a.quick)
    start = time.time()
    hz = tsc_hz(b) if only & {'qemu', 'mmu'} else None
    try:
        if 'sim' in only:
            bench_sim(b)
        if 'qemu' in only:
            bench_qemu(b, hz)
        if 'mmu' in only:
            bench_mmu(b, hz, a.mmu_machines.split(','))
        if 'scale' in only:
            bench_scale(b)
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
