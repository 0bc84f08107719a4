#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""check-layers.py - which room of core/ calls which, from the objects' symbols.

Every core object's undefined symbols (nm -u) are matched to the object that
defines them; each call between rooms must be one ALLOWED lists (docs/
architecture.md draws the same table). A lower room never calls a higher one:
mm's type layer never calls the MMU hypercalls above it, the base calls
nothing, nothing calls the entry. Exit 1 with every forbidden edge named.

  check-layers.py OBJDIR     (the core's objects of one variant, e.g. build/host)
  check-layers.py --graph OBJDIR    print every room-to-room edge with an example
"""
import os
import subprocess
import sys

# Rooms, by path under core/ (the first match wins).
ROOMS = [
    ("base", ["lib/", "heap.c", "fault.c", "console.c", "machine.c", "trace.c"]),
    # mm/transfer.c: a page flip's two halves (frame ownership), which io/vif.c calls.
    ("mm-types", ["mm/frame.c", "mm/types.c", "mm/guest_access.c", "mm/transfer.c"]),
    ("mm", ["mm/"]),
    ("cpu", ["cpu/"]),
    ("sched", ["sched/"]),
    ("event", ["event/"]),
    ("domain", ["domain/"]),
    ("io", ["io/"]),
    ("control", ["control/"]),
    ("entry", ["setup.c", "hypercall.c", "multicall.c", "version.c"]),
]

# Who may call whom (besides itself). The three rooms in the middle - domain,
# sched, event, and the CPU state - are Xen's common/: they call each other
# (a domain that dies leaves the runqueue and tells the initial domain with an
# event; a blocked vCPU wakes on one). Everything else points down.
MIDDLE = {"domain", "sched", "event", "cpu"}
ALLOWED = {
    "base": set(),
    "mm-types": {"base", "domain"},         # a frame's owner is a domain: domain_lookup
    "mm": {"base", "mm-types"} | MIDDLE,
    "cpu": {"base", "mm-types", "mm"} | MIDDLE,  # an emulated mov to cr3 is NEW_BASEPTR
    # The reaper takes a dead domain's VBDs away, and the machine's timer
    # drives the disks' watchdog (io_domain_destroy, io_watchdog).
    "sched": {"base", "mm-types", "io"} | MIDDLE,
    "event": {"base", "mm-types"} | MIDDLE,
    "domain": {"base", "mm-types", "mm"} | MIDDLE,   # a dying domain gives its memory back
    "io": {"base", "mm-types"} | MIDDLE,
    # the initial domain manages the I/O rooms' policy: VBDs (vbd_domctl), the VFR's rules
    "control": {"base", "mm-types", "mm", "io"} | MIDDLE,
    "entry": {"base", "mm-types", "mm", "io", "control"} | MIDDLE,
}


def room_of(path):
    rel = path.split("/core/", 1)[-1] if "/core/" in path else path
    rel = rel[:-2] + ".c" if rel.endswith(".o") else rel
    for name, prefixes in ROOMS:
        if any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in prefixes):
            return name
    return None


def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    return defined, undefined


def main():
    args = sys.argv[1:]
    graph = args[:1] == ["--graph"]
    if graph:
        args = args[1:]
    if len(args) != 1:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    top = os.path.join(args[0], "core")
    objs = []
    for d, _, files in os.walk(top):
        objs += [os.path.join(d, f) for f in files if f.endswith(".o")]
    # Only the objects of sources that exist (a moved file leaves a stale one).
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    objs = [o for o in objs
            if os.path.exists(os.path.join(here, "core", os.path.relpath(o, top)[:-2] + ".c"))]
    owner, uses = {}, {}
    for o in objs:
        room = room_of(o)
        if room is None:
            print("check-layers: %s is in no room (add it to ROOMS)" % o, file=sys.stderr)
            return 1
        defined, undefined = symbols(o)
        for s in defined:
            owner[s] = (room, o)
        uses[o] = (room, undefined)
    edges, bad = {}, []
    for o, (room, undefined) in sorted(uses.items()):
        for s in sorted(undefined):
            if s not in owner:
                continue                # libc, the arch, the linker's
            to, where = owner[s]
            if to == room:
                continue
            edges.setdefault((room, to), (os.path.relpath(o, top), s))
            if to not in ALLOWED[room]:
                bad.append("%s (%s) calls %s in %s (%s)" %
                           (os.path.relpath(o, top), room, s, os.path.relpath(where, top), to))
    if graph:
        for (a, b), (o, s) in sorted(edges.items()):
            print("%-9s -> %-9s e.g. %s: %s" % (a, b, o, s))
    for b in bad:
        print("check-layers: %s: not allowed (scripts/check-layers.py, docs/architecture.md)" % b,
              file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
