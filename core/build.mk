# SPDX-License-Identifier: GPL-2.0-only
# core/: one set of sources, compiled once per variant - for arch-x86 (-m32,
# freestanding), for the host (simulator, unit tests), and the debug,
# sanitizer, coverage and fuzzing builds the other fragments declare with
# core_variant.

# Every room of core/. The shared lib (lib/): string and format helpers. The
# 32-bit images link both; host programs use libc's memcpy & co. (identical
# semantics) so that Unicorn does not run on ours.
CORE_SRCS   := $(sort $(wildcard core/*.c core/*/*.c))
CORE_LIB32  := lib/string.c lib/vsnprintk.c
CORE_LIBHOST := lib/vsnprintk.c
# PVX_DEBUG=1 (every build of this tree) keeps the ASSERTs; a release image
# may be built with make PVX_DEBUG=0 (core/include/pvx/lib.h).
PVX_DEBUG   ?= 1
CORE_INC    := -Icore/include -Ilib/include -DPVX_DEBUG=$(PVX_DEBUG)

# core_variant(NAME, OBJDIR, CC-VAR, CFLAGS-VAR, LIB-SRCS[, PREREQS])
#   CORE_OBJS_NAME: the core's objects under OBJDIR, compiled by $(CC-VAR)
#   with $(CFLAGS-VAR) (which holds the include flags too), and LIB-SRCS of
#   the shared lib the same way; every variant waits for check-walls.
define core_variant
CORE_OBJS_$(1) := $$(patsubst %.c,$(2)/%.o,$$(CORE_SRCS) $(5))
$$(eval $$(call compile,$(1),$(2),core,$(3),$(4),$(6),check-walls))
$$(eval $$(call compile,$(1),$(2),lib,$(3),$(4),$(6),check-walls))
-include $$(CORE_OBJS_$(1):.o=.d)
endef

CORE_CFLAGS_x86  = $(HV_CFLAGS32) $(CORE_INC)
CORE_CFLAGS_host = $(CFLAGS_HOST) $(CORE_INC)
$(eval $(call core_variant,x86,$(B)/x86,CC,CORE_CFLAGS_x86,$(CORE_LIB32)))
$(eval $(call core_variant,host,$(B)/host,CC,CORE_CFLAGS_host,$(CORE_LIBHOST)))

# The debug variants (make gdb-sim, make gdb-metal, the gdb stage of make
# test): -O0 -g3, every local there to print, macros known to gdb.
CORE_CFLAGS_dbg32 = $(CFLAGS32_BASE) -O0 -g3 $(CORE_INC)
CORE_CFLAGS_dbg   = $(WARN) -O0 -g3 -ffreestanding -fno-strict-aliasing -fno-omit-frame-pointer $(CORE_INC)
$(eval $(call core_variant,dbg32,$(B)/dbg/x86,CC,CORE_CFLAGS_dbg32,$(CORE_LIB32)))
$(eval $(call core_variant,dbg,$(B)/dbg/host,CC,CORE_CFLAGS_dbg,$(CORE_LIBHOST)))

# The walls between the rooms (scripts/check-walls.py, docs/architecture.md):
# what each room may include, and no conditional compilation in core/ but
# include guards. Every compile waits for it: a violation fails the build.
check-walls:
	$(Q)python3 scripts/check-walls.py

.PHONY: check-walls
