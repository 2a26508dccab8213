"""A llama-server that crashes in its warm-up (seen: ggml's AMX kernels on a VM) is started again
without weight repacking, and only once per binary."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

from sstar.localmodel.server import LocalModelServer, ResolvedModel

# A stand-in for llama-server: segfaults unless `--no-repack` is given, else answers /health.
_FAKE = """#!{python}
import http.server, os, signal, sys
argv = sys.argv[1:]
with open({calls!r}, "a") as f:
    f.write(" ".join(argv) + "\\n")
if "--no-repack" not in argv:
    os.kill(os.getpid(), signal.SIGSEGV)
port = int(argv[argv.index("--port") + 1])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"{{}}")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"""


def _fake_binary(tmp_path: Path) -> tuple[Path, Path]:
    calls = tmp_path / "calls.txt"
    binary = tmp_path / "llama-server"
    binary.write_text(_FAKE.format(python=sys.executable, calls=str(calls)))
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    return binary, calls


async def test_a_server_crashing_at_start_is_retried_without_repacking(tmp_path):
    binary, calls = _fake_binary(tmp_path)
    weights = tmp_path / "model.gguf"
    weights.write_bytes(b"GGUF")
    server = LocalModelServer(ResolvedModel("fake", weights, binary), log_dir=tmp_path)
    try:
        async with server:
            assert server.running
        first = calls.read_text().splitlines()
        assert len(first) == 2 and "--no-repack" not in first[0] and "--no-repack" in first[1]
        await server.stop()
        async with server:  # the crash is remembered: no second crash for this binary
            assert server.running
        again = calls.read_text().splitlines()[2:]
        assert len(again) == 1 and "--no-repack" in again[0]
    finally:
        await server.stop()
        LocalModelServer._repack_crashes.discard(binary)
