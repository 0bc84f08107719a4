# SPDX-License-Identifier: GPL-2.0-only
# testsuite/: unit tests (CUnit, the core on the host), the ABI layout check on
# both word sizes, and the scenario runner (every PV guest in pvx-sim and on QEMU).

UNIT_SRCS := $(sort $(wildcard testsuite/unit/*.c))
UNIT_SRCS := $(filter-out testsuite/unit/abi_check.c,$(UNIT_SRCS))
UNIT_OBJS := $(patsubst %.c,$(B)/unit/%.o,$(UNIT_SRCS))
UNIT_CORE_OBJS := $(patsubst %.c,$(B)/unit/%.o,$(CORE_SRCS) $(CORE_LIBHOST))
UNIT_CFLAGS := $(WARN) -O1 -g -fno-omit-frame-pointer $(CORE_INC) -Itestsuite/unit

$(B)/unit/testsuite/unit/%.o: testsuite/unit/%.c | $(STAMP)
	@mkdir -p $(@D)
	$(CC) $(UNIT_CFLAGS) $(DEPFLAGS) -c $< -o $@

# The core for unit tests: the same sources, its own objects (so that the
# coverage and sanitizer variants can differ from the simulator's).
$(B)/unit/core/%.o: core/%.c | $(STAMP) check-core
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_HOST) -O1 $(CORE_INC) $(DEPFLAGS) -c $< -o $@

$(B)/unit/unit-tests: $(UNIT_OBJS) $(UNIT_CORE_OBJS)
	$(CC) -o $@ $^ -lcunit

# The guest ABI's static asserts must hold for -m32 and x86_64 alike.
$(B)/unit/abi-check.stamp: testsuite/unit/abi_check.c $(wildcard core/include/public/*.h core/include/public/io/*.h) | $(STAMP)
	@mkdir -p $(@D)
	$(CC) $(WARN) -m32 -ffreestanding -fsyntax-only $(CORE_INC) $<
	$(CC) $(WARN) -ffreestanding -fsyntax-only $(CORE_INC) $<
	@touch $@

ALL_TARGETS += $(B)/unit/unit-tests $(B)/unit/abi-check.stamp

-include $(UNIT_OBJS:.o=.d) $(UNIT_CORE_OBJS:.o=.d)

test-unit: $(B)/unit/unit-tests
	$(B)/unit/unit-tests

.PHONY: test-unit

# Every PV guest in the simulator and on QEMU (-kernel, GRUB ISO on pc and
# q35), with transcripts compared across machines.
test-scenarios: all
	python3 testsuite/run-scenarios.py

test-sim: all
	python3 testsuite/run-scenarios.py --sim-only

# The hardware-faithful lane: the hello, hostile, CPU, memory, FPU and hw/
# scenarios on Bochs (GRUB ISO), which enforces segment limits, PDPTE
# reserved bits and global pages, beside the simulator (about 1.5 min).
test-hw: all
	python3 testsuite/run-scenarios.py --hw

# make test: everything, exit status 0 only when all of it passes.
test: all $(B)/dbg/pvx-sim
	@echo "== core/ has no target conditionals" && bash scripts/check-core.sh
	@echo "== unit tests (CUnit)" && $(B)/unit/unit-tests
	@echo "== scenarios (simulator and QEMU)" && python3 testsuite/run-scenarios.py
	@echo "== hardware-faithful lane (Bochs)" && python3 testsuite/run-scenarios.py --hw
	@echo "== sanitizers (ASan + UBSan: unit tests and simulator)" && $(MAKE) --no-print-directory sanitize
	@echo "== fault injection (short sweep; make fault for the full one)" && python3 testsuite/fault/sweep.py --max-nth 6
	@echo "== fuzz corpus and regressions, replayed (make fuzz to fuzz)" && $(MAKE) --no-print-directory fuzz-replay
	@echo "== debugger sessions (gdb on pvx-sim and on QEMU)" && bash testsuite/gdb/run-gdb-tests.sh
	@echo "== coverage of core/ (gate: $(COV_LINE)% lines, $(COV_BRANCH)% branches)" && $(MAKE) --no-print-directory coverage
	@echo "== all 9 stages of make test passed"
	@echo "make-test: 9 passed, 0 failed"

.PHONY: test-scenarios test-sim test-hw test

# A simulator with the core at -O0, for gdb: every local is there to print.
DBG_CORE_OBJS := $(patsubst %.c,$(B)/dbg/%.o,$(CORE_SRCS) $(CORE_LIBHOST))
$(B)/dbg/core/%.o: core/%.c | $(STAMP) check-core
	@mkdir -p $(@D)
	$(CC) $(WARN) -O0 -g3 -ffreestanding $(CORE_INC) $(DEPFLAGS) -c $< -o $@
$(B)/dbg/pvx-sim: $(SIM_OBJS) $(DBG_CORE_OBJS)
	$(CC) -g -o $@ $^ $(SIM_LIBS)
-include $(DBG_CORE_OBJS:.o=.d)

test-gdb: $(B)/dbg/pvx-sim $(B)/pvx.elf $(GUEST_ELFS)
	bash testsuite/gdb/run-gdb-tests.sh

.PHONY: test-gdb

# Fault-injection campaign: every site x every PV guest x fail-nth (see
# testsuite/fault/sweep.py). FAULT_NTH bounds the nth values tried per site.
FAULT_NTH ?= 40
fault: $(B)/pvx-sim $(GUEST_ELFS)
	python3 testsuite/fault/sweep.py --max-nth $(FAULT_NTH)

.PHONY: fault
