# SPDX-License-Identifier: GPL-2.0-only
# sim/: pvx-sim, the core on Unicorn in a host process.
#
# Unicorn 2.1.4 comes from PyPI's wheel (scripts/install-deps.sh) and is linked
# statically (libunicorn.a needs only -lpthread -lm): no rpath, and the binary
# runs wherever it is copied. Capstone is Debian's.

SIM_SRCS    := $(sort $(wildcard sim/*.c))
SIM_OBJS    := $(patsubst %.c,$(B)/sim/%.o,$(SIM_SRCS))
SIM_CFLAGS  := $(WARN) -O2 -g $(CORE_INC) -I$(DEPS)/unicorn/include
SIM_LIBS    := $(DEPS)/unicorn/lib/libunicorn.a -lcapstone -lpthread -lm

$(B)/sim/sim/%.o: sim/%.c | $(STAMP)
	@mkdir -p $(@D)
	$(CC) $(SIM_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(B)/pvx-sim: $(SIM_OBJS) $(CORE_OBJSHOST) | $(STAMP)
	$(CC) -O2 -g -o $@ $(SIM_OBJS) $(CORE_OBJSHOST) $(SIM_LIBS)

ALL_TARGETS += $(B)/pvx-sim

# Interactive: stops in core_start of the default scenario.
gdb-sim: $(B)/pvx-sim $(DEFAULT_SCENARIO)
	gdb -q -ex 'break core_start' -ex run --args $(B)/pvx-sim $(DEFAULT_SCENARIO)

-include $(SIM_OBJS:.o=.d)
