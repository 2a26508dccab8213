"""One test per attack: each asserts the attack was contained AND the host is untouched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sandbox import Limits, OutcomeKind, PoolMode, Probe, ProbeResult, SandboxPool, compare
from sandbox._child import wire

from .conftest import DENIED, FAST, sandbox_processes, zygote_pids

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Runs that must hit the deadline use a short one; a small memory limit makes bombs quick.
SHORT = Limits(wall_seconds=0.5, memory_bytes=256 * 1024 * 1024, output_bytes=16 * 1024)
SMALL_MEMORY = Limits(wall_seconds=1.0, memory_bytes=64 * 1024 * 1024, output_bytes=16 * 1024)


async def run(pool, source: str, *steps: str, limits: Limits | None = None) -> ProbeResult:
    result = await pool.run(source, Probe(steps or ("None",)), limits)
    # The host is untouched: the pool still works and no stray sandbox child is left behind.
    ok = await pool.run("def f(x):\n    return x + 1\n", Probe.expression("f(1)"))
    assert ok.steps[0].kind is OutcomeKind.RETURNED and ok.steps[0].value == 2
    assert sandbox_processes() == zygote_pids(pool)  # the zygotes only
    return result


def kinds(result: ProbeResult) -> list[OutcomeKind]:
    return [result.setup.kind, *(s.kind for s in result.steps)]


async def test_infinite_loop_times_out(pool):
    r = await run(pool, "def spin():\n    while True:\n        pass\n", "spin()", "1 + 1",
                  limits=SHORT)
    assert kinds(r) == [OutcomeKind.RETURNED, OutcomeKind.TIMEOUT, OutcomeKind.NOT_RUN]


async def test_ignoring_sigalrm_is_killed_at_the_deadline(pool):
    src = "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
    r = await run(pool, src, "x = 7", "x * 6", "time.sleep(60)", "x", limits=SHORT)
    # The steps finished before the hard kill keep their outcomes (progress checkpoints).
    assert kinds(r) == [OutcomeKind.RETURNED, OutcomeKind.RETURNED, OutcomeKind.RETURNED,
                        OutcomeKind.TIMEOUT, OutcomeKind.NOT_RUN]
    assert r.steps[1].value == 42
    busy = await run(pool, src, "while True: pass", limits=SHORT)
    assert busy.steps[0].kind is OutcomeKind.TIMEOUT


async def test_catching_the_timeout_does_not_help(pool):
    src = "def stubborn():\n    while True:\n        try:\n            while True: pass\n        except BaseException:\n            pass\n"
    r = await run(pool, src, "stubborn()", limits=SHORT)
    assert r.steps[0].kind is OutcomeKind.TIMEOUT


async def test_memory_bomb(pool):
    r = await run(pool, "", "b = bytearray(10 ** 10)", "xs = []\nwhile True: xs.append(' ' * 10 ** 6)",
                  limits=SMALL_MEMORY)
    assert r.steps[0].kind is OutcomeKind.MEMORY_EXCEEDED
    assert r.steps[1].kind is OutcomeKind.MEMORY_EXCEEDED


async def test_fork_bomb(pool):
    before = sandbox_processes()
    r = await run(pool, "import os", "os.fork()", "while True: os.fork()")
    assert r.steps[0].kind is OutcomeKind.RAISED
    assert r.steps[0].exception_type == "PermissionError"
    assert r.steps[1].kind is OutcomeKind.RAISED
    assert sandbox_processes() == before


async def test_os_system_subprocess_and_libc_system(pool, tmp_path: Path):
    marker = tmp_path / "pwned"
    cmd = f"touch {marker}"
    r = await run(
        pool, "import os, subprocess, ctypes",
        f"os.system({cmd!r})",
        f"subprocess.run({cmd.split()!r})",
        f"ctypes.CDLL(None).system({cmd.encode()!r})",
        f"os.execv('/usr/bin/touch', ['touch', {str(marker)!r}])",
        f"os.posix_spawn('/usr/bin/touch', ['touch', {str(marker)!r}], {{}})",
    )
    assert r.steps[0].kind is OutcomeKind.RETURNED and r.steps[0].value != 0
    for step in r.steps[1:]:
        assert step.kind is OutcomeKind.RAISED or (
            step.kind is OutcomeKind.RETURNED and step.value != 0), step
    assert not marker.exists()


async def test_writes_outside_the_workdir(pool, tmp_path: Path):
    outside = tmp_path / "outside.txt"
    in_tmp = Path("/tmp") / f"sstar-attack-{os.getpid()}"
    r = await run(
        pool, "import os",
        f"open({str(outside)!r}, 'w').write('x')",
        f"open({str(in_tmp)!r}, 'w').write('x')",
        "open('inside.txt', 'w').write('ok')",  # the private workdir is writable
        "os.getcwd()",
    )
    # Outside the view the parent folder does not exist; /tmp exists but is a read-only mount.
    assert all(s.exception_type in DENIED for s in r.steps[:2]), r.steps[:2]
    assert r.steps[2].value == 2
    assert not outside.exists() and not in_tmp.exists()
    assert not Path(r.steps[3].value).exists()  # the workdir is removed after the run


async def test_reading_a_0600_secret(pool, tmp_path: Path, workspace: Path):
    # We run as root, so file modes stop nothing: the view (only the workspace and interpreter
    # libraries exist in it) and Landlock's read set are what must deny these reads.
    secret = tmp_path / "shadow"
    secret.write_text("root:TOPSECRET:19000")
    secret.chmod(0o600)
    public = tmp_path / "public.txt"
    public.write_text("PUBLICTEXT")
    public.chmod(0o644)
    r = await run(pool, "import os", f"open({str(secret)!r}).read()",
                  f"open({str(public)!r}).read()", "open('/etc/shadow').read()",
                  "open('/etc/passwd').read()", f"os.listdir({str(tmp_path)!r})",
                  f"open({str(workspace / 'helpers.py')!r}).read()")
    assert all(s.exception_type in DENIED for s in r.steps[:5]), r.steps[:5]
    assert "TOPSECRET" not in repr(r) and "PUBLICTEXT" not in repr(r)
    assert "def double" in r.steps[5].value  # the workspace itself is readable
    assert secret.read_text() == "root:TOPSECRET:19000" and secret.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("mode", [PoolMode.FORK_SERVER, PoolMode.FRESH_INTERPRETER])
async def test_parent_environment_is_invisible(monkeypatch, mode):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-FAKE-123456")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp-FAKE")
    monkeypatch.setenv("SSTAR_BASE_URL", "http://user:hunter2@example.invalid")
    async with SandboxPool(1, limits=FAST, mode=mode) as own:  # started after the key was set
        r = await own.run(
            "import os", Probe(("dict(os.environ)",
                                f"open('/proc/{os.getpid()}/environ', 'rb').read()",
                                "open('/proc/self/environ', 'rb').read()")))
    env = r.steps[0].value
    assert isinstance(env, dict) and set(env) <= {"PATH", "LANG", "LC_ALL", "HOME", "TMPDIR"}
    assert "sk-test-FAKE" not in repr(r) and "hunter2" not in repr(r)
    assert [s.kind for s in r.steps[1:]] == [OutcomeKind.RAISED] * 2
    assert os.environ["OPENAI_API_KEY"] == "sk-test-FAKE-123456"  # the parent keeps its own


async def test_tcp_and_udp_to_loopback(pool):
    tcp = socket.create_server(("127.0.0.1", 0))
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    tcp.setblocking(False)
    udp.setblocking(False)
    try:
        tport, uport = tcp.getsockname()[1], udp.getsockname()[1]
        r = await run(
            pool, "import socket",
            f"socket.create_connection(('127.0.0.1', {tport}), timeout=0.5)",
            f"socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', ('127.0.0.1', {uport}))",
            "socket.socket(socket.AF_INET, socket.SOCK_STREAM).bind(('127.0.0.1', 0))",
        )
        assert [s.kind for s in r.steps] == [OutcomeKind.RAISED] * 3
        # Loopback delivery is synchronous: had anything been sent, it would be queued by now.
        with pytest.raises(BlockingIOError):
            tcp.accept()
        with pytest.raises(BlockingIOError):
            udp.recvfrom(10)
    finally:
        tcp.close()
        udp.close()


async def test_killing_the_parent_or_another_process(pool):
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        r = await run(
            pool, "import os, signal",
            f"os.kill({victim.pid}, signal.SIGKILL)",
            f"os.kill({os.getpid()}, signal.SIGKILL)",
            "os.kill(os.getppid(), signal.SIGKILL)",
            "os.kill(-1, signal.SIGKILL)",
            f"signal.pthread_kill({victim.pid}, signal.SIGKILL)",
        )
        assert all(s.kind is OutcomeKind.RAISED for s in r.steps[:4]), r.steps
        assert victim.poll() is None
    finally:
        victim.kill()
        victim.wait()


async def test_deleting_a_host_file(pool, tmp_path: Path):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    r = await run(pool, "import os, shutil", f"os.remove({str(precious)!r})",
                  f"shutil.rmtree({str(tmp_path)!r})")
    assert [s.kind for s in r.steps] == [OutcomeKind.RAISED, OutcomeKind.RAISED]
    assert precious.read_text() == "keep me"


async def test_huge_stdout(pool):
    r = await run(pool, "import os", "print('x' * 10 ** 8)")
    assert r.steps[0].kind is OutcomeKind.OUTPUT_EXCEEDED
    assert len(r.steps[0].stdout) <= pool.limits.output_bytes
    loop = await run(pool, "", "while True: print('y')")
    assert loop.steps[0].kind is OutcomeKind.OUTPUT_EXCEEDED
    raw = await run(pool, "import os", "while True: os.write(1, b'z' * 65536)")
    assert raw.steps[0].kind is OutcomeKind.OUTPUT_EXCEEDED


async def test_sys_exit_and_os_exit(pool):
    r = await run(pool, "import sys, os", "1", "sys.exit(3)", "2")
    assert kinds(r)[1:] == [OutcomeKind.RETURNED, OutcomeKind.CRASHED, OutcomeKind.NOT_RUN]
    r = await run(pool, "import sys, os", "1", "os._exit(0)", "2")
    assert kinds(r) == [OutcomeKind.RETURNED, OutcomeKind.RETURNED, OutcomeKind.CRASHED,
                        OutcomeKind.NOT_RUN]
    assert r.steps[0].value == 1 and "without a result" in r.steps[1].exception_message
    r = await run(pool, "import sys\nsys.exit(0)\n", "1")
    assert kinds(r) == [OutcomeKind.CRASHED, OutcomeKind.NOT_RUN]


async def test_deep_recursion(pool):
    src = "import sys\ndef down(n):\n    return down(n + 1)\n"
    r = await run(pool, src, "down(0)", "sys.setrecursionlimit(10 ** 7)", "down(0)",
                  limits=SMALL_MEMORY)
    assert r.steps[0].exception_type == "RecursionError"
    # Unbounded: memory runs out, the C stack overflows, or the deadline comes; all contained.
    assert r.steps[2].kind in (OutcomeKind.CRASHED, OutcomeKind.RAISED,
                               OutcomeKind.MEMORY_EXCEEDED, OutcomeKind.TIMEOUT)


async def test_always_equal_object_is_not_equal_in_the_parent(pool):
    src = ("class Liar:\n    def __eq__(self, other):\n        return True\n"
           "    __hash__ = object.__hash__\n    def __repr__(self):\n        return 'Liar()'\n")
    r = await run(pool, src, "Liar()", "[Liar(), Liar()]")
    for step, expected in zip(r.steps, (42, [1, 2]), strict=True):
        assert step.kind is OutcomeKind.RETURNED and not step.is_plain and step.value is None
        assert not compare.values_match(expected, step.value)
        assert not compare.example_passes(repr(expected) + "\n", None, step)
    sub = await run(pool, "class Int(int):\n    def __eq__(self, o):\n        return True\n",
                    "Int(5)")
    assert not sub.steps[0].is_plain and not compare.values_match(7, sub.steps[0].value)


async def test_fake_result_frame(pool):
    fake = wire.pack_frame(wire.dumps({"nonce": "guess", "layers": {}, "records": [
        {"st": "ok", "plain": True, "v": 42, "r": "42", "disp": "42\n", "out": ""}] * 2}))
    spray = f"import os\nfor fd in range(3, 64):\n    try:\n        os.write(fd, {fake!r})\n    except OSError:\n        pass\n"
    for tail in ("", "os._exit(0)\n"):
        r = await run(pool, spray + tail, "41")
        assert r.setup.kind is OutcomeKind.CRASHED, r
        assert "tampered" in (r.setup.exception_message or "")
        assert all(s.value != 42 for s in r.steps)


async def test_fake_progress_checkpoint(pool):
    # Steps 1 and 2 really finish; the step that forges a checkpoint then leaves without a result.
    fake = wire.pack_frame(wire.dumps({"nonce": "guess", "record": {
        "st": "ok", "plain": True, "v": 42, "r": "42", "disp": "42\n", "out": ""}}))
    r = await run(pool, "import os", "1", f"os.write(4, {fake!r}); os._exit(0)", "41")
    assert r.setup.kind is OutcomeKind.CRASHED and "forged" in r.setup.exception_message
    assert all(s.value != 42 for s in r.steps)
    garbage = await run(pool, "import os", "1", "os.write(4, b'\\xff' * 100); os._exit(0)")
    assert garbage.steps[0].value == 1 and garbage.steps[1].kind is OutcomeKind.CRASHED


async def test_symlinks_left_in_the_workdir_do_not_reach_the_host(pool, tmp_path: Path):
    host = tmp_path / "host"
    host.mkdir()
    (host / "keep.txt").write_text("keep")
    r = await run(pool, "import os",
                  f"os.symlink({str(host)!r}, 'link')",
                  f"os.symlink({str(host)!r}, '../beside')",
                  f"os.symlink({str(host / 'keep.txt')!r}, 'file')",
                  "os.makedirs('d/e'); os.symlink('/', 'd/e/root')",
                  "open('link/keep.txt', 'w')")
    assert [s.kind for s in r.steps[:4]] == [OutcomeKind.RETURNED] * 4
    assert r.steps[4].exception_type in DENIED  # the link resolves in the read-only view
    # The worker directory is emptied after the run without following any of these links.
    assert (host / "keep.txt").read_text() == "keep"
    for worker in pool._workers:  # seen from inside the zygote's own mount namespace
        assert list(Path(f"/proc/{worker.proc.pid}/root{worker.work}").iterdir()) == []


async def test_filling_the_disk(pool):
    # Each file stays under RLIMIT_FSIZE; the private tmpfs bounds them all together.
    r = await run(pool, "", "i = 0\nwhile True:\n    open(f'f{i}', 'wb').write(b'x' * (8 << 20)); i += 1",
                  "import os; sum(os.path.getsize(f) for f in os.listdir('.'))",
                  "open('big', 'wb').write(b'x' * (32 << 20))")
    assert r.steps[0].kind is OutcomeKind.RAISED and "No space left" in r.steps[0].exception_message
    assert r.steps[1].value <= 64 << 20
    assert r.steps[2].kind is OutcomeKind.RAISED
    assert pool.report.is_active("workdir_quota")


async def test_flooding_the_result_and_progress_channels(pool):
    for fd in (3, 4):
        r = await run(pool, "import os", "1", f"while True: os.write({fd}, b'x' * 65536)")
        assert r.setup.kind is OutcomeKind.RETURNED and r.steps[0].value == 1
        assert r.steps[1].kind is OutcomeKind.CRASHED
        assert "oversized" in r.steps[1].exception_message


async def test_a_tree_the_cleanup_cannot_recurse_into(pool):
    zygotes = zygote_pids(pool)
    r = await run(pool, "import os",
                  "for i in range(1200):\n    os.mkdir('d'); os.chdir('d')",
                  "os.chmod('.', 0)",  # denied now (metadata calls), once the way to strip access
                  "os.symlink('/', 'root')")
    assert r.steps[0].kind in (OutcomeKind.RETURNED, OutcomeKind.TIMEOUT)
    assert r.steps[1].exception_type == "PermissionError"
    assert zygote_pids(pool) == zygotes  # cleaned up and kept, not crashed and replaced
    for worker in pool._workers:
        assert list(Path(f"/proc/{worker.proc.pid}/root{worker.work}").iterdir()) == []
