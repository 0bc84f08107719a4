# SPDX-License-Identifier: GPL-2.0-only
# guests/: PV guest kernels (i386 ELF, Xen notes), built from
#   guests/<name>/       every folder except lib/: a guest (hello, ...)
#   testsuite/pv/<name>/ XTF-style test guests
# each into $(B)/guests/<name>.elf, linked with guests/lib and the core's
# string and format helpers (compiled here, for the guest, from the same files).

GUEST_CFLAGS  = $(CFLAGS32) -Icore/include -Iguests/lib
GUEST_LDS    := guests/lib/guest.ld
GUEST_OBJDIR := $(B)/guests/obj

# Sources -> objects under $(GUEST_OBJDIR), keeping their path.
guest_objs = $(patsubst %,$(GUEST_OBJDIR)/%.o,$(basename $(1)))

GUEST_LIB_SRCS := $(sort $(wildcard guests/lib/*.c guests/lib/*.S)) \
                  core/lib/string.c core/lib/vsnprintk.c
GUEST_LIB_OBJS := $(call guest_objs,$(GUEST_LIB_SRCS))

# A folder is a guest when it holds at least one source file.
guest_srcs = $(sort $(wildcard $(1)/*.c $(1)/*.S))
guest_names_in = $(foreach d,$(filter-out $(2),$(patsubst $(1)/%/,%,$(wildcard $(1)/*/))),\
                   $(if $(call guest_srcs,$(1)/$(d)),$(d)))

GUEST_NAMES   := $(call guest_names_in,guests,lib)
PV_TEST_NAMES := $(call guest_names_in,testsuite/pv,)

# guest_rule(name, folder)
define guest_rule
GUEST_OBJS_$(1) := $$(call guest_objs,$$(call guest_srcs,$(2)))

$$(B)/guests/$(1).elf: $$(GUEST_OBJS_$(1)) $$(GUEST_LIB_OBJS) $$(GUEST_LDS)
	$$(call show,LD,$$@)
	@mkdir -p $$(@D)
	$(Q)$$(CC) $$(LDFLAGS32) -Wl,-T,$$(GUEST_LDS) -Wl,-Map,$$(GUEST_OBJDIR)/$(1).map \
	    -o $$@ $$(GUEST_OBJS_$(1)) $$(GUEST_LIB_OBJS) $$(LIBGCC32)

ALL_GUEST_OBJS += $$(GUEST_OBJS_$(1))
endef

$(foreach n,$(GUEST_NAMES),$(eval $(call guest_rule,$(n),guests/$(n))))
$(foreach n,$(PV_TEST_NAMES),$(eval $(call guest_rule,$(n),testsuite/pv/$(n))))

PV_TEST_ELFS := $(patsubst %,$(B)/guests/%.elf,$(PV_TEST_NAMES))
GUEST_ELFS   := $(patsubst %,$(B)/guests/%.elf,$(GUEST_NAMES)) $(PV_TEST_ELFS)
ALL_TARGETS  += $(GUEST_ELFS)

# Every folder guest sources come from, one compile rule each.
GUEST_SRCDIRS := guests core/lib testsuite/pv testsuite/bench
$(foreach d,$(GUEST_SRCDIRS),$(eval $(call compile,guest,$(GUEST_OBJDIR),$(d),CC,GUEST_CFLAGS)))

guests: $(GUEST_ELFS)

.PHONY: guests

-include $(patsubst %.o,%.d,$(GUEST_LIB_OBJS) $(ALL_GUEST_OBJS))
