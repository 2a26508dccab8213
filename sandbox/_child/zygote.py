"""The fork server: warm once, then fork one isolated child per request and supervise it.

Protocol on fds 0 (requests) and 1 (replies), length-prefixed frames:
  -> {"config": {...}}                               once: paths, environment, namespaces
  <- {"ready": pid, "base": host dir, "work": dir}   once warm (work: the workdir base it sees)
  -> {"run": {limits, frame_cap, out_cap, body}}     one at a time, then `body` raw bytes:
                                                     the JSON {source, steps, nonce, require}
  <- {"started": child_pid}                          so the parent can kill it on cancel
  <- {"done": facts, "sizes": [frame, progress, head]} then those raw bytes

No candidate data stays in the zygote, because every later child inherits its memory: the body
is read into a buffer that is wiped right after the fork (only the child parses it), and the
child's result, checkpoints and output head land in buffers that are sent raw and then wiped.
"""

from __future__ import annotations

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
    _write_all(memoryview(wire.pack_frame(wire.dumps(msg))))


def _write_all(data: memoryview) -> None:
    while data:
        data = data[os.write(1, data) :]


def _read_body(size: int) -> bytearray:
    """Exactly `size` bytes from fd 0, read into one buffer (no copies to wipe later)."""
    body = bytearray(size)
    view, got = memoryview(body), 0
    try:
        while got < size:
            n = os.readv(0, [view[got:]])
            if not n:
                raise EOFError
            got += n
    finally:
        view.release()
    return body


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


def _serve(run: dict, body: bytearray, prepared: isolate.Prepared, devnull: int,
           buffers: supervise.Buffers) -> None:
    limits = run["limits"]
    if prepared.slot is not None:
        prepared.slot.set_memory(int(limits["memory"]))  # OSError: replaced, as below
    oom_before = prepared.slot.oom_kills() if prepared.slot is not None else 0
    os.mkdir(prepared.workdir, 0o700)
    res_r, res_w = os.pipe()
    prog_r, prog_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            prepared.mark_victim()
            os.setsid()
            request = dict(_object(bytes(body)), limits=limits)
            mapping = {0: devnull, 1: out_w, 2: out_w, runner.RESULT_FD: res_w,
                       runner.PROGRESS_FD: prog_w}
            if prepared.ruleset >= 0:
                mapping[isolate.RULESET_FD] = prepared.ruleset
            entry.place_fds(mapping)
            entry.child_main(prepared, request,
                             isolate.RULESET_FD if prepared.ruleset >= 0 else -1)
        finally:
            os._exit(70)
    body[:] = bytes(len(body))  # the child has its own copy; later children must not
    for fd in (res_w, prog_w, out_w):
        os.close(fd)
    try:
        _send({"started": pid})
        facts = supervise.supervise(pid, res_r, prog_r, out_r, wall=float(limits["wall"]),
                                    frame_cap=int(run["frame_cap"]),
                                    out_cap=int(run["out_cap"]), buffers=buffers)
    finally:
        _reap_strays()
        cleanup.empty_dir(prepared.base)  # OSError: this zygote stops and is replaced
    facts["oom"] = prepared.slot is not None and prepared.slot.oom_kills() > oom_before
    parts = [buffers.view(name) for name in ("frame", "progress", "head")]
    if buffers.used["frame"] and facts["killed"] is None and facts["exit"] == 0:
        parts[1] = parts[1][:0]  # the parent reads checkpoints only when the frame is missing
    try:
        _send({"done": facts, "sizes": [len(p) for p in parts]})
        for part in parts:
            _write_all(part)
    finally:
        for part in parts:
            part.release()
        buffers.wipe()


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
    server = int(sys.argv[1]) if len(sys.argv) > 1 else os.getppid()
    isolate.die_with_parent(libc, server)
    devnull = os.open(os.devnull, os.O_RDWR)
    config = _recv()["config"]
    # The server's pid in the name: a later pool removes what a killed server left (host.py).
    config["base"] = tempfile.mkdtemp(prefix=f"sstar-worker-{server}-",
                                      dir=config.get("tmp_base"))
    try:
        prepared = isolate.prepare(config)
        prepared.adopt_environment()
        _warm()
        if prepared.slot is not None:
            prepared.slot.measure_baseline()
        buffers = supervise.Buffers()
        _send({"ready": os.getpid(), "base": config["base"], "work": prepared.base})
        while True:
            try:
                run = _recv()["run"]
                body = _read_body(int(run["body"]))
            except EOFError:
                break
            _serve(run, body, prepared, devnull, buffers)
    finally:
        try:
            cleanup.remove_tree(config["base"])
        except OSError:
            pass  # the parent removes it too


def _recv() -> dict:
    (size,) = wire.HEADER.unpack(_read_exact(0, wire.HEADER.size))
    return _object(_read_exact(0, size))


def _object(data: bytes) -> dict:
    msg = wire.loads(data)
    if type(msg) is not dict:
        raise wire.WireError("a message is not an object")
    return msg
