"""A hand-written seccomp-BPF filter (x86_64): no network, no new processes, no signals out.

Denied calls fail with EPERM, so candidates see an ordinary PermissionError. Threads stay
allowed (clone with CLONE_THREAD); clone3 answers ENOSYS so glibc falls back to clone, whose
flags the filter can inspect. Signals may only target the child itself. A foreign architecture
or the x32 ABI kills the process, so the syscall numbers below cannot be dodged.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

__all__ = ["Filter", "build_filter", "supported"]

AUDIT_ARCH_X86_64 = 0xC000003E
_X32_BIT = 0x40000000
CLONE_THREAD = 0x00010000

# x86_64 syscall numbers.
_DENY = {
    "socket": 41, "connect": 42, "accept": 43, "bind": 49, "listen": 50, "accept4": 288,
    "fork": 57, "vfork": 58, "execve": 59, "execveat": 322, "tkill": 200,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
    "pidfd_open": 434, "pidfd_send_signal": 424, "pidfd_getfd": 438,
    "unshare": 272, "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
    "fspick": 433, "mount_setattr": 442, "setsid": 112, "setpgid": 109,
    "setrlimit": 160, "prlimit64": 302, "keyctl": 250, "add_key": 248, "request_key": 249,
    "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "reboot": 169, "kexec_load": 246, "kexec_file_load": 320, "init_module": 175,
    "finit_module": 313, "delete_module": 176, "swapon": 167, "swapoff": 168, "acct": 163,
    "settimeofday": 164, "clock_settime": 227, "sethostname": 170, "setdomainname": 171,
    "iopl": 172, "ioperm": 173, "quotactl": 179, "name_to_handle_at": 303,
    "open_by_handle_at": 304,
}
_CLONE, _CLONE3, _KILL = 56, 435, 62
_TGKILL, _RT_SIGQUEUEINFO, _RT_TGSIGQUEUEINFO = 234, 129, 297

# BPF opcodes and seccomp return values.
_LD_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_RET_KILL_PROCESS = 0x80000000
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16  # struct seccomp_data; arg0 low 32 bits (LE)
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2


def supported() -> str | None:
    """None when this architecture has a syscall table here, else the reason it has not."""
    machine = platform.machine()
    return None if machine == "x86_64" else f"no syscall table for architecture {machine}"


def build_filter(pid: int) -> bytes:
    """The BPF program for a child whose pid is `pid` (signals may only target it)."""
    program, pid_slots, neg_slots = _build()
    buf = bytearray(program)
    for i in pid_slots:
        struct.pack_into("=I", buf, i * 8 + 4, pid & 0xFFFFFFFF)
    for i in neg_slots:
        struct.pack_into("=I", buf, i * 8 + 4, (-pid) & 0xFFFFFFFF)
    return bytes(buf)


def _build() -> tuple[bytes, list[int], list[int]]:
    """The program with placeholder pids, and the instructions to patch with pid and -pid."""
    pid = 0
    prog: list[tuple] = []  # (code, jt, jf, k); jt/jf are ints or label names

    def op(code, k, jt=0, jf=0):
        prog.append((code, jt, jf, k))

    op(_LD_ABS, _OFF_ARCH)
    op(_JEQ, AUDIT_ARCH_X86_64, 0, "kill")
    op(_LD_ABS, _OFF_NR)
    op(_JGE, _X32_BIT, "kill", 0)
    for nr in sorted(_DENY.values()):
        op(_JEQ, nr, "eperm", 0)
    op(_JEQ, _CLONE3, "enosys", 0)
    op(_JEQ, _CLONE, "clone", 0)
    op(_JEQ, _KILL, "kill_call", 0)
    for nr in (_TGKILL, _RT_SIGQUEUEINFO, _RT_TGSIGQUEUEINFO):
        op(_JEQ, nr, "self_only", 0)
    op(_RET, _RET_ALLOW)
    labels = {"clone": len(prog)}
    op(_LD_ABS, _OFF_ARG0)
    op(_JSET, CLONE_THREAD, "allow", "eperm")
    labels["kill_call"] = len(prog)
    op(_LD_ABS, _OFF_ARG0)  # the kernel reads pid_t: only the low 32 bits matter
    op(_JEQ, 0, "allow", 0)  # own process group (the child leads its own session)
    neg_slots = [len(prog)]
    op(_JEQ, (-pid) & 0xFFFFFFFF, "allow", 0)
    labels["self_only"] = len(prog)
    op(_LD_ABS, _OFF_ARG0)
    pid_slots = [len(prog)]
    op(_JEQ, pid, "allow", "eperm")
    for name, value in (
        ("allow", _RET_ALLOW),
        ("eperm", _RET_ERRNO | errno.EPERM),
        ("enosys", _RET_ERRNO | errno.ENOSYS),
        ("kill", _RET_KILL_PROCESS),
    ):
        labels[name] = len(prog)
        op(_RET, value)
    out = bytearray()
    for i, (code, jt, jf, k) in enumerate(prog):
        jt = labels[jt] - i - 1 if isinstance(jt, str) else jt
        jf = labels[jf] - i - 1 if isinstance(jf, str) else jf
        if not (0 <= jt < 256 and 0 <= jf < 256):
            raise ValueError("seccomp filter jump out of range")
        out += struct.pack("=HBBI", code, jt, jf, k)
    return bytes(out), pid_slots, neg_slots


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


class Filter:
    """A filter prepared once (in the zygote); install() patches in the child's pid."""

    def __init__(self, libc: ctypes.CDLL) -> None:
        reason = supported()
        if reason:
            raise OSError(errno.ENOSYS, reason)
        self.libc = libc
        program, self.pid_slots, self.neg_slots = _build()
        self.buf = ctypes.create_string_buffer(program, len(program))
        self.fprog = _SockFprog(len(program) // 8, ctypes.addressof(self.buf))
        self.zero = ctypes.c_ulong(0)
        self.mode = ctypes.c_ulong(SECCOMP_MODE_FILTER)
        self.description = (f"{len(program) // 8} BPF instructions, "
                            f"{len(_DENY) + 5} syscalls restricted")

    def install(self, pid: int) -> None:
        """Install on the calling thread (needs no_new_privs). Raises OSError."""
        for i in self.pid_slots:
            struct.pack_into("=I", self.buf, i * 8 + 4, pid & 0xFFFFFFFF)
        for i in self.neg_slots:
            struct.pack_into("=I", self.buf, i * 8 + 4, (-pid) & 0xFFFFFFFF)
        zero = self.zero
        if self.libc.prctl(PR_SET_SECCOMP, self.mode, ctypes.byref(self.fprog), zero, zero):
            err = ctypes.get_errno()
            raise OSError(err, f"prctl(PR_SET_SECCOMP): {errno.errorcode.get(err, err)}")
