# SPDX-License-Identifier: GPL-2.0-only
# arch-x86/: the hypervisor image for x86 hardware (build/pvx.elf), its -O0
# twin for the debugger (build/dbg/pvx.elf), and a GRUB2 ISO that boots the
# default scenario (build/pvx.iso).

X86_SRCS  := $(sort $(wildcard arch-x86/*.c) $(wildcard arch-x86/*.S))
X86_LDS   := arch-x86/pvx.ld

X86_CFLAGS    = $(HV_CFLAGS32) $(CORE_INC)
# The debug image keeps arch-x86 at -O2 (without LTO): at -O0, x86_start's
# copy of the first frame to the top of the stack overwrites its own locals.
X86_CFLAGS_dbg = $(CFLAGS32) -g3 $(CORE_INC)
X86_OBJS      := $(patsubst %,$(B)/x86/%.o,$(basename $(X86_SRCS)))
X86_OBJS_dbg  := $(patsubst %,$(B)/dbg/x86/%.o,$(basename $(X86_SRCS)))
$(eval $(call compile,x86,$(B)/x86,arch-x86,CC,X86_CFLAGS,,check-walls))
$(eval $(call compile,dbg32,$(B)/dbg/x86,arch-x86,CC,X86_CFLAGS_dbg,,check-walls))

$(B)/pvx.elf: $(X86_OBJS) $(CORE_OBJS_x86) $(X86_LDS)
	$(call show,LD,$@)
	$(Q)python3 scripts/check-walls.py --link $(X86_OBJS) -- $(CORE_OBJS_x86)
	$(Q)$(CC) $(HV_LDFLAGS32) -Wl,-T,$(X86_LDS) -Wl,-z,max-page-size=0x1000 -o $@ \
	    $(X86_OBJS) $(CORE_OBJS_x86) $(LIBGCC32)

# The same image with the core at -O0, without link-time optimisation: every
# argument and local of the core readable in gdb (make gdb-metal, the gdb
# stage of make test).
$(B)/dbg/pvx.elf: $(X86_OBJS_dbg) $(CORE_OBJS_dbg32) $(X86_LDS)
	$(call show,LD,$@)
	$(Q)python3 scripts/check-walls.py --link $(X86_OBJS_dbg) -- $(CORE_OBJS_dbg32)
	$(Q)$(CC) $(LDFLAGS32) -Wl,-T,$(X86_LDS) -Wl,-z,max-page-size=0x1000 -o $@ \
	    $(X86_OBJS_dbg) $(CORE_OBJS_dbg32) $(LIBGCC32)

ALL_TARGETS += $(B)/pvx.elf

# Optional extras: `make iso ISO_CMDLINE="..."` and `make qemu QEMU_ARGS="--machine q35"`.
ISO_CMDLINE ?=
QEMU_ARGS   ?=

$(B)/pvx.iso: $(B)/pvx.elf $(DEFAULT_SCENARIO_FILES) scripts/pvx-qemu
	$(call show,ISO,$@)
	$(Q)scripts/pvx-qemu --hv $(B)/pvx.elf --cmdline "$(ISO_CMDLINE)" --write-iso $@ $(DEFAULT_SCENARIO)

iso: $(B)/pvx.iso

qemu: $(B)/pvx.elf $(DEFAULT_SCENARIO_FILES)
	scripts/pvx-qemu --hv $(B)/pvx.elf $(QEMU_ARGS) $(DEFAULT_SCENARIO)

# QEMU stopped at reset with the -O0 image, gdb attached (scripts/pvx-gdb-metal:
# QEMU's console goes to build/dbg/qemu-console.log, not into gdb's prompt).
# GUEST=build/guests/NAME.elf[=ARGS] picks the guest; QEMU goes when gdb does.
GUEST ?= $(DEFAULT_SCENARIO)
gdb-metal: $(B)/dbg/pvx.elf $(GUEST_ELFS) gdb-scripts
	scripts/pvx-gdb-metal $(QEMU_ARGS) $(GUEST)

-include $(X86_OBJS:.o=.d) $(X86_OBJS_dbg:.o=.d)

.PHONY: iso qemu gdb-metal
