# SPDX-License-Identifier: GPL-2.0-only
# core/: compiled twice from the same sources - for arch-x86 (-m32, freestanding)
# and for the host (simulator and unit tests).

CORE_SRCS   := $(sort $(wildcard core/*.c))
# String and format helpers. The 32-bit images link them; host programs use
# libc's memcpy & co. (identical semantics) so that Unicorn does not run on ours.
CORE_LIB32  := core/lib/string.c core/lib/vsnprintk.c
CORE_LIBHOST := core/lib/vsnprintk.c
CORE_INC    := -Icore/include

CORE_OBJS32   := $(patsubst %.c,$(B)/x86/%.o,$(CORE_SRCS) $(CORE_LIB32))
CORE_OBJSHOST := $(patsubst %.c,$(B)/host/%.o,$(CORE_SRCS) $(CORE_LIBHOST))

$(B)/x86/core/%.o: core/%.c | $(STAMP) check-core
	@mkdir -p $(@D)
	$(CC) $(HV_CFLAGS32) $(CORE_INC) $(DEPFLAGS) -c $< -o $@

$(B)/host/core/%.o: core/%.c | $(STAMP) check-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_HOST) $(CORE_INC) $(DEPFLAGS) -c $< -o $@

# core/ is identical on both machines: no conditional compilation at all,
# except include guards. This fails the build when one appears.
check-core:
	@bash scripts/check-core.sh

-include $(CORE_OBJS32:.o=.d) $(CORE_OBJSHOST:.o=.d)
