#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The debugger use case, kept working: scripted gdb sessions must stop where a
# developer would, show the state, and see the hypervisor reject bad input.
set -uo pipefail
cd "$(dirname "$0")/../.."
B=build
fail=0; pass=0

expect() {  # expect LOG WHAT REGEX
    if grep -Eq "$3" "$1"; then
        pass=$((pass + 1)); echo "  ok: $2"
    else
        fail=$((fail + 1)); echo "  FAIL: $2 (no /$3/ in $1)"
    fi
}

echo "gdb on pvx-sim: stop in guest_walk on an unmapped buffer, step to -EFAULT"
log=$B/dbg/gdb-sim.log
gdb -q -batch -x testsuite/gdb/sim-reject.gdb --args $B/dbg/pvx-sim $B/guests/hello.elf > "$log" 2>&1
expect "$log" "breakpoint hit in guest_walk" "Breakpoint 1, guest_walk"
expect "$log" "backtrace reaches the hypercall handler" "do_console_io"
expect "$log" "backtrace reaches the arch entry" "core_hypercall"
expect "$log" "the address being validated" '^\$1 = 0x80000000'
expect "$log" "a read, not a write" '^\$2 = false'
expect "$log" "the rejection: -EFAULT" "Value returned is \\\$3 = -14"

echo "gdb on pvx-sim: stop in l1e_get on a writable mapping of a page table, step to -EBUSY"
log=$B/dbg/gdb-sim-l1.log
ebusy_line=$(grep -n 'return -EBUSY; .*a page table or descriptor frame' core/mm.c | cut -d: -f1)
gdb -q -batch -ex "set \$ebusy_line = ${ebusy_line:-0}" -x testsuite/gdb/sim-l1-reject.gdb \
    --args $B/dbg/pvx-sim $B/guests/mm-type-rules.elf > "$log" 2>&1
expect "$log" "conditional breakpoint hit in l1e_get" "Breakpoint 1, l1e_get"
expect "$log" "backtrace: update_va_mapping validates an L1 entry" "do_update_va_mapping"
expect "$log" "backtrace reaches the simulator's interrupt hook" "hook_intr"
expect "$log" "the entry: writable (0x63) mapping of a frame" '^\$1 = 0x[0-9a-f]+063$'
expect "$log" "the frame named is a page table" '^\$3 = FRAME_L1'
expect "$log" "stopped on the rejection line" "Temporary breakpoint 2, l1e_get"
expect "$log" "the rejection: -EBUSY" "Value returned is \\\$[0-9]+ = -16"

echo "gdb on QEMU (pvx.elf): stop in do_xen_version, read the sub-op"
log=$B/dbg/gdb-metal.log
port=$((20000 + RANDOM % 20000))
PVX_GDB_PORT=$port scripts/pvx-qemu --gdb --timeout 60 $B/guests/hello.elf > $B/dbg/qemu.log 2>&1 &
qpid=$!
sleep 1
gdb -q -batch -ex 'set pagination off' -ex 'set architecture i386' \
    -ex "target remote :$port" -ex 'hbreak do_xen_version' -ex 'continue' \
    -ex 'bt' -ex 'print cmd' -ex 'finish' -ex 'kill' $B/pvx.elf > "$log" 2>&1
kill $qpid 2>/dev/null; wait $qpid 2>/dev/null
expect "$log" "hardware breakpoint hit in do_xen_version" "[Bb]reakpoint 1, do_xen_version"
expect "$log" "backtrace reaches core_hypercall" "core_hypercall"
expect "$log" "first xen_version call is XENVER_version" '^\$1 = 0'
expect "$log" "it returns 4.17" "Value returned is \\\$2 = 262161"

echo "gdb: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
