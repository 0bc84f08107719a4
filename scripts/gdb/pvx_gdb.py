# SPDX-License-Identifier: GPL-2.0-only
"""gdb commands for pvx, in the manner of Linux's scripts/gdb (lx-ps & co.).

  pvx-domains          the domains: id, name, state, memory, the running one
  pvx-frame MFN        one machine frame: owner, type, counts, flags
  pvx-guest-regs [D]   the guest registers the hypervisor holds for domain D's
                       vCPU (default: the vCPU whose entry is being handled)
  pvx-pt VA [D]        walk VA through domain D's page tables (default: the
                       current vCPU's), each level's entry and its frame

They work on both machines: build/dbg/pvx-sim (or build/pvx-sim) run by gdb,
and build/dbg/pvx.elf (or build/pvx.elf) on QEMU's gdbstub. They only read
memory: nothing here calls a function in the program (gdb cannot, on some
machines, and a call would change the state being looked at).

Loaded by the NAME-gdb.py files make writes beside each binary, once gdb may
auto-load from build/ (docs/debugging.md), or by hand: source scripts/gdb/pvx_gdb.py
"""

import gdb

# Every core symbol the commands read, looked up here and nowhere else: when
# the core's state moves (into a machine struct, say), change this table.
CORE_SYMBOLS = {
    "domains": "machine.domains",   # struct domain [MAX_DOMAINS], core/domain/domain.c
    "current": "machine.current",   # struct vcpu *, the vCPU being handled
    "frame_table": "machine.frame.table",   # struct frame *, one per machine frame (core/mm/frame.c)
    "max_mfn": "machine.frame.max_mfn",     # frames in the frame table
}
# The machines' own: how a machine address becomes an address gdb can read.
SIM_RAM = "sim_ram"                 # sim/mem.c: machine memory, one host buffer at 0
X86_DIRECTMAP_VIRT = 0xF8000000     # arch-x86/x86.h: machine memory mapped from here
X86_DIRECTMAP_SIZE = 0x08000000

# Mirrors of core constants gdb cannot read from the binary (macros).
FRAME_FLAGS = ((0x01, "pinned"), (0x02, "validated"), (0x04, "xen-l2"),
               (0x08, "allocated"), (0x10, "audit-seen"), (0x20, "xen-shared"))   # FRAME_F_*, core/include/pvx/frame.h
OWNERS = {0x7ff0: "free", 0x7ff1: "io", 0x7ff2: "xen"}      # DOMID_*, same file
PTE_ADDR_MASK = 0x000ffffffffff000
PTE_FLAGS = ((0x001, "P"), (0x002, "RW"), (0x004, "US"), (0x008, "PWT"), (0x010, "PCD"),
             (0x020, "A"), (0x040, "D"), (0x080, "PS"), (0x100, "G"))


def core(name):
    """A core global by its role in CORE_SYMBOLS: the first word a symbol, the
    rest fields walked here (an -g3 build knows the core's macros, and
    `current` is one: gdb would expand it inside an expression)."""
    try:
        words = CORE_SYMBOLS[name].split(".")
        val = gdb.parse_and_eval(CORE_SYMBOLS[name].split(".")[0])
        for field in words[1:]:
            val = val[field]
        return val
    except gdb.error as e:
        raise gdb.GdbError("pvx: cannot read %s (%s): is this a pvx binary with symbols?"
                           % (CORE_SYMBOLS[name], e))


def machine():
    """('sim', base) or ('x86', base): where machine address 0 is for gdb."""
    try:
        return "sim", int(gdb.parse_and_eval(SIM_RAM))
    except gdb.error:
        return "x86", X86_DIRECTMAP_VIRT


def read_machine(pa, size):
    kind, base = machine()
    if kind == "x86" and pa + size > X86_DIRECTMAP_SIZE:
        raise gdb.GdbError("pvx: machine address %#x is beyond the 128 MiB direct map" % pa)
    if base == 0:
        raise gdb.GdbError("pvx: the simulator has no machine memory yet (before mem_init)")
    return bytes(gdb.selected_inferior().read_memory(base + pa, size))


def read_u64(pa):
    return int.from_bytes(read_machine(pa, 8), "little")


def enum_name(value):
    s = str(value)
    return s.split("_", 1)[1].lower() if "_" in s else s


def domain_list():
    doms = core("domains")
    lo, hi = doms.type.range()
    for i in range(lo, hi + 1):
        d = doms[i]
        if enum_name(d["state"]) != "free":
            yield d


def find_domain(domid):
    for d in domain_list():
        if int(d["domain_id"]) == domid:
            return d
    raise gdb.GdbError("pvx: no domain %d" % domid)


def current_vcpu():
    v = core("current")
    if int(v) == 0:
        raise gdb.GdbError("pvx: no current vCPU (not inside a guest's entry)")
    return v.dereference()


def frame_entry(mfn):
    if mfn >= int(core("max_mfn")):
        return None
    return core("frame_table")[mfn]


def describe_frame(f):
    owner = int(f["owner"])
    flags = int(f["flags"])
    names = [n for bit, n in FRAME_FLAGS if flags & bit]
    return "owner %s, type %s, type_count %d, ref_count %d, flags %#x%s" % (
        OWNERS.get(owner, "d%d" % owner), enum_name(f["type"].cast(gdb.lookup_type("enum frame_type"))),
        int(f["type_count"]), int(f["ref_count"]), flags, " (%s)" % ", ".join(names) if names else "")


def parse_int(arg, what):
    try:
        return int(gdb.parse_and_eval(arg))
    except gdb.error as e:
        raise gdb.GdbError("pvx: %s: %s" % (what, e))


class PvxDomains(gdb.Command):
    """pvx-domains: the domains, their state and memory; * marks the current one."""

    def __init__(self):
        super().__init__("pvx-domains", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        cur = core("current")
        cur_dom = int(cur.dereference()["domain"]["domain_id"]) if int(cur) else None
        gdb.write("%-3s %-5s %-20s %-9s %-5s %9s %9s  %s\n"
                  % ("", "id", "name", "state", "priv", "pages", "max", "cr3"))
        for d in domain_list():
            domid = int(d["domain_id"])
            gdb.write("%-3s %-5d %-20s %-9s %-5s %9d %9d  %#x\n" % (
                "*" if domid == cur_dom else "", domid, d["name"].string(), enum_name(d["state"]),
                "yes" if bool(d["is_privileged"]) else "no", int(d["tot_pages"]),
                int(d["max_pages"]), int(d["vcpu"][0]["cr3"])))


class PvxFrame(gdb.Command):
    """pvx-frame MFN: a machine frame's owner, type, counts and flags."""

    def __init__(self):
        super().__init__("pvx-frame", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if not arg:
            raise gdb.GdbError("usage: pvx-frame MFN")
        mfn = parse_int(arg, "MFN")
        f = frame_entry(mfn)
        if f is None:
            raise gdb.GdbError("pvx: mfn %#x is beyond the frame table (%#x frames)"
                               % (mfn, int(core("max_mfn"))))
        gdb.write("mfn %#x: %s\n" % (mfn, describe_frame(f)))


class PvxGuestRegs(gdb.Command):
    """pvx-guest-regs [DOMID]: the guest registers the hypervisor holds.

Without DOMID, the vCPU whose hypercall or trap is being handled. A field an
entry did not read from the CPU (the simulator's lazy hypercall entry, see
core_hypercall_lazy) is shown as "(in the CPU)"; pvx-sim reads every field
when a debugger runs it (--full-frames), so under gdb there are none."""

    ORDER = ("eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "esp", "eip", "eflags",
             "cs", "ss", "ds", "es", "fs", "gs", "entry_vector", "error_code")

    def __init__(self):
        super().__init__("pvx-guest-regs", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        if arg:
            v = find_domain(parse_int(arg, "DOMID"))["vcpu"][0]
        else:
            v = current_vcpu()
        regs = v["regs"]
        missing = int(v["regs_missing"])
        bit = {f.name: f.bitpos // 32 for f in regs.type.strip_typedefs().fields()}
        gdb.write("domain %d vcpu %d%s\n" % (int(v["domain"]["domain_id"]), int(v["id"]),
                                             "" if not missing else ", fields still in the CPU: %#x" % missing))
        cells = []
        for name in self.ORDER:
            val = "(in the CPU)" if missing & (1 << bit[name]) else "%08x" % int(regs[name])
            cells.append("%-12s %-12s" % (name, val))
        for i in range(0, len(cells), 4):
            gdb.write("   ".join(cells[i:i + 4]).rstrip() + "\n")


class PvxPt(gdb.Command):
    """pvx-pt VA [DOMID]: walk a guest virtual address through the page tables.

The current vCPU's tables, or domain DOMID's vCPU 0's: the L3 (PAE PDPT) at
cr3, then L2 and L1; each entry with its flags and the frame it names."""

    def __init__(self):
        super().__init__("pvx-pt", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        argv = gdb.string_to_argv(arg)
        if not argv or len(argv) > 2:
            raise gdb.GdbError("usage: pvx-pt VA [DOMID]")
        va = parse_int(argv[0], "VA") & 0xffffffff
        v = find_domain(parse_int(argv[1], "DOMID"))["vcpu"][0] if len(argv) == 2 else current_vcpu()
        table = int(v["cr3"])
        gdb.write("va %#010x in domain %d, cr3 %#x (%s machine)\n"
                  % (va, int(v["domain"]["domain_id"]), table, machine()[0]))
        levels = (("L3", (va >> 30) & 3), ("L2", (va >> 21) & 511), ("L1", (va >> 12) & 511))
        base = table & ~0x1f                # a PAE L3 is 32-byte aligned
        for name, slot in levels:
            e = read_u64(base + 8 * slot)
            flags = [n for b, n in PTE_FLAGS if e & b] + (["NX"] if e >> 63 else [])
            mfn = (e & PTE_ADDR_MASK) >> 12
            f = frame_entry(mfn) if e & 1 else None
            gdb.write("  %s[%3d] = %#018x  %-16s -> mfn %#x%s\n" % (
                name, slot, e, "|".join(flags) or "-", mfn,
                ": " + describe_frame(f) if f is not None else ""))
            if not e & 1:
                gdb.write("  not present: the walk stops at %s\n" % name)
                return
            if name == "L2" and e & 0x80:
                gdb.write("  a 2 MiB page: machine address %#x\n" % ((e & PTE_ADDR_MASK & ~0x1fffff) | (va & 0x1fffff)))
                return
            base = e & PTE_ADDR_MASK
        gdb.write("  machine address %#x\n" % (base | (va & 0xfff)))


PvxDomains()
PvxFrame()
PvxGuestRegs()
PvxPt()
