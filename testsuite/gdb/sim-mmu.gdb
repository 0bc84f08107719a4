# SPDX-License-Identifier: GPL-2.0-only
# The walk-through of docs/debugging.md on the simulator: mm-type-rules sends
# mmu_update a batch of 16 requests whose 8th maps its own L3 writable. Stop
# in the L1-entry validation for that request, look with the pvx commands,
# step out to the rejection: -EBUSY (-16). The guest's console goes to a file.
source testsuite/gdb/prologue.gdb
set args build/guests/mm-type-rules.elf > build/dbg/sim-mmu-console.log
echo @@begin sim-mmu\n
break do_mmu_update if count == 16
run
break l1e_get if (e & 2) && machine.frame.table[(e >> 12) & 0xffffff].type == FRAME_L3
continue
bt 8
pvx-guest-regs
pvx-frame (e >> 12) & 0xffffff
pvx-pt current->regs.ebx
pvx-domains
finish
echo @@end sim-mmu\n
# The commands' refusals (not in the transcript).
python
for c in ("pvx-frame 0xffffffff", "pvx-frame", "pvx-pt", "pvx-guest-regs 999",
          "pvx-pt 0x80000000", "pvx-pt 0x100000 0"):
    try:
        gdb.execute(c)
    except gdb.error as e:
        print("refused: %s: %s" % (c, e))
end
kill
