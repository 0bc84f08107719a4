# SPDX-License-Identifier: GPL-2.0-only
#
# pvx - one entry point. Each room adds its rules in its own fragment:
#   core/build.mk  arch-x86/build.mk  sim/build.mk  guests/build.mk  testsuite/build.mk
#   coverage/build.mk  testsuite/fuzz/build.mk  testsuite/bench/build.mk  testsuite/eval/build.mk
#
#   make            build everything (hypervisor for x86, simulator, guests, unit tests)
#   make run        build, then boot the default scenario in the simulator
#   make test       build, then run every test stage (testsuite/make-test.py): a table
#                   of the stages at the end, exit status 0 only when all pass
#   make test-hw    the hardware-faithful lane alone: scenarios on Bochs (scripts/pvx-bochs)
#   make iso        build/pvx.iso, a GRUB2 image booting the default scenario
#   make qemu       boot the default scenario on QEMU (TCG, headless)
#   make eval       the paper's evaluation: native vs PV side by side (docs/evaluation.md)
#   make sched-plot the BVT scheduler's dispatches as a timeline: build/sched-bvt.png
#   make fuzz       the hypercall fuzzer for FUZZ_SECONDS (default 60; testsuite/fuzz/)
#   make gdb-sim    the -O0 pvx-sim under gdb, stopped in core_start
#   make gdb-metal  QEMU stopped at reset, gdb attached to the -O0 build/dbg/pvx.elf
#                   (GUEST=build/guests/NAME.elf picks the guest)
#   make deps       install what is missing (scripts/install-deps.sh)
#   make clean      remove build/ except build/deps (the downloaded Unicorn)
#   make distclean  remove build/ entirely
#
# V=1 shows every command; by default each step is one line ("  CC [x86] core/mm/types.c").
# -j2 (or more) builds in parallel.

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

# Quiet by default, as Linux and Xen build: $(call show,TAG,WHAT) prints one
# line, $(Q) hides the command itself. V=1 shows the commands instead.
V ?= 0
ifeq ($(V),1)
Q    :=
show  =
else
Q    := @
show  = @printf '  %-9s %s\n' '$(1)' '$(2)'
endif

WARN     := -Wall -Wextra -Werror -std=gnu11
DEPFLAGS  = -MMD -MP

# 32-bit freestanding code: the hypervisor on x86 and every guest.
CFLAGS32_BASE := $(WARN) -m32 -march=i686 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
            -mno-sse -mno-mmx -mno-80387 -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
            -fno-omit-frame-pointer -g
CFLAGS32 := $(CFLAGS32_BASE) -O2
LDFLAGS32 := -m32 -nostdlib -static -no-pie -Wl,--build-id=none
# 64-bit division helpers (__udivdi3 & co.) for -m32 code: gcc finds its own
# 32-bit libgcc when linking. Nothing here may be computed while make reads
# this file: on a fresh machine install-deps.sh has not run yet.
LIBGCC32 := -lgcc
# The hypervisor image only (not guests): link-time optimisation inlines the
# arch's one-line promises (arch_map_frames & co.) into the core's hot paths.
HV_CFLAGS32 := $(CFLAGS32) -flto=auto
HV_LDFLAGS32 := $(LDFLAGS32) -flto=auto -O2

# The core compiled for the host (simulator, unit tests): the same sources, native.
CFLAGS_HOST := $(WARN) -O2 -g -ffreestanding -fno-strict-aliasing -fno-omit-frame-pointer

# The default scenario: what `make run`, `make qemu` and the ISO boot. Domain 0
# is the toolstack (guests/xl) with its initrd: it creates domains from configs,
# lists them while they run and shuts everything down (guests/xl/files/boot.xl).
DEFAULT_SCENARIO_FILES = $(B)/guests/xl.elf $(B)/xl-initrd.cpio
DEFAULT_SCENARIO = $(B)/guests/xl.elf $(B)/xl-initrd.cpio=initrd

# ---------------------------------------------------------------------------
# Compile rules, one template for every variant.
#
# compile(TAG, OBJDIR, SRCDIR, CC-VAR, FLAGS-VAR, PREREQS, ORDER-ONLY)
#   $(OBJDIR)/$(SRCDIR)/%.o from $(SRCDIR)/%.c and %.S with $(CC-VAR) $(FLAGS-VAR).
#   The compiler and flags are written to a flags file that changes only when
#   they do; every object depends on it, so a change of flags rebuilds exactly
#   what they built. Variables are passed by name: flags hold commas.
flags_tag = $(subst /,_,$(1))

define compile
$(2)/.flags.$(call flags_tag,$(3)): FORCE
	@mkdir -p $$(@D)
	@printf '%s\n' '$$($(4)) $$($(5))' | cmp -s - $$@ || printf '%s\n' '$$($(4)) $$($(5))' > $$@

$(2)/$(3)/%.o: $(3)/%.c $(2)/.flags.$(call flags_tag,$(3)) $(6) | $$(STAMP) $(7)
	$$(call show,CC [$(1)],$$<)
	@mkdir -p $$(@D)
	$(Q)$$($(4)) $$($(5)) $$(DEPFLAGS) -c $$< -o $$@

$(2)/$(3)/%.o: $(3)/%.S $(2)/.flags.$(call flags_tag,$(3)) $(6) | $$(STAMP) $(7)
	$$(call show,AS [$(1)],$$<)
	@mkdir -p $$(@D)
	$(Q)$$($(4)) $$($(5)) $$(DEPFLAGS) -c $$< -o $$@
endef

FORCE:
.PHONY: FORCE

# ---------------------------------------------------------------------------
# Dependencies. Anything that builds needs them; install-deps.sh is idempotent
# and holds the Unicorn version: editing it re-runs it, and it fetches Unicorn
# again when the version it finds is not the one it names.
$(STAMP): scripts/install-deps.sh
	$(Q)bash scripts/install-deps.sh
	@mkdir -p $(DEPS) && touch $@

UNICORN_LIB := $(DEPS)/unicorn/lib/libunicorn.a
# Exists once the stamp does; a re-fetch (new version) gives it a new time.
$(UNICORN_LIB): $(STAMP)
	@test -f $@ || { echo "install-deps.sh did not provide $@" >&2; exit 1; }

deps:
	bash scripts/install-deps.sh
	@mkdir -p $(DEPS) && touch $(STAMP)

# Every fragment is required: a missing one is an error, not a smaller build.
include core/build.mk
include arch-x86/build.mk
include sim/build.mk
include guests/build.mk
include testsuite/build.mk
include coverage/build.mk
include testsuite/fuzz/build.mk
include testsuite/bench/build.mk
include testsuite/eval/build.mk

all: $(ALL_TARGETS)

run: all
	$(B)/pvx-sim $(DEFAULT_SCENARIO)

# The BVT scenario drawn from --trace=sched: build/sched-bvt.png (docs/events-and-scheduling.md).
sched-plot: all
	bash scripts/sched-plot.sh

# build/deps holds the downloaded Unicorn: clean keeps it, distclean does not.
clean:
	$(call show,CLEAN,$(B)/ except $(DEPS))
	$(Q)find $(B) -mindepth 1 -maxdepth 1 ! -name deps -exec rm -rf {} + 2>/dev/null || true

distclean:
	$(call show,CLEAN,$(B)/)
	$(Q)rm -rf $(B)

.PHONY: all run sched-plot deps clean distclean
