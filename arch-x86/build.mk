# SPDX-License-Identifier: GPL-2.0-only
# arch-x86/: the hypervisor image for x86 hardware (build/pvx.elf) and a GRUB2
# ISO that boots the default scenario (build/pvx.iso).

X86_SRCS  := $(sort $(wildcard arch-x86/*.c) $(wildcard arch-x86/*.S))
X86_OBJS  := $(patsubst %,$(B)/x86/%.o,$(basename $(X86_SRCS)))
X86_LDS   := arch-x86/pvx.ld

$(B)/x86/arch-x86/%.o: arch-x86/%.c | $(STAMP)
	@mkdir -p $(@D)
	$(CC) $(HV_CFLAGS32) $(CORE_INC) $(DEPFLAGS) -c $< -o $@

$(B)/x86/arch-x86/%.o: arch-x86/%.S | $(STAMP)
	@mkdir -p $(@D)
	$(CC) $(HV_CFLAGS32) $(CORE_INC) $(DEPFLAGS) -c $< -o $@

$(B)/pvx.elf: $(X86_OBJS) $(CORE_OBJS32) $(X86_LDS)
	$(CC) $(HV_LDFLAGS32) -Wl,-T,$(X86_LDS) -Wl,-z,max-page-size=0x1000 -o $@ \
	    $(X86_OBJS) $(CORE_OBJS32) $(LIBGCC32)

ALL_TARGETS += $(B)/pvx.elf

# Optional extras: `make iso ISO_CMDLINE="..."` and `make qemu QEMU_ARGS="--machine q35"`.
ISO_CMDLINE ?=
QEMU_ARGS   ?=

$(B)/pvx.iso: $(B)/pvx.elf $(DEFAULT_SCENARIO) scripts/pvx-qemu
	scripts/pvx-qemu --hv $(B)/pvx.elf --cmdline "$(ISO_CMDLINE)" --write-iso $@ $(DEFAULT_SCENARIO)

iso: $(B)/pvx.iso

qemu: $(B)/pvx.elf $(DEFAULT_SCENARIO)
	scripts/pvx-qemu --hv $(B)/pvx.elf $(QEMU_ARGS) $(DEFAULT_SCENARIO)

# QEMU stopped at reset, gdb attached with the image's symbols. Use hbreak
# for addresses above 0xF8000000 before paging is on (software breakpoints
# cannot be written there yet). QEMU goes when gdb does.
gdb-metal: $(B)/pvx.elf $(DEFAULT_SCENARIO)
	scripts/pvx-qemu --hv $(B)/pvx.elf --gdb --timeout 0 $(QEMU_ARGS) $(DEFAULT_SCENARIO) & \
	qpid=$$!; \
	gdb -q -ex 'set architecture i386' -ex "target remote :$${PVX_GDB_PORT:-1234}" $(B)/pvx.elf; \
	kill $$qpid 2>/dev/null; wait $$qpid 2>/dev/null; true

-include $(X86_OBJS:.o=.d)
