"""Apply every isolation layer in the child, in order, and say which ones took effect.

Order matters: environment and workdir first, then rlimits, no_new_privs, Landlock (needs the
paths still open-able) and seccomp last (it forbids some of the calls made before it).
Returns {layer: "ok: detail" | "missing: why"}; the parent turns that into the pool's report.
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile

from . import landlock, rlimits, seccomp

__all__ = ["apply_layers", "LAYERS"]

LAYERS = (
    "process_group", "clean_env", "workdir", "rlimits", "no_new_privs", "landlock_fs",
    "landlock_net", "landlock_scope", "seccomp", "user_namespace", "net_namespace",
)
PR_SET_NO_NEW_PRIVS = 38
_SECRET_MARKERS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "AUTH")


def _namespace(kind: str, host: str | None) -> str:
    try:
        mine = os.readlink(f"/proc/self/ns/{kind}")
    except OSError as exc:
        return f"missing: cannot read /proc/self/ns/{kind} ({exc.strerror})"
    if host and mine != host:
        return f"ok: {mine}"
    return "missing: the sandbox shares the host's namespace (no unshare/bwrap)"


def apply_layers(request: dict) -> dict[str, str]:
    layers: dict[str, str] = {}
    limits = request["limits"]
    libc = ctypes.CDLL(None, use_errno=True)
    host_ns = request.get("host_ns") or {}
    layers["user_namespace"] = _namespace("user", host_ns.get("user"))
    layers["net_namespace"] = _namespace("net", host_ns.get("net"))
    layers["process_group"] = ("ok: own session" if os.getsid(0) == os.getpid()
                               else "missing: not a session leader")

    os.environ.clear()  # also clears the C-level environ (putenv/unsetenv)
    os.environ.update(request["env"])
    os.environ["HOME"] = os.environ["TMPDIR"] = request["workdir"]
    leaked = [k for k in os.environ if any(m in k.upper() for m in _SECRET_MARKERS)]
    layers["clean_env"] = f"missing: leaked {leaked}" if leaked else f"ok: {len(os.environ)} vars"

    workdir = request["workdir"]
    os.chdir(workdir)
    tempfile.tempdir = workdir
    layers["workdir"] = f"ok: {workdir}"

    sys.path[:] = ([request["workspace"]] if request.get("workspace") else []) + request["sys_path"]
    sys.dont_write_bytecode = True

    try:
        layers["rlimits"] = "ok: " + rlimits.apply_rlimits(int(limits["memory"]),
                                                          float(limits["wall"]))
    except (OSError, ValueError) as exc:
        layers["rlimits"] = f"missing: setrlimit failed ({exc})"

    zero = ctypes.c_ulong(0)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), zero, zero, zero) == 0:
        layers["no_new_privs"] = "ok"
    else:
        layers["no_new_privs"] = f"missing: prctl failed ({os.strerror(ctypes.get_errno())})"

    try:
        got = landlock.restrict(libc, request["read_paths"], [workdir], request["rw_files"])
        for name in ("landlock_fs", "landlock_net", "landlock_scope"):
            layers[name] = ("ok: " + got[name]) if name in got else (
                "missing: kernel Landlock ABI too old for this feature")
    except OSError as exc:
        for name in ("landlock_fs", "landlock_net", "landlock_scope"):
            layers[name] = f"missing: Landlock unavailable ({exc.strerror or exc})"

    try:
        layers["seccomp"] = "ok: " + seccomp.install_seccomp(os.getpid(), libc)
    except OSError as exc:
        layers["seccomp"] = f"missing: {exc.strerror or exc}"
    return layers
