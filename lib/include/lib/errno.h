/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lib/errno.h - the error numbers hypercalls return (negated) under their
 * usual names, for freestanding code: the core returns them, guests compare
 * with them. The values are the guest ABI's (public/errno.h); host programs,
 * which have libc's errno.h, use the XEN_ names instead.
 */
#ifndef LIB_ERRNO_H
#define LIB_ERRNO_H

#include <public/errno.h>

#define EPERM        XEN_EPERM
#define ENOENT       XEN_ENOENT
#define ESRCH        XEN_ESRCH
#define EINTR        XEN_EINTR
#define EIO          XEN_EIO
#define E2BIG        XEN_E2BIG
#define ENOEXEC      XEN_ENOEXEC
#define EBADF        XEN_EBADF
#define EAGAIN       XEN_EAGAIN
#define ENOMEM       XEN_ENOMEM
#define EACCES       XEN_EACCES
#define EFAULT       XEN_EFAULT
#define EBUSY        XEN_EBUSY
#define EEXIST       XEN_EEXIST
#define ENODEV       XEN_ENODEV
#define EINVAL       XEN_EINVAL
#define ENOSPC       XEN_ENOSPC
#define ERANGE       XEN_ERANGE
#define ENOSYS       XEN_ENOSYS
#define ENODATA      XEN_ENODATA
#define EOPNOTSUPP   XEN_EOPNOTSUPP
#define ERESTART     XEN_ERESTART
#define ETIME        XEN_ETIME

#endif /* LIB_ERRNO_H */
