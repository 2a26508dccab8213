"""Task and memory budgets for sandbox children in cgroups the host lets us create (parent side).

A budget that counts what rlimits miss (threads, memfd and shared memory, page tables) needs a
cgroup: `pids.max` and `memory.max` (v2) or `pids.max` and `memory.limit_in_bytes` (v1). We
look for the nearest cgroup at or above our own that we may write and that offers the
controllers, make one directory per pool under it and one per worker slot under that. A zygote
moves itself into its slot at start and its children are born there (see _child/budget.py).
Where no such cgroup exists the caller falls back to rlimits and seccomp denials (see host.py)
and the report names the weaker mode.
"""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass

__all__ = ["Budget", "detect", "PIDS_MAX"]

log = logging.getLogger("sandbox")
PIDS_MAX = 64  # tasks per child: the child itself and its threads (a thread pool still fits)
_ZYGOTE = 1  # the zygote lives in the slot too
_PREFIX = "sstar-"


@dataclass(frozen=True)
class Budget:
    version: int  # 1 or 2
    dirs: dict[str, str]  # controller ("pids", "memory") -> this pool's directory

    @property
    def pids(self) -> bool:
        return "pids" in self.dirs

    @property
    def memory(self) -> bool:
        return "memory" in self.dirs

    def describe(self) -> str:
        return f"cgroup v{self.version} under {', '.join(sorted(set(self.dirs.values())))}"

    def slot(self, index: int) -> dict:
        """The files one worker slot uses (made on first use), for the child configuration."""
        procs: list[str] = []
        out: dict[str, object] = {"version": self.version, "memory_max": None, "oom": None,
                                  "usage": None}
        for controller, top in sorted(self.dirs.items()):
            path = os.path.join(top, f"w{index}")
            os.makedirs(path, exist_ok=True)
            if os.path.join(path, "cgroup.procs") not in procs:  # v2: one directory for both
                procs.append(os.path.join(path, "cgroup.procs"))
            if controller == "pids":
                _write(os.path.join(path, "pids.max"), str(PIDS_MAX + _ZYGOTE))
            elif self.version == 2:
                _write(os.path.join(path, "memory.swap.max"), "0", optional=True)
                out["memory_max"] = os.path.join(path, "memory.max")
                out["usage"] = os.path.join(path, "memory.current")
                out["oom"] = os.path.join(path, "memory.events")
            else:
                _write(os.path.join(path, "memory.swappiness"), "0", optional=True)
                out["memory_max"] = os.path.join(path, "memory.limit_in_bytes")
                out["usage"] = os.path.join(path, "memory.usage_in_bytes")
                out["oom"] = os.path.join(path, "memory.oom_control")
        out["procs"] = procs
        return out

    def remove(self) -> None:
        """Remove the pool's directories (their processes are gone by now)."""
        for top in set(self.dirs.values()):
            _remove_tree(top)


def _write(path: str, value: str, optional: bool = False) -> None:
    try:
        with open(path, "w") as f:
            f.write(value)
    except OSError:
        if not optional:
            raise


def _remove_tree(top: str) -> None:
    try:
        for name in os.listdir(top):
            sub = os.path.join(top, name)
            if os.path.isdir(sub):
                os.rmdir(sub)
        os.rmdir(top)
    except OSError as exc:
        log.warning("sandbox: could not remove cgroup %s: %s", top, exc)


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(fs type, mount point, options) of each cgroup file system."""
    found = []
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                left, _, right = line.partition(" - ")
                fstype, _source, options = (right.split() + ["", "", ""])[:3]
                if fstype in ("cgroup", "cgroup2"):
                    found.append((fstype, left.split()[4], set(options.split(","))))
    except OSError:
        pass
    return found


def _own() -> dict[str, str]:
    """Our cgroup path per v1 controller, and under "" the v2 one."""
    own: dict[str, str] = {}
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _id, controllers, path = line.rstrip("\n").split(":", 2)
                for c in controllers.split(",") if controllers else [""]:
                    own[c] = path
    except (OSError, ValueError):
        pass
    return own


def _upwards(mount: str, rel: str):
    path = os.path.normpath(mount + "/" + rel.lstrip("/"))
    while path.startswith(mount):
        yield path
        if path == mount:
            return
        path = os.path.dirname(path)


def _new_dir(parent: str) -> str:
    _sweep(parent)
    path = os.path.join(parent, f"{_PREFIX}{os.getpid()}-{secrets.token_hex(4)}")
    os.mkdir(path)
    return path


def _sweep(parent: str) -> None:
    """Remove what pools of dead processes left (a killed server cannot clean up)."""
    try:
        names = [n for n in os.listdir(parent) if n.startswith(_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            _remove_tree(os.path.join(parent, name))


def _v2(mount: str, rel: str) -> Budget | None:
    for here in _upwards(mount, rel):
        try:
            with open(os.path.join(here, "cgroup.subtree_control")) as f:
                enabled = set(f.read().split()) & {"pids", "memory"}
        except OSError:
            continue
        if not enabled or not (os.access(here, os.W_OK)
                               and os.access(os.path.join(here, "cgroup.procs"), os.W_OK)):
            continue
        try:
            top = _new_dir(here)
            _write(os.path.join(top, "cgroup.subtree_control"),
                   " ".join(f"+{c}" for c in sorted(enabled)))
        except OSError as exc:
            log.info("sandbox: cgroup %s unusable: %s", here, exc)
            continue
        return Budget(2, {str(c): top for c in enabled})
    return None


def _v1(mounts: list[tuple[str, str, set[str]]], own: dict[str, str]) -> Budget | None:
    dirs: dict[str, str] = {}
    for controller in ("pids", "memory"):
        mount = next((m for t, m, o in mounts if t == "cgroup" and controller in o), None)
        if mount is None or controller not in own:
            continue
        for here in _upwards(mount, own[controller]):
            if os.access(here, os.W_OK):
                try:
                    dirs[controller] = _new_dir(here)
                except OSError:
                    continue
                break
    return Budget(1, dirs) if dirs else None


def detect() -> tuple[Budget | None, str]:
    """A budget for one pool, or None and why there is none."""
    mounts, own = _mounts(), _own()
    if not mounts:
        return None, "no cgroup file system is mounted"
    for fstype, mount, _options in mounts:
        if fstype == "cgroup2" and "" in own:
            budget = _v2(mount, own[""])
            if budget is not None:
                return budget, budget.describe()
    budget = _v1(mounts, own)
    if budget is not None:
        return budget, budget.describe()
    return None, ("no cgroup we may write offers the pids or memory controller (delegate one, "
                  "e.g. run under `systemd-run --user -p Delegate=yes`)")
