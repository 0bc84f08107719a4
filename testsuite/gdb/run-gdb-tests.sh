#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The debugger use case, kept working: scripted gdb sessions (testsuite/gdb/*.gdb)
# on the -O0 simulator and on QEMU must stop where docs/debugging.md says, show
# the state with the pvx commands (auto-loaded, never calling into the
# program), see the hypervisor reject bad input, and print exactly the
# transcripts the document shows. Every session runs under a time limit; a
# hang is a FAIL. Logs: build/dbg/gdb-NAME.log.
#
#   run-gdb-tests.sh            run the sessions and check them
#   run-gdb-tests.sh --update   the same, then rewrite docs/debugging.md's transcripts
set -uo pipefail
cd "$(dirname "$0")/../.."
B=build
LIMIT=${PVX_GDB_LIMIT:-180}
DOC=docs/debugging.md
fail=0; pass=0
mkdir -p $B/dbg

ok()   { pass=$((pass + 1)); echo "  ok: $1"; }
bad()  { fail=$((fail + 1)); echo "  FAIL: $1"; }

expect() {  # expect LOG WHAT REGEX
    if grep -Eq -- "$3" "$1"; then ok "$2"; else bad "$2 (no /$3/ in $1)"; fi
}

# pvx-pt walked the request array pvx-guest-regs shows in ebx (the frame the
# core works on in place, not a stale copy).
expect_pt_of_ebx() {  # LOG
    local ebx
    ebx=$(sed -nE 's/^eax +[0-9a-f]{8} +ebx +([0-9a-f]{8}) .*/\1/p' "$1" | head -1)
    expect "$1" "pvx-pt walks the address in the guest's ebx (${ebx:-none})" "^va 0x${ebx:-none} in domain 0,"
}

# session NAME COMMAND...: run it under the time limit, its output to the log.
session() {
    local name=$1 log=$B/dbg/gdb-$1.log rc
    shift
    timeout -k 10 "$LIMIT" "$@" > "$log" 2>&1
    rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        bad "session $name ended by the time limit of $LIMIT s (a hang: see $log)"
    fi
    grep -q "may-call-functions is off" "$log" &&
        bad "session $name tried to call a function in the program (see $log)"
    return 0
}

# gdb on the -O0 simulator: the pvx commands auto-loaded from build/, no ~/.gdbinit.
SIM_GDB=(gdb -q -batch -nx -iex "add-auto-load-safe-path $PWD/$B")

port() { echo $((20000 + RANDOM % 20000)); }

echo "gdb on pvx-sim: the walk-through, mmu_update's 8th request refused (-EBUSY)"
log=$B/dbg/gdb-sim-mmu.log
session sim-mmu "${SIM_GDB[@]}" -x testsuite/gdb/sim-mmu.gdb $B/dbg/pvx-sim
expect "$log" "stopped in do_mmu_update for the 16-request batch" "^Breakpoint 1, do_mmu_update \(.*count=16"
expect "$log" "then in l1e_get on an entry naming the L3" "^Breakpoint 2(\.[0-9]+)?, l1e_get "
expect "$log" "backtrace: the 8th request (slot 7) through mmu_normal_update" "entry_get \(slot=7, .*type=FRAME_L1"
expect "$log" "backtrace reaches do_mmu_update" "in do_mmu_update \(.*count=16"
expect "$log" "pvx-guest-regs: eax is mmu_update (1), ecx the count (16)" "^eax +00000001 +ebx +[0-9a-f]{8} +ecx +00000010 "
expect "$log" "pvx-guest-regs: every field read (no lazy poison)" "^domain 0 vcpu 0$"
if grep -q "a5a5a5a5\|in the CPU" "$log"; then bad "pvx-guest-regs shows unread fields"; else ok "no unread field shown"; fi
expect "$log" "pvx-frame: the frame named is domain 0's pinned L3" "^mfn 0x[0-9a-f]+: owner d0, type l3, type_count [0-9]+, ref_count [0-9]+, flags 0xb \(pinned, validated, allocated\)$"
expect "$log" "pvx-pt: the request array's address walked to a machine address" "^  machine address 0x[0-9a-f]+$"
expect_pt_of_ebx "$log"
expect "$log" "pvx-pt: the L1 entry maps a writable page of domain 0" "^  L1\[ *[0-9]+\] = 0x[0-9a-f]+ +P\|RW.* owner d0, type writable"
expect "$log" "pvx-domains: domain 0, running, privileged, current" "^\* +0 +mm-type-rules.elf +running +yes "
expect "$log" "the rejection: -EBUSY" "^Value returned is \\\$[0-9]+ = -16$"
expect "$log" "pvx-frame refuses a frame beyond the table" "^refused: pvx-frame 0xffffffff: pvx: mfn 0xffffffff is beyond the frame table"
expect "$log" "pvx-frame without an argument: its usage" "^refused: pvx-frame: usage: pvx-frame MFN$"
expect "$log" "pvx-pt without an argument: its usage" "^refused: pvx-pt: usage: pvx-pt VA \[DOMID\]$"
expect "$log" "pvx-guest-regs of a domain that does not exist" "^refused: pvx-guest-regs 999: pvx: no domain 999$"
expect "$log" "pvx-pt of an unmapped address stops where the walk does" "^  not present: the walk stops at L2$"
expect "$log" "pvx-pt of a domain given by id" "^va 0x00100000 in domain 0, cr3 0x[0-9a-f]+ \(sim machine\)$"

echo "gdb on QEMU (build/dbg/pvx.elf): the same walk-through"
log=$B/dbg/gdb-metal-mmu.log
session metal-mmu env PVX_GDB_PORT="$(port)" PVX_CONSOLE=$B/dbg/metal-mmu-console.log \
    scripts/pvx-gdb-metal -x testsuite/gdb/metal-mmu.gdb $B/guests/mm-type-rules.elf
expect "$log" "hardware breakpoint hit in do_mmu_update for the batch" "^Breakpoint 1, do_mmu_update \(.*count=16"
expect "$log" "then in l1e_get on an entry naming the L3" "^Breakpoint 2(\.[0-9]+)?, l1e_get "
expect "$log" "backtrace: the 8th request through mmu_normal_update" "entry_get \(slot=7, .*type=FRAME_L1"
expect "$log" "backtrace reaches the x86 hypercall stub" "x86_stub_0x82"
expect "$log" "pvx-guest-regs: the same registers as in the simulator" "^eax +00000001 +ebx +[0-9a-f]{8} +ecx +00000010 "
expect "$log" "pvx-frame: the frame named is domain 0's pinned L3" "^mfn 0x[0-9a-f]+: owner d0, type l3, .*\(pinned, validated, allocated\)$"
expect "$log" "pvx-pt on the machine's direct map" "^va 0x[0-9a-f]+ in domain 0, cr3 0x[0-9a-f]+ \(x86 machine\)$"
expect "$log" "pvx-pt: a machine address at the end" "^  machine address 0x[0-9a-f]+$"
expect_pt_of_ebx "$log"
expect "$log" "the rejection: -EBUSY" "^Value returned is \\\$[0-9]+ = -16$"
expect $B/dbg/metal-mmu-console.log "QEMU's console went to its file, the guest ran" "map pinned L1 writable: -16 as expected"
if grep -q "^(pvx) " "$log"; then bad "QEMU's console in gdb's output"; else ok "QEMU's console kept out of gdb's output"; fi

echo "gdb on pvx-sim: console_io given an unmapped buffer, -EFAULT"
log=$B/dbg/gdb-sim-efault.log
session sim-efault "${SIM_GDB[@]}" -x testsuite/gdb/sim-efault.gdb $B/dbg/pvx-sim
expect "$log" "breakpoint hit in guest_walk" "^Breakpoint 1, guest_walk"
expect "$log" "backtrace reaches the hypercall handler" "do_console_io"
expect "$log" "the address being validated" '^\$1 = 0x80000000'
expect "$log" "a read, not a write" '^\$2 = false'
expect "$log" "pvx-pt: 0x80000000 is not mapped" "^  not present: the walk stops at L2$"
expect "$log" "the rejection: -EFAULT" "^Value returned is \\\$3 = -14$"

echo "gdb on pvx-sim: update_va_mapping of a pinned L1, writable: -EBUSY on its line"
log=$B/dbg/gdb-sim-uvm.log
ebusy_line=$(grep -n 'return -EBUSY; .*a page table or descriptor frame' core/mm/types.h | cut -d: -f1)
session sim-uvm "${SIM_GDB[@]}" -iex "set \$ebusy_line = ${ebusy_line:-0}" \
    -x testsuite/gdb/sim-uvm.gdb $B/dbg/pvx-sim
expect "$log" "conditional breakpoint hit in l1e_get" "^Breakpoint 1(\.[0-9]+)?, l1e_get"
expect "$log" "backtrace: update_va_mapping validates an L1 entry" "do_update_va_mapping"
expect "$log" "the entry: a writable (0x63) mapping" '^\$1 = 0x[0-9a-f]+063$'
expect "$log" "the frame table read directly: an L1" '^\$2 = \{owner = 0, type = 2 '
expect "$log" "stopped on the rejection line" "^Temporary breakpoint 2(\.[0-9]+)?, l1e_get"
expect "$log" "the rejection: -EBUSY" "^Value returned is \\\$[0-9]+ = -16$"

echo "gdb on QEMU (build/pvx.elf, -O2): do_xen_version, then a ring-0 fault and its epitaph"
log=$B/dbg/gdb-metal-epitaph.log
session metal-epitaph env PVX_GDB_PORT="$(port)" PVX_CONSOLE=$B/dbg/metal-epitaph-console.log \
    scripts/pvx-gdb-metal --hv $B/pvx.elf -x testsuite/gdb/metal-epitaph.gdb $B/guests/hello.elf
expect "$log" "hardware breakpoint hit in do_xen_version" "^Breakpoint 1, do_xen_version"
expect "$log" "backtrace reaches core_hypercall" "core_hypercall"
expect "$log" "the first xen_version call is XENVER_version" '^\$1 = 0$'
expect "$log" "it returns 4.17" "^Value returned is \\\$2 = 262161$"
expect "$log" "the fault ends in arch_shutdown" "^Breakpoint 2, arch_shutdown"
expect "$log" "the epitaph names the fault" "^\(pvx\) PANIC: ring-0 exception 14 \(#PF\) at eip dead0000"

echo "gdb: what the pvx commands need is looked up in one place"
n=$(grep -c 'parse_and_eval(CORE_SYMBOLS\[' scripts/gdb/pvx_gdb.py)
others=$(grep -n 'parse_and_eval("' scripts/gdb/pvx_gdb.py | grep -v 'SIM_RAM' || true)
if [ "$n" -eq 1 ] && [ -z "$others" ]; then ok "one lookup of core symbols (core())"; else bad "core symbols read outside core(): $others"; fi

echo "gdb: docs/debugging.md shows what the sessions printed"
logs=($B/dbg/gdb-sim-mmu.log $B/dbg/gdb-metal-mmu.log $B/dbg/gdb-sim-efault.log $B/dbg/gdb-metal-epitaph.log)
if [ "${1:-}" = "--update" ]; then
    python3 testsuite/gdb/transcript.py update $DOC "${logs[@]}"
fi
if python3 testsuite/gdb/transcript.py check $DOC "${logs[@]}" > $B/dbg/transcripts.log 2>&1; then
    ok "$(grep -c 'as gdb printed it' $B/dbg/transcripts.log) transcripts as gdb printed them"
else
    cat $B/dbg/transcripts.log
    bad "a transcript of $DOC differs from its session (make gdb-docs)"
fi
[ "$(grep -c '^<!-- transcript ' $DOC)" -ge 5 ] && ok "the document has its 5 transcripts" ||
    bad "$DOC lacks transcripts"
# Commands a reader types: no function calls into the program.
calls=$(grep -nE '^\(gdb\) .*\b(print|call|output|if)\b[^$]*\b(frame_of|audit_frames|[a-z_]+_get|[a-z_]+_lookup)\(' $DOC || true)
[ -z "$calls" ] && ok "no command in $DOC calls into the program" || bad "calls in $DOC: $calls"

echo "gdb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
