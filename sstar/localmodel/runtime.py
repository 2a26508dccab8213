"""Build and locate ``llama-server``, the llama.cpp HTTP server that runs the local model.

Why llama-server and not llama-cpp-python's server: llama-server has parallel slots with
continuous batching, so S*'s N concurrent samples share each forward pass (see
``benchmarks/local_model_bench.py``); llama-cpp-python's Python server answers one request at a
time. Its source is vendored in the PyPI sdist of ``llama-cpp-python`` (``vendor/llama.cpp``), so
the build needs only PyPI, cmake and a C++ compiler: no network access during the build itself.

The binary lands in ``<cache>/runtime/llama-cpp-python-<version>/bin/llama-server``, keyed by the
pinned sdist version, so only the first setup pays the build (minutes on 2 cores).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import SETUP_COMMAND, RuntimeBuildError, RuntimeMissingError
from .paths import logs_dir, runtime_root, search_roots

__all__ = [
    "LLAMA_CPP_PYTHON_VERSION",
    "CMAKE_FLAGS",
    "BuildResult",
    "server_binary_path",
    "ensure_runtime",
    "build_runtime",
]

LLAMA_CPP_PYTHON_VERSION = "0.3.36"

# CPU-only, self-contained (static libs) and nothing that fetches from the network at build time:
# no curl/openssl (model downloads), no web UI (the prebuilt UI is fetched from Hugging Face).
# GGML_NATIVE tunes for this CPU; fine because the cache lives on the machine that built it.
CMAKE_FLAGS = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",
    "-DLLAMA_CURL=OFF",
    "-DLLAMA_OPENSSL=OFF",
    "-DLLAMA_BUILD_UI=OFF",
    "-DLLAMA_USE_PREBUILT_UI=OFF",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_TOOLS=ON",
    "-DLLAMA_BUILD_SERVER=ON",
    "-DGGML_NATIVE=ON",
)


@dataclass(frozen=True)
class BuildResult:
    binary: Path
    already_built: bool
    seconds: float = 0.0


def _home(cache_dir: Path | None, version: str) -> Path:
    return runtime_root(cache_dir) / f"llama-cpp-python-{version}"


def server_binary_path(
    cache_dir: Path | None = None, version: str = LLAMA_CPP_PYTHON_VERSION
) -> Path:
    return _home(cache_dir, version) / "bin" / "llama-server"


def _stamp(binary: Path) -> Path:
    return binary.parent.parent / "build.json"


def ensure_runtime(cache_dir: Path | None = None, version: str = LLAMA_CPP_PYTHON_VERSION) -> Path:
    """Return the built ``llama-server``, or raise ``RuntimeMissingError`` naming the fix."""
    found = _find_built(cache_dir, version)
    if found is not None:
        return found
    where = " or ".join(str(server_binary_path(r, version).parent) for r in search_roots(cache_dir))
    raise RuntimeMissingError(
        f"The local model runtime (llama-server from llama-cpp-python {version}) is not built "
        f"in {where}. Run `{SETUP_COMMAND}` (builds it once, a few minutes)."
    )


def _find_built(cache_dir: Path | None, version: str) -> Path | None:
    for root in search_roots(cache_dir):
        binary = server_binary_path(root, version)
        if binary.is_file() and os.access(binary, os.X_OK) and _stamp(binary).is_file():
            return binary
    return None


def _run_logged(cmd: list[str], log, say: Callable[[str], None], cwd: Path | None = None) -> None:
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        log.write(line)
        if line.startswith("["):  # ninja/make progress lines: "[12/206] Building ..."
            say(line.rstrip())
    if proc.wait() != 0:
        raise RuntimeBuildError(f"`{' '.join(cmd[:3])} ...` failed (exit {proc.returncode}).")


def build_runtime(
    cache_dir: Path | None = None,
    *,
    version: str = LLAMA_CPP_PYTHON_VERSION,
    jobs: int | None = None,
    python: str = sys.executable,
    force: bool = False,
    keep_build_dir: bool = False,
    progress: Callable[[str], None] | None = None,
) -> BuildResult:
    """Fetch the llama-cpp-python sdist with pip and build only the ``llama-server`` target."""
    import time

    say = progress or (lambda _msg: None)
    found = None if force else _find_built(cache_dir, version)
    if found is not None:
        return BuildResult(found, True)
    binary = server_binary_path(cache_dir, version)
    for tool in ("cmake", "c++"):
        if shutil.which(tool) is None:
            raise RuntimeBuildError(
                f"Building llama-server needs `{tool}` on PATH. Install cmake and a C++ compiler "
                f"(Debian: `apt-get install cmake g++`), then run `{SETUP_COMMAND}` again."
            )
    root = runtime_root(cache_dir)
    sdist_dir, src, build = root / "sdist", root / f"src-{version}", root / f"build-{version}"
    logs_dir(cache_dir).mkdir(parents=True, exist_ok=True)
    log_path = logs_dir(cache_dir) / f"build-llama-server-{version}.log"
    start = time.monotonic()
    with open(log_path, "w") as log:
        try:
            sdists = sorted(sdist_dir.glob(f"llama_cpp_python-{version}.tar.gz"))
            if not sdists:
                say(f"downloading the llama-cpp-python {version} sdist with pip")
                _run_logged(
                    [
                        python,
                        "-m",
                        "pip",
                        "download",
                        "--no-deps",
                        "--no-binary",
                        ":all:",
                        "--progress-bar",
                        "off",
                        "--dest",
                        str(sdist_dir),
                        f"llama-cpp-python=={version}",
                    ],
                    log,
                    say,
                )
                sdists = sorted(sdist_dir.glob(f"llama_cpp_python-{version}.tar.gz"))
            if not sdists:
                raise RuntimeBuildError(f"pip did not produce an sdist in {sdist_dir}.")
            llama = src / "vendor" / "llama.cpp"
            if not (llama / "CMakeLists.txt").is_file():
                say(f"unpacking {sdists[0].name}")
                shutil.rmtree(src, ignore_errors=True)
                src.mkdir(parents=True)
                with tarfile.open(sdists[0]) as tar:
                    for member in tar.getmembers():  # strip the top-level directory
                        member.name = member.name.partition("/")[2]
                    tar.extractall(
                        src, members=[m for m in tar.getmembers() if m.name], filter="data"
                    )
            generator = ["-G", "Ninja"] if shutil.which("ninja") else []
            say("configuring llama.cpp with cmake")
            _run_logged(
                ["cmake", "-S", str(llama), "-B", str(build), *generator, *CMAKE_FLAGS], log, say
            )
            jobs = jobs or os.cpu_count() or 1
            say(f"building llama-server with {jobs} jobs (log: {log_path})")
            _run_logged(
                ["cmake", "--build", str(build), "--target", "llama-server", "-j", str(jobs)],
                log,
                say,
            )
            built = build / "bin" / "llama-server"
            binary.parent.mkdir(parents=True, exist_ok=True)
            tmp = binary.with_name(".llama-server.tmp")
            shutil.copy2(built, tmp)
            os.replace(tmp, binary)
            check = subprocess.run(
                [str(binary), "--version"],
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                timeout=60,
            )
            if check.returncode != 0:
                raise RuntimeBuildError(f"The built {binary} does not run: {check.stderr[-500:]}")
        except RuntimeBuildError as exc:
            raise RuntimeBuildError(
                f"{exc} Building llama-server failed; see {log_path}. Fix the cause and run "
                f"`{SETUP_COMMAND}` again."
            ) from exc
        except (OSError, tarfile.TarError, subprocess.SubprocessError) as exc:
            raise RuntimeBuildError(
                f"Building llama-server failed ({exc}); see {log_path}. Run `{SETUP_COMMAND}` "
                f"again."
            ) from exc
    seconds = time.monotonic() - start
    info = {
        "version": version,
        "cmake_flags": list(CMAKE_FLAGS),
        "build_seconds": round(seconds),
        "llama_server_version": (check.stdout + check.stderr).strip()[-200:],
    }
    _stamp(binary).write_text(json.dumps(info, indent=1))
    if not keep_build_dir:
        # The static binary is self-contained; the sources and objects are ~hundreds of MB.
        shutil.rmtree(build, ignore_errors=True)
        shutil.rmtree(src, ignore_errors=True)
    return BuildResult(binary, False, seconds)
