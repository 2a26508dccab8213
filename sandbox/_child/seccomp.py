"""The children's seccomp filter: built once with libseccomp, installed in each child for ~10 us.

`build()` runs once per pool, in the parent (pyseccomp is imported there, lazily, so importing the
sandbox stays standard-library-only): libseccomp resolves the rules below for this machine's
architecture (x86_64, aarch64, ...) and exports raw BPF. Children receive those bytes, write their
own pid over the SELF placeholder and call prctl: no libseccomp in the child, no per-child build.

The filter is a deny-list (default ALLOW: CPython needs hundreds of calls). What it denies:
  network and processes   sockets (bind/connect/listen/accept), fork/vfork/exec, clone without
                          CLONE_THREAD or with namespace flags, clone3 (ENOSYS, so libc falls
                          back to clone, whose flags a filter can read)
  other processes         kill/tgkill/sigqueue except to the child's own pid, tkill, pidfd_*,
                          ptrace, process_vm_*, kcmp, process_madvise, F_SETOWN/F_SETSIG
  scheduling              setpriority/sched_set*/ioprio_set/prlimit64/migrate_pages/move_pages
                          unless they name the child itself (pid 0); prlimit64 may only read
  file metadata           chmod/chown/utime families (EPERM), every xattr call (ENOTSUP: what
                          libraries expect from a filesystem without xattrs), chattr ioctls
  fs events               inotify_*, fanotify_*
  persistence             SysV shm/msg/sem and POSIX mqueues (they outlive the child in the
                          worker's IPC namespace), memfd_secret; memfd_create when no cgroup
                          counts memory
  kernel surface          namespaces and mounts, keyrings, bpf, perf, userfaultfd, io_uring,
                          modules, reboot, clocks, hostname, quotas, handles, personality changes
A foreign architecture or x32 call kills the process, so numbers cannot be dodged.
"""

from __future__ import annotations

import base64
import ctypes
import errno
import struct
from dataclasses import dataclass

__all__ = ["Program", "build", "Installer", "SELF"]

SELF = 0x7ACED00D  # placeholder for the child's pid in the exported program
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
_ATTR_OPTIMIZE = 8  # SCMP_FLTATR_CTL_OPTIMIZE (pyseccomp 0.1 predates it)
_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_LOW32 = 0xFFFFFFFF
CLONE_THREAD = 0x00010000
_CLONE_NAMESPACES = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                     0x40000000)  # NEWNS NEWCGROUP NEWUTS NEWIPC NEWUSER NEWPID NEWNET
# Calls newer than the libseccomp a host may have; numbers >= 424 are the same on every arch.
_NEWER = {"statmount": 457, "listmount": 458, "lsm_set_self_attr": 460, "setxattrat": 463,
          "getxattrat": 464, "listxattrat": 465, "removexattrat": 466, "open_tree_attr": 467,
          "file_getattr": 468, "file_setattr": 469}

NETWORK = ("socket", "connect", "accept", "accept4", "bind", "listen")
PROCESSES = ("fork", "vfork", "execve", "execveat")
OTHERS = ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "process_madvise",
          "process_mrelease", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "tkill")
KERNEL = (
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "open_tree_attr", "statmount",
    "listmount", "setsid", "setpgid", "setuid", "setgid", "setreuid", "setregid", "setresuid",
    "setresgid", "setfsuid", "setfsgid", "setgroups", "setrlimit", "keyctl", "add_key",
    "request_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "reboot", "kexec_load", "kexec_file_load", "init_module",
    "finit_module", "delete_module", "swapon", "swapoff", "acct", "settimeofday",
    "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname", "iopl",
    "ioperm", "modify_ldt", "quotactl", "quotactl_fd", "name_to_handle_at", "open_by_handle_at",
    "lookup_dcookie", "vhangup", "syslog", "uselib", "ustat", "sysfs", "_sysctl", "nfsservctl",
    "lsm_set_self_attr",
)
METADATA = ("chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
            "utime", "utimes", "utimensat", "futimesat", "file_setattr", "file_getattr")
XATTR = tuple(f"{p}{op}xattr{s}" for op in ("set", "get", "list", "remove")
              for p, s in (("", ""), ("l", ""), ("f", ""), ("", "at")))
FS_EVENTS = ("inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch",
             "fanotify_init", "fanotify_mark")
PERSISTENT = ("shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl", "semget",
              "semop", "semtimedop", "semctl", "mq_open", "mq_unlink", "mq_timedsend",
              "mq_timedreceive", "mq_notify", "mq_getsetattr", "memfd_secret")
# (call, argument index, allowed value): denied unless that argument is the value.
ONLY = (
    ("kill", 0, SELF), ("tgkill", 0, SELF), ("rt_sigqueueinfo", 0, SELF),
    ("rt_tgsigqueueinfo", 0, SELF),
    ("setpriority", 0, 0), ("setpriority", 1, 0),  # PRIO_PROCESS of pid 0 (the caller)
    ("sched_setscheduler", 0, 0), ("sched_setparam", 0, 0), ("sched_setaffinity", 0, 0),
    ("sched_setattr", 0, 0), ("ioprio_set", 0, 1), ("ioprio_set", 1, 0),  # WHO_PROCESS, self
    ("prlimit64", 0, 0), ("prlimit64", 2, 0),  # own limits, read only
    ("migrate_pages", 0, 0), ("move_pages", 0, 0), ("personality", 0, _LOW32),  # query only
)
# (call, argument index, forbidden 32-bit value)
NEVER = (
    ("fcntl", 1, 8), ("fcntl", 1, 15), ("fcntl", 1, 10),  # F_SETOWN, F_SETOWN_EX, F_SETSIG
    ("ioctl", 1, 0x5412), ("ioctl", 1, 0x541C),  # TIOCSTI, TIOCLINUX
    ("ioctl", 1, 0x40086602), ("ioctl", 1, 0x40046602),  # FS_IOC_SETFLAGS (chattr)
    ("ioctl", 1, 0x401C5820),  # FS_IOC_FSSETXATTR
)


@dataclass(frozen=True)
class Program:
    """Exported BPF plus where the SELF placeholder sits, ready to send to children."""

    bpf: bytes
    self_slots: tuple[int, ...]  # instruction indices whose constant is the child's pid
    description: str
    threads: bool
    memfd: bool

    def to_config(self) -> dict:
        return {"bpf": base64.b64encode(self.bpf).decode("ascii"), "self": list(self.self_slots),
                "threads": self.threads, "memfd": self.memfd, "description": self.description}


def build(*, threads: bool, memfd: bool) -> Program:
    """Build the filter for this host. Raises OSError (or ImportError) when libseccomp is missing.

    threads: allow clone(CLONE_THREAD) (False when nothing else bounds the task count);
    memfd: allow memfd_create (True only when a cgroup counts the child's memory).
    """
    import os

    import pyseccomp as sc  # type: ignore[import-untyped, unused-ignore]

    deny, unsupported = sc.ERRNO(errno.EPERM), sc.ERRNO(errno.ENOTSUP)
    f = sc.SyscallFilter(sc.ALLOW)
    f.set_attr(sc.Attr.ACT_BADARCH, sc.KILL_PROCESS)
    try:  # a binary tree of syscall numbers: allowed calls pass ~10 checks instead of ~200
        f.set_attr(_ATTR_OPTIMIZE, 2)
    except OSError:
        pass  # libseccomp < 2.5: a linear list, slower per call but the same rules
    skipped: list[str] = []

    def rule(action: int, name: str, *args) -> None:
        nr = _number(sc, name)
        if nr is None:
            skipped.append(name)
            return
        if nr >= 0:  # negative: libseccomp knows the call but this arch has no such call
            f.add_rule(action, nr, *args)

    for name in (*NETWORK, *PROCESSES, *OTHERS, *KERNEL, *METADATA, *FS_EVENTS, *PERSISTENT):
        rule(deny, name)
    for name in XATTR:
        rule(unsupported, name)
    if not memfd:
        rule(deny, "memfd_create")
    rule(sc.ERRNO(errno.ENOSYS), "clone3")
    if threads:
        rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
        for flag in _CLONE_NAMESPACES:
            rule(deny, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    else:
        rule(deny, "clone")
    for name, index, value in ONLY:
        rule(deny, name, sc.Arg(index, sc.NE, value))
    for name, index, value in NEVER:
        rule(deny, name, sc.Arg(index, sc.MASKED_EQ, _LOW32, value))
    read, write = os.pipe()
    try:
        with open(write, "wb", closefd=False) as out:
            f.export_bpf(out)
        os.close(write)
        write = -1
        bpf = b"".join(iter(lambda: os.read(read, 1 << 16), b""))
    finally:
        os.close(read)
        if write >= 0:
            os.close(write)
    slots = tuple(i for i in range(len(bpf) // 8)
                  if struct.unpack_from("=HBBI", bpf, i * 8)[::3] == (_JEQ_K, SELF))
    if not slots:  # libseccomp shares one check among the signal calls; none is a surprise
        raise OSError(errno.EINVAL, "libseccomp's program has no slot for the child's pid")
    note = f"; unknown to libseccomp here: {', '.join(skipped)}" if skipped else ""
    description = (f"{len(bpf) // 8} BPF instructions from libseccomp "
                   f"{'.'.join(map(str, _version(sc)))}{note}")
    return Program(bpf, slots, description, threads, memfd)


def _number(sc, name: str) -> int | None:
    nr = sc.resolve_syscall(sc.Arch.NATIVE, name)
    if nr == -1:  # __NR_SCMP_ERROR: this libseccomp does not know the name
        return _NEWER.get(name)
    return nr


def _version(sc) -> tuple[int, ...]:
    lib = sc._libseccomp
    lib.seccomp_version.restype = ctypes.POINTER(ctypes.c_uint * 3)
    return tuple(lib.seccomp_version().contents)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class Installer:
    """The program held in a ctypes buffer (made in the zygote); install() runs in the child."""

    def __init__(self, libc: ctypes.CDLL, config: dict) -> None:
        bpf = base64.b64decode(config["bpf"])
        self.libc = libc
        self.slots = [int(i) for i in config["self"]]
        self.buf = ctypes.create_string_buffer(bpf, len(bpf))
        self.fprog = _SockFprog(len(bpf) // 8, ctypes.addressof(self.buf))
        self.threads = bool(config["threads"])
        self.memfd = bool(config["memfd"])

    def install(self, pid: int) -> None:
        """Patch in `pid` and install on the calling thread (needs no_new_privs). OSError."""
        for i in self.slots:
            struct.pack_into("=I", self.buf, i * 8 + 4, pid & _LOW32)
        zero = ctypes.c_ulong(0)
        if self.libc.prctl(PR_SET_SECCOMP, ctypes.c_ulong(SECCOMP_MODE_FILTER),
                           ctypes.byref(self.fprog), zero, zero):
            err = ctypes.get_errno()
            raise OSError(err, f"prctl(PR_SET_SECCOMP): {errno.errorcode.get(err, err)}")
