"""Privileges a child gives up before running anything untrusted: new privileges and capabilities.

Capabilities matter even inside a user namespace: there the child is root, and with
CAP_CHOWN/CAP_FOWNER/CAP_DAC_OVERRIDE it could change or read files its owner could not. Dropped,
it keeps only what file permission bits give its uid (the seccomp filter and the read-only view
deny the metadata calls anyway; this is the layer under them).
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["no_new_privs", "drop_capabilities"]

PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _prctl(libc: ctypes.CDLL, *args: int) -> int:
    return libc.prctl(*[ctypes.c_ulong(a) for a in args])


def no_new_privs(libc: ctypes.CDLL) -> None:
    if _prctl(libc, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS) failed")


def drop_capabilities(libc: ctypes.CDLL, machine: str) -> None:
    """Empty the effective, permitted, inheritable and ambient sets. Raises OSError."""
    nr = _SYS_CAPSET.get(machine)
    if nr is None:
        raise OSError(0, f"no capset number for architecture {machine}")
    _prctl(libc, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)  # EINVAL before 4.3: fine
    header = _Header(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_Data * 2)()
    if libc.syscall(ctypes.c_long(nr), ctypes.byref(header), ctypes.byref(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {os.strerror(err)}")
