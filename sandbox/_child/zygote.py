"""The fork server: warm once, then fork one isolated child per request and supervise it.

Protocol on fds 0 (requests) and 1 (replies), length-prefixed JSON frames:
  -> {"config": {...}}                               once: paths, environment, namespaces
  <- {"ready": pid, "base": dir}                     once warm
  -> {"request": {...}, "frame_cap": n, "out_cap": n} one at a time
  <- {"started": child_pid}                          so the parent can kill it on cancel
  <- {"done": raw}                                   raw facts from supervise(), bytes in base64
"""

from __future__ import annotations

import base64
import ctypes
import gc
import os
import sys
import tempfile
import types

from . import cleanup, entry, isolate, runner, supervise, wire

__all__ = ["main"]

PR_SET_CHILD_SUBREAPER = 36
_WARM_MODULES = (
    "re", "collections", "itertools", "functools", "math", "heapq", "bisect", "string",
    "typing", "dataclasses", "decimal", "fractions", "statistics", "random", "operator", "copy",
    "enum", "datetime", "textwrap", "traceback", "json", "ast", "abc", "numbers", "cmath",
)
_WARM_SOURCE = '''
from dataclasses import dataclass
@dataclass
class P:
    x: int = 0
def f(xs):
    """Doc."""
    return sorted({k: v for k, v in zip(xs, xs)}.items(), key=lambda kv: (kv[1], str(kv[0])))
try:
    f([3, 1, 2]); raise ValueError("warm")
except ValueError as e:
    import traceback; traceback.format_exception_only(type(e), e)
'''


def _read_exact(fd: int, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        data = os.read(fd, n - len(buf))
        if not data:
            raise EOFError
        buf += data
    return bytes(buf)


def _send(msg: dict) -> None:
    data = memoryview(wire.pack_frame(wire.dumps(msg)))
    while data:
        data = data[os.write(1, data) :]


def _warm() -> None:
    for name in _WARM_MODULES:
        __import__(name)
    module = types.ModuleType("sstar_warm")
    sys.modules[module.__name__] = module  # dataclasses look their module up there
    exec(compile(_WARM_SOURCE, "<warm>", "exec"), module.__dict__)
    del sys.modules[module.__name__]
    compile("x = 1; x\n", "<probe>", "single")
    ctypes.CDLL(None, use_errno=True)
    gc.collect()
    gc.freeze()  # children share these pages copy-on-write instead of touching them in GC


def _serve(msg: dict, prepared: isolate.Prepared, devnull: int) -> dict:
    request = msg["request"]
    workdir = prepared.workdir
    os.mkdir(workdir, 0o700)
    res_r, res_w = os.pipe()
    prog_r, prog_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            mapping = {0: devnull, 1: out_w, 2: out_w, runner.RESULT_FD: res_w,
                       runner.PROGRESS_FD: prog_w}
            if prepared.ruleset >= 0:
                mapping[isolate.RULESET_FD] = prepared.ruleset
            entry.place_fds(mapping)
            entry.child_main(prepared, request,
                             isolate.RULESET_FD if prepared.ruleset >= 0 else -1)
        finally:
            os._exit(70)
    for fd in (res_w, prog_w, out_w):
        os.close(fd)
    try:
        _send({"started": pid})
        raw = supervise.supervise(pid, res_r, prog_r, out_r,
                                  wall=float(request["limits"]["wall"]),
                                  frame_cap=int(msg["frame_cap"]), out_cap=int(msg["out_cap"]))
    finally:
        _reap_strays()
        cleanup.empty_dir(prepared.base)  # OSError: this zygote stops and is replaced
    if raw["frame"] and raw["killed"] is None and raw["exit"] == 0:
        raw["progress"] = b""  # the parent reads checkpoints only when the frame is missing
    for key in ("frame", "progress"):
        raw[key] = base64.b64encode(raw[key]).decode("ascii")
    return raw


def _reap_strays() -> None:
    """Kill and reap any orphan that was re-parented to us (we are a subreaper)."""
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children") as f:
            strays = [int(p) for p in f.read().split()]
    except OSError:
        strays = []
    for pid in strays:
        supervise.kill_group(pid)
    for pid in strays:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                break
        except ChildProcessError:
            break


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, ctypes.c_ulong(1), ctypes.c_ulong(0),
               ctypes.c_ulong(0), ctypes.c_ulong(0))
    isolate.die_with_parent(libc, int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid())
    devnull = os.open(os.devnull, os.O_RDWR)
    config = _recv()["config"]
    config["base"] = tempfile.mkdtemp(prefix="sstar-worker-", dir=config.get("tmp_base"))
    try:
        prepared = isolate.prepare(config)
        prepared.adopt_environment()
        _warm()
        _send({"ready": os.getpid(), "base": config["base"]})
        while True:
            try:
                msg = _recv()
            except EOFError:
                break
            _send({"done": _serve(msg, prepared, devnull)})
    finally:
        try:
            cleanup.remove_tree(config["base"])
        except OSError:
            pass  # the parent removes it too


def _recv() -> dict:
    (size,) = wire.HEADER.unpack(_read_exact(0, wire.HEADER.size))
    return wire.loads(_read_exact(0, size))
