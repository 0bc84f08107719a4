#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""run-eval.py - `make eval`: the Xen paper's evaluation (SOSP 2003, §4.1,
Tables 2-4) redone with pvx: one workload kernel (guests/eval/kernel/),
native and paravirtualized, side by side.

Lanes, all in the same run:
  native-qemu   eval-native.elf booted by Multiboot on QEMU (ring 0, no hypervisor)
  pv-qemu       eval-pv.elf on pvx on the same QEMU
  pv-sim        eval-pv.elf on pvx-sim (Unicorn)
  native-bochs, pv-bochs   both on Bochs (booted by GRUB): Bochs's TSC counts
                emulated instructions, not time, so its ratio is one of work done
                (instructions, traps counted as one), free of TCG's trap costs
  native-kvm, pv-kvm   the QEMU lanes with -accel kvm: silicon's prices. Taken
                when a probe boot of the native kernel under KVM passes (a KVM
                that runs 32-bit paging; the PVM flavour does not), or asked
                for by --only; results.json says why they were left out

Time: on QEMU each workload reads the TSC around its own work (TCG derives the
guest's TSC from the host's, the same clock for both QEMU lanes); PV/native
ratios are ratios of cycles, ns use the host TSC frequency (uc_floor tsc-hz).
In the simulator a guest's TSC is virtual time, so each workload is run alone
(only=NAME) and against a run of the boot alone (scale=0), and the difference
of the wall times is divided by its count, as run-bench.py does.

Context switches are lmbench's: the time per switch minus the same loop (the
working set summed, a yield) in one process, which switches to itself.

Every figure is the median of --reps repetitions. A repetition whose checksums
differ from the expected (the kernel checks each) or between lanes fails the
run. Nothing here is a test: `--smoke` is the functional check `make test`
runs (both backends boot, every workload's checksum agrees between them).

Writes build/eval/results.json, build/eval/table.md and build/eval/ratios.png
(gnuplot). See docs/evaluation.md.
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
OUT = os.path.join(B, 'eval')
SIM = os.path.join(B, 'pvx-sim')
QEMU = os.path.join(TOP, 'scripts', 'pvx-qemu')
BOCHS = os.path.join(TOP, 'scripts', 'pvx-bochs')
HELLO = os.path.join(B, 'guests', 'hello.elf')
PV = os.path.join(OUT, 'eval-pv.elf')
NATIVE = os.path.join(OUT, 'eval-native.elf')
FLOOR = os.path.join(B, 'bench', 'uc_floor')
DOMAINS = os.path.join(B, 'guests', 'eval-domains.elf')
ISO_KINDS = ('none', 'cpu', 'events', 'memory', 'disk', 'net')
# The disk hog's VBD: the whole of a 16 MiB image (pvx-sim's disk model,
# QEMU's IDE disk), rewritten for each run.
HOG_DISK = os.path.join(OUT, 'hog-disk.img')
HOG_SECTORS = 32768
# A domain takes at least 4 MiB (the builder's start-of-day area ends on a
# 4 MiB boundary): 128 of them need the 1 GiB machine on both (pvx on x86
# reaches memory past its 128 MiB direct map through the mapcache).
SCALE_N = {'sim': (1, 2, 4, 8, 16, 32, 64, 128), 'qemu': (1, 2, 4, 8, 16, 32, 64, 128)}
SCALE_LINE = re.compile(r'^eval scale domains=(\d+) now_ns=(\d+)')
ISO_LINE = re.compile(r'^eval iso dom=(\d+) share_ppm=(\d+) cpu_ms=(\d+)')
PROGRESS_LINE = re.compile(r'^\(d(\d+)\) eval iso-progress')

# The paper's Tables 2-4 (µs): Linux native, XenoLinux. None: not in the tables.
PAPER = {
    'null':        ('null call', 0.45, 0.46),
    'fork':        ('fork proc', 110, 198),
    'ctx_2p_0k':   ('ctxsw 2p/0K', 0.77, 1.97),
    'ctx_2p_16k':  ('ctxsw 2p/16K', 0.91, 2.22),
    'ctx_2p_64k':  ('ctxsw 2p/64K', 1.06, 2.67),
    'ctx_8p_16k':  ('ctxsw 8p/16K', 1.03, 3.07),
    'ctx_8p_64k':  ('ctxsw 8p/64K', 24.3, 28.7),
    'ctx_16p_16k': ('ctxsw 16p/16K', 3.61, 7.08),
    'ctx_16p_64k': ('ctxsw 16p/64K', 37.6, 39.4),
    'ctx_8p_0k':   ('ctxsw 8p/0K', None, None),
    'ctx_16p_0k':  ('ctxsw 16p/0K', None, None),
    'pf':          ('page fault', 1.42, 2.73),
    'mmap':        ('mmap lat', 68.0, 139),
    'prot':        ('prot fault', 1.06, 1.40),
    'sig':         ('sig hndl', 2.49, 1.75),
    'pipe':        ('pipe (not in the paper\'s tables)', None, None),
}
ORDER = ['null', 'fork', 'ctx_2p_0k', 'ctx_2p_16k', 'ctx_2p_64k', 'ctx_8p_0k', 'ctx_8p_16k',
         'ctx_8p_64k', 'ctx_16p_0k', 'ctx_16p_16k', 'ctx_16p_64k', 'pf', 'mmap', 'prot', 'sig', 'pipe']
# The goals: PV/native at or below these.
GOALS = {'fork': 1.8, 'pf': 1.9, 'ctx_2p_0k': 2.6, 'mmap': 2.0, 'null': 1.05}
RUNS = [n for n in ORDER] + ['ctx_1p_0k', 'ctx_1p_16k', 'ctx_1p_64k']
LANES = ('native-qemu', 'pv-qemu', 'pv-sim', 'native-bochs', 'pv-bochs', 'native-kvm', 'pv-kvm')
LINE = re.compile(r'^eval (\S+) ops=(\d+) cycles=(\d+) sum=(\d+)')


class Failed(Exception):
    pass


def run(argv, what, limit):
    t0 = time.perf_counter()
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors='replace', timeout=limit + 30, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Failed('%s: no end in %d s' % (what, limit + 30))
    t = time.perf_counter() - t0
    out = p.stdout.replace('\r\n', '\n')
    if p.returncode != 0 or 'Test result: SUCCESS' not in out:
        raise Failed('%s failed (exit %d):\n%s' % (what, p.returncode, out[-2500:]))
    res = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            res[m.group(1)] = dict(ops=int(m.group(2)), cycles=int(m.group(3)), sum=int(m.group(4)))
    return t, res


def boot(lane, args, limit):
    if lane == 'native-qemu':
        argv = [QEMU, '--native', '--timeout=%d' % limit, '%s=%s' % (NATIVE, args)]
    elif lane == 'native-bochs':
        # GRUB boots the native kernel in pvx's place; the module is ignored.
        argv = [BOCHS, '--timeout=%d' % limit, '--hv=%s' % NATIVE, '--cmdline=%s' % args, HELLO]
    elif lane == 'pv-bochs':
        argv = [BOCHS, '--timeout=%d' % limit, '%s=%s' % (PV, args)]
    elif lane == 'pv-qemu':
        argv = [QEMU, '--timeout=%d' % limit, '%s=%s' % (PV, args)]
    elif lane == 'native-kvm':
        argv = [QEMU, '--accel=kvm', '--native', '--timeout=%d' % limit, '%s=%s' % (NATIVE, args)]
    elif lane == 'pv-kvm':
        argv = [QEMU, '--accel=kvm', '--timeout=%d' % limit, '%s=%s' % (PV, args)]
    else:
        argv = [SIM, '--timeout=%d' % limit, '%s=%s' % (PV, args)]
    return run(argv, '%s %s' % (lane, args), limit)


def run_domains(machine, mods, limit, mem, cmdline=None, ok_fail=False, disk=None, net=False):
    """pvx with eval-domains.elf modules; (wall seconds, transcript, passed)."""
    argv = [SIM if machine == 'sim' else QEMU, '--mem=%s' % mem, '--timeout=%d' % limit]
    if disk:
        argv.append('--disk=%s' % disk)
    if net:
        argv.append('--net=user')
    if cmdline:
        argv.append('--cmdline=%s' % cmdline)
    argv += ['%s=%s' % (DOMAINS, m) for m in mods]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           errors='replace', timeout=limit + 30, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise Failed('%s %s: no end in %d s' % (machine, mods, limit + 30))
    t = time.perf_counter() - t0
    out = p.stdout.replace('\r\n', '\n')
    passed = p.returncode == 0 and 'Test result: SUCCESS' in out
    if not passed and not ok_fail:
        raise Failed('%s %s failed (exit %d):\n%s' % (machine, mods, p.returncode, out[-2500:]))
    return t, out, passed


def isolation(args):
    """Four domains run the workload, a fifth misbehaves; the shares, and the
    work the four did per ms of their CPU time against the run with no
    misbehaviour just before it (the kinds interleaved, --iso-reps times)."""
    runs = {}
    for machine in args.machines:
        for rep in range(args.iso_reps):
            for kind in ISO_KINDS:
                bad, disk, iso = 'role=bad kind=%s mem=4M' % kind, None, 'role=iso window=%d' % args.iso_window
                if kind == 'disk':
                    with open(HOG_DISK, 'wb') as f:
                        f.truncate(HOG_SECTORS * 512)
                    bad, disk = bad + ' vbd=xvda,w,0:0+%d' % HOG_SECTORS, HOG_DISK
                if kind == 'net':
                    iso += ' net=1'             # domain 0 makes the hog's VIF; the wire: the user network
                _, out, passed = run_domains(machine, [iso, 'role=good count=4 mem=4M', bad],
                                             120, '256M', 'dom0_mem=8M', ok_fail=True, disk=disk,
                                             net=kind == 'net')
                shares = {int(m.group(1)): int(m.group(2)) / 1e4
                          for m in (ISO_LINE.match(l) for l in out.splitlines()) if m}
                good = [shares.get(d) for d in range(1, 5)]
                if None in good:
                    raise Failed('isolation %s %s: shares missing:\n%s' % (machine, kind, out[-2000:]))
                # Work done inside the window: each progress line is 2^18 rounds.
                lines = out.splitlines()
                try:
                    a, b = lines.index('eval iso window-start'), lines.index('eval iso window-end')
                except ValueError:
                    raise Failed('isolation %s %s: no window markers:\n%s' % (machine, kind, out[-2000:]))
                chunks = {d: 0 for d in range(1, 6)}
                for l in lines[a:b]:
                    m = PROGRESS_LINE.match(l)
                    if m and int(m.group(1)) in chunks:
                        chunks[int(m.group(1))] += 1
                work = [chunks[d] * 2**18 / 1e6 for d in range(1, 5)]
                cpu_ms = {int(m.group(1)): int(m.group(3))
                          for m in (ISO_LINE.match(l) for l in lines) if m}
                # Work per ms of its own CPU time: what a good domain got done
                # in the time it was charged (a window of wall time would
                # measure the host's load as much).
                rate = sum(work) / max(1, sum(cpu_ms.get(d, 0) for d in range(1, 5))) * 1e3
                worst = max(abs(g - 20.0) / 20.0 * 100 for g in good)
                r = runs.setdefault((machine, kind), [])
                base = runs[(machine, 'none')][rep]['rate'] if kind != 'none' else rate
                r.append(dict(shares=good, bad=shares.get(5), worst=worst, passed=passed,
                              work=sum(work), rate=rate, rel=rate / base if base else None))
                print('eval: isolation %s %-6s good %s bad %s: worst %.2f%% %s; good work %.1f Mrounds, '
                      '%.0f krounds per CPU ms (%.3f of none)' % (
                          machine, kind, ' '.join('%.2f' % g for g in good), shares.get(5), worst,
                          'ok' if passed else 'MISSED', sum(work), rate, r[-1]['rel'] or 0), flush=True)
    rows = []
    for (machine, kind), r in runs.items():
        rels = sorted(x['rel'] for x in r if x['rel'] is not None)
        rows.append(dict(machine=machine, bad=kind, reps=len(r),
                         good_share_pct=r[-1]['shares'], bad_share_pct=r[-1]['bad'],
                         worst_rel_err_pct=round(max(x['worst'] for x in r), 2),
                         within_5pct=all(x['passed'] for x in r),
                         good_mrounds=[round(x['work'], 1) for x in r],
                         good_krounds_per_cpu_ms=[round(x['rate']) for x in r],
                         good_work_vs_none=round(statistics.median(rels), 3) if rels else None,
                         good_work_vs_none_range=[round(rels[0], 3), round(rels[-1], 3)] if rels else None))
    return rows


def scale(args):
    """Aggregate throughput: a fixed amount of work shared by N domains."""
    rows = []
    total = args.scale_work
    for machine in args.machines:
        for n in SCALE_N[machine]:
            if n > args.scale_max:
                continue
            mods = lambda t: ['role=scale domains=%d' % n,
                              'role=work total=%d domains=%d count=%d mem=4M' % (t, n, n)]
            secs = []
            for _ in range(args.scale_reps):
                samples = []
                for t in (0, total):
                    wall, out, _ = run_domains(machine, mods(t), 600, '1G',
                                               'dom0_mem=8M')
                    m = [SCALE_LINE.match(l) for l in out.splitlines()]
                    m = [x for x in m if x]
                    if not m:
                        raise Failed('scale %s n=%d: no result line' % (machine, n))
                    # The simulator's system time is virtual: its wall time counts.
                    samples.append(wall if machine == 'sim' else int(m[0].group(2)) / 1e9)
                secs.append(samples[1] - samples[0])
            sec = statistics.median(secs)
            rows.append(dict(machine=machine, domains=n, work_krounds=total, seconds=round(sec, 4),
                             samples_s=[round(x, 4) for x in secs],
                             mrounds_per_s=round(total / 1e3 / sec, 2) if sec > 0 else None))
            print('eval: scale %s %3d domains: %.3f s, %s Mrounds/s' % (
                machine, n, sec, rows[-1]['mrounds_per_s']), flush=True)
    return rows


def plot_scale(rows, png):
    if not shutil.which('gnuplot') or not rows:
        return
    dat = png[:-4] + '.dat'
    with open(dat, 'w') as f:
        for machine in ('sim', 'qemu'):
            pts = [r for r in rows if r['machine'] == machine and r['mrounds_per_s']]
            if not pts:
                continue
            base = pts[0]['mrounds_per_s']
            f.write('# %s: domains throughput relative\n' % machine)
            for r in pts:
                f.write('%d %s %.3f\n' % (r['domains'], r['mrounds_per_s'], r['mrounds_per_s'] / base))
            f.write('\n\n')
    script = '''
set terminal pngcairo size 900,420 font ",10"
set output "%s"
set title "Aggregate throughput of N domains sharing a fixed amount of work (relative to one domain)"
set xlabel "domains"
set ylabel "throughput / throughput of 1 domain"
set logscale x 2
set yrange [0:*]
set grid
set key bottom left
plot "%s" index 0 using 1:3 with linespoints title "pvx-sim (wall time)", \\
     "%s" index 1 using 1:3 with linespoints title "pvx on QEMU (system time)"
''' % (png, dat, dat)
    subprocess.run(['gnuplot'], input=script, text=True, stderr=subprocess.PIPE)


def tsc_hz():
    if os.access(FLOOR, os.X_OK):
        p = subprocess.run([FLOOR, 'tsc-hz'], stdout=subprocess.PIPE, text=True, timeout=60)
        m = re.search(r'tsc_hz ([0-9.]+)', p.stdout)
        if m:
            return float(m.group(1))
    return None


def check_sums(lanes):
    """Every workload's checksum is the same on every lane."""
    names = set()
    for res in lanes.values():
        names |= set(res)
    bad = []
    for n in sorted(names):
        sums = {lane: res[n]['sum'] for lane, res in lanes.items() if n in res}
        if len(set(sums.values())) != 1 or len(sums) != len(lanes):
            bad.append('%s: %r' % (n, sums))
    if bad:
        raise Failed('checksums differ between lanes:\n  ' + '\n  '.join(bad))
    return sorted(names)


def selftest():
    """The checks bite: lanes that disagree, a workload missing, a kernel
    whose expected checksums are skewed (it must report a failure)."""
    a = {'null': dict(ops=1, cycles=1, sum=1)}
    for lanes, what in (({'x': a, 'y': {'null': dict(ops=1, cycles=1, sum=2)}}, 'differ'),
                        ({'x': a, 'y': {}}, 'missing')):
        try:
            check_sums(lanes)
        except Failed:
            continue
        raise Failed('selftest: check_sums accepted lanes whose checksums %s' % what)
    for lane in ('native-qemu', 'pv-sim'):
        try:
            boot(lane, 'scale=1 only=null skew=1', 120)
        except Failed as e:
            if 'checksum' not in str(e) or 'Test result: FAILURE' not in str(e):
                raise Failed('selftest: %s with skew=1 failed otherwise: %s' % (lane, e))
            continue
        raise Failed('selftest: %s passed with skewed checksums' % lane)


def smoke(args):
    """make test's check: both backends boot, every workload runs and its
    checksum is the one the work must give and the same on every lane."""
    selftest()
    lanes = {}
    for lane in args.lanes:
        _, lanes[lane] = boot(lane, 'scale=%d' % args.smoke_scale, 300)
    names = check_sums(lanes)
    missing = [n for n in RUNS if n not in names]
    if missing:
        raise Failed('workloads missing: %s' % ', '.join(missing))
    print('eval smoke: %d workloads, checksums agree on %s' % (len(names), ', '.join(sorted(lanes))))


def kvm_probe():
    """None if the native kernel runs under KVM here, else why not (its last
    words): the PVM flavour of KVM takes #GP where a 32-bit kernel turns on
    paging (docs/running.md, KVM)."""
    if not os.access('/dev/kvm', os.R_OK | os.W_OK):
        return 'no usable /dev/kvm'
    try:
        boot('native-kvm', 'scale=1 only=null', 60)
    except Failed as e:
        last = [l for l in str(e).splitlines() if l.strip() and 'warning:' not in l]
        return 'the native kernel fails under KVM: %s' % ' / '.join(last[-2:])
    return None


def per_op(res, name):
    """Cycles (or seconds) per operation of one run; ctx minus its overhead."""
    r = res[name]
    v = r['cycles'] / r['ops']
    if name.startswith('ctx_'):
        kib = name.split('_')[2]
        base = res['ctx_1p_%s' % kib]
        v -= base['cycles'] / base['ops']
    return v


def measure(args):
    hz = tsc_hz()
    samples = {lane: {n: [] for n in ORDER} for lane in args.lanes}
    t_start = time.time()
    for rep in range(args.reps):
        reps = {}
        for lane in args.lanes:
            if lane == 'pv-sim' or lane.endswith('-bochs'):
                continue
            _, reps[lane] = boot(lane, 'scale=%d' % args.scale, 600)
        # Bochs counts instructions, not time: one repetition is the figure.
        for lane in [l for l in args.lanes if l.endswith('-bochs')]:
            if rep == 0:
                _, reps[lane] = boot(lane, 'scale=%d' % args.bochs_scale, 1500)
        # Lanes run at one scale agree with each other (QEMU's, KVM's, Bochs's).
        for suffix in ('-qemu', '-kvm', '-bochs'):
            same = {l: r for l, r in reps.items() if l.endswith(suffix)}
            if len(same) > 1:
                check_sums(same)
        for lane, res in reps.items():
            for n in ORDER:
                if n not in res or (res[n]['ops'] == 0):
                    continue
                samples[lane][n].append(per_op(res, n))
        if 'pv-sim' in args.lanes:
            t0, _ = boot('pv-sim', 'scale=0 only=none', 600)
            walls = {}
            for n in RUNS:
                t, res = boot('pv-sim', 'scale=%d only=%s' % (args.sim_scale, n), 600)
                walls[n] = (t - t0, res[n]['ops'])
            for n in ORDER:
                v = walls[n][0] / walls[n][1]
                if n.startswith('ctx_'):
                    b = walls['ctx_1p_%s' % n.split('_')[2]]
                    v -= b[0] / b[1]
                samples['pv-sim'][n].append(v * 1e9)      # ns
        print('eval: repetition %d of %d done (%.0f s)' % (rep + 1, args.reps, time.time() - t_start),
              flush=True)

    rows = []
    for n in ORDER:
        label, lin, xen = PAPER[n]
        row = dict(workload=n, paper_label=label, paper_linux_us=lin, paper_xen_us=xen,
                   paper_ratio=round(xen / lin, 2) if lin else None)
        for lane in args.lanes:
            s = samples[lane][n]
            if not s:
                continue
            if lane == 'pv-sim':
                row['pv_sim_ns'] = round(statistics.median(s), 1)
                row['pv_sim_samples_ns'] = [round(x, 1) for x in s]
            else:
                key = lane.replace('-', '_')
                row[key + '_cycles'] = round(statistics.median(s), 1)
                row[key + '_samples_cycles'] = [round(x, 1) for x in s]
                if hz and (lane.endswith('-qemu') or lane.endswith('-kvm')):
                    row[key + '_ns'] = round(statistics.median(s) * 1e9 / hz, 1)
        if samples.get('native-bochs', {}).get(n) and samples.get('pv-bochs', {}).get(n):
            # Per-operation ticks (about one per instruction), native and PV.
            row['bochs_native_ticks'] = round(samples['native-bochs'][n][0])
            row['bochs_pv_ticks'] = round(samples['pv-bochs'][n][0])
        for acc, key in (('qemu', ''), ('kvm', 'kvm_')):
            if 'native-' + acc not in args.lanes or 'pv-' + acc not in args.lanes:
                continue
            nat = [x for x in samples['native-' + acc][n]]
            pv = [x for x in samples['pv-' + acc][n]]
            if not nat or not pv:
                continue
            # Each repetition boots both kernels one after the other: the median
            # of these paired ratios is steadier on a loaded machine than the
            # ratio of the medians (kept too), and their range is the spread.
            ratios = sorted(p / q for p, q in zip(pv, nat) if q > 0)
            mn = statistics.median(nat)
            row[key + 'ratio_of_medians'] = round(statistics.median(pv) / mn, 2) if mn > 0 else None
            row[key + 'ratio'] = round(statistics.median(ratios), 2) if ratios else None
            row[key + 'ratio_min'] = round(ratios[0], 2) if ratios else None
            row[key + 'ratio_max'] = round(ratios[-1], 2) if ratios else None
            if n in GOALS and row[key + 'ratio'] is not None:
                row[key + 'goal'] = GOALS[n]
                row[key + 'goal_met'] = row[key + 'ratio'] <= GOALS[n]
        rows.append(row)
    return dict(host=platform.node(), machine=platform.machine(), cpus=os.cpu_count(),
                load=os.getloadavg()[0], tsc_hz=hz, reps=args.reps, qemu_scale=args.scale,
                bochs_scale=args.bochs_scale,
                sim_scale=args.sim_scale, lanes=args.lanes, seconds=round(time.time() - t_start, 1),
                date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), rows=rows)


def fmt(v, unit=''):
    if v is None:
        return '—'
    if isinstance(v, float) and v >= 100:
        return '%.0f%s' % (v, unit)
    return '%s%s' % (v, unit)


def table(res):
    kvm = any('kvm_ratio' in r for r in res['rows'])
    lines = ['| workload | paper Linux µs | paper Xen µs | paper ratio | native on QEMU ns '
             '| PV on pvx-on-QEMU ns | **pvx ratio** (spread) | goal | PV on pvx-sim ns | Bochs ticks native / PV |' +
             (' native on KVM ns | PV on KVM ns | **pvx ratio on KVM** (spread) |' if kvm else ''),
             '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |' +
             (' ---: | ---: | ---: |' if kvm else '')]
    for r in res['rows']:
        spread = ''
        if r.get('ratio_min') is not None:
            spread = ' (%s–%s)' % (r['ratio_min'], r['ratio_max'])
        goal = ''
        if 'goal' in r:
            goal = '≤ %s %s' % (r['goal'], 'met' if r['goal_met'] else 'MISSED')
        lines.append('| %s | %s | %s | %s | %s | %s | **%s**%s | %s | %s | %s |' % (
            r['paper_label'], fmt(r['paper_linux_us']), fmt(r['paper_xen_us']), fmt(r['paper_ratio']),
            fmt(r.get('native_qemu_ns')), fmt(r.get('pv_qemu_ns')), fmt(r.get('ratio')), spread, goal,
            fmt(r.get('pv_sim_ns')),
            '%s / %s' % (r['bochs_native_ticks'], r['bochs_pv_ticks']) if 'bochs_pv_ticks' in r else '—') +
            (' %s | %s | **%s**%s%s |' % (fmt(r.get('native_kvm_ns')), fmt(r.get('pv_kvm_ns')), fmt(r.get('kvm_ratio')),
                                         ' (%s–%s)' % (r['kvm_ratio_min'], r['kvm_ratio_max'])
                                         if r.get('kvm_ratio_min') is not None else '',
                                         ' goal ≤ %s %s' % (r['kvm_goal'], 'met' if r['kvm_goal_met'] else 'MISSED')
                                         if 'kvm_goal' in r else '') if kvm else ''))
    return '\n'.join(lines) + '\n'


def plot(res, png):
    if not shutil.which('gnuplot'):
        print('eval: no gnuplot (make deps): no plot', file=sys.stderr)
        return
    dat = png[:-4] + '.dat'
    with open(dat, 'w') as f:
        f.write('# workload paper_ratio pvx_ratio\n')
        for r in res['rows']:
            if r.get('ratio') is None:
                continue
            f.write('"%s" %s %s\n' % (r['workload'].replace('_', '-'),
                                      r['paper_ratio'] if r['paper_ratio'] else 'NaN', r['ratio']))
    script = '''
set terminal pngcairo size 1100,480 font ",10"
set output "%s"
set title "PV / native, per workload: the Xen paper (Linux 2.4 on Xen 1.0, silicon) and pvx (QEMU TCG)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "ratio (1 = as fast as native)"
set yrange [0:*]
set grid ytics
set xtics rotate by -35 scale 0
set key top left
plot "%s" using 2:xtic(1) title "paper (Xen / Linux)", "" using 3 title "pvx (PV on pvx / native), QEMU TCG"
''' % (png, dat)
    p = subprocess.run(['gnuplot'], input=script, text=True, stderr=subprocess.PIPE)
    if p.returncode:
        print('eval: gnuplot failed: %s' % p.stderr, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--reps', type=int, default=7, help='repetitions per figure (default 7)')
    ap.add_argument('--scale', type=int, default=300,
                    help='QEMU iterations, percent of the kernel\'s defaults (default 300)')
    ap.add_argument('--sim-scale', type=int, default=1000,
                    help='simulator iterations, percent of the defaults (default 1000)')
    ap.add_argument('--quick', action='store_true', help='3 repetitions, a third of the iterations')
    ap.add_argument('--only', default=None,
                    help='lanes, comma-separated (native-qemu, pv-qemu, pv-sim, native-bochs, '
                         'pv-bochs, native-kvm, pv-kvm; default all, the KVM pair if it runs here)')
    ap.add_argument('--bochs-scale', type=int, default=50,
                    help='Bochs iterations, percent of the defaults (default 50)')
    ap.add_argument('--smoke', action='store_true',
                    help='the functional check of make test: every lane once, checksums compared')
    ap.add_argument('--smoke-scale', type=int, default=2, help='iterations of --smoke (percent)')
    ap.add_argument('--sections', default='micro,isolation,scale',
                    help='micro (the lmbench-like table), isolation, scale (default all)')
    ap.add_argument('--machines', default='sim,qemu', help='for isolation and scale: sim, qemu')
    ap.add_argument('--iso-window', type=int, default=2000, help='isolation window, ms (default 2000)')
    ap.add_argument('--iso-reps', type=int, default=3, help='isolation runs of each kind (default 3)')
    ap.add_argument('--scale-work', type=int, default=100000,
                    help='thousands of workload rounds shared by the N domains (default 100000)')
    ap.add_argument('--scale-reps', type=int, default=3, help='repetitions per N (default 3)')
    ap.add_argument('--scale-max', type=int, default=128, help='at most this many domains')
    args = ap.parse_args()
    default_lanes = args.only is None
    args.lanes = [l for l in (args.only or ','.join(LANES)).split(',') if l]
    args.sections = [x for x in args.sections.split(',') if x]
    args.machines = [x for x in args.machines.split(',') if x]
    for l in args.lanes:
        if l not in LANES:
            ap.error('unknown lane %s' % l)
    if args.quick:
        args.reps = 3
        args.scale = max(1, args.scale // 3)
        args.sim_scale = max(1, args.sim_scale // 3)
    if args.smoke:
        args.lanes = [l for l in args.lanes if not l.endswith('-bochs')]
    for f in (SIM, PV, NATIVE, os.path.join(B, 'pvx.elf')):
        if not os.path.exists(f):
            ap.error('%s missing (make eval-build)' % f)
    kvm_why = None
    if any(l.endswith('-kvm') for l in args.lanes) and not args.smoke:
        kvm_why = kvm_probe()
        if kvm_why and not default_lanes:
            print('eval: KVM lanes asked for, but %s' % kvm_why, file=sys.stderr)
            return 1
        if kvm_why:
            print('eval: no KVM lanes: %s' % kvm_why, file=sys.stderr)
            args.lanes = [l for l in args.lanes if not l.endswith('-kvm')]
    if args.smoke:
        args.lanes = [l for l in args.lanes if not l.endswith('-kvm')]
    try:
        if args.smoke:
            smoke(args)
            return 0
        os.makedirs(OUT, exist_ok=True)
        res = measure(args) if 'micro' in args.sections else dict(rows=[])
        res['kvm'] = 'used' if any(l.endswith('-kvm') for l in args.lanes) else \
            'not asked for' if kvm_why is None else 'unavailable: ' + kvm_why
        if 'isolation' in args.sections:
            res['isolation'] = isolation(args)
        if 'scale' in args.sections:
            res['scale'] = scale(args)
    except Failed as e:
        print('eval: %s' % e, file=sys.stderr)
        return 1
    with open(os.path.join(OUT, 'results.json'), 'w') as f:
        json.dump(res, f, indent=1)
    if res['rows']:
        t = table(res)
        with open(os.path.join(OUT, 'table.md'), 'w') as f:
            f.write(t)
        plot(res, os.path.join(OUT, 'ratios.png'))
        print(t)
        print('eval: %d repetitions, %.0f s, load %.1f' % (res['reps'], res['seconds'], res['load']))
    if res.get('scale'):
        plot_scale(res['scale'], os.path.join(OUT, 'scale.png'))
    if res.get('kvm', '').startswith('unavailable'):
        print('eval: KVM lanes %s' % res['kvm'])
    print('eval: build/eval/results.json, table.md, ratios.png, scale.png')
    return 0


if __name__ == '__main__':
    sys.exit(main())
