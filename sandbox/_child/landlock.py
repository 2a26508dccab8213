"""Landlock through raw syscalls: read-only libraries and workspace, a writable workdir, no TCP,
and (ABI >= 6) no signals or abstract unix sockets outside the sandbox.

Each feature is reported separately because older kernels offer fewer of them (the ABI version).
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
import struct

__all__ = ["abi_version", "build_ruleset", "restrict_self"]

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446  # same on every arch
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
MAKE_CHAR, MAKE_BLOCK = 1 << 6, 1 << 11
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX, SCOPE_SIGNAL = 1 << 0, 1 << 1


def _syscall(libc: ctypes.CDLL, *args) -> int:
    res = libc.syscall(*[ctypes.c_long(a) if type(a) is int else a for a in args])
    if res < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return res


def abi_version(libc: ctypes.CDLL) -> int:
    """The kernel's Landlock ABI (0 when unsupported or disabled)."""
    try:
        return _syscall(libc, ctypes.c_long(SYS_CREATE_RULESET), None, ctypes.c_long(0),
                        ctypes.c_long(_CREATE_RULESET_VERSION))
    except OSError:
        return 0


def _fs_rights(abi: int) -> int:
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def build_ruleset(libc: ctypes.CDLL, read_paths: list[str], write_paths: list[str],
                  rw_files: list[str]) -> tuple[int, dict[str, str]]:
    """A ruleset fd (restrict_self() applies it) and {layer: description}. Raises OSError."""
    abi = abi_version(libc)
    if abi < 1:
        raise OSError(errno.ENOSYS, "Landlock is not enabled in this kernel")
    fs = _fs_rights(abi)
    net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL if abi >= 6 else 0
    attr = struct.pack("=QQQ", fs, net, scoped)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    buf = ctypes.create_string_buffer(attr, 24)
    ruleset = _syscall(libc, SYS_CREATE_RULESET, buf, size, 0)
    try:
        read = EXECUTE | READ_FILE | READ_DIR
        write = fs & ~(MAKE_CHAR | MAKE_BLOCK)
        for paths, rights in ((read_paths, read), (write_paths, write),
                              (rw_files, READ_FILE | WRITE_FILE | TRUNCATE | IOCTL_DEV)):
            for path in paths:
                _add_path(libc, ruleset, path, rights & fs)
    except BaseException:
        os.close(ruleset)
        raise
    layers = {"landlock_fs": f"ABI {abi}: read-only {len(read_paths)} trees, "
                             f"read-write {len(write_paths)}"}
    if net:
        layers["landlock_net"] = "TCP bind and connect denied"
    if scoped:
        layers["landlock_scope"] = "signals and abstract unix sockets scoped to the sandbox"
    return ruleset, layers


def restrict_self(libc: ctypes.CDLL, ruleset: int) -> None:
    """Apply a ruleset to the calling thread (needs no_new_privs). Raises OSError."""
    _syscall(libc, SYS_RESTRICT_SELF, ruleset, 0)


def _add_path(libc: ctypes.CDLL, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a missing optional path (e.g. /lib64) is simply not granted
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_ONLY
        rule = ctypes.create_string_buffer(struct.pack("=Qi", rights, fd), 12)
        _syscall(libc, SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, rule, 0)
    finally:
        os.close(fd)
