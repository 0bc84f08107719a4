# SPDX-License-Identifier: GPL-2.0-only
# Every scripted session starts here. gdb must never call a function in the
# program: on some machines it cannot (and hangs), and a call changes the
# state being looked at. With this, a script that tries fails at once.
set pagination off
set confirm off
set width 0
set print pretty off
set may-call-functions off
# Commands are echoed with a '+': transcript.py turns them into "(gdb) ...".
set trace-commands on
