"""Isolation layers for sandbox children, split into an expensive part done once per zygote
(`prepare`: cgroup files, the read-only view, the workdir's private tmpfs, Landlock ruleset,
seccomp program, environment) and a cheap part done in every forked child (`mark_victim`, then
`enter`: a handful of syscalls), because Python work after fork costs page faults.

Order in `enter` matters: rlimits, no_new_privs, capabilities, Landlock, then seccomp last (it
forbids setrlimit). Layer states are [state, detail] with state "ok", "weaker" or "missing"; the
parent builds its typed report from the start-up probe's states only.
"""

from __future__ import annotations

import ctypes
import os
import platform
import sys
import tempfile

from . import budget, landlock, privileges, rlimits, seccomp, view

__all__ = ["Prepared", "prepare", "enter", "die_with_parent", "LAYERS", "RULESET_FD", "applied",
           "regressed"]

LAYERS = (
    "process_group", "clean_env", "workdir", "workdir_quota", "rlimits", "no_new_privs",
    "capabilities", "landlock_fs", "landlock_net", "landlock_scope", "seccomp", "metadata_calls",
    "scheduling_calls", "fs_events", "pid_budget", "memory_budget", "private_view",
    "read_policy", "user_namespace", "net_namespace",
)
RULESET_FD = 5  # where a forked child keeps the Landlock ruleset until it applies it
PR_SET_PDEATHSIG = 1
_LANDLOCK = ("landlock_fs", "landlock_net", "landlock_scope")
_BUDGETS = ("pid_budget", "memory_budget")
_MS_FLAGS = 2 | 4 | 8  # MS_NOSUID | MS_NODEV | MS_NOEXEC
_INODES = 16384  # files and directories a run may create (bounds the cleanup too)
_SECRET_MARKERS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "AUTH")


def ok(detail: str) -> list[str]:
    return ["ok", detail]


def weaker(detail: str) -> list[str]:
    return ["weaker", detail]


def missing(detail: str) -> list[str]:
    return ["missing", detail]


def applied(state: list[str] | None) -> bool:
    return bool(state) and state[0] in ("ok", "weaker")  # type: ignore[index]


def regressed(prepared: dict[str, list[str]], entered: dict[str, list[str]]) -> list[str]:
    """Layers `prepare` promised (and the start-up probe reported) that this child lacks."""
    return [n for n in LAYERS if applied(prepared.get(n)) and not applied(entered.get(n))]


class Prepared:
    """Everything a child needs to isolate itself, computed before forking."""

    def __init__(self, config: dict) -> None:
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.machine = platform.machine()
        # Forked children's parent is the zygote preparing this; a fresh child's is named.
        self.parent = int(config.get("parent_pid") or os.getpid())
        host_ns = config.get("host_ns") or {}
        self.layers: dict[str, list[str]] = {}
        for kind in ("user", "net"):
            self.layers[f"{kind}_namespace"] = _namespace(kind, host_ns.get(kind))
        self.budget_modes = config["budget"]
        self.slot, self.budget_error = None, ""
        if config["budget"]["slot"]:
            try:  # before the view hides /sys and /proc
                self.slot = budget.Slot(config["budget"]["slot"])
                self.slot.join()
            except OSError as exc:
                self.budget_error = f"cannot join the cgroup ({exc.strerror or exc})"
        private_mnt = _namespace("mnt", host_ns.get("mnt"))[0] == "ok"  # before /proc goes
        workspace = self._view(config, private_mnt)
        self.workdir = os.path.join(self.base, "run")
        self.sys_path = ([workspace] if workspace else []) + list(config["sys_path"])
        self.env = dict(config["env"], HOME=self.workdir, TMPDIR=self.workdir)
        leaked = [k for k in self.env if any(m in k.upper() for m in _SECRET_MARKERS)]
        self.layers["clean_env"] = (missing(f"leaked {leaked}") if leaked
                                    else ok(f"{len(self.env)} variables"))
        self.layers["workdir"] = ok("private directory, removed after each run")
        self.layers["workdir_quota"] = _private_tmpfs(self.libc, self.base,
                                                      int(config.get("workdir_bytes") or 0),
                                                      private_mnt)
        self.ruleset = -1
        reads = list(config["read_paths"]) + ([workspace] if workspace else [])
        try:
            self.ruleset, got = landlock.build_ruleset(self.libc, reads, [self.base],
                                                       config["rw_files"])
            for name in _LANDLOCK:
                self.layers[name] = ok(got[name]) if name in got else missing(
                    "kernel Landlock ABI too old for this feature")
        except OSError as exc:
            for name in _LANDLOCK:
                self.layers[name] = missing(f"Landlock unavailable ({exc.strerror or exc})")
        self.filter: seccomp.Installer | None = None
        if "error" in config["seccomp"]:
            self.layers["seccomp"] = missing(config["seccomp"]["error"])
        else:
            self.filter = seccomp.Installer(self.libc, config["seccomp"])
            self.layers["seccomp"] = ok(config["seccomp"]["description"])
        self._filter_layers(config["seccomp"].get("error"))

    def _view(self, config: dict, private_mnt: bool) -> str | None:
        """Build the read-only view; returns the workspace path the child may read, if any."""
        self.base = config["base"]
        workspace, hidden = config.get("workspace"), list(config.get("hidden") or ())
        if not private_mnt:
            self.layers["private_view"] = missing(
                "no private mount namespace: stat and listdir see the host's files (Landlock "
                "still denies reading them) and host files are not read-only mounts")
        else:
            reads = list(config["read_paths"]) + ([workspace] if workspace else [])
            try:
                mounts, covered = view.build(self.libc, self.base, reads, hidden, self.machine)
                self.layers["private_view"] = ok(
                    f"a read-only root of {mounts} mounts holding only the readable paths "
                    f"({covered} hidden entries covered)")
            except view.ViewError as exc:
                self.layers["private_view"] = missing(str(exc))
            if os.path.isdir(view.WORK_BASE) and not os.path.isdir(self.base):
                self.base = view.WORK_BASE  # the pivot happened
        note = config.get("read_note") or ""
        if workspace and hidden and not applied(self.layers["private_view"]):
            note = ("candidates read the interpreter, its libraries and none of your files: "
                    "the view that hides secrets in the workspace could not be built")
            workspace = None
        self.layers["read_policy"] = ok(note)
        return workspace

    def _filter_layers(self, error: str | None) -> None:
        view_ok = applied(self.layers.get("private_view"))
        modes, note = self.budget_modes, self.budget_modes.get("note", "")
        if error is None:
            self.layers["metadata_calls"] = ok(
                "chmod, chown, utime and xattr calls denied (host files are also read-only "
                "mounts)" if view_ok else "chmod, chown, utime and xattr calls denied")
            self.layers["scheduling_calls"] = ok(
                "setpriority, sched_set*, ioprio_set and prlimit64 only on the child itself")
            self.layers["fs_events"] = ok("inotify and fanotify denied")
        else:
            why = "no seccomp filter"
            self.layers["metadata_calls"] = (weaker(f"{why}; host files are read-only mounts")
                                             if view_ok else missing(why))
            self.layers["scheduling_calls"] = missing(why)
            self.layers["fs_events"] = (weaker(f"{why}; inotify sees only the view")
                                        if view_ok else missing(why))
        nproc = modes.get("nproc")
        if self.budget_error:
            self.layers["pid_budget"] = self.layers["memory_budget"] = missing(self.budget_error)
            return
        self.layers["pid_budget"] = {
            "cgroup": ok(f"cgroup pids.max={nproc} per child, threads included ({note})"),
            "rlimit": ok(f"RLIMIT_NPROC={nproc} in the worker's own user namespace, threads "
                         f"included (no cgroup: {note})"),
        }.get(modes["pids"]) or (
            weaker(f"threads denied: no cgroup ({note}) and RLIMIT_NPROC does not bind host "
                   "root") if error is None else missing(f"no cgroup ({note}) and no seccomp"))
        if modes["memory"] == "cgroup":
            self.layers["memory_budget"] = ok(
                f"cgroup memory limit = the run's memory limit, swap off: memfd, shared memory "
                f"and page tables count ({note})")
        else:
            self.layers["memory_budget"] = (
                weaker(f"RLIMIT_AS only, with memfd_create and SysV/POSIX shared memory denied "
                       f"(no cgroup: {note})") if error is None
                else missing(f"RLIMIT_AS only and no seccomp to deny memfd (no cgroup: {note})"))

    def adopt_environment(self) -> None:
        """Make this process's environment the child's (the zygote does it once)."""
        os.environ.clear()  # also clears the C-level environ
        os.environ.update(self.env)
        tempfile.tempdir = self.workdir

    def mark_victim(self) -> None:
        """In the child, right after fork: the OOM killer's first choice in the budget cgroup."""
        if self.slot is not None:
            self.slot.mark_victim()


def _namespace(kind: str, host: str | None) -> list[str]:
    try:
        mine = os.readlink(f"/proc/self/ns/{kind}")
    except OSError as exc:
        return missing(f"cannot read /proc/self/ns/{kind} ({exc.strerror})")
    if host and mine != host:
        return ok(mine)
    return missing("the sandbox shares the host's namespace (no unshare/bwrap)")


def _private_tmpfs(libc: ctypes.CDLL, base: str, size: int, private_mnt: bool) -> list[str]:
    """Mount a size-limited tmpfs on `base`, but only inside a private mount namespace."""
    if not private_mnt:
        # Mounting here would change the user's own mount table: never do that.
        return missing("no private mount namespace (no unshare), so /tmp usage is unbounded")
    if size <= 0:
        return missing("no size configured")
    options = f"size={size},nr_inodes={_INODES},mode=0700".encode()
    if libc.mount(b"tmpfs", base.encode(), b"tmpfs", ctypes.c_ulong(_MS_FLAGS), options) != 0:
        return missing(f"mount of a tmpfs failed ({os.strerror(ctypes.get_errno())})")
    return ok(f"private tmpfs of {size >> 20} MiB and {_INODES} inodes, nosuid nodev noexec")


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


def enter(p: Prepared, limits: dict, ruleset_fd: int) -> dict[str, list[str]]:
    """Apply the layers in the calling (child) process; returns the layer states."""
    layers = dict(p.layers)
    pid = os.getpid()
    layers["process_group"] = (ok("own session, dies with its supervisor")
                               if os.getsid(0) == pid else missing("not a session leader"))
    if p.budget_error:
        layers["pid_budget"] = layers["memory_budget"] = missing(p.budget_error)
    die_with_parent(p.libc, p.parent)
    os.chdir(p.workdir)
    sys.path[:] = p.sys_path
    sys.dont_write_bytecode = True
    nproc = p.budget_modes.get("nproc") if p.budget_modes["pids"] == "rlimit" else None
    try:
        layers["rlimits"] = ok(rlimits.apply_rlimits(int(limits["memory"]),
                                                     float(limits["wall"]), nproc))
    except (OSError, ValueError) as exc:
        layers["rlimits"] = missing(f"setrlimit failed ({exc})")
    try:
        privileges.no_new_privs(p.libc)
        layers["no_new_privs"] = ok("set")
    except OSError as exc:
        layers["no_new_privs"] = missing(str(exc))
    try:
        privileges.drop_capabilities(p.libc, p.machine)
        layers["capabilities"] = ok("all dropped (effective, permitted, inheritable, ambient)")
    except OSError as exc:
        layers["capabilities"] = missing(str(exc))
    if ruleset_fd >= 0:
        try:
            landlock.restrict_self(p.libc, ruleset_fd)
        except OSError as exc:
            for name in _LANDLOCK:
                layers[name] = missing(f"landlock_restrict_self failed ({exc.strerror})")
        os.close(ruleset_fd)
    if p.filter is not None:
        try:
            p.filter.install(pid)
        except OSError as exc:
            layers["seccomp"] = missing(f"{exc.strerror or exc}")
            for name in ("metadata_calls", "scheduling_calls", "fs_events", *_BUDGETS):
                if name not in _BUDGETS or layers[name][0] == "weaker":  # those rest on it
                    layers[name] = missing("the seccomp filter failed to install")
    return layers
