# SPDX-License-Identifier: GPL-2.0-only
# testsuite/fuzz/: the hypercall fuzzer (harness.c, refusal.c on testsuite/lib's
# fake machine), three builds of the same harness over the same core sources:
#
#   $(B)/fuzz/pvx-fuzz     libFuzzer (clang -fsanitize=fuzzer,address,undefined)
#   $(B)/fuzz/fuzz-replay  a plain main() that replays files (ASan + UBSan, $(CC)):
#                          make test replays testsuite/fuzz/corpus and regress/
#   $(B)/fuzz/fuzz-cov     the replayer with the core at -O0 --coverage
#
# make fuzz [FUZZ_SECONDS=60] [FUZZ_JOBS=1] [FUZZ_SEED=1]
#                               fuzz, growing $(B)/fuzz/corpus from the seeds;
#                               a crash lands in $(B)/fuzz/crashes/ (see docs/testing.md)
# make fuzz-replay              every seed and regression input, checked
# make fuzz-coverage            what the corpus reaches in core/ (gcovr)

FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_SEED    ?= 1
FUZZ_CLANG   ?= clang
FUZZ_SRCS    := testsuite/fuzz/harness.c testsuite/fuzz/refusal.c $(TESTLIB_SRCS)
FUZZ_INC     := $(CORE_INC) $(TESTLIB_INC) -Itestsuite/fuzz
FUZZ_SEEDS   := $(sort $(wildcard testsuite/fuzz/corpus/*.hex))
FUZZ_REGRESS := $(sort $(wildcard testsuite/fuzz/regress/*.hex))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# The fuzzer restores a snapshot of the core per input instead of booting
# it (testsuite/lib/core_state.c): the core's objects are linked into one,
# and their writable sections renamed pvx_core_data and pvx_core_bss, so
# that the link marks where the core's variables begin and end. Not for
# fuzz-cv: gcov's counters live among them and a restore would undo them.
FUZZ_CORE_SECTIONS := --rename-section .data=pvx_core_data --rename-section .data.rel=pvx_core_data \
                      --rename-section .data.rel.local=pvx_core_data --rename-section .bss=pvx_core_bss
define fuzz_core_sections
$(1): $(2)
	$$(call show,LD -r,$$@)
	$(Q)ld -r -o $$@.tmp $$^
	$(Q)objcopy $$(FUZZ_CORE_SECTIONS) $$@.tmp $$@
	@rm -f $$@.tmp
endef

# libFuzzer: coverage instrumentation in the core and the harness alike, but
# not in the checks (coverage-ignore.txt).
FUZZ_LF_FLAGS := -fsanitize=fuzzer-no-link -fsanitize-coverage-ignorelist=testsuite/fuzz/coverage-ignore.txt
CORE_CFLAGS_fuzz-lf = $(WARN) -O1 -g -ffreestanding $(FUZZ_LF_FLAGS) $(FUZZ_SAN) $(FUZZ_INC)
FUZZ_TS_CFLAGS_lf   = $(WARN) -O1 -g $(FUZZ_LF_FLAGS) $(FUZZ_SAN) $(FUZZ_INC)
$(eval $(call core_variant,fuzz-lf,$(B)/fuzz/lf,FUZZ_CLANG,CORE_CFLAGS_fuzz-lf,$(CORE_LIBHOST),testsuite/fuzz/coverage-ignore.txt))
$(eval $(call compile,fuzz-lf,$(B)/fuzz/lf,testsuite,FUZZ_CLANG,FUZZ_TS_CFLAGS_lf,testsuite/fuzz/coverage-ignore.txt))
$(eval $(call fuzz_core_sections,$(B)/fuzz/lf/core-sections.o,$(CORE_OBJS_fuzz-lf)))
FUZZ_LF_OBJS := $(B)/fuzz/lf/core-sections.o $(patsubst %.c,$(B)/fuzz/lf/%.o,$(FUZZ_SRCS))
$(B)/fuzz/pvx-fuzz: $(FUZZ_LF_OBJS)
	$(call show,LD,$@)
	$(Q)$(FUZZ_CLANG) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^

# The replayer, with the sanitizers but without libFuzzer's runtime.
CORE_CFLAGS_fuzz-rp = $(WARN) -O1 -g -ffreestanding $(FUZZ_SAN) $(FUZZ_INC)
FUZZ_TS_CFLAGS_rp   = $(WARN) -O1 -g $(FUZZ_SAN) $(FUZZ_INC)
$(eval $(call core_variant,fuzz-rp,$(B)/fuzz/rp,CC,CORE_CFLAGS_fuzz-rp,$(CORE_LIBHOST)))
$(eval $(call compile,fuzz-rp,$(B)/fuzz/rp,testsuite,CC,FUZZ_TS_CFLAGS_rp))
$(eval $(call fuzz_core_sections,$(B)/fuzz/rp/core-sections.o,$(CORE_OBJS_fuzz-rp)))
FUZZ_RP_OBJS := $(B)/fuzz/rp/core-sections.o $(patsubst %.c,$(B)/fuzz/rp/%.o,$(FUZZ_SRCS) testsuite/fuzz/replay.c)
$(B)/fuzz/fuzz-replay: $(FUZZ_RP_OBJS)
	$(call show,LD,$@)
	$(Q)$(CC) $(FUZZ_SAN) -o $@ $^

# The replayer with coverage counters in the core (its own objects: the
# counters of make coverage stay apart).
CORE_CFLAGS_fuzz-cv = $(WARN) -O0 -g -ffreestanding --coverage $(FUZZ_INC)
FUZZ_TS_CFLAGS_cv   = $(WARN) -O1 -g $(FUZZ_INC)
$(eval $(call core_variant,fuzz-cv,$(B)/fuzz/cv,CC,CORE_CFLAGS_fuzz-cv,$(CORE_LIBHOST)))
$(eval $(call compile,fuzz-cv,$(B)/fuzz/cv,testsuite,CC,FUZZ_TS_CFLAGS_cv))
FUZZ_CV_OBJS := $(CORE_OBJS_fuzz-cv) $(patsubst %.c,$(B)/fuzz/cv/%.o,$(FUZZ_SRCS) testsuite/fuzz/replay.c)
$(B)/fuzz/fuzz-cov: $(FUZZ_CV_OBJS)
	$(call show,LD,$@)
	$(Q)$(CC) --coverage -o $@ $^

-include $(CORE_OBJS_fuzz-lf:.o=.d) $(CORE_OBJS_fuzz-rp:.o=.d) $(FUZZ_LF_OBJS:.o=.d) $(FUZZ_RP_OBJS:.o=.d) \
         $(FUZZ_CV_OBJS:.o=.d)

ALL_TARGETS += $(B)/fuzz/fuzz-replay

# Seeds (hex text, committed) become libFuzzer's binary inputs here.
$(B)/fuzz/seeds.stamp: $(FUZZ_SEEDS) testsuite/fuzz/hexin.py
	@rm -rf $(B)/fuzz/seeds
	python3 testsuite/fuzz/hexin.py tobin $(B)/fuzz/seeds $(FUZZ_SEEDS) $(FUZZ_REGRESS)
	@touch $@

# Deterministic mutations (-seed=$(FUZZ_SEED): a campaign over many machines
# gives each its own, docs/testing.md); the run is bounded by time, so its
# length still depends on the host's speed. -use_value_profile helps the
# mutator through the comparisons the hypercall checks are made of.
# With FUZZ_JOBS > 1 the run forks and goes on past a crash (-ignore_crashes),
# so that one known crash never hides the next; either way the target fails
# when the run added a file to $(B)/fuzz/crashes/.
fuzz: $(B)/fuzz/pvx-fuzz $(B)/fuzz/seeds.stamp
	@mkdir -p $(B)/fuzz/corpus $(B)/fuzz/crashes
	@before=$$(ls $(B)/fuzz/crashes | wc -l); rm -f $(B)/fuzz/handlers.log; \
	FUZZ_HANDLER_LOG=$(CURDIR)/$(B)/fuzz/handlers.log \
	$(B)/fuzz/pvx-fuzz -seed=$(FUZZ_SEED) -max_total_time=$(FUZZ_SECONDS) -max_len=1024 -use_value_profile=1 \
	    $(if $(filter-out 1,$(FUZZ_JOBS)),-fork=$(FUZZ_JOBS) -ignore_crashes=1) -print_final_stats=1 \
	    -artifact_prefix=$(B)/fuzz/crashes/ $(B)/fuzz/corpus $(B)/fuzz/seeds; rc=$$?; \
	awk '{ c += $$1; r += $$2; n++ } END { printf "fuzz: %d hypercall handlers run in all (%d processes), %d failed calls checked\n", c, n, r }' \
	    $(B)/fuzz/handlers.log; \
	after=$$(ls $(B)/fuzz/crashes | wc -l); \
	if [ $$after -gt $$before ]; then \
	    echo "fuzz: $$((after - before)) new input(s) in $(B)/fuzz/crashes/: fuzz-replay -v FILE shows each"; \
	    exit 1; fi; \
	exit $$rc

fuzz-replay: $(B)/fuzz/fuzz-replay
	ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1:exitcode=99 \
	    $(B)/fuzz/fuzz-replay testsuite/fuzz/corpus testsuite/fuzz/regress

# Counters from an earlier run would add up: start from zero each time.
fuzz-coverage: $(B)/fuzz/fuzz-cov $(B)/fuzz/seeds.stamp
	@find $(B)/fuzz/cv -name '*.gcda' -delete
	@mkdir -p $(B)/fuzz/corpus $(B)/fuzz/coverage
	$(B)/fuzz/fuzz-cov $(B)/fuzz/seeds $(B)/fuzz/corpus
	gcovr --config coverage/gcovr.cfg --html-details $(B)/fuzz/coverage/index.html \
	      --json-summary-pretty --json-summary $(B)/fuzz/coverage/summary.json $(B)/fuzz/cv
	@python3 coverage/report.py $(B)/fuzz/coverage/summary.json 0 0

# make clean removes build/fuzz with the rest of build/ (the grown corpus and
# the crashes too: copy a crash to testsuite/fuzz/regress/ first). This
# removes only what a rebuild makes again.
clean-fuzz:
	rm -rf $(B)/fuzz/lf $(B)/fuzz/rp $(B)/fuzz/cv $(B)/fuzz/pvx-fuzz $(B)/fuzz/fuzz-replay \
	       $(B)/fuzz/fuzz-cov $(B)/fuzz/seeds $(B)/fuzz/seeds.stamp $(B)/fuzz/coverage

.PHONY: fuzz fuzz-replay fuzz-coverage clean-fuzz
