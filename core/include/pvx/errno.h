/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * errno.h - the error numbers hypercalls return (negated), which are Xen's
 * guest-visible values from public/errno.h under their usual names.
 */
#ifndef PVX_ERRNO_H
#define PVX_ERRNO_H

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

#endif /* PVX_ERRNO_H */
