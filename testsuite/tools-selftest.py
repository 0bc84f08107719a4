#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""tools-selftest.py - the test tools are tested too: make-test.py runs every
stage whatever fails or hangs and counts for real; run-scenarios.py refuses a
selection that matches nothing and lists and globs as documented; the guest
of docs/examples/own-guest builds outside the tree and boots on both runners;
the build fails on each kind of breach of the walls between rooms.

Each check prints "ok: ..." or "FAIL: ..."; exit status 1 on any failure.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKE_TEST = os.path.join(TOP, "testsuite", "make-test.py")
SCEN = os.path.join(TOP, "testsuite", "run-scenarios.py")
failures = 0


def check(what, cond, detail=""):
    global failures
    if cond:
        print("  ok: " + what)
    else:
        failures += 1
        print("  FAIL: %s%s" % (what, "\n" + detail if detail else ""))


def run(argv, timeout=120):
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout, cwd=TOP)
    return p.returncode, p.stdout, p.stderr, time.monotonic() - t0


def stage_rows(out):
    """{name: (result, rest)} from the table make-test.py prints last."""
    rows, seen = {}, False
    for line in out.splitlines():
        if line.startswith("stage "):
            seen = True
            continue
        if seen and line and not line.startswith("make-test:"):
            w = line.split(None, 3)
            rows[w[0]] = (w[1] if len(w) > 2 else "", w[-1])
    return rows


def make_test_checks(tmp):
    print("make-test.py")
    stages = os.path.join(tmp, "stages")
    with open(stages, "w") as f:
        f.write("first 30 true\n"
                "fails 30 exit 3\n"
                "hangs 2 sleep 100\n"
                "deaf 2 bash -c 'trap \"\" TERM; sleep 100'\n"
                "last 30 echo last ran\n")
    rc, out, err, secs = run([sys.executable, MAKE_TEST, "--stages", stages])
    rows = stage_rows(out)
    check("a failure anywhere: exit status 1", rc == 1, out + err)
    check("every stage ran, in order, after a failure and two hangs",
          list(rows) == ["first", "fails", "hangs", "deaf", "last", "total"], out)
    check("the stage after the failures really ran", "last ran" in out, out)
    check("results as they were: PASS FAIL FAIL FAIL PASS",
          [rows.get(n, ("",))[0] for n in ("first", "fails", "hangs", "deaf", "last")] ==
          ["PASS", "FAIL", "FAIL", "FAIL", "PASS"], out)
    check("a hang is a FAIL naming the time limit",
          "time limit of 2 s reached" in rows.get("hangs", ("", ""))[1], out)
    check("a stage deaf to SIGTERM is killed too (whole run under 60 s)", secs < 60, "%.1f s" % secs)
    check("the counted line", "make-test: 2 passed, 3 failed" in out.splitlines(), out)

    with open(stages, "w") as f:
        f.write("one 30 true\ntwo 30 true\n")
    rc, out, err, _ = run([sys.executable, MAKE_TEST, "--stages", stages])
    check("all passed: exit status 0 and the counted line",
          rc == 0 and "make-test: 2 passed, 0 failed" in out.splitlines(), out + err)
    rc, out, err, _ = run([sys.executable, MAKE_TEST, "--stages", stages, "--only", "tw*"])
    check("--only GLOB runs the matching stages only",
          rc == 0 and "make-test: 1 passed, 0 failed" in out.splitlines(), out + err)
    rc, out, err, _ = run([sys.executable, MAKE_TEST, "--only", "nosuch"])
    check("--only with an unknown stage: exit 2 and a message",
          rc == 2 and "no stage matches nosuch" in err, out + err)
    rc, out, err, _ = run([sys.executable, MAKE_TEST, "--list"])
    check("--list names the real stages",
          rc == 0 and all(s in out for s in ("build", "unit", "scenarios", "gdb", "coverage")), out)


def scenario_checks(tmp):
    print("run-scenarios.py")
    rc, out, err, _ = run([sys.executable, SCEN, "--list"])
    names = [l.split()[0] for l in out.splitlines()]
    check("--list prints the scenarios", rc == 0 and "hello" in names and "pv/mm-type-rules" in names,
          out + err)
    rc, out, err, _ = run([sys.executable, SCEN, "--sim-only", "nosuch"])
    check("an unknown name: exit 2, nothing run, a message",
          rc == 2 and "no scenario matches 'nosuch'" in err and "PASS" not in out, out + err)
    rc, out, err, _ = run([sys.executable, SCEN, "--sim-only", "--only", "mm-type-rules"])
    check("a name without its pv/ prefix: exit 2 with the right name suggested",
          rc == 2 and "did you mean pv/mm-type-rules?" in err, out + err)
    rc, out, err, _ = run([sys.executable, SCEN, "--sim-only", "hello", "nosuch"])
    check("one unknown among known names still refuses the run", rc == 2 and "PASS" not in out,
          out + err)
    rc, out, err, _ = run([sys.executable, SCEN, "--list", "pv/*"])
    listed = [l.split()[0] for l in out.splitlines()]
    pv = sorted(d for d in os.listdir(os.path.join(TOP, "testsuite", "pv")))
    check("a glob picks exactly its scenarios", rc == 0 and listed == ["pv/" + n for n in pv],
          out + err)
    hang = os.path.join(tmp, "hang.sh")
    with open(hang, "w") as f:
        f.write("#!/bin/sh\nexec sleep 100\n")
    os.chmod(hang, 0o755)
    env = dict(os.environ, PVX_LANE_LIMIT="2")
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, SCEN, "--sim-only", "--sim", hang, "hello"], cwd=TOP, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    check("a runner that hangs is a FAIL after the lane's limit",
          p.returncode == 1 and "FAIL hello" in p.stdout and time.monotonic() - t0 < 30, p.stdout + p.stderr)
    rc, out, err, _ = run([sys.executable, SCEN, "--sim-only", "hello"])
    check("a known name runs it and only it",
          rc == 0 and "PASS hello" in out and "scenarios: 1 passed, 0 failed" in out, out + err)
    # A PV test guest's expectations are its info file's, checked.
    pvdir = os.path.join(tmp, "pv")
    os.makedirs(os.path.join(pvdir, "x"))
    with open(os.path.join(pvdir, "x", "main.c"), "w") as f:
        f.write('const char test_title[] = "x: one behaviour";\n')
    info = "title: x: one behaviour\ncategory: functional\nmachines: sim bochs\nexit: 0\nresult: SUCCESS\n"
    bad = {"no info file": None, "a title that is not main.c's": info.replace("one", "another"),
           "an unknown key": info + "colour: blue\n", "an unknown machine": info.replace("bochs", "vax"),
           "no exit": info.replace("exit: 0\n", "")}
    for what, text in [("a good info file", info)] + list(bad.items()):
        path = os.path.join(pvdir, "x", "info")
        if os.path.exists(path):
            os.remove(path)
        if text is not None:
            with open(path, "w") as f:
                f.write(text)
        rc, out, err, _ = run([sys.executable, SCEN, "--pv-dir", pvdir, "--list", "pv/*"])
        if text == info:
            check("a PV guest's info file gives its scenario and lanes",
                  rc == 0 and out.split() == ["pv/x", "sim"], out + err)
        else:
            check("a PV guest's info file with %s: exit 2 and a message" % what,
                  rc == 2 and "testsuite/pv/x" in err.replace(pvdir, "testsuite/pv") and not out,
                  out + err)


def own_guest_checks(tmp):
    """docs/guests.md's guest built outside the tree, as a reader would."""
    print("a guest built outside the tree (docs/examples/own-guest)")
    src = os.path.join(TOP, "docs", "examples", "own-guest")
    dst = os.path.join(tmp, "own-guest")
    shutil.copytree(src, dst)
    rc, out, err, _ = run(["make", "-C", dst, "PVX=" + TOP])
    elf = os.path.join(dst, "own-guest.elf")
    check("make PVX=... builds it", rc == 0 and os.path.exists(elf), out + err)
    for runner in (os.path.join(TOP, "build", "pvx-sim"), os.path.join(TOP, "scripts", "pvx-qemu")):
        rc, out, err, _ = run([runner, elf + "=hello there"])
        out = out.replace("\r\n", "\n")
        check("%s boots it, with its arguments" % os.path.basename(runner),
              rc == 0 and "my arguments: 'hello there'" in out and "Test result: SUCCESS" in out,
              out + err)
    rc, out, err, _ = run(["make", "-C", dst, "PVX=" + os.path.join(tmp, "nosuch"), "-B"])
    check("without a built pvx, make says what is missing",
          rc != 0 and "guest-sdk/pvx-guest.mk" in err, out + err)


SUBOP = re.compile(r"case ((?:XENVER|XENMEM|MMUEXT|MMU|SCHEDOP|CONSOLEIO|EVTCHNOP|VCPUOP|CALLBACKOP|"
                   r"PHYSDEVOP|GNTTABOP|XENPF|XEN_DOMCTL)_\w+):")


def hypercall_doc_problems(doc):
    """What docs/hypercalls.md misses of the core's table, sub-ops and the
    trace's argument counts."""
    problems = []
    rows = {m.group(2): (m.group(1), m.group(3), m.group(4)) for m in
            re.finditer(r"^\| (\d+) \| `(\w+)` \| (\d*) \| (yes|no|partial) \|", doc, re.M)}
    with open(os.path.join(TOP, "core", "hypercall.c")) as f:
        for name, nargs in re.findall(r"^\s+HC\((\w+), (\d)\),", f.read(), re.M):
            if name not in rows or rows[name][2] == "no" or rows[name][1] != nargs:
                problems.append("core's %s/%s: %r in the doc" % (name, nargs, rows.get(name)))
    with open(os.path.join(TOP, "sim", "trace.c")) as f:
        for name, nargs in re.findall(r"HC\((\w+), (\d)\)", f.read()):
            if name not in rows or rows[name][1] != nargs:
                problems.append("trace's %s/%s: %r in the doc" % (name, nargs, rows.get(name)))
    for d, _, files in sorted(os.walk(os.path.join(TOP, "core"))):
        for path in sorted(f for f in files if f.endswith(".c")):
            with open(os.path.join(d, path)) as f:
                for sub in SUBOP.findall(f.read()):
                    if "`%s`" % sub not in doc:
                        problems.append("%s handles %s, not in the doc" % (path, sub))
    return problems


def hypercall_doc_checks():
    print("docs/hypercalls.md against the core")
    with open(os.path.join(TOP, "docs", "hypercalls.md")) as f:
        doc = f.read()
    problems = hypercall_doc_problems(doc)
    check("every hypercall of the core's table, its argument count, every sub-op it handles",
          not problems, "\n".join(problems))
    check("the check sees a missing hypercall", hypercall_doc_problems(doc.replace("`mmu_update`", "`x`")))
    check("the check sees a missing sub-op",
          hypercall_doc_problems(doc.replace("`EVTCHNOP_bind_ipi`", "`x`")))
    check("the check sees a wrong argument count",
          hypercall_doc_problems(doc.replace("| `console_io` | 3 |", "| `console_io` | 5 |")))


def build_checks(tmp):
    """The build: quiet by default, V=1 shows commands, a change of flags
    rebuilds what they built, a missing fragment is an error, and nothing is
    computed with $(shell) while make reads the files."""
    print("the build")
    obj = "build/unit/core/version.o"
    unit_flags = "$(CFLAGS_HOST) -O1 $(CORE_INC)"
    make = ["make", "--no-print-directory"]
    rc, out, err, _ = run(make + [obj, "CORE_CFLAGS_unit=%s -DPVX_SELFTEST=1" % unit_flags])
    check("a change of a variant's flags rebuilds its object, one quiet line",
          rc == 0 and out.strip() == "CC [unit] core/version.c", out + err)
    rc, out, err, _ = run(make + [obj, "CORE_CFLAGS_unit=%s -DPVX_SELFTEST=1" % unit_flags])
    check("the same flags again: nothing rebuilt", rc == 0 and "CC" not in out, out + err)
    rc, out, err, _ = run(make + [obj, "V=1"])
    check("the flags back, with V=1: rebuilt, the command shown",
          rc == 0 and re.search(r"^gcc .* -O1 .*-c core/version.c -o %s$" % obj, out, re.M), out + err)
    # A copy of the Makefile and its fragments, one missing.
    mk = os.path.join(tmp, "mk")
    for d, _, files in os.walk(TOP):
        if "/build" in d[len(TOP):] or "/.git" in d[len(TOP):]:
            continue
        for f in files:
            if f in ("Makefile", "build.mk"):
                dst = os.path.join(mk, os.path.relpath(os.path.join(d, f), TOP))
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copy(os.path.join(d, f), dst)
    os.remove(os.path.join(mk, "sim", "build.mk"))
    rc, out, err, _ = run(["make", "-C", mk, "-n", "all"])
    check("a missing fragment stops make", rc != 0 and "sim/build.mk" in err, out + err)
    parse_time = []
    for path in [os.path.join(mk, "Makefile")] + [os.path.join(d, f) for d, _, fs in os.walk(mk)
                                                   for f in fs if f == "build.mk"]:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                if re.match(r"^[A-Za-z_][\w-]*\s*:=.*\$\(shell", line):
                    parse_time.append("%s:%d: %s" % (os.path.relpath(path, mk), n, line.strip()))
    check("no $(shell ...) computed while make reads its files", not parse_time, "\n".join(parse_time))


def layer_checks(tmp):
    """check-layers.py fails on a lower room calling a higher one: a fake
    mm/types.o calling do_mmu_update, which a fake mm/mmu.o defines."""
    print("check-layers.py")
    core = os.path.join(tmp, "objs", "core")
    os.makedirs(os.path.join(core, "mm"))
    srcs = {"mm/types": "long do_mmu_update(void); long f(void) { return do_mmu_update(); }\n",
            "mm/mmu": "long do_mmu_update(void) { return 0; }\n"}
    for name, text in srcs.items():
        with open(os.path.join(tmp, "x.c"), "w") as fh:
            fh.write(text)
        run(["gcc", "-c", os.path.join(tmp, "x.c"), "-o", os.path.join(core, name + ".o")])
    rc, out, err, _ = run(["python3", "scripts/check-layers.py", os.path.join(tmp, "objs")])
    check("a call from mm's type layer up to the MMU hypercalls fails the check",
          rc == 1 and "mm/types.o (mm-types) calls do_mmu_update in mm/mmu.o (mm)" in err, err)
    os.remove(os.path.join(core, "mm", "types.o"))
    rc, out, err, _ = run(["python3", "scripts/check-layers.py", os.path.join(tmp, "objs")])
    check("without it the check passes", rc == 0, err)


# Each kind of breach of the walls (scripts/check-walls.py), made in a copy of
# the tree: (what, file, text appended or (old, new), a make target that
# compiles something, what the message must say[, (a second file, text
# appended)]).
WALL_BREACHES = [
    ("core/ includes a simulator header", "core/version.c", '#include "../sim/sim.h"\n',
     "build/host/core/version.o", "core/ may not include sim/sim.h"),
    ("core/ includes an arch-x86 header", "core/version.c", '#include "../arch-x86/x86.h"\n',
     "build/x86/core/version.o", "core/ may not include arch-x86/x86.h"),
    ("core/ compiles differently per machine", "core/version.c", "#ifdef __x86_64__\n#endif\n",
     "build/host/core/version.o", "conditional compilation is not allowed in core/"),
    ("a guest includes a hypervisor header", "guests/hello/main.c", "#include <pvx/lib.h>\n",
     "build/guests/hello.elf", "a guest (guests/hello/) may not include core/include/pvx/lib.h"),
    ("the guest runtime includes a hypervisor header by a path", "guests/lib/mm.c",
     '#include "../../core/include/pvx/layout.h"\n', "build/guests/hello.elf",
     "may not include core/include/pvx/layout.h"),
    ("a guest includes libc", "guests/hello/main.c", "#include <stdio.h>\n",
     "build/guests/hello.elf", "is freestanding: no header but the compiler's own"),
    ("arch-x86 reaches past arch.h", "arch-x86/mem.c", "#include <pvx/frame.h>\n",
     "build/pvx.elf", "arch-x86/ may not include core/include/pvx/frame.h"),
    ("the simulator reaches past arch.h", "sim/mem.c", "#include <pvx/domain.h>\n",
     "build/pvx-sim", "sim/ may not include core/include/pvx/domain.h"),
    ("the guest ABI includes a hypervisor header", "core/include/public/sched.h",
     ("#include \"xen.h\"\n", "#include \"xen.h\"\n#include <pvx/types.h>\n"),
     "build/guests/hello.elf", "the guest ABI (core/include/public/) may not include"),
    ("the core reads a vCPU's frame past vcpu_regs()", "core/version.c",
     "unsigned int f(struct vcpu *v);\nunsigned int f(struct vcpu *v) { return v->regs.eax; }\n",
     "build/host/core/version.o", "a vCPU's frame only through vcpu_regs()"),
    ("an arch.h function one machine lacks", "sim/desc.c",
     ("void arch_set_kernel_stack(", "void sim_set_kernel_stack("),
     "build/pvx-sim", "arch_set_kernel_stack: declared in pvx/arch.h, defined in arch-x86/desc.c"),
    ("an arch.h function in files of different names", "arch-x86/fpu.c",
     ("void arch_set_ts(bool ts)", "void arch_set_ts_moved(bool ts)"),
     "build/pvx.elf", "arch_set_ts: in arch-x86/desc.c but sim/fpu.c",
     ("arch-x86/desc.c", "void arch_set_ts(bool ts)\n{\n    (void)ts;\n}\n")),
    ("a machine that does not say which arch.h it implements", "sim/setup.c",
     ("_Static_assert(PVX_ARCH_VERSION ==", "_Static_assert(PVX_ARCH_VERSION >"),
     "build/pvx-sim", "sim/: no _Static_assert(PVX_ARCH_VERSION =="),
]


def walls_checks(tmp):
    """Every kind of breach of the walls fails the build, in a copy of the tree."""
    print("the walls between rooms (scripts/check-walls.py)")
    tree = os.path.join(tmp, "tree")
    shutil.copytree(TOP, tree, symlinks=True,
                    ignore=lambda d, names: [n for n in names if d == TOP and n in ("build", ".git")])
    os.makedirs(os.path.join(tree, "build"))
    os.symlink(os.path.join(TOP, "build", "deps"), os.path.join(tree, "build", "deps"))
    make = ["make", "--no-print-directory", "-C", tree]
    rc, out, err, _ = run(make + ["check-walls"])
    check("the tree as it is: check-walls passes", rc == 0, out + err)
    for what, rel, change, target, message, *more in WALL_BREACHES:
        origs = {}
        for r, c in [(rel, change)] + more:
            path = os.path.join(tree, r)
            with open(path) as f:
                origs[path] = orig = f.read()
            if isinstance(c, tuple):
                check("%s: the change applies to %s" % (what, r), c[0] in orig)
                broken = orig.replace(c[0], c[1], 1)
            else:
                broken = orig + c
            with open(path, "w") as f:
                f.write(broken)
        rc, out, err, _ = run(make + [target], timeout=300)
        built = os.path.exists(os.path.join(tree, target))
        check("%s: the build of %s fails, saying so" % (what, target),
              rc != 0 and message in err and not built, out + err)
        for path, orig in origs.items():
            with open(path, "w") as f:
                f.write(orig)

    # The same wall at link time (the link rules of pvx.elf and pvx-sim): a
    # machine's object that declares a core function itself and calls it.
    walls = os.path.join(TOP, "scripts", "check-walls.py")
    sim_objs = sorted(glob.glob(os.path.join(TOP, "build", "sim", "sim", "*.o")))
    core_objs = sorted(glob.glob(os.path.join(TOP, "build", "host", "core", "**", "*.o"), recursive=True) +
                       glob.glob(os.path.join(TOP, "build", "host", "lib", "*.o")))
    rc, out, err, _ = run([sys.executable, walls, "--link"] + sim_objs + ["--"] + core_objs)
    check("pvx-sim's objects use the core through arch.h only (link time)",
          rc == 0 and sim_objs and core_objs, out + err)
    bad = os.path.join(tmp, "sneak.c")
    with open(bad, "w") as f:
        f.write("void printk(const char *fmt, ...);\nvoid sneak(void) { printk(\"x\"); }\n")
    subprocess.run(["gcc", "-c", "-o", bad[:-2] + ".o", bad], check=True)
    rc, out, err, _ = run([sys.executable, walls, "--link"] + sim_objs + [bad[:-2] + ".o", "--"] +
                          core_objs)
    check("a machine's object calling the core's printk fails the link check, naming it",
          rc != 0 and "uses printk of the core" in err, out + err)


def main():
    with tempfile.TemporaryDirectory(prefix="pvx-selftest-") as tmp:
        layer_checks(tmp)
        make_test_checks(tmp)
        build_checks(tmp)
        walls_checks(tmp)
        own_guest_checks(tmp)
        scenario_checks(tmp)
    hypercall_doc_checks()
    print("tools-selftest: %s" % ("all passed" if failures == 0 else "%d failed" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main())
