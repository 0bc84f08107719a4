# SPDX-License-Identifier: GPL-2.0-only
# hello hands console_io a buffer at 0x80000000, which it never mapped: stop
# in the guest-memory walk for that address, look, step out to -EFAULT (-14).
source testsuite/gdb/prologue.gdb
set args build/guests/hello.elf > build/dbg/sim-efault-console.log
echo @@begin sim-efault\n
break guest_walk if va == 0x80000000
run
bt 6
print/x va
print write
pvx-pt va
finish
echo @@end sim-efault\n
kill
