# SPDX-License-Identifier: GPL-2.0-only
# update_va_mapping asked to map a pinned L1 writable: stop in l1e_get for a
# writable entry naming an L1 (the frame table read directly, no call), go to
# the rejecting line, step out: -EBUSY (-16). run-gdb-tests.sh sets
# $ebusy_line, the line of that return (found with grep: the file moves).
source testsuite/gdb/prologue.gdb
set args build/guests/mm-type-rules.elf > build/dbg/sim-uvm-console.log
break l1e_get if (e & 2) && machine.frame.table[(e >> 12) & 0xffffff].type == FRAME_L1
run
bt 5
print/x e
print machine.frame.table[(e >> 12) & 0xffffff]
eval "tbreak core/mm/types.h:%d", $ebusy_line
continue
finish
kill
