"""Isolation layers for sandbox children, split into an expensive part done once per zygote
(`prepare`: the workdir's private tmpfs, Landlock ruleset, seccomp program, environment) and a
cheap part done in every forked child (`enter`: a handful of syscalls), because Python work after
fork costs page faults.

Order in `enter` matters: rlimits, no_new_privs, Landlock, then seccomp last (it forbids
setrlimit). Layer states are "ok: detail" or "missing: why"; the parent builds its report from
them.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile

from . import landlock, rlimits, seccomp

__all__ = ["Prepared", "prepare", "enter", "die_with_parent", "LAYERS", "RULESET_FD"]

LAYERS = (
    "process_group", "clean_env", "workdir", "workdir_quota", "rlimits", "no_new_privs", "landlock_fs",
    "landlock_net", "landlock_scope", "seccomp", "user_namespace", "net_namespace",
)
RULESET_FD = 5  # where a forked child keeps the Landlock ruleset until it applies it
PR_SET_NO_NEW_PRIVS = 38
PR_SET_PDEATHSIG = 1
_LANDLOCK = ("landlock_fs", "landlock_net", "landlock_scope")
_MS_FLAGS = 2 | 4 | 8  # MS_NOSUID | MS_NODEV | MS_NOEXEC
_INODES = 16384  # files and directories a run may create (bounds the cleanup too)
_SECRET_MARKERS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "AUTH")


class Prepared:
    """Everything a child needs to isolate itself, computed before forking."""

    def __init__(self, config: dict) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        # Forked children's parent is the zygote preparing this; a fresh child's is named.
        self.parent = int(config.get("parent_pid") or os.getpid())
        self.base = config["base"]  # stable read-write directory (Landlock rules pin inodes)
        self.workdir = os.path.join(self.base, "run")
        ws = config.get("workspace")
        self.sys_path = ([ws] if ws else []) + list(config["sys_path"])
        self.layers: dict[str, str] = {}
        host_ns = config.get("host_ns") or {}
        for kind in ("user", "net"):
            self.layers[f"{kind}_namespace"] = _namespace(kind, host_ns.get(kind))
        self.env = dict(config["env"], HOME=self.workdir, TMPDIR=self.workdir)
        leaked = [k for k in self.env if any(m in k.upper() for m in _SECRET_MARKERS)]
        self.layers["clean_env"] = (f"missing: leaked {leaked}" if leaked
                                    else f"ok: {len(self.env)} variables")
        self.layers["workdir"] = "ok: private directory, removed after each run"
        self.layers["workdir_quota"] = _private_tmpfs(self.libc, self.base,
                                                      int(config.get("workdir_bytes") or 0),
                                                      host_ns.get("mnt"))
        self.ruleset = -1
        try:
            self.ruleset, got = landlock.build_ruleset(
                self.libc, config["read_paths"], [self.base], config["rw_files"])
            for name in _LANDLOCK:
                self.layers[name] = ("ok: " + got[name]) if name in got else (
                    "missing: kernel Landlock ABI too old for this feature")
        except OSError as exc:
            for name in _LANDLOCK:
                self.layers[name] = f"missing: Landlock unavailable ({exc.strerror or exc})"
        self.filter = None
        try:
            self.filter = seccomp.Filter(self.libc)
            self.layers["seccomp"] = "ok: " + self.filter.description
        except OSError as exc:
            self.layers["seccomp"] = f"missing: {exc.strerror or exc}"

    def adopt_environment(self) -> None:
        """Make this process's environment the child's (the zygote does it once)."""
        os.environ.clear()  # also clears the C-level environ
        os.environ.update(self.env)
        tempfile.tempdir = self.workdir


def _namespace(kind: str, host: str | None) -> str:
    try:
        mine = os.readlink(f"/proc/self/ns/{kind}")
    except OSError as exc:
        return f"missing: cannot read /proc/self/ns/{kind} ({exc.strerror})"
    if host and mine != host:
        return f"ok: {mine}"
    return "missing: the sandbox shares the host's namespace (no unshare/bwrap)"


def _private_tmpfs(libc: ctypes.CDLL, base: str, size: int, host_mnt: str | None) -> str:
    """Mount a size-limited tmpfs on `base`, but only inside a private mount namespace."""
    try:
        mine = os.readlink("/proc/self/ns/mnt")
    except OSError as exc:
        return f"missing: cannot read /proc/self/ns/mnt ({exc.strerror})"
    if not host_mnt or mine == host_mnt:
        # Mounting here would change the user's own mount table: never do that.
        return "missing: no private mount namespace (no unshare), so /tmp usage is unbounded"
    if size <= 0:
        return "missing: no size configured"
    options = f"size={size},nr_inodes={_INODES},mode=0700".encode()
    if libc.mount(b"tmpfs", base.encode(), b"tmpfs", ctypes.c_ulong(_MS_FLAGS), options) != 0:
        return f"missing: mount of a tmpfs failed ({os.strerror(ctypes.get_errno())})"
    return f"ok: private tmpfs of {size >> 20} MiB and {_INODES} inodes, nosuid nodev noexec"


def die_with_parent(libc: ctypes.CDLL, parent: int) -> None:
    """SIGKILL this process when its parent dies; exit now if that already happened.

    The supervisor is the parent: without it nothing would enforce the deadline, and a child
    that ignores SIGALRM and sleeps would live on after a crash of the server.
    """
    zero = ctypes.c_ulong(0)
    libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(9), zero, zero, zero)
    if os.getppid() != parent:
        os._exit(70)


def prepare(config: dict) -> Prepared:
    return Prepared(config)


def enter(p: Prepared, limits: dict, ruleset_fd: int) -> dict[str, str]:
    """Apply the layers in the calling (child) process; returns the layer states."""
    layers = dict(p.layers)
    pid = os.getpid()
    layers["process_group"] = ("ok: own session, dies with its supervisor"
                               if os.getsid(0) == pid else "missing: not a session leader")
    die_with_parent(p.libc, p.parent)
    os.chdir(p.workdir)
    sys.path[:] = p.sys_path
    sys.dont_write_bytecode = True
    try:
        rlimits.apply_rlimits(int(limits["memory"]), float(limits["wall"]))
        layers["rlimits"] = "ok: AS, CPU, FSIZE, NOFILE, CORE"
    except (OSError, ValueError) as exc:
        layers["rlimits"] = f"missing: setrlimit failed ({exc})"
    zero = ctypes.c_ulong(0)
    if p.libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), zero, zero, zero) == 0:
        layers["no_new_privs"] = "ok"
    else:
        layers["no_new_privs"] = f"missing: prctl failed ({os.strerror(ctypes.get_errno())})"
    if ruleset_fd >= 0:
        try:
            landlock.restrict_self(p.libc, ruleset_fd)
        except OSError as exc:
            for name in _LANDLOCK:
                layers[name] = f"missing: landlock_restrict_self failed ({exc.strerror})"
        os.close(ruleset_fd)
    if p.filter is not None:
        try:
            p.filter.install(pid)
        except OSError as exc:
            layers["seccomp"] = f"missing: {exc.strerror or exc}"
    return layers
