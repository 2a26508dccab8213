"""The child's filesystem view: a new root holding only what the child may read, all read-only.

Built once per zygote (or fresh interpreter) inside its private mount namespace, before anything
untrusted runs. The new root is a small tmpfs; each readable path (interpreter, libraries, the
workspace) is bind-mounted at its own path, symlinks on the way (/lib -> usr/lib, a venv link)
are recreated, and each hidden workspace entry (dot-files, keys, ...: found by the parent) is
covered by an empty read-only file or directory. Then the old root is detached and every mount
made read-only. Only the workdir tmpfs, mounted later, is writable.

What this buys beyond Landlock: `stat`, `listdir` and `inotify` of anything outside the readable
set find nothing (Landlock does not cover them); secrets inside the workspace are not there to
read; and no host file's mode, owner, times or xattrs can change (EROFS), whatever the syscall.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["build", "ViewError", "WORK_BASE"]

WORK_BASE = "/sandbox"  # the workdir tmpfs inside the view (HOME and TMPDIR live below it)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC = 32, 4096, 16384
MNT_DETACH = 2
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
_SYS_MOUNT_SETATTR = 442  # the same on every architecture
_AT_FDCWD, _AT_RECURSIVE, _MOUNT_ATTR_RDONLY = -100, 0x8000, 1
_HIDDEN_FILE = "/.hidden"  # empty file bound over each hidden workspace file
_OLD = "/.old-root"


class ViewError(OSError):
    """The view could not be built; the caller reports the layer missing."""


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _check(libc: ctypes.CDLL, result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise ViewError(err, f"{what}: {os.strerror(err)}")


def _mount(libc: ctypes.CDLL, source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    _check(libc, libc.mount(source.encode() if source else None, target.encode(),
                            fstype.encode() if fstype else None, ctypes.c_ulong(flags),
                            data.encode() if data else None), f"mount {target}")


def _plan(read_paths: list[str], hidden: list[str]) -> list[tuple[str, str]]:
    """(kind, path) in mount order: a parent before anything mounted inside it."""
    steps = [("bind", p) for p in read_paths] + [("hide", h) for h in hidden]
    return sorted(set(steps), key=lambda s: (s[1].split("/"), s[0] == "hide"))


def _symlinks(root: str, path: str) -> None:
    """Recreate in the view the symlinks on `path` whose own parents are real directories."""
    parts = path.strip("/").split("/")
    for i in range(1, len(parts)):
        prefix = "/" + "/".join(parts[:i])
        parent = os.path.dirname(prefix)
        if os.path.islink(prefix) and os.path.realpath(parent) == parent:
            where = root + prefix
            if not os.path.lexists(where):
                os.makedirs(root + parent, exist_ok=True)
                os.symlink(os.readlink(prefix), where)


def _bind(libc: ctypes.CDLL, root: str, path: str) -> bool:
    _symlinks(root, path)
    real = os.path.realpath(path)
    target = root + real
    if os.path.isdir(real):
        os.makedirs(target, exist_ok=True)
    elif os.path.exists(real):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.lexists(target):
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644))
    else:
        return False  # an optional path (/lib64 on some hosts): simply not there
    _mount(libc, real, target, None, MS_BIND | MS_REC)
    return True


def _hide(libc: ctypes.CDLL, root: str, path: str) -> bool:
    target = root + path
    if os.path.islink(target) or not os.path.lexists(target):
        return False  # a link shows only what its target shows; a vanished entry hides itself
    if os.path.isdir(target):
        _mount(libc, "hidden", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
               "size=16k,nr_inodes=64,mode=0555")
    else:
        _mount(libc, root + _HIDDEN_FILE, target, None, MS_BIND)
    return True


def _read_only(libc: ctypes.CDLL, mounts: list[str]) -> None:
    attr = _MountAttr(_MOUNT_ATTR_RDONLY, 0, 0, 0)
    if libc.syscall(ctypes.c_long(_SYS_MOUNT_SETATTR), ctypes.c_int(_AT_FDCWD), b"/",
                    ctypes.c_uint(_AT_RECURSIVE), ctypes.byref(attr),
                    ctypes.c_size_t(ctypes.sizeof(attr))) == 0:
        return
    # Kernels before 5.12: one remount per mount, keeping the flags a user namespace locked.
    for path in ["/", *mounts]:
        flags = os.statvfs(path).f_flag & (MS_NOSUID | MS_NODEV | MS_NOEXEC)
        _mount(libc, None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)


def build(libc: ctypes.CDLL, root: str, read_paths: list[str], hidden: list[str],
          machine: str) -> tuple[int, int]:
    """Make `root` (an empty host directory) this process's read-only root. Raises ViewError.

    Returns (mounts made, hidden entries covered). `read_paths` are absolute host paths
    (directories or files); `hidden` are absolute paths inside them to cover.
    """
    pivot = _SYS_PIVOT_ROOT.get(machine)
    if pivot is None:
        raise ViewError(0, f"no pivot_root number for architecture {machine}")
    try:
        _mount(libc, "sandbox-root", root, "tmpfs", MS_NOSUID | MS_NODEV,
               "size=1m,nr_inodes=8192,mode=0755")
        os.close(os.open(root + _HIDDEN_FILE, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o444))
        os.mkdir(root + WORK_BASE, 0o755)
        os.mkdir(root + _OLD, 0o700)
        mounted, covered = [], 0
        for kind, path in _plan(read_paths, hidden):
            if kind == "bind" and _bind(libc, root, path):
                mounted.append(os.path.realpath(path))
            elif kind == "hide" and _hide(libc, root, path):
                mounted.append(path)
                covered += 1
        _check(libc, libc.syscall(ctypes.c_long(pivot), root.encode(), (root + _OLD).encode()),
               "pivot_root")
        os.chdir("/")
        _check(libc, libc.umount2((_OLD).encode(), MNT_DETACH), "detach the old root")
        os.rmdir(_OLD)
        _read_only(libc, mounted)
    except OSError as exc:
        if isinstance(exc, ViewError):
            raise
        raise ViewError(exc.errno or 0, f"building the view: {exc}") from exc
    return len(mounted) + 1, covered
