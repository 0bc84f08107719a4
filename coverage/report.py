#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print core/ (and lib/) coverage figures from gcovr's JSON summary; fail under the gates."""
import json
import sys

summary, line_gate, branch_gate = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
with open(summary) as f:
    s = json.load(f)
line, branch, func = s["line_percent"], s["branch_percent"], s["function_percent"]
print("coverage of core/ and lib/: lines %.1f%% (%d/%d), branches %.1f%% (%d/%d), functions %.1f%% (%d/%d)"
      % (line, s["line_covered"], s["line_total"], branch, s["branch_covered"], s["branch_total"],
         func, s["function_covered"], s["function_total"]))
def pct(v):
    return "  n/a " if v is None else "%5.1f%%" % v


for f in sorted(s["files"], key=lambda f: f["line_percent"] or 0):
    print("  %-32s lines %s  branches %s" % (f["filename"], pct(f["line_percent"]), pct(f["branch_percent"])))
bad = []
if line < line_gate:
    bad.append("line coverage %.1f%% is under the gate of %.0f%%" % (line, line_gate))
if branch < branch_gate:
    bad.append("branch coverage %.1f%% is under the gate of %.0f%%" % (branch, branch_gate))
for b in bad:
    print("coverage: FAIL: " + b)
sys.exit(1 if bad else 0)
