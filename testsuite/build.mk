# SPDX-License-Identifier: GPL-2.0-only
# testsuite/: unit tests (CUnit, the core on the host), the ABI layout check on
# both word sizes, the scenario runner (every PV guest in pvx-sim and on QEMU),
# the runners' shared cases, the gdb sessions, and `make test`, which runs all
# of them (testsuite/make-test.py).

# testsuite/lib/: the one fixture of the unit tests, the fuzzer and the host
# benchmarks (the fake machine with its TLB, boot and entry helpers, elfgen).
TESTLIB_SRCS := $(sort $(wildcard testsuite/lib/*.c))
TESTLIB_INC  := -Itestsuite/lib

UNIT_SRCS := $(sort $(wildcard testsuite/unit/*.c))
# The guests' network stack is portable C over lib/: its parsers are tested
# on the host too (test_guest_net.c), compiled from the same sources.
UNIT_GUEST_NET_SRCS := guests/lib/net/net.c guests/lib/net/dhcp.c
UNIT_SRCS := $(filter-out testsuite/unit/abi_check.c,$(UNIT_SRCS)) $(TESTLIB_SRCS) $(UNIT_GUEST_NET_SRCS)
UNIT_CFLAGS := $(WARN) -O1 -g -fno-omit-frame-pointer $(CORE_INC) -Itestsuite/unit $(TESTLIB_INC) \
               -Iguests/lib

# The core for unit tests: the same sources, its own objects (so that the
# coverage and sanitizer variants can differ from the simulator's).
CORE_CFLAGS_unit = $(CFLAGS_HOST) -O1 $(CORE_INC)
$(eval $(call core_variant,unit,$(B)/unit,CC,CORE_CFLAGS_unit,$(CORE_LIBHOST)))

# lib/string.c, the 32-bit images' memory functions, under other names
# (host programs link libc's) for test_string.c, which compares them with
# libc's; loop-to-call conversion off so that the copy loops stay the code
# under test. unit_string(VARIANT, OBJDIR, CFLAGS-VAR) makes OBJDIR/core-string.o.
UNIT_STRING_FLAGS := -fno-tree-loop-distribute-patterns \
    $(foreach f,memcpy memmove memset memcmp strlen strnlen strcmp strncmp strchr,-D$(f)=pvx_$(f))
define unit_string
$(2)/core-string.o: lib/string.c $(2)/.flags.$(call flags_tag,testsuite/unit) | $$(STAMP)
	$$(call show,CC [$(1)],$$< (as pvx_*))
	@mkdir -p $$(@D)
	$(Q)$$(CC) $$($(3)) $$(UNIT_STRING_FLAGS) $$(DEPFLAGS) -c $$< -o $$@
endef

UNIT_OBJS := $(patsubst %.c,$(B)/unit/%.o,$(UNIT_SRCS)) $(B)/unit/core-string.o
$(eval $(call compile,unit,$(B)/unit,testsuite/unit,CC,UNIT_CFLAGS))
$(eval $(call compile,unit,$(B)/unit,testsuite/lib,CC,UNIT_CFLAGS))
$(eval $(call compile,unit,$(B)/unit,guests/lib/net,CC,UNIT_CFLAGS))
$(eval $(call unit_string,unit,$(B)/unit,UNIT_CFLAGS))

$(B)/unit/unit-tests: $(UNIT_OBJS) $(CORE_OBJS_unit)
	$(call show,LD,$@)
	$(Q)$(CC) -o $@ $^ -lcunit

# The guest ABI's static asserts must hold for -m32 and x86_64 alike.
$(B)/unit/abi-check.stamp: testsuite/unit/abi_check.c $(wildcard core/include/public/*.h core/include/public/*/*.h) | $(STAMP)
	$(call show,CHECK,$< (-m32 and x86_64))
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -m32 -ffreestanding -fsyntax-only $(CORE_INC) $<
	$(Q)$(CC) $(WARN) -ffreestanding -fsyntax-only $(CORE_INC) $<
	@touch $@

ALL_TARGETS += $(B)/unit/unit-tests $(B)/unit/abi-check.stamp

-include $(UNIT_OBJS:.o=.d)

test-unit: $(B)/unit/unit-tests
	$(B)/unit/unit-tests

# Every PV guest in the simulator and on QEMU (-kernel, GRUB ISO on pc and
# q35), with transcripts compared across machines.
test-scenarios: all
	python3 testsuite/run-scenarios.py

test-sim: all
	python3 testsuite/run-scenarios.py --sim-only

# The runners' limits and messages: each case through pvx-sim and pvx-qemu.
test-runners: all
	python3 testsuite/runner-cases.py

# What every stage of make test needs built.
test-build: all $(B)/dbg/pvx-sim $(B)/dbg/pvx.elf gdb-scripts

# The hardware-faithful lane: the hello, hostile, CPU, memory, FPU and hw/
# scenarios on Bochs (GRUB ISO), which enforces segment limits, PDPTE
# reserved bits and global pages, beside the simulator (about 2 min).
test-hw: all
	python3 testsuite/run-scenarios.py --hw

.PHONY: test-hw

# Random instruction sequences against pvx-sim (testsuite/soup.py): SOUP_RUNS
# runs of SOUP_COUNT sequences from seed SOUP_SEED (make test: 36 x 4000).
SOUP_RUNS ?= 36
SOUP_COUNT ?= 4000
SOUP_SEED ?= 1
soup: $(B)/pvx-sim $(GUEST_ELFS)
	python3 testsuite/soup.py --runs $(SOUP_RUNS) --count $(SOUP_COUNT) --seed $(SOUP_SEED)

.PHONY: soup

# make test: every stage, even after a failure, each under a time limit; a
# table at the end, exit status 0 only when all passed. The stages are a
# table in testsuite/make-test.py; STAGES=gdb,unit runs only those.
STAGES ?=
test:
	+$(Q)MAKE="$(MAKE)" python3 testsuite/make-test.py $(if $(STAGES),--only '$(STAGES)')

.PHONY: test-unit test-scenarios test-sim test-runners test-build test

# gdb's auto-load: beside each binary a NAME-gdb.py that loads the pvx
# commands (scripts/gdb/pvx.py) once gdb trusts build/ (docs/debugging.md).
GDB_SCRIPTS := $(B)/pvx-sim-gdb.py $(B)/dbg/pvx-sim-gdb.py $(B)/pvx.elf-gdb.py $(B)/dbg/pvx.elf-gdb.py
$(GDB_SCRIPTS): scripts/gdb/autoload.py.in
	$(call show,GEN,$@)
	@mkdir -p $(@D)
	$(Q)sed 's|@GDB_DIR@|$(CURDIR)/scripts/gdb|' $< > $@
gdb-scripts: $(GDB_SCRIPTS)
ALL_TARGETS += $(GDB_SCRIPTS)

test-gdb: $(B)/dbg/pvx-sim $(B)/dbg/pvx.elf $(B)/pvx.elf $(GUEST_ELFS) gdb-scripts
	bash testsuite/gdb/run-gdb-tests.sh

# The gdb sessions again, then their transcripts written into docs/debugging.md.
gdb-docs: $(B)/dbg/pvx-sim $(B)/dbg/pvx.elf $(B)/pvx.elf $(GUEST_ELFS) gdb-scripts
	bash testsuite/gdb/run-gdb-tests.sh --update

.PHONY: test-gdb gdb-docs gdb-scripts

# Fault-injection campaign: every site x every PV guest x fail-nth (see
# testsuite/fault/sweep.py; the toolstack runs from its initrd). FAULT_NTH
# bounds the nth values tried per site.
FAULT_NTH ?= 40
fault: $(B)/pvx-sim $(GUEST_ELFS) $(XL_INITRD)
	python3 testsuite/fault/sweep.py --max-nth $(FAULT_NTH)

.PHONY: fault
