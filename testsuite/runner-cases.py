#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""runner-cases.py - the two runners have one interface: every case of the
table runs through build/pvx-sim and scripts/pvx-qemu, and both must give the
expected exit status and the same message (the first line on stderr, after
the program's name) - or, for a case that boots, the expected line in the
transcript.

A case: (name, argv, status, what). argv may use {hello}, {blocked}, {guests}
(paths) and {tmp} (a scratch folder). what is, for a refusal (status 2 before
boot), the message both must print, exactly; for a boot, a regex one line of
stdout must match. Cases that differ on purpose (an option of one runner only)
have a runner each: RUNNER_ONLY.

The last cases bypass the runners: QEMU's own Multiboot loader handing the
hypervisor a command line longer than it keeps must end in the same limit,
named by pvx.elf itself (arch-x86/multiboot.c).

Usage: testsuite/runner-cases.py [--list] [--sim FILE] [--qemu FILE] [NAME|GLOB ...]
"""

import argparse
import fnmatch
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(TOP, "build")
RUNNERS = {"pvx-sim": [os.path.join(B, "pvx-sim")],
           "pvx-qemu": [os.path.join(TOP, "scripts", "pvx-qemu")]}
HINT = "Try '%s --help' for more information."


def header_int(path, name):
    with open(os.path.join(TOP, "core", "include", path)) as f:
        m = re.search(r"^#define %s\s+(\d+)" % name, f.read(), re.M)
    return int(m.group(1))


MAX_MODULES = header_int("pvx/arch.h", "BOOT_MAX_MODULES")
ARGS_MAX = header_int("public/xen.h", "MAX_GUEST_CMDLINE") - 1
CMDLINE_MAX = 1023

with open(os.path.join(TOP, "core", "fault.c")) as f:
    FAULT_SITES = re.findall(r'\[FAULT_\w+\] = "(\w+)"', f.read())

SIZE_MSG = "is not a size from 16M to 4G (K/M/G; a bare number is MiB)"
MODSIZE_MSG = "is not a size from 1 to 4G (K/M/G; a bare number is MiB)"
TIME_MSG = "is not a time (10s, 250ms, 5us, 100ns; 0 for none)"
SITES = ("sites: frame_alloc, guest_copy, console, evtchn_send, timer, domain_create, foreign_map, "
         "disk_media, disk_lost, net_tx, net_rx, vif_rx")
KNOBS = "knobs: probability, interval, times, space, fail-nth"
BOOTED = r"^Test result: SUCCESS$"

CASES = [
    # Usage.
    ("no-kernel", [], 2, "no kernel given"),
    ("unknown-option", ["--bogus", "{hello}"], 2, "unknown option --bogus"),
    ("option-without-value", ["{hello}", "--mem"], 2, "--mem wants a value"),
    # --mem: K/M/G, a bare number is MiB, 16M..4G, whole MiB.
    # --disk: an image of whole sectors (docs/io.md); a machine with a disk boots.
    ("disk-missing", ["--disk={tmp}/none.img", "{hello}"], 2,
     "--disk: {tmp}/none.img is not a regular file we may read and write"),
    ("disk-not-sectors", ["--disk={tmp}/odd.img", "{hello}"], 2,
     "--disk: {tmp}/odd.img is not a whole number of 512-byte sectors"),
    ("disk-five", ["--disk={tmp}/disk.img"] * 5 + ["{hello}"], 2, "--disk: at most 4 disks"),
    ("disk-good", ["--disk={tmp}/disk.img", "{hello}"], 0, BOOTED),
    ("mem-abc", ["--mem=abc", "{hello}"], 2, "--mem: abc " + SIZE_MSG),
    ("mem-0", ["--mem=0", "{hello}"], 2, "--mem: 0 " + SIZE_MSG),
    ("mem-too-small", ["--mem", "8M", "{hello}"], 2, "--mem: 8M " + SIZE_MSG),
    ("mem-too-big", ["--mem=5G", "{hello}"], 2, "--mem: 5G " + SIZE_MSG),
    ("mem-not-whole-mib", ["--mem=20000K", "{hello}"], 2, "--mem: 20000K is not a whole number of MiB"),
    ("mem-bare-is-mib", ["--mem=64", "{hello}"], 0, r"^\(pvx\) memory: \d\d MiB free"),
    ("mem-with-unit", ["--mem", "128M", "{hello}"], 0, r"^\(pvx\) memory: 1[12]\d MiB free"),
    # The initial domain's default (32M) is fitted to a smaller machine, p2m list included.
    ("mem-16M-dom0-default-fitted", ["--mem=16M", "{hello}"], 0, r"^\(pvx\) domain 0 \(hello.elf\): \d+ MiB,"),
    # A further module's mem=: a bare number is MiB; bad values refused.
    ("module-mem-abc", ["{hello}", "{hello}=mem=abc"], 2, "module 2 (hello.elf): mem=abc " + MODSIZE_MSG),
    ("module-mem-0", ["{hello}", "{hello}=mem=0"], 2, "module 2 (hello.elf): mem=0 " + MODSIZE_MSG),
    ("module-mem-empty", ["{hello}", "{hello}=name=x mem="], 2, "module 2 (hello.elf): mem= without a size"),
    ("module-mem-bare-is-mib", ["{hello}", "{hello}=name=x mem=24"], 0,
     r"^\(pvx\) domain 1 \(x\): 24 MiB,"),
    ("module-mem-K", ["{hello}", "{hello}=mem=20480K name=x"], 0, r"^\(pvx\) domain 1 \(x\): 20 MiB,"),
    ("dom0-mem-abc", ["--cmdline=dom0_mem=abc", "{hello}"], 2, "--cmdline: dom0_mem=abc " + MODSIZE_MSG),
    ("dom0-mem-bare-is-mib", ["--cmdline=dom0_mem=40", "{hello}"], 0,
     r"^\(pvx\) domain 0 \(hello.elf\): 40 MiB,"),
    # --fail and --seed: typos are errors, not runs that inject nothing.
    ("fail-unknown-site", ["--fail=nosuch:times=1", "{hello}"], 2, "--fail: unknown site 'nosuch' (%s)" % SITES),
    ("fail-unknown-knob", ["--fail=frame_alloc:bogus=1", "{hello}"], 2,
     "--fail: unknown knob 'bogus' (%s)" % KNOBS),
    ("fail-no-knob", ["--fail=timer", "{hello}"], 2, "--fail: site 'timer' without a KNOB=VALUE"),
    ("fail-bad-number", ["--fail=console:times=x", "{hello}"], 2, "--fail: times wants a whole number: 'times=x'"),
    ("fail-probability", ["--fail=console:probability=101", "{hello}"], 2,
     "--fail: probability is a percentage, 0..100: 'probability=101'"),
    ("fail-second-clause", ["--fail=console:times=1;nosuch:times=1", "{hello}"], 2,
     "--fail: unknown site 'nosuch' (%s)" % SITES),
    ("fail-good", ["--fail=guest_copy:fail-nth=1000000;timer:interval=1,times=0", "--seed", "7",
                   "--cmdline=fail_report=1", "{hello}"], 0, r"^\(pvx\) fault guest_copy: calls \d+, injected 0$"),
    ("seed-abc", ["--seed=abc", "{hello}"], 2, "--seed: abc is not a whole number"),
    # The NIC: one network, a capture of its wire; without --net there is none.
    ("net-bogus", ["--net=tap", "{hello}"], 2, "--net: tap is not a network (user)"),
    ("net-user", ["--net=user", "{hello}"], 0, r"^\(pvx\) nic: 52:54:00:12:34:56$"),
    # The time limit: one spelling, the other an alias.
    ("timeout-abc", ["--timeout=abc", "{hello}"], 2, "--timeout: abc " + TIME_MSG),
    ("max-time-abc", ["--max-time", "1x", "{hello}"], 2, "--max-time: 1x " + TIME_MSG),
    ("timeout-units", ["--timeout=20s", "{hello}"], 0, BOOTED),
    ("max-time-alias", ["--max-time=20000ms", "{hello}"], 0, BOOTED),
    # Command lines: the hypervisor keeps 1023 bytes, a guest 1023 of its arguments.
    ("cmdline-too-long", ["--cmdline=" + "x" * 3000, "{hello}"], 2,
     "--cmdline of 3000 bytes: the hypervisor keeps at most %d" % CMDLINE_MAX),
    # 1023 bytes, the last word still read: all of it was kept.
    ("cmdline-at-limit", ["--cmdline=" + "x" * (CMDLINE_MAX - 13) + " dom0_mem=40M", "{hello}"], 0,
     r"^\(pvx\) domain 0 \(hello.elf\): 40 MiB,"),
    ("cmdline-with-fail-too-long", ["--cmdline=" + "x" * 1015, "--seed=12", "{hello}"], 2,
     "the hypervisor command line would be 1028 bytes: it keeps at most %d" % CMDLINE_MAX),
    ("module-args-too-long", ["{hello}=" + "y" * 100000], 2,
     "module 1 (hello.elf): arguments of 100000 bytes, at most %d (MAX_GUEST_CMDLINE)" % ARGS_MAX),
    ("module-args-at-limit", ["{hello}=" + "y" * ARGS_MAX], 0, BOOTED),
    # Modules: how many, which files.
    ("too-many-modules", ["{hello}"] * (MAX_MODULES + 1), 2,
     "%d modules given, at most %d (BOOT_MAX_MODULES)" % (MAX_MODULES + 1, MAX_MODULES)),
    ("twenty-modules", ["{hello}"] * 20, 2, "20 modules given, at most %d (BOOT_MAX_MODULES)" % MAX_MODULES),
    ("max-modules-long-lines", ["--cmdline=" + "x" * CMDLINE_MAX, "{hello}"] +
     ["{blocked}=mem=4M " + "y" * (ARGS_MAX - 8)] * (MAX_MODULES - 1), 0,
     r"^\(pvx\) domain %d \(blocked.elf\): 4 MiB" % (MAX_MODULES - 1)),
    ("same-file-twice", ["{hello}", "{hello}=name=again"], 0, r"^\(pvx\) domain 1 \(again\): 8 MiB"),
    ("module-is-directory", ["{hello}", "{guests}"], 2, "cannot read module {guests}: Is a directory"),
    ("module-missing", ["{tmp}/nosuch.elf"], 2, "cannot read module {tmp}/nosuch.elf: No such file or directory"),
    ("module-not-regular", ["/dev/null"], 2, "cannot read module /dev/null: not a regular file"),
    ("module-name-with-space", ["{tmp}/a b.elf"], 2,
     "module file name must be one plain word (no spaces, quotes, backslashes or ';'): 'a b.elf'"),
    ("options-after-modules", ["{hello}", "--timeout", "20s"], 0, BOOTED),
    ("double-dash", ["--", "--mem=64"], 2, "cannot read module --mem: No such file or directory"),
]

# The hardware-faithful lane's runner (scripts/pvx-bochs) takes the same
# spellings for what it shares with the others: these cases of the table run
# through it too (options before the kernel there), when Bochs is installed.
BOCHS = [os.path.join(TOP, "scripts", "pvx-bochs")]
BOCHS_CASES = ["no-kernel", "unknown-option", "mem-abc", "mem-0", "mem-too-small", "mem-too-big",
               "mem-not-whole-mib", "mem-with-unit", "timeout-abc", "max-time-abc", "timeout-units",
               "max-time-alias"]

# Options of one runner only: each says so on the other.
RUNNER_ONLY = [
    ("sim-only-trace", "pvx-qemu", ["--trace=hcall", "{hello}"], 2, "--trace is an option of pvx-sim only"),
    ("sim-only-hash", "pvx-qemu", ["--hash", "{hello}"], 2, "--hash is an option of pvx-sim only"),
    ("qemu-only-iso", "pvx-sim", ["--iso", "{hello}"], 2, "--iso is an option of scripts/pvx-qemu only"),
    ("qemu-only-machine", "pvx-sim", ["--machine=q35", "{hello}"], 2,
     "--machine is an option of scripts/pvx-qemu only"),
    ("qemu-only-native", "pvx-sim", ["--native", "{hello}"], 2,
     "--native is an option of scripts/pvx-qemu only"),
    ("qemu-native-one-kernel", "pvx-qemu", ["--native", "{hello}", "{hello}"], 2,
     "--native boots one kernel: no modules"),
    ("qemu-native-no-cmdline", "pvx-qemu", ["--native", "--cmdline=x", "{hello}"], 2,
     "--native: the kernel's command line is its ARGS, not --cmdline"),
    ("iso-same-file-twice", "pvx-qemu", ["--iso", "{hello}", "{hello}=name=again"], 0,
     r"^\(pvx\) domain 1 \(again\): 8 MiB"),
]


def expand(a, paths):
    for k, v in paths.items():
        a = a.replace("{%s}" % k, v)
    return a


def run(argv, timeout=120):
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace").replace("\r\n", "\n"), \
        p.stderr.decode("utf-8", "replace")


def judge(runner, argv, status, what, paths):
    """Problems with one run, as strings (none: it passed)."""
    cmd = (BOCHS if runner == "pvx-bochs" else RUNNERS[runner]) + [expand(a, paths) for a in argv]
    try:
        rc, out, err = run(cmd)
    except subprocess.TimeoutExpired:
        return ["%s: no answer in 120 s" % runner]
    problems = []
    if rc != status:
        problems.append("%s: exit %d, expected %d" % (runner, rc, status))
    if status == 2 and not re.search(r"^\(pvx\)", out, re.M):
        lines = err.splitlines()
        want = "%s: %s" % (runner, expand(what, paths))
        if not lines or lines[0] != want:
            problems.append("%s: message %r, expected %r" % (runner, lines[0] if lines else "", want))
        elif len(lines) != 2 or lines[1] != HINT % runner:
            problems.append("%s: not one line and the hint: %r" % (runner, err))
    elif not any(re.search(what, l) for l in out.splitlines()):
        problems.append("%s: no line matches /%s/ in:\n%s%s" % (runner, what, out[-1500:], err[-500:]))
    return problems


def help_checks():
    """--help and -h: the usage on stdout, exit 0, nothing on stderr."""
    problems = []
    for runner, cmd in RUNNERS.items():
        for opt in ("--help", "-h"):
            rc, out, err = run(cmd + [opt])
            if rc != 0 or not out.startswith("usage: %s [options] KERNEL[=ARGS] [MODULE[=ARGS]...]" % runner) \
               or err:
                problems.append("%s %s: exit %d, stdout %r, stderr %r" % (runner, opt, rc, out[:80], err[:80]))
            for o in ("--mem=SIZE", "--timeout=TIME", "--cmdline=STRING", "--fail=", "--seed=N",
                      "Alias: --max-time", "BOOT_MAX_MODULES", "MAX_GUEST_CMDLINE"):
                if o not in out:
                    problems.append("%s %s: the usage does not mention %s" % (runner, opt, o))
    return problems


def bochs_help_checks():
    """pvx-bochs --help: its usage on stdout, exit 0, the shared spellings named."""
    rc, out, err = run(BOCHS + ["--help"])
    problems = [] if rc == 0 and not err else ["pvx-bochs --help: exit %d, stderr %r" % (rc, err[:80])]
    for o in ("--mem=SIZE", "--timeout=TIME", "--max-time", "KERNEL[=ARGS] [MODULE[=ARGS]...]"):
        if o not in out:
            problems.append("pvx-bochs --help: the usage does not mention %s" % o)
    return problems


def site_checks():
    """Every fault site the core defines is accepted by both runners."""
    problems = []
    if len(FAULT_SITES) < 5:
        problems.append("found only %r in core/fault.c" % FAULT_SITES)
    for site in FAULT_SITES:
        for runner, cmd in RUNNERS.items():
            # A bad --seed after it: the --fail was accepted if the error is the seed's.
            rc, out, err = run(cmd + ["--fail=%s:times=0" % site, "--seed=x", "no.elf"])
            if rc != 2 or not err.startswith("%s: --seed:" % runner):
                problems.append("%s: --fail=%s:times=0 not accepted: %r" % (runner, site, err))
    return problems


# --trace=hcall (the simulator's): argument counts by the ABI's prototypes.
TRACE_ARITY = {"console_io": 3, "xen_version": 2, "sched_op": 2, "update_va_mapping": 4,
               "mmu_update": 4, "mmuext_op": 4, "memory_op": 2, "event_channel_op": 2,
               "callback_op": 2, "set_trap_table": 1, "vcpu_op": 3, "set_timer_op": 2,
               "update_descriptor": 4, "multicall": 2, "grant_table_op": 3}
TRACE_LINE = re.compile(r"^\[ *\d+\] d(\d+) hcall (\w+)\((.*)\)( = .*| \.\.\.| -> .*)$")


def trace_checks():
    problems = []
    sim = RUNNERS["pvx-sim"]
    hello = os.path.join(B, "guests", "hello.elf")
    rc, out, err = run(sim + ["--trace=hcall", hello])
    lines = err.splitlines()
    calls = [TRACE_LINE.match(l) for l in lines]
    if rc != 0 or not lines:
        problems.append("exit %d, %d trace lines" % (rc, len(lines)))
        return problems
    bad = [l for l, m in zip(lines, calls) if not m]
    if bad:
        problems.append("lines not of the form '[t] dN hcall name(args) = rc': %r" % bad[:3])
    if not re.match(r"^\[ *\d+\] d0 hcall sched_op\(shutdown, 0x[0-9a-f]+\) = \? \(the machine stopped\)$",
                    lines[-1]):
        problems.append("the last call is not the final sched_op(shutdown): %r" % lines[-1])
    for l, m in zip(lines, calls):
        if m and m.group(2) in TRACE_ARITY:
            n = len(m.group(3).split(", ")) if m.group(3) else 0
            if n != TRACE_ARITY[m.group(2)]:
                problems.append("%s with %d arguments, its arity is %d: %r"
                                % (m.group(2), n, TRACE_ARITY[m.group(2)], l))
                break
    if not any(re.search(r"hcall console_io\(write, 0x8, 0x80000000\) = -EFAULT$", l) for l in lines):
        problems.append("no console_io(write, 0x8, 0x80000000) = -EFAULT (errors by name)")
    if not any(re.search(r"hcall hypercall_60\(\) = -ENOSYS$", l) for l in lines):
        problems.append("no hypercall_60() = -ENOSYS (an unknown call has no arguments to show)")
    # Into one file: each call's entry comes before the output it makes.
    p = subprocess.run(sim + ["--trace=hcall", hello], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    both = p.stdout.decode("utf-8", "replace").splitlines()
    try:
        i = both.index("Hello from a pvx guest")
        if not (both[i - 1].endswith(" ...") and "console_io(write" in both[i - 1] and
                "<... console_io resumed> = 0" in both[i + 1]):
            problems.append("console output not between its call and the result: %r" % both[i - 1:i + 2])
    except ValueError:
        problems.append("no 'Hello from a pvx guest' in the merged output")
    # Two domains: a call that hands the CPU over says so.
    pp = os.path.join(B, "guests", "pingpong.elf")
    rc, out, err = run(sim + ["--trace=hcall", pp, pp + "=name=pong mem=4M"])
    if not re.search(r"^\[ *\d+\] d0 hcall sched_op\(yield, 0\) = \? \(d1 runs; the result reaches d0 "
                     r"when it runs again\)$", err, re.M):
        problems.append("no yield from d0 to d1 in the two-domain trace")
    rc, out, err = run(sim + ["--trace=bogus", hello])
    if rc != 2 or not err.startswith("pvx-sim: --trace: bogus is not a list of insn, hcall, sched\n"):
        problems.append("--trace=bogus: exit %d, %r" % (rc, err))
    return problems


def raw_qemu_cases(tmp):
    """QEMU's Multiboot loader straight to pvx.elf, no runner: the image
    itself names the limits (what a hand-written grub.cfg would meet)."""
    hv, hello = os.path.join(B, "pvx.elf"), os.path.join(B, "guests", "hello.elf")
    base = ["timeout", "-k", "5", "60", "qemu-system-i386", "-m", "128", "-display", "none",
            "-serial", "stdio", "-no-reboot", "-nic", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-kernel", hv]
    cases = [
        ("metal-cmdline-too-long", ["-append", "x" * 2000, "-initrd", hello],
         r"^\(pvx\) PANIC: the hypervisor command line is 2000 bytes: it keeps at most 1023$"),
        ("metal-module-args-too-long", ["-initrd", hello + " " + "y" * 1500],
         r"^\(pvx\) PANIC: module 1 \(hello.elf\): arguments of 1500 bytes, at most 1023 \(MAX_GUEST_CMDLINE\)$"),
        ("metal-module-args-at-limit", ["-initrd", hello + " " + "y" * 1023], BOOTED),
    ]
    results = []
    for name, extra, what in cases:
        rc, out, err = run(base + extra)
        status = 0 if what == BOOTED else 2
        problems = []
        # isa-debug-exit: QEMU exits with (status << 1) | 1.
        if rc != (status << 1) | 1:
            problems.append("qemu: exit %d, expected %d" % (rc, (status << 1) | 1))
        if not any(re.search(what, l) for l in out.splitlines()):
            problems.append("qemu: no line matches /%s/ in:\n%s" % (what, out[-1000:]))
        results.append((name, ["qemu"], problems))
    return results


def main():
    ap = argparse.ArgumentParser(description="The runners' shared cases.")
    ap.add_argument("names", nargs="*", metavar="NAME|GLOB")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--sim", help="another pvx-sim (default build/pvx-sim)")
    ap.add_argument("--qemu", help="another pvx-qemu (default scripts/pvx-qemu)")
    args = ap.parse_args()
    if args.sim:
        RUNNERS["pvx-sim"] = [os.path.abspath(args.sim)]
    if args.qemu:
        RUNNERS["pvx-qemu"] = [os.path.abspath(args.qemu)]

    names = [c[0] for c in CASES] + [c[0] for c in RUNNER_ONLY] + \
        ["bochs-" + n for n in BOCHS_CASES] + ["bochs-help"] + \
        ["help", "fault-sites", "sim-trace-hcall", "metal-cmdline-too-long", "metal-module-args-too-long",
         "metal-module-args-at-limit"]
    pats = args.names or ["*"]
    unknown = [p for p in pats if not any(fnmatch.fnmatchcase(n, p) for n in names)]
    if unknown:
        print("runner-cases: no case matches %s (--list shows them)" % ", ".join(unknown), file=sys.stderr)
        return 2
    chosen = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in pats)]
    if args.list:
        print("\n".join(chosen))
        return 0

    passed = failed = 0

    def report(name, runners, problems):
        nonlocal passed, failed
        if problems:
            failed += 1
            print("FAIL %-28s [%s]" % (name, ", ".join(runners)))
            for p in problems:
                print("     " + p)
        else:
            passed += 1
            print("PASS %-28s [%s]" % (name, ", ".join(runners)))

    with tempfile.TemporaryDirectory(prefix="pvx-runner-") as tmp:
        with open(os.path.join(tmp, "a b.elf"), "wb") as f:
            f.write(b"\x7fELF")
        with open(os.path.join(tmp, "odd.img"), "wb") as f:
            f.write(b"x" * 700)
        with open(os.path.join(tmp, "disk.img"), "wb") as f:
            f.write(bytes(64 * 1024))
        paths = {"hello": os.path.join(B, "guests", "hello.elf"),
                 "blocked": os.path.join(B, "guests", "blocked.elf"),
                 "guests": os.path.join(B, "guests"), "tmp": tmp}
        for name, argv, status, what in CASES:
            if name in chosen:
                report(name, list(RUNNERS), [p for r in RUNNERS for p in judge(r, argv, status, what, paths)])
        for name, runner, argv, status, what in RUNNER_ONLY:
            if name in chosen:
                report(name, [runner], judge(runner, argv, status, what, paths))
        have_bochs = subprocess.run(["sh", "-c", "command -v bochs-bin"], stdout=subprocess.DEVNULL).returncode == 0
        for name, argv, status, what in CASES:
            if "bochs-" + name in chosen:
                if not have_bochs:
                    report("bochs-" + name, ["pvx-bochs"], ["bochs-bin is not installed (make deps)"])
                    continue
                report("bochs-" + name, ["pvx-bochs"], judge("pvx-bochs", argv, status, what, paths))
        if "bochs-help" in chosen:
            report("bochs-help", ["pvx-bochs"], bochs_help_checks())
        if "help" in chosen:
            report("help", list(RUNNERS), help_checks())
        if "fault-sites" in chosen:
            report("fault-sites", list(RUNNERS), site_checks())
        if "sim-trace-hcall" in chosen:
            report("sim-trace-hcall", ["pvx-sim"], trace_checks())
        for name, runners, problems in raw_qemu_cases(tmp):
            if name in chosen:
                report(name, runners, problems)
    print("runner-cases: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main())
