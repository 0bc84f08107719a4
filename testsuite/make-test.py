#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""make-test.py - `make test`: every stage, one after the other, each under a
time limit. A failing stage does not stop the others; at the end a table of
the stages (PASS/FAIL, seconds) and the counted line

    make-test: N passed, M failed

Exit status 0 only when every stage passed. A stage is one row of STAGES:
(name, command, time limit in seconds). Commands run from the top of the tree
with `make` meaning the make that started us (its -j and jobserver).

Usage: testsuite/make-test.py [--list] [--only GLOB[,GLOB...]] [--stages FILE]

--stages FILE replaces the table with FILE's lines "NAME LIMIT COMMAND..."
(the self-test of this script uses it: testsuite/tools-selftest.py).
"""

import argparse
import fnmatch
import os
import signal
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAKE = os.environ.get("MAKE", "make")

STAGES = [
    ("build", "{make} --no-print-directory test-build", 1800),
    ("check-walls", "python3 scripts/check-walls.py", 60),
    ("layers", "python3 scripts/check-layers.py build/host", 60),
    ("tools", "python3 testsuite/tools-selftest.py", 600),
    ("unit", "build/unit/unit-tests", 300),
    ("runners", "python3 testsuite/runner-cases.py", 600),
    ("scenarios", "python3 testsuite/run-scenarios.py", 1500),
    ("soup", "python3 testsuite/soup.py", 600),
    ("eval-smoke", "python3 testsuite/eval/run-eval.py --smoke", 600),
    ("net", "python3 testsuite/net-wire.py", 600),
    ("bochs", "python3 testsuite/run-scenarios.py --hw", 1200),
    ("sanitizers", "{make} --no-print-directory sanitize", 1500),
    ("fault", "python3 testsuite/fault/sweep.py --max-nth 6", 900),
    ("fuzz-replay", "{make} --no-print-directory fuzz-replay", 600),
    ("fuzz", "{make} --no-print-directory fuzz FUZZ_SECONDS=30", 600),
    ("gdb", "bash testsuite/gdb/run-gdb-tests.sh", 600),
    ("coverage", "{make} --no-print-directory coverage", 1500),
]


def run_stage(name, cmd, limit):
    """Run one stage in its own process group; on the time limit the whole
    group is killed (a hung gdb or QEMU below a script too)."""
    print("== %s: %s (limit %d s)" % (name, cmd, limit), flush=True)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, shell=True, cwd=TOP, start_new_session=True)
    try:
        rc = p.wait(timeout=limit)
        why = "exit %d" % rc if rc else ""
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        rc = -1
        why = "time limit of %d s reached" % limit
    except KeyboardInterrupt:
        os.killpg(p.pid, signal.SIGKILL)
        raise
    # Whatever the stage left behind (a child deaf to SIGTERM, a QEMU a
    # script forgot) goes with it.
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()
    secs = time.monotonic() - t0
    ok = rc == 0
    print("== %s: %s in %.1f s%s" % (name, "PASS" if ok else "FAIL", secs,
                                    "" if ok else " (%s)" % why), flush=True)
    return ok, secs, why


def main():
    ap = argparse.ArgumentParser(description="make test: every stage, a table at the end")
    ap.add_argument("--list", action="store_true", help="print the stages and exit")
    ap.add_argument("--only", help="comma-separated globs of stage names to run")
    ap.add_argument("--stages", help="a file of stages, one 'NAME LIMIT COMMAND' a line")
    args = ap.parse_args()

    stages = STAGES
    if args.stages:
        with open(args.stages) as f:
            stages = [(w[0], w[2].strip(), int(w[1])) for w in
                      (l.split(None, 2) for l in f if l.strip() and not l.startswith("#"))]
    if args.only:
        pats = args.only.split(",")
        unknown = [p for p in pats if not any(fnmatch.fnmatchcase(s[0], p) for s in stages)]
        if unknown:
            print("make-test: no stage matches %s (--list shows them)" % ", ".join(unknown),
                  file=sys.stderr)
            return 2
        stages = [s for s in stages if any(fnmatch.fnmatchcase(s[0], p) for p in pats)]
    if args.list:
        for name, cmd, limit in stages:
            print("%-12s %5d s  %s" % (name, limit, cmd.format(make="make")))
        return 0

    results = []
    t0 = time.monotonic()
    for name, cmd, limit in stages:
        ok, secs, why = run_stage(name, cmd.format(make=MAKE), limit)
        results.append((name, ok, secs, why))
    total = time.monotonic() - t0

    passed = sum(1 for r in results if r[1])
    failed = len(results) - passed
    print()
    print("%-12s %-6s %9s" % ("stage", "result", "seconds"))
    for name, ok, secs, why in results:
        print("%-12s %-6s %9.1f%s" % (name, "PASS" if ok else "FAIL", secs,
                                      "" if ok else "  " + why))
    print("%-12s %-6s %9.1f" % ("total", "", total))
    print("make-test: %d passed, %d failed" % (passed, failed), flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
