# SPDX-License-Identifier: GPL-2.0-only
#
# pvx - one entry point. Each room adds its rules in its own fragment:
#   core/build.mk  arch-x86/build.mk  sim/build.mk  guests/build.mk  testsuite/build.mk
#
#   make            build everything (hypervisor for x86, simulator, guests, unit tests)
#   make run        build, then boot the default scenario in the simulator
#   make sched-plot the BVT scheduler's dispatches as a timeline: build/sched-bvt.png
#   make test       build, then run every test (exit status 0 only when all pass)
#   make test-hw    the hardware-faithful lane alone: scenarios on Bochs (scripts/pvx-bochs)
#   make iso        build/pvx.iso, a GRUB2 image booting the default scenario
#   make qemu       boot the default scenario on QEMU (TCG, headless)
#   make fuzz       the hypercall fuzzer for FUZZ_SECONDS (default 60; testsuite/fuzz/)
#   make gdb-sim    pvx-sim under gdb, stopped in core_start
#   make gdb-metal  QEMU stopped at reset with gdb attached to build/pvx.elf
#   make deps       install what is missing (scripts/install-deps.sh)
#   make clean

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
SHELL := /bin/bash

B        := build
DEPS     := $(B)/deps
STAMP    := $(DEPS)/.installed

CC       ?= gcc
ifeq ($(origin CC),default)
CC       := gcc
endif

WARN     := -Wall -Wextra -Werror -std=gnu11
DEPFLAGS  = -MMD -MP

# 32-bit freestanding code: the hypervisor on x86 and every guest.
CFLAGS32 := $(WARN) -m32 -march=i686 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
            -mno-sse -mno-mmx -mno-80387 -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
            -O2 -g
LDFLAGS32 := -m32 -nostdlib -static -no-pie -Wl,--build-id=none
LIBGCC32 := $(shell $(CC) -m32 -print-libgcc-file-name 2>/dev/null)
# The hypervisor image only (not guests): link-time optimisation inlines the
# arch's one-line promises (arch_map_frames & co.) into the core's hot paths.
HV_CFLAGS32 := $(CFLAGS32) -flto=auto
HV_LDFLAGS32 := $(LDFLAGS32) -flto=auto -O2

# The core compiled for the host (simulator, unit tests): the same sources, native.
CFLAGS_HOST := $(WARN) -O2 -g -ffreestanding -fno-strict-aliasing -fno-omit-frame-pointer

# The default scenario: what `make run`, `make qemu` and the ISO boot.
DEFAULT_SCENARIO = $(B)/guests/hello.elf

# Anything that builds needs the dependencies; install-deps.sh is idempotent.
$(STAMP): scripts/install-deps.sh
	@bash scripts/install-deps.sh
	@mkdir -p $(DEPS) && touch $@

deps:
	bash scripts/install-deps.sh
	@mkdir -p $(DEPS) && touch $(STAMP)

include core/build.mk
-include arch-x86/build.mk
-include sim/build.mk
-include guests/build.mk
-include testsuite/build.mk
-include coverage/build.mk
-include testsuite/fuzz/build.mk
-include testsuite/bench/build.mk

all: $(ALL_TARGETS)

run: all
	$(B)/pvx-sim $(DEFAULT_SCENARIO)

# The BVT scenario drawn from --trace=sched: build/sched-bvt.png (docs/events-and-scheduling.md).
sched-plot: all
	bash scripts/sched-plot.sh

clean:
	rm -rf $(B)/x86 $(B)/sim $(B)/host $(B)/guests $(B)/unit $(B)/pvx.elf $(B)/pvx.iso \
	       $(B)/pvx-sim $(B)/iso $(B)/coverage $(B)/test $(B)/bench

.PHONY: all run sched-plot test test-hw deps clean iso qemu gdb-sim gdb-metal check-core
