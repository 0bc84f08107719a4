# SPDX-License-Identifier: GPL-2.0-only
# sim/: pvx-sim, the core on Unicorn in a host process; build/dbg/pvx-sim is
# the same at -O0 for the debugger.
#
# Unicorn comes from PyPI's wheel (its version is in scripts/install-deps.sh)
# and is linked statically (libunicorn.a needs only -lpthread -lm): no rpath,
# and the binary runs wherever it is copied. Capstone is Debian's.

SIM_SRCS     := $(sort $(wildcard sim/*.c))
SIM_CFLAGS    = $(WARN) -O2 -g $(CORE_INC) -I$(DEPS)/unicorn/include
SIM_CFLAGS_dbg = $(WARN) -O0 -g3 $(CORE_INC) -I$(DEPS)/unicorn/include
SIM_LIBS     := $(UNICORN_LIB) -lcapstone -lslirp -lpthread -lm

SIM_OBJS     := $(patsubst %.c,$(B)/sim/%.o,$(SIM_SRCS))
SIM_OBJS_dbg := $(patsubst %.c,$(B)/dbg/host/%.o,$(SIM_SRCS))
$(eval $(call compile,sim,$(B)/sim,sim,CC,SIM_CFLAGS,$(UNICORN_LIB),check-walls))
$(eval $(call compile,dbg,$(B)/dbg/host,sim,CC,SIM_CFLAGS_dbg,$(UNICORN_LIB),check-walls))

$(B)/pvx-sim: $(SIM_OBJS) $(CORE_OBJS_host) $(UNICORN_LIB)
	$(call show,LD,$@)
	$(Q)python3 scripts/check-walls.py --link $(SIM_OBJS) -- $(CORE_OBJS_host)
	$(Q)$(CC) -O2 -g -o $@ $(SIM_OBJS) $(CORE_OBJS_host) $(SIM_LIBS)

$(B)/dbg/pvx-sim: $(SIM_OBJS_dbg) $(CORE_OBJS_dbg) $(UNICORN_LIB)
	$(call show,LD,$@)
	$(Q)python3 scripts/check-walls.py --link $(SIM_OBJS_dbg) -- $(CORE_OBJS_dbg)
	$(Q)$(CC) -g -o $@ $(SIM_OBJS_dbg) $(CORE_OBJS_dbg) $(SIM_LIBS)

ALL_TARGETS += $(B)/pvx-sim

# Interactive: the -O0 simulator on GUEST (default: the default scenario),
# stopped in core_start, with the pvx gdb commands auto-loaded
# ($(B)/dbg/pvx-sim-gdb.py, scripts/gdb/pvx_gdb.py).
GUEST ?= $(DEFAULT_SCENARIO)
gdb-sim: $(B)/dbg/pvx-sim $(GUEST_ELFS) gdb-scripts
	gdb -q -iex 'add-auto-load-safe-path $(CURDIR)/$(B)' \
	    -ex 'break core_start' -ex run --args $(B)/dbg/pvx-sim $(GUEST)

-include $(SIM_OBJS:.o=.d) $(SIM_OBJS_dbg:.o=.d)

.PHONY: gdb-sim
