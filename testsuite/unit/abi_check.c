/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * abi_check.c - compiles every public header, for -m32 and for x86_64. The
 * size and offset checks are the _Static_asserts inside the headers; this
 * file only makes sure they all run, and that a ring type instantiates.
 * pvx/layout.h comes too: it builds on public/ and must compile beside it.
 */
#include <pvx/layout.h>

#include <public/xen.h>
#include <public/arch-x86_32.h>
#include <public/arch-x86/page.h>
#include <public/arch-x86/xen-x86_32.h>
#include <public/callback.h>
#include <public/elfnote.h>
#include <public/errno.h>
#include <public/event_channel.h>
#include <public/features.h>
#include <public/grant_table.h>
#include <public/memory.h>
#include <public/domctl.h>
#include <public/physdev.h>
#include <public/pvx.h>
#include <public/sched.h>
#include <public/sysctl.h>
#include <public/vcpu.h>
#include <public/version.h>
#include <public/io/console.h>
#include <public/io/ring.h>
#include <public/io/blkif.h>
#include <public/pvx.h>

struct abi_check_req { uint32_t id; uint32_t op; };
struct abi_check_rsp { uint32_t id; int32_t status; };
DEFINE_RING_TYPES(abi_check, struct abi_check_req, struct abi_check_rsp);

_Static_assert(sizeof(union abi_check_sring_entry) == 8, "ring entry size");
