"""Host facts gathered once per pool: how to launch sandbox processes and what they may use.

`HostFacts.detect` (run in a thread at pool start) decides: the launcher (namespaces through
`unshare` when it works here), the paths a child may read (interpreter and libraries, plus the
workspace when the read policy allows it, minus its hidden entries), the task and memory budget
(a cgroup, else rlimits and seccomp denials), and the seccomp program (built once with
libseccomp). `child_config` is the per-process part of a zygote or fresh interpreter's setup.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import budget as budgets
from . import policy
from ._child import cleanup, seccomp

__all__ = ["HostFacts", "WORKDIR_BYTES"]

log = logging.getLogger("sandbox")
_SYSTEM_READ = (
    "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/share/zoneinfo",
    "/etc/localtime", "/etc/ld.so.cache", "/usr/lib/locale", "/dev/urandom", "/dev/zero",
    "/dev/null",
)
# --mount lets each sandbox process build its own view and workdir tmpfs.
_UNSHARE_FLAGS = ("--user", "--map-root-user", "--net", "--ipc", "--uts", "--mount")
WORKDIR_BYTES = 64 * 1024 * 1024  # the whole workdir of one run (files it writes)
_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
_JOIN = "import sys\nfor p in sys.argv[1:]:\n    open(p, 'w').write('0')\n"


@dataclass(frozen=True)
class HostFacts:
    launcher: tuple[str, ...]  # argv prefix for sandbox processes (empty: none)
    launcher_note: str
    sys_path: tuple[str, ...]
    read_paths: tuple[str, ...]
    host_ns: dict[str, str]
    tmp_base: str
    env: dict[str, str]
    workspace: str | None  # the root candidates may read (None: none of the user's files)
    hidden: tuple[str, ...]  # entries under it the child's view covers
    read_note: str
    budget: budgets.Budget | None
    budget_modes: dict[str, str]  # "pids": cgroup|rlimit|none, "memory": cgroup|rlimit
    budget_note: str
    seccomp: dict  # seccomp.Program.to_config(), or {"error": why}

    @classmethod
    def detect(cls, workspace: Path | None, hidden: tuple[str, ...]) -> HostFacts:
        prefixes = {os.path.realpath(p) for p in
                    (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
        sys_path = tuple(
            p for p in sys.path
            if p and os.path.isabs(p) and os.path.exists(p)
            and any(os.path.realpath(p).startswith(pre + os.sep) for pre in prefixes)
        )
        read = tuple(dict.fromkeys([*prefixes, *sys_path, *(os.path.realpath(p) for p in sys_path),
                                    *_SYSTEM_READ]))
        _sweep(tempfile.gettempdir())
        launcher, note = _probe_unshare()
        host_ns = {}
        for kind in ("user", "net", "mnt"):
            try:
                host_ns[kind] = os.readlink(f"/proc/self/ns/{kind}")
            except OSError:
                pass
        root, covered, read_note = _workspace(workspace, hidden, bool(launcher))
        budget, budget_note = budgets.detect()
        if budget is not None:
            problem = _check_join(launcher, budget)
            if problem:
                budget_note = f"cannot move a process into {budget.describe()}: {problem}"
                budget.remove()
                budget = None
        modes = {
            "pids": "cgroup" if budget and budget.pids else
                    "rlimit" if launcher and os.getuid() != 0 else "none",
            "memory": "cgroup" if budget and budget.memory else "rlimit",
        }
        try:
            program = seccomp.build(threads=modes["pids"] != "none",
                                    memfd=modes["memory"] == "cgroup").to_config()
        except (ImportError, RuntimeError, OSError) as exc:
            program = {"error": f"libseccomp unavailable ({exc}); install the libseccomp2 "
                                "system package and the pyseccomp Python package"}
        return cls(launcher, note, sys_path, read, host_ns, tempfile.gettempdir(), dict(_ENV),
                   root, covered, read_note, budget, modes, budget_note, program)

    def child_config(self, slot: int) -> dict:
        """The per-process part of a sandbox setup (see _child/isolate.py: Prepared)."""
        return {"env": self.env, "sys_path": list(self.sys_path), "workspace": self.workspace,
                "hidden": list(self.hidden), "read_note": self.read_note,
                "read_paths": list(self.read_paths), "rw_files": ["/dev/null"],
                "host_ns": self.host_ns, "tmp_base": self.tmp_base,
                "workdir_bytes": WORKDIR_BYTES, "seccomp": self.seccomp,
                "budget": {**self.budget_modes, "note": self.budget_note,
                           "nproc": budgets.PIDS_MAX,
                           "slot": self.budget.slot(slot) if self.budget else None}}

    def rescanned(self, workspace: Path | None, hidden: tuple[str, ...]) -> HostFacts:
        """These facts with the workspace's hidden entries found again (files come and go)."""
        root, covered, note = _workspace(workspace, hidden, bool(self.launcher))
        return dataclasses.replace(self, workspace=root, hidden=covered, read_note=note)

    def close(self) -> None:
        if self.budget is not None:
            self.budget.remove()


def _workspace(workspace: Path | None, hidden: tuple[str, ...],
               namespaces: bool) -> tuple[str | None, tuple[str, ...], str]:
    """(root offered to candidates, entries to hide in it, what the read_policy layer says)."""
    base = "candidates read the interpreter, its libraries"
    if workspace is None:
        return None, (), f"{base} and none of your files (no workspace given)"
    if policy.is_unsafe_root(workspace):
        log.warning("sandbox: %s is the home folder or above it: not readable", workspace)
        return None, (), (f"{base} and none of your files: {workspace} is your home folder or "
                          "above it, which is never offered")
    if not hidden:
        return str(workspace), (), f"{base} and all of {workspace} (no hidden patterns set)"
    if not namespaces:
        return None, (), (f"{base} and none of your files: without a private mount namespace "
                          f"the dot-files and secrets in {workspace} cannot be hidden")
    found = policy.scan(workspace, hidden)
    if found.refused:
        return None, (), f"{base} and none of your files: {workspace} is too big to vet ({found.refused})"
    return found.root, found.hidden, (f"{base} and {found.root} except {len(found.hidden)} "
                                      f"hidden entries matching {', '.join(hidden)}")


def _sweep(tmp: str) -> None:
    """Remove the work directories of sandbox processes whose server was killed."""
    try:
        names = os.listdir(tmp)
    except OSError:
        return
    for name in names:
        kind, _, rest = name.partition("-worker-") if "-worker-" in name else name.partition("-fresh-")
        pid = rest.split("-", 1)[0]
        if kind == "sstar" and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            try:
                cleanup.remove_tree(os.path.join(tmp, name))
            except OSError:
                pass


def _check_join(launcher: tuple[str, ...], budget: budgets.Budget) -> str | None:
    """None when a sandbox process (in its namespaces) can move itself into a budget slot."""
    procs = budget.slot(0)["procs"]
    try:
        done = subprocess.run([*launcher, sys.executable, "-I", "-S", "-c", _JOIN, *procs],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=10, env=_ENV)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {done.returncode}"
    return None


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
