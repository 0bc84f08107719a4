# Stop in the guest-memory walk when hello hands console_io a pointer to an
# address it never mapped (0x80000000), show where we are and what is being
# checked, step to the rejection and check the result: -EFAULT (-14).
set pagination off
set confirm off
set print pretty off
break guest_walk if va == 0x80000000
run
echo \n=== backtrace ===\n
bt
echo \n=== the address being validated ===\n
print/x va
print write
echo \n=== step to the rejection ===\n
finish
kill
quit
