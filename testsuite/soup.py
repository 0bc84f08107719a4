#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The instruction soup: guests/hostile attack=soup under pvx-sim, many seeds.

Each run boots pvx-sim with the hostile image running random instruction
sequences (guests/hostile/soup.c) in one of three set-ups:

  user    domain 1 runs them in ring 3 beside domain 0, the witness
  kernel  the same, 10% of them in ring 1 (which can wreck the domain itself)
  dom0    the initial domain runs them alone, 5% in ring 1

Whatever the sequences do, pvx-sim must end with exit 0, 1 or 3 - never 2
(a panic or a dirty audit), a signal or a hang - and every run that ends
through the hypervisor (0, 1) must print a clean audit; with a witness, exit
0 also means domain 0 still works. Seeds are fixed: a run replays exactly.

Usage: testsuite/soup.py [--runs N] [--count M] [--seed S] [--jobs J] [--sim PATH] [-v]
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
B = os.path.join(TOP, "build")
HOSTILE = os.path.join(B, "guests", "hostile.elf")
MODES = ("user", "kernel", "dom0")
DONE = re.compile(r"^\(d\d+\) soup: (\d+) sequences run|^soup: (\d+) sequences run")
PROGRESS = re.compile(r"^(?:\(d\d+\) )?soup: (\d+)$")


def run_one(sim, images, seed, count, verbose):
    mode = MODES[seed % len(MODES)]
    args = "attack=soup seed=%d seqs=%d" % (seed, count)
    if mode == "dom0":
        modules = [images[0] + "=" + args + " ring1=5"]
    else:
        ring1 = 0 if mode == "user" else 10
        modules = [images[0], images[1] + "=name=soup %s ring1=%d mem=8M" % (args, ring1)]
    cmd = [sim, "--max-time=2s"] + modules
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=300)
        rc, out = p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        rc, out = "hang", (e.stdout or b"").decode("utf-8", "replace")

    problems, seqs, ended = [], 0, ""
    lines = out.split("\n")
    for l in lines:
        m = DONE.match(l)
        if m:
            seqs = int(m.group(1) or m.group(2))
            continue
        m = PROGRESS.match(l)
        if m:
            seqs = max(seqs, int(m.group(1)))
        if " crashed: " in l and l.startswith("(pvx) domain"):
            ended = l.split(" crashed: ", 1)[1]
    if rc not in (0, 1, 3):
        problems.append("exit %s" % rc)
    if rc in (0, 1) and "(pvx) audit: clean" not in lines:
        problems.append("no clean audit")
    if mode != "dom0" and rc == 0 and \
            "domain 0 still works: hypercalls, page tables, exceptions" not in lines:
        problems.append("the witness did not pass")
    if any(l.startswith("(pvx) sim panic") or l.startswith("(pvx) PANIC") for l in lines):
        problems.append("panic")
    if verbose or problems:
        print("--- seed %d (%s): %s" % (seed, mode, " ".join(cmd)))
        sys.stdout.write(out)
    return seed, mode, rc, seqs, ended, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=36)
    ap.add_argument("--count", type=int, default=4000, help="sequences per run")
    ap.add_argument("--seed", type=int, default=1, help="the first seed")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--sim", default=os.path.join(B, "pvx-sim"))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    failed, total, exits = 0, 0, {}
    with tempfile.TemporaryDirectory(prefix="pvx-soup-") as tmp:
        # Copies: a rebuild during a long campaign changes nothing.
        images = [os.path.join(tmp, n) for n in ("hostile.elf", "soup.elf")]
        for i in images:
            with open(HOSTILE, "rb") as f, open(i, "wb") as g:
                g.write(f.read())
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            runs = [pool.submit(run_one, os.path.abspath(args.sim), images, s, args.count,
                                args.verbose)
                    for s in range(args.seed, args.seed + args.runs)]
            for r in runs:
                seed, mode, rc, seqs, ended, problems = r.result()
                total += seqs
                exits[rc] = exits.get(rc, 0) + 1
                status = "FAIL" if problems else "ok  "
                print("%s seed %-5d %-6s exit %s, %5d sequences%s%s" %
                      (status, seed, mode, rc, seqs, ", domain killed: " + ended if ended else "",
                       " (" + "; ".join(problems) + ")" if problems else ""))
                failed += bool(problems)
    print("soup: %d runs, %d sequences, exits %s, %d failed" %
          (args.runs, total, ", ".join("%s: %d" % (k, v) for k, v in sorted(exits.items(),
                                                                             key=str)), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
