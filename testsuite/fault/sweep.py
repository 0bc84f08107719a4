#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fault-injection campaign: every site x every PV guest x fail-nth.
(And net-dhcp-ping on the simulator's user network, for the NIC's sites.)

Besides the PV guests, the block cases (BLOCK_CASES): guests/blk on a fresh
disk image each run, one domain or two, so that the disk sites and every
other site on the I/O path fail somewhere in a request's life.

For each guest that passes on its own, a first run with fail_report=1 counts
how often each fault site is reached. Then each site is made to fail its nth
call, for n = 1..N (when a site is reached more than --max-nth times, an even
sample of --max-nth values between 1 and N), and every run is judged:

  ok        the guest still passed (the failure was absorbed or retried)
  guest     the guest saw the error: it reported FAILURE/ERROR or crashed
  refused   a boot-time failure: the hypervisor refused to build the domain (exit 2
            with a "(pvx) refusing" line and no panic)
  BAD       anything else: a hypervisor panic, an audit mismatch, a leak, a
            time-out, or a sanitizer report

The campaign fails if any run is BAD. It prints a table of sites x outcomes.
Usage: testsuite/fault/sweep.py [--sim build/pvx-sim] [--max-nth 40] [guest...]
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
B = os.path.join(TOP, "build")


# Guests that need more than the machine's defaults: (options, time limit).
# net-dhcp-ping reaches the NIC sites (net_tx, net_rx) on libslirp; a lost
# frame costs it a DHCP or ping timeout, so it gets more virtual time.
SPECIAL = {"net-dhcp-ping.elf": (["--net=user"], "30s"),
           "net-vif.elf=test=wire": (["--net=user"], "30s")}

# (name, modules, the hypervisor's command line, disk sectors): the modules
# are guests/blk with its arguments; a second one under another file name.
BLOCK_CASES = [
    ("blk-pattern", ["blk.elf=test=pattern seed=3"],
     "dom0_vbd=xvda,w,0:0+512,0:1024+256 disk_timeout_ms=50", 2048),
    ("blk-two-domains", ["blk.elf=test=readonly wait=1",
                         "blk2.elf=test=inflight vbd=xvdb,w,0:512+1024"],
     "dom0_vbd=xvda,r,0:0+512 disk_timeout_ms=50", 2048),
]


def run(sim, guest, cmdline, max_time="5s"):
    """guest: one kernel, several modules separated by spaces (the toolstack),
    or a block case (name, modules, cmdline, sectors)."""
    argv = [sim]
    if isinstance(guest, tuple):
        name_, mods, extra, sectors = guest
        img = os.path.join(B, "fault", name_ + ".img")
        os.makedirs(os.path.dirname(img), exist_ok=True)
        with open(img, "wb") as f:
            f.truncate(sectors * 512)
        argv += ["--max-time=" + max_time, "--disk=" + img, "--cmdline=" + extra + " " + cmdline]
        argv += [os.path.join(B, "guests", m) if not m.startswith("blk2.elf") else
                 os.path.join(B, "fault", m) for m in mods]
    else:
        opts, max_time = SPECIAL.get(os.path.basename(guest.split()[0]), ([], max_time))
        argv += ["--max-time=" + max_time, "--cmdline=" + cmdline] + opts + guest.split()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def judge(rc, out, err):
    if "ERROR: AddressSanitizer" in err or "runtime error:" in err:
        return "BAD", "sanitizer report"
    if "PANIC" in out:
        return "BAD", "hypervisor panic"
    if re.search(r"^\(pvx\) audit: (?!clean)", out, re.M):
        return "BAD", "audit mismatch"
    if rc == 2 and re.search(r"^\(pvx\) refusing ", out, re.M):
        return "refused", ""
    if rc == 3:
        return "BAD", "time limit: the guest hung"
    if rc not in (0, 1):
        return "BAD", "exit %d" % rc
    if "(pvx) audit: clean" not in out:
        return "BAD", "no audit at the end"
    # The initial domain's own verdict (a toolstack's domains print theirs as "(dN) ...").
    if rc == 0 and re.search(r"^Test result: SUCCESS$", out, re.M):
        return "ok", ""
    return "guest", ""


def name(guest):
    return guest[0] if isinstance(guest, tuple) else os.path.basename(guest.split()[0])


def sample(n, most):
    if n <= most:
        return list(range(1, n + 1))
    pts = set(range(1, most // 2 + 1))
    rest = most - len(pts)
    for i in range(rest):
        pts.add(most // 2 + 1 + (n - most // 2 - 1) * i // max(rest - 1, 1))
    pts.add(n)
    return sorted(pts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sim", default=os.path.join(B, "pvx-sim"))
    ap.add_argument("--max-nth", type=int, default=40)
    ap.add_argument("guests", nargs="*")
    args = ap.parse_args()

    guests = args.guests
    if not guests:
        pv = os.path.join(TOP, "testsuite", "pv")
        names = ["hello"] + sorted(os.listdir(pv) if os.path.isdir(pv) else [])
        guests = [os.path.join(B, "guests", n + ".elf") for n in names + ["net-dhcp-ping"]]
        guests.append(os.path.join(B, "guests", "net-vif.elf=test=wire"))   # a VIF: vif_rx
        # Domain 0 as the toolstack: domains created and destroyed at run time,
        # where domain_create and foreign_map are reached (issue 13).
        guests.append("%s=script=sweep.xl %s=initrd" % (os.path.join(B, "guests", "xl.elf"),
                                                          os.path.join(B, "xl-initrd.cpio")))
        guests += BLOCK_CASES
        os.makedirs(os.path.join(B, "fault"), exist_ok=True)
        shutil.copyfile(os.path.join(B, "guests", "blk.elf"), os.path.join(B, "fault", "blk2.elf"))

    table = collections.defaultdict(collections.Counter)
    bad = []
    runs = 0
    for g in guests:
        rc, out, err = run(args.sim, g, "fail_report=1")
        runs += 1
        if rc != 0 or not re.search(r"^Test result: SUCCESS$", out, re.M):
            print("sweep: %s does not pass on its own (exit %d): skipped" % (name(g), rc))
            bad.append((name(g), "-", "-", "fails without injection"))
            continue
        calls = {m.group(1): int(m.group(2))
                 for m in re.finditer(r"^\(pvx\) fault (\S+): calls (\d+)", out, re.M)}
        if not calls:
            print("sweep: no fault report from %s" % name(g))
            return 2
        for site, n in sorted(calls.items()):
            for nth in sample(n, args.max_nth):
                rc, out, err = run(args.sim, g, "fail_report=1 fail=%s:fail-nth=%d" % (site, nth))
                runs += 1
                verdict, why = judge(rc, out, err)
                if verdict != "refused" and not re.search(
                        r"^\(pvx\) fault %s: calls \d+, injected 1$" % re.escape(site), out, re.M):
                    verdict, why = "BAD", "the fault was not injected exactly once"
                table[site][verdict] += 1
                if verdict == "BAD":
                    bad.append((name(g), site, nth, why))

    outcomes = ["ok", "guest", "refused", "BAD"]
    print("\n%-14s %s" % ("site", " ".join("%8s" % o for o in outcomes)))
    for site in sorted(table):
        print("%-14s %s" % (site, " ".join("%8d" % table[site][o] for o in outcomes)))
    print("%d guests, %d runs" % (len(guests), runs))
    for g, site, nth, why in bad:
        print("BAD: %s %s fail-nth=%s: %s" % (g, site, nth, why))
    print("fault sweep: %d passed, %d failed" % (runs - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
