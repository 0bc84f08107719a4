#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""profile.py - where the instructions of one eval workload go, per function.

Runs the workload kernel (guests/eval/kernel/) on QEMU with one instruction
per translated block (-singlestep) and the execution log (-d exec,nochain)
streamed through a FIFO, so every executed instruction is one log line with
its address. Addresses are attributed to the symbols of pvx.elf (the
hypervisor), of the kernel's ELF (ring 1 or 0) and to "user" (ring 3 at
KUSER_BASE). Two runs of the same workload at two scales are subtracted, and
the difference divided by the difference of their operation counts: boot,
set-up and shutdown cancel, what is left is instructions per operation.

    testsuite/eval/profile.py pf                  # PV on pvx, page fault
    testsuite/eval/profile.py --native pf         # the native kernel
    testsuite/eval/profile.py --lines ctx_2p_0k   # per source line too

A count is QEMU's: one per instruction executed, a rep-string iteration
counted as one instruction (Bochs's TSC, run-eval.py's Bochs lane, counts the
same way within a few instructions). Not a test; a measuring tool.
"""
import argparse
import bisect
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.path.join(TOP, 'build')
HV = os.path.join(B, 'pvx.elf')
PV = os.path.join(B, 'eval', 'eval-pv.elf')
NATIVE = os.path.join(B, 'eval', 'eval-native.elf')
KUSER_BASE, KUSER_END = 0x40000000, 0x50000000
LINE = re.compile(r'^eval (\S+) ops=(\d+) ')


def symbols(elf):
    """Sorted (address, name) of the text symbols of an ELF."""
    out = subprocess.run(['nm', '-n', '--defined-only', elf], stdout=subprocess.PIPE, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in 'tTwW':
            syms.append((int(f[0], 16), f[2]))
    return syms


def run(native, workload, scale, extra):
    """One QEMU run: ({pc: count}, ops of the workload)."""
    counts = collections.Counter()
    with tempfile.TemporaryDirectory(prefix='pvx-profile-') as tmp:
        fifo = os.path.join(tmp, 'log')
        os.mkfifo(fifo)
        args = 'only=%s scale=%d %s' % (workload, scale, extra)
        q = ['qemu-system-i386', '-machine', 'pc', '-m', '128', '-display', 'none',
             '-serial', 'file:' + os.path.join(tmp, 'serial'), '-no-reboot',
             '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-nic', 'none',
             '-singlestep', '-d', 'exec,nochain', '-D', fifo]
        if native:
            q += ['-kernel', NATIVE, '-append', args]
        else:
            q += ['-kernel', HV, '-initrd', '%s %s' % (PV, args)]
        p = subprocess.Popen(q, stdin=subprocess.DEVNULL)

        def reader():
            # "Trace 0: 0x7f.. [cs_base/pc/flags/cflags] ..."
            with open(fifo, 'rb') as f:
                for line in f:
                    i = line.find(b'[')
                    if i >= 0 and line.startswith(b'Trace'):
                        j = line.find(b'/', i)
                        counts[line[j + 1:line.find(b'/', j + 1)]] += 1
        t = threading.Thread(target=reader)
        t.start()
        try:
            p.wait(timeout=1800)
        except subprocess.TimeoutExpired:
            p.kill()
            sys.exit('profile: QEMU did not finish in 1800 s')
        t.join()
        serial = open(os.path.join(tmp, 'serial'), errors='replace').read()
    if 'Test result: SUCCESS' not in serial:
        sys.exit('profile: the run failed:\n' + serial[-2000:])
    ops = None
    for line in serial.splitlines():
        m = LINE.match(line)
        if m and m.group(1) == workload:
            ops = int(m.group(2))
    if ops is None:
        sys.exit('profile: no "eval %s" line:\n%s' % (workload, serial[-2000:]))
    pcs = collections.Counter()
    for k, n in counts.items():
        pcs[int(k, 16)] += n
    return pcs, ops


def attribute(pcs, tables):
    """{symbol: count}; tables: [(lo, hi, prefix, syms)]."""
    by = collections.Counter()
    for pc, n in pcs.items():
        name = None
        for lo, hi, prefix, syms in tables:
            if lo <= pc < hi:
                if syms is None:
                    name = prefix
                else:
                    i = bisect.bisect_right(syms, (pc, '\xff')) - 1
                    name = prefix + (syms[i][1] if i >= 0 else '?')
                break
        by[name or 'other'] += n
    return by


def lines_of(elf, pcs):
    """{file:line: count} for the addresses of one ELF (addr2line)."""
    addrs = sorted(pcs)
    if not addrs:
        return collections.Counter()
    out = subprocess.run(['addr2line', '-e', elf] + ['%x' % a for a in addrs],
                         stdout=subprocess.PIPE, text=True, check=True).stdout.splitlines()
    by = collections.Counter()
    for a, where in zip(addrs, out):
        by[os.path.relpath(where.split(' ')[0], TOP) if where.startswith('/') else where] += pcs[a]
    return by


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('workload', help='a workload of work.c (null, fork, ctx_2p_0k, pf, mmap, prot, sig, pipe...)')
    ap.add_argument('--native', action='store_true', help='the native kernel instead of PV on pvx')
    ap.add_argument('--scales', default='10,20', help='the two scales (percent) subtracted (default 10,20)')
    ap.add_argument('--lines', action='store_true', help='also per source line (addr2line)')
    ap.add_argument('--top', type=int, default=40, help='rows shown (default 40)')
    ap.add_argument('--args', default='', help='more kernel arguments')
    ap.add_argument('--calls', action='store_true',
                    help='also entries per operation of each function (its first instruction)')
    a = ap.parse_args()

    # Our own copies: a rebuild while we run must not mix two images.
    global HV, PV, NATIVE
    keep = tempfile.TemporaryDirectory(prefix='pvx-profile-elf-')
    for name in ('HV', 'PV', 'NATIVE'):
        copy = os.path.join(keep.name, os.path.basename(globals()[name]))
        shutil.copyfile(globals()[name], copy)
        globals()[name] = copy
    kernel = NATIVE if a.native else PV
    lo_s, hi_s = (int(x) for x in a.scales.split(','))
    tables = [(KUSER_BASE, KUSER_END, 'user', None)]
    ksyms = symbols(kernel)
    tables.append((ksyms[0][0], ksyms[-1][0] + 0x10000, 'k:', ksyms))
    if not a.native:
        hsyms = symbols(HV)
        hsyms = [s for s in hsyms if s[0] >= 0xf0000000]
        tables.append((hsyms[0][0], 0xffffffff, 'hv:', hsyms))

    pcs_lo, ops_lo = run(a.native, a.workload, lo_s, a.args)
    pcs_hi, ops_hi = run(a.native, a.workload, hi_s, a.args)
    dops = ops_hi - ops_lo
    if dops <= 0:
        sys.exit('profile: the two scales give %d and %d operations' % (ops_lo, ops_hi))
    diff = collections.Counter(pcs_hi)
    diff.subtract(pcs_lo)
    by = attribute(diff, tables)
    total = sum(by.values())
    print('%s %s: %.1f instructions per operation (%d - %d operations)'
          % ('native' if a.native else 'pv', a.workload, total / dops, ops_hi, ops_lo))
    groups = collections.Counter()
    for name, n in by.items():
        groups[name.split(':')[0] if ':' in name else name] += n
    print('  ' + ', '.join('%s %.1f' % (g, n / dops) for g, n in groups.most_common()))
    for name, n in by.most_common(a.top):
        if abs(n) / dops >= 0.5:
            print('%10.1f  %s' % (n / dops, name))
    if a.calls:
        print('-- entries per operation')
        starts = [(addr, 'hv:' + n) for addr, n in (hsyms if not a.native else [])] + \
                 [(addr, 'k:' + n) for addr, n in ksyms]
        rows = sorted(((diff.get(addr, 0) / dops, n) for addr, n in starts), reverse=True)
        for per, n in rows[:a.top]:
            if per >= 0.5:
                print('%10.1f  %s' % (per, n))
    if a.lines:
        for elf, lo, hi in ((HV, 0xf0000000, 0x100000000), (kernel, ksyms[0][0], ksyms[-1][0] + 0x10000)):
            sub = collections.Counter({pc: n for pc, n in diff.items() if lo <= pc < hi and n})
            print('-- per line, %s' % os.path.basename(elf))
            for where, n in lines_of(elf, sub).most_common(a.top):
                if abs(n) / dops >= 0.5:
                    print('%10.1f  %s' % (n / dops, where))


if __name__ == '__main__':
    main()
