# SPDX-License-Identifier: GPL-2.0-only
# testsuite/bench/: `make bench` - benchmark guests, host-side programs and the
# driver (run-bench.py). Not part of `make test`: benchmarks are never tests.
#
#   testsuite/bench/<name>/   a benchmark guest -> $(B)/guests/bench-<name>.elf
#   testsuite/bench/host/     host programs -> $(B)/bench/
#     uc_floor.c    bare Unicorn: the floor of a simulated hypercall, raw speed
#     core_native.c the core on the fake machine (testsuite/lib/), no trap: mmu_update
#                   validation alone, a null hypercall, what a domain costs

BENCH_NAMES := $(call guest_names_in,testsuite/bench,host)
$(foreach n,$(BENCH_NAMES),$(eval $(call guest_rule,bench-$(n),testsuite/bench/$(n))))
BENCH_ELFS  := $(patsubst %,$(B)/guests/bench-%.elf,$(BENCH_NAMES))

$(B)/bench/uc_floor: testsuite/bench/host/uc_floor.c $(UNICORN_LIB) | $(STAMP)
	$(call show,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(WARN) -O2 -g -I$(DEPS)/unicorn/include $(DEPFLAGS) -o $@ $< $(SIM_LIBS)

# The core objects the simulator links (-O2), on the unit tests' fake machine.
BENCH_NATIVE_SRCS := testsuite/bench/host/core_native.c $(TESTLIB_SRCS)
BENCH_NATIVE_OBJS := $(patsubst %.c,$(B)/bench/obj/%.o,$(BENCH_NATIVE_SRCS))
BENCH_CFLAGS = $(WARN) -O2 -g $(CORE_INC) $(TESTLIB_INC)
$(eval $(call compile,bench,$(B)/bench/obj,testsuite,CC,BENCH_CFLAGS))

$(B)/bench/core_native: $(BENCH_NATIVE_OBJS) $(CORE_OBJS_host)
	$(call show,LD,$@)
	$(Q)$(CC) -O2 -g -o $@ $^

BENCH_TOOLS := $(B)/bench/uc_floor $(B)/bench/core_native

bench-build: $(B)/pvx-sim $(B)/pvx.elf $(BENCH_ELFS) $(B)/guests/pingpong.elf $(BENCH_TOOLS)

# BENCH_ARGS: e.g. "--quick", "--only sim", "--reps 9" (see run-bench.py --help).
BENCH_ARGS ?=
bench: bench-build
	python3 testsuite/bench/run-bench.py $(BENCH_ARGS)

-include $(BENCH_NATIVE_OBJS:.o=.d) $(B)/bench/uc_floor.d

.PHONY: bench bench-build
