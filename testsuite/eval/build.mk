# SPDX-License-Identifier: GPL-2.0-only
# testsuite/eval/: `make eval` - the paper's evaluation redone (docs/evaluation.md).
#
# The workload kernel (guests/eval/kernel/) is built twice:
#   $(B)/eval/eval-pv.elf      a PV guest: the common sources + ops-pv.c, on guests/lib
#   $(B)/eval/eval-native.elf  a Multiboot kernel: the common sources + ops-native.c,
#                              on guests/lib/native (its own linker script)
# run-eval.py runs them (native on QEMU, PV on pvx on QEMU and on pvx-sim) and
# writes the table, build/eval/results.json and the plots.

EVAL_DIR      := $(B)/eval
EVAL_KSRCS    := $(sort $(wildcard guests/eval/kernel/*.c guests/eval/kernel/*.S))
EVAL_COMMON   := $(filter-out guests/eval/kernel/ops-%,$(EVAL_KSRCS))
NATIVE_RT_SRCS := $(sort $(wildcard guests/lib/native/*.c guests/lib/native/*.S)) \
                  lib/string.c lib/vsnprintk.c
NATIVE_LDS    := guests/lib/native/native.ld

EVAL_PV_CFLAGS     = $(GUEST_CFLAGS)
EVAL_NATIVE_CFLAGS = $(CFLAGS32) -Ilib/include -Iguests/lib

eval_objs = $(patsubst %,$(1)/%.o,$(basename $(2)))
EVAL_PV_OBJS     := $(call eval_objs,$(EVAL_DIR)/pv,$(EVAL_COMMON) guests/eval/kernel/ops-pv.c)
EVAL_NATIVE_OBJS := $(call eval_objs,$(EVAL_DIR)/native,$(EVAL_COMMON) \
                      guests/eval/kernel/ops-native.c $(NATIVE_RT_SRCS))

$(eval $(call compile,eval-pv,$(EVAL_DIR)/pv,guests/eval,CC,EVAL_PV_CFLAGS,,check-walls))
$(eval $(call compile,native,$(EVAL_DIR)/native,guests,CC,EVAL_NATIVE_CFLAGS,,check-walls))
$(eval $(call compile,native,$(EVAL_DIR)/native,lib,CC,EVAL_NATIVE_CFLAGS,,check-walls))

$(EVAL_DIR)/eval-pv.elf: $(EVAL_PV_OBJS) $(GUEST_LIB_OBJS) $(GUEST_LDS)
	$(call show,LD,$@)
	$(Q)$(CC) $(LDFLAGS32) -Wl,-T,$(GUEST_LDS) -o $@ $(EVAL_PV_OBJS) $(GUEST_LIB_OBJS) $(LIBGCC32)

$(EVAL_DIR)/eval-native.elf: $(EVAL_NATIVE_OBJS) $(NATIVE_LDS)
	$(call show,LD,$@)
	$(Q)$(CC) $(LDFLAGS32) -Wl,-T,$(NATIVE_LDS) -o $@ $(EVAL_NATIVE_OBJS) $(LIBGCC32)

EVAL_ELFS := $(EVAL_DIR)/eval-pv.elf $(EVAL_DIR)/eval-native.elf
ALL_TARGETS += $(EVAL_ELFS)

eval-build: $(EVAL_ELFS) $(B)/pvx-sim $(B)/pvx.elf $(B)/bench/uc_floor

# EVAL_ARGS: e.g. "--quick", "--reps 5", "--only qemu" (see run-eval.py --help).
EVAL_ARGS ?=
eval: eval-build
	python3 testsuite/eval/run-eval.py $(EVAL_ARGS)

-include $(EVAL_PV_OBJS:.o=.d) $(EVAL_NATIVE_OBJS:.o=.d)

.PHONY: eval eval-build

# The domains of §4.3 (isolation, scale): a PV guest like those in guests/.
$(eval $(call guest_rule,eval-domains,guests/eval/domains))
ALL_TARGETS += $(B)/guests/eval-domains.elf
eval-build: $(B)/guests/eval-domains.elf
