# SPDX-License-Identifier: GPL-2.0-only
# The production image (build/pvx.elf, -O2): stop in do_xen_version, read the
# sub-op and the result; then send the hypervisor to an unmapped address and
# read the epitaph the panic leaves in memory.
source testsuite/gdb/prologue.gdb
echo @@begin metal-xen-version\n
hbreak do_xen_version
continue
bt 3
print cmd
finish
echo @@end metal-xen-version\n
echo @@begin metal-epitaph\n
hbreak arch_shutdown
set var $pc = 0xdead0000
continue
bt 3
set print elements 0
printf "%s", x86_epitaph
print machine.console.epitaph
echo @@end metal-epitaph\n
kill
