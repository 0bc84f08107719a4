# SPDX-License-Identifier: GPL-2.0-only
# coverage/: two instrumented variants of the host build.
#
#   $(B)/cov/  the core with --coverage (-O0), linked into unit tests and pvx-sim
#              alike, so both runs add to one set of counters
#   $(B)/san/  the core, the simulator and the unit tests with
#              -fsanitize=address,undefined: any report fails the run
#
# make coverage   unit tests + every PV scenario in the simulator, then gcovr:
#                 build/coverage/ (HTML details, Cobertura XML, JSON summary)
#                 and line/branch/function figures for core/. Fails below the
#                 gates COV_LINE / COV_BRANCH (percent).
# make sanitize   unit tests and scenarios under ASan + UBSan; a report makes
#                 the program exit 99, which no scenario expects.

COV_LINE   ?= 85
COV_BRANCH ?= 70

CORE_CFLAGS_cov = $(WARN) -O0 -g -ffreestanding --coverage $(CORE_INC)
$(eval $(call core_variant,cov,$(B)/cov,CC,CORE_CFLAGS_cov,$(CORE_LIBHOST)))
COV_UNIT_OBJS := $(patsubst %.c,$(B)/cov/%.o,$(UNIT_SRCS)) $(B)/cov/core-string.o
COV_SIM_OBJS  := $(patsubst %.c,$(B)/cov/%.o,$(SIM_SRCS))
$(eval $(call compile,cov,$(B)/cov,testsuite/unit,CC,UNIT_CFLAGS))
$(eval $(call compile,cov,$(B)/cov,testsuite/lib,CC,UNIT_CFLAGS))
$(eval $(call compile,cov,$(B)/cov,guests/lib/net,CC,UNIT_CFLAGS))
$(eval $(call unit_string,cov,$(B)/cov,UNIT_CFLAGS))
$(eval $(call compile,cov,$(B)/cov,sim,CC,SIM_CFLAGS,$(UNICORN_LIB)))

$(B)/cov/unit-tests: $(COV_UNIT_OBJS) $(CORE_OBJS_cov)
	$(call show,LD,$@)
	$(Q)$(CC) --coverage -o $@ $^ -lcunit
$(B)/cov/pvx-sim: $(COV_SIM_OBJS) $(CORE_OBJS_cov) $(UNICORN_LIB)
	$(call show,LD,$@)
	$(Q)$(CC) --coverage -o $@ $(COV_SIM_OBJS) $(CORE_OBJS_cov) $(SIM_LIBS)

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CORE_CFLAGS_san = $(WARN) -O1 -g -ffreestanding $(SAN_FLAGS) $(CORE_INC)
SAN_UNIT_CFLAGS = $(UNIT_CFLAGS) $(SAN_FLAGS)
SAN_SIM_CFLAGS  = $(SIM_CFLAGS) $(SAN_FLAGS)
$(eval $(call core_variant,san,$(B)/san,CC,CORE_CFLAGS_san,$(CORE_LIBHOST)))
SAN_UNIT_OBJS := $(patsubst %.c,$(B)/san/%.o,$(UNIT_SRCS)) $(B)/san/core-string.o
SAN_SIM_OBJS  := $(patsubst %.c,$(B)/san/%.o,$(SIM_SRCS))
$(eval $(call compile,san,$(B)/san,testsuite/unit,CC,SAN_UNIT_CFLAGS))
$(eval $(call compile,san,$(B)/san,testsuite/lib,CC,SAN_UNIT_CFLAGS))
$(eval $(call compile,san,$(B)/san,guests/lib/net,CC,SAN_UNIT_CFLAGS))
$(eval $(call unit_string,san,$(B)/san,SAN_UNIT_CFLAGS))
$(eval $(call compile,san,$(B)/san,sim,CC,SAN_SIM_CFLAGS,$(UNICORN_LIB)))

$(B)/san/unit-tests: $(SAN_UNIT_OBJS) $(CORE_OBJS_san)
	$(call show,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $^ -lcunit
$(B)/san/pvx-sim: $(SAN_SIM_OBJS) $(CORE_OBJS_san) $(UNICORN_LIB)
	$(call show,LD,$@)
	$(Q)$(CC) $(SAN_FLAGS) -o $@ $(SAN_SIM_OBJS) $(CORE_OBJS_san) $(SIM_LIBS)

-include $(COV_UNIT_OBJS:.o=.d) $(COV_SIM_OBJS:.o=.d)
-include $(SAN_UNIT_OBJS:.o=.d) $(SAN_SIM_OBJS:.o=.d)

# Counters from an earlier run would add up: start from zero each time.
coverage: $(B)/cov/unit-tests $(B)/cov/pvx-sim $(GUEST_ELFS)
	@find $(B)/cov -name '*.gcda' -delete
	$(B)/cov/unit-tests > $(B)/cov/unit.log 2>&1 || { cat $(B)/cov/unit.log; exit 1; }
	python3 testsuite/run-scenarios.py --sim-only --sim $(B)/cov/pvx-sim
	@mkdir -p $(B)/coverage
	gcovr --config coverage/gcovr.cfg --html-details $(B)/coverage/index.html \
	      --xml $(B)/coverage/coverage.xml --json-summary-pretty --json-summary $(B)/coverage/summary.json \
	      --txt $(B)/coverage/summary.txt $(B)/cov
	@python3 coverage/report.py $(B)/coverage/summary.json $(COV_LINE) $(COV_BRANCH)

sanitize: $(B)/san/unit-tests $(B)/san/pvx-sim $(GUEST_ELFS)
	ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1:exitcode=99 $(B)/san/unit-tests > $(B)/san/unit.log 2>&1 \
	    || { cat $(B)/san/unit.log; exit 1; }
	@grep -E "Run Summary|tests " $(B)/san/unit.log
	ASAN_OPTIONS=detect_leaks=0:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1:exitcode=99 \
	    python3 testsuite/run-scenarios.py --sim-only --sim $(B)/san/pvx-sim

.PHONY: coverage sanitize
