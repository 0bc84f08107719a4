# SPDX-License-Identifier: GPL-2.0-only
# The same walk-through on QEMU (scripts/pvx-gdb-metal, build/dbg/pvx.elf).
# The first breakpoint is a hardware one: paging is off at reset and the
# image is linked at 0xF8000000, where gdb cannot write one yet.
source testsuite/gdb/prologue.gdb
echo @@begin metal-mmu\n
hbreak do_mmu_update if count == 16
continue
break l1e_get if (e & 2) && machine.frame.table[(e >> 12) & 0xffffff].type == FRAME_L3
continue
bt
pvx-guest-regs
pvx-frame (e >> 12) & 0xffffff
pvx-pt current->regs.ebx
pvx-domains
finish
echo @@end metal-mmu\n
kill
