"""Host facts gathered once per pool and the isolation report shown to users.

HostFacts decides how sandbox processes are launched (namespaces through `unshare` when it works
here) and which paths the child may read; IsolationReport says which layers are active and why
the others are missing.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ._child.isolate import LAYERS

__all__ = ["IsolationReport", "HostFacts", "ALL_LAYERS", "WORKDIR_BYTES"]

log = logging.getLogger("sandbox")
ALL_LAYERS = (*LAYERS, "deadline_kill")
_SYSTEM_READ = (
    "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/share/zoneinfo",
    "/etc/localtime", "/etc/ld.so.cache", "/usr/lib/locale", "/dev/urandom", "/dev/zero",
)
# --mount lets each sandbox process put its workdir on a size-limited private tmpfs.
_UNSHARE_FLAGS = ("--user", "--map-root-user", "--net", "--ipc", "--uts", "--mount")
WORKDIR_BYTES = 64 * 1024 * 1024  # the whole workdir of one run (files it writes)
_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


@dataclass(frozen=True)
class IsolationReport:
    mode: str  # "fork-server" or "fresh-interpreter"
    active: dict[str, str] = field(default_factory=dict)  # layer -> detail
    missing: dict[str, str] = field(default_factory=dict)  # layer -> why

    def is_active(self, layer: str) -> bool:
        return layer in self.active

    def __str__(self) -> str:
        lines = [f"sandbox mode: {self.mode}"]
        lines += [f"  [x] {name}: {detail}" for name, detail in self.active.items()]
        lines += [f"  [ ] {name}: {why}" for name, why in self.missing.items()]
        return "\n".join(lines)

    @classmethod
    def from_layers(cls, mode: str, layers: dict[str, str]) -> IsolationReport:
        active, missing = {}, {}
        for name in ALL_LAYERS:
            state = layers.get(name, "missing: not reported by the sandbox child")
            if state == "ok" or state.startswith("ok:"):
                active[name] = state[3:].strip() or "active"
            else:
                missing[name] = state.removeprefix("missing:").strip()
        return cls(mode, active, missing)


@dataclass(frozen=True)
class HostFacts:
    launcher: tuple[str, ...]  # argv prefix for sandbox processes ("" = none)
    launcher_note: str
    sys_path: tuple[str, ...]
    read_paths: tuple[str, ...]
    host_ns: dict
    tmp_base: str
    env: dict

    @classmethod
    def detect(cls, workspace: Path | None) -> HostFacts:
        prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
        prefixes = {os.path.realpath(p) for p in prefixes}
        sys_path = tuple(
            p for p in sys.path
            if p and os.path.isabs(p) and os.path.exists(p)
            and any(os.path.realpath(p).startswith(pre + os.sep) for pre in prefixes)
        )
        read = list(dict.fromkeys([*prefixes, *sys_path, *(os.path.realpath(p) for p in sys_path),
                                   *_SYSTEM_READ]))
        if workspace is not None:
            read.append(str(Path(workspace).resolve()))
        launcher, note = _probe_unshare()
        host_ns = {}
        for kind in ("user", "net", "mnt"):
            try:
                host_ns[kind] = os.readlink(f"/proc/self/ns/{kind}")
            except OSError:
                pass
        return cls(launcher, note, sys_path, tuple(read), host_ns, tempfile.gettempdir(),
                   dict(_ENV))

    def child_config(self, workspace: Path | None) -> dict:
        """The per-process part of a sandbox request (see _child/isolate.py: Prepared)."""
        return {"env": self.env, "sys_path": list(self.sys_path),
                "workspace": str(workspace) if workspace else None,
                "read_paths": list(self.read_paths), "rw_files": ["/dev/null"],
                "host_ns": self.host_ns, "tmp_base": self.tmp_base,
                "workdir_bytes": WORKDIR_BYTES}


def _probe_unshare() -> tuple[tuple[str, ...], str]:
    unshare = shutil.which("unshare")
    if not unshare:
        return (), "`unshare` (util-linux) not found; install util-linux for namespaces"
    argv = (unshare, *_UNSHARE_FLAGS, "--")
    try:
        done = subprocess.run([*argv, sys.executable, "-I", "-S", "-c", "pass"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10, env=_ENV)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return (), f"`unshare` failed to run: {exc}"
    if done.returncode != 0:
        return (), ("`unshare --user --net` is refused here (unprivileged user namespaces "
                    "disabled?); namespaces are off")
    return argv, f"namespaces via {unshare} {' '.join(_UNSHARE_FLAGS)}"
