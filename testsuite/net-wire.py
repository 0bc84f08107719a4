#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""What went over the NIC's wire, read by a tool nobody here wrote (issue 15).

  sim-live    pvx-sim --net=user --pcap-out: guests/net-dhcp-ping against
              libslirp; tshark reads the capture: no malformed packet, no
              bad IPv4/UDP/ICMP checksum, the DHCP exchange and the echo
              replies are there (and a copy with one checksum spoiled is
              flagged, so the check can fail)
  sim-replay  the same guest with --pcap-in=that capture and no live peer:
              the same state hash (--hash) and a byte-identical capture
  qemu-live   scripts/pvx-qemu --net=user --pcap-out (the e1000 on QEMU's
              user network): the same tshark checks
  vif-live    guests/net-vif test=wire (a VIF with rings: the header sent
              from the hypervisor's copy, the rest from the guest's frame)
              against libslirp: the same checks, and its frames carry the
              VIF's own MAC

Usage: testsuite/net-wire.py [-v] [--sim-only]
Exit 0 when every check passes, 1 otherwise (each failure named).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SIM = os.path.join(TOP, "build", "pvx-sim")
QEMU = os.path.join(TOP, "scripts", "pvx-qemu")
GUEST = os.path.join(TOP, "build", "guests", "net-dhcp-ping.elf")
VIF_GUEST = os.path.join(TOP, "build", "guests", "net-vif.elf") + "=test=wire"
VIF_MAC = "00:16:3e:00:00:01"
HASH = re.compile(r"^\(pvx\) state hash ([0-9a-f]{16})$", re.M)
TSHARK = ["tshark", "-n", "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
# Anything tshark flags: malformed, an expert warning or error, a checksum it found bad.
BAD = ("_ws.malformed || _ws.expert.severity >= warning || ip.checksum.status == 0 || "
       "udp.checksum.status == 0 || icmp.checksum.status == 0")
WANT = [("DHCP Discover", "bootp.option.dhcp == 1"), ("DHCP Offer", "bootp.option.dhcp == 2"),
        ("DHCP Request", "bootp.option.dhcp == 3"), ("DHCP ACK", "bootp.option.dhcp == 5"),
        ("ARP reply from 10.0.2.2", "arp.opcode == 2 && arp.src.proto_ipv4 == 10.0.2.2"),
        ("echo request", "icmp.type == 8 && ip.dst == 10.0.2.2"),
        ("echo reply", "icmp.type == 0 && ip.src == 10.0.2.2")]


def run(cmd, limit=300):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                       timeout=limit)
    return p.returncode, p.stdout.decode("utf-8", "replace").replace("\r\n", "\n")


def tshark_count(pcap, flt):
    rc, out = run(TSHARK + ["-r", pcap, "-Y", flt], 120)
    lines = [l for l in out.split("\n") if l.strip() and not l.startswith("Running as user")]
    if rc != 0:
        return None, out
    return len(lines), "\n".join(lines)


def check_capture(lane, pcap, problems, verbose):
    total, out = tshark_count(pcap, "frame")
    if total is None:
        problems.append("%s: tshark cannot read %s: %s" % (lane, pcap, out.strip()))
        return
    if verbose:
        print(out)
    bad, out = tshark_count(pcap, BAD)
    if bad:
        problems.append("%s: tshark flags %d of %d frames:\n%s" % (lane, bad, total, out))
    for what, flt in WANT:
        n, _ = tshark_count(pcap, flt)
        if not n:
            problems.append("%s: no %s in the capture" % (lane, what))
    print("%s: %d frames, none malformed or with a bad checksum%s" %
          (lane, total, "" if not bad else " - NOT SO"))


def spoiled_copy(pcap, out):
    """The capture with the first frame's IPv4 header checksum wrong: the
    checks must see it (else they prove nothing)."""
    data = bytearray(open(pcap, "rb").read())
    data[24 + 16 + 14 + 11] ^= 0x01            # global header, record header, Ethernet, csum
    open(out, "wb").write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--sim-only", action="store_true")
    args = ap.parse_args()
    if not shutil.which("tshark"):
        print("net-wire: tshark missing (make deps)")
        return 1
    problems = []
    tmp = tempfile.mkdtemp(prefix="pvx-net-")
    try:
        live, replay = os.path.join(tmp, "live.pcap"), os.path.join(tmp, "replay.pcap")
        rc, out = run([SIM, "--net=user", "--pcap-out=" + live, "--hash", GUEST])
        h1 = HASH.findall(out)
        if rc != 0 or "Test result: SUCCESS" not in out:
            problems.append("sim-live: exit %d\n%s" % (rc, out))
        else:
            check_capture("sim-live", live, problems, args.v)
            spoiled = os.path.join(tmp, "spoiled.pcap")
            spoiled_copy(live, spoiled)
            bad, _ = tshark_count(spoiled, BAD)
            if not bad:
                problems.append("sim-live: a capture with a bad IPv4 checksum passes the check")

        rc, out = run([SIM, "--pcap-in=" + live, "--pcap-out=" + replay, "--hash", GUEST])
        h2 = HASH.findall(out)
        if rc != 0 or "Test result: SUCCESS" not in out:
            problems.append("sim-replay: exit %d\n%s" % (rc, out))
        elif h1 != h2 or not h1:
            problems.append("sim-replay: state hash %s, live run's %s" % (h2, h1))
        elif open(live, "rb").read() != open(replay, "rb").read():
            problems.append("sim-replay: the capture differs from the live run's")
        else:
            print("sim-replay: the same state hash (%s) and a byte-identical capture" % h1[0])

        v = os.path.join(tmp, "vif.pcap")
        rc, out = run([SIM, "--net=user", "--pcap-out=" + v, VIF_GUEST])
        if rc != 0 or "Test result: SUCCESS" not in out:
            problems.append("vif-live: exit %d\n%s" % (rc, out))
        else:
            check_capture("vif-live", v, problems, args.v)
            n, _ = tshark_count(v, "eth.src == %s && icmp.type == 8" % VIF_MAC)
            if not n:
                problems.append("vif-live: no echo request from the VIF's MAC %s" % VIF_MAC)

        if not args.sim_only:
            q = os.path.join(tmp, "qemu.pcap")
            rc, out = run([QEMU, "--net=user", "--pcap-out=" + q, "--timeout=120s", GUEST], 300)
            if rc != 0 or "Test result: SUCCESS" not in out:
                problems.append("qemu-live: exit %d\n%s" % (rc, out))
            else:
                check_capture("qemu-live", q, problems, args.v)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print("FAIL " + p)
    print("net-wire: %s" % ("every check passed" if not problems else "%d problems" % len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
