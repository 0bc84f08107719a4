#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""check-walls.py - the walls between pvx's rooms, checked on every build.

Every #include of every source and header in a walled room is resolved as the
compiler resolves it (the including file's folder for "x", then the room's -I
folders, as the build.mk fragments give them), and the file it names must be
one the room may reach:

  core/include/public/  the guest ABI: only itself (it is what everyone shares)
  lib/                  the shared freestanding lib: itself and public/
  core/                 itself and lib/; never an arch, the simulator or a guest
  arch-x86/, sim/       pvx/arch.h and the headers it includes (at any depth),
                        lib/, public/ and their own files; no other core header
  guests/, testsuite/pv/, testsuite/bench/<guest>/, docs/examples/
                        public/, lib/, guests/lib/ and the guest's own folder

A header outside the tree is the compiler's or the system's: the freestanding
rooms (all but sim/) may use only the compiler's own (stdint.h & co.). A
computed include (#include MACRO) cannot be checked and is refused in a walled
room. In core/ the only preprocessor conditional is an include guard: the core
cannot behave differently on the two machines.

The arch contract: every arch_* function pvx/arch.h declares is defined by
both machines, in files of the same name (arch-x86/desc.c and sim/desc.c
...), and each machine asserts the PVX_ARCH_VERSION arch.h defines. A vCPU's
register frame is reached through vcpu_regs() only (a lazy entry may have
left it in the CPU): in core/, only hypercall.c touches the field itself.

At link time (--link ARCH-OBJECTS -- CORE-OBJECTS, from the link rules of
build/pvx.elf and build/pvx-sim) the same wall is checked on symbols: a
machine's objects may use of the core's only the entries pvx/arch.h declares
(core_*), however they were declared; lib/ is not the core.

Usage: check-walls.py [--root DIR] | --link ARCH-OBJ... -- CORE-OBJ...
Exit status 1 and one line per violation.
"""

import argparse
import os
import re
import subprocess
import sys

FREESTANDING = {"stdarg.h", "stdbool.h", "stddef.h", "stdint.h", "stdalign.h",
                "stdnoreturn.h", "limits.h", "float.h", "iso646.h"}
SOURCES = (".c", ".h", ".S")
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*(?:([<"])([^>"]+)[>"]|(.*))')
CONDITIONAL = re.compile(r"^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else)([ \t(]|$)")
GUARD = re.compile(r"^[ \t]*#[ \t]*ifndef[ \t]+[A-Z0-9_]+_H[ \t]*$")

PUBLIC = "core/include/public/"
ARCH_H = "core/include/pvx/arch.h"


class Room:
    """name: for messages; inc: the -I folders; may(path) for a file in the
    tree; system: headers outside the tree allowed at all."""

    def __init__(self, name, inc, may, system=False):
        self.name, self.inc, self.may, self.system = name, inc, may, system


def under(path, *prefixes):
    return any(path.startswith(p) for p in prefixes)


class Walls:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.problems = []
        self.arch_closure = None

    def exists(self, rel):
        return os.path.isfile(os.path.join(self.root, rel))

    def resolve(self, src, name, quoted, inc):
        """The tree-relative path an include names, or None (outside the tree)."""
        dirs = ([os.path.dirname(src)] if quoted else []) + inc
        for d in dirs:
            rel = os.path.normpath(os.path.join(d, name))
            if rel.startswith(".."):
                continue
            if self.exists(rel):
                return rel
        return None

    def includes(self, rel, inc):
        """(line number, text, resolved path or None, name) of each include."""
        out = []
        with open(os.path.join(self.root, rel), errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                if m.group(3) is not None:
                    out.append((n, line.strip(), None, None))
                    continue
                out.append((n, line.strip(), self.resolve(rel, m.group(2), m.group(1) == '"', inc),
                            m.group(2)))
        return out

    def closure(self, start, inc):
        """Every tree file start includes, at any depth, start included."""
        seen, todo = set(), [start]
        while todo:
            f = todo.pop()
            if f in seen or not self.exists(f):
                continue
            seen.add(f)
            for _, _, path, _ in self.includes(f, inc):
                if path:
                    todo.append(path)
        return seen

    def room_of(self, rel):
        core_inc = ["core/include", "lib/include"]
        if rel.startswith(PUBLIC):
            return Room("the guest ABI (core/include/public/)", ["core/include"],
                        lambda p: p.startswith(PUBLIC))
        if rel.startswith("lib/"):
            return Room("the shared lib (lib/)", core_inc,
                        lambda p: under(p, "lib/", PUBLIC))
        if rel.startswith("core/"):
            return Room("core/", core_inc, lambda p: under(p, "core/", "lib/"))
        if rel.startswith("arch-x86/") or rel.startswith("sim/"):
            own = rel.split("/")[0] + "/"
            if self.arch_closure is None:
                self.arch_closure = self.closure(ARCH_H, core_inc)
            return Room(own, core_inc,
                        lambda p, own=own: under(p, own, "lib/", PUBLIC) or p in self.arch_closure,
                        system=own == "sim/")
        m = re.match(r"(guests/[^/]+/|testsuite/pv/[^/]+/|testsuite/bench/[^/]+/|docs/examples/[^/]+/"
                     r"|testsuite/bench/bench\.h$)", rel)
        if m and not rel.startswith("testsuite/bench/host/"):
            own = m.group(1)
            extra = ("testsuite/bench/bench.h",) if own.startswith("testsuite/bench/") else ()
            return Room("a guest (%s)" % own, core_inc + ["guests/lib"],
                        lambda p, own=own, extra=extra: under(p, own, "guests/lib/", "lib/", PUBLIC)
                        or p in extra)
        return None

    def files(self):
        tops = ["core", "lib", "arch-x86", "sim", "guests", "testsuite/pv", "testsuite/bench",
                "docs/examples"]
        for top in tops:
            for d, dirs, fs in os.walk(os.path.join(self.root, top)):
                dirs.sort()
                for f in sorted(fs):
                    if f.endswith(SOURCES):
                        yield os.path.relpath(os.path.join(d, f), self.root)

    def check_file(self, rel):
        room = self.room_of(rel)
        if room is None:
            return
        for n, text, path, name in self.includes(rel, room.inc):
            where = "%s:%d: %s" % (rel, n, text)
            if name is None:
                self.problems.append("%s: a computed include cannot be checked" % where)
            elif path is None:
                if not room.system and name not in FREESTANDING:
                    self.problems.append("%s: %s is freestanding: no header but the compiler's own"
                                         % (where, room.name))
            elif not room.may(path):
                self.problems.append("%s: %s may not include %s" % (where, room.name, path))
        if rel.startswith("core/") and rel.endswith((".c", ".h")):
            self.check_conditionals(rel)

    def check_conditionals(self, rel):
        with open(os.path.join(self.root, rel), errors="replace") as f:
            for n, line in enumerate(f, 1):
                if CONDITIONAL.match(line) and not GUARD.match(line):
                    self.problems.append("%s:%d: %s: conditional compilation is not allowed in "
                                         "core/ (only include guards)" % (rel, n, line.strip()))

    def read(self, rel):
        with open(os.path.join(self.root, rel), errors="replace") as f:
            return f.read()

    def check_contract(self):
        arch_h = self.read(ARCH_H)
        declared = sorted(set(re.findall(r"^[\w ]+?\**\b(arch_\w+)\(", arch_h, re.M)))
        version = re.search(r"^#define PVX_ARCH_VERSION (\d+)", arch_h, re.M).group(1)
        where = {}
        for machine in ("arch-x86", "sim"):
            asserted = False
            for f in sorted(os.listdir(os.path.join(self.root, machine))):
                if not f.endswith(".c"):
                    continue
                text = self.read(os.path.join(machine, f))
                for name in re.findall(r"^[a-z][\w ]*?\**\b(arch_\w+)\([^;]*?\)\s*\{", text, re.M | re.S):
                    where.setdefault(name, {})[machine] = f
                asserted |= bool(re.search(r"_Static_assert\(PVX_ARCH_VERSION == %s\b" % version, text))
            if not asserted:
                self.problems.append("%s/: no _Static_assert(PVX_ARCH_VERSION == %s, ...): which "
                                     "arch.h does it implement?" % (machine, version))
        for name in declared:
            got = where.get(name, {})
            if set(got) != {"arch-x86", "sim"}:
                self.problems.append("%s: declared in pvx/arch.h, defined in %s" %
                                     (name, " and ".join("%s/%s" % kv for kv in sorted(got.items()))
                                      or "neither machine"))
            elif got["arch-x86"] != got["sim"]:
                self.problems.append("%s: in arch-x86/%s but sim/%s: one arch.h section, one file "
                                     "name on both machines" % (name, got["arch-x86"], got["sim"]))
        for name in sorted(set(where) - set(declared)):
            self.problems.append("%s: defined by %s but not in pvx/arch.h" %
                                 (name, " and ".join(sorted(where[name]))))

    FRAME = re.compile(r"(?<!cpuid_table\[i\])(->|\.)regs\b(?!\s*\()|\bregs_missing\b")

    def check_frame_access(self):
        for rel in self.files():
            if not rel.startswith("core/") or not rel.endswith(".c") or \
                    rel in ("core/hypercall.c", "core/cpu/regs.c"):
                continue
            for n, line in enumerate(self.read(rel).split("\n"), 1):
                code = re.sub(r"/\*.*?(\*/|$)|^\s*\*.*", "", line)
                if self.FRAME.search(code):
                    self.problems.append("%s:%d: %s: a vCPU's frame only through vcpu_regs() "
                                         "(pvx/domain.h)" % (rel, n, line.strip()))

    def run(self):
        for rel in self.files():
            self.check_file(rel)
        self.check_contract()
        self.check_frame_access()
        return self.problems


def nm(objs, undefined):
    """{symbol: object} of the objects' undefined (or defined global) symbols."""
    out = subprocess.run(["nm", "-A", "-u" if undefined else "--defined-only"] + objs,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        where, _, rest = line.partition(": ") if ": " in line else line.rpartition(":")
        w = rest.split()
        if len(w) >= 2 and (undefined or w[-2] in "TDBRC"):
            syms.setdefault(w[-1], where)
    return syms


def check_link(root, arch_objs, core_objs):
    with open(os.path.join(root, ARCH_H)) as f:
        entries = set(re.findall(r"^[\w ]+?\**\b(core_\w+)\(", f.read(), re.M))
    core = nm([o for o in core_objs if "/core/" in o], False)
    problems = []
    for sym, obj in sorted(nm(arch_objs, True).items()):
        if sym in core and sym not in entries:
            problems.append("%s uses %s of the core (%s): a machine reaches the core only "
                            "through pvx/arch.h's entries" % (obj, sym, os.path.basename(core[sym])))
    return problems


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--link":
        args = sys.argv[2:]
        if "--" not in args:
            print("usage: check-walls.py --link ARCH-OBJ... -- CORE-OBJ...", file=sys.stderr)
            return 2
        i = args.index("--")
        problems = check_link(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              args[:i], args[i + 1:])
        for p in problems:
            print(p, file=sys.stderr)
        if problems:
            print("check-walls: %d use(s) of the core past pvx/arch.h" % len(problems),
                  file=sys.stderr)
        return 1 if problems else 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    a = ap.parse_args()
    problems = Walls(a.root).run()
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print("check-walls: %d violation(s) of the walls between rooms (docs/architecture.md)"
              % len(problems), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
