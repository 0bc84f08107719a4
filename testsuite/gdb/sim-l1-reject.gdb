# SPDX-License-Identifier: GPL-2.0-only
# Stop in the L1-entry validation (l1e_get, core/mm.c) when mm-type-rules asks
# for a writable mapping of a frame that is a page table, show who asked and
# the entry, step to the rejection and check the result: -EBUSY (-16).
# run-gdb-tests.sh sets $ebusy_line, the line of l1e_get's "return -EBUSY"
# for a typed frame (found with grep: mm.c changes).
set pagination off
set confirm off
set print pretty off
break l1e_get if (e & 0x2) && frame_of((mfn_t)(e >> 12))->type == FRAME_L1
run
echo \n=== backtrace ===\n
bt
echo \n=== the entry being validated ===\n
print/x e
print *frame_of((mfn_t)(e >> 12))
print (enum frame_type)frame_of((mfn_t)(e >> 12))->type
echo \n=== what the guest asked for: update_va_mapping(va, e) ===\n
frame 4
print/x va
frame 0
echo \n=== step to the rejection ===\n
eval "tbreak core/mm.c:%d", $ebusy_line
continue
echo \n=== and out of the validation ===\n
finish
kill
quit
