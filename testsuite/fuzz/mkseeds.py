#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Write the fuzzer's seed corpus, testsuite/fuzz/corpus/*.hex, from readable
op lists. Each encoder below mirrors one generator of harness.c byte for byte
(see the input format at the top of harness.c); `fuzz-replay -v FILE` shows
what a seed does. Run it after changing the format:

  python3 testsuite/fuzz/mkseeds.py [OUTDIR]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def u8(x): return [x & 0xff]
def u16(x): return [x & 0xff, (x >> 8) & 0xff]
def u32(x): return u16(x) + u16(x >> 16)


# gen_mfn kinds
def own(pfn): return [0] + u16(pfn)             # the domain's pfn (0-319; 256+ unmapped)
def spare(i): return [3] + u8(i)                # pfn 256 + i
def cr3(): return [4]
def l2(slot): return [5] + u8(slot)             # the L2 under L3 slot (3: the hypervisor's)
def pt(i): return [6] + u8(i)                   # page-table area: 0 L3, 1 L2, 2 the L1, 3-5 L2s
def shinfo(): return [7]
def other(pfn): return [8] + u16(pfn)           # the other domain's pfn
def hyp(w): return [10] + u8(w)                 # 0 M2P's L1, 1 an M2P frame, 2 the frame table
def io(x): return [12, x, 0]                    # below 1 MiB: not RAM
def raw_mfn(x): return [15] + u32(x)


# gen_va kinds
def scratch(off): return [0] + u16(off)         # 0x380000 + off
def mapped(page): return [3] + u8(page)         # 0x300000 + page * 4 KiB
def pt_va(i): return [4] + u8(i)
def unmapped(page): return [7] + u16(page)      # v_end + page * 4 KiB
def hyp_va(i): return [8] + u8(i)               # 0 HYPERVISOR_VIRT_START, 5 0xfffff000, ...
def raw_va(x): return [11] + u32(x)


DOMIDS = ["SELF", "SELF", 0, 1, 2, "IO", "XEN", "COW", "INVALID", "IDLE", 1023, 1024, 0xffff]
COUNTS = [0, 1, 2, 7, 8, 63, 64, 65, 255, 256, 257, 511, 512, 1023, 1024, 1025, 2048, 4096,
          0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0x10000000]
FLAGS = [0x061, 0x063, 0x067, 0x065, 0x021, 0x023, 0x001, 0x003, 0x000, 0x027,
         0x083, 0x081, 0x163, 0x06b, 0x073, 0x07b, 0x263, 0xe63, 0x0e3, 0x002]


def domid(d): return [DOMIDS.index(d)]
def count(c): return [COUNTS.index(c)]
def word(x): return [2] + u32(x)                # gen_word, raw


def pte(flags, mfn, high=None):
    """gen_pte: flags from the table, an mfn, high bits none / 'nx' / ('bit', n)."""
    hi = [3] if high is None else [0] if high == "nx" else [1, high[1] - 36]
    return [FLAGS.index(flags)] + mfn + hi


def pte_ptr(mfn, slot, cmd=0):
    """gen_pte_ptr: the entry `slot` of table `mfn`, mmu_update command cmd (0-3)."""
    return mfn + [3 | cmd << 3] + u16(slot)


BUF = [0]                                       # gen_ptr: the buffer just written


def op_hcall(nr, args): return [0, nr] + args


def mmu_update(reqs, pdone=True):
    body = [len(reqs)]
    for ptr, val in reqs:
        body += ptr + val
    return op_hcall(1, body + BUF + [2, 1 if pdone else 0, 2])


def mmu_update_args(reqs):                      # inside a multicall: the same bytes
    return mmu_update(reqs)[2:]


def mmuext(ops, mask=1):
    body = [len(ops), mask]
    for o in ops:
        body += o
    return op_hcall(26, body + BUF + [1, 1, 1])


def pin(level, mfn): return [level - 1] + mfn + [0]
def unpin(mfn): return [4] + mfn + [0]
def new_baseptr(mfn): return [5] + mfn + [0]
def tlb_flush_local(): return [6] + cr3() + [0]
def invlpg_local(va): return [7] + va + [0]
def tlb_flush_multi(): return [8] + cr3() + BUF
def flush_cache(): return [12] + cr3() + [0]
def set_ldt(va, n): return [13] + va + count(n)
def clear_page(mfn): return [16] + mfn + [0]
def copy_page(dst, src): return [17] + dst + src


def uvm_args(va, val, flags=2): return va + val + [flags]
def uvm(va, val, flags=2): return op_hcall(14, uvm_args(va, val, flags))


def reservation(cmd, extents, dom="SELF", n=None):
    body = [cmd, len(extents)]
    for e in extents:
        body += [1] + e                         # gen_mfn (not a raw u16)
    body += [1] + BUF                           # extent_start: the list
    body += [1] if n is None else [0] + count(n)
    body += [1, 1]                              # order 0, no flags
    body += [1] if dom == "SELF" else [0] + domid(dom)
    return op_hcall(12, body + BUF)


def memory_stat(cmd, dom="SELF"): return op_hcall(12, [cmd, 0] + domid(dom) + BUF)
def memory_map(n): return op_hcall(12, [9, 0, n] + BUF + BUF)
def memory_op_bare(cmd): return op_hcall(12, [cmd, 0, 1] + BUF + [1, 1, 1, 1] + BUF)


def console_write_args(n): return [1, 0, 1, n] + BUF
def console_write(n): return op_hcall(18, console_write_args(n))
def console_write_count(c): return op_hcall(18, [1, 0, 0] + count(c) + BUF)
def console_read(): return op_hcall(18, [1, 1, 1, 16] + BUF)
def xen_version(cmd, submap=0): return op_hcall(17, [submap, cmd] + BUF)


def sched(cmd, reason=0):
    if cmd in (2, 5):
        return op_hcall(29, [cmd, 1, reason, 0] + BUF)
    return op_hcall(29, [cmd, 0, 1, 0, 0] + BUF)   # yield, block, poll: no ports


def remote_shutdown(dom, reason): return op_hcall(29, [4] + domid(dom) + [reason, 0] + BUF)
def yield_(): return sched(0)
def poweroff(): return sched(2, 0)


def generic_args(words, cmd, a2=0, a3=0, a4=0):
    """gen_generic: a buffer of words, (cmd, the buffer, a2, a3, a4)."""
    body = [len(words)]
    for w in words:
        body += word(w)
    return body + [1, cmd] + [1] + BUF + word(a2) + word(a3) + word(a4)

# gen_vcpu_op: cmd index (0 initialise, 1 up, 2 down, 3 is_up, 4 runstate,
# 5 set_singleshot, 6 stop_singleshot), the vCPU (0-2), the buffer.
def vcpu_op(cmd, vcpu, w0=0, w1=0):
    return op_hcall(24, [cmd, vcpu] + BUF + word(w0) + word(w1))


def vcpu_initialise(vcpu, eip, esp, eflags=0x202, cr3_mfn=None, fpu=True):
    """A context of the flat ring-1 segments on the caller's own page tables
    (or cr3_mfn's), FNINIT's control words."""
    f = (1 if fpu else 0) | (0x10 if cr3_mfn is not None else 0)
    body = [0, vcpu] + BUF + [f] + eip + esp + u32(eflags)
    if cr3_mfn is not None:
        body += cr3_mfn
    return op_hcall(24, body + u16(0x37f) + u32(0x1f80))


# gen_domctl, first byte % 3 == 0 (the toolstack's ops): cmd index (0 createdomain, 1 destroy, 2 pause, 3 unpause,
# 4 getdomaininfo, 5 max_mem, 6 setvcpucontext, 7 getvcpucontext, 8 max_vcpus,
# 9 bvt_set, 10 bvt_get, 11 pvx_getinfo, 12 pvx_build), the right version, a
# domain id, no union words, the op's own fields, the buffer.
def domctl(cmd, dom, fields=()):                # 0: gen_domctl's toolstack ops
    return op_hcall(36, [0, cmd, 1] + domid(dom) + [0] + list(fields) + BUF)
def createdomain(vcpus): return domctl(0, 0, [vcpus])
def max_mem_pages(dom, pages): return domctl(5, dom, [1, pages])     # pages * 4 KiB
def vcpucontext(cmd, dom, vcpu): return domctl(cmd, dom, [vcpu] + BUF)
def pvx_build(dom, length, port): return domctl(12, dom, BUF + [1] + u16(length) + [0, port, 0x61])


# gen_sysctl: cmd index (0 readconsole, 1 physinfo, 2 sched_id, 3 getdomaininfolist).
def readconsole(clear, incremental, index, n):
    return op_hcall(35, [0, 1, clear, incremental] + u32(index) + BUF + [1, n] + BUF)
def physinfo(): return op_hcall(35, [1, 1] + BUF)
def sched_id(): return op_hcall(35, [2, 1] + BUF)
def domaininfolist(first, n): return op_hcall(35, [3, 1] + domid(first) + [n] + BUF + BUF)
# gen_domctl, first byte % 3 == 1 (the VFR's ops): cmd index (0 vfr_add, 1 vfr_remove, 2 vfr_list, 3 vfr_vif,
# 4 bvt_get, 5 getinfo), the right interface version, DOMID_SELF.
def vfr_rule_op(cmd, dir, index, action=1, to_vif=0, proto=None, dport=None):
    f = (2 if proto is not None else 0) | (0x10 if dport is not None else 0)
    body = [1, cmd, 1, 1, dir, index, f, action, to_vif]   # 1: gen_domctl's VFR ops
    if proto is not None:
        body += u8(proto)
    if dport is not None:
        body += u16(dport[0]) + u16(dport[1])
    return op_hcall(36, body + BUF)


def vfr_vif_op(vif, set_ipv4=0, ipv4=0):
    return op_hcall(36, [1, 3, 1, 1, vif, set_ipv4] + u32(ipv4) + BUF)


# gen_physdev_op, first byte odd (the NIC path): cmd index (0 net_setup, 1 net_tx, 2 net_rx_post, 3 net_poll,
# 4 set_iopl), 64 bytes of frame and its flag byte (1: the NIC's MAC as the
# source), then the sub-op's words.
NIC_FRAME = [0xff] * 6 + [0] * 6 + [0x88, 0xb5] + [ord(c) for c in "pvx fuzz frame".ljust(50)]


def physdev_net(cmd, words):
    return op_hcall(33, [1, cmd] + NIC_FRAME + [1] + words + BUF)     # 1: the NIC path


def net_tx(lenidx=1, ident=5): return physdev_net(1, [1, 1, lenidx, ident])   # own scratch, offset 0x800
def net_rx_post(pfn, ident): return physdev_net(2, own(pfn) + [ident])


def multicall(entries):
    """entries: (nr, argument bytes as for that hypercall's generator)."""
    body = [len(entries)]
    for nr, args in entries:
        body += [nr] + args + [1]                # args[5] = 0
    return op_hcall(13, body + BUF + [1])


def store(va, words):
    body = [11, len(words)] + va
    for w in words:
        body += word(w)
    return body


def exception(vec, ec=0, cr2=0): return [12, vec] + u32(ec) + u32(cr2)
def time(us): return [13] + u16(us)
def regs(esp_va, ebp): return [14] + esp_va + word(ebp)
def destroy(): return [15]


# gen_physdev_op, first byte even (block devices): cmd index (0 vbd_info, 1 blkif_connect, 2 notify, 3
# disconnect), vdev kind (1: xvda), index, gen_mfn, the buffer; a notify then
# writes requests on the ring: each (op, nr_segments, sector, id, segments
# [(mfn bytes, first, last)]), and req_prod (None: after them; else raw).
def blk(cmd, mfn, reqs=(), req_prod=None, index=0):
    b = op_hcall(33, [0, cmd, 1, index] + mfn + BUF)                # 0: the block devices
    if cmd != 2:
        return b
    b += [len(reqs)]
    for op, sector, rid, segs in reqs:
        b += [op, len(segs), 1] + u16(sector) + u32(rid)
        for mfn_b, first, last in segs:
            b += [1] + mfn_b + [first, last]
    return b + ([1] if req_prod is None else [0] + u32(req_prod))   # read even with no ring


# gen_domctl, first byte % 3 == 2 (the VBD ops): cmd index (0-2 bvt_set, bvt_get, getinfo; 3-8 vbd_create,
# vbd_grow, vbd_destroy, vbd_list, disk_info, disk_stats), the domain, the VBD
# fields: vdev (raw u16), mode kind (0 R, 1 RW, 2 W alone), index, disk 0,
# start and nr in units of 8 sectors (< 256).
DOMCTL = {"bvt_set": 0, "bvt_get": 1, "getinfo": 2, "vbd_create": 3, "vbd_grow": 4,
          "vbd_destroy": 5, "vbd_list": 6, "disk_info": 7, "disk_stats": 8}
XVDA, XVDB = 202 << 8, (202 << 8) | 16


def vbd_domctl(cmd, dom, vdev=XVDB, mode=1, index=0, start8=0, nr8=0):   # 2: the VBD ops
    return op_hcall(36, [2, DOMCTL[cmd], 1] + domid(dom) + [0] + u16(vdev) + [mode, index, 0,
                                                                          1, start8, 1, nr8] + BUF)


def blk_vdev(cmd, vdev, mfn, reqs=(), req_prod=None):
    """blk() on any VBD: the vdev raw."""
    b = op_hcall(33, [0, cmd, 0] + u16(vdev) + [0] + mfn + BUF)     # 0: the block devices
    if cmd != 2:
        return b
    b += [len(reqs)]
    for op, sector, rid, segs in reqs:
        b += [op, len(segs), 1] + u16(sector) + u32(rid)
        for mfn_b, first, last in segs:
            b += [1] + mfn_b + [first, last]
    return b + ([1] if req_prod is None else [0] + u32(req_prod))


# gen_domctl, first byte 0xf0 (the VIF ops): cmd (0 create, 1 destroy, 2 list), the right
# version, a domain, handle, index, mac kind (1-3: 00:16:3e:00:00:kind; 0: six raw bytes),
# address kind (0 none, 1 10.0.2.15, 2 10.0.2.16), flags.
def vif_domctl(cmd, dom, handle=0, index=0, mac=1, ip=1, flags=0):
    m = [mac] if isinstance(mac, int) else [0] + list(mac)
    return op_hcall(36, [0xf0, cmd, 1] + domid(dom) + [handle, index] + m + [ip, flags] + BUF)


# gen_physdev_op, first byte 0xc0 (the VIFs): cmd (0 vif_info, 1 connect, 2 notify,
# 3 disconnect), handle 0, index, the two ring frames; a notify's transmits
# (gref, offset 0x800, a length index, id) and receive frames.
def vif_op(cmd, tx=None, rx=None, txs=(), rxs=(), req_prod=None, index=0):
    b = op_hcall(33, [0xc0, cmd, 1, index] + (tx or own(0)) + (rx or own(0)) + BUF)
    if cmd != 2:
        return b
    b += [len(txs)]
    for gref, lenidx, ident in txs:
        b += [1] + gref + [1, lenidx, ident]
    b += [len(rxs)]
    for gref in rxs:
        b += gref
    return b + ([1] if req_prod is None else [0] + u32(req_prod))


def header(one_domain=False, faults=()):
    """faults: (site index, kind 0 fail-nth / 3 probability, value)."""
    h = [1 if one_domain else 0, len(faults)]
    for site, kind, val in faults:
        h += [site, kind, val]
    if any(k == 3 for _, k, _ in faults):
        h += u32(12345)
    return h


SCRATCH_SLOT = 0x180            # l1_table_offset(0x380000): the scratch page's L1 entry

SEEDS = {
    "basics": ("console, xen_version, memory_op queries and sched_op from both domains", header(), [
        ("d0 console_io write 9 bytes", console_write(9)),
        ("d0 console_io read", console_read()),
        ("d0 xen_version version", xen_version(0)),
        ("d0 xen_version extraversion", xen_version(1)),
        ("d0 xen_version get_features", xen_version(6)),
        ("d0 xen_version commandline (privileged)", xen_version(9)),
        ("d0 memory_op current_reservation", memory_stat(3)),
        ("d0 memory_op maximum_reservation of d1", memory_stat(4, 1)),
        ("d0 memory_op maximum_ram_page", memory_op_bare(2)),
        ("d0 memory_op memory_map", memory_map(1)),
        ("d0 yields: d1 runs", yield_()),
        ("d1 console_io write", console_write(9)),
        ("d1 xen_version commandline: -EPERM", xen_version(9)),
        ("d1 memory_op current_reservation of d0: -EPERM", memory_stat(3, 0)),
        ("d1 yields back", yield_()),
        ("d0 powers off: the machine stops (0)", poweroff()),
    ]),
    "stale-tlb": ("frames unmapped without a flush while the TLB holds them, then freed and pinned: "
                  "the hypervisor must flush first (the fuzzer's TLB check)", header(), [
        ("d0 stores at 0x37f000: the TLB holds it", store(mapped(0x7f), [0x11111111])),
        ("d0 unmaps it without a flush (UVMF_NONE)", uvm(mapped(0x7f), pte(0x000, own(0x7f)), 0)),
        ("d0 gives the frame back", reservation(1, [own(0x7f)])),
        ("d0 stores at 0x37e000", store(mapped(0x7e), [0])),
        ("d0 unmaps it without a flush", uvm(mapped(0x7e), pte(0x000, own(0x7e)), 0)),
        ("d0 pins that frame as an L1", mmuext([pin(1, own(0x7e))])),
        ("d0 stores through the old address: a fault", store(mapped(0x7e), [7])),
    ]),
    "pin-map": ("pin a spare frame as L1, map it writable (refused) and read-only, unpin", header(), [
        ("pin spare 0 as L1", mmuext([pin(1, spare(0))])),
        ("map it writable at 0x380000: -EBUSY", uvm(scratch(0), pte(0x063, spare(0)))),
        ("map it read-only", uvm(scratch(0), pte(0x061, spare(0)))),
        ("unpin while mapped", mmuext([unpin(spare(0))])),
        ("restore the scratch page", uvm(scratch(0), pte(0x063, own(0x80)))),
        ("pin the running L3 again: -EINVAL", mmuext([pin(3, cr3())])),
        ("pin a frame mapped writable as L1: -EINVAL", mmuext([pin(1, own(0x90))])),
        ("map the hypervisor's M2P frame: -EBUSY", uvm(scratch(0), pte(0x061, hyp(1)))),
        ("map I/O memory: -EPERM", uvm(scratch(0), pte(0x061, io(0xb8)))),
        ("NX and a reserved address bit: -EINVAL",
         uvm(scratch(0), pte(0x061, own(0x80), ("bit", 40)))),
        ("a superpage-flagged L1 entry", uvm(scratch(0), pte(0x083, own(0x80)))),
    ]),
    "mmu-update": ("mmu_update batches on the L1, the L2s and the L3", header(), [
        ("remap scratch + slot 385 to a spare frame, set an M2P entry",
         mmu_update([(pte_ptr(pt(2), SCRATCH_SLOT), pte(0x063, own(0x80))),
                     (pte_ptr(pt(2), SCRATCH_SLOT + 1), pte(0x067, spare(1))),
                     (pte_ptr(own(0x81), 0, 1), u32(0x1234)),
                     (pte_ptr(pt(2), SCRATCH_SLOT + 2, 2), pte(0x061, spare(2)))])),
        ("write a hypervisor slot of the xen L2: -EPERM",
         mmu_update([(pte_ptr(l2(3), 428), pte(0x061, own(0)))])),
        ("L3 slot 3: -EINVAL", mmu_update([(pte_ptr(cr3(), 3), pte(0x001, spare(3)))])),
        ("an L2 entry naming the L3: -EINVAL",
         mmu_update([(pte_ptr(l2(0), 100), pte(0x067, cr3()))])),
        ("an L2 entry naming a spare frame (becomes an L1)",
         mmu_update([(pte_ptr(l2(1), 7), pte(0x067, spare(4)))])),
        ("a PTE in the other domain's L1: -EINVAL",
         mmu_update([(pte_ptr(other(2 + 7), 0), pte(0x061, own(0)))])),
        ("a plain write into an untyped frame",
         mmu_update([(pte_ptr(spare(5), 9), pte(0x063, raw_mfn(0xdead)))])),
    ]),
    "multicall": ("a multicall of update_va_mapping, mmu_update, console_io, a nested multicall, iret",
                  header(), [
        ("multicall", multicall([
            (14, uvm_args(scratch(0x1000), pte(0x061, spare(6)))),
            (1, mmu_update_args([(pte_ptr(pt(2), SCRATCH_SLOT + 1), pte(0x063, own(0x81)))])),
            (18, console_write_args(9)),
            (13, [1, 17, 0, 0] + BUF + [1] + BUF + [1]),   # nested: -EINVAL
            (23, generic_args([], 0)),                      # iret ends the batch
        ])),
        ("d0 flushes", mmuext([tlb_flush_local(), invlpg_local(scratch(0)), tlb_flush_multi(),
                               flush_cache(), set_ldt(scratch(0), 8)])),
    ]),
    "balloon": ("memory_op reservations from both domains, the privileged one on the other", header(), [
        ("d0 gives spares 7 and 8 back", reservation(1, [spare(7), spare(8)])),
        ("d0 takes one again", reservation(0, [spare(0)])),
        ("d0 populate_physmap 1", reservation(6, [spare(1)])),
        ("d0 takes d1's pfn 300 away (privileged)", reservation(1, [other(300)], dom=1)),
        ("d0 gives d1 one (privileged)", reservation(0, [spare(0)], dom=1)),
        ("d0 yields", yield_()),
        ("d1 gives spares 1 and 2 back", reservation(1, [spare(1), spare(2)])),
        ("d1 asks for 4096 extents", reservation(0, [spare(0)], n=4096)),
        ("d1 gives back a frame of d0: 0 done", reservation(1, [other(3)])),
        ("d1 gives back its own L1 (still in use)", reservation(1, [pt(2)])),
        ("d1 asks for d0's reservation: 0 done", reservation(0, [spare(0)], dom=0)),
        ("d1 powers off", poweroff()),
        ("d0 destroys d1: every frame comes back", destroy()),
        ("d0 takes d1's old frames", reservation(0, [spare(0)], n=64)),
    ]),
    "isolation": ("domain 1 reaches for domain 0's and the hypervisor's frames, dies alone, is destroyed",
                  header(), [
        ("d0 yields", yield_()),
        ("d1 maps a d0 frame: -EBUSY", uvm(scratch(0), pte(0x061, other(0x80)))),
        ("d1 writes a d0 L1 entry: -EINVAL",
         mmu_update([(pte_ptr(other(7 + 2), 0), pte(0x063, own(0)))])),
        ("d1 pins d0's L3", mmuext([pin(3, other(7))])),
        ("d1 copies a d0 frame", mmuext([copy_page(spare(0), other(0x80))])),
        ("d1 clears a d0 frame", mmuext([clear_page(other(0x80))])),
        ("d1 unpins d0's L3", mmuext([unpin(other(7))])),
        ("d1 makes d0's L3 its cr3", mmuext([new_baseptr(other(7))])),
        ("d1 maps the frame table", uvm(scratch(0), pte(0x061, hyp(2)))),
        ("d1 points a hypercall at the hypervisor area", op_hcall(18, [1, 0, 1, 16] + [0xf0] + hyp_va(0))),
        ("d1 stores into its page tables (refused by its own mappings)", store(pt_va(2), [0x63, 0])),
        ("d1 shuts d0 down remotely", remote_shutdown(0, 0)),
        ("d1 takes a page fault with no handler: d1 crashes", exception(14, 2, 0xdead000)),
        ("d0 destroys d1", destroy()),
        ("d0 still works", console_write(9)),
    ]),
    "address-spaces": ("a second address space: copy, pin and switch L3s; L2s under other slots", header(), [
        ("copy the L3 to spare 2", mmuext([copy_page(spare(2), cr3())])),
        ("pin it: its slot 3 names the xen L2 of another L3: -EINVAL", mmuext([pin(3, spare(2))])),
        ("reload cr3", mmuext([new_baseptr(cr3())])),
        ("clear spare 3, pin it as an L2", mmuext([clear_page(spare(3)), pin(2, spare(3))])),
        ("hook it under L3 slot 1", mmu_update([(pte_ptr(cr3(), 1), pte(0x001, spare(3)))])),
        ("an L1 under it (spare 4)", mmu_update([(pte_ptr(spare(3), 0), pte(0x067, spare(4)))])),
        ("map 0x40000000 to spare 5", uvm(raw_va(0x40000000), pte(0x063, spare(5)))),
        ("unhook and unpin", mmu_update([(pte_ptr(cr3(), 1), pte(0x000, own(0)))])),
        ("unpin spare 3", mmuext([unpin(spare(3))])),
        ("new_baseptr to a plain frame: -EINVAL", mmuext([new_baseptr(spare(6))])),
    ]),
    "faults": ("fault injection: the first frame allocation and the third guest copy fail",
               header(faults=[(0, 0, 0), (1, 0, 2)]), [
        ("d0 gives spare 7 back", reservation(1, [spare(7)])),
        ("d0 asks for one: the allocation fails", reservation(0, [spare(0)])),
        ("d0 console_io (guest copies)", console_write(9)),
        ("d0 xen_version extraversion", xen_version(1)),
        ("d0 asks again", reservation(0, [spare(0)])),
        ("pin spare 1 as L1", mmuext([pin(1, spare(1))])),
    ]),
    "probability": ("fault injection by probability on both copy and console sites",
                    header(faults=[(1, 3, 150), (2, 3, 30)]), [
        ("d0 console_io", console_write(9)),
        ("d0 console_io", console_write(9)),
        ("d0 mmu_update", mmu_update([(pte_ptr(pt(2), SCRATCH_SLOT), pte(0x063, own(0x80)))])),
        ("d0 yields", yield_()),
        ("d1 console_io", console_write(9)),
        ("d1 powers off", poweroff()),
        ("d0 console_io", console_write(9)),
    ]),
    "continuations": ("long calls: a console write across 128 KiB, batches with done counters",
                      header(), [
        ("console_io 0x80000000 bytes: continues until an unmapped page",
         console_write_count(0x80000000)),
        ("mmu_update with the preempted flag and a done counter",
         op_hcall(1, [1] + pte_ptr(pt(2), SCRATCH_SLOT) + pte(0x063, own(0x80)) + BUF + [1, 1, 2])),
        ("d0 block: nothing else wakes it", sched(1)),
    ]),
    "traps-and-time": ("exceptions, time and registers: dom0's page fault ends the machine (1)",
                       header(), [
        ("d0 esp at the hypervisor area", regs(hyp_va(0), 0x1234)),
        ("time passes", time(1000)),
        ("d0 yields", yield_()),
        ("d1 #BP", exception(3)),
        ("d0 #PF with no handler: the machine stops", exception(14, 0, 0x1000)),
    ]),
    "vcpus": ("dom0's second vCPU: initialised, up, run, asked about, down; refused contexts",
              header(), [
        ("d0 initialises vCPU 1 on its own page tables", vcpu_initialise(1, mapped(1), mapped(200))),
        ("d0 brings it up", vcpu_op(1, 1)),
        ("d0 asks: is it up", vcpu_op(3, 1)),
        ("d0 yields: another vCPU runs", yield_()),
        ("its runstate", vcpu_op(4, 1)),
        ("time passes", time(500)),
        ("initialised again: -EEXIST", vcpu_initialise(1, mapped(1), mapped(200))),
        ("a context on the L2 as page tables: -EEXIST first", vcpu_initialise(1, mapped(1), mapped(2),
                                                                       cr3_mfn=pt(1))),
        ("vCPU 1 down", vcpu_op(2, 1)),
        ("vCPU 2 does not exist", vcpu_op(3, 2)),
        ("yield", yield_()),
        ("vCPU 1 up again", vcpu_op(1, 1)),
        ("time passes", time(2000)),
        ("vCPU 1 down", vcpu_op(2, 1)),
    ]),
    "control": ("the control interface: dom0 creates, sizes, pauses, inspects and destroys a "
                "domain, a build with a bad image, the log and the list; d1 gets -EPERM", header(), [
        ("d0 createdomain: domain 2, paused", createdomain(1)),
        ("getdomaininfo of 2", domctl(4, 2)),
        ("max_mem of 2: 64 pages", max_mem_pages(2, 64)),
        ("max_vcpus of 2: 2", domctl(8, 2)),
        ("build 2 from 100 bytes of no ELF: refused", pvx_build(2, 100, 0)),
        ("unpause 2 (not built: nothing runs)", domctl(3, 2)),
        ("pause 2", domctl(2, 2)),
        ("pause itself: -EINVAL", domctl(2, 0)),
        ("getvcpucontext of d1 vCPU 0", vcpucontext(7, 1, 0)),
        ("setvcpucontext of d1 vCPU 0: -EEXIST", vcpucontext(6, 1, 0)),
        ("bvt of d1", domctl(10, 1)),
        ("pvx_getinfo of d1", domctl(11, 1)),
        ("physinfo", physinfo()),
        ("sched_id", sched_id()),
        ("the log, 200 bytes", readconsole(0, 0, 0, 200)),
        ("the list from 0, four entries", domaininfolist(0, 4)),
        ("destroy 2", domctl(1, 2)),
        ("d0 yields", yield_()),
        ("d1 createdomain: -EPERM", createdomain(1)),
        ("d1 physinfo: -EPERM", physinfo()),
        ("d1 remote shutdown of d0: -EPERM", op_hcall(29, [4] + domid(0) + [0, 0] + BUF)),
        ("d1 yields", yield_()),
        ("d0 destroys d1", domctl(1, 1)),
    ]),
    "foreign-map": ("dom0 maps a frame of d1 (mmu_update, foreigndom 1), d1 is destroyed under "
                    "the mapping and stays dying until dom0 unmaps it", header(), [
        ("d0 maps d1's pfn 0x80 writable", op_hcall(1, [1] + pte_ptr(pt(2), SCRATCH_SLOT + 40) +
                                                      pte(0x063, other(0x80)) + BUF + [2, 0, 0] +
                                                      domid(1))),
        ("d0 maps another frame of d1", op_hcall(1, [1] + pte_ptr(pt(2), SCRATCH_SLOT + 41) +
                                                  pte(0x061, other(0x102)) + BUF + [2, 0, 0] +
                                                  domid(1))),
        ("d0 yields", yield_()),
        ("d1 maps d0's frame: -EPERM", op_hcall(1, [1] + pte_ptr(pt(2), SCRATCH_SLOT + 40) +
                                                pte(0x061, other(0x80)) + BUF + [2, 0, 0] + domid(0))),
        ("d1 yields", yield_()),
        ("d0 destroys d1: dying, the frame kept", domctl(1, 1)),
        ("getdomaininfo of d1: dying", domctl(4, 1)),
        ("d0 unmaps one: still dying", mmu_update([(pte_ptr(pt(2), SCRATCH_SLOT + 40),
                                                     pte(0x000, own(0)))])),
        ("d0 unmaps the other: d1 is gone", mmu_update([(pte_ptr(pt(2), SCRATCH_SLOT + 41),
                                                         pte(0x000, own(0)))])),
    ]),
    "block": ("virtual block devices: rings connected, requests good and bad, insane "
              "indices, a domain destroyed with a write in flight", header(), [
        ("d0 vbd_info", blk(0, own(0))),
        ("d0 connects a ring in a spare frame", blk(1, own(300))),
        ("d0 a second ring: -EEXIST", blk(1, own(301))),
        ("d0 posts a read of two frames, a write, one past the end",
         blk(2, own(0), [(0, 8, 1, [(own(301), 0, 7), (own(302), 0, 7)]),
                         (1, 100, 2, [(own(303), 0, 7)]),
                         (1, 126, 3, [(own(304), 0, 7)])])),
        ("d0 disconnect with requests in flight: -EBUSY", blk(3, own(0))),
        ("time: the disk completes", time(200)),
        ("time: the disk completes", time(200)),
        ("d0 disconnects", blk(3, own(0))),
        ("d0 yields", yield_()),
        ("d1 connects its ring", blk(1, own(300))),
        ("d1 notify with req_prod far ahead: -EINVAL", blk(2, own(0), [], req_prod=1000)),
        ("d1 puts req_prod back", blk(2, own(0), [], req_prod=0)),
        ("d1 a read into its L1 and into shared_info: errors",
         blk(2, own(0), [(0, 0, 1, [(pt(2), 0, 7)]), (0, 0, 2, [(shinfo(), 0, 7)])])),
        ("d1 a write in flight", blk(2, own(0), [(1, 0, 3, [(own(305), 0, 7)])])),
        ("d1 yields", yield_()),
        ("destroy d1 with its write in flight", destroy()),
        ("d0 notify with no ring: -ENOTCONN", blk(2, own(0))),
    ]),
    "vfr": ("the firewall-router's rules: added, listed, removed by dom0; refused from d1",
            header(), [
        ("d0 adds an RX rule: drop UDP port 53", vfr_rule_op(0, 1, 0, 1, 0, 17, (53, 53))),
        ("d0 adds a TX rule before it: deliver to VIF 1", vfr_rule_op(0, 0, 0, 2, 1)),
        ("d0 lists RX rule 0", vfr_rule_op(2, 1, 0)),
        ("past the end: -ENOENT", vfr_rule_op(2, 1, 1)),
        ("a bad action: -EINVAL", vfr_rule_op(0, 1, 0, 3)),
        ("a port range upside down: -EINVAL", vfr_rule_op(0, 1, 0, 1, 0, None, (9, 8))),
        ("VIF 0 does not exist: -EINVAL", vfr_vif_op(0, 1, 0x0a00020f)),
        ("d0 yields: d1 runs", yield_()),
        ("d1 tries to remove it: -EPERM", vfr_rule_op(1, 1, 0)),
        ("d1 yields", yield_()),
        ("d0 removes it", vfr_rule_op(1, 1, 0)),
    ]),
    "net": ("dom0's interim NIC path: set up, a frame posted, one sent through the VFR, its "
            "completion and the frame coming back; d1 refused", header(), [
        ("d0 sets up its VIF", physdev_net(0, word(0))),
        ("again: -EEXIST", physdev_net(0, word(0))),
        ("d0 posts a frame to receive into", net_rx_post(0x90, 7)),
        ("d0 posts a page table: refused", physdev_net(2, pt(2) + [8])),
        ("d0 sends 42 bytes from its scratch page", net_tx(1, 5)),
        ("a length past the page: -EINVAL", net_tx(7, 6)),
        ("nothing done yet: -EAGAIN", physdev_net(3, word(0))),
        ("time: the frame leaves and comes back", time(10)),
        ("d0 polls: the transmit done", physdev_net(3, word(0))),
        ("d0 polls: the frame arrived", physdev_net(3, word(0))),
        ("d0 yields: d1 runs", yield_()),
        ("d1 sends: -EPERM", net_tx(1, 9)),
    ]),
    "block-domctl": ("the VBD domctl ops: a VBD made for domain 1 with no extents, its "
                     "flush, grows refused and allowed, lists, disk counters, a destroy "
                     "under a ring in use", header(), [
        ("d0 makes xvdb for d1, read-write, no extents", vbd_domctl("vbd_create", 1)),
        ("again: -EEXIST", vbd_domctl("vbd_create", 1)),
        ("write-only is no mode: -EINVAL", vbd_domctl("vbd_create", 1, XVDB + 16, mode=2)),
        ("d0 lists d1's second VBD", vbd_domctl("vbd_list", 1, index=1)),
        ("a grow over d1's own xvda: -EBUSY", vbd_domctl("vbd_grow", 1, start8=20, nr8=2)),
        ("a grow of nothing: -EINVAL", vbd_domctl("vbd_grow", 1, start8=1, nr8=0)),
        ("disk 0's size and counters", vbd_domctl("disk_info", 0)),
        ("", vbd_domctl("disk_stats", 0)),
        ("d0 yields", yield_()),
        ("d1 connects a ring to xvdb", blk_vdev(1, XVDB, own(300))),
        ("d1 flushes xvdb, which has no extents: answered at once",
         blk_vdev(2, XVDB, own(0), [(3, 0, 9, [])])),
        ("d1 reads xvdb: an error", blk_vdev(2, XVDB, own(0), [(0, 0, 10, [(own(301), 0, 7)])])),
        ("d1 asks for BVT parameters: -EPERM", vbd_domctl("bvt_get", "SELF")),
        ("d1 yields", yield_()),
        ("d0 grows xvdb: 64 sectors past d1's xvda", vbd_domctl("vbd_grow", 1, start8=40, nr8=8)),
        ("d0 destroys xvdb under d1's ring", vbd_domctl("vbd_destroy", 1)),
        ("d0 destroys it again: -ENOENT", vbd_domctl("vbd_destroy", 1)),
        ("d0 yields", yield_()),
        ("d1 notifies a ring that is gone: -ENOENT", blk_vdev(2, XVDB, own(0))),
    ]),
    "vif": ("VIFs: d0 makes one for d1 (refusals: the same handle, a group MAC), lists it; "
            "d1 connects its rings, sends, posts frames (one flipped away, a page table "
            "refused), an insane index, disconnects; d0 destroys the VIF", header(), [
        ("d0 makes VIF 0 for d1: 00:16:3e:00:00:01, 10.0.2.15", vif_domctl(0, 1)),
        ("again: -EEXIST", vif_domctl(0, 1)),
        ("a group MAC: -EINVAL", vif_domctl(0, 1, handle=1, mac=[1, 2, 3, 4, 5, 6])),
        ("d0 lists d1's VIF 0", vif_domctl(2, 1)),
        ("d0 yields: d1 runs", yield_()),
        ("d1 reads its VIF", vif_op(0)),
        ("d1 connects its rings", vif_op(1, own(300), own(301))),
        ("again: -EEXIST", vif_op(1, own(300), own(301))),
        ("d1 sends 60 bytes, posts an unmapped frame and a page table",
         vif_op(2, txs=[(own(302), 2, 5)], rxs=[own(303), pt(2)])),
        ("a transmit past the page", vif_op(2, txs=[(own(302), 5, 6)])),
        ("an insane index: -EINVAL", vif_op(2, txs=[(own(302), 2, 7)], req_prod=0x12345)),
        ("time: the NIC sends", time(10)),
        ("d1 disconnects: the posted frame comes back", vif_op(3)),
        ("d1 yields", yield_()),
        ("d0 destroys d1's VIF", vif_domctl(1, 1)),
        ("again: -ENOENT", vif_domctl(1, 1)),
    ]),
    "one-domain": ("only dom0: unimplemented and out-of-range hypercall numbers", header(one_domain=True), [
        ("set_trap_table (generic arguments)",
         op_hcall(0, generic_args([0x300000, 0xe019, 0], 0))),
        ("event_channel_op (generic arguments)", op_hcall(32, generic_args([0, 1, 0], 6))),
        ("number 63", op_hcall(63, generic_args([], 0))),
        ("number 0xffffffff", op_hcall(0xc3, generic_args([], 0))),
        ("d0 yields with nobody else", yield_()),
        ("d0 shuts down: reboot (1)", sched(2, 1)),
    ]),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    for name, (title, head, ops) in SEEDS.items():
        lines = ["# SPDX-License-Identifier: GPL-2.0-only",
                 "# %s (written by testsuite/fuzz/mkseeds.py)" % title,
                 " ".join("%02x" % b for b in head) + "  # header"]
        for what, ob in ops:
            lines.append(" ".join("%02x" % b for b in ob) + "  # " + what)
        with open(os.path.join(out, name + ".hex"), "w") as f:
            f.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
